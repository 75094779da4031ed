"""Where a value stands in its file: (line, column) of the items of a loaded YAML mapping or list.

The loader (:mod:`reduccalc.inputs.yamlio`) records marks on its containers; the checks (:mod:`reduccalc.fields`)
ask for positions through these functions without knowing the loader. A plain dict or list has no positions:
every function answers ``(None, None)`` for it.
"""

from __future__ import annotations

from typing import Any


def line_column(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a YAML mark (0-based ``line`` and ``column``)."""
    return mark.line + 1, mark.column + 1


def position(container: Any, key: Any) -> tuple[int | None, int | None]:
    """(line, column) of ``container[key]`` where known."""
    marks = getattr(container, "_pos", None)
    if marks is None:
        return None, None
    try:
        return line_column(marks[key])
    except (KeyError, IndexError, TypeError):
        return None, None


def key_position(container: Any, key: Any) -> tuple[int | None, int | None]:
    """(line, column) of a mapping key, falling back to the mapping itself."""
    key_marks = getattr(container, "_key_pos", None)
    if key_marks is not None and key in key_marks:
        return line_column(key_marks[key])
    where = getattr(container, "where", None)
    return where if where else (None, None)

