"""The study deck: a card for every quizzable fact the pool asks, the most recall-like question about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Pack, Question

if TYPE_CHECKING:
    from . import Pool

CARD_PREFERENCE = ("short-answer", "cloze", "multiple-choice", "multiple-response", "numeric", "true-false",
                   "matching", "ordering")


def study_deck(pool: Pool, pack: Pack) -> tuple[Question, ...]:
    """A card for every quizzable fact the pool asks: the most recall-like question asked about it, or, for a fact
    asked only beside others (a matching or ordering group), a question that holds it; in topic order."""
    best: dict[str, Question] = {}
    for question in pool.questions:
        if question.type in ("matching", "ordering"):
            continue
        fid = question.fact_ids[0]  # the fact the question is asked about; others give its other true answers
        if fid not in best or card_rank(question) < card_rank(best[fid]):
            best[fid] = question
    in_deck = {q.id for q in best.values()}
    for fact in pack.quizzable_facts():
        if fact.id in best:
            continue
        holding = sorted((q for q in pool.questions if fact.id in q.fact_ids), key=card_rank)
        fresh = [q for q in holding if q.id not in in_deck]
        if fresh or holding:
            best[fact.id] = (fresh or holding)[0]
            in_deck.add(best[fact.id].id)
    topic_order = {t.id: i for i, t in enumerate(pack.topics)}
    fact_order = {f.id: i for i, f in enumerate(pack.facts)}
    cards = {q.id: q for q in best.values()}.values()
    return tuple(sorted(cards, key=lambda q: (topic_order.get(q.topic, len(topic_order)),
                                              fact_order.get(q.fact_ids[0], 0), q.id)))


def card_rank(question: Question) -> tuple[int, str]:
    rank = CARD_PREFERENCE.index(question.type)
    if question.type == "true-false" and question.answer == "False":
        rank += 1  # a true claim is better to learn from than a corrected false one
    return rank, question.id
