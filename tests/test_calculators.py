"""Worked examples for every calculator, computed by hand in the comments.

All use the round-number fixture table (tests/fixtures/factors/fixture.csv):
boiler coal 21 GJ/t at efficiency 0.7, SO2 10 kg/t per 1 % S (1 % S
default, 2 % in Hebei), NOx 4 kg/t, PM2.5 0.1 kg/t per 1 % ash (20 %);
household coal 2 t/season (4 t in Hebei), 20 GJ/t, stove efficiency 0.5,
SO2 10 g/kg; gas 36 MJ/m3, heater/boiler efficiency 0.9, NOx 1 (heater) /
2 (boiler) g/m3; grid SO2 0.1 g/kWh, CO2 0.5 kg/kWh; heat pump COP 2.5;
China III heavy truck NOx 8 g/km, China VI 1 g/km, 50,000 km/yr; cement
clinker NOx 1 kg/t.
"""

import pytest

from reduccalc import ScenarioError
from reduccalc import calculators as calc
from reduccalc.factors import FactorTable

YEAR = ("2021-01-01", "2021-12-31")


def by_pollutant(ledger, scope=None):
    ledger = ledger[ledger["scope"] == scope] if scope is not None else ledger[ledger["counted"]]
    return ledger.groupby("pollutant", observed=True)["reduction_t"].sum().to_dict()


def test_boiler_capacity_route(table):
    # fuel = 10 boilers x 7 MW x 2000 h x 3.6 GJ/MWh / (0.7 x 21 GJ/t) = 34,285.714 t
    # SO2 = 34,285.714 t x 10 kg/t/%S x 1 %S = 342.857 t; NOx = x 4 kg/t = 137.143 t
    # PM2.5 = 34,285.714 x 0.1 kg/t/%ash x 20 % = 68.571 t
    led = calc.boiler_phaseout(count=10, capacity="10 t_steam/h", hours="2000 h", table=table, period=YEAR)
    got = by_pollutant(led)
    assert got["SO2"] == pytest.approx(342.857142857)
    assert got["NOx"] == pytest.approx(137.142857143)
    assert got["PM2.5"] == pytest.approx(68.5714285714)


def test_boiler_fuel_route_sulfur_and_removal(table):
    # 1000 t x 10 kg/t/%S x 1.5 %S x (1 - 0.6) = 6 t SO2; NOx 1000 x 4 kg/t = 4 t
    led = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", sulfur_content="1.5%",
                               removal_efficiency={"SO2": "60%"}, table=table, period=YEAR)
    got = by_pollutant(led)
    assert got["SO2"] == pytest.approx(6.0)
    assert got["NOx"] == pytest.approx(4.0)


def test_boiler_regional_sulfur_and_size_class(table):
    # Hebei coal 2 %S: 1000 t x 10 x 2 = 20 t. A 40 t/h boiler is gt35: NOx 2 kg/t -> 2 t
    led = calc.boiler_phaseout(fuel_use="1000 t", capacity="40 t_steam/h", region="hebei", table=table,
                               period=YEAR)
    got = by_pollutant(led)
    assert got["NOx"] == pytest.approx(2.0)
    led = calc.boiler_phaseout(fuel_use="1000 t", capacity="8 t_steam/h", region="hebei", table=table,
                               period=YEAR)
    assert by_pollutant(led)["SO2"] == pytest.approx(20.0)


def test_sulfur_factor_without_a_known_sulfur_content_is_an_error(table):
    rows = [r for r in table.rows.values() if r.quantity != "sulfur_content"]
    no_sulfur = FactorTable(rows, table.sources, table.heating_profiles)
    with pytest.raises(ScenarioError, match="sulfur_content"):
        calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", table=no_sulfur)
    led = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", sulfur_content="0.5%", table=no_sulfur)
    assert by_pollutant(led)["SO2"] == pytest.approx(5.0)  # 1000 t x 10 kg/t/%S x 0.5 %S


def test_boiler_replaced_by_gas(table):
    # heat = 1000 t x 21 GJ/t x 0.7 = 14,700 GJ; gas = 14,700 / (0.9 x 0.036 GJ/m3) = 453,703.7 m3
    # gas NOx = 453,703.7 m3 x 2 g/m3 = 0.907 t; net NOx = 4 - 0.907 = 3.093 t
    # CO2: coal 1000 t x 2000 kg/t = 2000 t removed, gas 453,703.7 m3 x 2 kg/m3 = 907.4 t added: net 1092.6 t
    led = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", replacement="natural_gas", table=table,
                               period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(4.0 - 14700 / (0.9 * 0.036) * 2e-6)
    assert by_pollutant(led)["CO2"] == pytest.approx(2000.0 - 14700 / (0.9 * 0.036) * 2e-3)


def test_boiler_replaced_by_electric_is_upstream(table):
    # 14,700 GJ / 0.95 x 277.78 kWh/GJ = 4,298,245.6 kWh; SO2 at 0.1 g/kWh = 0.4298 t upstream
    led = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", replacement="electric", table=table,
                               period=YEAR)
    kwh = 14700 / 0.95 * 1000 / 3.6
    assert by_pollutant(led, "upstream")["SO2"] == pytest.approx(-kwh * 0.1e-6)
    assert by_pollutant(led)["SO2"] == pytest.approx(10.0)  # not netted
    netted = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", replacement="electric", table=table,
                                  period=YEAR, count_upstream=True)
    assert by_pollutant(netted)["SO2"] == pytest.approx(10.0 - kwh * 0.1e-6)


def test_boiler_in_service_days_and_heating(table):
    # industrial boiler from Jul 1: 184/365 of the year; heating boiler from Nov 1: (0.2 + 0.25) / 1
    led = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", in_service="2021-07-01", table=table,
                               period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(4.0 * 184 / 365)
    led = calc.boiler_phaseout(fuel_use="1000 t", size_class="le10", in_service="2021-11-01", heating=True,
                               table=table, period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(4.0 * 0.45)


def test_boiler_needs_capacity_or_fuel(table):
    with pytest.raises(ScenarioError, match="capacity"):
        calc.boiler_phaseout(count=3, hours="100 h", table=table)


def test_coal_to_electric(table):
    # coal = 1000 hh x 2 t x (1 - 0.1 reburn) = 1800 t; SO2 = 1800 x 10 g/kg = 18 t; whole year: share 1
    # heat = 1800 t x 20 GJ/t x 0.5 = 18,000 GJ; kWh = 18,000 x 277.78 / 2.5 = 2,000,000 kWh
    # upstream SO2 = 2e6 x 0.1 g/kWh = 0.2 t; CO2 = 2e6 x 0.5 kg/kWh = 1000 t
    led = calc.coal_to_electric(households=1000, reburn_rate="10%", table=table, period=YEAR)
    assert by_pollutant(led)["SO2"] == pytest.approx(18.0)
    upstream = by_pollutant(led, "upstream")
    assert upstream["SO2"] == pytest.approx(-0.2)
    assert upstream["CO2"] == pytest.approx(-1000.0)


def test_coal_to_electric_given_electricity_and_resistance(table):
    # 100 hh x 3000 kWh = 300,000 kWh -> CO2 150 t upstream
    led = calc.coal_to_electric(households=100, electricity_per_household="3000 kWh", table=table, period=YEAR)
    assert by_pollutant(led, "upstream")["CO2"] == pytest.approx(-150.0)
    # resistance heaters, efficiency 1: 100 hh x 2 t x 20 GJ x 0.5 = 2000 GJ -> 555,555.6 kWh -> 277.8 t CO2
    led = calc.coal_to_electric(households=100, heater="resistance", table=table, period=YEAR)
    assert by_pollutant(led, "upstream")["CO2"] == pytest.approx(-2000 * 1000 / 3.6 * 0.5e-3)


def test_coal_to_gas_in_service_and_region(table):
    # Hebei: 4 t/hh. 500 hh x 4 t = 2000 t coal; from Nov 1: heating share 0.45
    # SO2 = 2000 x 10 g/kg x 0.45 = 9 t
    # gas = 2000 x 20 x 0.5 / (0.9 x 0.036) = 617,283.95 m3; NOx = x 1 g/m3 x 0.45 = 0.2778 t added
    # coal NOx removed = 2000 t x 2 g/kg x 0.45 = 1.8 t: net 1.8 - 0.2778 = 1.5222 t
    led = calc.coal_to_gas(households=500, in_service="2021-11-01", region="hebei", table=table, period=YEAR)
    got = by_pollutant(led)
    assert got["SO2"] == pytest.approx(9.0)
    assert got["NOx"] == pytest.approx(1.8 - 20000 / (0.9 * 0.036) * 1e-6 * 0.45)


def test_vehicle_retirement_with_replacement(table):
    # km = 100 x 50,000 = 5e6 km/yr; NOx = 5e6 x (8 - 0.5 x 1) g/km = 37.5 t
    led = calc.vehicle_retirement(count=100, vehicle="heavy_duty_diesel_truck", standard="国III",
                                  replaced_by="China VI", replacement_rate="50%", table=table, period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(37.5)


def test_vehicle_in_service_days_and_aliases(table):
    # from 2021-10-01: 92 days; 10 trucks x 60,000 km x 92/365 x 8 g/km = 1.2099 t
    led = calc.vehicle_retirement(count=10, vehicle="重型柴油货车", standard="III", annual_km="60000 km/yr",
                                  in_service="2021-10-01", table=table, period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(10 * 60000 * 92 / 365 * 8e-6)


def test_staggered_production_window_and_days(table):
    # 1.2 Mt/yr clinker, stopped Nov 15 - Mar 15 clipped to 2021: 47 days
    # NOx = 1.2e6 x 47/365 x 1 x 1 kg/t = 154.52 t
    led = calc.staggered_production(sector="cement_clinker", output="1.2 Mt/yr",
                                    window={"start": "2021-11-15", "end": "2022-03-15"}, table=table, period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(1.2e6 * 47 / 365 * 1e-3)
    # 30 % cut for 60 days: 1200 kt/yr x 60/365 x 0.3 x 1 kg/t = 59.18 t
    led = calc.staggered_production(sector="水泥", output="1200 kt/yr", curtailment="30%", days="60 d", table=table,
                                    period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(1.2e6 * 60 / 365 * 0.3e-3)


def test_custom_activity_and_rate(table):
    # 2000 t x 2 kg/t x 0.5 = 2 t; a rate 730 t/yr from Jul 2 (183 days): 730 x 183/365 x 2 kg/t = 0.732 t
    led = calc.custom(activity="2000 t", emission_factors={"NOx": "2 kg/t"}, reduction="50%", table=table,
                      period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(2.0)
    led = calc.custom(activity="730 t/yr", emission_factors={"NOx": "2 kg/t"}, in_service="2021-07-02",
                      table=table, period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(730 * 183 / 365 * 2e-3)


def test_inline_factors_replace_only_named_pollutants(table):
    led = calc.vehicle_retirement(count=100, vehicle="heavy_duty_diesel_truck", standard="China III",
                                  emission_factors={"NOx": "10 g/km"}, table=table, period=YEAR)
    got = by_pollutant(led)
    assert got["NOx"] == pytest.approx(50.0)  # 5e6 km x 10 g/km
    assert got["PM2.5"] == pytest.approx(1.0)  # table's 0.2 g/km kept
    assert set(led[led["pollutant"] == "NOx"]["factor_id"]) == {"inline:vehicle_retirement.NOx"}


def test_factor_unit_must_fit_activity(table):
    with pytest.raises(ScenarioError, match=r"emission_factors\.NOx.*does not fit an activity in 'km'"):
        calc.vehicle_retirement(count=1, vehicle="heavy_duty_diesel_truck", standard="China III",
                                emission_factors={"NOx": "2 kg/t"}, table=table)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"households": -1}, "negative"),
        ({"households": 10.5}, "whole number"),
        ({"households": 10, "reburn_rate": 1.5}, r"outside \[0, 1\]"),
        ({"households": 10, "reburn_rate": "150%"}, r"outside \[0, 1\]"),
        ({"households": 10, "coal_per_household": "3 km"}, "is a distance"),
        ({"households": 10, "coal_per_houshold": "3 t"}, "did you mean 'coal_per_household'"),
        ({}, "missing required key 'households'"),
    ],
)
def test_calculator_input_errors(table, keys, message):
    with pytest.raises(ScenarioError, match=message):
        calc.coal_to_electric(table=table, **keys)


def test_every_ledger_row_names_factor_and_source(table):
    led = calc.coal_to_gas(households=10, table=table)
    assert led["factor_id"].str.len().gt(0).all()
    assert led["factor_source"].str.startswith("fixture").all()


def test_fuel_use_alone_uses_the_10_to_35_class(table):
    # the fixture's NOx for any class is 4 kg/t except gt35; SO2 row exists for le10 only
    led = calc.boiler_phaseout(fuel_use="1000 t", table=table, period=YEAR)
    assert "10to35" in led["source"].iloc[0]
    assert by_pollutant(led)["NOx"] == pytest.approx(4.0)


def test_calculator_checks_region_in_service_and_takes_a_period(table):
    from reduccalc.calendar import Period

    with pytest.raises(ScenarioError, match="unknown region 'hebie'.*did you mean 'hebei'"):
        calc.coal_to_gas(households=10, region="hebie", table=table)
    with pytest.raises(ScenarioError, match="after the period ends"):
        calc.coal_to_gas(households=10, in_service="2030-01-01", table=table, period=YEAR)
    import datetime as dt

    led = calc.coal_to_gas(households=10, table=table, period=Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31)))
    assert by_pollutant(led)["SO2"] == pytest.approx(0.2)  # 10 hh x 2 t x 10 g/kg
    assert by_pollutant(calc.coal_to_gas(households=10, region="Hebei", table=table))["SO2"] == pytest.approx(0.4)


# --- a missing factor row is not a zero ---------------------------------------------------------------------------

SHIPPED_YEAR = ("2024-01-01", "2024-12-31")


def test_a_fuel_without_a_pollutant_the_category_gives_fails_naming_it():
    # shipped anthracite stoves have no PM2.5 or PM10 row: before, anthracite households credited 0 t of PM
    with pytest.raises(ScenarioError, match=r"no PM2\.5, PM10 factors for household anthracite.*"
                                            r"emission_factors: \{PM2\.5: '<value> [^']+', PM10"):
        calc.coal_to_electric(households=100, fuel="anthracite", period=SHIPPED_YEAR)
    # given inline: 100 households x 3.3 t/season [param.coal_per_household.national] = 330 t x 1 g/kg = 0.33 t
    led = calc.coal_to_electric(households=100, fuel="anthracite", period=SHIPPED_YEAR,
                                emission_factors={"PM2.5": "1 g/kg", "PM10": "1.2 g/kg"})
    assert by_pollutant(led)["PM2.5"] == pytest.approx(0.33)


def test_biomass_to_gas_removes_the_nox_the_heater_adds():
    # before: biomass had no NOx, CO or VOCs rows, so coal_to_gas showed negative NOx, CO and VOCs.
    # Now (EMEP/EEA Tier 1 residential biomass, 50 g NOx/GJ x 15.6 MJ/kg = 0.78 g/kg): 100 households x 3.3 t =
    # 330 t of biomass, NOx removed 330 t x 0.78 g/kg = 0.2574 t. Biomass CO2 (biogenic) has no row: given as 0.
    led = calc.coal_to_gas(households=100, fuel="biomass", period=SHIPPED_YEAR, emission_factors={"CO2": "0 g/kg"})
    removed = led[(led["sign"] > 0) & (led["pollutant"] == "NOx")]["reduction_t"].sum()
    assert removed == pytest.approx(330 * 0.78e-3)
    assert by_pollutant(led)["NOx"] > 0 and by_pollutant(led)["CO"] > 0 and by_pollutant(led)["VOCs"] > 0


def test_biomass_without_co2_fails_naming_it():
    with pytest.raises(ScenarioError, match="no CO2 factor for household biomass"):
        calc.coal_to_gas(households=100, fuel="biomass", period=SHIPPED_YEAR)


def test_a_substitute_emitting_what_the_removed_fuel_has_no_factor_for_fails(table):
    # the fixture's household coal without its NOx row: before, coal_to_gas showed the gas heater's NOx as -0.9 t
    rows = [r for r in table.rows.values() if r.id != "t.hh.coal.NOx"]
    no_nox = FactorTable(rows, table.sources, table.heating_profiles)
    with pytest.raises(ScenarioError, match=r"natural gas \(household_heater\) emits NOx but there is no NOx factor "
                                            r"for the household raw_bituminous_coal"):
        calc.coal_to_gas(households=500, table=no_nox, period=YEAR)


def test_a_technology_the_tables_do_not_know_is_an_error_not_the_default_rows():
    # before: technology "uncontroled" silently took the controlled default rows
    with pytest.raises(ScenarioError, match="technology 'uncontroled'.*did you mean 'uncontrolled'"):
        calc.staggered_production(sector="cement_clinker", output="1 Mt/yr", days=30, technology="uncontroled",
                                  period=SHIPPED_YEAR)


def test_custom_amount_in_energy_is_an_amount_and_rates_count_their_own_time(table):
    # "2000 MWh" is an amount for the period: 2000 MWh x 500 g/MWh = 1 t (before: read as a rate, an error)
    led = calc.custom(activity="2000 MWh", emission_factors={"NOx": "500 g/MWh"}, table=table, period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(1.0)
    # "40 t/d" from 1 Jul 2021: 184 days x 40 t/d x 2 kg/t = 14.72 t
    led = calc.custom(activity="40 t/d", emission_factors={"NOx": "2 kg/t"}, in_service="2021-07-01", table=table,
                      period=YEAR)
    assert by_pollutant(led)["NOx"] == pytest.approx(184 * 40 * 2e-3)
    # "500 t/yr" over the leap year 2024: exactly 1 year, 500 t x 2 kg/t = 1 t (before: 366/365 of it)
    led = calc.custom(activity="500 t/yr", emission_factors={"NOx": "2 kg/t"}, table=table,
                      period=("2024-01-01", "2024-12-31"))
    assert by_pollutant(led)["NOx"] == pytest.approx(1.0)


def test_per_year_rates_count_a_whole_leap_year_as_one_year(table):
    # 10 trucks x 50,000 km/yr x 1 yr x 8 g/km = 4 t over 2024 (before: x 366/365 = 4.011 t);
    # a 1.2 Mt/yr kiln stopped all of 2024 removes 1.2 Mt x 1 kg/t = 1200 t of NOx (before: 1203.3 t)
    trucks = calc.vehicle_retirement(count=10, vehicle="heavy_duty_diesel_truck", standard="China III", table=table,
                                     period=("2024-01-01", "2024-12-31"))
    assert by_pollutant(trucks)["NOx"] == pytest.approx(4.0)
    kiln = calc.staggered_production(sector="cement_clinker", output="1.2 Mt/yr", table=table,
                                     period=("2024-01-01", "2024-12-31"))
    assert by_pollutant(kiln)["NOx"] == pytest.approx(1200.0)
    # 1 Jul - 31 Dec 2024: 184 of 366 days: 4 t x 184/366 = 2.0109 t
    half = calc.vehicle_retirement(count=10, vehicle="heavy_duty_diesel_truck", standard="China III", table=table,
                                   in_service="2024-07-01", period=("2024-01-01", "2024-12-31"))
    assert by_pollutant(half)["NOx"] == pytest.approx(4.0 * 184 / 366)
