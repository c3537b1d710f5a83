"""Questions over groups of facts: matching (each subject fits exactly one object shown) and ordering (dated
events far enough apart to order without dispute)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from ..model import DateValue, Fact, Pair, Question
from ..load.phrasing import answer_text, capitalise, realise, slot_comes_last, value_text
from ..text import normalise
from .explain import base_question, join_and
from .keys import fact_key, other
from .maker import Maker, Skip, name_hint_reason
from .templates import QuestionTemplate, render_text
from .versions import shuffled_off_key

MAX_GROUPS = 4
MIN_DAYS_BETWEEN_ITEMS = 2  # ordering items closer than this invite a fair dispute about which came first



def matching_questions(template: QuestionTemplate, maker: Maker, facts: list[Fact]) -> Iterator[Question | Skip]:
    """Groups of facts of one relation where each subject fits exactly one of the objects shown."""
    pack = maker.pack
    by_relation: dict[str, list[Fact]] = {}
    for fact in facts:
        relation = pack.relation(fact.relation)
        if relation.match and "object" in fact.ask and relation.object != "number":
            by_relation.setdefault(fact.relation, []).append(fact)
    for relation_id, members in sorted(by_relation.items()):
        if not maker.truth.can_refute(members[0], "object"):
            continue  # no pair left unmatched could be known false: a matching item needs every such pair false
        rng = maker.rng(template.id, relation_id)
        for group in unambiguous_groups(members, template.group_size, maker, rng, matching_fits):
            relation = pack.relation(relation_id)
            pairs = tuple(Pair(capitalise(answer_text(f.subject, relation.subject, pack)),
                               answer_text(f.object, relation.object, pack)) for f in group)
            choices = list(shuffled_off_key([p.right for p in pairs], [p.right for p in pairs], rng))
            answer = "; ".join(f"{p.left} → {p.right}" for p in pairs)
            yield base_question(template, list(group), "object", pack, prompt=relation.match, answer=answer,
                                pairs=pairs, choices=tuple(choices), front=matching_front(relation.match, pairs,
                                                                                          choices),
                                back=answer)


def matching_fits(group: tuple[Fact, ...], candidate: Fact, maker: Maker) -> bool:
    """A candidate joins a matching group when no subject shown fits another object shown, either way round."""
    pack = maker.pack
    if name_hint_reason(candidate, "object", pack) is not None:
        return False  # the Main matched to Mainz by sound
    for member in group:
        if fact_key(member, "subject", pack) == fact_key(candidate, "subject", pack):
            return False
        if fact_key(member, "object", pack) == fact_key(candidate, "object", pack):
            return False
        # every pair not meant to be matched must be one the pack knows to be false, either way round
        if maker.truth.refutation(member, "object", fact_key(candidate, "object", pack)) is None:
            return False
        if maker.truth.refutation(candidate, "object", fact_key(member, "object", pack)) is None:
            return False
        for a, b in ((member, candidate), (candidate, member)):
            if isinstance(a.object, DateValue) and isinstance(b.object, DateValue) and not far_apart(a.object,
                                                                                                     b.object):
                return False
    return True


def matching_front(instruction: str, pairs: tuple[Pair, ...], choices: list[str]) -> str:
    lefts = " · ".join(f"{n}. {p.left}" for n, p in enumerate(pairs, 1))
    rights = " · ".join(f"{chr(65 + i)}. {c}" for i, c in enumerate(choices))
    return f"{instruction} {lefts} | {rights}"


def ordering_questions(template: QuestionTemplate, maker: Maker, facts: list[Fact]) -> Iterator[Question | Skip]:
    """Groups of dated facts whose dates do not overlap and lie far enough apart to order without dispute."""
    pack = maker.pack
    dated = [f for f in facts if pack.relation(f.relation).item and f.when is not None
             and ordering_item(f, maker) is not None]
    rng = maker.rng(template.id, "order")
    for group in unambiguous_groups(dated, template.group_size, maker, rng, ordering_fits):
        in_order = sorted(group, key=lambda f: f.when.start)
        sequence = tuple(ordering_item(f, maker) for f in in_order)
        if len(set(map(normalise, sequence))) < len(sequence):
            continue
        items = list(sequence)
        while tuple(items) == sequence:
            rng.shuffle(items)
        answer = "; ".join(f"{f.when.human()}: {item}" for f, item in zip(in_order, sequence))
        yield base_question(template, in_order, "object", pack, prompt=render_text(template, "prompt", {}),
                            answer=answer, items=tuple(items), sequence=sequence,
                            front=render_text(template, "prompt", {}) + " " + " · ".join(items),
                            back=" → ".join(sequence))


def ordering_item(fact: Fact, maker: Maker) -> str | None:
    """How an ordering question lists a fact; an event several subjects share names them all ("The discovery of
    radium by Marie Curie and Pierre Curie"), never one of them alone, or (when the phrasing cannot list them, as
    in "{Subject} discovers {object}") is not listed (None)."""
    pack = maker.pack
    relation = pack.relation(fact.relation)
    sharing = [f for f in maker.truth.facts_about(fact_key(fact, "object", pack))
               if f.relation == fact.relation and f.object == fact.object and f.when == fact.when]
    if len(sharing) < 2 or isinstance(fact.object, DateValue):  # a shared year is two events, not one shared
        return realise(relation.item, fact, pack)
    if not slot_comes_last(relation.item, "subject"):
        return None
    order = maker.truth.fact_order()
    names = join_and([value_text(f.subject, relation.subject, pack)
                      for f in sorted(sharing, key=lambda f: order.get(f.id, 0))])
    return realise(relation.item, fact, pack, shown={"subject": lambda _: names})


def ordering_fits(group: tuple[Fact, ...], candidate: Fact, maker: Maker) -> bool:
    return all(far_apart(member.when, candidate.when) and not bounds_the_other(member, candidate, maker)
               and not bounds_the_other(candidate, member, maker) for member in group)


def bounds_the_other(life: Fact, event: Fact, maker: Maker) -> bool:
    """Whether one event is the birth or death of someone the other is about, or the birth of a parent of someone
    born in the other: "The birth of Marie Curie" comes before her discovery of polonium, and before her
    daughter's birth, by logic alone, so the pair tests nothing."""
    mark = maker.pack.relation(life.relation).lifetime
    if not mark:
        return False
    person = life.subject
    if person in doers_of(event, maker):
        return True
    return mark == "start" and bool(maker.pack.relation(event.relation).lifetime) and \
        person in parents_of(event.subject, maker)


def doers_of(event: Fact, maker: Maker) -> set:
    """The entities an ordering item names for an event: its subject and object, and every subject of the same
    event (the discovery of polonium by Marie Curie and Pierre Curie)."""
    sharing = [f for f in maker.truth.facts_about(fact_key(event, "object", maker.pack))
               if f.relation == event.relation and f.object == event.object and f.when == event.when]
    return {event.subject, event.object, *(f.subject for f in sharing)}


def parents_of(person: object, maker: Maker) -> set:
    """Those a relation marked `older` puts a generation before this person."""
    found = set()
    for f in maker.truth.facts_about(person) if isinstance(person, str) else ():
        older = maker.pack.relation(f.relation).older
        if older and f.value(other(older)) == person:
            found.add(f.value(older))
    return found


def far_apart(a: DateValue, b: DateValue) -> bool:
    """No overlap, and at least MIN_DAYS_BETWEEN_ITEMS between the end of one and the start of the other."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return (second.start - first.end).days >= MIN_DAYS_BETWEEN_ITEMS


def unambiguous_groups(facts: list[Fact], size: int, maker: Maker, rng: random.Random, fits) -> list[tuple[Fact, ...]]:
    """Up to MAX_GROUPS groups of `size` facts, greedily built from a seeded shuffle, each fact in one group."""
    pool = sorted(facts, key=lambda f: f.id)
    rng.shuffle(pool)
    groups: list[tuple[Fact, ...]] = []
    used: set[str] = set()
    for start in pool:
        if start.id in used or len(groups) == MAX_GROUPS:
            continue
        group: tuple[Fact, ...] = (start,)
        for candidate in pool:
            if len(group) == size:
                break
            if candidate.id in used or candidate in group:
                continue
            if fits(group, candidate, maker):
                group = (*group, candidate)
        if len(group) == size:
            groups.append(group)
            used.update(f.id for f in group)
    return groups
