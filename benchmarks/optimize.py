"""Least-cost planning against running the same scenario, as ratios from one run.

    python benchmarks/optimize.py [--counties 300 2844] [--baseline-repo DIR]

The scenario is the synthetic national one of ``benchmarks/national.py``
(20 measures a county, inline factors) with three candidates in every
county (households to gas, heavy trucks, small boilers; whole counts up to
tens of thousands) and 5 % targets on SO2, NOx and PM2.5, for every county
and for TOTAL. Prints, for each size, the wall time of ``reduccalc optimize``
and of ``reduccalc run`` on the same file, each a whole process as a user
runs it, and their ratio (goal <= 3 at 2,844 counties, bar <= 10 at 300).

With ``--baseline-repo`` (a checkout of another version of reduccalc, e.g.
``main``) every command is also run with that version first on the path, in
turn with this one, so before and after come from one run on one machine.

Start-up: ``reduccalc --help``, ``--version`` and ``check`` of a one-county
plan, each divided by a process that only runs ``import numpy, pandas``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import national  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
TARGETS = {"SO2": "5%", "NOx": "5%", "PM2.5": "5%"}


def candidates(i: int) -> list[dict]:
    """Three candidates for county ``i`` (inline factors, so the file runs whatever the tables hold)."""
    k = 1 + i % 5
    return [
        {"id": "households-to-gas", "scale": "households", "max": 40000, "unit_cost": f"{8000 + 100 * k} CNY",
         "measure": {"type": "coal_to_gas", "coal_per_household": "3 t",
                     "emission_factors": {"SO2": "17 kg/t", "PM2.5": "13 g/kg", "NOx": "2.2 kg/t"}}},
        {"id": "more-trucks", "scale": "count", "max": 20000, "unit_cost": f"{50000 + 1000 * k} CNY",
         "measure": {"type": "vehicle_retirement", "vehicle": "heavy_duty_diesel_truck", "standard": "China III",
                     "annual_km": f"{40000 + 2000 * k} km/yr",
                     "emission_factors": {"NOx": "8.2 g/km", "PM2.5": "0.3 g/km"}}},
        {"id": "small-boilers", "scale": "count", "max": 400, "unit_cost": f"{900000 + 10000 * k} CNY",
         "measure": {"type": "boiler_phaseout", "capacity": "10 t_steam/h", "hours": f"{2000 + 50 * k} h",
                     "emission_factors": {"SO2": "12 kg/t", "NOx": "4 g/kg", "PM2.5": "0.8 kg/t"}}},
    ]


def scenario(counties: int) -> dict:
    """The national scenario with :func:`candidates` in every county and 5 % targets."""
    data = national.scenario(counties)
    data["name"] = f"optimize benchmark ({counties} counties)"
    data["targets"] = dict(TARGETS)
    for i, county in enumerate(data["counties"].values()):
        county["candidates"] = candidates(i)
    return data


def write_yaml(path: Path, counties: int) -> None:
    path.write_text(yaml.safe_dump(scenario(counties), allow_unicode=True, sort_keys=False), encoding="utf-8")


def wall(command: list[str], repo: Path, repeat: int = 1, timeout: float | None = None) -> float:
    """Best wall time [s] of ``command`` run as a process with ``repo`` first on the path; inf past ``timeout``.

    It runs in ``repo``'s parent folder: ``python -m`` puts the current folder before the path.
    """
    env = {**os.environ, "PYTHONPATH": str(repo)}
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  check=False, timeout=timeout, cwd=repo.parent)
        except subprocess.TimeoutExpired:
            continue
        if done.returncode not in (0, 1):  # 1: a target short or a plan infeasible; anything else did not run
            raise SystemExit(f"{' '.join(command)} with {repo} failed ({done.returncode}): {done.stderr[-500:]}")
        best = min(best, time.perf_counter() - start)
    return best


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reduccalc", *args]


def optimiser(path: Path, repos: dict[str, Path], timeout: float) -> None:
    for name, repo in repos.items():
        run = wall(cli("run", str(path)), repo)
        plan = wall(cli("optimize", str(path)), repo, timeout=timeout)
        shown = f"{plan:7.2f} s" if plan < float("inf") else f"> {timeout:.0f} s (stopped)"
        print(f"   {name:8s} optimize {shown} / run {run:6.2f} s = {plan / run:6.2f}", flush=True)


def start_up(folder: Path, repos: dict[str, Path], repeat: int) -> None:
    small = folder / "one_county.yaml"
    small.write_text(yaml.safe_dump(national.scenario(1), allow_unicode=True, sort_keys=False), encoding="utf-8")
    for name, repo in repos.items():
        floor = wall([sys.executable, "-c", "import numpy, pandas"], repo, repeat)
        shown = []
        for label, args in (("--help", ["--help"]), ("--version", ["--version"]), ("check", ["check", str(small)])):
            seconds = wall(cli(*args), repo, repeat)
            shown.append(f"{label} {seconds:.2f} s = {seconds / floor:.2f}")
        print(f"   {name:8s} import numpy, pandas {floor:.2f} s; " + "; ".join(shown), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, nargs="+", default=[300, national.COUNTIES])
    parser.add_argument("--baseline-repo", type=Path, help="another checkout of reduccalc to compare with")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each start-up command (best is shown)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds an optimize may take before it is stopped")
    args = parser.parse_args()
    repos = {"this": HERE}
    if args.baseline_repo is not None:
        repos = {"baseline": args.baseline_repo.resolve(), **repos}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for counties in args.counties:
            path = folder / f"optimize_{counties}.yaml"
            write_yaml(path, counties)
            print(f"{counties} counties x (20 measures + 3 candidates), targets 5% SO2, NOx, PM2.5 "
                  "(goal <= 3 at 2,844, bar <= 10 at 300):", flush=True)
            optimiser(path, repos, args.timeout)
        print("start-up, each divided by a process importing numpy and pandas (goal: check <= 1.2):")
        start_up(folder, repos, args.repeat)


if __name__ == "__main__":
    main()
