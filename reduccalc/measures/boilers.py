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
)
from .batch import Batch, Number, Text, fmt, join, objects
from .rows import Group, each_group
from .substitutes import district_heat_rows, electricity_rows, gas_rows, heat_to_kwh, useful_heat

SIZE_CLASSES = ("le10", "10to35", "gt35")
# fuel_use without capacity or size_class: plans phase out boilers of 35 t/h and less, most of whose
# capacity is in 10-35 t/h units, so their factors are used (a judged default; the ledger names the class)
DEFAULT_SIZE_CLASS = "10to35"
REPLACEMENTS = ("none", "natural_gas", "electric", "district_heat")
_MW_PER_T_STEAM_H = 0.7


def _size_choice(value: Any) -> str:
    return choice(value, frozenset(SIZE_CLASSES), "boiler size class")


def _replacement_choice(value: Any) -> str:
    return choice(value, frozenset(REPLACEMENTS), "replacement",
                  {"gas": "natural_gas", "天然气": "natural_gas", "电": "electric", "electricity": "electric",
                   "集中供热": "district_heat", "无": "none", "false": "none"})


NAMES = {"fuel": TableName("boiler", "boiler fuel", FUEL_ALIASES)}
KEYS = {
    "count": Key(CountKind(), None, "boilers", zh=("台数", "数量", "锅炉台数", "淘汰数量", "淘汰台数"), scalable=True),
    "capacity": Key(QuantityKind("MW", "10 t_steam/h", positive=True), None, "rated output per boiler",
                    zh=("额定蒸发量", "额定出力", "容量", "单台容量"), scalable=True),
    "hours": Key(QuantityKind("h", "2000 h"), None, "full-load hours in the period",
                 zh=("运行小时", "年运行时间", "运行时间", "满负荷小时数"), scalable=True),
    "efficiency": Key(FractionKind(positive=True), None, "boiler thermal efficiency (table)",
                      zh=("热效率", "锅炉效率")),
    "heating_value": Key(QuantityKind("GJ/t", "20.9 MJ/kg", positive=True), None, "coal heating value (table)",
                         zh=("热值", "低位发热量")),
    "fuel_use": Key(QuantityKind("t", "5000 t"), None, "coal burned in the period; replaces the capacity route",
                    zh=("燃煤量", "耗煤量", "年耗煤量"), scalable=True),
    "fuel": Key(TextKind(), "bituminous_coal", "fuel (table subject)", zh=("燃料", "燃料类型", "煤种")),
    "size_class": Key(ChoiceKind(_size_choice, "le10, 10to35 or gt35"), None, "default: from capacity",
                      zh=("规模等级",)),
    "sulfur_content": Key(FractionKind(), None, "as-received sulfur, e.g. '1.2%' (table)", zh=("含硫量", "硫分")),
    "ash_content": Key(FractionKind(), None, "as-received ash, e.g. '25%' (table)", zh=("灰分",)),
    "removal_efficiency": Key(PollutantMapKind(FractionKind()), None, "extra removal on top of the factor",
                              zh=("去除效率", "脱除效率")),
    "replacement": Key(ChoiceKind(_replacement_choice, "none, natural_gas, electric or district_heat"), "none",
                       "what supplies the heat instead", zh=("替代方式", "替代能源", "改造方式")),
    "replacement_efficiency": Key(FractionKind(positive=True), None,
                                  "efficiency of the new gas/electric boiler (table)", zh=("替代设备效率",)),
    "gas_heating_value": Key(QuantityKind("GJ/m^3", "36 MJ/m^3", positive=True), None,
                             "heating value of the replacing gas (table)", zh=("天然气热值",)),
    "heating": Key(BoolKind(), False, "a heating boiler: in_service scales by the heating profile",
                   zh=("供暖锅炉",)),
    **COMMON_KEYS,
}


def fuel_burned(count: Number, capacity_mw: Number, hours: Number, efficiency: Number,
                heating_value_gj_per_t: Number) -> Number:
    """Coal a boiler fleet burns at full load.

    Parameters
    ----------
    count : float, array or Series
        Boilers. [1]
    capacity_mw : float, array or Series
        Rated output per boiler. [MW]
    hours : float, array or Series
        Full-load hours. [h]
    efficiency : float, array or Series
        Thermal efficiency, in (0, 1]. [1]
    heating_value_gj_per_t : float, array or Series
        Heating value of the coal. [GJ/t]

    Returns
    -------
    float, array or Series
        Coal burned: count x capacity x hours x 3.6 GJ/MWh / (efficiency x heating value). [t]
    """
    return count * capacity_mw * hours * GJ_PER_MWH / (efficiency * heating_value_gj_per_t)


def size_classes(capacity_mw: np.ndarray) -> np.ndarray:
    """Size class of each boiler of ``capacity_mw`` [MW] (le10: <= 10 t_steam/h, 10to35: <= 35 t_steam/h, gt35); NaN (fuel_use without
    capacity) gives :data:`DEFAULT_SIZE_CLASS`."""
    steam = capacity_mw / _MW_PER_T_STEAM_H
    # bins closed on the right: 10 t_steam/h is le10
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
    klass = np.where(batch.given("size_class"), batch.column("size_class"), size_classes(batch.floats("capacity")))
    route = ~np.isnan(batch.floats("fuel_use"))
    _missing(batch, route)
    each_group(KEYS, batch, ctx, sink, _translate_group, fuel=fuel, size_class=klass, by_fuel_use=route)


def _translate_group(group: Group) -> None:
    ctx = group.ctx
    fuel, klass, replacement = group.key("fuel"), group.key("size_class"), group.key("replacement")
    efficiency, efficiency_id = group.parameter("efficiency", "boiler", "efficiency", fuel, klass)
    heating_value, heating_value_id = group.parameter("heating_value", "boiler", "heating_value", fuel, unit="GJ/t")
    source: Text | Deferred[Text]
    if group.key("by_fuel_use"):
        fuel_t: Number = group.floats("fuel_use")
        source = f"{fuel} boiler {klass} (fuel_use)"
    else:
        count, capacity, hours = (group.floats(k) for k in ("count", "capacity", "hours"))
        fuel_t = fuel_burned(count, capacity, hours, efficiency, heating_value)
        source = Deferred(lambda: join(f"{fuel} boiler {klass} (", fmt(count), " x ", fmt(capacity), " MW x ",
                                       fmt(hours), " h x 3.6 / (", fmt(efficiency), " [", efficiency_id, "] x ",
                                       fmt(heating_value), " GJ/t [", heating_value_id, "]))"))
    contents: dict[str, Number] = {}
    for name in ("sulfur_content", "ash_content"):
        if group.gave(name):
            contents[name] = group.floats(name) * 100.0
            continue
        try:
            contents[name], _ = ctx.parameter("boiler", name, fuel, unit="percent")
        except ScenarioError:
            continue  # only needed when a factor scales with it; add_rows says so then
    share = _time_share(group.batch, group.index, group.key("heating"), ctx)
    factors = group.factors("boiler", fuel, f"{fuel} boilers ({klass})", technology=klass)
    group.removed(factors, fuel_t, "t", source=source, time_share=share, contents=contents,
                  removal=group.batch.pollutants("removal_efficiency").take(group.index))
    if replacement == "none":
        return
    heat_gj = useful_heat(fuel_t, heating_value, efficiency)
    if replacement == "natural_gas":
        new_efficiency, _ = group.parameter("replacement_efficiency", "gas", "efficiency", "natural_gas", "boiler")
        gas_hv, _ = group.parameter("gas_heating_value", "gas", "heating_value", "natural_gas", unit="GJ/m^3")
        gas_rows(group, heat_gj=heat_gj, technology="boiler", efficiency=new_efficiency,
                 heating_value=gas_hv, time_share=share, replaces=(factors, f"{fuel} boiler ({klass})"),
                 label=Deferred(lambda: join("gas boiler replacing it (efficiency ", fmt(new_efficiency), ")")))
    elif replacement == "electric":
        new_efficiency, _ = group.parameter("replacement_efficiency", "electricity", "efficiency", "electric_boiler")
        electricity_rows(group, kwh=heat_to_kwh(heat_gj, new_efficiency), time_share=share,
                         label=Deferred(lambda: join("grid power for an electric boiler (efficiency ",
                                                     fmt(new_efficiency), ")")))
    else:
        district_heat_rows(group, heat_gj=heat_gj, time_share=share,
                           label="district heat replacing it", replaces=(factors, f"{fuel} boiler ({klass})"))


BOILER_PHASEOUT = MeasureType("boiler_phaseout", KEYS, translate, "coal boilers taken out of service", NAMES,
                              zh=("锅炉淘汰", "淘汰燃煤锅炉", "燃煤锅炉淘汰"),
                              label=("燃煤锅炉淘汰", "coal boiler phase-out"))
