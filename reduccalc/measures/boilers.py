"""Coal boiler phase-out (淘汰燃煤锅炉).

Fuel no longer burned over the period::

    fuel [t] = count x capacity [MW] x hours [h] x 3.6 GJ/MWh / (efficiency x heating_value [GJ/t])

or ``fuel_use`` directly. Reduction = fuel x EF x (1 - removal) x time share
- replacement emissions (same useful heat from gas, grid power or district
heat; see :mod:`reduccalc.measures.substitutes`).

The table's factor depends on the boiler's size class, from ``capacity``
(``le10``: <= 10 t_steam/h, ``10to35``: <= 35 t_steam/h, ``gt35``) or given
as ``size_class``; with ``fuel_use`` and neither, ``10to35`` (judged: most of
the capacity of the <= 35 t/h boilers that plans phase out). SO2 (and ash-based PM) factors are per percent of sulfur
(ash) in the coal: ``sulfur_content``/``ash_content``, default the table's
regional coal quality. Time: ``hours`` and ``fuel_use`` are for the period;
with ``in_service`` they are scaled by the share of the period's days on or
after it, or, for ``heating: true`` boilers, by the share of the period's
heating (heating profile).

Keys: ``count``, ``capacity`` (per boiler), ``hours`` (full-load hours in the
period), ``efficiency`` (table), ``heating_value`` (table), ``fuel_use``,
``fuel`` (``bituminous_coal``), ``size_class``, ``sulfur_content``,
``ash_content``, ``removal_efficiency`` {pollutant: fraction} (0),
``replacement`` none/natural_gas/electric/district_heat (none),
``replacement_efficiency`` (table: gas boiler or electric boiler efficiency),
``gas_heating_value`` (table), ``heating`` (false), ``in_service``,
``emission_factors``, ``count_upstream``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..fields import BoolKind, ChoiceKind, CountKind, FractionKind, Key, PollutantMapKind, QuantityKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..vocabulary import FUEL_ALIASES, choice
from .base import (
    COMMON_KEYS,
    GJ_PER_MWH,
    Context,
    MeasureType,
    TableName,
    add_rows,
    given_keys,
    inline_factors,
    parameter,
    require_factors,
    resolve_factors,
)
from .batch import Batch, Number, Text, fmt, join, objects
from .substitutes import district_heat_rows, electricity_rows, gas_rows, heat_to_kwh

SIZE_CLASSES = ("le10", "10to35", "gt35")
# fuel_use without capacity or size_class: plans phase out boilers of 35 t/h and less, most of whose
# capacity is in 10-35 t/h units, so their factors are used (a judged default; the ledger names the class)
DEFAULT_SIZE_CLASS = "10to35"
REPLACEMENTS = ("none", "natural_gas", "electric", "district_heat")
_MW_PER_T_STEAM_H = 0.7


def size_class(capacity_mw: float) -> str:
    """Size class of a boiler of ``capacity_mw`` [MW]: le10, 10to35 or gt35 (t_steam/h)."""
    steam = capacity_mw / _MW_PER_T_STEAM_H
    if steam <= 10 + 1e-9:
        return "le10"
    if steam <= 35 + 1e-9:
        return "10to35"
    return "gt35"


def _size_choice(value: Any) -> str:
    return choice(value, frozenset(SIZE_CLASSES), "boiler size class")


def _replacement_choice(value: Any) -> str:
    return choice(value, frozenset(REPLACEMENTS), "replacement",
                  {"gas": "natural_gas", "天然气": "natural_gas", "电": "electric", "electricity": "electric",
                   "集中供热": "district_heat", "无": "none", "false": "none"})


NAMES = {"fuel": TableName("boiler", "boiler fuel", FUEL_ALIASES)}
KEYS = {
    "count": Key(CountKind(), None, "boilers"),
    "capacity": Key(QuantityKind("MW", "10 t_steam/h", positive=True), None, "rated output per boiler"),
    "hours": Key(QuantityKind("h", "2000 h"), None, "full-load hours in the period"),
    "efficiency": Key(FractionKind(positive=True), None, "boiler thermal efficiency (table)"),
    "heating_value": Key(QuantityKind("GJ/t", "20.9 MJ/kg", positive=True), None, "coal heating value (table)"),
    "fuel_use": Key(QuantityKind("t", "5000 t"), None, "coal burned in the period; replaces the capacity route"),
    "fuel": Key(TextKind(), "bituminous_coal", "fuel (table subject)"),
    "size_class": Key(ChoiceKind(_size_choice, "le10, 10to35 or gt35"), None, "default: from capacity"),
    "sulfur_content": Key(FractionKind(), None, "as-received sulfur, e.g. '1.2%' (table)"),
    "ash_content": Key(FractionKind(), None, "as-received ash, e.g. '25%' (table)"),
    "removal_efficiency": Key(PollutantMapKind(FractionKind()), None, "extra removal on top of the factor"),
    "replacement": Key(ChoiceKind(_replacement_choice, "none, natural_gas, electric or district_heat"), "none"),
    "replacement_efficiency": Key(FractionKind(positive=True), None, "efficiency of the new gas/electric boiler (table)"),
    "gas_heating_value": Key(QuantityKind("GJ/m^3", "36 MJ/m^3", positive=True), None, "table"),
    "heating": Key(BoolKind(), False, "a heating boiler: in_service scales by the heating profile"),
    **COMMON_KEYS,
}


def size_classes(capacity_mw: np.ndarray) -> np.ndarray:
    """Size class of each boiler of ``capacity_mw`` [MW] (see :func:`size_class`); NaN (fuel_use without
    capacity) gives :data:`DEFAULT_SIZE_CLASS`."""
    steam = capacity_mw / _MW_PER_T_STEAM_H
    # bins closed on the right, as in size_class
    classes = objects(SIZE_CLASSES)[np.digitize(steam, [10 + 1e-9, 35 + 1e-9], right=True)]
    classes[np.isnan(capacity_mw)] = DEFAULT_SIZE_CLASS
    return classes


def _time_share(batch: Batch, index: np.ndarray, heating: bool, ctx: Context) -> np.ndarray:
    whole = ctx.heating_share_after(None)
    if heating and whole > 0:
        return batch.distinct(index, lambda day: ctx.heating_share_after(day) / whole, "in_service")
    return batch.distinct(index, ctx.period.share, "in_service")


def _missing(batch: Batch, route: np.ndarray) -> None:
    """Fails capacity-route measures missing count, hours or capacity."""
    gaps = np.stack([np.isnan(batch.floats(k)) & ~route for k in ("count", "hours", "capacity")], axis=1)
    for pattern in {tuple(row) for row in gaps[gaps.any(axis=1)].tolist()}:
        missing = [k for k, gap in zip(("count", "hours", "capacity"), pattern) if gap]
        batch.fail(np.flatnonzero((gaps == pattern).all(axis=1)), ScenarioError(
            f"missing {', '.join(missing)}: give count, capacity and hours, or fuel_use", field=missing[0]))


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of boiler phase-outs (see module docstring)."""
    fuel = NAMES["fuel"].column(batch, "fuel", ctx.table)
    capacity = batch.floats("capacity")
    klass = np.where(batch.given("size_class"), batch.column("size_class"), size_classes(capacity))
    route = ~np.isnan(batch.floats("fuel_use"))
    _missing(batch, route)
    keys = (fuel, klass, route, batch.column("replacement"), batch.column("heating"),
            *batch.pollutants("emission_factors").signature(), *batch.pollutants("removal_efficiency").signature(),
            given_keys(batch, "efficiency", "heating_value", "sulfur_content", "ash_content",
                       "replacement_efficiency", "gas_heating_value"))
    batch.each_group(lambda group: _translate_group(batch, group.index, ctx, sink, *group.keys[:5]), *keys)


def _translate_group(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder, fuel: str, klass: str,
                     by_fuel_use: bool, replacement: str, heating: bool) -> None:
    efficiency, efficiency_id = parameter(ctx, batch, index, "efficiency", "boiler", "efficiency", fuel, klass)
    heating_value, hv_id = parameter(ctx, batch, index, "heating_value", "boiler", "heating_value", fuel,
                                     unit="GJ/t")
    source: Text | Deferred[Text]
    if by_fuel_use:
        fuel_t: Number = batch.floats("fuel_use")[index]
        source = f"{fuel} boiler {klass} (fuel_use)"
    else:
        count, capacity, hours = (batch.floats(k)[index] for k in ("count", "capacity", "hours"))
        fuel_t = count * capacity * hours * GJ_PER_MWH / (efficiency * heating_value)
        source = Deferred(lambda: join(f"{fuel} boiler {klass} (", fmt(count), " x ", fmt(capacity), " MW x ",
                                       fmt(hours), " h x 3.6 / (", fmt(efficiency), " [", efficiency_id, "] x ",
                                       fmt(heating_value), " GJ/t [", hv_id, "]))"))
    contents: dict[str, Number] = {}
    for name in ("sulfur_content", "ash_content"):
        given = batch.floats(name)[index]
        if not np.isnan(given[0]):
            contents[name] = given * 100.0
            continue
        try:
            contents[name], _ = ctx.parameter("boiler", name, fuel, unit="percent")
        except ScenarioError:
            continue  # only needed when a factor scales with it; add_rows says so then
    share = _time_share(batch, index, heating, ctx)
    factors = require_factors(resolve_factors(ctx, "boiler", fuel, technology=klass,
                                              inline=inline_factors(batch, "emission_factors", index)),
                              f"{fuel} boilers ({klass})")
    add_rows(sink, batch, index, factors, source=source, activity=fuel_t,
             activity_unit="t", sign=1.0, time_share=share, contents=contents,
             removal=batch.pollutants("removal_efficiency").take(index))
    if replacement == "none":
        return
    heat_gj = fuel_t * heating_value * efficiency
    if replacement == "natural_gas":
        new_efficiency, _ = parameter(ctx, batch, index, "replacement_efficiency", "gas", "efficiency",
                                      "natural_gas", "boiler")
        gas_hv, _ = parameter(ctx, batch, index, "gas_heating_value", "gas", "heating_value", "natural_gas",
                              unit="GJ/m^3")
        gas_rows(sink, batch, index, ctx, heat_gj=heat_gj, technology="boiler", efficiency=new_efficiency,
                 heating_value=gas_hv, time_share=share, replaces=(factors, f"{fuel} boiler ({klass})"),
                 label=Deferred(lambda: join("gas boiler replacing it (efficiency ", fmt(new_efficiency), ")")))
    elif replacement == "electric":
        new_efficiency, _ = parameter(ctx, batch, index, "replacement_efficiency", "electricity", "efficiency",
                                      "electric_boiler")
        electricity_rows(sink, batch, index, ctx, kwh=heat_to_kwh(heat_gj, new_efficiency), time_share=share,
                         counted=batch.counted(index, ctx.count_upstream),
                         label=Deferred(lambda: join("grid power for an electric boiler (efficiency ",
                                                     fmt(new_efficiency), ")")))
    else:
        district_heat_rows(sink, batch, index, ctx, heat_gj=heat_gj, time_share=share,
                           label="district heat replacing it", replaces=(factors, f"{fuel} boiler ({klass})"))


BOILER_PHASEOUT = MeasureType("boiler_phaseout", KEYS, translate, "coal boilers taken out of service", NAMES)
