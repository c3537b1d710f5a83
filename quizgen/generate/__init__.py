"""Question generation: templates × facts → checked questions → a question set with shuffled versions."""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from ..errors import QuizgenError
from ..model import Pack, Question, QuestionSet, stable_id
from .checks import alias_index, check_question, check_version, reveals_answer
from .questions import questions_from
from .templates import QuestionTemplate, load_templates
from .versions import make_versions


def generate_question_set(pack: Pack, *, template_dirs: Iterable[Path] = (), types: list[str] | None = None,
                          tags: list[str] | None = None, count: int = 20, seed: int = 1,
                          versions: int = 1) -> QuestionSet:
    """A deterministic question set: same pack, templates, options and seed → the same questions and order."""
    templates = [t for t in load_templates(tuple(template_dirs)).values() if not types or t.type in types]
    if not templates:
        raise QuizgenError.at("templates", f"no question template of type {', '.join(types or [])}")
    facts = tuple(f for f in pack.quizzable_facts() if not tags or set(tags) & set(f.tags))
    if not facts:
        raise QuizgenError.at(pack.root, f"no quizzable fact has any of the tags {', '.join(tags or [])}")
    candidates = candidate_questions(templates, pack, facts, seed)
    chosen = choose_questions(candidates, count, seed)
    made = make_versions(chosen, versions, seed)
    for version in made:
        check_version(version)
    return QuestionSet(pack_id=pack.id, pack_title=pack.title, language=pack.language, seed=seed,
                       questions=chosen, versions=made, licence=pack.licence)


def candidate_questions(templates: list[QuestionTemplate], pack: Pack, facts: tuple, seed: int
                        ) -> dict[str, list[Question]]:
    """Every question every template can make, checked, grouped by type."""
    aliases = alias_index(pack)
    by_type: dict[str, list[Question]] = {}
    for template in sorted(templates, key=lambda t: t.id):
        for question in questions_from(template, pack, facts, seed):
            if reveals_answer(question):
                continue  # this template does not suit this fact: its wording names the answer
            check_question(question, template, aliases)
            by_type.setdefault(question.type, []).append(question)
    return by_type


def choose_questions(by_type: dict[str, list[Question]], count: int, seed: int) -> tuple[Question, ...]:
    """Deal questions type by type, preferring facts not yet asked, so every type appears before any repeats."""
    rng = random.Random(stable_id(str(seed), "choose", length=16))
    queues = {}
    for qtype in sorted(by_type):
        pool = sorted(by_type[qtype], key=lambda q: q.id)
        rng.shuffle(pool)
        queues[qtype] = pool
    type_order = sorted(queues)
    rng.shuffle(type_order)
    chosen: list[Question] = []
    used_facts: set[str] = set()
    asked: set[tuple] = set()
    while len(chosen) < count and any(queues.values()):
        for qtype in type_order:
            if len(chosen) == count:
                break
            question = _next_question(queues[qtype], used_facts, asked)
            if question is None:
                continue
            chosen.append(question)
            used_facts.update(question.fact_ids)
            asked.add((question.fact_ids, question.type))
    return tuple(chosen)


def _next_question(queue: list[Question], used_facts: set[str], asked: set[tuple]) -> Question | None:
    """The first question on fresh facts; failing that, the first that does not repeat a fact and type."""
    for fresh_only in (True, False):
        for i, question in enumerate(queue):
            if (question.fact_ids, question.type) in asked:
                continue
            if fresh_only and used_facts & set(question.fact_ids):
                continue
            return queue.pop(i)
    queue.clear()
    return None
