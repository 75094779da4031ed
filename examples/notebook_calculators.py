"""The calculators as plain functions, the way you would call them in a notebook.  (单项措施计算)

Usage (from anywhere):

    python examples/notebook_calculators.py

Each function in ``reduccalc.calculators`` takes the same keys as a measure in a
scenario YAML and returns the measure's ledger (台账式计算表): one row per source and
pollutant with activity x factor x adjustments x time share = reduction_t [t].
Substitute rows (the gas boiler that replaces a coal boiler, the China VI truck that
replaces a China III one) have sign -1. ``reduction_by_pollutant(ledger)`` sums it.

No scenario file is needed: ``period`` and ``region`` are arguments (default: the
calendar year 2024 and national factors). Here every call uses the calendar year 2023
and north-China factors, like ``scenarios/tutorial.yaml``, so the numbers match that
file's measures.
"""

from __future__ import annotations

import pandas as pd

from reduccalc import calculators as calc

PERIOD = ("2023-01-01", "2023-12-31")   # inclusive, like `period:` in a scenario
REGION = "north_china"

# adjust multiplies the factor: sulfur or ash content in % for factors given per % (the
# boiler PM2.5 factor is per % ash, so 20 % ash gives adjust 20), curtailment, reburn ...;
# adjust_note says which.
COLUMNS = ["pollutant", "scope", "sign", "activity", "activity_unit", "factor", "factor_unit", "adjust",
           "time_share", "reduction_t", "adjust_note"]
SHOWN = ["SO2", "NOx", "PM2.5", "VOCs"]  # ledger rows printed; the totals list every pollutant

pd.set_option("display.width", 160)


def show(title: str, ledger: pd.DataFrame) -> pd.Series:
    """Print a few ledger columns and the reduction per pollutant; return the latter."""
    print(f"\n== {title}")
    for source in dict.fromkeys(ledger["source"]):
        print(f"   source: {source}")
    rows = ledger[ledger["pollutant"].isin(SHOWN)]
    rows = rows.assign(reduction_t=rows["reduction_t"] + 0.0)  # print 0, not -0, for zero substitute rows
    print(rows[COLUMNS].to_string(index=False, float_format="{:,.4g}".format))
    totals = calc.reduction_by_pollutant(ledger)
    print("   reduction_by_pollutant [t]: " + ", ".join(f"{p} {v:,.2f}" for p, v in totals.items()))
    return totals


def main() -> None:
    results = {}
    common = {"period": PERIOD, "region": REGION}

    # 1. Boiler phase-out (淘汰燃煤锅炉), capacity route: 20 boilers of 10 t_steam/h
    #    (1 t_steam/h = 0.7 MW), 1,440 full-load hours in the period, replaced by gas.
    #    fuel = count x capacity x hours x 3.6 GJ/MWh / (efficiency x heating value).
    results["boilers (capacity)"] = show("boiler_phaseout, capacity route, replaced by gas", calc.boiler_phaseout(
        count=20, capacity="10 t_steam/h", hours="1440 h", replacement="natural_gas", **common))

    # 2. Boiler phase-out, fuel route: the 台账 gives 5,000 t of coal a year instead of
    #    capacity and hours. The size class (le10 = up to 10 t_steam/h) still picks the
    #    factor row, because small and large boilers have different controls.
    results["boilers (fuel_use)"] = show("boiler_phaseout, fuel_use route", calc.boiler_phaseout(
        fuel_use="5000 t", size_class="le10", **common))

    # 3. Coal to electric (煤改电): 5,000 households, a whole year = one heating season.
    #    Power-plant emissions are scope "upstream" and not counted against the county.
    results["coal_to_electric"] = show("coal_to_electric, 5,000 households", calc.coal_to_electric(
        households=5000, **common))

    # 4. Coal to gas (煤改气): 3,000 households from 15 November, 10 % still burn coal
    #    (复烧). Only the heating between 15 Nov and 31 Dec falls in 2023: time_share is
    #    that share of a season's heating, from the monthly heating profile.
    results["coal_to_gas"] = show("coal_to_gas, 3,000 households from 2023-11-15, 10 % reburn", calc.coal_to_gas(
        households=3000, reburn_rate="10%", in_service="2023-11-15", **common))

    # 5. Vehicle retirement (淘汰国三柴油货车): 300 China III heavy diesel trucks, 50,000 km a
    #    year each, scrapped on 1 July and replaced by China VI trucks.
    #    By hand, NOx (factors from factors/vehicles.csv):
    #      days in effect   = 1 Jul .. 31 Dec 2023 = 184 d
    #      km               = 300 x 50,000 km/yr x 184 / 365 = 7,561,644 km
    #      EF China III NOx = 7.934 g/km, China VI NOx = 1.42 g/km  (replacement_rate 1)
    #      reduction        = 7,561,644 km x (7.934 - 1.42) g/km = 49.26 t NOx
    #    `reduccalc factors show vehicle.heavy_duty_diesel_truck.china_iii.NOx` gives the source.
    results["vehicle_retirement"] = show("vehicle_retirement, 300 China III trucks -> China VI from 2023-07-01",
                                         calc.vehicle_retirement(
                                             count=300, vehicle="heavy_duty_diesel_truck", standard="China III",
                                             annual_km="50000 km/yr", replaced_by="China VI",
                                             in_service="2023-07-01", **common))

    # 6. Staggered production (错峰生产): a 1.5 Mt/yr clinker kiln stopped 15 Nov - 31 Dec
    #    (47 days): output x 47/365 x curtailment 1 x EF.
    results["staggered_production"] = show("staggered_production, cement clinker, 47-day winter stop",
                                           calc.staggered_production(
                                               sector="cement_clinker", output="1.5 Mt/yr", curtailment=1,
                                               window={"start": "2023-11-15", "end": "2023-12-31"}, **common))

    # 7. Anything else (custom): 2,000 t of solvent paint, 500 kg VOCs per t, 60 % of it
    #    replaced by water-based paint: 2,000 x 0.5 x 0.6 = 600 t VOCs.
    results["custom"] = show("custom, low-VOC paint", calc.custom(
        activity="2000 t", emission_factors={"VOCs": "500 kg/t"}, reduction="60%", **common))

    # All seven side by side [t]; blank = the measure does not change that pollutant.
    print("\n== All measures, reduction by pollutant [t]")
    pollutants = list(dict.fromkeys(p for totals in results.values() for p in totals.index))
    table = pd.DataFrame(results).T[pollutants]
    print(table.to_string(float_format="{:,.1f}".format, na_rep=""))


if __name__ == "__main__":
    main()
