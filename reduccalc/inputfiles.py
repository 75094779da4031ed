"""Opening the files a plan names: where they may be, what they may be, how big.

A scenario names other files: ``measures_file``, ``baselines_file`` and
``factors``. The rule for them:

- a path is relative to the plan's folder (the scenario file's folder, or
  ``base_dir`` for a dict; the current folder for a dict without one) and,
  once ``..`` and symbolic links are followed, must stay inside that folder
  or its subfolders;
- absolute paths, ``../`` that leads out and links to files elsewhere are
  refused, unless the user trusts the plan: ``--allow-outside`` on the
  command line, ``load_scenario(..., allow_outside=True)`` in Python. The
  scenario file itself may be anywhere: its path is the one the user typed;
- only regular files are read: a folder, a named pipe (FIFO), a device or
  a socket is refused by its kind (``os.stat`` before opening, ``fstat``
  after), and every read is bounded in size whatever the file claims.

Messages quote a file's content only as a short escaped :func:`excerpt`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ScenarioError

EXCERPT = 40  # characters of a file's content a message may quote
ZIP_MAGIC = b"PK\x03\x04"  # the first bytes of a zip archive: .xlsx, .xlsm, .ods
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # of an OLE2 file: .xls, .et, a password-protected .xlsx
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
OUTSIDE_HINT = ("write it relative to the plan's folder and keep the file there; if you trust this plan, "
                "pass --allow-outside (load_scenario(..., allow_outside=True))")


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A file's text as a message may quote it: escaped, at most ``limit`` characters.

    >>> excerpt("PATH=/bin\\x00HOME=/root\\x00" * 3, 12)
    "'PATH=/bin\\\\x00HO'... (63 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def shown(name: str) -> str:
    """A name or header as a message names it: as it is, or, when blank, long or unprintable, as a short
    escaped excerpt (a county ``"\\r"`` or a 10,000-character header cannot garble the message).

    >>> shown("宣化区"), shown(" "), shown("a\\x1b[2K")
    ('宣化区', "' '", "'a\\\\x1b[2K'")
    """
    plain = name.strip() and len(name) <= EXCERPT and name.isprintable()
    return name if plain else excerpt(name)


def column_label(header: str) -> str:
    """A header as problems name its column."""
    return f"column {shown(header)}"


@dataclass(frozen=True)
class PlanFolder:
    """The folder a plan's files are relative to, and whether they may lie outside it."""

    root: Path | None = None  # None: the current folder
    allow_outside: bool = False

    def join(self, name: str) -> Path:
        """``name`` relative to the folder (an absolute name as it is), unchecked."""
        path = Path(name)
        return path if path.is_absolute() or self.root is None else self.root / path

    def resolve(self, name: str, what: str = "file") -> Path:
        """The path of ``name``, checked against the rule of the module docstring.

        Raises
        ------
        ScenarioError
            Without a location: the caller places it at the plan's line
            that names the file.
        """
        path = self.join(name)
        if self.allow_outside:
            return path
        root = os.path.realpath(self.root if self.root is not None else Path.cwd())
        if Path(name).is_absolute():
            raise ScenarioError(f"{what} {name!r} is an absolute path; a plan reads files in its own folder "
                                f"({root})", hint=OUTSIDE_HINT)
        if not _inside(os.path.normpath(os.path.join(root, name)), root):
            raise ScenarioError(f"{what} {name!r} leads out of the plan's folder ({root})", hint=OUTSIDE_HINT)
        real = os.path.realpath(path)
        if not _inside(real, root):
            raise ScenarioError(f"{what} {name!r} is a symbolic link to {real}, outside the plan's folder "
                                f"({root})", hint=OUTSIDE_HINT)
        return path


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is (None for a regular file)."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_bytes(path: Path, what: str, limit: int, name: str | None = None, hint: str | None = None) -> bytes:
    """A regular file's bytes, at most ``limit`` of them.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What it is, for messages: ``"register"``, ``"factor file"`` ...
    limit : int
        The most bytes it may hold. [bytes]
    name : str, optional
        The file as the plan names it, quoted after ``what`` in messages
        (none for a message that is located at the file itself).
    hint : str, optional
        Why the limit, or where to put a larger input.

    Raises
    ------
    ScenarioError
        Naming the file and what is wrong with it (not found, a folder, a
        FIFO or device, unreadable, too large), without a location.
    """
    shown = what if name is None else f"{what} {name!r}"
    try:
        kind = _kind(os.stat(path).st_mode)  # before opening: opening a FIFO waits, a device may act
        if kind is not None:
            raise ScenarioError(f"{shown} is {kind}, not a file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            status = os.fstat(file.fileno())  # the file opened, as stat'ed (no swap in between)
            kind = _kind(status.st_mode)
            if kind is not None:
                raise ScenarioError(f"{shown} is {kind}, not a file")
            data = _read_bounded(file, status.st_size, limit)
    except FileNotFoundError:
        raise ScenarioError(f"{shown} not found (looked for {os.path.abspath(path)})") from None
    except PermissionError:
        raise ScenarioError(f"{shown} cannot be read: permission denied") from None
    except OSError as error:
        raise ScenarioError(f"{shown} cannot be read: {error.strerror or error}") from None
    if len(data) > limit:
        size = os.stat(path).st_size
        raise ScenarioError(f"{shown} is {_megabytes(max(size, len(data)))}; a {what} is at most "
                            f"{_megabytes(limit)}", hint=hint)
    return data


def _read_bounded(file: BinaryIO, size: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``file``: as many as its ``size`` says, then on to its end
    (``/proc`` files say 0, a file may grow), so a file past the limit is seen without reading it all.
    """
    data = file.read(min(size, limit) + 1)  # one read of the right size (a read of limit + 1 allocates that much)
    if len(data) <= size:
        return data
    parts, total = [data], len(data)
    while total <= limit and (part := file.read(min(2**20, limit + 1 - total))):
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB" if size >= 2**20 else f"{size:,} bytes"
