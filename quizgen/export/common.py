"""What several export formats share: card sides, citations, ordering questions as matching, numbers and zips.

Escaping for a format's own syntax (GIFT specials, cloze markers, CSV) lives in that format's module;
the HTML that Moodle, Canvas and Anki all take is escaped here, once.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..study import deck as study
from ..model import OPTION_TYPES, Citation, Pair, Question, QuestionSet, format_number
from ..text import cut_at_word

# Zip entries carry a date; a fixed one keeps archives byte-identical between builds.
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Notice:
    """A warning from an export: one line to print, and a line per question concerned (for --verbose
    and the build manifest)."""

    text: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


CORRECT_FEEDBACK = "Correct."
PARTLY_CORRECT_FEEDBACK = "Partly correct."
INCORRECT_FEEDBACK = "Not quite."
ORDERING_AS_MATCHING_NOTE = "Match each item with its place in the order (1 = first)."


def card_front(question: Question) -> str:
    """The prompt side of a flashcard on one line, with the items to order or match (quizgen.study.deck)."""
    return study.card_front(question).one_line()


def card_back(question: Question) -> str:
    """The answer side of a flashcard: the question's short card back, or its answer."""
    return question.back or question.answer


def unique_citations(question: Question) -> tuple[Citation, ...]:
    """The question's citations without repeats (two facts from one source passage cite it once)."""
    seen: dict[tuple[str, str, str | None], Citation] = {}
    for citation in question.citations:
        seen.setdefault((citation.text, citation.evidence, citation.url), citation)
    return tuple(seen.values())


def citation_line(citation: Citation) -> str:
    """One citation as plain text: 'Publisher, “Title”, date: “the supporting words” https://…'."""
    line = f"{citation.text}: “{citation.evidence}”" if citation.evidence else citation.text
    return f"{line} {citation.url}" if citation.url else line


def source_text(question: Question) -> str:
    """Every citation of a question as plain text, one per line."""
    return "\n".join(citation_line(c) for c in unique_citations(question))


def correct_option_texts(question: Question) -> tuple[str, ...]:
    return tuple(o.text for o in question.options if o.correct)


def accepted_answers(question: Question) -> tuple[str, ...]:
    """The answer, then every other accepted spelling, without repeats."""
    return tuple(dict.fromkeys((question.answer, *question.accepted)))


def takes_several_answers(question: Question) -> bool:
    """A multiple-response question, or a multiple choice with more than one right option: ticked as a set."""
    return question.type == "multiple-response" or (question.type in OPTION_TYPES and len(question.correct_options) > 1)


# The grades Moodle lets an answer carry (question_bank::fraction_options), positive or negative, as it stores them.
# Its importers match a weight to one of them within 0.00001 and refuse the question when none is that close.
MOODLE_GRADES = tuple(Decimal(g) for g in ("1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5",
                                           "0.4", "0.3333333", "0.3", "0.25", "0.2", "0.1666667", "0.1428571",
                                           "0.125", "0.1111111", "0.1", "0.05"))


def several_answer_weights(question: Question) -> tuple[str, ...]:
    """Each option's weight in percent, in option order, for Moodle's multiple-response grading (XML and GIFT).

    Moodle adds the weights of the ticked options and floors the sum at 0. The right options share 100 %;
    each wrong one takes the smallest grade Moodle offers with which the wrong ones together weigh at least
    as much as the right ones, as Moodle stores them (three thirds of 0.3333333 fall short of one, so three
    wrong options beside two right ones take 40 % each): ticking every box scores exactly 0, and a wrong tick
    costs no more than that requires.
    """
    right = len(question.correct_options)
    wrong = len(question.options) - right
    share = number_text(round(100 / right, 5))
    right_total = right * Decimal(share) / 100
    penalty = min((g for g in MOODLE_GRADES if wrong * g >= right_total), default=MOODLE_GRADES[0]) if wrong else 0
    return tuple(share if o.correct else "-" + number_text(float(penalty * 100)) for o in question.options)


def has_true_false_options(question: Question) -> bool:
    """Two options, literally True and False, one of them right: what LMS true/false types can hold."""
    texts = sorted(o.text.strip().lower() for o in question.options)
    return texts == ["false", "true"] and len(question.correct_options) == 1


def ordering_pairs(question: Question) -> tuple[Pair, ...]:
    """An ordering question as matching pairs, item → position ('1' is first), in display order.

    GIFT, Canvas and Quizlet-style tools have no ordering type; matching each item to its
    position asks the same thing and is graded item by item.
    """
    position = {text: str(n) for n, text in enumerate(question.sequence, 1)}
    return tuple(Pair(item, position[item]) for item in question.items)


def ordering_positions(question: Question) -> tuple[str, ...]:
    return tuple(str(n) for n in range(1, len(question.sequence) + 1))


def matching_distractors(question: Question) -> tuple[str, ...]:
    """Right-hand choices that no left-hand item matches."""
    used = {p.right for p in question.pairs}
    return tuple(c for c in question.choices if c not in used)


def category_names(question_set: QuestionSet, question: Question) -> tuple[str, ...]:
    """Where a question is filed in an LMS question bank: the pack, then the title of the question's topic (its
    first tag when it has none), as study cards are grouped. A fact's tags are the author's bookkeeping
    (`seed`, `no-quiz`), not a way through a question bank."""
    if question.topic:
        return (question_set.pack_title, question_set.topic_title(question.topic))
    return (question_set.pack_title, question.tags[0]) if question.tags else (question_set.pack_title,)


def licence_sentence(question_set: QuestionSet) -> str:
    """' Licence: …' as a sentence to follow another, ending in one full stop whether or not the pack's licence
    text ends in one; empty without a licence."""
    licence = question_set.licence.strip()
    if not licence:
        return ""
    return f" Licence: {licence}" + ("" if licence.endswith((".", "!", "?", "…")) else ".")


def number_text(value: float) -> str:
    """A number as importers read it: no thousands separators, no trailing '.0' ('1230', '0.25', '-3')."""
    return format_number(value, grouped=False, places=10)


def short_title(text: str, limit: int = 80) -> str:
    """A one-line name for a question bank list, cut at a word boundary with '…' when longer than `limit`."""
    return cut_at_word(" ".join(text.split()), limit, trailing=" ,;:", keep_word_ending_at_cut=False)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula (OWASP's list); a plain number such as '-3' is not one."""
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def spreadsheet_text(text: str) -> str:
    """A CSV or TSV field that a spreadsheet shows as text: a formula-like start gets a leading single quote.

    A negative number stays as it is, so a numeric answer column keeps numbers a spreadsheet can sum.
    """
    return "'" + text if starts_like_formula(text) else text


def html_text(text: str) -> str:
    """Plain text as HTML that shows it as written: `&`, `<`, `>` and both quotes escaped."""
    return html.escape(xml_characters(text), quote=True)


def citation_html(citation: Citation) -> str:
    """One citation as HTML: 'Publisher, “Title”: “the supporting words” <a href=…>…</a>'."""
    line = html_text(citation.text)
    if citation.evidence:
        line += f": “{html_text(citation.evidence)}”"
    if citation.url:
        line += f' <a href="{html_text(citation.url)}">{html_text(citation.url)}</a>'
    return line


def feedback_html(question: Question) -> str:
    """The explanation and every source as HTML paragraphs, links clickable."""
    parts = [f"<p>{html_text(question.explanation)}</p>"] if question.explanation else []
    parts.extend(f"<p>Source: {citation_html(c)}</p>" for c in unique_citations(question))
    return "".join(parts)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_characters(text: str) -> str:
    """`text` without the control characters XML 1.0 cannot hold at all (not even escaped)."""
    return _NOT_XML.sub("", text)


def zip_archive(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of (name, data) entries in the given order with fixed dates; a name ending in '/' is a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            info.create_system = 3  # the default depends on the platform that writes the file
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    return buffer.getvalue()


def repacked_zip(data: bytes) -> bytes:
    """The same archive with fixed dates, for zips that a library writes with the current time."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return zip_archive(entries)
