"""The scenario model: a checked :class:`Scenario` of :class:`County` and :class:`Measure` data.

``Scenario.run`` translates every measure into ledger rows, evaluates them at
once and returns a :class:`~reduccalc.result.Result`; ``simulate`` and
``optimize`` hand the scenario to :mod:`reduccalc.analysis` (lazy facades, the
only imports that point up). Loading and checking files is :mod:`reduccalc.load`.
"""

from __future__ import annotations

import copy
import hashlib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .calendar import Period
from .errors import ProblemCollector, ScenarioError, did_you_mean, one_of
from .factors import FactorTable
from .fields import (
    PercentKind,
)
from .inputfiles import read_bytes
from .inputs.yamlio import MAX_BYTES, load_yaml
from .ledger import Deferred, LedgerBuilder
from .measures import MEASURE_TYPES, Context
from .measures.batch import Batch, numbered
from .perf import paused_gc
from .positions import key_position, position
from .vocabulary import TOTAL, pollutant

if TYPE_CHECKING:
    from .result import Result


# (measure i, field of its problem) -> file, line, column, path
Locator = Callable[[int, str | None], tuple[str | None, int | None, int | None, str]]
_COUNTY_SHIFT = 40  # seq = county << 40 | register << 24 | measure or row: 2^24 rows a register, 2^16 registers
_REGISTER_SHIFT = 24


@dataclass
class Measure:
    """One checked measure of a county."""

    type: str
    id: str
    values: dict[str, Any]
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = ""
    row: str = ""
    index: tuple[Any, int] | None = None  # (county key, position in its measures list) in the loaded file

    def where(self, field: str | None, data: Any) -> tuple[str | None, int | None, int | None, str]:
        """(file, line, column, path) for a problem with ``field`` (``emission_factors.NOx``, or none).

        ``data`` is the scenario file loaded again (positions are only
        looked for when there is a problem) or None; the result is the
        deepest part of ``field`` whose position is known, else the measure's.
        """
        line, column = self.line, self.column
        try:
            container = data["counties"][self.index[0]]["measures"][self.index[1]]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            container = None
        for key in (field or "").split("."):
            if not isinstance(container, Mapping) or key not in container:
                break
            found = position(container, key)
            if found[0] is not None:
                line, column = found
            container = container[key]
        return self.file, line, column, self.path


@dataclass
class RegisterRows:
    """Measures of one type from a register, as columns (see :mod:`reduccalc.inputs.registers`).

    ``file`` is the register as the scenario names it; ``order`` its place
    among the scenario's registers (a county's rows follow its YAML
    measures, then its registers' rows in this order).
    """

    type: str
    file: str
    order: int
    county: np.ndarray
    id: np.ndarray
    row: np.ndarray
    values: dict[str, Any]


@dataclass
class County:
    name: str
    baseline: dict[str, float]
    targets: dict[str, float]
    measures: list[Measure]
    candidates: list[Any] = field(default_factory=list)
    line: int | None = None
    baseline_row: tuple[str, int] | None = None  # (table, row) when the baseline is a baselines_file row
    air_quality: dict[str, Any] = field(default_factory=dict)  # ambient pollutant -> inputs.air_quality.Spec


@dataclass
class Scenario:
    """A checked scenario, ready to run."""

    name: str
    period: Period
    counties: list[County]
    table: FactorTable
    targets: dict[str, float] = field(default_factory=dict)
    region: str = "national"
    count_upstream: bool = False
    file: str | None = None
    base_dir: Path | None = None
    checksum: str = ""
    description: str = ""
    registers: list[RegisterRows] = field(default_factory=list)
    air_quality: dict[str, Any] = field(default_factory=dict)  # the city's (TOTAL): pollutant -> inputs.air_quality.Spec

    def __repr__(self) -> str:
        """What the scenario holds, in a few lines: name, period, counties, measures by type, targets."""
        counties = [c.name for c in self.counties]
        types = self.measure_types()
        county_targets = sum(1 for c in self.counties if c.targets)
        targets = ", ".join(f"{p} {v:g}%" for p, v in self.targets.items()) or "none at scenario level"
        if county_targets:
            targets += f"; own targets in {how_many(county_targets, 'county', 'counties')}"
        air = [f"{name} (TOTAL)" for name in self.air_quality] + [
            f"{p} ({c.name})" for c in self.counties for p in c.air_quality]
        lines = [f"<Scenario {self.name!r}: {self.period.start} to {self.period.end}, region {self.region}",
                 f"  counties ({len(counties)}): {one_of(counties, 8, sort=False)}",
                 f"  measures ({self.measure_count()}): "
                 f"{', '.join(f'{t} {n}' for t, n in types.items()) or 'none'}",
                 f"  targets: {targets}"]
        if air:
            lines.append(f"  air quality: {one_of(air, 8, sort=False)}")
        if self.file:
            lines.append(f"  file: {self.file}")
        return "\n".join(lines) + ">"

    def measure_types(self) -> dict[str, int]:
        """Measures per type, from YAML and registers, in order of first appearance."""
        types: dict[str, int] = {}
        for county in self.counties:
            for measure in county.measures:
                types[measure.type] = types.get(measure.type, 0) + 1
        for rows in self.registers:
            types[rows.type] = types.get(rows.type, 0) + len(rows.row)
        return types

    def county_name(self, name: str, *, field: str | None = "--county", total: bool = False) -> str:
        """The name of the county ``name`` designates, as county names are told apart (:func:`name_key`:
        not by width, case or surrounding spaces); ``TOTAL`` too with ``total``.

        Raises
        ------
        ScenarioError
            For a name that is no county's, with a "did you mean" and the names there are.
        """
        names = [c.name for c in self.counties] + ([TOTAL] if total else [])
        for known in names:
            if name_key(known) == name_key(name):
                return known
        raise ScenarioError(f"no county {name!r}", field=field, hint=" ".join(filter(None, (
            did_you_mean(name, names), f"the counties: {one_of(names, sort=False)}"))))

    def county(self, name: str) -> County:
        for county in self.counties:
            if county.name == name:
                return county
        raise ScenarioError(f"no county {name!r}", hint=did_you_mean(name, [c.name for c in self.counties]))

    def context(self) -> Context:
        return Context(self.table, self.period, self.region, self.count_upstream)

    def measure_count(self) -> int:
        """Measures in the scenario, from YAML and registers."""
        return sum(len(c.measures) for c in self.counties) + sum(len(r.row) for r in self.registers)

    def batches(self) -> list[tuple[Batch, Locator]]:
        """Every measure as one :class:`Batch` per type, with a function giving the (file, line, column,
        path) of a problem with measure ``i`` for messages.

        ``seq`` orders measures county by county: YAML measures, then
        register rows in the order of the registers.
        """
        county_index = {county.name: i for i, county in enumerate(self.counties)}
        found: dict[str, list[Any]] = {}
        for i, county in enumerate(self.counties):
            for j, measure in enumerate(county.measures):
                found.setdefault(measure.type, []).append((i << _COUNTY_SHIFT | j, county.name, measure))
        batches: list[tuple[Batch, Locator]] = []
        for type, measures in found.items():
            order, names, items = zip(*measures)
            batch = MEASURE_TYPES[type].batch([m.values for m in items], names, list(map(attrgetter("id"), items)),
                                              list(map(attrgetter("row"), items)), order)
            batches.append((batch, _yaml_locator(items, lambda: self._reloaded)))
        for rows in self.registers:
            counties = numbered(rows.county, county_index)
            seq = counties << _COUNTY_SHIFT | (rows.order + 1) << _REGISTER_SHIFT | rows.row.astype(np.int64)
            batch = Batch(rows.type, rows.values, rows.county, rows.id, Deferred(partial(_row_labels, rows)), seq)
            batches.append((batch, _register_locator(rows)))
        return batches

    @cached_property
    def _reloaded(self) -> Any:
        """The scenario file loaded again, with positions, if it is unchanged since it was loaded (else None).

        Positions of keys are looked for only when a measure has a problem:
        a scenario keeps none of its file's positions on the happy path.
        """
        try:
            if self.file is not None and self.checksum and file_checksum(Path(self.file)) == self.checksum:
                return load_yaml(self.file)
        except (OSError, ScenarioError):
            pass
        return None

    def ledger_builder(self) -> LedgerBuilder:
        """Translate every measure into ledger rows, collecting every problem."""
        sink = LedgerBuilder()
        ctx = self.context()
        found: list[tuple[int, ScenarioError]] = []
        for batch, where in self.batches():
            MEASURE_TYPES[batch.type].translate(batch, ctx, sink)
            for index, error in batch.failures:
                for i in index.tolist():
                    file, line, column, path = where(i, error.first.field)
                    found.append((int(batch.seq[i]), copy.deepcopy(error).prefixed(path).located(
                        file=file, line=line, column=column)))
        if found:
            collector = ProblemCollector()
            for _, error in sorted(found, key=lambda item: item[0]):
                collector.add(error)
            collector.raise_if_any()
        return sink

    def run(self) -> Result:
        """Evaluate every measure; see :class:`reduccalc.result.Result`."""
        from .result import Result

        with paused_gc():
            builder = self.ledger_builder()
            check_finite(builder)
            return Result(self, builder)

    def with_target(self, percent: float | str | None = None, pollutants: list[str] | None = None) -> Scenario:
        """A copy whose targets are ``percent`` for every county and TOTAL.

        Parameters
        ----------
        percent : float or str, optional
            ``"5%"`` or 5.0 [%]; None keeps the file's targets.
        pollutants : list of str, optional
            Pollutants the target applies to (default: every pollutant with
            a baseline); with ``percent`` None, the file's targets limited to
            these.

        Raises
        ------
        ScenarioError
            For a target that cannot be evaluated (see :func:`check_targets`).
        """
        value, names = target_options(percent, pollutants)
        new = copy.copy(self)
        if value is None:
            keep = (lambda t: {p: v for p, v in t.items() if p in names}) if names else (lambda t: dict(t))
            new.targets = keep(self.targets)
            new.counties = [replace(c, targets=keep(c.targets)) for c in self.counties]
            return new
        with_baseline = sorted({p for c in self.counties for p in c.baseline})
        chosen = names if names is not None else with_baseline
        new.targets = {p: value for p in chosen}
        new.counties = [replace(c, targets={}) for c in self.counties]
        check_targets(new)
        return new

    def simulate(self, draws: int = 1000, seed: int | None = None, **options: Any) -> Any:
        """Monte Carlo over factor ranges; see :mod:`reduccalc.analysis.uncertainty`."""
        from .analysis.uncertainty import simulate

        return simulate(self, draws=draws, seed=seed, **options)

    def optimize(self, **options: Any) -> Any:
        """Least-cost additions that meet every target; see :mod:`reduccalc.analysis.optimize`."""
        from .analysis.optimize import optimize

        return optimize(self, **options)


def how_many(count: int, noun: str, plural: str | None = None) -> str:
    """``1 county``, ``2 counties``: a count with its noun."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def target_options(percent: float | str | None, pollutants: Sequence[str] | None, *,
                   field: str = "target") -> tuple[float | None, list[str] | None]:
    """A target (``"5%"``, ``"５％"`` or 5.0) as a percent [%] and pollutant names in canonical form, as
    :meth:`Scenario.with_target` takes them (None stays None).

    Raises
    ------
    ScenarioError
        For a target that is not a percent in [0, 100] or an unknown pollutant, naming ``field``.
    """
    try:
        value = None if percent is None else PercentKind().check(percent if isinstance(percent, str)
                                                                 else f"{percent}%")
    except ScenarioError as error:
        raise error.prefixed(field) from None
    return value, None if pollutants is None else [pollutant(p) for p in pollutants]


def _yaml_locator(measures: tuple[Measure, ...], data: Callable[[], Any]) -> Locator:
    return lambda i, field: measures[i].where(field, data())


def _row_labels(rows: RegisterRows) -> np.ndarray:
    """``file.csv:12`` for each row of a register's block."""
    return f"{rows.file}:" + rows.row.astype(str).astype(object)  # type: ignore[no-any-return]


def _register_locator(rows: RegisterRows) -> Locator:
    return lambda i, field: (rows.file, int(rows.row[i]), None, "measures_file")


def file_checksum(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), recorded in results' metadata; read bounded, as the loader reads it."""
    return hashlib.sha256(read_bytes(path, "scenario file", MAX_BYTES)).hexdigest()


def check_finite(builder: LedgerBuilder) -> None:
    """Refuse a ledger with an infinite or NaN reduction (inputs too large to multiply out)."""
    bad = ~np.isfinite(builder.reduction_t)
    if bad.any():
        row = builder.frame()[bad].iloc[0]
        raise ScenarioError(f"{int(bad.sum())} ledger rows overflow (e.g. {row['pollutant']} of {row['measure']}: "
                            f"{row['activity']:g} {row['activity_unit']} x {row['factor']:g} {row['factor_unit']})",
                            field=f"counties.{row['county']}", hint="check the magnitudes and units of the inputs")


def name_key(name: str) -> str:
    """What two names of counties (or ids) must differ in: not only width (NFKC), case or surrounding spaces."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def check_targets(scenario: Scenario, data: Any = None) -> None:
    """Refuse every target that cannot be evaluated, naming county and pollutant.

    A target is a share of a baseline. A county's own ``targets`` need its
    baseline of that pollutant. The scenario's targets (the file's, or
    ``--target``) apply to TOTAL and to each county's pollutants with a
    baseline, so they need a county with that baseline; and while any target
    applies, a county without any baseline is an error, not a county left
    out of every total. Without any baseline the summary would be empty: an
    error too. ``data`` is the loaded file, for line numbers.
    """
    collector = ProblemCollector()
    file = scenario.file
    with_baseline = {p for county in scenario.counties for p in county.baseline}
    if scenario.counties and not with_baseline:
        raise ScenarioError("no county has a baseline: there is nothing to compare the reductions with", file=file,
                            field="counties", hint="give each county's emissions over the period as baseline: "
                            "{NOx: '5200 t'}, or a table of them as baselines_file")
    for name in scenario.targets:
        if name not in with_baseline:
            collector.add(ScenarioError(f"a target for {name}, but no county has a baseline for {name}: it "
                                        "cannot be evaluated", file=file, line=position(data, "targets")[0],
                                        field=f"targets.{name}", hint=f"give the counties' {name} baselines, or "
                                        "remove the target"))
    for county in scenario.counties:
        if not county.baseline and (scenario.targets or county.targets):
            collector.add(ScenarioError(f"county {county.name!r} has no baseline: its targets cannot be evaluated "
                                        "and its reductions count in no total", file=file, line=county.line,
                                        field=f"counties.{county.name}.baseline",
                                        hint="give its emissions over the period, e.g. baseline: {NOx: '5200 t'}"))
            continue
        for name in county.targets:
            if name not in county.baseline:
                collector.add(ScenarioError(
                    f"a target for {name} in county {county.name!r}, which has no baseline for {name}: it cannot "
                    "be evaluated", file=file, line=_county_targets_line(data, county),
                    field=f"counties.{county.name}.targets.{name}",
                    hint=f"give the county's {name} baseline, or remove the target"))
    collector.raise_if_any()


def _county_targets_line(data: Any, county: County) -> int | None:
    """Line of a county's ``targets:`` in the loaded file (or of the county), where known."""
    raw = data.get("counties") if isinstance(data, Mapping) else None
    for key, value in (raw.items() if isinstance(raw, Mapping) else ()):
        if str(key) == county.name and isinstance(value, Mapping) and "targets" in value:
            return key_position(value, "targets")[0]
    return county.line


