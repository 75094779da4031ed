"""Invariants that must hold for any input (hypothesis)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reduccalc import calculators as calc
from reduccalc import load_scenario
from reduccalc.factors import load_table
from tests.conftest import FIXTURE_FACTORS, scenario_dict

TABLE = load_table(FIXTURE_FACTORS)
YEAR = ("2021-01-01", "2021-12-31")
counts = st.integers(min_value=0, max_value=10**6)
positive = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
fractions = st.floats(min_value=0, max_value=1)
dates = st.dates(min_value=__import__("datetime").date(2021, 1, 1), max_value=__import__("datetime").date(2021, 12, 31))


def totals(ledger):
    return ledger[ledger["counted"]].groupby("pollutant", observed=True)["reduction_t"].sum()


def measures():
    boiler = st.fixed_dictionaries({
        "type": st.just("boiler_phaseout"), "count": counts, "capacity": positive.map(lambda v: f"{v} MW"),
        "hours": positive.map(lambda v: f"{v} h"),
        "replacement": st.sampled_from(["none", "natural_gas", "electric", "district_heat"]),
    })
    households = st.fixed_dictionaries({
        "type": st.sampled_from(["coal_to_electric", "coal_to_gas"]), "households": counts,
        "reburn_rate": fractions, "in_service": dates.map(str),
    })
    trucks = st.fixed_dictionaries({
        "type": st.just("vehicle_retirement"), "count": counts, "vehicle": st.just("heavy_duty_diesel_truck"),
        "standard": st.just("China III"), "replaced_by": st.sampled_from(["none", "China VI"]),
    })
    production = st.fixed_dictionaries({
        "type": st.just("staggered_production"), "sector": st.just("cement_clinker"),
        "output": positive.map(lambda v: f"{v} kt/yr"), "curtailment": fractions,
        "days": st.integers(min_value=1, max_value=365),  # 0 days is refused: the measure would do nothing
    })
    return st.one_of(boiler, households, trucks, production)


@given(st.integers(min_value=0, max_value=10**5), st.integers(min_value=1, max_value=50))
def test_linear_in_households(households, k):
    one = totals(calc.coal_to_gas(households=households, table=TABLE, period=YEAR))
    many = totals(calc.coal_to_gas(households=households * k, table=TABLE, period=YEAR))
    for pollutant in one.index:
        assert many[pollutant] == pytest.approx(k * one[pollutant], rel=1e-9, abs=1e-9)


@given(counts, st.integers(min_value=1, max_value=50))
def test_linear_in_vehicle_count(count, k):
    keys = {"vehicle": "heavy_duty_diesel_truck", "standard": "国三", "replaced_by": "国六", "table": TABLE}
    one = totals(calc.vehicle_retirement(count=count, **keys))
    many = totals(calc.vehicle_retirement(count=count * k, **keys))
    assert (many - k * one).abs().max() <= 1e-9 * max(1.0, many.abs().max())


@given(positive, st.integers(min_value=1, max_value=20))
def test_linear_in_output(output, k):
    keys = {"sector": "cement_clinker", "days": 30, "table": TABLE, "period": YEAR}
    one = totals(calc.staggered_production(output=f"{output} t/yr", **keys))
    many = totals(calc.staggered_production(output=f"{output * k} t/yr", **keys))
    assert many["NOx"] == pytest.approx(k * one["NOx"], rel=1e-12)


@given(st.floats(min_value=0.1, max_value=100), counts, positive)
def test_same_answer_in_mw_and_steam_tonnes(steam, count, hours):
    # a boiler of `steam` t_steam/h is 0.7 x steam MW
    keys = {"count": count, "hours": f"{hours} h", "table": TABLE, "period": YEAR}
    in_steam = totals(calc.boiler_phaseout(capacity=f"{steam} t_steam/h", **keys))
    in_mw = totals(calc.boiler_phaseout(capacity=f"{0.7 * steam} MW", **keys))
    assert (in_steam - in_mw).abs().max() <= 1e-9 * max(1.0, in_steam.abs().max())


@given(positive)
def test_same_answer_in_mt_and_kt(output):
    keys = {"sector": "cement_clinker", "days": 45, "table": TABLE, "period": YEAR}
    a = totals(calc.staggered_production(output=f"{output} Mt/yr", **keys))
    b = totals(calc.staggered_production(output=f"{output * 1000} kt/yr", **keys))
    assert a["NOx"] == pytest.approx(b["NOx"], rel=1e-12)


@given(st.lists(measures(), min_size=1, max_size=6))
def test_additive_over_measures_and_ledger_sums_to_summary(items):
    baseline = {p: "1e30 t" for p in ("SO2", "NOx", "PM2.5", "PM10")}
    together = load_scenario(scenario_dict(items, baseline=baseline), table=TABLE).run()
    apart = [load_scenario(scenario_dict([m], baseline=baseline), table=TABLE).run() for m in items]
    summary = together.summary().set_index(["county", "pollutant"])["reduction_t"]
    for pollutant in ("SO2", "NOx", "PM2.5", "PM10"):
        separate = sum(r.summary().set_index(["county", "pollutant"])["reduction_t"][("甲县", pollutant)]
                       for r in apart)
        assert summary[("甲县", pollutant)] == pytest.approx(separate, rel=1e-9, abs=1e-9)
        ledger = together.ledger
        counted = ledger[(ledger["pollutant"] == pollutant) & ledger["counted"]]["reduction_t"].sum()
        assert summary[("甲县", pollutant)] == pytest.approx(counted, rel=1e-9, abs=1e-9)
        assert summary[("TOTAL", pollutant)] == summary[("甲县", pollutant)]


@given(counts, positive, positive, fractions, dates)
def test_pure_removal_is_never_negative(count, capacity, hours, removal, in_service):
    led = calc.boiler_phaseout(count=count, capacity=f"{capacity} MW", hours=f"{hours} h",
                               removal_efficiency={"SO2": removal}, in_service=str(in_service), table=TABLE,
                               period=YEAR)
    assert (led["reduction_t"] >= 0).all()


@given(st.permutations(["a", "b", "c"]))
def test_measure_order_does_not_matter(order):
    items = {
        "a": {"type": "vehicle_retirement", "count": 7, "vehicle": "heavy_duty_diesel_truck", "standard": "III"},
        "b": {"type": "coal_to_gas", "households": 300},
        "c": {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr", "days": 20},
    }
    res = load_scenario(scenario_dict([{**items[k], "id": k} for k in order]), table=TABLE).run()
    assert res.summary()["reduction_t"].round(9).tolist() == \
        load_scenario(scenario_dict([{**items[k], "id": k} for k in "abc"]), table=TABLE).run() \
        .summary()["reduction_t"].round(9).tolist()


@given(st.lists(st.tuples(st.sampled_from(["甲县", "乙县", "丙县"]), st.sampled_from(["m1", "m2", "m3"]),
                          st.sampled_from(["SO2", "NOx", "CO2"]), st.sampled_from(["local", "upstream"]),
                          st.booleans(), st.floats(min_value=-1e6, max_value=1e6)), min_size=1, max_size=60))
def test_fast_grouping_equals_pandas_groupby(rows):
    """The bincount aggregation of Result.reductions (grouped by seq and pollutant) against a plain groupby."""
    import pandas as pd

    from reduccalc.ledger import TEXT_COLUMNS, LedgerBuilder

    ledger = pd.DataFrame(rows, columns=["county", "measure", "pollutant", "scope", "counted", "reduction_t"])
    ledger["type"] = "custom"
    ledger["seq"] = pd.factorize(ledger["county"] + "/" + ledger["measure"])[0]  # one seq per measure
    builder = LedgerBuilder()
    for row in ledger.itertuples():  # one block a row: activity x factor = reduction_t
        builder.add_block(1, **{**dict.fromkeys(TEXT_COLUMNS, ""), "county": row.county, "measure": row.measure,
                                "type": "custom", "pollutant": row.pollutant, "scope": row.scope},
                          counted=row.counted, sign=1.0, activity=row.reduction_t, factor=1.0, adjust=1.0,
                          time_share=1.0, to_t=1.0, seq=row.seq)
    fast = builder.reductions().astype({"county": str, "measure": str, "pollutant": str})
    fast = fast.set_index(["county", "measure", "pollutant"]).sort_index()
    ledger["counted_t"] = ledger["reduction_t"].where(ledger["counted"], 0.0)
    ledger["upstream_t"] = ledger["reduction_t"].where(ledger["scope"] == "upstream", 0.0)
    plain = ledger.groupby(["county", "measure", "pollutant"])[["counted_t", "upstream_t"]].sum().sort_index()
    assert list(fast.index) == list(plain.index)
    assert fast["reduction_t"].to_numpy() == pytest.approx(plain["counted_t"].to_numpy(), abs=1e-6)
    assert fast["upstream_t"].to_numpy() == pytest.approx(plain["upstream_t"].to_numpy(), abs=1e-6)


@given(st.lists(measures(), min_size=1, max_size=6))
def test_iamc_reductions_are_the_summary_and_their_parts_add_up(items):
    from reduccalc.report.iamc import iamc_table

    baseline = {p: "1e30 t" for p in ("SO2", "NOx", "PM2.5")}
    result = load_scenario(scenario_dict(items, baseline=baseline), table=TABLE).run()
    frame = iamc_table(result).set_index(["region", "variable"])[2021]
    for row in result.summary().itertuples(index=False):
        whole = frame[(row.county, f"Emissions Reduction|{row.pollutant}")]
        assert whole == row.reduction_t and frame[(row.county, f"Emissions|{row.pollutant}")] == row.baseline_t
        parts = frame[[key for key in frame.index if key[0] == row.county
                       and key[1].startswith(f"Emissions Reduction|{row.pollutant}|")]]
        assert parts.sum() == pytest.approx(whole, rel=1e-9, abs=1e-9)
