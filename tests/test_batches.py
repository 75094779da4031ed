"""The fast path against the straightforward one: a scenario's measures translated together, in batches
grouped by their shared keys, give exactly the ledger of each measure translated on its own (hypothesis)."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reduccalc import calculators as calc
from reduccalc import load_scenario
from reduccalc.factors import load_table
from tests.conftest import FIXTURE_FACTORS

TABLE = load_table(FIXTURE_FACTORS)
YEAR = ("2021-01-01", "2021-12-31")
TEXT = ["county", "measure", "type", "pollutant", "scope", "activity_unit", "factor_unit", "factor_id", "source",
        "adjust_note"]
NUMBERS = ["sign", "activity", "factor", "adjust", "time_share", "to_t", "reduction_t"]

small = st.integers(min_value=0, max_value=500)
amount = st.sampled_from([0.5, 1.0, 2.5, 40.0, 1200.0])
fraction = st.sampled_from([0.0, 0.05, 0.3, 1.0])
day = st.dates(min_value=dt.date(2020, 10, 1), max_value=dt.date(2021, 12, 31)).map(str)


def optional(strategy):
    return st.one_of(st.none(), strategy)


def factors(pollutants, unit):
    return optional(st.dictionaries(st.sampled_from(pollutants), amount.map(lambda v: f"{v} {unit}"),
                                    min_size=1, max_size=2))


def measure():
    boiler = st.fixed_dictionaries({"type": st.just("boiler_phaseout"), "count": small,
                                    "capacity": st.sampled_from(["4 t_steam/h", "20 t_steam/h", "40 t_steam/h"]),
                                    "hours": amount.map(lambda v: f"{v} h"),
                                    "removal_efficiency": optional(st.dictionaries(st.sampled_from(["SO2", "NOx"]),
                                                                                   fraction, min_size=1)),
                                    "emission_factors": factors(["SO2", "NOx", "PM2.5"], "kg/t")}, optional={
        "efficiency": st.sampled_from([0.6, 0.75]), "sulfur_content": st.sampled_from(["0.5%", "1.2%"]),
        "replacement": st.sampled_from(["none", "natural_gas", "electric", "district_heat"]), "in_service": day,
        "heating": st.booleans(), "count_upstream": st.booleans()})
    fuel_use = st.fixed_dictionaries({"type": st.just("boiler_phaseout"), "fuel_use": amount.map(lambda v: f"{v} t")},
                                     optional={"size_class": st.sampled_from(["le10", "gt35"]),
                                               "replacement": st.sampled_from(["none", "natural_gas"])})
    households = st.fixed_dictionaries({"type": st.sampled_from(["coal_to_electric", "coal_to_gas"]),
                                        "households": small}, optional={
        "reburn_rate": fraction, "in_service": day, "coal_per_household": st.sampled_from(["2 t", "3.5 t"]),
        "emission_factors": factors(["SO2", "PM2.5"], "kg/t"), "heater_efficiency": st.sampled_from([0.85, 0.95])})
    electric = st.fixed_dictionaries({"type": st.just("coal_to_electric"), "households": small}, optional={
        "heater": st.sampled_from(["heat_pump", "resistance"]), "electricity_per_household": st.just("3000 kWh"),
        "count_upstream": st.booleans()})
    trucks = st.fixed_dictionaries({"type": st.just("vehicle_retirement"), "count": small,
                                    "vehicle": st.just("heavy_duty_diesel_truck"),
                                    "standard": st.sampled_from(["China III", "国三"])}, optional={
        "replaced_by": st.sampled_from(["none", "China VI"]), "annual_km": st.just("30000 km/yr"),
        "replacement_rate": fraction, "in_service": day,
        "emission_factors": factors(["NOx", "PM2.5"], "g/km"),
        "replacement_emission_factors": factors(["NOx"], "g/km")})
    production = st.fixed_dictionaries({"type": st.just("staggered_production"), "sector": st.just("cement_clinker"),
                                        "output": amount.map(lambda v: f"{v} kt/yr"), "curtailment": fraction},
                                       optional={"days": st.integers(min_value=1, max_value=365),  # 0: refused
                                                 "emission_factors": factors(["NOx"], "kg/t")})
    window = st.fixed_dictionaries({"type": st.just("staggered_production"), "sector": st.just("cement_clinker"),
                                    "output": st.just("1 Mt/yr"),
                                    "window": st.just({"start": "2020-11-15", "end": "2021-03-15"})},
                                   optional={"in_service": day})
    custom = st.fixed_dictionaries({"type": st.just("custom"),
                                    "activity": st.sampled_from(["200 t", "300 t/yr", "1e4 m^3"]),
                                    "emission_factors": st.sampled_from([{"VOCs": "2 kg/t"}, {"NOx": "1 g/kg"}])},
                                   optional={"reduction": fraction, "in_service": day, "label": st.just("solvents")})
    livestock = st.fixed_dictionaries({"type": st.just("livestock_ammonia"), "animal": st.sampled_from(["pig", "生猪"]),
                                       "head": small, "reduction": fraction,
                                       "emission_factors": st.sampled_from([{"NH3": "7 kg/head/yr"},
                                                                            {"NH3": "2 kg/head/yr"}])},
                                      optional={"in_service": day})
    vocs = st.fixed_dictionaries({"type": st.just("vocs_treatment"), "capture": st.sampled_from([0.9, 0.5]),
                                  "removal": fraction},
                                 optional={"generated": st.sampled_from(["100 t/yr", "2.5 t/yr"]),
                                           "capture_before": st.sampled_from([0.3, 0.0]),
                                           "removal_before": fraction, "substitution": fraction, "in_service": day})
    nonroad = st.fixed_dictionaries({"type": st.just("nonroad_retirement"), "count": small,
                                     "machine": st.sampled_from(["excavator", "挖掘机", "loader"]),
                                     "stage": st.sampled_from(["China II", "国二", "China III"]),
                                     "power": st.sampled_from(["90 kW", "150 kW"]), "hours": st.just("1000 h/yr"),
                                     "load_factor": fraction,
                                     "emission_factors": st.sampled_from([{"NOx": "8 g/kWh"},
                                                                          {"NOx": "6 g/kWh", "PM2.5": "0.4 g/kWh"}])},
                                    optional={"in_service": day, "replaced_by": st.sampled_from(["none", "electric"]),
                                              "replacement_emission_factors": factors(["NOx"], "g/kWh")})

    retrofit = st.fixed_dictionaries({"type": st.just("industrial_retrofit"), "sector": st.just("cement_clinker"),
                                      "output": amount.map(lambda v: f"{v} kt/yr")}, optional={"in_service": day}).flatmap(
        lambda item: st.sampled_from([
            {**item, "emission_factors_before": {"NOx": "2 kg/t"}, "emission_factors_after": {"NOx": "0.5 kg/t"}},
            {**item, "concentration_before": {"NOx": "400 mg/m^3", "SO2": "200 mg/m^3"},
             "concentration_after": {"NOx": "50 mg/m^3", "SO2": "35 mg/m^3"}, "flue_gas": "2400 m^3/t"}]))
    return st.one_of(boiler, fuel_use, households, electric, trucks, production, window, custom, livestock, vocs,
                     nonroad, retrofit)


def fits(item):
    """Keep draws that are valid scenarios: custom factors per mass don't fit an activity in m^3, VOCs
    treatment needs what is generated."""
    if item["type"] == "vocs_treatment":
        return "generated" in item
    return not (item["type"] == "custom" and "m^3" in item["activity"])


def twin(item, k):
    """The same measure with other numbers: same group in a batch, different values per row."""
    changed = dict(item)
    for key in ("emission_factors", "replacement_emission_factors", "emission_factors_before", "emission_factors_after",
                "concentration_before", "concentration_after"):
        if changed.get(key):
            changed[key] = {p: f"{float(v.split()[0]) * k} {v.split()[1]}" for p, v in changed[key].items()}
    for key in ("count", "households", "head"):
        if key in changed:
            changed[key] += int(k)
    if changed.get("removal_efficiency"):
        changed["removal_efficiency"] = {p: v / k for p, v in changed["removal_efficiency"].items()}
    return changed


def alone(county, measure_id, item):
    keys = {k: v for k, v in item.items() if k != "type" and v is not None}
    return calc.run_measure(item["type"], keys, period=YEAR, table=TABLE, county=county, measure=measure_id)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["甲县", "乙县"]), measure().filter(fits)), min_size=1, max_size=8),
       st.sampled_from([2, 3, 7]), st.randoms(use_true_random=False))
def test_batched_translation_equals_one_measure_at_a_time(drawn, k, random):
    items = drawn + [(county, twin(item, k)) for county, item in drawn]
    random.shuffle(items)
    counties: dict[str, list] = {}
    for county, item in items:
        counties.setdefault(county, []).append({k: v for k, v in item.items() if v is not None})
    data = {"name": "batches", "period": {"start": YEAR[0], "end": YEAR[1]},
            "counties": {c: {"baseline": {"SO2": "1e9 t"}, "measures": m} for c, m in counties.items()}}
    batched = load_scenario(data, table=TABLE).run().ledger
    pieces = []
    for county, measures in counties.items():
        numbers: dict[str, int] = {}
        for item in measures:
            numbers[item["type"]] = numbers.get(item["type"], 0) + 1
            pieces.append(alone(county, f"{item['type']}-{numbers[item['type']]}", item))
    one_by_one = pd.concat(pieces, ignore_index=True)
    assert len(batched) == len(one_by_one)
    for column in TEXT:
        assert batched[column].astype(str).tolist() == one_by_one[column].astype(str).tolist(), column
    assert batched["counted"].tolist() == one_by_one["counted"].tolist()
    for column in NUMBERS:
        np.testing.assert_allclose(batched[column].to_numpy(), one_by_one[column].to_numpy(), rtol=1e-12,
                                   atol=0, err_msg=column)


def test_counted_by_measure_sums_what_reductions_sums():
    # the optimiser's per-candidate effects (LedgerBuilder.counted_by_measure) are the reductions' numbers,
    # keyed by seq: the same rows in the same order
    scenario = load_scenario("scenarios/xinfu_2021.yaml")
    builder = scenario.ledger_builder()
    keyed, labelled = builder.counted_by_measure(), builder.reductions()
    assert keyed["pollutant"].astype(str).tolist() == labelled["pollutant"].astype(str).tolist()
    np.testing.assert_array_equal(keyed["reduction_t"].to_numpy(), labelled["reduction_t"].to_numpy())
    assert keyed["seq"].is_monotonic_increasing
    assert keyed["seq"].nunique() == len(labelled[["county", "measure"]].drop_duplicates())
