"""Write a result's files all or nothing.

Files go to a temporary folder beside ``out``; only when every file is
written is it renamed into place (the previous results, if any, are moved
aside first and removed after). An error or a signal part-way leaves the
previous results as they were and no partial folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import ScenarioError
from ..result import Result


def write_results(result: Result, out: Path, extra: Callable[[Path], None] | None = None) -> list[str]:
    """Write summary, reductions, ledger (CSV, UTF-8 with BOM for Excel), the workbook and metadata.

    Returns the names of the files written. ``extra`` may write more files
    (plots) into the temporary folder before it is moved into place.
    """
    from .excel import write_workbook

    out = Path(out)
    parent = out.resolve().parent
    if not parent.is_dir():
        raise ScenarioError(f"folder {parent} does not exist", field="--out")
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out} exists and is not a folder", field="--out")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    try:
        result.summary().to_csv(staging / "summary.csv", index=False, encoding="utf-8-sig")
        result.reductions.to_csv(staging / "reductions.csv", index=False, encoding="utf-8-sig")
        result.ledger.to_csv(staging / "ledger.csv", index=False, encoding="utf-8-sig")
        if len(result.air_quality()):
            result.air_quality().to_csv(staging / "air_quality.csv", index=False, encoding="utf-8-sig")
        write_workbook(result, staging / "results.xlsx")
        (staging / "metadata.json").write_text(json.dumps(result.metadata(), ensure_ascii=False, indent=2),
                                               encoding="utf-8")
        if extra is not None:
            extra(staging)
        names = sorted(p.name for p in staging.iterdir())
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return names


def _swap_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.resolve().parent))
    aside.rmdir()
    os.rename(out, aside)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(aside, out)
        raise
    shutil.rmtree(aside, ignore_errors=True)
