"""The ``candidates:`` of a county, checked: measures the optimiser (:mod:`reduccalc.analysis.optimize`) may add.

A candidate names a measure without its scale key, the key the optimiser sets (``scale``), the largest
amount (``max``) and the cost of one unit (``unit_cost``). The candidates' measures are translated like a
scenario's, one batch per measure type (:meth:`MeasureType.batch <reduccalc.measures.base.MeasureType.batch>`),
once at one unit and once at ``max``; a measure whose reduction is not proportional to the scale key is refused.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ProblemCollector, ScenarioError, did_you_mean, one_of
from ..fields import (
    MISSING,
    AnyKind,
    CountKind,
    Key,
    Kind,
    QuantityKind,
    TextKind,
    check_mapping,
)
from ..ledger import LedgerBuilder
from ..measures import MEASURE_TYPES, default_id, scalable_keys, type_named
from ..measures.batch import objects
from ..positions import key_position, position
from ..units import parse_quantity

if TYPE_CHECKING:
    from ..model import County, Scenario

CANDIDATE_KEYS = {
    "id": Key(TextKind(), None, "unique within the county; default <type>-<n>"),
    "scale": Key(TextKind(), MISSING, "the measure key the optimiser sets, e.g. count"),
    "max": Key(AnyKind("a number or a quantity like '2 Mt/yr'", (numbers.Real, str)), MISSING,  # numpy too
               "largest amount, written like the scale key"),
    "unit_cost": Key(QuantityKind("CNY", "60000 CNY"), MISSING, "cost per unit of amount"),
    "measure": Key(AnyKind("a measure: a mapping with a type and its keys", (Mapping,)), MISSING,
                   "the measure, without the scale key"),
}
_LINEAR_RTOL = 1e-9


@dataclass(frozen=True)
class Candidate:
    """One checked candidate.

    Attributes
    ----------
    county, id, scale : str
        Where it is, its id, the measure key the optimiser sets.
    unit : str
        Unit of ``amount`` as ``max`` was written ("" for a plain number).
    max : float
        Largest amount. [unit]
    unit_cost : float
        Cost of one unit of amount. [CNY]
    integer : bool
        Whether amounts are whole numbers (counts).
    """

    county: str
    id: str
    scale: str
    unit: str
    max: float
    unit_cost: float
    integer: bool


@dataclass
class Candidates:
    """Every county's checked candidates, in file order, and their measures' ledger at one unit of amount.

    Attributes
    ----------
    items : list of Candidate
        The candidates; a candidate's position here is the ``seq`` of its ledger rows.
    builder : LedgerBuilder
        The measures' rows at one unit of amount (:meth:`ledger` as a DataFrame).
    effects : DataFrame
        candidate (position in ``items``), county, pollutant, counted (True), reduction_t [t per unit of
        amount]: the rows a county counts, summed per candidate and pollutant.
    """

    items: list[Candidate]
    builder: LedgerBuilder
    effects: pd.DataFrame

    def __len__(self) -> int:
        return len(self.items)

    def ledger(self) -> pd.DataFrame:
        """The measures' ledger at one unit of amount, with a ``candidate`` column (position in ``items``)."""
        frame = self.builder.frame()
        frame["candidate"] = self.builder.seq
        return frame

    def per_unit(self, pollutant: str) -> np.ndarray:
        """Each candidate's counted reduction of ``pollutant`` at one unit. [t per unit]"""
        rows = self.effects[self.effects["pollutant"] == pollutant]
        return np.bincount(rows["candidate"].to_numpy(), rows["reduction_t"].to_numpy(), len(self.items))


@dataclass(frozen=True)
class _Checked:
    """A candidate whose keys are checked, before its measure is translated."""

    candidate: Candidate
    type: str
    values: dict[str, Any]  # the measure's checked keys at one unit of amount
    at_max: Any  # the scale key's checked value at max
    item: Any  # as written, for positions
    path: str
    written: int = 0  # position among every candidate written, for the order of problems
    index: int = 0  # position in its county's list


def _amount(raw: Any, kind: Kind) -> tuple[float, str]:
    """``max`` as (amount, unit as written), checked by the scale key's kind."""
    kind.check(raw)
    if isinstance(raw, str):
        number, unit = parse_quantity(raw)
        amount, unit = number, ("" if unit == "dimensionless" else unit)
    else:
        amount, unit = float(raw), ""
    if not amount > 0:
        raise ScenarioError(f"{raw!r} must be more than 0")
    return amount, unit


def _check_linear(unit: pd.DataFrame, most: pd.DataFrame, amounts: np.ndarray) -> pd.DataFrame:
    """The candidates (and a pollutant of each) whose reduction at ``max`` is not ``amount`` times the reduction
    at one unit; ``unit`` and ``most`` are :meth:`LedgerBuilder.counted_by_measure` frames, ``amounts`` the max
    of each candidate, by position.

    Returns candidate, pollutant, one [t], most [t], the first pollutant of each failing candidate.
    """
    left, right = (frame.astype({"pollutant": object}).rename(columns={"reduction_t": name})
                   for frame, name in ((unit, "one"), (most, "most")))
    both = (pd.concat([left.assign(most=0.0), right.assign(one=0.0)])  # in the order of the rows at one unit
            .groupby(["seq", "pollutant"], sort=False)[["one", "most"]].sum().reset_index())
    one, got = both["one"].to_numpy(), both["most"].to_numpy()
    expected = one * amounts[both["seq"].to_numpy()]
    # math.isclose(got, expected, rel_tol=_LINEAR_RTOL, abs_tol=1e-12), row by row
    close = np.abs(got - expected) <= np.maximum(_LINEAR_RTOL * np.maximum(np.abs(got), np.abs(expected)), 1e-12)
    bad = both.loc[~close].drop_duplicates("seq")
    return bad.rename(columns={"seq": "candidate"})[["candidate", "pollutant", "one", "most"]]


def _not_linear(pollutant: str, one: float, most: float, amount: float, scale: str) -> ScenarioError:
    return ScenarioError(
        f"the measure's reduction is not proportional to {scale}: {pollutant} {one:g} t at one unit, "
        f"{most:g} t at max (not {one * amount:g} t)",
        hint=f"the measure ignores {scale} or its factors change with it, as fuel_use replaces count and a "
             "boiler's size class follows its capacity; scale another key")


class _CandidateChecker:
    """Checks the candidates of one county, giving default ids and refusing duplicates."""

    def __init__(self, scenario: Scenario, county: County) -> None:
        self.scenario = scenario
        self.county = county
        self.counter: dict[str, int] = {}
        self.seen: dict[str, str] = {}

    def error(self, message: str, container: Any, key: Any, path: str, hint: str | None = None,
              at_key: bool = False) -> ScenarioError:
        line, column = key_position(container, key) if at_key else position(container, key)
        return ScenarioError(message, file=self.scenario.file, line=line, column=column, field=path, hint=hint)

    def check(self, item: Any, path: str) -> _Checked:
        """One candidate's keys; raises at its first problem (several for its own keys)."""
        values = check_mapping(item, CANDIDATE_KEYS, path=path, file=self.scenario.file)
        type = self._type(values["measure"], path)
        kind = self._scale_kind(item, values, type, path)
        amount, unit = self._max(item, values["max"], kind, path)
        scale = values["scale"]
        one_unit = kind.check(f"1 {unit}" if unit else 1)
        checked = check_mapping(values["measure"], {**MEASURE_TYPES[type].keys, scale: Key(kind, one_unit)},
                                path=f"{path}.measure", file=self.scenario.file, ignore=("type",))
        candidate_id = self._id(values["id"], type, item, path)
        candidate = Candidate(self.county.name, candidate_id, scale, unit, amount, values["unit_cost"],
                              isinstance(kind, CountKind))
        return _Checked(candidate, type, checked, kind.check(values["max"]), item, path)

    def _type(self, measure: Mapping[str, Any], path: str) -> str:
        try:
            return type_named(measure.get("type"))
        except ScenarioError as error:
            raise self.error(error.first.message, measure, "type", f"{path}.measure.type", error.first.hint) from None

    def _scale_kind(self, item: Any, values: dict[str, Any], type: str, path: str) -> Kind:
        """The kind of the scale key, which must be a key the type declares scalable and the measure leaves out."""
        keys = MEASURE_TYPES[type].keys
        scale = values["scale"]
        scalable = scalable_keys(type)
        if scale not in scalable:
            what = "not a key the optimiser may scale" if scale in keys else "not a key"
            raise self.error(f"{scale!r} is {what} of {type}", item, "scale", f"{path}.scale",
                             did_you_mean(scale, scalable) or f"one of {one_of(scalable)}")
        if scale in values["measure"]:
            raise self.error(f"leave {scale!r} out of the measure: the optimiser sets it (scale)", values["measure"],
                             scale, f"{path}.measure.{scale}", at_key=True)
        return keys[scale].kind

    def _max(self, item: Any, raw: Any, kind: Kind, path: str) -> tuple[float, str]:
        try:
            return _amount(raw, kind)
        except ScenarioError as error:
            line, column = position(item, "max")
            raise error.prefixed(f"{path}.max").located(file=self.scenario.file, line=line, column=column) from None

    def _id(self, given: str | None, type: str, item: Any, path: str) -> str:
        self.counter[type] = self.counter.get(type, 0) + 1
        candidate_id = given or default_id(type, self.counter[type])
        if candidate_id in self.seen:
            raise self.error(f"duplicate candidate id {candidate_id!r} in county {self.county.name!r} (first at "
                             f"{self.seen[candidate_id]})", item, "id", f"{path}.id", "ids are unique within a county")
        self.seen[candidate_id] = path
        return candidate_id


def check_candidates(scenario: Scenario) -> Candidates:
    """Every county's checked candidates, in file order, with their measures translated.

    Raises
    ------
    ScenarioError
        Listing every bad candidate with file:line, field and a hint.
    """
    found: list[tuple[int, ScenarioError]] = []  # (position among the candidates written, problem)
    checked: list[_Checked] = []
    written = 0
    for county in scenario.counties:
        checker = _CandidateChecker(scenario, county)
        for index, item in enumerate(county.candidates):
            path = f"counties.{county.name}.candidates[{index}]"
            try:
                checked.append(replace(checker.check(item, path), written=written, index=index))
            except ScenarioError as error:
                found.append((written, _located(error, scenario, county.candidates, index, path)))
            written += 1
    candidates = [c.candidate for c in checked]
    unit, most, failed = _translate(scenario, checked)
    per_unit = unit.counted_by_measure()
    amounts = np.array([c.max for c in candidates], dtype=float)
    for row in _check_linear(per_unit, most.counted_by_measure(), amounts).itertuples():
        c = candidates[row.candidate]
        failed.setdefault(row.candidate, _not_linear(str(row.pollutant), row.one, row.most, c.max, c.scale))
    for i, problem in failed.items():
        spec = checked[i]
        line, column = position(spec.item, "measure")
        problem = problem.prefixed(f"{spec.path}.measure").located(file=scenario.file, line=line, column=column)
        found.append((spec.written, _located(problem, scenario, scenario.county(spec.candidate.county).candidates,
                                             spec.index, spec.path)))
    if found:
        collector = ProblemCollector()
        for _, problem in sorted(found, key=lambda pair: pair[0]):
            collector.add(problem)
        collector.raise_if_any()
    effects = per_unit.rename(columns={"seq": "candidate"})
    effects.insert(1, "county", objects([candidates[i].county for i in effects["candidate"].tolist()]))
    effects.insert(3, "counted", True)
    return Candidates(candidates, unit, effects)


def _located(error: ScenarioError, scenario: Scenario, items: list[Any], index: int, path: str) -> ScenarioError:
    line, column = position(items, index)
    return error.located(file=scenario.file, line=line, column=column, field=path)


def _translate(scenario: Scenario, checked: list[_Checked]) -> tuple[LedgerBuilder, LedgerBuilder,
                                                                      dict[int, ScenarioError]]:
    """The candidates' measures at one unit and at max, one batch per measure type each, and the first problem
    of each candidate that could not be translated (by position)."""
    ctx = scenario.context()
    unit, most = LedgerBuilder(), LedgerBuilder()
    failed: dict[int, ScenarioError] = {}
    by_type: dict[str, list[int]] = {}
    for i, spec in enumerate(checked):
        by_type.setdefault(spec.type, []).append(i)
    for type, at in by_type.items():
        measure_type = MEASURE_TYPES[type]
        specs = [checked[i] for i in at]
        labels = ([s.candidate.county for s in specs], [s.candidate.id for s in specs], [""] * len(at), at)
        for sink, values in ((unit, [s.values for s in specs]),
                             (most, [{**s.values, s.candidate.scale: s.at_max} for s in specs])):
            batch = measure_type.batch(values, *labels)
            measure_type.translate(batch, ctx, sink)
            for index, error in batch.failures:
                for i in index.tolist():
                    failed.setdefault(at[i], copy.deepcopy(error))
    return unit, most, failed
