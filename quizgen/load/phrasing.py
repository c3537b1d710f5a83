"""A relation's phrasing realised for one fact: placeholders filled with the pack's names, figures and dates,
answers as a key prints them, and the statement that answers a question for every value."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..model import BLANK, VALUE_TYPES, DateValue, Fact, Number, Pack, Relation, Value, format_number
from ..values import BOUND_WORDS, NUMBER_WORDS
from .relations import FIGURE_MARK, PLACEHOLDER, RELATED


def value_text(value: Value, slot_type: str, pack: Pack) -> str:
    """A slot's value as running text: an entity's running name, a date, a figure with its unit, or the text."""
    if isinstance(value, DateValue):
        return value.human()
    if isinstance(value, Number):
        return value.human()
    if slot_type in VALUE_TYPES:
        return value
    return pack.entity(value).running_name

QUALIFIERS = re.compile(r"\b(about|around|some|approximately|roughly|nearly|almost|over|more than|at least|under|"
                        r"less than|fewer than|at most|up to)\s*$", re.IGNORECASE)


def number_in_sentence(number: Number, before: str, after: str) -> str:
    """A figure as a sentence needs it: its unit unless the next few words write it ("267 ISIL fighters"), and
    'about' (or its bound: 'more than') where it is approximate or accepted within a tolerance, unless the sentence
    qualifies it already."""
    text = number.figure() if not number.approximate else rounded_figure(number)
    unit = number.unit_words()
    head = unit.split()[0] if unit else ""
    if unit and not re.match(rf"(\s*\S+){{0,3}}?\s*{re.escape(head)}\b", after, re.IGNORECASE) \
            and not (head.startswith("year") and re.search(r"\baged\s*$", before)):  # "died aged 55", not "55 years"
        text = f"{text} {unit}"
    # a figure the pack accepts within a range is one the sources round or dispute: "about 990 km", not "990 km"
    if (number.approximate or number.bound or number.tolerance) and not QUALIFIERS.search(before):
        text = f"{BOUND_WORDS[number.bound]} {text}" if number.bound else f"about {text}"
    return text


def rounded_figure(number: Number) -> str:
    """An approximate figure as a sentence says it: to three significant digits ("about 156,000", not "about
    156,087"), as written when it has no more."""
    if number.max is not None or abs(number.value) < 1000:
        return number.figure()
    scale = 10 ** (len(str(int(abs(number.value)))) - 3)
    return format_number(round(number.value / scale) * scale)


def answer_text(value: Value, slot_type: str, pack: Pack) -> str:
    """A slot's value as an option or answer shows it: an entity's bare name, a date, a figure with its unit."""
    if isinstance(value, DateValue):
        return value.human()
    if isinstance(value, Number):
        return value.human()
    if slot_type in VALUE_TYPES:
        return capitalise(value)
    return pack.entity(value).name


def kind_of(value: Value, slot_type: str, pack: Pack) -> str:
    """What kind of thing a value is, in words: an entity's `kind` attribute or its category ("city", "oil field")."""
    if slot_type in VALUE_TYPES:
        return {"date": "date", "number": "figure"}.get(slot_type, "answer")
    entity = pack.entity(value)
    return (entity.attribute("kind") or entity.category).replace("-", " ")


def realise(pattern: str, fact: Fact, pack: Pack, *, blank: str | None = None,
            values: Mapping[str, Value] | None = None, shown: Mapping[str, Callable[[str], str]] | None = None,
            asked: str = "object") -> str:
    """The pattern with the fact's words in place; `blank` names a slot to leave as a blank, `values` swaps a slot,
    `shown` rewrites the words of a slot or of {when} (a correction: "Saturn" → "Saturn (not Mars)"); {kind} names
    the kind of the `asked` slot's value ("In which {kind} was she born?")."""
    relation = pack.relation(fact.relation)
    slots = {"subject": fact.subject, "object": fact.object, **(values or {})}
    shown = shown or {}
    words = {w.name: w for w in relation.words}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        slot = name.lower()
        if slot in ("subject", "object"):
            if slot == blank:
                return BLANK
            value = slots[slot]
            if isinstance(value, Number):
                return FIGURE_MARK.format(name)
            text = shown.get(slot, str)(value_text(value, relation.slot_type(slot), pack))
            return capitalise(text) if name[0].isupper() else text
        if name == "when":
            when = slots["object"] if isinstance(slots["object"], DateValue) else fact.date
            return shown.get("when", str)(when.when()) if when else ""
        if slot in words:
            text = words[slot].words_for(slots[words[slot].slot], pack)
            return capitalise(text) if name[0].isupper() else text
        if name == "according":
            return f", according to {pack.entity(fact.according_to).running_name}" if fact.according_to else ""
        if name == "kind":
            return kind_of(slots[asked], relation.slot_type(asked), pack)
        if name == "According":
            return f"According to {pack.entity(fact.according_to).running_name}," if fact.according_to else ""
        return match.group(0)

    def fill_figure(text: str, name: str) -> str:
        at = text.find(FIGURE_MARK.format(name))
        if at < 0:
            return text
        words = number_in_sentence(slots[name.lower()], text[:at], text[at + len(FIGURE_MARK.format(name)):])
        words = shown.get(name.lower(), str)(words)
        return text[:at] + (capitalise(words) if name[0].isupper() else words) + text[at + len(FIGURE_MARK.format(name)):]

    def fill_related(match: re.Match) -> str:
        name, named = match.groups()
        value = related_value(slots[name.lower()], named, pack)
        if value is None:
            return match.group(0)  # lint names the fact that lacks it
        text = value_text(value, pack.relation(named).object, pack)
        return capitalise(text) if name[0].isupper() else text

    text = PLACEHOLDER.sub(fill, RELATED.sub(fill_related, pattern))
    if FIGURE_MARK[0] in text:  # a figure was placed
        for name in ("subject", "Subject", "object", "Object"):
            text = fill_figure(text, name)
    text = SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))
    return capitalise(spell_leading_figure(text))

SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.?!;:])")

TRAILING_PLACEHOLDERS = re.compile(r"\{(when|according)\}")


def list_pattern(relation: Relation, slot: str) -> str | None:
    """The relation's phrasing that can name several values of `slot` at once: one where the slot comes last, so a
    list and a "(not X)" after it still read as a sentence ("The Danube flows through or along the border of Germany,
    Austria and Slovakia"). None when words after the slot refer back to it ("… or along its border")."""
    for pattern in (relation.sentence, relation.claim):
        if pattern and slot_comes_last(pattern, slot):
            return pattern
    return None


def slot_comes_last(pattern: str, slot: str) -> bool:
    at = max(pattern.find("{" + slot + "}"), pattern.find("{" + slot.capitalize() + "}"))
    if at < 0:
        return False
    rest = TRAILING_PLACEHOLDERS.sub("", pattern[at + len(slot) + 2:])
    return not re.search(r"[^\s.,;!?]", rest)

COPULA_PLURAL = {"is": "are", "are": "are", "was": "were", "were": "were"}
# the shapes of a question for every value, each with the statement that answers it ({values} is the list)
ANSWER_SHAPES = (
    (re.compile(r"(?:Which|What) (?P<noun>[\w-]+) (?P<verb>is|are|was|were) (?P<rest>.+)$"),
     lambda m: f"The {m['noun']} that {m['verb']} {m['rest']} {COPULA_PLURAL[m['verb']]} {{values}}"),
    (re.compile(r"Who (?P<verb>is|are|was|were) (?P<rest>the .+)$"),
     lambda m: f"{capitalise(m['rest'])} {COPULA_PLURAL[m['verb']]} {{values}}"),
    (re.compile(r"(?:Which|What) (?P<noun>[\w-]+) (?P<verb>[a-z]+ed) (?P<rest>.+)$"),
     lambda m: f"The {m['noun']} that {m['verb']} {m['rest']} were {{values}}"),
    (re.compile(r"Who (?P<verb>[a-z]+ed) (?P<rest>.+)$"),
     lambda m: f"Those who {m['verb']} {m['rest']} were {{values}}"),
    # "Which planets have a ring system?", "Which moons orbit Mars?": a verb of the present, not an auxiliary
    (re.compile(r"(?:Which|What) (?P<noun>[\w-]+s) (?!(?:do|does|did|can|could|will|would|shall|should|may|might|"
                r"must|had)\b)(?P<verb>[a-z]+) (?P<rest>.+)$"),
     lambda m: f"The {m['noun']} that {m['verb']} {m['rest']} are {{values}}"),
)


def list_answer_statement(question: str, values: str) -> str | None:
    """A question for every value of a slot turned into the statement that answers it, for an explanation that
    must name them all: "Which groups were among the founders of X?" → "The groups that were among the founders
    of X were A, B and C". None when the question has no shape this knows (the caller keeps the question form)."""
    text = re.sub(r"^(Which|What) of these ", r"\1 ", question.strip().rstrip("?").strip())
    attributed = re.search(r",\s*(according to [^,]+)$", text)  # said first, or its comma would never close
    if attributed:
        text = text[:attributed.start()]
    for shape, statement in ANSWER_SHAPES:
        found = shape.match(text)
        if found:
            said = statement(found).replace("{values}", values)
            return f"{capitalise(attributed.group(1))}, {said[0].lower()}{said[1:]}" if attributed else said
    return None


def related_value(entity: Value, relation_id: str, pack: Pack) -> Value | None:
    """The one value `relation_id` gives this entity as its subject, or None."""
    index = _related_index(pack)
    return index.get((relation_id, entity)) if isinstance(entity, str) else None

_RELATED_INDEXES: dict[int, tuple[Pack, dict[tuple[str, str], Value]]] = {}


def _related_index(pack: Pack) -> dict[tuple[str, str], Value]:
    held = _RELATED_INDEXES.get(id(pack))
    if held is None or held[0] is not pack:
        index = {(f.relation, f.subject): f.object for f in pack.facts}
        _RELATED_INDEXES.clear()  # one pack at a time is realised; keep no others alive
        held = _RELATED_INDEXES[id(pack)] = (pack, index)
    return held[1]


LEADING_FIGURE = re.compile(r"(\d+)\b(?![.,]\d)")


def spell_leading_figure(text: str) -> str:
    """No sentence starts with a numeral: a small count is written in words ('Fourteen brigades…'); a larger one
    is left for the author to recast (lint names the relation)."""
    found = LEADING_FIGURE.match(text)
    if found and int(found.group(1)) < len(NUMBER_WORDS):
        return NUMBER_WORDS[int(found.group(1))].capitalize() + text[found.end():]
    return text


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text and not text.startswith(BLANK) else text
