"""The sheet record: every page of a build's answer sheets, what each box means, the code that names a
page, and the JSON file the build writes and the grader reads back, checked whole."""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import QuizgenError
from ..files import read_regular_file
from ..model import OPTION_TYPES, QUESTION_TYPES
from ..text import escape_unsafe
from .geometry import DIGITS
from .paper import Box, Line, Paper

SHEETS_PDF = "answer-sheets.pdf"
SHEETS_JSON = "answer-sheets.json"
FORMAT = "quizgen-answer-sheets/1"
CODE_PREFIX = "QZG1"
SCORES = ("0", "½", "1")
SCORE_VALUES = (0.0, 0.5, 1.0)
# what the student-number grid can hold: '²' is no digit on it
STUDENT_NUMBER = re.compile(rf"[0-9]{{1,{DIGITS}}}", re.ASCII)


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


def code_text(build: str, version: str, page: int, student: Student | None) -> str:
    return f"{CODE_PREFIX}:{build}:{version}:{page}:{student.row if student else ''}"


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
