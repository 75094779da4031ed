"""Measure registers (台账): the same measures from YAML, CSV and XLSX, and errors that name row and column."""

import datetime as dt
import gc
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reduccalc.inputs.tables as tables
import reduccalc.registers as registers
from reduccalc import ScenarioError, load_scenario
from reduccalc.report.tables import explain_lines
from reduccalc.yamlio import PosDict
from tests.conftest import BIG, REPO, TRUCKS, county_register, flatten, ledger, run, scenario_dict, write_register

BOILER = {"type": "boiler_phaseout", "count": 2, "capacity": "4 t_steam/h", "hours": "2000 h"}
# 2 x 2.8 MW x 2000 h x 3.6 / (0.7 x 21 GJ/t) = 2742.9 t coal; NOx 4 kg/t = 10.97 t
# 100 trucks x 50,000 km x 8 g/km NOx = 40 t


def scenario_register(folder, rows, name="r.csv"):
    """A two-county scenario with a scenario-level register (rows default to county 甲县)."""
    data = scenario_dict([], baseline=BIG, measures_file=name)
    data["counties"]["乙县"] = {"baseline": BIG}
    write_register(Path(folder) / name, [{"county": "甲县", **row} for row in rows])
    return data


def problems(data, folder, table):
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, base_dir=folder, table=table)
    return info.value.problems


def only(found):
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# ---------------------------------------------------------------- the same measures three ways

YEAR = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
dates = st.dates(*YEAR).map(str)
positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False)
fractions = st.one_of(st.floats(min_value=0, max_value=1), st.integers(0, 100).map(lambda p: f"{p}%"))
windows = st.lists(st.dates(*YEAR), min_size=2, max_size=2).map(sorted).map(
    lambda pair: {"start": str(pair[0]), "end": str(pair[1])})


def measures():
    boiler = st.fixed_dictionaries({
        "type": st.just("boiler_phaseout"), "count": st.integers(0, 500),
        "capacity": st.one_of(positive.map(lambda v: f"{v} MW"), positive.map(lambda v: f"{v} t_steam/h")),
        "hours": positive.map(lambda v: f"{v} h"),
    }, optional={
        "efficiency": st.floats(min_value=0.3, max_value=0.95), "in_service": dates, "heating": st.booleans(),
        "replacement": st.sampled_from(["none", "natural_gas", "electric"]),
        "removal_efficiency": st.fixed_dictionaries({"SO2": fractions}),
        "emission_factors": st.fixed_dictionaries({"NOx": positive.map(lambda v: f"{v} kg/t")}),
    })
    households = st.fixed_dictionaries({
        "type": st.sampled_from(["coal_to_electric", "coal_to_gas"]), "households": st.integers(0, 10**5),
    }, optional={"reburn_rate": fractions, "in_service": dates, "id": st.text("abc", min_size=1, max_size=3)})
    trucks = st.fixed_dictionaries({
        "type": st.just("vehicle_retirement"), "count": st.integers(0, 10**4),
        "vehicle": st.just("heavy_duty_diesel_truck"), "standard": st.sampled_from(["China III", "国三", "III"]),
    }, optional={"replaced_by": st.sampled_from(["none", "China VI"]), "in_service": dates})
    production = st.fixed_dictionaries({
        "type": st.just("staggered_production"), "sector": st.sampled_from(["cement_clinker", "水泥熟料"]),
        "output": positive.map(lambda v: f"{v} kt/yr"),
    }, optional={"curtailment": fractions, "days": st.integers(1, 365), "window": windows})  # 0 days: refused
    custom = st.fixed_dictionaries({
        "type": st.just("custom"), "activity": positive.map(lambda v: f"{v} t"),
        "emission_factors": st.fixed_dictionaries({"NOx": positive.map(lambda v: f"{v} kg/t")}),
    }, optional={"reduction": fractions, "label": st.sampled_from(["kiln", "窑炉"])})
    return st.one_of(boiler, households, trucks, production, custom).filter(
        lambda m: not ("days" in m and "window" in m))


def unique_ids(items):
    """The measures whose id (if any) no earlier measure has."""
    ids = [m.get("id") for m in items]
    return [m for i, m in enumerate(items) if ids[i] is None or ids[i] not in ids[:i]]


@settings(max_examples=20)
@given(st.lists(measures(), min_size=1, max_size=6).map(unique_ids))
def test_yaml_csv_and_xlsx_give_identical_ledgers(table, items):
    expected = ledger(scenario_dict(items, baseline=BIG), None, table).drop(columns="row")
    with tempfile.TemporaryDirectory() as folder:
        for name in ("r.csv", "r.xlsx"):
            got = ledger(county_register(folder, name, rows=[flatten(m) for m in items]), folder, table)
            assert list(got["row"].unique()) == [f"{name}:{row}" for row in range(2, len(items) + 2)]
            pd.testing.assert_frame_equal(got.drop(columns="row"), expected)


def test_header_units_and_cell_units_agree(tmp_path, table):
    cells = [
        {"type": "boiler_phaseout", "count": "3", "capacity": "4 t_steam/h", "hours": "2000 h",
         "removal_efficiency.SO2": "50%", "emission_factors.NOx": "3 kg/t"},
        {"type": "staggered_production", "sector": "cement_clinker", "output": "1.5 Mt/yr", "days": "45 d"},
        {"type": "coal_to_gas", "households": "1200 户", "coal_per_household": "2.5 t"},
    ]
    numbers = [
        {"type": "boiler_phaseout", "count [台]": 3, "capacity [t_steam/h]": 4, "hours (h)": 2000,
         "removal_efficiency.SO2 [%]": 50, "emission_factors.NOx [kg/t]": 3},
        {"type": "staggered_production", "sector": "cement_clinker", "output [Mt/yr]": 1.5, "days [d]": 45},
        {"type": "coal_to_gas", "households [户]": 1200, "coal_per_household（吨）": 2.5},
    ]
    chinese = [
        {"类型": "锅炉淘汰", "台数": 3, "额定蒸发量(蒸吨/小时)": 4, "运行小时【小时】": 2000, "脱除效率.二氧化硫 [%]": 50,
         "排放因子.氮氧化物 [千克/吨]": 3},
        {"类型": "错峰生产", "行业": "水泥熟料", "产量 [Mt/yr]": 1.5, "停产天数(天)": 45},
        {"类型": "煤改气", "户数": 1200, "户均用煤量(吨)": 2.5},
    ]
    ledgers = [ledger(county_register(tmp_path, f"r{i}.{suffix}", rows=rows), tmp_path, table).drop(columns="row")
               for i, rows in enumerate((cells, numbers, chinese)) for suffix in ("csv", "xlsx")]
    for other in ledgers[1:]:
        pd.testing.assert_frame_equal(other, ledgers[0])


def test_chinese_register_matches_english_yaml(tmp_path, table):
    english = [
        {**BOILER, "in_service": "2021-11-01", "replacement": "natural_gas"},
        {**TRUCKS, "replaced_by": "China VI"},
        {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr", "curtailment": "30%",
         "window": {"start": "2021-11-15", "end": "2021-12-31"}},
        {"type": "coal_to_electric", "households": 500, "reburn_rate": 0.1},
    ]
    chinese = [
        {"序号": 1, "县区": "甲县", "措施类型": "锅炉淘汰", "数量": "2", "额定蒸发量": "4 t_steam/h", "运行小时": "2000 h",
         "投运日期": "2021/11/01", "替代方式": "天然气", "备注": "示意"},
        {"序号": 2, "县区": "甲县", "措施类型": "淘汰老旧车辆", "数量": "100", "车型": "重型柴油货车", "排放标准": "国三",
         "更新车辆排放标准": "国六"},
        {"序号": 3, "县区": "甲县", "措施类型": "错峰生产", "行业": "水泥熟料", "产量": "1 Mt/yr", "限产比例": "30%",
         "停产开始日期": "2021年11月15日", "停产结束日期": "2021-12-31"},
        {"序号": 4, "县区": "甲县", "措施类型": "煤改电", "户数": "500", "复烧率": "0.1"},
    ]
    expected = ledger(scenario_dict(english, baseline=BIG), None, table).drop(columns="row")
    got = ledger(county_register(tmp_path, "台账.csv", rows=chinese), tmp_path, table)
    pd.testing.assert_frame_equal(got.drop(columns="row"), expected)


def test_every_alias_is_documented():
    names = [*registers.HEADER_ALIASES, *registers.TYPE_ALIASES, *tables.IGNORED_HEADERS]
    assert [name for name in names if name not in registers.__doc__] == []


# ---------------------------------------------------------------- counties, rows, ids


def test_scenario_level_register_sends_rows_to_their_counties(tmp_path, table):
    data = scenario_register(tmp_path, [TRUCKS, {**TRUCKS, "county": "乙县", "count": 25}])
    res = load_scenario(data, base_dir=tmp_path, table=table).run()
    nox = res.reductions[res.reductions["pollutant"] == "NOx"].set_index("county")["reduction_t"]
    assert nox["甲县"] == pytest.approx(40.0) and nox["乙县"] == pytest.approx(10.0)


def test_counties_must_exist_and_be_given(tmp_path, table):
    data = scenario_register(tmp_path, [TRUCKS, {**TRUCKS, "county": "乙 县"}, {**TRUCKS, "county": None}])
    found = problems(data, tmp_path, table)
    assert [(p.line, p.field) for p in found] == [(3, "column county"), (4, "column county")]
    assert "unknown county '乙 县' (did you mean '乙县'?)" in str(found[0])
    (tmp_path / "r.csv").write_text("type,count\nboiler_phaseout,2\n", encoding="utf-8")
    missing = only(problems(data, tmp_path, table))
    assert (missing.line, missing.field) == (1, "column county") and "no county column" in missing.message


def test_county_level_register_rows_must_name_that_county(tmp_path, table):
    rows = [{"county": "甲县", **TRUCKS}, {"county": "乙县", **TRUCKS}, {"county": None, **TRUCKS}]
    found = only(problems(county_register(tmp_path, "r.csv", rows=rows), tmp_path, table))
    assert (found.file, found.line, found.field) == ("r.csv", 3, "column county")
    assert "names county '乙县', but this register belongs to '甲县'" in found.message


def test_rows_join_yaml_measures_and_default_ids_count_on(tmp_path, table):
    data = county_register(tmp_path, "r.csv", measures=[TRUCKS, BOILER], rows=[TRUCKS, {**TRUCKS, "id": "x"}, BOILER])
    sc = load_scenario(data, base_dir=tmp_path, table=table)
    ledger = sc.run().ledger
    assert list(dict.fromkeys(zip(ledger["measure"], ledger["row"]))) == [
        ("vehicle_retirement-1", ""), ("boiler_phaseout-1", ""), ("vehicle_retirement-2", "r.csv:2"),
        ("x", "r.csv:3"), ("boiler_phaseout-2", "r.csv:4")]


def test_duplicate_ids_within_a_county_are_errors(tmp_path, table):
    rows = [{**TRUCKS, "id": "trucks"}, {**TRUCKS, "id": "old"}, {**TRUCKS, "id": "old"}]
    found = problems(county_register(tmp_path, "r.csv", measures=[{**BOILER, "id": "trucks"}], rows=rows),
                     tmp_path, table)
    assert [(p.line, p.field) for p in found] == [(2, "column id"), (4, "column id")]
    assert "duplicate measure id 'trucks' in county '甲县' (first at counties.甲县.measures[0])" in found[0].message
    assert "(first at r.csv:3)" in found[1].message


@pytest.mark.parametrize("named_first", [True, False])
def test_numbered_ids_that_repeat_another_registers_id_are_errors(tmp_path, table, named_first):
    """A row without an id gets ``<type>-<n>``, which may be the id another register gives a row of its own."""
    named, numbered = [{**TRUCKS, "id": "vehicle_retirement-2"}], [TRUCKS, TRUCKS]
    first, second = (named, numbered) if named_first else (numbered, named)
    data = scenario_register(tmp_path, first, name="a.csv")
    data["counties"]["甲县"]["measures_file"] = "b.csv"
    write_register(tmp_path / "b.csv", second)
    found = only(problems(data, tmp_path, table))
    # county registers are read before the scenario's: b.csv, then a.csv
    assert (found.file, found.field) == ("a.csv", "column id")
    assert "duplicate measure id 'vehicle_retirement-2' in county '甲县' (first at b.csv:" in found.message


def test_blank_rows_are_skipped_and_rows_keep_the_spreadsheet_numbers(tmp_path, table):
    (tmp_path / "r.csv").write_text("type,count,vehicle,standard\n"
                                    "vehicle_retirement,10,heavy_duty_diesel_truck,国三\n"
                                    "\n,,,\n"
                                    "vehicle_retirement,ten,heavy_duty_diesel_truck,国三\n", encoding="utf-8")
    found = only(problems(county_register(tmp_path, "r.csv"), tmp_path, table))
    assert (found.line, found.field) == (5, "column count")


@pytest.mark.parametrize("named", [False, True])
def test_a_register_with_only_its_header_adds_no_measures(tmp_path, table, named):
    """A blank template (header only) joins nothing; it once failed with an internal error."""
    data = scenario_register(tmp_path, [], name="empty.csv")
    (tmp_path / "empty.csv").write_text("county,type,id,count\n", encoding="utf-8")
    write_register(tmp_path / "r.csv", [{**TRUCKS, **({"id": "t1"} if named else {})}])
    data["counties"]["甲县"]["measures_file"] = "r.csv"
    res = load_scenario(data, base_dir=tmp_path, table=table).run()
    assert res.reductions["measure"].unique().tolist() == (["t1"] if named else ["vehicle_retirement-1"])


def test_a_row_without_a_type_is_an_error_not_dropped(tmp_path, table):
    rows = [{**TRUCKS, "备注": None}, {"type": None, "count": 1000, "备注": "合计"}, {"备注": "note"}]
    found = problems(county_register(tmp_path, "r.csv", rows=rows), tmp_path, table)
    assert [(p.line, p.field) for p in found] == [(3, "column type"), (4, "column type")]
    assert "delete total (合计) and note rows" in str(found[0])


# ---------------------------------------------------------------- each error, with its row and column


ERRORS = [
    # (column, cell, field, message) for a cell of the third row, a boiler or a truck
    ("capacity", "10 kg", "column capacity",
     "'10 kg' is a mass (t, kg), expected a power (MW, t_steam/h) (write it like '10 t_steam/h')"),
    ("hours", "2000", "column hours", "2000 has no unit; expected a time"),
    ("count", "-3", "column count", "-3 is negative"),
    ("count", "2.5", "column count", "2.5 is not a whole number"),
    ("efficiency", "1.5", "column efficiency", "1.5 is outside [0, 1]"),
    ("removal_efficiency.SO2", "150%", "column removal_efficiency.SO2", "'150%' is outside [0, 1]"),
    ("type", "boiler_phaseot", "column type", "unknown measure type 'boiler_phaseot' (did you mean 'boiler_phaseout'?)"),
    ("fuel", "bituminus_coal", "column fuel", "unknown boiler fuel 'bituminus_coal' (did you mean 'bituminous_coal'"),
    ("in_service", "2022-01-01", "column in_service",
     "in_service 2022-01-01 is after the period ends (2021-12-31): the measure would do nothing"),
    ("in_service", "2021-02-30", "column in_service", "'2021-02-30' is not a date"),
    ("heating", "maybe", "column heating", "expected true or false, got 'maybe'"),
    ("vehicle", "heavy_duty_diesel_truk", "column vehicle",
     "unknown vehicle class 'heavy_duty_diesel_truk' (did you mean 'heavy_duty_diesel_truck'"),
    ("standard", "China IIV", "column standard", "unknown vehicle emission standard 'China IIV'"),
    ("annual_km", "5e4 km", "column annual_km", "'5e4 km' is a distance (km), expected a distance per time"),
]


@pytest.mark.parametrize(("column", "cell", "field", "message"), ERRORS, ids=[e[0] + ":" + e[1] for e in ERRORS])
def test_each_cell_error_names_file_row_and_column(tmp_path, table, column, cell, field, message):
    bad = {**(TRUCKS if column in ("vehicle", "standard", "annual_km") else BOILER), column: cell}
    found = only(problems(county_register(tmp_path, "r.csv", rows=[TRUCKS, BOILER, bad]), tmp_path, table))
    assert (found.file, found.line, found.field) == ("r.csv", 4, field)
    assert message in str(found)


def test_the_message_reads_file_row_column(tmp_path, table):
    rows = [BOILER, {**BOILER, "capacity": "10 kg"}]
    found = only(problems(county_register(tmp_path, "boilers.csv", rows=rows), tmp_path, table))
    assert str(found) == ("boilers.csv:3: column capacity: '10 kg' is a mass (t, kg), expected a power "
                          "(MW, t_steam/h) (write it like '10 t_steam/h')")


HEADER_ERRORS = [
    # (row, field, message) with a header that is wrong
    ({**BOILER, "capcity": "4 t_steam/h"}, "column capcity", "unknown column 'capcity' (did you mean 'capacity'"),
    ({**BOILER, "额定蒸发": "4 t_steam/h"}, "column 额定蒸发", "did you mean '额定蒸发量'"),
    ({"type": "boiler_phaseout", "capacity [kg]": 4}, "column capacity [kg]",
     "the unit [kg] does not fit: '1 kg' is a mass"),
    ({**BOILER, "capacity [t_steam/h]": 4}, "column capacity [t_steam/h]", "repeats column 'capacity'"),
    ({"type": "vehicle_retirement", "count": 1, "standard": "国三", "vehicle [t]": "x"}, "column vehicle [t]",
     "takes no unit [t]"),
    ({**BOILER, "removal_efficiency.SO3": "50%"}, "column removal_efficiency.SO3", "unknown pollutant 'SO3'"),
    ({**BOILER, "emission_factors": "2 kg/t"}, "column emission_factors", "takes one column per pollutant"),
]


@pytest.mark.parametrize(("row", "field", "message"), HEADER_ERRORS, ids=[e[1] for e in HEADER_ERRORS])
def test_header_errors_are_row_1(tmp_path, table, row, field, message):
    found = only(problems(county_register(tmp_path, "r.csv", rows=[row]), tmp_path, table))
    assert (found.line, found.field) == (1, field)
    assert message in str(found)


def test_other_row_errors(tmp_path, table):
    rows = [
        {**BOILER, "vehicle": "heavy_duty_diesel_truck"},  # a truck's key in a boiler row
        {"type": "coal_to_gas", "households": None},  # a required key left empty
        {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr",
         "window.start": "2021-12-01", "window.end": "2021-11-01"},
        {"type": "custom", "activity [t]": "ten", "emission_factors.NOx": "1 kg/t"},
    ]
    found = problems(county_register(tmp_path, "r.csv", rows=rows), tmp_path, table)
    assert [(p.line, p.field) for p in found] == [(2, "column vehicle"), (3, "column households"),
                                                  (4, "columns window.start, window.end"), (5, "column activity [t]")]
    messages = [p.message for p in found]
    assert "boiler_phaseout takes no vehicle" in messages[0]
    assert "missing required key 'households'" in messages[1]
    assert "window ends (2021-11-01) before it starts (2021-12-01)" in messages[2]
    assert "'ten' is not a number" in messages[3]


def test_a_required_column_that_is_missing_is_one_error(tmp_path, table):
    found = only(problems(county_register(tmp_path, "r.csv", rows=[{"type": "coal_to_gas"}] * 9), tmp_path, table))
    assert (found.line, found.field) == (1, "column households")
    assert "no such column, but coal_to_gas needs it (a whole number >= 0; rows 2, 3, 4, 5, 6 and 4 more)" in str(found)


def test_all_problems_at_once_listed_up_to_a_cap(tmp_path, table):
    rows = [{**BOILER, "capacity": f"{i} kg"} for i in range(200)]
    data = county_register(tmp_path, "r.csv", rows=rows)
    found = problems(data, tmp_path, table)
    assert len(found) == 200
    assert [p.line for p in found[:3]] == [2, 3, 4]
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, base_dir=tmp_path, table=table)
    text = str(info.value)
    assert text.startswith("200 problems:") and text.endswith("... and 150 more")


def test_an_error_in_row_2317_is_reported_as_row_2317(tmp_path, table):
    lines = ["type,count,capacity,hours"] + ["boiler_phaseout,1,4 t_steam/h,100 h"] * 2999
    lines[2316] = "boiler_phaseout,1,10 kg,100 h"  # line 2317 of the file, the header being line 1
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = only(problems(county_register(tmp_path, "r.csv"), tmp_path, table))
    assert str(found).startswith("r.csv:2317: column capacity: '10 kg' is a mass")


def test_translation_errors_name_the_row(tmp_path, table):
    rows = [TRUCKS, {"type": "boiler_phaseout", "count": 2, "hours": "100 h"}]  # neither capacity nor size_class
    sc = load_scenario(county_register(tmp_path, "r.csv", rows=rows), base_dir=tmp_path, table=table)
    with pytest.raises(ScenarioError) as info:
        sc.run()
    found = only(info.value.problems)
    assert (found.file, found.line, found.field) == ("r.csv", 3, "measures_file.capacity")


# ---------------------------------------------------------------- files


def test_gbk_csv_is_rejected_with_advice_and_a_bom_is_fine(tmp_path, table):
    rows = [{"类型": "淘汰老旧车辆", "数量": 100, "车型": "重型柴油货车", "排放标准": "国三"}]
    write_register(tmp_path / "r.csv", rows, encoding="utf-8-sig")
    assert len(ledger(county_register(tmp_path, "r.csv"), tmp_path, table)) == 2
    write_register(tmp_path / "r.csv", rows, encoding="gbk")
    found = only(problems(county_register(tmp_path, "r.csv"), tmp_path, table))
    assert found.file == "r.csv" and "not UTF-8 (it looks like GBK" in found.message
    assert "CSV UTF-8" in found.hint


def test_xlsx_sheet_by_name(tmp_path, table):
    write_register(tmp_path / "r.xlsx", [TRUCKS], sheet="锅炉台账")
    first = ledger(county_register(tmp_path, "r.xlsx"), tmp_path, table)
    named = ledger(county_register(tmp_path, "r.xlsx#锅炉台账"), tmp_path, table)
    assert list(named["row"].unique()) == ["r.xlsx#锅炉台账:2"]
    pd.testing.assert_frame_equal(first.drop(columns="row"), named.drop(columns="row"))
    found = only(problems(county_register(tmp_path, "r.xlsx#锅炉台帐"), tmp_path, table))
    assert found.field == "counties.甲县.measures_file" and "no sheet '锅炉台帐'" in found.message
    assert "did you mean '锅炉台账'" in found.hint
    mapping = ledger(county_register(tmp_path, {"path": "r.xlsx", "sheet": "锅炉台账"}), tmp_path, table)
    pd.testing.assert_frame_equal(first.drop(columns="row"), mapping.drop(columns="row"))


def test_file_problems_point_at_measures_file(tmp_path, table):
    path = tmp_path / "plan.yaml"
    path.write_text("name: t\nperiod: {start: 2021-01-01, end: 2021-12-31}\nmeasures_file: nowhere.csv\n"
                    "counties:\n  甲县:\n    baseline: {NOx: 10 t}\n    measures_file: old.xls\n", encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, table=table)
    found = info.value.problems
    assert [(p.line, p.field) for p in found] == [(7, "counties.甲县.measures_file"), (3, "measures_file")]
    assert "save it as .xlsx" in str(found[0]) and "not found" in found[1].message


def test_explain_and_the_ledger_trace_rows(tmp_path, table):
    res = load_scenario(county_register(tmp_path, "trucks.csv", rows=[TRUCKS]), base_dir=tmp_path,
                        table=table).run()
    assert set(res.ledger["row"]) == {"trucks.csv:2"}
    assert "row trucks.csv:2" in explain_lines(res)


# ---------------------------------------------------------------- scale, CLI, the shipped example


def test_a_100000_row_register_loads_and_runs(tmp_path, table):
    lines = ["county,type,id,count,capacity [t_steam/h],hours,vehicle,standard"]
    for i in range(100_000):
        if i % 2:
            lines.append(f"甲县,vehicle_retirement,,{i % 7},,,heavy_duty_diesel_truck,国三")
        else:
            lines.append(f"乙县,boiler_phaseout,b{i},{1 + i % 3},{1 + i % 10},{100 + i % 50} h,,")
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = scenario_dict([], baseline=BIG, measures_file="r.csv")
    data["counties"]["乙县"] = {"baseline": BIG}
    res = load_scenario(data, base_dir=tmp_path, table=table).run()
    assert res.ledger["row"].nunique() == 100_000
    trucks = sum(i % 7 for i in range(1, 100_000, 2))
    nox = res.reductions.groupby(["county", "pollutant"], observed=True)["reduction_t"].sum()
    assert nox[("甲县", "NOx")] == pytest.approx(trucks * 50_000 * 8e-6)


def test_loading_leaves_none_of_the_loaded_yaml_alive(tmp_path, table):
    """Nothing from loading outlives it: with the collector off, the YAML's mappings are all freed.

    A cell ``45`` under ``days`` is first tried as a quantity and fails a unit
    conversion. pint re-raises one cached error object per pair of units, and
    its traceback kept every frame of the load, and the whole loaded YAML,
    alive until the next such failure (and made the collector's next pass
    walk it all).
    """
    write_register(tmp_path / "r.csv", [{"type": "staggered_production", "sector": "cement_clinker",
                                         "output": "1 Mt/yr", "days": 45}])
    (tmp_path / "plan.yaml").write_text("name: t\nperiod: {start: 2021-01-01, end: 2021-12-31}\n"
                                        "counties:\n  甲县:\n    baseline: {NOx: 1e9 t}\n"
                                        "    measures_file: r.csv\n", encoding="utf-8")

    def loaded_mappings():
        return sum(isinstance(item, PosDict) for item in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = loaded_mappings()
        for _ in range(2):  # the second time, pint's cache hands back the same error object
            scenario = load_scenario(tmp_path / "plan.yaml", table=table)
        assert loaded_mappings() == before
    finally:
        gc.enable()
    assert scenario.run().reductions["reduction_t"].sum() > 0


def test_cli_runs_a_scenario_with_a_register(tmp_path):
    write_register(tmp_path / "trucks.csv", [{"县区": "甲县", **TRUCKS}, {"县区": "甲县", **TRUCKS, "count": 25}])
    (tmp_path / "plan.yaml").write_text("name: 测试\nperiod: {start: 2021-01-01, end: 2021-12-31}\n"
                                        "measures_file: trucks.csv\ncounties:\n  甲县:\n    baseline: {NOx: 1000 t}\n",
                                        encoding="utf-8")
    out = run("run", tmp_path / "plan.yaml", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert {r["county"]: r["reduction_t"] for r in json.loads(out.stdout)}["甲县"] == pytest.approx(50.0)
    assert "row trucks.csv:3" in run("explain", tmp_path / "plan.yaml").stdout
    write_register(tmp_path / "trucks.csv", [{"县区": "甲县", **TRUCKS, "count": "many"}])
    bad = run("run", tmp_path / "plan.yaml")
    assert bad.returncode == 2 and "trucks.csv:2: column count: 'many' is not a number" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_shipped_register_example_matches_the_yaml_scenario():
    folder = REPO / "scenarios"
    plain = load_scenario(folder / "zhangjiakou_2017_heating.yaml").run().summary()
    with_register = load_scenario(folder / "registers" / "zhangjiakou_2017_heating_register.yaml").run()
    pd.testing.assert_frame_equal(with_register.summary(), plain, check_exact=False, rtol=1e-12)  # baselines too
    boilers = with_register.ledger[with_register.ledger["type"] == "boiler_phaseout"]
    assert boilers["row"].str.fullmatch(r"zhangjiakou_boilers\.csv:\d+").all()
