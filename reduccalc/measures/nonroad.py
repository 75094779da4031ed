"""Non-road machinery retired or replaced (非道路移动机械淘汰、更新).

::

    kWh = count x power [kW] x hours [h/yr] x load_factor x years in effect
    reduction = kWh x (EF_old - EF_new)      EF in g/kWh

Years in effect: the period on or after ``in_service``, each calendar year
counting its days / the days of that year (the rule of
:meth:`reduccalc.calendar.Period.years_in_effect`). EF_old is the tables'
factor for ``machine`` at ``stage`` (or inline ``emission_factors``);
EF_new the factor at ``replaced_by`` (or inline
``replacement_emission_factors``). ``replaced_by: electric`` has no exhaust:
its power-plant emissions are not counted (say so where it matters).
The shipped tables have no non-road rows yet (no cited g/kWh table, hours
or load factor was at hand): give ``emission_factors`` (and
``replacement_emission_factors``), ``hours`` and ``load_factor``, or add
rows (category ``nonroad``, subject the machine, standard the stage) to a
scenario factor file.

Keys: ``count``, ``machine`` (excavator, loader, forklift, crane,
agricultural_tractor, combine_harvester; 挖掘机, 装载机, 叉车, 起重机, 拖拉机,
联合收割机), ``stage`` (``China I`` .. ``China IV``, 国一 .. 国四, ``China 0`` for
pre-stage machines; ``standard`` is read the same way, as registers' 排放阶段
header gives it), ``power`` (per machine), ``hours`` (per year), ``load_factor``,
``replaced_by`` (none, a stage, or electric), ``replacement_emission_factors``,
``in_service``, ``emission_factors``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..fields import FACTOR, MISSING, ChoiceKind, CountKind, FractionKind, Key, PollutantMapKind, QuantityKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..vocabulary import choice, standard
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    require_factors,
    resolve_factors,
)
from .batch import Batch, Number, fmt, join
from .rows import Group, each_group

MACHINES = frozenset({"excavator", "loader", "forklift", "crane", "agricultural_tractor", "combine_harvester"})
MACHINE_ALIASES = {
    "挖掘机": "excavator", "装载机": "loader", "叉车": "forklift", "起重机": "crane", "汽车起重机": "crane",
    "拖拉机": "agricultural_tractor", "农用拖拉机": "agricultural_tractor", "tractor": "agricultural_tractor",
    "联合收割机": "combine_harvester", "收割机": "combine_harvester", "combine": "combine_harvester",
}
STAGES = ("China 0", "China I", "China II", "China III", "China IV")


def stage(value: Any) -> str:
    """A non-road emission stage: ``China 0`` (pre-stage) to ``China IV`` (国一 .. 国四, ``III``)."""
    text = str(value).strip()
    try:
        canonical = standard(text)
    except ScenarioError:
        canonical = ""
    if canonical not in STAGES:
        raise ScenarioError(f"unknown non-road emission stage {text!r}", hint=f"one of {', '.join(STAGES)} (国一 .. 国四)")
    return canonical


def _replacement(value: Any) -> str:
    text = str(value).strip()
    if text.lower() in ("none", "无", ""):
        return "none"
    if text.lower() in ("electric", "电动", "新能源"):
        return "electric"
    return stage(text)


STAGE = ChoiceKind(stage, "a stage like 'China II' or 国二")
KEYS = {
    "count": Key(CountKind(), MISSING, "machines retired", zh=("台数", "数量", "淘汰数量", "淘汰台数"), scalable=True),
    "machine": Key(TextKind(), MISSING, "machine class, e.g. excavator (挖掘机)", zh=("机械类型", "机械种类")),
    "stage": Key(STAGE, None, "emission stage of the retired machines (China 0 .. China IV, 国一 .. 国四)",
                 zh=("淘汰机械排放阶段",)),
    "standard": Key(STAGE, None, "the same as stage (a register's 排放阶段 column)", zh=("排放阶段", "排放标准")),
    "power": Key(QuantityKind("kW", "90 kW"), MISSING, "rated power per machine", zh=("额定功率", "单台功率"),
                 scalable=True),
    "hours": Key(QuantityKind("h/yr", "1000 h/yr"), None, "hours worked per machine per year (table)",
                 zh=("年使用小时数", "年工作小时数"), scalable=True),
    "load_factor": Key(FractionKind(), None, "average load as a share of rated power (table)",
                       zh=("负载因子", "负荷因子")),
    "replaced_by": Key(ChoiceKind(_replacement, "a stage like 'China IV', electric, or none"), "none",
                       "stage of the new machines, or electric", zh=("更新机械排放阶段",)),
    "replacement_emission_factors": Key(PollutantMapKind(FACTOR), None, "inline factors of the new machine",
                                        zh=("更新机械排放因子",)),
    **COMMON_KEYS,
}


def engine_energy(count: Number, power_kw: Number, hours_per_yr: Number, load_factor: Number) -> Number:
    """Work the retired machines' engines did per year.

    Parameters
    ----------
    count : float, array or Series
        Machines. [1]
    power_kw : float, array or Series
        Rated power per machine. [kW]
    hours_per_yr : float, array or Series
        Hours worked per machine per year. [h/yr]
    load_factor : float, array or Series
        Average load as a share of rated power. [1]

    Returns
    -------
    float, array or Series
        count x power x hours x load factor. [kWh/yr]
    """
    return count * power_kw * hours_per_yr * load_factor


def _stages(batch: Batch) -> np.ndarray:
    """Each measure's stage (from ``stage`` or ``standard``); measures giving both or neither fail."""
    given_stage, given_standard = batch.given("stage"), batch.given("standard")
    batch.fail(np.flatnonzero(given_stage & given_standard), ScenarioError("give stage or standard, not both",
                                                                           field="stage"))
    batch.fail(np.flatnonzero(~given_stage & ~given_standard), ScenarioError(
        "missing required key 'stage' (a stage like 'China II' or 国二)", field="stage"))
    return np.where(given_stage, batch.column("stage"), batch.column("standard"))


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of non-road machinery retirements (see module docstring)."""
    machine = batch.mapped("machine", lambda value: choice(value, MACHINES | ctx.table.subjects("nonroad"),
                                                           "machine class", MACHINE_ALIASES))
    each_group(KEYS, batch, ctx, sink, _translate_group, machine=machine, stage=_stages(batch))


def _translate_group(group: Group) -> None:
    machine, old_stage, replaced_by = group.key("machine"), group.key("stage"), group.key("replaced_by")
    hours, hours_source = group.parameter("hours", "nonroad", "hours", machine, unit="h/yr")
    load, load_source = group.parameter("load_factor", "nonroad", "load_factor", machine)
    count, power = group.floats("count"), group.floats("power")
    kwh = engine_energy(count, power, hours, load)
    years = group.years_in_effect()
    label = Deferred(lambda: join(f"{machine} {old_stage} (", fmt(count), " x ", fmt(power), " kW x ", fmt(hours),
                                  " h/yr [", hours_source, "] x load ", fmt(load), " [", load_source, "])"))
    old = group.factors("nonroad", machine, f"{machine} {old_stage} (non-road)", standard=old_stage)
    group.removed(old, kwh, "kWh", source=label, time_share=years, time_unit="yr")
    inline_new = group.batch.values["replacement_emission_factors"].named(group.index[0])
    if replaced_by == "electric" or (replaced_by == "none" and not inline_new):
        return
    new_stage = "" if replaced_by == "none" else replaced_by
    new = resolve_factors(group.ctx, "nonroad", machine, standard=new_stage,
                          inline=group.inline("replacement_emission_factors", ".replacement"),
                          complete=bool(new_stage))
    new = require_factors([f for f in new if f.inline or new_stage], f"{machine} {new_stage} (non-road)")
    group.added(new, kwh, "kWh", source=f"replacement {machine} {new_stage or '(given factors)'}", time_share=years,
                time_unit="yr")


NONROAD_RETIREMENT = MeasureType("nonroad_retirement", KEYS, translate, "old non-road machinery retired or replaced",
                                 zh=("非道路移动机械淘汰", "淘汰非道路移动机械", "非道路移动机械"),
                                 label=("非道路移动机械淘汰", "non-road machinery retirement"))
