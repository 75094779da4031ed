"""Every shipped scenario validates and runs; the tutorial's numbers check by hand."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import reduccalc
from reduccalc.factors import load_table

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((REPO / "scenarios").rglob("*.yaml"))
EXE = os.path.join(os.path.dirname(sys.executable), "reduccalc")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenario_validates_and_runs(path):
    env = {k: v for k, v in os.environ.items() if k != "REDUCCALC_FACTORS_DIR"}
    assert subprocess.run([EXE, "validate", str(path)], capture_output=True, env=env).returncode == 0
    out = subprocess.run([EXE, "run", str(path), "--format", "json"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and all(math.isfinite(r["reduction_t"]) and math.isfinite(r["baseline_t"]) for r in rows)


def test_tutorial_trucks_by_hand():
    table = load_table()
    res = reduccalc.load_scenario(REPO / "scenarios" / "tutorial.yaml").run()
    old = table.find("vehicle", "heavy_duty_diesel_truck", "NOx", standard="China III", region="north_china")
    new = table.find("vehicle", "heavy_duty_diesel_truck", "NOx", standard="China VI", region="north_china")
    # 300 trucks x 50,000 km/yr x 184/365 (from 1 July) x (EF III - EF VI) [g/km -> t]
    expected = 300 * 50_000 * 184 / 365 * (old.value - new.value) * 1e-6
    red = res.reductions.set_index(["county", "measure", "pollutant"])["reduction_t"]
    assert red[("乙县", "old-trucks", "NOx")] == pytest.approx(expected, rel=1e-12)


def test_tutorial_short_where_its_comments_say():
    summary = reduccalc.load_scenario(REPO / "scenarios" / "tutorial.yaml").run().summary()
    short = summary[summary["met"].map(lambda v: v is False)]
    assert set(zip(short["county"], short["pollutant"])) == {("乙县", "SO2"), ("乙县", "PM2.5")}


def test_register_variant_equals_the_inline_plan():
    inline = reduccalc.load_scenario(REPO / "scenarios" / "zhangjiakou_2017_heating.yaml").run().summary()
    register = reduccalc.load_scenario(
        REPO / "scenarios" / "registers" / "zhangjiakou_2017_heating_register.yaml").run().summary()
    assert register["reduction_t"].to_numpy() == pytest.approx(inline["reduction_t"].to_numpy(), rel=1e-9)
