"""Scenarios: targets, TOTAL rows, shortfalls, over-removal and input errors."""

import math

import pandas as pd
import pytest

from reduccalc import ScenarioError, load_scenario
from tests.conftest import scenario_dict

TRUCKS = {"type": "vehicle_retirement", "count": 100, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}
# 100 trucks x 50,000 km x 8 g/km NOx = 40 t; PM2.5 0.2 g/km = 1 t


def two_counties(targets=None, county_targets=None):
    return {
        "name": "two", "period": {"start": "2021-01-01", "end": "2021-12-31"},
        **({"targets": targets} if targets else {}),
        "counties": {
            "甲县": {"baseline": {"NOx": "1000 t"}, "measures": [TRUCKS],
                     **({"targets": county_targets} if county_targets else {})},
            "乙县": {"baseline": {"NOx": "500 t", "SO2": "100 t"}, "measures": [{**TRUCKS, "count": 25}]},
        },
    }


def test_summary_rows_targets_and_total(table):
    res = load_scenario(two_counties({"NOx": "5%"}, {"NOx": "3%"}), table=table).run()
    s = res.summary().set_index(["county", "pollutant"])
    # 甲县: 40 t of 1000 t = 4 %, its own target 3 %: met
    assert s.loc[("甲县", "NOx"), "reduction_pct"] == pytest.approx(4.0)
    assert s.loc[("甲县", "NOx"), "target_pct"] == 3.0 and s.loc[("甲县", "NOx"), "met"]
    # 乙县: 10 t of 500 t = 2 %, scenario target 5 % needs 25 t: short by 15 t
    assert s.loc[("乙县", "NOx"), "shortfall_t"] == pytest.approx(15.0)
    assert not s.loc[("乙县", "NOx"), "met"]
    # SO2 has no target: NaN, NA, 0
    assert math.isnan(s.loc[("乙县", "SO2"), "target_pct"]) and s.loc[("乙县", "SO2"), "met"] is pd.NA
    assert s.loc[("乙县", "SO2"), "shortfall_t"] == 0
    # TOTAL NOx: 50 t of 1500 t = 3.33 % vs 5 %: short by 75 - 50 = 25 t
    assert s.loc[("TOTAL", "NOx"), "baseline_t"] == 1500.0
    assert s.loc[("TOTAL", "NOx"), "shortfall_t"] == pytest.approx(25.0)
    assert res.met is False
    assert list(res.summary().columns) == ["county", "pollutant", "baseline_t", "reduction_t", "reduction_pct",
                                           "target_pct", "met", "shortfall_t"]


def test_met_is_none_without_targets_and_true_when_all_hold(table):
    assert load_scenario(two_counties(), table=table).run().met is None
    assert load_scenario(two_counties({"NOx": "1%"}), table=table).run().met is True


def test_with_target_replaces_file_targets(table):
    sc = load_scenario(two_counties({"NOx": "5%"}, {"NOx": "3%"}), table=table)
    res = sc.with_target("2%").run()
    s = res.summary().set_index(["county", "pollutant"])
    assert set(s["target_pct"]) == {2.0}  # every pollutant with a baseline, county overrides replaced
    assert s.loc[("乙县", "NOx"), "met"]  # 10 t of 500 t = 2 %
    assert not s.loc[("乙县", "SO2"), "met"]  # nothing cuts SO2
    assert res.met is False
    only_nox = sc.with_target("2%", ["NOx"]).run()
    assert only_nox.met is True
    assert only_nox.summary()["target_pct"].notna().sum() == 3  # 甲县, 乙县, TOTAL NOx


def test_pollutant_filter_keeps_file_targets(table):
    res = load_scenario(two_counties({"NOx": "5%"}), table=table).with_target(None, ["SO2"]).run()
    assert res.met is None  # the file has no SO2 target


def test_reductions_one_row_per_county_measure_pollutant(table):
    res = load_scenario(two_counties(), table=table).run()
    red = res.reductions
    assert list(red.columns) == ["county", "measure", "type", "pollutant", "reduction_t", "upstream_t"]
    assert not red.duplicated(["county", "measure", "pollutant"]).any()
    assert red["reduction_t"].sum() == pytest.approx(res.ledger["reduction_t"].sum())


def test_pollutant_without_baseline_is_in_reductions_not_summary(table):
    res = load_scenario(scenario_dict([TRUCKS], baseline={"NOx": "1000 t"}), table=table).run()
    assert "PM2.5" in set(res.reductions["pollutant"])
    assert set(res.summary()["pollutant"]) == {"NOx"}


def test_over_removal_is_an_error_naming_county_and_pollutant(table):
    with pytest.raises(ScenarioError, match=r"counties\.甲县\.baseline\.NOx.*remove 40\.0 t of NOx, more than"):
        load_scenario(scenario_dict([TRUCKS], baseline={"NOx": "30 t"}), table=table).run()


@pytest.mark.parametrize(
    ("measure", "field", "message"),
    [
        ({**TRUCKS, "in_service": "2022-05-01"}, "in_service", "after the period ends"),
        ({**TRUCKS, "type": "vehicle_retirment"}, "type", "did you mean 'vehicle_retirement'"),
        ({**TRUCKS, "standard": "国八"}, "standard", "unknown vehicle emission standard"),
        ({"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr",
          "window": {"start": "2022-11-15", "end": "2023-03-15"}}, "window", "outside the period"),
        ({"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr",
          "window": {"start": "2021-11-15", "end": "2021-03-15"}}, "window", "ends .* before it starts"),
    ],
)
def test_measure_errors_name_field(table, measure, field, message):
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(scenario_dict([measure]), table=table)
    assert info.value.first.field.endswith(field)
    assert info.value.first.field.startswith("counties.甲县.measures[0]")


def test_in_service_before_the_period_means_the_whole_period(table):
    early = load_scenario(scenario_dict([{**TRUCKS, "in_service": "2019-10-31"}]), table=table).run()
    whole = load_scenario(scenario_dict([TRUCKS]), table=table).run()
    assert early.summary()["reduction_t"].tolist() == whole.summary()["reduction_t"].tolist()


def test_unknown_vehicle_class_found_at_run(table):
    sc = load_scenario(scenario_dict([{**TRUCKS, "vehicle": "heavy_duty_diesel_truk"}]), table=table)
    with pytest.raises(ScenarioError, match="did you mean 'heavy_duty_diesel_truck'"):
        sc.run()


def test_duplicate_ids_and_all_errors_at_once(table):
    data = scenario_dict([{**TRUCKS, "id": "a"}, {**TRUCKS, "id": "a"}, {**TRUCKS, "count": -1}],
                         targets={"NOx": 5})
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, table=table)
    text = str(info.value)
    assert "duplicate measure id 'a'" in text
    assert "negative" in text
    assert "write targets with a percent sign, e.g. '5%'" in text
    assert len(info.value.problems) == 3


def test_default_ids_are_type_and_number(table):
    res = load_scenario(scenario_dict([TRUCKS, TRUCKS]), table=table).run()
    assert list(res.reductions["measure"].unique()) == ["vehicle_retirement-1", "vehicle_retirement-2"]


def test_scenario_factor_file_overrides_table(table, tmp_path):
    local = tmp_path / "local.csv"
    local.write_text("id,category,subject,standard,quantity,value,unit\n"
                     "mine.nox,vehicle,heavy_duty_diesel_truck,China III,NOx,10,g/km\n", encoding="utf-8")
    data = scenario_dict([TRUCKS], factors=["local.csv"])
    res = load_scenario(data, base_dir=tmp_path, table=table).run()
    nox = res.ledger[res.ledger["pollutant"] == "NOx"]
    assert nox["factor_id"].tolist() == ["mine.nox"]
    assert res.reductions.query("pollutant == 'NOx'")["reduction_t"].sum() == pytest.approx(50.0)


def test_baseline_must_be_positive_mass(table):
    with pytest.raises(ScenarioError, match="must be positive"):
        load_scenario(scenario_dict([TRUCKS], baseline={"NOx": "0 t"}), table=table)
    with pytest.raises(ScenarioError, match="is a distance"):
        load_scenario(scenario_dict([TRUCKS], baseline={"NOx": "10 km"}), table=table)


def test_many_problems_are_all_kept_but_fifty_shown(table):
    data = scenario_dict([{**TRUCKS, "count": -1} for _ in range(120)])
    with pytest.raises(ScenarioError) as info:
        load_scenario(data, table=table)
    assert len(info.value.problems) == 120
    text = str(info.value)
    assert text.startswith("120 problems:") and text.endswith("... and 70 more")


def test_problems_found_in_translation_point_at_the_key(tmp_path, table):
    # measure starts on line 7; its vehicle (unknown) is on line 9, its inline NOx factor on line 12
    path = tmp_path / "plan.yaml"
    path.write_text("name: t\nperiod: {start: 2021-01-01, end: 2021-12-31}\ncounties:\n  甲县:\n"
                    "    baseline: {NOx: \"5000 t\"}\n    measures:\n"
                    "      - type: vehicle_retirement\n        count: 10\n        vehicle: heavy_truck\n"
                    "        standard: 国三\n      - type: custom\n        emission_factors: {NOx: \"2 g/km\"}\n"
                    "        activity: \"100 t\"\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, table=table).run()
    found = [(p.line, p.column, p.field) for p in info.value.problems]
    assert found == [(9, 18, "counties.甲县.measures[0].vehicle"),
                     (12, 33, "counties.甲县.measures[1].emission_factors.NOx")]
