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

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..result import Result

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei")
MET_COLOR, SHORT_COLOR, NO_TARGET_COLOR = "#2b8a3e", "#c92a2a", "#868e96"
_chosen: list[str | None] = []


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


def plot_waterfall(result: Result, county: str, pollutant: str) -> Figure:
    """Waterfall of one county's reduction of ``pollutant`` [t], measure by measure.

    Bars climb from 0 to the county's total; the target (if any) is a dashed
    line. Negative steps (substitute emissions larger than removals) go down.
    """
    plt = _matplotlib()
    use_cjk_font()
    reductions = result.reductions
    rows = reductions[(reductions["county"] == county) & (reductions["pollutant"] == pollutant)]
    values = rows["reduction_t"].to_numpy()
    labels = rows["measure"].tolist()
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
    ax.set_title(f"{county}: {pollutant} reduction by measure\n{result.scenario.name}", fontsize=11)
    ax.tick_params(axis="x", rotation=30)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    return fig


def plot_targets(result: Result, pollutant: str) -> Figure:
    """Each county's reduction [%] of ``pollutant`` against its target.

    Horizontal bars, green where the target is met, red where short (with the
    shortfall in tonnes written beside), grey without a target; the target
    is a black tick on each bar.
    """
    plt = _matplotlib()
    use_cjk_font()
    summary = result.summary()
    rows = summary[summary["pollutant"] == pollutant].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.5 * len(rows)), layout="constrained")
    colors = [NO_TARGET_COLOR if met is pd.NA else MET_COLOR if met else SHORT_COLOR for met in rows["met"]]
    positions = np.arange(len(rows))[::-1]
    ax.barh(positions, rows["reduction_pct"], color=colors)
    ax.set_yticks(positions, rows["county"].tolist())
    for y, row in zip(positions, rows.itertuples(index=False)):
        if not np.isnan(row.target_pct):
            ax.plot([row.target_pct, row.target_pct], [y - 0.4, y + 0.4], color="black", lw=2)
        if row.met is not pd.NA and not row.met:
            ax.annotate(f"short {row.shortfall_t:,.1f} t", (max(row.reduction_pct, row.target_pct), y),
                        xytext=(4, 0), textcoords="offset points", va="center", color=SHORT_COLOR)
    ax.set_xlabel(f"{pollutant} reduction [% of baseline]; black tick = target")
    ax.set_title(f"{result.scenario.name}: {pollutant} by county")
    ax.margins(x=0.25)
    return fig


def save_plots(result: Result, folder: Path) -> list[str]:
    """Save the targets chart per pollutant and a waterfall per county and pollutant as PNG.

    Returns the file names written.
    """
    plt = _matplotlib()
    folder = Path(folder)
    names = []
    summary = result.summary()
    for pollutant in summary["pollutant"].unique():
        names.append(_save(plt, plot_targets(result, pollutant), folder / f"targets_{pollutant}.png"))
        for county in summary[(summary["pollutant"] == pollutant) & (summary["county"] != "TOTAL")]["county"]:
            name = f"waterfall_{_safe(county)}_{pollutant}.png"
            names.append(_save(plt, plot_waterfall(result, county, pollutant), folder / name))
    return [Path(n).name for n in names]


def _save(plt: Any, fig: Figure, path: Path) -> str:
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
