"""Time rules: period share, heating share, window clipping."""

import datetime as dt

import pytest

from reduccalc.calendar import Period, heating_share

D = dt.date
PROFILE = (0.25, 0.2, 0.1, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.25)  # the test fixture's north_china profile


def test_period_days_and_share():
    year = Period(D(2021, 1, 1), D(2021, 12, 31))
    assert year.days == 365
    assert year.share(None) == 1.0
    assert year.share(D(2021, 7, 1)) == pytest.approx(184 / 365)  # Jul 1 - Dec 31 inclusive
    assert year.days_in_effect(D(2021, 12, 31)) == 1


def test_window_clipped_to_period_and_in_service():
    year = Period(D(2021, 1, 1), D(2021, 12, 31))
    assert year.clip(D(2021, 11, 15), D(2022, 3, 15)) == 47  # Nov 15 - Dec 31
    assert year.clip(D(2020, 11, 15), D(2021, 3, 15)) == 74  # Jan 1 - Mar 15
    assert year.clip(D(2021, 11, 15), D(2022, 3, 15), in_service=D(2021, 12, 1)) == 31


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2021, 1, 1), D(2021, 12, 31), 1.0),  # a whole year counts 1
        (D(2017, 10, 1), D(2018, 3, 31), 1.0),  # a whole season counts 1
        (D(2024, 1, 1), D(2025, 12, 31), 2.0),  # two years count 2
        (D(2021, 11, 1), D(2021, 12, 31), 0.45),  # Nov + Dec
        (D(2021, 11, 16), D(2021, 11, 30), 0.2 * 15 / 30),  # half of November
        (D(2021, 5, 1), D(2021, 9, 30), 0.0),  # summer
    ],
)
def test_heating_share(start, end, expected):
    assert heating_share(start, end, PROFILE) == pytest.approx(expected)


def test_period_end_before_start_is_an_error():
    with pytest.raises(ValueError, match="before it starts"):
        Period(D(2021, 12, 31), D(2021, 1, 1))
