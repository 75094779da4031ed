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

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
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
    if isinstance(values, np.ndarray):
        return values.astype(object)
    # fromiter stores each item as it is, without np.array's probing for nested sequences (several times faster)
    return np.fromiter(values, dtype=object, count=len(values))


def factorized(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code of each value into the distinct values, in order of first appearance, missing ones (None, NaN)
    as one more distinct value, NaN, after the others.

    What ``pd.factorize(values, use_na_sentinel=False)`` gives but for the
    place of NaN among the distinct values, in about half the time on
    object arrays: pandas scans those for missing values before hashing
    them, here the hashing finds them. Most columns hold one value
    throughout (a key's default, one fuel in a whole register): those are
    compared with their first value, a third of the time of hashing them.
    """
    if _constant(values):
        return np.zeros(len(values), dtype=np.int64), objects([np.nan if values[0] is None else values[0]])
    codes, uniques = pd.factorize(values)
    missing = codes < 0
    if missing.any():
        codes[missing] = len(uniques)
        uniques = np.append(uniques, np.nan)
    return codes, uniques


def numbered(values: np.ndarray, numbers: Mapping[Any, int]) -> np.ndarray:
    """``numbers[value]`` of each value (int array), looked up once per run of equal values.

    A register lists its rows county by county: a county's rows are
    looked up once, not row by row.
    """
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    found = np.array([numbers[value] for value in values[starts].tolist()], dtype=np.int64)
    return np.repeat(found, np.diff(np.r_[starts, len(values)]))


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
                    amounts, given_units = zip(*column)  # from (value, unit) per measure
                    values[pollutant][at] = amounts
                    units[pollutant][at] = objects(given_units)
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

    def signature(self) -> list[np.ndarray]:
        """Columns to group measures by (:meth:`Batch.groups`) so that each group names the same pollutants in
        the same units: per pollutant some measure names, a code per measure for its unit (fractions: one code),
        -1 where the measure does not name it."""
        columns = []
        for pollutant, values in self.values.items():
            named = ~np.isnan(values)
            if named.any():  # a pollutant no measure names splits no group
                codes = np.full(self.size, -1, dtype=np.int64)
                # only the named measures' units are hashed, the many None of the others are not looked at
                codes[named] = 0 if self.units is None else _codes(self.units[pollutant][named])
                columns.append(codes)
        return columns

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
    _labels: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.seq)

    def rows(self) -> np.ndarray:
        """Each measure's register origin (``file.csv:12``, ``""`` for YAML), worked out when first asked for."""
        return self.row.value() if isinstance(self.row, Deferred) else self.row

    def floats(self, key: str) -> np.ndarray:
        """``key`` as float64 per measure; NaN where not given."""
        # None becomes NaN in the cast
        return self._converted("floats", key, lambda column: column.astype(np.float64))

    def given(self, key: str) -> np.ndarray:
        """Boolean per measure: did it give ``key``?"""
        return self._converted("given", key, pd.notna)

    def _converted(self, kind: str, key: str, convert: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """``convert`` of ``key``'s object column, cached; of its one value, repeated, for a list of one value
        (see :func:`_one_value`)."""
        cached = self._cache.get((kind, key))
        if cached is None:
            one = _one_value(self.values[key])
            cached = convert(self.column(key)) if one is None else np.repeat(convert(one), len(self))
            self._cache[(kind, key)] = cached
        return cached

    def column(self, key: str) -> np.ndarray:
        """``key`` as an object array per measure."""
        cached = self._cache.get(("column", key))
        if cached is None:
            values = self.values[key]
            one = _one_value(values)
            cached = self._cache[("column", key)] = objects(values) if one is None else np.repeat(one, len(self))
        return cached

    def mapped(self, key: str, convert: Callable[[Any], Any]) -> np.ndarray:
        """``convert`` of each measure's ``key``, called once per distinct value (object array).

        A conversion that raises :class:`ScenarioError` fails the measures
        with that value (their result is None).
        """
        codes, uniques = factorized(self.column(key))
        converted = []
        for code, value in enumerate(uniques):
            try:
                converted.append(convert(value))
            except ScenarioError as error:
                self.fail(np.flatnonzero(codes == code), error.prefixed(key) if not error.first.field else error)
                converted.append(None)
        return objects(converted)[codes]

    def labels(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """County and id of the measures at ``index``.

        Every block of a group gets the same two arrays (the last ``index``
        asked for is remembered, by identity), which the ledger hashes once.
        """
        if self._labels is None or self._labels[0] is not index:
            self._labels = (index, self.county[index], self.measure[index])
        return self._labels[1], self._labels[2]

    def fail(self, index: np.ndarray, error: ScenarioError) -> None:
        """Record ``error`` against the measures at ``index``."""
        if len(index):
            self.failures.append((np.asarray(index), error))

    def one_route(self, first: str, second: str, missing: ScenarioError) -> np.ndarray:
        """Fail the measures giving both ``first`` and ``second`` or neither (``missing``); True where ``second``
        is the route taken."""
        one, other = self.given(first), self.given(second)
        self.fail(np.flatnonzero(one & other), ScenarioError(f"give {first} or {second}, not both", field=second))
        self.fail(np.flatnonzero(~one & ~other), missing)
        return other

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
        # coded whole, then taken: the failed measures' values do no harm, taking integers costs less
        coded = (_codes(column)[index] for column in columns)
        varying = [codes for codes in coded if codes.any()]  # a column coded 0 throughout splits nothing
        if varying:
            codes, first = group_codes(*varying)
        else:
            codes, first = np.zeros(len(index), dtype=np.int64), np.zeros(1, dtype=np.int64)
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
        codes, uniques = factorized(combined)
        if len(columns) == 1:
            return np.array([function(_none(value)) for value in uniques], dtype=np.float64)[codes]
        return np.array([function(*map(_none, values)) for values in uniques], dtype=np.float64)[codes]

    def counted(self, index: np.ndarray, default: bool) -> np.ndarray:
        """Each measure's ``count_upstream`` (``default`` where not given)."""
        given = self.column("count_upstream")[index]
        return np.where(pd.isna(given), default, given).astype(bool)


def _constant(values: np.ndarray) -> bool:
    """Does ``values`` (not empty) hold one value throughout?"""
    return len(values) > 0 and bool((values == values[:1]).all())


def _codes(column: np.ndarray) -> np.ndarray:
    """A grouping column as integers, 0 throughout for a column of one value: object columns coded here
    (faster than group_codes would, see :func:`factorized`), others as they are."""
    if column.dtype == object:
        return factorized(column)[0]
    return np.zeros(len(column), dtype=np.int64) if _constant(column) else column


def _one_value(values: Sequence[Any] | np.ndarray) -> np.ndarray | None:
    """A list of one value throughout as that value (a 1-element object array), else None.

    Registers fill a key they have no column for with its default, so:
    counting it takes a fraction of the time of converting every item.
    """
    if isinstance(values, list) and len(values) > 0 and values.count(values[0]) == len(values):
        return objects(values[:1])
    return None


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
