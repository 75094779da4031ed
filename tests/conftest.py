"""Shared fixtures: a small factor table of round numbers for hand-checked tests."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from reduccalc.factors import load_table

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.register_profile("long", deadline=None, max_examples=10_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXTURE_FACTORS = Path(__file__).parent / "fixtures" / "factors"
REPO = Path(__file__).resolve().parent.parent

# A two-county plan for the command-line and output tests (with the fixture factors):
# 甲县 NOx: 100 x 50,000 km x 8 g/km = 40 t = 4 % (target 5 %: short by 10 t)
# 乙县 NOx: 1e6 t/yr x 36.5/365 x 1 kg/t = 100 t = 50 % (target 10 %: met)
PLAN = textwrap.dedent("""\
    name: 测试计划
    period: {start: 2021-01-01, end: 2021-12-31}
    targets: {NOx: "5%"}
    counties:
      甲县:
        baseline: {NOx: "1000 t", SO2: "400 t"}
        measures:
          - type: vehicle_retirement
            id: trucks
            count: 100
            vehicle: heavy_duty_diesel_truck
            standard: 国三
      乙县:
        baseline: {NOx: "200 t"}
        targets: {NOx: "10%"}
        measures:
          - type: staggered_production
            sector: cement_clinker
            output: "1 Mt/yr"
            days: 36.5
    """)


@pytest.fixture(scope="session")
def table():
    """Round-number factors (tests/fixtures/factors), never shipped."""
    return load_table(FIXTURE_FACTORS)


def scenario_dict(measures, baseline=None, targets=None, period=("2021-01-01", "2021-12-31"), **extra):
    """A one-county scenario dict."""
    return {
        "name": "test",
        "period": {"start": period[0], "end": period[1]},
        **({"targets": targets} if targets else {}),
        **extra,
        "counties": {"甲县": {"baseline": baseline or {"SO2": "1000 t", "NOx": "2000 t", "PM2.5": "500 t"},
                             "measures": measures}},
    }
