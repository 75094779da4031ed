"""What a user can trust: targets are evaluated or refused, names are what they look like, numbers are
read as written, and no command says "valid" or "all met" over something it did not check.

Command-line behaviour runs in this process through ``reduccalc.cli.main`` with the round-number
fixture factors (tests/fixtures/factors): 100 China III trucks x 50,000 km x 8 g/km = 40 t NOx.
"""

import json
import textwrap
import time

import numpy as np
import pytest

from reduccalc import ScenarioError, load_scenario
from tests.conftest import FIXTURE_FACTORS, cli, scenario_dict

TRUCKS = {"type": "vehicle_retirement", "count": 100, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}
HEAD = "name: t\nperiod: {start: 2021-01-01, end: 2021-12-31}\n"
TRUCK_LINE = "{type: vehicle_retirement, count: 100, vehicle: heavy_duty_diesel_truck, standard: China III}"


@pytest.fixture(autouse=True)
def fixture_factors(monkeypatch):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))


def write(tmp_path, body, name="plan.yaml"):
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def problem(data, table):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data, table=table)
    return str(caught.value)


# ---- issue 15.3: a target that cannot be evaluated is an error, never "all met" -------------------


def test_county_target_for_a_pollutant_without_its_baseline(tmp_path, capsys):
    path = write(tmp_path, f"""\
        counties:
          甲县:
            baseline: {{NOx: "1000 t"}}
            targets: {{NOx: "1%", SO2: "5%"}}
            measures: [{TRUCK_LINE}]
        """)
    code, out, err = cli(capsys, "check", path)
    assert code == 2 and out == ""  # before: exit 0, "all 1 targets met"
    assert "plan.yaml:6: counties.甲县.targets.SO2: a target for SO2 in county '甲县', which has no baseline for SO2" in err
    assert cli(capsys, "validate", path)[0] == 2


def test_county_without_baseline_under_scenario_targets(tmp_path, capsys):
    path = write(tmp_path, f"""\
        targets: {{NOx: "1%"}}
        counties:
          甲县:
            baseline: {{NOx: "1000 t"}}
            measures: [{TRUCK_LINE}]
          乙县:
            measures: [{TRUCK_LINE}]
        """)
    for args in ((), ("--target", "5%")):  # before: exit 0 "all 2 targets met"; with --target 乙县 left out
        code, out, err = cli(capsys, "check", path, *args)
        assert code == 2 and out == ""
        assert "plan.yaml:8: counties.乙县.baseline: county '乙县' has no baseline: its targets cannot be evaluated" in err
    untargeted = path.read_text(encoding="utf-8").replace('targets: {NOx: "1%"}\n', "")
    path.write_text(untargeted, encoding="utf-8")  # without targets the county runs, its cuts listed apart
    code, out, _ = cli(capsys, "run", path)
    assert code == 0 and "not in the summary (no baseline for these pollutants): 甲县 PM2.5 1.0 t, 乙县 NOx 40.0 t" in out


def test_no_county_with_a_baseline(tmp_path, capsys):
    path = write(tmp_path, f"""\
        counties:
          乙县:
            measures: [{TRUCK_LINE}]
        """)
    for command in ("validate", "run", "check"):  # before: valid / a raw "Empty DataFrame" / "no target to check"
        code, out, err = cli(capsys, command, path)
        assert code == 2 and out == ""
        assert "no county has a baseline: there is nothing to compare the reductions with" in err


def test_scenario_target_for_a_pollutant_no_county_has(table, tmp_path, capsys):
    text = problem(scenario_dict([TRUCKS], baseline={"NOx": "1000 t"}, targets={"NOx": "1%", "CO": "5%"}), table)
    assert "targets.CO: a target for CO, but no county has a baseline for CO: it cannot be evaluated" in text
    path = write(tmp_path, f"""\
        counties:
          甲县:
            baseline: {{NOx: "1000 t"}}
            measures: [{TRUCK_LINE}]
        """)
    code, out, err = cli(capsys, "check", path, "--target", "5%", "--pollutant", "CO")
    assert code == 2 and "a target for CO, but no county has a baseline for CO" in err  # before: "no target to check"
    # a scenario target applies to TOTAL and to each county's pollutants with a baseline
    data = scenario_dict([TRUCKS], baseline={"NOx": "1000 t"}, targets={"NOx": "5%", "SO2": "1%"})
    data["counties"]["乙县"] = {"baseline": {"NOx": "1000 t", "SO2": "100 t"}}
    s = load_scenario(data, table=table).run().summary().set_index(["county", "pollutant"])
    assert list(s.index) == [("甲县", "NOx"), ("乙县", "SO2"), ("乙县", "NOx"), ("TOTAL", "SO2"), ("TOTAL", "NOx")]
    assert s.loc[("乙县", "SO2"), "target_pct"] == 1.0 and s.loc[("TOTAL", "NOx"), "reduction_t"] == 40.0


# ---- issue 15.9 ---------------------------------------------------------------------------------


def test_candidates_are_checked_by_every_command(tmp_path, capsys):
    path = write(tmp_path, """\
        targets: {NOx: "1%"}
        counties:
          甲县:
            baseline: {NOx: "1000 t"}
            candidates:
              - {id: more, scale: count, max: 100, unit_cost: 60000,
                 measure: {type: vehicle_retirement, vehicle: heavy_duty_diesel_truck, standard: China III}}
        """)
    for args in (("validate",), ("run",), ("check",), ("uncertainty", "--draws", "10")):  # before: exit 0
        code, out, err = cli(capsys, *args, path)
        assert code == 2 and out == ""
        assert "counties.甲县.candidates[0].unit_cost: 60000 has no unit" in err


@pytest.mark.parametrize(("name", "message"), [
    ("TOTAL", "county name 'TOTAL' is reserved for the summary's sums over counties"),
    ("'total '", "county name 'total ' is reserved"),
    ("ＴＯＴＡＬ", "county name 'ＴＯＴＡＬ' is reserved"),
    ('""', "a county name is empty"),
    ("' '", "a county name is empty"),
])
def test_reserved_and_empty_county_names(tmp_path, capsys, name, message):
    path = write(tmp_path, f"""\
        counties:
          {name}:
            baseline: {{NOx: "1000 t"}}
          乙县:
            baseline: {{NOx: "1000 t"}}
        """)
    code, out, err = cli(capsys, "run", path)  # before: a second TOTAL row
    assert code == 2 and out == "" and "plan.yaml:4: counties." in err and message in err


def test_blank_in_service_and_zero_days(tmp_path, capsys, table):
    path = write(tmp_path, """\
        counties:
          甲县:
            baseline: {NOx: "1000 t"}
            measures:
              - type: vehicle_retirement
                count: 100
                vehicle: heavy_duty_diesel_truck
                standard: China III
                in_service:
        """)
    code, _, err = cli(capsys, "validate", path)  # before: valid, in effect the whole year
    assert code == 2 and "plan.yaml:11:9: counties.甲县.measures[0].in_service: 'in_service' has no value" in err
    zero = {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr", "days": 0}
    with pytest.raises(ScenarioError, match=r"measures\[0\].days: 0 days: the measure would do nothing"):
        load_scenario(scenario_dict([zero]), table=table).run()  # before: a measure removing 0 t


@pytest.mark.parametrize(("value", "hint"), [
    ("0.05", "write targets with a percent sign: '5%' if 0.05 is a fraction, '0.05%' if it is already percent"),
    ("1", "write targets with a percent sign: '100%' if 1 is a fraction, '1%' if it is already percent"),
])
def test_bare_target_hint_is_not_100_times_off(tmp_path, capsys, value, hint):
    path = write(tmp_path, f"""\
        targets: {{NOx: {value}}}
        counties:
          甲县:
            baseline: {{NOx: "1000 t"}}
        """)
    code, _, err = cli(capsys, "validate", path)  # before, for 0.05: "e.g. '0.05%'"
    assert code == 2 and f"{value} is not a percentage ({hint})" in err


def test_bare_command_line_target_hint(tmp_path, capsys):
    path = write(tmp_path, """\
        counties:
          甲县:
            baseline: {NOx: "1000 t"}
        """)
    code, _, err = cli(capsys, "check", path, "--target", "0.05")  # before: "write targets like '5%'"
    assert code == 2 and "'0.05' is not a percentage (write targets with a percent sign: '5%' if 0.05 is a " \
        "fraction, '0.05%' if it is already percent)" in err
    code, _, err = cli(capsys, "check", path, "--target", "5")  # more than 1: percent, as before
    assert code == 2 and "'5' is not a percentage (write targets like '5%')" in err


def test_factors_list_unknown_category(capsys):
    code, out, err = cli(capsys, "factors", "list", "--category", "vehicles")  # before: "(no factors)", exit 0
    assert code == 2 and out == "" and "--category: no factor category 'vehicles' (did you mean 'vehicle'? the categories: boiler, " \
        "district_heat, electricity, gas, household, production, vehicle)" in err
    code, _, err = cli(capsys, "factors", "list", "--category", "xyz")
    assert code == 2 and "no factor category 'xyz' (the categories: boiler, district_heat," in err


def test_explain_unknown_measure(tmp_path, capsys):
    path = write(tmp_path, """\
        counties:
          甲县:
            baseline: {NOx: "1000 t"}
            measures:
              - {id: trucks, type: vehicle_retirement, count: 100, vehicle: heavy_duty_diesel_truck,
                 standard: China III}
              - {id: kiln, type: staggered_production, sector: cement_clinker, output: "1 Mt/yr", days: 36.5}
        """)
    code, out, err = cli(capsys, "explain", path, "--measure", "nope")  # before: "(no ledger rows)", exit 0
    assert code == 2 and out == "" and "--measure: no measure 'nope' (the measures: kiln, trucks)" in err
    code, _, err = cli(capsys, "explain", path, "--measure", "truck")
    assert code == 2 and "(did you mean 'trucks'? the measures: kiln, trucks)" in err
    code, out, _ = cli(capsys, "explain", path, "--measure", "kiln")
    assert code == 0 and out.startswith("甲县 / kiln (staggered_production)") and "trucks" not in out


@pytest.mark.parametrize("name", ["boilers.csv", "boilers.xlsx", "Boilers.XLSX"])
def test_running_a_register(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(b"type,count\nboiler_phaseout,2\n" if name.endswith("csv") else b"PK\x03\x04\xff\xfe")
    code, out, err = cli(capsys, "run", path)  # before: the whole CSV as one error line, or "GBK" for XLSX
    assert code == 2 and out == ""
    assert f"{name}: this is a spreadsheet (a register), not a scenario file" in err and "`measures_file:" in err


def test_upstream_line_says_whether_it_is_netted(tmp_path, capsys):
    for flag, line in (("true", "upstream (power plants, netted from the counties (count_upstream: true)): added"),
                       ("false", "upstream (power plants, not netted unless count_upstream): added")):
        path = write(tmp_path, f"""\
            count_upstream: {flag}
            counties:
              甲县:
                baseline: {{SO2: "1000 t"}}
                measures: [{{type: coal_to_electric, households: 1000}}]
            """)
        code, out, _ = cli(capsys, "run", path)  # before: "not netted" for both
        assert code == 0 and line in out


def test_met_is_a_nullable_boolean(table, tmp_path, capsys):
    data = scenario_dict([TRUCKS], baseline={"NOx": "1000 t", "SO2": "100 t"}, targets={"NOx": "5%"})
    data["counties"]["乙县"] = {"baseline": {"NOx": "100 t"}, "targets": {"NOx": "10%"}, "measures": [TRUCKS]}
    s = load_scenario(data, table=table).run().summary()
    assert s.dtypes.astype(str).to_dict() == {
        "county": "object" if s["county"].dtype == object else str(s["county"].dtype), "pollutant":
        "object" if s["pollutant"].dtype == object else str(s["pollutant"].dtype), "baseline_t": "float64",
        "reduction_t": "float64", "reduction_pct": "float64", "target_pct": "float64", "met": "boolean",
        "shortfall_t": "float64"}
    # 甲县 NOx 40 t of 1000 t (5 % needs 50 t): short; 乙县 40 t of 100 t: met; TOTAL 80 t of 1100 t = 7.3 %: met
    missed = s[~s["met"].fillna(True)]  # before: TypeError (bad operand type for unary ~) on the object column
    assert list(zip(missed["county"], missed["pollutant"])) == [("甲县", "NOx")]
    assert s.loc[s["met"].isna(), "pollutant"].tolist() == ["SO2", "SO2"]  # 甲县 and TOTAL SO2: no target
    # printed and serialised: SHORT / met / blank, false / true / null
    path = write(tmp_path, f"""\
        targets: {{NOx: "5%"}}
        counties:
          甲县:
            baseline: {{NOx: "1000 t", SO2: "100 t"}}
            measures: [{TRUCK_LINE}]
        """)
    code, out, _ = cli(capsys, "run", path, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [(row["county"], row["pollutant"], row["met"]) for row in rows] == [
        ("甲县", "SO2", None), ("甲县", "NOx", False), ("TOTAL", "SO2", None), ("TOTAL", "NOx", False)]
    code, out, _ = cli(capsys, "run", path)
    assert code == 0 and [line.split()[-2] for line in out.splitlines() if " NOx " in line] == ["SHORT", "SHORT"]
    code, out, _ = cli(capsys, "check", path)
    assert code == 1 and "t: 2 of 2 targets NOT met" in out and "short by 10.0 t" in out


def test_draws_are_bounded(tmp_path, capsys, table):
    path = write(tmp_path, f"""\
        counties:
          甲县:
            baseline: {{NOx: "1000 t"}}
            measures: [{TRUCK_LINE}]
        """)
    start = time.perf_counter()
    code, out, err = cli(capsys, "uncertainty", path, "--draws", "1000000000")  # before: MemoryError, exit 3
    assert code == 2 and out == "" and time.perf_counter() - start < 10
    assert "draws: 1,000,000,000 draws are more than the 1,000,000 a run may make" in err
    assert "24,000 MB" in err and "use at most 1,000,000" in err
    scenario = load_scenario(scenario_dict([TRUCKS]), table=table)
    with pytest.raises(ScenarioError, match="100,000,000 draws are more than"):
        scenario.simulate(draws=100_000_000, seed=1)  # before: minutes of work without a bound


def test_sensitivity_draws_sized_by_memory(table, monkeypatch):
    import reduccalc.uncertainty as uncertainty

    monkeypatch.setattr(uncertainty, "available_memory", lambda: 1_000_000)  # 1 MB free: half is 0.5 MB
    household = {"type": "coal_to_electric", "households": 100}  # uncertain factors: coal SO2 and PM2.5
    scenario = load_scenario(scenario_dict([household]), table=table)
    with pytest.raises(ScenarioError, match=r"100,000 draws of 2 factors need 0.0 GB, more than half the 0.0 GB"):
        uncertainty.sensitivity(scenario, draws=100_000)  # 2 x 100,000 x 16 B = 3.2 MB
    shares = uncertainty.sensitivity(scenario, draws=1000)  # 32 kB
    assert set(shares["factor_id"]) == {"t.hh.coal.SO2", "t.hh.coal.PM25"}


# ---- issue 23.4: control and bidirectional characters --------------------------------------------


@pytest.mark.parametrize(("where", "field"), [
    ("name", "scenario.name"), ("county", "counties.'B\\r\\x1b[2Kmet   B'"), ("id", "measures[0].id"),
])
def test_control_characters_in_names_and_ids(tmp_path, capsys, where, field):
    spoof = '"B\\r\\e[2Kmet   B"'
    name = spoof if where == "name" else "t"
    county = spoof if where == "county" else "甲县"
    measure_id = spoof if where == "id" else "trucks"
    path = tmp_path / "plan.yaml"
    path.write_text(f"name: {name}\nperiod: {{start: 2021-01-01, end: 2021-12-31}}\ntargets: {{NOx: '50%'}}\n"
                    f"counties:\n  {county}:\n    baseline: {{NOx: '1000 t'}}\n    measures:\n"
                    f"      - {{id: {measure_id}, type: vehicle_retirement, count: 100, "
                    "vehicle: heavy_duty_diesel_truck, standard: China III}\n", encoding="utf-8")
    code, out, err = cli(capsys, "check", path)  # before: exit 1, "\r\x1b[2K" sent raw to the terminal
    assert code == 2 and out == ""
    assert field in err and "holds the control character U+000D" in err
    assert "\r" not in err and "\x1b" not in err


def test_right_to_left_override_in_a_county_name(tmp_path, capsys):
    path = write(tmp_path, """\
        counties:
          "\\u202eAB":
            baseline: {NOx: "10 t"}
        """)
    code, _, err = cli(capsys, "run", path)
    assert code == 2 and "plan.yaml:4: counties.'\\u202eAB': county name '\\u202eAB' holds the control " \
        "character U+202E" in err and "\u202e" not in err


def test_control_characters_in_register_ids(tmp_path, table):
    (tmp_path / "trucks.csv").write_text("type,county,id,count,vehicle,standard\n"
                                         "vehicle_retirement,甲县,ok,1,heavy_duty_diesel_truck,China III\n"
                                         "vehicle_retirement,甲县,\"a\x1b[2Kb\",1,heavy_duty_diesel_truck,China III\n",
                                         encoding="utf-8")
    data = scenario_dict([], measures_file="trucks.csv")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data, base_dir=tmp_path, table=table)
    assert "trucks.csv:3: column id: name 'a\\x1b[2Kb' holds the control character U+001B" in str(caught.value)


# ---- issue 23.5: names equal after normalisation --------------------------------------------------


@pytest.mark.parametrize(("first", "second", "message"), [
    ("1", '"1"', "plan.yaml:7: counties.1: county '1' is county 1 (line 4) again"),
    ("Ａ县", "A县", "plan.yaml:7: counties.A县: county 'A县' is county 'Ａ县' (line 4) again"),
    ("Xinfu", "xinfu", "county 'xinfu' is county 'Xinfu' (line 4) again"),
    ('"True"', "true", "plan.yaml:7: counties.True: county name True is read as a value, not a name"),
])
def test_twin_county_names(tmp_path, capsys, first, second, message):
    path = write(tmp_path, f"""\
        counties:
          {first}:
            baseline: {{NOx: "1000 t"}}
            measures: [{TRUCK_LINE}]
          {second}:
            baseline: {{NOx: "1000 t"}}
        """)
    code, out, err = cli(capsys, "run", path)  # before: both rows show the 40 t, TOTAL counts it twice
    assert code == 2 and out == "" and message in err


def test_twin_county_in_a_baselines_table(tmp_path, table):
    (tmp_path / "baselines.csv").write_text("county,NOx [t]\nＡ县,1000\n", encoding="utf-8")
    data = {"name": "t", "period": {"start": "2021-01-01", "end": "2021-12-31"}, "baselines_file": "baselines.csv",
            "counties": {"A县": {"baseline": {"NOx": "10 t"}}}}
    with pytest.raises(ScenarioError, match=r"baselines.csv:2: counties.Ａ县: county 'Ａ县' is county 'A县' again"):
        load_scenario(data, base_dir=tmp_path, table=table)


def test_twin_measure_ids(table):
    text = problem(scenario_dict([{**TRUCKS, "id": "Trucks"}, {**TRUCKS, "id": "ｔｒｕｃｋｓ"}]), table)
    assert "measures[1].id: duplicate measure id 'ｔｒｕｃｋｓ' in county '甲县'" in text


# ---- issue 23.7: two names of one pollutant in one mapping ----------------------------------------


@pytest.mark.parametrize("where", ["targets", "baseline", "emission_factors", "removal_efficiency"])
def test_two_names_of_one_pollutant(table, where):
    boiler = {"type": "boiler_phaseout", "count": 2, "capacity": "4 t_steam/h", "hours": "2000 h"}
    data = scenario_dict([boiler], targets={"NOx": "1%"})
    mapping = {"NOx": "1%", "氮氧化物": "5%"} if where in ("targets", "removal_efficiency") else \
        {"NOx": "1000 t", "氮氧化物": "2000 t"} if where == "baseline" else {"NOx": "4 kg/t", "氮氧化物": "8 kg/t"}
    if where == "targets":
        data["targets"] = mapping
    elif where == "baseline":
        data["counties"]["甲县"]["baseline"] = mapping
    else:
        boiler[where] = mapping
    text = problem(data, table)  # before: the last one won
    assert f"{where}.氮氧化物: 'NOx' and '氮氧化物' are both NOx: a duplicate" in text


# ---- issue 23.9: YAML 1.1 number forms ------------------------------------------------------------


YAML11 = [
    ("  0101:", "0101 is an octal number in YAML 1.1 (65), not what it looks like (quote it ('0101')"),
    ("    count: 010", "010 is an octal number in YAML 1.1 (8)"),
    ("    count: 0b11", "0b11 is a binary number in YAML 1.1 (3)"),
    ("    count: 1:30", "1:30 is a base-60 number in YAML 1.1 (90)"),
    ("    count: 1:30.5", "1:30.5 is a base-60 number in YAML 1.1 (90.5)"),
]


def test_yaml11_numbers_are_refused(tmp_path, capsys, table):
    for line, message in YAML11:
        county = line if line.startswith("  0") else "  甲县:"
        count = line if not line.startswith("  0") else "    count: 100"
        path = tmp_path / "plan.yaml"
        path.write_text(HEAD + f"counties:\n{county}\n  乙县:\n    baseline: {{NOx: '1000 t'}}\n    measures:\n"
                        f"    - type: vehicle_retirement\n  {count}\n      vehicle: heavy_duty_diesel_truck\n"
                        "      standard: China III\n", encoding="utf-8")
        code, out, err = cli(capsys, "validate", path)  # before: county "65", 8 trucks, 90 trucks
        assert code == 2 and out == "" and message in err, line
    # what both versions read alike still loads: quoted codes, 0, plain decimals
    path.write_text(HEAD + "counties:\n  '0101':\n    baseline: {NOx: '1000 t'}\n    measures:\n"
                    "      - {type: vehicle_retirement, count: 10, vehicle: heavy_duty_diesel_truck, "
                    "standard: China III, in_service: 2021-01-01}\n  0:\n    baseline: {NOx: 1000 t}\n",
                    encoding="utf-8")
    s = load_scenario(path, table=table).run().summary()
    assert s["county"].tolist() == ["0101", "0", "TOTAL"] and s["reduction_t"].tolist() == [4.0, 0.0, 4.0]


# ---- issue 23.14: validate checks what run checks; load_scenario's argument -----------------------


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize(("count", "baseline", "message"), [
    (100, "1 t", "measures remove 40.0 t of NOx, more than the county's baseline of 1.0 t"),
    ("1e306", "1000 t", "'1e306' is beyond 1e+30"),  # refused as it is read (it overflowed the ledger before)
])
def test_validate_refuses_what_run_refuses(tmp_path, capsys, count, baseline, message):
    path = write(tmp_path, f"""\
        counties:
          甲县:
            baseline: {{NOx: "{baseline}"}}
            measures:
              - {{type: vehicle_retirement, count: {count}, vehicle: heavy_duty_diesel_truck, standard: China III}}
        """)
    for command in ("validate", "run"):  # before: validate said valid
        code, out, err = cli(capsys, command, path)
        assert code == 2 and out == "" and message in err


@pytest.mark.parametrize("source", [42, None, 1.5, ["plan.yaml"], np.int64(3)])
def test_load_scenario_of_a_wrong_type(source):
    with pytest.raises(ScenarioError, match="expected the path of a scenario YAML file or the scenario as a dict, "
                                            f"got {type(source).__name__}"):
        load_scenario(source)  # before: TypeError from pathlib


@pytest.mark.parametrize(("measure", "field"), [
    ("{type: boiler_phaseout, count: 1, capacity: '10 t_steam/h', hours: '100 h', efficiency: 0}", "efficiency"),
    ("{type: boiler_phaseout, count: 1, capacity: '10 t_steam/h', hours: '100 h', replacement: natural_gas, "
     "replacement_efficiency: '0%'}", "replacement_efficiency"),
    ("{type: coal_to_gas, households: 10, heater_efficiency: 0}", "heater_efficiency"),
    ("{type: coal_to_electric, households: 10, stove_efficiency: 0}", "stove_efficiency"),
])
def test_an_efficiency_of_zero_is_refused_naming_its_field(tmp_path, capsys, measure, field):
    """Before: a numpy divide-by-zero warning and 'ledger rows overflow' naming no field (issue 23.14)."""
    path = write(tmp_path, f"""\
        counties:
          甲县:
            baseline: {{SO2: "1000000 t"}}
            measures:
              - {measure}
        """)
    code, out, err = cli(capsys, "run", path)
    assert code == 2 and out == ""
    assert f"measures[0].{field}: " in err and "an efficiency of 0 would take endless fuel" in err
    assert "RuntimeWarning" not in err


@pytest.mark.parametrize(("name", "code"), [("甲\u200b县", "200B"), ("\u200b", "200B"), ("甲\ufeff县", "FEFF"),
                                           ("甲\u2060县", "2060"), ("甲\u00ad县", "00AD")])
def test_invisible_characters_in_a_county_name_are_refused(tmp_path, capsys, name, code):
    """A zero-width space makes 甲\u200b县 print as 甲县, a second county that looks like the first (found by
    the fuzz test of names); before, it was accepted."""
    path = write(tmp_path, f"""\
        counties:
          "{name.encode('unicode_escape').decode()}":
            baseline: {{NOx: "100 t"}}
        """)
    exit_code, out, err = cli(capsys, "run", path)
    assert exit_code == 2 and out == "" and f"holds the invisible character U+{code}" in err
