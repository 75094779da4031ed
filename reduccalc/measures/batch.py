"""Measures of one type as columns, and the vectorized helpers translators share.

A :class:`Batch` holds every measure of one type in a scenario (from YAML
and registers alike), key by key: ``values["count"][i]`` is measure ``i``'s
checked count. Translators split a batch into groups that share their
categorical keys (fuel, size class, vehicle and standard, the pollutants and
units of inline factors ...), look factors and defaults up once per group,
and compute every number of the group as numpy arrays. A problem with some
measures is recorded against exactly those (:meth:`Batch.fail`) and the rest
go on, so a scenario reports every problem at once.

Text in the ledger (``source``, ``adjust_note``, inline factor ids) is
built column-wise too: :func:`fmt` formats each distinct number once and
:func:`join` concatenates columns of strings.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..ledger import Deferred, group_codes

Text = str | np.ndarray  # one string for every row, or one per row (object array)
Number = float | np.ndarray  # one number for every row, or one per row


def objects(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """``values`` as a 1-D object array (tuples stay elements)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values) if not isinstance(values, np.ndarray) else values
    return out


def fmt(values: Number) -> Text:
    """``'{:g}'`` of each value, formatting every distinct value once."""
    if not isinstance(values, np.ndarray):
        return f"{values:g}"
    codes, uniques = pd.factorize(values)
    return objects([f"{value:g}" for value in uniques])[codes]


def join(*parts: Text) -> Text:
    """Row-wise concatenation of strings and columns of strings."""
    return reduce(lambda left, right: left + right, parts)


@dataclass
class PollutantColumns:
    """A pollutant mapping key of every measure of a batch (``emission_factors``, ``removal_efficiency``).

    ``values[pollutant]`` has one number per measure, NaN where the measure
    does not name the pollutant; for factors, ``units[pollutant]`` has each
    measure's unit (None where not named), for fractions ``units`` is None.
    Registers fill these straight from their ``emission_factors.NOx``
    columns; YAML measures' mappings are turned into them once.
    """

    size: int
    values: dict[str, np.ndarray]
    units: dict[str, np.ndarray] | None

    @classmethod
    def from_mappings(cls, mappings: Sequence[Any]) -> PollutantColumns:
        """From one mapping (or None) per measure: ``{pollutant: (value, unit)}`` or ``{pollutant: fraction}``."""
        n = len(mappings)
        by_names: dict[tuple[str, ...], list[int]] = {}  # measures naming the same pollutants
        for i, mapping in enumerate(mappings):
            if mapping:
                by_names.setdefault(tuple(mapping), []).append(i)
        pollutants = list(dict.fromkeys(p for names in by_names for p in names))
        factors = any(isinstance(next(iter(mappings[at[0]].values())), tuple) for at in by_names.values())
        values = {p: np.full(n, np.nan) for p in pollutants}
        units = {p: np.full(n, None, dtype=object) for p in pollutants} if factors else None
        for names, at in by_names.items():
            rows = [mappings[i] for i in at]
            columns = zip(*map(itemgetter(*names), rows)) if len(names) > 1 else ([m[names[0]] for m in rows],)
            for pollutant, column in zip(names, columns):
                if units is None:
                    values[pollutant][at] = column
                else:
                    pairs = np.array(column, dtype=object).reshape(len(at), 2)  # (value, unit) per measure
                    values[pollutant][at] = pairs[:, 0].astype(np.float64)
                    units[pollutant][at] = pairs[:, 1]
        return cls(n, values, units)

    def named(self, i: int) -> list[str]:
        """The pollutants measure ``i`` names."""
        return [p for p, column in self.values.items() if not np.isnan(column[i])]

    def any_named(self) -> np.ndarray:
        """Boolean per measure: does it name any pollutant?"""
        named = np.zeros(self.size, dtype=bool)
        for column in self.values.values():
            named |= ~np.isnan(column)
        return named

    def signature(self) -> np.ndarray:
        """Per measure, a group number shared by measures naming the same pollutants (in the same units)."""
        columns = [self.units[p] if self.units is not None else np.isnan(self.values[p]) for p in self.values]
        return group_codes(*columns)[0] if columns else np.zeros(self.size, dtype=np.int64)

    def take(self, index: np.ndarray) -> dict[str, Any]:
        """The mapping of the measures at ``index`` (which name the same pollutants): ``{pollutant: values}``
        for fractions, ``{pollutant: (values, unit)}`` for factors."""
        first = int(index[0])
        return {p: self.values[p][index] if self.units is None else (self.values[p][index], self.units[p][first])
                for p in self.named(first)}


@dataclass
class Group:
    """Measures of a batch that share the values of the grouping keys.

    ``index`` are positions in the batch; ``keys`` the shared values, in the
    order the grouping columns were given.
    """

    keys: tuple[Any, ...]
    index: np.ndarray


@dataclass
class Batch:
    """Every measure of one type, as columns.

    Attributes
    ----------
    type : str
        The measure type.
    values : dict of str to list or PollutantColumns
        Each key of the type to one checked value per measure (defaults
        filled in; None where not given); pollutant mappings as
        :class:`PollutantColumns`.
    county, measure, row : object arrays
        Each measure's county, id and register origin (``file.csv:12``, or
        ``""`` for a YAML measure; see :meth:`rows`).
    seq : int array
        Each measure's position in the scenario (orders the ledger).
    failures : list
        ``(positions, error)`` for measures that could not be translated.
    """

    type: str
    values: dict[str, Any]
    county: np.ndarray
    measure: np.ndarray
    row: np.ndarray | Deferred[np.ndarray]
    seq: np.ndarray
    failures: list[tuple[np.ndarray, ScenarioError]] = field(default_factory=list)
    _cache: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.seq)

    def rows(self) -> np.ndarray:
        """Each measure's register origin (``file.csv:12``, ``""`` for YAML), worked out when first asked for."""
        return self.row.value() if isinstance(self.row, Deferred) else self.row

    def floats(self, key: str) -> np.ndarray:
        """``key`` as float64 per measure; NaN where not given."""
        cached = self._cache.get(("floats", key))
        if cached is None:
            cached = self._cache[("floats", key)] = np.array(self.values[key], dtype=np.float64)
        return cached

    def column(self, key: str) -> np.ndarray:
        """``key`` as an object array per measure."""
        cached = self._cache.get(("column", key))
        if cached is None:
            cached = self._cache[("column", key)] = objects(self.values[key])
        return cached

    def mapped(self, key: str, convert: Callable[[Any], Any]) -> np.ndarray:
        """``convert`` of each measure's ``key``, called once per distinct value (object array).

        A conversion that raises :class:`ScenarioError` fails the measures
        with that value (their result is None).
        """
        codes, uniques = pd.factorize(self.column(key), use_na_sentinel=False)
        converted = []
        for code, value in enumerate(uniques):
            try:
                converted.append(convert(value))
            except ScenarioError as error:
                self.fail(np.flatnonzero(codes == code), error.prefixed(key) if not error.first.field else error)
                converted.append(None)
        return objects(converted)[codes]

    def fail(self, index: np.ndarray, error: ScenarioError) -> None:
        """Record ``error`` against the measures at ``index``."""
        if len(index):
            self.failures.append((np.asarray(index), error))

    def failed(self) -> np.ndarray:
        """Boolean per measure: has it failed?"""
        mask = np.zeros(len(self), dtype=bool)
        for index, _ in self.failures:
            mask[index] = True
        return mask

    def groups(self, *columns: np.ndarray) -> Iterator[Group]:
        """Split the measures not failed so far by the values of ``columns``.

        Each column has one (hashable) value per measure of the batch.
        Groups come in order of first appearance.
        """
        index = np.flatnonzero(~self.failed())
        if not len(index):
            return
        if not columns:
            yield Group((), index)
            return
        codes, first = group_codes(*(column[index] for column in columns))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(first) + 1))
        for g, at in enumerate(first.tolist()):
            yield Group(tuple(column[index[at]] for column in columns), index[order[bounds[g]:bounds[g + 1]]])

    def each_group(self, translate: Callable[[Group], None], *columns: np.ndarray) -> None:
        """``translate`` every group of the measures not failed (see :meth:`groups`); a
        :class:`ScenarioError` fails the group's measures and the other groups go on."""
        for group in self.groups(*columns):
            try:
                translate(group)
            except ScenarioError as error:
                self.fail(group.index, error)

    def pollutants(self, key: str) -> PollutantColumns:
        """The pollutant mapping ``key`` (``emission_factors`` ...) of every measure."""
        columns: PollutantColumns = self.values[key]
        return columns

    def distinct(self, index: np.ndarray, function: Callable[..., float], *keys: str) -> np.ndarray:
        """``function`` of each measure's ``keys`` (None where not given), once per distinct combination [float]."""
        columns = [self.column(key)[index] for key in keys]
        combined = columns[0] if len(columns) == 1 else objects(list(zip(*columns)))
        codes, uniques = pd.factorize(combined, use_na_sentinel=False)
        if len(columns) == 1:
            return np.array([function(_none(value)) for value in uniques], dtype=np.float64)[codes]
        return np.array([function(*map(_none, values)) for values in uniques], dtype=np.float64)[codes]

    def counted(self, index: np.ndarray, default: bool) -> np.ndarray:
        """Each measure's ``count_upstream`` (``default`` where not given)."""
        given = self.column("count_upstream")[index]
        return np.where(pd.isna(given), default, given).astype(bool)


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def columns_of(values: Sequence[dict[str, Any]], keys: Collection[str], maps: Collection[str]) -> dict[str, Any]:
    """Measures' ``values`` key by key; the pollutant mappings ``maps`` as :class:`PollutantColumns`."""
    names = list(keys)
    if not values:
        return {key: PollutantColumns.from_mappings([]) if key in maps else [] for key in names}
    rows = map(itemgetter(*names), values) if len(names) > 1 else ((v[names[0]],) for v in values)
    return {key: PollutantColumns.from_mappings(column) if key in maps else list(column)
            for key, column in zip(names, zip(*rows))}
