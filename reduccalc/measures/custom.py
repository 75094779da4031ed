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
from .base import COMMON_KEYS, Context, MeasureType, add_rows, inline_factors
from .batch import Batch, Text, fmt, join, objects

ACTIVITY = RawQuantityKind("2000 t", "an activity")

KEYS = {
    "activity": Key(ACTIVITY, MISSING, "a quantity for the period ('2000 t') or a rate ('500 t/yr')"),
    "emission_factors": Key(PollutantMapKind(FACTOR), MISSING, "factors, e.g. {NOx: '2 kg/t'}"),
    "reduction": Key(FractionKind(), 1.0, "share of the activity's emissions removed"),
    "label": Key(TextKind(), "", "what the activity is"),
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
    batch.each_group(lambda group: _translate_group(batch, group.index, amounts[group.index], group.keys[0], ctx,
                                                    sink),
                     units, *batch.pollutants("emission_factors").signature())


def _activities(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each measure's activity, split once for the whole batch: its amount [its unit] and its unit (object array)."""
    pairs = batch.column("activity").tolist()
    return np.array([amount for amount, _ in pairs], dtype=np.float64), objects([unit for _, unit in pairs])


def _translate_group(batch: Batch, index: np.ndarray, value: np.ndarray, unit: str, ctx: Context,
                     sink: LedgerBuilder) -> None:
    rate = _rate(unit)
    if rate is None:  # an amount for the period
        activity_unit, time_unit = unit, ""
        share = batch.distinct(index, ctx.period.share, "in_service")
    else:
        activity_unit, time_unit = rate
        share = batch.distinct(index, _time_in_effect(ctx, time_unit), "in_service")
    label = batch.column("label")[index]
    source: Deferred[Text] = Deferred(lambda: np.where(label != "", label, join("activity ", fmt(value), f" {unit}")))
    add_rows(sink, batch, index, list(inline_factors(batch, "emission_factors", index).values()), source=source,
             activity=value, activity_unit=activity_unit, sign=1.0, time_share=share, time_unit=time_unit,
             adjust={"reduction": batch.floats("reduction")[index]})


CUSTOM = MeasureType("custom", KEYS, translate, "any activity times given factors")
