"""The records of a pack's files: sources (with their texts) and entities read, facts collected raw until the
relations and entities they name are known."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import Problem, QuizgenError, display_path
from ..files import read_contributed
from ..model import VALUE_TYPES, DateValue, Entity, Relation, Source
from .records import A_NAME, MAX_NAME_CHARS, SLUG, SOURCE_ID, Reader, describe, unknown
from .relations import RELATIONS_FILE
from .yamlfile import UNSAFE_CHARACTERS, Located, unsafe_character_message

MAX_SOURCE_TEXT_BYTES = 5 * 1024 * 1024


@dataclass
class Collected:
    sources: list[tuple[Source, tuple, Reader]]
    entities: list[tuple[Entity, tuple, Reader]]
    facts: list[tuple[dict, tuple, Reader]]  # raw records: reading a fact needs the relations and entities

SOURCE_FIELDS = {"id", "title", "publisher", "date", "url", "file", "excerpts", "reliability"}
ENTITY_FIELDS = {"id", "name", "article", "aliases", "category", "attributes", "description", "distractor",
                 "native_name", "sources", "period"}

FACT_FIELDS = {"id", "relation", "subject", "object", "date", "according_to", "statement", "topic", "sources",
               "evidence", "ask", "distractors", "confidence", "tags", "dispute", "forms", "not_forms"}


def collect_records(doc: Located, root: Path, problems: list[Problem], out: Collected) -> None:
    r = Reader(doc, problems)
    if not isinstance(doc.data, dict):
        r.report((), f"found {describe(doc.data)}; expected a mapping with keys sources, entities or facts")
        return
    readers: dict[str, Callable[[Reader, tuple, Path, Collected], None]] = {
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


def _read_source(r: Reader, at: tuple, root: Path, out: Collected) -> None:
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


def _read_entity(r: Reader, at: tuple, root: Path, out: Collected) -> None:
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


def _collect_fact(r: Reader, at: tuple, root: Path, out: Collected) -> None:
    record = r.record(at, FACT_FIELDS, {"id", "relation", "subject", "object", "topic", "sources", "evidence"})
    if record is not None:
        out.facts.append((record, at, r))


def check_entity_links(collected: Collected, entities: dict[str, Entity], sources: dict[str, Source],
                        categories: set[str], problems: list[Problem]) -> None:
    for entity, at, r in collected.entities:
        if categories and entity.category and entity.category not in categories:
            problems.append(r.doc.problem((*at, "category"), f"{entity.category!r} is not a category of "
                                          f"{RELATIONS_FILE}; expected one of {', '.join(sorted(categories))}"))
        for i, sid in enumerate(entity.sources):
            if sid not in sources:
                problems.append(unknown(r, (*at, "sources", i), sid, "source", sources))


def check_complete_lists(relations: tuple[Relation, ...], entities: dict[str, Entity], sources: dict[str, Source],
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
