"""Where the time of one scenario run goes, stage by stage: the profile that guides the next change.

    python benchmarks/stages.py [--counties 2844] [--repeat 5] [--yaml | --baselines-table]

Times each stage of ``load_scenario(...).run()`` on the synthetic national
scenario, as a measure register (default; with the counties' baselines in a
table too with ``--baselines-table``) or as inline YAML (``--yaml``), and
prints the fastest of ``--repeat`` runs (the run with the least total) with
each stage's share. Stages are timed by wrapping the functions that do them,
so a stage's time includes what it calls:

- YAML: reading and parsing the scenario file (``yamlio.load_yaml``);
- baselines table: reading and checking it (``baselines.read_baselines``);
- register read and check (``registers.read_register``), of which reading
  the file, cleaning cells and checking them key by key per measure type;
- register ids (numbering ``<type>-<n>``, refusing duplicates);
- batches (every measure into one column batch per type), translate (all
  measure types), Result (reductions by measure and pollutant, of which
  grouping the ledger's blocks, and the over-removal check). The ledger's
  DataFrame is joined only when asked for, so it is not a stage of a run.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import national  # noqa: E402

import reduccalc  # noqa: E402
from reduccalc import ledger, load, model, result  # noqa: E402
from reduccalc.inputs import baselines, registers, tables  # noqa: E402
from reduccalc.measures import MEASURE_TYPES  # noqa: E402

SPENT: dict[str, float] = collections.defaultdict(float)
STAGES = ("YAML", "baselines table", "register read + check", "  reading the file", "  cleaning cells", "  checking cells per type",
          "register ids", "batches", "translate", "Result", "  reductions")


def timing(owner: Any, name: str, stage: str) -> None:
    """Replace ``owner.name`` by a wrapper adding its wall time to ``SPENT[stage]``."""
    function: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[stage] += time.perf_counter() - start

    setattr(owner, name, timed)


def instrument() -> None:
    timing(load, "load_yaml", "YAML")
    timing(baselines, "read_baselines", "baselines table")
    timing(registers, "read_register", "register read + check")
    timing(tables, "_read", "  reading the file")
    timing(tables.Cells, "of", "  cleaning cells")
    timing(registers.MeasureChecker, "block", "  checking cells per type")
    timing(registers._Ids, "join", "register ids")
    timing(model.Scenario, "batches", "batches")
    for measure_type in MEASURE_TYPES.values():
        timing(measure_type, "translate", "translate")
    timing(result.Result, "__init__", "Result")
    timing(ledger.LedgerBuilder, "reductions", "  reductions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=national.COUNTIES)
    parser.add_argument("--repeat", type=int, default=5)
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--yaml", action="store_true", help="measures inline in the YAML instead of a register")
    how.add_argument("--baselines-table", action="store_true", help="baselines in a table (baselines_file) too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.yaml:
            path = folder / "national.yaml"
            national.write_yaml(path, args.counties)
        else:
            register = folder / "national.csv"
            national.write_register(register, args.counties)
            baselines = folder / "national_baselines.csv" if args.baselines_table else None
            if baselines is not None:
                national.write_baselines(baselines, args.counties)
            path = folder / "national_register.yaml"
            national.write_register_scenario(path, register, args.counties, baselines)
        reduccalc.load_scenario(path).run()  # warm-up: imports, factor tables, unit caches
        instrument()
        best: dict[str, float] | None = None
        for _ in range(args.repeat):
            SPENT.clear()
            start = time.perf_counter()
            reduccalc.load_scenario(path).run()
            SPENT["total"] = time.perf_counter() - start
            if best is None or SPENT["total"] < best["total"]:
                best = dict(SPENT)
    assert best is not None
    what = "inline YAML" if args.yaml else "register and baselines table" if args.baselines_table else "register"
    print(f"{what}: {args.counties} counties x 20 measures, "
          f"fastest of {args.repeat} runs")
    total = best.pop("total")
    for stage in STAGES:
        if stage in best:
            print(f"  {stage:28s} {best[stage] * 1000:8.1f} ms  {100 * best[stage] / total:5.1f} %")
    print(f"  {'total':28s} {total * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
