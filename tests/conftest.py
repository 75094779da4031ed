"""Shared fixtures: a small factor table of round numbers for hand-checked tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from reduccalc.factors import load_table

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.register_profile("long", deadline=None, max_examples=10_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXTURE_FACTORS = Path(__file__).parent / "fixtures" / "factors"
REPO = Path(__file__).resolve().parent.parent


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
