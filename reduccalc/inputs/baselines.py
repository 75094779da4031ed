"""Baselines tables: every county's emissions over the period, one row per county.

Emission inventories (a county table from MEIC, the second national
pollution-source census 第二次全国污染源普查, a province's own) come as
spreadsheets of county x pollutant. A scenario may name one instead of
writing each county's ``baseline:``::

    baselines_file: baselines.csv           # or {path: inventory.xlsx, sheet: 2020}, or inventory.xlsx#2020
    measures_file: measures.csv
    counties:                               # optional: targets, measures and registers of some counties
      宣化区: {targets: {NOx: "3%"}}

Layout: row 1 is the header, ``county`` (or 县区, 区县 ..., as in measure
registers), then one column per pollutant, named as in YAML (``SO2``,
``PM2.5``, ``二氧化硫`` ...), with or without a unit in brackets (``NOx [t]``,
``二氧化硫(吨)``). A cell is a mass over the scenario's period with its unit
(``1850 t``), or a plain number under a header unit; an empty cell means the
county has no baseline for that pollutant. Descriptive columns (备注, 序号 ...)
are ignored, and so are rows with no cell filled. CSV (UTF-8) or XLSX, read
as measure registers are, with problems named by file, row and column.

Every county of the table is a county of the scenario, after those of
``counties:`` in the table's order. A county listed under ``counties:`` takes
its row's baseline; it may also give its own ``baseline:`` instead, when the
table has no row for it. A county's baseline comes from one place: giving it
in both is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemCollector, ScenarioError, did_you_mean
from ..fields import BASELINE
from ..inputfiles import PlanFolder, excerpt
from ..ledger import group_codes
from ..model import County
from ..vocabulary import POLLUTANTS, pollutant
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

LAYOUT = "row 1 is the header: county, then one column per pollutant (SO2, NOx [t] ...)"


@dataclass(frozen=True)
class TableBaseline:
    """One row of a baselines table: the county, its spreadsheet row, its baseline [t] per pollutant."""

    county: str
    row: int
    baseline: dict[str, float]


def _column(index: int, header: str) -> Column | None:
    """The column a header names: the county, or a pollutant (with its unit); None for an ignored one.

    Raises
    ------
    ScenarioError
        For a header that is neither, with a "did you mean".
    """
    if ignored(header):
        return None
    if header_key(header, {"county"}, COUNTY_HEADERS) == "county":
        return Column(index, header, "county")
    name, unit = header_unit(header)
    try:
        return Column(index, header, "baseline", pollutant(name), unit)
    except ScenarioError as error:
        raise ScenarioError(f"unknown column {excerpt(name)}: neither the county nor a pollutant",
                            hint=error.first.hint or did_you_mean(name, [*POLLUTANTS, "county"])) from None


def read_baselines(source: RegisterSource) -> list[TableBaseline]:
    """Read and check a baselines table.

    Parameters
    ----------
    source : RegisterSource
        The file (and sheet) ``baselines_file`` names.

    Returns
    -------
    list of TableBaseline
        One per county row, in the table's order, with the pollutants whose
        cells are filled [t].

    Raises
    ------
    ScenarioError
        Every problem at once, naming file, row and column.
    """
    header, cells, rows = read_cells(source, LAYOUT)
    problems = Problems(source.name)
    columns = parse_header(header, cells, problems, _column)
    checker = Checker(source, cells, rows, columns, problems)
    everywhere = np.arange(len(rows))
    if "county" not in checker.by_key:
        problems.add(1, "column county", ScenarioError("no county column", hint=LAYOUT))
    if "baseline" not in checker.by_key:
        problems.add(1, "header", ScenarioError("no pollutant column", hint=LAYOUT))
    if not {"county", "baseline"} <= checker.by_key.keys():
        problems.raise_if_any()
    names = checker.by_key["county"][0]
    counties = checker.checked(names, lambda value: str(value).strip(), everywhere).rows()
    _check_counties(counties, rows, names.label, problems)
    pollutants = [column.sub or "" for column in checker.by_key["baseline"]]
    masses = np.column_stack([checker.column(BASELINE, column, everywhere).floats()
                              for column in checker.by_key["baseline"]])  # NaN: empty, or failed (a problem)
    problems.raise_if_any()
    return [TableBaseline(county, row, {p: mass for p, mass in zip(pollutants, row_masses) if mass == mass})
            for county, row, row_masses in zip(counties.tolist(), rows.tolist(), masses.tolist())]


def _check_counties(counties: np.ndarray, rows: np.ndarray, label: str, problems: Problems) -> None:
    """Rows without a county, or with one an earlier row has, are problems."""
    given = pd.notna(counties)
    for at in np.flatnonzero(~given).tolist():
        problems.add(int(rows[at]), label, ScenarioError("no county", hint="every row is one county's baseline"))
    codes, first = group_codes(counties)
    origins = first[codes]  # the first row of each row's county
    for at in np.flatnonzero(given & (origins != np.arange(len(counties)))).tolist():
        problems.add(int(rows[at]), label, ScenarioError(f"county {excerpt(counties[at])} is also in row "
                                                         f"{rows[origins[at]]}",
                                                         hint="give each county's baseline in one row"))


def attach_baselines(data: Mapping[str, Any], counties: list[County], folder: PlanFolder, file: str | None,
                     collector: ProblemCollector) -> None:
    """Give ``counties`` the baselines of the table ``data["baselines_file"]`` names, adding its other counties.

    Parameters
    ----------
    data : mapping
        The scenario as loaded.
    counties : list of County
        The counties of ``counties:``, checked; changed in place.
    folder : PlanFolder
        The folder the table's path is relative to, and whether it may lie outside it.
    file : str, optional
        The scenario file, for problems with ``baselines_file`` and ``baseline:``.
    collector : ProblemCollector
        Receives every problem.
    """
    try:
        source = register_source(data["baselines_file"], folder, data, "baselines_file", None, file)
        found = read_baselines(source)
    except ScenarioError as error:
        collector.add(error)
        return
    if not found:
        collector.add(ScenarioError("the table has no county rows", file=source.name, line=2, hint=LAYOUT))
    at = {county.name: i for i, county in enumerate(counties)}
    for row in found:
        if row.county not in at:
            counties.append(County(row.county, row.baseline, {}, [], baseline_row=(source.name, row.row)))
            continue
        county = counties[at[row.county]]
        if county.baseline:
            collector.add(ScenarioError(
                f"county {row.county!r} has a baseline here and in {source.name} row {row.row}", file=file,
                line=county.line, field=f"counties.{row.county}.baseline",
                hint="give each county's baseline in one place: the table or the YAML"))
            continue
        counties[at[row.county]] = replace(county, baseline=row.baseline, baseline_row=(source.name, row.row))
