"""What the command line gives back, on one naming scheme: the API's column names in every table,
``met`` / ``SHORT`` for verdicts, the deterministic value beside the Monte Carlo percentiles.

Run in this process with the round-number fixture factors and the conftest PLAN:
甲县 NOx: 100 trucks x 50,000 km x 8 g/km = 40 t of 1000 t = 4 % (target 5 %: SHORT by 10 t);
乙县 NOx: 1e6 t/yr x 36.5/365 x 1 kg/t = 100 t of 200 t = 50 % (target 10 %: met).
"""

import json

import pytest

from reduccalc.result import SUMMARY_COLUMNS
from tests.conftest import FIXTURE_FACTORS, cli, plan


@pytest.fixture(autouse=True)
def fixture_factors(monkeypatch):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))


def rows(text, first):
    """Lines of a printed table from its header (the line starting with ``first``), split on blanks."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [first])
    return [line.split() for line in lines[start:] if line.strip()]


def test_run_table_header_is_the_api_column_names_and_verdicts_are_met_or_short(tmp_path, capsys):
    code, out, _ = cli(capsys, "run", plan(tmp_path))
    assert code == 0
    table = rows(out, "county")
    assert table[0] == SUMMARY_COLUMNS
    verdicts = {(r[0], r[1]): r[6] for r in table[1:] if len(r) == 8}
    assert verdicts == {("甲县", "NOx"): "SHORT", ("乙县", "NOx"): "met", ("TOTAL", "NOx"): "met"}
    code, out, _ = cli(capsys, "check", plan(tmp_path))
    assert code == 1 and "SHORT 甲县 NOx" in out and "met   乙县 NOx" in out


def test_uncertainty_table_shows_the_deterministic_value_beside_the_percentiles(tmp_path, capsys):
    code, out, _ = cli(capsys, "uncertainty", plan(tmp_path), "--draws", 50, "--seed", 1)
    assert code == 0
    table = rows(out, "county")
    assert table[0][:5] == ["county", "pollutant", "reduction_t", "reduction_pct", "reduction_p5"]
    by_row = {(r[0], r[1]): r for r in table[1:]}
    assert by_row[("甲县", "NOx")][2:4] == ["40.00", "4.00"]  # the run's 40 t = 4 %, as the summary has it
    assert by_row[("TOTAL", "NOx")][2:4] == ["140.00", "11.67"]  # 140 of 1200 t


def test_reprs_say_what_they_hold(tmp_path, table):
    from reduccalc import load_scenario
    from tests.conftest import TRUCK, one_county

    scenario = load_scenario(plan(tmp_path), table=table)
    assert repr(scenario) == (f"<Scenario '测试计划': 2021-01-01 to 2021-12-31, region national\n"
                              "  counties (2): 甲县, 乙县\n"
                              "  measures (2): vehicle_retirement 1, staggered_production 1\n"
                              "  targets: NOx 5%; own targets in 1 county\n"
                              f"  file: {tmp_path / 'plan.yaml'}>")
    # 甲县 NOx short by 10 t; 乙县 NOx and TOTAL NOx met; 甲县 SO2 and TOTAL SO2 without a target
    assert repr(scenario.run()) == ("<Result of '测试计划': 2021-01-01 to 2021-12-31, 2 counties, 2 measures, "
                                    f"{scenario.run().ledger_rows} ledger rows\n"
                                    "  targets: 2 met, 1 SHORT; 2 summary rows without a target\n"
                                    "  short: 甲县 NOx by 10.0 t>")
    # 5 % of 2000 t NOx = 100 t, at 40 t / 100 trucks = 0.4 t a truck: 250 trucks x 60,000 CNY = 15,000,000 CNY;
    # the targets of 甲县 and TOTAL both met
    candidates = [{"id": "trucks", "scale": "count", "max": 500, "unit_cost": "60000 CNY", "measure": TRUCK}]
    plan_ = load_scenario(one_county(candidates), table=table).optimize()
    assert repr(plan_) == ("<Plan for 'test': feasible, cost 15,000,000 CNY (1,500.0 万元)\n"
                           "  additions: 1 candidate in 1 county\n"
                           "  targets after: 2 met, 0 SHORT>")


# -- run --county / --pollutant, explain --summary ---------------------------------------------------------


def test_run_county_and_pollutant_filters_the_rows(tmp_path, capsys):
    # ＴＯＴＡＬ (full width) and 乙县 with a space are those names, as county names are told apart
    code, out, _ = cli(capsys, "run", plan(tmp_path), "--county", " 乙县", "--county", "ＴＯＴＡＬ",
                       "--pollutant", "氮氧化物", "--format", "json")
    assert code == 0
    # 乙县 NOx 100 t of 200 t, TOTAL NOx 140 t of 1200 t; no SO2, no 甲县
    assert [(r["county"], r["pollutant"], r["reduction_t"]) for r in json.loads(out)] == [
        ("乙县", "NOx", pytest.approx(100.0)), ("TOTAL", "NOx", pytest.approx(140.0))]
    code, out, _ = cli(capsys, "run", plan(tmp_path), "--pollutant", "SO2")
    assert code == 0 and {r[1] for r in rows(out, "county")[1:]} == {"SO2"}


def test_run_filters_refuse_what_is_not_there(tmp_path, capsys):
    code, out, err = cli(capsys, "run", plan(tmp_path), "--county", "甲")
    assert (code, out) == (2, "") and err.startswith("error: --county: no county '甲' (did you mean '甲县'?")
    assert "the counties: 甲县, 乙县, TOTAL" in err
    code, out, err = cli(capsys, "run", plan(tmp_path), "--county", "乙县", "--pollutant", "SO2")
    assert (code, out) == (2, "") and "no SO2 baseline in 乙县" in err and "the pollutants there: NOx" in err
    code, _, err = cli(capsys, "run", plan(tmp_path), "--pollutant", "NOy")
    assert code == 2 and "--pollutant: unknown pollutant 'NOy'" in err


def test_explain_summary_is_one_line_per_measure(tmp_path, capsys):
    code, out, _ = cli(capsys, "explain", plan(tmp_path), "--summary")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("甲县 / trucks (vehicle_retirement): NOx 40.0 t")
    # the trucks remove 4 % of the NOx baseline, their PM2.5 (1.0 t) is of no baseline: the main factor is NOx's
    assert lines[0].endswith("PM2.5 1.0 t; main factor t.hdt.III.NOx = 8 g/km (fixture (2024))")
    assert lines[1].startswith("乙县 / staggered_production-1 (staggered_production): NOx 100.0 t")
    code, out, _ = cli(capsys, "explain", plan(tmp_path), "--summary", "--county", "乙县")
    assert code == 0 and out.splitlines() == lines[1:]


# -- help, completion ------------------------------------------------------------------------------------


def _actions(parser):
    import argparse

    for action in parser._actions:
        yield parser.prog, action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)


def test_every_option_and_argument_has_help():
    from reduccalc.cli import build_parser

    found = list(_actions(build_parser()))
    assert len(found) > 50
    assert [(prog, action.dest) for prog, action in found if not action.help] == []


def test_shell_completion_script_where_shtab_is_installed(capsys):
    pytest.importorskip("shtab")
    from reduccalc.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--print-completion", "bash"])
    assert done.value.code == 0 and "reduccalc" in capsys.readouterr().out
