"""A pack's relation vocabulary (relations.yaml): its categories and relations, read and checked
(phrasing.py realises their phrasing for one fact)."""

from __future__ import annotations

import difflib
import re

from ..errors import Problem
from ..model import QUESTION_TYPES, VALUE_TYPES, Category, Relation, WordChoice
from .records import Reader
from .yamlfile import Located

RELATIONS_FILE = "relations.yaml"
RELATION_FIELDS = {"id", "subject", "object", "subjects", "objects", "sentence", "ask_subject", "ask_object",
                   "ask_subjects", "ask_objects", "claim", "match", "item", "implies", "inverse", "complete",
                   "complete_for", "widens", "older", "lifetime", "forms", "not_forms", "per_set", "words"}
CATEGORY_FIELDS = {"rank_by", "match", "within"}
PHRASINGS = ("sentence", "ask_subject", "ask_object", "ask_subjects", "ask_objects", "claim", "match", "item")
PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
# "{subject.tributary-of}": the one value another relation gives the slot's entity ("The Moselle flows into the Rhine")
RELATED = re.compile(r"\{(subject|Subject|object|Object)\.([a-z0-9][a-z0-9-]*)\}")
PLACEHOLDERS = {"subject", "Subject", "object", "Object", "when", "according", "According", "kind"}
FIGURE_MARK = "\x00{}\x00"  # where a figure goes, filled once the words around it are known
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A phrasing is realised into question texts, which a template may make at most 10,000 characters long
# (generate/templates.py): with every placeholder filled by the longest name or text value check allows
# (load/records.py), a phrasing within these caps always fits, so an over-long one is refused here, at its own line.
MAX_PHRASING_CHARS = 500
MAX_PHRASING_PLACEHOLDERS = 8
WORDS_BY = re.compile(r"^(subject|object)\.([a-z0-9]+(?:-[a-z0-9]+)*)$")
WORD_NAME = re.compile(r"^[a-z][a-z_]*$")


def read_vocabulary(doc: Located, problems: list[Problem]) -> tuple[tuple[Category, ...], tuple[Relation, ...]]:
    """Categories and relations from relations.yaml; every problem is recorded with its place."""
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem((), "expected a mapping with keys categories and relations"))
        return (), ()
    r = Reader(doc, problems)
    r.known_fields(data, (), {"categories", "relations"},
                   message="unknown section {key!r}; expected categories or relations")
    categories = _read_categories(r, data.get("categories"))
    known = {c.id for c in categories} | set(VALUE_TYPES)
    relations = []
    items = data.get("relations")
    if not isinstance(items, list) or not items:
        problems.append(doc.problem(("relations",) if "relations" in data else (),
                                    "expected a list of relations (id, subject, object, sentence, …)"))
        items = []
    seen: set[str] = set()
    for i in range(len(items)):
        relation = _read_relation(r, ("relations", i), known)
        if relation is None:
            continue
        if relation.id in seen:
            problems.append(doc.problem(("relations", i, "id"), f"duplicate relation id {relation.id!r}"))
            continue
        seen.add(relation.id)
        relations.append(relation)
    check_implications(doc, tuple(relations), problems)
    check_related_placeholders(doc, tuple(relations), problems)
    return categories, tuple(relations)


def check_related_placeholders(doc: Located, relations: tuple[Relation, ...], problems: list[Problem]) -> None:
    """{subject.R} names a relation R whose subject is of the slot's kind and that gives it one value."""
    by_id = {r.id: r for r in relations}
    for i, relation in enumerate(relations):
        at = next(((("relations", j)) for j, item in enumerate(doc.data.get("relations") or [])
                   if isinstance(item, dict) and item.get("id") == relation.id), ("relations", i))
        for key in PHRASINGS:
            text = getattr(relation, key, None)
            for slot, named in RELATED.findall(text or ""):
                other_relation = by_id.get(named)
                where = (*at, key)
                if other_relation is None:
                    problems.append(doc.problem(where, f"{{{slot}.{named}}} names no relation of this pack; "
                                                "expected {subject.RELATION} with a relation id"))
                elif other_relation.subject != relation.slot_type(slot.lower()) or other_relation.objects != "one":
                    problems.append(doc.problem(where, f"{{{slot}.{named}}}: {named!r} must have {slot.lower()}'s "
                                                f"kind ({relation.slot_type(slot.lower())}) as its subject and "
                                                "objects: one, so that it names one value"))


def _read_categories(r: Reader, data: object) -> tuple[Category, ...]:
    if not isinstance(data, dict) or not data:
        r.report(("categories",) if data is not None else (),
                 "expected a mapping of entity categories, e.g. person: {rank_by: [side]}")
        return ()
    categories = []
    for name, spec in data.items():
        if not isinstance(name, str) or not SLUG.match(name) or name in VALUE_TYPES:
            r.report(("categories", name), f"{name!r} is not a valid category; expected a slug other than "
                                           f"{', '.join(VALUE_TYPES)}", at_key=True)
            continue
        spec = spec or {}
        if not isinstance(spec, dict) or set(spec) - CATEGORY_FIELDS:
            r.report(("categories", name), "expected a mapping with rank_by, match and within (each a list of "
                                           "attribute names)")
            continue
        lists = {key: r.texts(spec, ("categories", name), key, pattern=SLUG, one_allowed=False,
                              message="expected a list of attribute slugs") or ()
                 for key in sorted(CATEGORY_FIELDS)}
        categories.append(Category(name, lists["rank_by"], match=lists["match"], within=lists["within"]))
    return tuple(categories)


def _read_relation(r: Reader, at: tuple, known: set[str]) -> Relation | None:
    doc, problems = r.doc, r.problems
    before = len(problems)
    record = r.record(at, RELATION_FIELDS, set(), shape="expected a mapping with id, subject, object and sentence")
    if record is None:
        return None
    for key in ("id", "subject", "object", "sentence"):
        if key in ("subject", "object") and isinstance(record.get(key), list):
            r.report((*at, key), several_categories_message(key, record[key]))
        elif not isinstance(record.get(key), str) or not record[key].strip():
            r.report(at if key not in record else (*at, key), f"missing or empty {key!r}; expected text")
    if len(problems) > before:
        return None
    r.matching(record, at, "id", SLUG, message="{value!r} is not a valid relation id; expected a slug")
    for slot in ("subject", "object"):
        r.one_of(record, at, slot, tuple(sorted(known)), message="{value!r} is not a category or value type; "
                 "expected one of " + ", ".join(sorted(known)))
    if record["subject"] in ("date", "number"):
        r.report((*at, "subject"), "a subject is an entity or text; dates and numbers are objects")
    for key in ("subjects", "objects"):
        r.one_of(record, at, key, ("one", "many"), default=_default_count(record, key), allow_null=False,
                 message="{value!r} is not allowed; expected one or many")
    words = _words(r, at, record)
    oversized = [p for key in PHRASINGS if key in record for p in oversized_phrasing(doc, (*at, key), record[key])]
    for key in PHRASINGS:
        if key in record and not oversized:
            _check_phrasing(doc, (*at, key), record[key], key, problems, {w.name for w in words})
    if len(problems) > before:
        return None
    problems.extend(oversized)
    return Relation(id=record["id"], subject=record["subject"], object=record["object"], origin=doc.origin(at),
                    sentence=record["sentence"].strip(), subjects=record.get("subjects", "many"),
                    objects=record.get("objects", _default_count(record, "objects")),
                    ask_subject=_optional(record, "ask_subject"),
                    ask_object=_optional(record, "ask_object"), claim=_optional(record, "claim"),
                    ask_subjects=_optional(record, "ask_subjects"), ask_objects=_optional(record, "ask_objects"),
                    match=_optional(record, "match"), item=_optional(record, "item"),
                    implies=_implied(r, at, record), inverse=_inverse(r, at, record),
                    complete=_flag(r, at, record, "complete"),
                    complete_for=_complete_for(r, at, record), widens=_flag(r, at, record, "widens"),
                    older=_older(r, at, record), lifetime=_lifetime(r, at, record),
                    forms=read_forms(r, at, record, "forms"), not_forms=read_forms(r, at, record, "not_forms"),
                    per_set=_per_set(r, at, record), words=words)


def several_categories_message(slot: str, found: list) -> str:
    """A slot names one category: the engine finds wrong options, truth and kinds per category."""
    names = ", ".join(str(name) for name in found) or "nothing"
    return (f"found a list ({names}); expected one category; a list is not allowed here. Write one relation per "
            f"category (the same sentence, ids such as {{id}}-{{category}}), or give the entities one category "
            f"and tell them apart with an attribute (docs/content-format.md, relations)")


def read_forms(r: Reader, at: tuple, record: dict, key: str) -> tuple[str, ...]:
    """A `forms` or `not_forms` list of a relation or a fact: question types, each one known."""
    value = record.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        r.report((*at, key), f"expected a list of question forms: {', '.join(QUESTION_TYPES)}")
        return ()
    found = []
    for i, item in enumerate(items):
        if item not in QUESTION_TYPES:
            close = difflib.get_close_matches(str(item), QUESTION_TYPES, n=1)
            r.report((*at, key, i) if isinstance(value, list) else (*at, key),
                     f"{item!r} is not a question form; expected one of {', '.join(QUESTION_TYPES)}"
                     + (f" (did you mean {close[0]!r}?)" if close else ""))
        else:
            found.append(item)
    return tuple(dict.fromkeys(found))


def _words(r: Reader, at: tuple, record: dict) -> tuple[WordChoice, ...]:
    """`words`: placeholders whose words an attribute of one slot's entity decides, each with the words for anyone
    else: `parent: {by: object.sex, female: the mother, male: the father, otherwise: one of the parents}`."""
    spec = record.get("words")
    if spec is None:
        return ()
    expected = ("expected a mapping of placeholder names to {by: subject.ATTRIBUTE or object.ATTRIBUTE, one entry "
                "per attribute value, otherwise: the words for anyone else}")
    if not isinstance(spec, dict) or not spec:
        r.report((*at, "words"), expected)
        return ()
    found = []
    for name, choice in spec.items():
        where = (*at, "words", name)
        if not isinstance(name, str) or not WORD_NAME.match(name) or name.lower() in {p.lower() for p in PLACEHOLDERS}:
            r.report(where, f"{name!r} is not a usable placeholder name; expected lower-case letters and _, other "
                            f"than {', '.join(sorted(p for p in PLACEHOLDERS if p.islower()))}", at_key=True)
            continue
        if not isinstance(choice, dict) or not all(isinstance(v, str) and v.strip() for v in choice.values()):
            r.report(where, expected)
            continue
        by = WORDS_BY.match(str(choice.get("by", "")))
        if by is None:
            r.report((*where, "by") if "by" in choice else where,
                     f"found {choice.get('by')!r}; expected subject.ATTRIBUTE or object.ATTRIBUTE (object.sex)")
            continue
        if record.get(by[1]) in VALUE_TYPES:
            r.report((*where, "by"), f"the {by[1]} of this relation is a {record.get(by[1])}, which has no attributes; "
                                     "expected the slot that holds an entity")
            continue
        if "otherwise" not in choice:
            r.report(where, "missing 'otherwise'; expected the words for an entity without the attribute or with "
                            "another value of it")
            continue
        choices = tuple((str(key), value.strip()) for key, value in choice.items() if key not in ("by", "otherwise"))
        found.append(WordChoice(name, by[1], by[2], choices, choice["otherwise"].strip()))
    return tuple(found)


def _per_set(r: Reader, at: tuple, record: dict) -> int | None:
    """The most items of this relation one dealt set may hold (the author's restraint: two death tolls a set)."""
    if record.get("per_set") is None:
        return None
    return r.whole_number(record, at, "per_set", low=1, message="found {value!r}; expected a whole number of 1 or "
                          "more: the most items of this relation one question set may hold")


def _lifetime(r: Reader, at: tuple, record: dict) -> str | None:
    value = r.one_of(record, at, "lifetime", ("start", "end"), message="found {value!r}; expected start or end: "
                     "whether this relation's date begins its subject's life (born-on) or ends it (died-on)")
    if value is not None and record.get("object") != "date":
        r.report((*at, "lifetime"), "lifetime needs a relation whose object is a date")
        return None
    return value


def _older(r: Reader, at: tuple, record: dict) -> str | None:
    return r.one_of(record, at, "older", ("subject", "object"), message="found {value!r}; expected subject or "
                    "object: the slot whose value came first (a parent for child-of)")


def _default_count(record: dict, key: str) -> str:
    """A date or a figure is one value at a time (a birth date, a length); anything else may have several."""
    return "one" if key == "objects" and record.get("object") in ("date", "number") else "many"


def _inverse(r: Reader, at: tuple, record: dict) -> str | None:
    return r.matching(record, at, "inverse", SLUG, allow_null=True, message="expected the id of a relation that "
                      "says the same the other way round (the relation's own id when it is symmetric)")

FLAG_MEANINGS = {"complete": "true (the pack lists every value, so what it does not list is false) or false",
                 "widens": "true (a fact holds for the places around its places too) or false"}


def _flag(r: Reader, at: tuple, record: dict, key: str) -> bool:
    return r.boolean(record, at, key, message="found {value!r}; expected " + FLAG_MEANINGS[key])


def _complete_for(r: Reader, at: tuple, record: dict) -> tuple[tuple[str, str, str], ...]:
    items = record.get("complete_for", [])
    expected = ("expected a list of {subject, source} (every object of that subject is listed), {object, source} "
                "(every subject of that object), or {value, source} (either way)")
    if not isinstance(items, list):
        r.report((*at, "complete_for"), expected)
        return ()
    found = []
    for i, item in enumerate(items):
        sides = [k for k in ("subject", "object", "value") if isinstance(item, dict) and k in item]
        if (len(sides) != 1 or set(item) != {sides[0], "source"}
                or not all(isinstance(v, str) and v.strip() for v in item.values())):
            r.report((*at, "complete_for", i), expected)
            continue
        side = {"value": "either"}.get(sides[0], sides[0])
        found.append((side, item[sides[0]].strip(), item["source"].strip()))
    return tuple(found)


def _implied(r: Reader, at: tuple, record: dict) -> tuple[str, ...]:
    return r.texts(record, at, "implies", pattern=SLUG, message="expected a relation id or a list of them") or ()


def check_implications(doc: Located, relations: tuple[Relation, ...], problems: list[Problem]) -> None:
    """An implied relation exists and holds the same kinds of value in both slots; an inverse holds them the other
    way round."""
    known = {r.id: r for r in relations}
    for i, relation in enumerate(relations):
        inverse = known.get(relation.inverse) if relation.inverse else None
        if relation.inverse and inverse is None:
            problems.append(doc.problem(("relations", i, "inverse"), f"unknown relation {relation.inverse!r}; "
                                        "expected one of the relations of this file"))
        elif inverse and (inverse.subject, inverse.object) != (relation.object, relation.subject):
            problems.append(doc.problem(("relations", i, "inverse"), f"{inverse.id!r} holds a {inverse.subject} and "
                                        f"a {inverse.object}; expected a {relation.object} and a {relation.subject}"))
        for implied in relation.implies:
            other = known.get(implied)
            if other is None:
                problems.append(doc.problem(("relations", i, "implies"), f"unknown relation {implied!r}; expected "
                                            "one of the relations of this file"))
            elif (other.subject, other.object) != (relation.subject, relation.object):
                problems.append(doc.problem(("relations", i, "implies"), f"{implied!r} holds a {other.subject} and "
                                            f"a {other.object}; expected the same slots as {relation.id!r}"))


def _optional(record: dict, key: str) -> str | None:
    value = record.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def oversized_phrasing(doc: Located, at: tuple, text: object) -> list[Problem]:
    """A phrasing too long to realise into a question text; the relation is still read, so that the facts naming it
    are not reported as naming an unknown relation."""
    if not isinstance(text, str):
        return []
    if len(text.strip()) > MAX_PHRASING_CHARS:
        return [doc.problem(at, f"is {len(text.strip()):,} characters long; expected at most {MAX_PHRASING_CHARS:,} "
                                "(a phrasing is one sentence or question, realised into question texts)")]
    if len(PLACEHOLDER.findall(text)) > MAX_PHRASING_PLACEHOLDERS:
        return [doc.problem(at, f"names {len(PLACEHOLDER.findall(text))} placeholders; expected at most "
                                f"{MAX_PHRASING_PLACEHOLDERS}")]
    return []


def _check_phrasing(doc: Located, at: tuple, text: object, key: str, problems: list[Problem],
                    words: set[str] = frozenset()) -> None:
    if not isinstance(text, str) or not text.strip():
        problems.append(doc.problem(at, "expected text"))
        return
    for name in PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS and name.lower() not in words:
            known = sorted(PLACEHOLDERS | words)
            problems.append(doc.problem(at, f"unknown placeholder {{{name}}}; expected one of "
                                        + ", ".join("{" + p + "}" for p in known)
                                        + ("" if words else " (or a name declared under words)")))
    if key == "match" and PLACEHOLDER.search(text):
        problems.append(doc.problem(at, "names a placeholder; expected an instruction for the whole group, such as "
                                    "'Match each person with the group they led.'"))
    asked = {"ask_subject": "subject", "ask_object": "object", "ask_subjects": "subject",
             "ask_objects": "object"}.get(key)
    if asked and asked in {n.lower() for n in PLACEHOLDER.findall(text)}:
        problems.append(doc.problem(at, f"names {{{asked}}}, the value it asks for; expected a question about it"))
    if asked and not text.rstrip().endswith("?"):
        problems.append(doc.problem(at, f"{text!r} does not end with '?'; expected a question"))
