"""The teacher's corrections.csv: read with located errors, applied by Q-number, question id or sheet number,
and kept (named, not applied) when this grading has nothing to apply them to."""

from __future__ import annotations

import pytest

from quizgen.errors import QuizgenError
from quizgen.grade.corrections import Correction, apply_corrections, read_corrections
from quizgen.grade.numbering import question_numbers
from quizgen.grade.score import QuestionScore, StudentResult
from quizgen.sheets.paper import PAPERS, Box
from quizgen.sheets.record import AnswerSheets, SheetItem, SheetPage

BOX = Box(0, 0, 4.5, 4.5)


def sheets_of(orders: dict[str, tuple[str, ...]]) -> AnswerSheets:
    """One page per version whose items are the given question ids in that order."""
    pages = tuple(SheetPage(version, 1, 1, "", None, (BOX,) * 4, BOX, (),
                            tuple(SheetItem(n, q, "multiple-choice", (BOX, BOX), ("A", "B"), (True, False), ("a", "b"),
                                            0, 0) for n, q in enumerate(ids, 1)))
                  for version, ids in orders.items())
    return AnswerSheets("b", "", "p", "T", PAPERS["a4"], pages)


SHEETS = sheets_of({"A": ("q-x", "q-y", "q-z"), "B": ("q-z", "q-x", "q-y")})


def result(key: str, version: str, scores: tuple[float | None, ...], pages: tuple = ("page",)) -> StudentResult:
    ids = [i.question_id for p in SHEETS.pages if p.version == version for i in p.items]
    flags = tuple(f"scan.pdf: page 1: q{n}: box A unclear" for n, s in enumerate(scores, 1) if s is None)
    return StudentResult(key, "", version, tuple(
        QuestionScore(n, ids[n - 1], "multiple-choice", s, (), (f"q{n}: box A unclear",) if s is None else ())
        for n, s in enumerate(scores, 1)), 3, pages, flags)


def test_questions_are_numbered_once_by_the_first_version_with_their_place_on_every_sheet():
    numbers = question_numbers(SHEETS)
    assert [(n.label, n.question_id, n.sheet_numbers) for n in numbers.values()] == [
        ("Q1", "q-x", "A1 B2"), ("Q2", "q-y", "A2 B3"), ("Q3", "q-z", "A3 B1")]


def test_a_correction_names_its_question_as_marks_csv_does_by_id_or_by_the_sheet_number(tmp_path):
    results = (result("101", "B", (None, 0.0, 1.0)), result("102", "A", (1.0, 1.0, 1.0)))
    corrections = (Correction("101", "Q3", 0.5, "half right", 2),  # q-z: number 1 on B's sheet
                   Correction("101", "q-x", 1.0, "", 3),  # number 2 on B's sheet
                   Correction("102", "A3", 0.0, "copied", 4))
    applied = apply_corrections(results, corrections, question_numbers(SHEETS), "corrections.csv")
    first, second = applied.results
    assert [(s.score, s.corrected) for s in first.scores] == [(0.5, "half right"), (1.0, "corrected"), (1.0, "")]
    assert first.flags == () and not first.provisional and first.total == 2.5
    assert [s.score for s in second.scores] == [1.0, 1.0, 0.0]
    assert applied.notes == ("corrections.csv:2: 101 Q3: applied (0.5)", "corrections.csv:3: 101 q-x: applied (1)",
                             "corrections.csv:4: 102 A3: applied (0)")


def test_a_correction_with_nothing_to_apply_to_is_kept_and_named():
    results = (result("101", "B", (1.0, 0.0, 1.0)), result("103", "A", (), pages=()))
    corrections = (Correction("999", "Q1", 1.0, "", 2), Correction("103", "Q1", 1.0, "", 3),
                   Correction("101", "A3", 1.0, "", 4), Correction("101", "Q9", 1.0, "", 5))
    applied = apply_corrections(results, corrections, question_numbers(SHEETS), "c.csv")
    assert applied.results == results
    assert applied.notes == (
        "c.csv:2: 999 Q1: kept, not applied: no page of this student was graded this time",
        "c.csv:3: 103 Q1: kept, not applied: no page of this student was graded this time",
        "c.csv:4: 101 A3: kept, not applied: no such question on version B's sheet (write Q7 as in marks.csv, the "
        "question id, or the sheet's own number such as B7)",
        "c.csv:5: 101 Q9: kept, not applied: no such question on version B's sheet (write Q7 as in marks.csv, the "
        "question id, or the sheet's own number such as B7)")


def test_the_file_is_read_with_a_located_line_for_every_bad_row(tmp_path):
    path = tmp_path / "corrections.csv"
    assert read_corrections(path) == ()
    path.write_text("\ufeffstudent,question,score,note\n101,Q1,½,looked again\n\n102,B3,\"0,5\"\n",
                    encoding="utf-8")
    assert read_corrections(path) == (Correction("101", "Q1", 0.5, "looked again", 2),
                                      Correction("102", "B3", 0.5, "", 4))
    path.write_text("student,question,score,note\n101,Q1,2\n,Q2,1\n101,Q3,x\n", encoding="utf-8")
    with pytest.raises(QuizgenError) as error:
        read_corrections(path)
    assert [str(p) for p in error.value.problems] == [
        f"{path}:2:3: score: '2' is not a score; expected a number from 0 to 1, such as 0.5",
        f"{path}:3:1: student: empty; every row names a student and a question",
        f"{path}:4:3: score: 'x' is not a score; expected a number from 0 to 1, such as 0.5"]
    path.write_text("name,mark\n", encoding="utf-8")
    with pytest.raises(QuizgenError, match="corrections.csv:1:1: header: expected the columns student,question,"):
        read_corrections(path)
