"""Plain tables: `quizlet.tsv` (term TAB definition, for Quizlet-style flashcard import) and `questions.csv`.

The TSV has one card a row and no header, as Quizlet's import box expects; tabs and line breaks inside
a field become spaces so a row stays one card.
In both, a field that a spreadsheet would read as a formula (it starts with = + - @, a tab or a
carriage return; a plain negative number excepted) starts with a single quote, as OWASP advises
against CSV injection: a shared pack cannot put a live formula into a teacher's spreadsheet. The CSV holds every question with all its fields
(RFC 4180 quoting, UTF-8 with a byte-order mark so spreadsheet programs read Arabic correctly);
fields with several values (options, accepted answers, sources, tags) put one value on each line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from ..files import write_atomically
from ..model import OPTION_TYPES, Question, QuestionSet
from ..text import escape_unsafe
from . import common

CSV_COLUMNS = ("id", "type", "prompt", "options", "answer", "accepted", "explanation", "source", "tags")


def write_tsv(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = tsv_file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def tsv_file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    return quizlet_tsv(question_set).encode("utf-8"), []


def write_csv(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = csv_file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def csv_file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    return questions_csv(question_set).encode("utf-8-sig"), []


def quizlet_tsv(question_set: QuestionSet) -> str:
    return "".join(f"{common.spreadsheet_text(one_line(common.card_front(q)))}\t"
                   f"{common.spreadsheet_text(one_line(common.card_back(q)))}\n"
                   for q in question_set.study_deck())


def one_line(text: str) -> str:
    return " ".join(text.split())


def questions_csv(question_set: QuestionSet) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for question in question_set.questions:
        writer.writerow(tuple(common.spreadsheet_text(field) for field in csv_row(question)))
    return buffer.getvalue()


def csv_row(question: Question) -> tuple[str, ...]:
    """One question's cells; control characters are written as visible escapes (\\x1b), never raw."""
    return tuple(escape_unsafe(cell) for cell in _csv_cells(question))


def _csv_cells(question: Question) -> tuple[str, ...]:
    return (question.id, question.type, question.prompt, lines(csv_options(question)), csv_answer(question),
            lines(csv_accepted(question)), question.explanation, common.source_text(question),
            lines(question.tags))


def csv_options(question: Question) -> tuple[str, ...]:
    """What a learner chooses from: options, the right-hand column of a matching, the items to order."""
    if question.type in OPTION_TYPES:
        return tuple(o.text for o in question.options)
    if question.type == "matching":
        return question.choices
    if question.type == "ordering":
        return question.items
    return ()


def csv_answer(question: Question) -> str:
    if question.type in OPTION_TYPES:
        return lines(common.correct_option_texts(question))
    if question.type == "matching":
        return lines(f"{p.left} → {p.right}" for p in question.pairs)
    if question.type == "ordering":
        return lines(question.sequence)
    if question.type == "numeric" and question.numeric:
        return common.number_text(question.numeric.value)
    return question.answer


def csv_accepted(question: Question) -> tuple[str, ...]:
    if question.type == "numeric" and question.numeric:
        numeric = question.numeric
        unit = f" {numeric.unit}" if numeric.unit else ""
        return (f"{common.number_text(numeric.low)} to {common.number_text(numeric.high)}{unit}",)
    return question.accepted


def lines(values: Iterable[str]) -> str:
    return "\n".join(values)
