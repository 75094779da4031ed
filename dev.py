"""Set up and run reduccalc from a fresh clone with nothing but Python 3.10+.

    python3 dev.py demo    # make .venv, install reduccalc, run a real plan (Xinfu 2021) against its targets
    python3 dev.py test    # make .venv, install reduccalc[test], run ruff, mypy, lint-imports and pytest

Both create the virtual environment ``.venv`` in the repository on first use
(Debian/Ubuntu system Pythons refuse a bare ``pip install``) and reuse it.
Extra arguments after ``test`` go to pytest (``python3 dev.py test -k units``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*command: str | Path, ok: tuple[int, ...] = (0,)) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    code = subprocess.call([str(c) for c in command], cwd=ROOT)
    if code not in ok:
        sys.exit(code)


def ensure_venv(extra: str) -> None:
    """Create .venv if missing and install reduccalc with ``extra`` into it (editable)."""
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    marker = VENV / f".installed-{extra or 'base'}"
    stamp = str((ROOT / "pyproject.toml").stat().st_mtime)
    if not marker.exists() or marker.read_text() != stamp:
        target = f".[{extra}]" if extra else "."
        run(PYTHON, "-m", "pip", "install", "--quiet", "--editable", target)
        marker.write_text(stamp)


def demo() -> None:
    ensure_venv("")
    plan = "scenarios/xinfu_2021.yaml"  # a real plan: 忻府区's 2021 measures against its 2 % SO2 and NOx targets
    run(BIN / "reduccalc", "run", plan)
    run(BIN / "reduccalc", "check", plan, ok=(0, 1))  # 1: a target falls short


def test(pytest_args: list[str]) -> None:
    ensure_venv("test")
    run(BIN / "ruff", "check", "reduccalc", "tests", "examples", "benchmarks", "dev.py", "conftest.py")
    run(BIN / "mypy", "reduccalc")
    run(BIN / "lint-imports")  # the layers contract in pyproject.toml: imports follow the data flow
    run(PYTHON, "-m", "pytest", *pytest_args)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "demo":
        demo()
    else:
        test(sys.argv[2:])
