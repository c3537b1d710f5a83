"""The study deck: a card for every fact the pool asks, each card stating only true things (a false claim makes a
fair test item and a bad card: whoever learns from the card learns its front)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Fact, Pack, Question
from .maker import Maker
from .questions import build_true_false
from .truth import Truth

if TYPE_CHECKING:
    from . import Pool

CARD_PREFERENCE = ("short-answer", "cloze", "multiple-choice", "multiple-response", "numeric", "true-false",
                   "matching", "ordering")
GROUP_TYPES = ("matching", "ordering")


def study_deck(pool: Pool, pack: Pack, seed: int) -> tuple[Question, ...]:
    """A card for every quizzable fact the pool asks, in topic order. A fact's card is the most recall-like question
    asked about it. A fact asked about only in true/false items gets, in this order of preference: a question that
    asks for it among others (a written or multiple-response item whose answers include it), its true claim (from
    the pool, or made by the template that claimed it falsely), or a matching or ordering group that holds it."""
    own = own_cards(pool)
    cards = {fid: q for fid, q in own.items() if q.type != "true-false"}
    recalled = {fid for q in cards.values() for fid in recalled_facts(q)}
    held_by = recall_questions_by_fact(pool)
    false_claims = false_claims_by_fact(pool)
    maker: Maker | None = None
    for fact in pack.quizzable_facts():
        if fact.id in cards or fact.id in recalled:
            continue
        if fact.id in held_by:
            cards[fact.id] = held_by[fact.id]
            recalled.update(recalled_facts(held_by[fact.id]))
        elif fact.id in own:
            cards[fact.id] = own[fact.id]
        elif fact.id in false_claims:
            maker = maker or Maker(pack, Truth.of(pack), seed)
            claim = true_claim(fact, false_claims[fact.id], pool, maker)
            if claim is not None:
                cards[fact.id] = claim
    in_deck = {q.id for q in cards.values()}
    groups = groups_by_fact(pool)
    for fact in pack.quizzable_facts():
        if fact.id in cards or fact.id in recalled:
            continue
        holding = groups.get(fact.id, [])
        fresh = [q for q in holding if q.id not in in_deck]
        if fresh or holding:
            cards[fact.id] = (fresh or holding)[0]
            in_deck.add(cards[fact.id].id)
    return in_topic_order({q.id: q for q in cards.values()}.values(), pack)


def own_cards(pool: Pool) -> dict[str, Question]:
    """For each fact, the most recall-like single-fact question asked about it, true claims only."""
    best: dict[str, Question] = {}
    for question in pool.questions:
        if question.type in GROUP_TYPES or is_false_claim(question):
            continue
        fid = question.fact_ids[0]  # the fact the question is asked about; others give its other true answers
        if fid not in best or card_rank(question) < card_rank(best[fid]):
            best[fid] = question
    return best


def recalled_facts(question: Question) -> tuple[str, ...]:
    """The facts a card asks the learner to recall: every fact of a written or option item (a multiple-response or
    written item with several answers names them all on its back), none of a true/false or group card."""
    return () if question.type in (*GROUP_TYPES, "true-false") else question.fact_ids


def recall_questions_by_fact(pool: Pool) -> dict[str, Question]:
    """For each fact, the most recall-like written or option question that asks for it among others."""
    held: dict[str, Question] = {}
    for question in sorted(pool.questions, key=card_rank):
        for fid in recalled_facts(question):
            held.setdefault(fid, question)
    return held


def is_false_claim(question: Question) -> bool:
    return question.type == "true-false" and question.answer != "True"


def false_claims_by_fact(pool: Pool) -> dict[str, list[Question]]:
    found: dict[str, list[Question]] = {}
    for question in sorted(pool.questions, key=lambda q: q.id):
        if is_false_claim(question):
            found.setdefault(question.fact_ids[0], []).append(question)
    return found


def groups_by_fact(pool: Pool) -> dict[str, list[Question]]:
    """For each fact, the matching and ordering questions that hold it, most card-like first."""
    found: dict[str, list[Question]] = {}
    for question in sorted(pool.questions, key=card_rank):
        if question.type in GROUP_TYPES:
            for fid in question.fact_ids:
                found.setdefault(fid, []).append(question)
    return found


def true_claim(fact: Fact, false_claims: list[Question], pool: Pool, maker: Maker) -> Question | None:
    """The fact's claim as the fact says it, made by a template that claimed it falsely."""
    for question in false_claims:
        template = pool.templates.get(question.template_id)
        claim = build_true_false(template, maker, fact, force_true=True) if template else None
        if isinstance(claim, Question):
            return claim
    return None


def in_topic_order(cards, pack: Pack) -> tuple[Question, ...]:
    topic_order = {t.id: i for i, t in enumerate(pack.topics)}
    fact_order = {f.id: i for i, f in enumerate(pack.facts)}
    return tuple(sorted(cards, key=lambda q: (topic_order.get(q.topic, len(topic_order)),
                                              fact_order.get(q.fact_ids[0], 0), q.id)))


def card_rank(question: Question) -> tuple[int, str]:
    return CARD_PREFERENCE.index(question.type), question.id
