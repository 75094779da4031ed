"""Safe, bounded YAML loading that remembers where every value came from.

The node tree is composed by PyYAML's C loader (safe tags only); a small
constructor of our own then builds plain dicts and lists. It

- rejects duplicate keys (PyYAML silently keeps the last),
- counts the nodes that aliases expand to and rejects a document past
  ``MAX_ALIAS_EXPANSION`` (a "billion laughs" file fails in milliseconds),
- bounds nesting depth and file size (a scenario file is a regular file of
  at most ``MAX_BYTES``, read as :mod:`reduccalc.inputfiles` reads every
  input; a spreadsheet given as the scenario is named as a register),
- records line and column (1-based) of every mapping key and value, so that
  errors can point at ``file:line:column``,
- refuses the numbers YAML 1.1 reads unlike YAML 1.2 and unlike what they
  look like: octal ``010`` (8), binary ``0b11`` (3), base 60 ``1:30`` (90).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from ..inputfiles import OLE2_MAGIC, ZIP_MAGIC, excerpt, read_bytes
from ..perf import paused_gc
from ..positions import key_position as key_position  # re-exported: positions of what the loader read
from ..positions import line_column
from ..positions import position as position

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader

_RESOLVER = yaml.resolver.Resolver()


@lru_cache(maxsize=1 << 16)
def _resolve(kind: type, value: str | None, implicit: tuple[bool, bool] | bool) -> str:
    return _RESOLVER.resolve(kind, value, implicit)  # type: ignore[no-any-return]


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, resolving each distinct scalar's implicit tag once.

    A scenario repeats its keys and many values thousands of times; the
    resolver (Python regexes, called from libyaml's composer for every
    scalar) depends only on the scalar and its style, as the safe loader has
    no path resolvers.
    """

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool] | bool) -> str:
        return _resolve(kind, value, implicit)

MAX_BYTES = 64 * 1024 * 1024
MAX_ALIAS_EXPANSION = 100_000
MAX_DEPTH = 64

_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class PosDict(dict):
    """A dict that knows where each key's value (and each key) stands in the file."""

    __slots__ = ("_pos", "_key_pos", "_where")

    def __init__(self) -> None:
        super().__init__()
        self._pos: dict[Any, yaml.Mark] = {}
        self._key_pos: dict[Any, yaml.Mark] = {}
        self._where: yaml.Mark | None = None

    @property
    def where(self) -> tuple[int, int] | None:
        return None if self._where is None else line_column(self._where)


class PosList(list):
    """A list that knows where each item (and the list) stands in the file."""

    __slots__ = ("_pos", "_where")

    def __init__(self) -> None:
        super().__init__()
        self._pos: list[yaml.Mark] = []
        self._where: yaml.Mark | None = None

    @property
    def where(self) -> tuple[int, int] | None:
        return None if self._where is None else line_column(self._where)




_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": _SCALAR_CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SCALAR_CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALAR_CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _SCALAR_CONSTRUCTOR.construct_yaml_timestamp,
}
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# YAML 1.1 numbers that YAML 1.2 reads otherwise (or as text), with what 1.1 makes of them
_YAML11_ONLY = {"an octal": re.compile(r"[-+]?0[0-7_]+"), "a binary": re.compile(r"[-+]?0b[01_]+"),
                "a base-60": re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")}


def _yaml11_only(text: str) -> str | None:
    """What kind of YAML 1.1-only number ``text`` is, or None."""
    if ":" not in text and text.lstrip("+-")[:1] != "0":
        return None
    return next((kind for kind, pattern in _YAML11_ONLY.items() if pattern.fullmatch(text)), None)


class _Builder:
    """Builds values from composed nodes; collections are memoised so aliases are shared and counted."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.built: dict[int, tuple[Any, int]] = {}  # id(node) -> (value, nodes it expands to)
        self.expanded = 0

    def error(self, message: str, node: yaml.Node, hint: str | None = None) -> ScenarioError:
        line, column = line_column(node.start_mark)
        return ScenarioError(message, file=self.file, line=line, column=column, hint=hint)

    def build(self, node: yaml.Node, depth: int = 0) -> tuple[Any, int]:
        """``(value, size)`` of a node; size counts the nodes it expands to."""
        if node.__class__ is yaml.ScalarNode:
            return self._scalar(node), 1
        key = id(node)
        done = self.built.get(key)
        if done is not None:  # an alias: shared, but count what it expands to
            self.expanded += done[1]
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise self.error(
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes",
                    node,
                    "anchors are for reuse of small blocks; a file that expands this far is rejected",
                )
            return done
        if depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            done = self._mapping(node, depth)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            done = self._sequence(node, depth)
        else:
            raise self.error(f"YAML tag {node.tag!r} is not allowed", node, "scenario files hold plain values only")
        self.built[key] = done
        return done

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> tuple[PosList, int]:
        result = PosList()
        result._where = node.start_mark
        marks = result._pos
        size = 1
        for item in node.value:
            value, item_size = self.build(item, depth + 1)
            result.append(value)
            marks.append(item.start_mark)
            size += item_size
        return result, size

    def _mapping(self, node: yaml.MappingNode, depth: int) -> tuple[PosDict, int]:
        result = PosDict()
        result._where = node.start_mark
        marks, key_marks = result._pos, result._key_pos
        size = 1
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.error("YAML merge keys (<<) are not supported", key_node, "write the keys out")
                raise self.error("a mapping key must be a plain value", key_node)
            key = self._scalar(key_node)
            if key in result:
                first = key_marks[key].line + 1
                raise self.error(f"duplicate key {key!r} (first defined on line {first})", key_node)
            value, value_size = self.build(value_node, depth + 1)
            result[key] = value
            key_marks[key] = key_node.start_mark
            marks[key] = value_node.start_mark
            size += 1 + value_size
        return result, size

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        construct = _SCALARS.get(tag)
        if construct is None:
            if tag == "tag:yaml.org,2002:merge":
                raise self.error("YAML merge keys (<<) are not supported", node, "write the keys out")
            raise self.error(f"YAML tag {tag!r} is not allowed", node, "scenario files hold plain values only")
        try:
            value = construct(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = str(exc) if len(str(exc)) <= 80 else f"not a valid {tag.rsplit(':', 1)[-1]}"  # a long one quotes it
            raise self.error(f"cannot read value {excerpt(node.value)}: {reason}", node) from None
        if tag in _NUMBERS:
            kind = _yaml11_only(node.value)
            if kind is not None:
                raise self.error(f"{node.value} is {kind} number in YAML 1.1 ({value:g}), not what it looks like",
                                 node, f"quote it ('{node.value}') for a name or code; write the number in "
                                       "decimal digits without leading zeros")
        return value


SPREADSHEETS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".et", ".ods")


def read_text(path: str | Path, max_bytes: int | None = None) -> str:
    """Read a scenario file: UTF-8 (with or without BOM), a regular file, bounded in size.

    Raises
    ------
    ScenarioError
        For a file that cannot be read, is too large, is a spreadsheet
        (a register given where the scenario belongs) or is not UTF-8.
    """
    path = Path(path)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    try:
        data = read_bytes(path, "scenario file", limit,
                          hint="a scenario holds settings and a few measures; keep long lists of measures in a "
                               "register (measures_file: boilers.csv)")
    except ScenarioError as error:
        raise error.located(file=str(path)) from None
    if path.suffix.lower() in SPREADSHEETS or data.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise ScenarioError("this is a spreadsheet (a register), not a scenario file", file=str(path),
                            hint="a scenario is a YAML file (name:, period:, counties: ...); name the register in "
                                 f"one with `measures_file: {path.name}` (see scenarios/registers/)")
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
    with paused_gc():  # one pause for the node tree and the values built from it
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
            return _Builder(file).build(node)[0]
        except RecursionError:
            raise ScenarioError("invalid YAML: nesting too deep", file=file) from None


def load_yaml(path: str | Path) -> Any:
    """Read and parse a YAML file safely; see the module docstring."""
    return load_yaml_text(read_text(path), file=str(path))


def not_a_scenario(document: Any, file: str) -> ScenarioError:
    """The error for a YAML file that holds a text or a list where a scenario's keys belong."""
    what = f"a list of {len(document)} items" if isinstance(document, list) else f"the value {excerpt(str(document))}"
    line, column = getattr(document, "where", None) or (1, 1)
    return ScenarioError(f"the file holds {what}, not a scenario", file=file, line=line, column=column,
                         hint="a scenario is a mapping of keys: name:, period:, counties: ... (see "
                              "scenarios/tutorial.yaml)")
