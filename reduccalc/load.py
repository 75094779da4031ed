"""Scenario files: loading and checking them into a :class:`~reduccalc.model.Scenario`.

``load_scenario`` reads a YAML file (or a dict), checks every key of every
county and measure, collecting all problems with their ``file:line:column``
and field path, and returns a :class:`~reduccalc.model.Scenario`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .calendar import Period, check_in_service, check_window
from .errors import ProblemCollector, ScenarioError
from .factors import FactorTable, load_local_rows, load_table
from .fields import (
    BASELINE,
    MISSING,
    TARGETS,
    AnyKind,
    BoolKind,
    Key,
    PeriodKind,
    PollutantMapKind,
    RegionKind,
    TextKind,
    check_mapping,
    check_printable,
    keys_schema,
)
from .inputfiles import PlanFolder, shown
from .inputs.air_quality import AirQualityKind
from .inputs.baselines import attach_baselines
from .inputs.candidates import CANDIDATE_KEYS, check_candidates
from .inputs.registers import attach_registers
from .inputs.yamlio import load_yaml, not_a_scenario
from .measures import MEASURE_TYPES, default_id, type_named
from .model import County, Measure, RegisterRows, Scenario, check_targets, file_checksum, name_key
from .perf import paused_gc
from .positions import key_position, position
from .vocabulary import TOTAL

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


def measure_schema(type: str) -> dict[str, Any]:
    """The JSON Schema of one measure of ``type``: ``type: <name>`` and the type's keys."""
    measure_type = MEASURE_TYPES[type]
    schema = keys_schema({"type": Key(TextKind(), MISSING, "the measure type"), **measure_type.keys},
                         f"{type}: {measure_type.summary}")
    schema["properties"]["type"] = {"const": type, "description": measure_type.summary}
    return schema


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (``reduccalc schema``), for editors: every key of the scenario and its
    counties, their measures (one branch per registered type, told apart by ``type``) and candidates.

    It is wider than the checks where a check needs more than the file (units' dimensions, factor-table
    names, dates in the period): loading stays the judge, with positions and "did you mean".
    """
    measure = {"oneOf": [measure_schema(type) for type in MEASURE_TYPES], "description": "a measure"}
    candidate = keys_schema(CANDIDATE_KEYS, "a candidate measure the optimiser may scale", {"measure": {
        "type": "object", "required": ["type"], "properties": {"type": {"enum": list(MEASURE_TYPES)}},
        "description": "the measure, without its scale key"}})
    county = keys_schema(COUNTY_KEYS, "a county", {"measures": {"type": "array", "items": measure},
                                                   "candidates": {"type": "array", "items": candidate}})
    schema = keys_schema(SCENARIO_KEYS, "a reduccalc scenario (CONTRACT.md): counties, baselines, targets and "
                                        "measures", {"counties": {"type": "object", "additionalProperties": county},
                                                     "factors": {"type": "array", "items": {"type": "string"}}})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "reduccalc scenario", **schema}


def _check_measure(item: Any, path: str, file: str | None, county: str, counter: dict[str, int],
                   seen: dict[str, str], collector: ProblemCollector, line: int | None,
                   column: int | None, index: tuple[Any, int] | None = None) -> Measure | None:
    if not isinstance(item, Mapping):
        collector.add(ScenarioError(f"expected a measure (a mapping with a type), got {item!r}", file=file,
                                    line=line, column=column, field=path))
        return None
    try:
        kind = type_named(item.get("type"))
    except ScenarioError as error:
        tline, tcol = position(item, "type") if "type" in item else (line, column)
        collector.add(error.prefixed(f"{path}.type").located(file=file, line=tline, column=tcol))
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
    measure_id = values["id"] or default_id(kind, counter[kind])
    if name_key(measure_id) in seen:
        iline, icol = position(item, "id") if "id" in item else (line, column)
        collector.add(ScenarioError(f"duplicate measure id {measure_id!r} in county {county!r} (first at "
                                    f"{seen[name_key(measure_id)]})", file=file, line=iline, column=icol,
                                    field=f"{path}.id", hint="ids must be unique within a county, whatever their "
                                    "case or character width"))
        return None
    seen[name_key(measure_id)] = path
    return Measure(kind, measure_id, values, file, line, column, path, index=index)


def _check_dates(measure: Measure, period: Period, collector: ProblemCollector, item: Any) -> None:
    for key, check in (("in_service", lambda: check_in_service(measure.values, period, measure.path)),
                       ("window", lambda: check_window(measure.values.get("window"), period, measure.path))):
        try:
            check()
        except ScenarioError as error:
            line, column = position(item, key)
            collector.add(error.located(file=measure.file, line=line, column=column))


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
            collector.add(problem.located(file=file_line[0], line=file_line[1], field=f"counties.{shown(str(name))}"))
        elif file_line[1] is not None:
            first[name_key(str(name))] += f" (line {file_line[1]}{'' if file_line[0] == file else f' of {file_line[0]}'})"


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
        attach_baselines(data, counties, folder, file, collector)
    _check_county_names(counties, written, file, collector)
    registers: list[RegisterRows] = []
    if top.get("measures_file") or any(raw and raw.get("measures_file") for raw in raw_counties.values()
                                   if isinstance(raw, Mapping)):
        registers = attach_registers(data, counties, top.get("period"), folder, file, collector, table)
    collector.raise_if_any()
    scenario = Scenario(top["name"], top["period"], counties, table, top["targets"], top["region"],
                        top["count_upstream"], file, base_dir, checksum, top["description"], registers,
                        top.get("air_quality", {}))
    check_targets(scenario, data)
    if any(county.candidates for county in counties):
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

