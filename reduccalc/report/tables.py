"""Text tables, JSON and CSV of a result, for the terminal and for machines.

One naming scheme: the terminal's headers are the column names of the API,
the CSVs, the JSON and the workbook (``baseline_t``, ``reduction_pct``); a
verdict is ``met`` or ``SHORT`` wherever it is a word (the tables' ``met``
column, the lines of ``check`` and ``optimize``), and a boolean in the CSV,
JSON and workbook.
"""

from __future__ import annotations

import json
import math
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..result import Result

if TYPE_CHECKING:
    from ..air_quality import AirQuality


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_value(value.item())
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts (NaN and None as null)."""
    columns = list(frame.columns)
    return [{c: _json_value(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False, name=None)]


def to_json(frame: pd.DataFrame) -> str:
    return json.dumps(records(frame), ensure_ascii=False, indent=2)


VERDICT_WORDS = {True: "met", False: "SHORT"}  # a target's verdict, wherever it is written as a word
FLAG_WORDS = {True: "true", False: "false"}  # any other flag


def verdict_word(met: bool) -> str:
    """``met`` or ``SHORT``: the one spelling of a verdict in text."""
    return VERDICT_WORDS[bool(met)]


def number_text(value: float, decimals: int = 1) -> str:
    """``value`` with thousands separators and ``decimals`` places, or two significant digits where those
    places would show a nonzero value as 0 (a factor of 2.6e-05 kg/t, 0.005 t of BC)."""
    if value == 0 or abs(value) >= 0.5 * 10.0 ** -decimals or not math.isfinite(value):
        return f"{value:,.{decimals}f}"
    return f"{value:.2g}"


def text_table(frame: pd.DataFrame, decimals: int = 1) -> str:
    """A readable fixed-width table under the frame's own column names; CJK characters count double.

    Floats by :func:`number_text` with ``decimals`` places, missing values blank; a ``met`` column's verdicts
    as ``met`` / ``SHORT``, any other flag as ``true`` / ``false``.
    """
    shown = frame.copy()
    for column in shown.columns:
        words = VERDICT_WORDS if column == "met" else FLAG_WORDS
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else number_text(v, decimals))
        elif shown[column].dtype.kind == "b" or shown[column].dtype == object:
            shown[column] = shown[column].map(partial(_shown_value, words)).astype(object)
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 250,
                           "display.max_columns", 50, "display.max_rows", 100_000, "display.max_colwidth", 80):
        return shown.to_string(index=False)


def _shown_value(words: dict[bool, str], value: Any) -> Any:
    if value is None or value is pd.NA:
        return ""
    return words[bool(value)] if isinstance(value, bool | np.bool_) else value


def with_deterministic(simulated: pd.DataFrame, result: Result) -> pd.DataFrame:
    """The Monte Carlo table with the run's own value beside its percentiles.

    ``reduction_t`` and ``reduction_pct`` of the summary before
    ``reduction_p5`` (rows by county and pollutant); air-quality rows
    (``area``) take ``projected_ugm3`` before ``projected_p5``.
    """
    if "area" in simulated.columns:
        keys, values, before = ["area", "pollutant"], ["projected_ugm3"], "projected_p5"
        deterministic = result.air_quality()
    else:
        keys, values, before = ["county", "pollutant"], ["reduction_t", "reduction_pct"], "reduction_p5"
        deterministic = result.summary()
    if before not in simulated.columns or deterministic.empty:
        return simulated
    joined = simulated.merge(deterministic[[*keys, *values]].astype({v: float for v in values}), on=keys,
                             how="left", validate="one_to_one")
    order = list(simulated.columns)
    at = order.index(before)
    return joined[[*order[:at], *values, *order[at:]]]


def verdict(result: Result) -> str:
    """One line per target: met, or short by how many tonnes and points."""
    summary = result.summary()
    with_target = summary[summary["target_pct"].notna()]
    lines = []
    for row in with_target.itertuples(index=False):
        status = f"{verdict_word(row.met):<5}"
        line = (f"{status} {row.county} {row.pollutant}: {number_text(row.reduction_t)} t = "
                f"{number_text(row.reduction_pct, 2)}% of {number_text(row.baseline_t)} t, target {row.target_pct:g}%")
        if not row.met:
            gap = row.target_pct - row.reduction_pct
            line += f"; short by {number_text(row.shortfall_t)} t ({number_text(gap, 2)} percentage points)"
        lines.append(line)
    short = int((~with_target["met"]).sum())
    total = len(with_target)
    head = (f"{result.scenario.name}: all {total} targets met" if short == 0 else
            f"{result.scenario.name}: {short} of {total} targets NOT met")
    return "\n".join([head, *lines])


def selected(frame: pd.DataFrame, counties: list[str] | None, pollutants: list[str] | None,
             county: str = "county") -> pd.DataFrame:
    """Rows of ``frame`` whose ``county`` column is one of ``counties`` and pollutant one of ``pollutants``
    (None: all)."""
    keep = np.ones(len(frame), dtype=bool)
    if counties is not None:
        keep &= frame[county].astype(str).isin(counties).to_numpy()
    if pollutants is not None:
        keep &= frame["pollutant"].astype(str).isin(pollutants).to_numpy()
    return frame[keep]


def explain_summary(result: Result, county: str | None = None, measure: str | None = None) -> str:
    """One line per measure: its type, its net tonnes by pollutant, and the factor that matters most.

    The tonnes are the measure's ``reduction_t`` in ``reductions`` (upstream
    changes, when any, in brackets). The main factor is the one behind the
    largest share of a baseline among the measure's ledger rows (so CO2's
    thousands of tonnes do not outweigh SO2's tens where only SO2 has a
    baseline); for a measure of pollutants without baselines, the one
    behind the most tonnes.
    """
    reductions = selected(result.reductions, None if county is None else [county], None)
    ledger = selected(result.ledger, None if county is None else [county], None)
    if measure is not None:
        reductions = reductions[reductions["measure"] == measure]
        ledger = ledger[ledger["measure"] == measure]
    mains = _main_factors(ledger, result.summary())
    lines = []
    for (cty, name), rows in reductions.groupby(["county", "measure"], sort=False, observed=True):
        tonnes = ", ".join(f"{row.pollutant} {number_text(row.reduction_t + 0.0)} t"
                           + (f" [upstream {number_text(row.upstream_t + 0.0)} t]" if row.upstream_t else "")
                           for row in rows.itertuples(index=False))
        main = mains.get((str(cty), str(name)))
        factor = "" if main is None else (f"; main factor {main.factor_id} = {main.factor:.6g} {main.factor_unit} "
                                          f"({str(main.factor_source).split(', ')[0]})")
        lines.append(f"{cty} / {name} ({rows['type'].iloc[0]}): {tonnes or 'no tonnes'}{factor}")
    return "\n".join(lines) if lines else "(no measures)"


def _main_factors(ledger: pd.DataFrame, summary: pd.DataFrame) -> dict[tuple[str, str], Any]:
    """Per (county, measure), a ledger row of the factor whose rows remove the largest share of a baseline
    (or, where none of the measure's pollutants has one, the most tonnes)."""
    if ledger.empty:
        return {}
    baselines = dict(zip(zip(summary["county"], summary["pollutant"]), summary["baseline_t"]))
    keys = zip(ledger["county"].astype(str), ledger["pollutant"].astype(str))
    baseline = np.array([baselines.get(key, np.nan) for key in keys], dtype=float)
    tonnes = ledger["reduction_t"].abs().to_numpy()
    weighed = ledger[["county", "measure", "factor_id"]].assign(
        share=np.where(np.isnan(baseline), 0.0, tonnes / np.where(np.isnan(baseline), 1.0, baseline)), tonnes=tonnes)
    by_factor = weighed.groupby(["county", "measure", "factor_id"], sort=False, observed=True)[
        ["share", "tonnes"]].sum().reset_index()
    best = by_factor.sort_values(["share", "tonnes"], ascending=False, kind="stable").drop_duplicates(
        ["county", "measure"])
    firsts = {(str(r.county), str(r.measure), str(r.factor_id)): r
              for r in ledger.drop_duplicates(["county", "measure", "factor_id"]).itertuples(index=False)}
    return {(str(c), str(m)): firsts[(str(c), str(m), str(f))]
            for c, m, f in best[["county", "measure", "factor_id"]].itertuples(index=False)}


def explain_lines(result: Result, county: str | None = None, measure: str | None = None) -> str:
    """Every ledger row as ``activity x factor x adjustments x time in effect = tonnes``, with sources.

    Each line multiplies out by hand to its tonnes: every multiplier is
    printed as the number it is, then what it is (``0.6 (reduction)``, and
    ``1 % sulfur_content`` after a factor per % sulfur_content). An activity
    per year or per heating season says so (``km/yr``, ``t/season``) and is
    followed by the years or seasons in effect; an activity for the period
    by the share of it in effect (of its days, or of its heating for a heating
    boiler), where that is not 1.
    """
    ledger = result.ledger
    if county is not None:
        ledger = ledger[ledger["county"] == county]
    if measure is not None:
        ledger = ledger[ledger["measure"] == measure]
    lines = []
    for (cty, name), rows in ledger.groupby(["county", "measure"], sort=False, observed=True):
        lines.append(f"{cty} / {name} ({rows['type'].iloc[0]})")
        lines.extend(_explain_row(row) for row in rows.itertuples(index=False))
    return "\n".join(lines) if lines else "(no ledger rows)"


def _explain_row(row: Any) -> str:
    """One ledger row's line (see :func:`explain_lines`), then its source and its factor's."""
    sign = "-" if row.sign < 0 else "+"
    adjust = f" x {row.adjust_note}" if row.adjust_note else ("" if row.adjust == 1 else f" x {row.adjust:.6g}")
    if row.time_unit:
        per, time = f"/{row.time_unit}", f" x {row.time_share:.6g} {row.time_unit}"
    else:
        per, time = "", "" if row.time_share == 1 else f" x {row.time_share:.6g} (in effect)"
    scope = "" if row.scope == "local" else f" [{row.scope}{'' if row.counted else ', not netted'}]"
    where = f" row {row.row}" if row.row else ""
    return (f"  {sign} {row.pollutant:<5} {row.activity:,.6g} {row.activity_unit}{per} x {row.factor:.6g} "
            f"{row.factor_unit}{adjust}{time} = {row.reduction_t + 0.0:,.3f} t{scope}{where}\n"
            f"      {row.source}\n      factor {row.factor_id}: {row.factor_source}")


def air_quality_text(aq: AirQuality) -> str:
    """The air-quality table with its notes, as ``reduccalc run`` prints it."""
    shown = aq.table.dropna(axis=1, how="all")
    return "\n".join(["air quality (concentrations in µg/m³; changes > 0 lower the concentration):",
                       text_table(shown, decimals=2), *[f"note: {n}" for n in aq.notes]])
