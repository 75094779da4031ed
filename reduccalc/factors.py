"""Emission-factor and default-parameter tables: loading, checking, lookup.

The shipped tables live in ``factors/`` (see ``factors/README.md`` for the
columns). Each row is one cited number. A scenario may add rows of its own
(``factors: [local.csv]``) that replace shipped rows with the same key or
extend the table.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from .calendar import HeatingProfile
from .errors import ProblemCollector, ScenarioError, did_you_mean
from .inputfiles import read_bytes
from .units import parse_unit
from .vocabulary import POLLUTANTS

COLUMNS = (
    "id", "kind", "category", "subject", "standard", "technology", "region", "quantity", "value", "unit",
    "low", "high", "distribution", "scales_with", "control", "source", "reference", "year", "judged", "note",
)
REQUIRED = ("id", "category", "quantity", "value", "unit")
KINDS = ("emission_factor", "parameter")
DISTRIBUTIONS = ("", "lognormal95", "uniform", "triangular", "normal95")
SPECIAL_FILES = {"sources.csv", "heating_profile.csv"}
NEAR_MISS = 0.8  # an override's subject or technology this close (difflib ratio) to a known one is misspelt
MAX_FACTOR_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Source:
    """A public document that factor rows cite."""

    id: str
    citation: str
    url: str = ""
    accessed: str = ""
    read: str = ""
    note: str = ""


@dataclass(frozen=True)
class FactorRow:
    """One cited number: an emission factor or a default parameter."""

    id: str
    kind: str
    category: str
    subject: str
    standard: str
    technology: str
    region: str
    quantity: str
    value: float
    unit: str
    low: float | None
    high: float | None
    distribution: str
    scales_with: str
    control: str
    source: str
    reference: str
    year: str
    judged: bool
    note: str
    file: str
    line: int

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None and self.high > self.low

    def describe_source(self) -> str:
        """Short provenance for ledgers: ``source id, reference (year)``; the full citation is in sources.csv."""
        text = ", ".join(part for part in (self.source, self.reference) if part)
        if self.year:
            text += f" ({self.year})"
        return text + (" [judged]" if self.judged else "")


def _float_or_none(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def factors_dir() -> Path:
    """Where the tables are: ``$REDUCCALC_FACTORS_DIR``, inside the wheel, or the repo's ``factors/``."""
    override = os.environ.get("REDUCCALC_FACTORS_DIR")
    if override:
        return Path(override)
    packaged = files("reduccalc").joinpath("factors")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "factors"


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    data = read_bytes(path, "factor file", MAX_FACTOR_BYTES)  # problems located where the plan names it
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError("factor file is not UTF-8", file=str(path)) from None
    reader = csv.DictReader(io.StringIO(text))
    # line numbers as a spreadsheet shows them: the header is line 1
    return [(index + 2, {k.strip(): (v or "").strip() for k, v in row.items() if k}) for index, row in enumerate(reader)]


def parse_rows(path: Path, collector: ProblemCollector, defaults: dict[str, str] | None = None) -> list[FactorRow]:
    """Read and check one factor CSV; problems go to ``collector``."""
    rows = []
    for line, raw in _read_csv(path):
        raw = {**(defaults or {}), **{k: v for k, v in raw.items() if v != ""}}
        missing = [name for name in REQUIRED if not raw.get(name)]
        if missing:
            collector.add(ScenarioError(f"missing {', '.join(missing)}", file=str(path), line=line))
            continue
        try:
            rows.append(_row(raw, path, line))
        except ScenarioError as error:
            collector.add(error.located(file=str(path), line=line))
    return rows


def _row(raw: dict[str, str], path: Path, line: int) -> FactorRow:
    kind = raw.get("kind") or "emission_factor"
    if kind not in KINDS:
        raise ScenarioError(f"kind {kind!r} is not one of {KINDS}", field="kind")
    quantity = raw["quantity"]
    if kind == "emission_factor" and quantity not in POLLUTANTS:
        raise ScenarioError(f"unknown pollutant {quantity!r}", field="quantity",
                            hint=did_you_mean(quantity, POLLUTANTS))
    unit = parse_unit(raw["unit"], field="unit")
    try:
        value = float(raw["value"])
        low = _float_or_none(raw.get("low", ""))
        high = _float_or_none(raw.get("high", ""))
    except ValueError:
        raise ScenarioError("value, low and high must be numbers", field="value") from None
    if not all(math.isfinite(v) for v in (value, low or 0.0, high or 0.0)):
        raise ScenarioError("value, low and high must be finite", field="value")
    if kind == "emission_factor" and min(value, low if low is not None else 0.0) < 0:
        raise ScenarioError(f"negative emission factor {value:g} (low {low}): a factor is what a source emits; "
                            "a negative one would count emissions added as a reduction", field="value")
    if low is not None and value < low or high is not None and value > high:
        raise ScenarioError(f"value {value} outside its range [{low}, {high}]", field="value")
    distribution = raw.get("distribution", "")
    if distribution not in DISTRIBUTIONS:
        raise ScenarioError(f"unknown distribution {distribution!r}", field="distribution",
                            hint=did_you_mean(distribution, DISTRIBUTIONS))
    if distribution and (low is None or high is None):
        raise ScenarioError("a distribution needs both low and high", field="distribution")
    return FactorRow(
        id=raw["id"], kind=kind, category=raw["category"], subject=raw.get("subject", ""),
        standard=raw.get("standard", ""), technology=raw.get("technology", ""),
        region=raw.get("region", "") or "national", quantity=quantity, value=value, unit=unit,
        low=low, high=high, distribution=distribution, scales_with=raw.get("scales_with", ""),
        control=raw.get("control", ""), source=raw.get("source", ""), reference=raw.get("reference", ""),
        year=raw.get("year", ""), judged=raw.get("judged", "").lower() in ("yes", "true", "1", "y"),
        note=raw.get("note", ""), file=path.name, line=line,
    )


def _read_sources(path: Path) -> dict[str, Source]:
    if not path.exists():
        return {}
    sources = {}
    for _, raw in _read_csv(path):
        if raw.get("id"):
            sources[raw["id"]] = Source(raw["id"], raw.get("citation", ""), raw.get("url", ""),
                                        raw.get("accessed", ""), raw.get("read", ""), raw.get("note", ""))
    return sources


def _read_heating_profiles(path: Path) -> dict[str, HeatingProfile]:
    """Each region's monthly shares, with the season's first and last day in each month (blank: the whole
    month)."""
    if not path.exists():
        return {}
    months: dict[str, dict[int, tuple[float, int, int]]] = {}
    for line, raw in _read_csv(path):
        region = raw.get("region") or "national"
        try:
            month = int(raw["month"])
            share = float(raw["share"])
            first, last = int(raw.get("first_day") or 1), int(raw.get("last_day") or 31)
        except (KeyError, ValueError):
            raise ScenarioError("month must be 1-12, share a number and first_day, last_day days of the month",
                                file=str(path), line=line) from None
        if not 1 <= month <= 12 or not 1 <= first <= last <= 31 or share < 0:
            raise ScenarioError(f"month {month}, share {share:g}, days {first}-{last}: expected a month 1-12, "
                                "a share of 0 or more and 1 <= first_day <= last_day <= 31", file=str(path),
                                line=line)
        months.setdefault(region, {})[month] = (share, first, last)
    profiles = {}
    for region, given in months.items():
        rows = [given.get(month, (0.0, 1, 31)) for month in range(1, 13)]
        shares = tuple(share for share, _, _ in rows)
        if abs(sum(shares) - 1.0) > 1e-3:
            raise ScenarioError(f"heating profile of {region!r} sums to {sum(shares):.4f}, not 1", file=str(path))
        profiles[region] = HeatingProfile(shares, tuple(first for _, first, _ in rows),
                                          tuple(last for _, _, last in rows))
    return profiles


# Where a region's defaults fall back to: its climate region, its power grid, then national.
REGION_PARENTS = {
    "beijing": ("north_china", "north_china_grid"),
    "tianjin": ("north_china", "north_china_grid"),
    "hebei": ("north_china", "north_china_grid"),
    "shanxi": ("north_china", "north_china_grid"),
    "shandong": ("north_china", "north_china_grid"),
    "henan": ("north_china", "central_china_grid"),
    "hunan": ("central_china", "central_china_grid"),
    "north_china": ("north_china_grid",),
    "central_china": ("central_china_grid",),
}


def region_chain(region: str) -> tuple[str, ...]:
    """``region``, then the regions its defaults fall back to, then ``national``."""
    return (region, *REGION_PARENTS.get(region, ()), "national")


class FactorTable:
    """All factor rows, indexed for lookup by what they describe.

    Lookup keys are ``(kind, category, subject, standard, quantity)``; among
    matching rows the one with the asked technology beats a row for any
    technology (technology blank), and the asked region beats ``national``.
    A technology the tables do not know for the subject is an error, never
    a silent fall back to the rows for any technology.
    """

    def __init__(self, rows: Iterable[FactorRow], sources: dict[str, Source],
                 heating_profiles: dict[str, HeatingProfile], checksum: str = "") -> None:
        self.rows: dict[str, FactorRow] = {}
        self.sources = sources
        self.heating_profiles = heating_profiles
        self.checksum = checksum
        self._index: dict[tuple[str, str, str, str, str], list[FactorRow]] = {}
        self._cache: dict[tuple[str, ...], object] = {}  # lookups, cleared when rows change
        for row in rows:
            self._add(row)

    def _add(self, row: FactorRow) -> None:
        self._cache.clear()
        old = self.rows.get(row.id)
        if old is not None:
            bucket = self._index[(old.kind, old.category, old.subject, old.standard, old.quantity)]
            bucket.remove(old)
        self.rows[row.id] = row
        key = (row.kind, row.category, row.subject, row.standard, row.quantity)
        bucket = self._index.setdefault(key, [])
        # a row with the same technology and region is replaced, not added
        bucket[:] = [r for r in bucket if (r.technology, r.region) != (row.technology, row.region)]
        bucket.append(row)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, factor_id: str) -> FactorRow:
        try:
            return self.rows[factor_id]
        except KeyError:
            raise ScenarioError(f"no factor with id {factor_id!r}",
                                hint=did_you_mean(factor_id, self.rows) or "see `reduccalc factors list`") from None

    def find(self, category: str, subject: str, quantity: str, *, kind: str = "emission_factor",
             standard: str = "", technology: str = "", region: str = "national") -> FactorRow | None:
        """The best row for a lookup, or None.

        A row for the asked technology beats one for any technology; among
        those, the nearest region in :func:`region_chain` wins.

        Raises
        ------
        ScenarioError
            When ``technology`` is given, rows of ``category`` and
            ``subject`` name technologies, and none names this one (with a
            "did you mean").
        """
        if technology:
            self._check_technology(kind, category, subject, technology)
        bucket = self._index.get((kind, category, subject, standard, quantity))
        if not bucket:
            return None
        chain = region_chain(region)
        best, best_score = None, None
        for row in bucket:
            if row.technology not in ("", technology) or row.region not in chain:
                continue
            score = (row.technology == technology and technology != "", -chain.index(row.region))
            if best_score is None or score > best_score:
                best, best_score = row, score
        return best

    def emission_factors(self, category: str, subject: str, *, standard: str = "", technology: str = "",
                         region: str = "national") -> dict[str, FactorRow]:
        """Every pollutant's best row for one source, keyed by pollutant (cached)."""
        key = ("ef", category, subject, standard, technology, region)
        cached = self._cache.get(key)
        if cached is None:
            found: dict[str, FactorRow] = {}
            for pollutant in POLLUTANTS:
                row = self.find(category, subject, pollutant, standard=standard, technology=technology,
                                region=region)
                if row is not None:
                    found[pollutant] = row
            self._cache[key] = cached = found
        return dict(cached)  # type: ignore[call-overload]

    def technologies(self, category: str, subject: str, kind: str = "emission_factor") -> frozenset[str]:
        """Technologies named by rows of ``category`` and ``subject`` (cached)."""
        key = ("technologies", kind, category, subject)
        found = self._cache.get(key)
        if found is None:
            found = frozenset(r.technology for r in self.rows.values()
                              if (r.kind, r.category, r.subject) == (kind, category, subject) and r.technology)
            self._cache[key] = found
        return found  # type: ignore[return-value]

    def _check_technology(self, kind: str, category: str, subject: str, technology: str) -> None:
        known = self.technologies(category, subject, kind)
        if known and technology not in known:  # rows that name no technology apply to any
            what = "factor" if kind == "emission_factor" else "parameter"
            raise ScenarioError(
                f"no {category} {what} rows for {subject or category} with technology {technology!r} "
                f"(the tables know {', '.join(sorted(known))})", field="technology",
                hint=did_you_mean(technology, known) or "leave technology out for the rows that apply to any")

    def pollutants(self, category: str) -> frozenset[str]:
        """Pollutants that some emission-factor row of ``category`` gives (cached)."""
        key = ("pollutants", category)
        found = self._cache.get(key)
        if found is None:
            found = frozenset(r.quantity for r in self.rows.values()
                              if r.category == category and r.kind == "emission_factor")
            self._cache[key] = found
        return found  # type: ignore[return-value]

    def parameter(self, category: str, quantity: str, subject: str = "", *, technology: str = "",
                  region: str = "national") -> FactorRow | None:
        return self.find(category, subject, quantity, kind="parameter", technology=technology, region=region)

    def subjects(self, category: str, kind: str = "emission_factor") -> frozenset[str]:
        """Subjects (fuels, vehicle classes, products) with rows in ``category`` (cached)."""
        key = ("subjects", category, kind)
        found = self._cache.get(key)
        if found is None:
            found = frozenset(r.subject for r in self.rows.values() if r.category == category and r.kind == kind)
            self._cache[key] = found
        return found  # type: ignore[return-value]

    def heating_profile(self, region: str = "national") -> HeatingProfile:
        for name in (*region_chain(region), "north_china"):
            if name in self.heating_profiles:
                return self.heating_profiles[name]
        if self.heating_profiles:
            return next(iter(self.heating_profiles.values()))
        raise ScenarioError("no heating profile in the factor tables", hint="add factors/heating_profile.csv")

    def with_rows(self, rows: Iterable[FactorRow], sources: dict[str, Source] | None = None) -> FactorTable:
        """A copy with ``rows`` (a scenario's own factor file) replacing or extending this table's.

        Raises
        ------
        ScenarioError
            Listing every row that would be ignored or win in silence (see
            :meth:`check_override`).
        """
        rows = list(rows)
        self.check_override(rows)
        table = FactorTable(self.rows.values(), {**self.sources, **(sources or {})}, self.heating_profiles,
                            self.checksum)
        for row in rows:
            table._add(row)
        return table

    def check_override(self, rows: list[FactorRow]) -> None:
        """Fails rows of an override that no lookup would find, or that would hide another row of it.

        A duplicate id or a second row for the same lookup (one row would
        win), a category the tables do not have, a region no scenario can
        name, and a subject or technology a near miss of a known one
        (``cement_clinkr``) are errors; a subject or technology far from
        every known one is new (a sector of your own) and is kept.

        Raises
        ------
        ScenarioError
            Naming each row by file and line, with a "did you mean".
        """
        collector = ProblemCollector()
        seen: dict[str, FactorRow] = {}
        described: dict[tuple[str, ...], FactorRow] = {}
        known = self._known_names()
        for row in rows:
            key = (row.kind, row.category, row.subject, row.standard, row.technology, row.region, row.quantity)
            other = seen.get(row.id) or described.get(key)
            if other is not None:
                what = "factor id" if other.id == row.id else "row for the same source, pollutant and region as"
                collector.add(ScenarioError(f"duplicate {what} {other.id!r} (line {other.line}): one row would "
                                            "replace the other in silence", field="id", file=row.file, line=row.line))
            seen[row.id], described[key] = row, row
            for problem in _unknown_names(row, known):
                collector.add(problem.located(file=row.file, line=row.line))
        collector.raise_if_any()

    def _known_names(self) -> dict[tuple[str, ...], frozenset[str]]:
        """The names an override row may use: ``("category",)``, ``("region",)``, and per category and kind
        ``("subject", category, kind)`` and ``("technology", category)``."""
        known: dict[tuple[str, ...], set[str]] = {
            ("category",): set(),
            ("region",): {"national", *REGION_PARENTS, *(p for parents in REGION_PARENTS.values() for p in parents)}}
        for r in self.rows.values():
            known[("category",)].add(r.category)
            known[("region",)].add(r.region)
            known.setdefault(("subject", r.category, r.kind), set()).add(r.subject)
            known.setdefault(("technology", r.category), set()).add(r.technology)
        return {key: frozenset(names) for key, names in known.items()}


def _unknown_names(row: FactorRow, known: dict[tuple[str, ...], frozenset[str]]) -> list[ScenarioError]:
    """Problems of one override row's category, subject, technology and region (see
    :meth:`FactorTable.check_override`; ``known`` from :meth:`FactorTable._known_names`)."""
    categories = known[("category",)]
    if row.category not in categories:
        return [ScenarioError(f"unknown category {row.category!r}: no measure would use this row", field="category",
                              hint=did_you_mean(row.category, categories) or f"one of {', '.join(sorted(categories))}")]
    problems = []
    for name, value, names in (("subject", row.subject, known.get(("subject", row.category, row.kind), frozenset())),
                               ("technology", row.technology, known[("technology", row.category)])):
        if value and value not in names and difflib.get_close_matches(value, names, 1, NEAR_MISS):
            problems.append(ScenarioError(f"{name} {value!r} is not one of the {row.category} {name}s but nearly is: "
                                          "no measure would use this row", field=name, hint=did_you_mean(value, names)))
    if row.region not in known[("region",)]:
        problems.append(ScenarioError(f"unknown region {row.region!r}: no scenario would use this row", field="region",
                                      hint=did_you_mean(row.region, known[("region",)])))
    return problems


def _checksum(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_table(directory: str | Path | None = None) -> FactorTable:
    """Load every table in ``directory`` (default: :func:`factors_dir`), cached per folder.

    Raises
    ------
    ScenarioError
        Listing every bad row by file and line.
    """
    return _load_table(str(Path(directory) if directory else factors_dir()))


@lru_cache(maxsize=8)
def _load_table(directory: str) -> FactorTable:
    folder = Path(directory)
    paths = sorted(p for p in folder.glob("*.csv"))
    collector = ProblemCollector()
    rows: list[FactorRow] = []
    sources: dict[str, Source] = {}
    for path in paths:
        if path.name.startswith("sources"):
            sources.update(_read_sources(path))
        elif path.name not in SPECIAL_FILES:
            rows.extend(parse_rows(path, collector))
    seen: dict[str, FactorRow] = {}
    for row in rows:
        if row.id in seen:
            collector.add(ScenarioError(f"duplicate factor id {row.id!r} (also {seen[row.id].file}:"
                                        f"{seen[row.id].line})", file=row.file, line=row.line))
        seen[row.id] = row
    collector.raise_if_any()
    profiles = _read_heating_profiles(folder / "heating_profile.csv")
    return FactorTable(rows, sources, profiles, _checksum(paths))


def load_local_rows(path: Path) -> tuple[list[FactorRow], dict[str, Source]]:
    """Rows of a scenario's own factor file; ``source`` defaults to the file."""
    collector = ProblemCollector()
    rows = parse_rows(path, collector, defaults={"source": f"local:{path.name}", "kind": "emission_factor"})
    collector.raise_if_any()
    rows = [replace(row, file=str(path)) for row in rows]
    return rows, {f"local:{path.name}": Source(f"local:{path.name}", f"scenario factor file {path.name}")}
