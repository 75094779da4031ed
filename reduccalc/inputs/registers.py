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

import datetime as dt
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..calendar import Period, check_in_service, check_window
from ..errors import Problem, ProblemCollector, ScenarioError, did_you_mean, one_of
from ..factors import FactorTable
from ..fields import FACTOR, MISSING, Key, Kind, PollutantMapKind, QuantityKind, TextKind, check_mapping
from ..inputfiles import PlanFolder, column_label, excerpt, read_bytes
from ..ledger import group_codes
from ..measures import HEADER_NAMES, MEASURE_TYPES, TYPE_NAMES, default_id, names_table, type_named
from ..measures.batch import PollutantColumns, objects
from ..model import County, RegisterRows
from ..positions import position
from ..progress import progress
from ..units import LARGEST, fold_width
from ..vocabulary import fold, pollutant
from .workbook import MAX_XLSX_BYTES, open_workbook, sheet_cells

REGISTER_HEADERS = {  # the register's own columns; the measure keys' Chinese names come from their types
    "类型": "type", "措施类型": "type", "措施": "type", "治理类型": "type",
    "县区": "county", "区县": "county", "县": "county", "所属县区": "county", "县(市、区)": "county",
    "县（市、区）": "county",
}
TYPE_ALIASES = TYPE_NAMES
HEADER_ALIASES = {**REGISTER_HEADERS, **HEADER_NAMES}
__doc__ = (__doc__ or "").replace("{names_table}", names_table())

IGNORED_HEADERS = frozenset({
    "序号", "备注", "企业名称", "单位名称", "地址", "乡镇", "乡镇(街道)", "村", "行政村", "村庄", "联系人", "联系电话",
    "车牌号", "号牌号码", "note", "notes", "remark", "remarks",
})

_KEYS = frozenset({"type", "county"} | {key for t in MEASURE_TYPES.values() for key in t.keys})
_POLLUTANT_MAPS = frozenset(key for t in MEASURE_TYPES.values() for key, spec in t.keys.items()
                            if isinstance(spec.kind, PollutantMapKind))
_HEADER_UNIT = re.compile(r"^(?P<name>.+?)\s*[\[(（【](?P<unit>[^\[\]()（）【】]+)[\])）】]$")
_BRACKETS = re.compile(r"[\[\]()（）【】]")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"[-+]?\d+")
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "是": True, "否": False}
_CSV_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_FAILED = object()  # a cell whose problem is already recorded
MAX_CSV_BYTES = 512 * 2**20


@dataclass(frozen=True)
class RegisterSource:
    """A register a scenario names, and where the scenario names it.

    ``name`` is the text of ``measures_file`` (shown in messages and row
    ids); ``county`` is set for a county-level register; ``field``, ``file``,
    ``line`` and ``column`` locate ``measures_file`` in the scenario.
    """

    path: Path
    name: str
    sheet: str | None = None
    county: str | None = None
    field: str = "measures_file"
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def error(self, message: str, hint: str | None = None) -> ScenarioError:
        """A problem with ``measures_file`` itself, located in the scenario."""
        return self.located(ScenarioError(message, hint=hint))

    def located(self, error: ScenarioError) -> ScenarioError:
        """``error`` (about the file as a whole) placed at the scenario's line that names the file."""
        return error.located(file=self.file, line=self.line, column=self.column, field=self.field)

    @property
    def what(self) -> str:
        """The kind of file, for messages."""
        return _what(self.field)


def _what(field: str) -> str:
    """What the file that ``field`` (``measures_file``, ``counties.X.baselines_file`` ...) names is."""
    return "baselines table" if field.endswith("baselines_file") else "register"


@dataclass(frozen=True)
class Column:
    """A header cell: the key (and sub-key, ``NOx`` of ``emission_factors.NOx``) it feeds, and its unit."""

    index: int
    header: str
    key: str
    sub: str | None = None
    unit: str | None = None

    @property
    def label(self) -> str:
        return column_label(self.header)


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


@dataclass
class Register:
    """A checked register: one :class:`Block` per measure type."""

    source: RegisterSource
    blocks: list[Block]


class Problems:
    """A register's problems by row and column, raised together in row order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: dict[tuple[int, str, str], Problem] = {}

    def add(self, row: int, label: str, error: ScenarioError) -> None:
        for problem in error.problems:
            self.found.setdefault((row, label, problem.message),
                                  Problem(problem.message, self.name, row, None, label, problem.hint))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        raise ScenarioError(problems=sorted(self.found.values(), key=lambda problem: problem.line or 0))


# ---------------------------------------------------------------- cells


def _as_number(value: Any) -> int | float | None:
    """A cell as a plain number (text ``"12"`` -> 12, ``"0.7"`` -> 0.7), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value := fold_width(value)):  # full-width too: １０．５
        return int(value) if _INTEGER.fullmatch(value) else float(value)
    return None


def _typed(value: Any) -> Any:
    """What YAML would make of a cell's text (a number, a boolean), or None (dates: DateKind reads the text).

    For the cells of a mapping key (``window.start``, ``window.end``), the
    mapping with each cell typed.
    """
    if isinstance(value, Mapping):
        typed = {sub: cell if (new := _typed(cell)) is None else new for sub, cell in value.items()}
        return typed if typed != value else None
    number = _as_number(value)
    if number is not None or not isinstance(value, str):
        return number
    folded = value.lower()
    return _BOOLEANS.get(folded)


def _check_cell(value: Any, kind: Kind, unit: str | None) -> Any:
    """One distinct cell checked by ``kind``, as text first, then as YAML would type it."""
    if unit is not None:
        number = _as_number(value)
        if number is None:
            raise ScenarioError(f"{excerpt(str(value))} is not a number",
                                hint=f"the header gives the unit [{unit}]; write a plain number")
        return kind.check(f"{number} {unit}")
    try:
        return kind.check(value)
    except ScenarioError:
        typed = _typed(value)
        if typed is None or typed is value:
            raise
        return kind.check(typed)


def _attempt(check: Callable[[Any], Any], value: Any) -> Any:
    """``check(value)``, or the ScenarioError it raised."""
    try:
        return check(value)
    except ScenarioError as error:
        return error


def _unit_probe(kind: Kind, unit: str) -> ScenarioError | float | tuple:
    """The canonical value of ``1 unit`` for ``kind``, or why the unit does not fit."""
    try:
        probe = kind.check(f"1 {unit}")
    except ScenarioError as error:
        return ScenarioError(f"the unit [{unit}] does not fit: {error.first.message}", hint=error.first.hint)
    if isinstance(probe, (float, tuple)):
        return probe
    return ScenarioError(f"takes no unit [{unit}]", hint="write the value in each cell and no unit in the header")


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return None if pd.isna(value) else value


@dataclass(frozen=True)
class _Cells:
    """One column's cells as a code per row into its distinct values, stripped (-1: an empty cell).

    Everything checks the distinct values once and maps the result back
    through the codes: a register repeats the same few texts many times.
    """

    codes: np.ndarray
    uniques: np.ndarray

    @classmethod
    def of(cls, column: pd.Series) -> _Cells:
        """A column as read; a CSV's comes already coded (categorical).

        Excel booleans become TRUE/FALSE first (they would hash equal to 1 and 0).
        """
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, raw = column.cat.codes.to_numpy(), column.cat.categories.to_numpy(dtype=object)
        else:
            values = column.to_numpy(dtype=object)
            codes, raw = pd.factorize(values)
            if pd.api.types.infer_dtype(raw, skipna=True) != "string":  # an Excel sheet's numbers, dates ...
                values = objects([("TRUE" if v else "FALSE") if isinstance(v, bool) else v for v in values])
                codes, raw = pd.factorize(values)
        cleaned, uniques = pd.factorize(objects([_clean_cell(value) for value in raw]))  # None -> -1
        return cls(np.append(cleaned, -1)[codes], uniques)  # code -1 (empty as read) stays -1

    def take(self, positions: np.ndarray) -> _Cells:
        return _Cells(self.codes[positions], self.uniques)

    def filled(self) -> np.ndarray:
        return self.codes >= 0


@dataclass(frozen=True)
class _Checked:
    """A key's checked values: a code per row into ``results``, one per distinct cell (-1: empty).

    ``results`` holds ``_FAILED`` where a cell's problem is recorded.
    """

    codes: np.ndarray
    results: list[Any]

    @classmethod
    def failed(cls, filled: np.ndarray) -> _Checked:
        """Every filled cell failed (a problem with the whole column is recorded)."""
        return cls(np.where(filled, 0, -1), [_FAILED])

    def rows(self, empty: Any = None, failed: Any = _FAILED) -> np.ndarray:
        """One value per row, ``empty`` where no value is given, ``failed`` where it failed."""
        return objects([*(failed if result is _FAILED else result for result in self.results), empty])[self.codes]

    def floats(self) -> np.ndarray:
        """Numbers as one float per row, NaN where no value is given or it failed."""
        return np.array([np.nan if result is _FAILED else result for result in self.results] + [np.nan],
                        dtype=np.float64)[self.codes]


# ---------------------------------------------------------------- reading


def _check_utf8(data: bytes, name: str) -> None:
    """UTF-8 (with or without a BOM) passes; GBK and other encodings are errors saying what to do."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            what = "it looks like GBK, what Excel's 'CSV(逗号分隔)' saves on Chinese Windows"
        except UnicodeDecodeError:
            what = "an unknown encoding"
        raise ScenarioError(f"the file is not UTF-8 ({what})", file=name, line=line,
                            hint="save it as UTF-8: in Excel 另存为 > 'CSV UTF-8(逗号分隔)(*.csv)'; "
                                 "in WPS or LibreOffice choose the encoding UTF-8") from None


def _read_csv(source: RegisterSource, data: bytes) -> pd.DataFrame:
    if source.sheet is not None:
        raise source.error(f"{source.path.name} is a CSV file and has no sheet {source.sheet!r}",
                           hint="name a sheet after # only for .xlsx workbooks")
    _check_utf8(data, source.name)
    try:
        # the bytes, not a decoded copy: a text buffer holds 4 bytes a character, and pandas would encode it
        # back; categorical: the parser hashes each text once, in C; in one piece (not low_memory's chunks,
        # whose categories would be merged afterwards)
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", header=None, dtype="category",
                            keep_default_na=False, na_filter=False, skip_blank_lines=False, low_memory=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserError as error:
        match = _CSV_FIELDS.search(str(error))
        if match is None:
            raise ScenarioError(f"cannot read it as CSV: {excerpt(str(error).strip(), 120)}",
                                file=source.name) from None
        expected, line, saw = map(int, match.groups())
        raise ScenarioError(f"{saw} cells, but the header has {expected}", file=source.name, line=line,
                            hint="quote cells that contain commas, or add the missing header") from None
    frame.index = frame.index + 1  # spreadsheet row numbers: the header is row 1
    return frame


def _read_xlsx(source: RegisterSource, data: bytes) -> pd.DataFrame:
    with open_workbook(data, source.name) as book:
        names = [str(name) for name in book.sheetnames]
        if source.sheet is not None and source.sheet not in names:
            raise source.error(f"{source.path.name} has no sheet {source.sheet!r}",
                               hint=did_you_mean(source.sheet, names) or f"its sheets: {', '.join(names)}")
        return sheet_cells(book, source.sheet, source.name)


def _read(source: RegisterSource) -> pd.DataFrame:
    """The first (or named) sheet's cells, header included, nothing coerced (a CSV's as texts).

    The frame's index holds the spreadsheet's row numbers (the header is
    row 1); an XLSX's holds only rows with a cell filled.
    """
    suffix = source.path.suffix.lower()
    if suffix in (".xls", ".et"):
        raise source.error(f"{source.path.name}: old {suffix} workbooks are not read",
                           hint="save it as .xlsx, or as 'CSV UTF-8(逗号分隔)'")
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise source.error(f"{source.path.name}: unknown {source.what} format {suffix!r}",
                           hint="a .csv (UTF-8) or .xlsx file")
    csv = suffix in (".csv", ".txt")
    try:
        data = read_bytes(source.path, source.what, MAX_CSV_BYTES if csv else MAX_XLSX_BYTES, source.name,
                          hint="split it into several registers" if source.what == "register" else None)
    except ScenarioError as error:
        raise source.located(error) from None
    return _read_csv(source, data) if csv else _read_xlsx(source, data)


# ---------------------------------------------------------------- header


def header_path(name: str) -> str | None:
    """``capacity``, ``window.start``, ``emission_factors.NOx`` ... for a header name, or None."""
    folded = fold(name)
    if folded in _KEYS:
        return folded
    alias = HEADER_ALIASES.get(name.strip()) or HEADER_ALIASES.get(folded)
    if alias is not None:
        return alias
    prefix, dot, sub = name.partition(".")
    if not dot or not sub.strip() or _BRACKETS.search(sub):
        return None
    head = header_path(prefix)
    return f"{head}.{sub.strip()}" if head is not None and "." not in head else None


def header_unit(header: str) -> tuple[str, str | None]:
    """A header's name and the unit in its brackets: ``capacity [t_steam/h]`` -> (capacity, t_steam/h).

    A header without a unit gives itself and None.
    """
    match = _HEADER_UNIT.match(header)
    return (header, None) if match is None else (match["name"], match["unit"].strip())


def ignored(header: str) -> bool:
    """Is it a descriptive column (序号, 备注 ...) that feeds no calculation?"""
    return header in IGNORED_HEADERS or fold(header) in IGNORED_HEADERS


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


def parse_header(header: Sequence[str], cells: Sequence[_Cells], problems: Problems,
                 parse: Callable[[int, str], Column | None] = _parse_column) -> list[Column]:
    """The columns ``parse`` finds in the header; unnamed columns with values and repeated ones are problems."""
    columns: list[Column] = []
    first: dict[tuple[str, str | None], Column] = {}
    for index, text in enumerate(header):
        if not text:
            if cells[index].filled().any():
                problems.add(1, f"column {index + 1}", ScenarioError("has values but no header"))
            continue
        try:
            column = parse(index, text)
        except ScenarioError as error:
            problems.add(1, column_label(text), error)
            continue
        if column is None:
            continue
        seen = first.setdefault((column.key, column.sub), column)
        if seen is not column:
            problems.add(1, column.label, ScenarioError(f"repeats column {seen.header!r}"))
            continue
        columns.append(column)
    return columns


# ---------------------------------------------------------------- checking


class Checker:
    """Checks one register's cells column by column, recording problems by row and column.

    ``table`` and ``period`` check measures' names (vehicle classes, sectors,
    fuels) and dates; a baselines table needs neither.
    """

    def __init__(self, source: RegisterSource, cells: list[_Cells], rows: np.ndarray, columns: list[Column],
                 problems: Problems, table: FactorTable | None = None, period: Period | None = None) -> None:
        self.source = source
        self.cells = cells
        self.rows = rows
        self.table = table
        self.period = period
        self.problems = problems
        self.by_key: dict[str, list[Column]] = {}
        for column in columns:
            self.by_key.setdefault(column.key, []).append(column)

    def values(self, column: Column, evaluate: Callable[[list[Any]], list[Any]],
               positions: np.ndarray) -> _Checked:
        """``column``'s cells at ``positions``, ``evaluate`` running once over the distinct ones among them."""
        cells = self.cells[column.index]
        codes = cells.codes[positions]
        present = np.zeros(len(cells.uniques) + 1, dtype=bool)
        present[codes] = True  # an empty cell's -1 marks the last, unused
        used = np.flatnonzero(present[:-1])
        renumber = np.full(len(present), -1)
        renumber[used] = np.arange(len(used))
        return self.spread(renumber[codes], evaluate(cells.uniques[used].tolist()), lambda _: column.label,
                           positions)

    def spread(self, codes: np.ndarray, results: list[Any], where: Callable[[ScenarioError], str],
               positions: np.ndarray) -> _Checked:
        """``results`` for the rows at ``positions``; failed ones become ``_FAILED`` and problems."""
        failed = [i for i, result in enumerate(results) if isinstance(result, ScenarioError)]
        if failed:
            for at in np.flatnonzero(np.isin(codes, failed)).tolist():
                error = results[codes[at]]
                self.problems.add(int(self.rows[positions[at]]), where(error), error)
            for i in failed:
                results[i] = _FAILED
        return _Checked(codes, results)

    def checked(self, column: Column, check: Callable[[Any], Any], positions: np.ndarray) -> _Checked:
        """``column``'s cells at ``positions``, each distinct value through ``check``."""
        return self.values(column, lambda uniques: [_attempt(check, value) for value in uniques], positions)

    def column(self, kind: Kind, column: Column, positions: np.ndarray,
               refine: Callable[[Any], Any] | None = None) -> _Checked:
        """One column's cells at ``positions``, checked by ``kind`` (and ``refine``, if given)."""
        if column.unit is None:
            return self.checked(column, lambda v: _refined(_check_cell(v, kind, None), refine), positions)
        probe = _unit_probe(kind, column.unit)
        if isinstance(probe, ScenarioError):
            self.problems.add(1, column.label, probe)
            return _Checked.failed(self.cells[column.index].codes[positions] >= 0)
        if isinstance(kind, QuantityKind) and isinstance(probe, float) and refine is None:
            return self.values(column, lambda uniques: _scaled(uniques, kind, column.unit or "", probe), positions)
        return self.checked(column, lambda v: _refined(_check_cell(v, kind, column.unit), refine), positions)

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

    def key(self, type_name: str, key: str, kind: Kind, positions: np.ndarray) -> PollutantColumns | _Checked:
        """The values of ``key`` for the rows of one type, from one or more columns."""
        columns = self.by_key[key]
        if isinstance(kind, PollutantMapKind):
            return self.pollutant_map(type_name, kind, columns, positions)
        if len(columns) == 1 and columns[0].sub is None:
            return self.column(kind, columns[0], positions, self.refiner(type_name, key))
        return self.mapping(type_name, key, kind, columns, positions)

    def pollutant_map(self, type_name: str, kind: PollutantMapKind, columns: list[Column],
                      positions: np.ndarray) -> PollutantColumns | _Checked:
        """One column per pollutant, checked, as :class:`PollutantColumns`."""
        plain = [column for column in columns if column.sub is None]
        for column in plain:
            self.problems.add(1, column.label, ScenarioError(
                "takes one column per pollutant", hint=f"name them like {column.key}.NOx, {column.key}.SO2"))
        if plain:
            return _Checked.failed(np.ones(len(positions), dtype=bool))
        mapping = PollutantColumns(len(positions), {}, {} if kind.item is FACTOR else None)
        for column in columns:
            checked = self.column(kind.item, column, positions, self.refiner(type_name, column.key))
            sub = column.sub or ""
            if mapping.units is None:  # fractions
                mapping.values[sub] = checked.floats()
                continue
            pairs = [(np.nan, None) if result is _FAILED else result for result in checked.results]  # (value, unit)
            mapping.values[sub] = np.array([*(value for value, _ in pairs), np.nan], dtype=np.float64)[checked.codes]
            mapping.units[sub] = objects([*(unit for _, unit in pairs), None])[checked.codes]
        return mapping

    def mapping(self, type_name: str, key: str, kind: Kind, columns: list[Column], positions: np.ndarray) -> _Checked:
        """A mapping key (``window.start``, ``window.end``), checked per distinct row of its columns."""
        units = [column for column in columns if column.unit is not None or column.sub is None]
        for column in units:
            self.problems.add(1, column.label, ScenarioError(
                f"write {key} as one column per part, like {key}.start, without units"))
        if units:
            return _Checked.failed(np.ones(len(positions), dtype=bool))
        parts = [self.cells[column.index].take(positions) for column in columns]
        given = np.logical_or.reduce([part.filled() for part in parts])
        index: dict[tuple[int, ...], int] = {}  # distinct rows of the parts' codes
        codes = np.full(len(positions), -1)
        codes[given] = [index.setdefault(row, len(index)) for row in zip(*(part.codes[given].tolist() for part in parts))]
        refine = self.refiner(type_name, key)

        def evaluate(uniques: list[tuple[int, ...]]) -> list[Any]:
            given = [{column.sub: part.uniques[code] for column, part, code in zip(columns, parts, row) if code >= 0}
                     for row in uniques]
            return [_attempt(lambda m: _refined(_check_cell(m, kind, None), refine), m) for m in given]

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

    def defaulted(self, type_name: str, key: str, spec: Key, given: PollutantColumns | _Checked | None,
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
            return [_FAILED] * len(positions)
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


def _refined(value: Any, refine: Callable[[Any], Any] | None) -> Any:
    return value if refine is None else refine(value)


def _scaled(uniques: list[Any], kind: QuantityKind, unit: str, factor: float) -> list[Any]:
    """Distinct numbers under a header unit, in ``kind.unit``: one multiplication for all.

    Cells that are not plain numbers, or out of range, go through the field
    kind for its error message.
    """
    numbers = np.array([np.nan if (n := _as_number(v)) is None else n for v in uniques], dtype=np.float64)
    scaled = numbers * factor
    with np.errstate(invalid="ignore"):
        good = (np.abs(numbers) <= LARGEST) & ((scaled > 0) if kind.positive else (scaled >= 0))
    return [value if ok else _attempt(lambda v: _check_cell(v, kind, unit), cell)
            for value, ok, cell in zip(scaled.tolist(), good.tolist(), uniques)]


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


def read_cells(source: RegisterSource, layout: str) -> tuple[list[str], list[_Cells], np.ndarray]:
    """A sheet's header texts, its columns' cells and their spreadsheet row numbers.

    Rows with no cell filled are left out; ``layout`` says what row 1
    should hold, for an empty file.
    """
    frame = _read(source)
    if frame.empty:
        raise ScenarioError("the file is empty", file=source.name, line=1, hint=layout)
    first = int(frame.index[0]) == 1  # an XLSX whose row 1 is empty has no header
    header = ["" if pd.isna(value) else str(value).strip() for value in frame.iloc[0].tolist()] if first else \
        [""] * frame.shape[1]
    body = frame.iloc[1:] if first else frame
    every = [_Cells.of(body.iloc[:, index]) for index in range(frame.shape[1])]
    filled = np.zeros(len(body), dtype=bool)
    for column in every:
        filled |= column.filled()
    kept = np.flatnonzero(filled)
    return header, [column.take(kept) for column in every], body.index.to_numpy(dtype=np.int64)[kept]


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
    columns = parse_header(header, cells, problems)
    checker = Checker(source, cells, rows, columns, problems, table, period)
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
    columns = {column.key: column for column in parse_header(header, cells, problems)}
    problems.raise_if_any()
    if "county" not in columns:
        raise ScenarioError("no county column", file=source.name, line=1, field="column county",
                            hint="a register for several counties needs a column county (县区) naming each row's")

    def cells_of(key: str) -> list[str]:
        column = cells[columns[key].index] if key in columns else None
        return [] if column is None else [str(column.uniques[code]) for code in column.codes[column.codes >= 0]]

    return list(dict.fromkeys(cells_of("county"))), dict(Counter(cells_of("type")))


# ---------------------------------------------------------------- joining the scenario


def register_source(spec: str | Mapping[str, Any], folder: PlanFolder, container: Any, key: str,
                    county: str | None, file: str | None) -> RegisterSource:
    """Where ``container[key]`` (``measures_file``, ``baselines_file``) points: ``file.csv``,
    ``{path: file.xlsx, sheet: 锅炉}``, or ``file.xlsx#锅炉``.

    In the short form, ``#`` names a sheet only when no file has the whole
    name. The path must keep to the plan's folder (:mod:`reduccalc.inputfiles`).

    Raises
    ------
    ScenarioError
        For a path outside the plan's folder, located at ``container[key]``.
    """
    line, column = position(container, key)
    field = key if county is None else f"counties.{county}.{key}"
    if isinstance(spec, Mapping):
        checked = check_mapping(spec, {"path": Key(TextKind(), MISSING), "sheet": Key(TextKind(), None)},
                                path=field, file=file)
        name, sheet = str(checked["path"]), checked["sheet"]
    else:
        name, sheet = spec, None
        if not folder.join(spec).exists() and "#" in spec:
            name, sheet = spec.rsplit("#", 1)
    try:
        path = folder.resolve(name, _what(field))
    except ScenarioError as error:
        raise error.located(file=file, line=line, column=column, field=field) from None
    return RegisterSource(path, spec if isinstance(spec, str) else name, sheet or None, county, field, file, line,
                          column)


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
