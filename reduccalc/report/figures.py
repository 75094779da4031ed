"""Figures: a waterfall of reductions by measure, and counties against targets.

matplotlib is imported lazily (``pip install reduccalc[plot]``). Chinese
county names need a CJK font: :func:`use_cjk_font` looks for one installed on
the system (Noto Sans CJK SC, Source Han Sans SC, WenQuanYi, Microsoft
YaHei, PingFang, SimHei), then for the fonts of the ``mplfonts`` package
(``pip install reduccalc[cjk]``), and otherwise warns once and draws with
the default font (Chinese characters then show as boxes). The family is set
as a list of concrete families so that glyphs the CJK font lacks (``₂``)
fall back to DejaVu Sans one by one.

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

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..result import Result

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei")
MET_COLOR, SHORT_COLOR, NO_TARGET_COLOR = "#2b8a3e", "#c92a2a", "#868e96"
_chosen: list[str | None] = []
_Plot = TypeVar("_Plot", bound=Callable[..., Any])


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        from ..errors import ScenarioError

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


def use_cjk_font(families: tuple[str, ...] = CJK_FAMILIES) -> str | None:
    """Make matplotlib draw Chinese text; return the CJK family used, or None.

    Warns once (``UserWarning``) when no CJK font can be found.
    """
    if _chosen:
        return _chosen[0]
    _matplotlib()
    import matplotlib
    from matplotlib import font_manager

    found = None
    for family in families:
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
def plot_waterfall(result: Result, county: str, pollutant: str) -> Figure:
    """Waterfall of one county's reduction of ``pollutant`` [t], measure by measure.

    Bars climb from 0 to the county's total; the target (if any) is a dashed
    line. Negative steps (substitute emissions larger than removals) go down.
    """
    plt = _matplotlib()
    reductions = result.reductions
    rows = reductions[(reductions["county"] == county) & (reductions["pollutant"] == pollutant)]
    values = rows["reduction_t"].to_numpy()
    labels = [_wrapped(m) for m in rows["measure"]]
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(values) + 3), 4.5), layout="constrained")
    colors = [MET_COLOR if v >= 0 else SHORT_COLOR for v in values]
    ax.bar(labels, values, bottom=starts, color=colors, label="reduction by measure")
    total = float(values.sum())
    ax.bar(["total"], [total], color="#1864ab", label="total")
    summary = result.summary()
    row = summary[(summary["county"] == county) & (summary["pollutant"] == pollutant)]
    if len(row) and not np.isnan(row["target_pct"].iloc[0]):
        needed = row["target_pct"].iloc[0] / 100 * row["baseline_t"].iloc[0]
        ax.axhline(needed, ls="--", color="black", label=f"target {row['target_pct'].iloc[0]:g}% = {needed:,.1f} t")
    ax.set_ylabel(f"{pollutant} reduction [t]")
    ax.set_title(f"{_wrapped(county, 40)}: {pollutant} reduction by measure\n{_wrapped(result.scenario.name, 60)}",
                 fontsize=11)
    ax.tick_params(axis="x", rotation=30)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    return fig


@_literal_text
def plot_targets(result: Result, pollutant: str) -> Figure:
    """Each county's reduction [%] of ``pollutant`` against its target.

    Horizontal bars, green where the target is met, red where short (with the
    shortfall in tonnes written beside), grey without a target; the target
    is a black tick on each bar.
    """
    plt = _matplotlib()
    summary = result.summary()
    rows = summary[summary["pollutant"] == pollutant].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.5 * len(rows)), layout="constrained")
    colors = [NO_TARGET_COLOR if met is pd.NA else MET_COLOR if met else SHORT_COLOR for met in rows["met"]]
    positions = np.arange(len(rows))[::-1]
    ax.barh(positions, rows["reduction_pct"], color=colors)
    ax.set_yticks(positions, [_wrapped(c) for c in rows["county"]])
    for y, row in zip(positions, rows.itertuples(index=False)):
        if not np.isnan(row.target_pct):
            ax.plot([row.target_pct, row.target_pct], [y - 0.4, y + 0.4], color="black", lw=2)
        if row.met is not pd.NA and not row.met:
            ax.annotate(f"short {row.shortfall_t:,.1f} t", (max(row.reduction_pct, row.target_pct), y),
                        xytext=(4, 0), textcoords="offset points", va="center", color=SHORT_COLOR)
    ax.set_xlabel(f"{pollutant} reduction [% of baseline]; black tick = target")
    ax.set_title(f"{_wrapped(result.scenario.name, 60)}: {pollutant} by county")
    ax.margins(x=0.25)
    return fig


@_literal_text
def plot_air_quality(result: Result) -> Figure:
    """Observed, projected and target concentration [µg/m³] by area: a ``Figure``.

    Grey bar the observed mean, coloured bar the projection (green met, red
    short, grey without a target), black tick the target (the highest mean
    meeting every target of the area, day targets included).
    """
    plt = _matplotlib()
    aq = result.air_quality_report
    table = aq.table
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.6 * len(table)), layout="constrained")
    positions = np.arange(len(table))[::-1].astype(float)
    ax.barh(positions + 0.2, table["observed_ugm3"], height=0.4, color="#ced4da", label="observed")
    colors = [NO_TARGET_COLOR if met is pd.NA else MET_COLOR if met else SHORT_COLOR for met in table["met"]]
    ax.barh(positions - 0.2, table["projected_ugm3"], height=0.4, color=colors, label="projected")
    for y, bound in zip(positions, aq.required):
        if np.isfinite(bound):
            ax.plot([bound, bound], [y - 0.45, y + 0.45], color="black", lw=2)
    ax.set_yticks(positions, [_wrapped(f"{a} {p}") for a, p in zip(table["area"], table["pollutant"])])
    ax.set_xlabel("µg/m³; black tick = target")
    ax.set_title(f"{result.scenario.name}: observed vs projected")
    ax.legend(loc="lower right")
    return fig


def save_plots(result: Result, folder: Path) -> list[str]:
    """Save the targets chart per pollutant, a waterfall per county and pollutant and, where the scenario has
    air-quality blocks, ``air_quality.png`` (observed vs projected vs target by area), as PNG.

    Returns the file names written (see :func:`figure_files`).
    """
    plt = _matplotlib()
    folder = Path(folder)
    names = []
    for pollutant, county, name in figure_files(result):
        fig = plot_targets(result, pollutant) if county is None else plot_waterfall(result, county, pollutant)
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        names.append(name)
    if len(result.air_quality_report.table):
        fig = plot_air_quality(result)
        fig.savefig(folder / "air_quality.png", dpi=110)
        plt.close(fig)
        names.append("air_quality.png")
    return names


def figure_files(result: Result) -> list[tuple[str, str | None, str]]:
    """(pollutant, county or None for the targets chart, file name) of every figure :func:`save_plots` writes.

    Names are ``targets_<pollutant>.png`` and ``waterfall_<county>_<pollutant>.png``
    with letters, digits, ``-``, ``_`` and ``.`` kept; a name changed to fit
    (other characters as ``_``, cut to a length every file system takes)
    ends in a short hash of the original, and a name equal to an earlier one
    (also where case does not count) gets the hash too, so no figure
    overwrites another.
    """
    summary = result.summary()
    taken: set[str] = set()
    files: list[tuple[str, str | None, str]] = []
    for pollutant in summary["pollutant"].unique():
        part = _name_part(pollutant, POLLUTANT_BYTES)
        files.append((pollutant, None, _unique(f"targets_{part}", pollutant, taken)))
        for county in summary[(summary["pollutant"] == pollutant) & (summary["county"] != "TOTAL")]["county"]:
            stem = f"waterfall_{_name_part(county, COUNTY_BYTES)}_{part}"
            files.append((pollutant, county, _unique(stem, f"{county}\0{pollutant}", taken)))
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


def _unique(stem: str, original: str, taken: set[str]) -> str:
    """``stem``.png, with a hash of ``original`` when a name taken before is the same but for case."""
    key = unicodedata.normalize("NFC", stem).casefold()
    if key in taken:
        stem = f"{stem}-{_digest(original)}"
        key = unicodedata.normalize("NFC", stem).casefold()
    taken.add(key)
    return f"{stem}.png"
