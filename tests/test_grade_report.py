"""What grading writes: marks.csv, the item analysis and its page, and the annotated scans."""

from __future__ import annotations

import csv
import io
import random
import statistics

import numpy as np
import pypdf
import pytest

import gradekit as gk
from quizgen.grade import report
from quizgen.grade.locate import PX_PER_MM
from quizgen.grade.numbering import question_numbers
from quizgen.grade.run import grade_image, problems_text
from quizgen.grade.score import students_from
from quizgen.render.layouts import Layouts


@pytest.fixture(scope="module")
def graded_class():
    """Six students on the shared test sheets (versions A and B), with known ticks."""
    rng = random.Random(99)
    sheets = gk.rendered_sheets("a4").sheets
    pages, filled = [], []
    for n in range(6):
        page = gk.fill_page("a4", n % 2, 150, rng, number=f"{900 + n}", smudges=0, strays=0)
        filled.append(page)
        pages.append(grade_image(page.image, sheets, "scans.pdf", n + 1))
    results, problems = students_from(pages, sheets)
    assert problems == ()
    return sheets, results, filled


def test_marks_csv_has_a_row_per_student_with_one_numbering_for_every_version(graded_class):
    sheets, results, filled = graded_class
    numbers = question_numbers(sheets)
    rows = list(csv.DictReader(io.StringIO(report.marks_csv(results, numbers))))
    assert [r["student"] for r in rows] == [f"{900 + n}" for n in range(6)]
    columns = [c for c in rows[0] if c.startswith("Q")]
    # version B reverses version A: A's first question is B's last, and the header says both
    assert columns[0] == "Q1 (A1 B18)" and columns[-1] == "Q18 (A18 B1)" and len(columns) == 18
    for row, result in zip(rows, results):
        assert row["version"] == result.version and row["pages"] == f"scans.pdf#{result.pages[0].scan_page}"
        assert float(row["total"]) == pytest.approx(sum(float(row[c]) for c in columns))
        assert row["out_of"] == "18" and row["complete"] == "yes" and row["provisional"] == "no"
        by_id = {s.question_id: s.score for s in result.scores}
        assert [float(row[c]) for c in columns] == [by_id[q] for q in numbers]


def test_unclear_and_missing_scores_are_marked_not_filled_in():
    assert report.score_text(None) == ""
    from quizgen.grade.score import QuestionScore
    assert report.score_text(QuestionScore(1, "q", "multiple-choice", None, ())) == "?"
    assert report.score_text(QuestionScore(1, "q", "multiple-response", 0.6, ())) == "0.6"
    assert report.score_text(QuestionScore(1, "q", "short-answer", 0.5, ())) == "0.5"


def test_item_analysis_counts_options_by_text_across_versions(graded_class):
    sheets, results, filled = graded_class
    stats = {s.question_id: s for s in report.item_analysis(results, sheets)}
    assert len(stats) == 18
    mc = stats["q-mc3"]
    # version B shows the options reversed: the counts must follow the text, not the letter
    chosen = {}
    for page in filled:
        item = next(i for i in page.page.items if i.question_id == "q-mc3")
        for (kind, number, box), style in page.styles.items():
            if kind == "item" and number == item.number and style in gk.TICK_STYLES:
                chosen[item.option_texts[box]] = chosen.get(item.option_texts[box], 0) + 1
    assert {o.text: o.chosen for o in mc.options if o.chosen} == chosen
    assert [o.correct for o in mc.options].count(True) == 1
    scores = [next(s.score for s in r.scores if s.question_id == "q-mc3") for r in results]
    assert mc.difficulty == pytest.approx(sum(scores) / len(scores)) and mc.answered == 6
    rest = [r.total - s for r, s in zip(results, scores)]
    if len(set(scores)) > 1:
        assert mc.discrimination == pytest.approx(statistics.correlation(scores, rest))


def test_the_report_page_draws_a_bar_per_question_and_needs_no_network(graded_class):
    sheets, results, _ = graded_class
    stats = report.item_analysis(results, sheets)
    html = report.report_html(stats, results, sheets, ("scan.pdf: page 3: the code could not be read",),
                              Layouts.with_user_folders())
    assert html.count('fill="#4a7fb5"') == len(stats) + len(report.score_histogram(results))
    assert "scan.pdf: page 3: the code could not be read" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    rows = list(csv.DictReader(io.StringIO(report.item_analysis_csv(stats))))
    assert [r["question_id"] for r in rows] == [s.question_id for s in stats]


def _colour_near(image: np.ndarray, box, colour, grow: float) -> bool:
    """Whether the frame drawn `grow` mm outside `box` has that colour somewhere on it."""
    left, right = round((box.x - grow) * PX_PER_MM), round((box.right + grow) * PX_PER_MM)
    top = round((box.y - grow) * PX_PER_MM)
    strip = image[top - 1:top + 2, left:right].reshape(-1, 3).astype(int)
    return bool((np.abs(strip - np.array(colour)).sum(axis=1) < 60).any())


def test_annotated_pages_frame_the_key_and_circle_the_ticks(graded_class):
    sheets, results, filled = graded_class
    result, page = results[0], results[0].pages[0]
    image = report.annotated_page(page, result)
    for reading in page.reading.items:
        item = reading.item
        if item.teacher_scored:
            continue
        for k, box in enumerate(reading.boxes):
            assert _colour_near(image, box.box, report.GREEN, 0.9) == item.correct[k], (item.number, k)
    pdf = report.annotated_pdf(result)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def test_a_faint_mark_leaves_its_question_unscored_and_flagged():
    rng = random.Random(8)
    sheets = gk.rendered_sheets("a4").sheets
    filled = gk.fill_page("a4", 0, 200, rng, number="31", smudges=1, strays=0)
    (key,) = [k for k, style in filled.styles.items() if style == gk.UNCLEAR_STYLE]
    _, number, box = key
    item = next(i for i in filled.page.items if i.number == number)
    (result,), _ = students_from([grade_image(filled.image, sheets, "scan.png", 1)], sheets)
    row = next(csv.DictReader(io.StringIO(report.marks_csv((result,), question_numbers(sheets)))))
    assert row[f"Q{number} (A{number} B{19 - number})"] == "?" and row["complete"] == "no"
    assert row["provisional"] == "yes"
    assert f"scan.png: page 1: q{number}: box {item.labels[box]} unclear" in row["flags"]
    assert float(row["total"]) == pytest.approx(sum(s.score for s in result.scores if s.score is not None))


def test_a_double_tick_scores_0_and_is_listed_with_its_page():
    sheets = gk.rendered_sheets("a4").sheets
    page = sheets.pages[0]
    mc = next(i for i in page.items if i.type == "multiple-choice")
    filled = gk.fill_page("a4", 0, 200, random.Random(4), number="52", choices={mc.number: (0, 2)}, smudges=0,
                          strays=0)
    (result,), _ = students_from([grade_image(filled.image, sheets, "pile.pdf", 7)], sheets)
    score = next(s for s in result.scores if s.number == mc.number)
    assert score.score == 0 and score.ticked == (0, 2)
    line = f"52: pile.pdf: page 7: q{mc.number}: several boxes ticked ({mc.labels[0]}, {mc.labels[2]})"
    assert line in problems_text([], [], (result,)).splitlines()
