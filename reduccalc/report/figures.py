"""Figures: a waterfall of reductions by measure, and counties against targets.

matplotlib is imported lazily (``pip install reduccalc[plot]``). Chinese
county names need a CJK font: :func:`use_cjk_font` looks for one installed on
the system (Noto Sans CJK SC, Source Han Sans SC, WenQuanYi, Microsoft
YaHei, PingFang, SimHei), then for the fonts of the ``mplfonts`` package
(``pip install reduccalc[cjk]``), and otherwise warns once and draws with
the default font (Chinese characters then show as boxes). The family is set
as a list of concrete families so that glyphs the CJK font lacks (``₂``)
fall back to DejaVu Sans one by one.

Labels are in English (``lang="en"``, the default) or Chinese (``"zh"``),
from :mod:`reduccalc.report.labels`; measures are named by their type and
what they act on, not by their ids. Every bar carries its value, tonnes
have thousands separators, legends sit outside the data, and
:func:`save_plots` writes PNG at :data:`DPI` or SVG.

Library functions return a ``Figure`` and never show it.
"""

from __future__ import annotations

import functools
import hashlib
import textwrap
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from ..errors import ScenarioError, did_you_mean
from ..vocabulary import TOTAL
from .labels import check_lang, measure_labels, verdict_word, word

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..result import Result

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei")
MET_COLOR, SHORT_COLOR, NO_TARGET_COLOR, TOTAL_COLOR = "#2b8a3e", "#c92a2a", "#868e96", "#1864ab"
_chosen: list[str | None] = []
_Plot = TypeVar("_Plot", bound=Callable[..., Any])


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ScenarioError("plots need matplotlib", hint="pip install 'reduccalc[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _packaged_cjk_font() -> str | None:
    try:
        import mplfonts  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk_font(families: tuple[str, ...] | None = None) -> str | None:
    """Make matplotlib draw Chinese text; return the CJK family used, or None.

    ``families`` defaults to :data:`CJK_FAMILIES`. Warns once
    (``UserWarning``) when no CJK font can be found; figures drawn after
    that hold matplotlib's per-glyph warnings back (:func:`figure_bytes`).
    """
    if _chosen:
        return _chosen[0]
    _matplotlib()
    import matplotlib
    from matplotlib import font_manager

    found = None
    for family in CJK_FAMILIES if families is None else families:
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        found = family
        break
    if found is None:
        found = _packaged_cjk_font()
    if found is None:
        warnings.warn("no Chinese font found: county names will show as boxes; install one with "
                      "`pip install 'reduccalc[cjk]'` or `apt-get install fonts-wqy-microhei`", stacklevel=2)
    else:
        matplotlib.rcParams["font.family"] = [found, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    _chosen.append(found)
    return found


def cjk_font_file() -> Path | None:
    """The file of the CJK font :func:`use_cjk_font` chose (None without one)."""
    family = use_cjk_font()
    if family is None:
        return None
    from matplotlib import font_manager

    try:
        return Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    except ValueError:
        return None


def _wrapped(text: str, width: int = 20) -> str:
    """``text`` in lines of at most ``width`` characters, so that a long name does not squeeze the plot away."""
    return textwrap.fill(str(text), width) or str(text)


def _literal_text(plot: _Plot) -> _Plot:
    """Draw names as they are: ``$`` in a county name is not the start of a formula (mathtext)."""

    @functools.wraps(plot)
    def drawn(*args: Any, **kwargs: Any) -> Any:
        plt = _matplotlib()
        use_cjk_font()  # before the context, which restores every setting it did not get
        with plt.rc_context({"text.parse_math": False}):
            return plot(*args, **kwargs)

    return drawn  # type: ignore[return-value]


@_literal_text
def plot_waterfall(result: Result, county: str, pollutant: str, lang: str = "en") -> Figure:
    """Waterfall of one county's reduction of ``pollutant`` [t], measure by measure.

    Bars climb from 0 to the county's total, each labelled with its tonnes;
    the target (if any) is a dashed line. Negative steps (substitute
    emissions larger than removals) go down. Measures are named by
    :func:`reduccalc.report.labels.measure_labels`. ``county`` may be
    ``TOTAL``: the city, measures of one label summed over the counties.
    Past :data:`MAX_BARS` measures, the smallest are one bar of the others.
    The legend sits right of the axes, outside the data.
    """
    plt = _matplotlib()
    names, values = _steps(result, county, pollutant, lang)
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    fig, ax = plt.subplots(figsize=(max(6.5, 1.0 * len(values) + 3), 5.0), layout="constrained")
    colors = [MET_COLOR if v >= 0 else SHORT_COLOR for v in values]
    steps = ax.bar([_wrapped(n, 14) for n in names], values, bottom=starts, color=colors,
                   label=word("reduction_by_measure", lang, pollutant=pollutant))
    ax.bar_label(steps, labels=[_tonnes(v) for v in values], fontsize=8, padding=2)
    total = float(values.sum())
    whole = ax.bar([word("total", lang)], [total], color=TOTAL_COLOR, label=word("total", lang))
    ax.bar_label(whole, labels=[_tonnes(total)], fontsize=9, padding=2)
    summary = result.summary()
    row = summary[(summary["county"] == county) & (summary["pollutant"] == pollutant)]
    if len(row) and not np.isnan(row["target_pct"].iloc[0]):
        pct = row["target_pct"].iloc[0]
        needed = pct / 100 * row["baseline_t"].iloc[0]
        ax.axhline(needed, ls="--", color="black", label=word("target_line", lang, pct=f"{pct:g}", t=_tonnes(needed)))
    _thousands(ax.yaxis)
    ax.set_ylabel(word("reduction_axis", lang, pollutant=pollutant))
    where = word("city", lang) if county == TOTAL else county
    ax.set_title(f"{_wrapped(where, 40)}: {word('reduction_by_measure', lang, pollutant=pollutant)}\n"
                 f"{_wrapped(result.scenario.name, 60)}", fontsize=11)
    ax.tick_params(axis="x", rotation=30, labelsize=8)
    ax.margins(y=0.12)
    _legend_outside(ax)
    return fig


MAX_BARS = 15


def _legend_outside(ax: Any, handles: list[Any] | None = None) -> None:
    """The legend to the right of the axes, outside the data (constrained layout makes room for it)."""
    ax.legend(**({} if handles is None else {"handles": handles}), loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=9, frameon=False, borderaxespad=0.0)


def _steps(result: Result, county: str, pollutant: str, lang: str) -> tuple[list[str], np.ndarray]:
    """Measure labels and their reductions [t] for a waterfall, in the scenario's order (TOTAL: largest
    first), the smallest beyond :data:`MAX_BARS` summed into one bar."""
    red = result.reductions
    rows = red[red["pollutant"] == pollutant] if county == TOTAL else red[(red["county"] == county) &
                                                                          (red["pollutant"] == pollutant)]
    names = measure_labels(result, lang)
    labelled = pd.Series(rows["reduction_t"].to_numpy(), index=[names[(str(c), str(m))] for c, m in
                                                                  zip(rows["county"], rows["measure"])])
    if county == TOTAL:
        labelled = labelled.groupby(level=0, sort=False).sum()
        labelled = labelled.iloc[np.argsort(-labelled.abs().to_numpy(), kind="stable")]
    if len(labelled) > MAX_BARS:
        keep = np.sort(np.argsort(-labelled.abs().to_numpy(), kind="stable")[:MAX_BARS - 1])
        rest = labelled.drop(labelled.index[keep])
        labelled = pd.concat([labelled.iloc[keep], pd.Series([rest.sum()], [word("others", lang, n=len(rest))])])
    return [str(n) for n in labelled.index], labelled.to_numpy(dtype=float)


def _tonnes(value: float) -> str:
    """Tonnes with thousands separators and a sensible number of decimals."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 1 else f"{value:,.2f}"


def _thousands(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:,.2g}"))


@_literal_text
def plot_targets(result: Result, pollutant: str, lang: str = "en") -> Figure:
    """Each county's reduction [%] of ``pollutant`` against its target.

    Horizontal bars, green where the target is met, red where short (with the
    shortfall in tonnes written beside), grey without a target, each
    labelled with its percent; the target is a black tick on each bar that
    has one, said in the legend only when a bar has one.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plt = _matplotlib()
    summary = result.summary()
    rows = summary[summary["pollutant"] == pollutant].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8.0, 1.6 + 0.45 * len(rows)), layout="constrained")
    colors = [NO_TARGET_COLOR if met is pd.NA else MET_COLOR if met else SHORT_COLOR for met in rows["met"]]
    positions = np.arange(len(rows))[::-1]
    bars = ax.barh(positions, rows["reduction_pct"], color=colors)
    ax.bar_label(bars, labels=[f"{v:.2f}%" for v in rows["reduction_pct"]], fontsize=8, padding=2)
    county_names = [word("city", lang) + " (TOTAL)" if c == TOTAL else c for c in rows["county"]]
    ax.set_yticks(positions, [_wrapped(c) for c in county_names])
    for y, row in zip(positions, rows.itertuples(index=False)):
        if not np.isnan(row.target_pct):
            ax.plot([row.target_pct, row.target_pct], [y - 0.4, y + 0.4], color="black", lw=2)
        if row.met is not pd.NA and not row.met:
            ax.annotate(word("short_note", lang, t=_tonnes(row.shortfall_t)),
                        (max(row.reduction_pct, row.target_pct), y), xytext=(44, 0), textcoords="offset points",
                        va="center", color=SHORT_COLOR, fontsize=8)
    ax.set_xlabel(word("pct_axis", lang, pollutant=pollutant))
    ax.set_title(f"{_wrapped(result.scenario.name, 60)}: {word('by_county', lang, pollutant=pollutant)}", fontsize=11)
    ax.margins(x=0.3)
    verdicts = [(MET_COLOR, "met"), (SHORT_COLOR, "short"), (NO_TARGET_COLOR, "none")]
    shown = set(colors)
    handles: list[Any] = [Patch(color=c, label=verdict_word({"met": True, "short": False, "none": None}[v], lang))
                          for c, v in verdicts if c in shown]
    if rows["target_pct"].notna().any():
        handles.append(Line2D([], [], color="black", lw=2, label=word("target_tick", lang)))
    _legend_outside(ax, handles)
    return fig


@_literal_text
def plot_air_quality(result: Result, lang: str = "en") -> Figure:
    """Observed, projected and target concentration [µg/m³] by area: a ``Figure``.

    Grey bar the observed mean, coloured bar the projection (green met, red
    short, grey without a target), black tick the target (the highest mean
    meeting every target of the area, day targets included), each bar
    labelled with its value.
    """
    from matplotlib.lines import Line2D

    plt = _matplotlib()
    aq = result.air_quality_report
    table = aq.table
    fig, ax = plt.subplots(figsize=(8.0, 1.6 + 0.6 * len(table)), layout="constrained")
    positions = np.arange(len(table))[::-1].astype(float)
    observed = ax.barh(positions + 0.2, table["observed_ugm3"], height=0.4, color="#ced4da",
                       label=word("observed", lang))
    colors = [NO_TARGET_COLOR if met is pd.NA else MET_COLOR if met else SHORT_COLOR for met in table["met"]]
    projected = ax.barh(positions - 0.2, table["projected_ugm3"], height=0.4, color=colors,
                        label=word("projected", lang))
    for bars in (observed, projected):
        ax.bar_label(bars, labels=[f"{v:,.1f}" for v in bars.datavalues], fontsize=8, padding=2)
    ticks = False
    for y, bound in zip(positions, aq.required):
        if np.isfinite(bound):
            ax.plot([bound, bound], [y - 0.45, y + 0.45], color="black", lw=2)
            ticks = True
    areas = [word("city", lang) + " (TOTAL)" if a == TOTAL else a for a in table["area"]]
    ax.set_yticks(positions, [_wrapped(f"{a} {p}") for a, p in zip(areas, table["pollutant"])])
    ax.set_xlabel("µg/m³")
    ax.set_title(f"{_wrapped(result.scenario.name, 60)}: {word('aq_title', lang)}", fontsize=11)
    ax.margins(x=0.15)
    handles: list[Any] = [observed, projected]
    if ticks:
        handles.append(Line2D([], [], color="black", lw=2, label=word("target_tick", lang)))
    _legend_outside(ax, handles)
    return fig


FIGURE_KINDS = ("targets", "waterfall", "air_quality")
PLOT_FORMATS = ("png", "svg")
DPI = 200  # print quality


def check_which(which: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The figure kinds ``which`` names (``"targets,waterfall"`` or a list; None: all), else a ``ScenarioError``
    naming ``--plot-which``."""
    if which is None:
        return FIGURE_KINDS
    names = [n.strip() for part in ([which] if isinstance(which, str) else which) for n in part.split(",")]
    for name in names:
        if name not in FIGURE_KINDS:
            raise ScenarioError(f"no figure kind {name!r}", field="--plot-which", hint=" ".join(filter(
                None, (did_you_mean(name, list(FIGURE_KINDS)), f"the kinds: {', '.join(FIGURE_KINDS)}"))))
    return tuple(k for k in FIGURE_KINDS if k in names)


def figure_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """``fig`` as PNG (:data:`DPI` dots per inch) or SVG (text as paths: no font needed to show it) bytes.

    Drawn with matplotlib's "Glyph missing" warnings held back when no CJK
    font was found (:func:`use_cjk_font` said so once already).
    """
    import io

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        if not use_cjk_font():
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        fig.savefig(buffer, format=fmt, dpi=DPI, metadata=_METADATA[fmt])
    return buffer.getvalue()


_METADATA: dict[str, dict[str, Any]] = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}


def drawn(result: Result, kind: str, pollutant: str | None, county: str | None, lang: str) -> Figure:
    """The figure of ``kind`` (see :data:`FIGURE_KINDS`) for ``pollutant`` and ``county``."""
    if kind == "targets":
        return plot_targets(result, str(pollutant), lang)
    if kind == "waterfall":
        return plot_waterfall(result, str(county), str(pollutant), lang)
    return plot_air_quality(result, lang)


def save_plots(result: Result, folder: Path, lang: str = "en", fmt: str = "png",
               which: str | list[str] | tuple[str, ...] | None = None) -> list[str]:
    """Save the targets chart per pollutant, a waterfall per county and pollutant and, where the scenario has
    air-quality blocks, ``air_quality.<fmt>`` (observed vs projected vs target by area), as PNG or SVG.

    ``which`` chooses the kinds (:data:`FIGURE_KINDS`; default all). Returns
    the file names written (see :func:`figure_files`).
    """
    plt = _matplotlib()
    check_lang(lang)
    folder = Path(folder)
    names = []
    for kind, pollutant, county, name in figure_files(result, fmt, which):
        fig = drawn(result, kind, pollutant, county, lang)
        try:
            (folder / name).write_bytes(figure_bytes(fig, fmt))
        finally:
            plt.close(fig)
        names.append(name)
    return names


def figure_files(result: Result, fmt: str = "png", which: str | list[str] | tuple[str, ...] | None = None
                 ) -> list[tuple[str, str | None, str | None, str]]:
    """(kind, pollutant, county, file name) of every figure :func:`save_plots` writes, of the kinds ``which``
    names (default all); pollutant and county are None where the kind has none.

    Names are ``targets_<pollutant>.<fmt>``, ``waterfall_<county>_<pollutant>.<fmt>``
    and ``air_quality.<fmt>`` (where the scenario has air-quality blocks),
    with letters, digits, ``-``, ``_`` and ``.`` kept; a name changed to fit
    (other characters as ``_``, cut to a length every file system takes)
    ends in a short hash of the original, and a name equal to an earlier one
    (also where case does not count) gets the hash too, so no figure
    overwrites another.
    """
    if fmt not in PLOT_FORMATS:
        raise ScenarioError(f"no figure format {fmt!r}", field="--plot-format", hint="png or svg")
    kinds = check_which(which)
    summary = result.summary()
    taken: set[str] = set()
    files: list[tuple[str, str | None, str | None, str]] = []
    for pollutant in summary["pollutant"].unique():
        part = _name_part(pollutant, POLLUTANT_BYTES)
        if "targets" in kinds:
            files.append(("targets", pollutant, None, _unique(f"targets_{part}", pollutant, taken, fmt)))
        if "waterfall" in kinds:
            for county in summary[(summary["pollutant"] == pollutant) & (summary["county"] != TOTAL)]["county"]:
                stem = f"waterfall_{_name_part(county, COUNTY_BYTES)}_{part}"
                files.append(("waterfall", pollutant, county, _unique(stem, f"{county}\0{pollutant}", taken, fmt)))
    if "air_quality" in kinds and len(result.air_quality_report.table):
        files.append(("air_quality", None, None, _unique("air_quality", "air_quality", taken, fmt)))
    return files


COUNTY_BYTES, POLLUTANT_BYTES = 120, 40  # in UTF-8; with the rest a name stays well under 255 bytes


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _name_part(text: str, limit: int) -> str:
    """``text`` as part of a file name, at most ``limit`` bytes, with a hash of ``text`` when changed."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    if safe == text and len(safe.encode()) <= limit:
        return safe
    cut = safe.encode()[:limit - 9].decode("utf-8", "ignore")
    return f"{cut}-{_digest(text)}"


def _unique(stem: str, original: str, taken: set[str], fmt: str = "png") -> str:
    """``stem``.``fmt``, with a hash of ``original`` when a name taken before is the same but for case."""
    key = unicodedata.normalize("NFC", stem).casefold()
    if key in taken:
        stem = f"{stem}-{_digest(original)}"
        key = unicodedata.normalize("NFC", stem).casefold()
    taken.add(key)
    return f"{stem}.{fmt}"
