"""Dealing a fair question set from the pool by what its items mean: the values they key, the names they show and
the facts they state, so that no item settles another, the sheet's title answers none, and the types stay mixed."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..model import VALUE_TYPES, DateValue, Fact, Number, Pack, Question, QuestionSet, stable_id
from ..load.phrasing import answer_text
from ..text import contains_phrase, normalise
from .checks import alias_index
from .keys import fact_key, value_key

if TYPE_CHECKING:
    from . import Pool

MAX_PER_RELATION = 5  # five death tolls in a row make a set about counting, not about what happened
MAX_SAME_ANSWER = 2  # one answer keyed more often than this in a set teaches test-taking, not history
TRUE_FALSE_SHARE = 4  # at most one item in four is true/false: a coin toss answers half of them
# A name in more than this share of the pool's stems is what the pack is about (the person of a biography): seeing
# it in one more stem tells a student nothing about which answer is right, so naming it gives nothing away.
COMMON_NAME_SHARE = 1 / 3
GROUP_TYPES = ("matching", "ordering")
TRUE_FALSE = "true-false"


@dataclass(frozen=True)
class Named:
    """A value as the dealer compares it: one key (an entity's id, or its normalised text), the names it goes by,
    and its kind: entity, date, number or text."""

    key: str
    names: tuple[str, ...]
    kind: str

    # its names as `contains_phrase` looks for them, worked out once: a deal searches hundreds of thousands of texts
    @cached_property
    def phrases(self) -> tuple[str, ...]:
        """Its names but the short upper-case ones, normalised and padded with a space: found in a padded text."""
        return tuple(f" {small} " for name in self.names if not is_acronym(name) and (small := normalise(name)))

    @cached_property
    def acronyms(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if is_acronym(name))


@dataclass(frozen=True)
class Part:
    """A piece of an item a student reads (its stem, an option, an item to order…), with the entities it names;
    `states` when the piece says something is so (a stem, a claim, an event to order), not when it is only offered."""

    text: str
    named: frozenset[str]
    states: bool

    @cached_property
    def padded(self) -> str:
        return padded(self.text)


@dataclass(frozen=True)
class Item:
    """A pool question as the dealer weighs it."""

    question: Question
    keyed: frozenset[str]  # keys of the values it keys (each at most MAX_SAME_ANSWER times a set)
    answers: tuple[Named, ...]  # every value that answers it: the keyed ones and the accepted ones
    parts: tuple[Part, ...]
    ends: tuple[tuple[Named, ...], ...]  # for each of its facts, the values that, named together, state that fact
    meanings: frozenset[tuple[str, str, str, str]]  # (relation, subject, object, date) of each of its facts
    groups: frozenset[tuple[str, str]]  # (type, relation) of a matching or ordering item
    stem: tuple[str, str]

    @property
    def type(self) -> str:
        return self.question.type

    @cached_property
    def relations(self) -> frozenset[str]:
        return frozenset(meaning[0] for meaning in self.meanings)

    @cached_property
    def relation(self) -> str:
        return min(self.relations)

    @cached_property
    def fact_ids(self) -> frozenset[str]:
        return frozenset(self.question.fact_ids)

    # the entities its statements, all its words and its offered pieces name, gathered once: a deal asks them of
    # every pair of items it weighs
    @cached_property
    def named_stated(self) -> frozenset[str]:
        return frozenset().union(*(part.named for part in self.parts if part.states))

    @cached_property
    def named_anywhere(self) -> frozenset[str]:
        return frozenset().union(*(part.named for part in self.parts))

    @cached_property
    def named_offered(self) -> frozenset[str]:
        return frozenset().union(*(part.named for part in self.parts if not part.states))

    # the same pieces' padded texts in one string each: a name is in one of the pieces when it is in the string
    # (a line break, never part of a padded name, keeps two pieces from making one)
    @cached_property
    def text_stated(self) -> str:
        return "\n".join(part.padded for part in self.parts if part.states)

    @cached_property
    def text_anywhere(self) -> str:
        return "\n".join(part.padded for part in self.parts)

    @cached_property
    def text_offered(self) -> str:
        return "\n".join(part.padded for part in self.parts if not part.states)

    # every value whose name in another item's words could settle this one: its answers and its facts' ends
    @cached_property
    def value_entities(self) -> frozenset[str]:
        return frozenset(value.key for value in self.values if value.kind == "entity")

    @cached_property
    def value_phrases(self) -> tuple[str, ...]:
        return tuple(phrase for value in self.values if value.kind != "entity" for phrase in value.phrases)

    @cached_property
    def value_acronyms(self) -> bool:
        return any(value.acronyms for value in self.values if value.kind != "entity")

    @property
    def values(self) -> tuple[Named, ...]:
        return (*self.answers, *(end for ends in self.ends for end in ends))

    def may_name_a_value_of(self, other: Item) -> bool:
        """Whether its words might name an answer of `other` or an end of one of its facts: when they cannot, it
        neither offers what `other` keys nor gives `other` away (`offers_key_of`, `gives_away`)."""
        return (not self.named_anywhere.isdisjoint(other.value_entities) or other.value_acronyms
                or any(phrase in self.text_anywhere for phrase in other.value_phrases))

    def shows(self, value: Named, *, stated: bool = False) -> bool:
        """Whether its words name the value (with `stated`, the words that say something: stem, claim, events)."""
        if value.kind == "entity":
            return value.key in (self.named_stated if stated else self.named_anywhere)
        return names_in_text(self.text_stated if stated else self.text_anywhere,
                             (part for part in self.parts if part.states or not stated), value)

    def offers(self, value: Named) -> bool:
        """Whether it offers the value itself, as one of its options or in a column to match."""
        if value.kind == "entity":
            return value.key in self.named_offered
        return names_in_text(self.text_offered, (part for part in self.parts if not part.states), value)

    def states(self, ends: tuple[Named, ...]) -> bool:
        """Whether one of its statements names every value of a fact together (and so says or settles the fact)."""
        if any(end.kind == "entity" and end.key not in self.named_stated for end in ends):
            return False  # no statement names that one: most pairs are settled here, before any text is searched
        return any(all(names_in_part(part, end) for end in ends) for part in self.parts if part.states)


def names_in_part(part: Part, value: Named) -> bool:
    if value.kind == "entity":
        return value.key in part.named
    return names_in_text(part.padded, (part,), value)


def names_in_text(text: str, parts: Iterable[Part], value: Named) -> bool:
    """Whether `contains_phrase` finds one of the value's names in one of the parts, whose padded texts `text`
    holds: the normalised names are looked up in that text at once, the short upper-case ones part by part."""
    return (any(phrase in text for phrase in value.phrases)
            or any(contains_phrase(part.text, name) for part in parts for name in value.acronyms))


def is_acronym(name: str) -> bool:
    """A name `contains_phrase` matches with its case ("IS" must not match the word "is")."""
    return name.isupper() and len(name) <= 4


def padded(text: str) -> str:
    return f" {normalise(text)} "


@dataclass(frozen=True)
class NameIndex:
    """Which entities a text names, found as `contains_phrase` finds one name, for every name of the pack at once."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]  # a name's words → the entities it names
    # a name's first word → how many words the names it begins have: a text is looked up by the slices that start
    # with the first word of a name, not name by name
    lengths: dict[str, tuple[int, ...]]
    acronyms: tuple[tuple[str, str], ...]  # (short upper-case name, entity id), matched with its case

    @classmethod
    def of(cls, pack: Pack) -> NameIndex:
        phrases: dict[tuple[str, ...], list[str]] = {}
        acronyms = []
        for entity in pack.entities:
            for name in entity.names:
                words = tuple(normalise(name).split())
                if name.isupper() and len(name) <= 4:
                    acronyms.append((name, entity.id))  # "IS" must not match the word "is"
                elif words:
                    phrases.setdefault(words, []).append(entity.id)
        lengths: dict[str, set[int]] = {}
        for words in phrases:
            lengths.setdefault(words[0], set()).add(len(words))
        return cls({words: tuple(ids) for words, ids in phrases.items()},
                   {first: tuple(sorted(n)) for first, n in lengths.items()}, tuple(acronyms))

    def named_in(self, text: str) -> frozenset[str]:
        words = normalise(text).split()
        found = {entity_id for name, entity_id in self.acronyms if contains_phrase(text, name)}
        for start, word in enumerate(words):
            for length in self.lengths.get(word, ()):
                found.update(self.phrases.get(tuple(words[start:start + length]), ()))
        return frozenset(found)


# ---- what each item means ------------------------------------------------------------------------------------


def items_of(pool: Pool, pack: Pack) -> list[Item]:
    facts = {f.id: f for f in pack.facts}
    aliases = alias_index(pack)
    index = NameIndex.of(pack)
    return [item_of(q, pool.templates[q.template_id].ask if q.template_id in pool.templates else "object",
                    [facts[fid] for fid in q.fact_ids], aliases, index, pack) for q in pool.questions]


def item_of(question: Question, ask: str, facts: list[Fact], aliases: dict[str, str], index: NameIndex,
            pack: Pack) -> Item:
    kind = value_kind(pack.relation(facts[0].relation).slot_type(ask))
    keyed = keyed_texts(question)
    answers = tuple(dict.fromkeys(named_text(text, kind, aliases, pack) for text in (*keyed, *question.accepted)))
    if kind == "date":
        answers = tuple(with_month_alone(answer, question) for answer in answers)
    ordering = question.type == "ordering"
    return Item(
        question=question,
        keyed=frozenset(named_text(text, kind, aliases, pack).key for text in keyed),
        answers=answers,
        parts=tuple(Part(text, index.named_in(text), states) for text, states in shown_parts(question)),
        ends=tuple(fact_ends(fact, pack, with_date=ordering) for fact in facts),
        meanings=frozenset(fact_meaning(f, pack) for f in facts),
        groups=frozenset((question.type, f.relation) for f in facts) if question.type in GROUP_TYPES else frozenset(),
        stem=stem_key(question),
    )


def fact_meaning(fact: Fact, pack: Pack) -> tuple[str, str, str, str]:
    """What a fact says, whatever its id: two facts saying the same are asked once a set."""
    when = value_key(fact.date) if fact.date is not None else ""
    return fact.relation, fact_key(fact, "subject", pack), fact_key(fact, "object", pack), when


def value_kind(slot_type: str) -> str:
    return slot_type if slot_type in VALUE_TYPES else "entity"


def keyed_texts(question: Question) -> tuple[str, ...]:
    """The answers a question keys, as written: the right options, the written answer, or the values a matching
    item pairs its rows with (a student who matched "Pierre Curie → 19 April 1906" strikes that date off any other
    death-date question on the sheet, and knows a claim giving it to someone else is false)."""
    if question.type == "matching":
        return tuple(dict.fromkeys(p.right for p in question.pairs))
    if question.type in (*GROUP_TYPES, TRUE_FALSE):
        return ()
    if question.options:
        return tuple(o.text for o in question.correct_options)
    return (question.answer,)


def named_text(text: str, kind: str, aliases: dict[str, str], pack: Pack) -> Named:
    """An answer as written, read as the entity it names (with all that entity's names) where it names one."""
    entity_id = aliases.get(normalise(text))
    if entity_id is not None:
        entity = pack.entity(entity_id)
        return Named(entity.id, entity.names, "entity")
    return Named(f"text:{normalise(text)}", (text,), kind if kind != "entity" else "text")


DAY_DATE = re.compile(r"^\d{1,2} (\w+ \d{4})$")


def with_month_alone(answer: Named, question: Question) -> Named:
    """A day's date also goes by its month where no wrong option shares that month: "in February 2014", printed in
    another item, answers "When did ISIL withdraw?" whose only February option is "10 February 2014"."""
    months = [m.group(1) for m in map(DAY_DATE.match, answer.names) if m]
    wrong = [o.text for o in question.options if not o.correct]
    alone = tuple(month for month in months if not any(contains_phrase(text, month) for text in wrong))
    return Named(answer.key, (*answer.names, *alone), answer.kind) if alone else answer


def named_value(value: object, slot_type: str, pack: Pack) -> Named:
    if slot_type not in VALUE_TYPES:
        entity = pack.entity(value)
        return Named(entity.id, entity.names, "entity")
    text = answer_text(value, slot_type, pack)
    names = (text, value.figure()) if isinstance(value, Number) else (text,)
    return Named(f"text:{normalise(text)}", names, slot_type)


def fact_ends(fact: Fact, pack: Pack, *, with_date: bool) -> tuple[Named, ...]:
    """The values a statement must name to say this fact: subject and object, and for putting events in order, the
    date too."""
    relation = pack.relation(fact.relation)
    ends = [named_value(fact.subject, relation.subject, pack), named_value(fact.object, relation.object, pack)]
    if with_date and fact.date is not None and not isinstance(fact.object, DateValue):
        ends.append(named_value(fact.date, "date", pack))
    return tuple(ends)


def shown_parts(question: Question) -> list[tuple[str, bool]]:
    """Every piece of text a student reads, and whether it states something (stems and claims do; the options,
    the columns to match and the right order are only offered)."""
    parts = [(question.prompt, True)]
    if question.type != TRUE_FALSE:
        parts += [(o.text, False) for o in question.options]
    parts += [(p.left, False) for p in question.pairs]
    parts += [(c, False) for c in question.choices]
    parts += [(i, True) for i in question.items]
    return parts


def common_names(items: list[Item]) -> frozenset[str]:
    """The entities named in more than COMMON_NAME_SHARE of the pool's stems that could name them: a stem never
    names its own answer, so the items an entity answers are not counted."""
    named = Counter(entity_id for item in items for entity_id in item.parts[0].named)
    answering = Counter(answer.key for item in items for answer in set(item.answers))
    return frozenset(entity_id for entity_id, n in named.items()
                     if n > (len(items) - answering[entity_id]) * COMMON_NAME_SHARE)


def one_sided_relations(items: list[Item]) -> frozenset[str]:
    """The relations whose true/false claims in the pool all come out one way (an open relation can only be asked
    as a true claim): a second claim of one of them in a set teaches that the frame is always True."""
    verdicts: dict[str, set[str]] = {}
    for item in items:
        if item.type == TRUE_FALSE:
            verdicts.setdefault(relation_of(item), set()).add(item.question.answer)
    return frozenset(relation for relation, seen in verdicts.items() if len(seen) == 1)


@dataclass(frozen=True)
class Rules:
    """What the dealer knows of the whole pool when it weighs one item against a set."""

    common: frozenset[str]  # entities the pool's stems name throughout (`common_names`)
    one_sided: frozenset[str]  # relations whose claims are all True or all False (`one_sided_relations`)
    per_set: dict[str, int]  # relations whose author caps their items in a set (`per_set` in relations.yaml)
    # whether two items clash (`clashes`), by their ids: a deal weighs the same pairs again and again
    clashing: dict[tuple[int, int], bool] = field(default_factory=dict, compare=False, repr=False)
    # for an item (by id), the set it last fitted and how many of that set's items it was weighed against: a set only
    # grows, so a waiting item is weighed against the items taken since, not against the whole set again
    fitted: dict[int, tuple[list[Item], int]] = field(default_factory=dict, compare=False, repr=False)
    # for a run of a set's items, by (start, end): the set it was taken from and what its items hold together
    gatherings: dict[tuple[int, int], tuple[list[Item], Gathered]] = field(default_factory=dict, compare=False,
                                                                          repr=False)

    def clash(self, item: Item, other: Item) -> bool:
        pair = (id(item), id(other))
        if pair not in self.clashing:
            self.clashing[pair] = clashes(item, other, self)
        return self.clashing[pair]

    def clashes_with_any(self, item: Item, chosen: list[Item]) -> bool:
        """Whether the item clashes with one in the set, weighing only the items taken since it last fitted it."""
        fitted, weighed = self.fitted.get(id(item), (None, 0))
        start = weighed if fitted is chosen else 0
        if start < len(chosen) and self.gathered(chosen, start).may_clash(item, self) and any(
                self.clash(item, c) for c in chosen[start:]):
            return True
        self.fitted[id(item)] = (chosen, len(chosen))
        return False

    def gathered(self, chosen: list[Item], start: int) -> Gathered:
        """What the set's items from `start` on hold together, gathered once: every item waiting in the queues is
        weighed against the same run of the set."""
        key = (start, len(chosen))
        held = self.gatherings.get(key)
        if held is None or held[0] is not chosen:
            held = self.gatherings[key] = (chosen, Gathered.of(chosen[start:]))
        return held[1]

    @classmethod
    def of(cls, items: list[Item], pack: Pack) -> Rules:
        return cls(common_names(items), one_sided_relations(items),
                   {r.id: r.per_set for r in pack.relations if r.per_set is not None})


@dataclass(frozen=True)
class Gathered:
    """What a run of a set's items hold together, for each test of `clashes` that can make two items clash: an item
    that shares none of it with the run clashes with none of its items, which spares weighing it against each."""

    fact_ids: frozenset[str]
    meanings: frozenset[tuple[str, str, str, str]]
    groups: frozenset[tuple[str, str]]
    stems: frozenset[tuple[str, str]]
    keyed: frozenset[str]
    claimed_relations: frozenset[str]  # the relations of its true/false items
    value_entities: frozenset[str]
    value_phrases: frozenset[str]
    value_acronyms: bool
    named_anywhere: frozenset[str]
    text_anywhere: str  # its items' `text_anywhere`, a line break between two (no padded name holds one)

    @classmethod
    def of(cls, items: list[Item]) -> Gathered:
        return cls(
            fact_ids=frozenset().union(*(i.fact_ids for i in items)),
            meanings=frozenset().union(*(i.meanings for i in items)),
            groups=frozenset().union(*(i.groups for i in items)),
            stems=frozenset(i.stem for i in items),
            keyed=frozenset().union(*(i.keyed for i in items)),
            claimed_relations=frozenset(relation_of(i) for i in items if i.type == TRUE_FALSE),
            value_entities=frozenset().union(*(i.value_entities for i in items)),
            value_phrases=frozenset(phrase for i in items for phrase in i.value_phrases),
            value_acronyms=any(i.value_acronyms for i in items),
            named_anywhere=frozenset().union(*(i.named_anywhere for i in items)),
            text_anywhere="\n".join(i.text_anywhere for i in items),
        )

    def may_clash(self, item: Item, rules: Rules) -> bool:
        """Whether `clashes` could find the item clashing with one of the run's items: False when every test it
        makes fails for all of them (the same tests, on what they hold together)."""
        return (not (item.fact_ids.isdisjoint(self.fact_ids) and item.meanings.isdisjoint(self.meanings)
                     and item.groups.isdisjoint(self.groups) and item.keyed.isdisjoint(self.keyed))
                or item.stem in self.stems
                or item.type == TRUE_FALSE and relation_of(item) in rules.one_sided
                and relation_of(item) in self.claimed_relations
                or self.value_acronyms or item.value_acronyms
                or not item.named_anywhere.isdisjoint(self.value_entities)
                or not item.value_entities.isdisjoint(self.named_anywhere)
                or any(phrase in item.text_anywhere for phrase in self.value_phrases)
                or any(phrase in self.text_anywhere for phrase in item.value_phrases))


# ---- the rules of a fair set ---------------------------------------------------------------------------------


def stem_key(question: Question) -> tuple[str, str]:
    """What a student reads as the same question: the type, the stem, and the items or pairs in any order."""
    return stem_of(question.type, question.prompt, (*(p.left for p in question.pairs), *question.items))


def stem_of(qtype: str, prompt: str, shown: Iterable[str] = ()) -> tuple[str, str]:
    """`stem_key` of a question of this type, stem, and items or pairs' left sides."""
    return qtype, normalise(prompt) + "|" + "|".join(sorted(normalise(text) for text in shown))


def gives_away(asker: Item, other: Item, rules: Rules) -> bool:
    """Whether `asker`'s words settle `other`: they name a value that answers it (unless the pool's stems name it
    throughout, or both items only offer it among their options, which tells nothing), or one of its statements
    names together every value of a fact `other` asks about (a true claim settles the question about the same fact,
    and a question names the pair a claim is about). A name the stems use throughout still gives the answer away
    in a statement of the same relation: "ISIL took Kabajeb on 10 April" answers "Who took the silos that day?"."""
    for answer in other.answers:
        if not asker.shows(answer):
            continue  # its words do not name it, so neither do its statements: most answers end here
        stated = asker.shows(answer, stated=True)
        if answer.key in rules.common and not (stated and relations_of(asker) & relations_of(other)):
            continue
        if stated or not other.offers(answer):
            return True
    return any(asker.states(ends) for ends in other.ends)


def fits_set(item: Item, chosen: list[Item], rules: Rules) -> bool:
    """Whether the item can join the set for good: a fact, a meaning and a stem asked once, an answer keyed at most
    MAX_SAME_ANSWER times, one matching and one ordering item per relation, and nothing given away either way."""
    if any(sum(k in c.keyed for c in chosen) >= MAX_SAME_ANSWER for k in item.keyed):
        return False
    return not rules.clashes_with_any(item, chosen)


def clashes(item: Item, c: Item, rules: Rules) -> bool:
    """Whether two items cannot share a set, whatever else it holds (what `fits_set` weighs pair by pair)."""
    if item.fact_ids & c.fact_ids or item.meanings & c.meanings or item.groups & c.groups:
        return True
    if c.stem == item.stem:
        return True
    if c.keyed & item.keyed and ((c.parts[0].named & item.parts[0].named) - rules.common
                                 or relations_of(c) & relations_of(item)):
        return True  # one answer to two stems about one thing (who led the FSA, who replaced its chief) or one frame
    if item.type == TRUE_FALSE and relation_of(item) in rules.one_sided and (
            c.type == TRUE_FALSE and relation_of(c) == relation_of(item)):
        return True
    if not (item.may_name_a_value_of(c) or c.may_name_a_value_of(item)):
        return False  # what is left to weigh needs one item to name a value of the other: most pairs end here
    if relations_of(c) & relations_of(item) and (offers_key_of(c, item) or offers_key_of(item, c)):
        return True  # one frame, options shared: knowing one real name strikes it off the other's options
    return gives_away(item, c, rules) or gives_away(c, item, rules)


def offers_key_of(asker: Item, other: Item) -> bool:
    """Whether `asker` offers, among its options, a value that `other` keys."""
    return any(asker.offers(answer) for answer in other.answers if answer.key in other.keyed)


def within_relation_cap(item: Item, chosen: list[Item], cap: int | None, rules: Rules) -> bool:
    """Whether the set may take one more item of this relation (no cap: once the other relations have run out;
    a cap the author set holds even then)."""
    relation = relation_of(item)
    taken = sum(relation_of(c) == relation for c in chosen)
    if taken >= rules.per_set.get(relation, taken + 1):
        return False
    return cap is None or taken < cap


def relation_of(item: Item) -> str:
    return item.relation


def relations_of(item: Item) -> frozenset[str]:
    return item.relations


def keeps_true_false_balance(item: Item, chosen: list[Item], rules: Rules) -> bool:
    """Whether the set's true and false claims still differ by at most one with this item, and the claims of
    relations that are only ever claimed one way stay at most a quarter of its claims: else the verdict reads off
    the topic ("every claim on a career is True, every claim on a birth is False")."""
    if item.type != TRUE_FALSE:
        return True
    claims = [c for c in chosen if c.type == TRUE_FALSE] + [item]
    verdicts = Counter(c.question.answer for c in claims)
    one_sided = sum(relation_of(c) in rules.one_sided for c in claims)
    return abs(verdicts["True"] - verdicts["False"]) <= 1 and one_sided <= max(1, len(claims) // 4)


# ---- dealing -------------------------------------------------------------------------------------------------

Queues = dict[str, dict[str, list[Item]]]  # topic → type → items still to deal, in dealing order


def true_false_limit(count: int) -> int:
    return count // TRUE_FALSE_SHARE


def choose_questions(pool: Pool, count: int, seed: int, pack: Pack) -> tuple[Question, ...]:
    """Deal topic by topic and type by type: first one item of every type, then round the topics with the type the
    set has least of, true/false at most a quarter of the set while other types last and balanced between true and
    false claims throughout; every item fits the set (`fits_set`) and none is answered by the title."""
    items = items_of(pool, pack)
    rules = Rules.of(items, pack)
    best: list[Item] = []
    for attempt in range(DEAL_ATTEMPTS):
        # a greedy deal can corner itself (the items left all clash with the ones taken, or only true/false items
        # still fit): another order may not
        chosen = deal_once(items, count, rules, random.Random(stable_id(str(seed), "choose", *(
            [str(attempt)] if attempt else []), length=16)))
        if deal_score(chosen, count) > deal_score(best, count):
            best = chosen
        if len(best) == count and deal_score(best, count)[1] == 0:
            break
    return tuple(item.question for item in best)


def deal_score(chosen: list[Item], count: int) -> tuple[int, int, int]:
    """How good a deal is: full first, then the fewest true/false items beyond a quarter, then the smallest share of
    its most frequent type."""
    types = Counter(item.type for item in chosen)
    return len(chosen), -max(0, types[TRUE_FALSE] - true_false_limit(count)), -max(types.values(), default=0)


DEAL_ATTEMPTS = 10


def deal_once(items: list[Item], count: int, rules: Rules, rng: random.Random) -> list[Item]:
    queues = shuffled_queues(items, rng)
    topics = sorted(queues)
    rng.shuffle(topics)
    chosen, queues = deal_every_type(queues, topics, count, rules, rng)
    claims = sum(c.type == TRUE_FALSE for c in chosen)
    room_for_claims = true_false_limit(count) - claims
    # the other types first: a true/false claim states its facts, which strikes off every question about them
    deal_round_the_topics(queues, topics, chosen, count - room_for_claims, claims, rules, rng)
    deal_round_the_topics(queues, topics, chosen, count, true_false_limit(count), rules, rng)
    # the other relations ran out: a sixth item of one relation still beats a coin-toss item
    deal_round_the_topics(queues, topics, chosen, count, true_false_limit(count), rules, rng, cap=None)
    # the other types ran out before the set was full: true/false items fill it, still balanced
    deal_round_the_topics(queues, topics, chosen, count, count, rules, rng, cap=None)
    return chosen


def shuffled_queues(items: list[Item], rng: random.Random) -> Queues:
    queues: Queues = {}
    for item in sorted(items, key=lambda i: i.question.id):
        queues.setdefault(item.question.topic, {}).setdefault(item.type, []).append(item)
    for by_type in queues.values():
        for queue in by_type.values():
            rng.shuffle(queue)
    return queues


def deal_every_type(queues: Queues, topics: list[str], count: int, rules: Rules,
                    rng: random.Random) -> tuple[list[Item], Queues]:
    """One item of every type, and the queues left: the scarcest types first (their groups clash most); when a type
    finds no place beside the others, the deal starts again with the types left out first."""
    available = Counter(i.type for by_type in queues.values() for queue in by_type.values() for i in queue)
    order = sorted(available, key=lambda t: (available[t], t))
    if true_false_limit(count) == 0:
        order = [t for t in order if t != TRUE_FALSE]
    best: tuple[list[Item], Queues] = ([], queues)
    for _ in order:
        trial = {topic: {t: list(queue) for t, queue in by_type.items()} for topic, by_type in queues.items()}
        chosen = one_of_each_type(order, trial, topics, count, rules, rng)
        if len({i.type for i in chosen}) > len({i.type for i in best[0]}):
            best = (chosen, trial)
        missing = [t for t in order if t not in {i.type for i in chosen}]
        if not missing or len(chosen) == count:
            break
        order = missing + [t for t in order if t not in missing]
    return best


def one_of_each_type(order: list[str], queues: Queues, topics: list[str], count: int, rules: Rules,
                     rng: random.Random) -> list[Item]:
    """An item of each type in `order`, each from the topic with fewest items so far."""
    chosen: list[Item] = []
    for qtype in order:
        if len(chosen) == count:
            break
        per_topic = Counter(i.question.topic for i in chosen)
        for topic in sorted(topics, key=lambda t: (per_topic[t], topics.index(t))):
            item = next_fair_item({qtype: queues[topic].get(qtype, [])}, chosen, true_false_limit(count), rules, rng)
            if item is not None:
                chosen.append(item)
                break
    return chosen


def deal_round_the_topics(queues: Queues, topics: list[str], chosen: list[Item], count: int, true_false: int,
                          rules: Rules, rng: random.Random, cap: int | None = MAX_PER_RELATION) -> None:
    """An item from each topic in turn until the set is full or a whole round adds nothing."""
    added = True
    while len(chosen) < count and added:
        added = False
        for topic in topics:
            if len(chosen) == count:
                return
            item = next_fair_item(queues[topic], chosen, true_false, rules, rng, cap)
            if item is not None:
                chosen.append(item)
                added = True


def next_fair_item(by_type: dict[str, list[Item]], chosen: list[Item], true_false: int, rules: Rules,
                   rng: random.Random, cap: int | None = MAX_PER_RELATION) -> Item | None:
    """The next item of this topic that keeps the set fair, of the type the set has least of so far. An item that
    cannot fit is dropped for good; a true/false item waits while the limit or the balance of verdicts bars it, and
    any item while its relation has had its share."""
    used = Counter(i.type for i in chosen)
    types = sorted((t for t, queue in by_type.items() if queue and (t != TRUE_FALSE or used[t] < true_false)),
                   key=lambda t: (used[t], rng.random()))
    for qtype in types:
        queue = by_type[qtype]
        waiting: list[Item] = []  # the queue rebuilt in one pass: removing item by item compared whole items
        for position, item in enumerate(queue):
            if not fits_set(item, chosen, rules):
                continue
            if keeps_true_false_balance(item, chosen, rules) and within_relation_cap(item, chosen, cap, rules):
                queue[:] = waiting + queue[position + 1:]
                return item
            waiting.append(item)
        queue[:] = waiting
    return None


# ---- what to tell the user -----------------------------------------------------------------------------------


def shortfall_warning(question_set: QuestionSet, count: int) -> str | None:
    """What to tell the user when the pool cannot fill `count`, instead of silently returning fewer questions."""
    if len(question_set.questions) >= count:
        return None
    return (f"warning: asked for {count} questions; the pool holds {question_set.pool_size} and a fair set of "
            f"{len(question_set.questions)} could be made from it (each fact once, no answer given away)")


def true_false_warning(question_set: QuestionSet, types: Sequence[str] = (), holder: str = "") -> str | None:
    """What to tell the user when true/false items fill more than a quarter of a mixed set: the other types ran out.
    `types` and `holder` name what the set was limited to (the types an export format holds)."""
    questions = question_set.questions
    true_false = sum(q.type == TRUE_FALSE for q in questions)
    if true_false <= max(true_false_limit(len(questions)), 1) or true_false == len(questions):
        return None
    others = [t for t in types if t != TRUE_FALSE]
    wanting = f"{' and '.join(others)} questions" if others else "questions of other types"
    limited = f" ({holder} holds only {', '.join(types)})" if holder else ""
    return (f"warning: {true_false} of {len(questions)} questions are true/false, more than a quarter: the pack has "
            f"too few {wanting} that fit a fair set of {len(questions)}{limited}")
