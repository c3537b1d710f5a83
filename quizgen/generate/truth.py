"""Closed-world truth: for every relation slot, the values the pack's facts make true, computed once.

Distractors, accepted answers, two-answer detection and lint all ask this index; none re-derives it.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import DateValue, Fact, Number, Pack, Value
from ..text import normalise


def value_key(value: Value, slot_type: str = "") -> str:
    """One key per value: an entity id, normalised text, a date's span, a number's figure."""
    if isinstance(value, DateValue):
        return f"date:{value.start.isoformat()}/{value.end.isoformat()}"
    if isinstance(value, Number):
        return f"number:{value.value}:{value.max}"
    return f"text:{normalise(value)}" if slot_type == "text" else value


def fact_key(fact: Fact, slot: str, pack: Pack) -> str:
    return value_key(fact.value(slot), pack.relation(fact.relation).slot_type(slot))


def date_key(fact: Fact) -> str:
    return value_key(fact.date) if fact.date else "undated"


def other(slot: str) -> str:
    return "object" if slot == "subject" else "subject"


@dataclass
class Truth:
    """Which values fill which slot, for which value of the other slot, across the whole pack."""

    pack: Pack
    _fills: dict[tuple[str, str, str], dict[str, Value]] = field(default_factory=dict)
    _values: dict[tuple[str, str], dict[str, Value]] = field(default_factory=dict)
    _facts_of: dict[str, list[Fact]] = field(default_factory=dict)
    _linked: dict[str, set[str]] = field(default_factory=dict)
    _buckets: dict[str, dict[tuple, list[str]]] = field(default_factory=dict)
    _dates: list[tuple] = field(default_factory=list)
    _date_starts: list = field(default_factory=list)
    _figures: dict[str, list[float]] = field(default_factory=dict)
    _value_lists: dict[tuple[str, str], list[tuple[str, Value]]] = field(default_factory=dict)
    _belongs: dict[str, set[str]] = field(default_factory=dict)
    _attribute_keys: dict[tuple, tuple] = field(default_factory=dict)

    @classmethod
    def of(cls, pack: Pack) -> Truth:
        truth = cls(pack)
        fills: dict = defaultdict(dict)
        values: dict = defaultdict(dict)
        facts_of: dict = defaultdict(list)
        linked: dict = defaultdict(set)
        for fact in pack.facts:
            keys = {slot: fact_key(fact, slot, pack) for slot in ("subject", "object")}
            holds = (fact.relation, *pack.relation(fact.relation).implies)  # a military chief is a leader too
            for slot in ("subject", "object"):
                for relation in holds:
                    fills[(relation, other(slot), keys[other(slot)])][keys[slot]] = fact.value(slot)
                    fills[(relation, other(slot), keys[other(slot)], date_key(fact))][keys[slot]] = fact.value(slot)
                if fact.quizzable:  # a fact kept out of questions lends none of its words to wrong options either
                    values[(fact.relation, slot)][keys[slot]] = fact.value(slot)
                facts_of[keys[slot]].append(fact)
            linked[keys["subject"]].add(keys["object"])
            linked[keys["object"]].add(keys["subject"])
            if fact.according_to:
                linked[keys["subject"]].add(fact.according_to)
        truth._fills, truth._values, truth._facts_of, truth._linked = dict(fills), dict(values), dict(facts_of), \
            dict(linked)
        truth._buckets = entity_buckets(pack)
        belongs: dict = defaultdict(set)
        for entity in pack.entities:
            for _, value in entity.attributes:
                if pack.has_entity(value):  # "province: deir-ez-zor-governorate": the two belong together
                    belongs[entity.id].add(value)
                    belongs[value].add(entity.id)
        truth._belongs = dict(belongs)
        truth._dates = sorted({(f.when.start, f.when.end, f.when.text): f.when for f in pack.facts
                               if f.when is not None}.items())
        truth._date_starts = [key[0] for key, _ in truth._dates]
        figures: dict = defaultdict(set)
        for f in pack.facts:
            if isinstance(f.object, Number):
                figures[f.object.unit].add(f.object.value)
        truth._figures = {unit: sorted(values) for unit, values in figures.items()}
        return truth

    def true_values(self, fact: Fact, slot: str) -> dict[str, Value]:
        """Every value that makes `slot` true when the other slot holds this fact's value (and, when the question
        names the fact's date, on that date)."""
        given = fact_key(fact, other(slot), self.pack)
        if self.pack.relation(fact.relation).dated(slot):
            return self._fills.get((fact.relation, other(slot), given, date_key(fact)), {})
        return self._fills.get((fact.relation, other(slot), given), {})

    def ever_true(self, fact: Fact, slot: str) -> dict[str, Value]:
        """Every value that makes `slot` true at any date: what a wrong option must never be."""
        return self._fills.get((fact.relation, other(slot), fact_key(fact, other(slot), self.pack)), {})

    def reachable(self, relation: str, start: str, towards: str) -> set[str]:
        """Keys reached from `start` by following the relation through any number of facts, towards `towards`
        (the subject side: what leads to `start`; the object side: what `start` leads to)."""
        seen: set[str] = set()
        frontier = [start]
        while frontier:
            key = frontier.pop()
            for found in self._fills.get((relation, other(towards), key), {}):
                if found not in seen:
                    seen.add(found)
                    frontier.append(found)
        return seen

    def holds(self, relation: str, subject: Value, object_: Value) -> bool:
        kind = self.pack.relation(relation)
        subject_key, object_key = value_key(subject, kind.subject), value_key(object_, kind.object)
        return object_key in self._fills.get((relation, "subject", subject_key), {})

    def slot_values(self, relation: str, slot: str) -> dict[str, Value]:
        """Every value that fills `slot` of `relation` in some fact."""
        return self._values.get((relation, slot), {})

    def belonging(self, key: str) -> set[str]:
        """Entities tied to this one by an attribute naming the other (a town and its province), both ways."""
        return self._belongs.get(key, set())

    def linked(self, key: str) -> set[str]:
        """Keys of every value some fact puts beside the value with this key (in either slot)."""
        return self._linked.get(key, set())

    def facts_about(self, key: str) -> list[Fact]:
        return self._facts_of.get(key, [])

    def entities_like(self, category: str, attributes: dict[str, str], rank_by: tuple[str, ...],
                      rng: random.Random) -> Iterator[tuple[float, str]]:
        """Entities of a category, best attribute match first, each bucket from a random starting point: the
        first few candidates cost little however large the pack."""
        buckets = self._buckets.get(category, {})
        scored = sorted(((-bucket_score(key, attributes, rank_by), key) for key in buckets), key=lambda t: t[0])
        for score, key in scored:
            members = buckets[key]
            start = rng.randrange(len(members))
            for i in range(len(members)):
                yield -score, members[(start + i) % len(members)]

    def attribute_key(self, entity_id: str, rank_by: tuple[str, ...]) -> tuple:
        """An entity's values of the ranking attributes, as its bucket is keyed."""
        cached = self._attribute_keys.get((entity_id, rank_by))
        if cached is None:
            entity = self.pack.entity(entity_id)
            cached = self._attribute_keys[(entity_id, rank_by)] = tuple(entity.attribute(a) for a in rank_by)
        return cached

    def values_from(self, relation: str, slot: str, rng: random.Random) -> Iterator[tuple[str, Value]]:
        """The values of a relation slot, from a random starting point."""
        items = self._value_lists.get((relation, slot))
        if items is None:
            items = self._value_lists[(relation, slot)] = list(self._values.get((relation, slot), {}).items())
        if not items:
            return
        start = rng.randrange(len(items))
        for i in range(len(items)):
            yield items[(start + i) % len(items)]

    def dates_near(self, day) -> Iterator[DateValue]:
        """The pack's dates, nearest to `day` first."""
        starts = self._date_starts
        right = bisect.bisect_left(starts, day)
        left = right - 1
        while left >= 0 or right < len(self._dates):
            take_right = left < 0 or (right < len(self._dates) and
                                      abs((starts[right] - day).days) <= abs((day - starts[left]).days))
            if take_right:
                yield self._dates[right][1]
                right += 1
            else:
                yield self._dates[left][1]
                left -= 1

    def figures(self, unit: str, low: float, high: float) -> list[float]:
        values = self._figures.get(unit, [])
        return values[bisect.bisect_left(values, low): bisect.bisect_right(values, high)]


def entity_buckets(pack: Pack) -> dict[str, dict[tuple, list[str]]]:
    """Entities grouped by category and by the values of the category's ranking attributes."""
    buckets: dict[str, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entity in pack.entities:
        rank_by = pack.category(entity.category).rank_by
        buckets[entity.category][tuple(entity.attribute(a) for a in rank_by)].append(entity.id)
    return {c: dict(b) for c, b in buckets.items()}


def bucket_score(key: tuple, attributes: dict[str, str], rank_by: tuple[str, ...]) -> float:
    """Shared attributes weigh by their place in rank_by: the first counts most."""
    return float(sum(2 ** (len(rank_by) - i) for i, (name, value) in enumerate(zip(rank_by, key))
                     if value is not None and attributes.get(name) == value))
