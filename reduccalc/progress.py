"""Progress of long work on stderr, when stderr is a terminal (nothing when it is piped, redirected or a notebook's).

    with progress("simulating", total=len(slices)) as step:
        for part in slices:
            ...
            step()

One line, rewritten in place at most a few times a second (``simulating 3/8 (37 %), 12 s``) and cleared when
the work is done, so what the command prints after it is all that stays on the screen.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

_EVERY = 0.2  # least seconds between two updates of the line


def shown(stream: TextIO | None = None) -> bool:
    """Whether progress is shown on ``stream`` (default stderr): only on a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


@contextmanager
def progress(label: str, total: int | None = None, stream: TextIO | None = None) -> Iterator[Callable[..., None]]:
    """A function to call after each of ``total`` steps of work (or with a note of the stage), which shows
    ``label`` and how far the work is on a terminal.

    ``step(n=1, note="")`` advances ``n`` steps; ``note`` replaces what follows the count (``part 3 of 8``).
    """
    out = sys.stderr if stream is None else stream
    if not shown(out):
        yield lambda n=1, note="": None
        return
    start = last = time.monotonic()
    done = 0
    width = 0

    def write(text: str) -> None:
        nonlocal width
        out.write("\r" + text.ljust(width))
        out.flush()
        width = len(text)

    def step(n: int = 1, note: str = "") -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last < _EVERY and (total is None or done < total):
            return
        last = now
        count = f" {done:,}/{total:,} ({100 * done / total:.0f} %)" if total else ""
        write(f"{label}{count}{' ' + note if note else ''}, {now - start:.0f} s")

    write(f"{label}...")
    try:
        yield step
    finally:
        write("")
        out.write("\r")
        out.flush()
