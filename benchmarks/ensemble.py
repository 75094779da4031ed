"""Scenario ensemble: local sequential run against a dask LocalCluster, measured in one run.

    python benchmarks/ensemble.py [--counties 300] [--variants 16] [--workers 2]

Writes ``--variants`` copies of the synthetic national scenario
(``benchmarks/national.py``, ``--counties`` counties x 20 measures each),
differing in their targets (variant k: k/10 % of SO2, NOx and VOCs) and name,
then runs :func:`reduccalc.ensemble.run_ensemble` over the files twice:

1. ``engine="numpy"``: in this process, one variant after the other;
2. ``engine="dask"`` on a ``LocalCluster`` of ``--workers`` worker processes,
   one thread each; every worker reads and runs its variants itself.

The cluster is started and its workers warmed (reduccalc imported, factor
tables read) before the timing; that start-up is printed separately. Prints
both times, their ratio (the speed-up) and the time per variant, and checks
that both engines gave the same table. For scale, it also prints the speed-up
that ``--workers`` processes of a bare Python loop get on the machine at that
moment: on a shared or virtual machine it can be well below the core count.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import national  # noqa: E402

from reduccalc.ensemble import ensemble_verdicts, run_ensemble  # noqa: E402


def write_variants(folder: Path, counties: int, variants: int) -> list[Path]:
    """``variants`` scenario files of ``counties`` counties; variant k targets k/10 % of SO2, NOx and VOCs."""
    base = national.scenario(counties)
    body = yaml.safe_dump({"counties": base["counties"]}, allow_unicode=True, sort_keys=False)  # dumped once
    paths = []
    for k in range(1, variants + 1):
        head = {"name": f"national {counties} counties, targets {k / 10:g}%", "period": base["period"],
                "targets": {pollutant: f"{k / 10:g}%" for pollutant in ("SO2", "NOx", "VOCs")}}
        path = folder / f"variant_{k:02d}.yaml"
        path.write_text(yaml.safe_dump(head, allow_unicode=True, sort_keys=False) + body, encoding="utf-8")
        paths.append(path)
    return paths


def _busy(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallel_ceiling(workers: int, n: int = 10_000_000) -> float:
    """The speed-up ``workers`` processes get on this machine now: a pure-Python loop alone, then in each at once."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_busy, [1000] * workers))  # processes started
        start = time.perf_counter()
        pool.submit(_busy, n).result()
        alone = time.perf_counter() - start
        start = time.perf_counter()
        list(pool.map(_busy, [n] * workers))
        together = time.perf_counter() - start
    return workers * alone / together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=300)
    parser.add_argument("--variants", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        national.write_yaml(folder / "warm.yaml", 2)  # the same generator, two counties: for warming up
        paths = write_variants(folder, args.counties, args.variants)
        size = sum(p.stat().st_size for p in paths)
        print(f"{args.variants} variants x {args.counties} counties x 20 measures, {size / 1e6:.1f} MB of YAML; "
              f"{os.cpu_count()} cores")

        run_ensemble([folder / "warm.yaml"])  # factor tables read, modules imported
        start = time.perf_counter()
        local = run_ensemble(paths)
        local_s = time.perf_counter() - start

        from distributed import LocalCluster  # imported after the local run, which runs without it

        start = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            run_ensemble([folder / "warm.yaml"] * args.workers * 2, engine="dask", scheduler=cluster)
            startup_s = time.perf_counter() - start
            start = time.perf_counter()
            dask = run_ensemble(paths, engine="dask", scheduler=cluster)
            dask_s = time.perf_counter() - start

    pd.testing.assert_frame_equal(dask, local, check_exact=True)
    ceiling = parallel_ceiling(args.workers)
    n = args.variants
    print(f"local (numpy, sequential): {local_s:6.2f} s  = {local_s / n:.3f} s per variant")
    print(f"dask ({args.workers} workers x 1 thread): {dask_s:6.2f} s  = {dask_s / n:.3f} s per variant "
          f"(cluster start-up and warm-up, not counted: {startup_s:.2f} s)")
    print(f"speed-up local / dask: {local_s / dask_s:.2f}; same table: yes ({len(local):,} rows)")
    print(f"for scale, {args.workers} processes of a pure-Python loop get {ceiling:.2f} on this machine now "
          f"(ideal {args.workers})")
    verdicts = ensemble_verdicts(local)
    print(f"variants meeting every target: {int((verdicts['met'] == True).sum())} of {n}")  # noqa: E712


if __name__ == "__main__":
    main()
