"""Shared fixtures and helpers: a small factor table of round numbers for hand-checked tests, the command line
as a user runs it, registers written as CSV or XLSX, least-cost candidates. Test modules import helpers from
here, never from one another."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import settings

from reduccalc import load_scenario
from reduccalc.factors import load_table

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.register_profile("long", deadline=None, max_examples=10_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXTURE_FACTORS = Path(__file__).parent / "fixtures" / "factors"
REPO = Path(__file__).resolve().parent.parent

# A two-county plan for the command-line and output tests (with the fixture factors):
# 甲县 NOx: 100 x 50,000 km x 8 g/km = 40 t = 4 % (target 5 %: short by 10 t)
# 乙县 NOx: 1e6 t/yr x 36.5/365 x 1 kg/t = 100 t = 50 % (target 10 %: met)
PLAN = textwrap.dedent("""\
    name: 测试计划
    period: {start: 2021-01-01, end: 2021-12-31}
    targets: {NOx: "5%"}
    counties:
      甲县:
        baseline: {NOx: "1000 t", SO2: "400 t"}
        measures:
          - type: vehicle_retirement
            id: trucks
            count: 100
            vehicle: heavy_duty_diesel_truck
            standard: 国三
      乙县:
        baseline: {NOx: "200 t"}
        targets: {NOx: "10%"}
        measures:
          - type: staggered_production
            sector: cement_clinker
            output: "1 Mt/yr"
            days: 36.5
    """)


@pytest.fixture(scope="session")
def table():
    """Round-number factors (tests/fixtures/factors), never shipped."""
    return load_table(FIXTURE_FACTORS)


def scenario_dict(measures, baseline=None, targets=None, period=("2021-01-01", "2021-12-31"), **extra):
    """A one-county scenario dict."""
    return {
        "name": "test",
        "period": {"start": period[0], "end": period[1]},
        **({"targets": targets} if targets else {}),
        **extra,
        "counties": {"甲县": {"baseline": baseline or {"SO2": "1000 t", "NOx": "2000 t", "PM2.5": "500 t"},
                             "measures": measures}},
    }


# ---------------------------------------------------------------- the command line, as a user runs it

EXE = shutil.which("reduccalc", path=os.path.dirname(sys.executable)) or "reduccalc"
ENV = {**os.environ, "REDUCCALC_FACTORS_DIR": str(FIXTURE_FACTORS)}


def plan(tmp_path, text=PLAN):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_subprocess(*args, cwd=None):
    """``reduccalc ARGS`` as its own process, the installed entry point: for what only a process shows (start-up,
    signals, a terminal, imports)."""
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=120)


def run(*args, cwd=None):
    """``reduccalc ARGS`` in this process, as :func:`run_subprocess` would see it (the fixture factors, ``cwd``,
    exit code, stdout and stderr), without a second of interpreter start-up per call."""
    import contextlib
    import io

    from reduccalc.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = os.environ.get("REDUCCALC_FACTORS_DIR"), os.getcwd()
    saved_term = signal.getsignal(signal.SIGTERM)
    os.environ["REDUCCALC_FACTORS_DIR"] = str(FIXTURE_FACTORS)
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        os.chdir(saved_cwd)
        signal.signal(signal.SIGTERM, saved_term)
        if saved_env is None:
            os.environ.pop("REDUCCALC_FACTORS_DIR", None)
        else:
            os.environ["REDUCCALC_FACTORS_DIR"] = saved_env
    return subprocess.CompletedProcess([EXE, *map(str, args)], code, out.getvalue(), err.getvalue())


def cli(capsys, *args):
    """(exit code, stdout, stderr) of ``reduccalc ARGS`` run in this process."""
    from reduccalc.cli import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- registers

BIG = {p: "1e12 t" for p in ("SO2", "NOx", "PM2.5", "PM10")}
TRUCKS = {"type": "vehicle_retirement", "count": 100, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}


def flatten(measure):
    """A measure's cells: nested keys as dotted columns."""
    cells = {}
    for key, value in measure.items():
        if isinstance(value, dict):
            cells.update({f"{key}.{sub}": item for sub, item in value.items()})
        else:
            cells[key] = value
    return cells


def excel_value(value):
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return dt.date.fromisoformat(value)  # an Excel date, not text
    return value


def write_register(path, rows, sheet=None, encoding="utf-8"):
    """Write ``rows`` (dicts of column -> cell; None or missing = empty) as CSV or XLSX."""
    header = list(dict.fromkeys(column for row in rows for column in row))
    table = [[row.get(column) for column in header] for row in rows]
    if path.suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([["" if cell is None else str(cell) for cell in line] for line in table])
    else:
        book = openpyxl.Workbook()
        book.active.title = "说明"
        book.active.append(["notes, not measures"])
        sheet_ = book.create_sheet(sheet or "measures", 0)
        sheet_.append(header)
        for line in table:
            sheet_.append([excel_value(cell) for cell in line])
        book.save(path)
    return path


def county_register(folder, name, measures=(), rows=(), **extra):
    """A one-county scenario whose county reads ``name`` (written from ``rows``)."""
    data = scenario_dict(list(measures), baseline=BIG, **extra)
    data["counties"]["甲县"]["measures_file"] = name
    if rows:
        write_register(Path(folder) / name.split("#")[0], list(rows))
    return data


def ledger(data, folder, table):
    return load_scenario(data, base_dir=folder, table=table).run().ledger


def assert_register_gives(tmp_path, name, rows, measures):
    """A county register ``name`` holding ``rows`` gives exactly the ledger of ``measures`` written in YAML."""
    table = load_table()
    expected = ledger(scenario_dict(measures, baseline=BIG), None, table).drop(columns="row")
    got = ledger(county_register(tmp_path, name, rows=rows), tmp_path, table)
    pd.testing.assert_frame_equal(got.drop(columns="row"), expected)


# ---------------------------------------------------------------- least-cost candidates

TRUCK = {"type": "vehicle_retirement", "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}


def trucks(max=500, **extra):
    return {"id": "trucks", "scale": "count", "max": max, "unit_cost": "60000 CNY", "measure": TRUCK, **extra}


def one_county(candidates, target="5%", baseline="2000 t", measures=()):
    data = scenario_dict(list(measures), baseline={"NOx": baseline}, targets={"NOx": target})
    data["counties"]["甲县"]["candidates"] = candidates
    return data
