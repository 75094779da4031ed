"""The package's one pint registry and the one path every quantity string takes.

Units are checked at the boundary (YAML, registers, baselines tables, factor
files, calculator arguments, command-line flags) and turned into plain floats
in a canonical unit; everything after that is float64 arithmetic.

Every quantity text goes through :func:`parse_quantity` (a unit alone through
:func:`parse_unit`), which reads what people write:

- full-width characters (``１０ 吨``, ``５％``) and the ideographic space;
- Chinese units: 吨 (t), 千克/公斤 (kg), 克 (g), 万吨 (10 kt), 蒸吨 (t_steam),
  兆瓦 (MW), 千瓦 (kW), 千瓦时 (kWh), 小时 (h), 天/日 (d), 年 (yr), 公里/千米
  (km), 立方米 (m^3), 兆焦 (MJ), 吉焦 (GJ), 万元 (10,000 CNY), 元 (CNY),
  户 (household), 辆 (vehicle), 台 (boiler);
- a leading 万 (10^4) or 亿 (10^8) multiplies the number: ``10万吨/年`` is
  100,000 t/yr, ``1.2万户`` 12,000 households;
- ``m3``, ``km2`` for m^3 and km^2; thousands separators ``1,850 t``;

and refuses, as a :class:`~reduccalc.errors.ScenarioError` with a hint, what
pint would misread or crash on: ``mt`` (pint's millitonne; write ``Mt`` or
``kt``), ``ton`` (pint's US short ton of 0.907 t; write ``t``), ``MT``
(megatesla), case slips (``2.8 mw``: did you mean ``2.8 MW``?), unknown
units, malformed expressions (``1/0 t``, ``100 (t``, ``0x10 t``, ``100 2 t``),
control characters, exponents beyond 6 and numbers beyond 1e30.

A year is 365 days (``yr``, ``a``, ``year``; pint's default is the Julian
year of 365.25 d), the year the calculators use when they scale a per-year
rate by days in effect / 365.

Parsing is cached per distinct text, failures included, so 100,000 cells
reading ``"10 t_steam/h"`` or ``"10 蒸吨/小时"`` cost one normalisation and
one pint parse.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple

import pint

from .errors import ScenarioError, did_you_mean


def _cache_folder() -> Path | None:
    """Where pint keeps its parsed definitions for the next start (``$XDG_CACHE_HOME/reduccalc/pint-<version>``,
    by default ``~/.cache/reduccalc/pint-<version>``), or None where it cannot be made."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "reduccalc" / f"pint-{pint.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _build_registry() -> pint.UnitRegistry:
    """The registry: pint's definitions (parsed once, then read from :func:`_cache_folder`: a start takes 0.05 s
    instead of 0.45 s) and ours (``reduccalc/data/units.txt``)."""
    folder = _cache_folder()
    try:
        registry: pint.UnitRegistry = pint.UnitRegistry(on_redefinition="ignore", cache_folder=folder)
    except Exception:  # noqa: BLE001 - a cache it cannot read (another process writing it, not atomic): without it
        registry = pint.UnitRegistry(on_redefinition="ignore")
    definitions = files("reduccalc.data").joinpath("units.txt").read_text("utf-8")
    logger = logging.getLogger("pint.util")
    level = logger.level
    logger.setLevel(logging.ERROR)  # kt (knot) and year (365.25 d) are redefined on purpose
    try:
        registry.load_definitions(definitions.splitlines())
    finally:
        logger.setLevel(level)
    return registry


ureg = _build_registry()
Quantity = ureg.Quantity

# Canonical units of each physical dimension the calculators use.
CANONICAL = {
    "mass": "t",
    "mass_rate": "t/yr",
    "power": "MW",
    "time": "h",
    "length": "km",
    "length_rate": "km/yr",
    "volume": "m^3",
    "energy": "GJ",
    "specific_energy": "GJ/t",
    "volumetric_energy": "GJ/m^3",
    "dimensionless": "dimensionless",
    "currency": "CNY",
}

LARGEST = 1e30  # far beyond any number a plan gives; products of a few such numbers stay finite in float64
LONGEST_UNIT = 100  # characters
HIGHEST_EXPONENT = 6

# ------------------------------------------------------------------ text


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！ ... ～ -> ! ... ~
_FULL_WIDTH.update({0x3000: 0x20, 0xFE6A: ord("%"), 0x00D7: ord("*"), 0x00B7: ord("*")})  # 　 ﹪ × ·


def fold_width(text: str) -> str:
    """Full-width letters, digits and signs as ASCII (``１０ ｔ`` -> ``10 t``, ``５％`` -> ``5%``)."""
    return text if text.isascii() else text.translate(_FULL_WIDTH)


# Chinese unit words, replaced longest first (万吨 before 吨, 蒸吨 before 吨, 千瓦时 before 时).
UNIT_WORDS = (
    ("万吨", "wan_t"), ("万元", "wan_CNY"), ("蒸吨", "t_steam"), ("吨", "t"),
    ("千瓦时", "kWh"), ("兆瓦时", "MWh"), ("千瓦", "kW"), ("兆瓦", "MW"), ("小时", "h"), ("时", "h"),
    ("天", "d"), ("日", "d"), ("年", "yr"), ("公里", "km"), ("千米", "km"), ("千克", "kg"), ("公斤", "kg"),
    ("克", "g"), ("立方米", "m^3"), ("兆焦", "MJ"), ("吉焦", "GJ"), ("户", "household"), ("辆", "vehicle"),
    ("台", "boiler"), ("元", "CNY"), ("头", "head"), ("只", "head"),
)
_WORDS = re.compile("|".join(word for word, _ in UNIT_WORDS))
_SYMBOLS = dict(UNIT_WORDS)
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
_SHORT_EXPONENT = re.compile(r"\b([cdkm]?m)([23])\b")  # m3, km2 -> m^3, km^2
_OPERATOR_SPACE = re.compile(r"\s*([/*^()])\s*")
_NAMES = re.compile(r"[^\W\d]\w*")
# The shape of a unit pint may read: names (with superscripts, powers, brackets) joined by *, / or a space.
# pint itself reads 't,h' as 'thou' and ignores '!', '@', ';' and doubled '/': those are refused here.
_FACTOR = r"\(*(?:[^\W\d][\w⁻]*|%)\)*(?:(?:\^|\*\*)\(?-?[0-9]+(?:\.[0-9]+)?\)?)?\)*"
_UNIT_SHAPE = re.compile(rf"{_FACTOR}(?:[ */]{_FACTOR})*")
_NUMBER = r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_QUANTITY = re.compile(rf"(?P<number>{_NUMBER})\s*(?P<unit>.*)", re.DOTALL)

# Units offered when a name is unknown (``mw`` -> ``MW``): the ones plans use.
SUGGESTED = ("t", "kt", "Mt", "kg", "g", "mg", "ug", "MW", "kW", "GW", "kWh", "MWh", "GWh", "TWh", "GJ", "MJ", "TJ",
             "h", "d", "yr", "month", "week", "km", "m", "m^3", "L", "t_steam", "CNY", "wan_CNY", "household",
             "vehicle", "boiler", "percent")

_AMBIGUOUS = {
    "mt": "write Mt for megatonnes or kt for kilotonnes; mt would be millitonnes",
    "MT": "write Mt for megatonnes or kt for kilotonnes; MT would be megatesla",
    "ton": "write t for tonnes (吨), or kt, Mt; pint's ton is the US short ton of 0.907 t (short_ton if you mean it)",
}


@lru_cache(maxsize=1 << 14)
def _unit_words(text: str) -> str:
    """A unit as pint reads it: Chinese words as symbols, m3 as m^3, % as percent, no spaces at operators."""
    unit = _WORDS.sub(lambda match: f" {_SYMBOLS[match[0]]} ", text)
    unit = _SHORT_EXPONENT.sub(r"\1^\2", unit)
    unit = _OPERATOR_SPACE.sub(r"\1", " ".join(unit.split()))
    return "percent" if unit == "%" else unit or "dimensionless"


class Failure(NamedTuple):
    """Why a text is not a quantity: the message, a hint (None: the caller's), whether it starts with a number."""

    message: str
    hint: str | None = None
    has_number: bool = True

    def error(self, **where: Any) -> ScenarioError:
        """A new ScenarioError (never a cached one: its traceback would keep the caller's frames alive)."""
        return ScenarioError(self.message, hint=self.hint, **where)


# control, format (bidi, zero-width, BOM ...) and line/paragraph separators: names refuse them all; quantities
# all but the whitespace breaks
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
WHITESPACE_BREAKS = "\t\n\r\u2028\u2029"


def _invisible(text: str) -> Failure | None:
    """A failure for the first control or invisible format character (NUL, zero-width space, BOM ...).

    Tabs, line breaks and the line and paragraph separators U+2028/U+2029 are whitespace here, as the
    quantity pattern reads them; names, which are printed, refuse those too (``fields.check_printable``).
    """
    if text.isprintable():  # the common case, at C speed
        return None
    for char in text:
        if unicodedata.category(char) in UNSAFE_CATEGORIES and char not in WHITESPACE_BREAKS:
            return Failure(f"{text!r} contains the invisible character U+{ord(char):04X}",
                           "delete it and type the value again")
    return None


class _UnitProblem(NamedTuple):
    """Why a unit cannot be used, said of the unit alone (cached per unit, not per text).

    ``fix`` is a name and its replacement for a "did you mean" of the whole text.
    """

    what: str
    hint: str | None = None
    fix: tuple[str, str] | None = None

    def of(self, text: str) -> Failure:
        """The failure of the quantity or unit ``text`` with this unit."""
        hint = self.hint
        if self.fix is not None:
            fixed = text.replace(*self.fix)
            hint = f"did you mean {fixed if fixed != text else self.fix[1]!r}?"
        return Failure(f"{self.what} in {text!r}", hint)


def _unknown(name: str) -> _UnitProblem:
    """An unknown unit name, with a case slip's fix (``mw`` -> ``MW``) or a close common unit."""
    same = [unit for unit in SUGGESTED if unit.lower() == name.lower()]
    if same:
        return _UnitProblem(f"unknown unit {name!r}", fix=(name, same[0]))
    return _UnitProblem(f"unknown unit {name!r}", did_you_mean(name, SUGGESTED))


def _refused(name: str) -> str | None:
    """The hint for a unit name refused as ambiguous (``mt``, ``ton``, ``MT``), or None."""
    if name in _AMBIGUOUS:
        return _AMBIGUOUS[name]
    resolved = ureg.parse_unit_name(name)
    if any(unit == "ton" for _, unit, _ in resolved) and not name.lower().startswith(("short", "us_")):
        return _AMBIGUOUS["ton"]
    return None


@lru_cache(maxsize=1 << 14)
def _unit_problem(unit: str) -> _UnitProblem | None:
    """Why the normalised ``unit`` cannot be used, or None when pint reads it as a unit."""
    if len(unit) > LONGEST_UNIT:
        return _UnitProblem(f"the unit is too long ({len(unit)} characters)")
    if not _UNIT_SHAPE.fullmatch(unit):
        return _UnitProblem(f"cannot read the unit {unit!r}")
    for name in _NAMES.findall(unit):
        hint = _refused(name)
        if hint is not None:
            return _UnitProblem(f"{name!r} is ambiguous", hint)
    try:
        parsed = unit_of(unit)
    except pint.UndefinedUnitError as error:
        names = error.unit_names if isinstance(error.unit_names, (tuple, list)) else (error.unit_names,)
        return _unknown(str(names[0]) if names else unit)
    except Exception:  # pint's parser raises many kinds (TokenError, DefinitionSyntaxError, ValueError ...)
        return _UnitProblem(f"cannot read the unit {unit!r}")
    powers = pint.util.to_units_container(parsed).values()
    if any(abs(power) > HIGHEST_EXPONENT for power in powers):  # type: ignore[operator]
        return _UnitProblem(f"the unit has an exponent beyond {HIGHEST_EXPONENT}")
    return None


@lru_cache(maxsize=1 << 16)
def _parsed(text: str) -> tuple[float, str] | Failure:
    """``(magnitude, unit)`` of a quantity text, the unit normalised for pint; or why not."""
    invisible = _invisible(text)
    if invisible is not None:
        return invisible
    match = _QUANTITY.fullmatch(fold_width(text).strip())
    if match is None:
        return Failure(f"{text!r} is not a quantity", has_number=False)
    magnitude = float(match["number"].replace(",", ""))
    rest = match["unit"]
    if rest[:1] in _MULTIPLIERS:
        magnitude *= _MULTIPLIERS[rest[0]]
        rest = rest[1:]
    if not math.isfinite(magnitude) or abs(magnitude) > LARGEST:
        return Failure(f"{text!r} is beyond {LARGEST:g}", "check the number and its unit")
    unit = _unit_words(rest)
    problem = _unit_problem(unit)
    return (magnitude, unit) if problem is None else problem.of(text)


def parse_quantity(text: str) -> tuple[float, str]:
    """The magnitude and unit of a quantity text: ``"10万吨/年"`` -> ``(100000.0, "t/yr")``.

    The unit comes back as pint reads it (Chinese words replaced, ``%`` as
    ``percent``, ``"dimensionless"`` for a bare number); see the module
    docstring for what is read. Cached per distinct text.

    Raises
    ------
    ScenarioError
        Saying why the text is not a quantity, with a hint where one helps
        (no field: the caller locates it).
    """
    parsed = _parsed(text)
    if isinstance(parsed, Failure):
        raise parsed.error()
    return parsed


def quantity_or_failure(text: str) -> tuple[float, str] | Failure:
    """:func:`parse_quantity` without raising: the pair or the :class:`Failure`."""
    return _parsed(text)


@lru_cache(maxsize=4096)
def _normalised_unit(text: str) -> str | Failure:
    invisible = _invisible(text)
    if invisible is not None:
        return invisible
    unit = _unit_words(fold_width(text).strip())
    problem = _unit_problem(unit)
    return unit if problem is None else problem.of(text)


def parse_unit(text: str, *, field: str | None = None) -> str:
    """A unit alone (a factor file's ``unit`` column, a header's ``[蒸吨/小时]``), normalised for pint.

    Raises
    ------
    ScenarioError
        As :func:`parse_quantity`, naming ``field``.
    """
    unit = _normalised_unit(text)
    if isinstance(unit, Failure):
        raise unit.error(field=field)
    return unit


def as_number(value: Any) -> float | None:
    """A Python or numpy number (not a boolean) as a float, else None."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return None


# ------------------------------------------------------------------ units


@lru_cache(maxsize=4096)
def unit_of(text: str) -> pint.Unit:
    """Parse a unit string once; later calls with the same string are free."""
    return ureg.Unit(text)


@lru_cache(maxsize=4096)
def conversion(from_unit: str, to_unit: str) -> float:
    """Multiplier taking a magnitude in ``from_unit`` to ``to_unit``.

    Raises
    ------
    pint.DimensionalityError
        When the two units measure different things: a new one each time.
        (pint caches and re-raises one error object per pair of units, whose
        traceback would keep the caller's frames, and a loaded scenario with
        them, alive until the next failure.)
    """
    source, target = unit_of(from_unit), unit_of(to_unit)
    if source.dimensionality != target.dimensionality:
        raise pint.DimensionalityError(from_unit, to_unit, str(source.dimensionality), str(target.dimensionality))
    return float(Quantity(1.0, source).to(target).magnitude)


_NAMED_DIMENSIONS = {
    "t": "a mass (t, kg)",
    "MW": "a power (MW, t_steam/h)",
    "h": "a time (h, d)",
    "km": "a distance (km)",
    "t/yr": "a mass per time (t/yr, Mt/yr)",
    "km/yr": "a distance per time (km/yr)",
    "GJ": "an energy (GJ, kWh)",
    "GJ/t": "an energy per mass (MJ/kg, GJ/t)",
    "GJ/m^3": "an energy per volume (MJ/m^3)",
    "m^3": "a volume (m^3)",
    "dimensionless": "a plain number",
    "household": "a number of households",
    "vehicle": "a number of vehicles",
}


@lru_cache(maxsize=4096)
def dimensionality(unit: str) -> str:
    """What a unit measures, in words where known (``a power (MW, t_steam/h)``)."""
    dims = unit_of(unit).dimensionality
    for reference, name in _NAMED_DIMENSIONS.items():
        if unit_of(reference).dimensionality == dims:
            return name
    return str(dims) if dims else "a plain number"


def _in_context(unit: str, to_unit: str) -> str:
    """A boiler's bare 蒸吨 (t_steam) where a power is expected is its rating, t_steam/h."""
    if unit == "t_steam" and unit_of(to_unit).dimensionality == unit_of("MW").dimensionality:
        return "t_steam/h"
    return unit


@lru_cache(maxsize=1 << 16)
def _string_in(text: str, to_unit: str) -> float:
    """Magnitude of the quantity ``text`` in ``to_unit``, once per distinct text (errors are not cached)."""
    magnitude, unit = parse_quantity(text)
    return magnitude * conversion(_in_context(unit, to_unit), to_unit)


def _wrong_dimension(shown: str, magnitude: float, unit: str, expected: str, hint: str) -> ScenarioError:
    """The error for a quantity ``shown`` as written that measures something else than ``expected``."""
    if unit == "t_steam":
        return ScenarioError(f"{shown} is a boiler rating in 蒸吨 (t_steam/h), expected {expected}", hint=hint)
    if expected == dimensionality("MW") and dimensionality(unit) == dimensionality("t/h"):
        hint = f"t/h is tonnes per hour; a boiler's 蒸吨/小时 is written t_steam/h, e.g. '{magnitude:g} t_steam/h'"
    return ScenarioError(f"{shown} is {dimensionality(unit)}, expected {expected}", hint=hint)


def to_canonical(
    value: Any,
    to_unit: str,
    *,
    field: str | None = None,
    example: str | None = None,
    allow_bare: bool = False,
) -> float:
    """Check a quantity's dimension and return its magnitude in ``to_unit``.

    Parameters
    ----------
    value : str, pint.Quantity or number
        ``"10 t_steam/h"``, ``"10 蒸吨/小时"``, ``ureg.Quantity(7, "MW")``;
        a bare number (Python or numpy) only when ``allow_bare`` (it is then
        taken as already in ``to_unit``).
    to_unit : str
        The canonical unit, e.g. ``"MW"``.
    field : str, optional
        Name used in error messages.
    example : str, optional
        How to write the value, shown when it has no unit.
    allow_bare : bool
        Accept a plain number as being in ``to_unit``.

    Returns
    -------
    float
        Magnitude in ``to_unit``.

    Raises
    ------
    ScenarioError
        Naming the field, the value and the expected dimension.
    """
    expected = dimensionality(to_unit)
    hint = f"write it like {example!r}" if example else f"give it with a unit, e.g. '1 {to_unit}'"
    try:
        if isinstance(value, str):
            result = _string_in(value, to_unit)
        elif (number := as_number(value)) is not None:
            if not (allow_bare or to_unit == "dimensionless"):
                raise ScenarioError(f"{value!r} has no unit; expected {expected}", hint=hint)
            result = number
        elif isinstance(value, pint.Quantity):
            result = float(value.magnitude) * conversion(str(value.units), to_unit)
        else:
            raise ScenarioError(f"expected {expected}, got {type(value).__name__} {value!r}", hint=hint)
    except pint.DimensionalityError:
        magnitude, unit = parse_quantity(value) if isinstance(value, str) else (value.magnitude, str(value.units))
        shown = repr(value) if isinstance(value, str) else str(value)
        raise _wrong_dimension(shown, magnitude, unit, expected, hint).located(field=field) from None
    except (TypeError, ValueError) as error:  # a ScenarioError, or a Quantity holding an array
        failure = error if isinstance(error, ScenarioError) else ScenarioError(f"{value!r} is not one quantity")
        if failure.first.hint is None:
            failure.first.hint = hint
        raise failure.located(field=field) from None
    if not math.isfinite(result) or abs(result) > LARGEST:
        raise ScenarioError(f"{value!r} is beyond {LARGEST:g} {to_unit}", field=field, hint=hint)
    return result
