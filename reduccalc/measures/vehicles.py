"""Vehicle retirement (淘汰老旧车辆), optionally replaced by newer vehicles.

::

    km = count x annual_km [km/yr] x days in effect / 365
    reduction = km x (EF_old - replacement_rate x EF_new)

Days in effect: days of the period on or after ``in_service``. EF_old is the
table's factor for ``vehicle`` at ``standard`` (or inline
``emission_factors``); EF_new the factor at ``replaced_by`` (or inline
``replacement_emission_factors``); ``replacement_rate`` defaults to 1 when
``replaced_by`` is given.

Keys: ``count``, ``vehicle`` (class), ``standard`` (``China III``, ``国三``,
``III``), ``annual_km`` (table), ``replaced_by`` (a standard; none),
``replacement_rate``, ``replacement_emission_factors``, ``in_service``,
``emission_factors``.
"""

from __future__ import annotations

from typing import Any

from ..fields import (
    FACTOR,
    MISSING,
    ChoiceKind,
    CountKind,
    FractionKind,
    Key,
    PollutantMapKind,
    QuantityKind,
    TextKind,
)
from ..ledger import LedgerBuilder
from ..vocabulary import VEHICLE_ALIASES, choice, standard
from .base import COMMON_KEYS, Context, MeasureType, add_rows, require_factors, resolve_factors


def _standard_or_none(value: Any) -> str:
    if str(value).strip().lower() in ("none", "无", ""):
        return "none"
    return standard(value)


KEYS = {
    "count": Key(CountKind(), MISSING, "vehicles retired"),
    "vehicle": Key(TextKind(), MISSING, "vehicle class, e.g. heavy_duty_diesel_truck"),
    "standard": Key(ChoiceKind(standard, "a standard like 'China III' or 国三"), MISSING),
    "annual_km": Key(QuantityKind("km/yr", "50000 km/yr"), None, "distance per vehicle per year (table)"),
    "replaced_by": Key(ChoiceKind(_standard_or_none, "a standard like 'China VI', or none"), "none"),
    "replacement_rate": Key(FractionKind(), None, "share of retired vehicles replaced (1 if replaced_by)"),
    "replacement_emission_factors": Key(PollutantMapKind(FACTOR), None, "inline factors of the new vehicle"),
    **COMMON_KEYS,
}


def translate(m: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str, row: str = "") -> None:
    """Ledger rows of one vehicle retirement (see module docstring)."""
    vehicle = choice(m["vehicle"], frozenset(ctx.table.subjects("vehicle")) or frozenset([m["vehicle"]]),
                     "vehicle class", VEHICLE_ALIASES)
    annual_km, km_source = ctx.parameter("vehicle", "annual_km", vehicle, unit="km/yr", given=m["annual_km"])
    days = ctx.period.days_in_effect(m["in_service"])
    km = m["count"] * annual_km
    share = days / 365.0
    label = f"{vehicle} {m['standard']} ({m['count']:g} x {annual_km:g} km/yr [{km_source}])"
    old = require_factors(resolve_factors(ctx, "vehicle", vehicle, standard=m["standard"],
                                          inline=m["emission_factors"], inline_id=f"{ctx.county}.{measure}"),
                          f"{vehicle} {m['standard']}")
    add_rows(sink, ctx, old, measure=measure, type="vehicle_retirement", source=label, activity=km,
             activity_unit="km", sign=1.0, time_share=share, row=row)
    replaced = m["replaced_by"] != "none" or m["replacement_emission_factors"]
    if not replaced:
        return
    rate = 1.0 if m["replacement_rate"] is None else m["replacement_rate"]
    new_standard = "" if m["replaced_by"] == "none" else m["replaced_by"]
    new = resolve_factors(ctx, "vehicle", vehicle, standard=new_standard,
                          inline=m["replacement_emission_factors"], inline_id=f"{ctx.county}.{measure}.replacement")
    new = require_factors([f for f in new if f.factor_id.startswith("inline") or new_standard],
                          f"{vehicle} {new_standard}")
    add_rows(sink, ctx, new, measure=measure, type="vehicle_retirement",
             source=f"replacement {vehicle} {new_standard or '(given factors)'}", activity=km, activity_unit="km",
             sign=-1.0, time_share=share, adjust={"replacement_rate": rate}, row=row)


VEHICLE_RETIREMENT = MeasureType("vehicle_retirement", KEYS, translate, "old vehicles retired or replaced")
