"""The grading folder belongs to the teacher: `quizgen grade` replaces or removes only files it wrote itself and
that are unchanged since (the build's rule), writes nothing when it graded nothing, and puts no live formula
from a class list, a question or a scan's file name into its spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

import gradekit as gk
from quizgen.cli import main
from quizgen.export.common import starts_like_formula
from quizgen.model import Option, Question, QuestionSet, Version
from quizgen.render.answer_sheets import answer_sheets_document, sheet_layout
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sheets.paper import PAPERS
from quizgen.sheets.record import SHEETS_JSON, SHEETS_PDF, Student, answer_sheets_json

DPI = 150
FORMULAS = ('=HYPERLINK("http://example.invalid","x")', "+A1", "@SUM(A1)", "-A1+1")
STUDENTS = (Student("100201", '=HYPERLINK("http://example.invalid","class list")', 1),
            Student("100202", "@SUM(1+1)", 2))


def hostile_set() -> QuestionSet:
    """Questions whose prompts and options start like spreadsheet formulas (entity names can)."""
    questions = tuple(
        Question(id=f"q{n}", type="multiple-choice", template_id="t", prompt=f"{FORMULAS[n % 4]} is question {n}",
                 answer=FORMULAS[(n + 1) % 4], explanation="", difficulty=1, fact_ids=("F1",), citations=(),
                 options=tuple(Option(f"o{n}-{k}", FORMULAS[(n + k) % 4], k == 1) for k in range(4)))
        for n in range(4))
    return QuestionSet("p", "Hostile names", "en", 1, questions, (Version("A", questions),))


@pytest.fixture(scope="module")
def sheets_and_scans(tmp_path_factory) -> tuple[Path, Path]:
    """A build folder with named answer sheets, and a folder of one filled scan per student, named like formulas."""
    root = tmp_path_factory.mktemp("hostile-grading")
    sheets = sheet_layout(hostile_set(), PAPERS["a4"], STUDENTS, inputs="test")
    pdf, = render_pdfs(answer_sheets_document(sheets, Layouts.with_user_folders()))
    build = root / "build"
    build.mkdir()
    (build / SHEETS_PDF).write_bytes(pdf.data)
    (build / SHEETS_JSON).write_text(answer_sheets_json(sheets), encoding="utf-8")
    scans = root / "scans"
    scans.mkdir()
    document = pdfium.PdfDocument(pdf.data)
    rng = random.Random(3)
    for index, (page, name) in enumerate(zip(sheets.pages, ("=1+2.png", "@cmd.png"))):
        image = np.array(document[index].render(scale=DPI / 72, grayscale=True).to_numpy(), copy=True)
        filled = gk.fill(image, page, DPI, rng, number=page.student.number, smudges=1, strays=0)
        Image.fromarray(filled.image).save(scans / name)
    document.close()
    return build, scans


def grade(build: Path, *scans: Path | str, out: Path) -> int:
    return main(["grade", str(build), *map(str, scans), "--out", str(out), "--jobs", "1", "-q"])


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def graded(sheets_and_scans, tmp_path, capsys) -> Path:
    """Both students graded once into tmp_path/grading."""
    build, scans = sheets_and_scans
    out = tmp_path / "grading"
    assert grade(build, scans / "=1+2.png", scans / "@cmd.png", out=out) == 0
    assert {"annotated-100201.pdf", "annotated-100202.pdf", "marks.csv", "grading.json"} <= set(contents(out))
    capsys.readouterr()
    return out


def error_lines(capsys) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()


def test_an_edited_marks_csv_stops_the_regrade_before_anything_is_written(sheets_and_scans, graded, capsys):
    build, scans = sheets_and_scans
    edited = (graded / "marks.csv").read_text(encoding="utf-8").replace("no,", "yes,") + "checked by hand\n"
    (graded / "marks.csv").write_text(edited, encoding="utf-8")
    before = contents(graded)
    assert grade(build, scans / "=1+2.png", scans / "@cmd.png", out=graded) == 1
    assert error_lines(capsys) == [
        f"{graded / 'marks.csv'}: --out: already exists and was not written by an earlier grading (or was changed "
        "since); nothing was written: move it away or choose another --out; a score you changed in it belongs in "
        "corrections.csv beside it (student,question,score,note), which every grading applies and never writes"]
    assert contents(graded) == before


def test_an_edited_annotated_copy_is_neither_replaced_nor_removed(sheets_and_scans, graded, capsys):
    build, scans = sheets_and_scans
    (graded / "annotated-100201.pdf").write_bytes(b"%PDF-1.4 with the teacher's notes")
    (graded / "annotated-100202.pdf").write_bytes(b"%PDF-1.4 with more notes")
    before = contents(graded)
    # grading the first student again would replace their edited copy: refused, nothing written
    assert grade(build, scans / "=1+2.png", out=graded) == 1
    assert error_lines(capsys) == [
        f"{graded / 'annotated-100201.pdf'}: --out: already exists and was not written by an earlier grading (or "
        "was changed since); nothing was written: move it away or choose another --out"]
    assert contents(graded) == before
    # grading only the first student once their copy is moved away: the second's edited copy is left alone
    (graded / "annotated-100201.pdf").rename(graded.parent / "kept.pdf")
    assert grade(build, scans / "=1+2.png", out=graded) == 0
    assert error_lines(capsys) == [f"{graded / 'annotated-100202.pdf'}: left alone: an earlier grading wrote it, "
                                   "but it was changed since; remove it yourself if it is not needed"]
    assert (graded / "annotated-100202.pdf").read_bytes() == b"%PDF-1.4 with more notes"
    listed = [e["path"] for e in json.loads((graded / "grading.json").read_text(encoding="utf-8"))["files"]]
    assert "annotated-100201.pdf" in listed and "annotated-100202.pdf" not in listed


def test_an_unchanged_annotated_copy_of_a_student_not_graded_again_is_removed(sheets_and_scans, graded):
    build, scans = sheets_and_scans
    assert grade(build, scans / "=1+2.png", out=graded) == 0
    assert "annotated-100202.pdf" not in contents(graded)


@pytest.mark.parametrize("record", [
    {"files": ["thesis.docx"]},
    {"generator": "quizgen 0.1.0", "files": [{"path": "thesis.docx", "sha256": "0" * 64}]},
])
def test_a_planted_record_never_deletes_a_users_file(sheets_and_scans, tmp_path, capsys, record):
    build, scans = sheets_and_scans
    out = tmp_path / "grading"
    out.mkdir()
    (out / "thesis.docx").write_text("my thesis", encoding="utf-8")
    (out / "grading.json").write_text(json.dumps(record), encoding="utf-8")
    code = grade(build, scans / "=1+2.png", scans / "@cmd.png", out=out)
    lines = error_lines(capsys)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "my thesis"
    if "generator" not in record:  # not a record quizgen wrote: the folder is refused
        assert code == 1 and lines == [f"{out / 'grading.json'}: --out: already exists and was not written by an "
                                       "earlier grading (or was changed since); nothing was written: move it away "
                                       "or choose another --out"]
        assert sorted(contents(out)) == ["grading.json", "thesis.docx"]
    else:  # quizgen's record, but the hash does not match: the file is named and left alone
        assert code == 0 and lines == [f"{out / 'thesis.docx'}: left alone: an earlier grading wrote it, but it was "
                                       "changed since; remove it yourself if it is not needed"]


def test_a_run_that_grades_nothing_changes_nothing(sheets_and_scans, graded, tmp_path, capsys):
    build, _ = sheets_and_scans
    before = contents(graded)
    stranger = tmp_path / "stranger.png"
    Image.fromarray(gk.rasterised("a4", 0, DPI)).save(stranger)  # a sheet of another build
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    assert grade(build, stranger, broken, out=graded) == 1
    lines = error_lines(capsys)
    assert lines[0].startswith(f"{stranger}: page 1: this sheet is from another build")
    assert lines[1:] == [f"{broken}: page 1: cannot decode this image",
                         f"no page could be graded, so nothing was written into {graded}"]
    assert contents(graded) == before


def test_a_student_whose_sheet_was_not_scanned_is_not_complete(sheets_and_scans, tmp_path):
    build, scans = sheets_and_scans
    out = tmp_path / "grading"
    assert grade(build, scans / "=1+2.png", out=out) == 0
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "marks.csv").read_text(encoding="utf-8")))}
    absent = rows["100202"]
    assert absent["complete"] == "no" and absent["out_of"] == "4" and absent["pages"] == ""
    assert absent["flags"] == "no page of this student's sheet was scanned"


def test_no_cell_of_the_grading_spreadsheets_is_a_formula(sheets_and_scans, tmp_path, monkeypatch):
    build, scans = sheets_and_scans
    monkeypatch.chdir(scans)  # the scans are then shown, and written, by their bare names
    out = tmp_path / "grading"
    assert grade(build, "=1+2.png", "@cmd.png", out=out) == 0
    marks = list(csv.reader(io.StringIO((out / "marks.csv").read_text(encoding="utf-8"))))
    analysis = list(csv.reader(io.StringIO((out / "item-analysis.csv").read_text(encoding="utf-8"))))
    cells = [cell for row in marks + analysis for cell in row]
    assert [cell for cell in cells if starts_like_formula(cell)] == []
    by_student = {row[0]: row for row in marks[1:]}
    assert by_student["100201"][1] == "'" + STUDENTS[0].name and by_student["100202"][1] == "'@SUM(1+1)"
    assert "'=1+2.png#1" in by_student["100201"] and "'@cmd.png#1" in by_student["100202"]
    assert any(cell.startswith("'=1+2.png: page 1: q") for cell in by_student["100201"])  # its flags
    prompts = [row[-1] for row in analysis[1:]]
    assert "'" + FORMULAS[0] + " is question 0" in prompts and "'+A1 is question 1" in prompts
