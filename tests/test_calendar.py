"""Time rules: period share, years in effect, heating share, window clipping."""

import datetime as dt

import pytest

from reduccalc.calendar import HeatingProfile, Period, heating_share, years_between
from reduccalc.factors import load_table

D = dt.date
PROFILE = HeatingProfile((0.25, 0.2, 0.1, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.25))  # the test fixture's, whole months
NORTH = load_table().heating_profile("north_china")  # the shipped profile: season 15 Nov - 15 Mar


def test_period_days_and_share():
    year = Period(D(2021, 1, 1), D(2021, 12, 31))
    assert year.days == 365
    assert year.share(None) == 1.0
    assert year.share(D(2021, 7, 1)) == pytest.approx(184 / 365)  # Jul 1 - Dec 31 inclusive
    assert year.days_in_effect(D(2021, 12, 31)) == 1


def test_a_whole_leap_year_counts_one_year():
    # before: 366 days / 365 = 1.0027 years of a per-year rate
    assert Period(D(2024, 1, 1), D(2024, 12, 31)).years_in_effect(None) == 1.0
    assert Period(D(2023, 1, 1), D(2023, 12, 31)).years_in_effect(None) == 1.0
    assert years_between(D(2023, 1, 1), D(2024, 12, 31)) == 2.0


def test_years_of_a_part_count_by_the_days_of_their_calendar_year():
    year = Period(D(2024, 1, 1), D(2024, 12, 31))
    # 1 Jul - 31 Dec 2024: 31+31+30+31+30+31 = 184 days of a 366-day year
    assert year.years_in_effect(D(2024, 7, 1)) == pytest.approx(184 / 366)
    # a plan year 1 Oct 2024 - 30 Sep 2025: 92 days of 2024 (/366) + 273 days of 2025 (/365)
    plan = Period(D(2024, 10, 1), D(2025, 9, 30))
    assert plan.years_in_effect(None) == pytest.approx(92 / 366 + 273 / 365)  # 0.99932
    # 15 Nov 2024 - 15 Mar 2025 clipped from a window: 47 days of 2024 and 74 of 2025
    assert plan.clip_years(D(2024, 11, 15), D(2025, 3, 15)) == pytest.approx(47 / 366 + 74 / 365)


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
def test_heating_share_of_whole_month_profile(start, end, expected):
    assert heating_share(start, end, PROFILE) == pytest.approx(expected)


def test_shipped_profile_gives_its_season_days():
    assert NORTH.season_days(2024, 11) == (D(2024, 11, 15), D(2024, 11, 30))
    assert NORTH.season_days(2025, 3) == (D(2025, 3, 1), D(2025, 3, 15))
    assert NORTH.season_days(2024, 2) == (D(2024, 2, 1), D(2024, 2, 29))


def test_in_service_on_the_first_day_of_the_season_counts_the_whole_season():
    # November's 0.1084 belongs to 15-30 November: from 15 Nov the whole season is in effect
    # (before: 0.1084 x 16/30 + the rest = 0.949)
    assert heating_share(D(2024, 11, 15), D(2025, 9, 30), NORTH) == pytest.approx(1.0, abs=1e-4)
    assert heating_share(D(2024, 10, 1), D(2025, 9, 30), NORTH) == pytest.approx(1.0, abs=1e-4)


def test_in_service_in_march_counts_the_season_days_left():
    # March's 0.0682 belongs to 1-15 March; 10-15 March is 6 of those 15 days: 0.0682 x 6 / 15 = 0.02728
    # (before: 0.0682 x 22/31 = 0.0484, as if the season ran to 31 March)
    assert heating_share(D(2025, 3, 10), D(2025, 9, 30), NORTH) == pytest.approx(0.0682 * 6 / 15)


def test_in_service_after_the_season_counts_nothing():
    assert heating_share(D(2025, 3, 16), D(2025, 9, 30), NORTH) == 0.0
    assert heating_share(D(2024, 11, 1), D(2024, 11, 14), NORTH) == 0.0


def test_heating_share_of_a_leap_february():
    # February's share over its 29 days of 2024: 1-14 Feb is 14/29 of it
    assert heating_share(D(2024, 2, 1), D(2024, 2, 14), NORTH) == pytest.approx(0.2277 * 14 / 29)


def test_period_end_before_start_is_an_error():
    with pytest.raises(ValueError, match="before it starts"):
        Period(D(2021, 12, 31), D(2021, 1, 1))
