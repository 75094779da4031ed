"""Hostile and broken input files: each with its minimal input and the clean outcome expected.

Files outside the plan's folder, files that are not files (FIFO, device,
folder), files too large, spreadsheets that would read cells as empty, and
damaged workbooks: every one a ScenarioError naming the file (CLI exit 2, no
traceback), never a hang, a memory blow-up or an echo of the file's content.

Hand numbers: the fixture factors give a heavy-duty China III truck 50,000
km/yr at 8 g/km NOx, so 10 trucks remove 4 t NOx a year; in service from
2021-07-01 they remove 4 t x 184/365 = 2.0164 t over 2021.
"""

import json
import os
import re
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import reduccalc.inputs.tables as tables
import reduccalc.workbook as workbook
import reduccalc.yamlio as yamlio
from reduccalc import ScenarioError, load_scenario
from tests.conftest import run, scenario_dict

TRUCKS = {"type": "vehicle_retirement", "count": 10, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}
HEADER = ["type", "id", "count", "vehicle", "standard", "in_service"]
HALF_YEAR = 4 * 184 / 365  # t NOx: 10 trucks from 2021-07-01
PLAN_YAML = ("name: t\nperiod: {{start: 2021-01-01, end: 2021-12-31}}\n{top}counties:\n  甲县:\n"
             "    baseline: {{NOx: 1000 t}}\n{county}")


def truck_csv(path, rows=1):
    path.write_text("type,count,vehicle,standard\n" + "vehicle_retirement,10,heavy_duty_diesel_truck,China III\n"
                    * rows, encoding="utf-8")
    return path


def register_plan(name):
    """A one-county scenario dict whose county reads the register ``name``."""
    data = scenario_dict([], baseline={"NOx": "1000 t"})
    data["counties"]["甲县"]["measures_file"] = name
    return data


def problem(data, folder, table, **options):
    """The only problem of loading ``data`` with the plan's folder ``folder``."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, base_dir=folder, table=table, **options)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.first


def nox(data, folder, table, **options):
    summary = load_scenario(data, base_dir=folder, table=table, **options).run().summary()
    return summary.set_index(["county", "pollutant"]).loc[("甲县", "NOx"), "reduction_t"]


def write_plan(folder, top="", county="", name="plan.yaml"):
    path = folder / name
    path.write_text(PLAN_YAML.format(top=top, county=county), encoding="utf-8")
    return path


def cli_error(*args):
    """Run the CLI, expecting exit 2 and a one-problem message without a traceback; the message."""
    out = run(*args)
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stderr.startswith("error: ")
    return out.stderr


# ---------------------------------------------------------------- files outside the plan's folder


@pytest.fixture
def outside(tmp_path):
    """A plan folder and, beside it, another user's folder with a CSV register."""
    plan, other = tmp_path / "plan", tmp_path / "other"
    plan.mkdir()
    other.mkdir()
    truck_csv(other / "r.csv")
    return plan, other


def test_an_absolute_path_is_refused_unless_allowed(outside, table):
    plan, other = outside
    found = problem(register_plan(str(other / "r.csv")), plan, table)
    assert found.field == "counties.甲县.measures_file"
    assert found.message == (f"register {str(other / 'r.csv')!r} is an absolute path; a plan reads files in its own "
                             f"folder ({os.path.realpath(plan)})")
    assert "--allow-outside" in found.hint
    assert nox(register_plan(str(other / "r.csv")), plan, table, allow_outside=True) == pytest.approx(4.0)


def test_dot_dot_out_of_the_folder_is_refused_but_inside_is_fine(outside, table):
    plan, _ = outside
    found = problem(register_plan("../other/r.csv"), plan, table)
    assert found.message.startswith("register '../other/r.csv' leads out of the plan's folder")
    (plan / "sub").mkdir()
    truck_csv(plan / "r.csv")
    assert nox(register_plan("sub/../r.csv"), plan, table) == pytest.approx(4.0)
    assert nox(register_plan("../other/r.csv"), plan, table, allow_outside=True) == pytest.approx(4.0)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_symbolic_link_to_a_file_outside_is_refused(outside, table):
    plan, other = outside
    (plan / "link.csv").symlink_to(other / "r.csv")
    found = problem(register_plan("link.csv"), plan, table)
    assert found.message.startswith(f"register 'link.csv' is a symbolic link to {os.path.realpath(other / 'r.csv')}, "
                                    "outside the plan's folder")
    truck_csv(plan / "mine.csv")
    (plan / "inside.csv").symlink_to(plan / "mine.csv")
    assert nox(register_plan("inside.csv"), plan, table) == pytest.approx(4.0)


@pytest.mark.parametrize("key", ["factors", "baselines_file"])
def test_the_rule_holds_for_factor_files_and_baselines_tables(outside, table, key):
    plan, other = outside
    data = scenario_dict([], baseline={"NOx": "1000 t"})
    data[key] = [str(other / "r.csv")] if key == "factors" else "../other/r.csv"
    found = problem(data, plan, table)
    assert found.field == ("factors[0]" if key == "factors" else "baselines_file")
    assert "outside" in found.hint and ("absolute path" in found.message or "leads out" in found.message)


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="needs Linux /proc")
def test_a_link_to_the_environment_is_refused_and_never_echoed(tmp_path, table, monkeypatch):
    monkeypatch.setenv("REDUCCALC_SECRET", "s3cr3t-" + "x" * 200)
    (tmp_path / "env.csv").symlink_to("/proc/self/environ")
    found = problem(register_plan("env.csv"), tmp_path, table)
    assert "symbolic link to /proc/" in found.message and "s3cr3t" not in str(found)
    with pytest.raises(ScenarioError) as info:  # trusted: read, but only a short excerpt of its header is quoted
        load_scenario(register_plan("env.csv"), base_dir=tmp_path, table=table, allow_outside=True)
    assert "s3cr3t" not in str(info.value)
    assert all(len(str(p)) < 400 for p in info.value.problems)


def test_a_long_header_is_quoted_as_a_short_escaped_excerpt(tmp_path, table):
    (tmp_path / "r.csv").write_text("type," + "secret\x01" * 1000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(register_plan("r.csv"), base_dir=tmp_path, table=table)
    unknown = [p for p in info.value.problems if "unknown column" in p.message][0]
    quoted = repr("secret\x01" * 5 + "secre") + "... (7,000 characters)"  # the first 40 characters, escaped
    assert (unknown.field, unknown.message) == (f"column {quoted}", f"unknown column {quoted}")


# ---------------------------------------------------------------- files that are not files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_by_its_kind_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    plan = write_plan(tmp_path, county="    measures_file: pipe.csv\n")
    started = time.monotonic()
    message = cli_error("run", plan)
    assert time.monotonic() - started < 60
    assert message == "error: plan.yaml:6:20: counties.甲县.measures_file: register 'pipe.csv' is a named pipe " \
                      "(FIFO), not a file\n".replace("plan.yaml", str(plan))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_as_a_factor_file_is_refused_even_when_allowed(tmp_path, table):
    data = scenario_dict([], baseline={"NOx": "1000 t"}, factors=["/dev/zero"])
    assert problem(data, tmp_path, table).message.startswith("factor file '/dev/zero' is an absolute path")
    found = problem(data, tmp_path, table, allow_outside=True)
    assert (found.field, found.message) == ("factors[0]", "factor file is a character device, not a file")


def test_folders_are_named_as_folders(tmp_path, table):
    (tmp_path / "r.csv").mkdir()
    assert problem(register_plan("r.csv"), tmp_path, table).message == "register 'r.csv' is a folder, not a file"
    data = scenario_dict([], baseline={"NOx": "1000 t"}, factors=["r.csv"])
    assert problem(data, tmp_path, table).message == "factor file is a folder, not a file"
    assert cli_error("validate", tmp_path / "r.csv") == f"error: {tmp_path / 'r.csv'}: scenario file is a folder, " \
                                                       "not a file\n"


def test_unreadable_files_are_named(tmp_path, table, monkeypatch):
    truck_csv(tmp_path / "r.csv")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)  # as chmod 000 would, for any user (root reads everything)
    found = problem(register_plan("r.csv"), tmp_path, table)
    assert (found.field, found.message) == ("counties.甲县.measures_file",
                                            "register 'r.csv' cannot be read: permission denied")


def test_a_missing_factor_file_is_placed_at_the_plan_line_that_names_it(tmp_path, table):
    plan = write_plan(tmp_path, top="factors: [nope.csv]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(plan, table=table)
    found = info.value.first
    assert (found.file, found.line, found.field) == (str(plan), 3, "factors[0]")
    assert found.message == f"factor file not found (looked for {tmp_path / 'nope.csv'})"


# ---------------------------------------------------------------- sizes


def test_a_scenario_file_too_large_says_what_it_is_and_what_was_expected(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_BYTES", 1000)
    plan = write_plan(tmp_path, top="description: " + "x" * 2000 + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(plan)
    found = info.value.first
    assert found.file == str(plan)
    assert re.fullmatch(r"scenario file is 2,\d\d\d bytes; a scenario file is at most 1,000 bytes", found.message)
    assert "measures_file" in found.hint


def test_a_register_too_large_is_refused_before_reading(tmp_path, table, monkeypatch):
    monkeypatch.setattr(tables, "MAX_CSV_BYTES", 100)
    truck_csv(tmp_path / "r.csv", rows=3)  # 28 bytes of header, 3 rows of 56
    found = problem(register_plan("r.csv"), tmp_path, table)
    assert found.message == "register 'r.csv' is 196 bytes; a register is at most 100 bytes"


# ---------------------------------------------------------------- the same register twice


def test_a_register_named_twice_is_refused_naming_both_places(tmp_path, table):
    truck_csv(tmp_path / "r.csv").write_text("type,county,count,vehicle,standard\n"
                                             "vehicle_retirement,甲县,10,heavy_duty_diesel_truck,China III\n",
                                             encoding="utf-8")
    plan = write_plan(tmp_path, top="measures_file: ./r.csv\n", county="    measures_file: r.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(plan, table=table)
    found = info.value.first
    assert (found.line, found.field) == (3, "measures_file")
    assert found.message == ("names the same register as counties.甲县.measures_file (line 7): its rows would be "
                             "counted twice")


# ---------------------------------------------------------------- XLSX cells that would read as empty


def xlsx(path, rows, edit=None, patch=None):
    """Write ``rows`` to a one-sheet workbook; ``edit(sheet)`` before saving; ``patch(xml)`` the sheet's XML after."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if edit:
        edit(sheet)
    book.save(path)
    if patch:
        with zipfile.ZipFile(path) as old:
            members = {info.filename: old.read(info.filename) for info in old.infolist()}
        members["xl/worksheets/sheet1.xml"] = patch(members["xl/worksheets/sheet1.xml"].decode()).encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
            for name, data in members.items():
                new.writestr(name, data)
    return path


def truck_row(id_, in_service=None):
    return ["vehicle_retirement", id_, 10, "heavy_duty_diesel_truck", "国三", in_service]


def test_a_merged_cell_gives_its_value_to_every_row_it_covers(tmp_path, table):
    import datetime as dt

    rows = [HEADER, truck_row("a", dt.date(2021, 7, 1)), truck_row("b"), truck_row("c")]
    xlsx(tmp_path / "r.xlsx", rows, edit=lambda sheet: sheet.merge_cells("F2:F4"))
    assert nox(register_plan("r.xlsx"), tmp_path, table) == pytest.approx(3 * HALF_YEAR)  # 6.049 t, not 10.016


def test_an_excel_error_cell_is_an_error_naming_row_and_column(tmp_path, table):
    def error_cell(xml):
        return re.sub(r'<c r="F3"[^>]*>.*?</c>', '<c r="F3" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml)

    xlsx(tmp_path / "r.xlsx", [HEADER, truck_row("a"), truck_row("b", "=1/0")], patch=error_cell)
    found = problem(register_plan("r.xlsx"), tmp_path, table)
    assert str(found) == "r.xlsx:3: column in_service: Excel error '#DIV/0!' in the cell (correct the formula or " \
                         "write the value)"


def test_a_formula_without_a_saved_value_is_an_error(tmp_path, table):
    xlsx(tmp_path / "r.xlsx", [HEADER, truck_row("a"), [*truck_row("b")[:2], "=5*2", *truck_row("b")[3:]]])
    found = problem(register_plan("r.xlsx"), tmp_path, table)
    assert (found.line, found.field, found.message) == (3, "column count", "formula without a saved value")
    assert found.hint == "open and save the file in Excel, or write the value"


def claim_everything(xml):
    """The sheet's XML with a ``<dimension>`` claiming every cell Excel has."""
    return re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)


def test_a_declared_dimension_is_not_trusted_and_the_last_column_is_refused_while_streaming(tmp_path, table):
    xlsx(tmp_path / "r.xlsx", [HEADER, truck_row("a")], patch=claim_everything)
    started = time.monotonic()
    assert nox(register_plan("r.xlsx"), tmp_path, table) == pytest.approx(4.0)
    xlsx(tmp_path / "r.xlsx", [HEADER, truck_row("a")], patch=lambda xml: claim_everything(xml).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))  # read densely: 17G cells
    found = problem(register_plan("r.xlsx"), tmp_path, table)
    assert time.monotonic() - started < 20
    assert (found.file, found.line) == ("r.xlsx", 1048576)
    assert found.message == "has a cell in column XFD (16,384); a sheet is read up to 1,000 columns"


def test_the_used_range_is_bounded(tmp_path, table, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_CELLS", 10)
    xlsx(tmp_path / "r.xlsx", [HEADER, truck_row("a")])
    assert problem(register_plan("r.xlsx"), tmp_path, table).message == \
        "its used range is 2 rows x 6 columns; a sheet is read up to 10 cells"


# ---------------------------------------------------------------- files that are not what their name says


def zip_without_workbook(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", "<office/>")


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(xlsx(p, [HEADER]).read_bytes()[:1000]),
     "is damaged or incomplete: an .xlsx is a zip archive and this one cannot be opened (cut short while copying "
     "or downloading?)"),
    (lambda p: p.write_text("type,count\nvehicle_retirement,10\n"),
     "is text, not an XLSX workbook (it starts 'type,count')"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
     "is an old-format (.xls) or password-protected workbook, not an .xlsx"),
    (zip_without_workbook,
     "is a zip archive but not an XLSX workbook (no xl/workbook.xml: an .ods, .docx or other file renamed?)"),
    (lambda p: p.write_bytes(b""), "is empty (0 bytes), not an XLSX workbook"),
])
def test_a_file_that_is_no_workbook_is_named_as_what_it_is(tmp_path, table, make, message):
    make(tmp_path / "r.xlsx")
    found = problem(register_plan("r.xlsx"), tmp_path, table)
    assert (found.file, found.message) == ("r.xlsx", message)


@pytest.mark.parametrize("name", ["trucks.csv", "trucks.xlsx"])
def test_a_register_given_as_the_scenario_says_so(tmp_path, name):
    path = tmp_path / name
    truck_csv(path) if name.endswith(".csv") else xlsx(path, [HEADER, truck_row("a")])
    message = cli_error("run", path)
    assert message == (f"error: {path}: this is a spreadsheet (a register), not a scenario file (a scenario is a "
                       f"YAML file (name:, period:, counties: ...); name the register in one with `measures_file: "
                       f"{name}` (see scenarios/registers/))\n")


def test_a_yaml_file_holding_a_text_is_not_echoed_whole(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("type count vehicle standard " * 100 + "\n", encoding="utf-8")
    message = cli_error("validate", path)
    assert message == (f"error: {path}:1:1: the file holds the value 'type count vehicle standard type count v'... "
                       "(2,799 characters), not a scenario (a scenario is a mapping of keys: name:, period:, "
                       "counties: ... (see scenarios/tutorial.yaml))\n")


def test_the_cli_flag_lets_a_trusted_plan_read_outside(outside):
    plan, other = outside
    path = write_plan(plan, county=f"    measures_file: {Path('..') / 'other' / 'r.csv'}\n")
    assert "leads out of the plan's folder" in cli_error("validate", path)
    out = run("validate", path, "--allow-outside")  # fixture factors: NOx and PM2.5 rows
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"{path}: valid (1 counties, 1 measures, 2 ledger rows)\n"


def test_ensemble_variants_follow_the_rule_and_take_allow_outside(outside, capsys):
    """ensemble refuses a variant's register outside its folder, and reads it with --allow-outside."""
    import yaml

    from reduccalc.cli import main

    plan, other = outside
    data = register_plan("../other/r.csv")
    data["name"] = "variant"
    (plan / "v.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["ensemble", str(plan / "v.yaml")]) == 2
    assert "leads out of the plan's folder" in capsys.readouterr().err
    assert main(["ensemble", str(plan / "v.yaml"), "--allow-outside", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    direct = load_scenario(plan / "v.yaml", allow_outside=True).run().summary()
    assert [r["reduction_t"] for r in rows if r["county"] == "甲县"] == direct.loc[direct.county == "甲县",
                                                                                  "reduction_t"].tolist()
    assert rows[0]["reduction_t"] > 0
