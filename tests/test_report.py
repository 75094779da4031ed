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
    assert list(summary.columns) == ["county", "pollutant", "baseline_t", "reduction_t", "reduction_pct",
                                     "target_pct", "met", "shortfall_t"]
    assert summary["reduction_t"].tolist() == pytest.approx(result.summary()["reduction_t"].tolist())
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


# A plan whose workbook has every kind of column: a tiny factor, a target met and one not, a TOTAL without
# target (SO2), a flag, integer years and an air-quality sheet.
# NOx: 1e6 t x 2.6e-05 t/t = 26 t, + 100 trucks x 50,000 km x 8 g/km = 40 t: 66 t of 2000 t = 3.3 % (target 1 %:
# met); SO2: 400 t of 1000 t = 40 %, no target;
# PM2.5 (air quality): 40 x 0.5 x (0.2 x 0.4 + 0.3 x 0.033) = 1.798 µg/m³ -> 38.202, target 35: short
FORMATS_PLAN = scenario_dict(
    [{"type": "custom", "id": "tiny", "activity": "1e6 t", "emission_factors": {"NOx": "2.6e-05 t/t"}},
     {"type": "vehicle_retirement", "id": "trucks", "count": 100, "vehicle": "heavy_duty_diesel_truck",
      "standard": "China III"},
     {"type": "custom", "id": "so2", "activity": "400 t", "emission_factors": {"SO2": "1 t/t"}}],
    baseline={"SO2": "1000 t", "NOx": "2000 t"}, targets={"NOx": "1%"},
    air_quality={"PM2.5": {"observed": "40 ug/m3", "local_share": "50%", "shares": {"SO2": "20%", "NOx": "30%"},
                           "target": "35 ug/m3"}})


@pytest.fixture
def workbook(table, tmp_path):
    path = tmp_path / "formats.xlsx"
    load_scenario(FORMATS_PLAN, table=table).run().to_excel(str(path))
    return openpyxl.load_workbook(path)


def _column(sheet, name):
    """The data cells of the column headed ``name``."""
    header = [c.value for c in sheet[1]]
    return [row[header.index(name)] for row in sheet.iter_rows(min_row=2)]


def test_workbook_headers_are_bold_frozen_and_filtered(workbook):
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(c.font.b for c in sheet[1]), sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    assert workbook.sheetnames == ["summary", "reductions", "ledger", "factors", "air_quality", "metadata"]


def test_workbook_numbers_have_formats_by_column(workbook):
    summary = workbook["summary"]
    rows = {(r[0].value, r[1].value): r for r in summary.iter_rows(min_row=2)}
    header = [c.value for c in summary[1]]
    nox = {name: cell for name, cell in zip(header, rows[("甲县", "NOx")])}
    assert (nox["reduction_t"].value, nox["reduction_t"].number_format) == (pytest.approx(66.0), "#,##0.0")
    # the percent cell holds the CSV's number (3.3 for 3.3 %) and shows it with a % sign, not x100
    assert (nox["reduction_pct"].value, nox["reduction_pct"].number_format) == (pytest.approx(3.3), '0.00"%"')
    assert nox["target_pct"].value == 1.0 and nox["target_pct"].number_format == '0.00"%"'
    factor = [c for c in _column(workbook["ledger"], "factor") if c.value is not None and c.value < 1e-3]
    # 2.6e-05 t/t is a number shown in General (2.6E-05), never 0.000
    assert [(c.value, c.data_type, c.number_format) for c in factor] == [(pytest.approx(2.6e-05), "n", "General")]
    assert {c.number_format for c in _column(workbook["ledger"], "reduction_t")} == {"#,##0.000"}
    years = _column(workbook["factors"], "year")
    assert years and all(c.data_type == "n" and c.number_format == "0" for c in years)
    aq = workbook["air_quality"]
    projected = _column(aq, "projected_ugm3")[0]
    assert (projected.value, projected.number_format) == (pytest.approx(38.202), "#,##0.00")


def test_workbook_met_and_flags_are_booleans(workbook):
    met = {r[0].value + " " + r[1].value: r[6] for r in workbook["summary"].iter_rows(min_row=2)}
    assert workbook["summary"]["G1"].value == "met"
    assert (met["甲县 NOx"].value, met["甲县 NOx"].data_type) == (True, "b")  # 3.3 % >= 1 %
    assert met["甲县 SO2"].value is None  # no target: an empty cell, not a text
    assert [c.value for c in _column(workbook["air_quality"], "met")] == [False]  # 38.202 > 35
    assert {(c.value, c.data_type) for c in _column(workbook["ledger"], "counted")} == {(True, "b")}
