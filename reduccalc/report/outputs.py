"""Write a result's files into folders, all or nothing, keeping every other file.

``--out DIR`` and ``--plot DIR`` may name an existing folder (with the
user's own files, the scenario among them), a new one (made with its missing
parents) or ``.``. Both paths are checked before anything is written. Every
file is first written into a hidden staging folder inside its target
(``.reduccalc-staging-<host>-<pid>-<random>``); only when all of them, in
every folder, are written are they moved into place one by one
(``os.replace``), with Ctrl-C and SIGTERM held back for those few renames
and every rename undone if one fails. Files keep the permissions the umask
gives.

Each folder gets a manifest, ``.reduccalc-manifest.json``, listing the files
this run wrote there. The next run into the folder replaces exactly those:
a file of an earlier run that this run does not write (a figure of a county
no longer in the plan) is removed and said, every other file is kept. A
staging folder left by a killed run is removed by a later run once its
process is gone.

``reduccalc report -o FILE`` (:func:`write_report`) writes one file by the
same rules: staged, moved into place, listed in the manifest under
``reports``; it replaces only a report listed there and removes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from ..result import Result

MANIFEST = ".reduccalc-manifest.json"
REPORTS = "reports"  # the manifest's list of the files `reduccalc report -o` wrote
STAGING = ".reduccalc-staging-"
HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while the files were moved into place; they are all written."""


@dataclass
class Written:
    """What one run wrote into one folder."""

    path: Path  # as the user gave it
    names: list[str]  # files written, sorted
    removed: list[str] = field(default_factory=list)  # files of an earlier run this one did not write
    notes: list[str] = field(default_factory=list)  # what a file could not hold as it is


@dataclass
class _Folder:
    """A target folder while it is being written."""

    path: Path
    options: list[str]
    created: list[Path] = field(default_factory=list)  # folders this run made, outermost first
    staging: Path | None = None
    written: Written | None = None
    committed: bool = False
    replaces_earlier: bool = True  # remove the files of the manifest's earlier run that this run did not write
    figures: dict[str, Any] = field(default_factory=dict)  # save_plots' keywords: lang, fmt, which

    @property
    def option(self) -> str:
        return "/".join(self.options)

    def error(self, message: str) -> ScenarioError:
        return ScenarioError(message, field=self.option)


def write_outputs(result: Result, out: str | Path | None = None, plot: str | Path | None = None,
                  **figures: Any) -> list[Written]:
    """Write the results into ``out`` and the figures into ``plot`` (either may be None, both the same folder).

    Results: summary, reductions and ledger as CSV (UTF-8 with BOM, for
    Excel), ``iamc.csv`` (:mod:`reduccalc.report.iamc`, for pyam),
    ``results.xlsx`` and ``metadata.json``. Figures: PNG or SVG
    files (see :func:`reduccalc.report.figures.save_plots`, which takes the
    ``figures`` keywords ``lang``, ``fmt`` and ``which``). Raises ``ScenarioError``
    naming the path and what is wrong when a folder cannot be written;
    nothing is changed then.
    """
    folders = _folders(out, plot)
    try:
        for folder in folders:
            _check(folder)
        for folder in folders:
            _stage(folder)
        for folder in folders:
            folder.figures = figures
            _write_files(result, folder, results="--out" in folder.options, figures="--plot" in folder.options)
        _commit(folders)
    except OSError as error:
        raise _os_error(folders, error) from None
    finally:
        for folder in folders:
            _discard(folder)
    return [folder.written for folder in folders if folder.written is not None and folder.committed]


def _folders(out: str | Path | None, plot: str | Path | None) -> list[_Folder]:
    folders: list[_Folder] = []
    for option, path in (("--out", out), ("--plot", plot)):
        if path is None:
            continue
        if str(path) == "":
            raise ScenarioError("the folder's name is empty", field=option, hint="for the current folder, give .")
        path = Path(path)
        same = [f for f in folders if _same_place(f.path, path)]
        if same:
            same[0].options.append(option)
        else:
            folders.append(_Folder(path, [option]))
    return folders


def _same_place(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _check(folder: _Folder) -> None:
    """Raise if ``folder.path`` cannot be a folder we write into; change nothing."""
    path = folder.path
    if path.is_symlink() and not path.exists():
        raise folder.error(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist")
    if path.exists():
        if not path.is_dir():
            raise folder.error(f"{path} is a file, not a folder")
        return
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise folder.error(f"cannot make folder {path}: {parent} is a file, not a folder")
            return


def _stage(folder: _Folder) -> None:
    """Make the folder (and missing parents) if needed, remove stale staging folders, make ours."""
    missing = [p for p in (folder.path, *folder.path.parents) if not p.exists()]
    for path in reversed(missing):
        try:
            os.mkdir(path)  # mode 0o777 less the umask, as mkdir(1) does
        except OSError as error:
            raise folder.error(f"cannot make folder {path}: {_reason(error)}") from None
        folder.created.append(path)
    _remove_stale_staging(folder.path)
    prefix = f"{STAGING}{_host()}-{os.getpid()}-"
    try:
        folder.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=folder.path))
    except OSError as error:
        raise folder.error(f"cannot write in folder {folder.path}: {_reason(error)}") from None


def _host() -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in socket.gethostname()) or "host"


def _remove_stale_staging(path: Path) -> None:
    """Remove staging folders of runs on this host whose process is gone (killed, SIGKILL)."""
    for staging in path.glob(STAGING + "*"):
        host, _, rest = staging.name[len(STAGING):].partition("-")
        pid = rest.partition("-")[0]
        if host == _host() and pid.isdigit() and not _alive(int(pid)) and staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_files(result: Result, folder: _Folder, results: bool, figures: bool) -> None:
    staging = folder.staging
    assert staging is not None
    notes: list[str] = []
    if results:
        notes = _write_results(result, staging)
    if figures:
        from .figures import save_plots

        save_plots(result, staging, **folder.figures)
    names = sorted(p.name for p in staging.iterdir())
    _write_manifest(folder, result.scenario.name, files=names, reports=_manifest(folder.path, REPORTS))
    folder.written = Written(folder.path, names, notes=notes)


def _write_manifest(folder: _Folder, scenario: str, files: list[str], reports: list[str]) -> None:
    """The folder's manifest into its staging folder: the files of ``--out``/``--plot`` and the reports."""
    assert folder.staging is not None
    manifest: dict[str, Any] = {"written_by": f"reduccalc {_version()}", "scenario": scenario, "files": files}
    if reports:
        manifest[REPORTS] = sorted(reports)
    (folder.staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")


def write_report(result: Result, path: str | Path, content: bytes) -> Written:
    """Write ``content`` (a report of ``result``) as the file ``path``, all or nothing.

    The trust rules of ``--out``: ``path`` may be new, or a report an
    earlier ``reduccalc report`` wrote there (listed under ``reports`` in
    the folder's manifest); any other file of that name is the user's and
    is kept (a ``ScenarioError``, nothing written). The report's folder is
    made if missing. Other files of the folder, ``--out`` results
    included, are never touched, and a later ``--out`` run into the folder
    keeps the reports.
    """
    if str(path) == "":
        raise ScenarioError("the file's name is empty", field="-o", hint="e.g. -o report.html")
    target = Path(path)
    if target.name in ("", ".", "..") or str(path).endswith(("/", os.sep)):
        raise ScenarioError(f"{path} names a folder, not a file", field="-o", hint="e.g. -o report.html")
    folder = _Folder(target.parent, ["-o"], replaces_earlier=False)
    try:
        _check(folder)
        reports = _manifest(folder.path, REPORTS)
        if target.is_dir() and not target.is_symlink():
            raise folder.error(f"{target} is a folder")
        if os.path.lexists(target) and target.name not in reports:
            raise ScenarioError(f"{target} exists and reduccalc did not write it: it is kept", field="-o",
                                hint="give another file name, or move that file away")
        _stage(folder)
        assert folder.staging is not None
        (folder.staging / target.name).write_bytes(content)
        try:
            files = json.loads((folder.path / MANIFEST).read_text(encoding="utf-8")).get("files", [])
        except (OSError, ValueError, AttributeError):
            files = []
        _write_manifest(folder, result.scenario.name, files=_names(files), reports=[*set(reports) | {target.name}])
        folder.written = Written(folder.path, [target.name])
        _commit([folder])
    except OSError as error:
        raise _os_error([folder], error) from None
    finally:
        _discard(folder)
    return folder.written


def _write_results(result: Result, staging: Path) -> list[str]:
    """The CSVs (air_quality.csv where the scenario has air-quality blocks, iamc.csv in the IAMC format), the
    workbook and the metadata; returns the workbook's notes."""
    from .excel import write_workbook
    from .iamc import iamc_table

    tables = [("summary", result.summary()), ("reductions", result.reductions), ("ledger", result.ledger),
              ("iamc", iamc_table(result))]
    if len(result.air_quality_report.table):
        tables.append(("air_quality", result.air_quality()))
    for name, frame in tables:
        csv_safe(frame).to_csv(staging / f"{name}.csv", index=False, encoding="utf-8-sig")
    notes = write_workbook(result, staging / "results.xlsx")
    (staging / "metadata.json").write_text(json.dumps(result.metadata(), ensure_ascii=False, indent=2),
                                           encoding="utf-8")
    return notes


def _version() -> str:
    from .. import __version__

    return __version__


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text that a spreadsheet would run as a formula prefixed by ``'``.

    The OWASP rule for CSV injection: a text field starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return. Numbers are left as
    numbers; categorical columns are changed in their categories only.
    """
    import pandas as pd

    safe = frame.copy()
    for name in safe.columns:
        column = safe[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or column.dtype.kind == "O":  # object and str
            safe[name] = column.map(_csv_text)
    return safe


def _csv_text(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _commit(folders: list[_Folder]) -> None:
    """Move every staged file into place, remove the earlier runs' files no longer written; undo all on error."""
    undo: list[tuple[Path, Path | None]] = []  # (a path changed, the file it held, kept aside, or None)
    with _signals_held():
        try:
            for folder in folders:
                _place(folder, undo)
        except BaseException:
            for path, aside in reversed(undo):
                if aside is not None:
                    os.replace(aside, path)
                elif os.path.lexists(path):
                    os.unlink(path)
            raise
        for folder in folders:
            folder.committed = True


def _place(folder: _Folder, undo: list[tuple[Path, Path | None]]) -> None:
    staging, written = folder.staging, folder.written
    assert staging is not None and written is not None
    aside = staging / ".replaced"
    aside.mkdir()
    earlier = _manifest(folder.path) if folder.replaces_earlier else []
    for name in [*written.names, MANIFEST]:
        target = folder.path / name
        kept = None
        if target.is_dir() and not target.is_symlink():  # the user's folder: never moved, never removed
            raise IsADirectoryError(errno.EISDIR, "a folder of that name is in the way", str(target))
        if os.path.lexists(target):
            kept = aside / name
            os.replace(target, kept)
        undo.append((target, kept))
        os.replace(staging / name, target)
    for name in sorted(set(earlier) - set(written.names)):
        target = folder.path / name
        if target.is_file() or target.is_symlink():  # never a folder
            os.replace(target, aside / name)
            undo.append((target, aside / name))
            written.removed.append(name)


def _manifest(path: Path, key: str = "files") -> list[str]:
    """The plain file names an earlier run listed in ``path``'s manifest under ``key`` (``files``: by
    ``--out``/``--plot``; ``reports``) (none when it is missing or broken)."""
    try:
        listed = json.loads((path / MANIFEST).read_text(encoding="utf-8")).get(key, [])
    except (OSError, ValueError, AttributeError):
        return []
    return _names(listed)


def _names(listed: Any) -> list[str]:
    """The plain file names in a manifest's list (nothing with a folder, nothing hidden)."""
    if not isinstance(listed, list):
        return []
    return [name for name in listed if isinstance(name, str) and name == Path(name).name
            and name not in ("", ".", "..") and not name.startswith(".")]


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back; one that arrived meanwhile raises ``InterruptedAfterWriting`` after.

    The handlers are swapped rather than the signals masked: a mask holds
    for one thread only, and the kernel may hand a signal to another.
    """
    arrived: list[int] = []
    try:
        previous = {number: signal.signal(number, lambda number, frame: arrived.append(number))
                    for number in HELD_SIGNALS}
    except ValueError:  # not the main thread, where signals are not handled anyway
        yield
        return
    done = False
    try:
        yield
        done = True
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if arrived and done:
            raise InterruptedAfterWriting("the files were all written")


def _discard(folder: _Folder) -> None:
    """Remove the staging folder, and the folders made for a write that did not happen."""
    if folder.staging is not None:
        shutil.rmtree(folder.staging, ignore_errors=True)
        folder.staging = None
    if not folder.committed:
        for path in reversed(folder.created):
            with contextlib.suppress(OSError):
                path.rmdir()


def _os_error(folders: list[_Folder], error: OSError) -> ScenarioError:
    """A message naming the file (as the user will find it, not in the staging folder) and what is wrong."""
    path = str(error.filename or "")
    for folder in folders:
        if folder.staging is not None and path.startswith(str(folder.staging)):
            path = str(folder.path / Path(path).name)
        if path.startswith(str(folder.path)):
            return folder.error(f"cannot write {path}: {_reason(error)}")
    return folders[0].error(f"cannot write {path or folders[0].path}: {_reason(error)}")


def _reason(error: OSError) -> str:
    return error.strerror.lower() if error.strerror else str(error)
