"""Performance of reduccalc against the floors it cannot beat, as ratios from one run.

    python benchmarks/run.py [--counties 2844] [--draws 1000] [--quick]

Prints, each measured in this one run on this machine:

1. YAML: load + validate + run + summary of the synthetic national scenario,
   divided by the time PyYAML's C loader takes merely to parse the file (as
   users call it, and with the garbage collector paused as reduccalc does).
2. Register: the same measures as a CSV register and the counties'
   baselines as a CSV table (``baselines_file``), load + validate + run,
   divided by ``pandas.read_csv`` of the two files. Also with the baselines
   in the scenario's YAML instead, divided by ``read_csv`` of the register
   (and by that plus a C YAML parse of the scenario file).
3. Engine: evaluating the ledger per row (``ledger.evaluate``) against a
   hand-written numpy product of the same six columns.
4. Monte Carlo (on the national scenario with the shipped tables' factors,
   which carry ranges): draws x ledger rows per second of ``simulate`` less
   its deterministic run, against raw numpy lognormal draws times an array of
   the same shape; and the peak memory of a process simulating.
5. Scaling: total time from 1 to N counties and the log-log slope (1 = linear).

``--quick`` uses 300 counties and 200 draws (a minute); the default is the
whole country (2,844 counties, about 57,000 measures: several minutes).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import national  # noqa: E402

import reduccalc  # noqa: E402
from reduccalc.ledger import evaluate  # noqa: E402
from reduccalc.perf import paused_gc  # noqa: E402


def timed(function, repeat: int = 1):
    """Best wall time of ``repeat`` calls [s] and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def yaml_ratio(path: Path) -> tuple[float, float, float, float]:
    """Ours / C YAML parse, and ours / C YAML parse with the garbage collector paused like ours."""
    text = path.read_text(encoding="utf-8")
    floor, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    with paused_gc():
        floor_no_gc, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    ours, _ = timed(lambda: reduccalc.load_scenario(path).run().summary())
    return ours, floor, ours / floor, ours / floor_no_gc


def register_ratio(scenario: Path, tables: list[Path]) -> tuple[float, float, float, float]:
    """Ours / ``read_csv`` of the ``tables`` the scenario reads, and ours / (that + C YAML parse of the scenario).

    The second floor counts reading every input, which matters when the
    scenario file holds every county's baseline.
    """
    floor, _ = timed(lambda: [pd.read_csv(table) for table in tables], repeat=3)
    text = scenario.read_text(encoding="utf-8")
    with paused_gc():
        yaml_floor, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader), repeat=3)
    ours, _ = timed(lambda: reduccalc.load_scenario(scenario).run(), repeat=3)
    return ours, floor, ours / floor, ours / (floor + yaml_floor)


def engine_ratio(result) -> tuple[float, float, float, int]:
    """ns per ledger row of ``ledger.evaluate`` against the bare numpy product of the same six columns."""
    ledger = result.ledger
    rows = len(ledger)
    engine, _ = timed(lambda: evaluate(ledger), repeat=20)
    columns = [ledger[c].to_numpy() for c in ("sign", "activity", "factor", "adjust", "time_share", "to_t")]
    kernel, _ = timed(lambda: columns[0] * columns[1] * columns[2] * columns[3] * columns[4] * columns[5], repeat=20)
    return engine / rows * 1e9, kernel / rows * 1e9, engine / kernel, rows


def monte_carlo(scenario, draws: int) -> tuple[float, float, float]:
    """Draw-rows per second of ``simulate`` (its deterministic run subtracted) and of raw numpy."""
    rows = len(scenario.run().ledger)
    deterministic, _ = timed(lambda: scenario.run())
    total, _ = timed(lambda: scenario.simulate(draws=draws, seed=1))
    ours = max(total - deterministic, 1e-9)
    rng = np.random.default_rng(1)
    block = max(1, 2_000_000 // rows)

    def raw() -> None:
        factor = np.ones(rows)
        for start in range(0, draws, block):
            n = min(block, draws - start)
            (rng.lognormal(0.0, 0.3, size=(n, rows)) * factor).sum(axis=1)

    floor, _ = timed(raw)
    return draws * rows / ours, draws * rows / floor, (draws * rows / ours) / (draws * rows / floor)


def peak_memory_mb(path: Path, draws: int) -> float:
    """Peak resident memory [MB] of a fresh process running the Monte Carlo."""
    code = (f"import reduccalc, resource; reduccalc.load_scenario({str(path)!r}).simulate(draws={draws}, seed=1); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def scaling(folder: Path, sizes: list[int]) -> tuple[list[tuple[int, float]], float]:
    """Total time for 1 ... N counties (after a warm-up) and the log-log slope above 10 counties."""
    points = []
    for n in sizes:
        path = folder / f"n{n}.yaml"
        national.write_yaml(path, n)
        seconds, _ = timed(lambda: reduccalc.load_scenario(path).run().summary(), repeat=2)  # noqa: B023
        points.append((n, seconds))
    x = np.log([n for n, _ in points if n >= 10])
    y = np.log([s for n, s in points if n >= 10])
    slope = float(np.polyfit(x, y, 1)[0])
    return points, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=national.COUNTIES)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    counties, draws = (300, 200) if args.quick else (args.counties, args.draws)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "national.yaml"
        national.write_yaml(path, counties)
        register = folder / "national.csv"
        national.write_register(register, counties)
        register_scenario = folder / "national_register.yaml"
        national.write_register_scenario(register_scenario, register, counties)
        baselines = folder / "national_baselines.csv"
        national.write_baselines(baselines, counties)
        tables_scenario = folder / "national_baselines_table.yaml"
        national.write_register_scenario(tables_scenario, register, counties, baselines)
        print(f"synthetic scenario: {counties} counties x 20 measures, {path.stat().st_size / 1e6:.1f} MB YAML, "
              f"{register.stat().st_size / 1e6:.1f} MB CSV")
        ours, floor, ratio, ratio_no_gc = yaml_ratio(path)
        print(f"1. YAML      load+validate+run+summary {ours:6.2f} s / C YAML parse {floor:6.2f} s = {ratio:.2f}"
              f"  (goal <= 1.1); / C YAML parse with the GC paused as ours is = {ratio_no_gc:.2f}")
        ours, floor, ratio, _ = register_ratio(tables_scenario, [register, baselines])
        print(f"2. register  load+validate+run         {ours:6.2f} s / pandas.read_csv {floor:6.2f} s = {ratio:.2f}"
              "  (goal <= 2.0; measures and baselines as CSV tables)")
        ours, floor, ratio, both = register_ratio(register_scenario, [register])
        print(f"   same with the baselines in YAML     {ours:6.2f} s / pandas.read_csv {floor:6.2f} s = {ratio:.2f}"
              f"; / (read_csv + C YAML parse of the scenario file, GC paused) = {both:.2f}")
        scenario = reduccalc.load_scenario(path)
        engine, kernel, ratio, rows = engine_ratio(scenario.run())
        print(f"3. engine    {engine:.2f} ns/row / numpy product {kernel:.2f} ns/row = {ratio:.2f}  ({rows:,} rows; "
              "goal <= 2)")
        uncertain = folder / "national_tables.yaml"  # table factors, which carry ranges
        national.write_yaml(uncertain, counties, inline=False)
        ours, floor, ratio = monte_carlo(reduccalc.load_scenario(uncertain), draws)
        memory = peak_memory_mb(uncertain, draws)
        print(f"4. Monte Carlo {ours:,.0f} draw-rows/s / raw numpy {floor:,.0f} draw-rows/s = {ratio:.2f} "
              f"(goal >= 0.5); peak memory {memory:,.0f} MB for {draws} draws (goal < 2,000 MB)")
        sizes = [1, 10, 100, 1000, counties] if counties > 1000 else [1, 10, 100, counties]
        points, slope = scaling(folder, sizes)
        shown = ", ".join(f"{n}: {s:.2f} s" for n, s in points)
        print(f"5. scaling   {shown}; log-log slope {slope:.2f} (1 = linear)")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
