"""Turn one template and the facts it selects into questions of its type."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..content import evidence_in_source
from ..model import BLANK, Citation, Fact, NumericAnswer, Option, Pack, Pair, Question, format_number, stable_id
from ..text import normalise
from .distractors import AnswerValue, answer_of, distractors_for
from .templates import QuestionTemplate, render_text

MAX_GROUPS = 3


def fact_context(fact: Fact, pack: Pack) -> dict[str, Any]:
    def entity(entity_id: str | None):
        return pack.entity(entity_id) if entity_id else None

    sources = [pack.source(s) for s in fact.sources]
    return {
        "fact": fact,
        "subject": entity(fact.subject),
        "object": entity(fact.object),
        "place": entity(fact.place),
        "source": sources[0],
        "sources": sources,
        "date": fact.date.human() if fact.date else None,
        "number": fact.number.human() if fact.number else None,
        "pack_title": pack.title,
    }


def selects(template: QuestionTemplate, fact: Fact, pack: Pack) -> bool:
    """Whether the template applies to the fact (kind, tags, required fields, answer category)."""
    s = template.select
    if s.kinds and fact.kind not in s.kinds:
        return False
    if s.tags and not set(s.tags) & set(fact.tags):
        return False
    if set(s.exclude_tags) & set(fact.tags):
        return False
    for field in s.requires:
        if field == "exact_date":
            if not (fact.date and fact.date.is_exact_day):
                return False
        elif getattr(fact, field) in (None, "", ()):
            return False
    if template.answer:
        answer = answer_of(fact, template.answer, pack)
        if answer is None:
            return False
        if s.answer_category and not (answer.entity and answer.entity.category in s.answer_category):
            return False
        if s.answer_type and not (answer.entity and answer.entity.type in s.answer_type):
            return False
    return True


def citations_for(fact: Fact, pack: Pack) -> tuple[Citation, ...]:
    citations = []
    for source_id in fact.sources:
        source = pack.source(source_id)
        supports = evidence_in_source(fact.evidence, source) or not (source.text or source.excerpts)
        citations.append(Citation(fact_id=fact.id, source_id=source.id, text=source.citation(),
                                  evidence=fact.evidence if supports else "", url=source.url))
    return tuple(citations)


def explanation_for(template: QuestionTemplate, facts: list[Fact], context: dict[str, Any]) -> str:
    text = render_text(template, "explanation", context) if template.has("explanation") else facts[0].statement
    disputes = [f.dispute for f in facts if f.dispute]
    return " ".join([text, *(f"Note: {d}" for d in disputes)])


def questions_from(template: QuestionTemplate, pack: Pack, facts: tuple[Fact, ...], seed: int) -> Iterator[Question]:
    """Every question this template makes from the given facts."""
    eligible = [f for f in facts if selects(template, f, pack)]
    if template.type in ("matching", "ordering"):
        yield from group_questions(template, pack, eligible, seed)
        return
    builder = SINGLE_FACT_BUILDERS[template.type]
    for fact in eligible:
        question = builder(template, pack, fact, seed)
        if question is not None:
            yield question


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(stable_id(str(seed), *parts, length=16))


def _base(template: QuestionTemplate, facts: list[Fact], context: dict[str, Any], pack: Pack, *,
          variant: str = "", **fields: Any) -> Question:
    qid = stable_id(template.id, *(f.id for f in facts), variant)
    question = Question(id=qid, explanation=explanation_for(template, facts, context),
                        **provenance(template, facts, pack), **fields)
    front = render_text(template, "front", context) if template.has("front") else question.front
    back = render_text(template, "back", context) if template.has("back") else question.back
    return replace(question, front=front or question.prompt, back=back or question.answer)


def provenance(template: QuestionTemplate, facts: list[Fact], pack: Pack) -> dict[str, Any]:
    """What every question carries about where it came from: template, facts, their sources and tags."""
    return {
        "type": template.type, "template_id": template.id, "difficulty": template.difficulty,
        "fact_ids": tuple(f.id for f in facts),
        "citations": tuple(c for f in facts for c in citations_for(f, pack)),
        "tags": tuple(dict.fromkeys([*template.tags, *(t for f in facts for t in f.tags)])),
    }


def _options(qid: str, correct: str, wrong: list[str], rng: random.Random) -> tuple[Option, ...]:
    options = [Option(stable_id(qid, correct, length=8), correct, True)]
    options += [Option(stable_id(qid, text, length=8), text, False) for text in wrong]
    rng.shuffle(options)
    return tuple(options)


def build_multiple_choice(template: QuestionTemplate, pack: Pack, fact: Fact, seed: int) -> Question | None:
    answer = answer_of(fact, template.answer, pack)
    rng = _rng(seed, template.id, fact.id)
    context = fact_context(fact, pack)
    prompt = render_text(template, "prompt", context)
    wrong = distractors_for(fact, answer, pack, rng, template.distractors, minimum=min(2, template.distractors),
                            prompt=prompt)
    if wrong is None:
        return None
    qid = stable_id(template.id, fact.id)
    return _base(template, [fact], context, pack, prompt=prompt, answer=answer.text,
                 accepted=_aliases(answer), options=_options(qid, answer.text, wrong, rng),
                 front=prompt, back=answer.text)


def build_true_false(template: QuestionTemplate, pack: Pack, fact: Fact, seed: int) -> Question | None:
    """True: the claim about the real fact. False: the same claim with the answer field swapped."""
    answer = answer_of(fact, template.answer, pack)
    rng = _rng(seed, template.id, fact.id)
    context = fact_context(fact, pack)
    true_claim = render_text(template, "claim", context)
    make_false = rng.random() < 0.5
    claim, correction = true_claim, ""
    if make_false:
        swapped = distractors_for(fact, answer, pack, rng, 1)
        if swapped is None:
            make_false = False
        else:
            false_context = dict(context)
            false_context.update(_swapped_context(answer, swapped[0], pack, context))
            claim = render_text(template, "claim", false_context)
            correction = true_claim
            if normalise(claim) == normalise(true_claim):
                return None
    verdict = "False" if make_false else "True"
    qid = stable_id(template.id, fact.id, verdict)
    options = (Option(stable_id(qid, "True", length=8), "True", not make_false),
               Option(stable_id(qid, "False", length=8), "False", make_false))
    prompt = f"True or false: {claim}"
    question = _base(template, [fact], context, pack, variant=verdict, prompt=prompt, answer=verdict,
                     options=options, front=claim, back=verdict if not make_false else f"False. {correction}")
    if make_false:
        question = replace(question, explanation=f"False. {correction} {question.explanation}")
    return question


def _swapped_context(answer: AnswerValue, replacement: str, pack: Pack, context: dict[str, Any]) -> dict[str, Any]:
    """The context with the answer field replaced by a wrong value of the same kind."""
    if answer.entity:
        entity = next(e for e in pack.entities if e.name == replacement)
        return {answer.field: entity}
    if answer.date:
        return {"date": replacement}
    return {"number": replacement}


def build_cloze(template: QuestionTemplate, pack: Pack, fact: Fact, seed: int) -> Question | None:
    answer = answer_of(fact, template.answer, pack)
    context = fact_context(fact, pack)
    text = render_text(template, "text", context)
    blanked, used = blank_out(text, answer.names)
    if used is None:
        return None
    return _base(template, [fact], context, pack, prompt=blanked, answer=used,
                 accepted=tuple(n for n in answer.names if n != used), front=blanked, back=used)


def blank_out(text: str, names: tuple[str, ...]) -> tuple[str, str | None]:
    """Replace every occurrence of the longest name found in the text with the blank."""
    for name in sorted(names, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        match = pattern.search(text)
        if match:
            others = [n for n in names if n != name]
            blanked = pattern.sub(BLANK, text)
            if any(re.search(rf"(?<!\w){re.escape(o)}(?!\w)", blanked, re.IGNORECASE) for o in others):
                blanked = re.sub("|".join(rf"(?<!\w){re.escape(o)}(?!\w)" for o in others), BLANK, blanked,
                                 flags=re.IGNORECASE)
            return blanked, match.group(0)
    return text, None


def build_short_answer(template: QuestionTemplate, pack: Pack, fact: Fact, seed: int) -> Question | None:
    answer = answer_of(fact, template.answer, pack)
    if answer.number:
        return None  # numbers are asked by numeric templates, with their tolerance
    context = fact_context(fact, pack)
    prompt = render_text(template, "prompt", context)
    return _base(template, [fact], context, pack, prompt=prompt, answer=answer.text,
                 accepted=_aliases(answer), front=prompt, back=answer.text)


def build_numeric(template: QuestionTemplate, pack: Pack, fact: Fact, seed: int) -> Question | None:
    """A figure with its tolerance, or (with `answer: date`) the year of the fact's date."""
    context = fact_context(fact, pack)
    if template.answer == "date":
        if fact.date is None or fact.date.start.year != fact.date.end.year:
            return None
        year = fact.date.start.year
        numeric, shown, back = NumericAnswer(value=year, low=year, high=year, unit="year"), str(year), str(year)
    elif fact.number is not None:
        number = fact.number
        shown = format_number(number.value) + (f"–{format_number(number.max)}" if number.max is not None else "")
        numeric = NumericAnswer(value=number.value, low=number.low, high=number.high, unit=number.unit)
        back = number.human()
    else:
        return None
    prompt = render_text(template, "prompt", context)
    return _base(template, [fact], context, pack, prompt=prompt, answer=shown, numeric=numeric,
                 front=prompt, back=back)


def _aliases(answer: AnswerValue) -> tuple[str, ...]:
    return tuple(n for n in answer.names if n != answer.text)


SINGLE_FACT_BUILDERS = {
    "multiple-choice": build_multiple_choice,
    "true-false": build_true_false,
    "cloze": build_cloze,
    "short-answer": build_short_answer,
    "numeric": build_numeric,
}


def group_questions(template: QuestionTemplate, pack: Pack, eligible: list[Fact], seed: int) -> Iterator[Question]:
    """Up to MAX_GROUPS matching or ordering questions, each from `group_size` facts with distinct texts."""
    rng = _rng(seed, template.id, "groups")
    remaining = list(eligible)
    rng.shuffle(remaining)
    for _ in range(MAX_GROUPS):
        group = _pick_group(template, pack, remaining, rng)
        if group is None:
            return
        remaining = [f for f in remaining if f not in group]
        question = (build_matching if template.type == "matching" else build_ordering)(template, pack, group, rng)
        if question is not None:
            yield question


def _pick_group(template: QuestionTemplate, pack: Pack, pool: list[Fact], rng: random.Random) -> list[Fact] | None:
    group: list[Fact] = []
    seen_left: set[str] = set()
    seen_right: set[str] = set()
    for fact in pool:
        context = fact_context(fact, pack)
        if template.type == "matching":
            left = normalise(render_text(template, "left", context))
            right = normalise(render_text(template, "right", context))
            if left in seen_left or right in seen_right:
                continue
            seen_left.add(left)
            seen_right.add(right)
        else:
            day = fact.date.start
            if any(f.date.start == day for f in group):
                continue
            label = normalise(render_text(template, "item", context))
            if label in seen_left:
                continue
            seen_left.add(label)
        group.append(fact)
        if len(group) == template.group_size:
            return group
    return None


def build_matching(template: QuestionTemplate, pack: Pack, group: list[Fact], rng: random.Random) -> Question | None:
    contexts = [fact_context(f, pack) for f in group]
    pairs = tuple(Pair(render_text(template, "left", c), render_text(template, "right", c)) for c in contexts)
    if _ambiguous_matching(template, pack, pairs):
        return None
    choices = [p.right for p in pairs]
    rng.shuffle(choices)
    prompt = render_text(template, "prompt", contexts[0])
    explanation = " ".join(render_text(template, "explanation", c) if template.has("explanation")
                           else f.statement for f, c in zip(group, contexts))
    answer = "; ".join(f"{p.left} → {p.right}" for p in pairs)
    qid = stable_id(template.id, *(f.id for f in group))
    return Question(id=qid, prompt=prompt, answer=answer, explanation=explanation,
                    **provenance(template, group, pack), pairs=pairs, choices=tuple(choices), front=prompt,
                    back=answer)


def _ambiguous_matching(template: QuestionTemplate, pack: Pack, pairs: tuple[Pair, ...]) -> bool:
    """True when another fact in the pack links a left text to a different right text of the same question."""
    chosen = {(normalise(p.left), normalise(p.right)) for p in pairs}
    lefts = {normalise(p.left) for p in pairs}
    rights = {normalise(p.right) for p in pairs}
    for fact in pack.facts:
        if not selects(template, fact, pack):
            continue
        context = fact_context(fact, pack)
        left = normalise(render_text(template, "left", context))
        right = normalise(render_text(template, "right", context))
        if left in lefts and right in rights and (left, right) not in chosen:
            return True
    return False


def build_ordering(template: QuestionTemplate, pack: Pack, group: list[Fact], rng: random.Random) -> Question | None:
    ordered = sorted(group, key=lambda f: f.date.start)
    contexts = {f.id: fact_context(f, pack) for f in ordered}
    sequence = tuple(render_text(template, "item", contexts[f.id]) for f in ordered)
    items = list(sequence)
    while tuple(items) == sequence:
        rng.shuffle(items)
    prompt = render_text(template, "prompt", contexts[ordered[0].id])
    explanation = "; ".join(render_text(template, "explanation", contexts[f.id]) if template.has("explanation")
                            else f"{f.date.human()}: {f.statement}" for f in ordered)
    answer = " → ".join(sequence)
    qid = stable_id(template.id, *(f.id for f in ordered))
    return Question(id=qid, prompt=prompt, answer=answer, explanation=explanation,
                    **provenance(template, ordered, pack), items=tuple(items), sequence=sequence, front=prompt,
                    back=answer)
