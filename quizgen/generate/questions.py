"""Turn one template and the facts it selects into questions of its type, asking one slot of a relation.

Every builder returns a question or the reason it could not make one; the reasons feed `stats` and `lint`.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ..load.evidence import evidence_in_source, states_any, written_forms
from ..model import (BLANK, INTERNAL_TAGS, VALUE_TYPES, Citation, DateValue, Fact, Number, NumericAnswer, Option, Pack,
                     Pair, Question, Value, stable_id)
from ..load.phrasing import (answer_text, capitalise, kind_of, list_answer_statement, list_pattern, realise,
                              rounded_figure, slot_comes_last, value_text)
from ..text import contains_phrase, name_gives_away, normalise
from .distractors import distractors_for, given_names, hint_words, names_of, value_names
from .templates import QuestionTemplate, render_text
from .truth import Refutation, Truth, fact_key, other, value_key

MAX_GROUPS = 4
MIN_DAYS_BETWEEN_ITEMS = 2  # ordering items closer than this invite a fair dispute about which came first
MR_OPTIONS = 5


@dataclass(frozen=True)
class Skip:
    """Why a template made no question from a fact."""

    fact_id: str
    template_id: str
    reason: str


@dataclass
class Maker:
    """What every builder needs: the pack, the truth index and the seed."""

    pack: Pack
    truth: Truth
    seed: int
    _contexts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _kinds: set[str] | None = None

    def rng(self, *parts: str) -> random.Random:
        return random.Random(stable_id(str(self.seed), *parts, length=16))

    def kinds(self) -> set[str]:
        """Every kind of thing the pack's entities are, in words ("city", "country", "oil field")."""
        if self._kinds is None:
            self._kinds = {kind_of(e.id, e.category, self.pack) for e in self.pack.entities}
        return self._kinds

    def context(self, fact: Fact, slot: str) -> dict[str, Any]:
        """The Jinja2 context for asking `slot` of `fact`, made once for all templates."""
        key = (fact.id, slot)
        if key not in self._contexts:
            self._contexts[key] = context_for(fact, slot, self.pack)
        return self._contexts[key]


def value_kind(slot_type: str) -> str:
    return slot_type if slot_type in VALUE_TYPES else "entity"


def selects(template: QuestionTemplate, fact: Fact, pack: Pack) -> bool:
    """Whether the template applies to the fact: relation, kind of asked value, topic, tags."""
    s = template.select
    relation = pack.relation(fact.relation)
    if s.relations and fact.relation not in s.relations:
        return False
    if template.type not in ("matching", "ordering"):
        if template.ask not in fact.ask:
            return False
        if s.values and value_kind(relation.slot_type(template.ask)) not in s.values:
            return False
    if s.topics and fact.topic not in s.topics:
        return False
    if s.tags and not set(s.tags) & set(fact.tags):
        return False
    return not set(s.exclude_tags) & set(fact.tags)


def context_for(fact: Fact, slot: str, pack: Pack) -> dict[str, Any]:
    relation = pack.relation(fact.relation)

    def slot_value(name: str) -> Any:
        value = fact.value(name)
        return value if relation.slot_type(name) in VALUE_TYPES else pack.entity(value)

    question = relation.question(slot)
    question_all = relation.question_for_all(slot)
    return {
        "fact": fact, "relation": relation, "subject": slot_value("subject"), "object": slot_value("object"),
        "question": realise(question, fact, pack, asked=slot) if question else "",
        "question_all": realise(question_all, fact, pack, asked=slot) if question_all else "",
        "statement": fact.statement,
        "claim": realise(relation.claim or relation.sentence, fact, pack),
        "cloze": realise(relation.sentence, fact, pack, blank=slot),
        "answer": answer_text(fact.value(slot), relation.slot_type(slot), pack),
        "topic": pack.topic_title(fact.topic), "source": pack.source(fact.sources[0]),
    }


def quotation_for(fact: Fact, slot: str, pack: Pack) -> str:
    """The quotation shown with a question: the fact's own when it states the asked value (it says more), else the
    one recorded for the slot."""
    own = dict(fact.evidence).get("fact")
    if own and own != fact.evidence_for(slot):
        forms = written_forms(fact.value(slot), pack.relation(fact.relation).slot_type(slot), pack.entity)
        if states_any(own, forms):
            return own
    return fact.evidence_for(slot)


def citations_for(fact: Fact, slot: str, pack: Pack) -> tuple[Citation, ...]:
    """The sources of a fact with the quotations that support the slot asked: its own, and the other slot's where
    the first does not name the other value ("Ms. Hélène Langevin-Joliot is the granddaughter of Marie Curie." does
    not say who her parents were; "Her parents, Irène Joliot-Curie and Frédéric Joliot-Curie" does)."""
    citations = []
    for quote in supporting_quotes(fact, slot, pack):
        for source_id in fact.sources:
            source = pack.source(source_id)
            if evidence_in_source(quote, source) or not (source.text or source.excerpts):
                citations.append(Citation(fact_id=fact.id, source_id=source.id, text=source.citation(),
                                          evidence=quote, url=source.url))
    return tuple(citations) or tuple(Citation(fact_id=fact.id, source_id=s, text=pack.source(s).citation(),
                                              evidence="", url=pack.source(s).url) for s in fact.sources)


def supporting_quotes(fact: Fact, slot: str, pack: Pack) -> list[str]:
    """The asked slot's quotation, then the fact's quotations that name what it leaves out: the other value, and
    the date a key turns on ("flew past Saturn in August 1981")."""
    quotes = [quotation_for(fact, slot, pack)]
    relation = pack.relation(fact.relation)
    other_value = written_forms(fact.value(other(slot)), relation.slot_type(other(slot)), pack.entity)
    other_quote = fact.evidence_for(other(slot))
    names_only = normalise(other_quote) in {normalise(v) for v in other_value}  # a title line proves nothing more
    inside = normalise(other_quote) in normalise(quotes[0])  # the words already shown, cut shorter
    if other_quote and not inside and not names_only and not states_any(quotes[0], other_value):
        quotes.append(other_quote)
    if fact.date is not None and not any(states_any(q, fact.date.written_forms()) for q in quotes):
        quotes += [q for q in fact.quotes if states_any(q, fact.date.written_forms())][:1]
    return quotes


def explanation_for(facts: list[Fact]) -> str:
    parts = [f.statement for f in facts]
    parts += [f"Note: {d}" for d in dict.fromkeys(f.dispute for f in facts if f.dispute)]
    return " ".join(parts)


def shared_explanation(fact: Fact, facts: list[Fact], slot: str, pack: Pack, others: list[str]) -> str:
    """For a question with several true answers: one sentence per date and source, naming together the objects
    that share them ("Galileo Galilei discovered Callisto, Europa and Ganymede in 1610."), each fact's own sentence
    otherwise; then any true value no fact here names (true through another relation), once."""
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        key = (f.date, f.according_to) if slot == "object" else (f.id,)  # joined subjects would break agreement
        groups.setdefault(key, []).append(f)
    sentences = []
    relation = pack.relation(fact.relation)
    for group in groups.values():
        if len(group) == 1:
            value = value_text(group[0].value(slot), relation.slot_type(slot), pack)
            if group[0] is fact or not contains_phrase(" ".join(sentences), value):  # named already: said once
                sentences.append(group[0].statement)
            continue
        pattern = list_pattern(relation, slot)
        named = [value_text(f.value(slot), relation.slot_type(slot), pack) for f in group]
        if pattern is None or any(a != b and contains_phrase(a, b) for a in named for b in named):
            # "… or along its border" cannot follow three countries, and "the inter-rebel conflict in the Syrian
            # Civil War and the Syrian Civil War" reads as a stutter: one sentence each
            for f, value in zip(group, named):
                if f is fact or not contains_phrase(" ".join(sentences), value):  # named already: said once
                    sentences.append(f.statement)
            continue
        names = join_and(named)
        sentences.append(realise(pattern, group[0], pack, shown={slot: lambda _: names}))
    said = " ".join(sentences)
    rest = [o for o in others if not contains_phrase(said, o)]
    also = [f"The same is true of {join_and(rest)}."] if rest else []
    disputes = [f"Note: {d}" for d in dict.fromkeys(f.dispute for f in facts if f.dispute)]
    return " ".join([said, *also, *disputes])


def join_and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def refuting_explanation(fact: Fact, slot: str, wrong: Value, refutation: Refutation, pack: Pack) -> str:
    """Why a false claim is false, said of the claim's own words: the true value with the swapped one refuted
    ("Titan is a moon of Saturn (not Mars).")."""
    relation = pack.relation(fact.relation)
    if refutation.reason == "own" and refutation.own is not None:
        own = refutation.own
        if own.fact.relation == own.relation and fact_key(own.fact, slot, pack) == own.key(slot):
            given = fact.value(other(slot))
            corrected = correction(own.fact, other(slot), given, pack)
            return realise(relation.sentence, own.fact, pack, shown=corrected)
        return own.fact.statement
    if refutation.reason == "complete" and len(refutation.true) > 1:
        # one of several is not enough: "Uranus (not Mercury) has a ring system" would teach that one planet has
        said = every_value_refuting(fact, slot, wrong, refutation, pack)
    else:
        said = realise(relation.sentence, fact, pack, shown=correction(fact, slot, wrong, pack))
    return " ".join([said, *(f"Note: {fact.dispute}",) * bool(fact.dispute)])


def every_value_refuting(fact: Fact, slot: str, wrong: Value, refutation: Refutation, pack: Pack) -> str:
    """A complete list's every value, with the wrong one refuted, as one sentence: the relation's own phrasing
    where the slot comes last, else the statement that answers the question for all of them, else that question
    and its answer."""
    relation = pack.relation(fact.relation)
    slot_type = relation.slot_type(slot)
    every = join_and([value_text(v, slot_type, pack) for v in refutation.true])
    wrong_text = shown_figure(wrong) if isinstance(wrong, Number) else value_text(wrong, slot_type, pack)
    listed = f"{every} (not {wrong_text})"
    pattern = list_pattern(relation, slot) if slot == "object" else None
    if pattern:
        return realise(pattern, fact, pack, shown={slot: lambda _: listed})
    question_all = relation.question_for_all(slot) or relation.question(slot) or ""
    asked = realise(question_all, fact, pack, asked=slot) if question_all else ""
    statement = list_answer_statement(asked, listed) if asked else None
    if statement:
        return statement + "."
    return f"{asked} {capitalise(listed)}.".strip()


def own_other_dates(fact: Fact, slot: str, wrong: Value, maker: Maker) -> list[str]:
    """What the swapped-in value did under the same relation at another date: "Voyager 1 (not Voyager 2) flew
    past Saturn on 12 November 1980" must not read as if Voyager 2 never did ("Voyager 2 flew past Saturn in
    August 1981.")."""
    if fact.date is None or not isinstance(wrong, str) or not maker.pack.has_entity(wrong):
        return []
    given = fact.value(other(slot))
    return [f.statement for f in maker.truth.facts_about(wrong) if f.relation == fact.relation and f.id != fact.id
            and f.value(slot) == wrong and f.value(other(slot)) == given and f.date != fact.date][:1]


def shown_figure(number: Number) -> str:
    """A swapped-in figure as the false claim printed it: rounded like any approximate figure in a sentence."""
    return rounded_figure(number) if number.approximate else number.figure()


def correction(fact: Fact, slot: str, wrong: Value, pack: Pack) -> dict[str, Callable[[str], str]]:
    """How to show a slot's true value beside the wrong one, for the slot and for {when} when it is a date."""
    slot_type = pack.relation(fact.relation).slot_type(slot)
    wrong_text = shown_figure(wrong) if isinstance(wrong, Number) else value_text(wrong, slot_type, pack)
    shown: dict[str, Callable[[str], str]] = {slot: lambda words: f"{words} (not {wrong_text})"}
    if isinstance(wrong, DateValue):
        shown["when"] = lambda words: f"{words} (not {wrong.when()})"
    return shown


def true_claim_explanation(fact: Fact, claim: str, pack: Pack, slot: str) -> str:
    """A true claim's explanation adds what the source says rather than repeating the claim word for word."""
    if normalise(fact.statement) != normalise(claim) and not contains_phrase(claim, fact.statement):
        return explanation_for([fact])
    quotes = claim_quotes(fact, pack)
    said = ("In the source's words: " + " … ".join(f"“{q}”" for q in quotes)) if quotes else fact.statement
    return " ".join([said, *(f"Note: {fact.dispute}",) * bool(fact.dispute)])


def claim_quotes(fact: Fact, pack: Pack) -> list[str]:
    """The quotations that state a whole true claim, none of them starting mid-sentence ("is a town in Lower
    Bavaria, Germany." does not say what is a town), or none."""
    quotes = quotes_stating_the_claim(fact, pack)
    return [] if any(headless(q) for q in quotes) else quotes


def claim_citations(fact: Fact, pack: Pack) -> tuple[Citation, ...]:
    """For a true claim, the source with the quotation that states it, so the key's source line proves the claim
    rather than one of its names; none when no single quotation states it whole."""
    found = []
    quotes = claim_quotes(fact, pack)
    for quote in quotes if len(quotes) == 1 else []:  # one source line that says it all, or the slot's own
        source = next((pack.source(sid) for sid in fact.sources if evidence_in_source(quote, pack.source(sid))), None)
        if source is not None:
            found.append(Citation(fact_id=fact.id, source_id=source.id, text=source.citation(), evidence=quote,
                                  url=source.url))
    return tuple(found)


def headless(quote: str) -> bool:
    """A quotation that starts mid-sentence, with a lower-case word ("is a town in…", "feeding into…")."""
    first = quote.lstrip("“\"'(… .")
    return bool(first) and first[0].islower()


def quotes_stating_the_claim(fact: Fact, pack: Pack) -> list[str]:
    """The fewest of the fact's quotations that together state what the claim says: its subject, its object and
    its date (a quotation that only names the subject proves nothing about the prize)."""
    relation = pack.relation(fact.relation)
    needs = [written_forms(fact.value(s), relation.slot_type(s), pack.entity) for s in ("subject", "object")]
    if fact.date is not None:
        needs.append(fact.date.written_forms())
    chosen: list[str] = []
    missing = list(range(len(needs)))
    # the fact's own quotations first, then what its sources record besides (the excerpt that has the wedding's day)
    quotes = list(dict.fromkeys([*fact.quotes, *(e for sid in fact.sources for e in pack.source(sid).excerpts)]))
    while missing:
        best = max(quotes, key=lambda q: (sum(states_any(q, needs[i]) for i in missing), q in fact.quotes, -len(q)),
                   default=None)
        covered = [i for i in missing if best is not None and states_any(best, needs[i])]
        if not covered or (chosen and covered == [0]):
            break  # a second quotation that only names the subject ("she was born in Paris") proves nothing more
        chosen.append(best)
        missing = [i for i in missing if i not in covered]
    if missing:
        return []  # a birth line that names the father says nothing of whose father he was: the statement does
    return chosen


def unique_citations(citations: list[Citation]) -> tuple[Citation, ...]:
    """Each source and quotation once, credited to the first fact that cites it (the fact asked about)."""
    first: dict[tuple[str, str], Citation] = {}
    for citation in citations:
        first.setdefault((citation.source_id, citation.evidence), citation)
    return tuple(first.values())


def base_question(template: QuestionTemplate, facts: list[Fact], slot: str, pack: Pack, *, variant: str = "",
                  **fields: Any) -> Question:
    qid = stable_id(template.id, *(f.id for f in facts), slot, variant)
    fields.setdefault("front", fields.get("prompt", ""))
    fields.setdefault("back", fields.get("answer", ""))
    fields.setdefault("explanation", explanation_for(facts))
    return Question(
        id=qid, type=template.type, template_id=template.id, difficulty=template.difficulty,
        fact_ids=tuple(f.id for f in facts),
        citations=unique_citations([c for f in facts for c in citations_for(f, slot, pack)]),
        tags=tuple(dict.fromkeys(t for t in [*template.tags, *(t for f in facts for t in f.tags)]
                                 if t not in INTERNAL_TAGS)),
        topic=facts[0].topic, **fields)


def options_for(qid: str, right: list[str], wrong: list[str], rng: random.Random) -> tuple[Option, ...]:
    options = [Option(stable_id(qid, text, length=8), text, True) for text in right]
    options += [Option(stable_id(qid, text, length=8), text, False) for text in wrong]
    rng.shuffle(options)
    return tuple(options)


def accepted_names(values: dict[str, Value], slot_type: str, pack: Pack, shown: str) -> tuple[str, ...]:
    names = [n for value in values.values() for n in names_of(value, slot_type, pack)]
    return tuple(n for n in dict.fromkeys(names) if n != shown)


def questions_from(template: QuestionTemplate, maker: Maker, facts: tuple[Fact, ...]
                   ) -> Iterator[Question | Skip]:
    """Every question this template makes from the given facts, and a Skip for each fact it could not use."""
    eligible = [f for f in facts if selects(template, f, maker.pack)]
    if template.type == "matching":
        yield from matching_questions(template, maker, eligible)
        return
    if template.type == "ordering":
        yield from ordering_questions(template, maker, eligible)
        return
    builder = SINGLE_FACT_BUILDERS[template.type]
    for fact in eligible:
        made = builder(template, maker, fact)
        yield made if isinstance(made, Question) else Skip(fact.id, template.id, made)


def name_hint_reason(fact: Fact, slot: str, pack: Pack) -> str | None:
    """Why the printed name gives the answer away by its sound ("the Main … at Mainz"), or None."""
    given = given_names(fact, slot, pack)
    answer = value_names(fact.value(slot), fact, slot, pack)
    # a one-word other name counts too: "Donau", an accepted name of the Danube, is in "Donaueschingen" (longer
    # aliases describe rather than name: "Earth's Moon", "Jupiter V")
    for g, a in ((g, a) for g in spoken(given) for a in spoken(answer) if name_gives_away(g, a)):
        return f"the name {g!r} points at its answer {a!r}"
    return None


def spoken(names: tuple[str, ...]) -> list[str]:
    """A value's name and its one-word other names of four letters or more (not an acronym like "IS")."""
    return [name for i, name in enumerate(names) if i == 0 or (len(name.split()) == 1 and len(name) >= 4)]


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
                         explanation=shared_explanation(fact, facts, slot, pack, [
                             value_text(v, slot_type, pack) for k, v in right_values if k != fact_key(fact, slot, pack)]))


def build_true_false(template: QuestionTemplate, maker: Maker, fact: Fact, *, force_true: bool = False
                     ) -> Question | str:
    """True: the claim as the fact says it. False: the asked slot swapped for a value the pack makes false."""
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
        make_false = True
    else:
        swapped = distractors_for(fact, slot, pack, maker.truth, rng, 1, stem=true_claim) if make_false else []
    make_false = bool(swapped)  # with no value the pack knows to be false, the claim is asked as it is: true
    claim = true_claim
    explanation = true_claim_explanation(fact, true_claim, pack, slot)
    refuting: list[Citation] = []
    if make_false:
        false_context = dict(context, claim=realise(relation.claim or relation.sentence, fact, pack,
                                                    values={slot: swapped[0]}))
        claim = render_text(template, "claim", false_context)
        if normalise(claim) == normalise(true_claim):
            return "the template's claim does not change when the slot is swapped"
        refutation = maker.truth.refutation(fact, slot, value_key(swapped[0], relation.slot_type(slot)))
        explanation = refuting_explanation(fact, slot, swapped[0], refutation, pack)
        explanation = " ".join([explanation, *own_other_dates(fact, slot, swapped[0], maker)])
        if refutation.own is not None:  # the claim is about the swapped-in value: cite what is true of it first
            refuting = list(citations_for(refutation.own.fact, other(slot), pack))
    verdict = "False" if make_false else "True"
    qid = stable_id(template.id, fact.id, slot, verdict)
    options = (Option(stable_id(qid, "True", length=8), "True", not make_false),
               Option(stable_id(qid, "False", length=8), "False", make_false))
    question = base_question(template, [fact], slot, pack, variant=verdict, prompt=claim, answer=verdict,
                             options=options, front=f"True or false? {claim}", back=verdict,
                             explanation=explanation)
    if refuting:
        question = replace(question, citations=unique_citations([*refuting, *question.citations]))
    elif not make_false and (proving := claim_citations(fact, pack)):
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


def build_cloze(template: QuestionTemplate, maker: Maker, fact: Fact) -> Question | str:
    pack, slot = maker.pack, template.ask
    if not maker.truth.closed(fact, slot):
        return open_list_reason(fact, slot, pack)
    if (hinted := name_hint_reason(fact, slot, pack)) is not None:
        return hinted
    if fact.dispute and pack.relation(fact.relation).slot_type(slot) not in ("date", "number"):
        return DISPUTED
    truths = maker.truth.true_values(fact, slot)
    if len(truths) > 1:
        return f"{len(truths)} values fit the blank for its {slot}"
    context = maker.context(fact, slot)
    text = render_text(template, "text", context)
    if text.count(BLANK) != 1:
        return f"the sentence has {text.count(BLANK)} blanks; a cloze item needs exactly one"
    slot_type = pack.relation(fact.relation).slot_type(slot)
    if asks_where(text) and maker.truth.holds_places(fact.value(slot)):
        return ("a place that holds others, after 'in', is open: a region between it and the subject completes the "
                "sentence too; the short answer names the kind of place it wants")
    answer = blank_answer(fact.value(slot), slot_type, pack)
    answers = {**written_answers(fact, slot, maker, text), **maker.truth.sibling_values(fact, slot)}
    accepted = accepted_names(answers, slot_type, pack, answer)
    if any(contains_phrase(text, name) for name in (answer, *accepted)):
        return "the sentence names its own answer"
    return base_question(template, [fact], slot, pack, prompt=kind_after_blank(text, fact.value(slot), slot_type,
                                                                                pack),
                         answer=answer, accepted=accepted, back=answer)


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
    if not maker.truth.closed(fact, slot):
        return open_list_reason(fact, slot, pack)
    if (hinted := name_hint_reason(fact, slot, pack)) is not None:
        return hinted
    if fact.dispute:
        return DISPUTED
    truths = maker.truth.true_values(fact, slot)
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
                         explanation=shared_explanation(fact, facts, slot, pack, [
                             value_text(v, slot_type, pack) for k, v in sorted(truths.items())
                             if k != fact_key(fact, slot, pack)]))


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
    prompt = render_text(template, "prompt", context)
    low, high = number.low, number.high
    if number.tolerance is None and number.max is None and significant_digits(number.value) >= 3:
        # a measured figure (a diameter, a temperature, 84.01 years) is learnt rounded, and references differ in
        # the last digits: a figure within 2.5 %, or rounded to two digits (1.5 for 1.524 AU), is right; a count of
        # two digits (14 brigades) stays exact, and so does a figure whose fact says `tolerance: 0`
        spread = max(abs(number.value) * MEASURED_SHARE, abs(number.value - float(f"{number.value:.2g}")))
        low, high = readable_bounds(number.value, spread)
    elif number.tolerance is None and number.max is None and not float(number.value).is_integer():
        low, high = number.value - 0.5, number.value + 0.5  # "8.5 years": a student writes 8 or 9
    numeric = NumericAnswer(value=number.value, low=low, high=high, unit=number.unit)
    return base_question(template, [fact], slot, pack, prompt=prompt, answer=number.figure(), numeric=numeric,
                         back=number.human())


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


# ---- questions over groups of facts -------------------------------------------------------


def matching_questions(template: QuestionTemplate, maker: Maker, facts: list[Fact]) -> Iterator[Question | Skip]:
    """Groups of facts of one relation where each subject fits exactly one of the objects shown."""
    pack = maker.pack
    by_relation: dict[str, list[Fact]] = {}
    for fact in facts:
        relation = pack.relation(fact.relation)
        if relation.match and "object" in fact.ask and relation.object != "number":
            by_relation.setdefault(fact.relation, []).append(fact)
    for relation_id, members in sorted(by_relation.items()):
        if not maker.truth.can_refute(members[0], "object"):
            continue  # no pair left unmatched could be known false: a matching item needs every such pair false
        rng = maker.rng(template.id, relation_id)
        for group in unambiguous_groups(members, template.group_size, maker, rng, matching_fits):
            relation = pack.relation(relation_id)
            pairs = tuple(Pair(capitalise(answer_text(f.subject, relation.subject, pack)),
                               answer_text(f.object, relation.object, pack)) for f in group)
            choices = [p.right for p in pairs]
            while len(choices) > 1 and choices == [p.right for p in pairs]:
                rng.shuffle(choices)  # a key of 1-A 2-B 3-C 4-D lets the order of the list answer it
            answer = "; ".join(f"{p.left} → {p.right}" for p in pairs)
            yield base_question(template, list(group), "object", pack, prompt=relation.match, answer=answer,
                                pairs=pairs, choices=tuple(choices), front=matching_front(relation.match, pairs,
                                                                                          choices),
                                back=answer)


def matching_fits(group: tuple[Fact, ...], candidate: Fact, maker: Maker) -> bool:
    """A candidate joins a matching group when no subject shown fits another object shown, either way round."""
    pack = maker.pack
    if name_hint_reason(candidate, "object", pack) is not None:
        return False  # the Main matched to Mainz by sound
    for member in group:
        if fact_key(member, "subject", pack) == fact_key(candidate, "subject", pack):
            return False
        if fact_key(member, "object", pack) == fact_key(candidate, "object", pack):
            return False
        # every pair not meant to be matched must be one the pack knows to be false, either way round
        if maker.truth.refutation(member, "object", fact_key(candidate, "object", pack)) is None:
            return False
        if maker.truth.refutation(candidate, "object", fact_key(member, "object", pack)) is None:
            return False
        for a, b in ((member, candidate), (candidate, member)):
            if isinstance(a.object, DateValue) and isinstance(b.object, DateValue) and not far_apart(a.object,
                                                                                                     b.object):
                return False
    return True


def matching_front(instruction: str, pairs: tuple[Pair, ...], choices: list[str]) -> str:
    lefts = " · ".join(f"{n}. {p.left}" for n, p in enumerate(pairs, 1))
    rights = " · ".join(f"{chr(65 + i)}. {c}" for i, c in enumerate(choices))
    return f"{instruction} {lefts} | {rights}"


def ordering_questions(template: QuestionTemplate, maker: Maker, facts: list[Fact]) -> Iterator[Question | Skip]:
    """Groups of dated facts whose dates do not overlap and lie far enough apart to order without dispute."""
    pack = maker.pack
    dated = [f for f in facts if pack.relation(f.relation).item and f.when is not None
             and ordering_item(f, maker) is not None]
    rng = maker.rng(template.id, "order")
    for group in unambiguous_groups(dated, template.group_size, maker, rng, ordering_fits):
        in_order = sorted(group, key=lambda f: f.when.start)
        sequence = tuple(ordering_item(f, maker) for f in in_order)
        if len(set(map(normalise, sequence))) < len(sequence):
            continue
        items = list(sequence)
        while tuple(items) == sequence:
            rng.shuffle(items)
        answer = "; ".join(f"{f.when.human()}: {item}" for f, item in zip(in_order, sequence))
        yield base_question(template, in_order, "object", pack, prompt=render_text(template, "prompt", {}),
                            answer=answer, items=tuple(items), sequence=sequence,
                            front=render_text(template, "prompt", {}) + " " + " · ".join(items),
                            back=" → ".join(sequence))


def ordering_item(fact: Fact, maker: Maker) -> str | None:
    """How an ordering question lists a fact; an event several subjects share names them all ("The discovery of
    radium by Marie Curie and Pierre Curie"), never one of them alone, or (when the phrasing cannot list them, as
    in "{Subject} discovers {object}") is not listed (None)."""
    pack = maker.pack
    relation = pack.relation(fact.relation)
    sharing = [f for f in maker.truth.facts_about(fact_key(fact, "object", pack))
               if f.relation == fact.relation and f.object == fact.object and f.when == fact.when]
    if len(sharing) < 2 or isinstance(fact.object, DateValue):  # a shared year is two events, not one shared
        return realise(relation.item, fact, pack)
    if not slot_comes_last(relation.item, "subject"):
        return None
    order = maker.truth.fact_order()
    names = join_and([value_text(f.subject, relation.subject, pack)
                      for f in sorted(sharing, key=lambda f: order.get(f.id, 0))])
    return realise(relation.item, fact, pack, shown={"subject": lambda _: names})


def ordering_fits(group: tuple[Fact, ...], candidate: Fact, maker: Maker) -> bool:
    return all(far_apart(member.when, candidate.when) for member in group)


def far_apart(a: DateValue, b: DateValue) -> bool:
    """No overlap, and at least MIN_DAYS_BETWEEN_ITEMS between the end of one and the start of the other."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return (second.start - first.end).days >= MIN_DAYS_BETWEEN_ITEMS


def unambiguous_groups(facts: list[Fact], size: int, maker: Maker, rng: random.Random, fits) -> list[tuple[Fact, ...]]:
    """Up to MAX_GROUPS groups of `size` facts, greedily built from a seeded shuffle, each fact in one group."""
    pool = sorted(facts, key=lambda f: f.id)
    rng.shuffle(pool)
    groups: list[tuple[Fact, ...]] = []
    used: set[str] = set()
    for start in pool:
        if start.id in used or len(groups) == MAX_GROUPS:
            continue
        group: tuple[Fact, ...] = (start,)
        for candidate in pool:
            if len(group) == size:
                break
            if candidate.id in used or candidate in group:
                continue
            if fits(group, candidate, maker):
                group = (*group, candidate)
        if len(group) == size:
            groups.append(group)
            used.update(f.id for f in group)
    return groups


