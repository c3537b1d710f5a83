"""Turn one template and the facts it selects into questions of its type, asking one slot of a relation.

Every builder returns a question or the reason it could not make one; the reasons feed `stats` and `lint`.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..model import BLANK, VALUE_TYPES, Citation, Fact, Number, NumericAnswer, Option, Pack, Question, Value, stable_id
from ..load.phrasing import answer_text, kind_of, realise, value_text
from ..text import contains_phrase, normalise
from .deal import stem_of
from .distractors import distractors_for, hint_words, names_of
from .explain import (
    base_question,
    citations_for,
    claim_citations,
    claim_quotes,
    join_and,
    own_other_dates,
    refuting_explanation,
    shared_explanation,
    true_claim_explanation,
    unique_citations,
)
from .groups import matching_questions, ordering_questions
from .keys import fact_key, other, value_key
from .maker import Maker, Skip, name_hint_reason, selects, written_hint_reason
from .templates import QuestionTemplate, render_text

MR_OPTIONS = 5


def options_for(qid: str, right: list[str], wrong: list[str], rng: random.Random) -> tuple[Option, ...]:
    options = [Option(stable_id(qid, text, length=8), text, True) for text in right]
    options += [Option(stable_id(qid, text, length=8), text, False) for text in wrong]
    rng.shuffle(options)
    return tuple(options)


def accepted_names(values: dict[str, Value], slot_type: str, pack: Pack, shown: str) -> tuple[str, ...]:
    names = [n for value in values.values() for n in names_of(value, slot_type, pack)]
    return tuple(n for n in dict.fromkeys(names) if n != shown)


def questions_from(template: QuestionTemplate, maker: Maker, facts: tuple[Fact, ...]
                   ) -> Iterator[Question | Claim | Skip]:
    """Every question this template makes from the given facts, and a Skip for each fact it could not use; a
    true/false template's questions come as their claims, made into questions by `true_false_question`."""
    eligible = [f for f in facts if selects(template, f, maker.pack)]
    if template.type == "matching":
        yield from matching_questions(template, maker, eligible)
        return
    if template.type == "ordering":
        yield from ordering_questions(template, maker, eligible)
        return
    builder = true_false_claim if template.type == "true-false" else SINGLE_FACT_BUILDERS[template.type]
    for fact in eligible:
        made = builder(template, maker, fact)
        yield Skip(fact.id, template.id, made) if isinstance(made, str) else made


def options_hint_reason(fact: Fact, slot: str, right: list[Value], wrong: list[Value], pack: Pack) -> str | None:
    """Options where only the keys share a word with the name the stem prints ("Joliot" for the children of Irène
    Joliot-Curie): a student ticks by the name alone."""
    shared = set.intersection(*(hint_words(v, fact, slot, pack) for v in right)) if right else set()
    if not shared or any(hint_words(w, fact, slot, pack) & shared for w in wrong):
        return None
    return f"only its answers share {', '.join(sorted(shared))!r} with the name in the stem"


def build_multiple_choice(template: QuestionTemplate, maker: Maker, fact: Fact) -> Question | str:
    pack, slot = maker.pack, template.ask
    truths = maker.truth.true_values(fact, slot)
    if len(truths) > 1:
        return f"{len(truths)} values are true for its {slot}; asked as multiple-response instead"
    context = maker.context(fact, slot)
    prompt = render_text(template, "prompt", context)
    rng = maker.rng(template.id, fact.id)
    if (hinted := name_hint_reason(fact, slot, pack)) is not None:
        return hinted
    wrong = distractors_for(fact, slot, pack, maker.truth, rng, template.distractors, stem=prompt)
    if len(wrong) < template.fewest_distractors:
        return (f"only {len(wrong)} sound wrong options for its {slot}; the template needs "
                f"{template.fewest_distractors}")
    if (hinted := options_hint_reason(fact, slot, [fact.value(slot)], wrong, pack)) is not None:
        return hinted
    slot_type = pack.relation(fact.relation).slot_type(slot)
    answer = context["answer"]
    qid = stable_id(template.id, fact.id, slot, "")
    return base_question(template, [fact], slot, pack, prompt=prompt, answer=answer,
                         accepted=accepted_names(truths, slot_type, pack, answer),
                         options=options_for(qid, [answer], [answer_text(w, slot_type, pack) for w in wrong], rng),
                         back=answer)


def build_multiple_response(template: QuestionTemplate, maker: Maker, fact: Fact) -> Question | str:
    pack, slot = maker.pack, template.ask
    truths = maker.truth.true_values(fact, slot)
    if len(truths) < 2:
        return f"only one value is true for its {slot}; asked as multiple-choice instead"
    own = fact_key(fact, slot, pack)
    if own != maker.truth.first_key(fact, slot, truths):
        return "the same question is made from the fact with the first of its true values"
    slot_type = pack.relation(fact.relation).slot_type(slot)
    context = maker.context(fact, slot)
    prompt = render_text(template, "prompt", context)
    rng = maker.rng(template.id, fact.id)
    right_values = [(k, truths[k]) for k in maker.truth.in_stated_order(fact, slot, truths)][
        : MR_OPTIONS - template.distractors]
    wrong = distractors_for(fact, slot, pack, maker.truth, rng, MR_OPTIONS - len(right_values), stem=prompt)
    if len(wrong) < template.distractors:
        return f"only {len(wrong)} sound wrong options for its {slot}; the template needs {template.distractors}"
    right = [answer_text(v, slot_type, pack) for _, v in right_values]
    if any(contains_phrase(prompt, r) for r in right):
        return "the question names one of its own answers"
    if (hinted := options_hint_reason(fact, slot, [v for _, v in right_values], wrong, pack)) is not None:
        return hinted
    qid = stable_id(template.id, fact.id, slot, "")
    facts = [fact, *facts_sharing_slot(fact, slot, {key for key, _ in right_values}, maker)]
    return base_question(template, facts, slot, pack, prompt=prompt, answer="; ".join(right),
                         options=options_for(qid, right, [answer_text(w, slot_type, pack) for w in wrong], rng),
                         back="; ".join(right),
                         explanation=shared_explanation(fact, facts, slot, pack, others := [
                             value_text(v, slot_type, pack) for k, v in right_values if k != fact_key(fact, slot, pack)],
                             reasons_for(others, fact, slot, maker)))


@dataclass(frozen=True)
class Claim:
    """A true/false item as far as its stem: the claim as printed, true, or false with the asked slot swapped. Its
    explanation and sources, most of the work, wait for `true_false_question`: two facts often make the same claim,
    and the pool asks it once."""

    template: QuestionTemplate
    fact: Fact
    text: str  # the claim as printed
    true_text: str  # the claim as the fact says it: `text` itself unless the claim is false
    swapped: Value | None = None  # the value swapped into a false claim; None for a true one

    @property
    def stem(self) -> tuple[str, str]:
        return stem_of("true-false", self.text)


def build_true_false(template: QuestionTemplate, maker: Maker, fact: Fact, *, force_true: bool = False
                     ) -> Question | str:
    """True: the claim as the fact says it. False: the asked slot swapped for a value the pack makes false."""
    claim = true_false_claim(template, maker, fact, force_true=force_true)
    return claim if isinstance(claim, str) else true_false_question(claim, maker)


def true_false_claim(template: QuestionTemplate, maker: Maker, fact: Fact, *, force_true: bool = False
                     ) -> Claim | str:
    """The claim `build_true_false` asks, or why it asks none."""
    pack, slot = maker.pack, template.ask
    relation = pack.relation(fact.relation)
    rng = maker.rng(template.id, fact.id)
    if (hinted := name_hint_reason(fact, slot, pack)) is not None:
        return hinted  # "The Rhine Falls is on the Danube" is as plainly false as the true claim is true
    context = maker.context(fact, slot)
    true_claim = render_text(template, "claim", context)
    # Swapping one free-text phrase for another can make a claim that is arguably true; only names, dates and
    # figures are swapped.
    make_false = rng.random() < 0.5 and relation.slot_type(slot) != "text" and not force_true
    cue = hint_words(fact.value(slot), fact, slot, pack)
    if cue and not force_true:
        # "Ève Curie was a child of Marie Curie": a true claim whose names share a surname is read off the names;
        # only a false one whose swapped name shares it too tests anything
        swapped = [v for v in distractors_for(fact, slot, pack, maker.truth, rng, 4, stem=true_claim)
                   if hint_words(v, fact, slot, pack) & cue][:1]
        if not swapped:
            return f"its names share {', '.join(sorted(cue))!r}: a true claim is read off the names"
    else:
        swapped = distractors_for(fact, slot, pack, maker.truth, rng, 1, stem=true_claim) if make_false else []
    if not swapped:  # with no value the pack knows to be false, the claim is asked as it is: true
        return Claim(template, fact, true_claim, true_claim)
    false_context = context.but(claim=realise(relation.claim or relation.sentence, fact, pack,
                                              values={slot: swapped[0]}))
    claim = render_text(template, "claim", false_context)
    if normalise(claim) == normalise(true_claim):
        return "the template's claim does not change when the slot is swapped"
    return Claim(template, fact, claim, true_claim, swapped[0])


def true_false_question(claim: Claim, maker: Maker) -> Question:
    """The true/false question that asks the claim, with the explanation that proves or refutes it and its
    sources."""
    template, fact, pack, slot = claim.template, claim.fact, maker.pack, claim.template.ask
    relation = pack.relation(fact.relation)
    make_false = claim.swapped is not None
    refuting: list[Citation] = []
    if claim.swapped is None:
        quotes = claim_quotes(fact, pack)  # the quotations that state the claim: its explanation and its source line
        explanation = true_claim_explanation(fact, claim.true_text, quotes)
    else:
        refutation = maker.truth.refutation(fact, slot, value_key(claim.swapped, relation.slot_type(slot)))
        explanation = refuting_explanation(fact, slot, claim.swapped, refutation, pack)
        explanation = " ".join([explanation, *own_other_dates(fact, slot, claim.swapped, maker)])
        if refutation.own is not None:  # the claim is about the swapped-in value: cite what is true of it first
            refuting = list(citations_for(refutation.own.fact, other(slot), pack))
    verdict = "False" if make_false else "True"
    qid = stable_id(template.id, fact.id, slot, verdict)
    options = (Option(stable_id(qid, "True", length=8), "True", not make_false),
               Option(stable_id(qid, "False", length=8), "False", make_false))
    question = base_question(template, [fact], slot, pack, variant=verdict, prompt=claim.text, answer=verdict,
                             options=options, front=f"True or false? {claim.text}", back=verdict,
                             explanation=explanation)
    if refuting:
        question = replace(question, citations=unique_citations([*refuting, *question.citations]))
    elif not make_false and (proving := claim_citations(fact, pack, quotes)):
        question = replace(question, citations=unique_citations([*proving, *question.citations]))
    return question


def open_list_reason(fact: Fact, slot: str, pack: Pack) -> str:
    relation = pack.relation(fact.relation)
    return (f"the pack may not list every {slot} of {relation.id!r} here, so a written answer it does not list could "
            f"be right; declare the list complete (complete or complete_for in relations.yaml) if a source gives it "
            f"in full")


def written_answers(fact: Fact, slot: str, maker: Maker, prompt: str) -> dict[str, Value]:
    """Every value a written answer may give: the true ones, ones that may hold at the stem's date, and the places
    around them unless the stem names the kind of place it wants ("In which city…")."""
    truth = maker.truth
    found = dict(truth.possibly_true(fact, slot, coarser=False))
    for key, value in {**truth.coarser_values(fact, slot), **truth.places_between(fact, slot)}.items():
        if not names_other_kind(prompt, value, maker) and (asks_where(prompt) or names_own_kind(prompt, value, maker)):
            found[key] = value
    return found


def asks_where(prompt: str) -> bool:
    """Whether the stem leaves the size of the place open: "Where…?" or a blank after "in" or "from" ("run from
    ___"), not
    "At which town…?" or "in the region of ___", which a country does not answer."""
    return bool(re.match(r"\s*where\b", prompt, re.IGNORECASE)
                or re.search(r"\b(in|from)\s+" + re.escape(BLANK), prompt))


def names_own_kind(prompt: str, value: Value, maker: Maker) -> bool:
    """Whether the stem asks for this value's kind or category: 'In which region…' for a state filed as a region."""
    pack = maker.pack
    if not pack.has_entity(value):
        return False
    entity = pack.entity(value)
    return any(contains_phrase(prompt, word) for word in (kind_of(value, entity.category, pack),
                                                          entity.category.replace("-", " ")))


def names_other_kind(prompt: str, value: Value, maker: Maker) -> bool:
    """Whether the stem asks for a kind of thing the value is not: 'In which city…' for a country."""
    pack = maker.pack
    if not pack.has_entity(value):
        return False
    own = kind_of(value, pack.entity(value).category, pack)
    return any(contains_phrase(prompt, kind) for kind in maker.kinds() if kind != own) and not contains_phrase(
        prompt, own)


DISPUTED = "its sources disagree (dispute), so a written answer the pack does not list could be right"


def written_answer_refused(fact: Fact, slot: str, maker: Maker, *, figures_may_be_disputed: bool) -> str | None:
    """Why no written answer is asked of this slot: the pack may not know every right answer, the printed name gives
    it away, or the sources disagree (a blank for a date or figure keeps the range the dispute allows)."""
    pack = maker.pack
    if not maker.truth.closed(fact, slot):
        return open_list_reason(fact, slot, pack)
    if (hinted := name_hint_reason(fact, slot, pack)) is not None:
        return hinted
    figure = pack.relation(fact.relation).slot_type(slot) in ("date", "number")
    if fact.dispute and not (figures_may_be_disputed and figure):
        return DISPUTED
    return None


def build_cloze(template: QuestionTemplate, maker: Maker, fact: Fact) -> Question | str:
    pack, slot = maker.pack, template.ask
    if (refused := written_answer_refused(fact, slot, maker, figures_may_be_disputed=True)) is not None:
        return refused
    truths = maker.truth.true_values(fact, slot)
    if len(truths) > 1:
        return f"{len(truths)} values fit the blank for its {slot}"
    if (hinted := written_hint_reason(fact, slot, list(truths.values()), pack)) is not None:
        return hinted
    context = maker.context(fact, slot)
    text = render_text(template, "text", context)
    if text.count(BLANK) != 1:
        return f"the sentence has {text.count(BLANK)} blanks; a cloze item needs exactly one"
    slot_type = pack.relation(fact.relation).slot_type(slot)
    if asks_where(text) and maker.truth.holds_places(fact.value(slot)):
        return ("a place that holds others, after 'in', is open: a region between it and the subject completes the "
                "sentence too; the short answer names the kind of place it wants")
    answer = blank_answer(fact.value(slot), slot_type, pack)
    shown = kind_after_blank(text, fact.value(slot), slot_type, pack)
    # a kind of its own the blank names ("_____ (mountain range)") rules out the country around it; a bare
    # category ("_____ (place)") does not
    asked = shown if slot_type not in VALUE_TYPES and pack.entity(fact.value(slot)).attribute("kind") else text
    siblings = {k: v for k, v in maker.truth.sibling_values(fact, slot).items()
                if asked == text or not names_other_kind(asked, v, maker)}
    answers = {**written_answers(fact, slot, maker, asked), **siblings}
    accepted = accepted_names(answers, slot_type, pack, answer)
    if any(contains_phrase(text, name) for name in (answer, *accepted)):
        return "the sentence names its own answer"
    return base_question(template, [fact], slot, pack, prompt=shown, answer=answer, accepted=accepted, back=answer)


BLANK_AFTER_PREPOSITION = re.compile(r"\b(in|on|at|from|near|by)\s+" + re.escape(BLANK) + r"(?=\s*[.,;]?\s*$)")


def kind_after_blank(text: str, value: Value, slot_type: str, pack: Pack) -> str:
    """A blank that ends a sentence after "in", "on" or "at" takes a date as well as a place ("Marie Curie was
    born in _____": 1867): the kind of answer wanted follows it ("born in _____ (city)")."""
    if slot_type in VALUE_TYPES or not BLANK_AFTER_PREPOSITION.search(text):
        return text
    return text.replace(BLANK, f"{BLANK} ({kind_of(value, slot_type, pack)})", 1)


def blank_answer(value: Value, slot_type: str, pack: Pack) -> str:
    """What fills a blank: a name with its indefinite article ("classed as a terrestrial planet"), since the blank
    cannot carry "a" or "an" without giving the answer's first sound away."""
    text = answer_text(value, slot_type, pack)
    if slot_type in VALUE_TYPES or (pack.entity(value).article or "").lower() not in ("a", "an"):
        return text
    return pack.entity(value).running_name


def build_short_answer(template: QuestionTemplate, maker: Maker, fact: Fact) -> Question | str:
    pack, slot = maker.pack, template.ask
    if (refused := written_answer_refused(fact, slot, maker, figures_may_be_disputed=False)) is not None:
        return refused
    truths = maker.truth.true_values(fact, slot)
    if (hinted := written_hint_reason(fact, slot, list(truths.values()), pack)) is not None:
        return hinted
    context = maker.context(fact, slot)
    prompt = render_text(template, "prompt", context)
    slot_type = pack.relation(fact.relation).slot_type(slot)
    answer = context["answer"]
    if len(truths) > 1 and fact_key(fact, slot, pack) != maker.truth.first_key(fact, slot, truths):
        return "the same question is made from the fact with the first of its true values"
    accepted = accepted_names(written_answers(fact, slot, maker, prompt), slot_type, pack, answer)
    if any(contains_phrase(prompt, name) for name in (answer, *accepted)):
        return "the question names its own answer"
    facts = [fact, *facts_sharing_slot(fact, slot, set(truths), maker)]
    every = [answer, *(answer_text(v, slot_type, pack) for k, v in sorted(truths.items())
                       if k != fact_key(fact, slot, pack))]
    plural = context["question_all"] if len(every) > 1 else prompt  # a card teaches every true value, not one
    if len(every) > 1:
        prompt = f"{prompt} Name one."  # "Which country does the Danube flow through?" has ten right answers
    return base_question(template, facts, slot, pack, prompt=prompt, answer=answer, accepted=accepted,
                         front=plural, back=join_and(every),
                         explanation=shared_explanation(fact, facts, slot, pack, others := [
                             value_text(v, slot_type, pack) for k, v in sorted(truths.items())
                             if k != fact_key(fact, slot, pack)], reasons_for(others, fact, slot, maker)))


def reasons_for(names: list[str], fact: Fact, slot: str, maker: Maker) -> dict[str, str]:
    """For each of these true values, the statement of a fact of another relation that gives it ("The Sava rises in
    Slovenia" for a country the Sava flows through): an explanation says why the value counts."""
    pack = maker.pack
    given = fact_key(fact, other(slot), pack)
    found: dict[str, str] = {}
    for f in maker.truth.facts_about(given) if names else ():
        if f.relation == fact.relation or not f.statement or fact_key(f, other(slot), pack) != given:
            continue
        name = value_text(f.value(slot), pack.relation(f.relation).slot_type(slot), pack)
        if name in names:
            found.setdefault(name, f.statement)
    return found


def facts_sharing_slot(fact: Fact, slot: str, keys: set[str], maker: Maker) -> list[Fact]:
    """The other facts that give a true value for `slot` alongside this one (the same question, another answer)."""
    pack = maker.pack
    given = fact_key(fact, other(slot), pack)
    dated = pack.relation(fact.relation).dated(slot)
    found = {f.id: f for f in maker.truth.facts_about(given) if f.relation == fact.relation and f.id != fact.id
             and f.quizzable and fact_key(f, other(slot), pack) == given and fact_key(f, slot, pack) in keys
             and (not dated or f.date == fact.date)}
    return [found[k] for k in sorted(found)]


def build_numeric(template: QuestionTemplate, maker: Maker, fact: Fact) -> Question | str:
    pack, slot = maker.pack, template.ask
    number = fact.value(slot)
    if not isinstance(number, Number):
        return "its asked value is not a number"
    truths = maker.truth.true_values(fact, slot)
    if len(truths) > 1:
        return f"{len(truths)} figures are recorded for the same thing; a numeric item needs one"
    context = maker.context(fact, slot)
    prompt = with_unit(render_text(template, "prompt", context), number)
    low, high = number.low, number.high
    if number.tolerance is None and number.max is None and significant_digits(number.value) >= 3 and \
            measured(number):
        # a measured figure (a diameter, a temperature, 84.01 years) is learnt rounded, and references differ in
        # the last digits: a figure within 2.5 %, or rounded to two digits (1.5 for 1.524 AU), is right; a count
        # (189 letters, 414 fighters) stays exact, and so does a figure whose fact says `tolerance: 0`
        spread = max(abs(number.value) * MEASURED_SHARE, abs(number.value - float(f"{number.value:.2g}")))
        low, high = readable_bounds(number.value, spread)
    elif number.tolerance is None and number.max is None and not float(number.value).is_integer():
        low, high = number.value - 0.5, number.value + 0.5  # "8.5 years": a student writes 8 or 9
    if not authored_tolerance(number):  # the author's own tolerance says what the sources allow: it stands
        low, high = short_of_peers(number, low, high,
                                   maker.truth.figures_near(fact.relation, slot, number.unit, low, high))
    numeric = NumericAnswer(value=number.value, low=low, high=high, unit=number.unit)
    return base_question(template, [fact], slot, pack, prompt=prompt, answer=number.figure(), numeric=numeric,
                         back=number.human())


# "How long is the Sava, in kilometres?", "… (AU)?", "At what age…?" (in years, as everyone reads it)
NAMES_A_UNIT = re.compile(r",\s*in\s+\S|\([^)]*\)\s*\?$|\bage\b", re.IGNORECASE)


def with_unit(prompt: str, number: Number) -> str:
    """A figure's question names the unit it wants where its words do not ("According to …, how far does al-Shuhayl
    lie from the city, in km?"): a student who writes 45 must know 45 of what."""
    unit = number.unit_words()
    if not unit or contains_phrase(prompt, unit) or not prompt.endswith("?") or NAMES_A_UNIT.search(prompt):
        return prompt
    head, according, tail = prompt[:-1].partition(", according to ")
    if according and QUESTION_WORD.match(head):
        # "According to SOHR, what share … did ISIL hold, in per cent?", not two tags after the question
        return f"According to {tail}, {head[0].lower()}{head[1:]}, in {unit}?"
    return f"{head}, in {unit}{according}{tail}?"


QUESTION_WORD = re.compile(r"(How|What|Which|When|Where|Who|Whom|Whose|Why)\b")


MEASURE_WORDS = {"km", "m", "cm", "mm", "metres", "meters", "kilometres", "kilometers", "miles", "feet", "ft",
                 "°c", "°f", "k", "au", "kg", "g", "tonnes", "tons", "square", "cubic", "hectares", "litres",
                 "liters", "years", "year", "months", "days", "hours", "minutes", "seconds", "earth", "barrels",
                 "percent", "per", "million", "billion", "light-years", "degrees", "dollars", "euros"}


def measured(number: Number) -> bool:
    """Whether the figure measures rather than counts: a decimal, or a unit of length, time, mass, money… A whole
    count of things (fighters, letters, moons) is exact: a source that counted 189 letters did not round."""
    words = number.unit.lower().split()
    return not float(number.value).is_integer() or bool(words) and words[0] in MEASURE_WORDS


def authored_tolerance(number: Number) -> bool:
    """Whether the fact gives its own tolerance, not the 10 % an approximate figure takes by default."""
    return number.tolerance is not None and not (number.approximate and number.tolerance == abs(number.value) / 10)


def short_of_peers(number: Number, low: float, high: float, peers: list[tuple[float, str]]) -> tuple[float, float]:
    """The accepted range cut short halfway to any other figure of the same relation inside it: Titan's "about
    5,150 km" must not accept Ganymede's 5,262 km, or a student who mixes them up gets the mark."""
    for peer, _ in peers:
        if low <= peer <= high and peer != number.value:
            if peer > number.value:
                high = min(high, (number.value + peer) / 2)
            else:
                low = max(low, (number.value + peer) / 2)
    if float(number.value).is_integer():
        low, high = float(math.ceil(low)), float(math.floor(high))
    return low, high


MEASURED_SHARE = 0.025


def readable_bounds(value: float, spread: float) -> tuple[float, float]:
    """A range a key can print: whole numbers inside it for a whole figure (414: 404 to 424), else two decimals."""
    if float(value).is_integer():
        return float(math.ceil(value - spread)), float(math.floor(value + spread))
    return round(value - spread, 2), round(value + spread, 2)


def significant_digits(value: float) -> int:
    """'142,984' → 6, '84.01' → 4, '464' → 3, '4,500' → 2, '62' → 2."""
    digits = f"{abs(value):.10f}".rstrip("0").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if float(value).is_integer() else len(digits)


SINGLE_FACT_BUILDERS = {
    "multiple-choice": build_multiple_choice,
    "multiple-response": build_multiple_response,
    "true-false": build_true_false,
    "cloze": build_cloze,
    "short-answer": build_short_answer,
    "numeric": build_numeric,
}
