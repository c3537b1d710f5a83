"""Question generation: templates × facts → a checked pool → a fair question set with shuffled versions and a
study deck that covers every quizzable fact."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import QuizgenError
from ..model import Pack, Question, QuestionSet, stable_id
from ..text import contains_phrase, normalise
from .checks import alias_index, check_question, check_version, reveals_answer
from .questions import Maker, Skip, build_true_false, questions_from
from .templates import QuestionTemplate, load_templates
from .truth import Truth
from .versions import make_versions

MAX_SAME_ANSWER = 2  # one answer keyed more often than this in a set teaches test-taking, not history
CARD_PREFERENCE = ("short-answer", "cloze", "multiple-choice", "multiple-response", "numeric", "true-false",
                   "matching", "ordering")


@dataclass(frozen=True)
class Pool:
    """Every question the templates make from a pack, and why each fact and template made none."""

    questions: tuple[Question, ...]
    skipped: tuple[Skip, ...]
    templates: dict[str, QuestionTemplate]

    def asked_facts(self) -> set[str]:
        return {fid for q in self.questions for fid in q.fact_ids}


def question_pool(pack: Pack, *, template_dirs: Iterable[Path] = (), types: list[str] | None = None,
                  tags: list[str] | None = None, seed: int = 1, with_excluded: bool = False) -> Pool:
    """Every checked question the pack and templates can make, minus those the author left out in review
    (unless `with_excluded`, for the review sheet itself)."""
    templates = {t.id: t for t in load_templates(tuple(template_dirs)).values() if not types or t.type in types}
    if not templates:
        raise QuizgenError.at("templates", f"no question template of type {', '.join(types or [])}")
    facts = tuple(f for f in pack.quizzable_facts() if not tags or set(tags) & set(f.tags))
    if not facts:
        raise QuizgenError.at(pack.root, f"no quizzable fact has any of the tags {', '.join(tags or [])}")
    maker = Maker(pack, Truth.of(pack), seed)
    aliases = alias_index(pack)
    excluded = set() if with_excluded else set(pack.excluded)
    made: list[Question] = []
    skipped: list[Skip] = []
    stems: dict[tuple[str, str], str] = {}
    facts_by_id = {f.id: f for f in facts}
    for template in sorted(templates.values(), key=lambda t: t.id):
        for result in questions_from(template, maker, facts):
            if isinstance(result, Skip):
                skipped.append(result)
                continue
            stem = stem_key(result)
            if stem in stems and result.type == "true-false":
                # two facts can yield the same false claim (the same swap): ask this fact's claim as it is
                fact = facts_by_id[result.fact_ids[0]]
                retried = build_true_false(template, maker, fact, force_true=True)
                stem = stem_key(retried) if isinstance(retried, Question) else stem
                if stem in stems or not isinstance(retried, Question):
                    skipped.append(Skip(result.fact_ids[0], template.id, f"makes the same claim as question "
                                                                         f"{stems[stem]}"))
                    continue
                result = retried
            if reveals_answer(result):  # the pack's words, not the engine, name the answer: skip it, lint says where
                skipped.append(Skip(result.fact_ids[0], template.id, f"the question names its own answer "
                                                                     f"{result.answer!r}"))
                continue
            if result.id not in excluded:
                check_question(result, template, aliases)
                stems.setdefault(stem, result.id)
                made.append(result)
    return Pool(tuple(made), tuple(skipped), templates)


def generate_question_set(pack: Pack, *, template_dirs: Iterable[Path] = (), types: list[str] | None = None,
                          tags: list[str] | None = None, count: int = 20, seed: int = 1,
                          versions: int = 1) -> QuestionSet:
    """A deterministic question set: same pack, templates, options and seed → the same questions and order."""
    pool = question_pool(pack, template_dirs=template_dirs, types=types, tags=tags, seed=seed)
    chosen = choose_questions(pool.questions, count, seed, pack)
    made = make_versions(chosen, versions, seed)
    for version in made:
        check_version(version)
    return QuestionSet(pack_id=pack.id, pack_title=pack.title, language=pack.language, seed=seed,
                       questions=chosen, versions=made, licence=pack.licence, deck=study_deck(pool, pack),
                       pool_size=len(pool.questions), topics=pack.topics)


def shortfall_warning(question_set: QuestionSet, count: int) -> str | None:
    """What to tell the user when the pool cannot fill `count`, instead of silently returning fewer questions."""
    if len(question_set.questions) >= count:
        return None
    return (f"warning: asked for {count} questions; the pool holds {question_set.pool_size} and a fair set of "
            f"{len(question_set.questions)} could be made from it (each fact once, no answer given away)")


def choose_questions(pool: tuple[Question, ...], count: int, seed: int, pack: Pack) -> tuple[Question, ...]:
    """Deal questions topic by topic and type by type, so that the set is fair as a whole: each fact asked once,
    no answer keyed more than twice, and no question whose words give away another's answer."""
    rng = random.Random(stable_id(str(seed), "choose", length=16))
    queues: dict[str, dict[str, list[Question]]] = {}
    for question in sorted(pool, key=lambda q: q.id):
        queues.setdefault(question.topic, {}).setdefault(question.type, []).append(question)
    for by_type in queues.values():
        for queue in by_type.values():
            rng.shuffle(queue)
    topics = sorted(queues)
    rng.shuffle(topics)
    chosen: list[Question] = []
    available = Counter(q.type for q in pool)
    all_types = sorted(available, key=lambda t: (available[t], t))  # the scarcest first: groups clash most
    for qtype in all_types:  # first one question of every type, each from the topic with fewest so far
        if len(chosen) == count:
            break
        per_topic = Counter(q.topic for q in chosen)
        for topic in sorted(topics, key=lambda t: (per_topic[t], topics.index(t))):
            question = next_fair_question({qtype: queues[topic].get(qtype, [])}, chosen, rng)
            if question is not None:
                chosen.append(question)
                break
    while len(chosen) < count and any(q for by_type in queues.values() for q in by_type.values()):
        for topic in topics:
            if len(chosen) == count:
                break
            question = next_fair_question(queues[topic], chosen, rng)
            if question is not None:
                chosen.append(question)
    return tuple(chosen)


def next_fair_question(by_type: dict[str, list[Question]], chosen: list[Question],
                       rng: random.Random) -> Question | None:
    """The next question of this topic that keeps the set fair, of the type the set has least of so far (so every
    type appears before any repeats); unfit questions are dropped."""
    used = Counter(q.type for q in chosen)
    types = sorted((t for t, queue in by_type.items() if queue), key=lambda t: (used[t], rng.random()))
    for qtype in types:
        queue = by_type[qtype]
        while queue:
            question = queue.pop(0)
            if fits_set(question, chosen):
                return question
    return None


def stem_key(question: Question) -> tuple[str, str]:
    """What a student reads as the same question: the type, the stem, and the items or pairs in any order."""
    shown = sorted(normalise(text) for text in (*(p.left for p in question.pairs), *question.items))
    return question.type, normalise(question.prompt) + "|" + "|".join(shown)


def fits_set(question: Question, chosen: list[Question]) -> bool:
    used_facts = {fid for q in chosen for fid in q.fact_ids}
    if used_facts & set(question.fact_ids):
        return False
    if any(stem_key(q) == stem_key(question) for q in chosen):
        return False
    keys = Counter(k for q in chosen for k in answer_keys(q))
    if any(keys[k] >= MAX_SAME_ANSWER for k in answer_keys(question)):
        return False
    return not any(gives_away(question, q) or gives_away(q, question) for q in chosen)


def answer_keys(question: Question) -> tuple[str, ...]:
    """The answers a question keys, normalised: the right options, or the written answer."""
    if question.type in ("matching", "ordering", "true-false"):
        return ()
    if question.options:
        return tuple(normalise(o.text) for o in question.options if o.correct)
    return (normalise(question.answer),)


def gives_away(asker: Question, other: Question) -> bool:
    """Whether `asker`'s words (stem or options) contain `other`'s answer."""
    if other.type in ("matching", "ordering", "true-false"):
        return False
    words = " ".join([asker.prompt, *(o.text for o in asker.options if asker.type != "true-false"),
                      *(p.left for p in asker.pairs), *asker.items])
    answers = [o.text for o in other.options if o.correct] if other.options else [other.answer, *other.accepted]
    return any(text and contains_phrase(words, text) for text in answers)


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
