"""The scripts in examples/ run, and print the numbers the API (or the factor tables by hand) give.

Each script runs as a user runs it: ``python examples/<name>.py`` in a subprocess, mostly
from a folder outside the repo, so scenario paths must resolve from the script's own
location. Expected numbers are computed here through the public API or by hand from
the shipped factor rows, never copied from the scripts' output.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reduccalc
from reduccalc.yamlio import load_yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SCENARIOS = REPO / "scenarios"
ZHANGJIAKOU = SCENARIOS / "zhangjiakou_2017_heating.yaml"
XINFU = SCENARIOS / "xinfu_2021.yaml"


def run(name: str, *args: str, cwd: Path, code: int = 0) -> str:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120)
    stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert done.returncode == code, f"exit {done.returncode}\n{stdout}\n{stderr}"
    if code == 0:
        assert stderr == "", stderr
    return stdout if code == 0 else stderr


def num(text: str) -> float:
    return float(text.replace(",", ""))


def section(out: str, start: str, end: str | None = None) -> list[str]:
    """Lines of ``out`` after the line starting with ``start`` up to the one starting with ``end``."""
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(start)) + 1
    last = next((i for i, line in enumerate(lines[first:], first) if end and line.startswith(end)), len(lines))
    return lines[first:last]


def rows_by(lines: list[str], *keys: str) -> dict[tuple[str, ...], list[str]]:
    """Split table lines into fields, keyed by their first len(keys) fields."""
    table = {}
    for line in lines:
        fields = line.split()
        if len(fields) > len(keys):
            table[tuple(fields[: len(keys)])] = fields
    return table


def factor(category: str, subject: str, pollutant: str, unit: str, **where: str) -> float:
    """A shipped factor row's value in ``unit``."""
    row = reduccalc.load_table().find(category, subject, pollutant, **where)
    assert row is not None and not row.scales_with
    return reduccalc.ureg.Quantity(row.value, row.unit).to(unit).magnitude


def parameter(category: str, quantity: str, unit: str, subject: str = "", region: str = "national") -> float:
    row = reduccalc.load_table().parameter(category, quantity, subject, region=region)
    assert row is not None
    return reduccalc.ureg.Quantity(row.value, row.unit).to(unit).magnitude


# ---- plan_summary.py ------------------------------------------------------------------

def test_plan_summary_default_from_another_folder(tmp_path):
    out = run("plan_summary.py", cwd=tmp_path)
    res = reduccalc.load_scenario(ZHANGJIAKOU).run()
    summary = res.summary()
    assert "Plan: Zhangjiakou 2017-18 heating season" in out
    assert "some targets are NOT met" in out and res.met is False

    # 1. every targeted row: baseline, reduction, %, target, met, shortfall
    printed = rows_by(section(out, "1. Targets", "2. "), "county", "pollutant")
    targeted = summary[summary["target_pct"].notna()]
    assert len(targeted) == 18 and set(printed) >= {(c, p) for c, p in zip(targeted["county"], targeted["pollutant"])}
    for row in targeted.itertuples():
        fields = printed[(row.county, row.pollutant)]
        assert num(fields[2]) == pytest.approx(row.baseline_t, abs=0.5)
        assert num(fields[3]) == pytest.approx(row.reduction_t, abs=0.051)
        assert num(fields[4]) == pytest.approx(row.reduction_pct, abs=0.0051)
        assert num(fields[5]) == row.target_pct
        assert fields[6] == ("met" if row.met else "SHORT")
        assert num(fields[7]) == pytest.approx(row.shortfall_t, abs=0.051)

    # 2. percent of baseline, every county and pollutant
    lines = section(out, "2. Reduction by county", "3. ")
    header = lines[0].split()[1:]
    assert header == list(dict.fromkeys(summary["pollutant"]))
    wide = rows_by(lines[2:], "county")
    for row in summary.itertuples():
        assert num(wide[(row.county,)][1 + header.index(row.pollutant)]) == pytest.approx(row.reduction_pct, abs=0.0051)

    # 3. contributors: the coke curtailment's PM2.5 by hand from the coke factor row:
    #    1.46 Mt/yr x 182 days (2017-10-01..2018-03-31) / 365 x 30 % x EF
    coke = 1.46e6 * 182 / 365 * 0.30 * factor("production", "coke", "PM2.5", "t/t")
    contributors = section(out, "3. Biggest contributors")
    coke_row = next(line.split() for line in contributors if line.split()[:2] == ["PM2.5", "xuangang-coke-30pct"])
    assert num(coke_row[4]) == pytest.approx(coke, abs=0.051)
    # the first PM2.5 row is the largest PM2.5 measure, summed over counties (API)
    red = res.reductions[res.reductions["pollutant"] == "PM2.5"]
    per_measure = red.groupby(["measure", "type"], observed=True)["reduction_t"].sum()
    (measure, kind), top = per_measure.idxmax(), per_measure.max()
    first = next(line.split() for line in contributors if line.split()[:1] == ["PM2.5"])
    assert first[1:3] == [measure, kind]
    assert num(first[4]) == pytest.approx(top, abs=0.051)
    assert num(first[5]) == pytest.approx(100 * top / per_measure.sum(), abs=0.51)


def test_plan_summary_path_argument_relative_to_cwd():
    out = run("plan_summary.py", "scenarios/tutorial.yaml", cwd=REPO)
    summary = reduccalc.load_scenario(SCENARIOS / "tutorial.yaml").run().summary()
    printed = rows_by(section(out, "1. Targets", "2. "), "county", "pollutant")
    short = summary[summary["met"].map(lambda v: v is False)]
    assert {(c, p) for c, p in zip(short["county"], short["pollutant"])} == {("乙县", "SO2"), ("乙县", "PM2.5")}
    for row in short.itertuples():
        assert printed[(row.county, row.pollutant)][6] == "SHORT"
        assert num(printed[(row.county, row.pollutant)][7]) == pytest.approx(row.shortfall_t, abs=0.051)


def test_plan_summary_bad_file_is_one_message(tmp_path):
    message = run("plan_summary.py", "no_such_plan.yaml", cwd=tmp_path, code=2)
    assert message.startswith("error:") and "no_such_plan.yaml" in message and "Traceback" not in message


# ---- meet_target.py -------------------------------------------------------------------

def test_meet_target_xinfu(tmp_path):
    out = run("meet_target.py", cwd=tmp_path)
    sc = reduccalc.load_scenario(XINFU)
    summary = sc.with_target("5%").run().summary()
    assert "Does it meet 5% for every pollutant, county and TOTAL? NO" in out

    # One more household: the plan's own 7,410 households start on the same date
    # (2021-11-01) with the same defaults, so one is 1/7,410 of that measure.
    data = load_yaml(XINFU)
    measure = data["counties"]["忻府区"]["measures"][0]
    assert measure["type"] == "coal_to_electric" and str(measure["in_service"]) == "2021-11-01"
    own = sc.run().reductions.set_index("pollutant")["reduction_t"]
    per_household = own / measure["households"]
    # One more China III heavy truck replaced by China VI from 2021-07-01 (184 days), by hand.
    km = parameter("vehicle", "annual_km", "km/yr", "heavy_duty_diesel_truck", "shanxi") * 184 / 365
    per_truck_nox = km * (factor("vehicle", "heavy_duty_diesel_truck", "NOx", "t/km", standard="China III")
                          - factor("vehicle", "heavy_duty_diesel_truck", "NOx", "t/km", standard="China VI"))

    units = rows_by(section(out, "What one more unit removes", "Extra units"), "pollutant")
    for pollutant in ("SO2", "NOx", "PM2.5", "VOCs"):
        assert num(units[(pollutant,)][1]) == pytest.approx(1000 * per_household[pollutant], abs=0.0051)
    assert num(units[("NOx",)][2]) == pytest.approx(1000 * per_truck_nox, abs=0.0051)
    assert num(units[("SO2",)][2]) == 0  # trucks have no SO2 factor

    gaps = rows_by(section(out, "Extra units"), "county", "pollutant")
    short = summary[summary["met"].map(lambda v: v is False)]
    assert len(short) == 12  # six pollutants, county and TOTAL
    for row in short.itertuples():
        fields = gaps[(row.county, row.pollutant)]
        assert num(fields[2]) == pytest.approx(row.shortfall_t, abs=0.051)
        assert num(fields[3]) == math.ceil(row.shortfall_t / per_household[row.pollutant])
    so2 = short[short["pollutant"] == "SO2"].iloc[0]
    assert gaps[("忻府区", "SO2")][4] == "-"
    nox = short[short["pollutant"] == "NOx"].iloc[0]
    assert num(gaps[("忻府区", "NOx")][4]) == math.ceil(nox.shortfall_t / per_truck_nox)

    # Rounded up, the printed number of households closes the SO2 gap and one fewer does not.
    needed = int(num(gaps[("忻府区", "SO2")][3]))
    assert needed == math.ceil(so2.shortfall_t / per_household["SO2"])
    for extra, met in ((needed, True), (needed - 1, False)):
        changed = load_yaml(XINFU)
        changed["counties"]["忻府区"]["measures"][0]["households"] += extra
        result = reduccalc.load_scenario(changed, base_dir=SCENARIOS).with_target("5%", ["SO2"]).run()
        assert result.met is met


def test_meet_target_other_plan_and_target(tmp_path):
    out = run("meet_target.py", str(SCENARIOS / "tutorial.yaml"), "3%", cwd=tmp_path)
    summary = reduccalc.load_scenario(SCENARIOS / "tutorial.yaml").with_target("3%").run().summary()
    short = summary[summary["met"].map(lambda v: v is False)]
    gaps = rows_by(section(out, "Extra units"), "county", "pollutant")
    # tutorial: calendar 2023, north_china; the Xinfu dates fall outside, so whole year
    assert "outside the period" in out
    per_household_so2 = parameter("household", "coal_per_household", "t", region="north_china") * factor(
        "household", "raw_bituminous_coal", "SO2", "t/t", technology="traditional_stove", region="north_china")
    row = short[short["pollutant"] == "SO2"].iloc[0]
    assert num(gaps[(row.county, "SO2")][3]) == math.ceil(row.shortfall_t / per_household_so2)


# ---- compare_variants.py ----------------------------------------------------------------

def test_compare_variants_reburn(tmp_path):
    out = run("compare_variants.py", cwd=tmp_path)
    res = reduccalc.load_scenario(ZHANGJIAKOU).run()
    summary = res.summary()
    assert "reburn_rate 10% on 17 household conversion measures" in out
    # 10 % reburn takes 10 % off every household measure's net local reduction (the coal
    # not saved, and for gas the gas not burned); nothing else changes.
    red = res.reductions
    households = red[red["type"].isin(["coal_to_electric", "coal_to_gas"])]
    expected = -0.10 * households.groupby(["county", "pollutant"], observed=True)["reduction_t"].sum()

    lines = section(out, "1. Change in reduction", "2. ")
    header = lines[0].split()[1:]
    wide = rows_by(lines[2:], "county")
    in_baseline = summary[summary["county"] != "TOTAL"]
    for row in in_baseline.itertuples():
        value = num(wide[(row.county,)][1 + header.index(row.pollutant)])
        assert value == pytest.approx(expected[(row.county, row.pollutant)], abs=0.051)
    total_pm = expected.xs("PM2.5", level="pollutant").sum()
    assert num(wide[("TOTAL",)][1 + header.index("PM2.5")]) == pytest.approx(total_pm, abs=0.051)

    targets = rows_by(section(out, "2. Targets under A and B"), "county", "pollutant")
    base = summary.set_index(["county", "pollutant"])
    fields = targets[("TOTAL", "PM2.5")]
    assert num(fields[5]) == pytest.approx(base.loc[("TOTAL", "PM2.5"), "reduction_t"], abs=0.051)
    assert num(fields[6]) == pytest.approx(base.loc[("TOTAL", "PM2.5"), "reduction_t"] + total_pm, abs=0.051)
    assert fields[8:] == ["SHORT", "SHORT"]


# ---- notebook_calculators.py ------------------------------------------------------------

def test_notebook_calculators_hand_arithmetic(tmp_path):
    out = run("notebook_calculators.py", cwd=tmp_path)
    totals = {}
    title = None
    for line in out.splitlines():
        if line.startswith("== "):
            title = line[3:]
        match = re.match(r"\s+reduction_by_pollutant \[t\]: (.*)", line)
        if match:
            totals[title.split(",")[0] + ("/fuel" if "fuel_use" in title else "")] = {
                p: num(v) for p, v in (item.rsplit(" ", 1) for item in match.group(1).split(", "))}
    assert set(totals) == {"boiler_phaseout", "boiler_phaseout/fuel", "coal_to_electric", "coal_to_gas",
                           "vehicle_retirement", "staggered_production", "custom"}

    # vehicles: 300 trucks x 50,000 km/yr x 184/365 x (EF China III - EF China VI), NOx
    nox = 300 * 50_000 * 184 / 365 * (
        factor("vehicle", "heavy_duty_diesel_truck", "NOx", "t/km", standard="China III")
        - factor("vehicle", "heavy_duty_diesel_truck", "NOx", "t/km", standard="China VI"))
    assert totals["vehicle_retirement"]["NOx"] == pytest.approx(nox, abs=0.0051)
    # clinker kiln stopped 47 days: 1.5 Mt/yr x 47/365 x EF
    clinker = 1.5e6 * 47 / 365 * factor("production", "cement_clinker", "NOx", "t/t")
    assert totals["staggered_production"]["NOx"] == pytest.approx(clinker, abs=0.0051)
    # boiler, fuel route: 5,000 t x EF (NOx does not scale with coal quality)
    boiler = 5000 * factor("boiler", "bituminous_coal", "NOx", "t/t", technology="le10")
    assert totals["boiler_phaseout/fuel"]["NOx"] == pytest.approx(boiler, abs=0.0051)
    # 5,000 households x coal per household x EF, a whole year = one season
    coal = 5000 * parameter("household", "coal_per_household", "t", region="north_china")
    so2 = coal * factor("household", "raw_bituminous_coal", "SO2", "t/t", technology="traditional_stove",
                        region="north_china")
    assert totals["coal_to_electric"]["SO2"] == pytest.approx(so2, abs=0.0051)
    # custom: 2,000 t x 500 kg/t x 60 %
    assert totals["custom"] == {"VOCs": pytest.approx(600.0)}
