"""The unit registry and the boundary helper."""

import pytest

from reduccalc import ScenarioError, ureg
from reduccalc.units import _string_in, conversion, parse_quantity, to_canonical, unit_of


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("10 t_steam/h", "MW", 7.0),  # 1 t_steam/h = 0.7 MW by definition
        ("1 t_steam", "GJ", 2.52),  # 0.7 MW x 3600 s
        ("35 蒸吨/h", "MW", 24.5),
        ("3 kt", "t", 3000.0),  # kilotonne, not knot
        ("1.2 Mt/yr", "kt/yr", 1200.0),
        ("1 a", "yr", 1.0),
        ("2 万元", "CNY", 20000.0),
        ("5 hh", "household", 5.0),
    ],
)
def test_published_conversions(quantity, unit, expected):
    assert ureg(quantity).to(unit).magnitude == pytest.approx(expected, rel=1e-12)


def test_counts_are_dimensions():
    with pytest.raises(Exception, match="[Cc]annot convert"):
        ureg("5 household").to("vehicle")


def test_to_canonical_converts_strings_quantities_and_percent():
    assert to_canonical("10 t_steam/h", "MW") == pytest.approx(7.0)
    assert to_canonical(ureg.Quantity(7, "MW"), "MW") == 7.0
    assert to_canonical("250 kg", "t") == pytest.approx(0.25)
    assert parse_quantity("30%") == (30.0, "percent")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10 kg", "is a mass .* expected a power"),
        ("10 h", "is a time .* expected a power"),
        ("10 furlongs_per_fortnight", "unknown unit"),
        (10, "has no unit"),
        ("ten MW", "not a quantity"),
        ("nan MW", "not a quantity|not a finite"),
        (True, "expected"),
    ],
)
def test_to_canonical_errors_name_field_value_and_dimension(value, message):
    with pytest.raises(ScenarioError, match=message) as info:
        to_canonical(value, "MW", field="capacity", example="10 t_steam/h")
    assert info.value.first.field == "capacity"
    assert "10 t_steam/h" in str(info.value)


def test_unit_parsing_is_cached():
    unit_of.cache_clear()
    for _ in range(100_000):
        unit_of("t_steam/h")
    assert unit_of.cache_info().misses == 1
    conversion.cache_clear()
    _string_in.cache_clear()
    for _ in range(1000):
        to_canonical("10 t_steam/h", "MW")
        to_canonical("20 t_steam/h", "MW")
    assert conversion.cache_info().misses == 1  # one unit conversion
    assert _string_in.cache_info().misses == 2  # one parse per distinct text
