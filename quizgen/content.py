"""Read a content pack folder (YAML + local source texts) into a checked `Pack`, or list every problem."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import Problem, QuizgenError, display_path
from .files import read_contributed
from .model import (
    ANSWER_FIELDS,
    CONFIDENCE_LEVELS,
    ENTITY_CATEGORIES,
    FACT_KINDS,
    DateValue,
    Entity,
    Fact,
    Number,
    Origin,
    Pack,
    Source,
)
from .yamlfile import UNSAFE_CHARACTERS, Located, read_yaml, unsafe_character_message

PACK_FILE = "pack.yaml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DATE_POINT = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
MAX_SOURCE_TEXT_BYTES = 5 * 1024 * 1024


# ---- small typed readers: each returns a value or records a problem --------------------


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
             hint: str = "") -> str | None:
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
                  hint: str = "") -> tuple[str, ...]:
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


# ---- the pack -------------------------------------------------------------------------


@dataclass
class _Collected:
    sources: list[tuple[Source, tuple, Reader]]
    entities: list[tuple[Entity, tuple, Reader]]
    facts: list[tuple[Fact, tuple, Reader]]


def load_pack(folder: str | Path) -> Pack:
    """Load and check a pack folder; raise QuizgenError listing every problem found."""
    root = Path(folder)
    if not root.is_dir():
        raise QuizgenError.at(root, "is not a folder; expected a content pack folder containing pack.yaml")
    if not os.path.lexists(root / PACK_FILE):
        raise QuizgenError.at(root, f"no {PACK_FILE} found; a content pack folder needs one")
    problems: list[Problem] = case_collisions([*content_files(root), root / PACK_FILE])
    pack_doc = _read_or_collect(root / PACK_FILE, problems)
    docs = [d for d in (_read_or_collect(p, problems) for p in content_files(root)) if d is not None]
    header = _pack_header(pack_doc, problems) if pack_doc else None
    collected = _Collected([], [], [])
    for doc in docs:
        _collect_records(doc, root, problems, collected)
    _check_unique("source", collected.sources, problems)
    _check_unique("entity", collected.entities, problems)
    _check_unique("fact", collected.facts, problems)
    sources = {s.id: s for s, _, _ in collected.sources}
    entities = {e.id: e for e, _, _ in collected.entities}
    _check_entity_links(collected, entities, sources, problems)
    _check_fact_links(collected, entities, sources, problems, header)
    if problems or header is None:
        raise QuizgenError(problems or [Problem(display_path(root / PACK_FILE), 1, 1, "", "pack file is invalid")])
    return Pack(
        **header,
        root=root,
        sources=tuple(s for s, _, _ in collected.sources),
        entities=tuple(e for e, _, _ in collected.entities),
        facts=tuple(f for f, _, _ in collected.facts),
    )


def content_files(root: Path) -> list[Path]:
    """The pack's YAML files besides pack.yaml; links and special files too, so that reading refuses them."""
    return sorted(p for p in root.glob("*.yaml") if p.name != PACK_FILE and not p.is_dir())


def case_collisions(paths: list[Path]) -> list[Problem]:
    """Files whose names differ only in case: one of them would vanish on Windows or macOS."""
    seen: dict[str, Path] = {}
    problems = []
    for path in sorted(paths):
        key = path.name.casefold()
        if key in seen:
            problems.append(Problem(display_path(path), 1, 1, "", f"differs only in case from "
                                    f"{seen[key].name}; the two would be one file on case-insensitive file systems"))
        else:
            seen[key] = path
    return problems


def _read_or_collect(path: Path, problems: list[Problem]) -> Located | None:
    try:
        return read_yaml(path)
    except QuizgenError as exc:
        problems.extend(exc.problems)
        return None


def _pack_header(doc: Located, problems: list[Problem]) -> dict | None:
    r = Reader(doc, problems)
    allowed = {"id", "title", "language", "licence", "description", "period", "authors"}
    record = r.record((), allowed, allowed - {"authors"})
    if record is None:
        return None
    before = len(problems)
    header = {
        "id": r.text(record, (), "id", pattern=SLUG, hint="a slug of lower-case letters, digits and hyphens"),
        "title": r.text(record, (), "title", required=True),
        "language": r.text(record, (), "language", pattern=re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$"),
                           hint="a language code such as en or ar"),
        "licence": r.text(record, (), "licence", required=True),
        "description": r.text(record, (), "description", required=True),
        "authors": r.text_list(record, (), "authors"),
        "origin": r.origin(()),
    }
    period = r.record(("period",), {"start", "end"}, {"start", "end"}) if "period" in record else None
    if period is not None:
        start = r.date_value(period, ("period",), "start")
        end = r.date_value(period, ("period",), "end")
        if start and end:
            header["period_start"], header["period_end"] = start.start, end.end
            if end.end < start.start:
                r.report(("period", "end"), "ends before period.start; expected a later date")
    if len(problems) > before or None in header.values():
        return None
    return header


SOURCE_FIELDS = {"id", "title", "publisher", "date", "url", "file", "excerpts", "reliability"}
ENTITY_FIELDS = {"id", "name", "aliases", "category", "type", "description", "role", "affiliation", "side",
                 "killed", "native_name", "sources"}
FACT_FIELDS = {"id", "statement", "kind", "label", "subject", "object", "place", "role", "date", "number", "ask",
               "answer", "sources", "evidence", "confidence", "tags", "dispute"}
NUMBER_FIELDS = {"value", "max", "unit", "approximate", "tolerance", "measure"}


def _collect_records(doc: Located, root: Path, problems: list[Problem], out: _Collected) -> None:
    r = Reader(doc, problems)
    if not isinstance(doc.data, dict):
        r.report((), f"found {describe(doc.data)}; expected a mapping with keys sources, entities or facts")
        return
    readers: dict[str, Callable[[Reader, tuple, Path, _Collected], None]] = {
        "sources": _read_source, "entities": _read_entity, "facts": _read_fact,
    }
    for key, items in doc.data.items():
        if key not in readers:
            r.report((key,), f"unknown section {key!r}; expected sources, entities or facts", at_key=True)
            continue
        if not isinstance(items, list):
            r.report((key,), f"found {describe(items)}; expected a list")
            continue
        for i in range(len(items)):
            readers[key](r, (key, i), root, out)


def _read_source(r: Reader, at: tuple, root: Path, out: _Collected) -> None:
    record = r.record(at, SOURCE_FIELDS, {"id", "title", "publisher"})
    if record is None:
        return
    sid = r.text(record, at, "id", pattern=SOURCE_ID, hint="letters, digits, '-', '_' or '.'")
    url = r.text(record, at, "url", pattern=re.compile(r"^https?://\S+$"), hint="an http:// or https:// address")
    file = r.text(record, at, "file")
    text = _read_source_text(r, at, root, file) if file else None
    if "url" not in record and "file" not in record:
        r.report(at, "has neither 'url' nor 'file'; expected at least one so readers can find the source")
    source = Source(
        id=sid or "", title=r.text(record, at, "title", required=True) or "",
        publisher=r.text(record, at, "publisher", required=True) or "", origin=r.origin(at),
        date=r.date_value(record, at, "date"), url=url, file=file,
        excerpts=r.text_list(record, at, "excerpts"), reliability=r.text(record, at, "reliability"), text=text,
    )
    if sid:
        out.sources.append((source, at, r))


def _read_source_text(r: Reader, at: tuple, root: Path, file: str) -> str | None:
    target = (root / file).resolve()
    if not target.is_relative_to(root.resolve()):
        r.report((*at, "file"), f"{file!r} points outside the pack folder; expected a path inside it")
        return None
    if not os.path.lexists(root / file):
        r.report((*at, "file"), f"{file!r} does not exist; expected a text file inside the pack folder")
        return None
    try:
        text = read_contributed(root / file, root, limit=MAX_SOURCE_TEXT_BYTES, what="source text").decode("utf-8-sig")
        found = UNSAFE_CHARACTERS.search(text)
        if found:
            line, column = text.count("\n", 0, found.start()) + 1, found.start() - text.rfind("\n", 0, found.start())
            r.problems.append(Problem(display_path(root / file), line, column, "",
                                      unsafe_character_message(found[0]).replace(", at character 1", "")))
            return None
        return text
    except QuizgenError as exc:
        r.report((*at, "file"), f"{file!r}: " + exc.problems[0].message)
        return None
    except UnicodeDecodeError:
        r.report((*at, "file"), f"{file!r} is not UTF-8 text")
        return None


def _read_entity(r: Reader, at: tuple, root: Path, out: _Collected) -> None:
    record = r.record(at, ENTITY_FIELDS, {"id", "name", "category", "description"})
    if record is None:
        return
    eid = r.text(record, at, "id", pattern=SLUG, hint="a slug of lower-case letters, digits and hyphens")
    entity = Entity(
        id=eid or "", name=r.text(record, at, "name", required=True) or "",
        category=r.choice(record, at, "category", ENTITY_CATEGORIES) or "",
        description=r.text(record, at, "description", required=True) or "", origin=r.origin(at),
        aliases=r.text_list(record, at, "aliases"),
        type=r.text(record, at, "type", pattern=SLUG, hint="a slug such as town or armed-group"),
        role=r.text(record, at, "role"), affiliation=r.text(record, at, "affiliation"),
        side=r.text(record, at, "side", pattern=SLUG, hint="a slug such as rebels"),
        killed=r.boolean(record, at, "killed"), native_name=r.text(record, at, "native_name"),
        sources=r.text_list(record, at, "sources"),
    )
    if eid:
        out.entities.append((entity, at, r))


def _read_fact(r: Reader, at: tuple, root: Path, out: _Collected) -> None:
    record = r.record(at, FACT_FIELDS, {"id", "statement", "kind", "sources", "evidence"})
    if record is None:
        return
    fid = r.text(record, at, "id", pattern=SOURCE_ID, hint="letters, digits, '-', '_' or '.'")
    sources = r.text_list(record, at, "sources")
    if "sources" in record and not sources:
        r.report((*at, "sources"), "is empty; every fact needs at least one source id")
    fact = Fact(
        id=fid or "", statement=r.text(record, at, "statement", required=True) or "",
        kind=r.choice(record, at, "kind", FACT_KINDS) or "", sources=sources,
        evidence=r.text(record, at, "evidence", required=True) or "", origin=r.origin(at),
        label=r.text(record, at, "label"), subject=r.text(record, at, "subject"),
        object=r.text(record, at, "object"), place=r.text(record, at, "place"), role=r.text(record, at, "role"),
        date=r.date_value(record, at, "date"), number=_read_number(r, record, at),
        ask=r.text(record, at, "ask"), answer=r.choice(record, at, "answer", ANSWER_FIELDS),
        confidence=r.choice(record, at, "confidence", CONFIDENCE_LEVELS) or "medium",
        tags=r.text_list(record, at, "tags", pattern=SLUG, hint="a slug such as timeline"),
        dispute=r.text(record, at, "dispute"),
    )
    _check_fact_shape(r, at, fact)
    if fid:
        out.facts.append((fact, at, r))


def _read_number(r: Reader, record: dict, at: tuple) -> Number | None:
    if "number" not in record:
        return None
    where = (*at, "number")
    spec = r.record(where, NUMBER_FIELDS, {"value", "unit", "measure"})
    if spec is None:
        return None
    value = r.number(spec, where, "value")
    maximum = r.number(spec, where, "max")
    tolerance = r.number(spec, where, "tolerance")
    approximate = r.boolean(spec, where, "approximate")
    unit = r.text(spec, where, "unit", required=True)
    measure = r.text(spec, where, "measure", required=True)
    if tolerance is not None and tolerance < 0:
        r.report((*where, "tolerance"), f"{tolerance} is negative; expected 0 or more")
    if value is not None and maximum is not None and maximum < value:
        r.report((*where, "max"), f"{maximum} is below value {value}; expected the upper end of the range")
    if value is None or unit is None or measure is None:
        return None
    if tolerance is None:
        tolerance = abs(value) / 10 if approximate else 0
    return Number(value=value, unit=unit, measure=measure, max=maximum, approximate=approximate,
                  tolerance=tolerance)


def _check_fact_shape(r: Reader, at: tuple, fact: Fact) -> None:
    if fact.ask and not fact.ask.endswith("?"):
        r.report((*at, "ask"), f"{fact.ask!r} does not end with '?'; expected a question")
    if fact.ask and not fact.answer:
        r.report((*at, "answer"), "is missing; a fact with 'ask' names the field that answers it "
                                  f"({', '.join(ANSWER_FIELDS)})")
    if fact.answer and getattr(fact, fact.answer) is None:
        r.report((*at, "answer"), f"names {fact.answer!r}, but the fact has no {fact.answer!r} field")
    if fact.kind == "number" and fact.number is None and "number" not in r.value(at):
        r.report(at, "kind is 'number' but the fact has no 'number' field")


def _check_unique(what: str, records: list[tuple], problems: list[Problem]) -> None:
    first_seen: dict[str, Origin] = {}
    for item, at, r in records:
        if item.id in first_seen:
            problems.append(r.doc.problem((*at, "id"), f"duplicate {what} id {item.id!r}; "
                                                       f"first defined at {first_seen[item.id]}"))
        else:
            first_seen[item.id] = r.doc.origin((*at, "id"))


def _check_entity_links(collected: _Collected, entities: dict[str, Entity], sources: dict[str, Source],
                        problems: list[Problem]) -> None:
    for entity, at, r in collected.entities:
        if entity.affiliation and entity.affiliation not in entities:
            problems.append(_unknown(r, (*at, "affiliation"), entity.affiliation, "entity", entities))
        for i, sid in enumerate(entity.sources):
            if sid not in sources:
                problems.append(_unknown(r, (*at, "sources", i), sid, "source", sources))


def _check_fact_links(collected: _Collected, entities: dict[str, Entity], sources: dict[str, Source],
                      problems: list[Problem], header: dict | None) -> None:
    for fact, at, r in collected.facts:
        for key in ("subject", "object", "place"):
            value = getattr(fact, key)
            if value and value not in entities:
                problems.append(_unknown(r, (*at, key), value, "entity", entities))
        for i, sid in enumerate(fact.sources):
            if sid not in sources:
                problems.append(_unknown(r, (*at, "sources", i), sid, "source", sources))
        known = [sources[s] for s in fact.sources if s in sources]
        checked = [s.id for s in known if s.text or s.excerpts]
        if checked and fact.evidence and not any(evidence_in_source(fact.evidence, s) for s in known):
            problems.append(r.doc.problem((*at, "evidence"), f"{_short(fact.evidence)!r} was not found in the text of "
                                          f"source {' or '.join(checked)}; expected an exact quotation"))
        if header and fact.date and "period_start" in header:
            if fact.date.start < header["period_start"] or fact.date.end > header["period_end"]:
                problems.append(r.doc.problem((*at, "date"), f"{fact.date.text!r} is outside the pack period "
                                              f"{header['period_start']}/{header['period_end']}"))


def _unknown(r: Reader, at: tuple, value: str, what: str, known: dict) -> Problem:
    return r.doc.problem(at, f"unknown {what} id {value!r}; expected one of the {len(known)} {what} ids defined "
                             f"in the pack" + _suggestion(value, known))


def _suggestion(value: str, known: dict) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def evidence_in_source(evidence: str, source: Source) -> bool:
    """True when the evidence is a verbatim quotation (whitespace runs aside) of the source's text or excerpts."""
    needle = normalise_space(evidence)
    haystacks = ([source.text] if source.text else []) + list(source.excerpts)
    return any(needle in normalise_space(h) for h in haystacks)
