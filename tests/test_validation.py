"""The published cases of validation/cases.yaml against the shipped defaults (issue 19)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reduccalc.errors import ScenarioError
from reduccalc.factors import FactorTable, load_table
from reduccalc.validation import evaluate, load_cases, main, markdown, read_recorded, validation_dir

CASES = load_cases()
COMPARISONS = evaluate(CASES)


def _table_with(**values: float) -> FactorTable:
    """The shipped tables with the rows named (id with dots as ``__``) set to other values."""
    table = load_table()
    wanted = {key.replace("__", "."): value for key, value in values.items()}
    rows = [replace(row, value=wanted[row.id]) if row.id in wanted else row for row in table.rows.values()]
    return FactorTable(rows, table.sources, table.heating_profiles, table.checksum)


@pytest.mark.parametrize("comparison", COMPARISONS, ids=lambda c: f"{c.case}-{c.quantity}")
def test_each_ratio_lies_in_its_band(comparison):
    """Inside the band the case's own uncertainty allows; a known gap must stay outside until revisited."""
    if comparison.known_gap:
        assert not comparison.within, f"{comparison.case} {comparison.quantity} is back in band: revisit known_gap"
    else:
        assert comparison.within, (f"{comparison.case} {comparison.quantity}: ratio {comparison.ratio:.3f} outside "
                                   f"{comparison.low:g}-{comparison.high:g} ({comparison.why})")


def test_a_case_by_hand():
    """Hebei 2019: 2,239,600 households x 2.36 t (north_china) x 8.46 g PM10/kg = 44,715 t, 0.238 of 188,000 t."""
    pm10 = next(c for c in COMPARISONS if (c.case, c.quantity) == ("hebei_2019_households", "PM10"))
    assert pm10.reduccalc == pytest.approx(2_239_600 * 2.36 * 8.46 / 1000)
    assert pm10.ratio == pytest.approx(44_714.96 / 188_000, rel=1e-6)


def test_reverting_a_revised_default_moves_a_case_out():
    """Coal per household back at 3.3 t: the 2+26 coal case gives 1.40 x 3,300万 t, outside 0.85-1.2."""
    cases = [case for case in CASES if case["id"] == "two_plus_26_2017_2019_coal"]
    (coal,) = evaluate(cases, _table_with(param__coal_per_household__north_china=3.3))
    assert coal.ratio == pytest.approx(14_000_000 * 3.3 / 33_000_000)
    assert not coal.as_expected


def test_generated_table_is_current():
    """validation/RESULTS.md is what ``python -m reduccalc.validation --out`` writes now."""
    before = read_recorded(validation_dir() / "before.csv")
    assert (validation_dir() / "RESULTS.md").read_text(encoding="utf-8") == markdown(CASES, COMPARISONS, before)
    assert before[("hebei_2019_households", "SO2")] == pytest.approx(2.5641)


def test_main_exits_0_when_every_case_is_as_expected(capsys):
    assert main([]) == 0
    assert "| hebei_2019_households | SO2 (二氧化硫) | 49,000 t |" in capsys.readouterr().out


@pytest.mark.parametrize(("text", "message"), [
    ("cases: []\n", "expected a list under 'cases'"),
    ("cases:\n  - {id: x, title: t, source: {}, grade: judged, region: hebei, measure: {}, "
     "compare: [{quantity: SO3, published: 1, band: [0, 1]}]}\n", "unknown quantity 'SO3'"),
    ("cases:\n  - {id: x, title: t, source: {}, grade: judged, region: hebei, measure: {}, "
     "compare: [{quantity: SO2, published: 1, band: [2, 1]}]}\n", "band [2, 1]"),
    ("cases:\n  - {id: x, title: t, grade: judged}\n", "case 'x' has no 'source'"),
])
def test_a_bad_cases_file_is_refused_with_its_field(tmp_path, text, message):
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[")):
        load_cases(path)


def test_the_beijing_case_by_hand():
    """Beijing 2013-17: 974,000 households x 2.98 t (beijing row) = 2,902,520 t coal (circular);
    SO2 = 2,902,520 t x 1.62 kg/t (Liang et al. 2017, the Beijing stove factor) = 4,702.1 t, 0.336 of 14,000 t."""
    got = {c.quantity: c for c in COMPARISONS if c.case == "beijing_2013_2017_households"}
    assert got["coal_t"].reduccalc == pytest.approx(974_000 * 2.98)
    assert got["SO2"].reduccalc == pytest.approx(974_000 * 2.98 * 1.62 / 1000)
    assert got["SO2"].ratio == pytest.approx(4_702.08 / 14_000, rel=1e-5)


def test_beijing_on_the_north_china_defaults_misses_its_coal():
    """Without the Beijing rows (north China 2.36 t, 17 kg/t): coal 974,000 x 2.36 = 2,298,640 t, 0.79 of 2.9 Mt,
    outside 0.9-1.1; SO2 2,298,640 t x 17 kg/t = 39,077 t, 2.79x the published 14,000 t."""
    cases = [case for case in CASES if case["id"] == "beijing_2013_2017_households"]
    table = _table_with(param__coal_per_household__beijing=2.36,
                        household__raw_bituminous_coal__traditional_stove__SO2__beijing=17.0)
    coal, so2 = evaluate(cases, table)
    assert coal.ratio == pytest.approx(2_298_640 / 2_900_000)
    assert not coal.as_expected
    assert so2.ratio == pytest.approx(39_076.88 / 14_000)
