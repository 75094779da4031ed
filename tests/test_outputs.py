"""The files ``run --out`` and ``--plot`` write: only ours, all or nothing, safe for Excel.

A few tests run ``python -m reduccalc`` in a subprocess as a user does; the
rest call ``reduccalc.cli.main`` in this process.
"""

import csv
import errno
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap

import openpyxl
import pandas as pd
import pytest

from reduccalc.cli import main
from reduccalc.report import excel, figures, outputs
from tests.conftest import FIXTURE_FACTORS, PLAN, REPO

RESULTS = ["iamc.csv", "ledger.csv", "metadata.json", "reductions.csv", "results.xlsx", "summary.csv"]
FIGURES = ["targets_NOx.png", "targets_SO2.png", "waterfall_乙县_NOx.png", "waterfall_甲县_NOx.png",
           "waterfall_甲县_SO2.png"]
USERS = {"plan.yaml": PLAN.encode(), "报告草稿.docx": b"draft report"}


@pytest.fixture(autouse=True)
def fixture_factors(monkeypatch):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))


def user_folder(path, plan=PLAN):
    """A folder holding the user's plan and report draft."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "plan.yaml").write_text(plan, encoding="utf-8")
    (path / "报告草稿.docx").write_bytes(USERS["报告草稿.docx"])
    return path


def cli(*args, cwd=None):
    """``python -m reduccalc`` with this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "reduccalc", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def listing(folder):
    """File names in ``folder``, hidden ones (the manifest) left out."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def run(capsys, *args):
    """``reduccalc run ...`` in this process: exit code and stderr."""
    code = main(["run", *map(str, args)])
    return code, capsys.readouterr().err


# -- the user's files are kept ------------------------------------------------------------------------------


def test_out_into_the_scenarios_folder_keeps_the_users_files(tmp_path):
    folder = user_folder(tmp_path / "folder")
    res = cli("run", folder / "plan.yaml", "--out", folder)
    assert res.returncode == 0, res.stderr
    assert listing(folder) == sorted([*RESULTS, *USERS])
    assert {name: (folder / name).read_bytes() for name in USERS} == USERS
    res = cli("run", folder / "plan.yaml", "--out", folder, "--plot", folder)
    assert res.returncode == 0, res.stderr
    assert listing(folder) == sorted([*RESULTS, *FIGURES, *USERS])
    assert {name: (folder / name).read_bytes() for name in USERS} == USERS
    assert "wrote 4 CSV files, 1 JSON files, 1 XLSX files, 5 PNG files to" in res.stderr


def test_out_dot_writes_into_the_current_folder(tmp_path):
    folder = user_folder(tmp_path / "folder")
    res = cli("run", "plan.yaml", "--out", ".", cwd=folder)
    assert res.returncode == 0, res.stderr
    assert listing(folder) == sorted([*RESULTS, *USERS])
    assert "wrote iamc.csv, ledger.csv, metadata.json, reductions.csv, results.xlsx, summary.csv to ." in res.stderr
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [outputs.MANIFEST]


def test_rerun_replaces_ours_removes_our_stale_files_and_keeps_the_users(tmp_path, capsys):
    folder = user_folder(tmp_path / "folder")
    (folder / "waterfall_mine.png").write_bytes(b"the user's own figure")
    assert run(capsys, folder / "plan.yaml", "--out", folder, "--plot", folder)[0] == 0
    old_summary = (folder / "summary.csv").read_text(encoding="utf-8-sig")
    renamed = folder / "renamed.yaml"
    renamed.write_text(PLAN.replace("乙县", "丙县"), encoding="utf-8")
    code, err = run(capsys, renamed, "--out", folder, "--plot", folder)
    assert code == 0, err
    assert listing(folder) == sorted([*RESULTS, *USERS, "renamed.yaml", "waterfall_mine.png", "targets_NOx.png",
                                      "targets_SO2.png", "waterfall_丙县_NOx.png", "waterfall_甲县_NOx.png",
                                      "waterfall_甲县_SO2.png"])
    assert "removed waterfall_乙县_NOx.png that an earlier run wrote to" in err
    summary = (folder / "summary.csv").read_text(encoding="utf-8-sig")
    assert "乙县" in old_summary and "乙县" not in summary and "丙县" in summary
    assert (folder / "waterfall_mine.png").read_bytes() == b"the user's own figure"
    manifest = json.loads((folder / outputs.MANIFEST).read_text(encoding="utf-8"))
    assert "waterfall_丙县_NOx.png" in manifest["files"] and "waterfall_乙县_NOx.png" not in manifest["files"]


def test_a_manifest_never_makes_a_run_remove_anything_outside_the_folder_or_a_folder(tmp_path, capsys):
    folder = user_folder(tmp_path / "folder")
    (tmp_path / "outside.txt").write_text("keep")
    (folder / "sub").mkdir()
    (folder / outputs.MANIFEST).write_text(json.dumps({"files": ["../outside.txt", "sub", "/etc/hostname"]}))
    assert run(capsys, folder / "plan.yaml", "--out", folder)[0] == 0
    assert (tmp_path / "outside.txt").read_text() == "keep" and (folder / "sub").is_dir()


def test_a_new_folder_and_its_files_get_the_umasks_permissions(tmp_path, capsys):
    user_folder(tmp_path)
    previous = os.umask(0o022)
    try:
        assert run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "a" / "b", "--plot", tmp_path / "p")[0] == 0
        os.umask(0o027)
        assert run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "c")[0] == 0
    finally:
        os.umask(previous)

    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    assert [mode(tmp_path / d) for d in ("a", "a/b", "p")] == [0o755, 0o755, 0o755]
    assert {mode(p) for d in ("a/b", "p") for p in (tmp_path / d).iterdir()} == {0o644}
    assert mode(tmp_path / "c") == 0o750 and {mode(p) for p in (tmp_path / "c").iterdir()} == {0o640}


def test_an_existing_folder_keeps_its_mode(tmp_path, capsys):
    folder = user_folder(tmp_path / "folder")
    folder.chmod(0o751)
    assert run(capsys, folder / "plan.yaml", "--out", folder)[0] == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o751


def test_out_at_a_link_writes_into_the_folder_it_points_to_and_keeps_the_link(tmp_path, capsys):
    target = user_folder(tmp_path / "target")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert run(capsys, target / "plan.yaml", "--out", link)[0] == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert listing(target) == sorted([*RESULTS, *USERS])


def test_out_and_plot_in_two_folders_write_each_only_their_own(tmp_path, capsys):
    user_folder(tmp_path)
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "a", "--plot", tmp_path / "b")
    assert code == 0, err
    assert listing(tmp_path / "a") == RESULTS and listing(tmp_path / "b") == FIGURES


# -- bad paths: exit 2 naming the path, nothing written -------------------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    (["--out", "afile/sub"], "--out: cannot make folder afile/sub: afile is a file, not a folder"),
    (["--out", "afile"], "--out: afile is a file, not a folder"),
    (["--plot", "afile"], "--plot: afile is a file, not a folder"),
    (["--plot", "afile/sub"], "--plot: cannot make folder afile/sub: afile is a file, not a folder"),
    (["--out", "new", "--plot", "afile"], "--plot: afile is a file, not a folder"),
    (["--out", "dangling"], "--out: dangling is a symbolic link to nowhere, which does not exist"),
])
def test_a_path_that_cannot_be_a_folder_is_exit_2_and_nothing_is_written(tmp_path, monkeypatch, capsys,
                                                                         options, message):
    user_folder(tmp_path)
    (tmp_path / "afile").write_text("mine")
    (tmp_path / "dangling").symlink_to("nowhere")
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "plan.yaml", *options)
    assert (code, err.strip()) == (2, f"error: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "dangling", "plan.yaml", "报告草稿.docx"]


@pytest.mark.skipif(not os.path.isdir("/proc/1/fdinfo"), reason="needs Linux /proc")
def test_out_under_proc_is_exit_2(tmp_path):
    user_folder(tmp_path)
    res = cli("run", tmp_path / "plan.yaml", "--out", "/proc/x")
    assert res.returncode == 2 and res.stderr == "error: --out: cannot make folder /proc/x: no such file or directory\n"
    res = cli("run", tmp_path / "plan.yaml", "--out", "/proc/1/fdinfo/x")  # not even root may look there
    assert res.returncode == 2 and res.stderr == "error: --out: cannot write /proc/1/fdinfo/x: permission denied\n"


def test_a_folder_that_is_not_writable_is_exit_2(tmp_path, monkeypatch, capsys):
    """Tests run as root, who may write anywhere: the refusal is the operating system's, here simulated."""
    folder = user_folder(tmp_path / "folder")

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(folder / ".reduccalc-staging-x"))

    monkeypatch.setattr(outputs.tempfile, "mkdtemp", refused)
    code, err = run(capsys, folder / "plan.yaml", "--out", folder)
    assert (code, err) == (2, f"error: --out: cannot write in folder {folder}: permission denied\n")
    assert listing(folder) == sorted(USERS)


def test_a_disk_full_mid_write_is_exit_2_and_removes_the_folders_it_made(tmp_path, monkeypatch, capsys):
    user_folder(tmp_path)

    def full(result, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(excel, "write_workbook", full)
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "new" / "deep")
    assert (code, err) == (2, f"error: --out: cannot write {tmp_path / 'new' / 'deep' / 'results.xlsx'}: "
                              "no space left on device\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml", "报告草稿.docx"]


def test_a_failure_while_moving_into_place_undoes_every_move(tmp_path, monkeypatch, capsys):
    folder = user_folder(tmp_path / "folder")
    assert run(capsys, folder / "plan.yaml", "--out", folder, "--plot", folder)[0] == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / "renamed.yaml").write_text(PLAN.replace("乙县", "丙县"), encoding="utf-8")
    before["renamed.yaml"] = (folder / "renamed.yaml").read_bytes()
    real_replace, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 7:
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing)
    code, err = run(capsys, folder / "renamed.yaml", "--out", folder, "--plot", folder)
    assert code == 2 and "Input/output error".lower() in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# -- interrupts and killed runs --------------------------------------------------------------------------------


def test_an_interrupt_while_drawing_leaves_no_figure(tmp_path, monkeypatch, capsys):
    user_folder(tmp_path)
    drawn = []
    real_targets = figures.plot_targets

    def interrupted(result, pollutant, *args):  # args: the language
        drawn.append(pollutant)
        if len(drawn) == 2:
            raise KeyboardInterrupt
        return real_targets(result, pollutant, *args)

    monkeypatch.setattr(figures, "plot_targets", interrupted)
    code, err = run(capsys, tmp_path / "plan.yaml", "--plot", tmp_path / "figs")
    assert (code, err) == (130, "interrupted; nothing written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml", "报告草稿.docx"]


def test_ctrl_c_while_moving_into_place_waits_until_every_file_is_in_place(tmp_path, monkeypatch, capsys):
    user_folder(tmp_path)
    real_place = outputs._place

    def place_and_interrupt(folder, undo):
        os.kill(os.getpid(), signal.SIGINT)  # held back until every file is in place
        real_place(folder, undo)

    monkeypatch.setattr(outputs, "_place", place_and_interrupt)
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")
    assert (code, err) == (130, "interrupted; the files were all written\n")
    assert listing(tmp_path / "r") == RESULTS


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path, capsys):
    folder = user_folder(tmp_path / "folder")
    host = outputs._host()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = folder / f"{outputs.STAGING}{host}-{dead.pid}-abc"
    running = folder / f"{outputs.STAGING}{host}-{os.getppid()}-abc"  # a live process: maybe still writing
    other_host = folder / f"{outputs.STAGING}elsewhere-{dead.pid}-abc"
    for staging in (stale, running, other_host):
        staging.mkdir()
        (staging / "ledger.csv").write_text("partial")
    assert run(capsys, folder / "plan.yaml", "--out", folder)[0] == 0
    assert not stale.exists() and running.exists() and other_host.exists()


def test_staging_names_carry_host_and_pid(tmp_path, monkeypatch, capsys):
    user_folder(tmp_path)
    seen = []
    real_write = outputs._write_files

    def spy(result, folder, results, figures):
        seen.append(folder.staging.name)
        real_write(result, folder, results, figures)

    monkeypatch.setattr(outputs, "_write_files", spy)
    assert run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")[0] == 0
    assert seen[0].startswith(f".reduccalc-staging-{outputs._host()}-{os.getpid()}-")
    assert socket.gethostname() and not list((tmp_path / "r").glob(".reduccalc-staging-*"))


def test_the_command_line_imports_nothing_heavy_before_main():
    """Ctrl-C in the first second lands in main (exit 130, no traceback) only if the imports happen there."""
    code = "import sys, reduccalc.cli; print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert res.stdout.strip() == "[]", res.stderr


# -- what Excel and the CSVs hold ------------------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/","click")'
INJECTED = textwrap.dedent(f"""\
    name: "=== phase 1 ==="
    period: {{start: 2021-01-01, end: 2021-12-31}}
    counties:
      '{EVIL}':
        baseline: {{NOx: "1000 t", SO2: "400 t"}}
        measures:
          - {{type: vehicle_retirement, id: "@SUM(1+1)", count: 100, vehicle: heavy_duty_diesel_truck, standard: 国三}}
          - {{type: boiler_phaseout, id: "#N/A", count: 3, capacity: 10 t_steam/h, hours: 1000 h,
              replacement: natural_gas}}
          - {{type: boiler_phaseout, id: "-minus", count: 1, capacity: 10 t_steam/h, hours: 1000 h}}
    """)


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path, capsys):
    (tmp_path / "plan.yaml").write_text(INJECTED, encoding="utf-8")
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "r" / "results.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert {EVIL, "=== phase 1 ===", "@SUM(1+1)", "#N/A", "-minus"} <= texts
    signs = [c.value for c in book["ledger"]["I"][1:]]  # the sign column: -1 for the natural gas burnt
    assert book["ledger"]["I1"].value == "sign" and -1 in signs and 1 in signs
    assert all(c.data_type == "n" for c in book["ledger"]["I"][1:])


def test_csv_text_fields_are_escaped_and_numbers_stay_numbers(tmp_path, capsys):
    (tmp_path / "plan.yaml").write_text(INJECTED, encoding="utf-8")
    assert run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")[0] == 0
    with open(tmp_path / "r" / "ledger.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["county"] for r in rows} == {"'" + EVIL}
    assert {r["measure"] for r in rows} == {"'@SUM(1+1)", "#N/A", "'-minus"}
    gas = [r for r in rows if r["sign"] == "-1.0"]
    assert gas and all(float(r["reduction_t"]) < 0 for r in gas)  # numbers, unquoted and unprefixed
    summary = (tmp_path / "r" / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert summary[1].startswith('"\'=HYPERLINK(""http://evil.example/"",""click"")",SO2,400.0,')


def test_csv_safe_leaves_numbers_and_harmless_text():

    frame = pd.DataFrame({"name": ["=1+1", "+x", "-y", "@z", "\tt", "\rr", "ok", "a=b"], "value": [-1.5] * 8,
                          "kind": pd.Categorical(["-c", "d", "-c", "d", "d", "d", "d", "d"])})
    safe = outputs.csv_safe(frame)
    assert safe["name"].tolist() == ["'=1+1", "'+x", "'-y", "'@z", "'\tt", "'\rr", "ok", "a=b"]
    assert safe["value"].tolist() == [-1.5] * 8 and safe["kind"].tolist()[:2] == ["'-c", "d"]
    assert frame["name"].iloc[0] == "=1+1"  # the frame itself is not changed


def test_control_characters_are_escaped_visibly_and_said(tmp_path, capsys):
    """Names with control characters are refused at load (nothing written); any other text that carries one
    (a local factor file's source, say) is escaped visibly in the workbook, and the notes say where."""
    (tmp_path / "plan.yaml").write_text(PLAN.replace("甲县:", '"甲\\a县":'), encoding="utf-8")
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")
    assert code == 2 and "control character U+0007" in err and not (tmp_path / "r").exists()
    notes: list[str] = []
    column = excel._Column.of(pd.Series(["甲\a县", "乙县", "甲\a县"], name="source"), "ledger, column source", notes)
    assert column.values.tolist() == ["甲\\x07县", "乙县", "甲\\x07县"]
    assert notes == ["ledger, column source: 2 cells had control characters, written as \\xNN (first in data row 1); "
                     "the CSV holds them as they are"]


def test_a_cell_longer_than_excel_holds_is_cut_with_a_marker(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(excel, "EXCEL_MAX_CHARS", 60)
    long_id = "trucks " + "x" * 93  # 100 characters
    (tmp_path / "plan.yaml").write_text(PLAN.replace("id: trucks", f"id: {long_id}"), encoding="utf-8")
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")
    assert code == 0, err
    cell = openpyxl.load_workbook(tmp_path / "r" / "results.xlsx")["reductions"]["B2"].value
    marker = " [... cut: 100 characters in all, see the CSV]"
    assert len(cell) == 60 and cell == long_id[:60 - len(marker)] + marker
    assert "reductions, column measure: 2 cells were longer than 60 characters, cut" in err
    assert long_id in (tmp_path / "r" / "reductions.csv").read_text(encoding="utf-8-sig")


def test_a_ledger_longer_than_a_sheet_is_split_over_sheets(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(excel, "EXCEL_MAX_ROWS", 3)  # a header and two rows a sheet
    user_folder(tmp_path)
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", tmp_path / "r")
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "r" / "results.xlsx")
    with open(tmp_path / "r" / "ledger.csv", encoding="utf-8-sig", newline="") as f:
        ledger = list(csv.reader(f))
    assert len(ledger) == 1 + 4  # NOx and PM2.5 of the trucks, NOx and PM10 of the kiln
    assert [s for s in book.sheetnames if s.startswith("ledger")] == ["ledger", "ledger 2"]
    rows = [[c.value for c in row] for name in ("ledger", "ledger 2") for row in book[name].iter_rows()]
    assert [r[:3] for r in rows if r[0] == "county"] == [["county", "measure", "type"]] * 2
    assert [r[5] for r in rows if r[0] != "county"] == ["NOx", "PM2.5", "NOx", "PM10"]
    assert ("note: results.xlsx: sheet ledger: 4 rows split over the sheets ledger, ledger 2 "
            "(a sheet holds 2 rows under its header); ledger.csv holds them in one table") in err


# -- figures ---------------------------------------------------------------------------------------------------


def test_figure_names_never_collide_and_stay_short(tmp_path, capsys):
    long_name = "县" * 90  # 270 bytes in UTF-8: more than a file name may have
    plan = PLAN.replace("甲县:", "A B:").replace("乙县:", "A_B:")
    plan += textwrap.indent(textwrap.dedent(f"""\
          {long_name}:
            baseline: {{NOx: "100 t"}}
            measures: []
          ABC:
            baseline: {{NOx: "100 t"}}
            measures: []
          "$\\\\frac$":
            baseline: {{NOx: "100 t"}}
            measures: []
        """), "  ")
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    code, err = run(capsys, tmp_path / "plan.yaml", "--plot", tmp_path / "f")
    assert code == 0, err
    names = listing(tmp_path / "f")
    assert len([n for n in names if n.startswith("waterfall_")]) == 5 + 1  # five counties' NOx, SO2 of "A B"
    assert len({n.casefold() for n in names}) == len(names)
    assert "waterfall_A_B_NOx.png" in names and "waterfall_ABC_NOx.png" in names
    assert f"waterfall_A_B-{figures._digest('A B')}_NOx.png" in names
    assert max(len(n.encode()) for n in names) <= 255
    assert any(n.startswith("waterfall_" + "县" * 37) for n in names)


def test_figure_file_names_are_stable_and_hash_the_original():
    assert figures._name_part("甲县", 120) == "甲县"
    changed = figures._name_part("A B", 120)
    assert changed.startswith("A_B-") and len(changed) == 3 + 1 + 8
    assert figures._name_part("A B", 120) == changed != figures._name_part("A/B", 120)
    taken: set[str] = set()
    assert figures._unique("x", "x", taken) == "x.png"
    assert figures._unique("X", "X", taken) == f"X-{figures._digest('X')}.png"


def test_a_folder_named_like_one_of_our_files_is_never_moved(tmp_path, capsys):
    folder = user_folder(tmp_path / "folder")
    (folder / "summary.csv").mkdir()
    (folder / "summary.csv" / "mine.txt").write_text("keep")
    code, err = run(capsys, folder / "plan.yaml", "--out", folder)
    assert (code, err) == (2, f"error: --out: cannot write {folder / 'summary.csv'}: "
                              "a folder of that name is in the way\n")
    assert (folder / "summary.csv" / "mine.txt").read_text() == "keep"
    assert listing(folder) == sorted(["summary.csv", *USERS])


def test_an_empty_folder_name_is_exit_2(tmp_path, capsys):
    user_folder(tmp_path)
    code, err = run(capsys, tmp_path / "plan.yaml", "--out", "")
    assert (code, err) == (2, "error: --out: the folder's name is empty (for the current folder, give .)\n")


def test_plot_alone_into_a_results_folder_removes_the_earlier_results_and_says_so(tmp_path, capsys):
    """The results of an earlier run beside this run's figures would pass for this run's: they go, said."""
    folder = user_folder(tmp_path / "folder")
    assert run(capsys, folder / "plan.yaml", "--out", folder)[0] == 0
    code, err = run(capsys, folder / "plan.yaml", "--plot", folder)
    assert code == 0, err
    assert listing(folder) == sorted([*FIGURES, *USERS])
    assert ("removed iamc.csv, ledger.csv, metadata.json, reductions.csv, results.xlsx, summary.csv that an earlier run "
            f"wrote to {folder} and this one did not") in err
