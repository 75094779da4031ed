"""Time rules: the period, ``in_service`` dates, heating seasons, windows.

All dates are inclusive. The rules, used by every calculator:

- *Days in effect*: the days of the period on or after ``in_service``.
- *Period share*: days in effect / days in the period. Quantities given for
  the period (boiler hours, fuel use, custom activity, production days) are
  scaled by it.
- *Years*: a per-year rate (vehicle km, plant output, a custom ``t/yr``)
  counts, in each calendar year, the days covered / the days of that year.
  A whole 2024 counts exactly 1 year, as a whole 2023 does; 1 Jul - 31 Dec
  2024 counts 184/366 of a year.
- *Heating share*: the part of one heating season's heating, by the monthly
  heating profile, that falls between two dates. A month's share belongs to
  the season's days in that month (15-30 November when the season starts on
  15 November), and a month partly covered counts by those days. A whole
  year or a whole season counts 1, two years count 2. Household conversions
  (quantities per season) use it directly; heating boilers scale their
  period quantities by heating share on or after ``in_service`` divided by
  the heating share of the whole period.
- *Window*: a production window is clipped to the period and to
  ``in_service``; its days are the days left, counted in years as above.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import isleap, monthrange
from dataclasses import dataclass
from typing import Any

from .errors import ScenarioError
from .units import fold_width

_DATE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})|([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?")


def parse_date(text: str) -> dt.date | None:
    """A date as YAML and registers write it, or None when ``text`` is not one.

    ``2024-10-15``, ``2024/10/15``, ``2024.10.15``, ``2024年10月15日`` (the
    日 optional), with ASCII or full-width digits; a day that does not exist
    (``2021-02-30``) is None.
    """
    match = _DATE.fullmatch(fold_width(text).strip())
    if match is None:
        return None
    year, _, month, day, *chinese = match.groups()
    if year is None:
        year, month, day = chinese
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def years_between(first: dt.date, last: dt.date) -> float:
    """Years of ``[first, last]``, inclusive: in each calendar year, days covered / days of that year [yr].

    A whole calendar year counts exactly 1, leap or not; 0 when ``last`` is before ``first``.
    """
    years = 0.0
    for year in range(first.year, last.year + 1):
        start, end = max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
        years += max(0, (end - start).days + 1) / (366 if isleap(year) else 365)
    return years


@dataclass(frozen=True)
class Period:
    """An inclusive date range."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ScenarioError(f"period ends ({self.end}) before it starts ({self.start})", field="period")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def effective_start(self, in_service: dt.date | None) -> dt.date:
        return self.start if in_service is None else max(self.start, in_service)

    def days_in_effect(self, in_service: dt.date | None) -> int:
        """Days of the period on or after ``in_service`` (0 if after the end)."""
        return max(0, (self.end - self.effective_start(in_service)).days + 1)

    def years_in_effect(self, in_service: dt.date | None) -> float:
        """Years of the period on or after ``in_service`` (see :func:`years_between`) [yr]."""
        return years_between(self.effective_start(in_service), self.end)

    def share(self, in_service: dt.date | None) -> float:
        """Fraction of the period's days on or after ``in_service``."""
        return self.days_in_effect(in_service) / self.days

    def clipped(self, start: dt.date, end: dt.date, in_service: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """``[start, end]`` cut to the period and to on or after ``in_service`` (empty: end before start)."""
        return max(start, self.effective_start(in_service)), min(end, self.end)

    def clip(self, start: dt.date, end: dt.date, in_service: dt.date | None = None) -> int:
        """Days of ``[start, end]`` inside the period and on or after ``in_service``."""
        first, last = self.clipped(start, end, in_service)
        return max(0, (last - first).days + 1)

    def clip_years(self, start: dt.date, end: dt.date, in_service: dt.date | None = None) -> float:
        """Years (:func:`years_between`) of ``[start, end]`` inside the period and on or after ``in_service``."""
        return years_between(*self.clipped(start, end, in_service))


@dataclass(frozen=True)
class HeatingProfile:
    """Share of a season's heating in each calendar month, and the season's days in each month.

    ``first_day[m]`` to ``last_day[m]`` (inclusive; 31 means the month's
    last day) are the days of month ``m + 1`` that ``shares[m]`` covers:
    (15, 31) for November in a season starting on 15 November, (1, 15) for
    March in one ending on 15 March, (1, 31) for a whole month.
    """

    shares: tuple[float, ...]
    first_day: tuple[int, ...] = (1,) * 12
    last_day: tuple[int, ...] = (31,) * 12

    def __post_init__(self) -> None:
        if not len(self.shares) == len(self.first_day) == len(self.last_day) == 12:
            raise ValueError("a heating profile has 12 months")

    def season_days(self, year: int, month: int) -> tuple[dt.date, dt.date]:
        """The first and last day of the season in ``month`` of ``year``."""
        days_in_month = monthrange(year, month)[1]
        return (dt.date(year, month, min(self.first_day[month - 1], days_in_month)),
                dt.date(year, month, min(self.last_day[month - 1], days_in_month)))


def heating_share(start: dt.date, end: dt.date, profile: HeatingProfile) -> float:
    """Share of a season's heating between two inclusive dates.

    Each month's share is spread evenly over the season's days in that
    month (:meth:`HeatingProfile.season_days`) and counted by the days of
    ``[start, end]`` among them.

    Returns
    -------
    float
        Seasons' worth of heating in the range [seasons]; 1 for a whole year.
    """
    if end < start:
        return 0.0
    total = 0.0
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        share = profile.shares[month - 1]
        if share:
            first, last = profile.season_days(year, month)
            covered = (min(end, last) - max(start, first)).days + 1
            total += share * max(0, covered) / ((last - first).days + 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return total


def check_in_service(values: dict[str, Any], period: Period, path: str) -> None:
    """An ``in_service`` after the period's end is an error (the measure would do nothing)."""
    in_service = values.get("in_service")
    if in_service is not None and in_service > period.end:
        raise ScenarioError(
            f"in_service {in_service} is after the period ends ({period.end}): the measure would do nothing",
            field=f"{path}.in_service", hint="a date before the period starts means in effect the whole period")


def check_window(window: tuple[dt.date, dt.date] | None, period: Period, path: str) -> None:
    """A production window wholly outside the period is an error (one partly inside is clipped)."""
    if window is not None and (window[1] < period.start or window[0] > period.end):
        raise ScenarioError(f"window {window[0]} to {window[1]} is outside the period {period.start} to "
                            f"{period.end}", field=f"{path}.window")
