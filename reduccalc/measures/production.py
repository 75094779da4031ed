"""Staggered production (错峰生产): plants stopped or curtailed for some days.

::

    reduction = output [t/yr] x years curtailed x curtailment x EF

``days`` is a number of days or a duration (``"45 d"``), scaled by the share
of the period on or after ``in_service``; or ``window: {start, end}``, whose
days are clipped to the period and to ``in_service``; without either, the
days of the period in effect. Days count as years calendar year by calendar
year (a day of 2024 is 1/366 of a year, one of 2023 1/365); a number of
days takes the period's average, the years in effect / the days in effect. ``curtailment`` 1 means stopped, 0.3 a 30 % cut.
The table's factor is what leaves the plant at the measure's ``control``
level, the ``technology`` column of the production rows: ``uncontrolled``
(generation factor, 产生系数), ``standard`` (the national standard in force
since about 2015, GB 4915-2013 for cement), ``special_limit`` (特别排放限值),
``ultra_low`` (超低排放). Without ``control`` the sector's typical row is
used (its ``control`` column says what it is) and the ledger's source says
``control: table default``. A level's rows that leave out a pollutant
(CO, VOCs: not changed by dust, SO2 or NOx control) take the typical row's.

Keys: ``sector`` (cement_clinker, brick, coke, sinter, lime, flat_glass,
foundry, carbon ...), ``output`` (mass per year), ``curtailment`` (1),
``days`` or ``window``, ``control`` (or its older name ``technology``; table
default), ``in_service``, ``emission_factors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..fields import MISSING, DateKind, FractionKind, Key, Kind, QuantityKind, TextKind, check_mapping
from ..ledger import Deferred, LedgerBuilder
from ..units import to_canonical
from ..vocabulary import SECTOR_ALIASES
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    TableName,
    add_rows,
    given_keys,
    inline_factors,
    require_factors,
    resolve_factors,
)
from .batch import Batch, fmt, join


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


NAMES = {"sector": TableName("production", "sector", SECTOR_ALIASES)}
KEYS = {
    "sector": Key(TextKind(), MISSING, "product, e.g. cement_clinker"),
    "output": Key(QuantityKind("t/yr", "1.2 Mt/yr"), MISSING, "production per year"),
    "curtailment": Key(FractionKind(), 1.0, "share of output stopped (1 = stopped)"),
    "days": Key(DaysKind(), None, "days curtailed in the period"),
    "window": Key(WindowKind(), None, "dates curtailed, clipped to the period"),
    "control": Key(TextKind(), "", "control level: uncontrolled, standard, special_limit, ultra_low "
                                   "(default: the table's typical row)"),
    "technology": Key(TextKind(), "", "older name of control"),
    **COMMON_KEYS,
}


def control_column(batch: Batch) -> np.ndarray:
    """Each measure's control level (``control``, or ``technology`` as it was called), "" for the table's
    typical row; measures giving both, differently, fail."""
    control, technology = batch.column("control"), batch.column("technology")
    both = (control != "") & (technology != "") & (control != technology)
    batch.fail(np.flatnonzero(both), ScenarioError("give control or technology (its older name), not both",
                                                   field="technology"))
    return np.where(control != "", control, technology)


def control_label(control: str) -> str:
    """The control level as the ledger's source says it."""
    return f"control: {control or 'table default'}"


def _check_days(batch: Batch, ctx: Context) -> None:
    """Fails measures giving both days and window, 0 days, or more days than the period has."""
    window, days = batch.given("window"), batch.floats("days")
    both = window & ~np.isnan(days)
    batch.fail(np.flatnonzero(both), ScenarioError("give days or window, not both", field="days"))
    batch.fail(np.flatnonzero(days == 0), ScenarioError("0 days: the measure would do nothing", field="days",
                                                        hint="give the days curtailed, or leave the measure out"))
    too_long = days > ctx.period.days
    for value in np.unique(days[too_long]).tolist():
        batch.fail(np.flatnonzero(days == value), ScenarioError(
            f"{value:g} days is longer than the period ({ctx.period.days} days)", field="days"))


def days_curtailed(batch: Batch, index: np.ndarray, ctx: Context, by_window: bool) -> tuple[np.ndarray, np.ndarray]:
    """Days of curtailment that fall in the period after ``in_service`` [d], and the years they make [yr],
    per measure at ``index``."""
    period = ctx.period
    if by_window:
        def window_days(window: tuple[Any, Any], day: Any) -> float:
            return period.clip(window[0], window[1], in_service=day)

        def window_years(window: tuple[Any, Any], day: Any) -> float:
            return period.clip_years(window[0], window[1], in_service=day)

        return (batch.distinct(index, window_days, "window", "in_service"),
                batch.distinct(index, window_years, "window", "in_service"))
    in_effect = batch.distinct(index, period.days_in_effect, "in_service")
    years = batch.distinct(index, period.years_in_effect, "in_service")
    days = batch.floats("days")[index]
    if not np.isnan(days[0]):
        # the given days scaled by the share of the period in effect, each counting the average year of that part
        return days * in_effect / period.days, days * years / period.days
    return in_effect, years


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of staggered-production measures (see module docstring)."""
    sector = NAMES["sector"].column(batch, "sector", ctx.table)
    _check_days(batch, ctx)
    batch.each_group(lambda group: _translate_group(batch, group.index, ctx, sink, *group.keys[:3]),
                     sector, control_column(batch), batch.given("window"),
                     *batch.pollutants("emission_factors").signature(), given_keys(batch, "days"))


def _translate_group(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder, sector: str,
                     control: str, by_window: bool) -> None:
    days, years = days_curtailed(batch, index, ctx, by_window)
    factors = require_factors(resolve_factors(ctx, "production", sector, technology=control,
                                              inline=inline_factors(batch, "emission_factors", index)),
                              f"{sector} production")
    output = batch.floats("output")[index]
    add_rows(sink, batch, index, factors, source=Deferred(lambda: join(f"{sector} (", fmt(output), " t/yr for ",
                                                                        fmt(days), f" d, {control_label(control)})")),
             activity=output, activity_unit="t", sign=1.0, time_share=years, time_unit="yr",
             adjust={"curtailment": batch.floats("curtailment")[index]})


STAGGERED_PRODUCTION = MeasureType("staggered_production", KEYS, translate, "plants stopped or curtailed", NAMES)
