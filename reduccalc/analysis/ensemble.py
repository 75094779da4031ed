"""Scenario ensembles: many variants of a plan, every variant's summary in one table.

A planning office compares variants: other plans, other files, other targets.
:func:`run_ensemble` loads, runs and summarises each variant and stacks the
summaries, a ``variant`` column first; :func:`ensemble_verdicts` boils that
down to one line per variant (met, how many targets short, worst shortfall).

    >>> from reduccalc.ensemble import run_ensemble
    >>> table = run_ensemble(["scenarios/tutorial.yaml", "scenarios/xinfu_2021.yaml"], target="5%")  # doctest: +SKIP
    >>> ensemble_verdicts(table)  # doctest: +SKIP

Engines
-------
``engine="numpy"`` runs the variants in this process, one after the other.
``engine="dask"`` runs one task per variant on a dask.distributed cluster
(``scheduler``: an address, a cluster or a Client; default a new
``LocalCluster``; ``pip install 'reduccalc[dask]'``). A variant given as a
path is read by the worker, so the client never parses the file; paths are
made absolute first, so a remote cluster needs them at the same place (a
shared file system). A :class:`~reduccalc.model.Scenario` is sent to the
cluster once however often it is listed. Only the summaries come back. Both
engines give the same table, bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import pandas as pd

from ..errors import ProblemCollector, ScenarioError
from ..load import load_scenario
from ..model import Scenario, target_options
from ..progress import progress
from ..result import SUMMARY_COLUMNS
from .engines import check_engine, dask_client

Variant = Union[str, "os.PathLike[str]", Scenario]
"""A scenario file path or a loaded :class:`~reduccalc.model.Scenario`."""

VERDICT_COLUMNS = ["variant", "met", "targets", "short", "worst_shortfall_t", "county", "pollutant"]
AIR_VERDICT_COLUMNS = ["worst_shortfall_ugm3", "area"]  # added by ensemble_verdicts(..., air)


@dataclass(frozen=True)
class _Task:
    """One variant as the client prepares it."""

    name: str  # unique within the ensemble
    source: Any  # absolute path (str) or Scenario
    file: str | None  # the file as the user gave it (or the Scenario's own file), for messages


@dataclass(frozen=True)
class Outcome:
    """What one variant's task sends back: its summary, or the error."""

    summary: pd.DataFrame | None = None
    error: ScenarioError | None = None
    air_quality: pd.DataFrame | None = None  # the variant's Result.air_quality() (empty without blocks)


def summarise_variant(source: str | Scenario, target: float | str | None = None,
                      pollutants: list[str] | None = None, allow_outside: bool = False) -> Outcome:
    """Load (a path), set the target, run and summarise one variant; the task of each engine.

    Bad input comes back as :attr:`Outcome.error` rather than being raised,
    so that every variant's problems can be reported together; any other
    exception (a bug) propagates.

    Parameters
    ----------
    source : str or Scenario
        Path of a scenario file (loaded here, on the worker) or a scenario.
    target : float or str, optional
        Passed to :meth:`Scenario.with_target` with ``pollutants``. [%]
    pollutants : list of str, optional
        Passed to :meth:`Scenario.with_target`.
    allow_outside : bool
        Passed to :func:`~reduccalc.load.load_scenario` for a path.
    """
    try:
        scenario = load_scenario(source, allow_outside=allow_outside) if isinstance(source, str) else source
        if target is not None or pollutants:
            scenario = scenario.with_target(target, pollutants)
        result = scenario.run()
        return Outcome(summary=result.summary(), air_quality=result.air_quality())
    except ScenarioError as error:
        return Outcome(error=error)


def run_ensemble(variants: Sequence[Variant] | Mapping[Any, Variant], *, engine: str = "numpy",
                 scheduler: Any = None, target: float | str | None = None,
                 pollutants: Sequence[str] | None = None, allow_outside: bool = False) -> pd.DataFrame:
    """Run every variant and stack their summaries.

    Parameters
    ----------
    variants : sequence or mapping
        Scenario file paths and/or :class:`~reduccalc.model.Scenario`
        objects; or a mapping of variant name to path or Scenario.
    engine : {"numpy", "dask"}
        ``"numpy"``: in this process, one variant after the other;
        ``"dask"``: one task per variant on a dask.distributed cluster (see
        the module docstring). Same table either way.
    scheduler : str, distributed.LocalCluster or distributed.Client, optional
        The dask scheduler (engine ``"dask"`` only); default a new LocalCluster.
    target : float or str, optional
        One target for every county and TOTAL of every variant, replacing
        the files' targets: ``"5%"`` or 5.0. [% of baseline]
    pollutants : sequence of str, optional
        The pollutants ``target`` applies to (default: every pollutant with a
        baseline); without ``target``, the files' targets limited to these.
        As :meth:`Scenario.with_target`.
    allow_outside : bool
        Let variant files read files outside their folders
        (:func:`~reduccalc.load.load_scenario`).

    Returns
    -------
    DataFrame
        ``variant`` then the summary's columns (county, pollutant,
        baseline_t [t], reduction_t [t], reduction_pct [%], target_pct [%],
        met, shortfall_t [t]): each variant's ``run().summary()`` rows, TOTAL
        rows included, variants in input order, index 0..n-1.

        Variant names: the mapping's key (as a string); otherwise the path
        as given, or the Scenario's ``name``. A name that occurs again is
        made unique by appending `` (2)``, `` (3)`` ... in input order,
        skipping names already in use (the first occurrence keeps its name):
        ``["a.yaml", "a.yaml"]`` gives ``a.yaml`` and ``a.yaml (2)``.

    Raises
    ------
    ScenarioError
        For a bad engine, variant or option. Every variant is tried and all
        their problems are raised together, each located in the variant's
        file (the path as given, or the Scenario's file) and, where the
        variant's name is not that file, with ``variants[NAME]`` in front of
        its field. A bad ``target`` or ``pollutants`` is raised before any
        variant runs.
    """
    return run_ensemble_tables(variants, engine=engine, scheduler=scheduler, target=target,
                               pollutants=pollutants, allow_outside=allow_outside)[0]


def run_ensemble_tables(variants: Sequence[Variant] | Mapping[Any, Variant], *, engine: str = "numpy",
                        scheduler: Any = None, target: float | str | None = None,
                        pollutants: Sequence[str] | None = None,
                        allow_outside: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`run_ensemble`'s table, and the variants' air-quality tables stacked the same way.

    The second table is ``variant`` then :meth:`Result.air_quality
    <reduccalc.result.Result.air_quality>`'s columns, one block per variant
    with an ``air_quality`` block, in input order (empty when none has one).
    Parameters and errors as :func:`run_ensemble`.
    """
    check_engine(engine)
    percent, chosen = target_options(target, pollutants)
    tasks = _tasks(variants)
    if engine == "dask":
        outcomes = _run_dask(tasks, percent, chosen, scheduler, allow_outside)
    else:
        outcomes = []
        with progress("running variants", total=len(tasks)) as step:
            for task in tasks:
                outcomes.append(summarise_variant(task.source, percent, chosen, allow_outside))
                step()
    return _combine(tasks, outcomes)


def ensemble_verdicts(ensemble: pd.DataFrame, air: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per variant of a :func:`run_ensemble` table: met, and the worst shortfall.

    Parameters
    ----------
    ensemble : DataFrame
        The table :func:`run_ensemble` returns.
    air : DataFrame, optional
        The air-quality table :func:`run_ensemble_tables` returns beside it:
        its concentration and day targets count too, so a variant whose
        µg/m³ target falls short is not met.

    Returns
    -------
    DataFrame
        variant; met (True when every target of the variant holds, False when
        any falls short, None without targets: as ``Result.met``); targets
        (number of county and TOTAL targets, and with ``air`` its targets);
        short (number falling short); worst_shortfall_t [t], county,
        pollutant: the largest shortfall in tonnes (TOTAL included) and where
        it is (0.0 and None when none is short). With ``air`` also
        worst_shortfall_ugm3 [µg/m³] and area (area and ambient pollutant,
        e.g. ``TOTAL PM2.5``): the largest air-quality shortfall (inf when a
        day target is out of reach; 0.0 and None when none is short).
    """
    rows = []
    for name, group in ensemble.groupby("variant", sort=False):
        with_target = group[group["target_pct"].notna()]
        short = with_target[with_target["met"] == False]  # noqa: E712 (met is an object column of bools)
        worst = short.loc[short["shortfall_t"].idxmax()] if len(short) else None
        targets, shorts = len(with_target), len(short)
        row: dict[str, Any] = {
            "worst_shortfall_t": 0.0 if worst is None else float(worst["shortfall_t"]),
            "county": None if worst is None else worst["county"],
            "pollutant": None if worst is None else worst["pollutant"],
        }
        if air is not None:
            judged = air[(air["variant"] == name) & air["met"].notna()]
            short_air = judged[judged["met"] == False]  # noqa: E712 (a nullable boolean column)
            worst_air = short_air.loc[short_air["shortfall_ugm3"].idxmax()] if len(short_air) else None
            targets, shorts = targets + len(judged), shorts + len(short_air)
            row["worst_shortfall_ugm3"] = 0.0 if worst_air is None else float(worst_air["shortfall_ugm3"])
            row["area"] = None if worst_air is None else f"{worst_air['area']} {worst_air['pollutant']}"
        rows.append({"variant": name, "met": None if targets == 0 else shorts == 0, "targets": targets,
                     "short": shorts, **row})
    columns = VERDICT_COLUMNS + (AIR_VERDICT_COLUMNS if air is not None else [])
    frame = pd.DataFrame(rows, columns=columns)
    frame["met"] = frame["met"].astype(object)
    kinds = {"targets": int, "short": int, "worst_shortfall_t": float}
    return frame.astype({**kinds, "worst_shortfall_ugm3": float} if air is not None else kinds)


def _tasks(variants: Any) -> list[_Task]:
    """Name every variant and check it is a path or a Scenario."""
    if isinstance(variants, (str, os.PathLike, Scenario)):
        raise ScenarioError(f"expected a list of variants, got one {type(variants).__name__}", field="variants",
                            hint="put it in a list: run_ensemble([...])")
    items: list[tuple[str | None, Any, str]]
    if isinstance(variants, Mapping):
        items = [(str(key), value, f"variants[{key}]") for key, value in variants.items()]
    elif hasattr(variants, "__iter__"):
        items = [(None, value, f"variants[{index}]") for index, value in enumerate(variants)]
    else:
        raise ScenarioError(f"expected a list or mapping of variants, got {type(variants).__name__}",
                            field="variants")
    collector = ProblemCollector()
    found: list[tuple[str, Any, str | None]] = []
    for key, value, where in items:
        if isinstance(value, Scenario):
            found.append((key if key is not None else str(value.name), value, value.file))
        elif isinstance(value, (str, os.PathLike)):
            given = os.fspath(value)
            found.append((key if key is not None else given, os.path.abspath(given), given))
        else:
            collector.add(ScenarioError(f"expected a scenario file path or a Scenario, got {type(value).__name__}",
                                        field=where))
    collector.raise_if_any()
    names = unique_names([name for name, _, _ in found])
    return [_Task(name, source, file) for name, (_, source, file) in zip(names, found)]


def unique_names(names: Sequence[str]) -> list[str]:
    """``names`` with repeats made unique: ``a, a, a`` gives ``a, a (2), a (3)``.

    The first occurrence keeps its name; a later one gets the smallest
    `` (k)``, k >= 2, that is neither a name in ``names`` nor given already.

    >>> unique_names(["a", "b", "a", "a (2)", "a"])
    ['a', 'b', 'a (3)', 'a (2)', 'a (4)']
    """
    reserved = set(names)
    used: set[str] = set()
    unique = []
    for name in names:
        chosen = name
        if name in used:
            k = 2
            while f"{name} ({k})" in reserved or f"{name} ({k})" in used:
                k += 1
            chosen = f"{name} ({k})"
        used.add(chosen)
        unique.append(chosen)
    return unique


def _run_dask(tasks: list[_Task], target: float | str | None, pollutants: list[str] | None,
              scheduler: Any, allow_outside: bool = False) -> list[Outcome]:
    if not tasks:
        return []
    with dask_client(scheduler) as client:
        scenarios = {id(task.source): task.source for task in tasks if isinstance(task.source, Scenario)}
        scattered = dict(zip(scenarios, client.scatter(list(scenarios.values()), hash=False))) if scenarios else {}
        sources = [scattered.get(id(task.source), task.source) for task in tasks]
        futures = client.map(summarise_variant, sources, target=target, pollutants=pollutants,
                             allow_outside=allow_outside, pure=False)
        return list(client.gather(futures))


def _combine(tasks: list[_Task], outcomes: list[Outcome]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack the summaries and the air-quality tables, or raise every variant's problems together."""
    collector = ProblemCollector()
    frames, air = [], []
    for task, outcome in zip(tasks, outcomes):
        if outcome.error is not None:
            error = outcome.error
            if isinstance(task.source, str):  # loaded by absolute path: name the file as given
                for problem in error.problems:
                    if problem.file == task.source:
                        problem.file = task.file
            error = error.located(file=task.file)
            if task.name != task.file:
                error = error.prefixed(f"variants[{task.name}]")
            collector.add(error)
        else:
            assert outcome.summary is not None
            frame = outcome.summary
            frame.insert(0, "variant", task.name)
            frames.append(frame)
            if outcome.air_quality is not None and len(outcome.air_quality):
                air.append(outcome.air_quality.assign(variant=task.name))
    collector.raise_if_any()
    if not frames:
        table = pd.DataFrame({column: pd.Series(dtype=object if column in ("variant", "county", "pollutant", "met")
                                                else float) for column in ["variant", *SUMMARY_COLUMNS]})
    else:
        table = pd.concat([frame for frame in frames if len(frame)] or frames, ignore_index=True)
    stacked = pd.concat(air, ignore_index=True) if air else pd.DataFrame(columns=["variant"])
    return table, stacked[["variant", *[c for c in stacked.columns if c != "variant"]]]


__all__ = ["AIR_VERDICT_COLUMNS", "VERDICT_COLUMNS", "ensemble_verdicts", "run_ensemble", "run_ensemble_tables",
           "summarise_variant", "unique_names"]
