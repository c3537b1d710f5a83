"""Quotations as evidence: whether a source says a quotation, [insertions] standing for its pronouns,
and whether a quotation states a value."""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Callable

from ..model import SLOTS, VALUE_TYPES, DateValue, Entity, Fact, Number, Relation, Source, Value
from ..text import contains_phrase

POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")


def without_possessive(inserted: str) -> str:
    """The name in a possessive insertion: "[the Brooklyn Bridge's]" for "its" names the Brooklyn Bridge,
    "[the Curies']" the Curies."""
    return POSSESSIVE.sub("", inserted.strip())


def inserted_names(fact: Fact, relation: Relation, entity: Callable[[str], Entity]) -> tuple[str, ...]:
    """The names an insertion may give: each entity slot's name, running name and aliases, and text slots as written."""
    names: list[str] = []
    for slot in SLOTS:
        slot_type, value = relation.slot_type(slot), fact.value(slot)
        if slot_type == "text":
            names.append(value)
        elif slot_type not in VALUE_TYPES:
            names += [entity(value).running_name, *entity(value).names]
    return tuple(dict.fromkeys(names))


def written_forms(value: Value, slot_type: str, entity: Callable[[str], Entity]) -> tuple[str, ...]:
    """The ways a quotation may state a slot's value (`entity` finds an entity by id)."""
    if isinstance(value, (DateValue, Number)):
        return value.written_forms()
    if slot_type in VALUE_TYPES:
        return (value,)
    return entity(value).names


def states_any(quote: str, forms: tuple[str, ...]) -> bool:
    """Whether the quotation states one of the forms, as whole words or (for figures and dates) verbatim; a figure
    counts only with its own sign and digits (108 is not stated by "−108" or "1080")."""
    return any(states_figure(quote, form) if FIGURE.match(form) else contains_phrase(quote, form) or form in quote
               for form in forms)

FIGURE = re.compile(r"^[-−–]?\d")


def states_figure(quote: str, form: str) -> bool:
    unsigned = form.lstrip("-−–")
    signed = unsigned != form
    at = quote.find(unsigned)
    while at >= 0:
        before = quote[at - 1] if at else ""
        after = quote[at + len(unsigned): at + len(unsigned) + 2]
        minus = before in "-−–" and before != "" and not (at >= 2 and quote[at - 2].isalnum())  # "mid-2013" is not
        starts = not (before.isdigit() or (before in ".," and before != "")) and (minus if signed else not minus)
        ends = not (after[:1].isdigit() or (after[:1] in ".," and after[1:2].isdigit()))
        if starts and ends:
            return True
        at = quote.find(unsigned, at + 1)
    return False


@lru_cache(maxsize=4096)
def normalise_space(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def evidence_in_source(evidence: str, source: Source) -> bool:
    """True when the evidence is a verbatim quotation (whitespace runs aside) of the source's text or excerpts,
    editorial insertions in square brackets aside (see `insertion_pattern`)."""
    return quoted_verbatim(evidence, source) or bool(insertions(evidence)) and quoted_with_insertions(evidence, source)


def _haystacks(source: Source) -> list[str]:
    return [normalise_space(h) for h in ([source.text] if source.text else []) + list(source.excerpts)]


def quoted_verbatim(evidence: str, source: Source) -> bool:
    needle = normalise_space(evidence)
    return any(needle in quotation_finder(h) for h in _haystacks(source))


@lru_cache(maxsize=64)
def quotation_finder(text: str) -> QuotationFinder:
    return QuotationFinder(text)


class QuotationFinder:
    """Whether a text holds a quotation, as `quotation in text` says. A large pack checks thousands of quotations
    against one long source text, each a scan of the whole text; once enough have been looked for, the text's words
    are indexed by where each starts, and a quotation of three words or more is looked for only where its second
    word does (bounded by spaces in the quotation, it is a whole word of the text)."""

    SCANS_BEFORE_INDEXING = 100  # a short text, or a few quotations, are scanned: indexing would cost more
    SHORTEST_INDEXED = 10_000  # characters

    def __init__(self, text: str):
        self.text = text
        self.scans = 0
        self.word_starts: dict[str, list[int]] | None = None

    def __contains__(self, quotation: str) -> bool:
        words = quotation.split(" ", 2)
        if len(words) < 3 or not self._indexed():
            return quotation in self.text
        before = len(words[0]) + 1
        return any(start >= before and self.text.startswith(quotation, start - before)
                   for start in self.word_starts.get(words[1], ()))

    def _indexed(self) -> bool:
        if self.word_starts is None:
            self.scans += 1
            if self.scans <= self.SCANS_BEFORE_INDEXING or len(self.text) < self.SHORTEST_INDEXED:
                return False
            self.word_starts = word_starts(self.text)
        return True


def word_starts(text: str) -> dict[str, list[int]]:
    """Where each of the text's words (what lies between two spaces) starts."""
    found: dict[str, list[int]] = {}
    at = 0
    for word in text.split(" "):
        found.setdefault(word, []).append(at)
        at += len(word) + 1
    return found


def quoted_with_insertions(evidence: str, source: Source) -> bool:
    pattern = insertion_pattern(evidence)
    return any(pattern.search(h) for h in _haystacks(source))

INSERTION = re.compile(r"\[([^\[\]]+)\]")
MAX_REPLACED_WORDS = 4  # an insertion stands for a pronoun or a short phrase of the source ("she", "the company")


def insertions(quote: str) -> tuple[str, ...]:
    """The editorial insertions of a quotation: "In 1898 [Marie Curie] discovered polonium" → ("Marie Curie",)."""
    return tuple(found.strip() for found in INSERTION.findall(quote))


@lru_cache(maxsize=4096)
def insertion_pattern(quote: str) -> re.Pattern:
    """A pattern for the quotation's own words, word for word, where each insertion in square brackets stands for up
    to MAX_REPLACED_WORDS words of the source, or for none (an addition)."""
    pieces = [normalise_space(p) for p in INSERTION.split(quote)[::2]]
    stand_in = rf"(?:\s+\S+){{0,{MAX_REPLACED_WORDS}}}\s+"
    parts = [re.escape(pieces[0])]
    for piece in pieces[1:]:
        parts.append(stand_in if parts[-1] and piece else "")
        parts.append(re.escape(piece))
    return re.compile("".join(parts))
