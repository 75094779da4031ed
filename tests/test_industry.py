"""Industry: control levels of the production table, staggered_production's ``control``, industrial_retrofit.

Numbers use the shipped tables (factors/production.csv). Cement clinker's
control levels are limit x flue gas: kiln tail 2,400 Nm3/t for SO2 and NOx,
kiln tail + head 3,900 Nm3/t for PM, PM10 = PM x 0.486, PM2.5 = PM x 0.059.
"""

import itertools

import pytest

from reduccalc import ScenarioError
from reduccalc import calculators as calc
from reduccalc.factors import load_table

TABLE = load_table()
YEAR = ("2021-01-01", "2021-12-31")
LEVELS = ("uncontrolled", "standard", "special_limit", "ultra_low")  # dirtiest first
CLINKER = {"sector": "cement_clinker", "output": "1.5 Mt/yr"}


def totals(ledger):
    return ledger.groupby("pollutant", observed=True)["reduction_t"].sum().to_dict()


def retrofit(**keys):
    return totals(calc.run_measure("industrial_retrofit", {**CLINKER, **keys}, period=YEAR))


def output(sector):
    return "1.2 TWh/yr" if category(sector) == "power" else "1.5 Mt/yr"


def stop(control, sector="cement_clinker"):
    """A plant stopped for the whole year at ``control``."""
    return totals(calc.staggered_production(sector=sector, output=output(sector), control=control, period=YEAR))


SECTORS = sorted(TABLE.subjects("production") | TABLE.subjects("power"))


def category(sector):
    return "power" if sector in TABLE.subjects("power") else "production"


def levels(sector):
    return [level for level in LEVELS if level in TABLE.technologies(category(sector), sector)]


def test_retrofit_from_standard_to_ultra_low_by_hand():
    # NOx (400 - 50 mg/m3) x 2,400 Nm3/t = 0.84 kg/t x 1.5e6 t = 1,260 t; SO2 (200 - 30) x 2,400 = 0.408 kg/t -> 612 t
    # PM10 (30 - 10) x 3,900 x 0.486 = 0.037908 kg/t -> 56.862 t; CO and VOCs are one row on both sides: no rows
    got = retrofit(**{"from": "standard", "to": "ultra_low"})
    assert got == pytest.approx({"NOx": 1260.0, "SO2": 612.0, "PM10": 56.862, "PM2.5": 6.903})


def test_retrofit_concentration_route_in_service():
    # (400 - 50) mg/m3 x 2,400 m3/t (table flue gas) = 0.84 kg/t; from 1 July: 184 of 365 days
    # 1.5e6 t/yr x 184/365 yr x 0.84 kg/t = 635.178 t
    got = retrofit(concentration_before={"NOx": "400 mg/m^3"}, concentration_after={"NOx": "50 mg/m^3"},
                   in_service="2021-07-01")
    assert got == pytest.approx({"NOx": 635.178}, rel=1e-5)
    # flue_gas given: 350 mg/m3 x 3,000 m3/t = 1.05 kg/t x 1.5e6 t = 1,575 t
    got = retrofit(concentration_before={"NOx": "400 mg/m^3"}, concentration_after={"NOx": "50 mg/m^3"},
                   flue_gas="3000 m^3/t")
    assert got == pytest.approx({"NOx": 1575.0})


def test_retrofit_factor_route_and_mixed_sides():
    # 1.2 - 0.3 kg/t = 0.9 kg/t x 1.5e6 t = 1,350 t
    assert retrofit(emission_factors_before={"NOx": "1.2 kg/t"},
                    emission_factors_after={"NOx": "0.3 kg/t"}) == pytest.approx({"NOx": 1350.0})
    # standard -> special_limit, NOx measured after at 100 mg/m3 x 2,400 = 0.24 kg/t: (0.96 - 0.24) x 1.5e6 = 1,080 t;
    # the others from the levels: SO2 (0.48 - 0.24) -> 360 t, PM10 (0.056862 - 0.037908) -> 28.431 t,
    # PM2.5 (0.006903 - 0.004602) -> 3.4515 t
    got = retrofit(**{"from": "standard", "to": "special_limit"}, concentration_after={"NOx": "100 mg/m^3"})
    assert got == pytest.approx({"NOx": 1080.0, "SO2": 360.0, "PM10": 28.431, "PM2.5": 3.4515})
    # an inline side must name every pollutant the level on the other side gives
    with pytest.raises(ScenarioError, match="BC, CO, VOCs: given on one side of the retrofit only"):
        retrofit(**{"from": "standard"}, emission_factors_after={"NOx": "0.2 kg/t", "SO2": "0.1 kg/t",
                                                                 "PM10": "0.01 kg/t", "PM2.5": "0.001 kg/t"})


@pytest.mark.parametrize(("keys", "message"), [
    ({"from": "ultra_low", "to": "standard"}, "would raise SO2, NOx, PM2.5, PM10"),
    ({"from": "standard"}, "no factors after the retrofit"),
    ({"from": "standard", "to": "standard"}, "the retrofit would do nothing"),
    ({"from": "standard", "to": "ultra_low_emission"}, "did you mean 'ultra_low'"),
    ({"concentration_before": {"NOx": "400 mg/m^3"}, "emission_factors_after": {"SO2": "1 kg/t"}},
     "NOx, SO2: given on one side of the retrofit only"),
    ({"concentration_before": {"NOx": "400 kg/t"}, "concentration_after": {"NOx": "50 mg/m^3"}},
     "'kg/t' is not a concentration"),
])
def test_retrofit_errors(keys, message):
    with pytest.raises(ScenarioError, match=message):
        retrofit(**keys)


@pytest.mark.parametrize("sector", [sector for sector in SECTORS if len(levels(sector)) >= 2])
def test_retrofit_equals_stop_at_from_minus_stop_at_to(sector):
    for dirty, clean in itertools.combinations(levels(sector), 2):
        before, after = stop(dirty, sector), stop(clean, sector)
        got = totals(calc.run_measure("industrial_retrofit", {"sector": sector, "output": output(sector),
                                                              "from": dirty, "to": clean}, period=YEAR))
        expected = {p: before[p] - after[p] for p in before}
        assert {p: got.get(p, 0.0) for p in before} == pytest.approx(expected), (sector, dirty, clean)


def test_identity_is_exercised():
    # the identity test above must cover at least cement's 6 pairs of levels and coal power's 3
    assert levels("cement_clinker") == list(LEVELS)
    assert levels("coal_power") == ["standard", "special_limit", "ultra_low"]


def test_levels_are_ordered_for_every_sector_and_pollutant():
    compared = 0
    for sector in SECTORS:
        named = levels(sector)
        for pollutant in TABLE.pollutants(category(sector)):
            values = [TABLE.find(category(sector), sector, pollutant, technology=level) for level in named]
            own = [row.value for row, level in zip(values, named) if row is not None and row.technology == level]
            assert own == sorted(own, reverse=True), (sector, pollutant, own)
            compared += len(own) >= 3
    assert compared >= 7  # cement's SO2, NOx, PM10, PM2.5 at four levels, coal power's three at three


@pytest.mark.parametrize(("level", "pm", "so2", "nox"), [
    ("standard", 30, 200, 400),       # GB 4915-2013 Table 1, kiln
    ("special_limit", 20, 100, 320),  # GB 4915-2013 Table 2 (特别排放限值)
    ("ultra_low", 10, 30, 50),        # Tangshan 2019 cement ultra-low limits
])
def test_cement_levels_reproduce_from_limit_times_volume(level, pm, so2, nox):
    def ef(pollutant):
        return TABLE[f"production.cement_clinker.{level}.{pollutant}"].value

    assert ef("SO2") == pytest.approx(so2 * 2400e-6, rel=1e-5)
    assert ef("NOx") == pytest.approx(nox * 2400e-6, rel=1e-5)
    assert ef("PM10") == pytest.approx(pm * 3900e-6 * 0.486, rel=1e-5)
    assert ef("PM2.5") == pytest.approx(pm * 3900e-6 * 0.059, rel=1e-5)


def test_cement_kiln_stack_pm10_within_measured_outlets():
    # Guo et al. 2022 (guo2022_cement_pm): after-control PM10 1.49-18.46 g/t clinker per outlet, 3 outlets
    # (kiln tail, kiln head, coal mill) on plants mostly below 10 mg/m3: an ultra-low line's stacks 1.49-55.4 g/t
    assert 1.49e-3 <= TABLE["production.cement_clinker.ultra_low.PM10"].value <= 3 * 18.46e-3


def test_a_2015_line_and_an_ultra_low_line_stopped_for_a_winter():
    # 47 days (15 Nov - 31 Dec 2023) of 1.5 Mt/yr = 193,150.7 t clinker
    # 2015 standard: NOx 0.96 kg/t -> 185.425 t; ultra-low: 0.12 kg/t -> 23.178 t
    window = {"start": "2023-11-15", "end": "2023-12-31"}
    ledgers = {control: calc.staggered_production(**CLINKER, window=window, control=control)
               for control in ("standard", "ultra_low")}
    nox = {control: totals(led)["NOx"] for control, led in ledgers.items()}
    assert nox == pytest.approx({"standard": 185.425, "ultra_low": 23.178}, rel=1e-4)
    assert set(ledgers["standard"]["source"]) == {"cement_clinker (1.5e+06 t/yr for 47 d, control: standard)"}
    default = calc.staggered_production(**CLINKER, window=window)
    assert set(default["source"]) == {"cement_clinker (1.5e+06 t/yr for 47 d, control: table default)"}


def test_control_and_technology_must_agree():
    with pytest.raises(ScenarioError, match="give control or technology"):
        calc.staggered_production(**CLINKER, days=10, control="standard", technology="uncontrolled")
    with pytest.raises(ScenarioError, match="did you mean 'special_limit'"):
        calc.staggered_production(**CLINKER, days=10, control="special_limits")
    # the older name still works
    assert totals(calc.staggered_production(**CLINKER, days=10, technology="ultra_low")) == pytest.approx(
        totals(calc.staggered_production(**CLINKER, days=10, control="ultra_low")))


def test_coal_power_closure_in_electricity_by_control_level():
    # 1.2 TWh/yr = 1.2e9 kWh closed for the year; ultra-low (the default) SO2 35 mg/m3 x 3.0 Nm3/kWh = 0.105 g/kWh
    # -> 126 t; GB 13223-2011 existing unit SO2 200 mg/m3 -> 0.6 g/kWh -> 720 t; NOx 100 / 50 mg/m3 -> 360 / 180 t
    closed = {control: totals(calc.staggered_production(sector="coal_power", output="1.2 TWh/yr", period=YEAR,
                                                         **({"control": control} if control else {})))
              for control in ("standard", "ultra_low", "")}
    # CO2: MEE/NBS 2023 fossil-power factor 0.8273 kg/kWh x 1.2e9 kWh = 992,760 t at every level (one row)
    # TSP: the standards' 烟尘 limit is total particulate, the same 30 / 10 mg/m3 as PM10 -> 108 / 36 t
    assert closed["standard"] == pytest.approx({"SO2": 720.0, "NOx": 360.0, "PM10": 108.0, "TSP": 108.0,
                                                "CO2": 992760.0})
    assert closed["ultra_low"] == closed[""] == pytest.approx({"SO2": 126.0, "NOx": 180.0, "PM10": 36.0,
                                                               "TSP": 36.0, "CO2": 992760.0})
    # the retrofit identity holds for power too: 720 - 126 = 594 t SO2; CO2 is one row on both sides: no rows
    assert totals(calc.run_measure("industrial_retrofit", {"sector": "coal_power", "output": "1.2 TWh/yr",
                                                           "from": "standard", "to": "ultra_low"}, period=YEAR)) == \
        pytest.approx({"SO2": 594.0, "NOx": 180.0, "PM10": 72.0, "TSP": 72.0})


@pytest.mark.parametrize(("sector", "output", "message"), [
    ("coal_power", "1.2 Mt/yr", r"the output of coal_power is electricity per year, not t/yr"),
    ("cement_clinker", "1.2 TWh/yr", r"the output of cement_clinker is a mass per year, not kWh/yr"),
    ("coal_power", "600 MW", r"'600 MW' is a power, not an output per year"),
])
def test_output_must_fit_the_sector(sector, output, message):
    with pytest.raises(ScenarioError, match=message):
        calc.staggered_production(sector=sector, output=output, days=10)


@pytest.mark.parametrize("sector", sorted(TABLE.subjects("production")))
def test_every_production_sector_is_complete_at_every_level(sector):
    # the missing-pollutant rule: a stop at the typical row or at any control level fails if a pollutant other
    # production rows give has no row; T/CSES E.1's printed zeros (e.g. 陶瓷 CO 0, BC 0) are rows, so they pass
    for level in ["", *levels(sector)]:
        got = stop(level, sector)
        assert set(got) == set(TABLE.pollutants("production")), (sector, level)


@pytest.mark.parametrize(("sector", "pollutants"), [
    ("carbon", ("BC",)),                    # E.1 石墨碳素: BC 0
    ("ceramics", ("CO", "BC")),             # E.1 陶瓷: CO 0, BC 0
    ("flat_glass", ("CO", "BC")),           # E.1 浮法平板玻璃: CO 0, BC 0
    ("foundry", ("VOCs", "CO", "BC")),      # E.1 铸造 有组织 + 无组织: CO 0, VOCs 0, BC 0
    ("pig_iron", ("VOCs",)),                # E.1 高炉 有组织 + 无组织: VOCs 0
])
def test_printed_zeros_of_the_source_are_zero_in_the_ledger(sector, pollutants):
    got = stop("", sector)
    for pollutant in pollutants:
        row = TABLE[f"production.{sector}.{pollutant}"]
        assert row.value == 0.0 and row.source == "tcses_144_2024" and got[pollutant] == 0.0


@pytest.mark.parametrize(("level", "head", "tail", "so2", "nox", "fugitive_pm10", "fugitive_pm25"), [
    # GB 28662-2012 Table 2: machine head PM 50, SO2 200, NOx 300; tail PM 30 mg/m3; fugitive with general control
    ("standard", 50, 30, 200, None, 0.209, 0.09),
    # 环大气〔2019〕35号: head PM 10, SO2 35, NOx 50; other main sources (tail) PM 10; high-efficiency fugitive control
    ("ultra_low", 10, 10, 35, 50, 0.14, 0.07),
])
def test_sinter_levels_reproduce_from_limit_times_volume(level, head, tail, so2, nox, fugitive_pm10, fugitive_pm25):
    # HJ 846-2017 基准排气量: machine head 2,830, machine tail 1,300 Nm3/t sinter; stack PM counted as PM10,
    # stack PM2.5 = PM10 x 0.84; fugitive (T/CSES E.1 烧结_无组织 PM2.5 0.1, PM10 0.24 g/kg x A.1 control):
    # general 0.1 x 0.9 = 0.09 and 0.09 + 0.14 x 0.85 = 0.209; high-efficiency 0.1 x 0.7 = 0.07, 0.07 + 0.14 x 0.5 = 0.14
    def ef(pollutant):
        return TABLE[f"production.sinter.{level}.{pollutant}"].value

    stack = (head * 2830 + tail * 1300) * 1e-6  # standard: 0.1415 + 0.039 = 0.1805 kg/t; ultra-low 0.0283 + 0.013
    assert ef("SO2") == pytest.approx(so2 * 2830e-6, rel=1e-5)
    # standard NOx: 300 x 2,830 = 0.849 kg/t is above the generation factor 0.55 (T/CSES E.1): the limit does not bind
    assert ef("NOx") == pytest.approx(0.55 if nox is None else nox * 2830e-6, rel=1e-5)
    assert ef("PM10") == pytest.approx(stack + fugitive_pm10, rel=1e-5)
    assert ef("PM2.5") == pytest.approx(stack * 0.84 + fugitive_pm25, rel=1e-5)
    assert TABLE["param.flue_gas.sinter"].value == 2830


def test_sinter_retrofit_to_ultra_low_by_hand():
    # 1 Mt/yr for 2021: SO2 (200 - 35) x 2,830 = 0.46695 kg/t -> 466.95 t; NOx 0.55 - 50 x 2,830e-6 = 0.4085 -> 408.5 t;
    # PM10 0.3895 - 0.1813 = 0.2082 -> 208.2 t; PM2.5 0.24162 - 0.104692 = 0.136928 -> 136.928 t
    got = totals(calc.run_measure("industrial_retrofit", {"sector": "sinter", "output": "1 Mt/yr", "from": "standard",
                                                          "to": "ultra_low"}, period=YEAR))
    assert got == pytest.approx({"SO2": 466.95, "NOx": 408.5, "PM10": 208.2, "PM2.5": 136.928})
    # the concentration route takes the table's flue gas for the machine head: (300 - 50) x 2,830 = 0.7075 kg/t
    got = totals(calc.run_measure("industrial_retrofit", {"sector": "sinter", "output": "1 Mt/yr",
                                                          "concentration_before": {"NOx": "300 mg/m^3"},
                                                          "concentration_after": {"NOx": "50 mg/m^3"}}, period=YEAR))
    assert got == pytest.approx({"NOx": 707.5})
    assert levels("sinter") == ["uncontrolled", "standard", "ultra_low"]


@pytest.mark.parametrize(("measure", "keys", "message"), [
    # coke has no control levels yet (SOURCES.md: the GB 16171 table and a coke-oven reference volume were not read)
    ("staggered_production", {"control": "ultra_low", "days": 10},
     r"control: the factor tables have no ultra_low rows for coke \(they have uncontrolled\): a missing level is not its "
     r"typical row \(give the plant's factors in the measure \(emission_factors"),
    ("industrial_retrofit", {"from": "standard", "to": "ultra_low"},
     r"from: the factor tables have no standard rows for coke"),
])
def test_a_missing_control_level_is_an_error_naming_what_to_give(measure, keys, message):
    with pytest.raises(ScenarioError, match=message):
        calc.run_measure(measure, {"sector": "coke", "output": "1 Mt/yr", **keys}, period=YEAR)
