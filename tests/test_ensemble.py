"""Scenario ensembles: every variant's summary, names, errors together, the CLI, the dask engine."""

import json
import pickle
import sys
import warnings

import pandas as pd
import pytest

from reduccalc import ScenarioError, load_scenario
from reduccalc.ensemble import VERDICT_COLUMNS, ensemble_verdicts, run_ensemble, unique_names
from reduccalc.errors import Problem
from reduccalc.result import SUMMARY_COLUMNS
from tests.conftest import FIXTURE_FACTORS, PLAN, REPO, plan, run

TUTORIAL = REPO / "scenarios" / "tutorial.yaml"
XINFU = REPO / "scenarios" / "xinfu_2021.yaml"
# PLAN (tests/test_cli.py), with the round-number fixture factors:
#   甲县 NOx 40 t of 1000 t = 4 %, its target 5 % (the file's): short by 10 t
#   乙县 NOx 100 t of 200 t = 50 %, target 10 %: met
#   TOTAL NOx 140 t of 1200 t, target 5 %: met
# With --target 20% for NOx: 甲县 short by 200 - 40 = 160 t, 乙县 40 t needed: met, TOTAL short by 240 - 140 = 100 t.


@pytest.fixture
def fixture_factors(monkeypatch):
    """Scenario files loaded by path use the round-number factors."""
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))


def own(variant_rows):
    """An ensemble's rows of one variant, as that scenario's own summary."""
    return variant_rows.drop(columns="variant").reset_index(drop=True)


def test_each_variant_is_that_scenarios_own_summary():
    tutorial = load_scenario(TUTORIAL)
    variants = {"as filed": str(TUTORIAL), "5 %": tutorial.with_target("5%"), "xinfu": XINFU}
    table = run_ensemble(variants)
    assert list(table.columns) == ["variant", *SUMMARY_COLUMNS]
    assert list(dict.fromkeys(table["variant"])) == ["as filed", "5 %", "xinfu"]
    assert list(table.index) == list(range(len(table)))
    expected = {"as filed": tutorial, "5 %": tutorial.with_target("5%"), "xinfu": load_scenario(XINFU)}
    for name, scenario in expected.items():
        pd.testing.assert_frame_equal(own(table[table["variant"] == name]), scenario.run().summary(),
                                      check_exact=True)


def test_target_option_applies_to_every_variant():
    table = run_ensemble([TUTORIAL, XINFU], target="5%", pollutants=["NOx", "SO2"])
    for path in (TUTORIAL, XINFU):
        mine = table[table["variant"] == str(path)]
        pd.testing.assert_frame_equal(own(mine), load_scenario(path).with_target("5%", ["NOx", "SO2"]).run().summary(),
                                      check_exact=True)
        assert set(mine.loc[mine["target_pct"].notna(), "pollutant"]) == {"NOx", "SO2"}


def test_hand_numbers_and_verdicts(tmp_path, fixture_factors):
    path = plan(tmp_path)
    filed = run_ensemble({"filed": path})
    nox = filed[filed["pollutant"] == "NOx"].set_index("county")
    assert nox.loc["甲县", "reduction_t"] == pytest.approx(40.0)
    assert nox.loc["甲县", "shortfall_t"] == pytest.approx(10.0)
    assert nox.loc["乙县", "reduction_pct"] == pytest.approx(50.0)
    assert nox.loc["TOTAL", "reduction_t"] == pytest.approx(140.0)

    strict = run_ensemble({"NOx 20 %": path}, target="20%", pollutants=["NOx"])
    nox = strict[strict["pollutant"] == "NOx"].set_index("county")
    assert nox.loc["甲县", "shortfall_t"] == pytest.approx(160.0)
    assert bool(nox.loc["乙县", "met"]) and nox.loc["乙县", "shortfall_t"] == 0.0
    assert nox.loc["TOTAL", "shortfall_t"] == pytest.approx(100.0)

    verdicts = ensemble_verdicts(pd.concat([filed, strict], ignore_index=True))
    assert list(verdicts.columns) == VERDICT_COLUMNS
    assert verdicts.to_dict("records") == [
        {"variant": "filed", "met": False, "targets": 3, "short": 1, "worst_shortfall_t": pytest.approx(10.0),
         "county": "甲县", "pollutant": "NOx"},
        {"variant": "NOx 20 %", "met": False, "targets": 3, "short": 2, "worst_shortfall_t": pytest.approx(160.0),
         "county": "甲县", "pollutant": "NOx"},
    ]


def test_verdict_met_is_the_results_met(tmp_path, fixture_factors):
    met = plan(tmp_path, PLAN.replace('targets: {NOx: "5%"}', 'targets: {NOx: "1%"}').replace(
        'targets: {NOx: "10%"}', 'targets: {NOx: "1%"}'))
    untargeted = tmp_path / "none.yaml"
    untargeted.write_text(PLAN.replace('targets: {NOx: "5%"}\n', "").replace('    targets: {NOx: "10%"}\n', ""),
                          encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pandas warning stacking all-None and bool columns
        table = run_ensemble([met, untargeted])
    verdicts = ensemble_verdicts(table).set_index("variant")
    for path in (met, untargeted):
        assert verdicts.loc[str(path), "met"] == load_scenario(path).run().met
    assert verdicts.loc[str(met), "met"] is True
    assert verdicts.loc[str(untargeted), "met"] is None and verdicts.loc[str(untargeted), "targets"] == 0
    assert verdicts.loc[str(untargeted), "county"] is None


def test_variant_names_are_made_unique():
    assert unique_names(["a", "a", "a"]) == ["a", "a (2)", "a (3)"]
    assert unique_names(["a", "a (2)", "a"]) == ["a", "a (2)", "a (3)"]  # never a name given elsewhere
    tutorial = load_scenario(TUTORIAL)
    table = run_ensemble([TUTORIAL, str(TUTORIAL), tutorial, tutorial.with_target("5%")])
    assert list(dict.fromkeys(table["variant"])) == [str(TUTORIAL), f"{TUTORIAL} (2)", tutorial.name,
                                                     f"{tutorial.name} (2)"]
    assert list(dict.fromkeys(run_ensemble({1: tutorial, "1": tutorial})["variant"])) == ["1", "1 (2)"]


def test_no_variants_gives_an_empty_table():
    table = run_ensemble([])
    assert table.empty and list(table.columns) == ["variant", *SUMMARY_COLUMNS]


def test_every_variant_problem_is_reported_together_naming_its_file(tmp_path, fixture_factors):
    good = plan(tmp_path)
    broken_yaml = tmp_path / "broken.yaml"
    broken_yaml.write_text("name: x\ncounties: [\n", encoding="utf-8")
    bad_unit = tmp_path / "bad_unit.yaml"
    bad_unit.write_text(PLAN.replace('output: "1 Mt/yr"', 'output: "1 Mt"'), encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError) as caught:
        run_ensemble([good, broken_yaml, bad_unit, missing])
    error = caught.value
    assert len(error.problems) == 3
    files = [problem.file for problem in error.problems]
    assert files == [str(broken_yaml), str(bad_unit), str(missing)]  # as given, in input order
    message = str(error)
    assert "invalid YAML" in message and "expected a mass per time" in message and "file not found" in message
    assert f"{bad_unit}:19:" in message and "counties.乙县.measures[0].output" in message


def test_errors_name_the_variant_where_the_name_is_not_the_file(tmp_path, fixture_factors):
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN.replace("count: 100", "count: -3"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        run_ensemble({"strict": bad, "loose": load_scenario(plan(tmp_path)), "other": 3})
    assert "variants[other]" in str(caught.value)  # not a path or a Scenario: found before anything runs
    with pytest.raises(ScenarioError) as caught:
        run_ensemble({"strict": bad})
    (problem,) = caught.value.problems
    assert problem.file == str(bad) and problem.field.startswith("variants[strict].counties.甲县.measures[0]")


def test_a_bad_target_is_reported_once(tmp_path, fixture_factors):
    with pytest.raises(ScenarioError) as caught:
        run_ensemble([plan(tmp_path)] * 3, target="5")
    assert len(caught.value.problems) == 1 and "write targets like '5%'" in str(caught.value)


@pytest.mark.parametrize(("variants", "options", "message"), [
    ([TUTORIAL], {"engine": "dusk"}, "did you mean 'dask'"),
    (str(TUTORIAL), {}, "expected a list of variants"),
    ([TUTORIAL, 5], {}, "variants[1]: expected a scenario file path or a Scenario, got int"),
])
def test_bad_arguments(variants, options, message):
    with pytest.raises(ScenarioError) as caught:
        run_ensemble(variants, **options)
    assert message in str(caught.value)


def test_scenario_error_survives_pickling():
    """What a remote task sends back: every problem with its location."""
    error = ScenarioError(problems=[Problem("bad", file="a.yaml", line=3, column=5, field="count", hint="a hint"),
                                    Problem("worse", field="x")])
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is ScenarioError and isinstance(back, ValueError)
    assert back.problems == error.problems and str(back) == str(error)
    located = pickle.loads(pickle.dumps(ScenarioError("one", line=2))).located(file="b.yaml").prefixed("variants[v]")
    assert str(located) == "b.yaml:2: variants[v]: one"


def test_dask_missing_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    with pytest.raises(ScenarioError, match=r"pip install 'reduccalc\[dask\]'"):
        run_ensemble([TUTORIAL], engine="dask")


def test_bad_scheduler_address_is_bad_input():
    pytest.importorskip("distributed")
    with pytest.raises(ScenarioError, match="scheduler: cannot use dask scheduler 'foo': missing port"):
        run_ensemble([TUTORIAL], engine="dask", scheduler="foo")


def test_dask_engine_equals_numpy(tmp_path, table):
    distributed = pytest.importorskip("distributed")
    good = load_scenario(plan(tmp_path), table=table)  # a Scenario object, sent to the workers
    variants = {"tutorial": TUTORIAL, "xinfu": XINFU, "plan": good, "plan again": good, "tutorial 5 %":
                load_scenario(TUTORIAL).with_target("5%")}
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN.replace('output: "1 Mt/yr"', 'output: "1 Mt"'), encoding="utf-8")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_ensemble(variants, engine="dask", scheduler=cluster.scheduler_address, target="3%")
        with pytest.raises(ScenarioError) as remote:
            run_ensemble([TUTORIAL, bad, tmp_path / "missing.yaml"], engine="dask", scheduler=cluster)
    pd.testing.assert_frame_equal(dask, run_ensemble(variants, target="3%"), check_exact=True)
    with pytest.raises(ScenarioError) as local:
        run_ensemble([TUTORIAL, bad, tmp_path / "missing.yaml"])
    assert str(remote.value) == str(local.value) and str(bad) in str(remote.value)


def test_cli_json_table_and_exit_codes(tmp_path):
    one = plan(tmp_path)
    out = run("ensemble", one, one, "--target", "20%", "--pollutant", "NOx", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["variant"] for r in rows if (r["county"], r["pollutant"]) == ("TOTAL", "NOx")] == [str(one), f"{one} (2)"]
    jia = next(r for r in rows if r["county"] == "甲县" and r["pollutant"] == "NOx")
    assert jia["shortfall_t"] == pytest.approx(160.0) and jia["met"] is False
    assert next(r for r in rows if r["pollutant"] == "SO2")["target_pct"] is None  # null, not NaN

    text = run("ensemble", one, "--format", "table")
    assert text.returncode == 0, text.stderr
    assert "per variant" in text.stdout and "worst_shortfall_t" in text.stdout

    broken = tmp_path / "broken.yaml"
    broken.write_text(PLAN.replace('output: "1 Mt/yr"', 'output: "1 Mt"'), encoding="utf-8")
    bad = run("ensemble", one, broken, tmp_path / "nope.yaml")
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert "broken.yaml:19:" in bad.stderr and "nope.yaml: scenario file not found" in bad.stderr
    assert run("ensemble", one, "--scheduler", "tcp://127.0.0.1:1").returncode == 2  # needs --engine dask
