"""The air-quality bridge: from an area's emission cuts to µg/m³ and days (CONTRACT section 7).

The concentration change is anchored to what the stations observed over the
base period (国控站 mean) and is linear in each precursor's fractional cut::

    change_local    = observed x local_share x sum_p(share_p x reduction_p / baseline_p)
    change_regional = observed x (1 - local_share) x (-regional_change)
    projected       = observed - change_local - change_regional

or, with per-tonne sensitivities, ``change_local = sum_p(sensitivity_p x
reduction_p)``. Areas are the counties that carry an ``air_quality`` block and
the city (``TOTAL``, from the sums over counties). Day shares come from a
lognormal of daily means with the projected mean (HJ 633-2012 breakpoints).

The kernels below are pure numpy functions over arrays of areas; the table
builder :func:`evaluate` works on the (county x pollutant) totals a
:class:`~reduccalc.result.Result` already has, never on ledger rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ProblemCollector, ScenarioError
from .inputs.air_quality import DAY_BREAKPOINTS, TOLERANCE, Spec
from .units import conversion
from .vocabulary import TOTAL

if TYPE_CHECKING:
    from .factors import FactorTable
    from .result import Result

_PRECURSORS = ("PM2.5", "PM10", "SO2", "NOx", "NH3", "VOCs", "BC")  # precursors a default share may name
CUT_WARNING = 0.30  # a precursor cut above this: contribution shares no longer predict the response
LINEAR_ASSUMPTION = ("linear tier: the concentration falls in proportion to each precursor's contribution share "
                     "(源解析 contribution, not a modelled response; secondary PM2.5 chemistry is non-linear, "
                     "so large cuts are less certain)")
Floats = np.ndarray | float  # the kernels take arrays of areas, or one area's floats
COLUMNS = ["area", "pollutant", "observed_ugm3", "change_local_ugm3", "change_regional_ugm3", "projected_ugm3",
           "change_pct", "target_ugm3", "met", "shortfall_ugm3"]
DAY_COLUMNS = ["good_days_pct", "good_days_target_pct", "heavy_days_pct", "heavy_days_target_pct"]
INVERSE_COLUMNS = ["area", "pollutant", "precursor", "extra_t", "mix", "reachable"]


# --------------------------------------------------------------------------------------------- kernels

def local_change(observed: Floats, local_share: Floats, shares: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Fall of the local part of the concentration [µg/m³].

    Parameters
    ----------
    observed : ndarray, shape (n,)
        Observed mean over the base period [µg/m³].
    local_share : ndarray, shape (n,)
        Share of ``observed`` made by the area's own emissions [fraction].
    shares : ndarray, shape (n, p)
        Share of the local part made by each precursor [fraction].
    cuts : ndarray, shape (n, p)
        Each precursor's fractional emission cut over the period (reduction / baseline) [fraction].
    """
    return observed * local_share * (shares * cuts).sum(axis=-1)  # type: ignore[no-any-return]


def per_tonne(observed: Floats, local_share: Floats, shares: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Fall of the local part per tonne of each precursor's reduction [µg/m³/t]; 0 without a baseline.

    ``observed x local_share x share_p / baseline_p``: the rate at which
    :func:`local_change` falls with each tonne cut. Arguments broadcast
    (areas, precursors or draws), ``observed`` [µg/m³], ``local_share`` and
    ``shares`` [fraction], ``baseline`` [t].
    """
    numerator = np.asarray(observed * local_share * shares, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    out = np.zeros(np.broadcast_shapes(numerator.shape, baseline.shape))
    return np.divide(numerator, baseline, out=out, where=baseline > 0)


def regional_change(observed: Floats, local_share: Floats, change: Floats) -> Floats:
    """Fall of the transported part [µg/m³] when it changes by ``change`` [fraction, -0.03 = 3 % less]."""
    return 0.0 - observed * (1.0 - local_share) * change


def sensitivity_change(sensitivity: np.ndarray, reductions: np.ndarray) -> np.ndarray:
    """Fall of the local part [µg/m³] from per-tonne sensitivities [µg/m³/t] and reductions [t], shape (n, p)."""
    return (sensitivity * reductions).sum(axis=-1)  # type: ignore[no-any-return]


def share_at_or_below(mean: Floats, gsd: Floats, threshold: float) -> np.ndarray:
    """Share of days [fraction] whose daily mean is <= ``threshold`` [µg/m³].

    Daily means are lognormal with arithmetic ``mean`` [µg/m³] and geometric
    standard deviation ``gsd`` (> 1): ln X ~ N(ln mean - s²/2, s²), s = ln gsd.
    """
    from scipy.special import ndtr  # here: scipy.special costs a third of a second to import, and `check` of a plan
                                    # without day targets needs none of it

    sigma = np.log(gsd)
    return ndtr((np.log(threshold) - np.log(mean) + sigma ** 2 / 2) / sigma)  # type: ignore[no-any-return]


def mean_for_share(share: Floats, gsd: Floats, threshold: float) -> np.ndarray:
    """Arithmetic mean [µg/m³] at which ``share`` [fraction] of days are <= ``threshold``: the inverse of
    :func:`share_at_or_below`."""
    from scipy.special import ndtri  # here, as in share_at_or_below

    sigma = np.log(gsd)
    return np.exp(np.log(threshold) - sigma * ndtri(share) + sigma ** 2 / 2)  # type: ignore[no-any-return]


def at_or_below(value: Floats, bound: Floats) -> np.ndarray:
    """``value <= bound`` within rounding (a projection equal to its target meets it); False against NaN or -inf."""
    finite = np.nan_to_num(np.abs(bound), nan=0.0, posinf=0.0)
    return np.asarray(value <= bound + TOLERANCE * np.maximum(1.0, finite))


# --------------------------------------------------------------------------------------------- defaults

def season_of(start: dt.date, end: dt.date) -> str:
    """``heating`` when every day of the period is in October-March, else ``annual``."""
    months = pd.date_range(start, end, freq="D").month
    return "heating" if bool(((months >= 10) | (months <= 3)).all()) and (end - start).days < 183 else "annual"


@dataclass(frozen=True)
class Resolved:
    """Shares and local share of one area, with where each came from."""

    local_share: float | None
    shares: dict[str, float] | None
    sources: tuple[str, ...] = ()  # factor ids of defaults used


def resolve(spec: Spec, table: FactorTable, region: str, season: str, where: str) -> Resolved:
    """Fill ``local_share`` and ``shares`` the block leaves out from the cited regional defaults.

    Raises
    ------
    ScenarioError
        Where no cited default exists for the region and season: asks for
        the area's own 源解析 numbers, never guesses.
    """
    needs_local = spec.local_share is None and (spec.sensitivity is None or spec.regional_change != 0.0)
    needs_shares = spec.shares is None and spec.sensitivity is None
    local, shares, used = spec.local_share, spec.shares, []
    season = spec.season or season
    missing = []
    if needs_local:
        row = _default(table, spec.pollutant, "local_share", region, season)
        if row is None:
            missing.append("local_share")
        else:
            local, used = row.value * conversion(row.unit, "dimensionless"), [row.id]
    if needs_shares:
        rows = {p: _default(table, spec.pollutant, f"share.{p}", region, season) for p in _PRECURSORS}
        found = {p: r for p, r in rows.items() if r is not None}
        if not found:
            missing.append("shares")
        else:
            shares = {p: r.value * conversion(r.unit, "dimensionless") for p, r in found.items()}
            used += [r.id for r in found.values()]
    if missing:
        raise ScenarioError(
            f"no cited default {' or '.join(missing)} for {spec.pollutant} in region {region!r} ({season})",
            field=f"{where}.{spec.pollutant}",
            hint="give the area's own 源解析 (source apportionment) numbers: local_share (share of the observed "
                 "mean from local emissions) and shares by precursor, e.g. {PM2.5: '40%', SO2: '15%', NOx: '25%'}")
    return Resolved(local, shares, tuple(used))


def _default(table: FactorTable, ambient: str, quantity: str, region: str, season: str) -> Any:
    """The cited row for exactly this region (a national average is not a city's apportionment)."""
    row = table.find("air_quality", ambient, quantity, kind="parameter", technology=season, region=region)
    return row if row is not None and row.region == region and row.technology in (season, "") else None


# --------------------------------------------------------------------------------------------- evaluation

@dataclass
class AirQuality:
    """The air-quality table, the notes that go with it and the inverse answer beside shortfalls."""

    table: pd.DataFrame
    notes: list[str]
    inverse: pd.DataFrame
    required: np.ndarray = field(default_factory=lambda: np.empty(0))  # highest mean meeting every target [µg/m³]
    areas: list[_Area] = field(default_factory=list)  # the table's rows, in order: what optimize and simulate reuse


@dataclass
class _Area:
    name: str
    where: str  # field path of its block
    spec: Spec
    resolved: Resolved
    precursors: list[str]
    baseline_t: np.ndarray
    reduction_t: np.ndarray

    def rates(self) -> np.ndarray:
        """Local fall per tonne of each precursor's reduction [µg/m³/t]: the sensitivities, or
        :func:`per_tonne` of the shares (0 for a precursor without a baseline)."""
        if self.spec.sensitivity is not None:
            return np.array([self.spec.sensitivity[p] for p in self.precursors], dtype=float)
        shares = np.array([(self.resolved.shares or {})[p] for p in self.precursors], dtype=float)
        return per_tonne(self.spec.observed, self.resolved.local_share or 0.0, shares, self.baseline_t)


def areas(result: Result) -> list[_Area]:
    """Every (area, ambient pollutant) with a block, with its precursors' baselines and reductions [t]."""
    scenario = result.scenario
    season = season_of(scenario.period.start, scenario.period.end)
    blocks = [(c.name, f"counties.{c.name}.air_quality", c.air_quality, [c]) for c in scenario.counties
              if c.air_quality]
    if scenario.air_quality:
        blocks.append((TOTAL, "scenario.air_quality", scenario.air_quality, scenario.counties))
    found, problems = [], ProblemCollector()
    for name, where, specs, counties in blocks:
        for spec in specs.values():
            try:
                resolved = resolve(spec, scenario.table, scenario.region, season, where)
                weights = (resolved.shares if spec.sensitivity is None else spec.sensitivity) or {}
                precursors = [p for p, w in weights.items() if w > 0]
                baseline, reduction, unbased = _precursor_sums(result._totals, counties, precursors)
                _check_precursors(name, f"{where}.{spec.pollutant}", spec, precursors, baseline, unbased)
                found.append(_Area(name, where, spec, resolved, precursors, baseline, reduction))
            except ScenarioError as error:
                problems.add(error.located(file=scenario.file))
    problems.raise_if_any()
    return found


def _precursor_sums(totals: dict[str, dict[str, float]], counties: Any,
                    precursors: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Baseline, reduction [t] of each precursor summed over the counties with a baseline for it (as the
    summary's TOTAL rows), and the reduction [t] in counties without one."""
    sums = np.zeros((3, len(precursors)))
    for county in counties:
        cut = totals.get(county.name, {})
        for j, p in enumerate(precursors):
            if p in county.baseline:
                sums[0, j] += county.baseline[p]
                sums[1, j] += cut.get(p, 0.0)
            else:
                sums[2, j] += cut.get(p, 0.0)
    return sums[0], sums[1], sums[2]


def _check_precursors(name: str, where: str, spec: Spec, precursors: list[str], baseline: np.ndarray,
                      unbased: np.ndarray) -> None:
    """A precursor with a share needs a baseline when measures cut it (its fractional cut is reduction / baseline)."""
    for p, b, r in zip(precursors, baseline, unbased):
        if spec.sensitivity is None and not b > 0 and abs(r) > 0:
            raise ScenarioError(f"measures change {name}'s {p} by {r:,.1f} t, but it has no {p} baseline to take "
                                "the fractional cut from", field=f"{where}.shares.{p}",
                                hint=f"add {p} to the baseline")


def evaluate(result: Result) -> AirQuality:
    """The air-quality table of a result (see CONTRACT section 7).

    Columns: area, pollutant, observed_ugm3, change_local_ugm3 and
    change_regional_ugm3 (falls, > 0 lowers the concentration),
    projected_ugm3 [µg/m³], change_pct (100 x (projected - observed) /
    observed: negative is a fall), target_ugm3 [µg/m³] (NaN without a
    concentration target), met (nullable boolean, NA without any target), shortfall_ugm3
    [µg/m³] (to the highest mean meeting every target of the area, day
    targets included; inf when a day target is out of reach), and where an
    area gives ``daily_gsd``: good_days_pct, good_days_target_pct,
    heavy_days_pct, heavy_days_target_pct [% of days].
    """
    found = areas(result)
    if not found:
        return AirQuality(pd.DataFrame(columns=COLUMNS).astype({"met": "boolean"}), [],
                          pd.DataFrame(columns=INVERSE_COLUMNS))
    observed = np.array([a.spec.observed for a in found])
    local_share = np.array([a.resolved.local_share if a.resolved.local_share is not None else 0.0 for a in found])
    width = max(len(a.precursors) for a in found)
    weights, cuts, rates, tonnes, baselines = (np.zeros((len(found), width)) for _ in range(5))
    for i, a in enumerate(found):
        n = len(a.precursors)
        tonnes[i, :n], baselines[i, :n] = a.reduction_t, a.baseline_t
        cuts[i, :n] = np.divide(a.reduction_t, a.baseline_t, out=np.zeros(n), where=a.baseline_t > 0)
        rates[i, :n] = a.rates()
        if a.spec.sensitivity is None:
            weights[i, :n] = [a.resolved.shares[p] for p in a.precursors]  # type: ignore[index]
    by_share = np.array([a.spec.sensitivity is None for a in found])
    local = np.where(by_share, local_change(observed, local_share, weights, cuts), sensitivity_change(rates, tonnes))
    regional = regional_change(observed, local_share, np.array([a.spec.regional_change for a in found]))
    projected = observed - local - regional
    table = pd.DataFrame({"area": [a.name for a in found], "pollutant": [a.spec.pollutant for a in found],
                          "observed_ugm3": observed, "change_local_ugm3": local, "change_regional_ugm3": regional,
                          "projected_ugm3": projected, "change_pct": 100.0 * (projected - observed) / observed})
    notes = [LINEAR_ASSUMPTION]
    target = np.array([a.spec.target.on(a.spec.observed) if a.spec.target else math.nan for a in found])
    limit, day_columns = _day_limits(found, projected, notes)
    table["target_ugm3"] = target
    required = np.fmin(target, limit)
    has_target = ~np.isnan(required)
    met = at_or_below(projected, required)
    # nullable boolean, as the summary's: NA without a target
    table["met"] = pd.array([bool(m) if t else pd.NA for m, t in zip(met, has_target)], dtype="boolean")
    table["shortfall_ugm3"] = np.where(has_target & ~met, projected - required, 0.0)
    for column, values in day_columns.items():
        if not np.isnan(values).all():  # day columns only where some area configures them
            table[column] = values
    notes += _notes(found, cuts, projected, target, observed)
    inverse = _inverse(found, table["shortfall_ugm3"].to_numpy(), local, rates, tonnes, baselines)
    return AirQuality(table, notes, inverse, required, found)


def _day_limits(found: list[_Area], projected: np.ndarray, notes: list[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """The highest mean [µg/m³] meeting each area's day targets (NaN: none; -inf: out of reach),
    and the day-share columns [%]."""
    n = len(found)
    limit = np.full(n, math.nan)
    columns = {name: np.full(n, math.nan) for name in DAY_COLUMNS}
    for i, a in enumerate(found):
        spec = a.spec
        if spec.daily_gsd is None:
            continue
        gsd = np.float64(spec.daily_gsd)
        good_at, heavy_at = DAY_BREAKPOINTS[spec.pollutant]
        model_obs = float(share_at_or_below(np.float64(spec.observed), gsd, good_at))
        lost = 0.0
        if spec.good_days.get("observed") is not None:
            lost = model_obs - float(spec.good_days["observed"])  # type: ignore[arg-type]
            if lost < -1e-6:
                raise ScenarioError(
                    f"good_days.observed {100 * spec.good_days['observed']:.1f}% is more than the lognormal gives "  # type: ignore[operator]
                    f"for {spec.pollutant} alone at the observed mean ({100 * model_obs:.1f}%)",
                    field=f"{a.where}.{spec.pollutant}.good_days.observed", hint="daily_gsd is too wide; fit it "
                    "to the base period's daily means")
            lost = max(lost, 0.0)
        heavy_model_obs = 1.0 - float(share_at_or_below(np.float64(spec.observed), gsd, heavy_at))
        extra = max(0.0, float(spec.heavy_days["observed"] or 0.0) - heavy_model_obs) \
            if spec.heavy_days.get("observed") is not None else 0.0
        mean = np.float64(max(projected[i], 1e-9))
        columns["good_days_pct"][i] = 100.0 * (float(share_at_or_below(mean, gsd, good_at)) - lost)
        columns["heavy_days_pct"][i] = 100.0 * (1.0 - float(share_at_or_below(mean, gsd, heavy_at)) + extra)
        bounds = []
        good_target = spec.good_days.get("target")
        if good_target is not None:
            columns["good_days_target_pct"][i] = 100.0 * good_target
            bounds.append(_bound(good_target + lost, gsd, good_at))
        heavy_target = spec.heavy_days.get("target")
        if heavy_target is not None:
            columns["heavy_days_target_pct"][i] = 100.0 * heavy_target
            bounds.append(_bound(1.0 - heavy_target + extra, gsd, heavy_at))
        if bounds:
            limit[i] = min(bounds)
            if limit[i] == -math.inf:
                notes.append(f"{a.name} {spec.pollutant}: a day target is out of reach of {spec.pollutant} "
                             f"measures: the days counted against other pollutants (good days lost "
                             f"{100 * lost:.1f}%, heavy days {100 * extra:.1f}%) leave no room")
    return limit, columns


def _bound(share: float, gsd: np.float64, threshold: float) -> float:
    """Mean [µg/m³] at which ``share`` of days are <= ``threshold``; -inf when the share is 100 % or more."""
    if share >= 1.0:
        return -math.inf
    return float(mean_for_share(np.float64(share), gsd, threshold))


def _notes(found: list[_Area], cuts: np.ndarray, projected: np.ndarray, target: np.ndarray,
           observed: np.ndarray) -> list[str]:
    """Warnings the answer must carry: cuts beyond the linear range, targets within the weather spread,
    defaults used, precursors without a baseline."""
    notes = []
    for i, a in enumerate(found):
        label = f"{a.name} {a.spec.pollutant}"
        big = [f"{p} {100 * cuts[i, j]:.0f}%" for j, p in enumerate(a.precursors) if cuts[i, j] > CUT_WARNING]
        if big:
            notes.append(f"{label}: cuts above {100 * CUT_WARNING:.0f}% ({', '.join(big)}): contribution is not "
                         "response; the linear estimate may overstate the fall")
        spread = a.spec.weather_spread
        if spread is not None and not math.isnan(target[i]) and abs(observed[i] - target[i]) <= spread * observed[i]:
            notes.append(f"{label}: the target ({target[i]:.1f} µg/m³) is within the year-to-year weather spread "
                         f"(±{100 * spread:.0f}% = ±{spread * observed[i]:.1f} µg/m³): one year's weather can meet "
                         "or miss it whatever the measures do")
        if a.resolved.sources:
            notes.append(f"{label}: cited regional defaults used: {', '.join(a.resolved.sources)}")
        absent = [p for j, p in enumerate(a.precursors) if not a.baseline_t[j] > 0 and a.spec.sensitivity is None]
        if absent:
            notes.append(f"{label}: no baseline for {', '.join(absent)} and no measure cuts it: counted as a 0% cut")
    return notes


def _inverse(found: list[_Area], shortfall: np.ndarray, local: np.ndarray, rates: np.ndarray, tonnes: np.ndarray,
             baselines: np.ndarray) -> pd.DataFrame:
    """More tonnes of each precursor that close each shortfall [t].

    At the area's current mix of measures (every precursor's reduction
    scaled up together) when the measures cut any; else each precursor
    alone. ``reachable`` is False when that would remove more than the
    precursor's baseline.
    """
    rows = []
    for i, a in enumerate(found):
        gap = shortfall[i]
        if not gap > 0 or not math.isfinite(gap):
            continue
        n = len(a.precursors)
        by_mix = local[i] > 0
        scale = gap / local[i] if by_mix else 0.0
        for j, p in enumerate(a.precursors[:n]):
            if rates[i, j] <= 0 or (by_mix and tonnes[i, j] <= 0):
                continue
            extra = tonnes[i, j] * scale if by_mix else gap / rates[i, j]
            room = baselines[i, j] - tonnes[i, j] if a.spec.sensitivity is None else math.inf
            rows.append({"area": a.name, "pollutant": a.spec.pollutant, "precursor": p, "extra_t": float(extra),
                         "mix": "current mix" if by_mix else "alone", "reachable": bool(extra <= room + TOLERANCE)})
    return pd.DataFrame(rows, columns=INVERSE_COLUMNS)


# --------------------------------------------------------------------------------------------- optimisation

@dataclass(frozen=True)
class Constraints:
    """Concentration and day targets as linear rows on the (county x pollutant) reductions of
    :class:`reduccalc.analysis.uncertainty.Groups`: ``weights @ reductions >= needed``.

    Attributes
    ----------
    weights : ndarray
        targets x groups: local fall per tonne of each group's reduction [µg/m³/t].
    needed : ndarray
        Local fall each target needs: observed - regional fall - highest mean meeting it [µg/m³].
    labels : DataFrame
        county (the area), pollutant (``"PM2.5 µg/m³"``), target_pct (NaN), one row per target.
    """

    weights: np.ndarray
    needed: np.ndarray
    labels: pd.DataFrame


def constraints(result: Result, groups: Any) -> Constraints:
    """The air-quality targets of ``result`` as rows on ``groups`` (targets out of reach are left to the
    report: their row asks for the whole observed mean, which local measures cannot remove)."""
    aq = result.air_quality_report
    keys = {key: i for i, key in enumerate(zip(groups.frame["county"], groups.frame["pollutant"]))}
    rows, needed, labels = [], [], []
    for i, a in enumerate(aq.areas):
        if math.isnan(aq.required[i]):
            continue
        row = np.zeros(len(groups.frame))
        for p, rate in zip(a.precursors, a.rates()):
            g = keys.get((a.name, p))
            if g is not None:
                row[g] = rate
        regional = float(aq.table["change_regional_ugm3"].iloc[i])
        rows.append(row)
        needed.append(a.spec.observed - regional - max(aq.required[i], 0.0))
        labels.append({"county": a.name, "pollutant": f"{a.spec.pollutant} µg/m³", "target_pct": math.nan})
    return Constraints(np.array(rows).reshape(len(rows), len(groups.frame)), np.array(needed),
                       pd.DataFrame(labels, columns=["county", "pollutant", "target_pct"]))


# --------------------------------------------------------------------------------------------- text

def verdict_lines(aq: AirQuality) -> list[str]:
    """One line per area with a concentration or day target: met, or short by how many µg/m³, with the
    tonnes that would close the gap."""
    lines = []
    for row in aq.table.itertuples(index=False):
        if row.met is pd.NA:
            continue
        parts = [f"projected {row.projected_ugm3:.2f} µg/m³ (observed {row.observed_ugm3:.2f}, local fall "
                 f"{row.change_local_ugm3:.2f}, regional fall {row.change_regional_ugm3:.2f})"]
        if not math.isnan(row.target_ugm3):
            parts.append(f"target {row.target_ugm3:.2f} µg/m³")
        for name, label in (("good_days", "good days"), ("heavy_days", "heavy days")):
            wanted = getattr(row, f"{name}_target_pct", math.nan)
            if not math.isnan(wanted):
                parts.append(f"{label} {getattr(row, f'{name}_pct'):.1f}%, target {wanted:.1f}%")
        line = f"{'met  ' if row.met else 'SHORT'} {row.area} {row.pollutant}: " + ", ".join(parts)
        if not row.met:
            needed = row.projected_ugm3 - row.shortfall_ugm3  # the highest mean meeting every target of the area
            line += (f"; short by {row.shortfall_ugm3:.2f} µg/m³ (every target holds at a mean of {needed:.2f} "
                     "µg/m³ or less)" if math.isfinite(row.shortfall_ugm3) else
                     "; out of reach of these measures (days lost to other pollutants)")
            closing = aq.inverse[(aq.inverse["area"] == row.area) & (aq.inverse["pollutant"] == row.pollutant)]
            if len(closing):
                how = "at the current mix of measures" if closing["mix"].iloc[0] == "current mix" else "any one of"
                tonnes = (" + " if how.startswith("at") else " or ").join(
                    f"{r.extra_t:,.0f} t {r.precursor}" + ("" if r.reachable else " (more than its baseline)")
                    for r in closing.itertuples(index=False))
                line += f"; closing it needs {how}: {tonnes} more"
        lines.append(line)
    return lines
