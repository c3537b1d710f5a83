"""Why a fact yields fewer questions than its relation allows: the reasons the pack and the pool already hold
(the fact's `ask`, `forms`, tags and quotations, each template's skip, the review's exclusions), gathered for
`quizgen stats --why` and lint, without asking the engine anything new."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..load.evidence import states_any, written_forms
from ..errors import QuizgenError
from ..model import NO_QUIZ_TAG, SLOTS, Fact, Pack
from ..text import counted
from .forms import form_refusal
from .groups import MAX_GROUPS, MIN_DAYS_BETWEEN_ITEMS

if TYPE_CHECKING:
    from . import Pool


def why_report(pack: Pack, fact_id: str, template_dirs: tuple[Path, ...] = ()) -> str:
    """`quizgen stats --why FACT`: the fact, the questions it is asked in by form, and every reason for fewer."""
    from . import question_pool

    fact = next((f for f in pack.facts if f.id == fact_id), None)
    if fact is None:
        raise QuizgenError.at(pack.root, f"no fact {fact_id!r} in the pack; expected a fact id as `quizgen list` shows")
    pool = question_pool(pack, template_dirs=template_dirs, with_excluded=True)
    excluded = set(pack.excluded)
    asked = Counter(q.type for q in pool.questions if fact.id in q.fact_ids and q.id not in excluded)
    reasons = reasons_for(fact, pool, pack)
    return "\n".join([
        f"{fact.id} ({fact.origin}): {fact.statement}",
        f"  asked in {counted(sum(asked.values()), 'question')}: "
        + (", ".join(f"{form} {n}" for form, n in sorted(asked.items())) or "none"),
        f"  {counted(len(reasons), 'reason')} for fewer questions than relation {fact.relation!r} allows"
        + (":" if reasons else ""),
        *(f"  - {reason}" for reason in reasons)])


def reasons_for(fact: Fact, pool: Pool, pack: Pack) -> list[str]:
    """Every reason this fact is asked in fewer questions than its relation's phrasing allows, most basic first."""
    relation = pack.relation(fact.relation)
    reasons = [*phrasing_reasons(fact, pack)]
    if NO_QUIZ_TAG in fact.tags:
        reasons.append(f"tagged {NO_QUIZ_TAG}: never asked")
    for slot in SLOTS:
        if relation.question(slot) and slot not in fact.ask:
            reasons.append(f"ask leaves out its {slot}" + unquoted_slot(fact, slot, pack))
    templates = pool.templates
    held = {q.type for q in pool.questions if fact.id in q.fact_ids}
    for skip in pool.skipped:
        if skip.fact_id == fact.id and not asked_instead(skip.reason, held):
            form = templates[skip.template_id].type if skip.template_id in templates else "?"
            reasons.append(f"{form} ({skip.template_id}): {skip.reason}")
    reasons += group_reasons(fact, pool, pack)
    excluded = set(pack.excluded)
    for question in pool.questions:
        if question.id in excluded and fact.id in question.fact_ids:
            reasons.append(f"{question.type} ({question.template_id}): question {question.id} is left out in "
                           "review.yaml")
    return list(dict.fromkeys(reasons))


def asked_instead(reason: str, held: set[str]) -> bool:
    """Whether a skip only says the fact is asked in another form ("asked as multiple-choice instead"), and it is."""
    found = re.search(r"asked as ([a-z-]+) instead$", reason)
    return found is not None and found[1] in held


def phrasing_reasons(fact: Fact, pack: Pack) -> list[str]:
    relation = pack.relation(fact.relation)
    if relation.ask_subject or relation.ask_object:
        return []
    return [f"relation {relation.id!r} ({relation.origin}) has no ask_subject or ask_object phrasing, so the fact is "
            "never asked, and left off ordering items and study cards"]


def unquoted_slot(fact: Fact, slot: str, pack: Pack) -> str:
    """A note when no quotation of the fact names the slot's value: the likely reason `ask` leaves it out."""
    relation = pack.relation(fact.relation)
    forms = written_forms(fact.value(slot), relation.slot_type(slot), pack.entity)
    if any(states_any(quote, forms) for quote in fact.quotes):
        return ""
    return (f" (no quotation names {forms[0]!r}; an editorial insertion such as [{forms[0]}] in the quotation "
            "would let it be asked)")


def group_reasons(fact: Fact, pool: Pool, pack: Pack) -> list[str]:
    """A matching or ordering item the relation allows but no group of the pool holds this fact in."""
    relation = pack.relation(fact.relation)
    held = {q.type for q in pool.questions if fact.id in q.fact_ids}
    wanted = {t.type for t in pool.templates.values()}
    found = []
    if relation.match and relation.object != "number" and "object" in fact.ask and "matching" in wanted and "matching" not in held and \
            form_refusal(fact, "matching", pack) is None:
        found.append("matching: no matching group holds it (every pair not shown matched must be one the pack knows "
                     f"to be false, each subject and object once, at most {MAX_GROUPS} groups per relation)")
    if relation.item and fact.when is not None and "ordering" in wanted and "ordering" not in held and \
            form_refusal(fact, "ordering", pack) is None:
        found.append(f"ordering: no ordering group holds it (dates must not overlap and lie {MIN_DAYS_BETWEEN_ITEMS} "
                     f"days apart, at most {MAX_GROUPS} groups)")
    return found
