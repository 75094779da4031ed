"""Industrial retrofit (超低排放改造, 深度治理): a plant's factor lowered from one control level to another.

::

    reduction = output [t/yr] x years in effect x (EF_before - EF_after)

Each side is a control level of the production table (``from``, ``to``:
``uncontrolled``, ``standard``, ``special_limit``, ``ultra_low``, see
:mod:`.production`), factors given inline (``emission_factors_before`` /
``emission_factors_after``), or concentrations at the stack
(``concentration_before`` / ``concentration_after`` {pollutant: mg/m^3})
times ``flue_gas`` (Nm^3 per t of product, table default per sector). Inline
factors and concentrations replace the level's factor for the pollutants
they name. A pollutant both sides take from the same table row (CO, VOCs,
which dust, SO2 and NOx control leave alone) is not changed and gets no
rows; a pollutant only one side gives, or that the retrofit would raise, is
an error. So a retrofit from A to B is stopping a plant at A minus stopping
it at B.

Keys: ``sector``, ``output`` (mass per year), ``from``, ``to``,
``emission_factors_before``, ``emission_factors_after``,
``concentration_before``, ``concentration_after``, ``flue_gas``,
``in_service``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ScenarioError
from ..fields import FACTOR, Key, PollutantMapKind, QuantityKind, TextKind
from ..ledger import Deferred, LedgerBuilder
from ..units import conversion
from .base import (
    COMMON_KEYS,
    Context,
    MeasureType,
    ResolvedFactor,
    inline_factors,
    parameter,
    resolve_factors,
)
from .batch import Batch, Text, fmt, join
from .production import KEYS as PRODUCTION_KEYS
from .production import NAMES, category_of, check_control, check_output, outputs
from .rows import Group, each_group

SIDES = ("before", "after")
LEVEL_KEYS = {"before": "from", "after": "to"}
KEYS = {
    "sector": PRODUCTION_KEYS["sector"],
    "output": PRODUCTION_KEYS["output"],
    "from": Key(TextKind(), "", "control level before (uncontrolled, standard, special_limit, ultra_low)",
                zh=("改造前治理水平",)),
    "to": Key(TextKind(), "", "control level after", zh=("改造后治理水平",)),
    "emission_factors_before": Key(PollutantMapKind(FACTOR), None, "factors before, e.g. {NOx: '0.96 kg/t'}",
                                   zh=("改造前排放因子",)),
    "emission_factors_after": Key(PollutantMapKind(FACTOR), None, "factors after", zh=("改造后排放因子",)),
    "concentration_before": Key(PollutantMapKind(FACTOR), None, "stack concentrations before, {NOx: '400 mg/m^3'}",
                                zh=("改造前排放浓度",)),
    "concentration_after": Key(PollutantMapKind(FACTOR), None, "stack concentrations after",
                               zh=("改造后排放浓度",)),
    "flue_gas": Key(QuantityKind("m^3/t", "2400 m^3/t"), None, "Nm^3 of flue gas per t of product (table)",
                    zh=("单位产品烟气量",)),
    **{k: v for k, v in COMMON_KEYS.items() if k != "emission_factors"},
}


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of industrial retrofits (see module docstring)."""
    sector = NAMES["sector"].column(batch, "sector", ctx.table)
    amounts, units = outputs(batch)
    each_group(KEYS, batch, ctx, sink, lambda group: _translate_group(group, amounts[group.index]), sector=sector,
               output_unit=units)


def _translate_group(group: Group, output: np.ndarray) -> None:
    batch, index, ctx = group.batch, group.index, group.ctx
    sector, unit = group.key("sector"), group.key("output_unit")
    before_level, after_level = group.key("from"), group.key("to")
    check_output(sector, unit, ctx.table)
    before = _side(batch, index, ctx, sector, "before", before_level)
    after = _side(batch, index, ctx, sector, "after", after_level)
    if set(before) != set(after):
        odd = sorted(set(before) ^ set(after))
        raise ScenarioError(f"{', '.join(odd)}: given on one side of the retrofit only", field="to",
                            hint="give each pollutant before and after (a control level gives every one)")
    factors = [_difference(before[p], after[p]) for p in before if before[p].factor_id != after[p].factor_id]
    if not factors:
        raise ScenarioError(f"{before_level or 'before'} and {after_level or 'after'} are the same factors: "
                            "the retrofit would do nothing", field="to")
    raised_by = {f.pollutant: np.broadcast_to(np.asarray(f.value) < 0, (len(index),)) for f in factors}
    raised = np.logical_or.reduce(list(raised_by.values()))
    names = ", ".join(p for p, up in raised_by.items() if up.any())
    batch.fail(index[raised], ScenarioError(f"the retrofit would raise {names}: the factor after is above the one "
                                            "before", field="to", hint="from is the level before the works"))
    keep = ~raised
    if not keep.any():
        return
    kept = group.subset(keep)
    output = output[keep]
    label = f"{sector} ({_side_name(batch, index, 'before', before_level)} -> " \
            f"{_side_name(batch, index, 'after', after_level)})"
    kept.removed([_taken(f, keep) for f in factors], output, unit,
                 source=Deferred(lambda: join(f"{label[:-1]}, ", fmt(output), f" {unit}/yr)")),
                 time_share=kept.years_in_effect(), time_unit="yr")


def _side_name(batch: Batch, index: np.ndarray, side: str, level: str) -> str:
    """How a side is given, for the ledger's source: its level, with the inline keys that replace some of it."""
    inline = [f"{key}_{side}" for key in ("emission_factors", "concentration")
              if batch.pollutants(f"{key}_{side}").take(index)]
    return " + ".join([level] * bool(level) + inline)


def _side(batch: Batch, index: np.ndarray, ctx: Context, sector: str, side: str,
          level: str) -> dict[str, ResolvedFactor]:
    """One side's factors by pollutant: the level's rows with inline factors and concentrations over them."""
    inline = {**inline_factors(batch, f"emission_factors_{side}", index, suffix=f".{side}"),
              **_from_concentrations(batch, index, ctx, sector, side)}
    if level:
        category = category_of(sector, ctx.table)
        check_control(ctx.table, category, sector, level, LEVEL_KEYS[side])
        found = resolve_factors(ctx, category, sector, technology=level, inline=inline)
    else:
        found = list(inline.values())
    if not found:
        raise ScenarioError(f"no factors {side} the retrofit", field=LEVEL_KEYS[side],
                            hint=f"give {LEVEL_KEYS[side]} (a control level), emission_factors_{side} or "
                                 f"concentration_{side} with flue_gas")
    return {f.pollutant: f for f in found}


def _from_concentrations(batch: Batch, index: np.ndarray, ctx: Context, sector: str,
                         side: str) -> dict[str, ResolvedFactor]:
    """Factors [kg/t] from stack concentrations x flue gas per t of product."""
    given = inline_factors(batch, f"concentration_{side}", index, suffix=f".concentration_{side}")
    if not given:
        return {}
    flue_gas, provenance = parameter(ctx, batch, index, "flue_gas", "production", "flue_gas", sector,
                                     unit="m^3/t")
    result = {}
    for pollutant, factor in given.items():
        try:
            to_kg_per_m3 = conversion(factor.unit, "kg/m^3")
        except Exception:
            raise ScenarioError(f"{factor.unit!r} is not a concentration", field=f"concentration_{side}.{pollutant}",
                                hint="e.g. '50 mg/m^3'") from None
        result[pollutant] = ResolvedFactor(
            pollutant, np.asarray(factor.value) * to_kg_per_m3 * flue_gas, "kg/t", factor.factor_id,
            f"concentration given in the scenario x flue gas {fmt_one(flue_gas)} m^3/t ({provenance})")
    return result


def fmt_one(value: object) -> str:
    """A flue-gas volume as the source text says it (one value, or 'given' per measure)."""
    return f"{value:g}" if isinstance(value, float) else "as given"


def _difference(before: ResolvedFactor, after: ResolvedFactor) -> ResolvedFactor:
    """``before - after`` in ``before``'s unit, its id and source naming both."""
    value = np.asarray(before.value) - np.asarray(after.value) * conversion(after.unit, before.unit)
    return ResolvedFactor(before.pollutant, value if value.ndim else float(value), before.unit,
                          _joined_id(before.factor_id, after.factor_id),
                          before.source if before.source == after.source else f"{before.source} minus {after.source}")


def _joined_id(before: str | Deferred[Text], after: str | Deferred[Text]) -> str | Deferred[Text]:
    if isinstance(before, str) and isinstance(after, str):
        return f"{before} - {after}"
    return Deferred(lambda: join(_text(before), " - ", _text(after)))


def _text(factor_id: str | Deferred[Text]) -> Text:
    return factor_id if isinstance(factor_id, str) else factor_id.value()


def _taken(factor: ResolvedFactor, keep: np.ndarray) -> ResolvedFactor:
    """``factor`` for the measures kept (per-measure values and ids subset)."""
    if not factor.inline or keep.all():
        return factor
    factor_id = factor.factor_id
    taken_id = factor_id if isinstance(factor_id, str) else Deferred(lambda: np.asarray(_text(factor_id))[keep])
    return ResolvedFactor(factor.pollutant, np.asarray(factor.value)[keep], factor.unit, taken_id, factor.source)


INDUSTRIAL_RETROFIT = MeasureType("industrial_retrofit", KEYS, translate,
                                  "a plant's control level raised (ultra-low retrofit)", NAMES,
                                  zh=("超低排放改造", "深度治理"),
                                  label=("超低排放改造", "industrial retrofit"))
