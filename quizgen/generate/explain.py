"""What a question says beside its key: the explanation (a true claim in other words than the stem, a false one
refuted in its own words, every value of a complete list) and the quotations that prove it; `base_question`
assembles a question with both."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..load.evidence import evidence_in_source, states_any, written_forms
from ..model import INTERNAL_TAGS, Citation, DateValue, Fact, Number, Pack, Question, Value, stable_id
from ..load.phrasing import capitalise, list_answer_statement, list_pattern, realise, rounded_figure, value_text
from ..text import contains_phrase, normalise
from .keys import fact_key, other
from .maker import Maker
from .templates import QuestionTemplate
from .truth import Refutation


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
    date_forms = fact.date.written_forms() if fact.date is not None else ()
    if fact.date is not None and not any(states_any(q, date_forms) for q in quotes):
        # the fact's own quotations first, then what its sources record besides ("In July of the same year they
        # had announced their discovery of polonium")
        recorded = [*fact.quotes, *(e for sid in fact.sources for e in pack.source(sid).excerpts)]
        dated = [q for q in recorded if q not in quotes and states_any(q, date_forms)][:1]
        quotes += dated or dated_sentence_before(quotes[0], fact, pack)
    return quotes


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def dated_sentence_before(quote: str, fact: Fact, pack: Pack) -> list[str]:
    """The nearest sentence before the quotation, in its paragraph of a kept source text, that states the fact's
    date: a report dates its first sentence ("On 10 April 2014, ISIS launched…") and tells the rest after it."""
    for source_id in fact.sources:
        text = pack.source(source_id).text or ""
        at = text.find(quote[:60])
        if not quote or at < 0:
            continue
        start = text.rfind("\n", 0, at) + 1
        before = SENTENCE_END.split(text[start:at])
        for sentence in reversed([s.strip() for s in before if s.strip()]):
            if states_any(sentence, fact.date.written_forms()):
                return [sentence]
    return []


def explanation_for(facts: list[Fact]) -> str:
    """Each fact's statement, a fact's note right after its own statement (after a matching item's four
    sentences, a note would read as if it were about the last of them), and a note several facts share once."""
    parts: list[str] = []
    noted: set[str] = set()
    for f in facts:
        parts.append(f.statement)
        if f.dispute and f.dispute not in noted:
            noted.add(f.dispute)
            parts.append(f"Note: {f.dispute}")
    return " ".join(parts)


def shared_explanation(fact: Fact, facts: list[Fact], slot: str, pack: Pack, others: list[str],
                       reasons: dict[str, str] | None = None) -> str:
    """For a question with several true answers: one sentence per date and source, naming together the objects
    that share them ("Galileo Galilei discovered Callisto, Europa and Ganymede in 1610."), each fact's own sentence
    otherwise; then any true value no fact here names (true through another relation), by the statement that makes
    it true where `reasons` has one ("The Sava rises in Slovenia."), else once together."""
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
    reasons = reasons or {}
    also = list(dict.fromkeys(reasons[o] for o in rest if o in reasons))
    unexplained = [o for o in rest if o not in reasons]
    also += [f"The same is true of {join_and(unexplained)}."] if unexplained else []
    # in a sentence that joins several values, a note says which one it is about (Phobos's day, not Deimos's)
    about: dict[str, list[str]] = {}
    for f in facts:
        if f.dispute:
            about.setdefault(f.dispute, []).append(value_text(f.value(slot), relation.slot_type(slot), pack))
    notes = [f"Note on {values[0]}: {d}" if len(values) == 1 and len(facts) > 1 else f"Note: {d}"
             for d, values in about.items()]
    return " ".join([said, *also, *notes])


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


def true_claim_explanation(fact: Fact, claim: str, quotes: list[str]) -> str:
    """A true claim's explanation adds what the source says (`quotes`, its claim_quotes) rather than repeating the
    claim word for word."""
    if normalise(fact.statement) != normalise(claim) and not contains_phrase(claim, fact.statement):
        return explanation_for([fact])
    # words of the source that say more than a label: an infobox's "Jamal Maarouf (SRF leader)" says only the claim
    clean = len(quotes) == 1 and reads_cleanly(quotes[0]) and not quotes[0].rstrip().endswith(")")
    ended = "" if quotes and quotes[0].rstrip("”’\"' ").endswith((".", "!", "?")) else "."
    said = f"In the source's words: “{quotes[0]}”{ended}" if clean else fact.statement
    return " ".join([said, *(f"Note: {fact.dispute}",) * bool(fact.dispute)])


LONGEST_QUOTED_WHY = 240  # characters: a longer quotation buries the claim it proves (its source line keeps it whole)
MESSY = re.compile(r"  | [,.;:)]|\( |†")


def reads_cleanly(quote: str) -> bool:
    """Whether a quotation can stand as the explanation a student reads: one sentence or clause of a fair length,
    its brackets and quotation marks closed, no doubled spaces or stray marks from a scraped page. Otherwise the
    fact's own statement explains, and the quotation stays on the source line."""
    pairs = (("(", ")"), ("“", "”"), ("[", "]"))
    return (len(quote) <= LONGEST_QUOTED_WHY and not MESSY.search(quote) and quote.count('"') % 2 == 0
            and all(quote.count(a) == quote.count(b) for a, b in pairs)
            and not DOUBLED_WORD.search(quote) and not CUT_APPOSITION.match(quote))


DOUBLED_WORD = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)  # "discovered the the Martian moon": the source's typo
CUT_APPOSITION = re.compile(r"[A-Z][\w-]*, (is|are|was|were|has|had)\b")  # "Titania, is 1,578 km…", cut from a longer one


def claim_quotes(fact: Fact, pack: Pack) -> list[str]:
    """The quotations that state a whole true claim, none of them starting mid-sentence ("is a town in Lower
    Bavaria, Germany." does not say what is a town), or none."""
    quotes = quotes_stating_the_claim(fact, pack)
    return [] if any(headless(q) for q in quotes) else quotes


def claim_citations(fact: Fact, pack: Pack, quotes: list[str]) -> tuple[Citation, ...]:
    """For a true claim, the source with the quotation that states it (`quotes`, its claim_quotes), so the key's
    source line proves the claim rather than one of its names; none when no single quotation states it whole."""
    found = []
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
