"""Staggered production (错峰生产): plants stopped or curtailed for some days.

::

    reduction = output [t/yr] x (days / 365) x curtailment x EF

``days`` is a number of days or a duration (``"45 d"``), scaled by the share
of the period on or after ``in_service``; or ``window: {start, end}``, whose
days are clipped to the period and to ``in_service``; without either, the
days of the period in effect. ``curtailment`` 1 means stopped, 0.3 a 30 % cut.
The table's factor is what leaves the stack after the sector's typical
control (named in the row).

Keys: ``sector`` (cement_clinker, brick, coke, sinter, lime, flat_glass,
foundry, carbon ...), ``output`` (mass per year), ``curtailment`` (1),
``days`` or ``window``, ``technology`` (table default), ``in_service``,
``emission_factors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ScenarioError
from ..fields import MISSING, DateKind, FractionKind, Key, Kind, QuantityKind, TextKind, check_mapping
from ..ledger import LedgerBuilder
from ..units import to_canonical
from ..vocabulary import SECTOR_ALIASES, choice
from .base import COMMON_KEYS, Context, MeasureType, add_rows, require_factors, resolve_factors


class DaysKind(Kind):
    """A number of days (``45``) or a duration (``"6 weeks"``), returned in days."""

    describe = "a number of days or a duration like '45 d'"

    def check(self, value: Any) -> float:
        days = to_canonical(value, "d", example="45 d", allow_bare=True)
        if days < 0:
            raise ScenarioError(f"{value!r} is negative")
        return days


class WindowKind(Kind):
    """``{start: date, end: date}``, inclusive."""

    describe = "a window like {start: 2017-11-15, end: 2018-03-15}"

    def check(self, value: Any) -> tuple[Any, Any]:
        if not isinstance(value, Mapping):
            raise ScenarioError(f"expected {self.describe}")
        keys = {"start": Key(DateKind(), MISSING), "end": Key(DateKind(), MISSING)}
        checked = check_mapping(value, keys, path="window")
        if checked["end"] < checked["start"]:
            raise ScenarioError(f"window ends ({checked['end']}) before it starts ({checked['start']})")
        return checked["start"], checked["end"]


KEYS = {
    "sector": Key(TextKind(), MISSING, "product, e.g. cement_clinker"),
    "output": Key(QuantityKind("t/yr", "1.2 Mt/yr"), MISSING, "production per year"),
    "curtailment": Key(FractionKind(), 1.0, "share of output stopped (1 = stopped)"),
    "days": Key(DaysKind(), None, "days curtailed in the period"),
    "window": Key(WindowKind(), None, "dates curtailed, clipped to the period"),
    "technology": Key(TextKind(), "", "process technology row of the table (default: the typical one)"),
    **COMMON_KEYS,
}


def days_curtailed(m: dict[str, Any], ctx: Context) -> float:
    """Days of curtailment that fall in the period after ``in_service``."""
    if m["window"] is not None and m["days"] is not None:
        raise ScenarioError("give days or window, not both", field="days")
    if m["window"] is not None:
        start, end = m["window"]
        return float(ctx.period.clip(start, end, in_service=m["in_service"]))
    if m["days"] is not None:
        if m["days"] > ctx.period.days:
            raise ScenarioError(f"{m['days']:g} days is longer than the period ({ctx.period.days} days)",
                                field="days")
        return m["days"] * ctx.period.share(m["in_service"])
    return float(ctx.period.days_in_effect(m["in_service"]))


def translate(m: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str, row: str = "") -> None:
    """Ledger rows of one staggered-production measure (see module docstring)."""
    sector = choice(m["sector"], frozenset(ctx.table.subjects("production")) or frozenset([m["sector"]]),
                    "sector", SECTOR_ALIASES)
    days = days_curtailed(m, ctx)
    factors = require_factors(resolve_factors(ctx, "production", sector, technology=m["technology"],
                                              inline=m["emission_factors"], inline_id=f"{ctx.county}.{measure}"),
                              f"{sector} production")
    add_rows(sink, ctx, factors, measure=measure, type="staggered_production",
             source=f"{sector} ({m['output']:g} t/yr for {days:g} d)", activity=m["output"], activity_unit="t",
             sign=1.0, time_share=days / 365.0, adjust={"curtailment": m["curtailment"]}, row=row)


STAGGERED_PRODUCTION = MeasureType("staggered_production", KEYS, translate, "plants stopped or curtailed")
