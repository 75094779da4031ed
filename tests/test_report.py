"""Figures and the Excel workbook."""

import warnings

import matplotlib
import openpyxl
import pandas as pd
import pytest

from reduccalc import load_scenario
from reduccalc.report import figures
from tests.conftest import scenario_dict

matplotlib.use("Agg")

MEASURES = [
    {"type": "vehicle_retirement", "id": "国三货车", "count": 100, "vehicle": "heavy_duty_diesel_truck",
     "standard": "国三"},
    {"type": "boiler_phaseout", "id": "小锅炉", "count": 3, "capacity": "10 t_steam/h", "hours": "1000 h"},
    {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr", "days": 30},
]


@pytest.fixture
def result(table):
    return load_scenario(scenario_dict(MEASURES, targets={"NOx": "5%"}), table=table).run()


def test_waterfall_has_a_bar_per_measure_plus_total(result):
    fig = result.plot_waterfall("甲县", "NOx")
    bars = fig.axes[0].patches
    assert len(bars) == 4  # three measures + total
    assert bars[-1].get_height() == pytest.approx(result.summary().query("county == '甲县' and pollutant == 'NOx'")
                                                  ["reduction_t"].iloc[0])
    assert any("target 5%" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_targets_chart_colours_short_counties(result):
    fig = result.plot_targets("NOx")
    bars = fig.axes[0].patches
    assert len(bars) == 2  # 甲县 and TOTAL
    short = result.summary().query("pollutant == 'NOx'")["met"].tolist()
    expected = [figures.MET_COLOR if m else figures.SHORT_COLOR for m in short]
    assert [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars] == expected


def test_save_plots_writes_pngs_with_chinese_names(result, tmp_path):
    names = figures.save_plots(result, tmp_path)
    assert "waterfall_甲县_NOx.png" in names and "targets_NOx.png" in names
    for name in names:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chinese_renders_without_missing_glyphs_when_a_font_exists(result, tmp_path):
    if figures.use_cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would be raised
        result.plot_targets("NOx").savefig(tmp_path / "x.png")


def test_missing_cjk_font_warns_once(monkeypatch):
    monkeypatch.setattr(figures, "_chosen", [])
    monkeypatch.setattr(figures, "_packaged_cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no Chinese font found"):
        assert figures.use_cjk_font(("No Such Font Family",)) is None
    figures._chosen.clear()


def test_workbook_sheets_match_dataframes(result, tmp_path):
    path = tmp_path / "r.xlsx"
    result.to_excel(str(path))
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["summary", "reductions", "ledger", "factors", "metadata"]
    summary = pd.read_excel(path, sheet_name="summary")
    assert list(summary.columns) == ["county", "pollutant", "baseline [t]", "reduction [t]", "reduction [%]",
                                     "target [%]", "met", "shortfall [t]"]
    assert summary["reduction [t]"].tolist() == pytest.approx(result.summary()["reduction_t"].tolist())
    ledger = pd.read_excel(path, sheet_name="ledger")
    assert len(ledger) == len(result.ledger)
    factors = pd.read_excel(path, sheet_name="factors")
    assert set(factors["id"]) == set(result.ledger["factor_id"])


def test_small_numbers_never_print_as_zero():
    from reduccalc.report.tables import number_text, text_table

    assert number_text(2.6e-05) == "2.6e-05"  # a factor in kg/t; one decimal place would say 0.0
    assert number_text(0.005113) == "0.0051" and number_text(0.0) == "0.0" and number_text(-0.02) == "-0.02"
    assert number_text(18.8307) == "18.8" and number_text(88728.67) == "88,728.7"
    assert number_text(0.004, 2) == "0.004" and number_text(0.005, 2) == "0.01" and number_text(12.345, 2) == "12.35"
    shown = text_table(pd.DataFrame({"pollutant": ["BC"], "reduction_t": [0.005113]}))
    assert "0.0051" in shown and "0.0\n" not in shown + "\n"
