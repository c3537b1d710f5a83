"""The record reader: typed fields of a YAML record or a CSV row, read with their origins, problems collected as
`file:line:col: field: message`, not raised. Every record quizgen reads goes through it."""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from ..errors import Problem, display_path
from ..model import DateValue, Origin
from .yamlfile import Located

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DATE_POINT = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


# Texts that fill a relation's placeholders ({subject}, {object}, a figure's unit): capped so that a phrasing
# within relations.MAX_PHRASING_CHARS always realises to a question text the templates accept.
MAX_NAME_CHARS = 200
MAX_TEXT_VALUE_CHARS = 300

NOT_ALLOWED_WHOLE_NUMBER = "{value!r} is not allowed; expected a whole number from {low} to {high}"


class Reader:
    """Reads fields from one YAML record, collecting problems instead of stopping at the first."""

    def __init__(self, doc: Located, problems: list[Problem]):
        self.doc = doc
        self.problems = problems

    def report(self, at: tuple, message: str, *, at_key: bool = False) -> None:
        self.problems.append(self.doc.problem(at, message, at_key=at_key))

    def record(self, at: tuple, allowed: set[str], required: set[str], *, shape: str = "") -> dict | None:
        """The mapping at `at`, its unknown and missing fields reported; None (reported with `shape`, when given,
        as the whole message) when it is not a mapping."""
        value = self.value(at)
        if not isinstance(value, dict):
            self.report(at, shape or f"found {describe(value)}; expected a mapping with fields "
                                     f"{', '.join(sorted(required))}")
            return None
        self.known_fields(value, at, allowed)
        self.require(value, at, required)
        return value

    def known_fields(self, record: dict, at: tuple, allowed: set[str], *,
                     message: str = "unknown field {key!r}; expected one of {allowed}") -> None:
        """Each field not in `allowed` reported at its key."""
        for key in record:
            if key not in allowed:
                self.report((*at, key), message.format(key=key, allowed=", ".join(sorted(allowed))), at_key=True)

    def require(self, record: dict, at: tuple, required: set[str], *, of: str = "") -> None:
        """Each missing field reported at the record, `of` saying what kind of record needs it."""
        for key in sorted(required - record.keys()):
            self.report(at, f"missing required field {key!r}" + (f" for {of}" if of else ""))

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

    def boolean(self, record: dict, at: tuple, key: str, *, message: str = "found {found}; expected true or false"
                ) -> bool:
        value = record.get(key, False)
        if not isinstance(value, bool):
            self.report((*at, key), worded(message, value))
            return False
        return value

    # The typed fields below take the words of their problem as a `message` with {value!r} (the value as written),
    # {found} (described: "the text 'x'") and the bounds: each record keeps the words its authors know.

    def one_of(self, record: dict, at: tuple, key: str, options: tuple, *, message: str, default: Any = None,
               allow_null: bool = True) -> Any:
        """A value that must be one of `options`; `default` when the field is absent (and, with `allow_null`,
        when it is null)."""
        value = record.get(key, default)
        if value is None and allow_null:
            return None
        if value not in options:
            self.report((*at, key), worded(message, value))
            return default
        return value

    def whole_number(self, record: dict, at: tuple, key: str, *, low: int, high: int | None = None,
                     default: int | None = None, message: str = NOT_ALLOWED_WHOLE_NUMBER) -> int | None:
        """A whole number from `low` to `high` (no upper bound when None); `default` when absent."""
        value = record.get(key, default)
        if not (is_number(value) and isinstance(value, int) and low <= value and (high is None or value <= high)):
            self.report((*at, key), worded(message, value, low=low, high=high))
            return default
        return value

    def measure(self, record: dict, at: tuple, key: str, *, low: float, high: float, default: float,
                message: str) -> float:
        """A number from `low` to `high` (a length in mm), whole or not; `default` when absent."""
        value = record.get(key, default)
        if not is_number(value) or not low <= value <= high:
            self.report((*at, key), worded(message, value, low=low, high=high))
            return default
        return value

    def matching(self, record: dict, at: tuple, key: str, pattern: re.Pattern, *, message: str,
                 allow_null: bool = False) -> str | None:
        """Text as written (not stripped) that `pattern` matches, such as an id; None when it is not."""
        value = record.get(key)
        if value is None and allow_null:
            return None
        if not isinstance(value, str) or not pattern.match(value):
            self.report((*at, key), worded(message, value))
            return None
        return value

    def mapping(self, record: dict, at: tuple, key: str, *, message: str) -> dict:
        """A mapping (empty when the field is absent); empty, and reported, when it is something else."""
        value = record.get(key, {})
        if not isinstance(value, dict):
            self.report((*at, key), worded(message, value))
            return {}
        return value

    def texts(self, record: dict, at: tuple, key: str, *, message: str, pattern: re.Pattern | None = None,
              one_allowed: bool = True) -> tuple[str, ...] | None:
        """A list of texts (or, with `one_allowed`, a single text), each as written and matched by `pattern` when
        given; empty when the field is absent; None, and reported, when it is anything else."""
        if key not in record:
            return ()
        value = record[key]
        items = value if isinstance(value, list) else [value] if one_allowed else None
        if items is None or not all(isinstance(item, str) and (pattern is None or pattern.match(item))
                                    for item in items):
            self.report((*at, key), worded(message, value))
            return None
        return tuple(items)

    def number(self, record: dict, at: tuple, key: str) -> float | None:
        if key not in record:
            return None
        value = record[key]
        if not is_number(value):
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


@dataclass(frozen=True)
class CsvRow:
    """One row of a CSV record file that is not blank: its line and its cells, stripped."""

    line: int
    cells: tuple[str, ...]

    def cell(self, column: int | None) -> str:
        """The cell in `column` (0-based), empty when the row is shorter or there is no such column."""
        return self.cells[column] if column is not None and column < len(self.cells) else ""


class CsvReader:
    """The CSV side of the reader: a header, the rows that are not blank with their lines, and problems located
    at file:line:column like those of a YAML record."""

    def __init__(self, path: str | Path, text: str, problems: list[Problem]):
        rows = list(csv.reader(io.StringIO(text)))
        self.shown = display_path(path)
        self.header: list[str] | None = rows[0] if rows else None  # as written; None for an empty file
        self.problems = problems
        self._body = rows[1:]

    def column(self, *names: str) -> int | None:
        """The index of the first of `names` the header has (compared without case or surrounding spaces)."""
        header = [name.strip().lower() for name in self.header or ()]
        return next((header.index(name) for name in names if name in header), None)

    def starts_with(self, names: tuple[str, ...]) -> bool:
        """Whether the header's first columns are `names`, in that order."""
        header = self.header or []
        return tuple(name.strip().lower() for name in header[:len(names)]) == names

    def rows(self) -> Iterator[CsvRow]:
        for line, row in enumerate(self._body, 2):
            if any(cell.strip() for cell in row):
                yield CsvRow(line, tuple(cell.strip() for cell in row))

    def problem(self, line: int, column: int, field: str, message: str) -> Problem:
        """A problem at `line`, in `column` (0-based), naming the field it holds."""
        return Problem(self.shown, line, column + 1, field, message)

    def report(self, line: int, column: int, field: str, message: str) -> None:
        self.problems.append(self.problem(line, column, field, message))


def worded(message: str, value: Any, **bounds: Any) -> str:
    """A typed field's problem in its record's own words: `message` filled with the value as written
    ({value!r}), described ({found}) and the field's bounds."""
    return message.format(value=value, found=describe(value), **bounds)


def is_number(value: Any) -> bool:
    """A whole or decimal number as YAML reads one (a boolean is not a number, though Python counts it as one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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
