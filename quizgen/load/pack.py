"""Read a content pack folder (YAML + local source texts) into a checked `Pack`, or list every problem."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import Problem, QuizgenError, display_path
from ..model import Fact, Pack, Topic
from .facts import FactContext, check_unique_fact_ids, read_fact
from .phrasing import realise
from .records import SLUG, UNKNOWN_ID, Reader, check_unique, describe
from .relations import RELATIONS_FILE, read_vocabulary
from .sources import Collected, check_complete_lists, check_entity_links, collect_records
from .yamlfile import Located, read_yaml

PACK_FILE = "pack.yaml"
REVIEW_FILE = "review.yaml"
SPECIAL_FILES = {PACK_FILE, RELATIONS_FILE, REVIEW_FILE}


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
    collected = Collected([], [], [])
    for doc in docs:
        collect_records(doc, root, problems, collected)
    check_unique("source", collected.sources, problems)
    check_unique("entity", collected.entities, problems)
    sources = {s.id: s for s, _, _ in collected.sources}
    entities = {e.id: e for e, _, _ in collected.entities}
    check_entity_links(collected, entities, sources, {c.id for c in categories}, problems)
    check_complete_lists(relations, entities, sources, problems)
    context = FactContext(header, {r.id: r for r in relations}, entities, sources, problems)
    facts = [f for f in (read_fact(context, record, at, r) for record, at, r in collected.facts) if f is not None]
    check_unique_fact_ids(collected.facts, problems)
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
