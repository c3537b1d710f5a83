"""Read a content pack folder (YAML + local source texts) into a checked `Pack`, or list every problem."""

from __future__ import annotations

import difflib
import os
import re
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import Problem, QuizgenError, display_path
from ..files import read_contributed
from ..model import (
    BOUND_WORDS,
    CONFIDENCE_LEVELS,
    SLOTS,
    VALUE_TYPES,
    DateValue,
    Entity,
    Fact,
    Number,
    Origin,
    Pack,
    Relation,
    Source,
    Topic,
    Value,
)
from .relations import RELATIONS_FILE, read_forms, read_vocabulary, realise
from ..text import contains_phrase, normalise
from .yamlfile import UNSAFE_CHARACTERS, Located, read_yaml, unsafe_character_message

PACK_FILE = "pack.yaml"
REVIEW_FILE = "review.yaml"
SPECIAL_FILES = {PACK_FILE, RELATIONS_FILE, REVIEW_FILE}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DATE_POINT = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
MAX_SOURCE_TEXT_BYTES = 5 * 1024 * 1024
# Texts that fill a relation's placeholders ({subject}, {object}, a figure's unit): capped so that a phrasing
# within relations.MAX_PHRASING_CHARS always realises to a question text the templates accept.
MAX_NAME_CHARS = 200
MAX_TEXT_VALUE_CHARS = 300


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


# ---- the pack -------------------------------------------------------------------------


@dataclass
class _Collected:
    sources: list[tuple[Source, tuple, Reader]]
    entities: list[tuple[Entity, tuple, Reader]]
    facts: list[tuple[dict, tuple, Reader]]  # raw records: reading a fact needs the relations and entities


def load_pack(folder: str | Path, *, review: bool = True) -> Pack:
    """Load and check a pack folder; raise QuizgenError listing every problem found.

    Without `review`, review.yaml is not read (no question is left out): `quizgen review` then rewrites
    it even when it is damaged."""
    root = Path(folder)
    if not root.is_dir():
        raise QuizgenError.at(root, "is not a folder; expected a content pack folder containing pack.yaml")
    if not os.path.lexists(root / PACK_FILE):
        raise QuizgenError.at(root, f"no {PACK_FILE} found; a content pack folder needs one")
    problems: list[Problem] = case_collisions([*content_files(root), *(root / f for f in SPECIAL_FILES)])
    pack_doc = _read_or_collect(root / PACK_FILE, problems)
    vocabulary_path = root / RELATIONS_FILE
    present = vocabulary_path.exists() or vocabulary_path.is_symlink()  # a link or a FIFO is refused by read_yaml
    vocabulary_doc = _read_or_collect(vocabulary_path, problems) if present else None
    if not present:
        problems.append(Problem(display_path(root), 0, 0, "", f"no {RELATIONS_FILE} found; a pack declares its "
                                "categories and relations there (docs/content-format.md)"))
    files = content_files(root)
    docs = [d for d in (_read_or_collect(p, problems) for p in files) if d is not None]
    if not present and (previous := previous_format_fact(docs)) is not None:
        raise QuizgenError(previous)  # one line that names the format, instead of hundreds about its fields
    header = _pack_header(pack_doc, problems) if pack_doc else None
    categories, relations = read_vocabulary(vocabulary_doc, problems) if vocabulary_doc else ((), ())
    collected = _Collected([], [], [])
    for doc in docs:
        _collect_records(doc, root, problems, collected)
    _check_unique("source", collected.sources, problems)
    _check_unique("entity", collected.entities, problems)
    sources = {s.id: s for s, _, _ in collected.sources}
    entities = {e.id: e for e, _, _ in collected.entities}
    _check_entity_links(collected, entities, sources, {c.id for c in categories}, problems)
    _check_complete_lists(relations, entities, sources, problems)
    context = _FactContext(header, {r.id: r for r in relations}, entities, sources, problems)
    facts = [f for f in (_read_fact(context, record, at, r) for record, at, r in collected.facts) if f is not None]
    _check_unique_fact_ids(collected.facts, problems)
    unread = [f for f in files if f not in {d.path for d in docs}]
    if present and vocabulary_doc is None:  # every relation id of the pack is unknown: say so once
        unread.insert(0, vocabulary_path)
    problems[:] = without_knock_on_problems(problems, unread)
    excluded = _read_review(root, problems) if review else ()
    if problems or header is None:
        raise QuizgenError(problems or [Problem(display_path(root / PACK_FILE), 1, 1, "", "pack file is invalid")])
    pack = Pack(**header, root=root, sources=tuple(sources.values()), entities=tuple(entities.values()),
                facts=(), relations=relations, categories=categories, excluded=excluded)
    return _with_statements(pack, facts)


# Fields only facts of the format before relations.yaml had (docs/content-format.md, "Converting a pack from the
# previous format"): such a pack is named as one, not reported field by field.
PREVIOUS_FORMAT_FACT_FIELDS = {"kind", "label", "number", "answer", "place"}
CONVERSION_SECTION = "docs/content-format.md, section \"Converting a pack from the previous format\""


def previous_format_fact(docs: list[Located]) -> Problem | None:
    """A problem at the first fact written in the previous format (`kind`, no `relation`), or None."""
    for doc in docs:
        facts = doc.data.get("facts") if isinstance(doc.data, dict) else None
        for i, record in enumerate(facts if isinstance(facts, list) else []):
            if isinstance(record, dict) and "relation" not in record and record.keys() & PREVIOUS_FORMAT_FACT_FIELDS:
                where = doc.origin(("facts", i))
                return Problem(where.file, where.line, where.column, "",
                               f"this pack is in quizgen's previous format (its facts have the fields "
                               f"{', '.join(sorted(record.keys() & PREVIOUS_FORMAT_FACT_FIELDS))} and it has no "
                               f"{RELATIONS_FILE}); convert it as {CONVERSION_SECTION} explains")
    return None


def _with_statements(pack: Pack, facts: list[Fact]) -> Pack:
    """Facts without a written statement say the relation's sentence, realised with the pack's names."""
    from dataclasses import replace
    whole = replace(pack, facts=tuple(facts))  # a sentence may name a value another fact gives ({subject.R})
    done = tuple(f if f.statement else replace(f, statement=realise(whole.relation(f.relation).sentence, f, whole))
                 for f in facts)
    return replace(pack, facts=done, _entity_index={}, _source_index={}, _relation_index={})


def without_knock_on_problems(links: list[Problem], unread: list[Path]) -> list[Problem]:
    """The problems, less the unknown ids that a file which could not be read may define; one line says how
    many were skipped, so a single tab does not bury its own error under hundreds of others."""
    if not unread:
        return links
    kept = [p for p in links if not p.message.startswith(UNKNOWN_ID)]
    skipped = len(links) - len(kept)
    if skipped:
        also = f" (or in {', '.join(path.name for path in unread[1:])})" if len(unread) > 1 else ""
        kept.append(Problem(display_path(unread[0]), 1, 1, "", f"{skipped} unknown-id problems in other files were "
                            f"skipped: the ids may be defined in this file{also}, which could not be read"))
    return kept


def content_files(root: Path) -> list[Path]:
    """The pack's YAML files besides the special ones; links and special files too, so that reading refuses them."""
    return sorted(p for p in root.glob("*.yaml") if p.name not in SPECIAL_FILES and not p.is_dir())


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
    allowed = {"id", "title", "language", "licence", "description", "period", "authors", "topics"}
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
    header["topics"] = _read_topics(r, record)
    if len(problems) > before or None in header.values():
        return None
    return header


def _read_topics(r: Reader, record: dict) -> tuple[Topic, ...]:
    items = record.get("topics")
    if not isinstance(items, list) or not items:
        r.report(("topics",), "expected a list of topics, each {id: slug, title: text}")
        return ()
    topics = []
    for i in range(len(items)):
        at = ("topics", i)
        spec = r.record(at, {"id", "title"}, {"id", "title"})
        if spec is None:
            continue
        tid = r.text(spec, at, "id", pattern=SLUG, hint="a slug such as background")
        title = r.text(spec, at, "title", required=True)
        if tid and title:
            topics.append(Topic(tid, title))
    return tuple(topics)


SOURCE_FIELDS = {"id", "title", "publisher", "date", "url", "file", "excerpts", "reliability"}
ENTITY_FIELDS = {"id", "name", "article", "aliases", "category", "attributes", "description", "distractor",
                 "native_name", "sources", "period"}
FACT_FIELDS = {"id", "relation", "subject", "object", "date", "according_to", "statement", "topic", "sources",
               "evidence", "ask", "distractors", "confidence", "tags", "dispute", "forms", "not_forms"}
NUMBER_FIELDS = {"value", "max", "unit", "approximate", "tolerance", "bound"}


def _collect_records(doc: Located, root: Path, problems: list[Problem], out: _Collected) -> None:
    r = Reader(doc, problems)
    if not isinstance(doc.data, dict):
        r.report((), f"found {describe(doc.data)}; expected a mapping with keys sources, entities or facts")
        return
    readers: dict[str, Callable[[Reader, tuple, Path, _Collected], None]] = {
        "sources": _read_source, "entities": _read_entity, "facts": _collect_fact,
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
        id=eid or "", name=r.text(record, at, "name", required=True, limit=MAX_NAME_CHARS, what=A_NAME) or "",
        category=r.text(record, at, "category", pattern=SLUG, hint="a category of relations.yaml") or "",
        description=r.text(record, at, "description", required=True) or "", origin=r.origin(at),
        article=r.text(record, at, "article", limit=MAX_NAME_CHARS, what=A_NAME),
        aliases=r.text_list(record, at, "aliases", limit=MAX_NAME_CHARS, what=A_NAME),
        attributes=_read_attributes(r, record, at),
        distractor=r.boolean(record, at, "distractor") if "distractor" in record else True,
        native_name=r.text(record, at, "native_name", limit=MAX_NAME_CHARS, what=A_NAME), sources=r.text_list(record, at, "sources"),
        period=_read_period(r, record, at),
    )
    if eid:
        out.entities.append((entity, at, r))


A_NAME = "a name is set inside question texts"


def _read_period(r: Reader, record: dict, at: tuple) -> DateValue | None:
    """An entity's period; an open end ("1927-10-17/") means it still exists."""
    text = record.get("period")
    if isinstance(text, str) and text.strip().endswith("/"):
        start = r.date_value({"period": text.strip()[:-1]}, at, "period")
        return None if start is None else DateValue(f"{start.text}/9999", start.start, date(9999, 12, 31),
                                                    start.precision, True)
    return r.date_value(record, at, "period")


def _read_attributes(r: Reader, record: dict, at: tuple) -> tuple[tuple[str, str], ...]:
    spec = record.get("attributes")
    if spec is None:
        return ()
    if not isinstance(spec, dict):
        r.report((*at, "attributes"), f"found {describe(spec)}; expected a mapping of attribute: value")
        return ()
    found = []
    for key in spec:
        value = r.text(spec, (*at, "attributes"), key, pattern=SLUG, hint="a slug such as syria")
        if not SLUG.match(str(key)):
            r.report((*at, "attributes", key), f"{key!r} is not a valid attribute name; expected a slug", at_key=True)
        elif value:
            found.append((str(key), value))
    return tuple(sorted(found))


def _collect_fact(r: Reader, at: tuple, root: Path, out: _Collected) -> None:
    record = r.record(at, FACT_FIELDS, {"id", "relation", "subject", "object", "topic", "sources", "evidence"})
    if record is not None:
        out.facts.append((record, at, r))


@dataclass
class _FactContext:
    header: dict | None
    relations: dict[str, Relation]
    entities: dict[str, Entity]
    sources: dict[str, Source]
    problems: list[Problem]


def _read_fact(c: _FactContext, record: dict, at: tuple, r: Reader) -> Fact | None:
    before = len(c.problems)
    fid = r.text(record, at, "id", pattern=SOURCE_ID, hint="letters, digits, '-', '_' or '.'")
    relation = _known(r, record, at, "relation", c.relations, "relation")
    sources = r.text_list(record, at, "sources")
    if "sources" in record and not sources:
        r.report((*at, "sources"), "is empty; every fact needs at least one source id")
    for i, sid in enumerate(sources):
        if sid not in c.sources:
            c.problems.append(_unknown(r, (*at, "sources", i), sid, "source", c.sources))
    topics = {t.id for t in c.header["topics"]} if c.header else set()
    if topics and isinstance(record.get("topic", "x"), str) and not record.get("topic", "x").strip():
        # a draft's placeholder, left unfilled
        r.report((*at, "topic"), f"is empty; expected one of pack.yaml's topics ({', '.join(sorted(topics))}), or a "
                                 "new topic added there")
        topic = None
    else:
        topic = r.text(record, at, "topic", pattern=SLUG, hint="a topic id of pack.yaml")
    if topic and topics and topic not in topics:
        r.report((*at, "topic"), f"unknown topic {topic!r}; expected one of {', '.join(sorted(topics))}")
    according_to = _known(r, record, at, "according_to", c.entities, "entity") if "according_to" in record else None
    subject = object_ = None
    if relation:
        subject = _read_slot(r, record, at, "subject", relation.subject, c)
        object_ = _read_slot(r, record, at, "object", relation.object, c)
    evidence = _read_evidence(r, record, at)
    ask = _read_ask(r, record, at, relation)
    pin, forbid = _read_distractor_rules(r, record, at, c.entities, relation)
    date_value = r.date_value(record, at, "date")
    fact = Fact(
        id=fid or "", relation=relation.id if relation else "", subject=subject or "", object=object_ or "",
        statement=r.text(record, at, "statement") or "", topic=topic or "", sources=sources, evidence=evidence,
        origin=r.origin(at), date=date_value, according_to=according_to, ask=ask, pin=pin, forbid=forbid,
        confidence=r.choice(record, at, "confidence", CONFIDENCE_LEVELS) or "medium",
        tags=r.text_list(record, at, "tags", pattern=SLUG, hint="a slug such as timeline"),
        dispute=r.text(record, at, "dispute"), forms=read_forms(r.doc, at, record, "forms", c.problems),
        not_forms=read_forms(r.doc, at, record, "not_forms", c.problems),
    )
    if len(c.problems) > before or relation is None or subject is None or object_ is None or not evidence:
        return None  # each missing part is reported already
    _check_dates_in_period(r, at, fact, c.header)
    _check_evidence(r, at, fact, relation, c)
    return fact if len(c.problems) == before else None


def _known(r: Reader, record: dict, at: tuple, key: str, known: dict, what: str):
    value = r.text(record, at, key)
    if value is None:
        return None
    if value not in known:
        r.problems.append(_unknown(r, (*at, key), value, what, known))
        return None
    return known[value] if what == "relation" else value


def _read_slot(r: Reader, record: dict, at: tuple, slot: str, slot_type: str, c: _FactContext) -> Value | None:
    """A slot's value by the relation's slot type: an entity of its category, text, a date or a number."""
    if slot_type == "number":
        return _read_number(r, record, at, slot)
    if slot_type == "date":
        return r.date_value(record, at, slot)
    value = r.text(record, at, slot, required=True, **({"limit": MAX_TEXT_VALUE_CHARS, "what": "a text value is "
                                                         "set inside question texts and shown as an option"}
                                                       if slot_type == "text" else {}))
    if value is None or slot_type == "text":
        return value
    if value not in c.entities:
        r.problems.append(_unknown(r, (*at, slot), value, "entity", c.entities))
        return None
    category = c.entities[value].category
    if category != slot_type:
        r.report((*at, slot), f"{value!r} is a {category}; relation {record.get('relation')!r} expects a "
                              f"{slot_type} as its {slot}")
        return None
    return value


def _read_evidence(r: Reader, record: dict, at: tuple) -> tuple[tuple[str, str], ...]:
    spec = record.get("evidence")
    if isinstance(spec, dict):
        found = []
        for key in spec:
            if key not in (*SLOTS, "fact"):
                r.report((*at, "evidence", key), f"unknown key {key!r}; expected subject, object or fact", at_key=True)
                continue
            quote = r.text(spec, (*at, "evidence"), key, required=True)
            if quote:
                found.append((key, quote))
        if not found:
            r.report((*at, "evidence"), "is empty; expected a quotation for subject, object or fact")
        return tuple(found)
    quote = r.text(record, at, "evidence", required=True)
    return (("fact", quote),) if quote else ()


def _read_ask(r: Reader, record: dict, at: tuple, relation: Relation | None) -> tuple[str, ...]:
    askable = tuple(s for s in SLOTS if relation and relation.question(s)) if relation else ()
    if "ask" not in record:
        return askable
    wanted = r.text_list(record, at, "ask")
    for slot in wanted:
        if slot not in SLOTS:
            r.report((*at, "ask"), f"{slot!r} is not a slot; expected subject or object")
        elif relation and slot not in askable:
            r.report((*at, "ask"), f"relation {relation.id!r} has no ask_{slot} phrasing, so its {slot} cannot be "
                                   "asked")
    return tuple(s for s in SLOTS if s in wanted and s in askable)


def _read_distractor_rules(r: Reader, record: dict, at: tuple, entities: dict, relation: Relation | None
                           ) -> tuple[tuple, tuple]:
    """Wrong options to prefer (pin) or never to use (forbid): entity ids, or, for a text slot, texts word for word."""
    spec = record.get("distractors")
    if spec is None:
        return (), ()
    where = (*at, "distractors")
    rules = r.record(where, {"pin", "forbid"}, set())
    if rules is None:
        return (), ()
    takes_text = relation is not None and "text" in (relation.subject, relation.object)
    found = []
    for key in ("pin", "forbid"):
        ids = r.text_list(rules, where, key)
        for i, eid in enumerate(ids):
            if eid not in entities and key == "pin" and not takes_text:  # forbid may name a text option anyway
                r.problems.append(_unknown(r, (*where, key, i), eid, "entity", entities))
        found.append(tuple(ids))
    return found[0], found[1]


def _read_number(r: Reader, record: dict, at: tuple, key: str) -> Number | None:
    where = (*at, key)
    if key not in record:
        return None  # reported as a missing required field already
    spec = r.record(where, NUMBER_FIELDS, {"value", "unit"})
    if spec is None:
        return None
    value = r.number(spec, where, "value")
    maximum = r.number(spec, where, "max")
    tolerance = r.number(spec, where, "tolerance")
    approximate = r.boolean(spec, where, "approximate")
    unit = r.text(spec, where, "unit", required=True, limit=MAX_NAME_CHARS, what="a unit is set inside question "
                                                                               "texts")
    if tolerance is not None and tolerance < 0:
        r.report((*where, "tolerance"), f"{tolerance} is negative; expected 0 or more")
    if value is not None and maximum is not None and maximum < value:
        r.report((*where, "max"), f"{maximum} is below value {value}; expected the upper end of the range")
    bound = _read_bound(r, spec, where, approximate=approximate, ranged=maximum is not None)
    if value is None or unit is None:
        return None
    if tolerance is None and approximate:
        tolerance = abs(value) / 10
    return Number(value=value, unit=unit, max=maximum, approximate=approximate, tolerance=tolerance, bound=bound)


def _read_bound(r: Reader, spec: dict, where: tuple, *, approximate: bool, ranged: bool) -> str | None:
    """A figure the source gives as a limit ("more than $320 million"): one of BOUND_WORDS, alone."""
    if "bound" not in spec:
        return None
    bound = spec["bound"]
    if bound not in BOUND_WORDS:
        r.report((*where, "bound"), f"found {describe(bound)}; expected one of {', '.join(BOUND_WORDS)}")
        return None
    if approximate or ranged:
        r.report((*where, "bound"), f"{bound} goes with neither approximate nor max; expected one figure the source "
                                    "gives as a limit")
        return None
    return bound


def _check_unique(what: str, records: list[tuple], problems: list[Problem]) -> None:
    first_seen: dict[str, Origin] = {}
    for item, at, r in records:
        if item.id in first_seen:
            problems.append(r.doc.problem((*at, "id"), f"duplicate {what} id {item.id!r}; "
                                                       f"first defined at {first_seen[item.id]}"))
        else:
            first_seen[item.id] = r.doc.origin((*at, "id"))


def _check_unique_fact_ids(records: list[tuple[dict, tuple, Reader]], problems: list[Problem]) -> None:
    first_seen: dict[str, Origin] = {}
    for record, at, r in records:
        fid = str(record.get("id", ""))
        if fid in first_seen:
            problems.append(r.doc.problem((*at, "id"), f"duplicate fact id {fid!r}; first defined at "
                                                       f"{first_seen[fid]}"))
        elif fid:
            first_seen[fid] = r.doc.origin((*at, "id"))


def _check_entity_links(collected: _Collected, entities: dict[str, Entity], sources: dict[str, Source],
                        categories: set[str], problems: list[Problem]) -> None:
    for entity, at, r in collected.entities:
        if categories and entity.category and entity.category not in categories:
            problems.append(r.doc.problem((*at, "category"), f"{entity.category!r} is not a category of "
                                          f"{RELATIONS_FILE}; expected one of {', '.join(sorted(categories))}"))
        for i, sid in enumerate(entity.sources):
            if sid not in sources:
                problems.append(_unknown(r, (*at, "sources", i), sid, "source", sources))


def _check_complete_lists(relations: tuple[Relation, ...], entities: dict[str, Entity], sources: dict[str, Source],
                          problems: list[Problem]) -> None:
    """A list declared complete names a value of the relation and the source that gives the full list."""
    for relation in relations:
        entity_slots = [t for t in (relation.subject, relation.object) if t not in VALUE_TYPES]
        for _, value, source in relation.complete_for:
            where = relation.origin
            if source not in sources:
                problems.append(Problem(where.file, where.line, where.column, f"{relation.id}.complete_for",
                                        f"unknown source {source!r}; expected the id of the source that lists "
                                        f"every partner of {value!r}"))
            if "text" not in (relation.subject, relation.object) and entity_slots and value not in entities:
                problems.append(Problem(where.file, where.line, where.column, f"{relation.id}.complete_for",
                                        f"unknown entity {value!r}; expected an entity of category "
                                        f"{' or '.join(sorted(set(entity_slots)))}"))


def _check_dates_in_period(r: Reader, at: tuple, fact: Fact, header: dict | None) -> None:
    if not header or "period_start" not in header:
        return
    for key, value in (("date", fact.date), ("object", fact.object)):
        if isinstance(value, DateValue) and (value.start < header["period_start"] or value.end > header["period_end"]):
            r.report((*at, key), f"{value.text!r} is outside the pack period "
                                 f"{header['period_start']}/{header['period_end']}")


def _check_evidence(r: Reader, at: tuple, fact: Fact, relation: Relation, c: _FactContext) -> None:
    """Every quotation is verbatim in a source, and the quotation for each asked slot contains its value."""
    known = [c.sources[s] for s in fact.sources if s in c.sources]
    checked = [s.id for s in known if s.text or s.excerpts]
    where = {quote: (*at, "evidence", slot) if slot != "fact" or isinstance(r.value(at).get("evidence"), dict)
             else (*at, "evidence") for slot, quote in fact.evidence}
    for quote in fact.quotes:
        if checked and not any(evidence_in_source(quote, s) for s in known):
            r.report(where[quote], f"{_short(quote)!r} was not found in the text of source {' or '.join(checked)}; "
                                   "expected an exact quotation" + (" (words in square brackets are editorial "
                                                                    "insertions)" if insertions(quote) else ""))
        elif insertions(quote) and not any(quoted_verbatim(quote, s) for s in known if s.text or s.excerpts):
            _check_insertions(r, where[quote], quote, fact, relation, c)
    for slot in fact.ask:
        quote = fact.evidence_for(slot)
        forms = written_forms(fact.value(slot), relation.slot_type(slot), c.entities.__getitem__)
        if not states_any(quote, forms):
            r.report(where[quote], f"{_short(quote)!r} does not contain the {slot} it is asked for "
                                   f"({forms[0]!r}); expected a quotation that names it, or leave {slot} out of "
                                   "'ask'")


def _check_insertions(r: Reader, at: tuple, quote: str, fact: Fact, relation: Relation, c: _FactContext) -> None:
    """An editorial insertion may only name the fact's own subject or object (its name or an alias)."""
    names = inserted_names(fact, relation, c.entities.__getitem__)
    allowed = {normalise(n) for n in names}
    for inserted in insertions(quote):
        if not {normalise(inserted), normalise(without_possessive(inserted))} & allowed:
            r.report(at, f"the insertion [{inserted}] is not a name of the fact's subject or object; expected one of "
                         f"{', '.join(repr(n) for n in names)}, or one of them with 's for a possessive (an editorial "
                         "insertion names who or what the source means)")


POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")


def without_possessive(inserted: str) -> str:
    """The name in a possessive insertion: "[the Brooklyn Bridge's]" for "its" names the Brooklyn Bridge,
    "[the Curies']" the Curies."""
    return POSSESSIVE.sub("", inserted.strip())


def inserted_names(fact: Fact, relation: Relation, entity: Callable[[str], Entity]) -> tuple[str, ...]:
    """The names an insertion may give: each entity slot's name, running name and aliases, and text slots as written."""
    names: list[str] = []
    for slot in SLOTS:
        slot_type, value = relation.slot_type(slot), fact.value(slot)
        if slot_type == "text":
            names.append(value)
        elif slot_type not in VALUE_TYPES:
            names += [entity(value).running_name, *entity(value).names]
    return tuple(dict.fromkeys(names))


def written_forms(value: Value, slot_type: str, entity: Callable[[str], Entity]) -> tuple[str, ...]:
    """The ways a quotation may state a slot's value (`entity` finds an entity by id)."""
    if isinstance(value, (DateValue, Number)):
        return value.written_forms()
    if slot_type in VALUE_TYPES:
        return (value,)
    return entity(value).names


def states_any(quote: str, forms: tuple[str, ...]) -> bool:
    """Whether the quotation states one of the forms, as whole words or (for figures and dates) verbatim; a figure
    counts only with its own sign and digits (108 is not stated by "−108" or "1080")."""
    return any(states_figure(quote, form) if FIGURE.match(form) else contains_phrase(quote, form) or form in quote
               for form in forms)


FIGURE = re.compile(r"^[-−–]?\d")


def states_figure(quote: str, form: str) -> bool:
    unsigned = form.lstrip("-−–")
    signed = unsigned != form
    at = quote.find(unsigned)
    while at >= 0:
        before = quote[at - 1] if at else ""
        after = quote[at + len(unsigned): at + len(unsigned) + 2]
        minus = before in "-−–" and before != "" and not (at >= 2 and quote[at - 2].isalnum())  # "mid-2013" is not
        starts = not (before.isdigit() or (before in ".," and before != "")) and (minus if signed else not minus)
        ends = not (after[:1].isdigit() or (after[:1] in ".," and after[1:2].isdigit()))
        if starts and ends:
            return True
        at = quote.find(unsigned, at + 1)
    return False


def _read_review(root: Path, problems: list[Problem]) -> tuple[str, ...]:
    """Question ids the author left out with `quizgen review` (review.yaml), in file order."""
    path = root / REVIEW_FILE
    if not (path.exists() or path.is_symlink()):
        return ()
    doc = _read_or_collect(path, problems)
    if doc is None:
        return ()
    r = Reader(doc, problems)
    record = r.record((), {"exclude"}, set())
    if record is None:
        return ()
    items = record.get("exclude") or []
    if not isinstance(items, list):
        r.report(("exclude",), f"found {describe(items)}; expected a list of {{id, reason}}")
        return ()
    ids = []
    for i in range(len(items)):
        at = ("exclude", i)
        spec = r.record(at, set(REVIEW_FIELDS), {"id"})
        if spec is None:
            continue
        for key, expected in REVIEW_FIELDS.items():
            if key in spec and not isinstance(spec[key], str) and not (key != "id" and spec[key] is None):
                r.report((*at, key), f"found {describe(spec[key])}; expected {expected}")
        qid = r.text(spec, at, "id", pattern=QUESTION_ID, hint=REVIEW_FIELDS["id"]) if isinstance(spec.get("id"), str) \
            else None
        if qid:
            ids.append(qid)
    return tuple(ids)


QUESTION_ID = re.compile(r"^[0-9a-f]{12}$")
REVIEW_FIELDS = {"id": "a question id in quotes, the 12 letters and digits `quizgen review` shows, such as "
                       "'0a1b2c3d4e5f'",
                 "reason": "text: why the question is left out", "prompt": "text: the question as it reads"}


UNKNOWN_ID = ("unknown entity id", "unknown source id", "unknown relation id")  # how the messages of _unknown start


def _unknown(r: Reader, at: tuple, value: str, what: str, known: dict) -> Problem:
    return r.doc.problem(at, f"unknown {what} id {value!r}; expected one of the {len(known)} {what} ids defined "
                             f"in the pack" + _suggestion(value, known))


def _suggestion(value: str, known: dict) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=4096)
def normalise_space(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def evidence_in_source(evidence: str, source: Source) -> bool:
    """True when the evidence is a verbatim quotation (whitespace runs aside) of the source's text or excerpts,
    editorial insertions in square brackets aside (see `insertion_pattern`)."""
    return quoted_verbatim(evidence, source) or bool(insertions(evidence)) and quoted_with_insertions(evidence, source)


def _haystacks(source: Source) -> list[str]:
    return [normalise_space(h) for h in ([source.text] if source.text else []) + list(source.excerpts)]


def quoted_verbatim(evidence: str, source: Source) -> bool:
    needle = normalise_space(evidence)
    return any(needle in h for h in _haystacks(source))


def quoted_with_insertions(evidence: str, source: Source) -> bool:
    pattern = insertion_pattern(evidence)
    return any(pattern.search(h) for h in _haystacks(source))


INSERTION = re.compile(r"\[([^\[\]]+)\]")
MAX_REPLACED_WORDS = 4  # an insertion stands for a pronoun or a short phrase of the source ("she", "the company")


def insertions(quote: str) -> tuple[str, ...]:
    """The editorial insertions of a quotation: "In 1898 [Marie Curie] discovered polonium" → ("Marie Curie",)."""
    return tuple(found.strip() for found in INSERTION.findall(quote))


@lru_cache(maxsize=4096)
def insertion_pattern(quote: str) -> re.Pattern:
    """A pattern for the quotation's own words, word for word, where each insertion in square brackets stands for up
    to MAX_REPLACED_WORDS words of the source, or for none (an addition)."""
    pieces = [normalise_space(p) for p in INSERTION.split(quote)[::2]]
    stand_in = rf"(?:\s+\S+){{0,{MAX_REPLACED_WORDS}}}\s+"
    parts = [re.escape(pieces[0])]
    for piece in pieces[1:]:
        parts.append(stand_in if parts[-1] and piece else "")
        parts.append(re.escape(piece))
    return re.compile("".join(parts))
