"""Text tables, JSON and CSV of a result, for the terminal and for machines."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

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


def number_text(value: float, decimals: int = 1) -> str:
    """``value`` with thousands separators and ``decimals`` places, or two significant digits where those
    places would show a nonzero value as 0 (a factor of 2.6e-05 kg/t, 0.005 t of BC)."""
    if value == 0 or abs(value) >= 0.5 * 10.0 ** -decimals or not math.isfinite(value):
        return f"{value:,.{decimals}f}"
    return f"{value:.2g}"


def text_table(frame: pd.DataFrame, decimals: int = 1) -> str:
    """A readable fixed-width table; CJK characters count double; floats by ``number_text``."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else number_text(v, decimals))
        elif shown[column].dtype == "boolean":
            shown[column] = shown[column].map(_verdict_word, na_action="ignore").astype(object).fillna("")
        elif shown[column].dtype == object:
            shown[column] = shown[column].map(lambda v: "" if v is None else ("yes" if v is True else
                                                                               "NO" if v is False else v))
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 250,
                           "display.max_columns", 50, "display.max_rows", 100_000, "display.max_colwidth", 80):
        return shown.to_string(index=False)


def _verdict_word(met: bool) -> str:
    return "yes" if met else "NO"


# summary columns as the terminal shows them
SUMMARY_LABELS = {"baseline_t": "baseline t", "reduction_t": "reduction t", "reduction_pct": "reduction %",
                  "target_pct": "target %", "shortfall_t": "short by t"}


def summary_table(result: Result) -> str:
    return text_table(result.summary().rename(columns=SUMMARY_LABELS))


def verdict(result: Result) -> str:
    """One line per target: met, or short by how many tonnes and points."""
    summary = result.summary()
    with_target = summary[summary["target_pct"].notna()]
    lines = []
    for row in with_target.itertuples(index=False):
        status = "met  " if row.met else "SHORT"
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


AIR_QUALITY_LABELS = {"observed_ugm3": "observed µg/m³", "change_local_ugm3": "local fall", "change_regional_ugm3":
          "regional fall", "projected_ugm3": "projected", "change_pct": "change %", "target_ugm3": "target",
          "shortfall_ugm3": "short by µg/m³", "good_days_pct": "good days %", "good_days_target_pct": "target %",
          "heavy_days_pct": "heavy days %", "heavy_days_target_pct": "target %"}


def air_quality_text(aq: AirQuality) -> str:
    """The air-quality table with its notes, as ``reduccalc run`` prints it."""
    shown = aq.table.dropna(axis=1, how="all").rename(columns=AIR_QUALITY_LABELS)
    return "\n".join(["air quality (concentrations in µg/m³; falls > 0 lower the concentration):",
                       text_table(shown, decimals=2), *[f"note: {n}" for n in aq.notes]])
