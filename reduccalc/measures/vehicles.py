"""Vehicle retirement (淘汰老旧车辆), optionally replaced by newer vehicles.

::

    km = count x annual_km [km/yr] x years in effect
    reduction = km x (EF_old - replacement_rate x EF_new)

Years in effect: the period on or after ``in_service``, each calendar year
counting its days / the days of that year (a whole 2024 is 1 year). EF_old is the
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

import numpy as np

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
from ..ledger import Deferred, LedgerBuilder
from ..vocabulary import VEHICLE_ALIASES, standard
from .base import (
    COMMON_KEYS,
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
from .batch import Batch, fmt, join


def _standard_or_none(value: Any) -> str:
    if str(value).strip().lower() in ("none", "无", ""):
        return "none"
    return standard(value)


NAMES = {"vehicle": TableName("vehicle", "vehicle class", VEHICLE_ALIASES)}
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


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of vehicle retirements (see module docstring)."""
    vehicle = NAMES["vehicle"].column(batch, "vehicle", ctx.table)
    keys = (vehicle, batch.column("standard"), batch.column("replaced_by"),
            *batch.pollutants("emission_factors").signature(),
            *batch.pollutants("replacement_emission_factors").signature(), given_keys(batch, "annual_km"))
    batch.each_group(lambda group: _translate_group(batch, group.index, ctx, sink, *group.keys[:3]), *keys)


def _translate_group(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder, vehicle: str,
                     old_standard: str, replaced_by: str) -> None:
    annual_km, km_source = parameter(ctx, batch, index, "annual_km", "vehicle", "annual_km", vehicle, unit="km/yr")
    count = batch.floats("count")[index]
    km = count * annual_km
    share = batch.distinct(index, ctx.period.years_in_effect, "in_service")
    label = Deferred(lambda: join(f"{vehicle} {old_standard} (", fmt(count), " x ", fmt(annual_km), " km/yr [",
                                  km_source, "])"))
    old = require_factors(resolve_factors(ctx, "vehicle", vehicle, standard=old_standard,
                                          inline=inline_factors(batch, "emission_factors", index)),
                          f"{vehicle} {old_standard}")
    add_rows(sink, batch, index, old, source=label, activity=km, activity_unit="km", sign=1.0, time_share=share,
             time_unit="yr")
    replaced = replaced_by != "none" or bool(batch.values["replacement_emission_factors"].named(index[0]))
    if not replaced:
        return
    rate = batch.floats("replacement_rate")[index]
    rate = np.where(np.isnan(rate), 1.0, rate)
    new_standard = "" if replaced_by == "none" else replaced_by
    # without a standard, the new vehicle is what its inline factors give
    new = resolve_factors(ctx, "vehicle", vehicle, standard=new_standard,
                          inline=inline_factors(batch, "replacement_emission_factors", index, ".replacement"),
                          complete=bool(new_standard))
    new = require_factors([f for f in new if f.inline or new_standard], f"{vehicle} {new_standard}")
    add_rows(sink, batch, index, new, source=f"replacement {vehicle} {new_standard or '(given factors)'}",
             activity=km, activity_unit="km", sign=-1.0, time_share=share, time_unit="yr",
             adjust={"replacement_rate": rate})


VEHICLE_RETIREMENT = MeasureType("vehicle_retirement", KEYS, translate, "old vehicles retired or replaced", NAMES)
