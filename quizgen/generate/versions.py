"""Shuffled versions A, B, C…: each its own question order and option order, correct answers spread evenly, and no
two neighbouring questions with the same answer."""

from __future__ import annotations

import random
from dataclasses import replace

from ..model import Question, Version, option_letter, stable_id
from ..text import normalise


def version_codes(count: int) -> list[str]:
    """A…Z, then AA, AB…"""
    codes = []
    for n in range(count):
        code = ""
        n += 1
        while n:
            n, rest = divmod(n - 1, 26)
            code = option_letter(rest) + code
        codes.append(code)
    return codes


def make_versions(questions: tuple[Question, ...], count: int, seed: int) -> tuple[Version, ...]:
    return tuple(make_version(questions, code, seed) for code in version_codes(count))


def make_version(questions: tuple[Question, ...], code: str, seed: int) -> Version:
    rng = random.Random(stable_id(str(seed), "version", code, length=16))
    order = list(questions)
    rng.shuffle(order)
    order = apart_from_same_answers(order)
    targets = _balanced_targets(order, rng)
    keys: set[tuple[int, ...]] = set()  # the multiple-response keys this version prints so far
    return Version(code=code, questions=tuple(_reorder(q, targets.get(q.id), rng, keys) for q in order))


def answers_of(question: Question) -> frozenset[str]:
    """What a question's answer is called, normalised: its right options, or its written answer and accepted forms
    (aliases included, so 'ISIL' and 'Islamic State' are one answer). True/false verdicts and the answers of matching
    and ordering items are letters and ranks, not names."""
    if question.type in ("true-false", "matching", "ordering"):
        return frozenset()
    if question.options:
        texts = [o.text for o in question.correct_options] + list(question.accepted)
    else:
        texts = [question.answer, *question.accepted]
    return frozenset(normalise(t) for t in texts if t)


def same_answer(a: Question, b: Question) -> bool:
    return bool(answers_of(a) & answers_of(b))


def apart_from_same_answers(order: list[Question]) -> list[Question]:
    """The shuffled order with questions of the same answer moved apart: each place takes the first remaining
    question that does not share its neighbour's answer; one that can go nowhere else goes where it fits best."""
    placed: list[Question] = []
    rest = list(order)
    while rest:
        following = next((q for q in rest if not placed or not same_answer(placed[-1], q)), None)
        if following is not None:
            rest.remove(following)
            placed.append(following)
            continue
        stuck = rest.pop(0)  # every remaining question shares the last one's answer
        slot = next((i for i in range(len(placed)) if not same_answer(stuck, placed[i])
                     and (i == 0 or not same_answer(stuck, placed[i - 1]))), len(placed))
        placed.insert(slot, stuck)
    return placed


def _balanced_targets(order: list[Question], rng: random.Random) -> dict[str, int]:
    """A correct position for each multiple-choice question: every position as often as another (within one), in
    an order shuffled across the whole set, so no run of four questions is a predictable A-B-C-D."""
    by_size: dict[int, list[Question]] = {}
    for q in order:
        if q.type == "multiple-choice":
            by_size.setdefault(len(q.options), []).append(q)
    targets: dict[str, int] = {}
    for size, questions in by_size.items():
        rounds, rest = divmod(len(questions), size)
        deck = list(range(size)) * rounds + rng.sample(range(size), rest)
        rng.shuffle(deck)
        targets.update(zip((q.id for q in questions), deck))
    return targets


def _reorder(question: Question, target: int | None, rng: random.Random, keys: set[tuple[int, ...]]) -> Question:
    if question.type == "multiple-choice" and target is not None:
        wrong = [o for o in question.options if not o.correct]
        rng.shuffle(wrong)
        right = [o for o in question.options if o.correct]
        return replace(question, options=tuple(wrong[:target] + right + wrong[target:]))
    if question.type == "multiple-response":
        options = list(question.options)
        for _ in range(MR_RESHUFFLES):  # three items keyed "A, D, E" read as a pattern, not as three answers
            rng.shuffle(options)
            if key_of(options) not in keys:
                break
        keys.add(key_of(options))
        return replace(question, options=tuple(options))
    if question.type == "matching":
        return replace(question, choices=shuffled_off_key(question.choices, [p.right for p in question.pairs], rng))
    if question.type == "ordering":
        items = list(question.items)
        while True:
            rng.shuffle(items)
            if tuple(items) != question.sequence:
                break
        return replace(question, items=tuple(items))
    return question


def shuffled_off_key(choices: tuple[str, ...] | list[str], rights: list[str], rng: random.Random) -> tuple[str, ...]:
    """A matching item's column in a new order whose key is not 1-A 2-B 3-C…: a key in the order of the list lets the
    list answer the item."""
    shuffled = list(choices)
    rng.shuffle(shuffled)
    while len(set(rights)) > 1 and shuffled[:len(rights)] == rights:
        rng.shuffle(shuffled)
    return tuple(shuffled)


MR_RESHUFFLES = 12


def key_of(options: list) -> tuple[int, ...]:
    return tuple(i for i, option in enumerate(options) if option.correct)
