"""Livestock ammonia (畜禽养殖氨减排): NH3 cut at farms by a share of their emissions.

::

    reduction = head x EF_NH3 [kg/head/yr] x years in effect x reduction

``head`` is the animals kept over the year (存栏, ``"1.2万头"``); EF_NH3
the table's factor per head per year for ``animal`` over the whole manure
chain (housing, storage, spreading), or inline ``emission_factors``. Years
in effect: the period on or after ``in_service``, each calendar year
counting its days / the days of that year. ``reduction`` is the share of
the animals' NH3 the works remove (``"30%"``), or it comes from a
``practice``, a technique with its efficiency in the tables (Liao & Chen
2017, Table 3):

- acting on the whole chain, ``low_protein_feed`` (低氮饲料): reduction =
  the table's efficiency;
- acting on one stage (housing: ``manure_removal_frequency``,
  ``manure_scraper``, ``slotted_floor``, ``manure_drying``, ``bedding``,
  ``biofilter``; storage: ``covered_storage``, ``sealed_storage``;
  spreading: ``manure_injection``, ``trailing_hose``): reduction = the
  efficiency for that stage's NH3 x ``stage_share``, the share of the
  animals' NH3 emitted at that stage, which the measure gives (no cited
  share is shipped).

Keys: ``animal`` (pig, dairy_cattle, beef_cattle, layer, broiler, sheep; 生猪,
奶牛, 肉牛, 蛋鸡, 肉鸡, 羊 ...), ``head``, ``reduction`` or ``practice`` (with
``stage_share`` for a stage practice), ``in_service``, ``emission_factors``.
"""

from __future__ import annotations

from ..errors import ScenarioError
from ..fields import MISSING, CountKind, FractionKind, Key, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..vocabulary import choice
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    TableName,
)
from .batch import Batch, Number, fmt, join
from .rows import Group, each_group

ANIMAL_ALIASES = {
    "猪": "pig", "生猪": "pig", "肉猪": "pig", "商品猪": "pig", "swine": "pig", "pigs": "pig",
    "奶牛": "dairy_cattle", "dairy_cow": "dairy_cattle", "dairy": "dairy_cattle",
    "肉牛": "beef_cattle", "beef": "beef_cattle",
    "蛋鸡": "layer", "laying_hen": "layer", "layers": "layer",
    "肉鸡": "broiler", "broilers": "broiler",
    "羊": "sheep", "绵羊": "sheep", "肉羊": "sheep",
}

PRACTICE_ALIASES = {
    "低氮饲料": "low_protein_feed", "低蛋白日粮": "low_protein_feed", "低蛋白饲料": "low_protein_feed",
    "提高清粪频率": "manure_removal_frequency", "刮粪板": "manure_scraper", "漏缝地板": "slotted_floor",
    "烘干粪便": "manure_drying", "粪便烘干": "manure_drying", "垫草垫料": "bedding", "垫料": "bedding",
    "生物过滤": "biofilter", "生物滤池": "biofilter", "加盖储存": "covered_storage", "加盖贮存": "covered_storage",
    "密封存储": "sealed_storage", "密闭贮存": "sealed_storage", "粪肥注施": "manure_injection", "注射施肥": "manure_injection",
    "软管带施": "trailing_hose",
}
# Quantities of the practice rows: the whole chain, or one stage of it.
WHOLE_CHAIN, STAGES = "reduction", ("housing", "storage", "spreading")

NAMES = {"animal": TableName("livestock", "animal", ANIMAL_ALIASES)}
KEYS = {
    "animal": Key(TextKind(), MISSING, "animal class, e.g. pig, dairy_cattle, layer (生猪, 奶牛, 蛋鸡)",
                  zh=("畜种", "畜禽种类")),
    "head": Key(CountKind(), MISSING, "animals kept over the year (存栏)", zh=("存栏量", "存栏", "存栏数"),
                scalable=True),
    "reduction": Key(FractionKind(), None, "share of the animals' NH3 removed by the works (or give practice)",
                     zh=("减排比例",)),
    "practice": Key(TextKind(), None, "a technique with a table efficiency, e.g. low_protein_feed, covered_storage",
                    zh=("减排措施", "减排技术")),
    "stage_share": Key(FractionKind(), None, "share of the animals' NH3 emitted at a stage practice's stage",
                       zh=("环节占比", "排放环节占比")),
    **COMMON_KEYS,
}


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of livestock ammonia measures (see module docstring)."""
    batch.one_route("reduction", "practice", ScenarioError(
        "missing required key 'reduction' (share of the animals' NH3 removed, e.g. '30%')", field="reduction",
        hint="or give practice: a technique with a table efficiency, e.g. low_protein_feed (低氮饲料)"))
    practices = frozenset(row.technology for row in ctx.table.rows.values()
                          if (row.kind, row.category) == ("parameter", "livestock") and row.technology)
    practice = batch.mapped("practice", lambda value: "" if not isinstance(value, str) else choice(
        value, practices or frozenset([str(value).strip()]), "livestock practice", PRACTICE_ALIASES))
    each_group(KEYS, batch, ctx, sink, _translate_group, animal=NAMES["animal"].column(batch, "animal", ctx.table),
               practice=practice)


def _translate_group(group: Group) -> None:
    animal, practice, head = group.key("animal"), group.key("practice"), group.floats("head")
    factors = group.factors("livestock", animal, f"{animal} (livestock)")
    adjust = _practice(group, animal, practice) if practice else {"reduction": group.floats("reduction")}
    group.removed(factors, head, "head*yr", source=Deferred(lambda: join(f"{animal} (", fmt(head), " head kept)")),
                  time_share=group.years_in_effect(), time_unit="yr", adjust=adjust)


def _practice(group: Group, animal: str, practice: str) -> dict[str, Number]:
    """The adjustments of a practice: its whole-chain efficiency, or its stage efficiency x the given stage share.

    Raises
    ------
    ScenarioError
        When the tables have no efficiency of ``practice`` for ``animal``, a
        stage practice lacks ``stage_share``, or a whole-chain one has it.
    """
    ctx = group.ctx
    known = ctx.table.technologies("livestock", animal, kind="parameter")
    if practice not in known:
        raise ScenarioError(f"no cited efficiency of {practice} for {animal} in the factor tables", field="practice",
                            hint=f"{animal} has: {', '.join(sorted(known)) or 'none'}; or give reduction")
    has_share = group.gave("stage_share")
    for stage in ("", *STAGES):
        quantity = f"{WHOLE_CHAIN}.{stage}" if stage else WHOLE_CHAIN
        row = ctx.table.parameter("livestock", quantity, animal, technology=practice, region=ctx.region)
        if row is None or row.technology != practice:
            continue
        value, row_id = ctx.parameter("livestock", quantity, animal, practice)  # in the row's unit converted
        if not stage:
            if has_share:
                raise ScenarioError(f"stage_share is for a practice acting on one stage; {practice} acts on the "
                                    "whole manure chain", field="stage_share", hint="leave stage_share out")
            return {f"practice {practice} [{row_id}]": value}
        if not has_share:
            raise ScenarioError(
                f"{practice} cuts only the NH3 of manure {stage} ({value:.0%} of it, {row_id}): give stage_share, "
                f"the share of the animals' NH3 emitted in {stage}", field="stage_share",
                hint="no cited share per stage is shipped; or give reduction for the whole chain")
        return {f"practice {practice} on {stage} [{row_id}]": value,
                f"{stage} share of NH3, given": group.floats("stage_share")}
    raise ScenarioError(f"the {practice} rows for {animal} give no quantity {WHOLE_CHAIN} or {WHOLE_CHAIN}.<stage> "
                        f"({', '.join(STAGES)})", field="practice")


LIVESTOCK_AMMONIA = MeasureType("livestock_ammonia", KEYS, translate, "NH3 cut at livestock farms", NAMES,
                                zh=("畜禽养殖氨减排", "养殖业氨减排", "氨减排"),
                                label=("畜禽养殖氨减排", "livestock ammonia"))
