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

from ..fields import FACTOR, MISSING, FractionKind, Key, PollutantMapKind, RawQuantityKind, TextKind
from ..ledger import LedgerBuilder
from ..units import unit_of
from .base import COMMON_KEYS, Context, MeasureType, ResolvedFactor, add_rows

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


def translate(m: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str, row: str = "") -> None:
    """Ledger rows of one custom measure (see module docstring)."""
    value, unit = m["activity"]
    if _is_rate(unit):  # a rate: per year of 365 days in effect, like production and vehicles
        activity_unit = f"({unit}) * yr"
        share = ctx.period.days_in_effect(m["in_service"]) / 365.0
    else:
        activity_unit = unit
        share = ctx.period.share(m["in_service"])
    factors = [ResolvedFactor(p, v, u, f"inline:{ctx.county}.{measure}.{p}", "given in the scenario")
               for p, (v, u) in m["emission_factors"].items()]
    add_rows(sink, ctx, factors, measure=measure, type="custom", source=m["label"] or f"activity {value:g} {unit}",
             activity=value, activity_unit=activity_unit, sign=1.0, time_share=share,
             adjust={"reduction": m["reduction"]}, row=row)


CUSTOM = MeasureType("custom", KEYS, translate, "any activity times given factors")
