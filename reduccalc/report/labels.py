"""Display labels of the result's columns, verdicts and measure types, in Chinese (``zh``) and English (``en``).

Column names stay what they are in every table, CSV, JSON and the API
(``baseline_t``, ``met`` ...); this module only says how a report or a
figure shows them to a reader. :func:`default_lang` is the rule the command
line uses when ``--lang`` is not given: ``zh`` when any county's name or
the scenario's name holds a Chinese character (CJK unified ideographs),
else ``en``. Library functions take ``lang=`` themselves (default ``en``).
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ScenarioError, did_you_mean
from ..measures import MEASURE_TYPES

if TYPE_CHECKING:
    from ..model import Scenario
    from ..result import Result

LANGS = ("zh", "en")

# column name -> (zh, en)
COLUMNS: dict[str, tuple[str, str]] = {
    "county": ("县区", "county"),
    "area": ("区域", "area"),
    "pollutant": ("污染物", "pollutant"),
    "measure": ("措施", "measure"),
    "type": ("措施类型", "measure type"),
    "baseline_t": ("基准排放量 (t)", "baseline (t)"),
    "reduction_t": ("削减量 (t)", "reduction (t)"),
    "reduction_pct": ("削减比例 (%)", "reduction (%)"),
    "target_pct": ("目标 (%)", "target (%)"),
    "met": ("是否达标", "met"),
    "shortfall_t": ("差距 (t)", "short by (t)"),
    "upstream_t": ("上游电厂变化 (t)", "upstream change (t)"),
    "observed_ugm3": ("观测浓度 (µg/m³)", "observed (µg/m³)"),
    "change_local_ugm3": ("本地减排降幅 (µg/m³)", "local fall (µg/m³)"),
    "change_regional_ugm3": ("区域传输降幅 (µg/m³)", "regional fall (µg/m³)"),
    "projected_ugm3": ("预测浓度 (µg/m³)", "projected (µg/m³)"),
    "change_pct": ("浓度变化 (%)", "change (%)"),
    "target_ugm3": ("目标浓度 (µg/m³)", "target (µg/m³)"),
    "shortfall_ugm3": ("差距 (µg/m³)", "short by (µg/m³)"),
    "good_days_pct": ("优良天数比例 (%)", "good days (%)"),
    "good_days_target_pct": ("优良天数目标 (%)", "good days target (%)"),
    "heavy_days_pct": ("重污染天数比例 (%)", "heavy days (%)"),
    "heavy_days_target_pct": ("重污染天数目标 (%)", "heavy days target (%)"),
    "activity": ("活动水平", "activity"),
    "activity_unit": ("活动水平单位", "activity unit"),
    "factor": ("排放因子", "factor"),
    "factor_unit": ("因子单位", "factor unit"),
    "factor_id": ("因子编号", "factor id"),
    "factor_source": ("因子来源", "factor source"),
    "source": ("说明", "what"),
    "scope": ("范围", "scope"),
    "sign": ("增减", "sign"),
    "adjust_note": ("调整", "adjustments"),
    "time": ("生效时间", "time in effect"),
    "reduction_p5": ("削减量 P5 (t)", "reduction P5 (t)"),
    "reduction_p50": ("削减量 P50 (t)", "reduction P50 (t)"),
    "reduction_p95": ("削减量 P95 (t)", "reduction P95 (t)"),
    "pct_p5": ("削减比例 P5 (%)", "reduction P5 (%)"),
    "pct_p50": ("削减比例 P50 (%)", "reduction P50 (%)"),
    "pct_p95": ("削减比例 P95 (%)", "reduction P95 (%)"),
    "p_met": ("达标概率", "P(met)"),
}

# verdict words: met, short, no target
VERDICTS: dict[str, tuple[str, str, str]] = {"zh": ("达标", "未达标", "无目标"), "en": ("met", "short", "no target")}

# the key whose value says what a measure of a type acts on (a sector, a vehicle class ...)
SUBJECT_KEYS = ("sector", "vehicle", "machine", "animal")

# words of reports and figures: key -> (zh, en)
WORDS: dict[str, tuple[str, str]] = {
    "report": ("减排措施评估报告", "emission reduction report"),
    "period": ("评估期", "period"),
    "verdict": ("结论", "verdict"),
    "all_met": ("全部 {n} 项目标达标", "all {n} targets met"),
    "some_short": ("{n} 项目标中 {k} 项未达标", "{k} of {n} targets NOT met"),
    "no_targets": ("情景未设减排目标：以下仅列削减量，不作达标判断", "the scenario sets no emission targets: "
                   "reductions only, nothing is judged met"),
    "short_by": ("差 {t} t（{pp} 个百分点）", "short by {t} t ({pp} percentage points)"),
    "aq_verdict": ("空气质量目标", "air-quality targets"),
    "good_days": ("优良天数比例", "good days"),
    "heavy_days": ("重污染天数比例", "heavy days"),
    "days": ("，{what} {pct}%（目标 {target}%）", ", {what} {pct}%, target {target}%"),
    "aq_short": ("；差 {gap} µg/m³（平均浓度不高于 {mean} µg/m³ 时各项目标均达成）",
                 "; short by {gap} µg/m³ (every target holds at a mean of {mean} µg/m³ or less)"),
    "aq_out_of_reach": ("；这些措施无法达到（其他污染物造成的超标天数）",
                        "; out of reach of these measures (days lost to other pollutants)"),
    "aq_not_checked": ("情景无空气质量（浓度）目标：未作浓度判断", "no air-quality (concentration) targets in the "
                       "scenario: concentrations not judged"),
    "counties": ("分县区结果", "results by county"),
    "air_quality": ("空气质量 (µg/m³)", "air quality (µg/m³)"),
    "figures": ("图表", "figures"),
    "contributions": ("各措施削减量 (t)", "each measure's contribution (t)"),
    "ledger": ("核算明细（按措施汇总）", "the ledger, summarised by measure"),
    "ledger_more": ("另有 {n} 项措施未列出：完整明细见 reduccalc run --out 的 ledger.csv",
                    "{n} more measures not shown: the whole ledger is ledger.csv of reduccalc run --out"),
    "sources": ("排放因子来源", "sources of the factors"),
    "inline_factors": ("{n} 行核算使用情景文件自带的排放因子 (emission_factors)",
                       "{n} ledger rows use factors given in the scenario itself (emission_factors)"),
    "assumptions": ("情景说明：假设与估算（情景文件的注释）", "the scenario's assumptions and estimates (its header)"),
    "no_assumptions": ("情景文件没有注释头。", "the scenario file has no header comments."),
    "uncertainty": ("不确定性（蒙特卡洛，{draws} 次抽样，种子 {seed}）",
                    "uncertainty (Monte Carlo, {draws} draws, seed {seed})"),
    "provenance": ("版本与校验和", "version and checksums"),
    "version": ("reduccalc 版本", "reduccalc version"),
    "file": ("文件", "file"),
    "sha256": ("SHA-256", "SHA-256"),
    "notes": ("说明", "notes"),
    "upstream": ("上游（电厂）", "upstream (power plants)"),
    "total": ("合计", "total"),
    "reduction_by_measure": ("分措施{pollutant}削减量", "{pollutant} reduction by measure"),
    "reduction_axis": ("{pollutant} 削减量 (t)", "{pollutant} reduction (t)"),
    "target_line": ("目标 {pct}% = {t} t", "target {pct}% = {t} t"),
    "by_county": ("{pollutant} 分县区削减比例", "{pollutant} by county"),
    "pct_axis": ("{pollutant} 削减比例 (% 基准排放量)", "{pollutant} reduction (% of baseline)"),
    "target_tick": ("目标", "target"),
    "short_note": ("差 {t} t", "short {t} t"),
    "observed": ("观测", "observed"),
    "projected": ("预测", "projected"),
    "aq_title": ("观测与预测浓度", "observed vs projected"),
    "others": ("其他 {n} 项措施", "{n} other measures"),
    "city": ("全市", "city"),
    "id": ("编号", "id"),
}


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else a ``ScenarioError`` naming ``--lang``."""
    if lang not in LANGS:
        raise ScenarioError(f"no language {lang!r}", field="--lang",
                            hint=" ".join(filter(None, (did_you_mean(lang, list(LANGS)), "zh or en"))))
    return lang


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def default_lang(scenario: Scenario) -> str:
    """``zh`` when the scenario's name or any county's name holds a Chinese character, else ``en``."""
    names = [scenario.name, *(c.name for c in scenario.counties)]
    return "zh" if any(_HAN.search(n) for n in names) else "en"


def _pick(pair: tuple[str, ...], lang: str) -> str:
    return pair[LANGS.index(lang)]


def column(name: str, lang: str) -> str:
    """The display label of column ``name`` (the name itself for a column without one)."""
    return _pick(COLUMNS[name], lang) if name in COLUMNS else name


def word(key: str, lang: str, **values: Any) -> str:
    """A report's or figure's word :data:`WORDS` ``[key]`` in ``lang``, formatted with ``values``."""
    return _pick(WORDS[key], lang).format(**values)


def verdict_word(met: Any, lang: str) -> str:
    """达标 / 未达标 / 无目标 (met / short / no target) for a ``met`` that is True, False or missing."""
    met_word, short, none = VERDICTS[lang]
    if met is None or met is pd.NA or (isinstance(met, float) and met != met):
        return none
    return met_word if met else short


def measure_type(name: str, lang: str) -> str:
    """The measure type's display name, as the type declares it (:attr:`MeasureType.label`)."""
    return _pick(MEASURE_TYPES[name].label, lang) if name in MEASURE_TYPES else name


_LABELS: weakref.WeakKeyDictionary[Any, dict[str, dict[tuple[str, str], str]]] = weakref.WeakKeyDictionary()


def measure_labels(result: Result, lang: str) -> dict[tuple[str, str], str]:
    """A readable label for every (county, measure id) of ``result.reductions``.

    The measure's ``name`` where the model carries one, else its type's
    display name with what it acts on (``煤改电``, ``错峰生产/停产 · coke``);
    the id is added in brackets only where two measures of a county would
    otherwise read the same. Made once per result and language (a figure per
    county asks again).
    """
    cached = _LABELS.setdefault(result, {})
    if lang not in cached:
        cached[lang] = _measure_labels(result, lang)
    return cached[lang]


def _measure_labels(result: Result, lang: str) -> dict[tuple[str, str], str]:
    subjects = _subjects(result.scenario)
    pairs = result.reductions[["county", "measure", "type"]].drop_duplicates()
    labels: dict[tuple[str, str], str] = {}
    for county, measure, kind in pairs.itertuples(index=False, name=None):
        key = (str(county), str(measure))
        subject = subjects.get((*key, "subject"), "").replace("_", " ")
        labels[key] = subjects.get(key) or " · ".join(filter(None, (measure_type(str(kind), lang), subject)))
    seen: dict[tuple[str, str], int] = {}
    for (county, _), label in labels.items():
        seen[(county, label)] = seen.get((county, label), 0) + 1
    return {key: f"{label} ({key[1]})" if seen[(key[0], label)] > 1 else label for key, label in labels.items()}


def _subjects(scenario: Scenario) -> dict[tuple[str, ...], str]:
    """(county, id) -> the measure's ``name`` where it has one; (county, id, "subject") -> what it acts on."""
    found: dict[tuple[str, ...], str] = {}
    for county in scenario.counties:
        for measure in county.measures:
            name = measure.values.get("name")
            if isinstance(name, str) and name:
                found[(county.name, measure.id)] = name
            found[(county.name, measure.id, "subject")] = _subject(measure.values)
    for rows in scenario.registers:
        for i, (county, ident) in enumerate(zip(rows.county, rows.id)):
            found[(str(county), str(ident), "subject")] = _subject({k: rows.values[k][i] for k in SUBJECT_KEYS
                                                                   if k in rows.values})
    return found


def _subject(values: dict[str, Any]) -> str:
    for key in SUBJECT_KEYS:
        value = values.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


