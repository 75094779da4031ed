"""The result of a run: summary, reductions by measure, the ledger, verdicts."""

from __future__ import annotations

import math
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ProblemCollector, ScenarioError, one_of
from .ledger import LedgerBuilder
from .vocabulary import POLLUTANTS, TOTAL, TOTAL_PARTICULATE

if TYPE_CHECKING:
    from .model import Scenario

SUMMARY_COLUMNS = ["county", "pollutant", "baseline_t", "reduction_t", "reduction_pct", "target_pct", "met",
                   "shortfall_t"]
REDUCTION_COLUMNS = ["county", "measure", "type", "pollutant", "reduction_t", "upstream_t"]


class Result:
    """What a scenario's measures achieve, per county and pollutant.

    Attributes
    ----------
    ledger : DataFrame
        Every activity x factor row, with factor ids and sources, measure
        by measure in the scenario's order. Its text columns (county,
        measure, pollutant, factor_id, source ...) are categorical: with
        pandas < 3, pass ``observed=True`` to ``groupby`` on them.
    reductions : DataFrame
        county, measure, type, pollutant, reduction_t [t] (net change in the
        county's own emissions), upstream_t [t] (change at power plants;
        negative = added).
    """

    def __init__(self, scenario: Scenario, builder: LedgerBuilder) -> None:
        self.scenario = scenario
        self._builder = builder
        self.reductions = builder.reductions()
        self._check_over_removal()
        self._check_total_particulate()

    def __repr__(self) -> str:
        """What the result holds, in a few lines: scenario, counts, verdicts and the largest shortfalls."""
        from .model import how_many

        sc = self.scenario
        summary = self._summary
        verdicts = summary["met"]
        missed = summary[~verdicts.fillna(True)].sort_values("shortfall_t", ascending=False)
        met, short, untargeted = int(verdicts.fillna(False).sum()), len(missed), int(verdicts.isna().sum())
        lines = [f"<Result of {sc.name!r}: {sc.period.start} to {sc.period.end}, "
                 f"{how_many(len(sc.counties), 'county', 'counties')}, {how_many(sc.measure_count(), 'measure')}, "
                 f"{how_many(self.ledger_rows, 'ledger row')}",
                 f"  targets: {met} met, {short} SHORT; {how_many(untargeted, 'summary row')} without a target"]
        if len(missed):
            lines.append("  short: " + one_of([f"{r.county} {r.pollutant} by {r.shortfall_t:,.1f} t"
                                               for r in missed.itertuples(index=False)], 4, sort=False))
        if sc.air_quality or any(c.air_quality for c in sc.counties):
            air = [m for m in self.air_quality_report.table["met"] if m is not None]
            lines.append(f"  air quality: {air.count(True)} met, {air.count(False)} SHORT")
        return "\n".join(lines) + ">"

    @property
    def ledger_rows(self) -> int:
        """Rows of the ledger (without joining it into a DataFrame)."""
        return len(self._builder)

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """The ledger (see the class's attributes), joined from its blocks when first asked for."""
        return self._builder.frame()

    @cached_property
    def _totals(self) -> dict[str, dict[str, float]]:
        """Net reduction per county and pollutant [t], as ``_totals[county][pollutant]``.

        Summed over the reductions' category codes: every pair of a county
        and a pollutant has a slot (0.0 where no measure reduces it), so no
        pair needs hashing.
        """
        county, pollutant = self.reductions["county"].array, self.reductions["pollutant"].array
        counties, pollutants = county.categories.tolist(), pollutant.categories.tolist()
        slot = county.codes.astype(np.int64) * len(pollutants) + pollutant.codes
        sums = np.bincount(slot, self.reductions["reduction_t"].to_numpy(), len(counties) * len(pollutants))
        rows = sums.reshape(len(counties), len(pollutants)).tolist()
        return {name: dict(zip(pollutants, row)) for name, row in zip(counties, rows)}

    def _check_over_removal(self) -> None:
        totals = self._totals
        collector = ProblemCollector()
        for county in self.scenario.counties:
            removed_t = totals.get(county.name, {})
            for pollutant, baseline in county.baseline.items():
                removed = removed_t.get(pollutant, 0.0)
                if removed > removal_limit(baseline):
                    file, line, field = (self.scenario.file, county.line, f"counties.{county.name}.baseline.{pollutant}")
                    if county.baseline_row is not None:
                        file, line, field = (*county.baseline_row, f"column {pollutant}")
                    collector.add(ScenarioError(
                        f"measures remove {removed:,.1f} t of {pollutant}, more than the county's baseline of "
                        f"{baseline:,.1f} t", file=file, line=line, field=field,
                        hint="a measure is counted twice, or the baseline is for a shorter period or too low"))
        collector.raise_if_any()

    def _check_total_particulate(self) -> None:
        """Refuse a TSP total that would leave out measures: in a county with a TSP baseline, every measure
        that changes PM10 or PM2.5 needs a TSP row (the tables give TSP only where their source does)."""
        counties = {c.name: c for c in self.scenario.counties if TOTAL_PARTICULATE in c.baseline}
        if not counties:
            return
        rows = self.reductions[self.reductions["county"].isin(list(counties))]
        pollutants = rows.groupby(["county", "measure"], observed=True)["pollutant"].agg(frozenset)
        collector = ProblemCollector()
        for name, county in counties.items():
            lacking = [measure for (where, measure), found in pollutants.items() if where == name
                       and found & {"PM10", "PM2.5"} and TOTAL_PARTICULATE not in found]
            if lacking:
                shown = ", ".join(lacking[:5]) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
                some, them = ((f"{len(lacking)} measures that change particulate matter have", "them")
                              if len(lacking) > 1 else ("a measure that changes particulate matter has", "it"))
                collector.add(ScenarioError(
                    f"county {county.name!r} has a TSP baseline, but {some} no TSP factor ({shown}): its TSP "
                    f"reduction would leave {them} out", file=self.scenario.file,
                    line=county.line, field=f"counties.{county.name}.baseline.TSP",
                    hint="give those measures emission_factors: {TSP: ...} (颗粒物 as your source gives it), or "
                         "compare PM10 instead and drop the TSP baseline"))
        collector.raise_if_any()

    def summary(self) -> pd.DataFrame:
        """county, pollutant, baseline_t, reduction_t, reduction_pct, target_pct, met, shortfall_t.

        One row per pollutant in each county's baseline, then TOTAL rows
        (sums over counties, scenario-level targets). Percents are percent
        (5.0 = 5 %). ``met`` is pandas' nullable ``boolean``: without a
        target, target_pct is NaN, met ``pd.NA`` and shortfall_t 0, so
        ``summary[~summary.met.fillna(True)]`` lists the targets missed.
        """
        return self._summary.copy()

    @cached_property
    def _summary(self) -> pd.DataFrame:
        totals = self._totals
        rows: list[dict[str, Any]] = []
        overall: dict[str, list[float]] = {}
        for county in self.scenario.counties:
            targets = {**self.scenario.targets, **county.targets}
            reduction_t = totals.get(county.name, {})
            for pollutant in POLLUTANTS:
                if pollutant not in county.baseline:
                    continue
                baseline = county.baseline[pollutant]
                reduction = reduction_t.get(pollutant, 0.0)
                rows.append(_row(county.name, pollutant, baseline, reduction, targets.get(pollutant)))
                acc = overall.setdefault(pollutant, [0.0, 0.0])
                acc[0] += baseline
                acc[1] += reduction
        for pollutant in POLLUTANTS:
            if pollutant in overall:
                baseline, reduction = overall[pollutant]
                rows.append(_row(TOTAL, pollutant, baseline, reduction, self.scenario.targets.get(pollutant)))
        frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        numbers = frame[["baseline_t", "reduction_t", "reduction_pct", "shortfall_t"]].to_numpy(dtype=float)
        if not np.isfinite(numbers).all():
            raise ScenarioError("the summary overflows: baselines or reductions too large or too small to divide",
                                file=self.scenario.file, hint="check the magnitudes and units of the baselines")
        frame["met"] = frame["met"].astype("boolean")
        return frame

    @property
    def met(self) -> bool | None:
        """True when every target holds; None when the scenario has no targets."""
        verdicts = self._summary["met"].dropna()
        return bool(verdicts.all()) if len(verdicts) else None

    def without_baseline(self) -> pd.DataFrame:
        """Non-zero reductions of pollutants a county has no baseline for (kept out of the summary) [t]."""
        baselines = {(c.name, p) for c in self.scenario.counties for p in c.baseline}
        red = self.reductions
        mask = np.fromiter((key not in baselines for key in zip(red["county"], red["pollutant"])), bool, len(red))
        missing = red.loc[mask].groupby(["county", "pollutant"], sort=False, as_index=False, observed=True)[
            ["reduction_t", "upstream_t"]].sum()
        nonzero = (missing["reduction_t"].abs() > 1e-9) | (missing["upstream_t"].abs() > 1e-9)
        return missing[nonzero].reset_index(drop=True)

    def air_quality(self) -> pd.DataFrame:
        """area, pollutant, observed_ugm3, change_local_ugm3, change_regional_ugm3, projected_ugm3, change_pct,
        target_ugm3, met, shortfall_ugm3 (+ day shares where configured); area TOTAL for the city.

        Empty without ``air_quality`` blocks; see :func:`reduccalc.air_quality.evaluate` for units.
        """
        return self.air_quality_report.table.copy()

    @cached_property
    def air_quality_report(self) -> Any:
        """The air-quality table with its notes (assumptions, warnings) and the inverse answer (tonnes that
        close each shortfall): a :class:`reduccalc.air_quality.AirQuality`, computed once."""
        from .air_quality import evaluate

        return evaluate(self)

    def plot_waterfall(self, county: str, pollutant: str, lang: str = "en") -> Any:
        """Waterfall of one county's (or TOTAL's) reduction by measure, labels in ``lang`` (en, zh); see
        :mod:`reduccalc.report.figures`."""
        from .report.figures import plot_waterfall

        return plot_waterfall(self, county, pollutant, lang)

    def plot_targets(self, pollutant: str, lang: str = "en") -> Any:
        """Counties' reduction percent against their targets, labels in ``lang`` (en, zh); see
        :mod:`reduccalc.report.figures`."""
        from .report.figures import plot_targets

        return plot_targets(self, pollutant, lang)

    def to_excel(self, path: str) -> None:
        """Write the results workbook: summary, reductions, ledger, factors (air_quality where configured),
        metadata; see :mod:`reduccalc.report.excel` for its headers and number formats."""
        from pathlib import Path

        from .report.excel import write_workbook

        write_workbook(self, Path(path))

    def metadata(self) -> dict[str, str]:
        """Version and checksums that make a published result traceable."""
        from . import __version__

        return {
            "reduccalc_version": __version__,
            "scenario": self.scenario.name,
            "scenario_file": self.scenario.file or "",
            "scenario_sha256": self.scenario.checksum,
            "factor_tables_sha256": self.scenario.table.checksum,
            "period": f"{self.scenario.period.start} to {self.scenario.period.end}",
        }


ROUNDING = 1e-9  # relative slack of the verdicts below: sums of floats a hair off are not a verdict's change


def met_threshold(needed_t: Any) -> Any:
    """Reduction [t] at or above which a target needing ``needed_t`` [t] counts as met (rounding slack)."""
    return needed_t - ROUNDING * np.maximum(1.0, needed_t)


def removal_limit(baseline_t: Any) -> Any:
    """Most reduction [t] a county with ``baseline_t`` [t] may have before it removes more than its baseline
    (rounding slack)."""
    return baseline_t * (1 + ROUNDING)


def _row(county: str, pollutant: str, baseline: float, reduction: float, target: float | None) -> dict[str, Any]:
    pct = 100.0 * reduction / baseline
    if target is None:
        return {"county": county, "pollutant": pollutant, "baseline_t": baseline, "reduction_t": reduction,
                "reduction_pct": pct, "target_pct": math.nan, "met": None, "shortfall_t": 0.0}
    needed = target / 100.0 * baseline
    shortfall = max(0.0, needed - reduction)
    # met within rounding: a reduction equal to the target meets it
    met = bool(reduction >= met_threshold(needed))
    return {"county": county, "pollutant": pollutant, "baseline_t": baseline, "reduction_t": reduction,
            "reduction_pct": pct, "target_pct": float(target), "met": met, "shortfall_t": 0.0 if met else shortfall}
