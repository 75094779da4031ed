"""Measure registers (台账): spreadsheets of boilers, trucks and villages, read as measures.

Bureaus keep what they retire and convert in spreadsheets. A scenario, or one
of its counties, points at one (paths are relative to the scenario file)::

    measures_file: measures.csv               # scenario level: a county column says whose row it is
    counties:
      宣化区:
        measures_file: xuanhua_boilers.xlsx   # county level: every row belongs to 宣化区
      下花园区:
        measures_file: {path: registers.xlsx, sheet: 锅炉}   # or registers.xlsx#锅炉; default: the first sheet

Layout
------
Row 1 is the header; every other row is one measure. Rows with no cell
filled are skipped; every other row is a measure or an error, never dropped.
Rows are numbered as the spreadsheet shows them (the header is row 1).
Columns, in any order:

- ``type`` (required): a measure type (``boiler_phaseout`` ...) or its
  Chinese name (table below);
- ``id`` (optional): unique within the county, across its YAML measures and
  registers; an empty cell gives ``<type>-<n>``, counting on from the
  county's YAML measures (rows join them in this order: YAML, the county's
  register, the scenario's register);
- ``county``: required in a scenario-level register, where it must name a
  county of ``counties:``; in a county-level register it may be present and
  must then name that county on every row;
- the measure's keys, as in YAML; a row leaves other types' columns empty.
  Nested keys take one column each: ``emission_factors.NOx``,
  ``removal_efficiency.SO2``, ``window.start``, ``window.end``.

Cells
-----
- empty: the key is not given (its default applies; a required key is an error);
- a quantity with its unit, as in YAML: ``10 t_steam/h``; or a plain number
  when the header carries the unit in brackets: ``capacity [t_steam/h]``,
  ``额定蒸发量(蒸吨/小时)`` (``[]``, ``()``, ``（）`` or ``【】``). Header units
  may use the words 蒸吨 (t_steam), 吨 (t), 小时/时 (h), 天/日 (d), 年 (yr),
  公里/千米 (km), 千克/公斤 (kg), 克 (g), 兆瓦 (MW), 千瓦时 (kWh), 立方米 (m^3),
  兆焦 (MJ), 吉焦 (GJ). A boiler's ``t/h`` is a mass flow, not a power: write
  ``t_steam/h`` or 蒸吨/小时;
- fractions ``30%`` or ``0.3``; counts ``12``; dates ``2017-10-31`` (also
  ``2017/10/31``, ``2017.10.31``, ``2017年10月31日`` or an Excel date);
  true/false (also 是/否, yes/no, Excel TRUE/FALSE).

Files
-----
CSV in UTF-8, with or without BOM (Excel: 另存为 "CSV UTF-8(逗号分隔)"). A
GBK CSV, which is what Excel's plain "CSV(逗号分隔)" gives on Chinese
Windows, is rejected with that advice. XLSX (not the old XLS): the first
sheet, or the one named by ``{path: f.xlsx, sheet: 锅炉}`` or ``f.xlsx#锅炉``,
read as Excel shows it (:mod:`reduccalc.inputs.workbook`): a merged range's value
(a 完成时间 merged over a batch of rows) fills each of its cells in rows that
hold other cells; an error cell (``#DIV/0!``, ``#N/A``) or a formula without
a saved value is an error naming row and column, never an empty cell that
would take a default.

Paths are relative to the scenario file's folder and must stay in it (or
its subfolders): absolute paths, ``../`` out of it and symbolic links to
files elsewhere are refused unless the plan is trusted (``--allow-outside``,
``load_scenario(..., allow_outside=True)``); only regular files are read (a
folder, FIFO or device is named as what it is), up to 512 MB for a CSV and
128 MB for an XLSX (:mod:`reduccalc.inputfiles`). Each file is read once: a
register named twice (at scenario and county level, or for two counties)
is an error naming both places, since its rows would count twice.

Chinese names
-------------
The English key (or ``key.sub``) always works. Besides the register's own
columns (``type``: 类型, 措施类型, 措施, 治理类型; ``county``: 县区, 区县, 县,
所属县区, 县(市、区), 县（市、区）), the measure types declare the Chinese names of their keys
and of themselves; ``reduccalc keys TYPE`` lists them per type, and the
table below is generated from those declarations when this module loads
(:func:`reduccalc.measures.names_table`). 排放阶段 is a non-road
machine's stage as well as a vehicle's standard.

{names_table}

Pollutants after the dot may be Chinese (``排放因子.氮氧化物``). Columns that
describe a row but feed no calculation are ignored: 序号, 备注, 企业名称,
单位名称, 地址, 乡镇, 乡镇(街道), 村, 行政村, 村庄, 联系人, 联系电话,
车牌号, 号牌号码, note, notes, remark, remarks.

Vehicle classes, standards, sectors and fuels take the same Chinese names as in YAML (重型柴油货车, 国三,
水泥熟料, 散煤 ...).

Errors
------
Every problem is reported at once (the message lists the first 50 and counts
the rest; ``ScenarioError.problems`` has them all), as::

    boilers.csv:2317: column capacity: '10 kg' is a mass (t, kg), expected a power (MW, t_steam/h) (...)

(file as the scenario names it, row as the spreadsheet numbers it, column as
its header reads), with "did you mean" help for headers, types, counties,
vehicle classes, standards, sectors and fuels. Problems found only when a
measure is translated name the row too, with field ``measures_file.<key>``.
A result's ledger keeps each row's origin in its ``row`` column
(``boilers.csv:2317``), and ``reduccalc explain`` prints it.

Design
------
Cells are read as text (CSV) or as stored (XLSX), never coerced by pandas.
Each column is checked per measure type with that type's field kind (the
kinds YAML uses), once per distinct cell value (``pd.factorize``): a column
of 100,000 ``10 t_steam/h`` costs one parse. Numbers under a header unit are
scaled by one conversion factor per column. The checked values stay columns,
one :class:`Block` per measure type, and go to the translators as they are
(:class:`reduccalc.measures.batch.Batch`): no per-row objects.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..calendar import Period
from ..errors import ProblemCollector, ScenarioError, did_you_mean, one_of
from ..factors import FactorTable
from ..fields import PollutantMapKind
from ..inputfiles import PlanFolder, excerpt
from ..ledger import group_codes
from ..measures import HEADER_NAMES, MEASURE_TYPES, TYPE_NAMES, default_id, names_table, type_named
from ..measures.batch import objects
from ..model import County, RegisterRows
from ..progress import progress
from ..vocabulary import pollutant
from .measure_checks import Block, MeasureChecker
from .tables import (
    COUNTY_HEADERS,
    Checker,
    Column,
    Problems,
    RegisterSource,
    header_key,
    header_unit,
    ignored,
    parse_header,
    read_cells,
    register_source,
)

REGISTER_HEADERS = {  # the register's own columns; the measure keys' Chinese names come from their types
    "类型": "type", "措施类型": "type", "措施": "type", "治理类型": "type", **COUNTY_HEADERS,
}
TYPE_ALIASES = TYPE_NAMES
HEADER_ALIASES = {**REGISTER_HEADERS, **HEADER_NAMES}
__doc__ = (__doc__ or "").replace("{names_table}", names_table())
_KEYS = frozenset({"type", "county"} | {key for t in MEASURE_TYPES.values() for key in t.keys})
_POLLUTANT_MAPS = frozenset(key for t in MEASURE_TYPES.values() for key, spec in t.keys.items()
                            if isinstance(spec.kind, PollutantMapKind))


@dataclass
class Register:
    """A checked register: one :class:`Block` per measure type."""

    source: RegisterSource
    blocks: list[Block]


# ---------------------------------------------------------------- header


def header_path(name: str) -> str | None:
    """``capacity``, ``window.start``, ``emission_factors.NOx`` ... for a register's header name, or None."""
    return header_key(name, _KEYS, HEADER_ALIASES)


def _parse_column(index: int, header: str) -> Column | None:
    """The column a header names; None for an ignored descriptive column.

    Raises
    ------
    ScenarioError
        For an unknown header or pollutant, with a "did you mean".
    """
    if ignored(header):
        return None
    name, unit = header, None
    path = header_path(header)
    if path is None:
        name, unit = header_unit(header)
        path = header_path(name)
    if path is None:
        raise ScenarioError(f"unknown column {excerpt(name)}",
                            hint=did_you_mean(name, [*_KEYS, *HEADER_ALIASES]) or
                            "a measure key, or a Chinese name from the table in reduccalc.registers")
    key, _, sub = path.partition(".")
    if sub and key in _POLLUTANT_MAPS:
        sub = pollutant(sub)
    return Column(index, header, key, sub or None, unit)



def _measure_type(value: Any) -> str:
    return type_named(value, chinese=True)


def _county_check(source: RegisterSource, counties: Collection[str]) -> Callable[[Any], str]:
    """Checks a county cell: one of ``counties``, or the register's own county."""
    def check(value: Any) -> str:
        name = str(value).strip()
        if source.county is None and name in counties:
            return name
        if source.county is None:
            raise ScenarioError(f"unknown county {excerpt(name)}",
                                hint=did_you_mean(name, counties) or f"the scenario's counties: {one_of(counties)}")
        if name != source.county:
            raise ScenarioError(f"names county {excerpt(name)}, but this register belongs to {source.county!r}",
                                hint=f"{source.field} holds only {source.county}'s rows; put rows of several "
                                     "counties in a scenario-level measures_file")
        return name
    return check


def _row_types(checker: Checker, n: int) -> np.ndarray:
    """Each row's measure type (None where missing or unknown, with a problem)."""
    columns = checker.by_key.get("type")
    if columns is None:
        checker.problems.add(1, "column type", ScenarioError(
            "no type column", hint="add a column type (类型) naming each row's measure, e.g. boiler_phaseout or 锅炉淘汰"))
        return np.full(n, None, dtype=object)
    types = checker.checked(columns[0], _measure_type, np.arange(n))
    for at in np.flatnonzero(types.codes < 0).tolist():
        checker.problems.add(int(checker.rows[at]), columns[0].label, ScenarioError(
            "no measure type", hint="every row is one measure; delete total (合计) and note rows"))
    return types.rows(failed=None)


def _row_counties(checker: Checker, counties: Collection[str], n: int) -> np.ndarray:
    """Each row's county (None where missing or unknown, with a problem)."""
    source = checker.source
    columns = checker.by_key.get("county")
    if columns is None:
        if source.county is None:
            checker.problems.add(1, "column county", ScenarioError(
                "no county column", hint="a scenario-level register needs a column county (县区) naming each row's "
                                         "county; or give the file as measures_file of one county"))
        return np.full(n, source.county, dtype=object)
    found = checker.checked(columns[0], _county_check(source, counties), np.arange(n))
    if source.county is None:
        for at in np.flatnonzero(found.codes < 0).tolist():
            checker.problems.add(int(checker.rows[at]), columns[0].label, ScenarioError("no county"))
    return found.rows(empty=source.county, failed=None)


def read_register(source: RegisterSource, counties: Collection[str], table: FactorTable,
                  period: Period | None) -> Register:
    """Read and check a register.

    Parameters
    ----------
    source : RegisterSource
        The file, its sheet, and the county for a county-level register.
    counties : collection of str
        The scenario's county names (a scenario-level register's county
        column must name one).
    table : FactorTable
        Factor tables that vehicle classes, sectors and fuels are checked against.
    period : Period, optional
        The scenario's period; ``in_service`` and ``window`` must fall in it.

    Returns
    -------
    Register
        Checked values as columns, one block per measure type.

    Raises
    ------
    ScenarioError
        Every problem at once, naming file, row and column.
    """
    header, cells, rows = read_cells(source, "row 1 is the header: type, then the measure's keys")
    problems = Problems(source.name)
    columns = parse_header(header, cells, problems, _parse_column)
    checker = MeasureChecker(source, cells, rows, columns, problems, table, period)
    types = _row_types(checker, len(rows))
    row_counties = _row_counties(checker, counties, len(rows))
    blocks = []
    for type_name in pd.unique(types[pd.notna(types)]).tolist():
        positions = np.flatnonzero(types == type_name)  # rows of unknown counties too: report all their problems
        blocks.append(checker.block(type_name, positions, row_counties[positions]))
    problems.raise_if_any()
    return Register(source, blocks)


def register_counties(source: RegisterSource) -> tuple[list[str], dict[str, int]]:
    """The names in a register's county column, in the order of their first rows, and its rows per type
    cell as written (for ``reduccalc init --from``: the register's measures are checked when the plan is).

    Raises
    ------
    ScenarioError
        For a file that cannot be read, a header problem, or no county column.
    """
    header, cells, _ = read_cells(source, "row 1 is the header: type, county, then the measure's keys")
    problems = Problems(source.name)
    columns = {column.key: column for column in parse_header(header, cells, problems, _parse_column)}
    problems.raise_if_any()
    if "county" not in columns:
        raise ScenarioError("no county column", file=source.name, line=1, field="column county",
                            hint="a register for several counties needs a column county (县区) naming each row's")

    def cells_of(key: str) -> list[str]:
        column = cells[columns[key].index] if key in columns else None
        return [] if column is None else [str(column.uniques[code]) for code in column.codes[column.codes >= 0]]

    return list(dict.fromkeys(cells_of("county"))), dict(Counter(cells_of("type")))


# ---------------------------------------------------------------- joining the scenario

def _sources(data: Mapping[str, Any], counties: Collection[str], folder: PlanFolder, file: str | None,
             collector: ProblemCollector) -> list[RegisterSource]:
    """The registers a scenario names, its counties' first, then its own; each file once.

    Problems (a path outside the plan's folder, a file named twice, whose
    rows would count twice) go to ``collector``.
    """
    named: list[tuple[Mapping[str, Any], str | None]] = [(raw, str(name)) for name, raw in (data.get("counties") or {}).items()
             if str(name) in counties and isinstance(raw, Mapping) and isinstance(raw.get("measures_file"),
                                                                                   (str, Mapping))]
    if isinstance(data.get("measures_file"), (str, Mapping)):
        named.append((data, None))
    found: dict[tuple[str, str | None], RegisterSource] = {}
    for container, county in named:
        try:
            source = register_source(container["measures_file"], folder, container, "measures_file", county, file)
        except ScenarioError as error:
            collector.add(error)
            continue
        first = found.setdefault((os.path.realpath(source.path), source.sheet), source)
        if first is not source:
            collector.add(source.error(
                f"names the same register as {first.field}{f' (line {first.line})' if first.line else ''}: its "
                "rows would be counted twice", hint="name each register once: at scenario level with a county "
                "column, or under its county"))
    return list(found.values())


class _Ids:
    """Measure ids given so far, per county: counts per type (for ``<type>-<n>``) and where each id is."""

    def __init__(self, counties: Sequence[County]) -> None:
        self.counts: dict[str, dict[str, int]] = {}  # type -> county -> measures so far
        for county in counties:
            for measure in county.measures:
                of_type = self.counts.setdefault(measure.type, {})
                of_type[county.name] = of_type.get(county.name, 0) + 1
        self.in_yaml = {(c.name, m.id): m.path for c in counties for m in c.measures}
        self.joined: list[tuple[str, list[RegisterRows]]] = []  # every register so far: (file, its blocks)
        self.explicit = False  # has a register given ids of its own? (numbered ones never repeat each other)

    def join(self, register: Register, order: int) -> list[RegisterRows]:
        """A register's blocks with ids, numbered in spreadsheet row order; duplicate ids are problems."""
        name = register.source.name
        joined, explicit = [], False
        for block in register.blocks:
            ids = objects(block.values["id"])
            numbers = self._numbers(block.type, block.counties)
            missing = pd.isna(ids)
            explicit |= not missing.all()
            if missing.any():  # "<type>-<n>", formatted once per distinct n
                codes, distinct = pd.factorize(numbers[missing])
                ids[missing] = objects([default_id(block.type, n) for n in distinct.tolist()])[codes]
            joined.append(RegisterRows(block.type, name, order, block.counties, ids, block.rows, block.values))
        self._duplicates(name, joined, explicit)
        return joined

    def _numbers(self, type_name: str, counties: np.ndarray) -> np.ndarray:
        """The n of ``<type>-<n>`` for rows of one type, in row order: counting on within each county."""
        codes, names = pd.factorize(counties)
        sizes = np.bincount(codes, minlength=len(names))
        by_county = np.argsort(codes, kind="stable")  # each row's place among its county's: 0, 1, ... in row order
        place = np.empty(len(codes), dtype=np.int64)
        place[by_county] = np.arange(len(codes)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        counts = self.counts.setdefault(type_name, {})
        names = names.tolist()
        offsets = np.array([counts.get(county, 0) for county in names], dtype=np.int64)
        counts.update(zip(names, (offsets + sizes).tolist()))
        return place + 1 + offsets[codes]

    def _duplicates(self, name: str, joined: list[RegisterRows], explicit: bool) -> None:
        """Problems for ids already used in their county: in YAML, an earlier register or an earlier row.

        ``explicit``: this register gives ids of its own. Without any, in it
        or before, registers' ids are all numbered and cannot repeat, and
        only YAML ids need looking up.
        """
        self.explicit |= explicit
        if self.explicit or self.in_yaml:
            files = [file for file, _ in self.joined] + [name]
            registers = [_in_row_order(blocks) for _, blocks in self.joined] + [_in_row_order(joined)]
            counties, ids, rows = registers[-1]
            problems = Problems(name)
            for at, where in self._repeated(files, registers):
                problems.add(int(rows[at]), "column id", ScenarioError(
                    f"duplicate measure id {ids[at]!r} in county {counties[at]!r} (first at {where})",
                    hint="ids must be unique within a county; a row without one gets <type>-<n>"))
            problems.raise_if_any()
        self.joined.append((name, joined))

    def _repeated(self, files: list[str], registers: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
                  ) -> list[tuple[int, str]]:
        """Rows of the last register whose (county, id) came before, and where it first did."""
        counties, ids, rows = registers[-1]
        found = {at: self.in_yaml[key] for at, key in enumerate(zip(counties.tolist(), ids.tolist()))
                 if key in self.in_yaml} if self.in_yaml else {}
        if self.explicit:  # repeats a register's id: only possible once a register gave ids of its own
            all_counties, all_ids, all_rows = (np.concatenate(parts) for parts in zip(*registers))
            owners = np.repeat(np.arange(len(registers)), [len(register[2]) for register in registers])
            start = len(all_rows) - len(rows)
            codes, first = group_codes(all_counties, all_ids)
            origins = first[codes[start:]]
            for at in np.flatnonzero(origins != np.arange(start, len(all_rows))).tolist():
                found.setdefault(at, f"{files[owners[origins[at]]]}:{all_rows[origins[at]]}")
        return sorted(found.items())

def _in_row_order(blocks: list[RegisterRows]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counties, ids and spreadsheet rows of a register's blocks, in row order (empty for no block)."""
    if not blocks:
        return objects([]), objects([]), np.zeros(0, dtype=np.int64)
    rows = np.concatenate([block.row for block in blocks])
    by_row = np.argsort(rows, kind="stable")
    return (np.concatenate([block.county for block in blocks])[by_row],
            np.concatenate([block.id for block in blocks])[by_row], rows[by_row])


def attach_registers(data: Mapping[str, Any], counties: list[County], period: Period | None, folder: PlanFolder,
                     file: str | None, collector: ProblemCollector, table: FactorTable) -> list[RegisterRows]:
    """Read every register a scenario names, giving its rows ids within their counties.

    Parameters
    ----------
    data : mapping
        The scenario as loaded (``measures_file`` at scenario and county level).
    counties : list of County
        The checked counties (with their YAML measures).
    period : Period, optional
        The scenario's period (None when it was invalid).
    folder : PlanFolder
        The folder register paths are relative to, and whether they may lie outside it.
    file : str, optional
        The scenario file, for problems with ``measures_file`` itself.
    collector : ProblemCollector
        Receives every problem.
    table : FactorTable
        The scenario's factor tables.

    Returns
    -------
    list of RegisterRows
        Every register's rows, one entry per register and measure type.
    """
    names = dict.fromkeys(county.name for county in counties)  # ordered, for did-you-mean; hashed, for lookups
    ids = _Ids(counties)
    joined = []
    sources = _sources(data, names, folder, file, collector)
    with progress("reading measure registers", total=len(sources)) as step:
        for order, source in enumerate(sources):
            try:
                joined += ids.join(read_register(source, names, table, period), order)
            except ScenarioError as error:
                collector.add(error)
            step()
    return joined
