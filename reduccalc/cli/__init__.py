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

from ..errors import ScenarioError
from .commands import (
    UsageError,
    _add_engine_options,
    _add_table_option,
    cmd_check,
    cmd_ensemble,
    cmd_explain,
    cmd_factors,
    cmd_init,
    cmd_keys,
    cmd_optimize,
    cmd_report,
    cmd_run,
    cmd_schema,
    cmd_uncertainty,
    cmd_validate,
)

EXAMPLES = {
    "run": "reduccalc run scenarios/tutorial.yaml --format json\n  reduccalc run plan.yaml --out results/",
    "check": "reduccalc check plan.yaml --target 5%\n  reduccalc check plan.yaml --pollutant NOx --pollutant SO2",
    "explain": "reduccalc explain plan.yaml --county 忻府区",
    "validate": "reduccalc validate plan.yaml",
    "factors": "reduccalc factors list --category vehicle\n  reduccalc factors show boiler.bituminous_coal.le10.NOx",
    "uncertainty": "reduccalc uncertainty plan.yaml --draws 2000 --seed 1",
    "optimize": "reduccalc optimize plan.yaml --format json",
    "keys": "reduccalc keys boiler_phaseout\n  reduccalc keys 煤改电 --format json",
    "schema": "reduccalc schema > reduccalc.schema.json",
    "report": "reduccalc report scenarios/changzhi_2024.yaml -o report.html\n"
              "  reduccalc report plan.yaml -o report.html --lang en --draws 1000",
    "ensemble": "reduccalc ensemble scenarios/tutorial.yaml scenarios/xinfu_2021.yaml --target 5%\n"
                "  reduccalc ensemble variants/*.yaml --engine dask --scheduler tcp://10.0.0.5:8786 --format csv",
    "init": "reduccalc init > plan.yaml\n  reduccalc init --from 台账.xlsx > plan.yaml",
}


SCENARIO_HELP = "scenario YAML file"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would print usage and exit 2 itself
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().strip()}")


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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reduccalc", description="Do the measures in an air-quality action plan add up to its "
                     "target? Per county and pollutant: baseline, reduction, target, met or short by how much.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  " + "\n  ".join(v.split("\n")[0] for v in EXAMPLES.values()))
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    parser.add_argument("--version", action="version", version=f"reduccalc {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                                     help="`reduccalc COMMAND --help` for each one's options")

    def sub(name: str, help: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help, description=help, epilog=f"example:\n  {EXAMPLES[name]}",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors")
        return p

    p = sub("run", "run a scenario and print the summary per county and pollutant")
    p.add_argument("scenario", help=SCENARIO_HELP)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table for people (default); csv or json: the summary's columns, for programs")
    p.add_argument("--county", action="append", metavar="NAME",
                   help="show only this county's rows, or TOTAL's (repeatable; --out still writes every county)")
    p.add_argument("--pollutant", action="append", metavar="NAME",
                   help="show only this pollutant's rows, e.g. NOx or 氮氧化物 (repeatable)")
    p.add_argument("--out", metavar="DIR", help="write summary, reductions, ledger and iamc.csv, results.xlsx and "
                   "metadata.json there, all or nothing, keeping every other file")
    p.add_argument("--plot", metavar="DIR", help="write figures (waterfall per county, targets, air quality)")
    p.add_argument("--plot-format", choices=("png", "svg"), default="png",
                   help="figures as PNG (200 dpi, default) or SVG")
    p.add_argument("--plot-which", metavar="KINDS", action="append",
                   help="only these figures: targets, waterfall, air_quality (comma-separated or repeated; "
                        "default all)")
    p.add_argument("--lang", choices=("zh", "en"),
                   help="language of the figures (default zh where the scenario's names are Chinese, else en)")
    _add_table_option(p, "per county and pollutant")
    p.set_defaults(func=cmd_run)

    p = sub("check", "exit 0 when every target is met, 1 when any falls short, 2 on bad input")
    p.add_argument("scenario", help=SCENARIO_HELP)
    p.add_argument("--target", metavar="PCT", help="one target for every county and TOTAL, e.g. 5%%")
    p.add_argument("--pollutant", action="append", metavar="NAME", help="check only this pollutant (repeatable)")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table: one line per target (default); json: the verdict and the targets' rows")
    p.set_defaults(func=cmd_check)

    p = sub("explain", "show every number as activity x factor x adjustments = tonnes, with sources")
    p.add_argument("scenario", help=SCENARIO_HELP)
    p.add_argument("--county", metavar="NAME", help="only this county's measures")
    p.add_argument("--measure", metavar="ID", help="only the measure with this id")
    p.add_argument("--summary", action="store_true",
                   help="one line per measure: type, tonnes by pollutant, the main factor and its source")
    p.add_argument("--sensitivity", action="store_true", help="which factors drive each county's result")
    p.add_argument("--draws", type=int, default=1000, help="draws for --sensitivity (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="seed of those draws (default 1)")
    p.set_defaults(func=cmd_explain)

    p = sub("validate", "check a scenario without reporting results")
    p.add_argument("scenario", help=SCENARIO_HELP)
    p.set_defaults(func=cmd_validate)

    p = sub("factors", "list the emission-factor tables or show one factor with its citation")
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list",
                   help="list the rows (default), or show one with its full citation")
    p.add_argument("id", nargs="?", help="the factor id to show, as `factors list` prints it")
    p.add_argument("--category", help="household, boiler, gas, electricity, district_heat, vehicle, production")
    p.set_defaults(func=cmd_factors)

    p = sub("keys", "list a measure type's keys: kind and unit, default, Chinese names, help")
    p.add_argument("type", metavar="TYPE", help="a measure type, e.g. boiler_phaseout or 锅炉淘汰")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table for people (default); json: one object per key, for programs")
    p.set_defaults(func=cmd_keys)

    p = sub("schema", "print the JSON Schema of scenario files (for editors: see the README)")
    p.set_defaults(func=cmd_schema)

    p = sub("uncertainty", "Monte Carlo over factor ranges: percentiles and probability of meeting targets")
    p.add_argument("scenario", help=SCENARIO_HELP)
    p.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="seed: the same seed gives the same numbers (default 1)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table, with the deterministic value beside the percentiles (default); csv or json: "
                   "the percentiles' columns")
    _add_table_option(p, "percentiles and P(met) of the emission targets")
    _add_engine_options(p)
    p.set_defaults(func=cmd_uncertainty)

    p = sub("optimize", "least-cost additions from the scenario's candidates that meet every target")
    p.add_argument("scenario", help=SCENARIO_HELP)
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table: what to add, the cost and the targets after (default); json: feasible, cost, plan")
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
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table for people (default); csv or json: every variant's summary rows")
    _add_table_option(p, "every variant's summary")
    _add_engine_options(p)
    p.set_defaults(func=cmd_ensemble)

    p = sub("init", "print a commented starting plan (redirect it: reduccalc init > plan.yaml); writes no file")
    p.add_argument("--from", metavar="REGISTER", help="a measure register (CSV or XLSX, file.xlsx#sheet) with a "
                   "county column: one county per name in it, and measures_file pointing at it")
    p.set_defaults(func=cmd_init)
    for name in ("run", "check", "explain", "validate", "uncertainty", "optimize", "ensemble", "report"):
        commands.choices[name].add_argument(
            "--allow-outside", action="store_true",
            help="let the plan read files outside its folder (absolute paths, ../, links elsewhere): for plans "
                 "you trust")
    _add_completion(parser)
    return parser


def _add_completion(parser: argparse.ArgumentParser) -> None:
    """``--print-completion bash|zsh|tcsh``: a shell-completion script, where shtab is installed.

    Without shtab (``pip install reduccalc[completion]``) the option is absent; the README says how to
    install the script.
    """
    try:
        import shtab
    except ImportError:
        return
    shtab.add_argument_to(parser, ["--print-completion"],
                          help="print a completion script for this shell (bash, zsh or tcsh) and exit")


def _version() -> str:
    from .. import __version__

    return __version__


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def printable(text: str) -> str:
    """``text`` with control and bidirectional characters escaped (``\\r``, ``\\u202e``), lines kept."""
    from ..fields import UNSAFE_CHARACTERS

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
        from ..report.outputs import InterruptedAfterWriting

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

