"""Least-cost planning: which candidate measures, and how much of each, meet every target.

Candidates are listed per county::

    candidates:
      - id: more-trucks
        scale: count                  # the measure key the optimiser sets
        max: 500                      # largest amount, written like that key
        unit_cost: "60000 CNY"        # per unit of amount ("2 万元" = 20,000 CNY)
        measure: {type: vehicle_retirement, vehicle: heavy_duty_diesel_truck, standard: China III}

``scale`` names a count or quantity key of the measure type (``count``,
``households``, ``output``, ``days``, ``hours``, ``fuel_use``, a custom
``activity`` ...); the measure leaves it out. The amount is in the unit
``max`` is written in (``max: "2 Mt/yr"`` gives amounts in Mt/yr and a
unit_cost per Mt/yr; a plain number counts things, or days for ``days``) and
is a whole number for counts (``count``, ``households``).

The problem
-----------
Every translator is linear in such a key, so a candidate's effect is its
measure run at one unit, times the amount (checked at ``max``: a measure
whose factors change with the key, like a boiler's size class with its
capacity, is rejected). With ``before`` the scenario's reductions and the
target semantics of :meth:`Result.summary <reduccalc.result.Result.summary>`,
a mixed-integer linear program (HiGHS, through ``scipy.optimize.milp``)::

    minimise    sum_j unit_cost_j x amount_j                                [CNY]
    subject to  before_g + sum_j per_unit_gj x amount_j >= target_g x baseline_g
                    for every target g (county and TOTAL)
                before_g + sum_j per_unit_gj x amount_j <= baseline_g
                    for every county and pollutant (no county loses more than it emits)
                0 <= amount_j <= max_j, whole for counts

A county's rows hold only its own candidates, and a TOTAL target that the
county targets imply (every county asks at least its share) adds nothing, so
the program is solved county by county unless a row couples them (a TOTAL
target beyond the counties', a city's air-quality target); large whole counts
are rounded up from the continuous optimum, and the plan says how far above
the least cost that can leave it (:attr:`Plan.gap`; see
:mod:`reduccalc.analysis.programs`).

When no amounts meet every target, the plan is the best effort: the amounts
that minimise the sum of the targets' shortfalls, each as a share of what the
target asks, then the cost; the report says which targets stay short and by
how many tonnes.

Chance constraints
------------------
``optimize(probability=0.9)`` asks that each target hold in at least 90 % of
``draws`` Monte Carlo draws of the factors (the draws of
:func:`reduccalc.analysis.uncertainty.simulate` with the same seed, so a simulation of
the scenario with the plan added shows ``p_met`` >= 0.9 for every target):
a sample-average approximation with one binary per target and draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..air_quality import Constraints, constraints
from ..errors import ScenarioError
from ..model import how_many
from ..progress import progress
from ..result import met_threshold, removal_limit
from .programs import Solution, solve, solve_in_parts
from .uncertainty import Groups, ScenarioModel, check_draws, check_memory, entropy_of, linear_model, scenario_model

if TYPE_CHECKING:
    from ..model import Scenario
from ..inputs.candidates import Candidates, check_candidates

PLAN_COLUMNS = ["county", "candidate", "amount", "cost_cny", "unit", "max"]
TARGET_COLUMNS = ["county", "pollutant", "target_pct", "needed_t", "before_t", "after_t", "met", "shortfall_t"]
MAX_BINARIES = 20_000  # one per target and draw in a chance-constrained plan (see _chance)
_GAP_SHOWN = 1e-6  # a plan further above its lower bound than this says so (cost / bound - 1)
_MARGIN = 1e-7  # additions aim this share of a target above it, beyond the solver's tolerance


def _goal(needed: np.ndarray, threshold: np.ndarray, margin: float) -> np.ndarray:
    """The reduction a plan aims at [t]: the target within Result's rounding, or ``margin`` of it above."""
    return threshold if margin == 0 else needed + margin * np.maximum(1.0, needed)


@dataclass(frozen=True)
class _Program:
    """The linear program: amounts x of the candidates, one row per group.

    ``lower <= matrix @ x <= upper`` [t added], ``0 <= x <= most``.

    Where the solver's tolerance leaves a target a hair short or a cap a hair
    over, :func:`_solve` solves again with ``margin`` (see :meth:`lower`,
    :meth:`upper`).
    """

    cost: np.ndarray  # per unit of amount [CNY]
    most: np.ndarray  # max amounts [unit]
    integer: np.ndarray  # whole amounts
    matrix: sparse.csr_matrix  # groups x candidates [t per unit]
    cap: np.ndarray  # most reduction to add: baseline minus before for counties, inf for TOTAL [t]
    before: np.ndarray  # the scenario's reductions [t]
    needed: np.ndarray  # what each target asks, NaN without [t]
    threshold: np.ndarray  # the least reduction meeting it, NaN without [t]
    sums: tuple[tuple[int, np.ndarray], ...] = ()  # (TOTAL row, its county rows): the one is the others' sum

    @property
    def targets(self) -> np.ndarray:
        return ~np.isnan(self.needed)

    @property
    def weight(self) -> np.ndarray:
        """1 / what each target asks (at least 1 t), for relative shortfalls. [1/t]"""
        return np.where(self.targets, 1.0 / np.maximum(1.0, np.nan_to_num(self.needed)), 0.0)

    def lower(self, margin: float = 0.0) -> np.ndarray:
        """Least reduction to add per group [t]; -inf without a target.

        Targets not met yet are aimed at with ``margin`` (see :func:`_goal`);
        those already met only have to stay met.
        """
        with np.errstate(invalid="ignore"):
            met = self.before >= self.threshold
        goal = np.where(met, self.threshold, _goal(self.needed, self.threshold, margin))
        return np.nan_to_num(goal - self.before, nan=-np.inf)

    def upper(self, margin: float = 0.0) -> np.ndarray:
        """Most reduction to add per group [t]: the caps, with ``margin`` of the baseline below them."""
        if margin == 0:
            return self.cap
        with np.errstate(invalid="ignore"):  # inf - inf: no cap stays none
            return np.where(np.isfinite(self.cap), self.cap - margin * np.maximum(1.0, np.abs(self.cap + self.before)),
                            np.inf)

    def after(self, amounts: np.ndarray) -> np.ndarray:
        """Reductions with ``amounts`` added. [t]"""
        return self.before + self.matrix @ amounts

    def within_caps(self, amounts: np.ndarray) -> bool:
        """Whether no county loses more than its baseline with ``amounts`` added, as Result judges it
        (:func:`~reduccalc.result.removal_limit`, which the solver aims below)."""
        with np.errstate(invalid="ignore"):
            limit = np.where(np.isfinite(self.cap), removal_limit(self.cap + self.before) - self.before, np.inf)
        return bool(np.all(self.matrix @ amounts <= limit))

    def holds(self, amounts: np.ndarray) -> bool:
        """Whether every target holds with ``amounts`` added, and every cap, as Result judges them."""
        return bool(np.all(self.after(amounts)[self.targets] >= self.threshold[self.targets])) and \
            self.within_caps(amounts)


def _program(candidates: Candidates, groups: Groups) -> _Program:
    before = groups.frame["reduction_t"].to_numpy()
    baseline = groups.frame["baseline_t"].to_numpy()
    effects = candidates.effects
    rows, group = groups.locate(effects)
    matrix = sparse.csr_matrix((effects["reduction_t"].to_numpy()[rows], (group, effects["candidate"].to_numpy()[rows])),
                               shape=(len(groups), len(candidates)))
    matrix.eliminate_zeros()
    pollutant, county = groups.frame["pollutant"].to_numpy(), groups.is_county
    sums = tuple((int(g), np.flatnonzero(county & (pollutant == pollutant[g]))) for g in np.flatnonzero(~county))
    items = candidates.items
    return _Program(np.array([c.unit_cost for c in items], dtype=float), np.array([c.max for c in items], dtype=float),
                    np.array([c.integer for c in items], dtype=bool), matrix,
                    np.where(county, baseline - before, np.inf), before, groups.needed_t,
                    groups.threshold_t, sums)


def _implied(program: _Program, lower: np.ndarray) -> np.ndarray:
    """Rows that hold whenever the others do: a TOTAL row, the sum of its county rows, asking no more than their
    least reductions add up to (``lower``, [t]). Such rows couple no counties and are left to :func:`_solve`'s
    check.
    """
    implied = np.zeros(len(lower), dtype=bool)
    for total, parts in program.sums:
        least = lower[parts]
        if len(parts) and np.isfinite(least).all() and least.sum() >= lower[total] - 1e-9 * max(1.0, abs(lower[total])):
            implied[total] = True
    return implied


def _solve(solve: Callable[[float], Solution | None], holds: Callable[[np.ndarray], bool]) -> Solution | None:
    """Solve at the targets; if the solver's tolerance leaves one a hair short, again aiming a hair above."""
    found = solve(0.0)
    if found is not None and not holds(found.amounts):
        found = solve(_MARGIN)
    return found


def _least_cost(program: _Program, margin: float, step: Callable[..., None]) -> Solution | None:
    """Solved county by county where no row couples them (see :mod:`reduccalc.analysis.programs`)."""
    lower = program.lower(margin)
    return solve_in_parts(program.cost, program.integer, program.most, program.matrix, lower, program.upper(margin),
                          _implied(program, lower), step)


def _best_effort(program: _Program) -> np.ndarray:
    """Amounts minimising the targets' summed relative shortfall, and then the cost.

    One slack per target [t] joins the amounts. The cost enters the
    objective with a weight so small (1e-6 for every candidate at its max)
    that it only chooses among equally short plans.
    """
    targets = np.flatnonzero(program.targets)
    slack = sparse.csr_matrix((np.ones(len(targets)), (targets, np.arange(len(targets)))),
                              shape=(len(program.before), len(targets)))
    cost_weight = 1e-6 / max(1.0, float(program.cost @ program.most))
    objective = np.concatenate([program.cost * cost_weight, program.weight[targets]])
    found = solve_in_parts(objective, np.concatenate([program.integer, np.zeros(len(targets), dtype=bool)]),
                           np.concatenate([program.most, np.full(len(targets), np.inf)]),
                           sparse.hstack([program.matrix, slack], format="csr"), program.lower(), program.upper())
    if found is None:  # cannot happen: adding nothing, with full slack, is feasible
        raise RuntimeError("the best-effort problem is infeasible")
    return found.amounts[: len(program.cost)]


@dataclass(frozen=True)
class _Draws:
    """Monte Carlo draws of the groups' reductions.

    before [t] is groups x draws, per_unit [t per unit] groups x draws x candidates.
    """

    before: np.ndarray
    per_unit: np.ndarray

    def p_met(self, amounts: np.ndarray, threshold: np.ndarray) -> np.ndarray:
        """Share of draws in which each group's reduction with ``amounts`` added reaches ``threshold`` [t]."""
        return (self.before + self.per_unit @ amounts >= threshold[:, None]).mean(axis=1)


def _draws(parts: ScenarioModel, ledger: pd.DataFrame, candidates: int, draws: int, seed: int | None) -> _Draws:
    """The draws of the scenario's groups and of each candidate's effect at one unit; ``ledger`` is the
    candidates' (:meth:`Candidates.ledger <reduccalc.inputs.candidates.Candidates.ledger>`)."""
    check_memory(len(parts.groups) * check_draws(draws) * max(1, candidates) * 8,
                 f"{draws:,} draws of {candidates:,} candidates' effects on {len(parts.groups):,} counties and pollutants")
    factors = parts.space.draws(entropy_of(seed), draws)
    bounds = np.searchsorted(ledger["candidate"].to_numpy(), np.arange(candidates + 1))
    per_unit = [linear_model(ledger.iloc[start:end], parts.groups, parts.space).at(factors)
                for start, end in zip(bounds[:-1], bounds[1:])]
    stacked = np.stack(per_unit, axis=-1) if per_unit else np.zeros((len(parts.groups), factors.shape[1], 0))
    return _Draws(parts.model.at(factors), stacked)


def _chance(program: _Program, draws: _Draws, probability: float, margin: float) -> Solution | None:
    """Least-cost amounts meeting each target in ``probability`` of the draws; None if impossible.

    One binary per target and draw says the target holds in that draw
    (big-M rows); each target needs ``ceil(probability x draws)`` of them.
    The caps (no county loses more than its baseline) hold at the table's
    factors.
    """
    targets = np.flatnonzero(program.targets)
    n_targets, n_draws, n_candidates = len(targets), draws.before.shape[1], len(program.cost)
    binaries = n_targets * n_draws
    if binaries > MAX_BINARIES:
        raise ScenarioError(f"{n_targets:,} targets x {n_draws:,} draws are {binaries:,} whole variables, more than "
                            f"the {MAX_BINARIES:,} a chance-constrained plan may have (HiGHS would take hours)",
                            field="draws", hint=f"use at most {max(1, MAX_BINARIES // max(1, n_targets)):,} draws, "
                            "or plan fewer counties at a time")
    per_unit = draws.per_unit[targets]
    goal = _goal(program.needed[targets], program.threshold[targets], margin)
    to_add = goal[:, None] - draws.before[targets]  # in each draw [t]
    least_added = np.minimum(per_unit, 0.0) @ program.most
    big_m = np.maximum(to_add - least_added, 0.0).max(axis=1)
    matrix = sparse.vstack([
        sparse.hstack([program.matrix, sparse.csr_matrix((len(program.before), binaries))]),
        sparse.hstack([sparse.csr_matrix(per_unit.reshape(binaries, n_candidates)),
                       sparse.diags(-np.repeat(big_m, n_draws))]),
        sparse.hstack([sparse.csr_matrix((n_targets, n_candidates)),
                       sparse.kron(sparse.eye(n_targets), np.ones((1, n_draws)))]),
    ]).tocsr()
    lower = np.concatenate([np.full(len(program.before), -np.inf), (to_add - big_m[:, None]).ravel(),
                            np.full(n_targets, math.ceil(probability * n_draws - 1e-9))])
    upper = np.concatenate([program.upper(margin), np.full(binaries + n_targets, np.inf)])
    amounts = solve(np.concatenate([program.cost, np.zeros(binaries)]),
                    np.concatenate([program.integer, np.ones(binaries, dtype=bool)]),
                    np.concatenate([program.most, np.ones(binaries)]), matrix, lower, upper)
    return None if amounts is None else Solution(amounts[:n_candidates], float(program.cost @ amounts[:n_candidates]))


def _plan_table(candidates: Candidates, amounts: np.ndarray, pollutants: Sequence[str]) -> pd.DataFrame:
    at = np.flatnonzero(amounts > 0)
    used = [candidates.items[i] for i in at.tolist()]
    amount = amounts[at].astype(float)
    unit_cost = np.array([c.unit_cost for c in used], dtype=float)
    table = pd.DataFrame({
        "county": [c.county for c in used], "candidate": [c.id for c in used], "amount": amount,
        "cost_cny": amount * unit_cost, "unit": [c.unit for c in used], "max": [c.max for c in used],
        "unit_cost_cny": unit_cost,
    }, columns=[*PLAN_COLUMNS, "unit_cost_cny"])
    for pollutant in pollutants:
        tonnes = amount * candidates.per_unit(pollutant)[at]
        if np.any(tonnes != 0):
            table[f"{pollutant}_t"] = tonnes
            with np.errstate(divide="ignore", invalid="ignore"):
                table[f"{pollutant}_cny_per_t"] = np.where(tonnes > 0, table["cost_cny"].to_numpy() / tonnes, np.nan)
    return table


def _with_air_quality(program: _Program, air: Constraints) -> _Program:
    """The program with one more row per concentration or day target: the local fall [µg/m³], linear in the
    groups' reductions (see :func:`reduccalc.air_quality.constraints`)."""
    w = air.weights
    return _Program(program.cost, program.most, program.integer,
                    sparse.vstack([program.matrix, sparse.csr_matrix(w) @ program.matrix], format="csr"),
                    np.concatenate([program.cap, np.full(len(w), np.inf)]),
                    np.concatenate([program.before, w @ program.before]), np.concatenate([program.needed, air.needed]),
                    np.concatenate([program.threshold, met_threshold(air.needed)]), program.sums)


def _air_draws(draws: _Draws, air: Constraints) -> _Draws:
    """The draws with the air-quality rows' local falls appended."""
    return _Draws(np.vstack([draws.before, air.weights @ draws.before]),
                  np.concatenate([draws.per_unit, np.einsum("ag,gdc->adc", air.weights, draws.per_unit)]))


def _targets(labels: pd.DataFrame, program: _Program, amounts: np.ndarray, draws: _Draws | None) -> pd.DataFrame:
    rows = program.targets
    frame = labels.loc[rows].reset_index(drop=True)
    after = program.after(amounts)[rows]
    met = after >= program.threshold[rows]
    frame["needed_t"] = program.needed[rows]
    frame["before_t"] = program.before[rows]
    frame["after_t"] = after
    frame["met"] = met
    frame["shortfall_t"] = np.where(met, 0.0, frame["needed_t"] - after)
    if draws is None:
        return frame[TARGET_COLUMNS]
    frame["p_met"] = draws.p_met(amounts, program.threshold)[rows]
    return frame[[*TARGET_COLUMNS, "p_met"]]


def _plan_amounts(program: _Program, draws: _Draws | None, probability: float | None,
                  step: Callable[..., None]) -> Solution:
    """The least-cost amounts meeting every target (with ``probability``, in that share of ``draws``), and a
    lower bound on their cost.

    When none do: the least-cost amounts at the table's factors if there
    are some, else the best effort (bound NaN).
    """
    if draws is not None and probability is not None:
        found = _solve(lambda margin: _chance(program, draws, probability, margin),
                       lambda x: bool(np.all(draws.p_met(x, program.threshold)[program.targets] >= probability))
                       and program.within_caps(x))
        if found is not None:
            return found
    found = _solve(lambda margin: _least_cost(program, margin, step), program.holds)
    return Solution(_best_effort(program), math.nan) if found is None else found


def _money(cny: float) -> str:
    return f"{cny:,.0f} CNY ({cny / 1e4:,.1f} 万元)"


@dataclass
class Plan:
    """The least-cost additions, or the best effort when the targets cannot all be met.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    feasible : bool
        Every target can be met with the candidates (with ``probability``, in
        that share of the draws).
    cost : float
        Total cost of the additions; NaN when infeasible. [CNY]
    table : DataFrame
        county, candidate, amount [unit], cost_cny [CNY], unit, max [unit],
        unit_cost_cny [CNY per unit], then per pollutant the added reduction
        ``<P>_t`` [t] and cost-effectiveness ``<P>_cny_per_t`` [CNY/t]; one
        row per candidate used (the best effort when infeasible).
    targets : DataFrame
        county, pollutant, target_pct [%], needed_t, before_t, after_t [t],
        met, shortfall_t [t] (+ p_met with ``probability``), one row per target.
    probability : float, optional
        The chance each target must hold with, if asked.
    gap : float
        How far above the least cost the plan may be at most, as a share of the least cost: 0 when solved
        exactly; more where whole counts of 100 or more were rounded up from the continuous optimum
        (:mod:`reduccalc.analysis.programs`).
    """

    scenario: str
    feasible: bool
    cost: float
    table: pd.DataFrame
    targets: pd.DataFrame
    probability: float | None = None
    gap: float = 0.0

    def __repr__(self) -> str:
        """What the plan holds, in a few lines: feasible or not, cost, candidates used, targets after."""
        met = int(self.targets["met"].sum()) if len(self.targets) else 0
        chance = "" if self.probability is None else f" (each in {self.probability:.0%} of the draws)"
        cost = _money(self.cost) if self.feasible else "none (infeasible)"
        used = self.table["county"].nunique() if len(self.table) else 0
        return "\n".join([
            f"<Plan for {self.scenario!r}: {'feasible' if self.feasible else 'INFEASIBLE'}, cost {cost}",
            f"  additions: {how_many(len(self.table), 'candidate')} in {how_many(used, 'county', 'counties')}",
            f"  targets after: {met} met, {len(self.targets) - met} SHORT{chance}>"])

    def _headline(self) -> str:
        chance = "" if self.probability is None else f" in {self.probability:.0%} of the factor draws"
        if not self.feasible:
            shown = "the least-cost plan at the table's factors" if self.targets["met"].all() else "the best effort"
            return (f"{self.scenario}: the candidates cannot meet every target{chance}. Below, {shown} "
                    f"(costing {_money(float(self.table['cost_cny'].sum()))}).")
        if self.targets.empty:
            return f"{self.scenario}: no targets to meet; nothing to add (0 CNY)."
        if self.table.empty:
            return f"{self.scenario}: every target already holds{chance}; nothing to add (0 CNY)."
        rounded = (f" (at most {self.gap:.2%} above the least cost: large counts rounded up from the continuous "
                   "optimum)") if self.gap else ""
        return f"{self.scenario}: least-cost additions meeting every target{chance}: {_money(self.cost)}{rounded}"

    def _additions(self) -> list[str]:
        lines = [] if self.table.empty else ["Additions:"]
        for row in self.table.itertuples(index=False):
            amount = f"{row.amount:,.0f}" if float(row.amount).is_integer() else f"{row.amount:,.4g}"
            lines.append(f"  {row.county} {row.candidate}: {amount}{' ' + row.unit if row.unit else ''} x "
                         f"{row.unit_cost_cny:,.0f} CNY = {row.cost_cny:,.0f} CNY")
        added = [c[: -len("_t")] for c in self.table.columns if c.endswith("_t") and not c.endswith("_per_t")]
        if added:
            lines.append("Added reduction, and the plan's cost per tonne of it:")
        for pollutant in added:
            tonnes = float(self.table[f"{pollutant}_t"].sum())
            per_tonne = f", {self.table['cost_cny'].sum() / tonnes:,.0f} CNY/t" if tonnes > 0 else ""
            lines.append(f"  {pollutant}: {tonnes:+,.1f} t{per_tonne}")
        return lines

    def _target_lines(self) -> list[str]:
        lines = ["Targets after the additions:"] if len(self.targets) else []
        for row in self.targets.itertuples(index=False):
            status = "met  " if row.met else "SHORT"
            unit = "µg/m³ of local fall" if row.pollutant.endswith("µg/m³") else "t"
            share = "" if math.isnan(row.target_pct) else f"{row.target_pct:g}%; "
            line = (f"  {status} {row.county} {row.pollutant}: {row.after_t:,.1f} {unit} of {row.needed_t:,.1f} "
                    f"needed ({share}{row.before_t:,.1f} before)")
            if not row.met:
                line += f"; short by {row.shortfall_t:,.1f} {unit} at best"
            if self.probability is not None:
                line += f"; met in {row.p_met:.0%} of draws"
            lines.append(line)
        return lines

    def report(self) -> str:
        """What to add, the cost, CNY per tonne by pollutant, and each target after the additions."""
        return "\n".join([self._headline(), *self._additions(), *self._target_lines()])


def _check_probability(probability: Any) -> float:
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability <= 1:
        raise ScenarioError(f"must be a number in (0, 1], got {probability!r}", field="probability",
                            hint="e.g. probability=0.9 for targets met in 90 % of the draws")
    return float(probability)


def optimize(scenario: Scenario, *, probability: float | None = None, draws: int = 200,
             seed: int | None = 1) -> Plan:
    """The least-cost additions from the scenario's candidates that meet every target.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario with ``candidates`` in its counties.
    probability : float, optional
        Ask each target to hold in this share of Monte Carlo draws of the
        factors instead of at the table's values (see the module docstring).
    draws : int
        Draws for ``probability``.
    seed : int, optional
        Seed of those draws (the draws :func:`~reduccalc.analysis.uncertainty.simulate`
        makes with it).

    Returns
    -------
    Plan
        ``feasible``, ``cost`` [CNY], ``table``, ``targets``, ``report()``.

    Raises
    ------
    ScenarioError
        For bad candidates (all listed, with file:line) or bad options.
    """
    chance_level = None if probability is None else _check_probability(probability)
    draws_made = None
    with progress("optimising") as step:
        step(0, "checking the candidates")
        candidates = check_candidates(scenario)
        step(0, "running the scenario")
        if chance_level is None:
            result = scenario.run()
            groups = Groups(result)
        else:
            ledger = candidates.ledger()
            parts = scenario_model(scenario, ledger["factor_id"])
            result, groups = parts.result, parts.groups
        air = constraints(result, groups)
        program = _with_air_quality(_program(candidates, groups), air)
        if chance_level is not None:
            step(0, f"drawing {draws:,} sets of factors")
            draws_made = _air_draws(_draws(parts, ledger, len(candidates), draws, seed), air)
        step(0, "solving")
        found = _plan_amounts(program, draws_made, chance_level, step)
    amounts = found.amounts
    labels = pd.concat([groups.frame[["county", "pollutant", "target_pct"]], air.labels], ignore_index=True)
    targets = _targets(labels, program, amounts, draws_made)
    feasible = bool(targets["met"].all()) and (chance_level is None or bool((targets["p_met"] >= chance_level).all()))
    pollutants = groups.frame.loc[~groups.is_county, "pollutant"].tolist()
    table = _plan_table(candidates, amounts, pollutants)
    cost = float(table["cost_cny"].sum()) if feasible else math.nan
    gap = max(0.0, cost / found.bound - 1.0) if feasible and found.bound > 0 else 0.0
    return Plan(scenario.name, feasible, cost, table, targets, chance_level, gap if gap > _GAP_SHOWN else 0.0)
