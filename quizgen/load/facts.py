"""Facts read against the pack's relations, entities and sources: slots, numbers, dates, evidence, and the
rules a question follows."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Problem
from ..model import (
    CONFIDENCE_LEVELS,
    SLOTS,
    DateValue,
    Entity,
    Fact,
    Number,
    Origin,
    Relation,
    Source,
    Value,
)
from ..text import normalise
from ..values import BOUND_WORDS
from .evidence import (
    evidence_in_source,
    inserted_names,
    insertions,
    quoted_verbatim,
    states_any,
    without_possessive,
    written_forms,
)
from .records import MAX_NAME_CHARS, MAX_TEXT_VALUE_CHARS, SLUG, SOURCE_ID, Reader, describe, parse_date, short, unknown
from .relations import read_forms

NUMBER_FIELDS = {"value", "max", "unit", "approximate", "tolerance", "bound"}


@dataclass
class FactContext:
    header: dict | None
    relations: dict[str, Relation]
    entities: dict[str, Entity]
    sources: dict[str, Source]
    problems: list[Problem]


def read_fact(c: FactContext, record: dict, at: tuple, r: Reader) -> Fact | None:
    before = len(c.problems)
    fid = r.text(record, at, "id", pattern=SOURCE_ID, hint="letters, digits, '-', '_' or '.'")
    relation = _known(r, record, at, "relation", c.relations, "relation")
    sources = r.text_list(record, at, "sources")
    if "sources" in record and not sources:
        r.report((*at, "sources"), "is empty; every fact needs at least one source id")
    for i, sid in enumerate(sources):
        if sid not in c.sources:
            c.problems.append(unknown(r, (*at, "sources", i), sid, "source", c.sources))
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
        dispute=r.text(record, at, "dispute"), forms=read_forms(r, at, record, "forms"),
        not_forms=read_forms(r, at, record, "not_forms"),
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
        r.problems.append(unknown(r, (*at, key), value, what, known))
        return None
    return known[value] if what == "relation" else value


def _read_slot(r: Reader, record: dict, at: tuple, slot: str, slot_type: str, c: FactContext) -> Value | None:
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
        r.problems.append(unknown(r, (*at, slot), value, "entity", c.entities))
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
    takes_date = relation is not None and relation.object == "date"
    found = []
    for key in ("pin", "forbid"):
        ids = r.text_list(rules, where, key)
        for i, eid in enumerate(ids):
            if eid not in entities and key == "pin" and not takes_text:  # forbid may name a text option anyway
                r.problems.append(unknown(r, (*where, key, i), eid, "entity", entities))
            elif eid not in entities and key == "forbid" and takes_date and not is_date(eid):
                r.report((*where, key, i), f"found {eid!r}; expected a date written as the facts write one "
                                           "(\"2012-11\", \"2012-11-05\"), or an entity id")
        found.append(tuple(ids))
    return found[0], found[1]


def is_date(text: str) -> bool:
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


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


def check_unique_fact_ids(records: list[tuple[dict, tuple, Reader]], problems: list[Problem]) -> None:
    first_seen: dict[str, Origin] = {}
    for record, at, r in records:
        fid = str(record.get("id", ""))
        if fid in first_seen:
            problems.append(r.doc.problem((*at, "id"), f"duplicate fact id {fid!r}; first defined at "
                                                       f"{first_seen[fid]}"))
        elif fid:
            first_seen[fid] = r.doc.origin((*at, "id"))


def _check_dates_in_period(r: Reader, at: tuple, fact: Fact, header: dict | None) -> None:
    if not header or "period_start" not in header:
        return
    for key, value in (("date", fact.date), ("object", fact.object)):
        if isinstance(value, DateValue) and (value.start < header["period_start"] or value.end > header["period_end"]):
            r.report((*at, key), f"{value.text!r} is outside the pack period "
                                 f"{header['period_start']}/{header['period_end']}")


def _check_evidence(r: Reader, at: tuple, fact: Fact, relation: Relation, c: FactContext) -> None:
    """Every quotation is verbatim in a source, and the quotation for each asked slot contains its value."""
    known = [c.sources[s] for s in fact.sources if s in c.sources]
    checked = [s.id for s in known if s.text or s.excerpts]
    where = {quote: (*at, "evidence", slot) if slot != "fact" or isinstance(r.value(at).get("evidence"), dict)
             else (*at, "evidence") for slot, quote in fact.evidence}
    for quote in fact.quotes:
        if checked and not any(evidence_in_source(quote, s) for s in known):
            r.report(where[quote], f"{short(quote)!r} was not found in the text of source {' or '.join(checked)}; "
                                   "expected an exact quotation" + (" (words in square brackets are editorial "
                                                                    "insertions)" if insertions(quote) else ""))
        elif insertions(quote) and not any(quoted_verbatim(quote, s) for s in known if s.text or s.excerpts):
            _check_insertions(r, where[quote], quote, fact, relation, c)
    for slot in fact.ask:
        quote = fact.evidence_for(slot)
        forms = written_forms(fact.value(slot), relation.slot_type(slot), c.entities.__getitem__)
        if not states_any(quote, forms):
            r.report(where[quote], f"{short(quote)!r} does not contain the {slot} it is asked for "
                                   f"({forms[0]!r}); expected a quotation that names it, or leave {slot} out of "
                                   "'ask'")


def _check_insertions(r: Reader, at: tuple, quote: str, fact: Fact, relation: Relation, c: FactContext) -> None:
    """An editorial insertion may only name the fact's own subject or object (its name or an alias)."""
    names = inserted_names(fact, relation, c.entities.__getitem__)
    allowed = {normalise(n) for n in names}
    for inserted in insertions(quote):
        if not {normalise(inserted), normalise(without_possessive(inserted))} & allowed:
            r.report(at, f"the insertion [{inserted}] is not a name of the fact's subject or object; expected one of "
                         f"{', '.join(repr(n) for n in names)}, or one of them with 's for a possessive (an editorial "
                         "insertion names who or what the source means)")
