"""Strict YAML reading that remembers where every value was written.

PyYAML's safe loader still allows duplicate keys (last one wins), anchors and aliases
(the "billion laughs" bomb) and turns dates into `datetime.date`. quizgen composes the
node tree itself so it can refuse all three and report positions for every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, QuizgenError, display_path
from .files import read_contributed
from .model import Origin

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


_NO_TIMESTAMPS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _PlainLoader(yaml.SafeLoader):
    """The safe loader without the timestamp resolver: dates stay text for quizgen to parse."""

    yaml_implicit_resolvers = _NO_TIMESTAMPS


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser when it is installed: the same nodes, several times faster."""

    yaml_implicit_resolvers = _NO_TIMESTAMPS


@dataclass(frozen=True)
class Located:
    """A YAML document as plain Python values plus the origin of every value by path."""

    path: Path
    data: Any
    origins: dict[tuple, Origin]
    key_origins: dict[tuple, Origin]

    def origin(self, at: tuple) -> Origin:
        """The origin of the value at `at`, or of its nearest written parent."""
        while at not in self.origins and at:
            at = at[:-1]
        return self.origins.get(at, Origin(display_path(self.path), 1, 1))

    def problem(self, at: tuple, message: str, *, at_key: bool = False) -> Problem:
        """A problem at the value (or, with at_key, at the key naming it) found at path `at`."""
        o = self.key_origins.get(at) if at_key else None
        o = o or self.origin(at)
        return Problem(o.file, o.line, o.column, field_path(at), message)


def field_path(at: tuple) -> str:
    """('facts', 12, 'date') -> 'facts[12].date'."""
    text = ""
    for part in at:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_yaml(path: Path, root: Path | None = None) -> Located:
    """Read one YAML file strictly; raise QuizgenError naming file, line and column.

    The file must be a regular file inside `root` (its own folder unless given): files.read_contributed.
    """
    shown = display_path(path)
    raw = read_contributed(Path(path), Path(root) if root else Path(path).parent, limit=MAX_YAML_BYTES,
                           what="YAML file")
    text = _decode(raw, shown)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or "invalid YAML"
        if exc.context:
            reason = f"{exc.context}, {reason}"
        raise QuizgenError.at(path, f"YAML syntax error: {reason}", line=line, column=column) from None
    except yaml.YAMLError as exc:
        raise QuizgenError.at(path, f"YAML error: {exc}", line=1, column=1) from None
    if node is None:
        raise QuizgenError.at(path, "file is empty; expected a YAML mapping", line=1, column=1)
    converter = _Converter(shown)
    data = converter.convert(node, ())
    return Located(path, data, converter.origins, converter.key_origins)


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_FastLoader)
    except yaml.YAMLError:
        # The pure-Python parser words its errors better (it names the character found); errors are rare.
        return yaml.compose(text, Loader=_PlainLoader)


def _decode(raw: bytes, shown: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise QuizgenError(
            Problem(shown, line, column, "", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8")
        ) from None
    return text


class _Converter:
    def __init__(self, shown: str):
        self.shown = shown
        self.origins: dict[tuple, Origin] = {}
        self.key_origins: dict[tuple, Origin] = {}
        self.seen: set[int] = set()
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, at: tuple, message: str) -> QuizgenError:
        return QuizgenError(
            Problem(self.shown, node.start_mark.line + 1, node.start_mark.column + 1, field_path(at), message)
        )

    def convert(self, node: yaml.Node, at: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, at, f"more than {MAX_NODES:,} values in one file")
        if id(node) in self.seen:
            raise self.fail(node, at, "YAML anchors and aliases (&name / *name) are not allowed; write the value out")
        self.seen.add(id(node))
        if node.tag not in _STANDARD_TAGS:
            raise self.fail(node, at, f"tag {node.tag!r} is not allowed; only plain YAML values are")
        self.origins[at] = Origin(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*at, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, at: tuple) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, at, "mapping keys must be plain text (no merge keys or complex keys)")
            key = str(key_node.value)
            if key in result:
                first = self.origins[(*at, key)]
                raise self.fail(key_node, (*at, key), f"duplicate key {key!r} (first written at line {first.line})")
            mark = key_node.start_mark
            self.key_origins[(*at, key)] = Origin(self.shown, mark.line + 1, mark.column + 1)
            result[key] = self.convert(value_node, (*at, key))
        return result
