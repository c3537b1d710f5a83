"""The record reader: typed fields of one YAML record read with their origins, problems collected, not raised."""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any

from ..errors import Problem
from ..model import DateValue, Origin
from .yamlfile import Located

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DATE_POINT = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


# Texts that fill a relation's placeholders ({subject}, {object}, a figure's unit): capped so that a phrasing
# within relations.MAX_PHRASING_CHARS always realises to a question text the templates accept.
MAX_NAME_CHARS = 200
MAX_TEXT_VALUE_CHARS = 300


class Reader:
    """Reads fields from one YAML record, collecting problems instead of stopping at the first."""

    def __init__(self, doc: Located, problems: list[Problem]):
        self.doc = doc
        self.problems = problems

    def report(self, at: tuple, message: str, *, at_key: bool = False) -> None:
        self.problems.append(self.doc.problem(at, message, at_key=at_key))

    def record(self, at: tuple, allowed: set[str], required: set[str]) -> dict | None:
        value = self.value(at)
        if not isinstance(value, dict):
            self.report(at, f"found {describe(value)}; expected a mapping with fields {', '.join(sorted(required))}")
            return None
        for key in value:
            if key not in allowed:
                self.report((*at, key), f"unknown field {key!r}; expected one of {', '.join(sorted(allowed))}",
                            at_key=True)
        for key in sorted(required - value.keys()):
            self.report(at, f"missing required field {key!r}")
        return value

    def value(self, at: tuple) -> Any:
        node: Any = self.doc.data
        for part in at:
            node = node[part]
        return node

    def text(self, record: dict, at: tuple, key: str, *, required: bool = False, pattern: re.Pattern | None = None,
             hint: str = "", limit: int | None = None, what: str = "") -> str | None:
        if key not in record or record[key] is None:
            if required and key in record:
                self.report((*at, key), "is empty; expected text")
            return None
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.report((*at, key), f"found {describe(value)}; expected text")
            return None
        value = str(value).strip()
        if not value:
            self.report((*at, key), "is empty; expected text")
            return None
        if limit is not None and len(value) > limit:
            self.report((*at, key), too_long(value, limit, what))
            return None
        if pattern and not pattern.match(value):
            self.report((*at, key), f"{value!r} is not valid; expected {hint}")
            return None
        return value

    def choice(self, record: dict, at: tuple, key: str, options: tuple[str, ...]) -> str | None:
        value = self.text(record, at, key)
        if value is not None and value not in options:
            self.report((*at, key), f"{value!r} is not allowed; expected one of {', '.join(options)}")
            return None
        return value

    def boolean(self, record: dict, at: tuple, key: str) -> bool:
        value = record.get(key, False)
        if not isinstance(value, bool):
            self.report((*at, key), f"found {describe(value)}; expected true or false")
            return False
        return value

    def number(self, record: dict, at: tuple, key: str) -> float | None:
        if key not in record:
            return None
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.report((*at, key), f"found {describe(value)}; expected a number")
            return None
        return value

    def text_list(self, record: dict, at: tuple, key: str, *, pattern: re.Pattern | None = None,
                  hint: str = "", limit: int | None = None, what: str = "") -> tuple[str, ...]:
        if key not in record:
            return ()
        value = record[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.report((*at, key), f"found {describe(value)}; expected a list of text")
            return ()
        items = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                self.report((*at, key, i), f"found {describe(item)}; expected text")
                continue
            item = str(item).strip()
            if limit is not None and len(item) > limit:
                self.report((*at, key, i), too_long(item, limit, what))
                continue
            if pattern and not pattern.match(item):
                self.report((*at, key, i), f"{item!r} is not valid; expected {hint}")
                continue
            items.append(item)
        return tuple(items)

    def date_value(self, record: dict, at: tuple, key: str) -> DateValue | None:
        text = self.text(record, at, key)
        if text is None:
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            self.report((*at, key), f"{text!r} is not a valid date ({exc})")
            return None

    def origin(self, at: tuple) -> Origin:
        return self.doc.origin(at)


def too_long(text: str, limit: int, what: str) -> str:
    return f"is {len(text):,} characters long; expected at most {limit:,}" + (f" ({what})" if what else "")


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the text {str(value)!r}"


def parse_date(text: str) -> DateValue:
    """`2014`, `2014-04`, `2014-04-10`, or `start/end` of those; raises ValueError with the expected form."""
    parts = text.split("/")
    if len(parts) > 2:
        raise ValueError("expected YYYY-MM-DD or start/end")
    points = [_parse_point(p.strip()) for p in parts]
    start, precision = points[0][0], points[0][2]
    end = points[-1][1]
    if end < start:
        raise ValueError("the range ends before it starts")
    return DateValue(text=text, start=start, end=end, precision=precision, is_range=len(parts) == 2)


def _parse_point(text: str) -> tuple[date, date, str]:
    if not DATE_POINT.match(text):
        raise ValueError("YYYY-MM-DD")
    pieces = [int(p) for p in text.split("-")]
    try:
        if len(pieces) == 3:
            day = date(*pieces)
            return day, day, "day"
        if len(pieces) == 2:
            first = date(pieces[0], pieces[1], 1)
            following = date(pieces[0] + (pieces[1] == 12), pieces[1] % 12 + 1, 1)
            return first, date.fromordinal(following.toordinal() - 1), "month"
        return date(pieces[0], 1, 1), date(pieces[0], 12, 31), "year"
    except ValueError:
        raise ValueError("YYYY-MM-DD") from None

A_NAME = "a name is set inside question texts"


def check_unique(what: str, records: list[tuple], problems: list[Problem]) -> None:
    first_seen: dict[str, Origin] = {}
    for item, at, r in records:
        if item.id in first_seen:
            problems.append(r.doc.problem((*at, "id"), f"duplicate {what} id {item.id!r}; "
                                                       f"first defined at {first_seen[item.id]}"))
        else:
            first_seen[item.id] = r.doc.origin((*at, "id"))

UNKNOWN_ID = ("unknown entity id", "unknown source id", "unknown relation id")  # how the messages of unknown start


def unknown(r: Reader, at: tuple, value: str, what: str, known: dict) -> Problem:
    return r.doc.problem(at, f"unknown {what} id {value!r}; expected one of the {len(known)} {what} ids defined "
                             f"in the pack" + _suggestion(value, known))


def _suggestion(value: str, known: dict) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
