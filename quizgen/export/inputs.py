"""What each export format reads from a question set, as a digest: a format whose digest is unchanged would make
the same bytes again, so a build can take them from its cache instead (build/export_cache.py).

A question set is cut into parts (`PARTS`), each serialised canonically once per build; a format names the parts
it reads (`ExportFormat.reads`), and may narrow them with a function of its module (Kahoot: only the rows it takes).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import PurePath
from typing import Any

from ..model import QuestionSet

LAYOUTS = "layouts"  # a format that reads the layout folders (built-in and --layouts)
# a format that reads its earlier file at the output path; its bytes made from an earlier file must be the bytes it
# makes again from those bytes, so a rebuild from its own output may take them from the cache (anki.py)
EARLIER = "earlier file"

# the parts of a question set a format may read; everything a format reads from the set is in one of them
PARTS: dict[str, Callable[[QuestionSet], Any]] = {
    "pack": lambda s: (s.pack_id, s.pack_title, s.language, s.licence, s.seed, s.topics),
    "questions": lambda s: s.questions,
    "versions": lambda s: s.versions,
    "deck": lambda s: s.study_deck(),
}


def canonical(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """`value` as plain JSON values that name every field, so two values serialise alike only when they are equal
    (a float is written as its repr, so 1 and 1.0 differ, as they may in an export). With a `memo`, a value met
    again (the citations every version of a question shares) is not walked again."""
    kind = type(value)
    # the exact types first: a build digests some 100,000 values of a 40-version set
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if memo is not None and id(value) in memo:
        return memo[id(value)][1]
    if kind is tuple or kind is list:
        result: Any = [canonical(v, memo) for v in value]
    elif (names := _field_names(kind)) is not None:
        result = [kind.__name__, {name: canonical(getattr(value, name), memo) for name in names}]
    elif kind is float:
        result = ["float", repr(value)]
    elif isinstance(value, dict):
        result = ["dict", [[canonical(k, memo), canonical(v, memo)] for k, v in value.items()]]
    elif isinstance(value, (date, PurePath, str)):  # and their subclasses: a Markup is not a plain string
        result = [kind.__name__, str(value)]
    elif isinstance(value, (int, float, tuple)):
        result = [kind.__name__, canonical(float(value) if isinstance(value, float) else
                                           int(value) if isinstance(value, int) else tuple(value), memo)]
    else:
        # a new kind of value in the model must be taught here, never digested by its repr by accident
        raise TypeError(f"no canonical form for a {kind.__name__}")
    if memo is not None:
        memo[id(value)] = (value, result)  # the value is kept, so that its id is not another's while the memo lives
    return result


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names in order; None for any other type."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def digest_of(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> str:
    text = json.dumps(canonical(value, memo), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SetDigests:
    """The digest of each part of one question set, each computed once, when a format first asks for it."""

    def __init__(self, question_set: QuestionSet):
        self.question_set = question_set
        self._digests: dict[str, str] = {}
        self._memo: dict[int, tuple[Any, Any]] = {}

    def part(self, name: str) -> str:
        if name not in self._digests:
            self._digests[name] = self.of(PARTS[name](self.question_set))
        return self._digests[name]

    def of(self, value: Any) -> str:
        """The digest of any value read from this set; what it shares with values digested before is not walked
        again."""
        return digest_of(value, self._memo)
