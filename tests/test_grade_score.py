"""Scoring against the key: one answer, several answers (auto-multiple-choice's default rule), teacher
scores, student numbers, and gathering a student's pages with duplicates and missing pages flagged."""

from __future__ import annotations

import pytest

from quizgen.grade.read import BoxReading, Cuts, ItemReading, Levels, PageReading
from quizgen.grade.score import GradedPage, StudentNumber, score_item, score_page, student_number, students_from
from quizgen.sheets.paper import PAPERS, Box
from quizgen.sheets.record import AnswerSheets, SheetItem, SheetPage, Student

BOX = Box(0, 0, 4.5, 4.5)


def item(kind: str, correct: tuple[bool, ...] = (), number: int = 1, labels: tuple[str, ...] = ()) -> SheetItem:
    count = len(correct) or 3
    labels = labels or tuple("ABCDEFGH"[:count]) if correct else ("0", "½", "1")
    return SheetItem(number, f"q{number}", kind, (BOX,) * count, labels, correct,
                     tuple(f"option {i}" for i in range(len(correct))), 0, 0)


def reading(sheet_item: SheetItem, states: str) -> ItemReading:
    """states: one letter per box, t(icked) e(mpty) u(nclear)."""
    names = {"t": "ticked", "e": "empty", "u": "unclear"}
    return ItemReading(sheet_item, tuple(BoxReading(BOX, 0.0, names[s]) for s in states))


MC = item("multiple-choice", (False, True, False, False))


@pytest.mark.parametrize("states, score, flagged", [
    ("etee", 1.0, False), ("teee", 0.0, False), ("eeee", 0.0, False), ("ttee", 0.0, True), ("eteu", None, True),
])
def test_one_answer_questions(states, score, flagged):
    result = score_item(reading(MC, states))
    assert result.score == score and bool(result.flags) == flagged


def test_several_ticks_are_named_in_the_flag():
    assert score_item(reading(MC, "tete")).flags == ("q1: several boxes ticked (A, C)",)


def test_true_false_scores_like_one_answer():
    tf = item("true-false", (True, False), labels=("True", "False"))
    assert score_item(reading(tf, "te")).score == 1.0 and score_item(reading(tf, "et")).score == 0.0


MR = item("multiple-response", (True, False, True, False, False))


@pytest.mark.parametrize("states, score", [
    ("etete", 0.2),  # only box E, a wrong option left empty, agrees with the key
    ("eeeee", 0.0),  # nothing ticked is 0, as AMC's v=0
    ("tetee", 1.0), ("teeee", 0.8), ("tteee", 0.6), ("ttttt", 0.4),
])
def test_several_answer_questions_earn_a_share_per_box_answered_the_keys_way(states, score):
    assert score_item(reading(MR, states)).score == pytest.approx(score)


def test_teacher_scores():
    open_item = item("short-answer")
    assert score_item(reading(open_item, "ete")).score == 0.5
    assert score_item(reading(open_item, "eet")).score == 1.0
    unmarked = score_item(reading(open_item, "eee"))
    assert unmarked.score is None and unmarked.flags == ("q1: not marked by the teacher",)
    assert score_item(reading(open_item, "tte")).flags == ("q1: several scores ticked",)


def digits(*columns: str) -> tuple[tuple[BoxReading, ...], ...]:
    """Each column as the digit ticked ('' for none, 'u' for an unclear box 0, '12' for two)."""
    made = []
    for column in columns:
        states = ["empty"] * 10
        for ch in column:
            if ch == "u":
                states[0] = "unclear"
            else:
                states[int(ch)] = "ticked"
        made.append(tuple(BoxReading(BOX, 0.0, s) for s in states))
    return tuple(made)


def test_student_numbers():
    assert student_number(digits("1", "2", "3", "4", "5", "6")) == StudentNumber("123456")
    assert student_number(digits("4", "2", "", "", "", "")) == StudentNumber("42")
    assert student_number(digits("", "", "", "", "", "")).flag == "no student number ticked"
    assert "column 2 has 2 digits" in student_number(digits("1", "23", "", "", "", "")).flag
    assert "column 3 follows an empty column" in student_number(digits("1", "", "3", "", "", "")).flag
    assert "column 1 unclear" in student_number(digits("u", "1", "", "", "", "")).flag


# ---- gathering pages -------------------------------------------------------------------------------------

def two_page_sheets() -> AnswerSheets:
    paper = PAPERS["a4"]
    pages = tuple(SheetPage("A", n, 2, f"QZG1:b:A:{n}:", None, (BOX,) * 4, BOX, (), (item("multiple-choice", (True, False), number=n),))
                  for n in (1, 2))
    return AnswerSheets("b", "", "p", "T", paper, pages)


def graded(sheets: AnswerSheets, page: int, number: str, states: str, scan_page: int) -> GradedPage:
    sheet = sheets.pages[page - 1]
    page_reading = PageReading(sheet, (reading(sheet.items[0], states),), (), Cuts(0, 0.03, 0.09), Levels(250, 10))
    scores, _ = score_page(page_reading)
    return GradedPage("scan.pdf", scan_page, "A", page, 0, False, page_reading, scores, StudentNumber(number),
                      b"")


def test_pages_are_gathered_by_student_with_duplicates_and_gaps_flagged():
    sheets = two_page_sheets()
    pages = [graded(sheets, 2, "7", "te", 1), graded(sheets, 1, "7", "te", 2), graded(sheets, 1, "9", "et", 3),
             graded(sheets, 1, "9", "te", 4)]
    results, problems = students_from(pages, sheets)
    by_key = {r.key: r for r in results}
    assert by_key["7"].total == 2 and by_key["7"].complete and not by_key["7"].flags
    nine = by_key["9"]
    assert nine.total == 0  # the first copy of page 1 counts; the second is a duplicate
    assert any("repeats scan.pdf: page 3" in f for f in nine.flags)
    assert any("page 2 of 2 (version A) was not scanned" in f for f in nine.flags)
    assert not nine.complete and problems == ()


def test_a_page_without_a_readable_number_is_kept_apart_under_its_scan():
    sheets = two_page_sheets()
    page = graded(sheets, 1, "", "te", 5)
    page = GradedPage(page.file, page.scan_page, page.version, page.page, 0, False, page.reading, page.scores,
                      StudentNumber("", "no student number ticked"), b"")
    (result,), _ = students_from([page], sheets)
    assert result.key == "unidentified (scan.pdf page 5)" and result.total == 1


def test_with_a_class_list_the_printed_student_wins_and_a_different_ticked_number_is_reported():
    base = two_page_sheets()
    student = Student("1234", "Amina", 1)
    sheets = AnswerSheets(base.build, "", "p", "T", base.paper,
                          tuple(SheetPage(p.version, p.page, p.pages, p.code_text, student, p.marks, p.code, p.digits,
                                          p.items) for p in base.pages))
    page = graded(sheets, 1, "4321", "te", 2)
    page = GradedPage(page.file, page.scan_page, "A", 1, 1, False, page.reading, page.scores, StudentNumber("4321"), b"")
    results, problems = students_from([page], sheets)
    assert [r.key for r in results] == ["1234"] and results[0].name == "Amina"
    assert problems == ("scan.pdf: page 2: printed for 1234 but 4321 is ticked; counted for 1234",)


def test_with_a_class_list_an_empty_number_grid_is_no_flag():
    base = two_page_sheets()
    student = Student("1234", "Amina", 1)
    sheets = AnswerSheets(base.build, "", "p", "T", base.paper,
                          tuple(SheetPage(p.version, p.page, p.pages, p.code_text, student, p.marks, p.code, p.digits,
                                          p.items) for p in base.pages))
    pages = [graded(sheets, n, "", "te", n) for n in (1, 2)]
    pages = [GradedPage(p.file, p.scan_page, "A", p.page, 1, False, p.reading, p.scores,
                        StudentNumber("", "no student number ticked"), b"") for p in pages]
    (result,), problems = students_from(pages, sheets)
    assert result.key == "1234" and result.flags == () and problems == () and result.complete
    # without a class list the same empty grid leaves the page unidentified
    (alone,), _ = students_from([graded(two_page_sheets(), 1, "", "te", 1)], two_page_sheets())
    assert alone.key == "unidentified (scan.pdf page 1)"


def test_a_multiple_response_question_with_more_ticks_than_the_key_allows_is_flagged():
    assert score_item(reading(MR, "tttee")).flags == ()  # two right answers and one more: no flag
    crowded = score_item(reading(MR, "tttte"))
    assert crowded.score == pytest.approx(0.6)  # A and C right, E rightly left: still scored, but flagged
    assert crowded.flags == ("q1: 4 boxes ticked but the key has 2 right answers; check the sheet",)


def test_on_a_black_and_white_scan_an_unanswered_question_and_a_short_number_are_left_to_the_teacher():
    assert score_item(reading(MC, "eeee")).score == 0.0
    blank = score_item(reading(MC, "eeee"), two_tone=True)
    assert blank.score is None and "black-and-white scan" in blank.flags[0]
    assert score_item(reading(MC, "etee"), two_tone=True).score == 1.0
    assert score_item(reading(MR, "teeee"), two_tone=True).score is None  # one tick where the key has two
    assert score_item(reading(MR, "tetee"), two_tone=True).score == 1.0

    def column(digit: str) -> tuple[BoxReading, ...]:
        return tuple(BoxReading(BOX, 0.0, "ticked" if str(d) == digit else "empty") for d in range(10))

    short = tuple(column(d) for d in ("4", "2", "", "", "", ""))
    assert student_number(short) == StudentNumber("42")
    assert "read as 42 on a black-and-white scan" in student_number(short, two_tone=True).flag


def test_an_unclear_box_says_what_it_looks_like():
    dot = ItemReading(MC, (BoxReading(BOX, 0.0, "empty"), BoxReading(BOX, 0.2, "unclear", "a dot, not a tick"),
                           BoxReading(BOX, 0.0, "empty"), BoxReading(BOX, 0.0, "empty")))
    assert score_item(dot).flags == ("q1: box B unclear (a dot, not a tick)",)
