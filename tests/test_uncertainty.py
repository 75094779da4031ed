"""Monte Carlo and sensitivity: distributions, reproducibility, engines, hand-checked spreads."""

import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reduccalc import ScenarioError, load_scenario
from reduccalc.uncertainty import (
    SIMULATE_COLUMNS,
    STREAM_BLOCK,
    Z95,
    entropy_of,
    factor_space,
    scenario_model,
    sensitivity,
    simulate,
)
from tests.conftest import plan, run, scenario_dict

TRUCKS = {"type": "vehicle_retirement", "count": 100, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}
# NOx: 100 x 50,000 km x f g/km = 5 f t, f ~ uniform(4, 12) around the table's 8 g/km
HOUSES = {"type": "coal_to_gas", "households": 1000}
# SO2: 1000 x 2 t coal x f g/kg = 2 f t, f ~ lognormal95(5, 20), median 10 g/kg
BOILERS = {"type": "boiler_phaseout", "fuel_use": "10000 t"}
# NOx: 10,000 t x f kg/t = 10 f t, f ~ uniform(3, 5) around the table's 4 kg/t


@pytest.fixture(scope="module")
def mixed(table):
    """Two counties, uncertain and fixed factors, targets met and unmet."""
    data = {
        "name": "mixed", "period": {"start": "2021-01-01", "end": "2021-12-31"},
        "targets": {"NOx": "2%", "SO2": "1%"},
        "counties": {
            "甲县": {"baseline": {"SO2": "1000 t", "NOx": "2000 t", "PM2.5": "500 t"}, "measures": [TRUCKS, HOUSES]},
            "乙县": {"baseline": {"NOx": "1500 t"}, "targets": {"NOx": "3%"}, "measures": [BOILERS, TRUCKS]},
        },
    }
    return load_scenario(data, table=table)


def rows(frame):
    return frame.set_index(["county", "pollutant"])


def test_columns_and_rows_follow_the_summary(mixed):
    sim = simulate(mixed, draws=300, seed=1)
    summary = mixed.run().summary()
    assert list(sim.columns) == SIMULATE_COLUMNS
    assert list(zip(sim["county"], sim["pollutant"])) == list(zip(summary["county"], summary["pollutant"]))
    with_target = summary["target_pct"].notna().to_numpy()
    assert sim["p_met"].isna().to_numpy().tolist() == (~with_target).tolist()
    assert ((sim["reduction_p5"] <= sim["reduction_p50"]) & (sim["reduction_p50"] <= sim["reduction_p95"])).all()
    assert np.allclose(sim["pct_p50"], 100 * sim["reduction_p50"] / summary["baseline_t"])


def test_zero_width_ranges_give_the_deterministic_run(table, mixed):
    fixed = table.with_rows([replace(row, low=row.value, high=row.value) for row in table.rows.values()
                             if row.has_range])
    scenario = replace(mixed, table=fixed)
    sim, summary = rows(simulate(scenario, draws=50, seed=3)), rows(scenario.run().summary())
    for level in ("p5", "p50", "p95"):
        assert np.allclose(sim[f"reduction_{level}"], summary["reduction_t"], rtol=1e-12, atol=0)
    met = summary["met"].dropna().astype(float)
    assert (sim.loc[met.index, "p_met"] == met).all()


def test_linear_model_at_table_values_is_the_run(mixed):
    parts = scenario_model(mixed)
    central = parts.model.at(parts.space.mode[:, None])[:, 0]
    assert np.allclose(central, parts.groups.frame["reduction_t"], rtol=1e-12)
    assert parts.space.ids == ("t.boiler.NOx", "t.hdt.III.NOx", "t.hh.coal.PM25", "t.hh.coal.SO2")


def test_percentiles_match_the_distributions(mixed):
    sim = rows(simulate(mixed, draws=20_000, seed=7))
    # 乙县 NOx = trucks 5 x U(4, 12) + boilers 10 x U(3, 5); P50 of the sum of two symmetric terms = its mean
    assert sim.loc[("乙县", "NOx"), "reduction_p50"] == pytest.approx(5 * 8 + 10 * 4, rel=0.01)
    # 甲县 NOx comes from the trucks alone (gas heaters add a fixed 4.1 t), so its quantiles are U(4, 12)'s
    gas = rows(mixed.run().summary()).loc[("甲县", "NOx"), "reduction_t"] - 40.0
    for level, share in (("p5", 0.05), ("p95", 0.95)):
        assert sim.loc[("甲县", "NOx"), f"reduction_{level}"] == pytest.approx(5 * (4 + 8 * share) + gas, abs=0.3)
    # 甲县 SO2 = 2 x lognormal95(5, 20): P5 = 2 x exp(mu - 1.645 sigma)
    mu, sigma = math.log(10.0), math.log(4.0) / (2 * Z95)
    assert sim.loc[("甲县", "SO2"), "reduction_p5"] == pytest.approx(2 * math.exp(mu - 1.6449 * sigma), rel=0.02)
    assert sim.loc[("甲县", "SO2"), "reduction_p50"] == pytest.approx(20.0, rel=0.02)


@pytest.mark.parametrize(("distribution", "low", "high", "mean"), [
    ("uniform", 4.0, 12.0, 8.0),
    ("triangular", 2.0, 14.0, (2.0 + 8.0 + 14.0) / 3),
    ("lognormal95", 5.0, 20.0, math.exp(math.log(10.0) + (math.log(4.0) / (2 * Z95)) ** 2 / 2)),
    ("normal95", 4.0, 12.0, 8.0),
    # truncated at 0: the mean rises above the midpoint 0.5
    ("normal95", -1.0, 2.0, stats.truncnorm(-0.5 / (1.5 / Z95), np.inf, loc=0.5, scale=1.5 / Z95).mean()),
])
def test_mean_of_draws_converges_to_the_analytic_mean(table, distribution, low, high, mean):
    row = replace(table.rows["t.hdt.III.NOx"], id="x", low=low, high=high, distribution=distribution,
                  value=min(max(8.0, low), high))
    space = factor_space(table.with_rows([row]), ["x"])
    draws = space.draws(entropy_of(11), 40_000)[0]
    assert (draws >= 0).all()
    if distribution in ("uniform", "triangular"):
        assert low <= draws.min() and draws.max() <= high
    assert draws.mean() == pytest.approx(mean, abs=4 * draws.std() / math.sqrt(len(draws)))


def test_same_seed_same_numbers_whatever_the_chunking(mixed):
    first = simulate(mixed, draws=STREAM_BLOCK + 500, seed=5)
    pd.testing.assert_frame_equal(first, simulate(mixed, draws=STREAM_BLOCK + 500, seed=5), check_exact=True)
    one_group_per_slice = simulate(mixed, draws=STREAM_BLOCK + 500, seed=5, chunk_bytes=1)
    pd.testing.assert_frame_equal(first, one_group_per_slice, check_exact=True)
    assert not first.equals(simulate(mixed, draws=STREAM_BLOCK + 500, seed=6))


def test_a_factor_draws_depend_only_on_seed_and_id(table, mixed):
    space = scenario_model(mixed).space
    entropy = entropy_of(2)
    # fewer draws are a prefix of more, across a stream block boundary
    assert np.array_equal(space.draws(entropy, 5000)[:, :4500], space.draws(entropy, 4500))
    # a scenario with fewer factors draws the same numbers for the ones it has
    trucks_only = factor_space(table, ["t.hdt.III.NOx"])
    column = space.ids.index("t.hdt.III.NOx")
    assert np.array_equal(trucks_only.draws(entropy, 100)[0], space.draws(entropy, 100)[column])


def test_common_random_numbers_across_variants(table):
    base = scenario_dict([TRUCKS], baseline={"NOx": "2000 t"})
    more = scenario_dict([TRUCKS, HOUSES], baseline={"NOx": "2000 t"})
    a = simulate(load_scenario(base, table=table), draws=500, seed=1)
    b = simulate(load_scenario(more, table=table), draws=500, seed=1)
    gas_nox = load_scenario(more, table=table).run().summary()["reduction_t"].iloc[0] - 40.0
    assert np.allclose(b["reduction_p50"], a["reduction_p50"] + gas_nox)


def test_dask_engine_equals_numpy(mixed):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = simulate(mixed, draws=3000, seed=4, engine="dask", scheduler=cluster.scheduler_address,
                        chunk_bytes=3000 * 24 * 2)
    pd.testing.assert_frame_equal(dask, simulate(mixed, draws=3000, seed=4), check_exact=True)


def test_sensitivity_picks_the_factor_that_drives_the_spread(table):
    scenario = load_scenario(scenario_dict([TRUCKS, BOILERS], baseline={"NOx": "2000 t"}), table=table)
    shares = sensitivity(scenario, draws=4000, seed=1)
    county = shares[shares["county"] == "甲县"]
    # var: trucks 5^2 x 8^2/12 = 133.3, boilers 10^2 x 2^2/12 = 33.3: shares 0.8 and 0.2
    assert county["factor_id"].tolist() == ["t.hdt.III.NOx", "t.boiler.NOx"]
    assert county["share"].tolist() == pytest.approx([0.8, 0.2], abs=0.02)
    assert shares.groupby(["county", "pollutant"])["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert list(shares.columns) == ["county", "pollutant", "factor_id", "share", "source"]
    assert (shares["source"] != "").all()


def test_sensitivity_of_one_county(mixed):
    shares = sensitivity(mixed, draws=500, seed=1, county="乙县")
    assert set(shares["county"]) == {"乙县"}
    assert shares.groupby("pollutant")["share"].sum().tolist() == pytest.approx([1.0])
    with pytest.raises(ScenarioError, match="did you mean '乙县'"):
        sensitivity(mixed, county="乙")


@pytest.mark.parametrize(("options", "message"), [
    ({"draws": 0}, "draws: must be a whole number >= 1"),
    ({"draws": 2.5}, "draws: must be a whole number"),
    ({"seed": -1}, "seed: must be a whole number >= 0"),
    ({"engine": "dusk"}, "did you mean 'dask'"),
])
def test_bad_options(mixed, options, message):
    with pytest.raises(ScenarioError, match=message):
        simulate(mixed, **{"draws": 10, **options})


def test_lognormal_range_from_zero_is_an_error(table, mixed):
    row = replace(table.rows["t.hdt.III.NOx"], low=0.0, distribution="lognormal95")
    with pytest.raises(ScenarioError, match="fixture.csv:.*lognormal95 range needs low > 0"):
        simulate(replace(mixed, table=table.with_rows([row])), draws=10)


def test_cli_uncertainty_json_is_reproducible(tmp_path):
    path = plan(tmp_path)
    out = run("uncertainty", path, "--draws", 200, "--seed", 1, "--format", "json")
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    assert [list(r) for r in records] == [SIMULATE_COLUMNS] * len(records)
    assert {(r["county"], r["pollutant"]) for r in records} >= {("甲县", "NOx"), ("TOTAL", "NOx")}
    assert out.stdout == run("uncertainty", path, "--draws", 200, "--seed", 1, "--format", "json").stdout
    bad = run("uncertainty", path, "--draws", 0)
    assert bad.returncode == 2 and "draws" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_explain_sensitivity(tmp_path):
    out = run("explain", plan(tmp_path), "--sensitivity", "--draws", 200)
    assert out.returncode == 0, out.stderr
    assert "t.hdt.III.NOx" in out.stdout.split("sensitivity")[-1]

