"""TSP (颗粒物, 烟粉尘): total particulate as statistics report it, beside PM10 and PM2.5, never mixed up."""

from pathlib import Path

import pytest
import yaml

from reduccalc import ScenarioError, load_scenario
from reduccalc.factors import load_table
from reduccalc.vocabulary import pollutant
from tests.conftest import scenario_dict

REPO = Path(__file__).resolve().parents[1]
SHIPPED = load_table()

TRUCKS = {"type": "vehicle_retirement", "id": "trucks", "count": 100, "vehicle": "heavy_duty_diesel_truck",
          "standard": "国三", "annual_km": "50000 km/yr"}
KILN = {"type": "staggered_production", "id": "kiln", "sector": "cement_clinker", "output": "1 Mt/yr", "days": 36.5}


@pytest.mark.parametrize("name", ["TSP", "tsp", "颗粒物", "烟粉尘", "总悬浮颗粒物"])
def test_total_particulate_names(name):
    assert pollutant(name) == "TSP"


@pytest.mark.parametrize("name", ["烟尘", "粉尘", "PM", "dust"])
def test_a_part_or_an_unsized_particulate_is_refused_with_the_choices(name):
    with pytest.raises(ScenarioError) as info:
        pollutant(name)
    assert "TSP" in info.value.first.hint and "PM10" in info.value.first.hint


def test_a_tsp_target_counts_the_tsp_factors(table):
    # 100 trucks x 50,000 km x 0.2 g/km = 1 t TSP of 500 t = 0.2 %, against a 5 % target: short by 24 t
    trucks = {**TRUCKS, "emission_factors": {"TSP": "0.2 g/km"}}
    data = scenario_dict([trucks], baseline={"颗粒物": "500 t", "PM10": "300 t"}, targets={"TSP": "5%"})
    summary = load_scenario(data, table=table).run().summary().set_index(["county", "pollutant"])
    row = summary.loc[("甲县", "TSP")]
    assert row.reduction_t == pytest.approx(1.0) and row.shortfall_t == pytest.approx(24.0) and not row.met
    assert summary.loc[("甲县", "PM10"), "baseline_t"] == 300  # a row of its own, never summed with TSP


def test_a_tsp_baseline_refuses_measures_without_a_tsp_factor(table):
    # the kiln changes PM10 and PM2.5 but the fixture tables give cement no TSP: its TSP total would leave it out
    data = scenario_dict([KILN, {**TRUCKS, "emission_factors": {"TSP": "0.2 g/km"}}],
                         baseline={"TSP": "500 t", "PM10": "300 t"})
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, table=table).run()
    problem = info.value.first
    assert problem.field == "counties.甲县.baseline.TSP" and "(kiln)" in problem.message
    assert "trucks" not in problem.message and "emission_factors" in problem.hint


def test_without_a_tsp_baseline_no_tsp_factor_is_asked(table):
    data = scenario_dict([KILN], baseline={"PM10": "300 t"})
    assert load_scenario(data, table=table).run().summary()["pollutant"].tolist() == ["PM10", "PM10"]  # 甲县, TOTAL


# ---------------------------------------------------------------- the shipped tables' TSP rows

@pytest.mark.parametrize(("level", "limit"), [("standard", 30), ("special_limit", 20), ("ultra_low", 10), ("", 10)])
def test_coal_power_tsp_is_the_particulate_limit_times_flue_gas(level, limit):
    # GB 13223-2011 / the 2015 ultra-low plan limit 烟尘 (total particulate): limit mg/m3 x 3.0 Nm3/kWh x 1e-3 g/mg
    # = 0.09 / 0.06 / 0.03 g/kWh; the PM10 row carries the same number (it assumes all of it is below 10 um)
    name = f"power.coal_power.{level}." if level else "power.coal_power."
    tsp = SHIPPED[name + "TSP"]
    assert tsp.value == pytest.approx(limit * 3.0e-3) and tsp.unit == "g/kWh" and tsp.judged
    assert tsp.value == SHIPPED[name + "PM10"].value


def test_a_coal_unit_closed_counts_its_tsp_against_a_tsp_baseline():
    # 1.2 TWh/yr = 1.2e9 kWh closed for 2021 at ultra-low (the default): 0.03 g/kWh x 1.2e9 kWh = 36 t TSP
    # of a 颗粒物 baseline of 3,600 t = 1.0 %; a 2 % target is short by 72 - 36 = 36 t
    unit = {"type": "staggered_production", "id": "unit-3", "sector": "coal_power", "output": "1.2 TWh/yr",
            "curtailment": 1}
    data = scenario_dict([unit], baseline={"颗粒物": "3600 t", "PM10": "3600 t"}, targets={"TSP": "2%"})
    summary = load_scenario(data, table=SHIPPED).run().summary().set_index(["county", "pollutant"])
    row = summary.loc[("甲县", "TSP")]
    assert row.reduction_t == pytest.approx(36.0) and row.reduction_pct == pytest.approx(1.0)
    assert row.shortfall_t == pytest.approx(36.0) and not row.met


def test_a_retrofit_of_a_coal_unit_lowers_its_tsp():
    # GB 13223 existing unit 30 -> ultra-low 10 mg/m3: (0.09 - 0.03) g/kWh x 1.2e9 kWh = 72 t TSP, as PM10
    works = {"type": "industrial_retrofit", "id": "ule", "sector": "coal_power", "output": "1.2 TWh/yr",
             "from": "standard", "to": "ultra_low"}
    data = scenario_dict([works], baseline={"TSP": "1000 t"})
    summary = load_scenario(data, table=SHIPPED).run().summary().set_index(["county", "pollutant"])
    assert summary.loc[("甲县", "TSP"), "reduction_t"] == pytest.approx(72.0)


def test_a_shipped_plan_given_a_tsp_baseline_names_the_measures_the_tables_give_no_tsp():
    # Shangqiu 2024: the clean-heating conversion (raw coal, EMEP TSP row) has TSP, the brick-line exits do not
    # (T/CSES gives PM10 and PM2.5 only, factors/SOURCES.md, TSP): the brick measure is named, the other is not
    data = yaml.safe_load((REPO / "scenarios" / "shangqiu_2024.yaml").read_text(encoding="utf-8"))
    data["counties"]["商丘市"]["baseline"]["颗粒物"] = "80000 t"
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, table=SHIPPED).run()
    problem = info.value.first
    assert problem.field == "counties.商丘市.baseline.TSP"
    assert "(brick-lines-exit)" in problem.message and "rural-clean-heating-2024" not in problem.message


def test_household_coal_tsp_is_emep_tier1_per_kg():
    # EMEP/EEA 1.A.4.b.i Table 3-3: TSP 444 g/GJ x 20.93 MJ/kg = 9.29 g/kg, above PM10 404 g/GJ -> 8.46 g/kg
    row = SHIPPED["household.raw_bituminous_coal.traditional_stove.TSP"]
    assert row.value == pytest.approx(444 * 0.02093, abs=0.005) and row.unit == "g/kg"
    assert row.value > SHIPPED["household.raw_bituminous_coal.traditional_stove.PM10"].value
    # straw in household stoves: Wei et al. 2014 measured total PM 9.1 g/kg, read as TSP (= the PM10 row)
    assert SHIPPED["household.biomass.traditional_stove.TSP"].value == 9.1


def test_coal_to_electric_counts_tsp_against_a_tsp_baseline():
    # 1,000 households x 3 t raw coal for 2021 (a whole year counts one season) = 3,000 t x 9.29 g/kg = 27.87 t TSP;
    # of a 颗粒物 baseline of 2,787 t that is 1.0 %
    heating = {"type": "coal_to_electric", "id": "heat", "households": 1000, "coal_per_household": "3 t"}
    data = scenario_dict([heating], baseline={"烟粉尘": "2787 t", "PM10": "3000 t"})
    summary = load_scenario(data, table=SHIPPED).run().summary().set_index(["county", "pollutant"])
    assert summary.loc[("甲县", "TSP"), "reduction_t"] == pytest.approx(27.87)
    assert summary.loc[("甲县", "TSP"), "reduction_pct"] == pytest.approx(1.0)
