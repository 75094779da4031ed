"""The ``reduccalc`` command line.

Exit codes: 0 success (for ``check``: every target met; ``optimize``:
feasible), 1 a target falls short (``optimize``: infeasible), 2 bad input or
nothing to check. Bad input prints one clear message on stderr, never a
traceback (``--debug`` shows one).
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from .errors import ScenarioError

EXAMPLES = {
    "run": "reduccalc run scenarios/tutorial.yaml --format json\n  reduccalc run plan.yaml --out results/",
    "check": "reduccalc check plan.yaml --target 5%\n  reduccalc check plan.yaml --pollutant NOx --pollutant SO2",
    "explain": "reduccalc explain plan.yaml --county 忻府区",
    "validate": "reduccalc validate plan.yaml",
    "factors": "reduccalc factors list --category vehicle\n  reduccalc factors show boiler.bituminous_coal.le10.NOx",
    "uncertainty": "reduccalc uncertainty plan.yaml --draws 2000 --seed 1",
    "optimize": "reduccalc optimize plan.yaml --format json",
    "report": "reduccalc report scenarios/changzhi_2024.yaml -o report.html\n"
              "  reduccalc report plan.yaml -o report.html --lang en --draws 1000",
    "ensemble": "reduccalc ensemble scenarios/tutorial.yaml scenarios/xinfu_2021.yaml --target 5%\n"
                "  reduccalc ensemble variants/*.yaml --engine dask --scheduler tcp://10.0.0.5:8786 --format csv",
}


class UsageError(Exception):
    """Wrong command-line arguments (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would print usage and exit 2 itself
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().strip()}")


def _scenario(args: argparse.Namespace, target: str | None = None, pollutants: list[str] | None = None) -> Any:
    """The scenario ``args.scenario`` names, with ``--allow-outside``, and the targets of the options."""
    from .load import load_scenario
    from .model import target_options

    percent, _ = target_options(target, None, field="--target")  # before the scenario loads: a quick error
    scenario = load_scenario(args.scenario, allow_outside=args.allow_outside)
    if percent is not None or pollutants:
        scenario = scenario.with_target(percent, pollutants)
    return scenario


_VALUE_OPTIONS = ("--target",)  # options whose value may start with '-' ('--target -5%')
_SIGNED = re.compile(r"-[0-9.]")


def _joined(argv: Sequence[str]) -> list[str]:
    """``--target -5%`` as ``--target=-5%``: argparse would take a value starting with '-' for an option."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] in _VALUE_OPTIONS and _SIGNED.match(arg):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def _machine_output(frame: Any, fmt: str) -> bool:
    """Print ``frame`` as JSON or CSV when ``fmt`` asks for it; True if printed."""
    from .report.tables import to_json

    if fmt == "json":
        print(to_json(frame))
    elif fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    return fmt in ("json", "csv")


def cmd_run(args: argparse.Namespace) -> int:
    from .report.tables import summary_table

    result = _scenario(args).run()
    summary = result.summary()
    if args.out is not None or args.plot is not None:
        _write(result, args)
    if not _machine_output(summary, args.format):
        print(f"{result.scenario.name} ({result.scenario.period.start} to {result.scenario.period.end})")
        print(summary_table(result))
        missing = result.without_baseline()
        if len(missing):
            shown = ", ".join(f"{r.county} {r.pollutant} {r.reduction_t:,.1f} t" for r in missing.head(12).itertuples())
            more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
            print(f"\nnot in the summary (no baseline for these pollutants): {shown}{more}")
        upstream = result.reductions["upstream_t"]
        if (upstream != 0).any():
            added = result.reductions[upstream != 0].groupby("pollutant", observed=True)["upstream_t"].sum()
            shown = ", ".join(f"{p} {-v:,.1f} t" for p, v in added.items())
            netted = ("netted from the counties (count_upstream: true)" if result.scenario.count_upstream else
                      "not netted unless count_upstream")
            print(f"\nupstream (power plants, {netted}): added {shown}")
        if len(result.air_quality_report.table):
            from .report.tables import air_quality_text as text

            print("\n" + text(result.air_quality_report))
    return 0


def _write(result: Any, args: argparse.Namespace) -> None:
    """Write ``--out`` and ``--plot``, all or nothing, and say what was written, removed and changed."""
    from .report.outputs import write_outputs

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
    from .report.labels import default_lang

    return str(args.lang) if args.lang else default_lang(scenario)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the one-file HTML report, all or nothing, keeping any file of that name reduccalc did not write."""
    from .report.html import render
    from .report.outputs import write_report

    if args.draws is not None and args.draws < 1:
        raise UsageError(f"reduccalc report: --draws must be 1 or more, not {args.draws}")
    result = _scenario(args).run()
    page = render(result, _lang(args, result.scenario), draws=args.draws, seed=args.seed)
    written = write_report(result, args.output, page.encode("utf-8"))
    print(f"wrote {_listing(written.names)} to {written.path}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .air_quality import verdict_lines
    from .report.tables import records, verdict

    scenario = _scenario(args, args.target, args.pollutant)
    result = scenario.run()
    air = result.air_quality_report
    air_met = [bool(m) for m in air.table["met"] if m is not None]
    if result.met is None and not air_met:
        raise ScenarioError("no target to check", file=args.scenario,
                            hint="add targets (or an air_quality target) to the scenario or pass --target 5%")
    met = result.met is not False and all(air_met)
    if args.format == "json":
        import json

        summary = result.summary()
        print(json.dumps({"met": met, "targets": records(summary[summary["target_pct"].notna()]),
                          "air_quality": records(air.table[air.table["met"].notna()]),
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
    from .report.tables import explain_lines

    scenario = _scenario(args)
    if args.county is not None:
        scenario.county(args.county)  # a clear error for an unknown county
    result = scenario.run()
    if args.measure is not None:
        _check_measure_id(result.ledger, args.measure, args.county)
    print(explain_lines(result, args.county, args.measure))
    if args.sensitivity:
        from .analysis.uncertainty import sensitivity
        from .report.tables import text_table

        print("\nsensitivity (share of variance of each county's reduction, by factor):")
        print(text_table(sensitivity(scenario, draws=args.draws, seed=args.seed, county=args.county),
                         floats="{:.3f}"))
    return 0


def _check_measure_id(ledger: Any, measure: str, county: str | None) -> None:
    """A clear error, with the ids there are, for a measure id the ledger (of ``county``) does not hold."""
    from .errors import did_you_mean, one_of

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
    from .factors import load_table
    from .report.tables import text_table

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
        from .errors import did_you_mean, one_of

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


def _engine_options(args: argparse.Namespace) -> dict[str, Any]:
    """``engine`` and ``scheduler`` keywords from ``--engine`` and ``--scheduler``."""
    if args.scheduler and args.engine != "dask":
        raise UsageError(f"reduccalc {args.command}: --scheduler needs --engine dask")
    return {"engine": args.engine, "scheduler": args.scheduler}


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    from .analysis.engines import ENGINES

    p.add_argument("--engine", choices=ENGINES, default="numpy",
                   help="numpy: in this process (default); dask: on a dask.distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask scheduler address, with --engine dask (default: a new local cluster)")


def cmd_uncertainty(args: argparse.Namespace) -> int:
    from .report.tables import text_table

    options = _engine_options(args)
    scenario = _scenario(args)
    table = scenario.simulate(draws=args.draws, seed=args.seed, **options)
    if not _machine_output(table, args.format):
        print(f"{scenario.name}: {args.draws} draws, seed {args.seed}")
        print(text_table(table, floats="{:,.2f}"))
        if scenario.air_quality or any(c.air_quality for c in scenario.counties):
            from .analysis.air_quality_uncertainty import simulate

            print("\nair quality (µg/m³; P(met) of concentration and day targets):")
            print(text_table(simulate(scenario, draws=args.draws, seed=args.seed), floats="{:,.2f}"))
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    from .analysis.ensemble import ensemble_verdicts, run_ensemble_tables
    from .model import target_options
    from .report.tables import SUMMARY_LABELS, text_table

    options = _engine_options(args)
    percent, _ = target_options(args.target, None, field="--target")
    table, air = run_ensemble_tables(args.scenarios, target=percent, pollutants=args.pollutant,
                                     allow_outside=args.allow_outside, **options)
    if not _machine_output(table, args.format):
        where = "on a dask cluster" if args.engine == "dask" else "in this process"
        print(f"{len(args.scenarios)} variant{'s' if len(args.scenarios) != 1 else ''}, run {where}")
        print(text_table(table.rename(columns=SUMMARY_LABELS)))
        verdicts = ensemble_verdicts(table)
        print("\nper variant (worst shortfall, TOTAL included):")
        print(text_table(verdicts.rename(columns={"worst_shortfall_t": "worst short by t"})))
        if len(air):
            print("\nair quality (µg/m³):")
            print(text_table(air, floats="{:,.2f}"))
    return 0


def cmd_optimize(args: argparse.Namespace) -> int:
    import json

    from .report.tables import records, text_table

    plan = _scenario(args).optimize()
    if args.format == "json":
        print(json.dumps({"feasible": plan.feasible, "cost": plan.cost if plan.feasible else None,
                          "plan": records(plan.table)}, ensure_ascii=False, indent=2))
    else:
        print(plan.report())
        if plan.feasible and len(plan.table):
            print(text_table(plan.table, floats="{:,.1f}"))
    return 0 if plan.feasible else 1


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reduccalc", description="Do the measures in an air-quality action plan add up to its "
                     "target? Per county and pollutant: baseline, reduction, target, met or short by how much.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  " + "\n  ".join(v.split("\n")[0] for v in EXAMPLES.values()))
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    parser.add_argument("--version", action="version", version=f"reduccalc {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def sub(name: str, help: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help, description=help, epilog=f"example:\n  {EXAMPLES[name]}",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors")
        return p

    p = sub("run", "run a scenario and print the summary per county and pollutant")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--out", metavar="DIR", help="write summary, reductions, ledger (CSV), results.xlsx, metadata")
    p.add_argument("--plot", metavar="DIR", help="write figures (waterfall per county, targets, air quality)")
    p.add_argument("--plot-format", choices=("png", "svg"), default="png",
                   help="figures as PNG (200 dpi, default) or SVG")
    p.add_argument("--plot-which", metavar="KINDS", action="append",
                   help="only these figures: targets, waterfall, air_quality (comma-separated or repeated; "
                        "default all)")
    p.add_argument("--lang", choices=("zh", "en"),
                   help="language of the figures (default zh where the scenario's names are Chinese, else en)")
    p.set_defaults(func=cmd_run)

    p = sub("check", "exit 0 when every target is met, 1 when any falls short, 2 on bad input")
    p.add_argument("scenario")
    p.add_argument("--target", metavar="PCT", help="one target for every county and TOTAL, e.g. 5%%")
    p.add_argument("--pollutant", action="append", metavar="NAME", help="check only this pollutant (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_check)

    p = sub("explain", "show every number as activity x factor x adjustments = tonnes, with sources")
    p.add_argument("scenario")
    p.add_argument("--county", metavar="NAME")
    p.add_argument("--measure", metavar="ID")
    p.add_argument("--sensitivity", action="store_true", help="which factors drive each county's result")
    p.add_argument("--draws", type=int, default=1000, help="draws for --sensitivity")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_explain)

    p = sub("validate", "check a scenario without reporting results")
    p.add_argument("scenario")
    p.set_defaults(func=cmd_validate)

    p = sub("factors", "list the emission-factor tables or show one factor with its citation")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("id", nargs="?")
    p.add_argument("--category", help="household, boiler, gas, electricity, district_heat, vehicle, production")
    p.set_defaults(func=cmd_factors)

    p = sub("uncertainty", "Monte Carlo over factor ranges: percentiles and probability of meeting targets")
    p.add_argument("scenario")
    p.add_argument("--draws", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _add_engine_options(p)
    p.set_defaults(func=cmd_uncertainty)

    p = sub("optimize", "least-cost additions from the scenario's candidates that meet every target")
    p.add_argument("scenario")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_optimize)

    p = sub("report", "write a one-file HTML report (verdict, tables, figures, ledger, sources, checksums)")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("-o", "--output", metavar="FILE", required=True,
                   help="the HTML file to write (never a file of that name that reduccalc did not write)")
    p.add_argument("--lang", choices=("zh", "en"),
                   help="language of labels and figures (default zh where the scenario's names are Chinese, "
                        "else en)")
    p.add_argument("--draws", type=int, metavar="N", help="add the uncertainty (Monte Carlo with N draws)")
    p.add_argument("--seed", type=int, default=1, help="seed of the draws (default 1)")
    p.set_defaults(func=cmd_report)

    p = sub("ensemble", "run many scenario variants and print every variant's summary in one table")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML files, one per variant")
    p.add_argument("--target", metavar="PCT", help="one target for every county and TOTAL of every variant, e.g. 5%%")
    p.add_argument("--pollutant", action="append", metavar="NAME",
                   help="apply --target to this pollutant only; alone, keep only the files' targets for it "
                   "(repeatable)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    _add_engine_options(p)
    p.set_defaults(func=cmd_ensemble)
    for name in ("run", "check", "explain", "validate", "uncertainty", "optimize", "ensemble", "report"):
        commands.choices[name].add_argument(
            "--allow-outside", action="store_true",
            help="let the plan read files outside its folder (absolute paths, ../, links elsewhere): for plans "
                 "you trust")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def printable(text: str) -> str:
    """``text`` with control and bidirectional characters escaped (``\\r``, ``\\u202e``), lines kept."""
    from .fields import UNSAFE_CHARACTERS

    return "\n".join(UNSAFE_CHARACTERS.sub(lambda m: repr(m.group())[1:-1], line) for line in text.split("\n"))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reduccalc`` command; returns the exit code."""
    argv = _joined(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in argv
    try:
        signal.signal(signal.SIGTERM, _terminate)
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        return int(args.func(args))
    except UsageError as error:
        print(printable(str(error)), file=sys.stderr)
        return 2
    except ScenarioError as error:
        if debug:  # the traceback for whoever debugs, and still the exit code of bad input
            traceback.print_exc()
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as error:
        from .report.outputs import InterruptedAfterWriting

        done = isinstance(error, InterruptedAfterWriting)
        print(f"interrupted; {error if done else 'nothing written'}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # a bug: say so plainly, no traceback unless --debug
        if debug:
            traceback.print_exc()
        print(f"internal error: {type(error).__name__}: {error}\n(this is a bug in reduccalc; rerun with --debug "
              "and report the traceback)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
