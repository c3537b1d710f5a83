"""Answer sheets: where every registration mark, code and box sits on the page, in mm from the top-left
corner, computed once from the question set; a layout draws it and the grader reads it back from JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import Problem, QuizgenError, display_path
from ..files import read_regular_file
from ..model import OPTION_TYPES, QUESTION_TYPES, Question, QuestionSet, Version, option_letter, stable_id
from ..text import escape_unsafe
from .cards import Box, Line, Paper
from .html import Document, Layouts, Part, render_layout

SHEETS_PDF = "answer-sheets.pdf"
SHEETS_JSON = "answer-sheets.json"
SHEETS_LAYOUT = "answer-sheet.html"
FORMAT = "quizgen-answer-sheets/1"
CODE_PREFIX = "QZG1"

MARK_SIZE = 6.0  # solid squares; their centres are the four points the grader maps the scan onto
MARK_INSET = 9.0  # paper edge to a mark's outer edge: inside what any printer prints
CODE_SIZE = 20.0  # the QR code, 25 modules of 0.8 mm
BOX = 4.5
ROW = 8.0
OPTION_PITCH = 9.5  # label, box, gap
TRUE_FALSE_PITCH = 15.0
MAX_OPTIONS = 8
DIGITS = 6  # student-number columns
DIGIT_BOX = 4.0
DIGIT_PITCH_X = 5.6
DIGIT_PITCH_Y = 5.2
ITEMS_TOP = 88.0
ITEMS_BOTTOM_MARGIN = 20.0
COLUMN_LEFT = 20.0
SCORES = ("0", "½", "1")
SCORE_VALUES = (0.0, 0.5, 1.0)
# answer-sheet pages in one build: WeasyPrint lays out the sheets as one document, at about 7 MB and 0.4 s
# a page, and RENDER_LIMITS (2 GB, 120 s of processor time) must hold for it on a slow machine too
MAX_SHEET_PAGES = 200
STUDENT_NUMBER = re.compile(rf"[0-9]{{1,{DIGITS}}}", re.ASCII)  # what the grid can hold: '²' is no digit on it


@dataclass(frozen=True)
class Student:
    """One row of a class list: the sheet prints the name and the code carries the row."""

    number: str
    name: str
    row: int  # 1-based position in the class list, carried by the sheet's code


@dataclass(frozen=True)
class SheetItem:
    """One question on a sheet: option boxes for the student, or score boxes for the teacher."""

    number: int  # the question's number in its version
    question_id: str
    type: str
    boxes: tuple[Box, ...]
    labels: tuple[str, ...]  # "A", "B", … / "True", "False" / "0", "½", "1"
    correct: tuple[bool, ...]  # per box, for option items; empty for teacher-scored items
    option_texts: tuple[str, ...]  # per box, for the distractor counts of the item analysis
    label_x: float  # where the question number is printed (its right edge)
    label_y: float
    prompt: str = ""  # for the item analysis
    line: Line | None = None  # the writing line of an open item

    @property
    def teacher_scored(self) -> bool:
        return self.type not in OPTION_TYPES


@dataclass(frozen=True)
class SheetPage:
    version: str
    page: int  # 1-based within the version's sheet
    pages: int
    code_text: str
    student: Student | None
    marks: tuple[Box, Box, Box, Box]  # top-left, top-right, bottom-right, bottom-left
    code: Box
    digits: tuple[tuple[Box, ...], ...]  # student-number columns, each of ten boxes for 0–9
    items: tuple[SheetItem, ...]

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.version, self.page, self.student.row if self.student else 0)


@dataclass(frozen=True)
class AnswerSheets:
    """Every page of a build's answer sheets, and what identifies the build they belong to."""

    build: str  # short id in every page's code; a scan from another build is refused
    inputs: str  # the pack build's fingerprint (manifest "inputs")
    pack_id: str
    title: str
    paper: Paper
    pages: tuple[SheetPage, ...]

    def page_for(self, version: str, page: int, student_row: int = 0) -> SheetPage | None:
        return self._index().get((version, page, student_row))

    def _index(self) -> dict[tuple[str, int, int], SheetPage]:
        return {p.key: p for p in self.pages}


# ---- geometry ------------------------------------------------------------------------------------


def mark_boxes(paper: Paper) -> tuple[Box, Box, Box, Box]:
    far_x, far_y = paper.width - MARK_INSET - MARK_SIZE, paper.height - MARK_INSET - MARK_SIZE
    return (Box(MARK_INSET, MARK_INSET, MARK_SIZE, MARK_SIZE), Box(far_x, MARK_INSET, MARK_SIZE, MARK_SIZE),
            Box(far_x, far_y, MARK_SIZE, MARK_SIZE), Box(MARK_INSET, far_y, MARK_SIZE, MARK_SIZE))


def mark_centres(paper: Paper) -> tuple[tuple[float, float], ...]:
    return tuple((b.x + b.width / 2, b.y + b.height / 2) for b in mark_boxes(paper))


def code_box(paper: Paper) -> Box:
    return Box(paper.width - 20.0 - CODE_SIZE, 22.0, CODE_SIZE, CODE_SIZE)


def digit_grid(paper: Paper) -> tuple[tuple[Box, ...], ...]:
    left = code_box(paper).x - 14.0 - DIGITS * DIGIT_PITCH_X
    return tuple(tuple(Box(left + c * DIGIT_PITCH_X, 28.0 + r * DIGIT_PITCH_Y, DIGIT_BOX, DIGIT_BOX)
                       for r in range(10)) for c in range(DIGITS))


def column_lefts(paper: Paper) -> tuple[float, float]:
    return (COLUMN_LEFT, COLUMN_LEFT + (paper.width - 2 * COLUMN_LEFT) / 2 + 2.0)


def rows_per_column(paper: Paper) -> int:
    return int((paper.height - ITEMS_BOTTOM_MARGIN - ITEMS_TOP) // ROW)


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


def code_text(build: str, version: str, page: int, student: Student | None) -> str:
    return f"{CODE_PREFIX}:{build}:{version}:{page}:{student.row if student else ''}"


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


def read_class_list(path: Path) -> tuple[Student, ...]:
    """A CSV with a header naming a `number` (or `id`) column and a `name` column; every bad row is reported."""
    return class_list_from(class_list_bytes(Path(path)), path)


def class_list_from(data: bytes, path: Path) -> tuple[Student, ...]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuizgenError.at(path, f"cannot read the class list: {exc}", field="--students") from None
    rows = list(csv.reader(io.StringIO(text)))
    where = display_path(path)
    if not rows:
        raise QuizgenError(Problem(where, 1, 1, "header", "the class list is empty; expected a header "
                                   "with 'number' and 'name' columns"))
    header = [h.strip().lower() for h in rows[0]]
    number_col = next((header.index(n) for n in ("number", "id", "student") if n in header), None)
    name_col = header.index("name") if "name" in header else None
    if number_col is None or name_col is None:
        raise QuizgenError(Problem(where, 1, 1, "header", f"found columns {', '.join(rows[0]) or 'none'}; "
                                   "expected 'number' (or 'id') and 'name'"))
    # 1 and 000001 are one student to a teacher and to a student filling in the grid with or without zeros
    problems, students, seen, on_grid = [], [], {}, {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        number = row[number_col].strip() if number_col < len(row) else ""
        name = row[name_col].strip() if name_col < len(row) else ""
        if not STUDENT_NUMBER.fullmatch(number):
            problems.append(Problem(where, line, number_col + 1, "number",
                                    f"{number!r} is not a student number; expected 1 to {DIGITS} digits"))
        elif number in seen:
            problems.append(Problem(where, line, number_col + 1, "number",
                                    f"{number} is already on line {seen[number]}"))
        elif int(number) in on_grid:
            other, other_line = on_grid[int(number)]
            problems.append(Problem(where, line, number_col + 1, "number",
                                    f"{number} and {other} on line {other_line} are one number on the sheet's "
                                    "digit grid; give each student a different number"))
        else:
            seen[number] = line
            on_grid[int(number)] = (number, line)
            students.append(Student(number, name, len(students) + 1))
    if problems:
        raise QuizgenError(problems)
    if not students:
        raise QuizgenError(Problem(where, 2, 1, "number", "the class list has no students"))
    return tuple(students)


# ---- JSON, both ways -----------------------------------------------------------------------------


def answer_sheets_json(sheets: AnswerSheets) -> str:
    data = {"format": FORMAT, **asdict(sheets)}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


MAX_SHEETS_BYTES = 128 * 1024 ** 2  # about 20 KB a page: 6,000 pages; a class set is a few megabytes
CODE_PART = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)  # a build id or a version code, as printed in a code


def read_answer_sheets(path: Path) -> AnswerSheets:
    """The geometry written by `quizgen build --answer-sheets`; a missing or damaged file is one error line.

    Read as a regular file of bounded size (a FIFO or a link to a device is refused unopened), and checked
    whole: numbers finite, boxes on the paper, a key for every option item, ten boxes a digit column."""
    if not os.path.lexists(path):
        raise QuizgenError.at(path, "no answer sheets in this build folder; build them with "
                              "`quizgen build PACK --answer-sheets`")
    raw = read_regular_file(Path(path), limit=MAX_SHEETS_BYTES, what="answer-sheet geometry")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format') if isinstance(data, dict) else None!r}; "
                             f"expected {FORMAT!r}")
        sheets = _sheets_from(data)
        check_geometry(sheets)
        return sheets
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise QuizgenError.at(path, f"cannot read the answer-sheet geometry: {_short(exc)}") from None
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise QuizgenError.at(path, f"damaged answer-sheet geometry ({_short(exc)}); build the answer sheets "
                              "again") from None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a sheet can hold")


def _short(exc: BaseException) -> str:
    text = escape_unsafe(f"{type(exc).__name__}: {exc}" if isinstance(exc, KeyError) else str(exc))
    return text if len(text) <= 200 else text[:200] + "…"


def check_geometry(sheets: AnswerSheets) -> None:
    """ValueError naming the first page and item whose geometry cannot be graded."""
    paper = sheets.paper
    if not all(math.isfinite(v) and 50 <= v <= 2000 for v in (paper.width, paper.height)):
        raise ValueError(f"paper {paper.width!r} × {paper.height!r} mm")
    for name, value in (("build", sheets.build), *((f"version of page {n}", p.version)
                                                   for n, p in enumerate(sheets.pages, 1))):
        if not CODE_PART.fullmatch(value):
            raise ValueError(f"{name} {value[:40]!r}; expected letters, digits, - or _")
    if not sheets.pages:
        raise ValueError("no pages")
    for n, page in enumerate(sheets.pages, 1):
        where = f"page {n} (version {page.version}, page {page.page})"
        if not 1 <= page.page <= page.pages <= 99:
            raise ValueError(f"{where}: page {page.page} of {page.pages}")
        if page.student is not None and not 1 <= page.student.row <= 999_999:
            raise ValueError(f"{where}: class-list row {page.student.row}")
        if not 1 <= len(page.digits) <= DIGITS or any(len(column) != 10 for column in page.digits):
            raise ValueError(f"{where}: the student-number grid needs 1 to {DIGITS} columns of 10 boxes")
        for what, box in (("a registration mark", page.marks), ("the code", (page.code,)),
                          ("the student-number grid", [b for column in page.digits for b in column])):
            _check_boxes(box, paper, f"{where}: {what}")
        for item in page.items:
            _check_item(item, paper, f"{where}: q{item.number}" if 1 <= item.number <= 999 else where)


def _check_boxes(boxes, paper: Paper, where: str) -> None:
    for box in boxes:
        values = (box.x, box.y, box.width, box.height)
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"{where}: a box at {values!r}")
        if box.width <= 0 or box.height <= 0 or box.x < 0 or box.y < 0 or box.right > paper.width \
                or box.bottom > paper.height:
            raise ValueError(f"{where}: a box at {values!r} mm is not on the {paper.width:g} × {paper.height:g} "
                             "mm page")


def _check_item(item: SheetItem, paper: Paper, where: str) -> None:
    if not 1 <= item.number <= 999:
        raise ValueError(f"{where}: question number {str(item.number)[:20]}; expected 1 to 999")
    if item.type not in QUESTION_TYPES:
        raise ValueError(f"{where}: question type {item.type[:40]!r}")
    _check_boxes(item.boxes, paper, where)
    if not all(math.isfinite(v) for v in (item.label_x, item.label_y,
                                          *(vars(item.line).values() if item.line else ()))):
        raise ValueError(f"{where}: a label or line position is not a number")
    if len(item.labels) != len(item.boxes):
        raise ValueError(f"{where}: {len(item.boxes)} boxes but {len(item.labels)} labels")
    if item.teacher_scored:
        if len(item.boxes) != len(SCORE_VALUES) or item.correct:
            raise ValueError(f"{where}: an open item needs {len(SCORE_VALUES)} score boxes and no key")
    elif not item.boxes or len(item.correct) != len(item.boxes) or not any(item.correct):
        raise ValueError(f"{where}: the key marks no box correct, or not one entry per box")


def _box(values: dict) -> Box:
    return Box(float(values["x"]), float(values["y"]), float(values["width"]), float(values["height"]))


def _sheets_from(data: dict) -> AnswerSheets:
    pages = []
    for p in data["pages"]:
        student = Student(str(p["student"]["number"]), str(p["student"]["name"]), int(p["student"]["row"])) \
            if p.get("student") else None
        items = tuple(SheetItem(int(i["number"]), str(i["question_id"]), str(i["type"]),
                                tuple(_box(b) for b in i["boxes"]), tuple(i["labels"]),
                                tuple(bool(c) for c in i["correct"]), tuple(i["option_texts"]),
                                float(i["label_x"]), float(i["label_y"]), str(i.get("prompt", "")),
                                Line(**{k: float(v) for k, v in i["line"].items()}) if i.get("line") else None)
                      for i in p["items"])
        marks = tuple(_box(b) for b in p["marks"])
        if len(marks) != 4:
            raise ValueError("a page needs four registration marks")
        pages.append(SheetPage(str(p["version"]), int(p["page"]), int(p["pages"]), str(p["code_text"]), student,
                               marks, _box(p["code"]), tuple(tuple(_box(b) for b in c) for c in p["digits"]), items))
    paper = Paper(str(data["paper"]["name"]), float(data["paper"]["width"]), float(data["paper"]["height"]))
    return AnswerSheets(str(data["build"]), str(data["inputs"]), str(data["pack_id"]), str(data["title"]), paper,
                        tuple(pages))


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
