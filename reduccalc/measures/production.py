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
A level the tables have no rows for (coke has only ``uncontrolled`` so far)
is an error naming what to give instead, never the typical row.

Coal-fired units are ``sector: coal_power`` with ``output`` in electricity
(``"1.2 TWh/yr"``) and factors per kWh (category ``power`` of the tables);
a unit closed is ``curtailment: 1`` over the period.

Keys: ``sector`` (cement_clinker, brick, coke, sinter, lime, flat_glass,
foundry, carbon ..., coal_power), ``output`` (mass per year, or electricity
per year for coal_power), ``curtailment`` (1),
``days`` or ``window``, ``control`` (or its older name ``technology``; table
default), ``in_service``, ``emission_factors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..factors import FactorTable
from ..fields import MISSING, DaysKind, FractionKind, Key, RawQuantityKind, TextKind, WindowKind
from ..ledger import Deferred, LedgerBuilder
from ..units import to_canonical
from ..vocabulary import SECTOR_ALIASES, choice
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    TableName,
)
from .batch import Batch, fmt, join, objects
from .rows import Group, each_group

# output per year in the unit each category's factors are per
OUTPUT_UNITS = {"production": "t", "power": "kWh"}
# the control levels of the production and power rows (their technology column), dirtiest first
CONTROL_LEVELS = ("uncontrolled", "standard", "special_limit", "ultra_low")


@dataclass(frozen=True)
class OutputKind(RawQuantityKind):
    """Output per year: a mass (``"1.2 Mt/yr"``) or electricity (``"1.2 TWh/yr"``), returned as
    ``(value, unit)`` in t or kWh per year (a raw quantity, so the optimiser can scale it)."""

    def check(self, value: Any) -> tuple[float, str]:
        try:
            amount, unit = to_canonical(value, "t/yr", example="1.2 Mt/yr"), "t"
        except ScenarioError as not_a_mass:
            try:
                amount, unit = to_canonical(value, "kWh/yr", example="1.2 TWh/yr"), "kWh"
            except ScenarioError:
                raise not_a_mass from None
            if isinstance(value, str) and "/" not in value and "每" not in value:
                # "600 MW" is dimensionally kWh/yr: a capacity would be read as running flat out all year
                raise ScenarioError(f"{value!r} is a power, not an output per year",
                                    hint="give the electricity the unit generates per year, e.g. '1.2 TWh/yr'") from None
        if amount < 0:
            raise ScenarioError(f"{value!r} is negative")
        return amount, unit


@dataclass(frozen=True)
class SectorName(TableName):
    """A sector of the production or the power rows (coal_power)."""

    def check(self, value: Any, table: FactorTable) -> str:
        known = table.subjects("production") | table.subjects("power")
        return choice(value, known or frozenset([str(value).strip()]), self.what, self.aliases)


def category_of(sector: str, table: FactorTable) -> str:
    """The tables' category of a sector's rows: ``power`` for coal_power, ``production`` otherwise."""
    return "power" if sector in table.subjects("power") else "production"


def check_output(sector: str, unit: str, table: FactorTable) -> str:
    """The tables' category of ``sector``, once its output's unit (t or kWh per year) is known to fit it.

    Raises
    ------
    ScenarioError
        For a mass output of coal_power or an electricity output of a product.
    """
    category = category_of(sector, table)
    expected = OUTPUT_UNITS[category]
    if unit != expected:
        what, example = ("electricity", "1.2 TWh/yr") if category == "power" else ("a mass", "1.2 Mt/yr")
        raise ScenarioError(f"the output of {sector} is {what} per year, not {unit}/yr", field="output",
                            hint=f"e.g. output: '{example}'")
    return category


def outputs(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each measure's output per year, split once for the batch: amount [t/yr or kWh/yr] and unit (t, kWh)."""
    pairs = batch.column("output").tolist()
    return np.array([amount for amount, _ in pairs], dtype=np.float64), objects([unit for _, unit in pairs])


NAMES: dict[str, TableName] = {"sector": SectorName("production", "sector", SECTOR_ALIASES)}
KEYS = {
    "sector": Key(TextKind(), MISSING, "product, e.g. cement_clinker, or coal_power", zh=("行业",)),
    "output": Key(OutputKind("1.2 Mt/yr", "an output per year (electricity for coal_power)"), MISSING,
                  "production per year (electricity for coal_power)", zh=("产量", "年产量"), scalable=True),
    "curtailment": Key(FractionKind(), 1.0, "share of output stopped (1 = stopped)", zh=("限产比例", "限产幅度")),
    "days": Key(DaysKind(), None, "days curtailed in the period", zh=("天数", "错峰天数", "停产天数"), scalable=True),
    "window": Key(WindowKind(), None, "dates curtailed, clipped to the period",
                  zh_parts=(("start", ("开始日期", "停产开始日期")), ("end", ("结束日期", "停产结束日期")))),
    "control": Key(TextKind(), "", "control level: uncontrolled, standard, special_limit, ultra_low "
                                   "(default: the table's typical row)", zh=("治理水平",)),
    "technology": Key(TextKind(), "", "older name of control", zh=("治理技术",)),
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


def check_control(table: FactorTable, category: str, sector: str, control: str, field: str) -> None:
    """Fails a control level (:data:`CONTROL_LEVELS`) that ``sector`` has no rows for, naming what to give
    instead: a level the tables lack is never read as the sector's typical row. Other names are left to the
    table's own check (its "did you mean").

    Raises
    ------
    ScenarioError
        For a control level the tables have no rows of ``sector`` for yet.
    """
    known = table.technologies(category, sector)
    if control not in CONTROL_LEVELS or control in known:
        return
    raise ScenarioError(
        f"the factor tables have no {control} rows for {sector} (they have "
        f"{', '.join(sorted(known)) or 'only its typical row'}): a missing level is not its typical row",
        field=field, hint="give the plant's factors in the measure (emission_factors, or concentration_before / "
                          "concentration_after with flue_gas for industrial_retrofit), or leave the level out for the "
                          "sector's typical row")


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
    amounts, units = outputs(batch)
    each_group(KEYS, batch, ctx, sink, lambda group: _translate_group(group, amounts[group.index]), sector=sector,
               control=control_column(batch), by_window=batch.given("window"), output_unit=units)


def _translate_group(group: Group, output: np.ndarray) -> None:
    sector, control, unit = group.key("sector"), group.key("control"), group.key("output_unit")
    days, years = days_curtailed(group.batch, group.index, group.ctx, group.key("by_window"))
    category = check_output(sector, unit, group.ctx.table)
    check_control(group.ctx.table, category, sector, control, "control")
    factors = group.factors(category, sector, f"{sector} {control or 'production'}", technology=control)
    group.removed(factors, output, unit, source=Deferred(lambda: join(f"{sector} (", fmt(output), f" {unit}/yr for ",
                                                                      fmt(days), f" d, {control_label(control)})")),
                  time_share=years, time_unit="yr", adjust={"curtailment": group.floats("curtailment")})


STAGGERED_PRODUCTION = MeasureType("staggered_production", KEYS, translate, "plants stopped or curtailed", NAMES,
                                   zh=("错峰生产", "限产"),
                                   label=("错峰生产/停产", "staggered production"))
