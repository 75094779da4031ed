"""A one-file HTML report of a result, for a bureau to e-mail (``reduccalc report SCENARIO -o report.html``).

The file stands alone: CSS inline, figures as inline SVG (text drawn as
paths, so no font is needed), no script, no link, no image or font to
fetch, so opening it makes no network request. The Chinese characters of
the page's text come with it: the CJK font the figures use (Noto Sans CJK
SC of ``reduccalc[cjk]``, SIL Open Font License, which allows embedding),
cut down to those characters with fontTools (matplotlib's dependency), as
a ``data:`` URI, so a machine without a Chinese font shows them too; without
such a font file the page names the usual system families. Every text from
the user (scenario, county and measure names, the file's comments) is
HTML-escaped.

In order: the verdict (targets met, or short by how many tonnes and
percentage points; concentration targets in µg/m³), the county table and
the air-quality table, the figures, each measure's contribution, the ledger
summarised per measure with its factors and their sources, the
assumptions and estimates of the scenario file's header comments (see
``scenarios/README.md``), the uncertainty (with ``draws``), and the
reduccalc version with the checksums of the inputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ScenarioError
from ..vocabulary import TOTAL
from .labels import check_lang, column, measure_labels, verdict_word, word
from .tables import number_text

if TYPE_CHECKING:
    from ..result import Result

MAX_MEASURES = 200  # measures shown in the contribution and ledger tables; the rest are counted, not hidden

CSS = """
body{font-family:"reduccalc CJK","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",
 "Helvetica Neue",Arial,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#212529;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #dee2e6;margin-top:2em}
h3{font-size:1.05em}.meta{color:#495057}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ced4da;padding:.25em .55em;vertical-align:top;overflow-wrap:break-word}
th{background:#f1f3f5;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:bold;background:#f8f9fa}
.met{color:#2b8a3e;font-weight:bold}.short{color:#c92a2a;font-weight:bold}.none{color:#868e96}
.verdict{font-size:1.05em;padding:.6em 1em;border-left:6px solid #868e96;background:#f8f9fa}
.verdict.all-met{border-color:#2b8a3e}.verdict.some-short{border-color:#c92a2a}
figure{margin:1em 0;page-break-inside:avoid}figure svg{max-width:100%;height:auto}
figcaption{color:#495057;font-size:.9em}
pre{white-space:pre-wrap;background:#f8f9fa;padding:.6em;font-size:.82em;border:1px solid #e9ecef}
pre,code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,"reduccalc CJK","Noto Sans CJK SC",
 "Microsoft YaHei",monospace}code{font-size:.9em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}
"""


def esc(value: Any) -> str:
    """``value`` as text safe inside HTML (``<``, ``>``, ``&`` and quotes escaped)."""
    return escape(str(value), quote=True)


def _number(value: Any, digits: int) -> str:
    """``value`` with thousands separators and ``digits`` decimals; one too small for them in two
    significant digits (``-0.02``, never ``-0.0``); missing as a dash."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return number_text(value + 0.0, digits)  # + 0.0: no "-0.0"


_DIGITS = {"_t": 1, "_pct": 2, "_ugm3": 2}


def table(frame: pd.DataFrame, lang: str, total_rows: bool = False, digits: int | None = None) -> str:
    """``frame`` as an HTML table, headers labelled in ``lang``, numbers with thousands separators (``digits``
    decimals, else by the column's unit: 1 for tonnes, 2 for percents and µg/m³, 3 otherwise), ``met`` as
    达标/未达标 (met/short); rows of TOTAL in bold, named 全市 (TOTAL) / city (TOTAL), where ``total_rows``."""
    head = "".join(f"<th>{esc(column(c, lang))}</th>" for c in frame.columns)
    body = []
    judged = "met" in frame.columns
    for row in frame.itertuples(index=False, name=None):
        cells = []
        met = row[list(frame.columns).index("met")] if judged else True
        without_target = met is None or met is pd.NA
        for name, value in zip(frame.columns, row):
            if without_target and str(name).startswith("shortfall"):
                cells.append('<td class="n none">—</td>')  # 0 in the data: no target, nothing to fall short of
            elif name == "met":
                kind = "none" if value is None or value is pd.NA else "met" if value else "short"
                cells.append(f'<td class="{kind}">{esc(verdict_word(value, lang))}</td>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                shown = digits if digits is not None else next(
                    (d for suffix, d in _DIGITS.items() if str(name).endswith(suffix)), 3)
                cells.append(f'<td class="n">{esc(_number(value, shown))}</td>')
            elif name == "factor_id":  # a long dotted id may break after its dots
                cells.append(f"<td>{esc(value).replace('.', '.<wbr>')}</td>")
            elif total_rows and not cells and value == TOTAL:
                cells.append(f"<td>{esc(word('city', lang))} (TOTAL)</td>")
            else:
                cells.append(f"<td>{esc('' if value is None or value is pd.NA else value)}</td>")
        total = ' class="total"' if total_rows and row[0] == TOTAL else ""
        body.append(f"<tr{total}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render(result: Result, lang: str = "en", draws: int | None = None, seed: int = 1) -> str:
    """The report of ``result`` as one HTML document (a str), labels in ``lang`` (zh, en).

    With ``draws``, the uncertainty section runs ``draws`` Monte Carlo
    draws with ``seed``.
    """
    check_lang(lang)
    scenario = result.scenario
    title = f"{scenario.name} — {word('report', lang)}"
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(word("period", lang))}: {esc(scenario.period.start)} – {esc(scenario.period.end)}'
        f" · reduccalc {esc(result.metadata()['reduccalc_version'])}</p>",
        _verdict(result, lang),
        _section("counties", lang, table(result.summary(), lang, total_rows=True)),
        _air_quality(result, lang),
        _section("figures", lang, _figures(result, lang)),
        _section("contributions", lang, _contributions(result, lang)),
        _section("ledger", lang, _ledger(result, lang)),
        _section("sources", lang, _sources(result, lang)),
        _section("assumptions", lang, _assumptions(result, lang)),
        _uncertainty(result, lang, draws, seed),
        _section("provenance", lang, _provenance(result, lang)),
    ]
    text = "\n".join(p for p in body if p)
    return "\n".join([
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{embedded_font(title + _SVG.sub('', text))}{CSS}</style></head><body>",
        text, "</body></html>\n"])


_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_WIDE = re.compile(r"[^\x00-\u2000]")  # CJK and full-width characters: Latin is left to the system's fonts
EMBEDDED_FAMILY = "reduccalc CJK"


def embedded_font(text: str) -> str:
    """A CSS ``@font-face`` of the CJK font the figures use, holding only the wide characters of ``text``, as
    a ``data:`` URI; empty when ``text`` has none or no such font file (OTF or TTF) is at hand."""
    import base64
    import io

    chars = "".join(sorted(set(_WIDE.findall(text))))
    if not chars:
        return ""
    from .figures import cjk_font_file

    path = cjk_font_file()
    if path is None or path.suffix.lower() not in (".otf", ".ttf"):
        return ""
    try:
        from fontTools import subset
    except ImportError:
        return ""
    options = subset.Options()
    options.notdef_outline = True
    font = subset.load_font(str(path), options)
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    kind = ("font/otf", "opentype") if path.suffix.lower() == ".otf" else ("font/ttf", "truetype")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'@font-face{{font-family:"{EMBEDDED_FAMILY}";src:url(data:{kind[0]};base64,{data}) '
            f'format("{kind[1]}")}}\n')


def _section(key: str, lang: str, body: str, **values: Any) -> str:
    return f'<section id="{key}"><h2>{esc(word(key, lang, **values))}</h2>\n{body}</section>'


def _verdict(result: Result, lang: str) -> str:
    """The verdict box: how many targets hold, then one line per target (tonnes) and per concentration target."""
    summary = result.summary()
    with_target = summary[summary["target_pct"].notna()]
    items = []
    if len(with_target):
        short = int((~with_target["met"].astype(bool)).sum())
        head = word("all_met", lang, n=len(with_target)) if short == 0 else word(
            "some_short", lang, n=len(with_target), k=short)
        kind = "all-met" if short == 0 else "some-short"
        for row in with_target.itertuples(index=False):
            line = _target_line(row, lang)
            items.append(f'<li><span class="{"met" if row.met else "short"}">{esc(verdict_word(row.met, lang))}'
                         f"</span> {esc(line)}</li>")
    else:
        head, kind = word("no_targets", lang), "none"
    parts = [f'<div class="verdict {kind}"><strong>{esc(head)}</strong>',
             f"<ul>{''.join(items)}</ul>" if items else ""]
    parts.append(_air_quality_verdict(result, lang))
    parts.append("</div>")
    return _section("verdict", lang, "".join(parts))


def _target_line(row: Any, lang: str) -> str:
    where = word("city", lang) + " (TOTAL)" if row.county == TOTAL else row.county
    tonnes, base = _number(row.reduction_t, 1), _number(row.baseline_t, 1)
    if lang == "zh":
        line = (f"{where} {row.pollutant}：削减 {tonnes} t，占基准排放量 {base} t 的 {row.reduction_pct:.2f}%，"
                f"目标 {row.target_pct:g}%")
    else:
        line = f"{where} {row.pollutant}: {tonnes} t = {row.reduction_pct:.2f}% of {base} t, target {row.target_pct:g}%"
    if not row.met:
        gap = row.target_pct - row.reduction_pct
        line += ("；" if lang == "zh" else "; ") + word("short_by", lang, t=_number(row.shortfall_t, 1),
                                                         pp=f"{gap:.2f}")
    return line


def _air_quality_verdict(result: Result, lang: str) -> str:
    aq = result.air_quality_report
    judged = aq.table[aq.table["met"].notna()]
    if not len(judged):
        return f'<p class="none">{esc(word("aq_not_checked", lang))}</p>'
    items = []
    for row in judged.itertuples(index=False):
        where = word("city", lang) + " (TOTAL)" if row.area == TOTAL else row.area
        target = "" if math.isnan(row.target_ugm3) else (
            f"，目标 {row.target_ugm3:.2f} µg/m³" if lang == "zh" else f", target {row.target_ugm3:.2f} µg/m³")
        line = (f"{where} {row.pollutant}：预测 {row.projected_ugm3:.2f} µg/m³（观测 {row.observed_ugm3:.2f}）{target}"
                if lang == "zh" else
                f"{where} {row.pollutant}: projected {row.projected_ugm3:.2f} µg/m³ (observed "
                f"{row.observed_ugm3:.2f}){target}")
        for name in ("good_days", "heavy_days"):
            wanted = getattr(row, f"{name}_target_pct", math.nan)
            if not math.isnan(wanted):
                line += word("days", lang, what=word(name, lang), pct=f"{getattr(row, f'{name}_pct'):.1f}",
                             target=f"{wanted:.1f}")
        if not row.met:
            if math.isfinite(row.shortfall_ugm3):
                line += word("aq_short", lang, gap=f"{row.shortfall_ugm3:.2f}",
                             mean=f"{row.projected_ugm3 - row.shortfall_ugm3:.2f}")
            else:
                line += word("aq_out_of_reach", lang)
        items.append(f'<li><span class="{"met" if row.met else "short"}">{esc(verdict_word(row.met, lang))}'
                     f"</span> {esc(line)}</li>")
    short = sum(1 for m in judged["met"] if not m)
    head = word("all_met", lang, n=len(judged)) if not short else word("some_short", lang, n=len(judged), k=short)
    return f"<p><strong>{esc(word('aq_verdict', lang))}: {esc(head)}</strong></p><ul>{''.join(items)}</ul>"


def _air_quality(result: Result, lang: str) -> str:
    aq = result.air_quality_report
    if not len(aq.table):
        return ""
    notes = "".join(f"<li>{esc(n)}</li>" for n in aq.notes)
    body = table(aq.table.dropna(axis=1, how="all"), lang, total_rows=True)
    return _section("air_quality", lang, body + (f"<h3>{esc(word('notes', lang))}</h3><ul>{notes}</ul>"
                                                 if notes else ""))


def report_figures(result: Result) -> list[tuple[str, str | None, str | None]]:
    """(kind, pollutant, county) of the report's figures: for each pollutant with a target (every pollutant
    when none has one) the counties' chart (where there is more than one county: else it repeats the table)
    and the city's waterfall by measure; the air-quality chart."""
    summary = result.summary()
    targeted = summary.loc[summary["target_pct"].notna(), "pollutant"].unique().tolist()
    pollutants = targeted or summary["pollutant"].unique().tolist()
    figures: list[tuple[str, str | None, str | None]] = []
    for pollutant in pollutants:
        if len(result.scenario.counties) > 1:
            figures.append(("targets", pollutant, None))
        figures.append(("waterfall", pollutant, TOTAL))
    if len(result.air_quality_report.table):
        figures.append(("air_quality", None, None))
    return figures


_SVG_START = re.compile(r"<svg\b")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: bytes) -> str:
    """An SVG file's ``<svg>`` element for inlining in HTML: no XML declaration, DOCTYPE or comments."""
    text = svg.decode("utf-8")
    start = _SVG_START.search(text)
    if start is None:
        raise ValueError("not an SVG document")
    return _COMMENT.sub("", text[start.start():]).strip()


def _figures(result: Result, lang: str) -> str:
    from .figures import _matplotlib, drawn, figure_bytes

    plt = _matplotlib()
    out = []
    for kind, pollutant, county in report_figures(result):
        fig = drawn(result, kind, pollutant, county, lang)
        try:
            svg = inline_svg(figure_bytes(fig, "svg"))
            caption = fig.axes[0].get_title().replace("\n", " · ")
        finally:
            plt.close(fig)
        out.append(f'<figure class="{kind}">{svg}<figcaption>{esc(caption)}</figcaption></figure>')
    return "\n".join(out)


def _measure_frame(result: Result, lang: str) -> pd.DataFrame:
    """reductions with the measure's readable label, in the scenario's order."""
    names = measure_labels(result, lang)
    red = result.reductions
    frame = pd.DataFrame({
        "county": red["county"].astype(str).to_numpy(), "id": red["measure"].astype(str).to_numpy(),
        "measure": [names[(str(c), str(m))] for c, m in zip(red["county"], red["measure"])],
        "pollutant": red["pollutant"].astype(str).to_numpy(), "reduction_t": red["reduction_t"].to_numpy(),
        "upstream_t": red["upstream_t"].to_numpy()})
    return frame


def _contributions(result: Result, lang: str) -> str:
    """One row per measure, one column per pollutant: its reduction [t]; then the same of the upstream
    changes (power plants; negative = added) where any."""
    frame = _measure_frame(result, lang)
    html = _by_pollutant(frame, "reduction_t", lang)
    upstream = frame[frame["upstream_t"] != 0]
    if len(upstream):
        html += f"<h3>{esc(word('upstream', lang))}</h3>" + _by_pollutant(upstream, "upstream_t", lang)
    return html


def _by_pollutant(frame: pd.DataFrame, values: str, lang: str) -> str:
    """``frame[values]`` as a table of measures by pollutants (the first :data:`MAX_MEASURES` measures)."""
    order = list(dict.fromkeys(frame["pollutant"]))
    wide = frame.pivot_table(index=["county", "measure", "id"], columns="pollutant", values=values, aggfunc="sum",
                             sort=False)
    wide = wide.reindex(columns=[p for p in order if p in wide.columns]).reset_index()
    wide.columns.name = None
    shown, more = _first_measures(wide)
    return table(shown.rename(columns={"id": word("id", lang)}), lang, digits=1) + _more(more, lang)


def _first_measures(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows of the first :data:`MAX_MEASURES` measures, and how many measures are left out."""
    pairs = list(dict.fromkeys(zip(frame["county"], frame["id"])))
    if len(pairs) <= MAX_MEASURES:
        return frame, 0
    keep = set(pairs[:MAX_MEASURES])
    mask = [p in keep for p in zip(frame["county"], frame["id"])]
    return frame[mask], len(pairs) - MAX_MEASURES


def _more(count: int, lang: str) -> str:
    return f'<p class="none">{esc(word("ledger_more", lang, n=count))}</p>' if count else ""


def _ledger(result: Result, lang: str) -> str:
    """Per measure: its ledger rows summed by pollutant, scope and factor: activity x factor x adjustments x
    time in effect = tonnes, with the factor's id and source, as ``explain`` prints them."""
    ledger = result.ledger
    if not len(ledger):
        return "<p>—</p>"
    names = measure_labels(result, lang)
    text = ["county", "measure", "pollutant", "scope", "activity_unit", "factor_unit", "factor_id", "factor_source",
            "adjust_note", "time_unit"]
    frame = pd.DataFrame({c: ledger[c].astype(str).to_numpy() for c in text})
    for name in ("sign", "factor", "adjust", "time_share", "activity", "reduction_t"):
        frame[name] = ledger[name].to_numpy()
    keys = [c for c in frame.columns if c not in ("activity", "reduction_t")]
    grouped = frame.groupby(keys, sort=False, as_index=False)[["activity", "reduction_t"]].sum()
    shown, more = _first_measures(grouped.rename(columns={"measure": "id"}))
    out = []
    for (county, ident), rows in shown.groupby(["county", "id"], sort=False):
        label = names.get((county, ident), ident)
        table_rows = pd.DataFrame({
            "pollutant": rows["pollutant"], "scope": rows["scope"],
            "sign": ["+" if s > 0 else "−" for s in rows["sign"]],
            "activity": [f"{_significant(a)} {u}" for a, u in zip(rows["activity"], rows["activity_unit"])],
            "factor": [f"{_significant(f)} {u}" for f, u in zip(rows["factor"], rows["factor_unit"])],
            "adjust_note": [n if n else ("" if a == 1 else _significant(a)) for n, a in zip(rows["adjust_note"],
                                                                                          rows["adjust"])],
            "time": [_time(t, u) for t, u in zip(rows["time_share"], rows["time_unit"])],
            "reduction_t": rows["reduction_t"], "factor_id": rows["factor_id"], "factor_source": rows["factor_source"]})
        out.append(f"<h3>{esc(county)} / {esc(label)} <code>{esc(ident)}</code></h3>" + table(table_rows, lang))
    return "\n".join(out) + _more(more, lang)


def _significant(value: float) -> str:
    """``value`` to 6 significant digits with thousands separators (``1,260,280``, ``0.1227``)."""
    if value == 0 or not math.isfinite(value) or not 1e-4 <= abs(value) < 1e15:
        return f"{value:.6g}"
    decimals = max(0, 5 - math.floor(math.log10(abs(value))))
    shown = f"{value:,.{decimals}f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _time(share: float, unit: str) -> str:
    """The time in effect: ``0.5 yr`` for a rate per year, else the share of the period (blank for all of it)."""
    if unit:
        return f"{_significant(share)} {unit}"
    return "" if share == 1 else _significant(share)


def _sources(result: Result, lang: str) -> str:
    """The citation and address of every source the ledger's factors come from (addresses as text, not links)."""
    table_ = result.scenario.table
    used: dict[str, None] = {}
    for factor_id in result.ledger["factor_id"].astype(str).unique():
        row = table_.rows.get(factor_id)
        if row is not None and row.source:
            used.setdefault(row.source, None)
    items = []
    for source_id in used:
        source = table_.sources.get(source_id)
        citation = source.citation if source else source_id
        url = f" <code>{esc(source.url)}</code>" if source and source.url else ""
        items.append(f"<li><code>{esc(source_id)}</code>: {esc(citation)}{url}</li>")
    inline = int((~result.ledger["factor_id"].astype(str).isin(table_.rows)).sum())
    note = f"<p>{esc(word('inline_factors', lang, n=inline))}</p>" if inline else ""
    return f"<ul>{''.join(items)}</ul>{note}"


_RULE = re.compile(r"^\s*[-=]{3,}\s*(.*?)\s*[-=]*\s*$")
_MARKED = re.compile(r"\b(ESTIMATE|ASSUMPTION|ASSUMED|JUDGED)\b", re.I)


def header_sections(text: str) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The scenario file's header comments as (title, text) sections, split at ``---- TITLE ----`` rules, and
    the comments further down that mark an estimate or assumption, as (line, text).

    >>> header_sections("# Plan\\n# ---- FROM THE PLAN ----\\n# 12万户\\nname: x  # ESTIMATE: 3 t\\n")
    ([('', 'Plan'), ('FROM THE PLAN', '12万户')], [(4, 'ESTIMATE: 3 t')])
    """
    lines = text.splitlines()
    sections: list[tuple[str, list[str]]] = [("", [])]
    end = 0
    for end, line in enumerate(lines):  # noqa: B007 - where the header ends
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        body = stripped[1:]
        body = body[1:] if body.startswith(" ") else body
        rule = _RULE.match(body)
        if rule:
            if rule.group(1):
                sections.append((rule.group(1).strip("-= "), []))
            continue
        sections[-1][1].append(body)
    else:
        end = len(lines)
    found = [(title, "\n".join(body).strip("\n")) for title, body in sections]
    marked = []
    for number, line in enumerate(lines[end:], start=end + 1):
        comment = line.partition("#")[2].strip() if "#" in line else ""
        if comment and _MARKED.search(comment):
            marked.append((number, comment))
    return [(t, b) for t, b in found if b.strip()], marked


def _assumptions(result: Result, lang: str) -> str:
    scenario = result.scenario
    if scenario.file is None:
        return f"<p>{esc(word('no_assumptions', lang))}</p>"
    from ..inputfiles import read_bytes
    from ..inputs.yamlio import MAX_BYTES

    text = read_bytes(Path(scenario.file), "scenario file", MAX_BYTES).decode("utf-8-sig", "replace")
    sections, marked = header_sections(text)
    if not sections and not marked:
        return f"<p>{esc(word('no_assumptions', lang))}</p>"
    out = [f"<h3>{esc(title)}</h3><pre>{esc(body)}</pre>" if title else f"<pre>{esc(body)}</pre>"
           for title, body in sections]
    if marked:
        where = Path(scenario.file).name
        out.append("<h3>ESTIMATE / ASSUMPTION</h3><ul>" + "".join(
            f"<li><code>{esc(where)}:{n}</code> {esc(c)}</li>" for n, c in marked) + "</ul>")
    return "\n".join(out)


def _uncertainty(result: Result, lang: str, draws: int | None, seed: int) -> str:
    if not draws:
        return ""
    scenario = result.scenario
    body = table(scenario.simulate(draws=draws, seed=seed), lang, total_rows=True)
    if scenario.air_quality or any(c.air_quality for c in scenario.counties):
        from ..analysis.air_quality_uncertainty import simulate

        body += table(simulate(scenario, draws=draws, seed=seed), lang, total_rows=True)
    return _section("uncertainty", lang, body, draws=draws, seed=seed)


def input_files(result: Result) -> list[tuple[str, str]]:
    """(file as the scenario names it, SHA-256) of the scenario file and every register and baselines table
    it reads; a file that cannot be read again says so instead of a checksum."""
    from ..model import file_checksum

    scenario = result.scenario
    found: list[tuple[str, str]] = []
    if scenario.file:
        found.append((scenario.file, scenario.checksum))
    others = [r.file for r in scenario.registers] + [c.baseline_row[0] for c in scenario.counties
                                                      if c.baseline_row is not None]
    base = scenario.base_dir or Path(".")
    for name in dict.fromkeys(others):
        try:
            found.append((name, file_checksum(base / name)))
        except (OSError, ScenarioError) as error:
            found.append((name, f"not read again: {error}"))
    return found


def _provenance(result: Result, lang: str) -> str:
    meta = result.metadata()
    rows: Iterable[tuple[str, str]] = [
        (word("version", lang), meta["reduccalc_version"]),
        *((f"{word('file', lang)} {name}", digest) for name, digest in input_files(result)),
        ("factor tables SHA-256", meta["factor_tables_sha256"]),
        (word("period", lang), meta["period"])]
    body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


