"""VOCs treatment (VOCs 治理): capture and removal improved, solvents substituted.

::

    generated = generated [t/yr], or activity [t/yr] x EF_VOCs (a generation factor, 产污系数)
    share = 1 - (1 - substitution) x (1 - capture x removal) - capture_before x removal_before
    reduction = generated x years in effect x share

``capture`` and ``removal`` are after the works, ``capture_before`` and
``removal_before`` before them (0: nothing was captured). Each is a
fraction (``"90%"``) or, for capture, a capture type whose efficiency the
tables give (Guangdong 2023 accounting method, Table 23:
``enclosed_negative_pressure`` 单层密闭负压, ``enclosed_positive_pressure``,
``double_enclosure``, ``direct_duct``, ``enclosing_hood`` 包围式集气罩,
``enclosing_hood_low_speed``, ``external_hood`` 外部式集气罩,
``external_hood_low_speed``, ``none``); for removal, a technology whose
average removal efficiency T/CSES 144-2024 Table A.1 gives (``rto``
蓄热式热力燃烧 94 %, ``thermal_oxidation`` 热力燃烧 90 %,
``catalytic_combustion`` 催化燃烧 and ``adsorption_catalytic_combustion``
吸附/催化燃烧 85 %, ``condensation`` 65 %, ``biofiltration`` 53 %,
``low_temperature_plasma`` 39 %, ``zeolite_rotor`` 34 %, ``photolysis``,
``photocatalysis`` 17 %, ``activated_carbon`` 活性炭 15 %, ``absorption``
溶剂法 12 %), or any technology of a scenario factor-file row (category
``vocs``, quantity ``removal_efficiency``). ``substitution`` is the share of
solvent replaced by low-VOC material (0). Years in effect: the period on or
after ``in_service``, each calendar year counting its days / the days of
that year.

Keys: ``generated`` or ``activity`` with ``emission_factors: {VOCs: ...}``,
``capture``, ``removal``, ``capture_before`` (0), ``removal_before`` (0),
``substitution`` (0), ``in_service``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..fields import MISSING, FractionKind, Key, Kind, QuantityKind
from ..ledger import Deferred, LedgerBuilder
from ..vocabulary import choice
from .base import COMMON_KEYS, Context, MeasureType, ResolvedFactor
from .batch import Batch, Number, Text, fmt, join, objects
from .rows import Group, each_group

CAPTURE_ALIASES = {
    "密闭负压": "enclosed_negative_pressure", "单层密闭负压": "enclosed_negative_pressure",
    "单层密闭正压": "enclosed_positive_pressure", "密闭正压": "enclosed_positive_pressure",
    "双层密闭": "double_enclosure", "双层密闭空间": "double_enclosure",
    "设备排气口直连": "direct_duct", "排气口直连": "direct_duct",
    "包围式集气罩": "enclosing_hood", "包围式": "enclosing_hood",
    "外部集气罩": "external_hood", "外部式集气罩": "external_hood", "外部式": "external_hood",
    "无收集设施": "none", "无": "none",
}
# Names of T/CSES 144-2024 Table A.1 and the words plans use for them. RCO (蓄热式催化燃烧) is catalytic
# combustion with a regenerative bed: the table has no row of its own for it (see factors/SOURCES.md).
REMOVAL_ALIASES = {
    "活性炭": "activated_carbon", "活性炭法": "activated_carbon", "活性炭吸附": "activated_carbon",
    "沸石转轮": "zeolite_rotor", "沸石转轮吸附": "zeolite_rotor", "沸石转轮吸附法": "zeolite_rotor",
    "蓄热式热力燃烧": "rto", "蓄热式热力燃烧法": "rto", "蓄热燃烧": "rto",
    "光解": "photolysis", "uv光解": "photolysis", "光氧": "photolysis", "光催化": "photocatalysis",
    "冷凝": "condensation", "冷凝法": "condensation",
    "吸附/催化燃烧": "adsorption_catalytic_combustion", "吸附/催化燃烧法": "adsorption_catalytic_combustion",
    "吸附浓缩+催化燃烧": "adsorption_catalytic_combustion", "吸附+催化燃烧": "adsorption_catalytic_combustion",
    "催化燃烧": "catalytic_combustion", "催化燃烧法": "catalytic_combustion", "rco": "catalytic_combustion",
    "蓄热式催化燃烧": "catalytic_combustion",
    "低温等离子": "low_temperature_plasma", "低温等离子体": "low_temperature_plasma", "plasma": "low_temperature_plasma",
    "生物过滤": "biofiltration", "生物过滤法": "biofiltration", "生物法": "biofiltration",
    "溶剂法": "absorption", "溶剂吸收": "absorption", "吸收法": "absorption",
    "热力燃烧": "thermal_oxidation", "直接燃烧": "thermal_oxidation",
}


class EfficiencyKind(Kind):
    """A fraction (``"90%"``, 0.9) or the name of a table row giving one (``enclosed_negative_pressure``)."""

    describe = "a fraction like '90%' or a name from the factor tables"

    def check(self, value: Any) -> float | str:
        if isinstance(value, str) and not any(c.isdigit() for c in value):
            if not value.strip():
                raise ScenarioError("empty", hint="write a fraction like '90%' or a capture type")
            return value.strip()
        return FractionKind().check(value)


EFFICIENCY = EfficiencyKind()
KEYS = {
    "generated": Key(QuantityKind("t/yr", "120 t/yr"), None, "VOCs generated per year (产生量)",
                     zh=("产生量", "VOCs产生量"), scalable=True),
    "activity": Key(QuantityKind("t/yr", "2000 t/yr"), None, "material used per year, with emission_factors VOCs",
                    zh=("活动水平", "原辅材料用量"), scalable=True),
    "capture": Key(EFFICIENCY, MISSING, "capture efficiency after the works, or a capture type (密闭负压 ...)",
                   zh=("收集方式", "收集效率")),
    "removal": Key(EFFICIENCY, MISSING, "removal efficiency after the works, or a technology (RTO, 活性炭 ...)",
                   zh=("治理工艺", "治理效率", "去除率")),
    "capture_before": Key(EFFICIENCY, 0.0, "capture efficiency before the works", zh=("原收集方式", "原收集效率")),
    "removal_before": Key(EFFICIENCY, 0.0, "removal efficiency before the works", zh=("原治理工艺", "原治理效率")),
    "substitution": Key(FractionKind(), 0.0, "share of solvent replaced by low-VOC material",
                        zh=("源头替代比例", "替代比例")),
    **COMMON_KEYS,
}


def share_removed(substitution: Number, capture: Number, removal: Number, capture_before: Number,
                  removal_before: Number) -> Number:
    """Share of the VOCs generated that the works keep out of the air.

    Parameters
    ----------
    substitution : float, array or Series
        Share of solvent replaced by low-VOC material. [1]
    capture, removal : float, array or Series
        Capture and removal efficiency after the works. [1]
    capture_before, removal_before : float, array or Series
        Capture and removal efficiency before the works. [1]

    Returns
    -------
    float, array or Series
        1 - (1 - substitution) x (1 - capture x removal) - capture_before x removal_before. [1]
    """
    return 1.0 - (1.0 - substitution) * (1.0 - capture * removal) - capture_before * removal_before


SHARE = "share removed: 1 - (1 - substitution)*(1 - capture*removal) - capture_before*removal_before"
GENERATED = ResolvedFactor("VOCs", 1.0, "t/t", "generated", "VOCs generated (产生量), given in the scenario")


def _efficiency(ctx: Context, quantity: str, value: float | str) -> tuple[float, str]:
    """``value`` as a fraction and where it came from (``given`` or the table row's id)."""
    if not isinstance(value, str):
        return value, "given"
    subjects = frozenset(row.subject for row in ctx.table.rows.values()
                         if (row.kind, row.category, row.quantity) == ("parameter", "vocs", quantity))
    aliases = CAPTURE_ALIASES if quantity == "capture_efficiency" else REMOVAL_ALIASES
    what = "capture type" if quantity == "capture_efficiency" else "removal technology"
    name = choice(value, subjects or frozenset([value]), what, aliases)
    missing = (f"no cited {quantity.replace('_', ' ')} for {value!r} in the factor tables",
               f"give it as a fraction ('90%'), or add a parameter row (category vocs, quantity {quantity}, subject "
               f"{name}) to a scenario factor file (factors: [local.csv])")
    return ctx.parameter("vocs", quantity, name, missing=missing)  # in the row's unit converted: '90 %' is 0.9


def _efficiencies(batch: Batch, ctx: Context, key: str, quantity: str) -> tuple[np.ndarray, np.ndarray]:
    """Each measure's ``key`` as a fraction and its provenance, resolved once per distinct value."""
    resolved = batch.mapped(key, partial(_efficiency, ctx, quantity))
    values = np.array([np.nan if r is None else r[0] for r in resolved], dtype=np.float64)
    return values, objects(["" if r is None else r[1] for r in resolved])


def _check_routes(batch: Batch) -> np.ndarray:
    """Fails measures giving both or neither of generated and activity; True where activity is the route."""
    return batch.one_route("generated", "activity", ScenarioError(
        "missing required key 'generated' (VOCs generated per year, e.g. '120 t/yr')", field="generated",
        hint="or give activity (material used per year) with emission_factors: {VOCs: '<kg/t>'}"))


def translate(batch: Batch, ctx: Context, sink: LedgerBuilder) -> None:
    """Ledger rows of VOCs treatment measures (see module docstring)."""
    by_activity = _check_routes(batch)
    keys = ("capture", "removal", "capture_before", "removal_before")
    quantities = ("capture_efficiency", "removal_efficiency", "capture_efficiency", "removal_efficiency")
    shares = {key: _efficiencies(batch, ctx, key, quantity) for key, quantity in zip(keys, quantities)}
    each_group(KEYS, batch, ctx, sink, lambda group: _translate_group(group, shares), by_activity=by_activity)


def _translate_group(group: Group, shares: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    index, by_activity = group.index, bool(group.key("by_activity"))
    s = group.floats("substitution")
    c, r, c0, r0 = (shares[key][0][index] for key in ("capture", "removal", "capture_before", "removal_before"))
    share = share_removed(s, c, r, c0, r0)
    if by_activity:
        factors = [f for f in group.inline().values() if f.pollutant == "VOCs"]
        if not factors:
            raise ScenarioError("activity needs a VOCs generation factor", field="emission_factors",
                                hint="give emission_factors: {VOCs: '<value> kg/t'}, or generated instead")
        activity = group.floats("activity")
    else:
        factors, activity = [GENERATED], group.floats("generated")
    provenance = {key: shares[key][1][index] for key in ("capture", "removal")}
    group.removed(factors, activity, "t",
                  source=Deferred(lambda: _source(activity, by_activity, s, c, r, c0, r0, provenance)),
                  time_share=group.years_in_effect(), time_unit="yr", adjust={SHARE: share})


def _source(activity: np.ndarray, by_activity: bool, s: np.ndarray, c: np.ndarray, r: np.ndarray, c0: np.ndarray,
            r0: np.ndarray, provenance: dict[str, np.ndarray]) -> Text:
    """What a block's rows stand for, with the numbers of its share removed."""
    what = "material used" if by_activity else "VOCs generated"
    return join(f"{what} ", fmt(activity), " t/yr; substitution ", fmt(s), ", capture ", fmt(c), " [",
                provenance["capture"], "] x removal ", fmt(r), " [", provenance["removal"], "]; before: capture ",
                fmt(c0), " x removal ", fmt(r0))


VOCS_TREATMENT = MeasureType("vocs_treatment", KEYS, translate, "VOCs capture, treatment and substitution",
                             zh=("VOCs治理", "挥发性有机物治理", "VOCs综合治理"),
                             label=("VOCs 治理", "VOCs treatment"))
