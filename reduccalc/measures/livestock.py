"""Livestock ammonia (畜禽养殖氨减排): NH3 cut at farms by a share of their emissions.

::

    reduction = head x EF_NH3 [kg/head/yr] x years in effect x reduction

``head`` is the animals kept over the year (存栏, ``"1.2万头"``); EF_NH3
the table's factor per head per year for ``animal`` over the whole manure
chain (housing, storage, spreading), or inline ``emission_factors``. Years
in effect: the period on or after ``in_service``, each calendar year
counting its days / the days of that year. ``reduction`` is the share of
the animals' NH3 the works remove (``"30%"``).

Keys: ``animal`` (pig, dairy_cattle, beef_cattle, layer, broiler, sheep; 生猪,
奶牛, 肉牛, 蛋鸡, 肉鸡, 羊 ...), ``head``, ``reduction``, ``in_service``,
``emission_factors``.
"""

from __future__ import annotations

from ..fields import MISSING, CountKind, FractionKind, Key, TextKind
from ..ledger import Deferred, LedgerBuilder
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    TableName,
)
from .batch import Batch, fmt, join
from .rows import Group, each_group

ANIMAL_ALIASES = {
    "猪": "pig", "生猪": "pig", "肉猪": "pig", "商品猪": "pig", "swine": "pig", "pigs": "pig",
    "奶牛": "dairy_cattle", "dairy_cow": "dairy_cattle", "dairy": "dairy_cattle",
    "肉牛": "beef_cattle", "beef": "beef_cattle",
    "蛋鸡": "layer", "laying_hen": "layer", "layers": "layer",
    "肉鸡": "broiler", "broilers": "broiler",
    "羊": "sheep", "绵羊": "sheep", "肉羊": "sheep",
}

NAMES = {"animal": TableName("livestock", "animal", ANIMAL_ALIASES)}
KEYS = {
    "animal": Key(TextKind(), MISSING, "animal class, e.g. pig, dairy_cattle, layer (生猪, 奶牛, 蛋鸡)",
                  zh=("畜种", "畜禽种类")),
    "head": Key(CountKind(), MISSING, "animals kept over the year (存栏)", zh=("存栏量", "存栏", "存栏数"),
                scalable=True),
    "reduction": Key(FractionKind(), MISSING, "share of the animals' NH3 removed by the works", zh=("减排比例",)),
    **COMMON_KEYS,
}


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of livestock ammonia measures (see module docstring)."""
    each_group(KEYS, batch, ctx, sink, _translate_group, animal=NAMES["animal"].column(batch, "animal", ctx.table))


def _translate_group(group: Group) -> None:
    animal, head = group.key("animal"), group.floats("head")
    factors = group.factors("livestock", animal, f"{animal} (livestock)")
    group.removed(factors, head, "head*yr", source=Deferred(lambda: join(f"{animal} (", fmt(head), " head kept)")),
                  time_share=group.years_in_effect(), time_unit="yr", adjust={"reduction": group.floats("reduction")})


LIVESTOCK_AMMONIA = MeasureType("livestock_ammonia", KEYS, translate, "NH3 cut at livestock farms", NAMES,
                                zh=("畜禽养殖氨减排", "养殖业氨减排", "氨减排"))
