"""TSP (颗粒物, 烟粉尘): total particulate as statistics report it, beside PM10 and PM2.5, never mixed up."""

import pytest

from reduccalc import ScenarioError, load_scenario
from reduccalc.vocabulary import pollutant
from tests.conftest import scenario_dict

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
