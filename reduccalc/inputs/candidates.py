"""The ``candidates:`` of a county, checked: measures the optimiser (:mod:`reduccalc.analysis.optimize`) may add.

A candidate names a measure without its scale key, the key the optimiser sets (``scale``), the largest
amount (``max``) and the cost of one unit (``unit_cost``). Checking one builds its ledger at one unit and at
``max`` and refuses a measure whose reduction is not proportional to the scale key.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..calculators import reduction_by_pollutant
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
from ..measures import MEASURE_TYPES, default_id, scalable_keys, translate_measure, type_named
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
    ledger : DataFrame
        The measure's ledger at one unit of amount.
    """

    county: str
    id: str
    scale: str
    unit: str
    max: float
    unit_cost: float
    integer: bool
    ledger: pd.DataFrame = field(repr=False)


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


def _measure_ledger(scenario: Scenario, county: str, type: str, values: dict[str, Any], measure: str) -> pd.DataFrame:
    sink = LedgerBuilder()
    translate_measure(type, values, scenario.context(), sink, measure, county)
    return sink.frame()


def _check_linear(at_unit: pd.DataFrame, at_max: pd.DataFrame, amount: float, scale: str) -> None:
    """Raise unless the reduction at ``max`` is ``amount`` times the reduction at one unit."""
    both = pd.concat([reduction_by_pollutant(at_unit), reduction_by_pollutant(at_max)], axis=1).fillna(0.0)
    for pollutant, (one, most) in both.iterrows():
        if not math.isclose(most, one * amount, rel_tol=_LINEAR_RTOL, abs_tol=1e-12):
            raise ScenarioError(
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

    def check(self, item: Any, path: str) -> Candidate:
        """One candidate; raises at its first problem (several for its own keys)."""
        values = check_mapping(item, CANDIDATE_KEYS, path=path, file=self.scenario.file)
        type = self._type(values["measure"], path)
        kind = self._scale_kind(item, values, type, path)
        amount, unit = self._max(item, values["max"], kind, path)
        scale = values["scale"]
        one_unit = kind.check(f"1 {unit}" if unit else 1)
        checked = check_mapping(values["measure"], {**MEASURE_TYPES[type].keys, scale: Key(kind, one_unit)},
                                path=f"{path}.measure", file=self.scenario.file, ignore=("type",))
        candidate_id = self._id(values["id"], type, item, path)
        try:
            at_unit = _measure_ledger(self.scenario, self.county.name, type, checked, candidate_id)
            at_max = _measure_ledger(self.scenario, self.county.name, type,
                                     {**checked, scale: kind.check(values["max"])}, candidate_id)
            _check_linear(at_unit, at_max, amount, scale)
        except ScenarioError as error:
            line, column = position(item, "measure")
            raise error.prefixed(f"{path}.measure").located(file=self.scenario.file, line=line,
                                                            column=column) from None
        return Candidate(self.county.name, candidate_id, scale, unit, amount, values["unit_cost"],
                         isinstance(kind, CountKind), at_unit)

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


def check_candidates(scenario: Scenario) -> list[Candidate]:
    """Every county's checked candidates, in file order.

    Raises
    ------
    ScenarioError
        Listing every bad candidate with file:line, field and a hint.
    """
    collector = ProblemCollector()
    candidates = []
    for county in scenario.counties:
        checker = _CandidateChecker(scenario, county)
        for index, item in enumerate(county.candidates):
            path = f"counties.{county.name}.candidates[{index}]"
            try:
                candidates.append(checker.check(item, path))
            except ScenarioError as error:
                line, column = position(county.candidates, index)
                collector.add(error.located(file=scenario.file, line=line, column=column, field=path))
    collector.raise_if_any()
    return candidates
