"""One sheet of an XLSX workbook as cells: streamed, bounded, nothing read as empty that is not.

Registers and baselines tables come as XLSX. The sheet is streamed row by
row (openpyxl's read-only parser, with the values Excel saved); only filled
cells are kept, each at its row and column, so a sheet whose ``<dimension>``
claims ``A1:XFD1048576`` costs what its cells cost. Bounds, checked while
streaming: the file's size, what its zip members unpack to (as declared, and
enforced by :mod:`zipfile`), rows up to Excel's 1,048,576, ``MAX_COLUMNS``
columns and ``MAX_CELLS`` cells in the used range.

Cells Excel shows a value in but that a reader would see as empty are not
left empty:

- a merged range (a 完成时间 merged over a batch of rows) gives its value,
  the top-left cell's, to each of its cells in rows that hold other cells;
- an error cell (``#DIV/0!``, ``#N/A`` ...) and a formula without a saved
  value (written by a program, never opened in Excel) are errors naming row
  and column: left empty they would silently take a table default.

A file that is not an XLSX workbook (a CSV renamed, an old ``.xls``, an
encrypted workbook, a download cut short) is named as what it is.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..inputfiles import OLE2_MAGIC, ZIP_MAGIC, column_label, excerpt

MAX_XLSX_BYTES = 128 * 2**20  # the .xlsx file
MAX_UNPACKED = 2 * 2**30  # what its members unpack to, together
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 1_000
MAX_CELLS = 50_000_000  # rows x columns of the used range
_UNSAVED = "formula without a saved value"


def _parser_class() -> type:
    """openpyxl's sheet parser, marking formula cells without a saved value (it reads them as empty)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc, valid-type]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["data_type"] = _UNSAVED
            return cell

    return Parser


def _not_a_workbook(data: bytes, name: str) -> ScenarioError:
    """What a file that is no zip archive is, as far as its first bytes tell."""
    if data.startswith(OLE2_MAGIC):
        return ScenarioError("is an old-format (.xls) or password-protected workbook, not an .xlsx", file=name,
                             hint="open it in Excel or WPS and save it as .xlsx without a password, or as "
                                  "'CSV UTF-8(逗号分隔)'")
    if not data:
        return ScenarioError("is empty (0 bytes), not an XLSX workbook", file=name)
    try:
        text = data[:200].decode("utf-8-sig")
    except UnicodeDecodeError:
        return ScenarioError(f"is not an XLSX workbook (an .xlsx is a zip archive; this file starts with "
                             f"{data[:8]!r})", file=name)
    return ScenarioError(f"is text, not an XLSX workbook (it starts {excerpt(text.splitlines()[0])})", file=name,
                         hint="a CSV file must be named .csv")


@contextmanager
def open_workbook(data: bytes, name: str) -> Iterator[Any]:
    """An openpyxl read-only workbook of ``data`` (the file's bytes), checked to be one; ``name`` for messages."""
    import openpyxl

    if not data.startswith(ZIP_MAGIC):
        raise _not_a_workbook(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            members = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ScenarioError("is damaged or incomplete: an .xlsx is a zip archive and this one cannot be opened "
                            "(cut short while copying or downloading?)", file=name,
                            hint="copy the file again, or open and save it in Excel") from None
    if unpacked > MAX_UNPACKED:
        raise ScenarioError(f"unpacks to {unpacked / 2**20:,.0f} MB; a workbook is read up to "
                            f"{MAX_UNPACKED / 2**20:,.0f} MB", file=name, hint="save it as CSV UTF-8")
    if "xl/workbook.xml" not in members:
        raise ScenarioError("is a zip archive but not an XLSX workbook (no xl/workbook.xml: an .ods, .docx or "
                            "other file renamed?)", file=name, hint="save it from Excel or WPS as .xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # zipfile, openpyxl and XML parsers raise many kinds for a damaged file
        raise ScenarioError(f"is a damaged XLSX workbook ({type(error).__name__})", file=name,
                            hint="open and save it in Excel, or save it as CSV UTF-8") from None
    try:
        yield book
    finally:
        book.close()


def sheet_cells(book: Any, sheet: str | None, name: str) -> pd.DataFrame:
    """A sheet's filled cells as a frame: index the spreadsheet row numbers, columns 0, 1 ... (A, B ...).

    Rows without a filled cell are left out; merged ranges are filled in.

    Raises
    ------
    ScenarioError
        For error cells and formulas without a saved value (naming row and
        column), a sheet past the bounds, or a damaged sheet.
    """
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of dates out of range, which it reads as #VALUE!
            rows, columns, values, bad, merged = _stream(worksheet, book, name)
    except ScenarioError:
        raise
    except Exception as error:  # a damaged member: XML, zip CRC ...
        raise ScenarioError(f"is a damaged XLSX workbook: its sheet cannot be read ({type(error).__name__})",
                            file=name, hint="open and save it in Excel, or save it as CSV UTF-8") from None
    if not values and not bad:
        return pd.DataFrame()
    numbers, at = np.unique(np.array(rows, dtype=np.int64), return_inverse=True)
    width = max(columns, default=0)
    if len(numbers) * width > MAX_CELLS:
        raise ScenarioError(f"its used range is {len(numbers):,} rows x {width:,} columns; a sheet is read up to "
                            f"{MAX_CELLS:,} cells", file=name, hint="delete empty rows and columns, or save it as CSV")
    grid = np.full((len(numbers), width), None, dtype=object)
    grid[at, np.array(columns, dtype=np.int64) - 1] = _objects(values)
    _fill_merged(grid, numbers, merged)
    if bad:
        raise _cell_errors(bad, grid, numbers, name)
    return pd.DataFrame(grid, index=numbers)


def _objects(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _stream(worksheet: Any, book: Any, name: str) -> tuple[list[int], list[int], list[Any], list[tuple], list[str]]:
    """Rows, columns and values of the filled cells; (row, column, kind, value) of bad ones; merged ranges."""
    rows: list[int] = []
    columns: list[int] = []
    values: list[Any] = []
    bad: list[tuple[int, int, str, Any]] = []
    with worksheet._get_source() as source:
        parser = _parser_class()(source, worksheet._shared_strings, data_only=True, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            if number > MAX_ROWS:
                raise ScenarioError(f"has a row {number:,}, past Excel's last ({MAX_ROWS:,})", file=name)
            for cell in cells:
                column, value, kind = cell["column"], cell["value"], cell["data_type"]
                if column > MAX_COLUMNS:
                    raise ScenarioError(f"has a cell in column {_letter(column)} ({column:,}); a sheet is read up "
                                        f"to {MAX_COLUMNS:,} columns", file=name, line=cell["row"],
                                        hint="delete the columns after the table's last")
                if kind == "e" or kind == _UNSAVED:
                    bad.append((cell["row"], column, kind, value))
                elif value is not None:
                    rows.append(cell["row"])
                    columns.append(column)
                    values.append(value)
        ranges = parser.merged_cells
    return rows, columns, values, bad, [str(cell.ref) for cell in ranges.mergeCell] if ranges is not None else []


def _fill_merged(grid: np.ndarray, numbers: np.ndarray, ranges: list[str]) -> None:
    """Give each merged range's value (its top-left cell's) to its cells in the rows ``grid`` holds."""
    from openpyxl.utils.cell import range_boundaries

    for ref in ranges:
        first_column, first_row, last_column, last_row = range_boundaries(ref)
        top = np.searchsorted(numbers, first_row)
        if top == len(numbers) or numbers[top] != first_row or first_column > grid.shape[1]:
            continue  # its top-left cell is empty: nothing to fill
        value = grid[top, first_column - 1]
        if value is not None:
            end = np.searchsorted(numbers, last_row, side="right")
            grid[top:end, first_column - 1:min(last_column, grid.shape[1])] = value


def _letter(column: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return str(get_column_letter(column))


def _label(grid: np.ndarray, numbers: np.ndarray, column: int) -> str:
    """A column as problems name it: by its header (row 1), else by its letter."""
    header = grid[0, column - 1] if len(numbers) and numbers[0] == 1 and column <= grid.shape[1] else None
    return column_label(str(header).strip()) if header is not None else f"column {_letter(column)}"


def _cell_errors(bad: list[tuple[int, int, str, Any]], grid: np.ndarray, numbers: np.ndarray,
                 name: str) -> ScenarioError:
    problems = []
    for row, column, kind, value in sorted(bad):
        if kind == _UNSAVED:
            message, hint = _UNSAVED, "open and save the file in Excel, or write the value"
        else:
            message, hint = f"Excel error {excerpt(str(value))} in the cell", "correct the formula or write the value"
        problems.append(Problem(message, name, row, None, _label(grid, numbers, column), hint))
    return ScenarioError(problems=problems)
