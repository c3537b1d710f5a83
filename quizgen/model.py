"""The typed values that cross pipeline stages: a content pack going in, a question set coming out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

FACT_KINDS = ("event", "date", "number", "person-role", "place", "group", "cause-effect", "definition")
ENTITY_CATEGORIES = ("person", "group", "place", "event", "organisation")
CONFIDENCE_LEVELS = ("high", "medium", "low")
ANSWER_FIELDS = ("subject", "object", "place", "date", "number")
QUESTION_TYPES = ("multiple-choice", "true-false", "cloze", "short-answer", "matching", "ordering", "numeric")
OPTION_TYPES = ("multiple-choice", "multiple-response", "true-false")  # answered by ticking options
NO_QUIZ_TAG = "no-quiz"
BLANK = "_____"

QuestionType = Literal["multiple-choice", "multiple-response", "true-false", "cloze", "short-answer", "matching", "ordering", "numeric"]


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

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class DateValue:
    """A day, month or year, or a range of them, as written in the pack (`2014-04-10/2014-06-10`)."""

    text: str
    start: date
    end: date
    precision: Literal["day", "month", "year"]
    is_range: bool

    @property
    def is_exact_day(self) -> bool:
        return self.precision == "day" and not self.is_range

    def human(self) -> str:
        """'10 April 2014', 'June 2014', '2013', or '30 April – 10 June 2014'."""
        if not self.is_range:
            return _human_point(self.start, self.precision)
        start_text, end_text = self.text.split("/")
        start_precision = _precision_of(start_text)
        end_precision = _precision_of(end_text)
        left = _human_point(self.start, start_precision)
        right = _human_point(date.fromisoformat(_first_day(end_text)), end_precision)
        if start_precision == "day" and end_precision == "day" and self.start.year == self.end.year:
            left = left.rsplit(" ", 1)[0]
        return f"{left} – {right}"


def _precision_of(text: str) -> Literal["day", "month", "year"]:
    return {1: "year", 2: "month", 3: "day"}[len(text.split("-"))]  # type: ignore[return-value]


def _first_day(text: str) -> str:
    parts = text.split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts)


def _human_point(day: date, precision: str) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Number:
    value: float
    unit: str
    measure: str
    max: float | None = None
    approximate: bool = False
    tolerance: float = 0.0

    @property
    def low(self) -> float:
        return self.value - self.tolerance

    @property
    def high(self) -> float:
        return (self.max if self.max is not None else self.value) + self.tolerance

    def accepts(self, guess: float) -> bool:
        return self.low <= guess <= self.high

    def human(self) -> str:
        shown = format_number(self.value)
        if self.max is not None:
            shown = f"{shown}–{format_number(self.max)}"
        unit = "%" if self.unit == "percent" else f" {self.unit}"
        prefix = "about " if self.approximate else ""
        return f"{prefix}{shown}{unit}"


def format_number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


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
class Entity:
    id: str
    name: str
    category: str
    description: str
    origin: Origin
    aliases: tuple[str, ...] = ()
    type: str | None = None
    role: str | None = None
    affiliation: str | None = None
    side: str | None = None
    killed: bool = False
    native_name: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Fact:
    id: str
    statement: str
    kind: str
    sources: tuple[str, ...]
    evidence: str
    origin: Origin
    label: str | None = None
    subject: str | None = None
    object: str | None = None
    place: str | None = None
    role: str | None = None
    date: DateValue | None = None
    number: Number | None = None
    ask: str | None = None
    answer: str | None = None
    confidence: str = "medium"
    tags: tuple[str, ...] = ()
    dispute: str | None = None

    @property
    def quizzable(self) -> bool:
        return NO_QUIZ_TAG not in self.tags


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
    authors: tuple[str, ...] = ()
    _entity_index: dict[str, Entity] = field(default_factory=dict, compare=False, repr=False)
    _source_index: dict[str, Source] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._entity_index.update({e.id: e for e in self.entities})
        self._source_index.update({s.id: s for s in self.sources})

    def entity(self, entity_id: str) -> Entity:
        return self._entity_index[entity_id]

    def source(self, source_id: str) -> Source:
        return self._source_index[source_id]

    def quizzable_facts(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.quizzable)


# ---- the generated side -------------------------------------------------------------


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

    @property
    def correct_options(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.correct)

    def key_text(self) -> str:
        """The answer as a marker reads it on a key: 'B', 'False', '1-C 2-A', '3 1 2', '414'."""
        if self.type in ("multiple-choice", "multiple-response"):
            return ", ".join(option_letter(i) for i, o in enumerate(self.options) if o.correct)
        if self.type == "true-false":
            return self.answer
        if self.type == "matching":
            right_letters = {text: option_letter(i) for i, text in enumerate(self.choices)}
            return " ".join(f"{n}-{right_letters[p.right]}" for n, p in enumerate(self.pairs, 1))
        if self.type == "ordering":
            positions = {text: str(i) for i, text in enumerate(self.items, 1)}
            return " ".join(positions[text] for text in self.sequence)
        return self.answer


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

    def study_deck(self) -> tuple[Question, ...]:
        """The cards for flashcards, Anki, Quizlet and the self-test page: the deck, or the questions without one."""
        return self.deck or self.questions
