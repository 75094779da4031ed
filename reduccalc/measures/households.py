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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..fields import MISSING, ChoiceKind, CountKind, FractionKind, Key, QuantityKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..vocabulary import FUEL_ALIASES, choice
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    ResolvedFactor,
    TableName,
    add_rows,
    given_keys,
    inline_factors,
    parameter,
    require_factors,
    resolve_factors,
)
from .batch import Batch, Number, Text, fmt, join
from .substitutes import electricity_rows, gas_rows, heat_to_kwh

HEATERS = ("heat_pump", "resistance")


@dataclass(frozen=True)
class Removed:
    """The coal a group of conversions no longer burns, as its substitute needs it."""

    heat_gj: Number  # useful heat the coal gave [GJ per season]
    share: np.ndarray  # seasons in effect
    households: Number  # households converted, net of reburning
    factors: tuple[list[ResolvedFactor], str]  # the coal's factors and what they are of


def _heater_choice(value: Any) -> str:
    return choice(value, frozenset(HEATERS), "electric heater",
                  {"空气源热泵": "heat_pump", "热泵": "heat_pump", "air_source_heat_pump": "heat_pump",
                   "电暖器": "resistance", "蓄热式电暖器": "resistance", "direct": "resistance"})


NAMES = {"fuel": TableName("household", "household fuel", FUEL_ALIASES)}
COMMON = {
    "households": Key(CountKind(), MISSING, "households converted"),
    "coal_per_household": Key(QuantityKind("t", "3 t"), None, "coal per household per heating season (table)"),
    "fuel": Key(TextKind(), "raw_bituminous_coal", "household fuel (table subject)"),
    "reburn_rate": Key(FractionKind(), 0.0, "share of households still burning coal"),
    "heating_value": Key(QuantityKind("GJ/t", "23 MJ/kg", positive=True), None, "coal heating value (table)"),
    "stove_efficiency": Key(FractionKind(positive=True), None, "coal stove efficiency (table)"),
    "heater_efficiency": Key(FractionKind(positive=True), None, "gas heater or resistance heater efficiency (table)"),
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


def _coal_per_household(ctx: Context, fuel: str) -> tuple[float, str]:
    for subject in (fuel, "", "coal"):
        row = ctx.table.parameter("household", "coal_per_household", subject, region=ctx.region)
        if row is not None:
            return ctx.parameter("household", "coal_per_household", subject, unit="t")[0], row.id
    raise ScenarioError("no default coal_per_household in the factor tables", field="coal_per_household",
                        hint="give coal_per_household, e.g. '3 t' per heating season")


def _translate(batch: Batch, ctx: Context, sink: LedgerBuilder, keys: tuple[str, ...],
               substitute: Callable[[Batch, np.ndarray, Context, LedgerBuilder, Removed], None],
               *extra: np.ndarray) -> None:
    """Coal removed, then ``substitute`` rows, per group sharing fuel, inline factors, ``extra`` columns and
    which of the table-default ``keys`` the measures gave."""
    fuel = NAMES["fuel"].column(batch, "fuel", ctx.table)
    columns = (fuel, *batch.pollutants("emission_factors").signature(), *extra,
               given_keys(batch, "coal_per_household", "heating_value", "stove_efficiency", *keys))
    batch.each_group(lambda group: substitute(batch, group.index, ctx, sink,
                                              _coal_removed(batch, group.index, ctx, sink, group.keys[0])),
                     *columns)


def _coal_removed(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder,
                  fuel: str) -> Removed:
    """Rows of the coal no longer burned; returns what the substitute must replace."""
    given_per_household = batch.floats("coal_per_household")[index]
    per_household: Number = given_per_household
    source: Text = "given"
    if np.isnan(given_per_household[0]):
        per_household, source = _coal_per_household(ctx, fuel)
    given, reburn = batch.floats("households")[index], batch.floats("reburn_rate")[index]
    households = given * (1.0 - reburn)
    coal_t = households * per_household
    share = batch.distinct(index, ctx.heating_share_after, "in_service")
    factors = require_factors(resolve_factors(ctx, "household", fuel, technology="traditional_stove",
                                              inline=inline_factors(batch, "emission_factors", index)),
                              f"household {fuel}")
    label = Deferred(lambda: join(f"household {fuel} stoves (", fmt(given), " households x (1 - reburn ", fmt(reburn),
                                  ") x ", fmt(per_household), " t/season [", source, "])"))
    add_rows(sink, batch, index, factors, source=label, activity=coal_t,
             activity_unit="t", sign=1.0, time_share=share, time_unit="season")
    heating_value, _ = parameter(ctx, batch, index, "heating_value", "household", "heating_value", fuel,
                                 unit="GJ/t")
    efficiency, _ = parameter(ctx, batch, index, "stove_efficiency", "household", "efficiency", fuel,
                              "traditional_stove")
    return Removed(coal_t * heating_value * efficiency, share, households, (factors, f"household {fuel}"))


def _grid_power(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder, removed: Removed) -> None:
    heat_gj, share, households = removed.heat_gj, removed.share, removed.households
    per_household = batch.floats("electricity_per_household")[index]
    heater = batch.column("heater")[index[0]]
    if not np.isnan(per_household[0]):
        kwh: Number = households * per_household
        label: Deferred[Text] = Deferred(lambda: join("grid power, ", fmt(per_household), " kWh per household"))
    elif heater == "heat_pump":
        cop, _ = parameter(ctx, batch, index, "heat_pump_cop", "electricity", "heat_pump_cop", "air_source_heat_pump")
        kwh, label = heat_to_kwh(heat_gj, cop), Deferred(lambda: join("grid power for heat pumps (COP ", fmt(cop), ")"))
    else:
        efficiency, _ = parameter(ctx, batch, index, "heater_efficiency", "electricity", "efficiency",
                                  "resistance_heater")
        kwh = heat_to_kwh(heat_gj, efficiency)
        label = Deferred(lambda: join("grid power for electric heaters (efficiency ", fmt(efficiency), ")"))
    electricity_rows(sink, batch, index, ctx, kwh=kwh, time_share=share, time_unit="season",
                     counted=batch.counted(index, ctx.count_upstream), label=label)


def _gas(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder, removed: Removed) -> None:
    efficiency, _ = parameter(ctx, batch, index, "heater_efficiency", "gas", "efficiency", "natural_gas",
                              "household_heater")
    heating_value, _ = parameter(ctx, batch, index, "gas_heating_value", "gas", "heating_value", "natural_gas",
                                 unit="GJ/m^3")
    gas_rows(sink, batch, index, ctx, heat_gj=removed.heat_gj, technology="household_heater", efficiency=efficiency,
             heating_value=heating_value, time_share=removed.share, time_unit="season", replaces=removed.factors,
             label=Deferred(lambda: join("wall-hung gas heaters (efficiency ", fmt(efficiency), ")")))


def translate_electric(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of coal-to-electric conversions (see module docstring)."""
    _translate(batch, ctx, sink, ("electricity_per_household", "heat_pump_cop", "heater_efficiency"), _grid_power,
               batch.column("heater"))


def translate_gas(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of coal-to-gas conversions (see module docstring)."""
    _translate(batch, ctx, sink, ("heater_efficiency", "gas_heating_value"), _gas)


COAL_TO_ELECTRIC = MeasureType("coal_to_electric", ELECTRIC_KEYS, translate_electric,
                               "households switched from coal stoves to electric heating", NAMES)
COAL_TO_GAS = MeasureType("coal_to_gas", GAS_KEYS, translate_gas, "households switched from coal stoves to gas",
                          NAMES)
