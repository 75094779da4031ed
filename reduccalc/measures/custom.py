"""A custom measure: any activity times given factors.

::

    reduction = activity x EF x reduction

``activity`` is a quantity for the period (``"2000 t"``, ``"1.5e6 m^3"``),
scaled by the share of the period on or after ``in_service``, or a rate
(``"500 t/yr"``), multiplied by days in effect / 365. Every factor is given
inline in ``emission_factors`` and must turn the activity into a mass.

Keys: ``activity``, ``emission_factors``, ``reduction`` (1), ``label``,
``in_service``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..fields import FACTOR, MISSING, FractionKind, Key, PollutantMapKind, RawQuantityKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..units import unit_of
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


def _is_rate(unit: str) -> bool:
    exponent: Any = unit_of(unit).dimensionality.get("[time]", 0)
    return bool(exponent < 0)


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
    if _is_rate(unit):  # a rate: per year of 365 days in effect, like production and vehicles
        activity_unit = f"({unit}) * yr"
        share = batch.distinct(index, ctx.period.days_in_effect, "in_service") / 365.0
    else:
        activity_unit = unit
        share = batch.distinct(index, ctx.period.share, "in_service")
    label = batch.column("label")[index]
    source: Deferred[Text] = Deferred(lambda: np.where(label != "", label, join("activity ", fmt(value), f" {unit}")))
    add_rows(sink, batch, index, list(inline_factors(batch, "emission_factors", index).values()), source=source,
             activity=value, activity_unit=activity_unit, sign=1.0, time_share=share,
             adjust={"reduction": batch.floats("reduction")[index]})


CUSTOM = MeasureType("custom", KEYS, translate, "any activity times given factors")
