"""The results workbook: summary, reductions, ledger, factors, metadata sheets.

Every text cell is written as text, whatever it starts with: a county named
``=HYPERLINK(...)`` is not a live formula, ``=== phase 1 ===`` is not a broken
one and ``#N/A`` is not an error value. What Excel cannot hold is changed
visibly and said in a note (returned, and listed on the metadata sheet):
control characters are written as ``\\x07``, a text longer than 32,767
characters is cut with a marker, and a table longer than a sheet is split
over several sheets. The CSVs hold every value as it is.

Headers are the column names of the CSVs and the API (``baseline_t``), in
bold, frozen, with an autofilter; the metadata sheet says what the less
obvious columns hold. Numbers are number cells with a format by column
(:func:`number_format`): tonnes ``#,##0.0``, percents as the number they are
with a % sign (``reduction_pct`` 5.0 shows ``5.00%``: the cell holds the
CSV's 5.0, not Excel's 0.05), factors and activities in ``General`` (2.6e-05
shows ``2.6E-05``, never ``0.000``), counts as integers. ``met`` and the
other flags are TRUE/FALSE cells, an empty cell where there is no target.

The workbook is written in openpyxl's write-only mode, row by row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..result import Result

COLUMN_NOTES = {  # listed on the metadata sheet: what a column holds where its name does not say it all
    "ledger.reduction_t": "sign x activity x factor x adjust x time_share x to_t [t]",
    "ledger.to_t": "tonnes per (activity unit x factor unit)",
    "ledger.time_share": "time in effect: years or seasons when time_unit is given, else the share of the period",
    "ledger.adjust": "product of the row's adjustments (adjust_note) [-]",
    "summary.reduction_pct": "percent of the baseline: 5.00% is 5.0 in the cell, as in summary.csv",
    "summary.met": "TRUE met, FALSE short, empty where no target applies",
}
FACTOR_COLUMNS = ["id", "category", "subject", "standard", "technology", "region", "pollutant", "value", "unit", "low",
                  "high", "control", "source", "reference", "year", "judged", "note"]
EXCEL_MAX_ROWS = 1_048_576  # rows of a sheet, the header included
EXCEL_MAX_CHARS = 32_767  # characters of a cell
TONNES = "#,##0.0"
LEDGER_TONNES = "#,##0.000"  # a ledger row's tonnes: rows of a few kg are common there
PERCENT = '0.00"%"'  # the cell holds percents (5.0 = 5 %), so the % sign is text, not Excel's x100
CONCENTRATION = "#,##0.00"  # µg/m³
COUNT = "#,##0"
YEAR = "0"
SIGN = "+0;-0;0"
SIGNIFICANT = "General"  # factors, activities, multipliers: as many digits as they need, 2.6E-05 when small
CUT_MARKER = " [... cut: {length:,} characters in all, see the CSV]"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML (and so openpyxl) refuses
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")


def _width(text: object) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def factor_sheet(result: Result) -> pd.DataFrame:
    """The factor rows the ledger used, with their citations."""
    table = result.scenario.table
    ids = [i for i in pd.unique(result.ledger["factor_id"]) if i in table.rows]
    rows: list[dict[str, Any]] = []
    for factor_id in ids:
        row = table.rows[factor_id]
        source = table.sources.get(row.source)
        rows.append({"id": row.id, "category": row.category, "subject": row.subject, "standard": row.standard,
                     "technology": row.technology, "region": row.region, "pollutant": row.quantity,
                     "value": row.value, "unit": row.unit, "low": row.low, "high": row.high,
                     "control": row.control, "source": source.citation if source else row.source,
                     "reference": row.reference, "year": int(row.year) if row.year.isdigit() else row.year,
                     "judged": row.judged, "note": row.note})
    return pd.DataFrame(rows, columns=FACTOR_COLUMNS)


def number_format(sheet: str, column: str, integer: bool = False) -> str:
    """The Excel number format of a numeric ``column`` of ``sheet``, chosen by its name's unit suffix.

    ``integer``: the column holds whole numbers (an integer dtype).
    """
    if column.endswith("_pct"):
        return PERCENT
    if column.endswith("_t"):
        return LEDGER_TONNES if sheet == "ledger" else TONNES
    if column.endswith("_ugm3"):
        return CONCENTRATION
    if column == "year":
        return YEAR
    if column == "sign":
        return SIGN
    return COUNT if integer else SIGNIFICANT


def write_workbook(result: Result, path: Path) -> list[str]:
    """Write the workbook to ``path`` (.xlsx): one sheet per table, the API's column names as headers.

    Returns the notes on what Excel could not hold as it is (also on the
    metadata sheet); an empty list when every cell is as in the CSVs.
    """
    from openpyxl import Workbook

    sheets = {
        "summary": result.summary(),
        "reductions": result.reductions,
        "ledger": result.ledger,
        "factors": factor_sheet(result),
        **({"air_quality": result.air_quality()} if len(result.air_quality_report.table) else {}),
    }
    notes: list[str] = []
    columns = {name: _columns(name, frame, notes) for name, frame in sheets.items()}
    about = [*result.metadata().items(), *((f"column {name}", note) for name, note in COLUMN_NOTES.items())]
    metadata = pd.DataFrame(about, columns=["key", "value"])
    columns["metadata"] = _columns("metadata", metadata, notes)
    for name, frame in sheets.items():
        notes.extend(_split_note(name, len(frame)))
    if notes:
        extra = _columns("metadata", pd.DataFrame({"key": ["note"] * len(notes), "value": notes}), [])
        columns["metadata"] = [column.extended(more) for column, more in zip(columns["metadata"], extra)]
    book = Workbook(write_only=True)
    for name, sheet_columns in columns.items():
        _write_sheets(book, name, sheet_columns)
    book.save(path)
    return notes


def _columns(sheet: str, frame: pd.DataFrame, notes: list[str]) -> list[_Column]:
    columns = []
    for header in frame.columns:
        series = _as_numbers(frame[header])
        form = number_format(sheet, str(header), series.dtype.kind in "iu")
        columns.append(_Column.of(series, f"{sheet}, column {header}", notes, form))
    return columns


def _as_numbers(series: pd.Series) -> pd.Series:
    """An object column whose values are all numbers (or missing) as floats; any other column as it is."""
    if series.dtype.kind != "O":
        return series
    values = [v for v in series if not _missing(v)]
    if values and all(isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_) for v in values):
        return series.astype(float)
    return series


def _split_note(name: str, rows: int) -> list[str]:
    if rows < EXCEL_MAX_ROWS:
        return []
    titles = _titles(name, rows)
    return [f"sheet {name}: {rows:,} rows split over the sheets {', '.join(titles)} (a sheet holds "
            f"{EXCEL_MAX_ROWS - 1:,} rows under its header); {name}.csv holds them in one table"]


def _titles(name: str, rows: int) -> list[str]:
    """Sheet titles for ``rows`` data rows: ``ledger``, then ``ledger 2``, ... when one sheet is not enough."""
    count = max(1, -(-rows // (EXCEL_MAX_ROWS - 1)))
    return [name if k == 0 else f"{name} {k + 1}" for k in range(count)]


def _write_sheets(book: Any, name: str, columns: list[_Column]) -> None:
    rows = len(columns[0]) if columns else 0
    per_sheet = EXCEL_MAX_ROWS - 1
    for k, title in enumerate(_titles(name, rows)):
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[_letter(index)].width = column.width
        start, stop = k * per_sheet, min(rows, (k + 1) * per_sheet)
        if columns:
            sheet.auto_filter.ref = f"A1:{_letter(len(columns))}{stop - start + 1}"
        sheet.append(_header(sheet, columns))
        for row in zip(*(column.cells(sheet, start, stop) for column in columns)):
            sheet.append(row)


def _header(sheet: Any, columns: list[_Column]) -> list[Any]:
    """The header row: bold cells, typed as text (a column named ``=x`` stays a name)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=clean_text(column.header)[0])
        cell.font, cell.data_type = bold, "s"
        cells.append(cell)
    return cells


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def clean_text(text: str) -> tuple[str, bool, bool]:
    """``text`` as a cell can hold it; and whether control characters were escaped, and whether it was cut."""
    escaped = CONTROL.search(text) is not None
    if escaped:
        text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    cut = len(text) > EXCEL_MAX_CHARS
    if cut:
        marker = CUT_MARKER.format(length=len(text))
        text = text[:EXCEL_MAX_CHARS - len(marker)] + marker
    return text, escaped, cut


def _reads_as_other(text: object) -> bool:
    """True for a text openpyxl would store as a formula or an error value."""
    return isinstance(text, str) and ((len(text) > 1 and text.startswith("=")) or text in ERROR_CODES)


class _Column:
    """One column's header, width and values as openpyxl writes them.

    Numbers stay numbers (floats and integers with the column's
    ``number_format``, NaN as an empty cell); flags stay booleans; texts are
    cleaned once per distinct value (categories of a categorical column); a
    text openpyxl would read as a formula or an error value becomes a cell
    typed as text.
    """

    def __init__(self, header: str, values: np.ndarray, width: int, as_text: np.ndarray | None = None,
                 number_format: str = SIGNIFICANT) -> None:
        self.header, self.values, self.width = header, values, width
        self.numeric = as_text is None
        self.as_text = np.array([], dtype=np.intp) if as_text is None else as_text
        self.number_format = number_format

    @classmethod
    def of(cls, series: pd.Series, where: str, notes: list[str], number_format: str = SIGNIFICANT) -> _Column:
        header = str(series.name)
        if series.dtype.kind in "fiu" and not isinstance(series.dtype, pd.CategoricalDtype):
            values = series.to_numpy(dtype=object)
            values[series.isna().to_numpy()] = None
            return cls(header, values, _column_width(header, series.head(500).tolist()), None, number_format)
        if isinstance(series.dtype, pd.CategoricalDtype):
            distinct, codes = list(series.cat.categories), series.cat.codes.to_numpy()
        else:
            distinct, codes = _distinct(series)
        cleaned, escaped, cut = zip(*(_cell_value(v) for v in distinct)) if distinct else ((), (), ())
        values = np.array([*cleaned, None], dtype=object)[codes]  # code -1 (missing) takes the None
        _note(notes, where, codes, np.flatnonzero(escaped), "had control characters, written as \\xNN")
        _note(notes, where, codes, np.flatnonzero(cut), f"were longer than {EXCEL_MAX_CHARS:,} characters, cut")
        as_text = _rows_of(codes, [i for i, v in enumerate(cleaned) if _reads_as_other(v)])
        return cls(header, values, _column_width(header, values[:500].tolist()), as_text)

    def __len__(self) -> int:
        return len(self.values)

    def extended(self, more: _Column) -> _Column:
        """This column with ``more``'s values below."""
        width = max(self.width, more.width)
        as_text = None if self.numeric else np.concatenate([self.as_text, more.as_text + len(self)])
        return _Column(self.header, np.concatenate([self.values, more.values]), width, as_text, self.number_format)

    def cells(self, sheet: Any, start: int, stop: int) -> Iterable[Any]:
        """Values of rows ``start`` to ``stop`` for ``sheet.append``, row by row."""
        from openpyxl.cell import WriteOnlyCell

        if self.numeric:
            return _formatted(WriteOnlyCell(sheet), self.values[start:stop], self.number_format)
        values = self.values[start:stop].tolist()
        for index in self.as_text[(self.as_text >= start) & (self.as_text < stop)]:
            cell = WriteOnlyCell(sheet, value=values[index - start])
            cell.data_type = "s"
            values[index - start] = cell
        return values


def _formatted(cell: Any, values: np.ndarray, number_format: str) -> Iterator[Any]:
    """Each value in the same styled write-only cell.

    openpyxl writes a row's cells when the row is appended and never keeps a
    styled cell it was given, so one cell per column carries every row.
    """
    cell.number_format = number_format
    for value in values:
        cell.value = value
        yield cell


def _distinct(series: pd.Series) -> tuple[list[Any], np.ndarray]:
    """Distinct values of an object column and each row's index among them."""
    keys = series.map(lambda v: None if _missing(v) else v) if series.dtype.kind == "O" else series
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return list(uniques), codes


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _cell_value(value: Any) -> tuple[Any, bool, bool]:
    """A value as openpyxl takes it, with whether control characters were escaped and whether it was cut."""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool | int | float):
        return (None if _missing(value) else value), False, False
    return clean_text(str(value))


def _column_width(header: str, values: list[Any]) -> int:
    return min(60, max(_width("" if v is None else v) for v in [header, *values]) + 2)


def _note(notes: list[str], where: str, codes: np.ndarray, changed: np.ndarray, what: str) -> None:
    if not len(changed):
        return
    rows = _rows_of(codes, changed)
    notes.append(f"{where}: {len(rows):,} cells {what} (first in data row {rows[0] + 1:,}); "
                 "the CSV holds them as they are")


def _rows_of(codes: np.ndarray, distinct: Any) -> np.ndarray:
    """Rows whose code is one of ``distinct``."""
    return np.flatnonzero(np.isin(codes, np.asarray(distinct, dtype=codes.dtype)))
