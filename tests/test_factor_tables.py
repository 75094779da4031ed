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
    "household": "t", "boiler": "t", "production": "t", "gas": "m^3", "electricity": "kWh",
    "district_heat": "GJ", "vehicle": "km",
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
        # Yang et al., bituminous lump coal in household stoves, PM2.5 13.16 g/kg
        ("household.raw_bituminous_coal.traditional_stove.PM2.5", 13.16, "g/kg"),
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
