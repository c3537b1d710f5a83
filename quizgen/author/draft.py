"""`quizgen draft`: hold a source text against a pack, list every sentence no fact quotes yet with what it mentions
(the pack's entities, dates, figures), and write a fact skeleton for each into a draft YAML the author edits."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..load.evidence import insertion_pattern, insertions, normalise_space, states_figure
from ..errors import QuizgenError, display_path
from ..model import SLOTS, VALUE_TYPES, Fact, Pack, Relation
from ..ownership import write_loose_file
from .sourcetext import (Mention, Sentence, bound_of, dates_in, figures_in, is_approximate, last_year, names_in,
                         read_source, sentences_of, unit_after)
from ..text import counted


@dataclass(frozen=True)
class EntityMention:
    entity: str  # the entity's id
    text: str    # the name or alias as the sentence writes it
    start: int
    end: int


@dataclass(frozen=True)
class SentenceDraft:
    """One sentence of the source, what it mentions, which facts quote it and which relations could say it."""

    sentence: Sentence
    entities: tuple[EntityMention, ...]
    dates: tuple[Mention, ...]
    figures: tuple[Mention, ...]
    quoted_by: tuple[str, ...]          # ids of the facts whose quotation is (or holds) this sentence
    relations: tuple[Relation, ...]     # relations whose slot types the mentions fit, best first
    new_names: tuple[str, ...] = ()     # names the sentence gives that no entity of the pack has

    @property
    def quoted(self) -> bool:
        return bool(self.quoted_by)


@dataclass(frozen=True)
class Draft:
    pack: Pack
    source: Path
    source_id: str
    source_in_pack: bool   # a source of the pack already holds this text
    sentences: tuple[SentenceDraft, ...]

    @property
    def unquoted(self) -> tuple[SentenceDraft, ...]:
        return tuple(s for s in self.sentences if not s.quoted)

    @cached_property
    def fact_ids(self) -> tuple[str, ...]:
        """A fresh fact id for each unquoted sentence, clear of the pack's own ids."""
        taken = {f.id for f in self.pack.facts}
        ids: list[str] = []
        number = 0
        while len(ids) < len(self.unquoted):
            number += 1
            if (candidate := f"D{number:03d}") not in taken:
                ids.append(candidate)
        return tuple(ids)


def draft_of(pack: Pack, source: Path) -> Draft:
    """The source held against the pack: every sentence with its mentions, the facts quoting it, fitting relations."""
    text = read_source(source)
    names = entity_names(pack)
    known_names = {name.casefold() for e in pack.entities for name in e.names}
    year: int | None = None
    drafts = []
    sentences = list(sentences_of(text))
    named_inside = names_inside_sentences(sentence.text for sentence in sentences)
    for sentence in sentences:
        dates = dates_in(sentence.text, year)
        year = last_year(dates, year)
        figures = figures_in(sentence.text, dates)
        entities = entities_in(sentence.text, names)
        drafts.append(SentenceDraft(sentence, tuple(entities), tuple(dates), tuple(figures),
                                    tuple(f.id for f in quoting_facts(sentence.text, pack.facts)),
                                    tuple(fitting_relations(pack, entities, dates, figures, sentence.text)),
                                    tuple(n for n in unknown_names(sentence.text, entities, known_names)
                                          if not opening_word_only(n, sentence.text, named_inside))))
    known = source_holding(pack, source, text)
    return Draft(pack, Path(source), known or fresh_source_id(pack), known is not None, tuple(drafts))


def names_inside_sentences(texts) -> set[str]:
    """The names the source writes somewhere other than at the start of a sentence."""
    return {m.text for text in texts for m in names_in(text) if m.start > 0}


def opening_word_only(name: str, sentence: str, named_inside: set[str]) -> bool:
    """A single capitalised word that opens its sentence ("Now", "Born", "Using") and is capitalised nowhere else in
    the source: a word that starts a sentence, not a name."""
    return " " not in name and sentence.lstrip().startswith(name) and name not in named_inside


def quoting_facts(sentence: str, facts) -> list[Fact]:
    """The facts one of whose quotations lies within the sentence, or holds all of it (a quotation may run over
    several sentences); spaces are compared loosely, as check compares quotations with their sources."""
    sentence = normalise_space(sentence)
    return [f for f in facts if any((q := normalise_space(quote)) in sentence or holds_sentence(q, sentence)
                                    or insertions(quote) and insertion_pattern(quote).search(sentence)
                                    for quote in f.quotes)]


def holds_sentence(quote: str, sentence: str) -> bool:
    """The quotation holds the whole sentence, from its start to its closing mark (not just a heading's words)."""
    return (quote == sentence or sentence[-1:] in ".!?" and (quote.startswith(sentence) or f" {sentence}" in quote))


def quotations_state_figure(figure: str, facts) -> bool:
    """Some fact's quotation writes this figure, with its own digits (108 is not in 1080)."""
    return any(states_figure(quote, figure) for f in facts for quote in f.quotes)


def quotations_state_date(date_text: str, facts) -> bool:
    text = normalise_space(date_text)
    return any(text in normalise_space(quote) for f in facts for quote in f.quotes)


def entity_names(pack: Pack) -> list[tuple[re.Pattern, str, str]]:
    """(pattern, entity id, name) for every name and alias of the pack's entities, longest first: a name matches as
    whole words, exactly but for the case of its first letter ("al-Nusra Front" at a sentence's start)."""
    names = [(name, e.id) for e in pack.entities for name in e.names]
    names.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(rf"(?<!\w)(?:{re.escape(name[0].lower())}|{re.escape(name[0].upper())}){re.escape(name[1:])}"
                        rf"(?!\w)"), eid, name) for name, eid in names if name]


def entities_in(sentence: str, names: list[tuple[re.Pattern, str, str]]) -> list[EntityMention]:
    """The entities a sentence names, each once, by its longest name found; a name inside a longer one found
    already ("Islamic State" inside "Islamic State of Iraq and the Levant") does not count again."""
    found: list[EntityMention] = []
    for pattern, eid, _ in names:
        for match in pattern.finditer(sentence):
            if any(match.start() < m.end and m.start < match.end() for m in found):
                continue
            if all(m.entity != eid for m in found):
                found.append(EntityMention(eid, match.group(0), match.start(), match.end()))
            break
    return sorted(found, key=lambda m: m.start)


def unknown_names(sentence: str, entities: list[EntityMention], known: set[str]) -> list[str]:
    """The names the sentence gives (sourcetext.names_in) that are no name of the pack's entities and lie outside
    the entities found in it."""
    return [m.text for m in names_in(sentence)
            if m.text.casefold() not in known and not any(m.start < e.end and e.start < m.end for e in entities)]


def slot_candidates(pack: Pack, slot_type: str, entities: list[EntityMention], dates: list[Mention],
                    figures: list[Mention]) -> list[str] | None:
    """The values the sentence offers for a slot of this type; None for a text slot, which any sentence can fill."""
    if slot_type == "text":
        return None
    if slot_type == "date":
        return [d.value for d in dates if d.value]
    if slot_type == "number":
        return [f.value for f in figures]
    return [m.entity for m in entities if pack.entity(m.entity).category == slot_type]


def fitting_relations(pack: Pack, entities: list[EntityMention], dates: list[Mention],
                      figures: list[Mention], sentence: str = "") -> list[Relation]:
    """Relations whose every entity, date and number slot the sentence can fill: those filling more slots first,
    then those sharing more words with the sentence ("died" for died-in over born-in). A text slot is no mention
    a sentence could confirm (any sentence has words), so a relation with one fits only where the sentence also
    shares a word with the relation's own, and one of two text slots never fits."""
    words = content_words(sentence)
    scored = []
    for index, relation in enumerate(pack.relations):
        offered = [slot_candidates(pack, t, entities, dates, figures) for t in (relation.subject, relation.object)]
        if any(values == [] for values in offered) or all(values is None for values in offered):
            continue
        if relation.subject == relation.object and relation.subject not in VALUE_TYPES and len(offered[0]) < 2:
            continue  # a relation between two people needs two of them named
        shared = len(words & content_words(f"{relation.id.replace('-', ' ')} {relation.sentence}"))
        if None in offered and not shared:
            continue
        scored.append((-sum(values is not None for values in offered), -shared, index, relation))
    return [relation for *_, relation in sorted(scored, key=lambda s: s[:3])]


SMALL_WORDS = {"the", "and", "was", "were", "is", "are", "of", "in", "on", "at", "to", "by", "a", "an", "for",
               "with", "from", "as", "its", "his", "her", "their", "has", "had", "have", "be", "been", "it", "that"}


def content_words(text: str) -> set[str]:
    """The words that carry meaning, without placeholders, as a crude stem (their first five letters)."""
    words = re.findall(r"[a-z]+", re.sub(r"\{\w+\}", " ", text.lower()))
    return {w[:5] for w in words if w not in SMALL_WORDS and len(w) > 2}


def source_holding(pack: Pack, path: Path, text: str) -> str | None:
    """The id of the pack's source whose file is this one, or holds the same text."""
    path = Path(path)
    for source in pack.sources:
        if source.file and (pack.root / source.file).exists() and path.exists():
            if (pack.root / source.file).resolve() == path.resolve():
                return source.id
        if source.text and normalise_space(source.text) == normalise_space(text):
            return source.id
    return None


def fresh_source_id(pack: Pack) -> str:
    taken = {s.id for s in pack.sources}
    number = len(taken) + 1
    while f"S{number}" in taken:
        number += 1
    return f"S{number}"


# ---- what the command prints ----------------------------------------------------------------------------


def where(draft: Draft, item: SentenceDraft) -> str:
    """'line 4', or 'line 4, sentence 2' where a paragraph written as one line holds several sentences."""
    on_line = [s for s in draft.sentences if s.sentence.line == item.sentence.line]
    if len(on_line) == 1:
        return f"line {item.sentence.line}"
    return f"line {item.sentence.line}, sentence {on_line.index(item) + 1}"


def draft_report(draft: Draft, target: Path | None) -> str:
    """Every unquoted sentence with its mentions and fitting relations, and where the skeletons went."""
    source = display_path(draft.source)
    total, unquoted = len(draft.sentences), draft.unquoted
    if not unquoted:
        return (f"{source}: every one of its {counted(total, 'sentence')} is quoted by a fact of {draft.pack.id}: "
                "0 uncovered sentences, nothing to draft")
    lines = [f"{source}: {len(unquoted)} of {counted(total, 'sentence')} quoted by no fact of {draft.pack.id} yet"
             + (f"; a fact skeleton for each in {display_path(target)}" if target else "")]
    for item in unquoted:
        lines.append(f"  {where(draft, item)}: {item.sentence.text}")
        lines.append(f"    mentions: {mentions_line(item)}")
        if item.new_names:
            lines.append(f"    names not in the pack: {', '.join(item.new_names)}")
        lines.append(f"    relations that fit: {', '.join(r.id for r in item.relations) or 'none'}")
    return "\n".join(lines)


def mentions_line(item: SentenceDraft) -> str:
    parts = [f"{m.entity} ({m.text})" for m in item.entities]
    parts += [f"date {d.value or '(year unknown)'} ({d.text})" for d in item.dates]
    parts += [f"number {f.text}" for f in item.figures]
    return "; ".join(parts) or "no entity, date or number of the pack"


IN_QUOTATION = "written in a quotation"


def coverage_report(draft: Draft, asked: set[str]) -> str:
    """How much of the source the pack covers: sentences quoted, figures and dates written in a quotation, each
    counted once for any fact and once for the facts some question asks (`asked`, by fact id)."""
    facts = draft.pack.facts
    asked_facts = [f for f in facts if f.id in asked]
    figures = sorted({f.text for s in draft.sentences for f in s.figures})
    dates = sorted({d.text for s in draft.sentences for d in s.dates})
    rows = [("sentences", len(draft.sentences), "quoted by a fact",
             sum(s.quoted for s in draft.sentences), sum(bool(set(s.quoted_by) & asked) for s in draft.sentences)),
            ("numbers", len(figures), IN_QUOTATION, sum(quotations_state_figure(f, facts) for f in figures),
             sum(quotations_state_figure(f, asked_facts) for f in figures)),
            ("dates", len(dates), IN_QUOTATION, sum(quotations_state_date(d, facts) for d in dates),
             sum(quotations_state_date(d, asked_facts) for d in dates))]
    lines = [f"{display_path(draft.source)} against {draft.pack.id}:"]
    for name, total, how, covered, by_asked in rows:
        lines.append(f"  {name:<10} {covered:>4} of {total:<4} {how} ({share(covered, total)}); "
                     f"{by_asked} by a fact a question asks ({share(by_asked, total)})")
    return "\n".join(lines)


def share(part: int, total: int) -> str:
    return f"{100 * part / total:.0f}%" if total else "-"


# ---- the draft YAML -------------------------------------------------------------------------------------


def draft_path(source: Path) -> Path:
    return Path(f"draft-{Path(source).stem}.yaml")


def write_draft(draft: Draft, target: Path | None) -> Path | None:
    """Write the skeletons where no file of the user's is replaced (and never into the pack); None when every
    sentence is quoted already, so there is nothing to draft."""
    if not draft.unquoted:
        return None
    target = Path(target) if target else draft_path(draft.source)
    return write_loose_file(target, draft_yaml(draft).encode("utf-8"), option="--out", pack=draft.pack.root)


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def draft_yaml(draft: Draft) -> str:
    pack = draft.pack
    lines = [f"# Draft facts for the pack {pack.id} from {Path(draft.source).name}, written by `quizgen draft`: a",
             "# skeleton for each sentence no fact quotes yet. For each: keep the relation that says what the",
             "# sentence says (the others that fit are listed above it), fill what is empty, make sure the evidence",
             "# names every value a question may ask (or give per-slot evidence), then move the fact into one of the",
             "# pack's facts*.yaml files and run `quizgen check`. A sentence not worth asking: delete its skeleton.",
             "# `quizgen draft` rewrites this file when run again, unless you changed it.", ""]
    if not draft.source_in_pack:
        lines += source_entry(draft)
    lines += entity_entries(draft)
    lines.append("facts:")
    for item, fact_id in zip(draft.unquoted, draft.fact_ids):
        lines += fact_skeleton(draft, item, fact_id)
    return "\n".join(lines) + "\n"


def source_entry(draft: Draft) -> list[str]:
    plain = Path(draft.source).suffix.lower() not in {".html", ".htm", ".xhtml", ".md", ".markdown"}
    title = source_title(draft)
    lines = ["# The source is not in the pack yet: move this entry into sources.yaml and fill in who published it.",
             "sources:", f"  - id: {draft.source_id}", f"    title: {quoted(title)}",
             "    publisher: \"\"               # required: who published it", "    url: \"\"                     # "
             "where readers find it (or leave it out when `file` is given)"]
    if plain:
        lines += [f"    file: sources/{Path(draft.source).name}   # copy the text into the pack's sources/ folder"]
    else:
        lines += ["    excerpts:                   # the sentences quoted below, as plain text"]
        lines += [f"      - {quoted(item.sentence.text)}" for item in draft.unquoted]
    return lines + [""]


def source_title(draft: Draft) -> str:
    """The source's heading when its first line is a short one, else its file name: never a cut sentence."""
    try:
        first = next((line.strip().lstrip("#").strip() for line in read_source(draft.source).splitlines()
                      if line.strip()), "")
    except (OSError, QuizgenError):
        first = ""
    if first and len(first) <= 100 and not first.endswith((".", "!", "?")):
        return first
    return Path(draft.source).stem.replace("-", " ").replace("_", " ")


def new_entity_ids(draft: Draft) -> dict[str, str]:
    """Each name the pack lacks, in the order the source gives them, with an id made from it, clear of the pack's."""
    taken = {e.id for e in draft.pack.entities}
    ids: dict[str, str] = {}
    for item in draft.unquoted:
        for name in item.new_names:
            if name in ids:
                continue
            base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "entity"
            candidate, number = base, 1
            while candidate in taken:
                number += 1
                candidate = f"{base}-{number}"
            taken.add(candidate)
            ids[name] = candidate
    return ids


def entity_entries(draft: Draft) -> list[str]:
    ids = new_entity_ids(draft)
    if not ids:
        return []
    categories = ", ".join(c.id for c in draft.pack.categories)
    lines = ["# Names the source gives that no entity of the pack has: keep those a fact needs (move them into",
             "# entities.yaml with a category and a one-line description), delete the rest.", "entities:"]
    for name, entity_id in ids.items():
        lines += [f"  - id: {entity_id}", f"    name: {quoted(name)}",
                  f"    category: \"\"          # one of: {categories}, or a new one in relations.yaml",
                  "    description: \"\"       # required: one line for authors and reviewers",
                  f"    sources: [{draft.source_id}]"]
    return lines + [""]


def fact_skeleton(draft: Draft, item: SentenceDraft, fact_id: str) -> list[str]:
    pack = draft.pack
    relation = item.relations[0] if item.relations else None
    lines = [f"  # {where(draft, item)}: {mentions_line(item)}"]
    if len(item.relations) > 1:
        lines.append(f"  # relations that also fit: {', '.join(r.id for r in item.relations[1:])}")
    lines += [f"  - id: {fact_id}"]
    if relation is None:
        lines += ['    relation: ""   # no relation of relations.yaml fits what it names: add one, or delete this fact',
                  "    subject: \"\"", "    object: \"\""]
    else:
        lines.append(f"    relation: {relation.id}")
        used: set[str] = set()
        for slot, slot_type in (("subject", relation.subject), ("object", relation.object)):
            lines.append(f"    {slot}: {slot_value(pack, item, slot_type, used, relation, slot)}")
        if same_category_unoriented(pack, relation, item):
            lines.append(f"    # both slots hold a {relation.subject} and nothing in the pack says which is which: "
                         f"check who is the subject (\"{relation.sentence}\")")
        dated = relation.object != "date" and next((d.value for d in item.dates if d.value), None)
        if dated and takes_a_date(pack, relation):
            lines.append(f"    date: {dated}            # when it held; leave out if the date is not about it")
    topics = ", ".join(t.id for t in pack.topics)
    topic = fitting_topic(pack, item)
    lines += [f"    topic: {topic}   # one of: {topics}" if topic else
              f"    topic: \"\"   # to fill: one of {topics}, or a new topic added to pack.yaml",
              f"    sources: [{draft.source_id}]", f"    evidence: {quoted(item.sentence.text)}", ""]
    return lines


def fitting_topic(pack: Pack, item: SentenceDraft) -> str | None:
    """The one topic of the pack's facts about the entities the sentence names (those facts whose subject it names,
    else those naming it at all); None, for the author to choose, when they have several topics or the pack has no
    fact about them: a sentence on a new subject does not belong to the starter's topic."""
    named = {m.entity for m in item.entities}
    topics = ({f.topic for f in pack.facts if f.subject in named}
              or {f.topic for f in pack.facts if {f.subject, f.object} & named})
    return topics.pop() if len(topics) == 1 else None


def takes_a_date(pack: Pack, relation: Relation) -> bool:
    """Whether a fact of the relation carries a `date:` of when it held: its words say when ({when}), it is listed in
    ordering items (`item`), or the pack's facts of it are dated. A date elsewhere in the sentence is no qualifier of
    a relation that never says when (born-in: the date is the birth's, a fact of born-on)."""
    words = " ".join(filter(None, (relation.sentence, relation.claim, relation.ask_subject, relation.ask_object,
                                   relation.ask_subjects, relation.ask_objects, relation.item, relation.match)))
    return "{when}" in words or relation.item is not None or any(
        f.relation == relation.id and f.date is not None for f in pack.facts)


def slot_leaning(pack: Pack, relation: Relation, entity_id: str) -> str | None:
    """The slot the pack puts this entity in for a relation between two of one category, or None where it does not
    say: a `complete_for` naming it on one side, else the side the pack's facts of the relation give it most."""
    for side, value, _ in relation.complete_for:
        if value == entity_id and side in SLOTS:
            return side
    sides = Counter(slot for f in pack.facts if f.relation == relation.id for slot in SLOTS
                    if f.value(slot) == entity_id)
    if sides and sides["subject"] != sides["object"]:
        return "subject" if sides["subject"] > sides["object"] else "object"
    return None


def oriented(pack: Pack, relation: Relation, values: list[str], slot: str) -> list[str]:
    """Entities of the one category both slots hold, those the pack puts in `slot` first: a side it gives them
    (`slot_leaning`), or, for a relation with `older`, the one whose `period` began first in the older slot; else as
    the source names them."""
    if len(values) < 2:
        return values
    leaning = {v: slot_leaning(pack, relation, v) for v in values}
    if any(leaning.values()):
        return sorted(values, key=lambda v: 0 if leaning[v] == slot else 2 if leaning[v] else 1)
    if relation.older in SLOTS:
        starts = {v: pack.entity(v).period.start for v in values if pack.entity(v).period is not None}
        if len(starts) == len(values):
            return sorted(values, key=lambda v: starts[v], reverse=relation.older != slot)
    return values


def same_category_unoriented(pack: Pack, relation: Relation, item: SentenceDraft) -> bool:
    """A relation between two entities of one category where the pack says nothing of which way round they go."""
    if relation.subject != relation.object or relation.subject in VALUE_TYPES:
        return False
    values = [m.entity for m in item.entities if pack.entity(m.entity).category == relation.subject]
    if any(slot_leaning(pack, relation, v) for v in values):
        return False
    return not (relation.older in SLOTS and all(pack.entity(v).period is not None for v in values))


def slot_value(pack: Pack, item: SentenceDraft, slot_type: str, used: set[str], relation: Relation | None = None,
               slot: str = "subject") -> str:
    """The YAML for a slot: the first mention of its type not used by the other slot (in the order the pack gives
    two of one category), or an empty text to fill."""
    if slot_type == "text":
        return "\"\"   # a noun phrase the questions name it by"
    if slot_type == "number":
        figure = item.figures[0] if item.figures else None
        if figure is None:
            return "{value: 0, unit: \"\"}"
        bound = bound_of(item.sentence.text, figure)
        approximate = (f", bound: {bound}" if bound else
                       ", approximate: true" if is_approximate(item.sentence.text, figure) else "")
        unit = unit_after(item.sentence.text, figure)
        return f"{{value: {figure.value}, unit: {quoted(unit)}{approximate}}}   # check the unit"
    values = slot_candidates(pack, slot_type, list(item.entities), list(item.dates), list(item.figures))
    if relation is not None and relation.subject == relation.object and slot_type not in VALUE_TYPES:
        values = oriented(pack, relation, values, slot)
    values = [v for v in values if v not in used]
    if not values:
        return quoted("")
    used.add(values[0])
    others = f"   # or: {', '.join(values[1:])}" if len(values) > 1 else ""
    return f"{values[0]}{others}"
