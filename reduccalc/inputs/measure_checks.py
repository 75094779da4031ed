"""A measure register's cells checked per measure type: field kinds, defaults, dates and names.

:class:`MeasureChecker` extends the generic :class:`reduccalc.inputs.tables.Checker`
with what a measure type declares (:data:`reduccalc.measures.MEASURE_TYPES`):
each key's field kind and default, one column per pollutant for pollutant
mappings, one column per part for mappings (``window.start``), dates
against the scenario's period and names (vehicle classes, sectors, fuels)
against its factor tables. The rows of one type come out as a
:class:`Block` of columns (see :mod:`reduccalc.inputs.registers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..calendar import Period, check_in_service, check_window
from ..errors import ScenarioError
from ..factors import FactorTable
from ..fields import FACTOR, MISSING, Key, Kind, PollutantMapKind
from ..measures import MEASURE_TYPES
from ..measures.batch import PollutantColumns, objects
from .tables import FAILED, Cells, Checked, Checker, Column, Problems, RegisterSource, attempt, check_cell, refined


@dataclass
class Block:
    """The checked rows of one measure type, column by column.

    ``values`` maps every key of the type to one canonical value per row
    (floats in the kind's unit, dates, names; defaults filled in), in the
    order of ``rows`` (spreadsheet row numbers, ascending): a list or object
    array, or for pollutant mappings (``emission_factors.NOx`` ...)
    :class:`~reduccalc.measures.batch.PollutantColumns`.
    """

    type: str
    rows: np.ndarray
    counties: np.ndarray
    values: dict[str, Any]


class MeasureChecker(Checker):
    """Checks a register's cells per measure type, with that type's field kinds and defaults.

    ``table`` and ``period`` check measures' names (vehicle classes,
    sectors, fuels) and dates.
    """

    def __init__(self, source: RegisterSource, cells: list[Cells], rows: np.ndarray, columns: list[Column],
                 problems: Problems, table: FactorTable | None = None, period: Period | None = None) -> None:
        super().__init__(source, cells, rows, columns, problems)
        self.table = table
        self.period = period

    def refiner(self, type_name: str, key: str) -> Callable[[Any], Any] | None:
        """Checks beyond the field kind: dates against the period, names against the factor tables."""
        if key == "in_service" and self.period is not None:
            return _in_period(self.period)
        if key == "window" and self.period is not None:
            return _overlaps(self.period)
        name, table = MEASURE_TYPES[type_name].names.get(key), self.table
        if name is not None and table is not None and table.subjects(name.category):
            return lambda value: name.check(value, table)
        return None

    def key(self, type_name: str, key: str, kind: Kind, positions: np.ndarray) -> PollutantColumns | Checked:
        """The values of ``key`` for the rows of one type, from one or more columns."""
        columns = self.by_key[key]
        if isinstance(kind, PollutantMapKind):
            return self.pollutant_map(type_name, kind, columns, positions)
        if len(columns) == 1 and columns[0].sub is None:
            return self.column(kind, columns[0], positions, self.refiner(type_name, key))
        return self.mapping(type_name, key, kind, columns, positions)

    def pollutant_map(self, type_name: str, kind: PollutantMapKind, columns: list[Column],
                      positions: np.ndarray) -> PollutantColumns | Checked:
        """One column per pollutant, checked, as :class:`PollutantColumns`."""
        plain = [column for column in columns if column.sub is None]
        for column in plain:
            self.problems.add(1, column.label, ScenarioError(
                "takes one column per pollutant", hint=f"name them like {column.key}.NOx, {column.key}.SO2"))
        if plain:
            return Checked.failed(np.ones(len(positions), dtype=bool))
        mapping = PollutantColumns(len(positions), {}, {} if kind.item is FACTOR else None)
        for column in columns:
            checked = self.column(kind.item, column, positions, self.refiner(type_name, column.key))
            sub = column.sub or ""
            if mapping.units is None:  # fractions
                mapping.values[sub] = checked.floats()
                continue
            pairs = [(np.nan, None) if result is FAILED else result for result in checked.results]  # (value, unit)
            mapping.values[sub] = np.array([*(value for value, _ in pairs), np.nan], dtype=np.float64)[checked.codes]
            mapping.units[sub] = objects([*(unit for _, unit in pairs), None])[checked.codes]
        return mapping

    def mapping(self, type_name: str, key: str, kind: Kind, columns: list[Column], positions: np.ndarray) -> Checked:
        """A mapping key (``window.start``, ``window.end``), checked per distinct row of its columns."""
        units = [column for column in columns if column.unit is not None or column.sub is None]
        for column in units:
            self.problems.add(1, column.label, ScenarioError(
                f"write {key} as one column per part, like {key}.start, without units"))
        if units:
            return Checked.failed(np.ones(len(positions), dtype=bool))
        parts = [self.cells[column.index].take(positions) for column in columns]
        given = np.logical_or.reduce([part.filled() for part in parts])
        index: dict[tuple[int, ...], int] = {}  # distinct rows of the parts' codes
        codes = np.full(len(positions), -1)
        codes[given] = [index.setdefault(row, len(index)) for row in zip(*(part.codes[given].tolist() for part in parts))]
        refine = self.refiner(type_name, key)

        def evaluate(uniques: list[tuple[int, ...]]) -> list[Any]:
            given = [{column.sub: part.uniques[code] for column, part, code in zip(columns, parts, row) if code >= 0}
                     for row in uniques]
            return [attempt(lambda m: refined(check_cell(m, kind, None), refine), m) for m in given]

        def where(error: ScenarioError) -> str:
            field = error.first.field or ""
            named = [c for c in columns if field == f"{key}.{c.sub}" or field.endswith(f".{c.sub}")]
            return named[0].label if named else "columns " + ", ".join(c.header for c in columns)

        return self.spread(codes, evaluate(list(index)), where, positions)

    def reject(self, type_name: str, key: str, positions: np.ndarray) -> None:
        """Filled cells of a key the type does not take are errors."""
        for column in self.by_key[key]:
            for at in np.flatnonzero(self.cells[column.index].codes[positions] >= 0).tolist():
                self.problems.add(int(self.rows[positions[at]]), column.label, ScenarioError(
                    f"{type_name} takes no {key}", hint=f"leave it empty in {type_name} rows"))

    def defaulted(self, type_name: str, key: str, spec: Key, given: PollutantColumns | Checked | None,
                  positions: np.ndarray) -> Any:
        """``given`` as one value per row, defaults for empty cells; required keys missing are problems."""
        rows = self.rows[positions]
        if spec.default is not MISSING:
            if given is None and isinstance(spec.kind, PollutantMapKind):
                return PollutantColumns.from_mappings([None] * len(positions))
            if given is None:
                return [spec.default] * len(positions)
            return given if isinstance(given, PollutantColumns) else given.rows(spec.default)
        if given is None:
            self.problems.add(1, f"column {key}", ScenarioError(
                f"no such column, but {type_name} needs it ({spec.kind.describe}; rows {_some(rows)})"))
            return [FAILED] * len(positions)
        label = self.by_key[key][0].label
        empty = ~given.any_named() if isinstance(given, PollutantColumns) else given.codes < 0
        for at in np.flatnonzero(empty).tolist():
                self.problems.add(int(rows[at]), label, ScenarioError(
                    f"missing required key {key!r} ({spec.kind.describe})", hint=f"{type_name} needs it"))
        return given if isinstance(given, PollutantColumns) else given.rows()

    def block(self, type_name: str, positions: np.ndarray, counties: np.ndarray) -> Block:
        """The rows of one measure type at ``positions``, checked key by key."""
        keys = MEASURE_TYPES[type_name].keys
        for key in sorted(self.by_key.keys() - keys.keys() - {"type", "county"}):
            self.reject(type_name, key, positions)
        values = {key: self.defaulted(type_name, key, spec,
                                      self.key(type_name, key, spec.kind, positions) if key in self.by_key else None,
                                      positions)
                  for key, spec in keys.items()}
        return Block(type_name, self.rows[positions], counties, values)


def _in_period(period: Period) -> Callable[[dt.date], dt.date]:
    """``in_service`` as in YAML: after the period's end is an error, before its start means all of it."""
    def check(day: dt.date) -> dt.date:
        check_in_service({"in_service": day}, period, "in_service")
        return day
    return check


def _overlaps(period: Period) -> Callable[[tuple[dt.date, dt.date]], tuple[dt.date, dt.date]]:
    """``window`` as in YAML: wholly outside the period is an error."""
    def check(window: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
        check_window(window, period, "window")
        return window
    return check


def _some(rows: np.ndarray, shown: int = 5) -> str:
    listed = ", ".join(str(row) for row in rows[:shown].tolist())
    return listed + (f" and {len(rows) - shown:,} more" if len(rows) > shown else "")
