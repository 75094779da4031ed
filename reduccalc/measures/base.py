"""What every measure translator shares: context, keys, factor resolution.

Adding a measure type
---------------------
A type is one module that describes itself. Take an ultra-low retrofit of
brick kilns, ``kiln_retrofit`` (output x (EF before - EF after)):

1. ``reduccalc/measures/kiln_retrofit.py``: its keys, declared once (kind,
   default, help, Chinese names, whether the reduction is proportional to it),
   a pure kernel with numpydoc units when there is arithmetic, and a short
   ``translate`` handing groups and rows to :mod:`reduccalc.measures.rows`::

       KEYS = {
           "output": Key(QuantityKind("t/yr", "1.2 Mt/yr"), MISSING, "bricks made per year",
                         zh=("产量", "年产量"), scalable=True),
           "control": Key(TextKind(), "ultra_low", "control level after the works", zh=("改造后治理水平",)),
           **COMMON_KEYS,
       }

       def translate(batch, ctx, sink):
           each_group(KEYS, batch, ctx, sink, _translate_group)  # grouped by every text/choice key, the
                                                                 # pollutants of inline factors, and which
                                                                 # table-defaulted keys were given
       def _translate_group(group):
           before = resolve_factors(group.ctx, "production", "brick", technology="standard")
           after = resolve_factors(group.ctx, "production", "brick", technology=group.key("control"))
           years = group.years_in_effect()
           group.removed(before, group.floats("output"), "t", source="bricks before", time_share=years,
                         time_unit="yr")
           group.added(after, group.floats("output"), "t", source="bricks after", time_share=years,
                       time_unit="yr")

       KILN_RETROFIT = MeasureType("kiln_retrofit", KEYS, translate, "brick kilns retrofitted",
                                   zh=("砖窑超低排放改造",), label=("砖窑改造", "brick kiln retrofit"))

2. One line in the registry, ``reduccalc/measures/__init__.py``: import
   ``KILN_RETROFIT`` and add it to :data:`MEASURE_TYPES`. The calculator
   ``calculators.kiln_retrofit``, the register's type and header names and
   its docs table, the optimiser's scale keys, ``reduccalc keys
   kiln_retrofit`` and the JSON Schema follow from the declarations.
3. Its factor rows in ``factors/*.csv`` with their sources
   (``factors/sources.csv``, ``factors/SOURCES.md``), and fixture rows in
   ``tests/fixtures/factors/`` when a test uses them.
4. Tests: a worked example (the arithmetic in a comment) and its kernel in
   ``tests/test_measure_types.py::KERNELS``; its other routes in ``ROUTES``
   there. The tests parametrized over the registry then cover the rest.
5. An example in ``scenarios/tutorial.yaml`` ("one of each measure type").

Leaving out 2 leaves the type out of everything (nothing runs it); leaving
out any other fails ``tests/test_measure_types.py``: no tutorial example or
routes, a key without help or a Chinese name, a Chinese name given to two
keys (an error when the registry loads), no scalable key, a register in
Chinese that does not give the YAML ledger, batched not equal to one at a
time, a reduction not proportional to a scalable key, factor rows missing
(its calculator gives no reduction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

import numpy as np

from ..calendar import HeatingProfile, Period, heating_share
from ..errors import ScenarioError
from ..factors import FactorRow, FactorTable
from ..fields import FACTOR, BoolKind, DateKind, Key, PollutantMapKind, TextKind
from ..ledger import Deferred, LedgerBuilder, tonnes_per_unit
from ..units import conversion
from ..vocabulary import POLLUTANTS, TOTAL_PARTICULATE, choice
from .batch import Batch, Number, Text, columns_of, fmt, join, objects

GJ_PER_MWH = 3.6
_heating_share = lru_cache(maxsize=4096)(heating_share)
KWH_PER_GJ = 1000.0 / 3.6


@dataclass
class Context:
    """What a translator needs besides the measure's own keys."""

    table: FactorTable
    period: Period
    region: str = "national"
    count_upstream: bool = False

    def profile(self) -> HeatingProfile:
        return self.table.heating_profile(self.region)

    def heating_share_after(self, in_service: dt.date | None) -> float:
        """Seasons of heating in the period on or after ``in_service``."""
        return _heating_share(self.period.effective_start(in_service), self.period.end, self.profile())

    def parameter(self, category: str, quantity: str, subject: str = "", technology: str = "",
                  unit: str = "dimensionless", missing: tuple[str, str] | None = None) -> tuple[float, str]:
        """A default parameter from the tables in ``unit``, and its row id.

        Raises
        ------
        ScenarioError
            When the tables have none: ``missing`` (message, hint), or "no default ..." with the hint to give
            it in the measure.
        """
        row = self.table.parameter(category, quantity, subject, technology=technology, region=self.region)
        if row is None:
            what = " ".join(x for x in (category, subject, technology) if x)
            message, hint = missing or (f"no default {quantity} for {what} in the factor tables",
                                        f"give {quantity} in the measure")
            raise ScenarioError(message, hint=hint)
        try:
            return row.value * conversion(row.unit, unit), row.id
        except Exception:
            raise ScenarioError(f"factor table row {row.id} has unit {row.unit!r}, expected {unit}") from None


# Keys every measure accepts.
COMMON_KEYS = {
    "id": Key(TextKind(), None, "unique within the county; default <type>-<n>", zh=("编号", "措施编号", "锅炉编号"),
              per_measure=True),
    "in_service": Key(DateKind(), None, "effective from this date; default the whole period",
                      zh=("投运日期", "完成时间", "完成日期", "淘汰时间", "淘汰日期")),
    "emission_factors": Key(PollutantMapKind(FACTOR), None,
                            "inline factors replacing the table's for the pollutants named", zh=("排放因子",)),
    "count_upstream": Key(BoolKind(), None, "net power-plant emissions from the county (default: scenario's)",
                          zh=("计入上游排放",)),
}


@dataclass(frozen=True)
class ResolvedFactor:
    """A factor for a group of measures: one value (table) or one per measure (inline)."""

    pollutant: str
    value: Number
    unit: str
    factor_id: str | Deferred[Text]  # a table row's id, or one per measure (inline: built only for the ledger's frame)
    source: str
    scales_with: str = ""

    @property
    def inline(self) -> bool:
        """Given in the scenario (one value per measure) rather than from the tables."""
        return isinstance(self.value, np.ndarray)


def resolve_factors(ctx: Context, category: str, subject: str, *, standard: str = "", technology: str = "",
                    inline: dict[str, ResolvedFactor] | None = None, complete: bool = True) -> list[ResolvedFactor]:
    """Table factors for a source, with ``inline`` factors (:func:`inline_factors`) replacing the pollutants
    they name.

    Raises
    ------
    ScenarioError
        When ``complete`` and the source lacks a factor for a pollutant that
        other rows of ``category`` give: a missing row is not a zero (it
        would credit nothing, or, for a substitute, a negative reduction).
    """
    found = {**_table_factors(ctx.table, category, subject, standard, technology, ctx.region), **(inline or {})}
    if complete and found:
        _require_every_pollutant(ctx.table, found, category, subject, standard, technology)
    return list(found.values())


def _require_every_pollutant(table: FactorTable, found: dict[str, ResolvedFactor], category: str, subject: str,
                             standard: str, technology: str) -> None:
    missing = [p for p in POLLUTANTS if p in table.pollutants(category) and p not in found and p != TOTAL_PARTICULATE]
    if not missing:
        return
    what = " ".join(x for x in (category, subject, standard, technology and f"({technology})") if x)
    unit = next(iter(found.values())).unit
    example = ", ".join(f"{p}: '<value> {unit}'" for p in missing)
    one = len(missing) == 1
    raise ScenarioError(
        f"the factor tables have no {', '.join(missing)} factor{'' if one else 's'} for {what}, though other "
        f"{category} rows give {'it' if one else 'them'}: a missing factor row is not a zero",
        field="emission_factors",
        hint=f"give {'it' if one else 'them'} in the measure, emission_factors: {{{example}}}, or add the "
             f"row{'' if one else 's'} (category {category}, subject {subject}) to a scenario factor file "
             "(factors: [local.csv])")


def inline_factors(batch: Batch, key: str, index: np.ndarray, suffix: str = "") -> dict[str, ResolvedFactor]:
    """Inline factors (``emission_factors`` or the like) of measures at ``index`` that name the same pollutants.

    Factor ids are ``inline:<county>.<measure><suffix>.<pollutant>``
    (``suffix`` ``.replacement`` for a new vehicle's factors).
    """
    given = batch.pollutants(key).take(index)
    if not given:
        return {}
    county, measure = batch.labels(index)
    stem = Deferred(lambda: join("inline:", np.where(county == "", measure, join(county, ".", measure)), f"{suffix}."))

    def factor_id(pollutant: str) -> Deferred[Text]:
        return Deferred(lambda: join(stem.value(), pollutant))

    return {pollutant: ResolvedFactor(pollutant, values, unit, factor_id(pollutant), "given in the scenario")
            for pollutant, (values, unit) in given.items()}


def _table_factors(table: FactorTable, category: str, subject: str, standard: str, technology: str,
                   region: str) -> dict[str, ResolvedFactor]:
    """The table's factors for a source as ResolvedFactors, cached in the table."""
    key = ("resolved", category, subject, standard, technology, region)
    cached = table._cache.get(key)
    if cached is None:
        rows = table.emission_factors(category, subject, standard=standard, technology=technology, region=region)
        cached = {p: _from_row(row) for p, row in rows.items()}
        table._cache[key] = cached
    return cached  # type: ignore[return-value]


def _from_row(row: FactorRow) -> ResolvedFactor:
    return ResolvedFactor(row.quantity, row.value, row.unit, row.id, row.describe_source(), row.scales_with)


def require_factors(factors: list[ResolvedFactor], what: str) -> list[ResolvedFactor]:
    if not factors:
        raise ScenarioError(f"no emission factors for {what} in the factor tables",
                            hint="give emission_factors in the measure or a scenario factor file")
    return factors


@dataclass(frozen=True)
class TableName:
    """A key whose value names rows of the factor tables: a vehicle class, a sector, a fuel.

    ``category`` is the tables' category, ``what`` the word for messages,
    ``aliases`` Chinese and other names (重型柴油货车, 水泥熟料, 散煤 ...).
    """

    category: str
    what: str
    aliases: dict[str, str]

    def check(self, value: Any, table: FactorTable) -> str:
        """``value`` as the tables name it (any name when the tables have none in the category).

        Raises
        ------
        ScenarioError
            For an unknown name, with a "did you mean" hint.
        """
        return choice(value, table.subjects(self.category) or frozenset([str(value).strip()]), self.what,
                      self.aliases)

    def column(self, batch: Batch, key: str, table: FactorTable) -> np.ndarray:
        """Each measure's ``key`` checked, once per distinct value; unknown names fail their measures."""
        return batch.mapped(key, lambda value: self.check(value, table))


@dataclass
class MeasureType:
    """A measure type: its keys, the translator that turns a batch of them into ledger rows, and which keys
    name rows of the factor tables (checked by registers as they load, and by the translator)."""

    name: str
    keys: dict[str, Key]
    translate: Callable[[Batch, Context, LedgerBuilder], None]
    summary: str
    names: dict[str, TableName] = field(default_factory=dict)
    zh: tuple[str, ...] = ()  # Chinese names of the type (a register's 类型 column): 煤改电, 电代煤
    label: tuple[str, str] = ("", "")  # how reports and figures name the type: (Chinese, English)

    @property
    def maps(self) -> frozenset[str]:
        """Keys that map pollutants to values (``emission_factors``): columns of a batch."""
        return frozenset(k for k, spec in self.keys.items() if isinstance(spec.kind, PollutantMapKind))

    def batch(self, values: Sequence[dict[str, Any]], county: Sequence[str], measure: Sequence[str],
              row: Sequence[str], seq: Sequence[int]) -> Batch:
        """A batch from each measure's checked ``values`` (a mapping of every key), county, id, register row
        and position in the scenario; the pollutant mappings become :class:`PollutantColumns`."""
        return Batch(self.name, columns_of(values, self.keys, self.maps), objects(county), objects(measure),
                     objects(row), np.asarray(seq, dtype=np.int64))


def add_rows(sink: LedgerBuilder, batch: Batch, index: np.ndarray, factors: list[ResolvedFactor], *,
             source: Text | Deferred[Text],
             activity: Number, activity_unit: str, sign: float, time_share: Number, time_unit: str = "",
             adjust: dict[str, Number] | None = None, scope: str = "local", counted: bool | np.ndarray = True,
             contents: dict[str, Number] | None = None, removal: dict[str, np.ndarray] | None = None) -> None:
    """One block of ledger rows per factor for the measures at ``index``, with shared adjustments.

    ``time_share`` is the time in effect in ``time_unit`` (``yr``,
    ``season``; blank: a share of the period) and ``activity`` is per
    ``time_unit``. ``contents`` maps ``scales_with`` names
    (``sulfur_content``) to percent (the factor is per % of it, and its
    ledger unit says so: ``kg/t per % sulfur_content``); ``removal`` maps
    pollutants to removal efficiency applied on top. Each adjustment's note
    is the multiplier as it is, then what it is: ``0.6 (reduction)``,
    ``1 % sulfur_content``.

    Raises
    ------
    ScenarioError
        When a factor's unit does not fit the activity, or a factor scales
        with a content that is not known.
    """
    base_multiplier: Number = 1.0
    adjustments = list((adjust or {}).items())
    for _, value in adjustments:
        base_multiplier = base_multiplier * value
    base_notes = Deferred(lambda: [join(fmt(value), f" ({label})") for label, value in adjustments])
    county, measure = batch.labels(index)
    shared = {"county": county, "measure": measure, "row": Deferred(lambda: batch.rows()[index]),
              "seq": batch.seq[index], "type": batch.type, "source": source, "scope": scope, "counted": counted,
              "sign": sign, "activity": activity, "activity_unit": activity_unit, "time_share": time_share,
              "time_unit": time_unit}
    blocks = []
    for factor in factors:
        multiplier = base_multiplier
        notes: list[Callable[[], Text]] = []
        if factor.scales_with:
            content = (contents or {}).get(factor.scales_with)
            if content is None:
                raise ScenarioError(f"factor {factor.factor_id} is per % {factor.scales_with} but none is known",
                                    hint=f"give {factor.scales_with} in the measure")
            multiplier = multiplier * content
            notes.append(partial(_content_note, factor.scales_with, content))
        efficiency = (removal or {}).get(factor.pollutant)
        if efficiency is not None:
            multiplier = multiplier * (1.0 - efficiency)
            notes.append(partial(_removal_note, efficiency))
        try:
            to_t = tonnes_per_unit(activity_unit, factor.unit)  # fail here, where the measure is known
        except ScenarioError as error:
            raise error.prefixed(f"emission_factors.{factor.pollutant}") from None
        note = Deferred(partial(_adjust_note, base_notes, notes))
        unit = f"{factor.unit} per % {factor.scales_with}" if factor.scales_with else factor.unit
        blocks.append({"pollutant": factor.pollutant, "factor": factor.value, "factor_unit": unit, "to_t": to_t,
                       "factor_id": factor.factor_id, "factor_source": factor.source, "adjust": multiplier,
                       "adjust_note": note})
    for block in blocks:
        sink.add_block(len(index), **shared, **block)


def _content_note(name: str, content: Number) -> Text:
    return join(fmt(content), f" % {name}")


def _removal_note(efficiency: np.ndarray) -> Text:
    return np.where(efficiency != 0, join(fmt(1.0 - efficiency), " (1 - removal ", fmt(efficiency), ")"), "")


def _adjust_note(shared: Deferred[list[Text]], own: list[Callable[[], Text]]) -> Text:
    """A block's adjust_note: the measure's adjustments, then the factor's own (content, removal)."""
    return _note([*shared.value(), *(make() for make in own)])


def _note(notes: list[Text]) -> Text:
    """Notes joined by `` x ``, leaving out empty ones (row by row)."""
    if not notes:
        return ""
    if len(notes) == 1:
        return notes[0]
    if all(isinstance(note, str) for note in notes):
        return " x ".join(notes)  # type: ignore[arg-type]
    columns = np.broadcast_arrays(*(np.asarray(note, dtype=object) for note in notes))
    return objects([" x ".join(part for part in parts if part) for parts in zip(*columns)])


def parameter(ctx: Context, batch: Batch, index: np.ndarray, key: str | None, category: str, quantity: str,
              subject: str = "", technology: str = "", unit: str = "dimensionless") -> tuple[Number, Text]:
    """A default parameter for measures that all gave ``key`` or all did not (see :func:`given_keys`).

    Returns ``(value, provenance)``: the measures' own values and "given",
    or the table's default in ``unit`` and its row id.
    """
    if key is not None and batch.given(key)[index[0]]:
        return batch.floats(key)[index], "given"
    return ctx.parameter(category, quantity, subject, technology, unit)


def given_keys(batch: Batch, *keys: str) -> np.ndarray:
    """Per measure, which of ``keys`` it gave, as the bits of an integer (bit ``k`` for ``keys[k]``).

    Grouping by it keeps table defaults per group (see :func:`parameter`);
    one integer column groups faster than a boolean column per key.
    """
    pattern = np.zeros(len(batch), dtype=np.int64)
    for bit, key in enumerate(keys):
        pattern |= batch.given(key).astype(np.int64) << bit
    return pattern
