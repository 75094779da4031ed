"""What a measure type's ``translate`` hands to the framework: groups derived from its declared keys, and the
ledger rows of each group, removed (sign +1) or added (sign -1).

A group is the measures of a batch that share every value their factor
look-ups and table defaults depend on. Which values those are follows from
the type's :class:`~reduccalc.fields.Key` declarations (:func:`grouping`),
so no key can be left out of a grouping written by hand and let the first
measure of a group decide for all::

    def translate(batch, ctx, sink):
        vehicle = NAMES["vehicle"].column(batch, "vehicle", ctx.table)
        each_group(KEYS, batch, ctx, sink, _translate_group, vehicle=vehicle)

    def _translate_group(group):
        annual_km, km_id = group.parameter("annual_km", "vehicle", "annual_km", group.key("vehicle"), unit="km/yr")
        km = distance(group.floats("count"), annual_km)
        group.removed(factors, km, "km", source=..., time_share=group.years_in_effect(), time_unit="yr")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..fields import BoolKind, ChoiceKind, Key, PollutantMapKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from .base import (
    Context,
    ResolvedFactor,
    add_rows,
    given_keys,
    inline_factors,
    parameter,
    require_factors,
    resolve_factors,
)
from .batch import Batch, Number, Text

CATEGORICAL = (TextKind, ChoiceKind, BoolKind)  # kinds whose value can pick a factor row or a route


def grouping(keys: Mapping[str, Key], batch: Batch, derived: Mapping[str, np.ndarray]) -> tuple[list[str],
                                                                                                 list[np.ndarray]]:
    """The columns that split ``batch`` into groups, and the names of those a group can be asked for.

    - a categorical key (text, choice, true/false) not ``per_measure``: its
      value, or ``derived[name]`` when given (the name as the tables spell
      it: ``散煤`` and ``raw_bituminous_coal`` are one group);
    - a pollutant mapping: which pollutants it names, in which units;
    - every other key without a default (a table default when not given):
      whether it was given, one integer of bits for all of them;
    - ``derived`` columns that are not keys (a size class, a route).
    """
    names: list[str] = []
    named: list[np.ndarray] = []  # first, so that a group's values come in the order of names
    others: list[np.ndarray] = []
    defaulted: list[str] = []
    for name, key in keys.items():
        if key.per_measure:
            continue
        if isinstance(key.kind, PollutantMapKind):
            others.extend(batch.pollutants(name).signature())
        elif isinstance(key.kind, CATEGORICAL) or name in derived:
            names.append(name)
            named.append(derived[name] if name in derived else batch.column(name))
        elif key.default is None:
            defaulted.append(name)
    for name, column in derived.items():
        if name not in keys:
            names.append(name)
            named.append(column)
    return names, [*named, *others, given_keys(batch, *defaulted)]


@dataclass
class Group:
    """Measures of one type that share their grouping values (:func:`grouping`), and where their rows go."""

    batch: Batch
    index: np.ndarray
    ctx: Context
    sink: LedgerBuilder
    keys: dict[str, Any]

    def subset(self, keep: np.ndarray) -> Group:
        """The measures of the group where ``keep`` (a boolean per measure) is true."""
        return replace(self, index=self.index[keep])

    def key(self, name: str) -> Any:
        """The value every measure of the group shares for ``name`` (a key or a derived column)."""
        return self.keys[name]

    def floats(self, name: str) -> np.ndarray:
        """``name`` of each measure as float64 (NaN where not given)."""
        return self.batch.floats(name)[self.index]

    def column(self, name: str) -> np.ndarray:
        """``name`` of each measure as an object array."""
        return self.batch.column(name)[self.index]

    def gave(self, name: str) -> bool:
        """Did the group's measures give ``name`` (all did, or none: a table default is grouped by)?"""
        return bool(self.batch.given(name)[self.index[0]])

    def parameter(self, key: str | None, category: str, quantity: str, subject: str = "", technology: str = "",
                  unit: str = "dimensionless") -> tuple[Number, Text]:
        """The measures' own ``key`` and "given", or the table's default in ``unit`` and its row id."""
        return parameter(self.ctx, self.batch, self.index, key, category, quantity, subject, technology, unit)

    def inline(self, key: str = "emission_factors", suffix: str = "") -> dict[str, ResolvedFactor]:
        """The group's inline factors of ``key`` (see :func:`~reduccalc.measures.base.inline_factors`)."""
        return inline_factors(self.batch, key, self.index, suffix)

    def factors(self, category: str, subject: str, what: str, *, standard: str = "", technology: str = "",
                inline: str | None = "emission_factors") -> list[ResolvedFactor]:
        """The tables' factors for a source, the measures' ``inline`` factors replacing the pollutants they name.

        Raises
        ------
        ScenarioError
            When there are none (naming ``what``), or the source lacks a
            pollutant that its category's other rows give.
        """
        found = resolve_factors(self.ctx, category, subject, standard=standard, technology=technology,
                                inline=self.inline(inline) if inline else None)
        return require_factors(found, what)

    def in_effect(self, function: Callable[..., float], *keys: str) -> np.ndarray:
        """``function`` of each measure's ``keys`` (default ``in_service``), once per distinct value."""
        return self.batch.distinct(self.index, function, *(keys or ("in_service",)))

    def years_in_effect(self) -> np.ndarray:
        """Years of the period on or after each measure's ``in_service`` [yr]."""
        return self.in_effect(self.ctx.period.years_in_effect)

    def removed(self, factors: list[ResolvedFactor], activity: Number, unit: str, *,
                source: Text | Deferred[Text], time_share: Number, time_unit: str = "", **options: Any) -> None:
        """Rows of emissions the measures take away (sign +1): ``activity`` [``unit`` per ``time_unit``] x
        each factor x ``time_share`` [``time_unit``] (options: see :func:`~reduccalc.measures.base.add_rows`)."""
        add_rows(self.sink, self.batch, self.index, factors, source=source, activity=activity, activity_unit=unit,
                 sign=1.0, time_share=time_share, time_unit=time_unit, **options)

    def added(self, factors: list[ResolvedFactor], activity: Number, unit: str, *,
              source: Text | Deferred[Text], time_share: Number, time_unit: str = "", **options: Any) -> None:
        """Rows of emissions the measures bring (a substitute, a new vehicle; sign -1), as :meth:`removed`."""
        add_rows(self.sink, self.batch, self.index, factors, source=source, activity=activity, activity_unit=unit,
                 sign=-1.0, time_share=time_share, time_unit=time_unit, **options)


def each_group(keys: Mapping[str, Key], batch: Batch, ctx: Context, sink: LedgerBuilder,
               translate: Callable[[Group], None], **derived: np.ndarray) -> None:
    """``translate`` each group of ``batch`` (:func:`grouping` of ``keys`` and ``derived``); a ScenarioError
    fails the group's measures and the other groups go on."""
    names, columns = grouping(keys, batch, derived)
    batch.each_group(lambda group: translate(Group(batch, group.index, ctx, sink,
                                                   dict(zip(names, group.keys)))), *columns)
