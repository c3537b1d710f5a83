"""The typed values that cross pipeline stages: a content pack going in, a question set coming out.
(Dates and numbers, the values a slot holds, are in values.py.)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Literal

from .values import DateValue, Number, format_number

CONFIDENCE_LEVELS = ("high", "medium", "low")
VALUE_TYPES = ("date", "number", "text")  # a relation slot holds an entity of a category, or one of these
SLOTS = ("subject", "object")
QUESTION_TYPES = ("multiple-choice", "multiple-response", "true-false", "cloze", "short-answer", "matching", "ordering",
                  "numeric")
OPTION_TYPES = ("multiple-choice", "multiple-response", "true-false")  # answered by ticking options
NO_QUIZ_TAG = "no-quiz"
INTERNAL_TAGS = frozenset({NO_QUIZ_TAG})  # tags quizgen acts on: they steer generation and stay off every output
BLANK = "_____"

QuestionType = Literal["multiple-choice", "multiple-response", "true-false", "cloze", "short-answer", "matching",
                       "ordering", "numeric"]


def stable_id(*parts: str, length: int = 12) -> str:
    """An id derived from content only, so the same input always gives the same id."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Origin:
    """Where a value was written: shown in every error about it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

NOWHERE = Origin("<generated>", 0, 0)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    origin: Origin
    date: DateValue | None = None
    url: str | None = None
    file: str | None = None
    excerpts: tuple[str, ...] = ()
    reliability: str | None = None
    text: str | None = None  # the local file's text, when `file` is given

    def citation(self) -> str:
        parts = [self.publisher, f"“{self.title}”"]
        if self.date:
            parts.append(self.date.human())
        return ", ".join(parts)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str


@dataclass(frozen=True)
class WordChoice:
    """Words of a relation's phrasing chosen by an attribute of one slot's entity: {parent} reads "the mother" for a
    person whose sex is female, "the father" for male, and `otherwise` for anyone else."""

    name: str  # the placeholder, {parent}; {Parent} capitalises it
    slot: str  # "subject" or "object": whose entity decides
    attribute: str
    choices: tuple[tuple[str, str], ...]  # (attribute value, words)
    otherwise: str

    def words_for(self, value: object, pack: "Pack") -> str:
        if isinstance(value, str) and pack.has_entity(value):
            return dict(self.choices).get(pack.entity(value).attribute(self.attribute) or "", self.otherwise)
        return self.otherwise


@dataclass(frozen=True)
class Category:
    """A pack's kind of entity, with the attributes that make a wrong option plausible, most telling first."""

    id: str
    rank_by: tuple[str, ...] = ()
    match: tuple[str, ...] = ()  # attributes a wrong option must share with the answer, where the answer has them
    within: tuple[str, ...] = ()  # attributes naming the entity that contains this one (a city's country)


@dataclass(frozen=True)
class Relation:
    """One kind of statement of a pack, what its slots hold, how many values each side has, and its words."""

    id: str
    subject: str  # an entity category or a value type (VALUE_TYPES)
    object: str
    origin: Origin
    sentence: str
    subjects: Literal["one", "many"] = "many"  # how many subjects one object may have
    objects: Literal["one", "many"] = "many"  # how many objects one subject may have
    ask_subject: str | None = None
    ask_object: str | None = None
    claim: str | None = None
    ask_subjects: str | None = None  # the question when several subjects are true ("Which groups founded …?")
    ask_objects: str | None = None
    implies: tuple[str, ...] = ()  # relations this one makes true too ("military chief of" → "leader of")
    match: str | None = None  # the instruction of a matching question over this relation
    item: str | None = None  # how an ordering question lists one fact ("{Subject} captures {object}")
    inverse: str | None = None  # the relation that says the same the other way round (itself when symmetric)
    complete: bool = False  # the pack lists every value of both slots: what it does not list is false
    complete_for: tuple[tuple[str, str, str], ...] = ()  # (side, value, source): a value whose partners a source
    # lists in full; side is the slot the value fills ("subject", "object"), or "either"
    widens: bool = False  # a fact holds for the places around its places too (born in Warsaw → born in Poland)
    older: str | None = None  # the slot whose value came first (a parent, for child-of): wrong options keep the order
    forms: tuple[str, ...] = ()  # the question types its facts may be asked as (empty: every type)
    not_forms: tuple[str, ...] = ()  # question types its facts are never asked as
    lifetime: str | None = None  # "start" or "end": this relation's date begins or ends its subject's life (born-on)
    per_set: int | None = None  # the most items of this relation a dealt set holds (None: the dealer's own cap)
    words: tuple[WordChoice, ...] = ()  # placeholders whose words depend on a slot's entity ("the mother")

    def slot_type(self, slot: str) -> str:
        return self.subject if slot == "subject" else self.object

    def question(self, slot: str) -> str | None:
        """The phrasing that asks for `slot`, or None when the relation is never asked that way."""
        return self.ask_subject if slot == "subject" else self.ask_object

    def question_for_all(self, slot: str) -> str | None:
        """The phrasing that asks for every true value of `slot` (plural), falling back to the single question."""
        return (self.ask_subjects if slot == "subject" else self.ask_objects) or self.question(slot)

    def dated(self, slot: str) -> bool:
        """Whether asking `slot` names the fact's date, so only facts of that date answer it."""
        return "{when}" in " ".join(filter(None, (self.question(slot), self.question_for_all(slot))))

    def holds_for_many(self, slot: str) -> bool:
        """Whether several values may fill `slot` for one value of the other slot."""
        return (self.subjects if slot == "subject" else self.objects) == "many"


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    category: str
    description: str
    origin: Origin
    article: str | None = None
    aliases: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    distractor: bool = True  # may be offered as a wrong option
    native_name: str | None = None
    sources: tuple[str, ...] = ()
    period: DateValue | None = None  # when the entity existed or was active: a wrong option must fit the stem's date

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def running_name(self) -> str:
        """The name as running text says it: 'the Free Syrian Army', 'ISIL'."""
        return f"{self.article} {self.name}" if self.article else self.name

    def attribute(self, name: str) -> str | None:
        return dict(self.attributes).get(name)

Value = str | DateValue | Number  # an entity id or text, a date, or a number


@dataclass(frozen=True)
class Fact:
    """One relation between a subject and an object, with the quotations that support each slot."""

    id: str
    relation: str
    subject: Value
    object: Value
    statement: str
    topic: str
    sources: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]  # (slot or "fact", quotation)
    origin: Origin
    date: DateValue | None = None
    according_to: str | None = None
    ask: tuple[str, ...] = ()  # the slots that may be asked
    pin: tuple[str, ...] = ()  # wrong options to prefer
    forbid: tuple[str, ...] = ()  # wrong options never to use
    confidence: str = "medium"
    tags: tuple[str, ...] = ()
    dispute: str | None = None
    forms: tuple[str, ...] = ()  # the question types it may be asked as (empty: as its relation says)
    not_forms: tuple[str, ...] = ()  # question types it is never asked as, besides its relation's

    @property
    def quizzable(self) -> bool:
        return NO_QUIZ_TAG not in self.tags and bool(self.ask)

    @property
    def quotes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(quote for _, quote in self.evidence))

    def evidence_for(self, slot: str) -> str:
        """The quotation that supports `slot`, falling back to the fact's own."""
        found = dict(self.evidence)
        return found.get(slot) or found.get("fact") or next(iter(self.quotes), "")

    def value(self, slot: str) -> Value:
        return self.subject if slot == "subject" else self.object

    @property
    def when(self) -> DateValue | None:
        """The date the fact is about: its object when that is a date, else its `date`."""
        return self.object if isinstance(self.object, DateValue) else self.date


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    language: str
    licence: str
    description: str
    period_start: date
    period_end: date
    root: Path
    origin: Origin
    sources: tuple[Source, ...] = ()
    entities: tuple[Entity, ...] = ()
    facts: tuple[Fact, ...] = ()
    relations: tuple[Relation, ...] = ()
    categories: tuple[Category, ...] = ()
    topics: tuple[Topic, ...] = ()
    authors: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # question ids the author left out in review
    _entity_index: dict[str, Entity] = field(default_factory=dict, compare=False, repr=False)
    _source_index: dict[str, Source] = field(default_factory=dict, compare=False, repr=False)
    _relation_index: dict[str, Relation] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._entity_index.update({e.id: e for e in self.entities})
        self._source_index.update({s.id: s for s in self.sources})
        self._relation_index.update({r.id: r for r in self.relations})

    def entity(self, entity_id: str) -> Entity:
        return self._entity_index[entity_id]

    def has_entity(self, entity_id: str) -> bool:
        return entity_id in self._entity_index

    def source(self, source_id: str) -> Source:
        return self._source_index[source_id]

    def relation(self, relation_id: str) -> Relation:
        return self._relation_index[relation_id]

    def category(self, category_id: str) -> Category:
        return next((c for c in self.categories if c.id == category_id), Category(category_id))

    def topic_title(self, topic_id: str) -> str:
        return next((t.title for t in self.topics if t.id == topic_id), topic_id)

    def quizzable_facts(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.quizzable)


@dataclass(frozen=True)
class Citation:
    """A source backing a question, with the exact words that support it."""

    fact_id: str
    source_id: str
    text: str  # "Reuters, “Islamic State seizes oil field…”, 3 July 2014"
    evidence: str
    url: str | None = None


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Pair:
    left: str
    right: str


@dataclass(frozen=True)
class NumericAnswer:
    value: float
    low: float
    high: float
    unit: str


@dataclass(frozen=True)
class Question:
    """One question, independent of any output format.

    Display order lives here too: `options` (multiple choice, true/false), `choices`
    (the right-hand column of a matching question) and `items` (an ordering question)
    are in the order shown; a version reorders them and keeps everything else.
    """

    id: str
    type: QuestionType
    template_id: str
    prompt: str
    answer: str
    explanation: str
    difficulty: int
    fact_ids: tuple[str, ...]
    citations: tuple[Citation, ...]
    tags: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    accepted: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    sequence: tuple[str, ...] = ()
    numeric: NumericAnswer | None = None
    front: str = ""  # short card front (term or question)
    back: str = ""  # short card back (answer)
    topic: str = ""  # the pack's topic the question belongs to, shown on study cards

    def __hash__(self) -> int:
        """The hash of the fields, worked out once: the layouts' caches hash a question at each of its pieces in
        every version (a 500-version set: a million hashes of nested fields). It is not pickled, as a string's
        hash differs from one process to the next."""
        try:
            return self.__dict__["_hash"]
        except KeyError:
            value = hash(tuple(getattr(self, each.name) for each in fields(self)))
            object.__setattr__(self, "_hash", value)
            return value

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "_hash"}

    @property
    def correct_options(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.correct)

    def key_text(self) -> str:
        """The answer as a marker reads it on a key: 'B', 'A, C', 'False', '1-C 2-A', '3 1 2' (the rank of each
        ordering item as listed), '414'."""
        if self.type in ("multiple-choice", "multiple-response"):
            return ", ".join(option_letter(i) for i, o in enumerate(self.options) if o.correct)
        if self.type == "true-false":
            return self.answer
        if self.type == "matching":
            right_letters = {text: option_letter(i) for i, text in enumerate(self.choices)}
            return " ".join(f"{n}-{right_letters[p.right]}" for n, p in enumerate(self.pairs, 1))
        if self.type == "ordering":
            # The worksheet asks for each listed item's place in time, so the key lists ranks in shown order.
            ranks = {text: str(i) for i, text in enumerate(self.sequence, 1)}
            return " ".join(ranks[text] for text in self.items)
        return self.answer

    def accepted_range(self) -> str:
        """A numeric item's accepted range as a marker reads it ('any answer from 2,318 to 2,833'), or ''."""
        if self.type != "numeric" or self.numeric is None or self.numeric.low == self.numeric.high:
            return ""
        return f"any answer from {bound(self.numeric.low)} to {bound(self.numeric.high)}"


def bound(value: float) -> str:
    """A limit of an accepted range as a key prints it: whole above 100, else to two decimals at most."""
    return format_number(round(value) if abs(value) >= 100 else round(value, 2))


def option_letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


@dataclass(frozen=True)
class Version:
    """One printed variant of a question set: its own question order and option order."""

    code: str  # "A", "B", …
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class QuestionSet:
    pack_id: str
    pack_title: str
    language: str
    seed: int
    questions: tuple[Question, ...]
    versions: tuple[Version, ...]
    licence: str = ""
    deck: tuple[Question, ...] = ()  # the study deck: at least one card per quizzable fact
    pool_size: int = 0  # how many questions the pack and templates could make before choosing `count`
    topics: tuple[Topic, ...] = ()  # the pack's topics, so that outputs can name a question's topic

    def topic_title(self, topic_id: str) -> str:
        return next((t.title for t in self.topics if t.id == topic_id), topic_id)

    def study_deck(self) -> tuple[Question, ...]:
        """The cards for flashcards, Anki, Quizlet and the self-test page: the deck, or the questions without one."""
        return self.deck or self.questions
