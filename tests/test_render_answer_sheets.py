"""Answer sheets: geometry computed once from the question set, drawn by the layout, recorded for the grader."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

import gradekit as gk
from helpers import science_pack_files, write_pack
from quizgen.cli import main
from quizgen.errors import QuizgenError
from quizgen.model import Option, Question, Version
from quizgen.render.answer_sheets import read_class_list_once, sheet_layout, version_pages
from quizgen.sheets.geometry import mark_boxes
from quizgen.sheets.paper import PAPERS
from quizgen.sheets.record import SHEETS_JSON, SHEETS_PDF, answer_sheets_json, read_answer_sheets


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sheets")
    pack = write_pack(root / "chemistry", science_pack_files())
    assert main(["build", str(pack), "--out", str(root / "out"), "--versions", "3", "--count", "12",
                 "--answer-sheets", "--only", "answer-sheets,questions", "-q"]) == 0
    return root / "out" / "chemistry"


def test_one_sheet_per_version_with_the_keys_of_the_question_set(built):
    sheets = read_answer_sheets(built / SHEETS_JSON)
    questions = json.loads((built / "questions.json").read_text(encoding="utf-8"))
    assert [p.version for p in sheets.pages] == ["A", "B", "C"]
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert sheets.inputs == manifest["inputs"] and len(sheets.build) == 10
    assert {e["path"] for e in manifest["files"]} >= {SHEETS_PDF, SHEETS_JSON}
    for page, version in zip(sheets.pages, questions["versions"]):
        assert [i.question_id for i in page.items] == [q["id"] for q in version["questions"]]
        for item, question in zip(page.items, version["questions"]):
            if question["type"] in ("multiple-choice", "true-false", "multiple-response"):
                assert item.correct == tuple(o["correct"] for o in question["options"])
                assert item.option_texts == tuple(o["text"] for o in question["options"])
            else:
                assert item.labels == ("0", "½", "1") and item.correct == () and item.line is not None
    reader = pypdf.PdfReader(built / SHEETS_PDF)
    assert len(reader.pages) == 3
    assert [float(v) for v in reader.pages[0].mediabox[2:]] == pytest.approx([595.28, 841.89], abs=0.1)
    for page, pdf_page in zip(sheets.pages, reader.pages):
        text = pdf_page.extract_text()
        assert page.code_text in text and f"Version {page.version} · page 1 of 1" in text


def test_a_class_list_gives_each_student_a_named_sheet_with_versions_dealt_in_turn(tmp_path):
    pack = write_pack(tmp_path / "chemistry", science_pack_files())
    roster = tmp_path / "class.csv"
    roster.write_text("name,number\nAmina Haddad,1001\nجود,1002\nLeo Martin,1003\n", encoding="utf-8")
    assert main(["build", str(pack), "--out", str(tmp_path / "out"), "--versions", "2", "--count", "6",
                 "--students", str(roster), "--paper", "letter", "--only", "answer-sheets", "-q"]) == 0
    folder = tmp_path / "out" / "chemistry"
    sheets = read_answer_sheets(folder / SHEETS_JSON)
    assert [(p.student.number, p.version) for p in sheets.pages] == [("1001", "A"), ("1002", "B"), ("1003", "A")]
    assert [p.code_text.rsplit(":", 1)[1] for p in sheets.pages] == ["1", "2", "3"]
    reader = pypdf.PdfReader(folder / SHEETS_PDF)
    assert [float(v) for v in reader.pages[0].mediabox[2:]] == pytest.approx([612, 792], abs=0.1)
    assert "Amina Haddad" in reader.pages[0].extract_text() and "1003" in reader.pages[2].extract_text()


@pytest.mark.parametrize("text, message", [
    ("number,name\n1001,A\nx1,B\n", "class.csv:3:1: number: 'x1' is not a student number; expected 1 to 6 digits"),
    ("id,name\n1001,A\n1001,B\n", "class.csv:3:1: number: 1001 is already on line 2"),
    ("who,when\n1,2\n", "class.csv:1:1: header: found columns who, when; expected 'number' (or 'id') and 'name'"),
    ("", "class.csv:1:1: header: the class list is empty; expected a header with 'number' and 'name' columns"),
    ("number,name\n\n , \n", "class.csv:2:1: number: the class list has no students"),
    ("Name, Student \nA,12\nB\n", "class.csv:3:2: number: '' is not a student number; expected 1 to 6 digits"),
])
def test_a_bad_class_list_is_one_located_line(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class.csv").write_text(text, encoding="utf-8")
    with pytest.raises(QuizgenError) as caught:
        read_class_list_once(Path("class.csv"))
    assert str(caught.value) == message


def test_a_bad_class_list_stops_the_build_before_anything_is_written(tmp_path, capsys):
    pack = write_pack(tmp_path / "chemistry", science_pack_files())
    (tmp_path / "class.csv").write_text("number,name\n12345678,Too Long\n", encoding="utf-8")
    assert main(["build", str(pack), "--out", str(tmp_path / "out"), "--students", str(tmp_path / "class.csv"),
                 "--only", "answer-sheets", "-q"]) == 1
    assert "class.csv:2:1: number: '12345678' is not a student number" in capsys.readouterr().err
    assert not (tmp_path / "out" / "chemistry" / SHEETS_PDF).exists()


def test_a_user_layout_overrides_the_sheet_stylesheet_by_name(tmp_path):
    pack = write_pack(tmp_path / "chemistry", science_pack_files())
    mine = tmp_path / "my-layouts"
    mine.mkdir()
    (mine / "answer-sheet.css").write_text(
        (Path(__file__).parent.parent / "templates/layouts/answer-sheet.css").read_text(encoding="utf-8")
        + "\n.instructions { display: none; }\n", encoding="utf-8")
    assert main(["build", str(pack), "--out", str(tmp_path / "out"), "--layouts", str(mine), "--count", "4",
                 "--answer-sheets", "--only", "answer-sheets", "-q"]) == 0
    text = pypdf.PdfReader(tmp_path / "out" / "chemistry" / SHEETS_PDF).pages[0].extract_text()
    assert "Student number" in text and "Use a dark pen" not in text


def mc(n: int, options: int = 4) -> Question:
    return Question(id=f"q{n}", type="multiple-choice", template_id="t", prompt=f"Question {n}?", answer="a",
                    explanation="", difficulty=1, fact_ids=(), citations=(),
                    options=tuple(Option(f"o{k}", f"option {k}", k == 0) for k in range(options)))


def test_a_long_version_runs_onto_more_pages_down_each_column_in_turn():
    version = Version("A", tuple(mc(n) for n in range(1, 51)))
    pages = version_pages(version, PAPERS["a4"])
    assert [len(p) for p in pages] == [46, 4]
    assert [i.number for i in pages[1]] == [47, 48, 49, 50]
    first = pages[0]
    assert first[22].label_x < first[23].label_x and first[23].label_y == first[0].label_y


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_boxes_never_overlap_and_stay_inside_the_marks(paper):
    question_set = gk.grading_set()
    many = replace(question_set, versions=(Version("A", tuple(mc(n, 8) for n in range(1, 60))),
                                           *question_set.versions))
    sheets = sheet_layout(many, PAPERS[paper])
    top_left, _, bottom_right, _ = mark_boxes(PAPERS[paper])
    for page in sheets.pages:
        boxes = [b for column in page.digits for b in column] + [b for i in page.items for b in i.boxes] + [page.code]
        for box in boxes:
            assert top_left.right < box.x and box.right < bottom_right.x
            assert top_left.bottom < box.y and box.bottom < bottom_right.y
        for a, b in itertools.combinations(boxes, 2):
            assert a.right <= b.x or b.right <= a.x or a.bottom <= b.y or b.bottom <= a.y, (a, b)


def test_more_options_than_a_row_holds_is_an_error():
    with pytest.raises(QuizgenError, match="9 options do not fit"):
        version_pages(Version("A", (mc(1, 9),)), PAPERS["a4"])


def test_the_geometry_reads_back_as_written_and_damage_is_one_line(tmp_path):
    sheets = gk.rendered_sheets("a4").sheets
    path = tmp_path / SHEETS_JSON
    path.write_text(answer_sheets_json(sheets), encoding="utf-8")
    assert read_answer_sheets(path) == sheets
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["pages"][0]["items"][0]["boxes"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(QuizgenError, match="damaged answer-sheet geometry .*build the answer sheets again"):
        read_answer_sheets(path)


def test_the_sheet_code_follows_what_the_sheets_show_not_unrelated_options(tmp_path):
    pack = write_pack(tmp_path / "chemistry", science_pack_files())

    def sheets_of(name: str, *options: str):
        assert main(["build", str(pack), "--out", str(tmp_path / name), "--count", "6", "--answer-sheets",
                     "--only", "answer-sheets", "-q", *options]) == 0
        folder = tmp_path / name / "chemistry"
        return read_answer_sheets(folder / SHEETS_JSON), (folder / SHEETS_PDF).read_bytes()

    plain, plain_pdf = sheets_of("plain")
    cards, cards_pdf = sheets_of("cards", "--cards", "3x3")
    reseeded, _ = sheets_of("seed", "--seed", "2")
    assert plain.inputs != cards.inputs  # a different build …
    assert plain.build == cards.build and plain_pdf == cards_pdf  # … with the very same sheets
    assert reseeded.build != plain.build
