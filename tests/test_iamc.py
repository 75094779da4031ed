"""iamc.csv: the summary's baselines and reductions, by measure type too, in the IAMC format pyam reads.

The conftest PLAN with the fixture factors: 甲县 NOx 40 t of 1000 t (the trucks), SO2 baseline 400 t with
no reduction; 乙县 NOx 100 t of 200 t (the kiln); TOTAL NOx 140 t of 1200 t, SO2 0 t of 400 t.
"""

import pandas as pd
import pytest

from reduccalc import load_scenario
from reduccalc.report.iamc import iamc_table
from tests.conftest import FIXTURE_FACTORS, PLAN, cli, plan


@pytest.fixture(autouse=True)
def fixture_factors(monkeypatch):
    monkeypatch.setenv("REDUCCALC_FACTORS_DIR", str(FIXTURE_FACTORS))


@pytest.fixture
def written(tmp_path, capsys):
    code, _, err = cli(capsys, "run", plan(tmp_path), "--out", tmp_path / "out")
    assert code == 0, err
    return tmp_path / "out" / "iamc.csv"


def test_iamc_csv_columns_and_numbers_by_hand(written):
    frame = pd.read_csv(written, encoding="utf-8-sig")
    assert list(frame.columns) == ["model", "scenario", "region", "variable", "unit", "2021"]  # the whole of 2021
    assert set(frame["model"]) == {"reduccalc"} and set(frame["scenario"]) == {"测试计划"}
    values = {(r[2], r[3]): (r[4], r[5]) for r in frame.itertuples(index=False)}
    assert values[("甲县", "Emissions|NOx")] == ("t NOx/yr", pytest.approx(1000.0))
    assert values[("甲县", "Emissions Reduction|NOx")] == ("t NOx/yr", pytest.approx(40.0))
    assert values[("甲县", "Emissions Reduction|NOx|vehicle_retirement")][1] == pytest.approx(40.0)
    assert values[("甲县", "Emissions Reduction|SO2")][1] == 0.0  # a baseline without a reduction: said, as 0
    assert values[("乙县", "Emissions Reduction|NOx|staggered_production")][1] == pytest.approx(100.0)
    assert values[("TOTAL", "Emissions|NOx")][1] == pytest.approx(1200.0)
    assert values[("TOTAL", "Emissions Reduction|NOx")][1] == pytest.approx(140.0)
    assert values[("TOTAL", "Emissions Reduction|NOx|vehicle_retirement")][1] == pytest.approx(40.0)
    # PM2.5 of the trucks: no county has a PM2.5 baseline, so not here (as not in the summary)
    assert not frame["variable"].str.contains("PM2.5").any()


def test_parts_by_measure_type_add_up_to_each_reduction(tmp_path, table):
    text = PLAN.replace("  乙县:", "      - {type: custom, activity: 5 t, emission_factors: {NOx: 1 t/t}}\n  乙县:")
    assert text != PLAN
    frame = iamc_table(load_scenario(plan(tmp_path, text), table=table).run())
    parts = frame[frame["variable"].str.count(r"\|") == 2].assign(
        variable=lambda f: f["variable"].str.rsplit("|", n=1).str[0])
    summed = parts.groupby(["region", "variable"])[2021].sum()
    whole = frame.set_index(["region", "variable"])[2021]
    assert summed.to_dict() == pytest.approx(whole[summed.index].to_dict())
    assert summed[("甲县", "Emissions Reduction|NOx")] == pytest.approx(45.0)  # 40 t trucks + 5 t custom


def test_a_period_other_than_a_calendar_year_is_a_time_column(tmp_path, table):
    text = PLAN.replace("period: {start: 2021-01-01, end: 2021-12-31}", "period: {start: 2020-11-15, end: 2021-03-15}")
    frame = iamc_table(load_scenario(plan(tmp_path, text), table=table).run())
    assert list(frame.columns)[-1] == "2020-11-15 00:00:00" and set(frame["unit"]) == {"t NOx", "t SO2"}


def test_pyam_reads_iamc_csv(written):
    pyam = pytest.importorskip("pyam")
    data = pyam.IamDataFrame(str(written), encoding="utf-8-sig")
    assert data.year == [2021] and set(data.region) == {"甲县", "乙县", "TOTAL"}
    assert data.filter(region="TOTAL", variable="Emissions Reduction|NOx").timeseries().iloc[0, 0] == \
        pytest.approx(140.0)
    assert data.check_aggregate("Emissions Reduction|NOx") is None  # the parts add up
