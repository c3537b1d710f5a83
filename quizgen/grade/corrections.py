"""The teacher's corrections: `corrections.csv` in the grading folder (student, question, score, note), read
at every grading and applied over what the scans say. Grading never writes that file, so a regrade after a
rescan keeps every decision in it, and says which it applied and which it could not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Problem, QuizgenError
from ..files import read_regular_file
from ..load.records import CsvReader
from .numbering import QuestionNumber
from .score import StudentResult

CORRECTIONS = "corrections.csv"
HEADER = ("student", "question", "score", "note")
MAX_BYTES = 4 * 1024 ** 2  # a school's worth of decisions is a few hundred kilobytes
SHEET_NUMBER = re.compile(r"([A-Za-z0-9_-]+?)([0-9]{1,3})", re.ASCII)  # B7: question 7 on version B's sheet


@dataclass(frozen=True)
class Correction:
    student: str
    question: str  # as written: Q7, a question id, or B7 (number 7 on version B's sheet)
    score: float
    note: str
    line: int


def read_corrections(path: Path) -> tuple[Correction, ...]:
    """The rows of the teacher's file, or one error per bad row naming its line; none when there is no file."""
    if not path.exists():
        return ()
    text = read_regular_file(path, limit=MAX_BYTES, what="corrections file").decode("utf-8-sig", errors="replace")
    problems: list[Problem] = []
    table = CsvReader(path, text, problems)
    if not table.starts_with(HEADER[:3]):
        raise QuizgenError(table.problem(1, 0, "header", "expected the columns student,question,score,note"))
    corrections = []
    for row in table.rows():
        student, question, score_text, note = (row.cell(column) for column in range(4))
        score = _score(score_text)
        if not student or not question:
            # reported at the row's start: the row as a whole lacks what every row needs
            table.report(row.line, 0, "student" if not student else "question",
                         "empty; every row names a student and a question")
        elif score is None:
            table.report(row.line, 2, "score", f"{score_text!r} is not a score; expected a number from 0 to 1, "
                                               "such as 0.5")
        else:
            corrections.append(Correction(student, question, score, note, row.line))
    if problems:
        raise QuizgenError(problems)
    return tuple(corrections)


def _score(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace("½", "0.5"))
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


@dataclass(frozen=True)
class Applied:
    results: tuple[StudentResult, ...]
    notes: tuple[str, ...]  # one line per correction: applied, or why not


def apply_corrections(results: tuple[StudentResult, ...], corrections: tuple[Correction, ...],
                      numbers: dict[str, QuestionNumber], path: str) -> Applied:
    """Each student's scores with the teacher's corrections in place of what was read; a corrected question
    loses its flags. A correction for a student or question this grading has no score for is kept in the
    file and named, not applied."""
    by_student = {r.key: r for r in results}
    changed: dict[str, dict[int, Correction]] = {}
    notes = []
    for c in corrections:
        result = by_student.get(c.student)
        where = f"{path}:{c.line}: {c.student} {c.question}"
        if result is None or not result.pages:
            notes.append(f"{where}: kept, not applied: no page of this student was graded this time")
            continue
        number = _sheet_number(c.question, result.version, numbers)
        if number is None:
            notes.append(f"{where}: kept, not applied: no such question on version {result.version}'s sheet "
                         "(write Q7 as in marks.csv, the question id, or the sheet's own number such as B7)")
        elif all(s.number != number for s in result.scores):
            notes.append(f"{where}: kept, not applied: the page with this question was not scanned")
        else:
            changed.setdefault(c.student, {})[number] = c
            notes.append(f"{where}: applied ({_plain(c.score)})")
    updated = tuple(_corrected(r, changed[r.key]) if r.key in changed else r for r in results)
    return Applied(updated, tuple(notes))


def _sheet_number(question: str, version: str, numbers: dict[str, QuestionNumber]) -> int | None:
    """The question's number on `version`'s sheet, from Q7, a question id or B7."""
    found = numbers.get(question)
    if found is None and question[:1] in "Qq" and question[1:].isdigit():
        found = next((n for n in numbers.values() if n.shared == int(question[1:])), None)
    if found is not None:
        return dict(found.on_sheets).get(version)
    sheet = SHEET_NUMBER.fullmatch(question)
    if sheet and sheet[1] == version:
        number = int(sheet[2])
        return number if any(dict(n.on_sheets).get(version) == number for n in numbers.values()) else None
    return None


def _corrected(result: StudentResult, by_number: dict[int, Correction]) -> StudentResult:
    scores = tuple(replace(s, score=by_number[s.number].score, flags=(),
                           corrected=by_number[s.number].note or "corrected")
                   if s.number in by_number else s for s in result.scores)
    dropped = {flag for s in result.scores if s.number in by_number for flag in s.flags}
    flags = tuple(f for f in result.flags if not any(f.endswith(d) for d in dropped))
    return replace(result, scores=scores, flags=flags)


def _plain(value: float) -> str:
    return f"{value:g}"
