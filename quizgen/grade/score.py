"""Score read pages against the key carried by the sheet geometry, and gather each student's pages.

Multiple-choice and true/false: 1 for the right box alone, 0 otherwise (several ticks are 0 and
flagged). Multiple-response follows auto-multiple-choice's default rule for its multiple questions
(b=1, m=0): every box answered the key's way (a right option ticked, a wrong one left) earns a
point, and the question is scaled to 1 by dividing by its box count; no tick at all scores 0.
Open items take the score box the teacher ticked. Anything unclear leaves the score empty and
flagged: nothing is guessed. A multiple-response question with more ticks than its right answers
and one more is scored but flagged (a phantom tick changes its score without a word otherwise), and
on a black-and-white scan, where a light pencil tick can vanish, a question read as unanswered is
left to the teacher.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..sheets.record import SCORE_VALUES, AnswerSheets, SheetItem
from .read import BoxReading, ItemReading, PageReading


@dataclass(frozen=True)
class QuestionScore:
    number: int
    question_id: str
    type: str
    score: float | None  # None: a person has to look (an unclear box, an unmarked open item)
    ticked: tuple[int, ...]  # indices of the ticked boxes
    flags: tuple[str, ...] = ()
    corrected: str = ""  # the teacher's note when corrections.csv set this score


@dataclass(frozen=True)
class StudentNumber:
    digits: str
    flag: str = ""  # why the number cannot be trusted, if it cannot


@dataclass(frozen=True)
class GradedPage:
    """One scanned page, identified, read and scored."""

    file: str
    scan_page: int
    version: str
    page: int
    student_row: int
    turned: bool
    reading: PageReading
    scores: tuple[QuestionScore, ...]
    number: StudentNumber
    picture: bytes = field(compare=False, repr=False)  # the upright canonical page as JPEG, for the annotated copy

    @property
    def where(self) -> str:
        return f"{self.file}: page {self.scan_page}"

    @property
    def image(self) -> np.ndarray:
        return cv2.imdecode(np.frombuffer(self.picture, np.uint8), cv2.IMREAD_GRAYSCALE)


@dataclass(frozen=True)
class StudentResult:
    key: str  # the class-list number, the number ticked, or a placeholder naming the scan
    name: str
    version: str
    scores: tuple[QuestionScore, ...]  # in the version's question order; missing pages leave gaps
    questions: int
    pages: tuple[GradedPage, ...]
    flags: tuple[str, ...]

    @property
    def total(self) -> float:
        return sum(s.score for s in self.scores if s.score is not None)

    @property
    def unscored(self) -> int:
        """Questions on scanned pages left for a person to score (`?`)."""
        return sum(1 for s in self.scores if s.score is None)

    @property
    def provisional(self) -> bool:
        """The total counts a `?` as nothing so far: it may still rise."""
        return self.unscored > 0

    @property
    def complete(self) -> bool:
        """Every question scored, from scanned pages: a student none of whose pages was scanned is not complete."""
        return (bool(self.pages) and len(self.scores) == self.questions
                and all(s.score is not None for s in self.scores))


def ticked_indices(boxes: tuple[BoxReading, ...]) -> tuple[int, ...]:
    return tuple(i for i, b in enumerate(boxes) if b.state == "ticked")


def score_item(reading: ItemReading, two_tone: bool = False) -> QuestionScore:
    """The question's score from its boxes; `two_tone`: the page was scanned in black and white."""
    item = reading.item
    ticked = ticked_indices(reading.boxes)
    unclear = [b for b in reading.boxes if b.state == "unclear"]
    if unclear:
        labels = [item.labels[i] for i, b in enumerate(reading.boxes) if b.state == "unclear"]
        whys = sorted({b.why for b in unclear if b.why})
        return QuestionScore(item.number, item.question_id, item.type, None, ticked,
                             (f"q{item.number}: box {', '.join(labels)} unclear"
                              + (f" ({'; '.join(whys)})" if whys else ""),))
    if item.teacher_scored:
        return _teacher_score(item, ticked)
    if two_tone and len(ticked) < (sum(item.correct) if item.type == "multiple-response" else 1):
        return QuestionScore(item.number, item.question_id, item.type, None, ticked,
                             (f"q{item.number}: {'no box' if not ticked else 'fewer boxes than the key'} ticked on a "
                              "black-and-white scan, where a light pencil mark vanishes; look at the sheet",))
    if item.type == "multiple-response":
        agreeing = sum((i in ticked) == correct for i, correct in enumerate(item.correct))
        score = agreeing / len(item.correct) if ticked else 0.0
        right = sum(item.correct)
        if len(ticked) > right + 1:
            return QuestionScore(item.number, item.question_id, item.type, score, ticked,
                                 (f"q{item.number}: {len(ticked)} boxes ticked but the key has {right} right "
                                  "answers; check the sheet",))
        return QuestionScore(item.number, item.question_id, item.type, score, ticked)
    if len(ticked) > 1:
        labels = ", ".join(item.labels[i] for i in ticked)
        return QuestionScore(item.number, item.question_id, item.type, 0.0, ticked,
                             (f"q{item.number}: several boxes ticked ({labels})",))
    score = 1.0 if ticked and item.correct[ticked[0]] else 0.0
    return QuestionScore(item.number, item.question_id, item.type, score, ticked)


def _teacher_score(item: SheetItem, ticked: tuple[int, ...]) -> QuestionScore:
    if len(ticked) == 1:
        return QuestionScore(item.number, item.question_id, item.type, SCORE_VALUES[ticked[0]], ticked)
    why = "not marked by the teacher" if not ticked else "several scores ticked"
    return QuestionScore(item.number, item.question_id, item.type, None, ticked, (f"q{item.number}: {why}",))


EMPTY_GRID = "no student number ticked"


def student_number(digits: tuple[tuple[BoxReading, ...], ...], two_tone: bool = False) -> StudentNumber:
    """The number ticked in the digit grid, one digit per column; empty columns may only trail, except on a
    black-and-white scan, where an empty column may be a light tick that vanished."""
    found, problems, ended = [], [], False
    for column, boxes in enumerate(digits, 1):
        ticked = ticked_indices(boxes)
        if any(b.state == "unclear" for b in boxes):
            problems.append(f"column {column} unclear")
        elif len(ticked) > 1:
            problems.append(f"column {column} has {len(ticked)} digits ticked")
        elif not ticked:
            ended = True
        elif ended:
            problems.append(f"column {column} follows an empty column")
        else:
            found.append(str(ticked[0]))
    if problems:
        return StudentNumber("".join(found), "student number: " + "; ".join(problems))
    if not found:
        return StudentNumber("", EMPTY_GRID)
    if two_tone and len(found) < len(digits):
        return StudentNumber("".join(found), f"student number: read as {''.join(found)} on a black-and-white scan, "
                             "where a light tick in a later column vanishes; check it")
    return StudentNumber("".join(found))


def score_page(reading: PageReading) -> tuple[tuple[QuestionScore, ...], StudentNumber]:
    return tuple(score_item(item, reading.two_tone) for item in reading.items), student_number(reading.digits, reading.two_tone)


# ---- one result per student ------------------------------------------------------------------------


def students_from(pages: list[GradedPage], sheets: AnswerSheets) -> tuple[tuple[StudentResult, ...], tuple[str, ...]]:
    """Pages gathered by student (class-list row, else the number ticked), with duplicates and missing
    pages flagged; also the problems that belong to no student, one line each."""
    problems: list[str] = []
    groups: dict[str, list[GradedPage]] = {}
    names: dict[str, str] = {}
    for page in pages:
        key = _student_key(page, sheets, problems)
        groups.setdefault(key, []).append(page)
        sheet = sheets.page_for(page.version, page.page, page.student_row)
        if sheet is not None and sheet.student is not None:
            names[key] = sheet.student.name
    results = [_student_result(key, names.get(key, ""), group, sheets) for key, group in groups.items()]
    scanned = set(groups)
    for sheet in sheets.pages:
        if sheet.student is not None and sheet.page == 1 and sheet.student.number not in scanned:
            results.append(StudentResult(sheet.student.number, sheet.student.name, sheet.version, (),
                                         question_count(sheets, sheet.version), (),
                                         ("no page of this student's sheet was scanned",)))
    return tuple(sorted(results, key=lambda r: (r.key.startswith("unidentified"), r.key))), tuple(problems)


def question_count(sheets: AnswerSheets, version: str) -> int:
    """The questions on one version's sheet, over all its pages."""
    return sum({s.page: len(s.items) for s in sheets.pages if s.version == version}.values())


def _student_key(page: GradedPage, sheets: AnswerSheets, problems: list[str]) -> str:
    sheet = sheets.page_for(page.version, page.page, page.student_row)
    if sheet is not None and sheet.student is not None:
        ticked = page.number.digits
        if ticked and not page.number.flag and ticked != sheet.student.number:
            problems.append(f"{page.where}: printed for {sheet.student.number} but {ticked} is ticked; "
                            f"counted for {sheet.student.number}")
        return sheet.student.number
    if page.number.digits and not page.number.flag:
        return page.number.digits
    # the scan's whole path as shown, not its name: d1/scan.pdf and d2/scan.pdf are two piles
    return f"unidentified ({page.file} page {page.scan_page})"


def _student_result(key: str, name: str, group: list[GradedPage], sheets: AnswerSheets) -> StudentResult:
    flags: list[str] = []
    kept: dict[tuple[str, int], GradedPage] = {}
    for page in group:
        earlier = kept.get((page.version, page.page))
        if earlier is not None:
            flags.append(f"{page.where} repeats {earlier.where} (version {page.version} page {page.page}); "
                         "only the first is counted")
            continue
        kept[(page.version, page.page)] = page
        if page.reading.two_tone:
            flags.append(f"{page.where}: scanned in black and white (1-bit); scan in greyscale so that light "
                         "pencil marks are kept")
        printed = sheets.page_for(page.version, page.page, page.student_row)
        named = printed is not None and printed.student is not None
        # with a class list the code says whose sheet it is, so a grid rightly left empty is no problem
        if page.number.flag and not key.startswith("unidentified") and not (named and page.number.flag == EMPTY_GRID):
            flags.append(f"{page.where}: {page.number.flag}")
    versions = sorted({v for v, _ in kept})
    if len(versions) > 1:
        flags.append(f"pages of versions {', '.join(versions)} carry this student number; "
                     f"scored against version {versions[0]}")
    version = versions[0]
    chosen = sorted((p for (v, _), p in kept.items() if v == version), key=lambda p: p.page)
    total_pages = chosen[0].reading.page.pages
    for missing in sorted(set(range(1, total_pages + 1)) - {p.page for p in chosen}):
        flags.append(f"page {missing} of {total_pages} (version {version}) was not scanned")
    scores = tuple(s for p in chosen for s in p.scores)
    questions = question_count(sheets, version)
    flags.extend(f"{page.where}: {flag}" for page in chosen for s in page.scores for flag in s.flags)
    return StudentResult(key, name, version, scores, questions, tuple(chosen), tuple(flags))
