"""Invariants every generated question set must hold; a violation stops generation with the template and fact named."""

from __future__ import annotations

import re
from collections import Counter

from ..errors import Problem, QuizgenError
from ..model import Pack, Question, Version
from ..text import contains_phrase, name_in_title, normalise
from .templates import QuestionTemplate

SINGLE_ANSWER_TYPES = ("multiple-choice", "true-false")
OPTION_QUESTION_TYPES = (*SINGLE_ANSWER_TYPES, "multiple-response")


def alias_index(pack: Pack) -> dict[str, str]:
    """Normalised name or alias → entity id, so two spellings of one name count as the same option."""
    return {normalise(name): e.id for e in pack.entities for name in e.names}


def question_problems(question: Question, aliases: dict[str, str]) -> list[str]:
    problems = []
    if not question.prompt.strip():
        problems.append("the prompt is empty")
    if not question.answer.strip():
        problems.append("the answer is empty")
    if question.type in OPTION_QUESTION_TYPES:
        correct = len(question.correct_options)
        if question.type in SINGLE_ANSWER_TYPES and correct != 1:
            problems.append(f"has {correct} correct options; a {question.type} question needs exactly one")
        if question.type == "multiple-response" and not 2 <= correct < len(question.options):
            problems.append(f"has {correct} correct options of {len(question.options)}; a multiple-response "
                            "question needs at least two right and one wrong")
        keys = [aliases.get(normalise(o.text), normalise(o.text)) for o in question.options]
        repeated = sorted({o.text for o, k in zip(question.options, keys) if keys.count(k) > 1})
        if repeated:
            problems.append(f"options are not distinct: {', '.join(repr(r) for r in repeated)} "
                            "(same text after ignoring case, spacing, punctuation and aliases)")
    if reveals_answer(question):
        problems.append(f"the prompt gives away the answer {question.answer!r} (or one of its accepted forms)")
    if question.type == "matching" and sorted(p.right for p in question.pairs) != sorted(question.choices):
        problems.append("the matching choices are not the right-hand sides of the pairs")
    if question.type == "ordering" and sorted(question.items) != sorted(question.sequence):
        problems.append("the ordering items are not the sequence's items")
    return problems


def reveals_answer(question: Question) -> bool:
    """Whether the prompt contains the answer or an accepted form of it (true/false claims excepted)."""
    if question.type in ("true-false", "matching", "ordering", "multiple-response"):
        return False
    return any(text and contains_phrase(question.prompt, text) for text in (question.answer, *question.accepted))


def title_gives_away(question: Question, pack: Pack) -> bool:
    """Whether the title printed on every page answers the question: it names a keyed answer that a student writes,
    or ticks among options none of which the title also names (a title naming two rivers leaves "which of them?"
    open when both are offered). Dates and figures are exempt: a title's dates say what period the set is about."""
    if question.type in ("true-false", "matching", "ordering", "numeric"):
        return False
    keys = [o.text for o in question.options if o.correct] if question.options else [question.answer]
    if not any(name_in_title(k, pack.title) for k in keys if not DATE_OR_FIGURE.match(k)):
        return False
    return not any(name_in_title(o.text, pack.title) for o in question.options if not o.correct)


DATE_OR_FIGURE = re.compile(r"^(about |between )?\d|^(January|February|March|April|May|June|July|August|September|"
                            r"October|November|December) \d")


def check_question(question: Question, template: QuestionTemplate, aliases: dict[str, str]) -> None:
    problems = question_problems(question, aliases)
    if problems:
        where = ", ".join(question.fact_ids)
        raise QuizgenError([Problem(template.file, 1, 1, f"question from fact {where}", p) for p in problems])


def version_problems(version: Version) -> list[str]:
    problems = []
    asked = Counter(fid for q in version.questions for fid in q.fact_ids)
    for fact_id, n in sorted(asked.items()):
        if n > 1:
            problems.append(f"version {version.code}: fact {fact_id} is asked {n} times")
    for size, positions in correct_positions(version).items():
        counts = Counter(positions)
        spread = [counts.get(i, 0) for i in range(size)]
        if len(positions) >= size and max(spread) - min(spread) > 1:
            problems.append(f"version {version.code}: correct answers of {size}-option questions are unbalanced "
                            f"across positions {spread}")
    return problems


def correct_positions(version: Version) -> dict[int, list[int]]:
    """Index of the correct option of each multiple-choice question, grouped by option count."""
    found: dict[int, list[int]] = {}
    for q in version.questions:
        if q.type == "multiple-choice":
            found.setdefault(len(q.options), []).append(next(i for i, o in enumerate(q.options) if o.correct))
    return found


def check_version(version: Version) -> None:
    problems = version_problems(version)
    if problems:
        raise QuizgenError([Problem("<generated>", 0, 0, "", p) for p in problems])
