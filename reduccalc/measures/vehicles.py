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
    require_factors,
    resolve_factors,
)
from .batch import Batch, Number, fmt, join
from .rows import Group, each_group


def _standard_or_none(value: Any) -> str:
    if str(value).strip().lower() in ("none", "无", ""):
        return "none"
    return standard(value)


NAMES = {"vehicle": TableName("vehicle", "vehicle class", VEHICLE_ALIASES)}
KEYS = {
    "count": Key(CountKind(), MISSING, "vehicles retired", zh=("台数", "数量", "车辆数", "淘汰数量"), scalable=True),
    "vehicle": Key(TextKind(), MISSING, "vehicle class, e.g. heavy_duty_diesel_truck", zh=("车型", "车辆类型")),
    "standard": Key(ChoiceKind(standard, "a standard like 'China III' or 国三"), MISSING, "emission standard",
                    zh=("排放标准", "排放阶段")),
    "annual_km": Key(QuantityKind("km/yr", "50000 km/yr"), None, "distance per vehicle per year (table)",
                     zh=("年行驶里程", "年均行驶里程"), scalable=True),
    "replaced_by": Key(ChoiceKind(_standard_or_none, "a standard like 'China VI', or none"), "none",
                       "standard of the new vehicles", zh=("更新车辆排放标准",)),
    "replacement_rate": Key(FractionKind(), None, "share of retired vehicles replaced (1 if replaced_by)",
                            zh=("更新比例",)),
    "replacement_emission_factors": Key(PollutantMapKind(FACTOR), None, "inline factors of the new vehicle",
                                        zh=("更新车辆排放因子",)),
    **COMMON_KEYS,
}


def distance(count: Number, annual_km: Number) -> Number:
    """Distance the retired vehicles drove per year.

    Parameters
    ----------
    count : float, array or Series
        Vehicles. [1]
    annual_km : float, array or Series
        Distance per vehicle per year. [km/yr]

    Returns
    -------
    float, array or Series
        count x annual_km. [km/yr]
    """
    return count * annual_km


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of vehicle retirements (see module docstring)."""
    each_group(KEYS, batch, ctx, sink, _translate_group,
               vehicle=NAMES["vehicle"].column(batch, "vehicle", ctx.table))


def _translate_group(group: Group) -> None:
    vehicle, old_standard, replaced_by = group.key("vehicle"), group.key("standard"), group.key("replaced_by")
    annual_km, km_source = group.parameter("annual_km", "vehicle", "annual_km", vehicle, unit="km/yr")
    count = group.floats("count")
    km = distance(count, annual_km)
    years = group.years_in_effect()
    label = Deferred(lambda: join(f"{vehicle} {old_standard} (", fmt(count), " x ", fmt(annual_km), " km/yr [",
                                  km_source, "])"))
    old = group.factors("vehicle", vehicle, f"{vehicle} {old_standard}", standard=old_standard)
    group.removed(old, km, "km", source=label, time_share=years, time_unit="yr")
    replaced = replaced_by != "none" or bool(group.batch.values["replacement_emission_factors"].named(group.index[0]))
    if not replaced:
        return
    rate = group.floats("replacement_rate")
    rate = np.where(np.isnan(rate), 1.0, rate)
    new_standard = "" if replaced_by == "none" else replaced_by
    # without a standard, the new vehicle is what its inline factors give
    new = resolve_factors(group.ctx, "vehicle", vehicle, standard=new_standard,
                          inline=group.inline("replacement_emission_factors", ".replacement"),
                          complete=bool(new_standard))
    new = require_factors([f for f in new if f.inline or new_standard], f"{vehicle} {new_standard}")
    group.added(new, km, "km", source=f"replacement {vehicle} {new_standard or '(given factors)'}", time_share=years,
                time_unit="yr", adjust={"replacement_rate": rate})


VEHICLE_RETIREMENT = MeasureType("vehicle_retirement", KEYS, translate, "old vehicles retired or replaced", NAMES,
                                 zh=("淘汰老旧车辆", "老旧车辆淘汰", "老旧车淘汰"),
                                 label=("老旧车辆淘汰", "vehicle retirement"))
