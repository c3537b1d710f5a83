"""Lint rules over the pack's own files rather than its questions: names two entities share, cardinality the facts
contradict, dated facts no phrasing asks, figures without units, plural questions, related-value placeholders."""

from __future__ import annotations

import re
from collections import defaultdict

from ..model import NO_QUIZ_TAG, SLOTS, Number, Pack
from ..load.relations import PHRASINGS, RELATED
from ..load.phrasing import related_value
from ..text import normalise
from .findings import ERROR, WARNING, Finding
from .keys import fact_key, other


def ambiguous_name_findings(pack: Pack) -> list[Finding]:
    """An entity printed by the surname another entity also goes by ("Cassini", the spacecraft, beside the
    astronomer Giovanni Domenico Cassini, who is also called Cassini): a student reads one for the other. Names a
    pack gives on purpose to several records of one thing (ISIL and the names it went by) are no surname."""
    found = []
    for entity in pack.entities:
        short = normalise(entity.name)
        others = [other.name for other in pack.entities if other.id != entity.id
                  and short in {normalise(alias) for alias in other.aliases}
                  and normalise(other.name).endswith(" " + short)]
        if others:
            found.append(Finding("ambiguous-name", WARNING, str(entity.origin), entity.id,
                                 f"{entity.id!r} is printed as {entity.name!r}, which is also the surname of "
                                 f"{', '.join(others)}: give it a fuller name (its old one can stay an alias)"))
    return found


def cardinality_findings(pack: Pack) -> list[Finding]:
    """Undated facts that give one value two partners where the relation says that side holds one (`objects: one`
    or `subjects: one`): the facts contradict the relation, or the other field was meant."""
    found = []
    for relation in pack.relations:
        undated = [f for f in pack.facts if f.relation == relation.id and f.date is None]
        for slot in SLOTS:
            given = other(slot)
            if relation.holds_for_many(slot) or relation.slot_type(slot) in ("date", "number"):
                continue
            partners: dict[str, list] = defaultdict(list)  # the facts giving each value its first two partners
            for fact in undated:
                same = partners[fact_key(fact, given, pack)]
                if len(same) < 2 and all(fact_key(f, slot, pack) != fact_key(fact, slot, pack) for f in same):
                    same.append(fact)
                    if len(same) == 2:
                        found.append(Finding("cardinality", ERROR, str(fact.origin), fact.id, contradiction(
                            relation.id, slot, same[0], fact)))
    return found

def contradiction(relation_id: str, slot: str, earlier, later) -> str:
    given = other(slot)
    return (f"facts {earlier.id} and {later.id} give the {given} {later.value(given)!s} two {slot}s of "
            f"{relation_id!r} ({earlier.value(slot)!s}, {later.value(slot)!s}), but {relation_id!r} says "
            f"`{slot}s: one` (one {slot} for each {given}); if it is each {slot} that has one {given}, write "
            f"`{given}s: one` instead")

def unaskable_dated_findings(pack: Pack) -> list[Finding]:
    """A dated fact whose relation has an `item` phrase but no question phrasing is never asked, without a word."""
    return [Finding("unaskable-dated-fact", WARNING, str(fact.origin), fact.id,
                    f"fact {fact.id} is dated and relation {fact.relation!r} has an item phrase but no ask_subject "
                    f"or ask_object, so it is never asked and left off ordering items and study cards; add an "
                    f"ask_* phrasing to the relation")
            for fact in pack.facts if NO_QUIZ_TAG not in fact.tags and fact.when is not None
            and pack.relation(fact.relation).item and not phrasing_allows_asking(pack, fact)]

def phrasing_allows_asking(pack: Pack, fact) -> bool:
    relation = pack.relation(fact.relation)
    return bool(relation.ask_subject or relation.ask_object)

UNIT_WORDS = {"kilometres", "kilometers", "km", "metres", "meters", "miles", "per", "percent", "people", "days",
              "years", "months", "hours", "minutes", "kg", "tonnes", "degrees", "au", "barrels"}


def number_findings(pack: Pack) -> list[Finding]:
    """A figure carries its unit in words, and the relation's sentence does not write a unit of its own."""
    found = []
    for fact in pack.quizzable_facts():
        number = fact.object
        if not isinstance(number, Number):
            continue
        if not number.unit:
            found.append(Finding("unitless-number", ERROR, str(fact.origin), fact.id,
                                 f"the figure {number.figure()} has no unit; write unit: (people, km, per cent…)"))
        relation = pack.relation(fact.relation)
        after = re.search(r"\{[Oo]bject\}\s+([a-z]+)", relation.sentence)
        if after and number.unit and after.group(1) not in number.unit_words().split() and \
                after.group(1) in UNIT_WORDS:
            found.append(Finding("unit-in-sentence", ERROR, str(relation.origin), fact.id,
                                 f"the sentence of {relation.id!r} writes {after.group(1)!r} after the figure, which "
                                 f"already says {number.unit_words()!r}; leave the unit to the number"))
    return found


# "Which of these planets is classed as…?": a plural noun as the subject of a singular verb (not "Which groups was
# {subject} a leader of?", where the verb belongs to the subject that follows it)

SINGULAR_FOR_ALL = re.compile(r"^\s*(?:Which|What)(?: of these)? [\w-]+s (?:is|was|has|does) (?!\{)", re.IGNORECASE)

def phrasing_findings(pack: Pack) -> list[Finding]:
    """The question for every value of a slot asks in the plural: "Which of these planets is classed as…? Tick all
    that apply." tells a student to expect one answer."""
    found = []
    for relation in pack.relations:
        for key in ("ask_subjects", "ask_objects"):
            text = getattr(relation, key)
            if text and SINGULAR_FOR_ALL.match(text):
                found.append(Finding("singular-plural-question", ERROR, str(relation.origin), relation.id,
                                     f"{key} {text!r} asks in the singular for several values; write it in the "
                                     "plural (\"Which of these … are …?\")"))
    return found

def related_findings(pack: Pack) -> list[Finding]:
    """A fact whose relation's words name {subject.R} needs an R fact for its subject, or the words stay unfilled."""
    found = []
    for fact in pack.quizzable_facts():
        relation = pack.relation(fact.relation)
        texts = [getattr(relation, key) or "" for key in PHRASINGS]
        for slot, named in sorted({m for text in texts for m in RELATED.findall(text)}):
            if related_value(fact.value(slot.lower()), named, pack) is None:
                found.append(Finding("related-value", ERROR, str(fact.origin), fact.id,
                                     f"the words of {relation.id!r} name {{{slot}.{named}}}, but no {named!r} fact "
                                     f"has this fact's {slot.lower()} as its subject"))
    return found
