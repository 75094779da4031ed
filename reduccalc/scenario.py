"""Scenario files: loading, checking and running them.

``load_scenario`` reads a YAML file (or a dict), checks every key of every
county and measure, collecting all problems with their ``file:line:column``
and field path, and returns a :class:`Scenario`. ``Scenario.run`` translates
every measure into ledger rows, evaluates them at once and returns a
:class:`~reduccalc.result.Result`.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .air_quality import AirQualityKind
from .calendar import Period
from .errors import ProblemCollector, ScenarioError, did_you_mean, one_of
from .factors import FactorTable, load_local_rows, load_table
from .fields import (
    MISSING,
    UNSAFE_CHARACTERS,
    BoolKind,
    DateKind,
    Key,
    Kind,
    PercentKind,
    PollutantMapKind,
    QuantityKind,
    TextKind,
    check_mapping,
    check_printable,
)
from .inputfiles import PlanFolder
from .ledger import Deferred, LedgerBuilder
from .measures import MEASURE_TYPES, Context
from .measures.batch import Batch, numbered
from .perf import paused_gc
from .result import TOTAL
from .vocabulary import pollutant
from .yamlio import key_position, load_yaml, not_a_scenario, position

if TYPE_CHECKING:
    from .result import Result

# (measure i, field of its problem) -> file, line, column, path
Locator = Callable[[int, str | None], tuple[str | None, int | None, int | None, str]]
_COUNTY_SHIFT = 40  # seq = county << 40 | register << 24 | measure or row: 2^24 rows a register, 2^16 registers
_REGISTER_SHIFT = 24
REGIONS = ("national", "north_china", "central_china", "hebei", "shanxi", "henan", "hunan", "beijing", "tianjin",
           "shandong")


class AnyKind(Kind):
    """A value kept as it is, checked later (lists and mappings of sub-items)."""

    def __init__(self, describe: str, types: tuple[type, ...]) -> None:
        self.describe = describe
        self.types = types

    def check(self, value: Any) -> Any:
        if not isinstance(value, self.types):
            raise ScenarioError(f"expected {self.describe}, got {value!r}")
        return value


class PeriodKind(Kind):
    describe = "{start: YYYY-MM-DD, end: YYYY-MM-DD}"

    def check(self, value: Any) -> Period:
        checked = check_mapping(value, {"start": Key(DateKind(), MISSING), "end": Key(DateKind(), MISSING)},
                                path="period")
        return Period(checked["start"], checked["end"])


def _region(value: Any) -> str:
    text = str(value).strip().lower()
    if text not in REGIONS:
        raise ScenarioError(f"unknown region {value!r}", hint=did_you_mean(text, REGIONS) or f"one of {one_of(REGIONS)}")
    return text


class RegionKind(Kind):
    describe = "a region like north_china or hebei"

    def check(self, value: Any) -> str:
        return _region(value)


TARGETS = PollutantMapKind(PercentKind())
BASELINE = QuantityKind("t", "1850 t", positive=True)  # one pollutant's emissions over the period
SCENARIO_KEYS = {
    "name": Key(TextKind(), MISSING, "the scenario's name"),
    "description": Key(TextKind(), ""),
    "period": Key(PeriodKind(), MISSING, "inclusive; baselines are for this period"),
    "region": Key(RegionKind(), "national", "regional defaults (coal per household, coal quality, grid)"),
    "factors": Key(AnyKind("a list of factor CSV files", (list,)), [], "relative to the scenario file"),
    "targets": Key(TARGETS, {}, "default targets for every county and TOTAL"),
    "count_upstream": Key(BoolKind(), False, "net power-plant emissions from the counties"),
    "counties": Key(AnyKind("a mapping of county name to county", (Mapping,)), {},
                    "required unless baselines_file names them"),
    "baselines_file": Key(AnyKind("a file name or {path: file.xlsx, sheet: name}", (str, Mapping)), None,
                          "a table of county baselines: county, then one column per pollutant"),
    "measures_file": Key(AnyKind("a file name or {path: file.xlsx, sheet: name}", (str, Mapping)), None,
                         "a measure register with a county column"),
    "air_quality": Key(AirQualityKind(), {}, "the city's observed concentration and targets (CONTRACT section 7)"),
}
COUNTY_KEYS = {
    "baseline": Key(PollutantMapKind(BASELINE), {},
                    "emissions over the period"),
    "targets": Key(TARGETS, {}, "overrides the scenario's targets"),
    "measures": Key(AnyKind("a list of measures", (list,)), []),
    "measures_file": Key(AnyKind("a file name or {path: file.xlsx, sheet: name}", (str, Mapping)), None,
                         "a measure register for this county"),
    "candidates": Key(AnyKind("a list of candidate measures", (list,)), []),
    "air_quality": Key(AirQualityKind(), {}, "the county's observed concentration and targets"),
}


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
    """Measures of one type from a register, as columns (see :mod:`reduccalc.registers`).

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
    air_quality: dict[str, Any] = field(default_factory=dict)  # ambient pollutant -> air_quality.Spec


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
    air_quality: dict[str, Any] = field(default_factory=dict)  # the city's (TOTAL): pollutant -> air_quality.Spec

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
        """Monte Carlo over factor ranges; see :mod:`reduccalc.uncertainty`."""
        from .uncertainty import simulate

        return simulate(self, draws=draws, seed=seed, **options)

    def optimize(self, **options: Any) -> Any:
        """Least-cost additions that meet every target; see :mod:`reduccalc.optimize`."""
        from .optimize import optimize

        return optimize(self, **options)


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
    """SHA-256 of a file's bytes (hex), recorded in results' metadata."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_finite(builder: LedgerBuilder) -> None:
    """Refuse a ledger with an infinite or NaN reduction (inputs too large to multiply out)."""
    bad = ~np.isfinite(builder.reduction_t)
    if bad.any():
        row = builder.frame()[bad].iloc[0]
        raise ScenarioError(f"{int(bad.sum())} ledger rows overflow (e.g. {row['pollutant']} of {row['measure']}: "
                            f"{row['activity']:g} {row['activity_unit']} x {row['factor']:g} {row['factor_unit']})",
                            field=f"counties.{row['county']}", hint="check the magnitudes and units of the inputs")


def _check_measure(item: Any, path: str, file: str | None, county: str, counter: dict[str, int],
                   seen: dict[str, str], collector: ProblemCollector, line: int | None,
                   column: int | None, index: tuple[Any, int] | None = None) -> Measure | None:
    if not isinstance(item, Mapping):
        collector.add(ScenarioError(f"expected a measure (a mapping with a type), got {item!r}", file=file,
                                    line=line, column=column, field=path))
        return None
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in MEASURE_TYPES:
        tline, tcol = position(item, "type") if "type" in item else (line, column)
        message = "missing key 'type'" if kind is None else f"unknown measure type {kind!r}"
        hint = (did_you_mean(str(kind), MEASURE_TYPES) if kind is not None else None) or \
            f"one of {one_of(MEASURE_TYPES)}"
        collector.add(ScenarioError(message, file=file, line=tline, column=tcol, field=f"{path}.type", hint=hint))
        return None
    blank = [key for key, value in item.items() if value is None and key in MEASURE_TYPES[kind].keys]
    for key in blank:
        kline, kcol = key_position(item, key)
        collector.add(ScenarioError(f"{key!r} has no value", file=file, line=kline, column=kcol, field=f"{path}.{key}",
                                    hint="write a value, or leave the key out to take its default"))
    try:
        values = check_mapping(item, MEASURE_TYPES[kind].keys, path=path, file=file, ignore=("type",))
    except ScenarioError as error:
        collector.add(error)
        return None
    if blank:
        return None
    counter[kind] = counter.get(kind, 0) + 1
    measure_id = values["id"] or f"{kind}-{counter[kind]}"
    if name_key(measure_id) in seen:
        iline, icol = position(item, "id") if "id" in item else (line, column)
        collector.add(ScenarioError(f"duplicate measure id {measure_id!r} in county {county!r} (first at "
                                    f"{seen[name_key(measure_id)]})", file=file, line=iline, column=icol,
                                    field=f"{path}.id", hint="ids must be unique within a county, whatever their "
                                    "case or character width"))
        return None
    seen[name_key(measure_id)] = path
    return Measure(kind, measure_id, values, file, line, column, path, index=index)


def check_in_service(values: dict[str, Any], period: Period, path: str) -> None:
    """An ``in_service`` after the period's end is an error (the measure would do nothing)."""
    in_service = values.get("in_service")
    if in_service is not None and in_service > period.end:
        raise ScenarioError(
            f"in_service {in_service} is after the period ends ({period.end}): the measure would do nothing",
            field=f"{path}.in_service", hint="a date before the period starts means in effect the whole period")


def check_window(window: tuple[dt.date, dt.date] | None, period: Period, path: str) -> None:
    """A production window wholly outside the period is an error (one partly inside is clipped)."""
    if window is not None and (window[1] < period.start or window[0] > period.end):
        raise ScenarioError(f"window {window[0]} to {window[1]} is outside the period {period.start} to "
                            f"{period.end}", field=f"{path}.window")


def _check_dates(measure: Measure, period: Period, collector: ProblemCollector, item: Any) -> None:
    for key, check in (("in_service", lambda: check_in_service(measure.values, period, measure.path)),
                       ("window", lambda: check_window(measure.values.get("window"), period, measure.path))):
        try:
            check()
        except ScenarioError as error:
            line, column = position(item, key)
            collector.add(error.located(file=measure.file, line=line, column=column))


def name_key(name: str) -> str:
    """What two names of counties (or ids) must differ in: not only width (NFKC), case or surrounding spaces."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _shown(name: str) -> str:
    """A name for a field path: as it is, or quoted and escaped when blank or unprintable."""
    return repr(name) if not name.strip() or UNSAFE_CHARACTERS.search(name) else name


def _county_name_problem(name: Any, first: dict[str, str]) -> ScenarioError | None:
    """Why ``name`` (a key of ``counties:`` or a baselines table's county) is no county name, or None.

    ``first`` maps the :func:`name_key` of the names so far to the name as
    written and where; ``name`` joins it when it is good.
    """
    if isinstance(name, bool) or name is None:
        return ScenarioError(f"county name {name!r} is read as a value, not a name",
                             hint="YAML reads true, yes, on, no, off and null as values: quote the name")
    text = str(name)
    try:
        check_printable(text, "county name")
    except ScenarioError as error:
        return error
    key = name_key(text)
    if not key:
        return ScenarioError("a county name is empty", hint="name every county")
    if key == name_key(TOTAL):
        return ScenarioError(f"county name {text!r} is reserved for the summary's sums over counties",
                             hint="give the county its own name")
    if key in first:
        return ScenarioError(f"county {name!r} is county {first[key]} again: the names differ only in type, "
                             "character width, case or surrounding spaces", hint="give each county once")
    first[key] = repr(name)
    return None


def _check_county_names(counties: list[County], written: list[Any], file: str | None,
                        collector: ProblemCollector) -> None:
    """Refuse empty, reserved, unprintable and twin county names (``1`` and ``"1"``, ``Ａ县`` and ``A县``).

    ``written`` holds the keys of ``counties:`` as the YAML gave them (for
    the first counties); the others come from a baselines table.
    """
    first: dict[str, str] = {}
    for index, county in enumerate(counties):
        name = written[index] if index < len(written) else county.name
        file_line = (file, county.line) if index < len(written) else county.baseline_row or (None, None)
        problem = _county_name_problem(name, first)
        if problem is not None:
            collector.add(problem.located(file=file_line[0], line=file_line[1], field=f"counties.{_shown(str(name))}"))
        elif file_line[1] is not None:
            first[name_key(str(name))] += f" (line {file_line[1]}{'' if file_line[0] == file else f' of {file_line[0]}'})"


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


def build_scenario(data: Any, *, file: str | None = None, base_dir: Path | None = None,
                   checksum: str = "", table: FactorTable | None = None, allow_outside: bool = False) -> Scenario:
    """Check scenario data (from YAML or a dict) and build a :class:`Scenario`.

    ``base_dir`` and ``allow_outside``: see :func:`load_scenario`.
    """
    folder = PlanFolder(base_dir, allow_outside)
    if data is None:
        raise ScenarioError("the scenario is empty", file=file, hint="start from scenarios/tutorial.yaml")
    collector = ProblemCollector()
    top = check_mapping(data, SCENARIO_KEYS, path="scenario", file=file, collector=collector)
    if "counties" not in top:
        collector.raise_if_any()
    table = table or load_table()
    for index, name in enumerate(top.get("factors", [])):
        line, column = position(data["factors"], index)
        try:
            rows, sources = load_local_rows(folder.resolve(str(name), "factor file"))
            table = table.with_rows(rows, sources)
        except ScenarioError as error:
            collector.add(error.prefixed(f"factors[{index}]").located(file=file, line=line, column=column))
    counties = []
    raw_counties = top["counties"]
    if not raw_counties and top.get("baselines_file") is None:
        hint = "name them under counties:, or give a table of their baselines as baselines_file"
        if "counties" in data:
            collector.add(ScenarioError("no counties", file=file, field="counties",
                                        line=position(data, "counties")[0], hint=hint))
        else:
            line, column = key_position(data, "counties")
            collector.add(ScenarioError("missing required key 'counties' (a mapping of county name to county)",
                                        file=file, line=line, column=column, field="scenario", hint=hint))
    written: list[Any] = []  # the keys of counties: as written, one per county built
    for name, raw in raw_counties.items():
        path = f"counties.{name}"
        line, _ = key_position(raw_counties, name)
        try:
            values = check_mapping(raw if raw is not None else {}, COUNTY_KEYS, path=path, file=file,
                                   collector=collector)
        except ScenarioError as error:  # not a mapping at all
            collector.add(error)
            continue
        values = {name: values.get(name, key.default) for name, key in COUNTY_KEYS.items()}
        counter: dict[str, int] = {}
        seen: dict[str, str] = {}
        measures = []
        for index, item in enumerate(values["measures"]):
            mline, mcol = position(raw["measures"], index)
            measure = _check_measure(item, f"{path}.measures[{index}]", file, str(name), counter, seen, collector,
                                     mline, mcol, (name, index))
            if measure is not None:
                if "period" in top:
                    _check_dates(measure, top["period"], collector, item)
                measures.append(measure)
        counties.append(County(str(name), values["baseline"], values["targets"], measures, values["candidates"],
                               line, air_quality=values["air_quality"]))
        written.append(name)
    if top.get("baselines_file") is not None:
        from .baselines import attach_baselines

        attach_baselines(data, counties, folder, file, collector)
    _check_county_names(counties, written, file, collector)
    registers: list[RegisterRows] = []
    if top.get("measures_file") or any(raw and raw.get("measures_file") for raw in raw_counties.values()
                                   if isinstance(raw, Mapping)):
        from .registers import attach_registers

        registers = attach_registers(data, counties, top.get("period"), folder, file, collector, table)
    collector.raise_if_any()
    scenario = Scenario(top["name"], top["period"], counties, table, top["targets"], top["region"],
                        top["count_upstream"], file, base_dir, checksum, top["description"], registers,
                        top.get("air_quality", {}))
    check_targets(scenario, data)
    if any(county.candidates for county in counties):
        from .optimize import check_candidates

        check_candidates(scenario)
    return scenario


def load_scenario(source: str | Path | Mapping[str, Any], base_dir: str | Path | None = None,
                  table: FactorTable | None = None, *, allow_outside: bool = False) -> Scenario:
    """Load and check a scenario from a YAML file or a dict.

    Parameters
    ----------
    source : str, Path or dict
        Path of a scenario YAML file (anywhere), or the scenario as a dict.
    base_dir : str or Path, optional
        The plan's folder: the one relative paths (``factors``,
        ``measures_file``, ``baselines_file``) are relative to, for a dict
        (default: the current folder); a file's own folder otherwise.
    table : FactorTable, optional
        Factor tables to use instead of the shipped ones.
    allow_outside : bool
        Let those paths leave the plan's folder: absolute paths, ``../``
        and symbolic links to files elsewhere, which are refused by default
        so that a plan from someone else reads only the files beside it
        (:mod:`reduccalc.inputfiles`). Only regular files are read, bounded
        in size, either way.

    Raises
    ------
    ScenarioError
        Listing every problem with file, line, column and field.
    """
    if isinstance(source, Mapping):
        folder = Path(base_dir) if base_dir is not None else None
        return build_scenario(source, file=None, base_dir=folder, table=table, allow_outside=allow_outside)
    if not isinstance(source, (str, os.PathLike)):
        raise ScenarioError(f"expected the path of a scenario YAML file or the scenario as a dict, got "
                            f"{type(source).__name__} {source!r}")
    path = Path(source)
    folder = Path(base_dir) if base_dir is not None else path.resolve().parent
    with paused_gc():  # one pause: the collector's passes over a big file's values cost more than building them
        data = load_yaml(path)
        if data is not None and not isinstance(data, Mapping):
            raise not_a_scenario(data, str(source))
        scenario = build_scenario(data, file=str(source), base_dir=folder, checksum=file_checksum(path), table=table,
                                  allow_outside=allow_outside)
        del data  # freed before the collector resumes, so its first pass has only the scenario to look at
    return scenario

