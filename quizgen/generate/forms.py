"""Which question forms a fact may be asked as: the fact's own `forms`, else its relation's, less every `not_forms`;
a bounded figure ("more than 320 million dollars") never in a form that marks a written figure."""

from __future__ import annotations

from ..model import QUESTION_TYPES, SLOTS, Fact, Number, Pack
from .maker import Skip, selects
from .templates import QuestionTemplate


def may_be_asked_as(fact: Fact, form: str, pack: Pack) -> bool:
    """Whether the fact may be asked as this question type: one of the fact's `forms`, else of its relation's, else
    any type, and in neither's `not_forms`. (Asked for every template and fact: no tuple is built.)"""
    relation = pack.relation(fact.relation)
    return (form in (fact.forms or relation.forms or QUESTION_TYPES) and form not in fact.not_forms
            and form not in relation.not_forms)


def form_refusal(fact: Fact, form: str, pack: Pack) -> str | None:
    """Why the fact is not asked as `form` (which field of which file says so), or None when it may be."""
    if may_be_asked_as(fact, form, pack):
        return None
    relation = pack.relation(fact.relation)
    if form in fact.not_forms:
        return f"not_forms of fact {fact.id} ({fact.origin}) leaves out {form}"
    if form in relation.not_forms:
        return f"not_forms of relation {relation.id!r} ({relation.origin}) leaves out {form}"
    if fact.forms:
        return f"forms of fact {fact.id} ({fact.origin}) allow only {', '.join(fact.forms)}"
    return f"forms of relation {relation.id!r} ({relation.origin}) allow only {', '.join(relation.forms)}"


def facts_in_form(template: QuestionTemplate, facts: tuple[Fact, ...], pack: Pack
                  ) -> tuple[tuple[Fact, ...], tuple[Skip, ...]]:
    """The facts the template may ask in its form, and a Skip for each it selects but may not ask so."""
    kept: list[Fact] = []
    refused: list[Skip] = []
    for fact in facts:
        reason = form_refusal(fact, template.type, pack) or bounded_figure_refusal(template, fact)
        if reason is None:
            kept.append(fact)
        elif selects(template, fact, pack):
            refused.append(Skip(fact.id, template.id, reason))
    return tuple(kept), tuple(refused)


EXACT_FIGURE_FORMS = ("cloze", "short-answer", "numeric")  # a written answer is marked against one figure


def bounded_figure_refusal(template: QuestionTemplate, fact: Fact) -> str | None:
    """Why a figure the source gives only as a limit is not asked for in this form: the source gives no exact figure
    to mark a written answer against. (In true/false and multiple choice its wrong values are those the bound rules
    out: Number.accepts says which, and figures.number_distractors offers no value it accepts.)"""
    number = fact.value(template.ask) if template.ask in SLOTS else None
    if isinstance(number, Number) and number.bound and template.type in EXACT_FIGURE_FORMS:
        return (f"the {template.ask} is a bound ({number.human()}), not an exact figure a {template.type} item can "
                "mark")
    return None
