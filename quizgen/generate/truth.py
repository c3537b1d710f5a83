"""One truth index across relations, time and places: which values a pack's facts make true for a slot, and which
it makes false.

Truth is read from the facts, through every relation a fact's relation implies (transitively) or inverts, at the
question's date, and up through the places that contain a place. Falsehood is earned, never assumed: a value is
false for a slot only when the slot holds one value at a time and another is known, when the pack declares the
list complete, or when the value's own one-valued statement puts it elsewhere. Distractors, accepted answers,
two-answer detection and lint all ask this index; none re-derives it.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ..model import DateValue, Entity, Fact, Number, Pack, Value
from ..text import normalise
from .index import bucket_score, containers_of, disputed_values, entailed_relations, entity_buckets, reads_as_blank_of
from .keys import fact_key, holds_throughout, other, overlaps, value_key


@dataclass(frozen=True)
class Assertion:
    """One statement the pack makes true: a relation between two values, when, and from which fact."""

    relation: str
    keys: tuple[str, str]  # subject key, object key
    values: tuple[Value, Value]
    when: DateValue | None
    fact: Fact
    coarser: bool = False  # true through a place containing the fact's own (born in Warsaw → born in Poland)

    def key(self, slot: str) -> str:
        return self.keys[0] if slot == "subject" else self.keys[1]

    def value(self, slot: str) -> Value:
        return self.values[0] if slot == "subject" else self.values[1]


@dataclass(frozen=True)
class Refutation:
    """Why a value is false for a slot: the slot's true values are known in full (`only`: one value at a time;
    `complete`: the pack lists them all), or the value's own one-valued statement puts it elsewhere (`own`)."""

    reason: Literal["only", "complete", "own"]
    true: tuple[Value, ...] = ()
    own: Assertion | None = None


@dataclass(frozen=True)
class FigureIndex:
    """A relation's figures (Truth.figures_of: each figure with the key of the value it is for), sorted once so
    that the figures near one, or all but a value's own, cost the same however many the relation has."""

    figures: list[tuple[float, str]]
    values: list[float]  # every figure, lowest first (empty when one is NaN, which has no place in that order)
    positions: list[int]  # the place in `figures` of each of `values`
    distinct: list[float]  # the distinct figures, lowest first; of equal ones (1000, 1000.0), the first listed
    holders: dict[float, list[tuple[float, str]]]  # for each distinct figure, every (figure, key) giving it, in order
    by_key: dict[str, set[float]]  # for each key, its figures

    @classmethod
    def of(cls, figures: list[tuple[float, str]]) -> FigureIndex:
        if any(value != value for value, _ in figures):
            return cls(figures, [], [], [], {}, {})
        positions = sorted(range(len(figures)), key=lambda i: figures[i][0])
        holders: dict[float, list[tuple[float, str]]] = {}
        by_key: dict[str, set[float]] = {}
        for value, key in figures:
            holders.setdefault(value, []).append((value, key))
            by_key.setdefault(key, set()).add(value)
        return cls(figures, [figures[i][0] for i in positions], positions,
                   [holders[value][0][0] for value in sorted(holders)], holders, by_key)

    @property
    def in_order(self) -> bool:
        return len(self.values) == len(self.figures)

    def within(self, low: float, high: float) -> list[tuple[float, str]]:
        """The figures from `low` to `high`, in their order."""
        if not self.in_order:
            return [figure for figure in self.figures if low <= figure[0] <= high]
        inside = self.positions[bisect.bisect_left(self.values, low):bisect.bisect_right(self.values, high)]
        return [self.figures[i] for i in sorted(inside)]

    def but(self, own: str) -> list[float]:
        """`sorted({value for value, key in figures if key != own})`: the distinct figures of values other than
        `own`, lowest first."""
        if not self.in_order:
            return sorted({value for value, key in self.figures if key != own})
        peers = list(self.distinct)
        for value in sorted(self.by_key.get(own, ()), reverse=True):  # from the top: no deletion moves one below
            at = bisect.bisect_left(peers, value)
            others = [each for each, key in self.holders[value] if key != own]
            if others:
                peers[at] = others[0]
            else:
                del peers[at]
        return peers


_LAST_MADE: list[Truth] = []


@dataclass
class Truth:
    """Which values fill which slot, for which value of the other slot, at which date, across the whole pack."""

    pack: Pack
    _by_given: dict[tuple[str, str, str], list[Assertion]] = field(default_factory=dict)
    _values: dict[tuple[str, str], dict[str, Value]] = field(default_factory=dict)
    _facts_of: dict[str, list[Fact]] = field(default_factory=dict)
    _containers: dict[str, frozenset[str]] = field(default_factory=dict)
    _buckets: dict[str, dict[tuple, list[str]]] = field(default_factory=dict)
    _dates: list[tuple] = field(default_factory=list)
    _date_starts: list = field(default_factory=list)
    _value_lists: dict[tuple[str, str], list[tuple[str, Value]]] = field(default_factory=dict)
    _attribute_keys: dict[tuple, tuple] = field(default_factory=dict)
    _by_relation: dict[str, list[Fact]] = field(default_factory=dict)
    _active: dict[str, tuple[int, int] | None] = field(default_factory=dict)
    _lifetimes: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    _holders: set[str] = field(default_factory=set)
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)
    _partners: dict[str, set[str]] = field(default_factory=dict)
    _fact_index: dict[str, Fact] = field(default_factory=dict)
    _names: dict[str, Entity] = field(default_factory=dict)
    _order: dict[str, int] = field(default_factory=dict)
    _slot_keys: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    _peers: dict[tuple[str, str, str], list[tuple[float, str]]] = field(default_factory=dict)
    _figure_indexes: dict[tuple[str, str, str], FigureIndex] = field(default_factory=dict)
    _short_lists: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    _possible: dict[tuple[str, str, bool], dict[str, Value]] = field(default_factory=dict)
    _disputed: dict[tuple[str, str, str], dict[str, Value]] = field(default_factory=dict)
    _roots: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, pack: Pack) -> Truth:
        """The truth index of `pack`; made once for the pack it was last asked for (the pool's maker and the study
        deck's share it: it depends on the pack alone)."""
        if _LAST_MADE and _LAST_MADE[0].pack is pack:
            return _LAST_MADE[0]
        truth = cls._made(pack)
        _LAST_MADE[:] = [truth]
        return truth

    @classmethod
    def _made(cls, pack: Pack) -> Truth:
        truth = cls(pack)
        truth._containers = containers_of(pack)
        entailed = {r.id: entailed_relations(pack, r.id) for r in pack.relations}
        by_given: dict = defaultdict(list)
        values: dict = defaultdict(dict)
        facts_of: dict = defaultdict(list)
        for fact in pack.facts:
            keys = (fact_key(fact, "subject", pack), fact_key(fact, "object", pack))
            for relation, swapped in entailed[fact.relation]:
                pair = (fact.object, fact.subject) if swapped else (fact.subject, fact.object)
                pair_keys = keys[::-1] if swapped else keys
                assertion = Assertion(relation, pair_keys, pair, fact.date, fact)
                widened = truth._with_containers(assertion) if pack.relation(relation).widens else [assertion]
                for assertion in widened:
                    by_given[(relation, "subject", assertion.keys[1])].append(assertion)
                    by_given[(relation, "object", assertion.keys[0])].append(assertion)
            for slot, key in zip(("subject", "object"), keys):
                if fact.quizzable:  # a fact kept out of questions lends none of its words to wrong options either
                    values[(fact.relation, slot)][key] = fact.value(slot)
                facts_of[key].append(fact)
        truth._by_given, truth._values, truth._facts_of = dict(by_given), dict(values), dict(facts_of)
        truth._disputed = disputed_values(pack)
        truth._buckets = entity_buckets(pack)
        truth._dates = sorted({(f.when.start, f.when.end, f.when.text): f.when for f in pack.facts
                               if f.when is not None}.items())
        truth._date_starts = [key[0] for key, _ in truth._dates]
        return truth

    def _with_containers(self, assertion: Assertion) -> list[Assertion]:
        """The assertion, and the coarser ones it makes true through places that contain either value."""
        found = [assertion]
        for index in (0, 1):
            for container in sorted(self._containers.get(assertion.keys[index], ())):
                keys = list(assertion.keys)
                values = list(assertion.values)
                keys[index] = values[index] = container
                found.append(Assertion(assertion.relation, (keys[0], keys[1]), (values[0], values[1]), assertion.when,
                                       assertion.fact, coarser=True))
        return found

    # ---- what the pack says of one slot ---------------------------------------------------------

    def key(self, fact: Fact, slot: str) -> str:
        """The fact's value key for `slot`, computed once."""
        found = self._keys.get((fact.id, slot))
        if found is None:
            found = self._keys[(fact.id, slot)] = fact_key(fact, slot, self.pack)
        return found

    def _about(self, fact: Fact, slot: str) -> tuple[list[Assertion], DateValue | None]:
        """Every statement of the fact's relation sharing its other slot, and the date the question names."""
        given = self.key(fact, other(slot))
        when = fact.date if self.pack.relation(fact.relation).dated(slot) else None
        return self._by_given.get((fact.relation, slot, given), []), when

    def true_values(self, fact: Fact, slot: str) -> dict[str, Value]:
        """Every value known to make `slot` true when the other slot holds this fact's value (and, when the question
        names the fact's date, at that date): the answers a key gives."""
        assertions, when = self._about(fact, slot)
        found = {a.key(slot): a.value(slot) for a in assertions
                 if not a.coarser and (when is None or (a.when is not None and holds_throughout(a.when, when)))}
        found.setdefault(self.key(fact, slot), fact.value(slot))
        return found

    def possibly_true(self, fact: Fact, slot: str, *, coarser: bool = True) -> dict[str, Value]:
        """Every value that may make `slot` true at the question's date: the known ones, undated ones, ones whose
        period overlaps it, and (with `coarser`) the places that contain them. None is ever offered as wrong."""
        memo = (fact.id, slot, coarser)
        if memo in self._possible:
            return self._possible[memo]
        assertions, when = self._about(fact, slot)
        found = {a.key(slot): a.value(slot) for a in assertions if (coarser or not a.coarser)
                 and (when is None or a.when is None or overlaps(a.when, when))}
        found.setdefault(self.key(fact, slot), fact.value(slot))
        given = self.key(fact, other(slot))
        for key, value in self._disputed.get((fact.relation, slot, given), {}).items():
            found.setdefault(key, value)  # a rival answer a fact's dispute names may be right
        self._possible[memo] = found
        return found

    def coarser_values(self, fact: Fact, slot: str) -> dict[str, Value]:
        """Places that contain a true value (the country of the city asked for): right, but less precise, where the
        relation `widens`."""
        if not self.pack.relation(fact.relation).widens:
            return {}
        true = self.true_values(fact, slot)
        return {c: c for key in true for c in sorted(self._containers.get(key, ())) if c not in true}

    def places_between(self, fact: Fact, slot: str) -> dict[str, Value]:
        """Where the relation `widens`: the places around the other slot's value that lie inside a true answer
        ("Passau is in ___": Germany, and Lower Bavaria too, which holds Passau and lies in Germany)."""
        if not self.pack.relation(fact.relation).widens:
            return {}
        true = self.true_values(fact, slot)
        around = self._containers.get(fact_key(fact, other(slot), self.pack), frozenset())
        return {c: c for c in sorted(around) if c not in true and any(t in self._containers.get(c, ()) for t in true)}

    def sibling_values(self, fact: Fact, slot: str) -> dict[str, Value]:
        """Values that other relations give this slot where their sentence says the same and more: "Cologne is in
        _____." is true of its region as of its country ("Cologne is in the region of North Rhine-Westphalia")."""
        relation = self.pack.relation(fact.relation)
        given = self.key(fact, other(slot))
        found: dict[str, Value] = {}
        for sibling in self.pack.relations:
            if sibling.id != relation.id and reads_as_blank_of(sibling.sentence, relation.sentence, slot) and \
                    sibling.slot_type(other(slot)) == relation.slot_type(other(slot)):
                for a in self._by_given.get((sibling.id, slot, given), []):
                    found.setdefault(a.key(slot), a.value(slot))
        return found

    def partners(self, key: str) -> set[str]:
        """Every value some fact puts beside this one, in either slot."""
        found = self._partners.get(key)
        if found is None:
            found = self._partners[key] = {k for f in self._facts_of.get(key, [])
                                           for k in (self.key(f, "subject"), self.key(f, "object")) if k != key}
        return found

    def first_key(self, fact: Fact, slot: str, keys: dict[str, Value]) -> str:
        """Of several true values, the one the pack states first: the key a question made once for all of them
        shows (the discoverer the author lists first, not the first in the alphabet)."""
        return self.in_stated_order(fact, slot, keys)[0]

    def in_stated_order(self, fact: Fact, slot: str, keys: dict[str, Value]) -> list[str]:
        """The keys in the order the pack states them, those a quizzable fact states first (a fact kept out of
        questions still makes its value true, but lends it no quotation)."""
        order = self.fact_order()
        given = self.key(fact, other(slot))
        stated: dict[str, tuple[bool, int]] = {}
        for a in self._by_given.get((fact.relation, slot, given), []):
            if a.key(slot) in keys and not a.coarser:
                rank = (not a.fact.quizzable, order.get(a.fact.id, len(order)))
                stated[a.key(slot)] = min(stated.get(a.key(slot), rank), rank)
        return sorted(keys, key=lambda k: (stated.get(k, (True, len(order))), k))

    def closed(self, fact: Fact, slot: str) -> bool:
        """Whether the pack knows every value of `slot` here: one value at a time, or a list declared complete."""
        relation = self.pack.relation(fact.relation)
        if not relation.holds_for_many(slot):
            return True
        return relation.complete or self.declared_complete(fact.relation, other(slot), self.key(fact, other(slot)))

    def can_refute(self, fact: Fact, slot: str) -> bool:
        """Whether any value could be known false for `slot` here: the list is closed, or a value's own one-valued
        statement could place it elsewhere. Where neither holds, no candidate needs weighing."""
        return self.closed(fact, slot) or not self.pack.relation(fact.relation).holds_for_many(other(slot))

    def declared_complete(self, relation_id: str, side: str, given: str) -> bool:
        """Whether a source lists every partner of the value with key `given` when it fills `side` (an entity id,
        or a text)."""
        return any(given in (value, value_key(value, "text")) and declared in (side, "either")
                   for declared, value, _ in self.pack.relation(relation_id).complete_for)

    def refutation(self, fact: Fact, slot: str, key: str) -> Refutation | None:
        """Why the value with `key` is false for `slot` of this fact's question, or None when the pack does not
        know it to be false (it may be true, or the pack is silent)."""
        if not self.can_refute(fact, slot) or key in self.possibly_true(fact, slot) or self.nested(
                key, self.possibly_true(fact, slot, coarser=False)):
            return None
        relation = self.pack.relation(fact.relation)
        # what is true of the value itself explains best ("Titan orbits Saturn"), then the slot's known values
        own = self._own_refutation(fact, slot, key) if not relation.holds_for_many(other(slot)) else None
        if own is not None:
            return own
        true = self.true_values(fact, slot)
        if not relation.holds_for_many(slot):
            return Refutation("only", tuple(true.values()))
        if self.closed(fact, slot):
            return Refutation("complete", tuple(true.values()))
        return None

    def _own_refutation(self, fact: Fact, slot: str, key: str) -> Refutation | None:
        """The candidate's own one-valued statement places it elsewhere (the Danube rises in Germany, so it does not
        rise in Switzerland)."""
        given = self.key(fact, other(slot))
        _, when = self._about(fact, slot)
        own = [a for a in self._by_given.get((fact.relation, other(slot), key), [])
               if when is None or a.when is None or overlaps(a.when, when)]
        known = [a for a in own if not a.coarser]
        if not known or any(a.key(other(slot)) == given or self.nested(given, {a.key(other(slot)): None})
                            for a in own):
            return None
        return Refutation("own", own=known[0])

    def nested(self, key: str, keys: dict[str, object]) -> bool:
        """Whether the value lies inside or around one of `keys` (a city inside a true country, or its country)."""
        containers = self._containers.get(key, frozenset())
        return any(k in containers or key in self._containers.get(k, frozenset()) for k in keys)

    def holds(self, relation: str, subject: Value, object_: Value) -> bool:
        kind = self.pack.relation(relation)
        subject_key, object_key = value_key(subject, kind.subject), value_key(object_, kind.object)
        return any(a.keys[1] == object_key and not a.coarser
                   for a in self._by_given.get((relation, "object", subject_key), []))

    def reachable(self, relation: str, start: str, towards: str) -> set[str]:
        """Keys reached from `start` by following the relation through any number of facts, towards `towards`
        (the subject side: what leads to `start`; the object side: what `start` leads to)."""
        seen: set[str] = set()
        frontier = [start]
        while frontier:
            key = frontier.pop()
            for assertion in self._by_given.get((relation, towards, key), []):
                found = assertion.key(towards)
                if found not in seen:
                    seen.add(found)
                    frontier.append(found)
        return seen

    def slot_values(self, relation: str, slot: str) -> dict[str, Value]:
        """Every value that fills `slot` of `relation` in some quizzable fact."""
        return self._values.get((relation, slot), {})

    def fact(self, fact_id: str) -> Fact:
        """A fact by its id."""
        if not self._fact_index:
            self._fact_index.update({f.id: f for f in self.pack.facts})
        return self._fact_index[fact_id]

    def entity_named(self, text: str) -> Entity | None:
        """The entity one of whose names (or aliases) this text is, once normalised."""
        if not self._names:
            self._names.update({normalise(n): e for e in self.pack.entities for n in e.names})
        return self._names.get(normalise(text))

    def facts_about(self, key: str) -> list[Fact]:
        return self._facts_of.get(key, [])

    def fact_order(self) -> dict[str, int]:
        """Each fact's place in the pack, computed once."""
        if not self._order:
            self._order.update({f.id: i for i, f in enumerate(self.pack.facts)})
        return self._order

    def slot_keys(self, relation: str, slot: str) -> frozenset[str]:
        """The keys of every value the relation's quizzable facts put in `slot`, computed once."""
        found = self._slot_keys.get((relation, slot))
        if found is None:
            found = self._slot_keys[(relation, slot)] = frozenset(self.key(f, slot)
                                                                  for f in self.facts_of_relation(relation))
        return found

    def active_years(self, key: str) -> tuple[int, int] | None:
        """The first and last year of what the entity did, by the dated facts it is the subject of (Galileo: 1610),
        or None. A thing something was done to (a moon found in 1610) is not dated by it: it existed before."""
        if key not in self._active:
            years = [y for f in self._facts_of.get(key, []) if f.when is not None and f.subject == key
                     for y in (f.when.start.year, f.when.end.year)]
            self._active[key] = (min(years), max(years)) if years else None
        return self._active[key]

    def holds_places(self, key: str) -> bool:
        """Whether entities of this one's kind hold others (a country, a region): there may be places between it
        and what lies in it that the pack does not record (the Carpathians, for "The Tisza rises in ___")."""
        if not self._holders:
            held_in = {c for held in self._containers.values() for c in held}
            self._holders.update(self.kind(c) for c in held_in if self.pack.has_entity(c))
        return self.pack.has_entity(key) and self.kind(key) in self._holders

    def kind(self, key: str) -> str:
        """An entity's kind: its `kind` attribute, else its category (a country, a state, a city)."""
        entity = self.pack.entity(key)
        return entity.attribute("kind") or entity.category

    def placing(self, key: str) -> frozenset[str]:
        """The entities an entity's attributes name and the places that contain it: what it has in common with
        another (a river's basin, a city's country and river)."""
        if not self.pack.has_entity(key):
            return frozenset()
        entity = self.pack.entity(key)
        named = {value for _, value in entity.attributes if self.pack.has_entity(value)}
        return frozenset(named | self._containers.get(key, frozenset()))

    def lifetime(self, key: str) -> tuple[date | None, date | None]:
        """When an entity began and ended: its declared period, else the dates of its facts whose relation marks
        a `lifetime` start or end (born-on, died-on); either end may be unknown (None)."""
        if key not in self._lifetimes:
            entity = self.pack.entity(key) if self.pack.has_entity(key) else None
            if entity is not None and entity.period is not None:
                self._lifetimes[key] = (entity.period.start, entity.period.end)
            else:
                bounds: dict[str, date] = {}
                for f in self._facts_of.get(key, []):
                    mark = self.pack.relation(f.relation).lifetime
                    if mark and f.subject == key and isinstance(f.object, DateValue):
                        bounds[mark] = f.object.start if mark == "start" else f.object.end
                self._lifetimes[key] = (bounds.get("start"), bounds.get("end"))
        return self._lifetimes[key]

    def figures_of(self, relation: str, slot: str, unit: str) -> list[tuple[float, str]]:
        """The relation's single figures in `unit` with the key of the other slot's value, computed once."""
        memo = (relation, slot, unit)
        if memo not in self._peers:
            self._peers[memo] = [(f.value(slot).value, self.key(f, other(slot))) for f in self.facts_of_relation(relation)
                                 if isinstance(f.value(slot), Number) and f.value(slot).unit == unit
                                 and f.value(slot).max is None]
        return self._peers[memo]

    def figures_near(self, relation: str, slot: str, unit: str, low: float, high: float
                     ) -> list[tuple[float, str]]:
        """The figures of `figures_of` from `low` to `high`, in its order."""
        return self._figure_index(relation, slot, unit).within(low, high)

    def figures_but(self, relation: str, slot: str, unit: str, own: str) -> list[float]:
        """The distinct figures of `figures_of` that a value other than `own` has, lowest first."""
        return self._figure_index(relation, slot, unit).but(own)

    def _figure_index(self, relation: str, slot: str, unit: str) -> FigureIndex:
        memo = (relation, slot, unit)
        if memo not in self._figure_indexes:
            self._figure_indexes[memo] = FigureIndex.of(self.figures_of(relation, slot, unit))
        return self._figure_indexes[memo]

    def roots(self, category: str) -> frozenset[str]:
        """The entities of a category that head its part-of trees: the object of a relation from the category to
        itself (a headstream of, a tributary of) and the subject of none. Relations that order their slots (a
        parent before a child) or read both ways (married) are no such tree. Computed once per category."""
        if category not in self._roots:
            trees = [r.id for r in self.pack.relations if r.subject == r.object == category
                     and r.older is None and r.inverse != r.id]
            wholes = {self.key(f, "object") for r in trees for f in self.facts_of_relation(r)}
            parts = {self.key(f, "subject") for r in trees for f in self.facts_of_relation(r)}
            self._roots[category] = frozenset(wholes - parts)
        return self._roots[category]

    def short_closed_lists(self, relation: str, slot: str, most: int) -> frozenset[str]:
        """The values of `slot` whose partners a source lists in full (`complete_for`) and that have at most `most`
        of them, computed once per relation and slot (every question asking the slot weighs its candidates
        against them)."""
        memo = (relation, slot)
        if memo not in self._short_lists:
            partners: dict[str, set[str]] = {}
            if self.pack.relation(relation).complete_for:
                for f in self.facts_of_relation(relation):
                    partners.setdefault(value_key(f.value(slot)), set()).add(value_key(f.value(other(slot))))
            self._short_lists[memo] = frozenset(key for key, found in partners.items()
                                                if len(found) <= most and self.declared_complete(relation, slot, key))
        return self._short_lists[memo]

    def facts_of_relation(self, relation: str) -> list[Fact]:
        """The quizzable facts of one relation, in pack order."""
        if relation not in self._by_relation:
            self._by_relation[relation] = [f for f in self.pack.facts if f.relation == relation and f.quizzable]
        return self._by_relation[relation]

    # ---- candidates for wrong options -----------------------------------------------------------

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
