"""What every measure translator shares: context, keys, factor resolution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ..calendar import Period, heating_share
from ..errors import ScenarioError
from ..factors import FactorRow, FactorTable
from ..fields import FACTOR, BoolKind, DateKind, Key, PollutantMapKind, TextKind
from ..ledger import LedgerBuilder, tonnes_per_unit
from ..units import conversion

GJ_PER_MWH = 3.6
_heating_share = lru_cache(maxsize=4096)(heating_share)
KWH_PER_GJ = 1000.0 / 3.6


@dataclass
class Context:
    """What a translator needs besides the measure's own keys."""

    table: FactorTable
    period: Period
    region: str = "national"
    county: str = ""
    count_upstream: bool = False

    def profile(self) -> tuple[float, ...]:
        return self.table.heating_profile(self.region)

    def heating_share_after(self, in_service: dt.date | None) -> float:
        """Seasons of heating in the period on or after ``in_service``."""
        return _heating_share(self.period.effective_start(in_service), self.period.end, self.profile())

    def parameter(self, category: str, quantity: str, subject: str = "", technology: str = "",
                  unit: str = "dimensionless", given: float | None = None) -> tuple[float, str]:
        """A default parameter in ``unit``, or ``given`` when the user gave one.

        Returns ``(value, provenance)``; provenance is the row id or "given".
        """
        if given is not None:
            return given, "given"
        row = self.table.parameter(category, quantity, subject, technology=technology, region=self.region)
        if row is None:
            what = " ".join(x for x in (category, subject, technology) if x)
            raise ScenarioError(f"no default {quantity} for {what} in the factor tables",
                                hint=f"give {quantity} in the measure")
        try:
            return row.value * conversion(row.unit, unit), row.id
        except Exception:
            raise ScenarioError(f"factor table row {row.id} has unit {row.unit!r}, expected {unit}") from None


# Keys every measure accepts.
COMMON_KEYS = {
    "id": Key(TextKind(), None, "unique within the county; default <type>-<n>"),
    "in_service": Key(DateKind(), None, "effective from this date; default the whole period"),
    "emission_factors": Key(PollutantMapKind(FACTOR), None,
                            "inline factors replacing the table's for the pollutants named"),
    "count_upstream": Key(BoolKind(), None, "net power-plant emissions from the county (default: scenario's)"),
}


@dataclass(frozen=True)
class ResolvedFactor:
    pollutant: str
    value: float
    unit: str
    factor_id: str
    source: str
    scales_with: str = ""


def resolve_factors(ctx: Context, category: str, subject: str, *, standard: str = "", technology: str = "",
                    inline: dict[str, tuple[float, str]] | None = None, inline_id: str = "",
                    region: str | None = None) -> list[ResolvedFactor]:
    """Table factors for a source, with inline factors replacing named pollutants."""
    resolved = dict(_table_factors(ctx.table, category, subject, standard, technology, region or ctx.region))
    for pollutant, (value, unit) in (inline or {}).items():
        resolved[pollutant] = ResolvedFactor(pollutant, value, unit, f"inline:{inline_id.lstrip('.')}.{pollutant}",
                                             "given in the scenario")
    return list(resolved.values())


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


@dataclass
class MeasureType:
    """A measure type: its keys and the translator that turns them into ledger rows."""

    name: str
    keys: dict[str, Key]
    translate: Callable[..., None]  # (values, context, sink, measure id, row="")
    summary: str


def add_rows(sink: LedgerBuilder, ctx: Context, factors: list[ResolvedFactor], *, measure: str, type: str,
             source: str, activity: float, activity_unit: str, sign: float, time_share: float,
             adjust: dict[str, float] | None = None, scope: str = "local", counted: bool = True,
             contents: dict[str, float] | None = None, removal: dict[str, float] | None = None,
             row: str = "") -> None:
    """One ledger row per factor, with shared adjustments.

    ``contents`` maps ``scales_with`` names (``sulfur_content``) to percent;
    ``removal`` maps pollutants to removal efficiency applied on top.
    """
    base_multiplier, base_notes = 1.0, []
    for label, value in (adjust or {}).items():
        base_multiplier *= value
        base_notes.append(f"{label} {value:g}")
    pollutants, values, units, ids, sources, multipliers, notes_column = [], [], [], [], [], [], []
    for factor in factors:
        multiplier, notes = base_multiplier, list(base_notes)
        if factor.scales_with:
            content = (contents or {}).get(factor.scales_with)
            if content is None:
                raise ScenarioError(f"factor {factor.factor_id} is per % {factor.scales_with} but none is known",
                                    hint=f"give {factor.scales_with} in the measure")
            multiplier *= content
            notes.append(f"{factor.scales_with} {content:g}%")
        efficiency = (removal or {}).get(factor.pollutant, 0.0)
        if efficiency:
            multiplier *= 1.0 - efficiency
            notes.append(f"(1 - removal {efficiency:g})")
        try:
            tonnes_per_unit(activity_unit, factor.unit)  # fail here, where the measure is known
        except ScenarioError as error:
            raise error.prefixed(f"emission_factors.{factor.pollutant}") from None
        pollutants.append(factor.pollutant)
        values.append(factor.value)
        units.append(factor.unit)
        ids.append(factor.factor_id)
        sources.append(factor.source)
        multipliers.append(multiplier)
        notes_column.append(" x ".join(notes))
    sink.add_block(len(pollutants), county=ctx.county, measure=measure, type=type, row=row, source=source,
                   scope=scope, counted=counted, sign=sign, activity=activity, activity_unit=activity_unit,
                   time_share=time_share, pollutant=pollutants, factor=values, factor_unit=units, factor_id=ids,
                   factor_source=sources, adjust=multipliers, adjust_note=notes_column)
