"""Household heating conversions: coal to electric (煤改电) and coal to gas (煤改气).

Coal no longer burned::

    coal [t] = households x coal_per_household [t/season] x (1 - reburn_rate)
    reduction = coal x EF x heating share - substitute emissions

Heating share: seasons of heating in the period on or after ``in_service``
(monthly heating profile; a whole year or season counts 1). Households that
reburn coal (``reburn_rate``) neither save coal nor use the substitute.

The substitute delivers the same useful heat, ``coal x heating_value x
stove_efficiency``:

- coal_to_gas: gas [m3] = heat / (heater_efficiency x gas_heating_value),
  burned locally in wall-hung heaters (sign -1, counted);
- coal_to_electric: electricity [kWh] = heat x 277.8 / (heat_pump_cop, or
  heater_efficiency for ``heater: resistance``), or ``households x
  electricity_per_household`` when given; power-plant emissions go to scope
  ``upstream``, netted only with ``count_upstream: true``.

Keys: ``households``, ``coal_per_household`` (mass per heating season, table
by region), ``fuel`` (``raw_bituminous_coal``), ``reburn_rate`` (0),
``heating_value`` and ``stove_efficiency`` of the coal stove (table);
electric: ``heater`` (heat_pump or resistance), ``heat_pump_cop``,
``heater_efficiency``, ``electricity_per_household`` (energy per season),
``count_upstream``; gas: ``heater_efficiency``, ``gas_heating_value``;
``in_service``, ``emission_factors``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ScenarioError
from ..fields import MISSING, ChoiceKind, CountKind, FractionKind, Key, QuantityKind, TextKind
from ..ledger import LedgerBuilder
from ..vocabulary import FUEL_ALIASES, choice
from .base import COMMON_KEYS, Context, MeasureType, add_rows, require_factors, resolve_factors
from .substitutes import electricity_rows, gas_rows, heat_to_kwh

HEATERS = ("heat_pump", "resistance")


def _heater_choice(value: Any) -> str:
    return choice(value, frozenset(HEATERS), "electric heater",
                  {"空气源热泵": "heat_pump", "热泵": "heat_pump", "air_source_heat_pump": "heat_pump",
                   "电暖器": "resistance", "蓄热式电暖器": "resistance", "direct": "resistance"})


COMMON = {
    "households": Key(CountKind(), MISSING, "households converted"),
    "coal_per_household": Key(QuantityKind("t", "3 t"), None, "coal per household per heating season (table)"),
    "fuel": Key(TextKind(), "raw_bituminous_coal", "household fuel (table subject)"),
    "reburn_rate": Key(FractionKind(), 0.0, "share of households still burning coal"),
    "heating_value": Key(QuantityKind("GJ/t", "23 MJ/kg", positive=True), None, "coal heating value (table)"),
    "stove_efficiency": Key(FractionKind(), None, "coal stove efficiency (table)"),
    "heater_efficiency": Key(FractionKind(), None, "gas heater or resistance heater efficiency (table)"),
    **COMMON_KEYS,
}
ELECTRIC_KEYS = {
    **COMMON,
    "heater": Key(ChoiceKind(_heater_choice, "heat_pump or resistance"), "heat_pump"),
    "heat_pump_cop": Key(QuantityKind("dimensionless", "2.5", positive=True), None, "seasonal COP (table)"),
    "electricity_per_household": Key(QuantityKind("kWh", "4000 kWh", positive=True), None, "per heating season"),
}
GAS_KEYS = {
    **COMMON,
    "gas_heating_value": Key(QuantityKind("GJ/m^3", "36 MJ/m^3", positive=True), None, "table"),
}


def _coal_removed(m: dict[str, Any], ctx: Context, measure: str, type: str, sink: LedgerBuilder,
                  row: str) -> tuple[float, float, float, str]:
    fuel = choice(m["fuel"], frozenset(ctx.table.subjects("household")) or frozenset([m["fuel"]]),
                  "household fuel", FUEL_ALIASES)
    per_household, source = m["coal_per_household"], "given"
    if per_household is None:
        per_household, source = _coal_per_household(ctx, fuel)
    households = m["households"] * (1.0 - m["reburn_rate"])
    coal_t = households * per_household
    share = ctx.heating_share_after(m["in_service"])
    factors = require_factors(resolve_factors(ctx, "household", fuel, technology="traditional_stove",
                                              inline=m["emission_factors"], inline_id=f"{ctx.county}.{measure}"),
                              f"household {fuel}")
    note = (f"{m['households']:g} households x (1 - reburn {m['reburn_rate']:g}) x "
            f"{per_household:g} t/season [{source}]")
    add_rows(sink, ctx, factors, measure=measure, type=type, source=f"household {fuel} stoves ({note})",
             activity=coal_t, activity_unit="t", sign=1.0, time_share=share, row=row)
    heating_value, _ = ctx.parameter("household", "heating_value", fuel, unit="GJ/t", given=m["heating_value"])
    efficiency, _ = ctx.parameter("household", "efficiency", fuel, "traditional_stove", given=m["stove_efficiency"])
    return coal_t * heating_value * efficiency, share, households, fuel


def _coal_per_household(ctx: Context, fuel: str) -> tuple[float, str]:
    for subject in (fuel, "", "coal"):
        row = ctx.table.parameter("household", "coal_per_household", subject, region=ctx.region)
        if row is not None:
            return ctx.parameter("household", "coal_per_household", subject, unit="t")[0], row.id
    raise ScenarioError("no default coal_per_household in the factor tables", field="coal_per_household",
                        hint="give coal_per_household, e.g. '3 t' per heating season")


def translate_electric(m: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str, row: str = "") -> None:
    """Ledger rows of one coal-to-electric conversion (see module docstring)."""
    heat_gj, share, households, _ = _coal_removed(m, ctx, measure, "coal_to_electric", sink, row)
    if m["electricity_per_household"] is not None:
        kwh = households * m["electricity_per_household"]
        label = f"grid power, {m['electricity_per_household']:g} kWh per household"
    elif m["heater"] == "heat_pump":
        cop, _ = ctx.parameter("electricity", "heat_pump_cop", "air_source_heat_pump", given=m["heat_pump_cop"])
        kwh, label = heat_to_kwh(heat_gj, cop), f"grid power for heat pumps (COP {cop:g})"
    else:
        efficiency, _ = ctx.parameter("electricity", "efficiency", "resistance_heater",
                                      given=m["heater_efficiency"])
        kwh, label = heat_to_kwh(heat_gj, efficiency), f"grid power for electric heaters (efficiency {efficiency:g})"
    counted = ctx.count_upstream if m["count_upstream"] is None else m["count_upstream"]
    electricity_rows(sink, ctx, kwh=kwh, measure=measure, type="coal_to_electric", time_share=share,
                     counted=counted, label=label, row=row)


def translate_gas(m: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str, row: str = "") -> None:
    """Ledger rows of one coal-to-gas conversion (see module docstring)."""
    heat_gj, share, _, _ = _coal_removed(m, ctx, measure, "coal_to_gas", sink, row)
    efficiency, _ = ctx.parameter("gas", "efficiency", "natural_gas", "household_heater",
                                  given=m["heater_efficiency"])
    heating_value, _ = ctx.parameter("gas", "heating_value", "natural_gas", unit="GJ/m^3",
                                     given=m["gas_heating_value"])
    gas_rows(sink, ctx, heat_gj=heat_gj, technology="household_heater", efficiency=efficiency,
             heating_value=heating_value, measure=measure, type="coal_to_gas", time_share=share,
             label=f"wall-hung gas heaters (efficiency {efficiency:g})", row=row)


COAL_TO_ELECTRIC = MeasureType("coal_to_electric", ELECTRIC_KEYS, translate_electric,
                               "households switched from coal stoves to electric heating")
COAL_TO_GAS = MeasureType("coal_to_gas", GAS_KEYS, translate_gas, "households switched from coal stoves to gas")
