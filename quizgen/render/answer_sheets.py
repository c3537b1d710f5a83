"""Answer sheets printed: where every question's boxes sit on the page, computed once from the question set
into the sheet record (sheets/), the class list that names the sheets, and the document a layout draws."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import Problem, QuizgenError
from ..load.records import CsvReader
from ..model import OPTION_TYPES, Question, QuestionSet, Version, option_letter, stable_id
from ..sheets.geometry import (BOX, DIGITS, ITEMS_TOP, MAX_OPTIONS, OPTION_PITCH, ROW, TRUE_FALSE_PITCH, code_box,
                               column_lefts, digit_grid, mark_boxes, rows_per_column)
from ..sheets.paper import Box, Line, Paper
from ..sheets.record import SCORES, SHEETS_PDF, STUDENT_NUMBER, AnswerSheets, SheetItem, SheetPage, Student, code_text
from .layouts import Document, Layouts, Part, render_layout

SHEETS_LAYOUT = "answer-sheet.html"

# answer-sheet pages in one build: WeasyPrint lays out the sheets as one document, at about 7 MB and 0.4 s
# a page, and RENDER_LIMITS (2 GB, 120 s of processor time) must hold for it on a slow machine too
MAX_SHEET_PAGES = 200


def item_layout(question: Question, number: int, x: float, y: float) -> SheetItem:
    """The boxes of one question whose row starts at (x, y)."""
    box_y = y + (ROW - BOX) / 2
    first = x + 9.0
    if question.type in OPTION_TYPES:
        options = question.options
        if len(options) > MAX_OPTIONS:
            raise QuizgenError(Problem("answer sheet", 0, 0, f"question {number}",
                                       f"{len(options)} options do not fit on a sheet row; at most {MAX_OPTIONS}"))
        true_false = question.type == "true-false"
        pitch, label_width = (TRUE_FALSE_PITCH, 9.5) if true_false else (OPTION_PITCH, 3.5)
        labels = tuple(o.text if true_false else option_letter(i) for i, o in enumerate(options))
        boxes = tuple(Box(first + i * pitch + label_width, box_y, BOX, BOX) for i in range(len(options)))
        return SheetItem(number, question.id, question.type, boxes, labels, tuple(o.correct for o in options),
                         tuple(o.text for o in options), x + 7.0, y, question.prompt)
    line = Line(first, y + ROW - 1.5, first + 40.0, y + ROW - 1.5)
    score_left = first + 44.0
    boxes = tuple(Box(score_left + i * OPTION_PITCH + 3.5, box_y, BOX, BOX) for i in range(len(SCORES)))
    return SheetItem(number, question.id, question.type, boxes, SCORES, (), (), x + 7.0, y, question.prompt, line)


def version_pages(version: Version, paper: Paper) -> list[list[SheetItem]]:
    """The items of a version, down the left column then the right one, as many pages as they need."""
    rows = rows_per_column(paper)
    per_page = 2 * rows
    pages: list[list[SheetItem]] = []
    for start in range(0, max(len(version.questions), 1), per_page):
        chunk = version.questions[start:start + per_page]
        items = []
        for offset, question in enumerate(chunk):
            column, row = divmod(offset, rows)
            items.append(item_layout(question, start + offset + 1, column_lefts(paper)[column], ITEMS_TOP + row * ROW))
        pages.append(items)
    return pages


def sheet_layout(question_set: QuestionSet, paper: Paper, students: tuple[Student, ...] = (),
                 inputs: str = "") -> AnswerSheets:
    """Every answer-sheet page: one sheet per version, or one per student (versions dealt in turn)."""
    versions = question_set.versions
    assignments: list[tuple[Version, Student | None]] = (
        [(versions[i % len(versions)], s) for i, s in enumerate(students)] if students else [(v, None) for v in versions])
    laid_out = {v.code: version_pages(v, paper) for v in versions}
    # derived from what the sheets show and score (questions, keys, positions, students), not from the
    # build's inputs: a rebuild that changes nothing on the sheets keeps their code, and their render cache
    build = stable_id(question_set.pack_id, json.dumps(
        {code: [[asdict(item) for item in page] for page in pages] for code, pages in laid_out.items()},
        ensure_ascii=False, sort_keys=True), json.dumps([asdict(s) for s in students]), paper.name, length=10)
    pages = []
    for version, student in assignments:
        count = len(laid_out[version.code])
        for number, items in enumerate(laid_out[version.code], 1):
            pages.append(SheetPage(version.code, number, count, code_text(build, version.code, number, student),
                                   student, mark_boxes(paper), code_box(paper), digit_grid(paper), tuple(items)))
    return AnswerSheets(build, inputs, question_set.pack_id, question_set.pack_title, paper, tuple(pages))


# ---- class lists ---------------------------------------------------------------------------------


MAX_CLASS_LIST_BYTES = 8 * 1024 ** 2  # 100,000 rows of number and name are about 3 MB


@dataclass(frozen=True)
class ClassList:
    """A class list read once (`--students <(…)` is a pipe: its bytes come only once), and their hash."""

    students: tuple[Student, ...]
    fingerprint: str


def read_class_list_once(path: Path) -> ClassList:
    """The students of the class list at `path` and a hash of its bytes, from one read of a file or a pipe."""
    import hashlib

    data = class_list_bytes(Path(path))
    return ClassList(class_list_from(data, path), hashlib.sha256(data).hexdigest())


def class_list_bytes(path: Path) -> bytes:
    """The bytes of a regular file or a pipe, read from start to end without seeking, at most
    MAX_CLASS_LIST_BYTES; a folder, a device or a socket is refused before it is read."""
    def refused(message: str) -> QuizgenError:
        return QuizgenError.at(path, message, field="--students")

    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise refused(f"cannot read the class list: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise refused("the class list is not a file or a pipe; expected a CSV file")
        try:
            data = stream.read(MAX_CLASS_LIST_BYTES + 1)
        except OSError as exc:
            raise refused(f"cannot read the class list: {exc.strerror or exc}") from None
    if len(data) > MAX_CLASS_LIST_BYTES:
        raise refused(f"the class list is more than {MAX_CLASS_LIST_BYTES:,} bytes; a class list is far smaller: "
                      "is this the right file?")
    return data


def class_list_from(data: bytes, path: Path) -> tuple[Student, ...]:
    """A CSV with a header naming a `number` (or `id`) column and a `name` column; every bad row is reported."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuizgenError.at(path, f"cannot read the class list: {exc}", field="--students") from None
    problems: list[Problem] = []
    table = CsvReader(path, text, problems)
    if table.header is None:
        raise QuizgenError(table.problem(1, 0, "header", "the class list is empty; expected a header "
                                         "with 'number' and 'name' columns"))
    number_col, name_col = table.column("number", "id", "student"), table.column("name")
    if number_col is None or name_col is None:
        raise QuizgenError(table.problem(1, 0, "header", f"found columns {', '.join(table.header) or 'none'}; "
                                         "expected 'number' (or 'id') and 'name'"))
    # 1 and 000001 are one student to a teacher and to a student filling in the grid with or without zeros
    students, seen, on_grid = [], {}, {}
    for row in table.rows():
        number, name, line = row.cell(number_col), row.cell(name_col), row.line
        if not STUDENT_NUMBER.fullmatch(number):
            table.report(line, number_col, "number", f"{number!r} is not a student number; expected 1 to {DIGITS} "
                                                     "digits")
        elif number in seen:
            table.report(line, number_col, "number", f"{number} is already on line {seen[number]}")
        elif int(number) in on_grid:
            other, other_line = on_grid[int(number)]
            table.report(line, number_col, "number", f"{number} and {other} on line {other_line} are one number on "
                                                     "the sheet's digit grid; give each student a different number")
        else:
            seen[number] = line
            on_grid[int(number)] = (number, line)
            students.append(Student(number, name, len(students) + 1))
    if problems:
        raise QuizgenError(problems)
    if not students:
        raise QuizgenError(table.problem(2, 0, "number", "the class list has no students"))
    return tuple(students)


# ---- JSON, both ways -----------------------------------------------------------------------------


# ---- the printable document -----------------------------------------------------------------------


def qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m", micro=False).svg_data_uri(border=0, dark="#000")


def answer_sheets_document(sheets: AnswerSheets, layouts: Layouts, language: str = "en",
                           content_folders: tuple[Path, ...] = ()) -> Document:
    """The sheets as one HTML document: every element placed at the position the grader will look for it."""
    context = {
        "title": sheets.title,
        "pack_id": sheets.pack_id,
        "language": language,
        "paper": sheets.paper,
        "pages": sheets.pages,
        "codes": {p.code_text: qr_data_uri(p.code_text) for p in sheets.pages},
        "option_types": OPTION_TYPES,
        "digits": DIGITS,
    }
    html = render_layout(layouts, SHEETS_LAYOUT, context)
    return Document(html, layouts.path_of(SHEETS_LAYOUT), layouts.folders, content_folders, (Part(SHEETS_PDF, ""),))


# ---- what `quizgen build --answer-sheets` adds ----------------------------------------------------------


def build_sheets(question_set: QuestionSet, paper: Paper, students_file: Path | None, inputs: str,
                 class_list: ClassList | None = None) -> AnswerSheets:
    """The sheets, named from `class_list` (the list at `students_file`, read once) when there is one."""
    if students_file is not None and class_list is None:
        class_list = read_class_list_once(students_file)
    students = class_list.students if class_list is not None else ()
    if students_file is not None:
        check_class_size(question_set, paper, students, students_file)
    return sheet_layout(question_set, paper, students, inputs)


def check_class_size(question_set: QuestionSet, paper: Paper, students: tuple[Student, ...], path: Path) -> None:
    """One line naming the class list when its sheets would be more pages than one build renders: the
    sheets are one document, and past MAX_SHEET_PAGES it breaks the render limits (sandbox.py), which
    would otherwise be reported against the built-in layout rather than the list that caused it."""
    versions = question_set.versions
    per_version = [len(version_pages(v, paper)) for v in versions]
    pages = sum(per_version[i % len(versions)] for i in range(len(students)))
    if pages > MAX_SHEET_PAGES:
        raise QuizgenError.at(path, f"{len(students):,} students' answer sheets would be {pages:,} pages; one "
                              f"build makes at most {MAX_SHEET_PAGES:,}: split the class list and build each "
                              "part into its own --out folder", field="--students")
