"""The one-file HTML report (`reduccalc report`), its labels, and the figures it draws; a headless browser
opens it with the network off."""

import json
import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser

import matplotlib
import pytest

from reduccalc import load_scenario
from reduccalc.report import figures, html, labels, outputs
from tests.conftest import PLAN, plan, run, scenario_dict

matplotlib.use("Agg")

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def result(table):
    return load_scenario(PLAN_DICT, table=table).run()


PLAN_DICT = {
    "name": "测试计划", "period": {"start": "2021-01-01", "end": "2021-12-31"}, "targets": {"NOx": "5%"},
    "counties": {
        "甲县": {"baseline": {"NOx": "1000 t", "SO2": "400 t"}, "measures": [
            {"type": "vehicle_retirement", "id": "trucks", "count": 100, "vehicle": "heavy_duty_diesel_truck",
             "standard": "国三"}]},
        "乙县": {"baseline": {"NOx": "200 t"}, "targets": {"NOx": "10%"}, "measures": [
            {"type": "staggered_production", "sector": "cement_clinker", "output": "1 Mt/yr", "days": 36.5}]}},
}


class _Links(HTMLParser):
    """Every address an element or a style could make a browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "poster", "data", "action", "background"):
                self.addresses.append(value or "")
            if name == "style":
                self.addresses += re.findall(r"url\(\s*['\"]?([^'\")]*)", value or "")

    def handle_data(self, data):
        self.addresses += re.findall(r"url\(\s*['\"]?([^'\")]*)", data)
        self.addresses += [f"@import {m}" for m in re.findall(r"@import\s+(\S+)", data)]


def external(page: str) -> list[str]:
    """Addresses in ``page`` that point anywhere but inside it (``#...``) or at inline data (``data:``)."""
    parser = _Links()
    parser.feed(page)
    return [a for a in parser.addresses if not a.startswith(("#", "data:"))]


def test_the_report_says_the_verdict_first_in_chinese(result):
    page = html.render(result, "zh")
    # 甲县 NOx: 100 x 50,000 km x 8 g/km = 40 t of 1,000 t = 4.00 %, target 5 %: short by 10 t, 1.00 points;
    # 乙县 100 t of 200 t = 50 % (10 %: met); TOTAL 140 t of 1,200 t = 11.67 % (5 %: met)
    assert "3 项目标中 1 项未达标" in page
    assert "甲县 NOx：削减 40.0 t，占基准排放量 1,000.0 t 的 4.00%，目标 5%；差 10.0 t（1.00 个百分点）" in page
    assert "全市 (TOTAL) NOx：削减 140.0 t，占基准排放量 1,200.0 t 的 11.67%，目标 5%" in page
    order = [page.index(f'<section id="{s}">') for s in ("verdict", "counties", "figures", "contributions",
                                                          "ledger", "sources", "assumptions", "provenance")]
    assert order == sorted(order)
    for label in ("县区", "污染物", "基准排放量 (t)", "削减量 (t)", "目标 (%)", "是否达标", "差距 (t)", "达标", "未达标"):
        assert f">{label}<" in page
    assert page.count("<svg") == 2  # the counties chart and the city waterfall of NOx, the only pollutant with a target


def test_the_report_in_english_and_without_targets(table):
    res = load_scenario(scenario_dict([{"type": "boiler_phaseout", "count": 3, "capacity": "10 t_steam/h",
                                        "hours": "1000 h"}]), table=table).run()
    page = html.render(res, "en")
    assert "the scenario sets no emission targets" in page and "targets met" not in page
    assert "no air-quality (concentration) targets" in page
    assert ">coal boiler phase-out<" in page  # the measure by its type, its id only beside it
    assert page.count("<svg") == 3  # one county: the city waterfall of SO2, NOx and PM2.5, no county chart


def test_user_text_is_escaped_everywhere(table, tmp_path):
    data = scenario_dict([{"type": "boiler_phaseout", "id": "<img src=x onerror=alert(2)>", "count": 3,
                           "capacity": "10 t_steam/h", "hours": "1000 h"}], targets={"NOx": "5%"})
    data["name"] = HOSTILE
    data["counties"] = {HOSTILE: data["counties"]["甲县"]}
    path = tmp_path / "plan.yaml"
    path.write_text(f"# header with {HOSTILE}\n" + json.dumps(data, ensure_ascii=False), encoding="utf-8")
    page = html.render(load_scenario(path, table=table).run(), "en", draws=20)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert external(page) == []


def test_nothing_in_the_report_points_outside_it(result):
    page = html.render(result, "en", draws=50)
    parser = _Links()
    parser.feed(page)
    assert "svg" in parser.tags and parser.addresses  # the figures' own references (#glyph, url(#clip))
    assert external(page) == []
    assert "<script" not in page and "<link" not in page and "<img" not in page


def test_uncertainty_only_when_asked(result):
    assert 'id="uncertainty"' not in html.render(result, "en")
    page = html.render(result, "en", draws=50, seed=3)
    assert "uncertainty (Monte Carlo, 50 draws, seed 3)" in page and "P(met)" in page


def test_header_comments_and_marked_estimates(tmp_path, table):
    path = plan(tmp_path, "# Plan of 测试\n# ---- FROM THE PLAN ----\n# 12万户\n# ---- ESTIMATED ----\n"
                          "# x = 2 x 3\n" + PLAN.replace('"1000 t", SO2', '"1000 t", SO2', 1)
                          .replace("count: 100", "count: 100  # ESTIMATE: from the 2020 census"))
    page = html.render(load_scenario(path, table=table).run(), "en")
    assert "<h3>FROM THE PLAN</h3><pre>12万户</pre>" in page and "<h3>ESTIMATED</h3><pre>x = 2 x 3</pre>" in page
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "ESTIMATE:" in t)
    assert f"<code>plan.yaml:{line}</code> ESTIMATE: from the 2020 census" in page


def test_provenance_has_the_version_and_the_checksums(tmp_path, table):
    import hashlib

    import reduccalc

    path = plan(tmp_path)
    res = load_scenario(path, table=table).run()
    page = html.render(res, "en")
    assert hashlib.sha256(path.read_bytes()).hexdigest() in page
    assert res.scenario.table.checksum in page and f"<code>{reduccalc.__version__}</code>" in page


def test_default_language_follows_the_names(table):
    assert labels.default_lang(load_scenario(PLAN_DICT, table=table)) == "zh"
    english = {**scenario_dict([]), "name": "Test"}
    english["counties"] = {"North": english["counties"]["甲县"]}
    assert labels.default_lang(load_scenario(english, table=table)) == "en"
    assert labels.verdict_word(True, "zh") == "达标" and labels.verdict_word(False, "zh") == "未达标"
    assert labels.column("baseline_t", "zh") == "基准排放量 (t)" and labels.column("unknown", "zh") == "unknown"
    with pytest.raises(ValueError, match="no language 'fr'"):
        labels.check_lang("fr")


# -- writing it: the trust rules of --out ----------------------------------------------------------------------


def test_report_command_writes_one_file_and_replaces_only_its_own(tmp_path):
    path = plan(tmp_path)
    done = run("report", path, "-o", tmp_path / "out" / "r.html")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "<title>测试计划 — 减排措施评估报告</title>" in page
    manifest = json.loads((tmp_path / "out" / outputs.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["reports"] == ["r.html"] and manifest["files"] == []
    again = run("report", path, "-o", tmp_path / "out" / "r.html", "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert '<html lang="en">' in (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [outputs.MANIFEST, "r.html"]


def test_report_never_overwrites_a_users_file(tmp_path):
    path = plan(tmp_path)
    mine = tmp_path / "mine.html"
    mine.write_text("my own notes", encoding="utf-8")
    done = run("report", path, "-o", mine)
    assert done.returncode == 2 and "exists and reduccalc did not write it" in done.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.html", "plan.yaml"]


def test_out_and_report_in_one_folder_keep_each_other(tmp_path):
    path = plan(tmp_path)
    assert run("report", path, "-o", tmp_path / "report.html").returncode == 0
    done = run("run", path, "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.html").exists() and (tmp_path / "summary.csv").exists()
    assert run("report", path, "-o", tmp_path / "report.html").returncode == 0  # still ours
    assert (tmp_path / "summary.csv").exists()
    manifest = json.loads((tmp_path / outputs.MANIFEST).read_text(encoding="utf-8"))
    assert "summary.csv" in manifest["files"] and manifest["reports"] == ["report.html"]


def test_report_options_are_checked(tmp_path):
    path = plan(tmp_path)
    for args, message in ((("--lang", "fr"), "invalid choice: 'fr'"), (("--draws", "0"), "--draws must be 1")):
        done = run("report", path, "-o", tmp_path / "r.html", *args)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r.html").exists()


# -- figures ---------------------------------------------------------------------------------------------------


def test_figures_in_chinese_with_values_and_the_legend_outside(result):
    fig = figures.plot_waterfall(result, "甲县", "NOx", "zh")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["老旧车辆淘汰 · heavy\nduty diesel\ntruck", "合计"]
    assert "40.0" in [t.get_text() for t in ax.texts]  # 100 x 50,000 km x 8 g/km = 40 t, labelled on its bar
    assert any(t.get_text() == "目标 5% = 50.0 t" for t in ax.get_legend().get_texts())
    fig.canvas.draw()
    legend, axes = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= axes.x1  # right of the data, never over it


def test_no_target_tick_in_a_chart_without_targets(table):
    res = load_scenario(scenario_dict([{"type": "boiler_phaseout", "count": 3, "capacity": "10 t_steam/h",
                                        "hours": "1000 h"}]), table=table).run()
    texts = [t.get_text() for t in figures.plot_targets(res, "NOx", "en").axes[0].get_legend().get_texts()]
    assert texts == ["no target"]
    with_target = [t.get_text() for t in figures.plot_targets(
        load_scenario(PLAN_DICT, table=table).run(), "NOx", "en").axes[0].get_legend().get_texts()]
    assert with_target == ["met", "short", "target"]


def test_thousands_separators_on_the_axis(table):
    res = load_scenario(scenario_dict([{"type": "custom", "activity": "1 Mt", "emission_factors": {"NOx": "1 kg/t"}}],
                                      baseline={"NOx": "100000 t"}), table=table).run()
    fig = figures.plot_waterfall(res, "甲县", "NOx")
    fig.canvas.draw()
    assert "1,000" in [t.get_text() for t in fig.axes[0].get_yticklabels()]  # 1 Mt x 1 kg/t = 1,000 t


def test_save_plots_chooses_kinds_and_formats(result, tmp_path):
    names = figures.save_plots(result, tmp_path, fmt="svg", which="targets")
    assert names == ["targets_SO2.svg", "targets_NOx.svg"]
    assert (tmp_path / "targets_NOx.svg").read_bytes().lstrip().startswith(b"<?xml")
    png = figures.save_plots(result, tmp_path / "..", which=["waterfall"])
    assert png == ["waterfall_甲县_SO2.png", "waterfall_甲县_NOx.png", "waterfall_乙县_NOx.png"]
    from PIL import Image

    with Image.open(tmp_path / ".." / png[0]) as image:
        dpi = image.info["dpi"]
    assert round(dpi[0]) == figures.DPI >= 200
    with pytest.raises(Exception, match="no figure kind 'bars'"):
        figures.check_which("targets,bars")


def test_plot_options_on_the_command_line(tmp_path):
    path = plan(tmp_path)
    done = run("run", path, "--plot", tmp_path / "f", "--plot-format", "svg", "--plot-which", "targets")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [outputs.MANIFEST, "targets_NOx.svg",
                                                                   "targets_SO2.svg"]
    bad = run("run", path, "--plot", tmp_path / "g", "--plot-which", "bars")
    assert bad.returncode == 2 and "no figure kind 'bars'" in bad.stderr and not (tmp_path / "g").exists()


def test_one_warning_without_a_chinese_font(result, tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "_chosen", [])
    monkeypatch.setattr(figures, "_packaged_cjk_font", lambda: None)
    monkeypatch.setattr(figures, "CJK_FAMILIES", ("No Such Font Family",))
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures.save_plots(result, tmp_path)
    # UserWarning: matplotlib's glyph warnings are UserWarnings (a ResourceWarning of another test may land here)
    assert [str(w.message)[:22] for w in caught if w.category is UserWarning] == ["no Chinese font found:"]


# -- a real browser, network off --------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars"]


def page_requests(netlog):
    """Addresses the page asked for, from a Chromium net log: requests with an initiator (``null`` for a
    file:// page), not the browser's own (initiator ``not an origin``: its clock, its account check)."""
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
    try:
        log = json.loads(text)
    except ValueError:  # cut off while it was written: close the events list
        log = json.loads(text + "]}")
    return [event["params"]["url"] for event in log["events"]
            if "url" in event.get("params", {}) and event["params"].get("initiator") not in (None, "not an origin")
            and not event["params"]["url"].startswith(("file:", "data:"))]


def browse(page, profile, *args):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_the_net_log_check_sees_a_page_that_fetches(tmp_path):
    page = tmp_path / "fetches.html"
    page.write_text('<html><body><img src="http://example.invalid/a.png"></body></html>', encoding="utf-8")
    done = browse(page, tmp_path / "profile", f"--log-net-log={tmp_path / 'net.json'}", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert page_requests(tmp_path / "net.json") == ["http://example.invalid/a.png"]


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_a_browser_renders_the_report_offline(result, tmp_path):
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(html.render(result, "zh"), encoding="utf-8")
    netlog = tmp_path / "net.json"
    dom = browse(page, tmp_path / "profile", f"--log-net-log={netlog}", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>测试计划 — 减排措施评估报告</title>" in dom.stdout
    assert dom.stdout.count("<table") >= 4 and dom.stdout.count("<svg") == 2
    assert "3 项目标中 1 项未达标" in dom.stdout
    assert page_requests(netlog) == []
    shot = tmp_path / "shot.png"
    done = browse(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2400")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text, tables and charts, not a blank page
    dominant = max(colours)[0] / sum(c for c, _ in colours)
    assert dominant < 0.97  # not all white
    green, red = (43, 138, 62), (201, 42, 42)  # the charts' met and short bars
    assert any(rgb == green for _, rgb in colours) and any(rgb == red for _, rgb in colours)


def test_the_verdict_in_micrograms(table):
    data = scenario_dict([{"type": "custom", "activity": "200 t", "emission_factors": {"SO2": "1000 kg/t"}}],
                         baseline={"SO2": "2000 t"})
    data["air_quality"] = {"PM2.5": {"observed": "40 ug/m3", "local_share": "50%", "shares": {"SO2": "20%"},
                                     "target": "39 ug/m3"}}
    page = html.render(load_scenario(data, table=table).run(), "zh")
    # 40 x 50 % x 20 % x 200 t / 2,000 t = 0.4 µg/m³: 39.6 projected against 39, short by 0.6
    assert ("未达标</span> 全市 (TOTAL) PM2.5：预测 39.60 µg/m³（观测 40.00），目标 39.00 µg/m³；差 0.60 µg/m³"
            "（平均浓度不高于 39.00 µg/m³ 时各项目标均达成）") in page
    assert "空气质量目标: 1 项目标中 1 项未达标" in page and page.count("<svg") == 2  # waterfall, air quality


def test_the_pages_chinese_travels_with_it(result):
    if figures.cjk_font_file() is None or figures.cjk_font_file().suffix.lower() not in (".otf", ".ttf"):
        pytest.skip("no CJK font file to embed")
    page = html.render(result, "zh")
    face = re.search(r'@font-face\{font-family:"reduccalc CJK";src:url\(data:font/(otf|ttf);base64,([A-Za-z0-9+/=]+)\)',
                     page)
    assert face is not None
    from io import BytesIO

    from fontTools.ttLib import TTFont

    font = TTFont(BytesIO(__import__("base64").b64decode(face.group(2))))
    mapped = set(map(chr, font.getBestCmap()))
    assert {"县", "达", "标", "削"} <= mapped and len(mapped) < 400  # the page's characters, not the 16 MB font
    assert html.embedded_font("only latin text") == ""


def test_past_the_bound_measures_are_counted_not_hidden(result, monkeypatch):
    monkeypatch.setattr(html, "MAX_MEASURES", 1)
    page = html.render(result, "en")
    # two measures (trucks in 甲县, the cement stop in 乙县): one shown in each table, one counted
    second = result.reductions["measure"].astype(str).unique()[1]
    assert page.count("1 more measures not shown") == 2 and f">{second}<" not in page
    assert "<code>trucks</code>" in page and ">trucks<" in page
