"""`explain` lines multiply out by hand: every printed number times every other gives the printed tonnes."""

from __future__ import annotations

import re

import pytest

from reduccalc import load_scenario
from reduccalc.report.tables import explain_lines
from reduccalc.units import Quantity
from tests.conftest import REPO

LINE = re.compile(r"^  ([+-]) (\S+)\s+(.*) = (-?[\d,.]+) t")
NUMBER = re.compile(r"^(-?[\d,.]+(?:e[-+]?\d+)?)\s*(.*)$")

# What the tutorial does not cover: removal on top, a heating boiler, a custom rate, a window, a leap year.
EXTRA = """
name: explain extra
period: {start: 2024-01-01, end: 2024-12-31}
region: hebei
counties:
  甲县:
    baseline: {SO2: "2000 t"}
    measures:
      - {type: boiler_phaseout, id: b, count: 3, capacity: "10 t_steam/h", hours: "2000 h", heating: true,
         in_service: 2024-12-01, removal_efficiency: {PM2.5: "40%"}, replacement: electric}
      - {type: custom, id: c, activity: "40 t/d", emission_factors: {NOx: "2 kg/t"}, in_service: 2024-07-01}
      - {type: custom, id: h, activity: "10 kg/h", emission_factors: {NOx: "3 g/kg"}}
      - {type: custom, id: p, activity: "300 t", emission_factors: {VOCs: "5 kg/t"}, in_service: 2024-10-01}
      - {type: staggered_production, id: s, sector: brick, output: "200000 t/yr",
         window: {start: 2024-11-15, end: 2025-03-15}}
      - {type: coal_to_gas, id: g, households: 1000, in_service: 2024-11-15}
"""


def term(text: str) -> Quantity:
    """One ``x``-separated term as a quantity: ``53,347.1 t``, ``13.6 kg/t per % S``, ``0.6 (reduction)``."""
    match = NUMBER.match(text.strip())
    assert match, text
    number, rest = float(match[1].replace(",", "")), match[2]
    rest = re.sub(r"\(.*\)$", "", rest)  # what a multiplier is: (reduction), (1 - removal 0.4)
    rest = re.sub(r"per % \S+$", "", rest)  # a factor per % of a content ...
    rest = re.sub(r"^% \S+$", "", rest)  # ... and the content in %: the two cancel
    rest = rest.replace("/season", "").replace("season", "").strip()  # per season x seasons
    return Quantity(number, rest or "dimensionless")


def multiplied_out(text: str) -> list[tuple[str, float, float]]:
    """Each ledger line of ``explain``: the line, its terms multiplied out [t] and its printed tonnes."""
    checked = []
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        product = Quantity(1.0, "dimensionless")
        for part in match[3].split(" x "):
            product = product * term(part)
        sign = -1.0 if match[1] == "-" else 1.0
        checked.append((line, sign * product.to("t").magnitude, float(match[4].replace(",", ""))))
    return checked


@pytest.mark.parametrize("scenario", ["tutorial", "extra"])
def test_every_explain_line_multiplies_out_to_its_tonnes(scenario, tmp_path):
    if scenario == "tutorial":
        path = REPO / "scenarios" / "tutorial.yaml"
    else:
        path = tmp_path / "extra.yaml"
        path.write_text(EXTRA, encoding="utf-8")
    lines = multiplied_out(explain_lines(load_scenario(path).run()))
    assert len(lines) > 20
    for line, product, printed in lines:
        assert product == pytest.approx(printed, rel=1e-3, abs=5e-4), line


def test_factor_per_percent_shows_its_unit_and_the_content_as_a_number():
    text = explain_lines(load_scenario(REPO / "scenarios" / "tutorial.yaml").run(), measure="small-boilers")
    # 53,347.1 t x 13.6 kg/t per % S x 1 % S = 725,520 kg: before, "x sulfur_content 1%" read as x 0.01
    assert "53,347.1 t x 13.6 kg/t per % sulfur_content x 1 % sulfur_content = 725.520 t" in text


def test_rates_show_per_year_and_the_years_in_effect():
    text = explain_lines(load_scenario(REPO / "scenarios" / "tutorial.yaml").run(), measure="old-trucks")
    # 1.5e7 km/yr x 7.934 g/km x 184/365 yr (1 Jul - 31 Dec 2023) = 59.994 t
    assert "1.5e+07 km/yr x 7.934 g/km x 0.50411 yr = 59.994 t" in text
