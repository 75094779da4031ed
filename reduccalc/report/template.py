"""``reduccalc init``: a commented starting plan, printed (never written to a file).

Without a register: a period (the current calendar year), scenario targets,
one county with a baseline, and one measure of each common type with its
keys, the optional ones commented out with their defaults; ``reduccalc
validate`` accepts it as printed. Its numbers are placeholders of a
realistic size, each line to change marked ``CHANGE``.

With ``--from REGISTER`` (a measure register, CSV or XLSX, with a
``county`` column; :mod:`reduccalc.inputs.registers`): one county per name
in that column, in the order of their first rows, and ``measures_file``
pointing at the register. The baselines are left for the user to give (a
register has none), so ``validate`` says which ones are missing until they
are written: a plan never starts with made-up emissions.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .. import __version__
from ..errors import ScenarioError
from ..inputfiles import PlanFolder
from ..inputs.registers import register_counties, register_source

HEAD = """\
# A reduccalc plan, started by `reduccalc init` (reduccalc {version}).
# Change every line marked CHANGE, delete what you do not need, then:
#   reduccalc validate plan.yaml      # is it well formed?
#   reduccalc run plan.yaml           # baseline, reduction, target, met or SHORT per county and pollutant
#   reduccalc explain plan.yaml       # every number as activity x factor, with its source
# Quantities are strings with units ("10 t_steam/h", "1 Mt/yr"; 吨, 蒸吨/小时 and 万吨 work too);
# percentages are written "5%". Every key of every measure type: scenarios/tutorial.yaml.

name: {name}    # CHANGE: the plan's name, for reports
period: {{start: {year}-01-01, end: {year}-12-31}}   # CHANGE: inclusive; baselines are emissions over this period
# region: north_china   # regional defaults (coal per household, sulfur, grid): north_china, hebei, shanxi, henan,
#                       # hunan (default: national)
"""

PLAN = HEAD + """\
targets: {{SO2: "5%", NOx: "5%", PM2.5: "5%"}}   # CHANGE: share of each baseline to remove, every county and TOTAL

counties:
  示例县:   # CHANGE: the county's name (区/县), as it should appear in the results
    baseline: {{SO2: "2000 t", NOx: "3000 t", PM2.5: "1500 t"}}   # CHANGE: emissions over the period (inventory)
    # targets: {{NOx: "3%"}}   # this county's own targets, in place of the scenario's
    # measures_file: boilers.xlsx   # a register (台账) of this county's measures, one row each
    measures:
      # 燃煤锅炉淘汰: fuel = count x capacity x hours / (efficiency x heating value)
      - type: boiler_phaseout
        id: small-boilers        # optional; unique in the county (default boiler_phaseout-1)
        count: 10                # CHANGE: boilers retired
        capacity: "10 t_steam/h" # CHANGE: per boiler (蒸吨/小时)
        hours: "1500 h"          # CHANGE: full-load hours in the period
        # fuel_use: "3000 t"     # instead of capacity and hours: the coal they burned in the period
        # replacement: natural_gas   # none (default), natural_gas, electric, district_heat: subtracted
        # in_service: {year}-07-01   # from this date (default: the whole period)

      # 煤改电: households x coal per household x (1 - reburn rate) x EF x heating share
      - type: coal_to_electric
        id: electric-heating
        households: 2000         # CHANGE
        # coal_per_household: "2.5 t"   # per heating season (default: the regional table)
        # reburn_rate: "10%"     # coal that comes back, 散煤复烧 (default 0)

      # 煤改气: as 煤改电; the gas burned locally is subtracted
      - type: coal_to_gas
        id: gas-heating
        households: 1000         # CHANGE
        # reburn_rate: "10%"

      # 老旧车淘汰: count x km a year x years in effect x (EF old - EF new)
      - type: vehicle_retirement
        id: old-trucks
        count: 100               # CHANGE
        vehicle: heavy_duty_diesel_truck   # or medium_duty_diesel_truck, light_duty_diesel_truck, diesel_bus,
                                           # gasoline_car
        standard: China III      # 国三; China 0 ... China VI
        # annual_km: "50000 km/yr"   # default: the table's for the class
        # replaced_by: China VI  # the new vehicles' standard, subtracted (default: none)

      # 错峰生产: output x days / 365 x curtailment x EF
      - type: staggered_production
        id: winter-stop
        sector: cement_clinker   # CHANGE: or brick, coke, sinter, lime, flat_glass, foundry, carbon, coal_power
        output: "1 Mt/yr"        # CHANGE: the plant's output per year
        curtailment: 1           # 1 = stopped; "30%" = output cut by 30 %
        days: 30                 # CHANGE: or window: {{start: {year}-11-15, end: {year}-12-31}}
        # control: standard      # the plant's control level (default: the table's typical one)

      # 超低排放改造: output x years in effect x (EF before - EF after)
      - type: industrial_retrofit
        id: ultra-low
        sector: cement_clinker   # CHANGE
        output: "0.5 Mt/yr"      # CHANGE
        from: standard           # control levels: uncontrolled, standard, special_limit, ultra_low
        to: ultra_low
        # or concentration_before: {{NOx: "320 mg/m^3"}} and concentration_after: {{NOx: "100 mg/m^3"}}

      # anything else: activity x your factors x reduction
      # - type: custom
      #   activity: "2000 t"
      #   emission_factors: {{VOCs: "500 kg/t"}}   # your factor, with its source in a comment
      #   reduction: "60%"
"""

FROM_REGISTER = HEAD + """\
# targets: {{SO2: "5%", NOx: "5%"}}   # CHANGE: share of each baseline to remove, every county and TOTAL

# The measures: every row of the register (台账), one measure a row.
# {rows}
# The path is relative to this plan's folder: save the plan where you ran `reduccalc init`, or correct it.
measures_file: {register}

# One county per name in the register's county column. A register holds no emissions: give each
# county's baseline (its emissions over the period, from the inventory) before `reduccalc validate`.
counties:
{counties}"""

COUNTY = """\
  {name}:
    baseline: {{}}   # CHANGE: e.g. {{SO2: "2000 t", NOx: "3000 t", PM2.5: "1500 t"}}
"""


def starting_plan(register: str | None = None, today: dt.date | None = None) -> str:
    """The text of a starting plan (see the module docstring); ``register`` as the user wrote it.

    Raises
    ------
    ScenarioError
        For a register that cannot be read or has no county column, naming file, row and column.
    """
    year = (today or dt.date.today()).year
    if register is None:
        return PLAN.format(version=__version__, name=f"My plan {year}", year=year)
    source = register_source(register, PlanFolder(Path.cwd(), allow_outside=True), {"--from": register}, "--from",
                             None, None)
    counties, types = register_counties(source)
    if not counties:
        raise ScenarioError("the county column names no county", file=source.name, field="column county",
                            hint="fill in each row's county (县区)")
    rows = ", ".join(f"{kind} {count}" for kind, count in types.items())
    return FROM_REGISTER.format(
        version=__version__, name=f"My plan {year}", year=year, register=_quoted(register),
        rows=f"{sum(types.values())} rows: {rows}", counties="".join(COUNTY.format(name=_quoted(c)) for c in counties))


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (a JSON string is one): ``yes``, ``1`` or ``a: b`` stay names."""
    return json.dumps(text, ensure_ascii=False)
