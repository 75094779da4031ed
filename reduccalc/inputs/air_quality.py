"""The ``air_quality:`` blocks of a scenario and its counties, checked (CONTRACT section 7).

What an area's block holds: the observed mean, the local share and its split by precursor (or per-tonne
sensitivities), the regional change, the targets and the day-share spreads, checked into a :class:`Spec` per
ambient pollutant. The bridge from tonnes to µg/m³ that uses them is :mod:`reduccalc.air_quality`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProblemCollector, ScenarioError, did_you_mean
from ..fields import (
    MISSING,
    DateKind,
    FractionKind,
    Key,
    Kind,
    PollutantMapKind,
    QuantityKind,
    TextKind,
    check_mapping,
    claim_pollutant,
    number_and_unit,
)
from ..positions import position
from ..vocabulary import pollutant

CONCENTRATION_UNIT = "ug/m^3"
# HJ 633-2012 Table 1, 24-hour means: IAQI 100 (upper bound of 良, a good day) and IAQI 200 (AQI > 200 is
# 重度污染 or worse, a heavy day), in µg/m³.
DAY_BREAKPOINTS = {"PM2.5": (75.0, 150.0), "PM10": (150.0, 350.0)}
AMBIENT = tuple(DAY_BREAKPOINTS)
TOLERANCE = 1e-9


class ConcentrationKind(Kind):
    """A concentration, ``"41 ug/m3"`` (µg/m³, μg/m³ too), returned in µg/m³."""

    describe = "a concentration like '41 ug/m3'"
    _quantity = QuantityKind(CONCENTRATION_UNIT, "41 ug/m3", positive=True)

    def check(self, value: Any) -> float:
        try:
            return self._quantity.check(value)
        except ScenarioError as error:
            message = error.first.message.replace("expected [mass] / [length] ** 3", "expected a concentration")
            raise ScenarioError(message, hint="write it like '41 ug/m3' (µg/m³)") from None


class ChangeKind(Kind):
    """A signed change, ``"-3%"`` (``"－３％"`` too), returned as a fraction (-0.03); above -100 %."""

    describe = "a change like '-3%'"

    def check(self, value: Any) -> float:
        number, unit = number_and_unit(value)
        if number is None or unit != "percent" or not math.isfinite(number):
            raise ScenarioError(f"{value!r} is not a change", hint="write a change with its sign, like '-3%'")
        if number <= -100.0:
            raise ScenarioError(f"{value!r} would remove everything or more", hint="a change is above -100%")
        return number / 100.0


@dataclass(frozen=True)
class Target:
    """A concentration target: ``ugm3`` [µg/m³], or ``change`` [fraction] on the observed mean."""

    ugm3: float | None = None
    change: float | None = None

    def on(self, observed: float) -> float:
        return self.ugm3 if self.ugm3 is not None else observed * (1.0 + (self.change or 0.0))


class TargetKind(Kind):
    describe = "a concentration like '35 ug/m3' or a change on `observed` like '-5%'"

    def check(self, value: Any) -> Target:
        if isinstance(value, str) and number_and_unit(value)[1] == "percent":
            return Target(change=ChangeKind().check(value))
        return Target(ugm3=ConcentrationKind().check(value))


class GsdKind(Kind):
    describe = "a geometric standard deviation like 1.9 (above 1)"

    def check(self, value: Any) -> float:
        number, unit = number_and_unit(value)  # 1.9, "1.9", "１.９"
        if number is None or unit not in ("a number", "dimensionless") or not math.isfinite(number):
            raise ScenarioError(f"expected a number, got {value!r}", hint="daily_gsd is like 1.9")
        if not 1.0 < number <= 10.0:
            raise ScenarioError(f"{value!r} is outside (1, 10]", hint="typical spreads of daily PM2.5 are 1.5-2.5")
        return number


DAY_KEYS = {"observed": Key(FractionKind(), None, "share of days in the base period"),
            "target": Key(FractionKind(), None, "share of days the plan asks for")}


class DaysKind(Kind):
    describe = "{observed: '70.1%', target: '74.5%'}"

    def check(self, value: Any) -> dict[str, float | None]:
        return check_mapping(value, DAY_KEYS, path="")


class SeasonKind(Kind):
    describe = "annual or heating"

    def check(self, value: Any) -> str:
        text = TextKind().check(value).strip().lower()
        if text not in SEASONS:
            raise ScenarioError(f"unknown season {value!r}", hint=did_you_mean(text, SEASONS) or "annual or heating")
        return text


class BasePeriodKind(Kind):
    describe = "{start: YYYY-MM-DD, end: YYYY-MM-DD}"

    def check(self, value: Any) -> tuple[dt.date, dt.date]:
        checked = check_mapping(value, {"start": Key(DateKind(), MISSING), "end": Key(DateKind(), MISSING)}, path="")
        if checked["end"] < checked["start"]:
            raise ScenarioError(f"base period ends ({checked['end']}) before it starts ({checked['start']})")
        return checked["start"], checked["end"]


SEASONS = ("annual", "heating")
BLOCK_KEYS = {
    "observed": Key(ConcentrationKind(), MISSING, "mean over the base period (国控站); needed for any target"),
    "base_period": Key(BasePeriodKind(), None, "for the record"),
    "local_share": Key(FractionKind(), None, "share of `observed` from the area's own emissions (源解析)"),
    "shares": Key(PollutantMapKind(FractionKind()), None, "how the local part splits by precursor; sum <= 100%"),
    "sensitivity": Key(PollutantMapKind(QuantityKind("ug/m^3/t", "0.004 ug/m3/t")), None,
                       "per-tonne sensitivities instead of shares"),
    "regional_change": Key(ChangeKind(), 0.0, "change of the transported part"),
    "target": Key(TargetKind(), None, "'35 ug/m3' or '-5%' on observed"),
    "season": Key(SeasonKind(), None, "which regional defaults: annual or heating (default: from the period)"),
    "weather_spread": Key(FractionKind(), None, "year-to-year spread of the observed mean from weather (1 sd)"),
    "daily_gsd": Key(GsdKind(), None, "spread of daily means (lognormal), for day shares"),
    "good_days": Key(DaysKind(), None, "good-day share (AQI <= 100)"),
    "heavy_days": Key(DaysKind(), None, "heavy-day share (AQI > 200)"),
}


@dataclass(frozen=True)
class Spec:
    """One area's checked ``air_quality`` block for one ambient pollutant (fractions, µg/m³)."""

    pollutant: str
    observed: float
    local_share: float | None = None
    shares: dict[str, float] | None = None
    sensitivity: dict[str, float] | None = None
    regional_change: float = 0.0
    target: Target | None = None
    season: str | None = None
    weather_spread: float | None = None
    daily_gsd: float | None = None
    good_days: dict[str, float | None] = field(default_factory=dict)
    heavy_days: dict[str, float | None] = field(default_factory=dict)
    base_period: tuple[dt.date, dt.date] | None = None


def _check_block(ambient: str, raw: Any) -> Spec:
    values = check_mapping(raw, BLOCK_KEYS, path=ambient)
    problems = ProblemCollector()

    def problem(key: str, message: str, hint: str | None = None) -> None:
        line, column = position(raw, key) if key in raw else (None, None)
        problems.add(ScenarioError(message, field=f"{ambient}.{key}", line=line, column=column, hint=hint))

    shares = values["shares"]
    if shares is not None and sum(shares.values()) > 1.0 + TOLERANCE:
        problem("shares", f"shares sum to {100 * sum(shares.values()):.4g}%, more than 100%",
                "they split the local part; the rest is precursors not listed")
    if shares is not None and values["sensitivity"] is not None:
        problem("sensitivity", "give shares or sensitivity, not both")
    for key in ("good_days", "heavy_days"):
        if values[key] and values[key].get("target") is not None and values["daily_gsd"] is None:
            problem(key, f"a {key.replace('_', '-')} target needs daily_gsd (the spread of daily means)",
                    "fit a lognormal to the base period's daily means, e.g. daily_gsd: 1.9")
    problems.raise_if_any()
    return Spec(ambient, values["observed"], values["local_share"], shares, values["sensitivity"],
                values["regional_change"], values["target"], values["season"], values["weather_spread"],
                values["daily_gsd"], values["good_days"] or {}, values["heavy_days"] or {}, values["base_period"])


class AirQualityKind(Kind):
    """The ``air_quality:`` block of a scenario or a county: ``{PM2.5: {observed: ..., ...}}``."""

    describe = "a mapping of PM2.5 (or PM10) to {observed: '41 ug/m3', target: ...}"

    def check(self, value: Any) -> dict[str, Spec]:
        if not isinstance(value, Mapping):
            raise ScenarioError(f"expected {self.describe}, got {value!r}")
        result: dict[str, Spec] = {}
        written: dict[str, Any] = {}
        problems = ProblemCollector()
        for key, block in value.items():
            line, column = position(value, key)
            try:
                ambient = claim_pollutant(written, "O3" if str(key).strip().upper() in ("O3", "臭氧") else
                                          pollutant(key), key)
                if ambient not in AMBIENT:
                    raise ScenarioError(f"air quality of {ambient} is not modelled", field=str(key),
                                        hint=f"one of {', '.join(AMBIENT)}; ozone responds to NOx and VOCs "
                                        "non-linearly, beyond this linear tier")
                if not isinstance(block, Mapping):
                    raise ScenarioError(f"expected a mapping like {{observed: '41 ug/m3'}}, got {block!r}",
                                        field=str(key))
                result[ambient] = _check_block(ambient, block)
            except ScenarioError as error:
                problems.add(error.located(line=line, column=column))
        problems.raise_if_any()
        return result
