"""The results workbook: summary, reductions, ledger, factors, metadata sheets."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from ..result import Result

UNIT_HEADERS = {
    "baseline_t": "baseline [t]", "reduction_t": "reduction [t]", "reduction_pct": "reduction [%]",
    "target_pct": "target [%]", "shortfall_t": "shortfall [t]", "upstream_t": "upstream [t]",
    "to_t": "to tonnes [t per activity x factor unit]", "time_share": "time share [-]", "adjust": "adjust [-]",
}


def _width(text: object) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def factor_sheet(result: Result) -> pd.DataFrame:
    """The factor rows the ledger used, with their citations."""
    table = result.scenario.table
    ids = [i for i in pd.unique(result.ledger["factor_id"]) if i in table.rows]
    rows = []
    for factor_id in ids:
        row = table.rows[factor_id]
        source = table.sources.get(row.source)
        rows.append({"id": row.id, "category": row.category, "subject": row.subject, "standard": row.standard,
                     "technology": row.technology, "region": row.region, "pollutant": row.quantity,
                     "value": row.value, "unit": row.unit, "low": row.low, "high": row.high,
                     "control": row.control, "source": source.citation if source else row.source,
                     "reference": row.reference, "year": row.year, "judged": row.judged, "note": row.note})
    return pd.DataFrame(rows)


def write_workbook(result: Result, path: Path) -> None:
    """Write the workbook to ``path`` (.xlsx) with units in the headers."""
    sheets = {
        "summary": result.summary(),
        "reductions": result.reductions,
        "ledger": result.ledger,
        "factors": factor_sheet(result),
        "metadata": pd.DataFrame(list(result.metadata().items()), columns=["key", "value"]),
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame = frame.rename(columns=UNIT_HEADERS)
            if "met" in frame.columns:
                frame["met"] = frame["met"].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for index, column in enumerate(frame.columns, start=1):
                values = [column, *frame[column].head(500).tolist()]
                width = min(60, max(_width(v) for v in values) + 2)
                sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
                if frame[column].dtype.kind == "f":
                    for cell in sheet.iter_cols(min_col=index, max_col=index, min_row=2):
                        for c in cell:
                            c.number_format = "#,##0.000"
