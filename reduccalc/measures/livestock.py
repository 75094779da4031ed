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

import numpy as np

from ..fields import MISSING, CountKind, FractionKind, Key, TextKind
from ..ledger import Deferred, LedgerBuilder
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    TableName,
    add_rows,
    inline_factors,
    require_factors,
    resolve_factors,
)
from .batch import Batch, fmt, join

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
    "animal": Key(TextKind(), MISSING, "animal class, e.g. pig, dairy_cattle, layer (生猪, 奶牛, 蛋鸡)"),
    "head": Key(CountKind(), MISSING, "animals kept over the year (存栏)"),
    "reduction": Key(FractionKind(), MISSING, "share of the animals' NH3 removed by the works"),
    **COMMON_KEYS,
}


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of livestock ammonia measures (see module docstring)."""
    animal = NAMES["animal"].column(batch, "animal", ctx.table)
    batch.each_group(lambda group: _translate_group(batch, group.index, ctx, sink, group.keys[0]),
                     animal, *batch.pollutants("emission_factors").signature())


def _translate_group(batch: Batch, index: np.ndarray, ctx: Context, sink: LedgerBuilder, animal: str) -> None:
    head = batch.floats("head")[index]
    years = batch.distinct(index, ctx.period.years_in_effect, "in_service")
    factors = require_factors(resolve_factors(ctx, "livestock", animal,
                                              inline=inline_factors(batch, "emission_factors", index)),
                              f"{animal} (livestock)")
    add_rows(sink, batch, index, factors, source=Deferred(lambda: join(f"{animal} (", fmt(head), " head kept)")),
             activity=head, activity_unit="head*yr", sign=1.0, time_share=years, time_unit="yr",
             adjust={"reduction": batch.floats("reduction")[index]})


LIVESTOCK_AMMONIA = MeasureType("livestock_ammonia", KEYS, translate, "NH3 cut at livestock farms", NAMES)
