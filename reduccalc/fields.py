"""Declarative field kinds: how each measure key is checked and canonicalised.

A measure type declares its keys as ``{name: Key(kind, default)}``; one
function, :func:`check_mapping`, checks a whole mapping against it, collecting
every problem (unknown keys with a "did you mean", missing keys, wrong types,
units of the wrong dimension, fractions outside [0, 1]) with positions.
The same kinds check register columns, and give the JSON Schema of a
scenario file (:meth:`Kind.json_schema`, :func:`keys_schema`). One cohesive
module over 500 lines: every kind, with its check and its schema side by side.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pint

from .calendar import Period, parse_date
from .errors import ProblemCollector, ScenarioError, did_you_mean, one_of
from .positions import key_position, position
from .units import LARGEST, UNSAFE_CATEGORIES, Failure, as_number, quantity_or_failure, to_canonical
from .vocabulary import pollutant

MISSING = object()


class Kind:
    """Base of field kinds: ``check`` returns the canonical value or raises."""

    describe = "a value"

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of what :meth:`check` accepts, or wider: an editor may underline no value that
        loads (the checks themselves stay :meth:`check`'s)."""
        return {"description": self.describe}


@dataclass(frozen=True)
class QuantityKind(Kind):
    """A quantity with a unit, returned as a float in ``unit``."""

    unit: str
    example: str
    positive: bool = False

    @property
    def describe(self) -> str:  # type: ignore[override]
        return f"a quantity like {self.example!r}"

    def check(self, value: Any) -> float:
        if isinstance(value, str):
            return _checked_quantity(value, self.unit, self.example, self.positive)
        return _check_quantity(value, self.unit, self.example, self.positive)

    def json_schema(self) -> dict[str, Any]:
        bare = self.unit == "dimensionless"  # a plain number; any other needs its unit
        return {"type": ["string", "number"] if bare else "string", "description": f"{self.describe} ({self.unit})",
                "examples": [self.example]}


def _check_quantity(value: Any, unit: str, example: str, positive: bool) -> float:
    result = to_canonical(value, unit, example=example)
    if result < 0 or (positive and result == 0):
        raise ScenarioError(f"{value!r} must be {'positive' if positive else 'zero or more'}",
                            hint=f"write it like {example!r}")
    return result


_checked_quantity = lru_cache(maxsize=1 << 16)(_check_quantity)  # a text is checked once (errors are not cached)


COUNT_UNITS = frozenset({"dimensionless", "household", "households", "hh", "vehicle", "vehicles", "veh", "boiler",
                         "boilers", "head"})  # 户, 辆, 台 and 头/只 read as household, vehicle, boiler and head


@dataclass(frozen=True)
class CountKind(Kind):
    """A whole number of things (boilers, households, vehicles), >= 0: ``500``, ``"1.2万户"``."""

    describe = "a whole number >= 0"

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}], "description": self.describe,
                "examples": [500, "1.2万户"]}

    def check(self, value: Any) -> float:
        hint = "write a whole number like 500"
        if isinstance(value, str):
            parsed = quantity_or_failure(value)
            if isinstance(parsed, Failure):
                raise ScenarioError(parsed.message if parsed.has_number else f"{value!r} is not a number",
                                    hint=parsed.hint or hint)
            number, unit = parsed
            if unit not in COUNT_UNITS:
                raise ScenarioError(f"{value!r} is not a count", hint=hint)
        else:
            given = as_number(value.magnitude if isinstance(value, pint.Quantity) else value)
            if given is None:
                raise ScenarioError(f"expected a whole number, got {value!r}", hint=hint)
            number = given
        if not math.isfinite(number) or number != int(number):
            raise ScenarioError(f"{value!r} is not a whole number", hint="counts are whole numbers")
        if number < 0:
            raise ScenarioError(f"{value!r} is negative", hint="counts are zero or more")
        if number > LARGEST:
            raise ScenarioError(f"{value!r} is beyond {LARGEST:g}", hint="check the number")
        return number


def _fraction(value: Any) -> float:
    hint = "write a fraction like '30%' or 0.3"
    if isinstance(value, str):
        parsed = quantity_or_failure(value)
        if isinstance(parsed, Failure) or parsed[1] not in ("percent", "dimensionless"):
            raise ScenarioError(f"{value!r} is not a fraction", hint=hint)
        number = parsed[0] / 100.0 if parsed[1] == "percent" else parsed[0]
    else:
        given = as_number(value)
        if given is None:
            raise ScenarioError(f"expected a fraction, got {value!r}", hint=hint)
        number = given
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise ScenarioError(f"{value!r} is outside [0, 1]", hint="a fraction is between 0 and 1 ('0%' to '100%')")
    return number


@dataclass(frozen=True)
class FractionKind(Kind):
    """A fraction in [0, 1], written ``"30%"`` or ``0.3``; in (0, 1] when ``positive`` (an efficiency that
    divides: 0 would mean infinite fuel)."""

    describe = "a fraction like '30%' or 0.3"
    positive: bool = False

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "string"}],
                "description": self.describe, "examples": ["30%", 0.3]}

    def check(self, value: Any) -> float:
        fraction = _fraction(value)
        if self.positive and fraction == 0.0:
            raise ScenarioError(f"{value!r}: an efficiency of 0 would take endless fuel for the same heat",
                                hint="write the efficiency above 0, like '85%' or 0.85")
        return fraction


def number_and_unit(value: Any) -> tuple[float | None, str]:
    """A YAML number, or a text through the one quantity parse: ``"５％"`` gives (5.0, "percent"), ``"1.9"``
    (1.9, "dimensionless"), ``1.9`` (1.9, "a number"); (None, "") when it is neither."""
    if not isinstance(value, str):
        return as_number(value), "a number"
    parsed = quantity_or_failure(value)
    return (None, "") if isinstance(parsed, Failure) else parsed


@dataclass(frozen=True)
class PercentKind(Kind):
    """A target percentage, written ``"5%"``; returned in percent (5.0)."""

    describe = "a percentage like '5%'"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "description": self.describe, "examples": ["5%"]}

    def check(self, value: Any) -> float:
        number, unit = number_and_unit(value)  # "5%", "５％": (5.0, "percent")
        if number is None or unit != "percent":
            bare = number is not None and unit in ("a number", "dimensionless")  # 0.05, "0.05": which was meant?
            raise ScenarioError(f"{value!r} is not a percentage",
                                hint=_percent_hint(value) if bare else "write targets like '5%'")
        if not 0.0 <= number <= 100.0:
            raise ScenarioError(f"{value!r} must be between 0% and 100%",
                                hint="a target is the share of the baseline the measures remove, e.g. '5%'")
        return number


def _percent_hint(value: Any) -> str:
    """How to write a bare number as a target: a number in (0, 1] may be a fraction (0.05 = 5%) or percent."""
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        return "write targets like '5%'"
    if 0.0 < number <= 1.0:
        return (f"write targets with a percent sign: '{100 * number:g}%' if {number:g} is a fraction, "
                f"'{number:g}%' if it is already percent")
    return f"write targets like '{number:g}%'" if isinstance(value, str) else \
        f"write targets with a percent sign, e.g. '{number:g}%'"


@dataclass(frozen=True)
class ChoiceKind(Kind):
    """One of a set of names, normalised by ``normalize`` (which raises)."""

    normalize: Callable[[Any], str]
    describe: str = "a name"  # type: ignore[misc]

    def check(self, value: Any) -> str:
        return self.normalize(value)

    def json_schema(self) -> dict[str, Any]:
        return {"type": ["string", "boolean"], "description": self.describe}  # YAML's bare false for "none"


@dataclass(frozen=True)
class DateKind(Kind):
    """A date: ``2021-10-31``, also ``2021/10/31``, ``2021.10.31``, ``2021年10月31日`` (see :func:`parse_date`)."""

    describe = "a date like 2021-10-31"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "description": self.describe, "examples": ["2021-10-31"]}

    def check(self, value: Any) -> dt.date:
        if isinstance(value, np.datetime64) and not np.isnat(value):  # a date from a DataFrame's values
            value = value.astype("datetime64[D]").item()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        day = parse_date(value) if isinstance(value, str) else None
        if day is None:
            raise ScenarioError(f"{value!r} is not a date",
                                hint="write dates as YYYY-MM-DD, e.g. 2021-10-31 (or 2021/10/31, 2021年10月31日)")
        return day


@dataclass(frozen=True)
class BoolKind(Kind):
    describe = "true or false"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def check(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise ScenarioError(f"expected true or false, got {value!r}")


# what output escapes: control characters, bidirectional marks and overrides, and the common invisible format
# characters (zero-width space and joiners, word joiner, soft hyphen, BOM); names refuse UNSAFE_CATEGORIES
UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                               "\u2060-\u2069\ufeff]")


BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_printable(text: str, what: str = "name") -> str:
    """``text`` unchanged, or a ScenarioError if it holds a control or bidirectional character.

    Such characters in a name reach the terminal raw: ``"B\\r\\x1b[2Kmet"``
    rewrites the line it is printed on, U+202E shows the rest backwards.
    """
    found = None if text.isprintable() else next(  # isprintable: the fast common case
        (ch for ch in text if unicodedata.category(ch) in UNSAFE_CATEGORIES), None)
    if found is not None:
        kind = "invisible" if unicodedata.category(found) == "Cf" and found not in BIDI else "control"
        raise ScenarioError(f"{what} {text!r} holds the {kind} character U+{ord(found):04X}",
                            hint="names and ids may not hold control, right-to-left or invisible characters: on a "
                                 "terminal they rewrite what is shown, or make two names look the same")
    return text


@dataclass(frozen=True)
class TextKind(Kind):
    describe = "a name"

    def json_schema(self) -> dict[str, Any]:
        return {"type": ["string", "number"], "description": self.describe}  # an id may be written 12

    def check(self, value: Any) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise ScenarioError(f"expected a name, got {value!r}")
        return check_printable(str(value))


@dataclass(frozen=True)
class RawQuantityKind(Kind):
    """A quantity >= 0 in any unit, kept as ``(value, unit)``.

    For emission factors and custom activities, whose dimension is checked
    later against what they multiply.
    """

    example: str
    what: str

    @property
    def describe(self) -> str:  # type: ignore[override]
        return f"{self.what} like {self.example!r}"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "description": self.describe, "examples": [self.example]}

    def check(self, value: Any) -> tuple[float, str]:
        hint = f"write it like {self.example!r}"
        if isinstance(value, pint.Quantity):
            value = f"{value.magnitude} {value.units}"
        if not isinstance(value, str):
            raise ScenarioError(f"{value!r} has no unit", hint=hint)
        parsed = quantity_or_failure(value)
        if isinstance(parsed, Failure):
            raise ScenarioError(parsed.message, hint=parsed.hint or hint)
        number, unit = parsed
        if number < 0:
            raise ScenarioError(f"{value!r} must be a finite number >= 0", hint=hint)
        return number, unit


FACTOR = RawQuantityKind("2.5 kg/t", "an emission factor")


def claim_pollutant(written: dict[str, Any], name: str, key: Any) -> str:
    """``name`` (the pollutant ``key`` names), recorded in ``written``; a second key naming it is an error.

    Raises
    ------
    ScenarioError
        For ``NOx`` and ``氮氧化物`` (or ``PM2.5`` and ``pm25``) in one mapping: the last would win silently.
    """
    if name in written:
        raise ScenarioError(f"{written[name]!r} and {key!r} are both {name}: a duplicate",
                            hint="give each pollutant once")
    written[name] = key
    return name


@dataclass(frozen=True)
class PollutantMapKind(Kind):
    """A mapping ``{pollutant: value}`` whose values are checked by ``item``."""

    item: Kind

    @property
    def describe(self) -> str:  # type: ignore[override]
        return f"a mapping of pollutant to {self.item.describe}"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.item.json_schema(), "description": self.describe}

    def check(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise ScenarioError(f"expected {self.describe}, got {value!r}", hint="e.g. {NOx: '2 kg/t'}")
        result: dict[str, Any] = {}
        written: dict[str, Any] = {}  # pollutant -> the key it was first written as
        collector = None
        for key, item in value.items():
            try:
                name = claim_pollutant(written, pollutant(key), key)
                result[name] = self.item.check(item)
            except ScenarioError as error:
                line, column = position(value, key)
                collector = collector or ProblemCollector()
                collector.add(error.prefixed(str(key)).located(line=line, column=column))
        if collector is not None:
            collector.raise_if_any()
        return result


@dataclass(frozen=True)
class Key:
    """A measure key, declared once by its measure type.

    Attributes
    ----------
    kind : Kind
        How a value is checked and canonicalised.
    default : Any
        The value when not given; ``MISSING``: required; None: not given
        (a table default, looked up by the translator).
    help : str
        What the key is, for ``reduccalc keys`` and the docs.
    zh : tuple of str
        Chinese names (register headers): ``("台数", "数量")``.
    scalable : bool
        The reduction is proportional to it (on the type's usual route), so
        a candidate's ``scale`` may name it; the optimiser still checks each
        candidate's reduction at its ``max`` (a boiler's capacity crossing a
        size class is not proportional).
    per_measure : bool
        A value of each measure's own (an id, a label) that no factor
        look-up depends on: measures are never grouped by it.
    zh_parts : tuple of (str, tuple of str)
        Chinese names of a mapping key's parts, the register columns
        ``window.start`` ...: ``(("start", ("开始日期",)), ...)``.
    """

    kind: Kind
    default: Any = None
    help: str = ""
    zh: tuple[str, ...] = ()
    scalable: bool = False
    per_measure: bool = False
    zh_parts: tuple[tuple[str, tuple[str, ...]], ...] = ()


def check_mapping(data: Any, keys: Mapping[str, Key], *, path: str, file: str | None = None,
                  ignore: tuple[str, ...] = (), collector: ProblemCollector | None = None) -> dict[str, Any]:
    """Check ``data`` against ``keys``; return canonical values, defaults filled.

    All problems are raised together as one ScenarioError with positions;
    with ``collector``, they are added to it instead and the keys that
    failed are left out of the result.
    """
    if not isinstance(data, Mapping):
        line, column = getattr(data, "where", None) or (None, None)
        raise ScenarioError(f"expected a mapping, got {data!r}", file=file, line=line, column=column, field=path)
    own = collector is None
    collector = ProblemCollector() if collector is None else collector
    result: dict[str, Any] = {}
    failed: set[str] = set()
    for name, value in data.items():
        if name in ignore:
            continue
        key = keys.get(name) if isinstance(name, str) else None
        if key is None:
            line, column = key_position(data, name)
            collector.add(ScenarioError(
                f"unknown key {name!r}", file=file, line=line, column=column, field=f"{path}.{name}",
                hint=did_you_mean(str(name), keys) or f"expected one of {one_of(keys)}"))
            continue
        if value is None:
            continue
        try:
            result[name] = key.kind.check(value)
        except ScenarioError as error:
            failed.add(name)
            line, column = position(data, name)
            collector.add(error.prefixed(f"{path}.{name}").located(file=file, line=line, column=column))
    for name, key in keys.items():
        if name not in result and name not in failed:
            if key.default is MISSING:
                line, column = getattr(data, "where", None) or (None, None)
                collector.add(ScenarioError(f"missing required key {name!r} ({key.kind.describe})", file=file,
                                            line=line, column=column, field=path))
            else:
                result[name] = key.default
    if own:
        collector.raise_if_any()
    return result


def keys_schema(keys: Mapping[str, Key], description: str = "",
                overrides: Mapping[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON Schema of a mapping checked by :func:`check_mapping` against ``keys``: each key's kind and help,
    the required ones, no others; ``overrides`` replaces the schema of some keys (a nested list of measures)."""
    properties = {}
    for name, key in keys.items():
        schema = dict((overrides or {}).get(name) or key.kind.json_schema())
        if key.help:
            schema["description"] = f"{key.help} ({schema['description']})" if "description" in schema else key.help
        if key.default is not MISSING and key.default is not None and _json_value(key.default):
            schema["default"] = key.default
        properties[name] = schema
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [name for name, key in keys.items() if key.default is MISSING]
    if required:
        schema["required"] = required
    if description:
        schema["description"] = description
    return schema


def _json_value(value: Any) -> bool:
    return isinstance(value, (str, bool, int, float)) or (isinstance(value, (list, dict)) and not value)


# ----------------------------------------------------------------- kinds of scenario, county and measure keys

REGIONS = ("national", "north_china", "central_china", "hebei", "shanxi", "henan", "hunan", "beijing", "tianjin",
           "shandong")


class AnyKind(Kind):
    """A value kept as it is, checked later (lists and mappings of sub-items)."""

    def __init__(self, describe: str, types: tuple[type, ...]) -> None:
        self.describe = describe
        self.types = types

    def check(self, value: Any) -> Any:
        if not isinstance(value, self.types):
            raise ScenarioError(f"expected {self.describe}, got {value!r}")
        return value

    def json_schema(self) -> dict[str, Any]:
        types = sorted({"array" if issubclass(t, list) else "object" if issubclass(t, Mapping) else
                        "string" if issubclass(t, str) else "number" for t in self.types})
        return {"type": types[0] if len(types) == 1 else types, "description": self.describe}


_DATES = {"start": Key(DateKind(), MISSING), "end": Key(DateKind(), MISSING)}


class PeriodKind(Kind):
    describe = "{start: YYYY-MM-DD, end: YYYY-MM-DD}"

    def json_schema(self) -> dict[str, Any]:
        return keys_schema(_DATES, self.describe)

    def check(self, value: Any) -> Period:
        checked = check_mapping(value, _DATES, path="period")
        return Period(checked["start"], checked["end"])


def _region(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in REGIONS:
        raise ScenarioError(f"unknown region {value!r}", hint=did_you_mean(text, REGIONS) or f"one of {one_of(REGIONS)}")
    return text


class RegionKind(Kind):
    describe = "a region like north_china or hebei"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "description": self.describe, "examples": list(REGIONS)}

    def check(self, value: Any) -> str:
        return _region(value)


TARGETS = PollutantMapKind(PercentKind())
BASELINE = QuantityKind("t", "1850 t", positive=True)  # one pollutant's emissions over the period


class DaysKind(Kind):
    """A number of days (``45``) or a duration (``"6 weeks"``), returned in days."""

    describe = "a number of days or a duration like '45 d'"

    def json_schema(self) -> dict[str, Any]:
        return {"type": ["number", "string"], "description": self.describe, "examples": [45, "6 weeks"]}

    def check(self, value: Any) -> float:
        days = to_canonical(value, "d", example="45 d", allow_bare=True)
        if days < 0:
            raise ScenarioError(f"{value!r} is negative")
        return days


class WindowKind(Kind):
    """``{start: date, end: date}``, inclusive."""

    describe = "a window like {start: 2017-11-15, end: 2018-03-15}"

    def json_schema(self) -> dict[str, Any]:
        return keys_schema(_DATES, self.describe)

    def check(self, value: Any) -> tuple[Any, Any]:
        if not isinstance(value, Mapping):
            raise ScenarioError(f"expected {self.describe}")
        checked = check_mapping(value, _DATES, path="window")
        if checked["end"] < checked["start"]:
            raise ScenarioError(f"window ends ({checked['end']}) before it starts ({checked['start']})")
        return checked["start"], checked["end"]
