"""`quizgen grade` end to end: a class's sheets built by `quizgen build --answer-sheets --students`,
ticked, scanned into one shuffled PDF with pages turned, graded by one command, and the marks
compared with scores computed from questions.json's key."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

import gradekit as gk
from helpers import science_pack_files, write_pack
from quizgen.cli import main
from quizgen.grade.run import grade_image
from quizgen.grade.score import students_from
from quizgen.model import Option, Question, QuestionSet, Version
from quizgen.render.answer_sheets import answer_sheets_document, sheet_layout
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sheets.paper import PAPERS
from quizgen.sheets.record import SHEETS_JSON, SHEETS_PDF, read_answer_sheets

DPI = 150
STUDENTS = 9


@dataclass(frozen=True)
class ClassScans:
    folder: Path  # the build folder
    scans: Path  # one PDF of every page, shuffled
    expected: dict[str, list[float]]  # student number → per-question score from the key
    questions: dict


def _pdf_of(images: list[np.ndarray], path: Path) -> Path:
    pictures = [Image.fromarray(i) for i in images]
    pictures[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pictures[1:], quality=70)
    return path


def expected_score(question: dict, ticked: set[int], teacher: int | None) -> float:
    """The score the key gives: worked out from questions.json, not from the grader's geometry."""
    if question["type"] in ("multiple-choice", "true-false"):
        return 1.0 if len(ticked) == 1 and question["options"][next(iter(ticked))]["correct"] else 0.0
    if question["type"] == "multiple-response":
        agreeing = sum((i in ticked) == o["correct"] for i, o in enumerate(question["options"]))
        return agreeing / len(question["options"]) if ticked else 0.0
    return (0.0, 0.5, 1.0)[teacher]


@pytest.fixture(scope="module")
def class_scans(tmp_path_factory) -> ClassScans:
    root = tmp_path_factory.mktemp("class")
    pack = write_pack(root / "chemistry", science_pack_files())
    roster = root / "class.csv"
    roster.write_text("number,name\n" + "".join(f"{100201 + n},Student {n}\n" for n in range(STUDENTS)), encoding="utf-8")
    assert main(["build", str(pack), "--out", str(root / "build"), "--versions", "3", "--count", "10",
                 "--answer-sheets", "--students", str(roster), "--only", "answer-sheets,questions", "-q"]) == 0
    folder = root / "build" / "chemistry"
    sheets = read_answer_sheets(folder / SHEETS_JSON)
    questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    by_version = {v["code"]: v["questions"] for v in questions["versions"]}
    document = pdfium.PdfDocument(str(folder / SHEETS_PDF))
    rng = random.Random(40)
    images, expected = [], {}
    for index, page in enumerate(sheets.pages):
        image = np.array(document[index].render(scale=DPI / 72, grayscale=True).to_numpy(), copy=True)
        filled = gk.fill(image, page, DPI, rng, number=page.student.number, smudges=0, strays=1)
        scores = []
        for item in page.items:
            ticked = {k for (kind, n, k), style in filled.styles.items()
                      if kind == "item" and n == item.number and style in gk.TICK_STYLES}
            teacher = next(iter(ticked)) if item.teacher_scored else None
            scores.append(expected_score(by_version[page.version][item.number - 1], ticked, teacher))
        expected[page.student.number] = scores
        how = rng.choice(("rotate", "rotate", "upside down", "plain"))
        if how == "rotate":
            image = gk.rotated(filled.image, rng.uniform(-4, 4))
        elif how == "upside down":
            image = gk.upside_down(filled.image)
        images.append(gk.jpeg(image, 60))
    document.close()
    images.append(np.full_like(images[0], 255))  # the empty back of a duplex scan
    rng.shuffle(images)
    return ClassScans(folder, _pdf_of(images, root / "scans.pdf"), expected, questions)


def marks_rows(out: Path) -> dict[str, dict]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "marks.csv").read_text(encoding="utf-8")))}


def test_a_class_is_graded_by_one_command_and_the_marks_match_the_key(class_scans, tmp_path, capsys):
    out = tmp_path / "marks"
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out)]) == 0
    rows = marks_rows(out)
    assert set(rows) == set(class_scans.expected)
    by_version = {v["code"]: [q["id"] for q in v["questions"]] for v in class_scans.questions["versions"]}
    first = by_version[min(by_version)]
    columns = {q: next(c for c in rows[next(iter(rows))] if c.startswith(f"Q{n} (")) for n, q in enumerate(first, 1)}
    for number, scores in class_scans.expected.items():
        row = rows[number]
        got = [float(row[columns[q]]) for q in by_version[row["version"]]]  # the student's own order
        assert got == pytest.approx(scores), number
        assert float(row["total"]) == pytest.approx(sum(scores))
        assert row["complete"] == "yes" and row["flags"] == "" and row["name"].startswith("Student ")
    assert "blank page, skipped" in (out / "problems.txt").read_text(encoding="utf-8")
    assert "graded 9 pages of 9 students" in capsys.readouterr().out
    for number in class_scans.expected:
        assert len(pypdf.PdfReader(out / f"annotated-{number}.pdf").pages) == 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Questions are numbered Q1, Q2… in version A's order, as in marks.csv and item-analysis.csv" in html
    analysis = list(csv.DictReader(io.StringIO((out / "item-analysis.csv").read_text(encoding="utf-8"))))
    assert len(analysis) == len(class_scans.questions["versions"][0]["questions"])
    # one numbering: item-analysis.csv's Q7 is marks.csv's column Q7, with the same sheet numbers
    assert [f"{a['question']} ({a['on_sheets']})" for a in analysis] == [c for c in rows[number] if c.startswith("Q")]
    assert f"<td>Q1</td><td>{analysis[0]['on_sheets']}</td>" in html
    assert all(int(a["answered"]) == STUDENTS for a in analysis)


def test_a_page_from_another_build_is_listed_and_the_rest_graded(class_scans, tmp_path, capsys):
    stranger = tmp_path / "stranger.png"
    Image.fromarray(gk.rasterised("a4", 0, DPI)).save(stranger)
    out = tmp_path / "marks"
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), str(stranger), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"{stranger}: page 1: this sheet is from another build "
                                        f"({gk.rendered_sheets('a4').sheets.build}); the build graded made sheets "
                                        f"{read_answer_sheets(class_scans.folder / SHEETS_JSON).build}"]
    assert len(marks_rows(out)) == STUDENTS


def test_a_missing_student_and_a_missing_build_are_reported(class_scans, tmp_path, capsys):
    one_page = tmp_path / "one.pdf"
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(class_scans.scans).pages[0])
    writer.write(one_page)
    out = tmp_path / "marks"
    main(["grade", str(class_scans.folder), str(one_page), "--out", str(out)])
    rows = marks_rows(out)
    assert sum(1 for r in rows.values() if "no page of this student's sheet was scanned" in r["flags"]) >= STUDENTS - 1
    capsys.readouterr()
    assert main(["grade", str(tmp_path), str(one_page)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(f"{SHEETS_JSON}: no answer sheets in this build folder; build them "
                                             "with `quizgen build PACK --answer-sheets`")


def test_scans_that_are_not_there_or_not_scans_are_one_line_each(class_scans, tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    assert main(["grade", str(class_scans.folder), str(tmp_path / "absent.pdf"), str(notes)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].endswith("absent.pdf: scan not found")
    assert err[1].startswith(str(notes)) and ".txt is not a scan" in err[1]
    assert err[2] == "2 problems found"


def test_an_unreadable_image_is_listed_with_its_file(class_scans, tmp_path, capsys):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    assert main(["grade", str(class_scans.folder), str(broken), "--out", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"{broken}: page 1: cannot decode this image",
        f"no page could be graded, so nothing was written into {tmp_path / 'o'}"]
    assert not (tmp_path / "o").exists()


def test_a_file_grade_did_not_write_is_never_replaced(class_scans, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "marks.csv").write_text("my own marks\n", encoding="utf-8")
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out)]) == 1
    assert (out / "marks.csv").read_text(encoding="utf-8") == "my own marks\n"
    assert capsys.readouterr().err.strip() == (
        f"{out / 'marks.csv'}: --out: already exists and was not written by an earlier grading (or was changed "
        "since); nothing was written: move it away or choose another --out")
    # a second grading into its own folder replaces its own files
    fresh = tmp_path / "fresh"
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(fresh), "-q"]) == 0
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(fresh), "-q"]) == 0


def test_a_user_layout_replaces_the_report_page(class_scans, tmp_path):
    mine = tmp_path / "layouts"
    mine.mkdir()
    (mine / "grading-report.html").write_text("<p>Our class: {{ students }} students, {{ stats|length }} questions</p>",
                                              encoding="utf-8")
    out = tmp_path / "marks"
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out), "--layouts", str(mine),
                 "-q"]) == 0
    assert (out / "report.html").read_text(encoding="utf-8") == \
        f"<p>Our class: {STUDENTS} students, {len(class_scans.questions['versions'][0]['questions'])} questions</p>"


def test_a_two_page_sheet_is_read_back_as_one_student():
    questions = tuple(Question(id=f"q{n}", type="multiple-choice", template_id="t", prompt=f"Q{n}?", answer="a",
                               explanation="", difficulty=1, fact_ids=(), citations=(),
                               options=tuple(Option(f"o{k}", f"o{k}", k == n % 3) for k in range(3)))
                      for n in range(1, 51))
    question_set = QuestionSet("p", "Long test", "en", 1, questions, (Version("A", questions),))
    sheets = sheet_layout(question_set, PAPERS["a4"])
    pdf, = render_pdfs(answer_sheets_document(sheets, Layouts.with_user_folders()))
    document = pdfium.PdfDocument(pdf.data)
    rng = random.Random(5)
    choices = {n: (n % 3,) for n in range(1, 51)}  # every answer right
    graded = []
    for index in (1, 0):  # scanned back to front
        image = np.array(document[index].render(scale=150 / 72, grayscale=True).to_numpy(), copy=True)
        filled = gk.fill(image, sheets.pages[index], 150, rng, number="4711", choices=choices, smudges=0, strays=0)
        graded.append(grade_image(filled.image, sheets, "scan.pdf", 2 - index))
    document.close()
    (result,), problems = students_from(graded, sheets)
    assert problems == () and result.key == "4711" and result.flags == ()
    assert result.complete and result.questions == 50 and result.total == 50
    assert [s.number for s in result.scores] == list(range(1, 51))


def test_an_out_path_that_is_a_file_is_one_line(class_scans, tmp_path, capsys):
    taken = tmp_path / "marks"
    taken.write_text("a file\n", encoding="utf-8")
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(taken), "-q"]) == 1
    assert capsys.readouterr().err.strip() == f"{taken}: --out: is a file; --out needs a folder"
    assert taken.read_text(encoding="utf-8") == "a file\n"


def test_the_teachers_corrections_survive_a_regrade_and_a_hand_edit_is_never_overwritten(class_scans, tmp_path,
                                                                                           capsys):
    out = tmp_path / "marks"
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out), "-q"]) == 0
    first, second = sorted(class_scans.expected)[:2]
    header = next(csv.reader(io.StringIO((out / "marks.csv").read_text(encoding="utf-8"))))
    q1 = next(h for h in header if h.startswith("Q1 ("))
    corrections = f"student,question,score,note\n{first},Q1,0.5,half the working\n{second},Q1,1,\n999999,Q1,1,\n"
    (out / "corrections.csv").write_text(corrections, encoding="utf-8")
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"corrections.csv:2: {first} Q1: applied (0.5)" in captured.out
    assert "corrections.csv:4: 999999 Q1: kept, not applied: no page of this student was graded this time" \
        in captured.err
    rows = marks_rows(out)
    assert rows[first][q1] == "0.5" and rows[second][q1] == "1"
    assert rows[first]["corrections"].endswith(": half the working")
    assert (out / "corrections.csv").read_text(encoding="utf-8") == corrections  # the teacher's file, untouched
    assert "corrections.csv" not in (out / "grading.json").read_text(encoding="utf-8")
    # a score changed by hand in marks.csv is never overwritten: the run stops and says where it belongs
    edited = (out / "marks.csv").read_text(encoding="utf-8").replace(f"{first},", f"{first} ,", 1)
    (out / "marks.csv").write_text(edited, encoding="utf-8")
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out)]) == 1
    assert (out / "marks.csv").read_text(encoding="utf-8") == edited
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{out / 'marks.csv'}: --out: already exists and was not written by an earlier grading")
    assert err.endswith("belongs in corrections.csv beside it (student,question,score,note), which every grading "
                        "applies and never writes")


def test_a_five_page_tiff_from_a_copier_grades_five_pages(class_scans, tmp_path, capsys):
    document = pdfium.PdfDocument(str(class_scans.scans))
    pictures = [document[i].render(scale=DPI / 72, grayscale=True).to_pil() for i in range(len(document))]
    document.close()
    sheets = [p for p in pictures if np.asarray(p).min() < 128][:5]  # not the blank back
    sheets[0].save(tmp_path / "copier.tiff", save_all=True, append_images=sheets[1:], compression="tiff_lzw")
    out = tmp_path / "marks"
    assert main(["grade", str(class_scans.folder), str(tmp_path / "copier.tiff"), "--out", str(out)]) == 0
    assert "graded 5 pages of 5 students" in capsys.readouterr().out
    pages = [row["pages"] for row in marks_rows(out).values() if row["pages"]]
    assert sorted(pages) == sorted(f"{tmp_path / 'copier.tiff'}#{n}" for n in range(1, 6))


def test_swapped_arguments_and_the_folder_above_a_build_are_one_line_saying_what_to_type(class_scans, capsys):
    assert main(["grade", str(class_scans.scans), str(class_scans.folder)]) == 1
    assert capsys.readouterr().err.strip() == (f"{class_scans.scans}: BUILD_FOLDER: is a file, not a build folder; "
                                               f"the arguments look swapped: quizgen grade {class_scans.folder} "
                                               f"{class_scans.scans}")
    parent = class_scans.folder.parent
    assert main(["grade", str(parent), str(class_scans.scans)]) == 1
    assert capsys.readouterr().err.strip() == (f"{parent / SHEETS_JSON}: no answer sheets in this folder, but in its "
                                               f"build folder {class_scans.folder}: quizgen grade "
                                               f"{class_scans.folder} SCANS…")
    assert main(["grade", str(parent / "absent"), str(class_scans.scans)]) == 1
    assert capsys.readouterr().err.strip() == (f"{parent / 'absent'}: BUILD_FOLDER: no such folder; expected the "
                                               "build folder holding answer-sheets.json")


def test_a_graded_class_feeds_the_pools_item_statistics(class_scans, tmp_path, capsys):
    out = tmp_path / "marks"
    assert main(["grade", str(class_scans.folder), str(class_scans.scans), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    pack = class_scans.folder.parent.parent / "chemistry"
    assert main(["review", str(pack), "--stats", str(out)]) == 0
    text = capsys.readouterr().out
    asked = {q["id"] for q in class_scans.questions["versions"][0]["questions"]}
    assert f": {len(asked)} questions answered in 1 graded class; " in text.splitlines()[0]
    assert all(f"{qid}: " in text for qid in asked)
    assert text.count(f"{STUDENTS} answers in 1 class") == len(asked)
