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
)
from .batch import Batch, Number, Text, fmt, join
from .rows import Group, each_group
from .substitutes import electricity_rows, gas_rows, heat_to_kwh, useful_heat

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
    "households": Key(CountKind(), MISSING, "households converted", zh=("户数", "改造户数", "完成户数"),
                      scalable=True),
    "coal_per_household": Key(QuantityKind("t", "3 t"), None, "coal per household per heating season (table)",
                              zh=("户均用煤量", "户均燃煤量")),
    "fuel": Key(TextKind(), "raw_bituminous_coal", "household fuel (table subject)", zh=("燃料", "燃料类型", "煤种")),
    "reburn_rate": Key(FractionKind(), 0.0, "share of households still burning coal", zh=("复烧率", "返煤率")),
    "heating_value": Key(QuantityKind("GJ/t", "23 MJ/kg", positive=True), None, "coal heating value (table)",
                         zh=("热值", "低位发热量")),
    "stove_efficiency": Key(FractionKind(positive=True), None, "coal stove efficiency (table)", zh=("炉具效率",)),
    "heater_efficiency": Key(FractionKind(positive=True), None, "gas heater or resistance heater efficiency (table)",
                             zh=("取暖设备效率",)),
    **COMMON_KEYS,
}
ELECTRIC_KEYS = {
    **COMMON,
    "heater": Key(ChoiceKind(_heater_choice, "heat_pump or resistance"), "heat_pump", "electric heating installed",
                  zh=("取暖设备",)),
    "heat_pump_cop": Key(QuantityKind("dimensionless", "2.5", positive=True), None, "seasonal COP (table)",
                         zh=("热泵能效比",)),
    "electricity_per_household": Key(QuantityKind("kWh", "4000 kWh", positive=True), None, "per heating season",
                                     zh=("户均用电量",)),
}
GAS_KEYS = {
    **COMMON,
    "gas_heating_value": Key(QuantityKind("GJ/m^3", "36 MJ/m^3", positive=True), None,
                             "heating value of the gas (table)", zh=("天然气热值",)),
}


def coal_saved(households: Number, coal_per_household_t: Number, reburn_rate: Number) -> Number:
    """Coal no longer burned by converted households in a heating season.

    Parameters
    ----------
    households : float, array or Series
        Households converted. [1]
    coal_per_household_t : float, array or Series
        Coal a household burned per heating season. [t]
    reburn_rate : float, array or Series
        Share of them still burning coal, in [0, 1]. [1]

    Returns
    -------
    float, array or Series
        households x (1 - reburn_rate) x coal per household, per heating season. [t]
    """
    return households * (1.0 - reburn_rate) * coal_per_household_t


def _coal_per_household(ctx: Context, fuel: str) -> tuple[float, str]:
    for subject in (fuel, "", "coal"):
        row = ctx.table.parameter("household", "coal_per_household", subject, region=ctx.region)
        if row is not None:
            return ctx.parameter("household", "coal_per_household", subject, unit="t")[0], row.id
    raise ScenarioError("no default coal_per_household in the factor tables", field="coal_per_household",
                        hint="give coal_per_household, e.g. '3 t' per heating season")


def _coal_removed(group: Group) -> Removed:
    """Rows of the coal no longer burned; returns what the substitute must replace."""
    fuel = group.key("fuel")
    per_household: Number = group.floats("coal_per_household")
    source: Text = "given"
    if not group.gave("coal_per_household"):
        per_household, source = _coal_per_household(group.ctx, fuel)
    given, reburn = group.floats("households"), group.floats("reburn_rate")
    coal_t = coal_saved(given, per_household, reburn)
    share = group.in_effect(group.ctx.heating_share_after)
    factors = group.factors("household", fuel, f"household {fuel}", technology="traditional_stove")
    label = Deferred(lambda: join(f"household {fuel} stoves (", fmt(given), " households x (1 - reburn ", fmt(reburn),
                                  ") x ", fmt(per_household), " t/season [", source, "])"))
    group.removed(factors, coal_t, "t", source=label, time_share=share, time_unit="season")
    heating_value, _ = group.parameter("heating_value", "household", "heating_value", fuel, unit="GJ/t")
    efficiency, _ = group.parameter("stove_efficiency", "household", "efficiency", fuel, "traditional_stove")
    return Removed(useful_heat(coal_t, heating_value, efficiency), share, given * (1.0 - reburn),
                   (factors, f"household {fuel}"))


def _grid_power(group: Group) -> None:
    removed = _coal_removed(group)
    heat_gj, share, households = removed.heat_gj, removed.share, removed.households
    per_household = group.floats("electricity_per_household")
    if group.gave("electricity_per_household"):
        kwh: Number = households * per_household
        label: Deferred[Text] = Deferred(lambda: join("grid power, ", fmt(per_household), " kWh per household"))
    elif group.key("heater") == "heat_pump":
        cop, _ = group.parameter("heat_pump_cop", "electricity", "heat_pump_cop", "air_source_heat_pump")
        kwh, label = heat_to_kwh(heat_gj, cop), Deferred(lambda: join("grid power for heat pumps (COP ", fmt(cop), ")"))
    else:
        efficiency, _ = group.parameter("heater_efficiency", "electricity", "efficiency", "resistance_heater")
        kwh = heat_to_kwh(heat_gj, efficiency)
        label = Deferred(lambda: join("grid power for electric heaters (efficiency ", fmt(efficiency), ")"))
    electricity_rows(group, kwh=kwh, time_share=share, time_unit="season", label=label)


def _gas(group: Group) -> None:
    removed = _coal_removed(group)
    efficiency, _ = group.parameter("heater_efficiency", "gas", "efficiency", "natural_gas", "household_heater")
    heating_value, _ = group.parameter("gas_heating_value", "gas", "heating_value", "natural_gas", unit="GJ/m^3")
    gas_rows(group, heat_gj=removed.heat_gj, technology="household_heater", efficiency=efficiency,
             heating_value=heating_value, time_share=removed.share, time_unit="season", replaces=removed.factors,
             label=Deferred(lambda: join("wall-hung gas heaters (efficiency ", fmt(efficiency), ")")))


def translate_electric(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of coal-to-electric conversions (see module docstring)."""
    each_group(ELECTRIC_KEYS, batch, ctx, sink, _grid_power, fuel=NAMES["fuel"].column(batch, "fuel", ctx.table))


def translate_gas(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of coal-to-gas conversions (see module docstring)."""
    each_group(GAS_KEYS, batch, ctx, sink, _gas, fuel=NAMES["fuel"].column(batch, "fuel", ctx.table))


COAL_TO_ELECTRIC = MeasureType("coal_to_electric", ELECTRIC_KEYS, translate_electric,
                               "households switched from coal stoves to electric heating", NAMES,
                               zh=("煤改电", "电代煤"),
                               label=("煤改电", "coal to electric"))
COAL_TO_GAS = MeasureType("coal_to_gas", GAS_KEYS, translate_gas, "households switched from coal stoves to gas",
                          NAMES, zh=("煤改气", "气代煤"),
                          label=("煤改气", "coal to gas"))
