"""What every question builder shares: the generation context (the pack, its truth index, the seed) and why a
template made no question from a fact."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import VALUE_TYPES, Fact, Pack, stable_id
from ..load.phrasing import answer_text, kind_of, realise
from ..text import name_gives_away, normalise, shared_name_words
from .distractors import given_names, hint_words, value_names
from .templates import QuestionTemplate
from .truth import Truth


@dataclass(frozen=True)
class Skip:
    """Why a template made no question from a fact."""

    fact_id: str
    template_id: str
    reason: str


@dataclass
class Maker:
    """What every builder needs: the pack, the truth index and the seed."""

    pack: Pack
    truth: Truth
    seed: int
    _contexts: dict[tuple[str, str], TemplateContext] = field(default_factory=dict)
    _kinds: set[str] | None = None

    def rng(self, *parts: str) -> random.Random:
        return random.Random(stable_id(str(self.seed), *parts, length=16))

    def kinds(self) -> set[str]:
        """Every kind of thing the pack's entities are, in words ("city", "country", "oil field")."""
        if self._kinds is None:
            self._kinds = {kind_of(e.id, e.category, self.pack) for e in self.pack.entities}
        return self._kinds

    def context(self, fact: Fact, slot: str) -> TemplateContext:
        """The Jinja2 context for asking `slot` of `fact`, made once for all templates."""
        key = (fact.id, slot)
        if key not in self._contexts:
            self._contexts[key] = context_for(fact, slot, self.pack)
        return self._contexts[key]


def value_kind(slot_type: str) -> str:
    return slot_type if slot_type in VALUE_TYPES else "entity"


def selects(template: QuestionTemplate, fact: Fact, pack: Pack) -> bool:
    """Whether the template applies to the fact: relation, kind of asked value, topic, tags."""
    s = template.select
    relation = pack.relation(fact.relation)
    if s.relations and fact.relation not in s.relations:
        return False
    if template.type not in ("matching", "ordering"):
        if template.ask not in fact.ask:
            return False
        if s.values and value_kind(relation.slot_type(template.ask)) not in s.values:
            return False
    if s.topics and fact.topic not in s.topics:
        return False
    if s.tags and not set(s.tags) & set(fact.tags):
        return False
    return not set(s.exclude_tags) & set(fact.tags)


class TemplateContext(Mapping[str, Any]):
    """The Jinja2 context for asking a slot of a fact, each value worked out when it is first read: a template
    reads one or two of them, and realising all four of the relation's phrasings for every fact asked was a sixth
    of the time of making a pool."""

    def __init__(self, makers: Mapping[str, Callable[[], Any]]):
        self._makers = dict(makers)
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            self._made[name] = self._makers[name]()
        return self._made[name]

    def __contains__(self, name: object) -> bool:
        return name in self._makers

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def but(self, **values: Any) -> TemplateContext:
        """The same context with these values in place of its own."""
        changed = TemplateContext({**self._makers, **{name: (lambda v=value: v) for name, value in values.items()}})
        changed._made.update({name: value for name, value in self._made.items() if name not in values}, **values)
        return changed


def context_for(fact: Fact, slot: str, pack: Pack) -> TemplateContext:
    relation = pack.relation(fact.relation)

    def slot_value(name: str) -> Any:
        value = fact.value(name)
        return value if relation.slot_type(name) in VALUE_TYPES else pack.entity(value)

    question = relation.question(slot)
    question_all = relation.question_for_all(slot)
    return TemplateContext({
        "fact": lambda: fact, "relation": lambda: relation, "subject": lambda: slot_value("subject"),
        "object": lambda: slot_value("object"),
        "question": lambda: realise(question, fact, pack, asked=slot) if question else "",
        "question_all": lambda: realise(question_all, fact, pack, asked=slot) if question_all else "",
        "statement": lambda: fact.statement,
        "claim": lambda: realise(relation.claim or relation.sentence, fact, pack),
        "cloze": lambda: realise(relation.sentence, fact, pack, blank=slot),
        "answer": lambda: answer_text(fact.value(slot), relation.slot_type(slot), pack),
        "topic": lambda: pack.topic_title(fact.topic), "source": lambda: pack.source(fact.sources[0]),
    })


def name_hint_reason(fact: Fact, slot: str, pack: Pack) -> str | None:
    """Why the printed name gives the answer away by its sound ("the Main … at Mainz"), or None."""
    given = given_names(fact, slot, pack)
    answer = value_names(fact.value(slot), fact, slot, pack)
    # a one-word other name counts too: "Donau", an accepted name of the Danube, is in "Donaueschingen" (longer
    # aliases describe rather than name: "Earth's Moon", "Jupiter V")
    for g, a in ((g, a) for g in spoken(given) for a in spoken(answer) if name_gives_away(g, a)):
        return f"the name {g!r} points at its answer {a!r}"
    return None


def written_hint_reason(fact: Fact, slot: str, values: list, pack: Pack) -> str | None:
    """Why a written answer would be read off the names: a right answer shares a name word with the name the stem
    prints ("Who shared a Nobel Prize with Pierre Curie?" — Marie Curie). Options can balance that with wrong ones
    that share it too; a blank cannot."""
    for value in values:
        if cue := hint_words(value, fact, slot, pack):
            return f"its names share {', '.join(sorted(cue))!r}: a written answer is read off the names"
        if cue := title_words(value, fact, slot, pack):
            return f"the title shares {', '.join(sorted(cue))!r} with its answer: a written answer is read off the title"
    return None


def title_words(value, fact: Fact, slot: str, pack: Pack) -> set[str]:
    """The surname a value shares with the pack's title, printed on every page ("Marie Curie" on a sheet titled
    "The Curie family"). A one-word name the title holds ("the Danube" on "The Danube and the Rhine") is one of
    the subjects the sheet is about, not a hint at a person."""
    names = value_names(value, fact, slot, pack)
    words = normalise(names[0]).split() if names else []
    if len(words) < 2:
        return set()
    return shared_name_words(pack.title, names[0]) & {words[-1]}


def spoken(names: tuple[str, ...]) -> list[str]:
    """A value's name and its one-word other names of four letters or more (not an acronym like "IS")."""
    return [name for i, name in enumerate(names) if i == 0 or (len(name.split()) == 1 and len(name) >= 4)]
