"""What the truth index is built from, read once from a pack: the values its disputes admit, the relations a
relation implies, the places that contain a place, and entities bucketed by the attributes distractors rank by."""

from __future__ import annotations

from collections import defaultdict

from ..model import Pack, Value
from ..text import normalise
from .keys import fact_key, other


def reads_as_blank_of(sibling: str, sentence: str, slot: str) -> bool:
    """Whether a sentence's value, put in another sentence's blank, makes it true: the same words around the slot,
    the sibling's with more words just before it ("{Subject} is in the region of {object}." for "{Subject} is in
    {object}.")."""
    mark = "{object}" if slot == "object" else "{subject}"
    parts, sibling_parts = sentence.lower().split(mark.lower()), sibling.lower().split(mark.lower())
    if len(parts) != 2 or len(sibling_parts) != 2:
        return False
    (before, after), (sibling_before, sibling_after) = parts, sibling_parts
    return sibling_after == after and sibling_before.startswith(before)


def disputed_values(pack: Pack) -> dict[tuple[str, str, str], dict[str, Value]]:
    """Rival answers: an entity a fact's `dispute` names, of a kind that fits one of its slots, may be true there
    ("some sources call all four giant planets gas giants": Uranus may be a gas giant; "credit is often shared
    with Le Verrier": Le Verrier may have discovered Neptune)."""
    found: dict = defaultdict(dict)
    disputed = [f for f in pack.facts if f.dispute]
    if not disputed:
        return {}
    names = [(e, [normalise(n) for n in e.names]) for e in pack.entities]
    for fact in disputed:
        relation = pack.relation(fact.relation)
        said = f" {normalise(fact.dispute)} "
        for entity, spelled in names:
            if not any(f" {n} " in said or f" {n}s " in said for n in spelled if n):
                continue
            for slot in ("subject", "object"):
                if relation.slot_type(slot) == entity.category and entity.id != fact.value(slot):
                    given = fact_key(fact, other(slot), pack)
                    found[(fact.relation, slot, given)][entity.id] = entity.id
                    # and the other way round: the fact's own value may be true of the rival's partner
                    found[(fact.relation, other(slot), entity.id)][given] = fact.value(other(slot))
    return dict(found)


def entailed_relations(pack: Pack, relation_id: str) -> list[tuple[str, bool]]:
    """Every relation a fact of this relation makes true, and whether its slots are swapped: the relation itself,
    what it implies (through any number of steps) and the inverse of each (its own inverse when symmetric)."""
    seen: list[tuple[str, bool]] = []
    frontier = [(relation_id, False)]
    known = {r.id for r in pack.relations}
    while frontier:
        node = frontier.pop(0)
        if node in seen or node[0] not in known:
            continue
        seen.append(node)
        relation = pack.relation(node[0])
        frontier += [(implied, node[1]) for implied in relation.implies]
        if relation.inverse:
            frontier.append((relation.inverse, not node[1]))
    return seen


def containers_of(pack: Pack) -> dict[str, frozenset[str]]:
    """For each entity, every entity that contains it through its category's `within` attributes, transitively."""
    parents: dict[str, list[str]] = {}
    for entity in pack.entities:
        within = pack.category(entity.category).within
        parents[entity.id] = [value for name in within if (value := entity.attribute(name)) and pack.has_entity(value)]
    found: dict[str, frozenset[str]] = {}
    for eid in parents:
        seen: set[str] = set()
        frontier = list(parents[eid])
        while frontier:
            parent = frontier.pop()
            if parent not in seen and parent != eid:
                seen.add(parent)
                frontier += parents.get(parent, [])
        if seen:
            found[eid] = frozenset(seen)
    return found


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
