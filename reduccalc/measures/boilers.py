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

from ..errors import ScenarioError
from ..fields import BoolKind, ChoiceKind, CountKind, FractionKind, Key, PollutantMapKind, QuantityKind, TextKind
from ..ledger import LedgerBuilder
from ..vocabulary import FUEL_ALIASES, choice
from .base import COMMON_KEYS, GJ_PER_MWH, Context, MeasureType, add_rows, require_factors, resolve_factors
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


KEYS = {
    "count": Key(CountKind(), None, "boilers"),
    "capacity": Key(QuantityKind("MW", "10 t_steam/h", positive=True), None, "rated output per boiler"),
    "hours": Key(QuantityKind("h", "2000 h"), None, "full-load hours in the period"),
    "efficiency": Key(FractionKind(), None, "boiler thermal efficiency (table)"),
    "heating_value": Key(QuantityKind("GJ/t", "20.9 MJ/kg", positive=True), None, "coal heating value (table)"),
    "fuel_use": Key(QuantityKind("t", "5000 t"), None, "coal burned in the period; replaces the capacity route"),
    "fuel": Key(TextKind(), "bituminous_coal", "fuel (table subject)"),
    "size_class": Key(ChoiceKind(_size_choice, "le10, 10to35 or gt35"), None, "default: from capacity"),
    "sulfur_content": Key(FractionKind(), None, "as-received sulfur, e.g. '1.2%' (table)"),
    "ash_content": Key(FractionKind(), None, "as-received ash, e.g. '25%' (table)"),
    "removal_efficiency": Key(PollutantMapKind(FractionKind()), None, "extra removal on top of the factor"),
    "replacement": Key(ChoiceKind(_replacement_choice, "none, natural_gas, electric or district_heat"), "none"),
    "replacement_efficiency": Key(FractionKind(), None, "efficiency of the new gas/electric boiler (table)"),
    "gas_heating_value": Key(QuantityKind("GJ/m^3", "36 MJ/m^3", positive=True), None, "table"),
    "heating": Key(BoolKind(), False, "a heating boiler: in_service scales by the heating profile"),
    **COMMON_KEYS,
}


def _time_share(m: dict[str, Any], ctx: Context) -> float:
    if m["heating"]:
        whole = ctx.heating_share_after(None)
        if whole > 0:
            return ctx.heating_share_after(m["in_service"]) / whole
    return ctx.period.share(m["in_service"])


def translate(m: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str, row: str = "") -> None:
    """Ledger rows of one boiler phase-out (see module docstring)."""
    fuel = choice(m["fuel"], frozenset(ctx.table.subjects("boiler")) or frozenset([m["fuel"]]), "boiler fuel",
                  FUEL_ALIASES)
    capacity = m["capacity"]
    klass = m["size_class"] or (size_class(capacity) if capacity is not None else DEFAULT_SIZE_CLASS)
    efficiency, efficiency_id = ctx.parameter("boiler", "efficiency", fuel, klass, given=m["efficiency"])
    heating_value, hv_id = ctx.parameter("boiler", "heating_value", fuel, unit="GJ/t", given=m["heating_value"])
    if m["fuel_use"] is not None:
        fuel_t, basis = m["fuel_use"], "fuel_use"
    else:
        missing = [k for k in ("count", "hours", "capacity") if m[k] is None]
        if missing:
            raise ScenarioError(f"missing {', '.join(missing)}: give count, capacity and hours, or fuel_use",
                                field=missing[0])
        fuel_t = m["count"] * capacity * m["hours"] * GJ_PER_MWH / (efficiency * heating_value)
        basis = (f"{m['count']:g} x {capacity:g} MW x {m['hours']:g} h x 3.6 / "
                 f"({efficiency:g} [{efficiency_id}] x {heating_value:g} GJ/t [{hv_id}])")
    contents = {}
    for name in ("sulfur_content", "ash_content"):
        given = None if m[name] is None else m[name] * 100.0
        try:
            contents[name], _ = ctx.parameter("boiler", name, fuel, unit="percent", given=given)
        except ScenarioError:
            continue  # only needed when a factor scales with it; add_rows says so then
    share = _time_share(m, ctx)
    factors = require_factors(resolve_factors(ctx, "boiler", fuel, technology=klass, inline=m["emission_factors"],
                                              inline_id=f"{ctx.county}.{measure}"), f"{fuel} boilers ({klass})")
    add_rows(sink, ctx, factors, measure=measure, type="boiler_phaseout", source=f"{fuel} boiler {klass} ({basis})",
             activity=fuel_t, activity_unit="t", sign=1.0, time_share=share, contents=contents,
             removal=m["removal_efficiency"], row=row)
    if m["replacement"] == "none":
        return
    heat_gj = fuel_t * heating_value * efficiency
    if m["replacement"] == "natural_gas":
        new_efficiency, _ = ctx.parameter("gas", "efficiency", "natural_gas", "boiler",
                                          given=m["replacement_efficiency"])
        gas_hv, _ = ctx.parameter("gas", "heating_value", "natural_gas", unit="GJ/m^3", given=m["gas_heating_value"])
        gas_rows(sink, ctx, heat_gj=heat_gj, technology="boiler", efficiency=new_efficiency, heating_value=gas_hv,
                 measure=measure, type="boiler_phaseout", time_share=share,
                 label=f"gas boiler replacing it (efficiency {new_efficiency:g})", row=row)
    elif m["replacement"] == "electric":
        new_efficiency, _ = ctx.parameter("electricity", "efficiency", "electric_boiler",
                                          given=m["replacement_efficiency"])
        counted = ctx.count_upstream if m["count_upstream"] is None else m["count_upstream"]
        electricity_rows(sink, ctx, kwh=heat_to_kwh(heat_gj, new_efficiency), measure=measure,
                         type="boiler_phaseout", time_share=share, counted=counted,
                         label=f"grid power for an electric boiler (efficiency {new_efficiency:g})", row=row)
    else:
        district_heat_rows(sink, ctx, heat_gj=heat_gj, measure=measure, type="boiler_phaseout", time_share=share,
                           label="district heat replacing it", row=row)


BOILER_PHASEOUT = MeasureType("boiler_phaseout", KEYS, translate, "coal boilers taken out of service")
