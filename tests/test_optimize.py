"""Least-cost planning: hand-solvable optima, integers, TOTAL and baseline constraints, gaps, errors, CLI."""

import copy
import json
import math
import textwrap

import pytest

from reduccalc import ScenarioError, load_scenario
from reduccalc.optimize import PLAN_COLUMNS, TARGET_COLUMNS, optimize
from reduccalc.uncertainty import simulate
from tests.conftest import TRUCK, one_county, plan, run, trucks

# one truck: 50,000 km x 8 g/km = 0.4 t NOx (+ 0.01 t PM2.5); at 60,000 CNY: 150,000 CNY/t
CEMENT = {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr"}
# one day: 1e6 t/yr / 365 x 1 kg/t = 2.7397 t NOx; at 2 万元: 7,300 CNY/t


def cement(max="30 d", **extra):
    return {"id": "cement", "scale": "days", "max": max, "unit_cost": "2 万元", "measure": CEMENT, **extra}


def with_plan(data, plan):
    """The scenario with the plan's amounts added as measures."""
    data = copy.deepcopy(data)
    for row in plan.table.itertuples(index=False):
        county = data["counties"][row.county]
        candidate = next(c for c in county["candidates"] if c["id"] == row.candidate)
        amount = f"{row.amount!r} {row.unit}" if row.unit else row.amount
        county.setdefault("measures", []).append({**candidate["measure"], candidate["scale"]: amount,
                                                  "id": f"added-{row.candidate}"})
    return data


def amounts(plan):
    return dict(zip(plan.table["candidate"], plan.table["amount"]))


def test_two_candidates_one_target_hand_optimum(table):
    data = one_county([trucks(), cement()])
    result = optimize(load_scenario(data, table=table))
    # 100 t needed; cement is cheaper per tonne but gives at most 82.2 t in 30 days, so n trucks (whole) make up
    # the rest: cost = 60,000 n + 7,300 x (100 - 0.4 n) grows with n, least n = ceil(17.8 / 0.4) = 45
    assert result.feasible
    assert amounts(result)["trucks"] == 45.0
    assert amounts(result)["cement"] == pytest.approx((100 - 18) * 365 / 1000, rel=1e-6)
    assert result.cost == pytest.approx(45 * 60_000 + 7_300 * 82, rel=1e-6)
    assert list(result.table.columns[:4]) == PLAN_COLUMNS[:4]
    assert result.table.set_index("candidate").loc["cement", "NOx_cny_per_t"] == pytest.approx(7_300)
    assert load_scenario(with_plan(data, result), table=table).run().met is True


def test_cheapest_per_tonne_wins_when_it_suffices(table):
    result = optimize(load_scenario(one_county([trucks(), cement(max="365 d")]), table=table))
    assert amounts(result) == {"cement": pytest.approx(36.5, rel=1e-6)}
    assert result.cost == pytest.approx(730_000, rel=1e-6)
    assert "730,000 CNY" in result.report() and "7,300 CNY/t" in result.report()


def test_count_amounts_are_whole(table):
    # 10.2 t needed: 25.5 trucks in the relaxation, 26 in the plan
    result = optimize(load_scenario(one_county([trucks()], target="0.51%"), table=table))
    assert amounts(result) == {"trucks": 26.0}
    assert result.cost == 26 * 60_000


def test_quantity_scale_in_the_unit_of_max(table):
    plant = {"id": "plant", "scale": "output", "max": "2 Mt/yr", "unit_cost": "1000 万元",
             "measure": {"type": "staggered_production", "sector": "cement_clinker", "days": 36.5}}
    result = optimize(load_scenario(one_county([plant], target="2.5%"), table=table))
    # 1 Mt/yr for 36.5 days = 100 t NOx; 50 t needed: 0.5 Mt/yr at 1e7 CNY per Mt/yr
    row = result.table.iloc[0]
    assert row["unit"] == "Mt/yr" and row["amount"] == pytest.approx(0.5, rel=1e-6)
    assert result.cost == pytest.approx(5e6, rel=1e-6)


def test_custom_activity_scale(table):
    burner = {"id": "burner", "scale": "activity", "max": "8 kt", "unit_cost": "100 CNY",
              "measure": {"type": "custom", "emission_factors": {"NOx": "20 kg/t"}}}
    result = optimize(load_scenario(one_county([burner]), table=table))
    # 20 t NOx per kt; 100 t needed: 5 kt at 100 CNY per kt
    assert amounts(result) == {"burner": pytest.approx(5.0, rel=1e-6)} and result.cost == pytest.approx(500.0)


def test_total_target_binds_across_counties(table):
    data = {
        "name": "two", "period": {"start": "2021-01-01", "end": "2021-12-31"}, "targets": {"NOx": "5%"},
        "counties": {
            "甲县": {"baseline": {"NOx": "1000 t"}, "targets": {"NOx": "0%"}, "candidates": [trucks()]},
            "乙县": {"baseline": {"NOx": "1000 t"}, "targets": {"NOx": "0%"}, "candidates": [cement("365 d")]},
        },
    }
    result = optimize(load_scenario(data, table=table))
    # only TOTAL asks for anything (100 t): all of it from the cheaper county
    assert amounts(result) == {"cement": pytest.approx(36.5, rel=1e-6)}
    total = result.targets.set_index(["county", "pollutant"]).loc[("TOTAL", "NOx")]
    assert total["after_t"] == pytest.approx(100.0, rel=1e-6) and bool(total["met"])
    assert list(result.targets.columns) == TARGET_COLUMNS


def test_no_county_loses_more_than_its_baseline(table):
    data = {
        "name": "cap", "period": {"start": "2021-01-01", "end": "2021-12-31"}, "targets": {"NOx": "5%"},
        "counties": {
            "甲县": {"baseline": {"NOx": "50 t"}, "targets": {"NOx": "0%"}, "candidates": [cement("365 d")]},
            "乙县": {"baseline": {"NOx": "1950 t"}, "targets": {"NOx": "0%"}, "candidates": [trucks()]},
        },
    }
    result = optimize(load_scenario(data, table=table))
    # TOTAL needs 100 t; cement could give it all but 甲县 only emits 50 t: the other 50 t are 125 trucks
    assert amounts(result) == {"cement": pytest.approx(18.25, rel=1e-6), "trucks": 125.0}
    load_scenario(with_plan(data, result), table=table).run()  # no over-removal error


def test_infeasible_reports_the_gap_at_best(table):
    boilers = {"id": "boilers", "scale": "fuel_use", "max": "10 kt", "unit_cost": "1 CNY",
               "measure": {"type": "boiler_phaseout"}}  # 4 kg NOx per t of coal
    data = one_county([trucks(max=100), boilers], target="50%", baseline="1000 t")
    result = optimize(load_scenario(data, table=table))
    # everything: 100 trucks = 40 t and 10 kt of coal = 40 t of the 500 t needed: short by 420 t
    assert not result.feasible and math.isnan(result.cost)
    assert amounts(result) == {"trucks": 100.0, "boilers": 10.0}
    assert result.table.set_index("candidate").loc["boilers", "unit"] == "kt"
    short = result.targets.set_index("county").loc["甲县"]
    assert short["shortfall_t"] == pytest.approx(420.0) and not short["met"]
    assert "cannot meet every target" in result.report() and "short by 420.0 t" in result.report()


def test_best_effort_buys_nothing_that_does_not_help(table):
    so2_only = {"id": "stoves", "scale": "households", "max": 100, "unit_cost": "1 CNY",
                "measure": {"type": "coal_to_electric", "emission_factors": {"NOx": "0 g/kg"}}}
    data = one_county([trucks(max=10), so2_only], target="50%")
    data["counties"]["甲县"]["baseline"]["SO2"] = "1000 t"
    result = optimize(load_scenario(data, table=table))
    assert not result.feasible and amounts(result) == {"trucks": 10.0}


def test_nothing_to_add_when_targets_hold(table):
    trucks_now = {**TRUCK, "count": 300}  # 120 t of the 100 t needed
    result = optimize(load_scenario(one_county([trucks()], measures=[trucks_now]), table=table))
    assert result.feasible and result.cost == 0 and result.table.empty
    assert "nothing to add" in result.report()


def test_no_targets_nothing_to_add(table):
    data = one_county([trucks()])
    del data["targets"]
    result = optimize(load_scenario(data, table=table))
    assert result.feasible and result.table.empty and result.targets.empty
    assert "no targets" in result.report()


def test_no_candidates_and_a_shortfall_is_infeasible(table):
    result = optimize(load_scenario(one_county([]), table=table))
    assert not result.feasible and result.targets["shortfall_t"].tolist() == pytest.approx([100.0, 100.0])


def test_chance_constraint_holds_in_the_simulation(table):
    data = one_county([trucks(), cement()])
    scenario = load_scenario(data, table=table)
    central = optimize(scenario)
    chance = optimize(scenario, probability=0.9, draws=100, seed=1)
    assert chance.feasible and chance.cost > central.cost
    assert (chance.targets["p_met"] >= 0.9).all()
    sim = simulate(load_scenario(with_plan(data, chance), table=table), draws=100, seed=1)
    assert (sim.dropna(subset=["p_met"])["p_met"] >= 0.9).all()
    assert "in 90% of the factor draws" in chance.report()


def test_chance_constraint_out_of_reach_is_infeasible(table):
    data = one_county([trucks(max=250)], target="5%")  # 100 t needed, 250 trucks give 100 t at 8 g/km
    result = optimize(load_scenario(data, table=table), probability=0.95, draws=100, seed=1)
    assert not result.feasible and (result.targets["p_met"] < 0.95).all()


BAD = textwrap.dedent("""\
    name: bad
    period: {start: 2021-01-01, end: 2021-12-31}
    targets: {NOx: "5%"}
    counties:
      甲县:
        baseline: {NOx: "1000 t"}
        candidates:
          - {id: a, scale: cuont, max: 500, unit_cost: "60000 CNY", measure: {type: vehicle_retirement}}
          - {id: b, scale: count, max: "500 t", unit_cost: "60000 CNY", measure: {type: vehicle_retirement}}
          - {id: c, scale: count, max: 5, unit_cost: "60000 kg", mesure: {type: vehicle_retirement}}
          - {id: d, scale: count, max: 5, unit_cost: "1 CNY", measure: {type: vehicle_retirment}}
          - id: e
            scale: count
            max: 5
            unit_cost: "1 CNY"
            measure: {type: vehicle_retirement, count: 3, vehicle: heavy_duty_diesel_truck, standard: China III}
          - {id: f, scale: capacity, max: "30 t_steam/h", unit_cost: "1 CNY",
             measure: {type: boiler_phaseout, count: 1, hours: "2000 h"}}
          - {id: g, scale: count, max: 5, unit_cost: "1 CNY", measure: {type: boiler_phaseout, fuel_use: "1 kt"}}
    """)


def test_every_bad_candidate_is_reported_with_its_line(tmp_path, table):
    with pytest.raises(ScenarioError) as caught:
        optimize(load_scenario(plan(tmp_path, BAD), table=table))
    text = str(caught.value)
    assert len(caught.value.problems) == 9
    for expected in (":8:", "did you mean 'count'", ":9:", "'500 t' is not a count", ":10:",
                     "expected [currency]", "did you mean 'measure'", ":11:", "did you mean 'vehicle_retirement'",
                     ":16:", "leave 'count' out", ":18:", "not proportional to capacity", ":19:",
                     # 1 kt of fuel x the fixture's 10to35 SO2 5 kg/t per % S x 1 % S = 5 t, whatever the count
                     "SO2 5 t at one unit, 5 t at max (not 25 t)"):
        assert expected in text


@pytest.mark.parametrize("probability", [0, 1.5, "90%"])
def test_bad_probability(table, probability):
    with pytest.raises(ScenarioError, match="probability"):
        optimize(load_scenario(one_county([trucks()]), table=table), probability=probability)


CLI_PLAN = textwrap.dedent("""\
    name: cli
    period: {start: 2021-01-01, end: 2021-12-31}
    targets: {NOx: "TARGET"}
    counties:
      甲县:
        baseline: {NOx: "1000 t", SO2: "400 t"}
        measures:
          - {type: vehicle_retirement, count: 100, vehicle: heavy_duty_diesel_truck, standard: 国三}
        candidates:
          - id: more-trucks
            scale: count
            max: 500
            unit_cost: "60000 CNY"
            measure: {type: vehicle_retirement, vehicle: heavy_duty_diesel_truck, standard: China III,
                      annual_km: "50000 km/yr"}
    """)


@pytest.mark.parametrize(("target", "code"), [("5%", 0), ("50%", 1)])
def test_cli_optimize_json_and_exit_code(tmp_path, target, code):
    # 40 t removed of 1000 t: 5 % needs 10 t more = 25 trucks; 50 % needs 460 t, 500 trucks give 200 t
    out = run("optimize", plan(tmp_path, CLI_PLAN.replace("TARGET", target)), "--format", "json")
    assert out.returncode == code, out.stderr
    result = json.loads(out.stdout)
    assert result["feasible"] is (code == 0)
    assert [row["amount"] for row in result["plan"]] == ([25.0] if code == 0 else [500.0])
    assert result["cost"] == (25 * 60_000 if code == 0 else None)


def test_cli_optimize_bad_input_exits_2(tmp_path):
    out = run("optimize", plan(tmp_path, BAD), "--format", "json")
    assert out.returncode == 2 and "did you mean 'count'" in out.stderr
    assert out.stdout == "" and "Traceback" not in out.stderr


def two_counties(needed_a="100 t", needed_b="100 t", total="0%"):
    """Two counties of 2,000 t NOx with trucks; targets as tonnes needed (of 2,000 t) and a TOTAL target."""
    def pct(needed):
        return f"{float(needed.split()[0]) / 2000 * 100:g}%"
    return {
        "name": "two", "period": {"start": "2021-01-01", "end": "2021-12-31"}, "targets": {"NOx": total},
        "counties": {name: {"baseline": {"NOx": "2000 t"}, "targets": {"NOx": pct(needed)},
                            "candidates": [trucks(max=20000)]}
                     for name, needed in (("甲县", needed_a), ("乙县", needed_b))},
    }


def test_counties_without_a_coupling_total_are_solved_apart_with_the_same_optimum(table):
    # 甲县 needs 100 t = 250 trucks, 乙县 30 t = 75 trucks (0.4 t each); TOTAL 0 % asks nothing
    result = optimize(load_scenario(two_counties("100 t", "30 t"), table=table))
    assert result.table["amount"].tolist() == [250.0, 75.0]
    assert result.cost == (250 + 75) * 60_000 and result.gap == 0.0


def test_a_total_the_counties_imply_couples_nothing(table):
    # both 5 % (100 t each) and TOTAL 5 % (200 t): the county rows imply the TOTAL row
    result = optimize(load_scenario(two_counties(total="5%"), table=table))
    assert result.table["amount"].tolist() == [250.0, 250.0] and result.feasible


def test_large_fractional_counts_are_rounded_up_and_the_gap_said(table):
    # 1000.2 t needed = 2500.5 trucks: the relaxation's 2500.5 rounds up to 2501 (the whole optimum too); the
    # lower bound is 2500.5 x 60,000, so the plan is at most 0.5 / 2500.5 = 0.02 % above the least cost
    data = one_county([trucks(max=20000)], target="2.0004%", baseline="50000 t")
    result = optimize(load_scenario(data, table=table))
    assert amounts(result) == {"trucks": 2501.0}
    assert result.gap == pytest.approx(0.5 / 2500.5, rel=1e-4)  # the LP aims at the target less 1e-9 of it
    assert "at most 0.02% above the least cost" in result.report()
    assert load_scenario(with_plan(data, result), table=table).run().met is True


def test_small_fractional_counts_are_solved_exactly(table):
    # 17.8 t left after cement = 44.5 trucks: below 100, solved whole (45, see the hand optimum above), no gap
    result = optimize(load_scenario(one_county([trucks(), cement()]), table=table))
    assert amounts(result)["trucks"] == 45.0 and result.gap == 0.0


def test_counted_by_measure_sums_what_reductions_sums():
    # the optimiser's per-candidate effects (LedgerBuilder.counted_by_measure) are the reductions' numbers,
    # keyed by seq: the same rows in the same order
    import numpy as np

    scenario = load_scenario("scenarios/xinfu_2021.yaml")
    builder = scenario.ledger_builder()
    keyed, labelled = builder.counted_by_measure(), builder.reductions()
    assert keyed["pollutant"].astype(str).tolist() == labelled["pollutant"].astype(str).tolist()
    np.testing.assert_array_equal(keyed["reduction_t"].to_numpy(), labelled["reduction_t"].to_numpy())
    assert keyed["seq"].is_monotonic_increasing
    assert keyed["seq"].nunique() == len(labelled[["county", "measure"]].drop_duplicates())
