"""Kahoot's spreadsheet import (`.xlsx`, the layout of Kahoot's quiz template) via openpyxl.

Kahoot quizzes take questions of at most 120 characters with two to four answers of at most 75
characters each, a time limit from a fixed list, and the numbers of the correct answers. Multiple
choice, multiple response and true/false questions that fit are written (`takes`; `quizgen export`
deals its set from those alone); every other question is left out, counted in one warning and named
with its reason in the warning's details. Nothing is shortened.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import write_atomically
from ..lean_imports import hidden
from ..model import OPTION_TYPES, Question, QuestionSet
from ..text import counted
from . import common

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is made
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

MAX_QUESTION = 120
MAX_ANSWER = 75
MAX_ANSWERS = 4
TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)
HEADER_ROW = 8  # the template's column titles; questions start on the row below
HEADERS = ("", "Question - max 120 characters", "Answer 1 - max 75 characters", "Answer 2 - max 75 characters",
           "Answer 3 - max 75 characters", "Answer 4 - max 75 characters",
           "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs", "Correct answer(s) - choose at least one")
# the workbook's creation date is part of the file; a fixed one keeps rebuilds byte-identical
FIXED_DATE = datetime.datetime(2000, 1, 1)


@dataclass(frozen=True)
class KahootRow:
    question: str
    answers: tuple[str, ...]
    time_limit: int
    correct: tuple[int, ...]  # answer numbers, 1 to 4


def write(question_set: QuestionSet, path: Path) -> list[common.Notice]:
    data, warnings = file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[common.Notice]]:
    rows, warnings = kahoot_rows(question_set)
    return workbook_bytes(question_set, rows), warnings


def kahoot_rows(question_set: QuestionSet) -> tuple[list[KahootRow], list[common.Notice]]:
    """The rows Kahoot can take, and one notice naming every question left out and why."""
    rows, left_out, other_types = [], [], []
    for question in question_set.questions:
        if question.type not in OPTION_TYPES:
            other_types.append(question.type)
            left_out.append(f"{question.id} ({question.type}): Kahoot quizzes have no {question.type} questions")
            continue
        problem = why_left_out(question)
        if problem:
            left_out.append(f"{question.id} ({question.type}): {problem}")
            continue
        answers = tuple(o.text for o in question.options)
        correct = tuple(n for n, o in enumerate(question.options, 1) if o.correct)
        rows.append(KahootRow(question.prompt, answers, time_limit_for(question), correct))
    if not left_out:
        return rows, []
    reasons = []
    if other_types:
        reasons.append(f"{len(other_types)} of types Kahoot quizzes do not have ({', '.join(dict.fromkeys(other_types))})")
    if len(left_out) > len(other_types):
        reasons.append(f"{len(left_out) - len(other_types)} beyond Kahoot's limits")
    summary = (f"kahoot: left out {len(left_out)} of {counted(len(question_set.questions), 'question')}: "
               f"{'; '.join(reasons)}")
    return rows, [common.Notice(summary, tuple(left_out))]


def takes(question: Question) -> bool:
    """Whether a Kahoot quiz holds the question as it is: a type Kahoot has, within its limits."""
    return question.type in OPTION_TYPES and why_left_out(question) is None


def why_left_out(question: Question) -> str | None:
    if kahoot_length(question.prompt) > MAX_QUESTION:
        return f"the question is {kahoot_length(question.prompt)} characters; Kahoot allows {MAX_QUESTION}"
    if not 2 <= len(question.options) <= MAX_ANSWERS:
        return f"it has {counted(len(question.options), 'answer')}; Kahoot takes 2 to {MAX_ANSWERS}"
    for number, option in enumerate(question.options, 1):
        if kahoot_length(option.text) > MAX_ANSWER:
            return f"answer {number} is {kahoot_length(option.text)} characters; Kahoot allows {MAX_ANSWER}"
    if not question.correct_options:
        return "it has no correct answer"
    return None


def kahoot_length(text: str) -> int:
    # Kahoot counts like a browser does: in UTF-16 units, so a character outside the BMP counts twice
    return len(text.encode("utf-16-le")) // 2


def time_limit_for(question: Question) -> int:
    """Enough time to read the question and answers (about 12 characters a second, 20 s at least)."""
    characters = len(question.prompt) + sum(len(o.text) for o in question.options)
    needed = max(20, 8 + characters / 12)
    return next((limit for limit in TIME_LIMITS if limit >= needed), TIME_LIMITS[-1])


def workbook_bytes(question_set: QuestionSet, rows: list[KahootRow]) -> bytes:
    with hidden("numpy"):  # lean_imports.py: openpyxl would import it (0.06 s, and OpenBLAS's spinning threads)
        from openpyxl import Workbook
        from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    intro = (
        (2, f"Quiz: {question_set.pack_title}"),
        (3, "Each row: a question, two to four answers, a time limit, and the number(s) of the correct answer(s)."),
        (4, "Questions have a limit of 120 characters and answers a limit of 75 characters."),
        (5, f"Questions from the pack “{question_set.pack_id}”; every question cites its sources in the pack."),
    )
    for row, text in intro:
        text_cell(sheet, row, 2, text)
    for column, title in enumerate(HEADERS, 1):
        if title:
            text_cell(sheet, HEADER_ROW, column, title).font = Font(bold=True)
    for number, row in enumerate(rows, 1):
        line = HEADER_ROW + number
        sheet.cell(line, 1, number)
        text_cell(sheet, line, 2, row.question)
        for column, answer in enumerate(row.answers, 3):
            text_cell(sheet, line, column, answer)
        sheet.cell(line, 7, row.time_limit)
        text_cell(sheet, line, 8, ",".join(str(n) for n in row.correct))
    for column, width in zip("ABCDEFGH", (5, 60, 30, 30, 30, 30, 18, 18)):
        sheet.column_dimensions[column].width = width
    return saved_workbook(book)


def text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    from openpyxl.styles import Alignment

    cell = sheet.cell(row, column)
    cell.value = text
    # openpyxl would store text starting with '=' as a formula; an answer is always text
    cell.data_type = "s"
    # and Excel's own mark for "typed with a leading apostrophe": the cell stays text when edited,
    # while Kahoot's import reads the text unchanged (OWASP's advice against formula injection)
    cell.quotePrefix = common.starts_like_formula(text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def saved_workbook(book: Workbook) -> bytes:
    from openpyxl.writer.excel import ExcelWriter

    book.properties.creator = "quizgen"
    book.properties.created = FIXED_DATE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter rather than Workbook.save, which stamps the current time as the modified date
        book.properties.modified = FIXED_DATE
        ExcelWriter(book, archive).write_data()
    return common.repacked_zip(buffer.getvalue())
