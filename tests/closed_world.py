"""What a pack makes true, worked out by the tests straight from its facts (not from the engine's truth index), and
a student who answers every question from those facts alone."""

from __future__ import annotations

from dataclasses import dataclass

from quizgen.text import contains_phrase
from quizgen.study.answers import option_letter
from quizgen.generate.templates import load_templates
from quizgen.model import DateValue, Fact, Number, Pack, Question, Value
from quizgen.load.phrasing import realise
from quizgen.text import normalise

GROUP_TYPES = ("matching", "ordering")


def other(slot: str) -> str:
    return "object" if slot == "subject" else "subject"


def same_value(a: Value, b: Value) -> bool:
    if isinstance(a, DateValue) or isinstance(b, DateValue):
        return isinstance(a, DateValue) and isinstance(b, DateValue) and (a.start, a.end) == (b.start, b.end)
    if isinstance(a, Number) or isinstance(b, Number):
        return isinstance(a, Number) and isinstance(b, Number) and (a.value, a.max) == (b.value, b.max)
    return normalise(a) == normalise(b)


@dataclass
class ClosedWorld:
    """The pack's facts read as everything that is true."""

    pack: Pack

    def __post_init__(self) -> None:
        self.templates = load_templates()
        self.facts = {f.id: f for f in self.pack.facts}

    # ---- values and the words that name them -------------------------------------------------------

    def speaks_for(self, fact: Fact) -> list[tuple[str, bool]]:
        """The relations a fact makes true, and whether their slots are swapped: its own, those it implies through
        any number of steps, and the inverse of each."""
        seen: list[tuple[str, bool]] = []
        todo = [(fact.relation, False)]
        while todo:
            relation, swapped = todo.pop()
            if (relation, swapped) in seen:
                continue
            seen.append((relation, swapped))
            declared = self.pack.relation(relation)
            todo += [(implied, swapped) for implied in declared.implies]
            if declared.inverse:
                todo.append((declared.inverse, not swapped))
        return seen

    def holds_for(self, fact: Fact, relation: str) -> bool:
        return (relation, False) in self.speaks_for(fact)

    def said_by(self, fact: Fact, relation: str) -> list[tuple[Value, Value]]:
        """The (subject, object) pairs a fact makes true of a relation."""
        return [(fact.object, fact.subject) if swapped else (fact.subject, fact.object)
                for r, swapped in self.speaks_for(fact) if r == relation]

    def names(self, value: Value, relation: str, slot: str) -> set[str]:
        """Every normalised way an answer may name the value: an entity's name and aliases, a date, a figure."""
        if isinstance(value, DateValue):
            return {normalise(value.human())}
        if isinstance(value, Number):
            return {normalise(value.human()), normalise(value.figure())}
        if self.pack.relation(relation).slot_type(slot) == "text":
            return {normalise(value)}
        return {normalise(n) for n in self.pack.entity(value).names}

    def true_values(self, relation: str, slot: str, given: Value, when: DateValue | None = None) -> list[Value]:
        """Every value of `slot` that some fact of `relation` pairs with `given` in the other slot (and, given a date,
        holds throughout it or within it)."""
        found: list[Value] = []
        index = 0 if slot == "subject" else 1
        for f in self.pack.facts:
            if when is not None and (f.date is None or not (when.start <= f.date.start and f.date.end <= when.end
                                                             or f.date.start <= when.start and when.end <= f.date.end)):
                continue
            for pair in self.said_by(f, relation):
                if same_value(pair[1 - index], given) and not any(same_value(pair[index], v) for v in found):
                    found.append(pair[index])
        return found

    def true_names(self, relation: str, slot: str, given: Value) -> set[str]:
        return {n for v in self.true_values(relation, slot, given) for n in self.names(v, relation, slot)}

    def holds_by_text(self, relation: str, subject_text: str, object_text: str) -> bool:
        """Whether some fact makes the relation hold between a subject and an object with these names."""
        return any(normalise(subject_text) in self.names(s, relation, "subject")
                   and normalise(object_text) in self.names(o, relation, "object")
                   for f in self.pack.facts for s, o in self.said_by(f, relation))

    # ---- what a question asks ------------------------------------------------------------------------

    def asked(self, question: Question) -> tuple[Fact, str]:
        """The fact a single-fact question was made from, and the slot it asks."""
        return self.facts[question.fact_ids[0]], self.templates[question.template_id].ask

    def question_key(self, question: Question) -> tuple[str, str, str]:
        """What a question asks, whatever its type: the relation, the slot and the value given."""
        fact, slot = self.asked(question)
        given = fact.value(other(slot))
        return fact.relation, slot, self.canonical(given, fact.relation, other(slot))

    def canonical(self, value: Value, relation: str, slot: str) -> str:
        """One text per value: an entity's name (not an alias), a date, a figure."""
        if isinstance(value, (DateValue, Number)) or self.pack.relation(relation).slot_type(slot) == "text":
            return sorted(self.names(value, relation, slot))[0]
        return normalise(self.pack.entity(value).name)

    def correct_answers(self, question: Question) -> set[str]:
        fact, slot = self.asked(question)
        when = fact.date if self.pack.relation(fact.relation).dated(slot) else None
        return {n for v in self.true_values(fact.relation, slot, fact.value(other(slot)), when)
                for n in self.names(v, fact.relation, slot)}

    def claim_is_true(self, question: Question) -> bool:
        """A true/false claim is true when it says what some fact of its relation says, in the relation's words."""
        fact, _ = self.asked(question)
        relation = self.pack.relation(fact.relation)
        pattern = relation.claim or relation.sentence
        claims = {normalise(realise(pattern, f, self.pack)) for f in self.pack.facts if f.relation == fact.relation}
        return normalise(question.prompt) in claims

    def ordering_item_dates(self, question: Question) -> dict[str, DateValue]:
        """Each ordering item's text, as the relation's `item` phrasing says its fact, with the fact's date."""
        found = {}
        for fid in question.fact_ids:
            fact = self.facts[fid]
            found[realise(self.pack.relation(fact.relation).item, fact, self.pack)] = fact.when
            for item in question.sequence:  # an event several subjects share is listed with all of them
                sharing = [f for f in self.facts.values() if f.relation == fact.relation and f.object == fact.object
                           and f.when == fact.when]
                if len(sharing) > 1 and all(contains_phrase(item, self.pack.entity(f.subject).name) for f in sharing):
                    found[item] = fact.when
        return found


def student_response(question: Question, world: ClosedWorld) -> str:
    """What a student who knows every fact of the pack (and reads the key's instructions) writes for a question."""
    if question.type in ("multiple-choice", "multiple-response"):
        right = world.correct_answers(question)
        return ", ".join(option_letter(i) for i, o in enumerate(question.options) if normalise(o.text) in right)
    if question.type == "true-false":
        return "True" if world.claim_is_true(question) else "False"
    if question.type in ("cloze", "short-answer"):
        fact, slot = world.asked(question)
        when = fact.date if world.pack.relation(fact.relation).dated(slot) else None
        values = world.true_values(fact.relation, slot, fact.value(other(slot)), when)
        return world.canonical(values[-1], fact.relation, slot)
    if question.type == "numeric":
        fact, slot = world.asked(question)
        number = fact.value(slot)
        return f"{number.value:g}"
    if question.type == "matching":
        relation = world.facts[question.fact_ids[0]].relation
        parts = []
        for n, pair in enumerate(question.pairs, 1):
            fitting = [i for i, choice in enumerate(question.choices)
                       if world.holds_by_text(relation, pair.left, choice)]
            assert len(fitting) == 1, (question.prompt, pair.left, question.choices)
            parts.append(f"{n}-{option_letter(fitting[0])}")
        return " ".join(parts)
    if question.type == "ordering":
        dates = world.ordering_item_dates(question)
        in_time = sorted(question.items, key=lambda item: dates[item].start)
        return " ".join(str(in_time.index(item) + 1) for item in question.items)
    raise AssertionError(f"no student answer for {question.type}")
