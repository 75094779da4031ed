"""A custom measure: any activity times given factors.

::

    reduction = activity x EF x reduction

``activity`` is a quantity for the period (``"2000 t"``, ``"1.5e6 m^3"``),
scaled by the share of the period on or after ``in_service``, or a rate
written ``amount/time`` (``"500 t/yr"``, ``"40 t/d"``, ``"10 kg/h"``),
multiplied by the time in effect: years in effect (each calendar year
counting its days / the days of that year) for a rate per year, days (or
hours) in effect otherwise. Every factor is given inline in
``emission_factors`` and must turn the activity's amount into a mass.

Keys: ``activity``, ``emission_factors``, ``reduction`` (1), ``label``,
``in_service``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..fields import FACTOR, MISSING, FractionKind, Key, PollutantMapKind, RawQuantityKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..units import conversion, unit_of
from .base import COMMON_KEYS, Context, MeasureType
from .batch import Batch, Text, fmt, join, objects
from .rows import Group, each_group

ACTIVITY = RawQuantityKind("2000 t", "an activity")

KEYS = {
    "activity": Key(ACTIVITY, MISSING, "a quantity for the period ('2000 t') or a rate ('500 t/yr')",
                    zh=("活动水平",), scalable=True),
    "emission_factors": Key(PollutantMapKind(FACTOR), MISSING, "factors, e.g. {NOx: '2 kg/t'}", zh=("排放因子",)),
    "reduction": Key(FractionKind(), 1.0, "share of the activity's emissions removed", zh=("削减比例",)),
    "label": Key(TextKind(), "", "what the activity is", zh=("说明",), per_measure=True),
    **{k: v for k, v in COMMON_KEYS.items() if k != "emission_factors"},
}


def _rate(unit: str) -> tuple[str, str] | None:
    """``(amount unit, time unit)`` of a rate written ``amount/time`` (``t/yr`` -> ``("t", "yr")``), or None
    for an amount."""
    amount, slash, per = unit.rpartition("/")
    if not slash or not amount.strip():
        return None
    try:
        is_time = unit_of(per.strip()).dimensionality == {"[time]": 1}
    except Exception:  # not a unit by itself: "(t/yr)" and the like are amounts to pint's reading
        return None
    return (amount.strip(), per.strip()) if is_time else None


def _time_in_effect(ctx: Context, per: str) -> Callable[[Any], float]:
    """Time in effect [``per``] after an ``in_service`` date: years in effect for a year, days otherwise."""
    if conversion(per, "yr") == 1.0:
        return ctx.period.years_in_effect
    days = conversion("d", per)
    return lambda in_service: ctx.period.days_in_effect(in_service) * days


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of custom measures (see module docstring)."""
    amounts, units = _activities(batch)
    each_group(KEYS, batch, ctx, sink, lambda group: _translate_group(group, amounts[group.index]),
               activity_unit=units)


def _activities(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each measure's activity, split once for the whole batch: its amount [its unit] and its unit (object array)."""
    pairs = batch.column("activity").tolist()
    return np.array([amount for amount, _ in pairs], dtype=np.float64), objects([unit for _, unit in pairs])


def _translate_group(group: Group, value: np.ndarray) -> None:
    unit = group.key("activity_unit")
    rate = _rate(unit)
    if rate is None:  # an amount for the period
        activity_unit, time_unit = unit, ""
        share = group.in_effect(group.ctx.period.share)
    else:
        activity_unit, time_unit = rate
        share = group.in_effect(_time_in_effect(group.ctx, time_unit))
    label = group.column("label")
    source: Deferred[Text] = Deferred(lambda: np.where(label != "", label, join("activity ", fmt(value), f" {unit}")))
    group.removed(list(group.inline().values()), value, activity_unit, source=source, time_share=share,
                  time_unit=time_unit, adjust={"reduction": group.floats("reduction")})


CUSTOM = MeasureType("custom", KEYS, translate, "any activity times given factors", zh=("自定义", "其他"),
                     label=("其他措施", "custom measure"))
