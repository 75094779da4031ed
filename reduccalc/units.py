"""The package's one pint registry and the helpers that check quantities once.

Units are checked at the boundary (YAML, registers, calculator arguments) and
turned into plain floats in a canonical unit; everything after that is float64
arithmetic. Parsing is cached per distinct unit string, so 100,000 cells
reading ``"10 t_steam/h"`` cost one pint parse.
"""

from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pint

from .errors import ScenarioError


def _build_registry() -> pint.UnitRegistry:
    registry: pint.UnitRegistry = pint.UnitRegistry(on_redefinition="ignore")
    definitions = files("reduccalc.data").joinpath("units.txt").read_text("utf-8")
    logger = logging.getLogger("pint.util")
    level = logger.level
    logger.setLevel(logging.ERROR)  # kt (knot) is redefined on purpose
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

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")


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


def split_quantity(text: str) -> tuple[float, str]:
    """Split ``"10 t_steam/h"`` into ``(10.0, "t_steam/h")`` without pint.

    A percent sign becomes the unit ``percent``. Raises ``ValueError`` when
    the text does not start with a number.
    """
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError(f"{text!r} does not start with a number")
    number, unit = match.groups()
    if unit == "%":
        unit = "percent"
    return float(number), unit or "dimensionless"


@lru_cache(maxsize=1 << 16)
def _string_in(text: str, to_unit: str) -> float:
    """Magnitude of the quantity ``text`` in ``to_unit``, once per distinct text (errors are not cached)."""
    magnitude, unit = split_quantity(text)
    return magnitude * conversion(unit, to_unit)


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
        ``"10 t_steam/h"``, ``ureg.Quantity(7, "MW")``; a bare number only
        when ``allow_bare`` (it is then taken as already in ``to_unit``).
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
    if isinstance(value, bool):
        raise ScenarioError(f"expected {expected}, got {value!r}", field=field, hint=hint)
    if isinstance(value, (int, float)):
        if allow_bare or (to_unit == "dimensionless"):
            result = float(value)
        else:
            raise ScenarioError(f"{value!r} has no unit; expected {expected}", field=field, hint=hint)
    elif isinstance(value, pint.Quantity):
        try:
            result = float(value.magnitude) * conversion(str(value.units), to_unit)
        except pint.DimensionalityError:
            raise ScenarioError(
                f"{value} is {dimensionality(str(value.units))}, expected {expected}", field=field, hint=hint
            ) from None
    elif isinstance(value, str):
        try:
            result = _string_in(value, to_unit)
        except pint.DimensionalityError:
            magnitude, unit = split_quantity(value)
            if dimensionality(to_unit) == dimensionality("MW") and dimensionality(unit) == dimensionality("t/h"):
                hint = f"t/h is tonnes per hour; a boiler's 蒸吨/小时 is written t_steam/h, e.g. '{magnitude:g} t_steam/h'"
            raise ScenarioError(
                f"{value!r} is {dimensionality(unit)}, expected {expected}", field=field, hint=hint
            ) from None
        except Exception:  # not a number first, or a unit pint cannot parse (it raises many kinds)
            if _QUANTITY.match(value) is None:
                raise ScenarioError(f"{value!r} is not a quantity", field=field, hint=hint) from None
            raise ScenarioError(f"unknown unit {split_quantity(value)[1]!r} in {value!r}", field=field,
                                hint=hint) from None
    else:
        raise ScenarioError(f"expected {expected}, got {type(value).__name__}", field=field, hint=hint)
    if not math.isfinite(result):
        raise ScenarioError(f"{value!r} is not a finite number", field=field, hint=hint)
    return result


def parse_unit_checked(unit: str, *, field: str = "unit") -> pint.Unit:
    """Parse a unit string, turning every pint failure into a ScenarioError."""
    try:
        return unit_of(unit)
    except Exception:  # pint raises many kinds for malformed strings
        raise ScenarioError(f"unknown unit {unit!r}", field=field) from None
