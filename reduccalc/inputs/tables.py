"""Tables read from a plan's folder: CSV and XLSX cells, headers and checking, for measure registers and baselines.

A measure register (:mod:`reduccalc.inputs.registers`) and a baselines table
(:mod:`reduccalc.inputs.baselines`) are both a sheet whose row 1 is the
header and whose other rows are checked column by column. This module holds
what they share, and knows nothing of measure types:

- where a scenario's ``measures_file`` / ``baselines_file`` points
  (:func:`register_source`, :class:`RegisterSource`);
- reading the bytes: a UTF-8 CSV as text (a GBK one refused with advice),
  an XLSX as Excel shows it (:mod:`reduccalc.inputs.workbook`), rows with no
  cell filled left out (:func:`read_cells`);
- each column's cells as codes into its distinct values (:class:`Cells`),
  so that a value repeated 100,000 times is checked once;
- headers: a unit in brackets (:func:`header_unit`), descriptive columns
  that feed no calculation (:func:`ignored`), a header name to a key
  (:func:`header_key`), the columns of a header row (:func:`parse_header`,
  given how to read one header cell);
- checking a column's cells by a field kind, with problems collected by
  row and column (:class:`Checker`, :class:`Problems`).

Each table's own layout (which columns, which kinds, what a row means) is
in its module.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError, did_you_mean
from ..fields import MISSING, Key, Kind, QuantityKind, TextKind, check_mapping
from ..inputfiles import PlanFolder, column_label, excerpt, read_bytes
from ..measures.batch import objects
from ..positions import position
from ..units import LARGEST, fold_width
from ..vocabulary import fold
from .workbook import MAX_XLSX_BYTES, open_workbook, sheet_cells

COUNTY_HEADERS = {  # the county column's Chinese names, in registers and baselines tables
    "县区": "county", "区县": "county", "县": "county", "所属县区": "county", "县(市、区)": "county",
    "县（市、区）": "county",
}
IGNORED_HEADERS = frozenset({
    "序号", "备注", "企业名称", "单位名称", "地址", "乡镇", "乡镇(街道)", "村", "行政村", "村庄", "联系人", "联系电话",
    "车牌号", "号牌号码", "note", "notes", "remark", "remarks",
})

_HEADER_UNIT = re.compile(r"^(?P<name>.+?)\s*[\[(（【](?P<unit>[^\[\]()（）【】]+)[\])）】]$")
_BRACKETS = re.compile(r"[\[\]()（）【】]")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"[-+]?\d+")
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "是": True, "否": False}
_CSV_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
FAILED = object()  # a cell whose problem is already recorded
MAX_CSV_BYTES = 512 * 2**20


@dataclass(frozen=True)
class RegisterSource:
    """A register (or baselines table) a scenario names, and where the scenario names it.

    ``name`` is the text of ``measures_file`` or ``baselines_file`` (shown
    in messages and row ids); ``county`` is set for a county-level register;
    ``field``, ``file``, ``line`` and ``column`` locate it in the scenario.
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


class Problems:
    """A table's problems by row and column, raised together in row order."""

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


def check_cell(value: Any, kind: Kind, unit: str | None) -> Any:
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


def attempt(check: Callable[[Any], Any], value: Any) -> Any:
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
class Cells:
    """One column's cells as a code per row into its distinct values, stripped (-1: an empty cell).

    Everything checks the distinct values once and maps the result back
    through the codes: a register repeats the same few texts many times.
    """

    codes: np.ndarray
    uniques: np.ndarray

    @classmethod
    def of(cls, column: pd.Series) -> Cells:
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

    def take(self, positions: np.ndarray) -> Cells:
        return Cells(self.codes[positions], self.uniques)

    def filled(self) -> np.ndarray:
        return self.codes >= 0


@dataclass(frozen=True)
class Checked:
    """A key's checked values: a code per row into ``results``, one per distinct cell (-1: empty).

    ``results`` holds ``FAILED`` where a cell's problem is recorded.
    """

    codes: np.ndarray
    results: list[Any]

    @classmethod
    def failed(cls, filled: np.ndarray) -> Checked:
        """Every filled cell failed (a problem with the whole column is recorded)."""
        return cls(np.where(filled, 0, -1), [FAILED])

    def rows(self, empty: Any = None, failed: Any = FAILED) -> np.ndarray:
        """One value per row, ``empty`` where no value is given, ``failed`` where it failed."""
        return objects([*(failed if result is FAILED else result for result in self.results), empty])[self.codes]

    def floats(self) -> np.ndarray:
        """Numbers as one float per row, NaN where no value is given or it failed."""
        return np.array([np.nan if result is FAILED else result for result in self.results] + [np.nan],
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


def read_cells(source: RegisterSource, layout: str) -> tuple[list[str], list[Cells], np.ndarray]:
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
    every = [Cells.of(body.iloc[:, index]) for index in range(frame.shape[1])]
    filled = np.zeros(len(body), dtype=bool)
    for column in every:
        filled |= column.filled()
    kept = np.flatnonzero(filled)
    return header, [column.take(kept) for column in every], body.index.to_numpy(dtype=np.int64)[kept]


# ---------------------------------------------------------------- header


def header_key(name: str, keys: Collection[str], aliases: Mapping[str, str]) -> str | None:
    """The key (``capacity``), or key and sub-key (``window.start``, ``emission_factors.NOx``), a header
    name gives, or None.

    ``keys`` are the table's keys, matched after folding case and width;
    ``aliases`` map other names (Chinese ones) to keys. After a dot, a
    sub-key of a key, as written.
    """
    folded = fold(name)
    if folded in keys:
        return folded
    alias = aliases.get(name.strip()) or aliases.get(folded)
    if alias is not None:
        return alias
    prefix, dot, sub = name.partition(".")
    if not dot or not sub.strip() or _BRACKETS.search(sub):
        return None
    head = header_key(prefix, keys, aliases)
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


def parse_header(header: Sequence[str], cells: Sequence[Cells], problems: Problems,
                 parse: Callable[[int, str], Column | None]) -> list[Column]:
    """The columns ``parse`` finds in the header; unnamed columns with values and repeated ones are problems.

    ``parse`` reads one header cell: its :class:`Column`, None for a column
    to ignore, or a ScenarioError for a header the table does not take.
    """
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
    """Checks one table's cells column by column, recording problems by row and column.

    A measure register's per-type checks build on it
    (:class:`reduccalc.inputs.registers.MeasureChecker`).
    """

    def __init__(self, source: RegisterSource, cells: list[Cells], rows: np.ndarray, columns: list[Column],
                 problems: Problems) -> None:
        self.source = source
        self.cells = cells
        self.rows = rows
        self.problems = problems
        self.by_key: dict[str, list[Column]] = {}
        for column in columns:
            self.by_key.setdefault(column.key, []).append(column)

    def values(self, column: Column, evaluate: Callable[[list[Any]], list[Any]],
               positions: np.ndarray) -> Checked:
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
               positions: np.ndarray) -> Checked:
        """``results`` for the rows at ``positions``; failed ones become ``FAILED`` and problems."""
        failed = [i for i, result in enumerate(results) if isinstance(result, ScenarioError)]
        if failed:
            for at in np.flatnonzero(np.isin(codes, failed)).tolist():
                error = results[codes[at]]
                self.problems.add(int(self.rows[positions[at]]), where(error), error)
            for i in failed:
                results[i] = FAILED
        return Checked(codes, results)

    def checked(self, column: Column, check: Callable[[Any], Any], positions: np.ndarray) -> Checked:
        """``column``'s cells at ``positions``, each distinct value through ``check``."""
        return self.values(column, lambda uniques: [attempt(check, value) for value in uniques], positions)

    def column(self, kind: Kind, column: Column, positions: np.ndarray,
               refine: Callable[[Any], Any] | None = None) -> Checked:
        """One column's cells at ``positions``, checked by ``kind`` (and ``refine``, if given)."""
        if column.unit is None:
            return self.checked(column, lambda v: refined(check_cell(v, kind, None), refine), positions)
        probe = _unit_probe(kind, column.unit)
        if isinstance(probe, ScenarioError):
            self.problems.add(1, column.label, probe)
            return Checked.failed(self.cells[column.index].codes[positions] >= 0)
        if isinstance(kind, QuantityKind) and isinstance(probe, float) and refine is None:
            return self.values(column, lambda uniques: _scaled(uniques, kind, column.unit or "", probe), positions)
        return self.checked(column, lambda v: refined(check_cell(v, kind, column.unit), refine), positions)

def refined(value: Any, refine: Callable[[Any], Any] | None) -> Any:
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
    return [value if ok else attempt(lambda v: check_cell(v, kind, unit), cell)
            for value, ok, cell in zip(scaled.tolist(), good.tolist(), uniques)]


# ---------------------------------------------------------------- the file a scenario names


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
