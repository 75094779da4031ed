"""Does this plan meet a 5 % target, and if not, what would close the gap?  (达标缺口测算)

Usage (from anywhere):

    python examples/meet_target.py                                # Xinfu 2021, 5 %
    python examples/meet_target.py scenarios/tutorial.yaml 3%

Steps:

1. ``sc.with_target("5%")`` replaces the plan's own targets with 5 % for every
   pollutant with a baseline, in every county and for TOTAL;
2. ``sc.run().summary()`` gives each county's shortfall (缺口) in tonnes;
3. the calculators give what ONE more unit removes over the same period and region:
   one more household off coal (煤改电) and one more China III heavy diesel truck
   retired (淘汰国三重型柴油货车, replaced by a China VI truck);
4. units needed = shortfall / reduction per unit, rounded up. Both measures scale
   linearly with the count, so this many extra units close that gap exactly.

Each number closes one county/pollutant gap on its own; the two columns are
alternatives, not a sum. Whether that many rural households still burn coal, or that
many China III trucks are still registered, is for you to check against the county's
台账 (the scenario's candidate ``max`` is the author's bound).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import pandas as pd

import reduccalc
from reduccalc import calculators as calc
from reduccalc.report.tables import VERDICT_WORDS

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT = SCENARIOS / "xinfu_2021.yaml"
DEFAULT_TARGET = "5%"

# ---- assumptions for the extra units (edit these for your plan) --------------------
# When the extra units start counting. Xinfu's own conversion starts with the 2021-22
# heating season, so extra households also count from 1 November: only Nov-Dec 2021
# heating falls in the calendar-year period. Trucks: assumed scrapped by 1 July.
# A date outside the scenario's period is replaced by the period's first day.
HOUSEHOLD = {"in_service": "2021-11-01"}  # coal per household: the region's table default
TRUCK = {"vehicle": "heavy_duty_diesel_truck", "standard": "China III", "replaced_by": "China VI",
         "in_service": "2021-07-01"}     # annual km: the table default

pd.set_option("display.unicode.east_asian_width", True)
pd.set_option("display.width", 160)


def within(period: tuple[dt.date, dt.date], keys: dict[str, str]) -> dict[str, str]:
    """``keys`` with in_service moved to the period's start if it falls outside the period."""
    start, end = period
    when = dt.date.fromisoformat(keys["in_service"])
    if start <= when <= end:
        return keys
    print(f"note: in_service {when} is outside the period; the extra units count from {start}")
    return {**keys, "in_service": start.isoformat()}


def per_unit(calculator, period, region, count_upstream, **keys) -> pd.Series:
    """Net reduction per pollutant [t] of one unit (one household, one truck)."""
    ledger = calculator(period=period, region=region, count_upstream=count_upstream, **keys)
    return calc.reduction_by_pollutant(ledger)


def units_needed(shortfall_t: float, per_unit_t: float) -> str:
    if per_unit_t <= 0:
        return "-"  # this measure does not reduce this pollutant
    return f"{math.ceil(shortfall_t / per_unit_t):,}"


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    target = argv[2] if len(argv) > 2 else DEFAULT_TARGET

    sc = reduccalc.load_scenario(path)
    res = sc.with_target(target).run()
    summary = res.summary()
    print(f"Plan: {sc.name} ({sc.period.start} to {sc.period.end}, region {sc.region})")
    print(f"Does it meet {target} for every pollutant, county and TOTAL? {'yes' if res.met else 'NO'}\n")

    table = pd.DataFrame({
        "county": summary["county"], "pollutant": summary["pollutant"],
        "baseline_t": summary["baseline_t"].map("{:,.0f}".format),
        "reduction_t": summary["reduction_t"].map("{:,.1f}".format),
        "reduction_pct": summary["reduction_pct"].map("{:.2f}".format),
        "met": summary["met"].map(VERDICT_WORDS),
        "shortfall_t": summary["shortfall_t"].map("{:,.1f}".format),
    })
    print(table.to_string(index=False))
    short = summary[summary["met"].map(lambda v: v is False)]
    if short.empty:
        return

    # ---- what one more unit removes ------------------------------------------------
    # The calculators take the YAML keys; period and region must be the scenario's, so
    # that the heating share (供暖季占比) and the regional coal defaults match the plan.
    period = (sc.period.start, sc.period.end)
    household = per_unit(calc.coal_to_electric, period, sc.region, sc.count_upstream, households=1,
                         **within(period, HOUSEHOLD))
    truck = per_unit(calc.vehicle_retirement, period, sc.region, sc.count_upstream, count=1,
                     **within(period, TRUCK))
    pollutants = list(dict.fromkeys(short["pollutant"]))
    print("\nWhat one more unit removes over the period (kg):")
    unit_table = pd.DataFrame({
        "pollutant": pollutants,
        "per_household_kg": [f"{1000 * household.get(p, 0.0):.2f}" for p in pollutants],
        "per_truck_kg": [f"{1000 * truck.get(p, 0.0):.2f}" for p in pollutants],
    })
    print(unit_table.to_string(index=False))

    # ---- units needed per gap ------------------------------------------------------
    # TOTAL rows can be closed in any county: the per-unit numbers are the same everywhere
    # because region and period are scenario-wide.
    print("\nExtra units that would close each gap on their own (rounded up; '-' = does not help):")
    gaps = pd.DataFrame({
        "county": short["county"], "pollutant": short["pollutant"],
        "shortfall_t": short["shortfall_t"].map("{:,.1f}".format),
        "households": [units_needed(s, household.get(p, 0.0)) for s, p in zip(short["shortfall_t"], short["pollutant"])],
        "trucks": [units_needed(s, truck.get(p, 0.0)) for s, p in zip(short["shortfall_t"], short["pollutant"])],
    })
    print(gaps.to_string(index=False))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except reduccalc.ScenarioError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
