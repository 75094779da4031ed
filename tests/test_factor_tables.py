"""The shipped factor tables: every row parses, is cited, in range, of the right dimension."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reduccalc.factors import factors_dir, load_table
from reduccalc.units import unit_of
from reduccalc.vocabulary import POLLUTANTS, STANDARDS

TABLE = load_table(factors_dir())
ROWS = list(TABLE.rows.values())
REPO = Path(__file__).resolve().parent.parent

EF_DIMENSION = {  # activity each category's factors are per
    "household": "t", "boiler": "t", "production": "t", "gas": "m^3", "electricity": "kWh", "power": "kWh",
    "district_heat": "GJ", "vehicle": "km", "livestock": "head*yr",
}
PARAMETER_DIMENSION = {
    "coal_per_household": "t", "annual_km": "km/yr", "efficiency": "dimensionless",
    "heat_pump_cop": "dimensionless", "sulfur_content": "percent", "ash_content": "percent",
}


def test_enough_rows_and_sources():
    assert len(ROWS) >= 80
    assert len(TABLE.sources) >= 20


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_row_is_cited_in_range_and_dimensioned(row):
    assert row.source in TABLE.sources, f"{row.id}: source {row.source!r} not in sources.csv"
    assert TABLE.sources[row.source].citation
    assert row.reference or row.note, f"{row.id}: no table/section and no note"
    if row.low is not None:
        assert row.low <= row.value
    if row.high is not None:
        assert row.value <= row.high
    if row.judged:
        assert row.note, f"{row.id} is judged but says nothing of how"
    if row.kind == "emission_factor":
        assert row.quantity in POLLUTANTS
        activity = EF_DIMENSION[row.category]
        product = unit_of(f"({activity}) * ({row.unit})")
        assert product.dimensionality == unit_of("t").dimensionality, f"{row.id}: {row.unit} per {activity}"
        assert row.control, f"{row.id}: the control assumed must be named"
        if row.category == "vehicle":
            assert row.standard in STANDARDS
    elif row.quantity in PARAMETER_DIMENSION:
        assert unit_of(row.unit).dimensionality == unit_of(PARAMETER_DIMENSION[row.quantity]).dimensionality


def test_required_coverage():
    for fuel in ("raw_bituminous_coal", "anthracite", "briquette", "biomass"):
        assert TABLE.emission_factors("household", fuel, technology="traditional_stove"), fuel
    for klass in ("le10", "10to35", "gt35"):
        assert set(TABLE.emission_factors("boiler", "bituminous_coal", technology=klass)) >= {"SO2", "NOx", "PM2.5"}
    for vehicle in ("heavy_duty_diesel_truck", "medium_duty_diesel_truck", "light_duty_diesel_truck", "diesel_bus",
                    "gasoline_car"):
        for standard in STANDARDS:
            assert "NOx" in TABLE.emission_factors("vehicle", vehicle, standard=standard), (vehicle, standard)
    for sector in ("cement_clinker", "brick", "coke", "sinter", "lime", "flat_glass", "foundry", "carbon"):
        assert TABLE.emission_factors("production", sector), sector
    assert TABLE.emission_factors("electricity", "grid", region="hebei")["CO2"].region == "hebei"
    assert sum(TABLE.heating_profile("hebei").shares) == pytest.approx(1.0, abs=1e-4)


def test_production_defaults_are_after_control():
    # a default (no technology) must never be the uncontrolled generation factor of the same sector
    for row in ROWS:
        if row.category == "production" and row.technology == "uncontrolled":
            controlled = TABLE.find("production", row.subject, row.quantity)
            if controlled is not None and row.value > 0:
                assert controlled.value <= row.value, row.id
                assert controlled.technology != "uncontrolled"


@pytest.mark.parametrize(
    ("factor_id", "value", "unit"),
    [
        # T/CSES 144-2024 Table E.7: coal, automatic-grate stoker, NOx 4 g/kg (no NOx control on small boilers)
        ("boiler.bituminous_coal.le10.NOx", 4.0, "g/kg"),
        # EMEP/EEA Table 3-3 Tier 1 residential hard coal PM2.5 398 g/GJ x 20.93 MJ/kg = 8.33 g/kg (issue 19)
        ("household.raw_bituminous_coal.traditional_stove.PM2.5", 8.33, "g/kg"),
        # T/CSES eq. (3): SO2 = 2 x S x (1 - 0.15) x (1 - 0.20 wet scrubber) = 13.6 kg/t per 1 % S
        ("boiler.bituminous_coal.le10.SO2", 13.6, "kg/t"),
    ],
)
def test_published_values(factor_id, value, unit):
    row = TABLE[factor_id]
    assert (row.value, row.unit) == (value, unit)


@pytest.mark.slow
def test_wheel_contains_the_tables(tmp_path):
    """Build the wheel from the repo and check the tables and units file are inside."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                             str(tmp_path), str(REPO)], capture_output=True, text=True)
    if result.returncode != 0 and "hatchling" in result.stderr:
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path),
                                 str(REPO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("reduccalc-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (REPO / "factors").glob("*.csv")}
    assert {f"reduccalc/factors/{n}" for n in shipped} <= names
    assert "reduccalc/factors/SOURCES.md" in names
    assert "reduccalc/data/units.txt" in names


# --- a scenario's own factor file: rows that would be ignored or win in silence are errors -------------------------

LOCAL_HEADER = "id,category,subject,standard,technology,region,quantity,value,unit\n"
TRUCKS = {"type": "vehicle_retirement", "count": 100, "vehicle": "heavy_duty_diesel_truck", "standard": "China III"}


def _with_local(tmp_path, rows):
    from reduccalc import load_scenario
    from tests.conftest import scenario_dict

    (tmp_path / "local.csv").write_text(LOCAL_HEADER + rows, encoding="utf-8")
    return load_scenario(scenario_dict([TRUCKS], factors=["local.csv"]), base_dir=tmp_path, table=TABLE)


@pytest.mark.parametrize(("rows", "message"), [
    # two rows with one id: before, the second won with no word
    ("mine.nox,vehicle,heavy_duty_diesel_truck,China III,,,NOx,10,g/km\n"
     "mine.nox,vehicle,heavy_duty_diesel_truck,China III,,,NOx,12,g/km\n",
     r"local.csv:3.*duplicate factor id 'mine.nox' \(line 2\)"),
    # two ids for one lookup: the same silent win
    ("a.nox,vehicle,heavy_duty_diesel_truck,China III,,,NOx,10,g/km\n"
     "b.nox,vehicle,heavy_duty_diesel_truck,China III,,,NOx,12,g/km\n",
     r"local.csv:3.*same source, pollutant and region as 'a.nox'"),
    # a negative factor: before, accepted, a negative reduction
    ("mine.nox,vehicle,heavy_duty_diesel_truck,China III,,,NOx,-10,g/km\n", r"local.csv:2.*negative emission factor"),
    # misspelt category, subject, technology and region: before, the rows were never used, with no word
    ("mine.nox,vehicles,heavy_duty_diesel_truck,China III,,,NOx,10,g/km\n",
     r"local.csv:2.*unknown category 'vehicles'.*did you mean 'vehicle'"),
    ("mine.nox,vehicle,heavy_duty_diesel_truk,China III,,,NOx,10,g/km\n",
     r"local.csv:2.*subject 'heavy_duty_diesel_truk'.*did you mean 'heavy_duty_diesel_truck'"),
    ("mine.pm,production,cement_clinker,,uncontroled,,PM10,1,kg/t\n",
     r"local.csv:2.*technology 'uncontroled'.*did you mean 'uncontrolled'"),
    ("mine.nox,vehicle,heavy_duty_diesel_truck,China III,,hebie,NOx,10,g/km\n",
     r"local.csv:2.*unknown region 'hebie'.*did you mean 'hebei'"),
])
def test_override_rows_that_would_be_ignored_or_win_silently_are_errors(tmp_path, rows, message):
    from reduccalc import ScenarioError

    with pytest.raises(ScenarioError, match=message):
        _with_local(tmp_path, rows)


def test_override_may_add_a_subject_of_its_own(tmp_path):
    # a new sector far from every known one is kept, given for every pollutant the production rows give
    # NOx: 1 Mt/yr x 2 kg/t x 30/365 yr (the test period is 2021) = 164.4 t
    from reduccalc import load_scenario
    from tests.conftest import scenario_dict

    rows = "".join(f"mine.tiles.{p},production,ceramic_tile_kiln,,,,{p},{2 if p == 'NOx' else 0.1},kg/t\n"
                   for p in sorted(TABLE.pollutants("production")))
    (tmp_path / "local.csv").write_text(LOCAL_HEADER + rows, encoding="utf-8")
    measure = {"type": "staggered_production", "sector": "ceramic_tile_kiln", "output": "1 Mt/yr", "days": 30}
    res = load_scenario(scenario_dict([measure], factors=["local.csv"]), base_dir=tmp_path, table=TABLE).run()
    assert res.reductions.query("pollutant == 'NOx'")["reduction_t"].sum() == pytest.approx(1e6 * 2e-3 * 30 / 365)


@pytest.mark.parametrize(("factor_id", "grade"), [
    # 生态环境部/国家统计局 2023 factor, read in a newspaper's report of it
    ("electricity.grid.national.CO2", "second-hand transcription (read in a copy or citing text: check the original"
                                      " before citing)"),
    # Wang et al. 2022 OBD mean, read in the paper's abstract, value taken as given
    ("vehicle.heavy_duty_diesel_truck.china_vi.NOx", "official document read (the cited document itself: citable "
                                                     "in a 评估报告 as given)"),
    # a derived row: EMEP Tier 1 per GJ x heating value (issue 19)
    ("household.raw_bituminous_coal.traditional_stove.PM2.5",
     "judged (derived or chosen, see note) from a source graded second-hand transcription"),
])
def test_factors_show_prints_the_evidence_grade(capsys, factor_id, grade):
    """``reduccalc factors show`` says whether a row is citable as read, a transcription, or a judgement."""
    from reduccalc.cli import main

    assert main(["factors", "show", factor_id]) == 0
    lines = [line.split(None, 1) for line in capsys.readouterr().out.splitlines()]
    assert ["evidence", grade] in lines


# Household SO2 is a mass balance, 2 x 10 kg S/t x (1 - sr) x S%: 17 kg/t per 1 % S at the T/CSES sr = 0.15,
# 20 kg/t per 1 % S if the stove retains nothing (sr = 0). No region's default may claim more SO2 than its own
# sulfur row allows at its top (a cap read in a standard), or the value sits above the legal maximum.
SULFUR_REGIONS = ("national", "north_china", "beijing", "hebei", "tianjin", "shanxi", "henan", "hunan")


@pytest.mark.parametrize("region", SULFUR_REGIONS)
@pytest.mark.parametrize("fuel", ["raw_bituminous_coal", "anthracite"])
def test_household_so2_never_exceeds_its_regions_sulfur_at_the_top(region, fuel):
    so2 = TABLE.emission_factors("household", fuel, technology="traditional_stove", region=region)["SO2"]
    sulfur = TABLE.parameter("household", "sulfur_content", fuel, region=region)
    assert so2.unit == "kg/t" and sulfur is not None and sulfur.high is not None
    assert so2.value <= 17 * sulfur.high + 1e-9, (so2.id, sulfur.id)
    assert so2.high is not None and so2.high <= 20 * sulfur.high + 1e-9, (so2.id, sulfur.id)


def test_beijing_household_so2_is_the_measured_low_sulfur_factor_not_the_1_percent_ceiling():
    # Beijing's 低硫煤及制品 standard caps all coal at 0.4 % S: 17 kg/t per % x 0.4 = 6.8 kg/t at the cap;
    # Liang et al. 2017 measured 1.62 kg/t for loose bituminous coal in Beijing stoves (the value)
    raw = TABLE.emission_factors("household", "raw_bituminous_coal", technology="traditional_stove",
                                 region="beijing")["SO2"]
    assert (raw.value, raw.low, raw.high, raw.source) == (1.62, 1.5, 6.8, "liang2017")
    anthracite = TABLE.emission_factors("household", "anthracite", technology="traditional_stove",
                                        region="beijing")["SO2"]
    assert anthracite.value == pytest.approx(17 * 0.4)
    # Hebei and Tianjin keep the north China row at the 1 % ceiling of the other key-region provinces
    for region in ("hebei", "tianjin"):
        row = TABLE.emission_factors("household", "raw_bituminous_coal", technology="traditional_stove",
                                     region=region)["SO2"]
        assert (row.region, row.value) == ("north_china", 17.0)


def test_hebei_clean_coal_households_have_their_own_coal_per_household():
    # Hebei's 2018-19 clean-coal plan: 18.2 Mt for 9.1 million households = 2.0 t per household per season
    for fuel in ("anthracite", "briquette"):
        row = TABLE.parameter("household", "coal_per_household", fuel, region="hebei")
        assert (row.region, row.value, row.unit) == ("hebei", 2.0, "t")
        assert TABLE.parameter("household", "coal_per_household", fuel, region="shanxi") is None
    # loose coal in Hebei keeps the 2+26 figure, (5600 - 2300)万 t / (2400 - 1000)万 households = 2.36 t
    assert TABLE.parameter("household", "coal_per_household", "", region="hebei").value == 2.36
    # the same heat either way, within 8 %: 2.0 t x 26.7 MJ/kg = 53.4 GJ against 2.36 t x 20.93 MJ/kg = 49.4 GJ
    anthracite_heat = 2.0 * TABLE.parameter("household", "heating_value", "anthracite").value
    loose_heat = 2.36 * TABLE.parameter("household", "heating_value", "raw_bituminous_coal").value
    assert anthracite_heat / loose_heat == pytest.approx(1.08, abs=0.01)
