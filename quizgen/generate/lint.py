"""Item-writing rules from assessment practice, run over a pack's whole question pool.

The rules follow the common checklists of multiple-choice item-writing flaws (unclear or incomplete stems,
negative stems, implausible or overlapping options, "all/none of the above", the key as the longest option,
grammatical and word-repeat cues, absolute and vague terms, more than one right answer), plus what a sourced pack
needs: no internal ids or author notes in what students read, evidence that states the answer, every fact asked.
Each finding names the fact's and the template's file and line.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ..load.evidence import states_any, written_forms
from ..model import SLOTS, Pack, Question
from ..text import contains_phrase, counted, normalise
from . import Pool, stem_key
from .distractors import names_of, stem_date
from .findings import ERROR, INFO, WARNING, Finding
from .keys import fact_key, other
from .lint_pack import (
    ambiguous_name_findings,
    cardinality_findings,
    number_findings,
    phrasing_findings,
    related_findings,
    unaskable_dated_findings,
)
from .truth import Truth
from .why import reasons_for

AUTHOR_TALK = re.compile(r"\b(infobox|seed|derived|see F\d+|TODO|FIXME|wikipedia revision|excerpts?|is asked|are asked|"
                         r"the pack|this pack)\b|\(derived\)", re.IGNORECASE)
INTERNAL_ID = re.compile(r"\b(?:F\d{2,}|S\d{2}[a-z]?)\b|\b[a-z]+(?:-[a-z0-9]+){2,}\b|\.(?:ya?ml|txt|json)\b")
NEGATIVE = re.compile(r"\b(not|never|except|least|false)\b", re.IGNORECASE)
# "every day", "all year", "every ten years" say how often, not how far a claim goes: a true claim says them as often
# as a false one, so they give no student the key
TIME_SPAN = (r"(?:(?:other|single|\d+|two|three|four|five|six|seven|eight|nine|ten|few)\s+)?(?:day|week|month|year|"
             r"hour|minute|second|morning|afternoon|evening|night|decade|century|season|summer|winter|spring|autumn)s?")
ABSOLUTE = re.compile(rf"\b(always|never|all|none|only|every)\b(?!\s+{TIME_SPAN}\b)", re.IGNORECASE)
VAGUE = re.compile(r"\b(usually|often|sometimes|frequently|generally|rarely|may)\b")
ABOVE = re.compile(r"\b(all|none|both) of the (above|these)\b", re.IGNORECASE)
DOUBLED_QUALIFIER = re.compile(r"\b(about|around|some|approximately|roughly|nearly)\s+(about|around|some|approximately|"
                               r"roughly|nearly)\b", re.IGNORECASE)
NOMINALISED = re.compile(r"^When (?:did|was|were) (?:.+'s |the \w+(?:ion|al|ure|ment|ing|ance|ence) of ).+ "
                         r"(?:take place|happen|occur|begin|start)\b", re.IGNORECASE)
LONG_STEM_WORDS = 45
LONGEST_KEY_SHARE = 0.5


def lint_pool(pool: Pool, pack: Pack) -> list[Finding]:
    """Every finding over the pool, sorted by place, then rule."""
    truth = Truth.of(pack)
    facts = {f.id: f for f in pack.facts}
    findings: list[Finding] = []
    for question in pool.questions:
        where = _where(question, facts, pool)
        for rule, severity, message in question_findings(question, pool, pack, truth):
            findings.append(Finding(rule, severity, where, question.id, message))
    findings += pool_findings(pool, pack, facts)
    return sorted(findings, key=lambda f: (_place_key(f.where), f.rule, f.question_id))


def _place_key(where: str) -> tuple:
    file, _, rest = where.partition(":")
    line = rest.split(":")[0]
    return file, int(line) if line.isdigit() else 0


def _where(question: Question, facts: dict, pool: Pool) -> str:
    fact = facts.get(question.fact_ids[0])
    template = pool.templates.get(question.template_id)
    place = str(fact.origin) if fact else (template.file if template else "<pool>")
    return f"{place}: {','.join(question.fact_ids)} from {template.file if template else question.template_id}"


def student_texts(question: Question) -> list[str]:
    """Everything a student reads on the worksheet for this question, and the explanation on the key."""
    return [question.prompt, question.explanation, *(o.text for o in question.options),
            *(p.left for p in question.pairs), *question.choices, *question.items]


def question_findings(question: Question, pool: Pool, pack: Pack, truth: Truth) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    found += stem_rules(question)
    found += text_rules(question, pack)
    if question.options and question.type != "true-false":
        found += option_rules(question)
    found += truth_rules(question, pool, pack, truth)
    found += evidence_rules(question, pool, pack, truth)
    found += sentence_rules(question)
    found += false_claim_rules(question, pool, pack, truth)
    found += plausibility_rules(question, pack, truth)
    found += written_stem_rules(question)
    return found


POINTS_AT_OPTIONS = re.compile(r"\b(of these|of the following|below|listed)\b", re.IGNORECASE)
WRITTEN_TYPES = ("short-answer", "cloze", "numeric")


def written_stem_rules(question: Question) -> list[tuple[str, str, str]]:
    """A relation's question serves every form: "Which of these…?" reads well over options and points at nothing
    where the student writes the answer."""
    found = POINTS_AT_OPTIONS.search(question.prompt) if question.type in WRITTEN_TYPES else None
    if found is None:
        return []
    return [("options-in-written-stem", ERROR, f"{question.prompt!r} says {found.group(0)!r}, but a "
                                               f"{question.type} item shows no options: write the relation's "
                                               "question without it (\"Who was…?\"); multiple choice adds the "
                                               "options itself")]


def stem_rules(question: Question) -> list[tuple[str, str, str]]:
    stem = question.prompt.strip()
    found = []
    if question.type == "cloze":
        if stem.count("_____") != 1:
            found.append(("one-blank", ERROR, f"a cloze item needs exactly one blank; found {stem.count('_____')}"))
    elif not stem.endswith(("?", ".", ":")):
        found.append(("complete-stem", ERROR, f"the stem {stem!r} is not a complete question or statement"))
    if question.type != "true-false" and NEGATIVE.search(stem):
        found.append(("negative-stem", WARNING, f"the stem uses {NEGATIVE.search(stem).group(0)!r}; ask in the "
                                                "positive, or set the negative word in bold"))
    if question.type == "true-false" and ABSOLUTE.search(stem):
        found.append(("absolute-terms", WARNING, f"the claim uses {ABSOLUTE.search(stem).group(0)!r}, which cues "
                                                 "'false'; reword the relation's claim, or leave this fact out of "
                                                 "true/false (not_forms: [true-false])"))
    if VAGUE.search(stem):
        found.append(("vague-terms", WARNING, f"the stem uses {VAGUE.search(stem).group(0)!r}; say how often or "
                                              "how much"))
    if len(stem.split()) > LONG_STEM_WORDS:
        found.append(("window-dressing", WARNING, f"the stem has {len(stem.split())} words; keep only what the "
                                                  "question needs"))
    return found


def text_rules(question: Question, pack: Pack) -> list[tuple[str, str, str]]:
    found = []
    for text in student_texts(question):
        talk = AUTHOR_TALK.search(text)
        if talk:
            found.append(("author-notes", ERROR, f"{talk.group(0)!r} in {text[:60]!r}: students read this"))
        internal = INTERNAL_ID.search(text)
        if internal and not any(internal.group(0) in n for e in pack.entities for n in e.names):
            found.append(("internal-ids", ERROR, f"{internal.group(0)!r} in {text[:60]!r} looks like an id or a "
                                                 "file name"))
        if any(ord(ch) < 32 and ch not in "\t\n" for ch in text):
            found.append(("control-characters", ERROR, f"a control character in {text[:40]!r}"))
    return found


def option_rules(question: Question) -> list[tuple[str, str, str]]:
    texts = [o.text for o in question.options]
    found = []
    if any(ABOVE.search(t) for t in texts):
        found.append(("all-none-of-the-above", ERROR, "an option is 'all/none of the above'"))
    if question.type == "multiple-choice" and len(texts) < 3:
        found.append(("enough-distractors", ERROR, f"{len(texts) - 1} wrong option(s); expected at least two"))
    kinds = {_kind(t) for t in texts}
    if len(kinds) > 1:
        found.append(("options-of-one-kind", WARNING, f"options mix {', '.join(sorted(kinds))}: {texts}"))
    lengths = sorted(len(t) for t in texts)
    if lengths[0] and lengths[-1] / lengths[0] > 4 and lengths[-1] > 25:
        found.append(("similar-length", WARNING, f"options range from {lengths[0]} to {lengths[-1]} characters"))
    key = [o.text for o in question.options if o.correct]
    if question.type == "multiple-choice" and len(key[0]) > 1.5 * max(len(o.text) for o in question.options
                                                                        if not o.correct):
        found.append(("longest-key", WARNING, f"the key {key[0]!r} is much longer than every wrong option"))
    stem_words = {w for w in normalise(question.prompt).split() if len(w) > 4}
    for text in key:
        if question.type == "multiple-choice" and stem_words & set(normalise(text).split()) and not any(
                stem_words & set(normalise(o.text).split()) for o in question.options if not o.correct):
            found.append(("word-repeat-cue", WARNING, f"only the key {text!r} repeats a word of the stem"))
    return found


def _kind(text: str) -> str:
    if re.fullmatch(r"[\d,.–\- ]+(%| per cent| [a-z]+)?", text.strip()):
        return "figures"
    if re.search(r"\b\d{4}\b", text) and re.search(r"[A-Z][a-z]+", text) or re.fullmatch(r"\d{4}", text):
        return "dates"
    return "names"


def truth_rules(question: Question, pool: Pool, pack: Pack, truth: Truth) -> list[tuple[str, str, str]]:
    """Re-check against the closed world: every right option true, every wrong one false, one answer where one is
    asked, every true value accepted where answers are written."""
    template = pool.templates.get(question.template_id)
    if template is None or question.type in ("matching", "ordering") or len(question.fact_ids) < 1:
        return []
    fact = truth.fact(question.fact_ids[0])
    slot = template.ask
    slot_type = pack.relation(fact.relation).slot_type(slot)
    true_texts = {normalise(t) for v in truth.true_values(fact, slot).values()
                  for t in names_of(v, slot_type, pack)}
    possible_texts = {normalise(t) for v in truth.possibly_true(fact, slot).values()
                      for t in names_of(v, slot_type, pack)}
    found = []
    if question.type in ("multiple-choice", "multiple-response"):
        for option in question.options:
            is_true = normalise(option.text) in true_texts
            if option.correct and not is_true:
                found.append(("wrong-key", ERROR, f"the keyed option {option.text!r} is not what the facts say"))
            if not option.correct and normalise(option.text) in possible_texts:
                found.append(("true-distractor", ERROR, f"the wrong option {option.text!r} is true by another fact"))
    if question.type in ("cloze", "short-answer"):
        accepted = {normalise(t) for t in (question.answer, *question.accepted)}
        missing = sorted(t for t in true_texts if t not in accepted)
        if missing:
            found.append(("one-fitting-answer", ERROR, f"true answers not accepted: {', '.join(missing)}"))
    if question.type == "multiple-choice" and len(truth.true_values(fact, slot)) > 1:
        found.append(("two-answers", ERROR, f"{len(truth.true_values(fact, slot))} values are true for this stem"))
    relation = pack.relation(fact.relation)
    dates = {f.date for f in facts_of_values(truth, fact, slot)}
    if not relation.holds_for_many(slot) and not relation.dated(slot) and len(dates) > 1:
        found.append(("answer-changes-over-time", ERROR, f"{relation.id!r} holds one {slot} at a time and the pack "
                                                         f"records {len(dates)} over time; name the time in the "
                                                         "question with {when}"))
    return found


def facts_of_values(truth: Truth, fact, slot: str) -> list:
    """The facts of the same relation and other slot, one per true value: where each answer comes from."""
    return [f for f in truth.facts_about(fact_key(fact, other(slot), truth.pack)) if f.relation == fact.relation
            and fact_key(f, other(slot), truth.pack) == fact_key(fact, other(slot), truth.pack)]


def sentence_rules(question: Question) -> list[tuple[str, str, str]]:
    """What a student reads is a sentence a teacher would write: no figure first, no "about about", no nominalised
    "When did X's Y take place?"."""
    found = []
    for text in (question.prompt, question.front, question.explanation, *question.items):
        if re.match(r"\d", text):
            found.append(("numeral-first", ERROR, f"{text[:50]!r} starts with a figure; start the relation's "
                                                  "sentence otherwise ({According} {object} {subject}.)"))
        if DOUBLED_QUALIFIER.search(text):
            found.append(("doubled-qualifier", ERROR, f"{DOUBLED_QUALIFIER.search(text).group(0)!r} in {text[:50]!r}: "
                                                      "an approximate figure says 'about' itself; leave it out of "
                                                      "the relation's sentence"))
    if NOMINALISED.search(question.prompt):
        found.append(("nominalised-event", ERROR, f"{question.prompt!r} asks when a noun phrase took place; ask "
                                                  "with the verb ('When did ISIS capture …?')"))
    return sorted(set(found))


def false_claim_rules(question: Question, pool: Pool, pack: Pack, truth: Truth) -> list[tuple[str, str, str]]:
    """A false claim is false by what the pack knows, and its explanation names the value it swapped in."""
    if question.type != "true-false" or question.answer != "False":
        return []
    fact = truth.fact(question.fact_ids[0])
    shown_here = set(normalise(question.prompt).split()) - set(normalise(fact.statement).split())
    if shown_here and not shown_here & set(normalise(question.explanation).split()):
        return [("refuting-explanation", ERROR, f"the explanation {question.explanation[:60]!r} does not name what "
                                                f"the claim gets wrong ({' '.join(sorted(shown_here))})")]
    return []


def plausibility_rules(question: Question, pack: Pack, truth: Truth) -> list[tuple[str, str, str]]:
    """Every wrong option existed at the date the stem speaks of."""
    if question.type not in ("multiple-choice", "multiple-response"):
        return []
    when = stem_date(truth.fact(question.fact_ids[0]), pack)
    found = []
    for option in question.options:
        entity = truth.entity_named(option.text)
        if entity is not None and not option.correct and entity.period is not None and not (
                entity.period.start <= when.end and when.start <= entity.period.end):
            lived = (f"from {entity.period.start.year}" if entity.period.end.year == 9999
                     else f"{entity.period.start.year}–{entity.period.end.year}")
            found.append(("anachronism", ERROR, f"the wrong option {option.text!r} did not exist at "
                                                f"{when.human()} ({lived})"))
    return found


def evidence_rules(question: Question, pool: Pool, pack: Pack, truth: Truth) -> list[tuple[str, str, str]]:
    """The quotation shown for each fact a question asks states the value asked (each item's, in a group)."""
    if question.type == "true-false":
        return true_claim_evidence(question, pool, pack, truth)
    if question.type == "multiple-response":
        return []
    template = pool.templates.get(question.template_id)
    slot = "object" if question.type in ("matching", "ordering") or template is None else template.ask
    asked = question.fact_ids if question.type in ("matching", "ordering") else question.fact_ids[:1]
    found = []
    for fact_id in asked:
        fact = truth.fact(fact_id)
        quotes = [c.evidence for c in question.citations if c.fact_id == fact_id and c.evidence]
        if not quotes:
            found.append(("evidence-shown", ERROR, f"no quotation is shown for fact {fact_id}"))
            continue
        forms = written_forms(fact.value(slot), pack.relation(fact.relation).slot_type(slot), pack.entity)
        if not any(states_any(q, forms) for q in quotes):
            found.append(("evidence-supports-answer", ERROR, f"the quotation {quotes[0]!r} for fact {fact_id} "
                                                             f"does not state {forms[0]!r}"))
    return found


def true_claim_evidence(question: Question, pool: Pool, pack: Pack, truth: Truth) -> list[tuple[str, str, str]]:
    """A true claim's quotations state what it turns on, its asked value and the date it names: a student who checks
    the key against its source finds them there ("ISIS pulled out to the T2 oil station" does not say ISIL took it
    on 10 April)."""
    template = pool.templates.get(question.template_id)
    if question.answer != "True" or template is None:
        return []
    fact = truth.fact(question.fact_ids[0])
    quotes = [c.evidence for c in question.citations if c.fact_id == fact.id and c.evidence]
    if not quotes:
        return []
    value = fact.value(template.ask)
    forms = written_forms(value, pack.relation(fact.relation).slot_type(template.ask), pack.entity)
    wanted = [(forms[0], forms)]
    if fact.date is not None and contains_phrase(question.prompt, fact.date.human()):
        wanted.append((fact.date.human(), fact.date.written_forms()))
    missing = [shown for shown, forms in wanted if not any(states_any(q, forms) for q in quotes)]
    return [("evidence-supports-claim", WARNING, f"the quotations shown do not state {' or '.join(missing)!r}: a "
                                                 "student checking the key against its source cannot find it; "
                                                 "quote the sentence that says it")] if missing else []


def pool_findings(pool: Pool, pack: Pack, facts: dict) -> list[Finding]:
    """Rules over the pool as a whole: duplicates, a key that is systematically the longest, unasked facts."""
    found: list[Finding] = []
    by_prompt: dict[tuple[str, str], list[Question]] = defaultdict(list)
    for question in pool.questions:
        by_prompt[stem_key(question)].append(question)
    for (qtype, _), same in sorted(by_prompt.items()):
        if len(same) > 1 and qtype != "true-false":
            keys = {q.key_text() if q.type != "multiple-choice" else q.answer for q in same}
            found.append(Finding("duplicate-items", ERROR, _where(same[0], facts, pool), same[0].id,
                                 f"{len(same)} {qtype} items share the stem {same[0].prompt!r}"
                                 + (f" with different keys {sorted(keys)}" if len(keys) > 1 else "")))
    mc = [q for q in pool.questions if q.type == "multiple-choice"]
    longest = [q for q in mc if max(q.options, key=lambda o: len(o.text)).correct]
    if mc and len(longest) / len(mc) > LONGEST_KEY_SHARE:
        found.append(Finding("longest-key", WARNING, f"{pack.root}/relations.yaml:1:1", "-",
                             f"the key is the longest option in {len(longest)} of {len(mc)} multiple-choice items"))
    asked = pool.asked_facts()
    reasons: dict[str, list[str]] = defaultdict(list)
    for skip in pool.skipped:
        reasons[skip.fact_id].append(f"{skip.template_id}: {skip.reason}")
    for fact in pack.quizzable_facts():
        open_list = any(r.split(": ", 1)[-1].startswith(OPEN_LIST) for r in reasons[fact.id])
        hint = cardinality_hint(fact, pack) if open_list else ""
        if fact.id not in asked and (names := names_giving_away(reasons[fact.id])) and \
                not authors_words_name_answer(fact, pack):
            found.append(Finding("names-give-away", WARNING, str(fact.origin), fact.id,
                                 f"fact {fact.id} is never asked: its names give the answer away ({names[0]}), and "
                                 "no question is made that a student could answer from the names alone; the fact "
                                 "still counts for what it makes true. To have it asked, name one of the two "
                                 "entities without the shared word (the full name can stay as an alias); or write "
                                 "`ask: []` on the fact to keep it only for what it makes true"))
        elif fact.id not in asked:
            why = "; ".join(sorted(set(reasons[fact.id]))[:4]) or "no template selects it"
            found.append(Finding("coverage", ERROR, str(fact.origin), fact.id,
                                 f"fact {fact.id} is never asked ({why}){hint}"))
        elif open_list:
            found.append(Finding("open-list", WARNING, str(fact.origin), fact.id,
                                 f"fact {fact.id} gets no written-answer question and no false claim: the pack "
                                 f"does not say its list of {fact.relation!r} values is complete, so a value it "
                                 f"leaves out could still be right. If a source gives the full list, declare it "
                                 f"complete (`complete` or `complete_for` in relations.yaml){hint}"))
    found += cardinality_findings(pack)
    found += number_findings(pack)
    found += phrasing_findings(pack)
    found += related_findings(pack)
    found += unaskable_dated_findings(pack)
    found += fewer_questions_findings(pool, pack)
    found += ambiguous_name_findings(pack)
    return found


# The engine's own reasons for declining a question because names give it away (questions.name_hint_reason,
# options_hint_reason, a true/false claim read off the names): not the author's words, so no error of theirs.
NAMES_GIVE_AWAY = re.compile(r"^(?:the name .+ points at its answer |its names share |only its answers share )")
ASKED_INSTEAD = re.compile(r"asked as [a-z-]+ instead$")


def names_giving_away(reasons: list[str]) -> list[str]:
    """The reasons a fact is never asked, when every one of them is that its names give the answer away (besides
    forms that defer to another form); else []."""
    own = [r.split(": ", 1)[-1] for r in reasons]
    own = [r for r in own if not ASKED_INSTEAD.search(r)]
    return sorted(set(own)) if own and all(NAMES_GIVE_AWAY.match(r) for r in own) else []


def authors_words_name_answer(fact, pack: Pack) -> bool:
    """The pack's own words (its title, the relation's questions) name a value the fact may be asked for: a give-away
    the author can mend, whatever the names share."""
    relation = pack.relation(fact.relation)
    for slot in fact.ask:
        words = [pack.title, relation.question(slot) or "", relation.question_for_all(slot) or ""]
        if any(contains_phrase(text, name) for text in words if text
               for name in names_of(fact.value(slot), relation.slot_type(slot), pack)):
            return True
    return False


def cardinality_hint(fact, pack: Pack) -> str:
    """Where a relation asks only for a slot it leaves open while it says the other slot holds one value, the author
    may have meant the asked slot: `objects: one` written for "each object has one subject"."""
    relation = pack.relation(fact.relation)
    for slot in SLOTS:
        given = other(slot)
        if relation.question(slot) and not relation.question(given) and relation.holds_for_many(slot) \
                and not relation.holds_for_many(given):
            return (f"; note that {relation.id!r} says `{given}s: one` (one {given} for each {slot}) and asks only "
                    f"for its {slot}, which it leaves open: if it is each {given} that has one {slot}, `{slot}s: one` "
                    f"is the field meant")
    return ""


def fewer_questions_findings(pool: Pool, pack: Pack) -> list[Finding]:
    """Every reason a quizzable fact yields fewer questions than its relation allows (`stats --why` lists them)."""
    found = []
    for fact in pack.quizzable_facts():
        reasons = reasons_for(fact, pool, pack)
        if reasons:
            found.append(Finding("fewer-questions", INFO, str(fact.origin), fact.id,
                                 f"fact {fact.id}: " + "; ".join(reasons)))
    return found


OPEN_LIST = "the pack may not list every"


def summary(findings: list[Finding]) -> str:
    counts = Counter((f.severity, f.rule) for f in findings)
    lines = [f"  {severity:<7} {rule:<28} {n:>4}" for (severity, rule), n in sorted(counts.items())]
    errors = sum(n for (severity, _), n in counts.items() if severity == ERROR)
    warnings = sum(n for (severity, _), n in counts.items() if severity == WARNING)
    return "\n".join([*lines, f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"])
