"""The command line, run as a user runs it: the installed entry point in a subprocess."""

import json
import subprocess
import sys
import time

import openpyxl
import pytest

from tests.conftest import ENV, EXE, PLAN, plan, run, run_subprocess

# TOTAL NOx: 140 t of 1200 t = 11.7 % (target 5 %: met)


def test_run_json_matches_hand_numbers(tmp_path):
    out = run("run", plan(tmp_path), "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = {(r["county"], r["pollutant"]): r for r in json.loads(out.stdout)}
    assert rows[("甲县", "NOx")]["reduction_t"] == pytest.approx(40.0)
    assert rows[("甲县", "NOx")]["shortfall_t"] == pytest.approx(10.0)
    assert rows[("甲县", "NOx")]["met"] is False
    assert rows[("甲县", "SO2")]["target_pct"] is None and rows[("甲县", "SO2")]["met"] is None
    assert rows[("乙县", "NOx")]["reduction_t"] == pytest.approx(100.0)
    assert rows[("TOTAL", "NOx")]["reduction_t"] == pytest.approx(140.0)
    assert rows[("TOTAL", "NOx")]["met"] is True


def test_check_exit_codes_and_verdict(tmp_path):
    path = plan(tmp_path)
    short = run("check", path)
    assert short.returncode == 1
    assert "SHORT 甲县 NOx" in short.stdout and "short by 10.0 t" in short.stdout
    assert run("check", path, "--target", "3%", "--pollutant", "NOx").returncode == 0
    assert run("check", path, "--target", "3%").returncode == 1  # SO2 now has a 3 % target
    none = run("check", path, "--pollutant", "SO2")
    assert none.returncode == 2 and "no target to check" in none.stderr
    bare = run("check", path, "--target", "5")
    assert bare.returncode == 2 and "'5%'" in bare.stderr


def test_the_installed_command_as_its_own_process(tmp_path):
    # the other CLI tests call main() in this process; this one goes through the entry point a shell runs
    path = plan(tmp_path)
    short = run_subprocess("check", path)
    assert short.returncode == 1 and "short by 10.0 t" in short.stdout
    rows = {(r["county"], r["pollutant"]): r for r in json.loads(run_subprocess("run", path, "--format", "json").stdout)}
    assert rows[("TOTAL", "NOx")]["reduction_t"] == pytest.approx(140.0)  # 40 t + 100 t, as in-process
    bad = run_subprocess("check", path, "--target", "5")
    assert bad.returncode == 2 and "'5%'" in bad.stderr and "Traceback" not in bad.stderr
    assert run_subprocess("check", path).stdout == run("check", path).stdout


def test_csv_and_table_formats(tmp_path):
    out = run("run", plan(tmp_path), "--format", "csv")
    assert out.stdout.splitlines()[0] == "county,pollutant,baseline_t,reduction_t,reduction_pct,target_pct,met,shortfall_t"
    table = run("run", plan(tmp_path))
    assert "甲县" in table.stdout and "TOTAL" in table.stdout


def test_out_writes_everything(tmp_path):
    out_dir = tmp_path / "results"
    res = run("run", plan(tmp_path), "--out", out_dir)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == [".reduccalc-manifest.json", "iamc.csv", "ledger.csv",
                                                         "metadata.json", "reductions.csv", "results.xlsx", "summary.csv"]
    book = openpyxl.load_workbook(out_dir / "results.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "reductions", "ledger", "factors", "metadata"]
    meta = json.loads((out_dir / "metadata.json").read_text(encoding="utf-8"))
    assert len(meta["scenario_sha256"]) == 64 and len(meta["factor_tables_sha256"]) == 64


def test_failing_run_writes_nothing_and_keeps_previous(tmp_path):
    out_dir = tmp_path / "results"
    assert run("run", plan(tmp_path), "--out", out_dir).returncode == 0
    before = (out_dir / "summary.csv").read_bytes()
    bad = plan(tmp_path, PLAN.replace("count: 100", "count: many"))
    res = run("run", bad, "--out", out_dir)
    assert res.returncode == 2
    assert (out_dir / "summary.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml", "results"]
    fresh = tmp_path / "fresh"
    assert run("run", bad, "--out", fresh).returncode == 2 and not fresh.exists()


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("count: 100", "count: -100", ":10:", "negative"),
        ("standard: 国三", "standard: 国八", ":12:", "unknown vehicle emission standard"),
        ("type: vehicle_retirement", "type: vehicle_retirment", ":8:", "did you mean 'vehicle_retirement'"),
        ("output: \"1 Mt/yr\"", "output: \"1 Mt\"", ":19:", "expected a mass per time"),
        ("targets: {NOx: \"5%\"}", "targets: {NOx: 5}", ":3:", "write targets with a percent sign"),
        ("    targets: {NOx: \"10%\"}", "    targets: {NOx: \"10%\"}\n    targets: {SO2: \"1%\"}", ":16:",
         "duplicate key 'targets'"),
        ("period: {start: 2021-01-01, end: 2021-12-31}", "period: {start: 2021-01-01, end: 2020-12-31}", "",
         "before it starts"),
        ("        id: trucks", "        id: trucks\n        emision_factors: {NOx: 2 g/km}", ":10:",
         "did you mean 'emission_factors'"),
    ],
)
def test_bad_input_exit_2_with_line_and_field(tmp_path, old, new, where, message):
    assert old in PLAN
    res = run("validate", plan(tmp_path, PLAN.replace(old, new)))
    assert res.returncode == 2
    assert message in res.stderr
    assert "plan.yaml" + where in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_alias_bomb_and_python_tag(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1,2]\n" + "".join(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n"
                                               for p, n in zip("abcdefg", "bcdefgh")))
    start = time.perf_counter()
    res = run("validate", bomb)
    assert res.returncode == 2 and "aliases expand" in res.stderr
    assert time.perf_counter() - start < 10  # includes interpreter start
    marker = tmp_path / "hacked"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    res = run("validate", evil)
    assert res.returncode == 2 and not marker.exists()


def test_missing_file_and_usage_errors(tmp_path):
    res = run("run", tmp_path / "nope.yaml")
    assert res.returncode == 2 and "file not found" in res.stderr
    assert run("runn", "x").returncode == 2
    assert run().returncode == 2


def test_explain_shows_arithmetic_and_source(tmp_path):
    res = run("explain", plan(tmp_path), "--county", "甲县")
    assert res.returncode == 0
    assert "5e+06 km/yr x 8 g/km" in res.stdout and "= 40.000 t" in res.stdout
    assert "factor t.hdt.III.NOx: fixture" in res.stdout
    res = run("explain", plan(tmp_path), "--county", "丙县")
    assert res.returncode == 2 and "no county" in res.stderr


def test_factors_list_and_show():
    res = run("factors", "list")
    assert res.returncode == 0 and "t.hdt.III.NOx" in res.stdout
    res = run("factors", "show", "t.hdt.III.NOx")
    assert res.returncode == 0 and "Test fixture" in res.stdout and "8 g/km" in res.stdout
    res = run("factors", "show", "t.hdt.III.NOX")
    assert res.returncode == 2 and "did you mean" in res.stderr


def test_module_entry_point_and_help():
    res = subprocess.run([sys.executable, "-m", "reduccalc", "check", "--help"], capture_output=True, text=True,
                         env=ENV)
    assert res.returncode == 0 and "example" in res.stdout


def test_sigterm_mid_write_keeps_previous_results(tmp_path):
    """SIGTERM while --out is being written: previous results intact, no partial folder."""
    import signal

    out_dir = tmp_path / "results"
    assert run("run", plan(tmp_path), "--out", out_dir).returncode == 0
    before = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    measures = "".join(f"      - {{type: vehicle_retirement, count: {i + 1}, vehicle: heavy_duty_diesel_truck, "
                       f"standard: III}}\n" for i in range(12000))
    big = tmp_path / "big.yaml"
    big.write_text("name: big\nperiod: {start: 2021-01-01, end: 2021-12-31}\ncounties:\n  甲县:\n"
                   "    baseline: {NOx: \"1e9 t\"}\n    measures:\n" + measures, encoding="utf-8")
    proc = subprocess.Popen([EXE, "run", str(big), "--out", str(out_dir)], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out_dir.glob(".reduccalc-staging-*")):
        time.sleep(0.005)
    assert list(out_dir.glob(".reduccalc-staging-*")), "the write never started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; nothing written" in err
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml", "plan.yaml", "results"]


def test_a_county_without_measures_runs(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("name: e\nperiod: {start: 2024-01-01, end: 2024-12-31}\ncounties:\n  湘潭市:\n"
                    "    baseline: {NOx: \"100 t\"}\n    measures: []\n", encoding="utf-8")
    res = run("run", path)
    assert res.returncode == 0, res.stderr
    assert "湘潭市" in res.stdout and res.stderr == ""


def test_debug_keeps_the_exit_code_of_bad_input(tmp_path, capsys):
    """--debug adds the traceback; bad input is still exit 2 with its message (it was an uncaught raise)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: x\nperiod: {start: 2021-01-01, end: 2021-12-31}\ncounties: {A: {baseline: {SO2: '10 blargs'}}}\n",
                    encoding="utf-8")
    from reduccalc.cli import main

    assert main(["run", str(plan), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "unknown unit 'blargs'" in err


def _imported(*args):
    """Modules a fresh ``python -m reduccalc ARGS`` process has imported when it exits."""
    code = ("import atexit, sys, runpy\n"
            "atexit.register(lambda: sys.__stderr__.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
            f"sys.argv = ['reduccalc', *{list(map(str, args))!r}]\n"
            "runpy.run_module('reduccalc', run_name='__main__')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=120)
    line = next(line for line in out.stderr.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(flag):
    top_level = {name.split(".")[0] for name in _imported(flag)}
    assert not top_level & {"numpy", "pandas", "pint", "scipy", "yaml", "matplotlib", "openpyxl"}


def test_check_imports_no_plotting_excel_or_scipy_special(tmp_path):
    # matplotlib ~0.6 s, scipy.special ~0.35 s: a plan without day targets needs neither (scipy itself comes with
    # pint, cheaply)
    assert not _imported("check", plan(tmp_path)) & {"matplotlib", "openpyxl", "scipy.special", "scipy.optimize"}
