"""Baselines tables (baselines_file): county x pollutant, the same numbers as YAML baselines, errors by row and column."""

import json

import pandas as pd
import pytest

from reduccalc import ScenarioError, load_scenario
from tests.conftest import TRUCKS, run, write_register

PERIOD = {"start": "2021-01-01", "end": "2021-12-31"}
# 100 China III heavy trucks x 50,000 km x 8 g/km NOx = 40 t (tests/fixtures/factors)
TRUCKS_NOX_T = 40.0


def plan(**extra):
    return {"name": "t", "period": PERIOD, "targets": {"NOx": "5%"}, **extra}


def problems(data, folder, table):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data, base_dir=folder, table=table)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("name", ["b.csv", "b.xlsx"])
@pytest.mark.parametrize("headers", [("county", "SO2", "NOx"), ("县区", "二氧化硫 [t]", "氮氧化物(吨)")])
def test_a_table_gives_the_same_summary_as_yaml_baselines(tmp_path, table, name, headers):
    county, so2, nox = headers
    in_tonnes = "[" in so2
    rows = [{county: "甲县", so2: "1850" if in_tonnes else "1850 t", nox: "800" if in_tonnes else "0.8 kt"},
            {county: "乙县", so2: "20" if in_tonnes else "20000 kg", nox: None}]
    write_register(tmp_path / name, rows)
    measures = {"counties": {"甲县": {"measures": [TRUCKS]}}}
    from_table = load_scenario(plan(baselines_file=name, **measures), base_dir=tmp_path, table=table).run()
    yaml = plan(counties={"甲县": {"baseline": {"SO2": "1850 t", "NOx": "800 t"}, "measures": [TRUCKS]},
                          "乙县": {"baseline": {"SO2": "20 t"}}})
    expected = load_scenario(yaml, table=table).run().summary()
    pd.testing.assert_frame_equal(from_table.summary(), expected)
    nox = expected.set_index(["county", "pollutant"]).loc[("甲县", "NOx")]
    assert (nox["baseline_t"], nox["reduction_t"], nox["reduction_pct"]) == pytest.approx((800, 40, 5.0))


def test_table_counties_follow_the_yaml_ones_and_keep_their_targets(tmp_path, table):
    write_register(tmp_path / "b.csv", [{"county": "丙县", "NOx": "100 t"}, {"county": "甲县", "NOx": "800 t"},
                                        {"county": "乙县", "NOx": "50 t", "备注": "not a pollutant"}])
    data = plan(baselines_file="b.csv", counties={"甲县": {"targets": {"NOx": "10%"}, "measures": [TRUCKS]},
                                                  "丁县": {"baseline": {"NOx": "70 t"}}})
    scenario = load_scenario(data, base_dir=tmp_path, table=table)
    assert [(c.name, c.baseline) for c in scenario.counties] == [
        ("甲县", {"NOx": 800.0}), ("丁县", {"NOx": 70.0}), ("丙县", {"NOx": 100.0}), ("乙县", {"NOx": 50.0})]
    summary = scenario.run().summary().set_index(["county", "pollutant"])
    assert summary.loc[("甲县", "NOx"), "target_pct"] == 10.0 and summary.loc[("丙县", "NOx"), "target_pct"] == 5.0
    assert summary.loc[("TOTAL", "NOx"), "baseline_t"] == 1020.0


@pytest.mark.parametrize(("text", "expected"), [
    ("county,SO2 [t]\n甲县,-3\n", "b.csv:2: column SO2 [t]: '-3 t' must be positive"),
    ("county,SO2\n甲县,3 km\n", "b.csv:2: column SO2: '3 km' is a distance (km), expected a mass (t, kg)"),
    ("county,SO2\n甲县,3\n", "b.csv:2: column SO2: 3 has no unit; expected a mass (t, kg)"),
    ("county,SO2,NOx\n甲县,3 t,\n甲县,4 t,\n", "b.csv:3: column county: county '甲县' is also in row 2"),
    ("county,SO2\n,3 t\n", "b.csv:2: column county: no county"),
    ("county,SO3\n甲县,3 t\n", "b.csv:1: column SO3: unknown column 'SO3': neither the county nor a pollutant"),
    ("county,烟尘\n甲县,3 t\n", "b.csv:1: column 烟尘: unknown column '烟尘'"),
    ("county,SO2,二氧化硫\n甲县,3 t,3 t\n", "b.csv:1: column 二氧化硫: repeats column 'SO2'"),
    ("SO2\n3 t\n", "b.csv:1: column county: no county column"),
    ("county,备注\n甲县,x\n", "b.csv:1: header: no pollutant column"),
    ("county,SO2\n", "b.csv:2: the table has no county rows"),
    ("", "b.csv:1: the file is empty"),
])
def test_each_problem_names_file_row_and_column(tmp_path, table, text, expected):
    (tmp_path / "b.csv").write_text(text, encoding="utf-8")
    found = problems(plan(baselines_file="b.csv"), tmp_path, table)
    assert any(problem.startswith(expected) for problem in found), found


def test_problems_in_all_rows_are_reported_together(tmp_path, table):
    (tmp_path / "b.csv").write_text("county,SO2\n甲县,x\n乙县,-1 t\n甲县,1 t\n", encoding="utf-8")
    found = problems(plan(baselines_file="b.csv"), tmp_path, table)
    assert [problem.split(":")[1] for problem in found] == ["2", "3", "4"]


def test_a_baseline_in_the_yaml_and_the_table_is_an_error(tmp_path, table):
    write_register(tmp_path / "b.csv", [{"county": "甲县", "SO2": "3 t"}])
    data = plan(baselines_file="b.csv", counties={"甲县": {"baseline": {"SO2": "3 t"}}})
    assert problems(data, tmp_path, table) == [
        "counties.甲县.baseline: county '甲县' has a baseline here and in b.csv row 2 "
        "(give each county's baseline in one place: the table or the YAML)"]


def test_counties_are_required_without_a_table(table):
    hint = "(name them under counties:, or give a table of their baselines as baselines_file)"
    assert problems(plan(), None, table) == [
        f"scenario: missing required key 'counties' (a mapping of county name to county) {hint}"]
    assert problems(plan(counties={}), None, table) == [f"counties: no counties {hint}"]


def test_a_missing_table_points_at_baselines_file(tmp_path, table):
    found = problems(plan(baselines_file="nope.csv"), tmp_path, table)
    assert found[0] == f"baselines_file: baselines table 'nope.csv' not found (looked for {tmp_path / 'nope.csv'})"


def test_removing_more_than_a_table_baseline_names_its_row(tmp_path, table):
    write_register(tmp_path / "b.csv", [{"county": "乙县", "NOx": "1000 t"}, {"county": "甲县", "NOx": "30 t"}])
    data = plan(baselines_file="b.csv", counties={"甲县": {"measures": [TRUCKS]}})
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data, base_dir=tmp_path, table=table).run()
    assert str(caught.value).startswith("b.csv:3: column NOx: measures remove 40.0 t of NOx")


def test_cli_checks_a_plan_whose_counties_all_come_from_tables(tmp_path):
    write_register(tmp_path / "baselines.csv", [{"县区": "甲县", "氮氧化物(吨)": 1000}, {"县区": "乙县", "氮氧化物(吨)": 10}])
    write_register(tmp_path / "trucks.csv", [{"县区": "甲县", **TRUCKS}])
    (tmp_path / "plan.yaml").write_text("name: 测试\nperiod: {start: 2021-01-01, end: 2021-12-31}\n"
                                        "baselines_file: baselines.csv\nmeasures_file: trucks.csv\n", encoding="utf-8")
    out = run("run", tmp_path / "plan.yaml", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = {(r["county"], r["pollutant"]): r for r in json.loads(out.stdout)}
    assert rows[("甲县", "NOx")]["baseline_t"] == 1000.0 and rows[("乙县", "NOx")]["baseline_t"] == 10.0
    assert rows[("TOTAL", "NOx")]["reduction_t"] == pytest.approx(TRUCKS_NOX_T)
    check = run("check", tmp_path / "plan.yaml", "--target", "2%")
    assert check.returncode == 1 and "乙县 NOx" in check.stdout and "short by 0.2 t" in check.stdout
