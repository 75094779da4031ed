"""What each ``reduccalc`` command does, given its parsed arguments (the parser and ``main`` are in
:mod:`reduccalc.cli`). Heavy modules are imported inside the commands, so ``--help`` stays light."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..errors import ScenarioError


class UsageError(Exception):
    """Wrong command-line arguments (exit 2)."""


def _scenario(args: argparse.Namespace, target: str | None = None, pollutants: list[str] | None = None) -> Any:
    """The scenario ``args.scenario`` names, with ``--allow-outside``, and the targets of the options."""
    from ..load import load_scenario
    from ..model import target_options

    percent, _ = target_options(target, None, field="--target")  # before the scenario loads: a quick error
    scenario = load_scenario(args.scenario, allow_outside=args.allow_outside)
    if percent is not None or pollutants:
        scenario = scenario.with_target(percent, pollutants)
    return scenario


def _machine_output(frame: Any, fmt: str) -> bool:
    """Print ``frame`` as JSON or CSV when ``fmt`` asks for it; True if printed."""
    from ..report.tables import to_json

    if fmt == "json":
        print(to_json(frame))
    elif fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    return fmt in ("json", "csv")


TABLES = ("summary", "air_quality")


def _add_table_option(p: argparse.ArgumentParser, first: str) -> None:
    p.add_argument("--table", choices=TABLES, default="summary",
                   help=f"with --format csv or json, the table to print: summary ({first}; the default, the same "
                        "shape with or without air quality) or air_quality (the µg/m³ and day targets of the "
                        "air_quality blocks)")


def _check_table(args: argparse.Namespace, has_air: bool) -> None:
    """Refuse a ``--table`` that cannot be printed (before anything is written)."""
    if args.table == "summary":
        return
    if args.format not in ("csv", "json"):
        raise UsageError(f"reduccalc {args.command}: --table chooses what --format csv or json prints; "
                         "the terminal table shows every table")
    if not has_air:
        raise ScenarioError("no air_quality block: there is no air-quality table to print", field="--table",
                            file=getattr(args, "scenario", None),
                            hint="add an air_quality block (CONTRACT section 7) or leave out --table")


def _machine_tables(args: argparse.Namespace, first: Any, air: Callable[[], Any] | None) -> bool:
    """Print the table ``--table`` names as ``--format`` asks (CSV, JSON); True if printed.

    The first table stays the default, so a consumer of it gets the same array whether or not the scenario
    has air quality; ``air`` (None without air_quality blocks) builds the air-quality table when asked for.
    """
    _check_table(args, air is not None)
    if args.format not in ("csv", "json"):
        return False
    if air is not None and args.table == "air_quality":
        return _machine_output(air(), args.format)
    if air is not None:
        print("note: the air-quality table (µg/m³ and day targets) is printed with --table air_quality",
              file=sys.stderr)
    return _machine_output(first, args.format)


def _filters(scenario: Any, args: argparse.Namespace) -> tuple[list[str] | None, list[str] | None]:
    """The counties (TOTAL allowed) and pollutants ``--county`` and ``--pollutant`` name, canonical; None: all."""
    from ..vocabulary import pollutant

    counties = None if not args.county else [scenario.county_name(name, total=True) for name in args.county]
    pollutants = None
    if args.pollutant:
        try:
            pollutants = [pollutant(name) for name in args.pollutant]
        except ScenarioError as error:
            raise error.prefixed("--pollutant") from None
    return counties, pollutants


def _check_selection(summary: Any, selection: Any, counties: list[str] | None, pollutants: list[str] | None) -> None:
    """Refuse a --county/--pollutant choice that leaves out a pollutant it names: say which there are."""
    from ..errors import one_of

    for name in pollutants or []:
        if not (selection["pollutant"] == name).any():
            where = "" if counties is None else f" in {', '.join(counties)}"
            there = summary if counties is None else summary[summary["county"].isin(counties)]
            there = dict.fromkeys(there["pollutant"].astype(str))
            raise ScenarioError(f"no {name} baseline{where}: the summary has no row to show",
                                field="--pollutant", hint=f"the pollutants there: {one_of(there, sort=False)}")


def cmd_run(args: argparse.Namespace) -> int:
    from ..report.tables import number_text, selected, text_table
    from ..vocabulary import TOTAL

    scenario = _scenario(args)
    counties, pollutants = _filters(scenario, args)
    result = scenario.run()
    summary = result.summary()
    shown = selected(summary, counties, pollutants)
    _check_selection(summary, shown, counties, pollutants)
    air = result.air_quality if len(result.air_quality_report.table) else None
    _check_table(args, air is not None)  # a bad --table writes nothing
    if args.out is not None or args.plot is not None:
        _write(result, args)
    if not _machine_tables(args, shown, air):
        print(f"{result.scenario.name} ({result.scenario.period.start} to {result.scenario.period.end})"
              + ("" if counties is None and pollutants is None else
                 f"; {' '.join(['only', *(counties or []), *(pollutants or [])])}"))
        print(text_table(shown))
        of_counties = None if counties is None or TOTAL in counties else counties  # TOTAL: every county's
        missing = selected(result.without_baseline(), of_counties, pollutants)
        if len(missing):
            listed = ", ".join(f"{r.county} {r.pollutant} {number_text(r.reduction_t)} t"
                               for r in missing.head(12).itertuples())
            more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
            print(f"\nnot in the summary (no baseline for these pollutants): {listed}{more}")
        reductions = selected(result.reductions, of_counties, pollutants)
        upstream = reductions["upstream_t"]
        if (upstream != 0).any():
            added = reductions[upstream != 0].groupby("pollutant", observed=True)["upstream_t"].sum()
            listed = ", ".join(f"{p} {number_text(-v)} t" for p, v in added.items())
            netted = ("netted from the counties (count_upstream: true)" if result.scenario.count_upstream else
                      "not netted unless count_upstream")
            print(f"\nupstream (power plants, {netted}): added {listed}")
        air = result.air_quality_report
        if len(air.table) and (counties is None or air.table["area"].isin(counties).any()):
            from dataclasses import replace

            from ..report.tables import air_quality_text as text

            print("\n" + text(air if counties is None else replace(air, table=selected(air.table, counties, None,
                                                                                         county="area"))))
    return 0


def _write(result: Any, args: argparse.Namespace) -> None:
    """Write ``--out`` and ``--plot``, all or nothing, and say what was written, removed and changed."""
    from ..report.outputs import write_outputs

    figures = {"lang": _lang(args, result.scenario), "fmt": args.plot_format, "which": args.plot_which}
    for written in write_outputs(result, out=args.out, plot=args.plot, **figures):
        print(f"wrote {_listing(written.names)} to {written.path}", file=sys.stderr)
        if written.removed:
            print(f"removed {_listing(written.removed)} that an earlier run wrote to {written.path} "
                  "and this one did not", file=sys.stderr)
        for note in written.notes:
            print(f"note: results.xlsx: {note}", file=sys.stderr)


def _listing(names: list[str]) -> str:
    """File names for a message: all of them when few, else how many of each kind."""
    if len(names) <= 8:
        return ", ".join(names)
    kinds: dict[str, int] = {}
    for name in names:
        kind = name.rsplit(".", 1)[-1]
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{count} {kind.upper()} files" for kind, count in kinds.items())


def _lang(args: argparse.Namespace, scenario: Any) -> str:
    """``--lang``, else zh where the scenario's names are Chinese (see :func:`reduccalc.report.labels.default_lang`)."""
    from ..report.labels import default_lang

    return str(args.lang) if args.lang else default_lang(scenario)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the one-file HTML report, all or nothing, keeping any file of that name reduccalc did not write."""
    from ..report.html import render
    from ..report.outputs import write_report

    if args.draws is not None and args.draws < 1:
        raise UsageError(f"reduccalc report: --draws must be 1 or more, not {args.draws}")
    result = _scenario(args).run()
    page = render(result, _lang(args, result.scenario), draws=args.draws, seed=args.seed)
    written = write_report(result, args.output, page.encode("utf-8"))
    print(f"wrote {_listing(written.names)} to {written.path}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ..air_quality import verdict_lines
    from ..report.tables import records, verdict

    scenario = _scenario(args, args.target, args.pollutant)
    result = scenario.run()
    air = result.air_quality_report
    air_met = [bool(m) for m in air.table["met"].dropna()]
    if result.met is None and not air_met:
        raise ScenarioError("no target to check", file=args.scenario,
                            hint="add targets (or an air_quality target) to the scenario or pass --target 5%")
    met = result.met is not False and all(air_met)
    if args.format == "json":
        import json

        summary = result.summary()
        print(json.dumps({"met": met, "targets": records(summary[summary["target_pct"].notna()]),
                          "air_quality": records(air.table[air.table["met"].notna()]),
                          "air_quality_inverse": records(air.inverse),  # the tonnes that close each shortfall
                          "air_quality_notes": air.notes}, ensure_ascii=False, indent=2))
    else:
        if result.met is not None:
            print(verdict(result))
        if air_met:
            short = air_met.count(False)
            print(f"air quality: {'all ' + str(len(air_met)) + ' targets met' if not short else f'{short} of {len(air_met)} targets NOT met'}")
            print("\n".join([*verdict_lines(air), *[f"note: {n}" for n in air.notes]]))
    return 0 if met else 1


def cmd_explain(args: argparse.Namespace) -> int:
    from ..report.tables import explain_lines

    scenario = _scenario(args)
    if args.county is not None:
        args.county = scenario.county_name(args.county)  # a clear error for an unknown county
    result = scenario.run()
    if args.measure is not None:
        _check_measure_id(result.ledger, args.measure, args.county)
    if args.summary:
        from ..report.tables import explain_summary

        print(explain_summary(result, args.county, args.measure))
    else:
        print(explain_lines(result, args.county, args.measure))
    if args.sensitivity:
        from ..analysis.uncertainty import sensitivity
        from ..report.tables import text_table

        print("\nsensitivity (share of variance of each county's reduction, by factor):")
        print(text_table(sensitivity(scenario, draws=args.draws, seed=args.seed, county=args.county),
                         decimals=3))
    return 0


def _check_measure_id(ledger: Any, measure: str, county: str | None) -> None:
    """A clear error, with the ids there are, for a measure id the ledger (of ``county``) does not hold."""
    from ..errors import did_you_mean, one_of

    rows = ledger if county is None else ledger[ledger["county"] == county]
    ids = rows["measure"].astype(str).unique().tolist()
    if measure not in ids:
        where = f" in county {county!r}" if county is not None else ""
        choices = f"the measures: {one_of(ids)}" if ids else "there are no measures"
        raise ScenarioError(f"no measure {measure!r}{where}", field="--measure",
                            hint=" ".join(filter(None, (did_you_mean(measure, ids), choices))))


def cmd_validate(args: argparse.Namespace) -> int:
    """Everything ``run`` checks (candidates, over-removal, overflow), without writing or printing results."""
    scenario = _scenario(args)
    result = scenario.run()
    result.summary()
    print(f"{args.scenario}: valid ({len(scenario.counties)} counties, {scenario.measure_count()} measures, "
          f"{result.ledger_rows} ledger rows)")
    return 0


GRADES = {
    "direct": "official document read (the cited document itself: citable in a 评估报告 as given)",
    "second-hand": "second-hand transcription (read in a copy or citing text: check the original before citing)",
}


def evidence_grade(judged: bool, read: str) -> str:
    """How far a factor row can be cited: judged, a second-hand transcription, or the document itself read."""
    grade = GRADES.get(read, "unknown (the source does not say how it was read)")
    if judged:
        return f"judged (derived or chosen, see note) from a source graded {grade.split(' (')[0]}"
    return grade


def cmd_factors(args: argparse.Namespace) -> int:
    from ..factors import load_table
    from ..report.tables import text_table

    table = load_table()
    if args.action == "show":
        if not args.id:
            raise UsageError("reduccalc factors show: give a factor id (see `reduccalc factors list`)")
        row = table[args.id]
        source = table.sources.get(row.source)
        fields = {
            "id": row.id, "kind": row.kind, "category": row.category, "subject": row.subject,
            "standard": row.standard, "technology": row.technology, "region": row.region,
            "quantity": row.quantity, "value": f"{row.value:g} {row.unit}",
            "range": "" if row.low is None else f"{row.low:g} to {row.high:g} {row.unit} ({row.distribution})",
            "scales with": row.scales_with, "control assumed": row.control,
            "source": source.citation if source else row.source, "url": source.url if source else "",
            "read": source.read if source else "", "reference": row.reference, "year": row.year,
            "judged": "yes" if row.judged else "no", "evidence": evidence_grade(row.judged, source.read if source else ""),
            "note": row.note, "file": f"factors/{row.file}:{row.line}",
        }
        width = max(len(k) for k in fields)
        for key, value in fields.items():
            if value:
                print(f"{key:<{width}}  {value}")
        return 0
    import pandas as pd

    categories = sorted({r.category for r in table.rows.values()})
    if args.category is not None and args.category not in categories:
        from ..errors import did_you_mean, one_of

        raise ScenarioError(f"no factor category {args.category!r}", field="--category", hint=" ".join(filter(
            None, (did_you_mean(args.category, categories), f"the categories: {one_of(categories)}"))))
    rows = [r for r in table.rows.values() if args.category in (None, r.category)]
    frame = pd.DataFrame([{
        "id": r.id, "what": " ".join(x for x in (r.subject, r.standard, r.technology) if x),
        "region": r.region, "quantity": r.quantity, "value": f"{r.value:g}", "unit": r.unit,
        "range": "" if r.low is None else f"{r.low:g}-{r.high:g}", "source": r.source,
    } for r in rows])
    print(text_table(frame) if len(frame) else "(no factors)")
    print(f"\n{len(frame)} rows; `reduccalc factors show ID` prints one with its full citation")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """Every key of a measure type (named in English or Chinese): kind and unit, default, Chinese names, help."""
    import json

    from ..measures import MEASURE_TYPES, key_rows, type_named

    try:
        measure_type = MEASURE_TYPES[type_named(args.type, chinese=True)]
    except ScenarioError as error:
        raise error.prefixed("TYPE") from None
    rows = key_rows(measure_type.name)
    if args.format == "json":
        print(json.dumps({"type": measure_type.name, "zh": list(measure_type.zh), "summary": measure_type.summary,
                          "keys": rows}, ensure_ascii=False, indent=2))
        return 0
    import pandas as pd

    from ..report.tables import text_table

    print(f"{measure_type.name} ({', '.join(measure_type.zh)}): {measure_type.summary}\n")
    print(text_table(pd.DataFrame(rows).rename(columns={"zh": "中文"})))
    print("\ndefault: blank = not given (a table default, or none); scalable: a candidate's `scale` may name it")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """The JSON Schema of a scenario file, for editors (yaml-language-server)."""
    import json

    from ..load import scenario_schema

    print(json.dumps(scenario_schema(), ensure_ascii=False, indent=2))
    return 0


def _engine_options(args: argparse.Namespace) -> dict[str, Any]:
    """``engine`` and ``scheduler`` keywords from ``--engine`` and ``--scheduler``."""
    if args.scheduler and args.engine != "dask":
        raise UsageError(f"reduccalc {args.command}: --scheduler needs --engine dask")
    return {"engine": args.engine, "scheduler": args.scheduler}


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    from ..analysis.engines import ENGINES

    p.add_argument("--engine", choices=ENGINES, default="numpy",
                   help="numpy: in this process (default); dask: on a dask.distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask scheduler address, with --engine dask (default: a new local cluster)")


def cmd_uncertainty(args: argparse.Namespace) -> int:
    from ..analysis.air_quality_uncertainty import simulate
    from ..report.tables import text_table, with_deterministic

    options = _engine_options(args)
    scenario = _scenario(args)
    has_air = bool(scenario.air_quality or any(c.air_quality for c in scenario.counties))
    air = (lambda: simulate(scenario, draws=args.draws, seed=args.seed)) if has_air else None
    if args.table == "air_quality" and args.format in ("csv", "json"):  # the emission draws are not needed
        _machine_tables(args, None, air)
        return 0
    table = scenario.simulate(draws=args.draws, seed=args.seed, **options)
    if not _machine_tables(args, table, air):  # CSV and JSON: the table of Scenario.simulate, as it is
        result = scenario.run()
        print(f"{scenario.name}: {args.draws} draws, seed {args.seed}; reduction_t and reduction_pct at the "
              "tables' factors, beside the percentiles of the draws")
        print(text_table(with_deterministic(table, result), decimals=2))
        if air is not None:
            print("\nair quality (µg/m³; projected_ugm3 at the tables' factors; P(met) of concentration and day "
                  "targets):")
            print(text_table(with_deterministic(air(), result), decimals=2))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    from ..analysis.ensemble import ensemble_verdicts, run_ensemble_tables
    from ..model import target_options
    from ..report.tables import text_table

    options = _engine_options(args)
    percent, _ = target_options(args.target, None, field="--target")
    table, air = run_ensemble_tables(args.scenarios, target=percent, pollutants=args.pollutant,
                                     allow_outside=args.allow_outside, **options)
    if not _machine_tables(args, table, (lambda: air) if len(air) else None):
        where = "on a dask cluster" if args.engine == "dask" else "in this process"
        print(f"{len(args.scenarios)} variant{'s' if len(args.scenarios) != 1 else ''}, run {where}")
        print(text_table(table))
        verdicts = ensemble_verdicts(table, air if len(air) else None)
        print("\nper variant (worst shortfall, TOTAL included; air-quality targets counted too):" if len(air) else
              "\nper variant (worst shortfall, TOTAL included):")
        print(text_table(verdicts))
        if len(air):
            print("\nair quality (µg/m³):")
            print(text_table(air, decimals=2))
    return 0


def cmd_optimize(args: argparse.Namespace) -> int:
    import json

    from ..report.tables import records, text_table

    plan = _scenario(args).optimize()
    if args.format == "json":
        print(json.dumps({"feasible": plan.feasible, "cost": plan.cost if plan.feasible else None,
                          "plan": records(plan.table)}, ensure_ascii=False, indent=2))
    else:
        print(plan.report())
        if plan.feasible and len(plan.table):
            print(text_table(plan.table, decimals=1))
    return 0 if plan.feasible else 1


def cmd_init(args: argparse.Namespace) -> int:
    from ..report.template import starting_plan

    sys.stdout.write(starting_plan(getattr(args, "from")))
    return 0
