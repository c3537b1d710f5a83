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
from datetime import date
from pathlib import PurePath
from typing import Any

from ..model import QuestionSet

LAYOUTS = "layouts"  # a format that reads the layout folders (built-in and --layouts)
# a format that reads its earlier file at the output path; its bytes made from an earlier file must be the bytes it
# makes again from those bytes, so a rebuild from its own output may take them from the cache (anki.py)
EARLIER = "earlier file"

# the parts of a question set a format may read; everything a format reads from the set is in one of them
PARTS: dict[str, Any] = {
    "pack": lambda s: (s.pack_id, s.pack_title, s.language, s.licence, s.seed, s.topics),
    "questions": lambda s: s.questions,
    "versions": lambda s: s.versions,
    "deck": lambda s: s.study_deck(),
}


def canonical(value: Any) -> Any:
    """`value` as plain JSON values that name every field, so two values serialise alike only when they are equal
    (a float is written as its repr, so 1 and 1.0 differ, as they may in an export)."""
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, (tuple, list)):
        return [canonical(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {name: canonical(getattr(value, name)) for name in _field_names(type(value))}]
    if isinstance(value, dict):
        return ["dict", [[canonical(k), canonical(v)] for k, v in value.items()]]
    if isinstance(value, (date, PurePath)):
        return [type(value).__name__, str(value)]
    # a new kind of value in the model must be taught here, never digested by its repr by accident
    raise TypeError(f"no canonical form for a {type(value).__name__}")


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def digest_of(value: Any) -> str:
    text = json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SetDigests:
    """The digest of each part of one question set, each computed once, when a format first asks for it."""

    def __init__(self, question_set: QuestionSet):
        self.question_set = question_set
        self._digests: dict[str, str] = {}

    def part(self, name: str) -> str:
        if name not in self._digests:
            self._digests[name] = digest_of(PARTS[name](self.question_set))
        return self._digests[name]
