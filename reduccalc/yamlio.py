"""Safe, bounded YAML loading that remembers where every value came from.

The node tree is composed by PyYAML's C loader (safe tags only); a small
constructor of our own then builds plain dicts and lists. It

- rejects duplicate keys (PyYAML silently keeps the last),
- counts the nodes that aliases expand to and rejects a document past
  ``MAX_ALIAS_EXPANSION`` (a "billion laughs" file fails in milliseconds),
- bounds nesting depth and file size,
- records line and column (1-based) of every mapping key and value, so that
  errors can point at ``file:line:column``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_BYTES = 64 * 1024 * 1024
MAX_ALIAS_EXPANSION = 100_000
MAX_DEPTH = 64

_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}


class PosDict(dict):
    """A dict that knows the (line, column) of each key's value and its own."""

    __slots__ = ("pos", "key_pos", "where")

    def __init__(self) -> None:
        super().__init__()
        self.pos: dict[Any, tuple[int, int]] = {}
        self.key_pos: dict[Any, tuple[int, int]] = {}
        self.where: tuple[int, int] | None = None


class PosList(list):
    """A list that knows the (line, column) of each item and its own."""

    __slots__ = ("pos", "where")

    def __init__(self) -> None:
        super().__init__()
        self.pos: list[tuple[int, int]] = []
        self.where: tuple[int, int] | None = None


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.built: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.expanded = 0

    def error(self, message: str, node: yaml.Node, hint: str | None = None) -> ScenarioError:
        line, column = _mark(node)
        return ScenarioError(message, file=self.file, line=line, column=column, hint=hint)

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        key = id(node)
        if key in self.built:  # an alias: shared, but count what it expands to
            self.expanded += self.sizes[key]
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise self.error(
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes",
                    node,
                    "anchors are for reuse of small blocks; a file that expands this far is rejected",
                )
            return self.built[key]
        if depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels", node)
        value: Any
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, "tag:yaml.org,2002:map")
            value, size = self._mapping(node, depth)
        elif isinstance(node, yaml.SequenceNode):
            self._check_tag(node, "tag:yaml.org,2002:seq")
            value, size = self._sequence(node, depth)
        else:
            value, size = self._scalar(node), 1
        self.built[key] = value
        self.sizes[key] = size
        return value

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise self.error(f"YAML tag {node.tag!r} is not allowed", node, "scenario files hold plain values only")

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> tuple[PosList, int]:
        result = PosList()
        result.where = _mark(node)
        size = 1
        for item in node.value:
            result.append(self.build(item, depth + 1))
            result.pos.append(_mark(item))
            size += self.sizes[id(item)]
        return result, size

    def _mapping(self, node: yaml.MappingNode, depth: int) -> tuple[PosDict, int]:
        result = PosDict()
        result.where = _mark(node)
        size = 1
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.error("YAML merge keys (<<) are not supported", key_node, "write the keys out")
            key = self.build(key_node, depth + 1)
            if isinstance(key, (dict, list)):
                raise self.error("a mapping key must be a plain value", key_node)
            if key in result:
                first = result.key_pos[key][0]
                raise self.error(f"duplicate key {key!r} (first defined on line {first})", key_node)
            result[key] = self.build(value_node, depth + 1)
            result.key_pos[key] = _mark(key_node)
            result.pos[key] = _mark(value_node)
            size += 1 + self.sizes[id(value_node)]
        return result, size

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag not in _SAFE_SCALAR_TAGS:
            raise self.error(f"YAML tag {node.tag!r} is not allowed", node, "scenario files hold plain values only")
        try:
            return _SCALAR_CONSTRUCTOR.construct_object(node, deep=False)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise self.error(f"cannot read value {node.value!r}: {exc}", node) from None


def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 file (with or without BOM), bounded in size."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError("file not found", file=str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    if path.is_dir():
        raise ScenarioError("is a directory, expected a file", file=str(path))
    if size > max_bytes:
        raise ScenarioError(f"file is {size:,} bytes, more than the {max_bytes:,} allowed", file=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"not valid UTF-8 (byte {exc.start})",
            file=str(path),
            line=line,
            hint="save the file as UTF-8; files saved as GBK/GB2312 must be converted",
        ) from None


def load_yaml_text(text: str, file: str = "<string>") -> Any:
    """Parse YAML text into plain values with positions (PosDict/PosList)."""
    if len(text) > MAX_BYTES:
        raise ScenarioError(f"document is larger than {MAX_BYTES:,} characters", file=file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}: {message}"
        raise ScenarioError(f"invalid YAML: {message}", file=file, line=line, column=column) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise ScenarioError("invalid YAML: nesting too deep", file=file) from None
    if node is None:
        return None
    try:
        return _Builder(file).build(node)
    except RecursionError:
        raise ScenarioError("invalid YAML: nesting too deep", file=file) from None


def load_yaml(path: str | Path) -> Any:
    """Read and parse a YAML file safely; see the module docstring."""
    return load_yaml_text(read_text(path), file=str(path))


def position(container: Any, key: Any) -> tuple[int | None, int | None]:
    """(line, column) of ``container[key]`` where known."""
    pos = getattr(container, "pos", None)
    if pos is None:
        return None, None
    try:
        return pos[key]
    except (KeyError, IndexError, TypeError):
        return None, None


def key_position(container: Any, key: Any) -> tuple[int | None, int | None]:
    """(line, column) of a mapping key, falling back to the mapping itself."""
    key_pos = getattr(container, "key_pos", None)
    if key_pos is not None and key in key_pos:
        return key_pos[key]
    where = getattr(container, "where", None)
    return where if where else (None, None)


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
