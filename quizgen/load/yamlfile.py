"""Strict YAML reading that remembers where every value was written.

PyYAML's safe loader still allows duplicate keys (last one wins), anchors and aliases
(the "billion laughs" bomb) and reads scalars by YAML 1.1 (`1:20` is 80, `no` is false).
quizgen composes the node tree itself so it can refuse the first two, read scalars by the
YAML 1.2 core schema, refuse control characters, and report positions for every value.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, QuizgenError, display_path
from ..files import keep_newest, read_contributed, read_kept, write_kept
from ..model import Origin
from ..text import UNSAFE_CHARACTERS, escape_unsafe

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


def _core_schema_resolvers() -> dict[str | None, list]:
    """Implicit types by the YAML 1.2 core schema, read the way a person means a plain scalar.

    PyYAML follows YAML 1.1, which silently turns `1:20` into 80 (base 60), `017` into 15 (octal) and
    `yes`, `no`, `on`, `off` into booleans, and dates into `datetime.date`. Under these rules those stay
    text, as does any whole number written with a leading zero (`017` is an id, not seventeen).
    """
    rules = [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
        ("tag:yaml.org,2002:merge", r"^<<$", "<"),
    ]
    resolvers: dict[str | None, list] = {}
    for tag, pattern, firsts in rules:
        for first in firsts:
            resolvers.setdefault(first, []).append((tag, re.compile(pattern)))
    resolvers.setdefault(None, []).append(("tag:yaml.org,2002:null", re.compile(r"^$")))
    return resolvers


_CORE_SCHEMA = _core_schema_resolvers()


class _PlainLoader(yaml.SafeLoader):
    """The safe loader with YAML 1.2 core-schema types."""

    yaml_implicit_resolvers = _CORE_SCHEMA


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser when it is installed: the same nodes, several times faster."""

    yaml_implicit_resolvers = _CORE_SCHEMA


def unsafe_character_message(text: str) -> str:
    """Why `text` may not be used as it is, or "" when it has no control character or lone surrogate."""
    found = UNSAFE_CHARACTERS.search(text)
    if not found:
        return ""
    kind = "a lone surrogate" if 0xD800 <= ord(found[0]) <= 0xDFFF else "a control character"
    return (f"contains U+{ord(found[0]):04X}, {kind}, at character {found.start() + 1}; "
            "expected plain text (tabs and line breaks are fine)")


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
        found = self.origins.get(at)
        return found if found is not None else Origin(display_path(self.path), 1, 1)

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


def read_yaml(path: Path, root: Path | None = None, *, mending: bool = False) -> Located:
    """Read one YAML file strictly; raise QuizgenError naming file, line and column.

    The file must be a regular file inside `root` (its own folder unless given): files.read_contributed.
    With `mending`, for a file quizgen wrote and is about to write again (review.yaml), bytes that are not
    UTF-8 and control characters come back as visible escapes (\\xff, \\x1b) instead of refusing the file.
    """
    shown = display_path(path)
    raw = read_contributed(Path(path), Path(root) if root else Path(path).parent, limit=MAX_YAML_BYTES,
                           what="YAML file")
    entry = _kept_entry(raw, shown, mending)
    kept = _kept_read(entry, path)
    if kept is not None:
        return kept
    text = escape_unsafe(raw.decode("utf-8-sig", errors="backslashreplace")) if mending else _decode(raw, shown)
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
    converter = _Converter(shown, mending=mending)
    data = converter.convert(node, ())
    located = Located(path, data, converter.origins, converter.key_origins)
    _keep_read(entry, located)
    return located


# ---- reads kept across runs ------------------------------------------------------------------------------------

_KEPT_IN: list[Path] = []  # at most one folder, while reads_kept_in lasts
_WRITTEN: list[bool] = []  # whether a read was kept there since, so the folder is tidied when it ends
READS_KEPT = 4096  # the files of a few large packs, each as last saved; those used longest ago go first
READ_FORMAT = b"quizgen-yaml-read-2"


@contextlib.contextmanager
def reads_kept_in(folder: Path | None) -> Iterator[None]:
    """While it lasts, what read_yaml reads is kept in `folder` (None: nowhere), by the file's bytes, the path its
    messages show and what else its result depends on (the interpreter and its limit on an integer's digits), and
    read back from there instead of being parsed again: after an edit of one file of a pack, the others are not
    parsed (two thirds of loading a pack). The folder's name must change with quizgen's code and PyYAML's
    (build/pool_cache.py names it so). When it ends, all but the READS_KEPT entries used last are removed."""
    before, written_before = list(_KEPT_IN), list(_WRITTEN)
    _KEPT_IN[:], _WRITTEN[:] = ([] if folder is None else [Path(folder)]), []
    try:
        yield
    finally:
        if _KEPT_IN and _WRITTEN:
            try:
                keep_newest(_KEPT_IN[0], READS_KEPT, ".read")
            except OSError:  # a cache that cannot be tidied only costs room
                pass
        _KEPT_IN[:], _WRITTEN[:] = before, written_before


def _kept_entry(raw: bytes, shown: str, mending: bool) -> Path | None:
    if not _KEPT_IN:
        return None
    made_by = f"\0{shown}\0{mending}\0{sys.version}\0{sys.get_int_max_str_digits()}\0".encode()
    return _KEPT_IN[0] / f"{hashlib.sha256(READ_FORMAT + made_by + raw).hexdigest()[:32]}.read"


def _kept_read(entry: Path | None, path: Path) -> Located | None:
    found = read_kept(entry) if entry is not None else None
    if not (isinstance(found, tuple) and len(found) == 3):
        return None
    return Located(path, *found)


def _keep_read(entry: Path | None, located: Located) -> None:
    if entry is not None and write_kept(entry, (located.data, located.origins, located.key_origins)):
        _WRITTEN[:] = [True]


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
    def __init__(self, shown: str, *, mending: bool = False):
        self.shown = shown
        self.mending = mending
        self.origins: dict[tuple, Origin] = {}
        self.key_origins: dict[tuple, Origin] = {}
        self.seen: set[int] = set()
        self.count = 0

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
        return self._scalar(node, at)

    def _scalar(self, node: yaml.ScalarNode, at: tuple) -> Any:
        """A scalar's value by the YAML 1.2 core schema (see _core_schema_resolvers)."""
        text = node.value
        tag = node.tag.rsplit(":", 1)[-1]
        try:
            if tag == "null":
                return None
            if tag == "bool":
                return {"true": True, "false": False}[text.lower()]
            if tag == "int":
                sign = -1 if text.startswith("-") else 1
                digits = text.lstrip("+-")
                base = {"0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
                return sign * int(digits[2:] if base != 10 else digits, base)
            if tag == "float":
                return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                             .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
        except (KeyError, ValueError):
            raise self.fail(node, at, f"{text!r} is not a valid !!{tag}") from None
        problem = unsafe_character_message(text)
        if problem and self.mending:
            return escape_unsafe(text)
        if problem:
            raise self.fail(node, at, problem)
        return text

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
