"""Measure types: each turns a batch of measures' keys into ledger rows.

:data:`MEASURE_TYPES` is the registry. What the rest of the package knows of
the types is derived from it, never listed by hand: the calculators
(:mod:`reduccalc.calculators`), the Chinese type names and register headers
(:data:`TYPE_NAMES`, :data:`HEADER_NAMES`, :func:`names_table`), the keys the
optimiser may scale (:func:`scalable_keys`), the JSON Schema of a scenario's
measures and ``reduccalc keys``. How to add a type: :mod:`reduccalc.measures.base`.
"""

from typing import Any

from ..errors import ProblemCollector, ScenarioError, did_you_mean, one_of
from ..fields import MISSING
from ..inputfiles import excerpt
from ..ledger import LedgerBuilder
from ..vocabulary import fold
from .base import Context, MeasureType
from .batch import Batch
from .boilers import BOILER_PHASEOUT
from .custom import CUSTOM
from .households import COAL_TO_ELECTRIC, COAL_TO_GAS
from .livestock import LIVESTOCK_AMMONIA
from .nonroad import NONROAD_RETIREMENT
from .production import STAGGERED_PRODUCTION
from .retrofit import INDUSTRIAL_RETROFIT
from .vehicles import VEHICLE_RETIREMENT
from .vocs import VOCS_TREATMENT

MEASURE_TYPES: dict[str, MeasureType] = {
    t.name: t for t in (BOILER_PHASEOUT, COAL_TO_ELECTRIC, COAL_TO_GAS, VEHICLE_RETIREMENT, STAGGERED_PRODUCTION,
                        INDUSTRIAL_RETROFIT, CUSTOM, LIVESTOCK_AMMONIA, VOCS_TREATMENT, NONROAD_RETIREMENT)
}


def _chinese_names() -> tuple[dict[str, str], dict[str, str]]:
    """Chinese type names to types, and Chinese headers to keys (``key.part`` for a mapping's parts), from the
    declarations; a name given to two different keys or types is refused here, where it is declared."""
    types: dict[str, str] = {}
    headers: dict[str, str] = {}

    def claim(names: dict[str, str], name: str, meaning: str) -> None:
        if names.setdefault(name, meaning) != meaning:
            raise ValueError(f"the Chinese name {name!r} is declared for both {names[name]} and {meaning}")

    for measure_type in MEASURE_TYPES.values():
        for name in measure_type.zh:
            claim(types, name, measure_type.name)
        for key_name, key in measure_type.keys.items():
            for name in key.zh:
                claim(headers, name, key_name)
            for part, names in key.zh_parts:
                for name in names:
                    claim(headers, name, f"{key_name}.{part}")
    return types, headers


TYPE_NAMES, HEADER_NAMES = _chinese_names()


def type_named(value: Any, *, chinese: bool = False) -> str:
    """The measure type ``value`` names: a type's name, or with ``chinese`` (a register's 类型 cell) also one of
    its Chinese names, stripped and case-folded.

    Raises
    ------
    ScenarioError
        For no type or an unknown one, with a "did you mean".
    """
    if value is None:
        raise ScenarioError("missing key 'type'", hint=f"one of {one_of(MEASURE_TYPES)}")
    if not chinese:
        if isinstance(value, str) and value in MEASURE_TYPES:
            return value
        raise ScenarioError(f"unknown measure type {value!r}",
                            hint=did_you_mean(str(value), MEASURE_TYPES) or f"one of {one_of(MEASURE_TYPES)}")
    text = str(value).strip()
    for name in (text, fold(text)):
        if name in MEASURE_TYPES:
            return name
        if name in TYPE_NAMES:
            return TYPE_NAMES[name]
    examples = ", ".join(t.zh[0] for t in MEASURE_TYPES.values() if t.zh)
    raise ScenarioError(f"unknown measure type {excerpt(text)}",
                        hint=did_you_mean(text, [*MEASURE_TYPES, *TYPE_NAMES])
                        or f"one of {one_of(MEASURE_TYPES)}, or {examples}")


def default_id(type: str, n: int) -> str:
    """The id of the ``n``-th measure (or candidate) of ``type`` in a county that gives none: ``<type>-<n>``."""
    return f"{type}-{n}"


def scalable_keys(type: str) -> list[str]:
    """The keys of ``type`` the optimiser may set (the reduction is proportional to each)."""
    return [name for name, key in MEASURE_TYPES[type].keys.items() if key.scalable]


def key_rows(type: str) -> list[dict[str, str]]:
    """Every key of ``type`` as ``reduccalc keys`` lists it: name, kind (with the unit values are in), default
    (``required``; blank: not given, a table default or none), Chinese names, whether the optimiser may scale
    it, help."""
    rows = []
    for name, key in MEASURE_TYPES[type].keys.items():
        unit = getattr(key.kind, "unit", None)
        default = "required" if key.default is MISSING else "" if key.default is None else \
            str(key.default).lower() if isinstance(key.default, bool) else \
            f"{key.default:g}" if isinstance(key.default, float) else str(key.default) or "''"
        zh = [*key.zh, *(f"{part}: {n}" for part, names in key.zh_parts for n in names)]
        rows.append({"key": name, "kind": f"{key.kind.describe} [{unit}]" if unit else key.kind.describe,
                     "default": default, "zh": ", ".join(zh), "scalable": "yes" if key.scalable else "",
                     "help": key.help})
    return rows


def names_table() -> str:
    """The Chinese names of every type and register header, as the registers' docs list them."""
    by_key: dict[str, list[str]] = {}
    for name, key in HEADER_NAMES.items():
        by_key.setdefault(key, []).append(name)
    width = max(len(key) for key in by_key) + 1
    headers = [f"    {key:<{width}}{', '.join(names)}" for key, names in by_key.items()]
    types = [f"    {t.name:<{width}}{', '.join(t.zh)}" for t in MEASURE_TYPES.values()]
    return "\n".join(["Headers::", "", *headers, "", "Types::", "", *types])


def translate_measure(type: str, values: dict[str, Any], ctx: Context, sink: LedgerBuilder, measure: str,
                      county: str = "") -> None:
    """Ledger rows of one measure of ``type`` with checked ``values`` (a batch of one).

    Raises
    ------
    ScenarioError
        Every problem of the measure.
    """
    measure_type = MEASURE_TYPES[type]
    batch = measure_type.batch([values], [county], [measure], [""], [0])
    measure_type.translate(batch, ctx, sink)
    collector = ProblemCollector()
    for _, error in batch.failures:
        collector.add(error)
    collector.raise_if_any()


__all__ = ["HEADER_NAMES", "MEASURE_TYPES", "TYPE_NAMES", "Batch", "Context", "MeasureType", "default_id",
           "key_rows", "names_table", "scalable_keys", "translate_measure", "type_named"]
