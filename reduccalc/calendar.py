"""Time rules: the period, ``in_service`` dates, heating seasons, windows.

All dates are inclusive. The rules, used by every calculator:

- *Days in effect*: the days of the period on or after ``in_service``.
- *Period share*: days in effect / days in the period. Quantities given for
  the period (boiler hours, fuel use, custom activity, production days) are
  scaled by it.
- *Heating share*: the part of one heating season's heating, by the monthly
  heating profile, that falls between two dates (a month partly covered
  counts by its days). A whole year or a whole season counts 1, two years
  count 2. Household conversions (quantities per season) use it directly;
  heating boilers scale their period quantities by heating share on or after
  ``in_service`` divided by the heating share of the whole period.
- *Window*: a production window is clipped to the period and to
  ``in_service``; its days are the days left.
"""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from dataclasses import dataclass

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

    def share(self, in_service: dt.date | None) -> float:
        """Fraction of the period's days on or after ``in_service``."""
        return self.days_in_effect(in_service) / self.days

    def clip(self, start: dt.date, end: dt.date, in_service: dt.date | None = None) -> int:
        """Days of ``[start, end]`` inside the period and on or after ``in_service``."""
        first = max(start, self.effective_start(in_service))
        last = min(end, self.end)
        return max(0, (last - first).days + 1)


def heating_share(start: dt.date, end: dt.date, profile: tuple[float, ...]) -> float:
    """Share of a season's heating between two inclusive dates.

    Parameters
    ----------
    start, end : datetime.date
        Inclusive range.
    profile : tuple of 12 floats
        Share of a season's heating in each calendar month (sums to 1).

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
        days_in_month = monthrange(year, month)[1]
        first = start if (year, month) == (start.year, start.month) else dt.date(year, month, 1)
        last = end if (year, month) == (end.year, end.month) else dt.date(year, month, days_in_month)
        covered = (last - first).days + 1
        total += profile[month - 1] * covered / days_in_month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return total
