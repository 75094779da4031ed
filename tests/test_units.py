"""The unit registry and the one parse path of every quantity text."""

import csv
import datetime as dt
import json

import numpy as np
import pytest

from reduccalc import ScenarioError, calculators, load_scenario, ureg
from reduccalc.cli import main
from reduccalc.factors import load_table
from reduccalc.fields import CountKind, DateKind
from reduccalc.units import _string_in, conversion, parse_quantity, to_canonical, unit_of
from tests.conftest import FIXTURE_FACTORS, one_county, scenario_dict, trucks


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("10 t_steam/h", "MW", 7.0),  # 1 t_steam/h = 0.7 MW by definition
        ("1 t_steam", "GJ", 2.52),  # 0.7 MW x 3600 s
        ("35 蒸吨/h", "MW", 24.5),
        ("3 kt", "t", 3000.0),  # kilotonne, not knot
        ("1.2 Mt/yr", "kt/yr", 1200.0),
        ("1 a", "yr", 1.0),
        ("2 万元", "CNY", 20000.0),
        ("5 hh", "household", 5.0),
    ],
)
def test_published_conversions(quantity, unit, expected):
    assert ureg(quantity).to(unit).magnitude == pytest.approx(expected, rel=1e-12)


def test_counts_are_dimensions():
    with pytest.raises(Exception, match="[Cc]annot convert"):
        ureg("5 household").to("vehicle")


def test_to_canonical_converts_strings_quantities_and_percent():
    assert to_canonical("10 t_steam/h", "MW") == pytest.approx(7.0)
    assert to_canonical(ureg.Quantity(7, "MW"), "MW") == 7.0
    assert to_canonical("250 kg", "t") == pytest.approx(0.25)
    assert parse_quantity("30%") == (30.0, "percent")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10 kg", "is a mass .* expected a power"),
        ("10 h", "is a time .* expected a power"),
        ("10 furlongs_per_fortnight", "unknown unit"),
        (10, "has no unit"),
        ("ten MW", "not a quantity"),
        ("nan MW", "not a quantity|not a finite"),
        (True, "expected"),
    ],
)
def test_to_canonical_errors_name_field_value_and_dimension(value, message):
    with pytest.raises(ScenarioError, match=message) as info:
        to_canonical(value, "MW", field="capacity", example="10 t_steam/h")
    assert info.value.first.field == "capacity"
    assert "10 t_steam/h" in str(info.value)


def test_unit_parsing_is_cached():
    unit_of.cache_clear()
    for _ in range(100_000):
        unit_of("t_steam/h")
    assert unit_of.cache_info().misses == 1
    conversion.cache_clear()
    _string_in.cache_clear()
    for _ in range(1000):
        to_canonical("10 t_steam/h", "MW")
        to_canonical("20 t_steam/h", "MW")
    assert conversion.cache_info().misses == 1  # one unit conversion
    assert _string_in.cache_info().misses == 2  # one parse per distinct text


# ---------------------------------------------------------------- one parse path: YAML, register cells, CLI flags
#
# Every case goes through a scenario's YAML, a register (台账) cell and the command line. A case is
# (text, measure template, key, expected canonical value); the measure is a one-row register too.

BOILER = {"type": "boiler_phaseout", "count": 1, "capacity": "1 MW", "hours": "1 h"}
HOUSEHOLDS = {"type": "coal_to_gas", "households": 1}
TRUCKS = {"type": "vehicle_retirement", "count": 1, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}
PLANT = {"type": "staggered_production", "sector": "cement_clinker", "output": "1 t/yr", "days": 1}
HEAT_PUMP = {"type": "coal_to_electric", "households": 1}
FUEL = {"type": "boiler_phaseout", "count": 1, "fuel_use": "1 t"}

CHINESE = [  # text, measure, key, canonical value (t, MW, h, km/yr, t/yr, GJ/t, GJ/m^3, kWh, d, counts, fractions)
    ("10万吨/年", PLANT, "output", (100_000.0, "t")),  # 10 x 10^4 t per year (output: amount and t or kWh)
    ("1.5万吨/年", PLANT, "output", (15_000.0, "t")),
    ("１０ 吨", FUEL, "fuel_use", 10.0),
    ("3200 吨", FUEL, "fuel_use", 3200.0),
    ("1,850 吨", FUEL, "fuel_use", 1850.0),
    ("1.5 万吨", FUEL, "fuel_use", 15_000.0),
    ("500 千克", FUEL, "fuel_use", 0.5),
    ("500 公斤", FUEL, "fuel_use", 0.5),
    ("2000000 克", FUEL, "fuel_use", 2.0),
    ("３２００吨", FUEL, "fuel_use", 3200.0),
    ("10 蒸吨", BOILER, "capacity", 7.0),  # a boiler's 10 蒸吨 is 10 t_steam/h = 7 MW
    ("10蒸吨/小时", BOILER, "capacity", 7.0),
    ("10 t_steam", BOILER, "capacity", 7.0),
    ("１０　ｔ＿ｓｔｅａｍ／ｈ", BOILER, "capacity", 7.0),  # full-width letters and the ideographic space
    ("14 兆瓦", BOILER, "capacity", 14.0),
    ("2800 千瓦", BOILER, "capacity", 2.8),
    ("2000 小时", BOILER, "hours", 2000.0),
    ("30 天", BOILER, "hours", 720.0),
    ("30 日", PLANT, "days", 30.0),
    ("0.5 年", PLANT, "days", 182.5),  # a year is 365 days
    ("５０ 天", PLANT, "days", 50.0),
    ("50000 公里/年", TRUCKS, "annual_km", 50_000.0),
    ("5万公里/年", TRUCKS, "annual_km", 50_000.0),
    ("50000 千米/年", TRUCKS, "annual_km", 50_000.0),
    ("1.2万户", HOUSEHOLDS, "households", 12_000.0),
    ("１２００ 户", HOUSEHOLDS, "households", 1200.0),
    ("10 辆", TRUCKS, "count", 10.0),
    ("5 台", BOILER, "count", 5.0),
    ("３０％", HOUSEHOLDS, "reburn_rate", 0.3),
    ("５％", HOUSEHOLDS, "reburn_rate", 0.05),
    ("０．３", HOUSEHOLDS, "reburn_rate", 0.3),
    ("20.9 兆焦/千克", BOILER, "heating_value", 20.9),  # MJ/kg = GJ/t
    ("36 兆焦/立方米", BOILER, "gas_heating_value", 0.036),
    ("36 MJ/m3", BOILER, "gas_heating_value", 0.036),
    ("4000 千瓦时", HEAT_PUMP, "electricity_per_household", 4000.0),
    ("0.4 万千瓦时", HEAT_PUMP, "electricity_per_household", 4000.0),
    ("2021年7月1日", BOILER, "in_service", dt.date(2021, 7, 1)),
    ("２０２１年７月１日", BOILER, "in_service", dt.date(2021, 7, 1)),
    ("2021/7/1", BOILER, "in_service", dt.date(2021, 7, 1)),
    ("2021.07.01", BOILER, "in_service", dt.date(2021, 7, 1)),
]

PERCENTS = [("５％", 5.0), ("5%", 5.0), ("5 %", 5.0), ("１０％", 10.0), ("2.5％", 2.5), ("０％", 0.0), ("100%", 100.0),
            ("５ ％", 5.0)]

MALFORMED = [  # as a boiler's capacity; each one an error naming the field, never pint's own exception
    "10 blargs", "1/0 t", "100 (t", "100 t)", "0x10 t", "100 2 t", "10 t / / h", "100 mt", "2.8 mw", "10 tons",
    "10 ton", "10 kton", "100 MT", "10 Mw", "", " ", "ten MW", "MW", "nan MW", "inf MW", "1e31 MW", "1e308 MW",
    "10\x00 MW", "10 MW\x00", "\u200b10 MW", "10 \ufeffMW", "10 MW\x1b", "10 t,h", "10 t;h", "10 t@h", "10 MW!",
    "10 MW^7", "10 MW**99999", "10 t^^2", "10 MW/", "10 /MW", "10 * MW", "10 MW*", "1 000 MW", "1.2.3 MW",
    "--5 MW", "0b10 MW", "10 'MW'", "10 [MW]", "10 {MW}", "10 <MW>", "10 MW # comment", "10 蒸吨标煤", "10 兆",
    "-10 MW", "10 ％t", "10\tMW\x07", "1O MW", "10 MW;",
]
NOT_A_CAPACITY = ["10 t/h", "10 kg", "10 万", "10 t_steam/h/h", "10 吨"]  # quantities, of another dimension


def one_measure(measure, key, text):
    return {**measure, key: text}


def yaml_plan(measures, targets=None):
    """A scenario text with one county, its measures written as JSON (JSON strings are YAML)."""
    lines = ["name: units", "period: {start: 2021-01-01, end: 2021-12-31}"]
    if targets is not None:
        lines.append(f"targets: {{NOx: {json.dumps(targets)}}}")
    lines += ["counties:", "  甲县:", '    baseline: {NOx: "1e12 t", SO2: "1e12 t"}']
    if measures:
        lines.append("    measures:")
        lines += [f"      - {json.dumps(measure, ensure_ascii=True, default=str)}" for measure in measures]
    return "\n".join(lines) + "\n"


def load_text(text, table, folder=None):
    from reduccalc.scenario import build_scenario
    from reduccalc.yamlio import load_yaml_text

    return build_scenario(load_yaml_text(text, file="plan.yaml"), file="plan.yaml", base_dir=folder, table=table)


REGISTER_PLAN = yaml_plan([]) + "    measures_file: r.csv\n"  # its county reads r.csv


def register_plan(folder, measure):
    """A scenario whose county reads ``measure`` from a one-row CSV register."""
    with (folder / "r.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(list(measure))
        writer.writerow([str(value) for value in measure.values()])
    return REGISTER_PLAN


@pytest.mark.parametrize(("text", "measure", "key", "expected"), CHINESE, ids=[case[0] for case in CHINESE])
def test_chinese_and_full_width_quantities_through_yaml_and_register(text, measure, key, expected, table, tmp_path):
    from_yaml = load_text(yaml_plan([one_measure(measure, key, text)]), table).counties[0].measures[0].values[key]
    register = load_text(register_plan(tmp_path, one_measure(measure, key, text)), table, tmp_path).registers[0]
    from_register = register.values[key][0]
    if isinstance(expected, (dt.date, tuple)):
        assert from_yaml == from_register == expected
    else:
        assert from_yaml == pytest.approx(expected, rel=1e-12)
        assert from_register == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "expected"), PERCENTS)
def test_full_width_targets_through_yaml_and_the_target_flag(text, expected, table, tmp_path, monkeypatch, capsys):
    assert load_text(yaml_plan([], targets=text), table).targets == {"NOx": expected}
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))
    path = tmp_path / "plan.yaml"
    path.write_text(yaml_plan([one_measure(FUEL, "fuel_use", "1 t")]), encoding="utf-8")
    assert main(["check", str(path), "--target", text, "--format", "json"]) == (0 if expected == 0 else 1)
    checked = json.loads(capsys.readouterr().out)["targets"]
    assert {row["target_pct"] for row in checked} == {expected}


def test_the_lists_are_long_enough():
    assert len(MALFORMED) >= 40 and len(CHINESE) + len(PERCENTS) >= 30
    assert len(set(MALFORMED)) == len(MALFORMED)


@pytest.mark.parametrize(("text", "measure", "field"), [
    *[(text, BOILER, "capacity") for text in MALFORMED + NOT_A_CAPACITY],  # a quantity of a known dimension
    *[(text, {"type": "custom", "activity": "1 t", "emission_factors": {"NOx": "1 kg/t"}}, "activity")
      for text in MALFORMED],  # a quantity of any dimension
])
def test_malformed_quantities_in_yaml_name_the_field(text, measure, field, table):
    with pytest.raises(ScenarioError) as info:
        load_text(yaml_plan([one_measure(measure, field, text)]), table)
    problem = info.value.first
    assert (problem.file, problem.line, problem.field) == ("plan.yaml", 7, f"counties.甲县.measures[0].{field}")
    assert problem.hint


def test_malformed_quantities_in_a_register_name_row_and_column(table, tmp_path):
    with (tmp_path / "r.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["type", "count", "capacity", "hours"])
        writer.writerows([["boiler_phaseout", 1, text, "1 h"] for text in MALFORMED + NOT_A_CAPACITY])
    with pytest.raises(ScenarioError) as info:
        load_text(REGISTER_PLAN, table, tmp_path)
    found = {problem.line: problem for problem in info.value.problems}
    assert sorted(found) == [row for row, text in enumerate(MALFORMED + NOT_A_CAPACITY, start=2)
                             if text.strip()]  # a blank cell gives no value
    assert all(problem.field == "column capacity" and problem.file == "r.csv" for problem in found.values())


@pytest.mark.parametrize("text", MALFORMED + NOT_A_CAPACITY)
def test_malformed_quantities_exit_2_from_the_cli(text, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))
    path = tmp_path / "plan.yaml"
    path.write_text(yaml_plan([one_measure(BOILER, "capacity", text)]), encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:7:") and "capacity" in err and "Traceback" not in err
    assert main(["check", str(path), f"--target={text}"]) == 2  # the same text as a target: refused first
    err = capsys.readouterr().err
    assert err.startswith("error: --target: ") and "Traceback" not in err


@pytest.mark.parametrize(("text", "hint"), [
    ("100 mt", "write Mt for megatonnes or kt for kilotonnes"),
    ("100 mt/yr", "write Mt for megatonnes"),
    ("10 tons", "US short ton of 0.907 t"),
    ("10 ton", "write t for tonnes"),
    ("2.8 mw", "did you mean '2.8 MW'?"),
    ("10 KG", "did you mean '10 kg'?"),
    ("10 t_Steam/h", "did you mean '10 t_steam/h'?"),
    ("10\x00 t", "delete it"),
])
def test_ambiguous_and_misspelt_units_are_refused_with_a_hint(text, hint):
    with pytest.raises(ScenarioError) as info:
        parse_quantity(text)
    assert hint in info.value.first.hint


def test_negative_target_flag_is_a_value_and_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))
    path = tmp_path / "plan.yaml"
    path.write_text(yaml_plan([one_measure(FUEL, "fuel_use", "1 t")]), encoding="utf-8")
    for argv in (["--target", "-5%"], ["--target=-5%"], ["--target", "-.5%"]):
        assert main(["check", str(path), *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --target: '-") and "must be between 0% and 100%" in err, err


def test_a_year_is_365_days():
    # 100 t/d for 10 days of a curtailment is 1000 t of output, as days / 365 of a year of 365 days
    ledger = calculators.staggered_production(sector="cement_clinker", output="100 t/d", days=10,
                                             emission_factors={"NOx": "1 kg/t"}, table=load_table(FIXTURE_FACTORS))
    assert float(calculators.reduction_by_pollutant(ledger)["NOx"]) == pytest.approx(1.0, rel=1e-12)
    assert to_canonical("1 yr", "d") == to_canonical("1 a", "d") == to_canonical("1 年", "d") == 365.0
    assert to_canonical("100 t/d", "t/yr") == pytest.approx(36_500.0, rel=1e-12)


def test_numpy_scalars_are_numbers(table):
    plain = [{**BOILER, "count": 2, "efficiency": 0.75}, {**HOUSEHOLDS, "households": 100, "reburn_rate": 0.1}]
    numpy = [{**BOILER, "count": np.int64(2), "efficiency": np.float32(0.75)},
             {**HOUSEHOLDS, "households": np.int32(100), "reburn_rate": np.float64(0.1)}]
    runs = [load_scenario(scenario_dict(measures), table=table).run().reductions["reduction_t"].to_numpy()
            for measures in (plain, numpy)]
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-7)  # float32(0.75) is exact
    led = calculators.boiler_phaseout(count=np.int64(2), capacity="1 MW", hours="1 h", heating=np.bool_(False),
                                      table=table)
    assert len(led) > 0
    assert to_canonical(np.float32(2.5), "d", allow_bare=True) == 2.5
    assert DateKind().check(np.datetime64("2021-07-01")) == dt.date(2021, 7, 1)
    plans = [load_scenario(one_county([trucks(max=most)]), table=table).optimize() for most in (500, np.int64(500))]
    assert plans[1].cost == plans[0].cost > 0


def test_normalisation_happens_once_per_distinct_text(table, tmp_path):
    from reduccalc.units import _parsed

    _parsed.cache_clear()
    _string_in.cache_clear()
    for _ in range(10_000):
        to_canonical("10 蒸吨/小时", "MW")
        CountKind().check("1.2万户")
    assert _parsed.cache_info().misses == 2  # one normalisation of each text
    with (tmp_path / "r.csv").open("w", encoding="utf-8", newline="") as file:
        file.write("type,count,capacity,hours\n" + "boiler_phaseout,１０ 台,10 蒸吨/小时,２０００ 小时\n" * 5000)
    _parsed.cache_clear()
    scenario = load_text(REGISTER_PLAN, table, tmp_path)
    assert scenario.registers[0].values["capacity"][4999] == pytest.approx(7.0)
    assert _parsed.cache_info().misses <= 6  # three distinct cells (and their probes), not 15,000


def test_numbers_under_a_chinese_header_unit(table, tmp_path):
    (tmp_path / "r.csv").write_text("type,count,fuel_use（万吨）,in_service\n"
                                    "boiler_phaseout,1,１０．５,２０２１／０７／０１\n"
                                    "boiler_phaseout,1,1e31,2021-07-01\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_text(REGISTER_PLAN, table, tmp_path)
    (problem,) = info.value.problems
    assert (problem.line, problem.field) == (3, "column fuel_use（万吨）") and "beyond 1e+30" in problem.message
    (tmp_path / "r.csv").write_text("type,count,fuel_use（万吨）,in_service\n"
                                    "boiler_phaseout,1,１０．５,２０２１／０７／０１\n", encoding="utf-8")
    register = load_text(REGISTER_PLAN, table, tmp_path).registers[0]
    assert register.values["fuel_use"][0] == pytest.approx(105_000.0, rel=1e-12)  # 10.5 万吨
    assert register.values["in_service"][0] == dt.date(2021, 7, 1)


def test_line_separators_are_whitespace_in_a_quantity_as_line_breaks_are():
    # names refuse U+2028/U+2029 (they break the printed line); in a quantity they separate like a space or \n
    assert parse_quantity("10\u2028MW") == parse_quantity("10\nMW") == parse_quantity("10 MW\u2029") == (10.0, "MW")


def test_pint_definitions_cached_and_a_broken_cache_is_not_fatal(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = "from reduccalc.units import parse_quantity; print(parse_quantity('10 蒸吨/小时'))"
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    cached = list((tmp_path / "reduccalc").glob("pint-*/*.pickle"))
    assert cached
    for path in cached:
        path.write_bytes(b"half a pickle")  # as another process caught writing it would leave it
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0 and again.stdout == first.stdout, again.stderr
