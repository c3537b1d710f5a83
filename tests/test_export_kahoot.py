"""Kahoot spreadsheet export, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import make_sample_set

from quizgen.export import kahoot
from quizgen.model import Option, QuestionSet

HEADER = ("Question - max 120 characters", "Answer 1 - max 75 characters", "Answer 2 - max 75 characters",
          "Answer 3 - max 75 characters", "Answer 4 - max 75 characters",
          "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs", "Correct answer(s) - choose at least one")


def read_rows(path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path).active
    assert tuple(c.value for c in sheet[8][1:8]) == HEADER
    return [row for row in sheet.iter_rows(min_row=9, values_only=True) if any(v is not None for v in row)]


def with_questions(*questions) -> QuestionSet:
    return dataclasses.replace(make_sample_set(versions=1), questions=tuple(questions), versions=())


def test_multiple_choice_and_true_false_rows_follow_the_template(tmp_path):
    path = tmp_path / "kahoot.xlsx"
    warnings = kahoot.write(make_sample_set(), path)
    rows = read_rows(path)
    assert rows == [
        (1, "Which river rises in the Black Forest?", "Rhine", "Danube", "Elbe & Oder", "Seine {Paris}", 20, "2"),
        (2, "True or false: the Rhine is about 1,230 km long.", "True", "False", None, None, 20, "1"),
    ]
    assert [w.text for w in warnings] == ["kahoot: left out 5 of 7 questions: 5 of types Kahoot quizzes do not have "
                                          "(cloze, short-answer, matching, ordering, numeric)"]
    assert [d.split(" ")[0] for d in warnings[0].details] == ["q-cloze", "q-short", "q-match", "q-order", "q-num"]
    assert warnings[0].details[0] == "q-cloze (cloze): Kahoot quizzes have no cloze questions"


def test_questions_that_do_not_fit_are_left_out_and_named_never_shortened(tmp_path):
    base = make_sample_set(versions=1).questions[0]
    fits = dataclasses.replace(base, id="fits", prompt="Q" * 120, options=(
        Option("a", "A" * 75, True), Option("b", "دير الزور", False)))
    long_question = dataclasses.replace(base, id="long-q", prompt="Q" * 121)
    long_answer = dataclasses.replace(base, id="long-a", options=(Option("a", "A" * 76, True), Option("b", "B", False)))
    five = dataclasses.replace(base, id="five", options=tuple(Option(str(n), f"O{n}", n == 0) for n in range(5)))
    astral = dataclasses.replace(base, id="astral", prompt="𝒳" * 61)  # 61 characters, 122 UTF-16 units
    path = tmp_path / "kahoot.xlsx"
    warnings = kahoot.write(with_questions(fits, long_question, long_answer, five, astral), path)
    rows = read_rows(path)
    assert rows == [(1, "Q" * 120, "A" * 75, "دير الزور", None, None, 30, "1")]
    assert [w.text for w in warnings] == ["kahoot: left out 4 of 5 questions: 4 beyond Kahoot's limits"]
    assert warnings[0].details == (
        "long-q (multiple-choice): the question is 121 characters; Kahoot allows 120",
        "long-a (multiple-choice): answer 1 is 76 characters; Kahoot allows 75",
        "five (multiple-choice): it has 5 answers; Kahoot takes 2 to 4",
        "astral (multiple-choice): the question is 122 characters; Kahoot allows 120",
    )


def test_several_correct_answers_and_text_that_looks_like_a_formula(tmp_path):
    base = make_sample_set(versions=1).questions[0]
    question = dataclasses.replace(base, prompt="=SUM(A1:A2) is not a formula here", options=(
        Option("a", "=1+1", True), Option("b", "+2", False), Option("c", "@three", True)))
    path = tmp_path / "kahoot.xlsx"
    kahoot.write(with_questions(question), path)
    sheet = openpyxl.load_workbook(path).active
    assert [sheet.cell(9, c).data_type for c in range(2, 6)] == ["s", "s", "s", "s"]
    assert read_rows(path) == [(1, "=SUM(A1:A2) is not a formula here", "=1+1", "+2", "@three", None, 20, "1,3")]
    # Excel's mark for text typed after an apostrophe: editing the cell cannot turn it into a formula
    assert [sheet.cell(9, c).quotePrefix for c in range(2, 6)] == [True, True, True, True]
    assert sheet.cell(9, 6).value is None


def test_no_cell_of_a_sheet_from_formula_like_text_reads_back_as_a_formula(tmp_path):
    base = make_sample_set(versions=1).questions[0]
    starts = ("=1+1", "+A1", "-A1*2", "@SUM(A1)", "\tTAB", "\rCR")
    questions = [dataclasses.replace(base, id=f"q{n}", prompt=text, options=(
        Option("a", text, True), Option("b", "plain", False))) for n, text in enumerate(starts)]
    path = tmp_path / "kahoot.xlsx"
    kahoot.write(with_questions(*questions), path)
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [sheet.cell(row, column) for row in range(9, 9 + len(starts)) for column in (2, 3)]
    assert [c.value[:1] for c in risky[::2]] == ["=", "+", "-", "@", "\t", "\r"]  # CR is kept, escaped as _x000D_
    assert all(c.quotePrefix and c.data_type == "s" for c in risky)
    assert not sheet.cell(9, 4).quotePrefix  # "plain" needs no mark


def test_multiple_response_questions_go_in_with_every_correct_number(tmp_path):
    base = make_sample_set(versions=1).questions[0]
    several = dataclasses.replace(base, type="multiple-response", options=(
        Option("a", "Rhine", True), Option("b", "Danube", False), Option("c", "Elbe", True)))
    path = tmp_path / "kahoot.xlsx"
    assert kahoot.write(with_questions(several), path) == []
    assert read_rows(path)[0][-1] == "1,3"


@pytest.mark.parametrize("length, expected", [(20, 20), (200, 30), (400, 60), (600, 60), (1000, 120)])
def test_time_limit_grows_with_reading_length_and_is_one_kahoot_allows(length, expected):
    base = make_sample_set(versions=1).questions[0]
    question = dataclasses.replace(base, prompt="x" * (length // 2),
                                   options=(Option("a", "y" * (length - length // 2), True), Option("b", "", False)))
    limit = kahoot.time_limit_for(question)
    assert limit in kahoot.TIME_LIMITS and limit == expected


def test_same_set_gives_identical_bytes_with_fixed_dates(tmp_path):
    kahoot.write(make_sample_set(), tmp_path / "a.xlsx")
    kahoot.write(make_sample_set(), tmp_path / "b.xlsx")
    data = (tmp_path / "a.xlsx").read_bytes()
    assert data == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in archive.read("docProps/core.xml")


MAKE_WORKBOOK = """
import sys
{before}
from helpers import make_sample_set
from quizgen.export import kahoot
sys.stdout.buffer.write(kahoot.file_bytes(make_sample_set())[0])
sys.stderr.write("numpy" if "numpy" in sys.modules else "no numpy")
"""


@pytest.mark.parametrize("before", ["", "import numpy"])
def test_a_workbook_is_made_without_importing_numpy_and_is_the_same_with_it(tmp_path, before):
    pytest.importorskip("numpy")
    kahoot.write(make_sample_set(), tmp_path / "in-process.xlsx")
    made = subprocess.run([sys.executable, "-c", MAKE_WORKBOOK.format(before=before)], capture_output=True,
                          cwd=Path(__file__).parent, check=True)
    assert made.stderr.decode() == ("numpy" if before else "no numpy")
    assert made.stdout == (tmp_path / "in-process.xlsx").read_bytes()
