"""Air quality under uncertainty: P(met) of every concentration and day target, by Monte Carlo.

The emission factors are drawn as :mod:`reduccalc.analysis.uncertainty` draws them (the same streams for
the same seed); the bridge from tonnes to µg/m³ is :mod:`reduccalc.air_quality`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..air_quality import _Area, at_or_below, per_tonne, regional_change
from ..units import conversion
from .uncertainty import STREAM_BLOCK, _stream_key, check_draws, entropy_of, factor_space, linear_model, scenario_model

if TYPE_CHECKING:
    from ..factors import FactorTable


SIMULATE_COLUMNS = ["area", "pollutant", "projected_p5", "projected_p50", "projected_p95", "required_ugm3", "p_met"]


def simulate(scenario: Any, draws: int = 1000, seed: int | None = None) -> pd.DataFrame:
    """P(met) of every concentration and day target, by Monte Carlo.

    Each draw takes the emission factors (as :func:`reduccalc.analysis.uncertainty.simulate`
    draws them, the same streams for the same seed), the cited regional
    defaults used for ``local_share`` and ``shares`` within their ranges (as
    factor rows of the table), and, where the block gives ``weather_spread``,
    a normal weather factor on the projected mean (1 sd = the spread).
    Values the block gives itself are held fixed.

    Returns
    -------
    DataFrame
        area, pollutant, projected_p5, projected_p50, projected_p95 [µg/m³],
        required_ugm3 (the highest mean meeting every target of the area;
        -inf when a day target is out of reach, NaN without a target),
        p_met (share of draws at or below it; NaN without a target).
    """
    draws = check_draws(draws)
    entropy = entropy_of(seed)
    parts = scenario_model(scenario)
    report = parts.result.air_quality_report
    found = report.areas
    if not found:
        return pd.DataFrame(columns=SIMULATE_COLUMNS)
    defaults = sorted({i for a in found for i in a.resolved.sources})
    space = factor_space(scenario.table, [*parts.result.ledger["factor_id"], *defaults])
    model = linear_model(parts.result.ledger, parts.groups, space)
    factors = np.hstack([space.sample(entropy, block, min(STREAM_BLOCK, draws - start))
                         for block, start in enumerate(range(0, draws, STREAM_BLOCK))])
    column = {factor_id: i for i, factor_id in enumerate(space.ids)}
    keys = {key: i for i, key in enumerate(zip(parts.groups.frame["county"], parts.groups.frame["pollutant"]))}
    required = report.required
    rows = []
    for i, a in enumerate(found):
        projected = _projected_draws(a, model, factors, keys, column, scenario.table, draws)
        if a.spec.weather_spread:
            projected = projected * (1.0 + a.spec.weather_spread * _normal(entropy, f"weather:{a.name}:{a.spec.pollutant}",
                                                                           draws))
        p5, p50, p95 = np.percentile(projected, [5.0, 50.0, 95.0])
        bound = required[i]
        p_met = math.nan if math.isnan(bound) else float(at_or_below(projected, bound).mean())
        rows.append({"area": a.name, "pollutant": a.spec.pollutant, "projected_p5": p5, "projected_p50": p50,
                     "projected_p95": p95, "required_ugm3": bound, "p_met": p_met})
    return pd.DataFrame(rows, columns=SIMULATE_COLUMNS)


def _projected_draws(a: _Area, model: Any, factors: np.ndarray, keys: dict[tuple[str, str], int],
                     column: dict[str, int], table: FactorTable, draws: int) -> np.ndarray:
    """One area's projected mean in every draw [µg/m³]."""
    groups = [keys.get((a.name, p), -1) for p in a.precursors]
    tonnes = np.zeros((len(a.precursors), draws))
    present = [j for j, g in enumerate(groups) if g >= 0]
    if present:
        index = [groups[j] for j in present]
        tonnes[present] = np.asarray(model.coef[index] @ factors) + model.fixed[index][:, None]
    spec = a.spec

    def drawn(quantity: str, fixed: float) -> np.ndarray:
        used = [i for i in a.resolved.sources if table.rows[i].quantity == quantity]
        if not used:
            return np.full(draws, fixed)
        return factors[column[used[0]]] * conversion(table.rows[used[0]].unit, "dimensionless")  # type: ignore[no-any-return]

    local = drawn("local_share", a.resolved.local_share or 0.0)
    regional = regional_change(spec.observed, local, spec.regional_change)
    if spec.sensitivity is not None:
        return spec.observed - (a.rates()[:, None] * tonnes).sum(axis=0) - regional  # type: ignore[no-any-return]
    shares = np.array([drawn(f"share.{p}", (a.resolved.shares or {})[p]) for p in a.precursors])
    shares = shares / np.maximum(1.0, shares.sum(axis=0))  # drawn shares never split more than the whole
    rates = per_tonne(spec.observed, local[None, :], shares, a.baseline_t[:, None])  # precursors x draws
    return spec.observed - (rates * tonnes).sum(axis=0) - regional  # type: ignore[no-any-return]


def _normal(entropy: int, key: str, draws: int) -> np.ndarray:
    """Standard normal draws of their own stream (seed and ``key``)."""
    seed = np.random.SeedSequence(entropy, spawn_key=(1 << 30, _stream_key(key)))
    return np.random.default_rng(seed).standard_normal(draws)
