"""Who a page belongs to, and the names grading gives it: scans of the same name in two folders, scan names
that differ only in characters a file name cannot keep, class lists whose numbers the grid cannot tell apart,
long or accented names on sheets and annotated pages, and a class list given as a pipe. Every command runs
bounded (hostile_scans.grade_bounded: at most 60 s, memory capped) and a refusal is one line, never a traceback;
the annotated pages are drawn in this process from one graded page."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import gradekit as gk
from helpers import science_pack_files, write_pack
import hostile_scans as hs
from quizgen.sheets.record import SHEETS_JSON

DPI = 150


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return gk.sheets_only_build(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def unnumbered_page() -> np.ndarray:
    """A filled page whose student left the number grid empty."""
    return gk.fill_page("a4", 0, DPI, random.Random(5), number="", smudges=0, strays=0).image


def marks(out: Path) -> dict[str, dict]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "marks.csv").read_text("utf-8")))}


def clean(run: hs.Run) -> hs.Run:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    return run


def only_line(run: hs.Run) -> str:
    """The one line on stderr of a run that failed cleanly."""
    assert run.returncode == 1, (run.returncode, run.stderr[-3000:])
    clean(run)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-3000:]
    return lines[0]


# ---- 1. scans of the same name in two folders are two students --------------------------------------------


def test_unnumbered_pages_of_two_files_of_one_name_stay_two_students(build, unnumbered_page, tmp_path):
    for folder in ("d1", "d2"):
        (tmp_path / folder).mkdir()
        Image.fromarray(unnumbered_page).save(tmp_path / folder / "scan.pdf", "PDF", resolution=DPI)
    out = tmp_path / "out"
    run = clean(hs.grade_bounded("grade", build, tmp_path / "d1" / "scan.pdf", tmp_path / "d2", "--out", out,
                                 "--jobs", "1", "-q"))
    assert run.returncode == 0, run.stderr
    rows = marks(out)
    assert len(rows) == 2, rows
    assert {row["pages"] for row in rows.values()} == {f"{tmp_path / 'd1' / 'scan.pdf'}#1",
                                                       f"{tmp_path / 'd2' / 'scan.pdf'}#1"}
    assert not any(row["flags"] and "repeats" in row["flags"] for row in rows.values()), rows
    assert len(list(out.glob("annotated-*.pdf"))) == 2


# ---- 2. annotated copies never share a file name -----------------------------------------------------------


def test_scans_whose_names_differ_only_by_a_space_get_two_annotated_copies_named_the_same_each_time(
        build, unnumbered_page, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for name in ("a b.pdf", "a_b.pdf"):
        Image.fromarray(unnumbered_page).save(scans / name, "PDF", resolution=DPI)
    names = []
    for out in (tmp_path / "out", tmp_path / "again"):
        run = clean(hs.grade_bounded("grade", build, scans, "--out", out, "--jobs", "1", "-q"))
        assert run.returncode == 0, run.stderr
        assert len(marks(out)) == 2
        names.append(sorted(p.name for p in out.glob("annotated-*.pdf")))
    assert len(names[0]) == 2 and names[0] == names[1], names
    assert len({(tmp_path / "out" / name).read_bytes() for name in names[0]}) == 2


# ---- 3. a class list whose numbers the digit grid cannot tell apart -----------------------------------------


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    return write_pack(tmp_path_factory.mktemp("pack") / "chemistry", science_pack_files())


def build_with(pack: Path, roster: Path | str, out: Path, *more: str, timeout: float = 60) -> hs.Run:
    return hs.grade_bounded("build", pack, "--out", out, "--students", roster, "--only", "answer-sheets", "-q",
                            *more, timeout=timeout)


def test_numbers_equal_but_for_leading_zeros_are_refused_in_one_line_naming_both_rows(pack, tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("number,name\n1,Amina Haddad\n240102,Omar Khalil\n000001,Leo Martin\n", encoding="utf-8")
    line = only_line(build_with(pack, roster, tmp_path / "out"))
    assert line == (f"{roster}:4:1: number: 000001 and 1 on line 2 are one number on the sheet's digit grid; "
                    "give each student a different number"), line
    assert not (tmp_path / "out").exists()


# ---- 4. a class list too large for one build ---------------------------------------------------------------


def test_a_class_list_of_100000_students_is_refused_in_one_line_naming_the_list_not_the_layouts(pack, tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("number,name\n" + "".join(f"{n},Student {n}\n" for n in range(1, 100_001)), encoding="utf-8")
    run = build_with(pack, roster, tmp_path / "out", "--versions", "2", timeout=60)
    line = only_line(run)
    assert line == (f"{roster}: --students: 100,000 students' answer sheets would be 100,000 pages; one build makes "
                    "at most 200: split the class list and build each part into its own --out folder"), line
    assert "layout" not in line and run.seconds < 30, run.seconds
    assert not (tmp_path / "out").exists()


# ---- 5. a long name stays in its box on the sheet -----------------------------------------------------------


def name_boxes(pdf: Path, letter: str) -> list[tuple[float, float, float, float]]:
    """Each drawn `letter` of the first page as (left, top, right, bottom) in mm from the top-left corner."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    page = document[0]
    height = page.get_height()
    text = page.get_textpage()
    found = []
    for index in range(text.count_chars()):
        if text.get_text_range(index, 1) == letter:
            left, bottom, right, top = text.get_charbox(index)
            found.append(tuple(v * 25.4 / 72 for v in (left, height - top, right, height - bottom)))
    document.close()
    return found


def test_a_long_unbreakable_name_is_wrapped_or_cut_within_the_header_not_over_the_code(pack, tmp_path):
    from quizgen.sheets.geometry import ITEMS_TOP
    from quizgen.sheets.record import SHEETS_PDF, read_answer_sheets

    roster = tmp_path / "class.csv"
    roster.write_text("number,name\n240101," + "W" * 300 + "\n240102,Amina Haddad\n", encoding="utf-8")
    out = tmp_path / "out"
    run = clean(hs.grade_bounded("build", pack, "--out", out, "--students", roster, "--only", "answer-sheets",
                                 "-q", cpu=50, memory=1024 ** 3, wall=55, timeout=60))
    assert run.returncode == 0, run.stderr
    sheet = read_answer_sheets(out / "chemistry" / SHEETS_JSON).pages[0]
    boxes = name_boxes(out / "chemistry" / SHEETS_PDF, "W")
    assert len(boxes) > 20
    header_right = sheet.digits[0][0].x - 6
    assert max(right for _, _, right, _ in boxes) <= header_right + 0.5, (max(b[2] for b in boxes), header_right)
    assert max(bottom for _, _, _, bottom in boxes) < ITEMS_TOP - 8


# ---- 6. accented and Arabic names are drawn on annotated pages ----------------------------------------------


@pytest.fixture(scope="module")
def graded_named_page():
    """One page of a class-list sheet, filled, scanned and graded, with the result it belongs to."""
    from quizgen.grade.run import grade_image
    from quizgen.grade.score import students_from
    from quizgen.render.answer_sheets import answer_sheets_document, sheet_layout
    from quizgen.render.layouts import Layouts
    from quizgen.render.pdf import render_pdfs
    from quizgen.sheets.paper import PAPERS
    from quizgen.sheets.record import Student
    import pypdfium2 as pdfium

    sheets = sheet_layout(gk.grading_set(), PAPERS["a4"], (Student("240101", "Zoë", 1),), inputs="test")
    pdf, = render_pdfs(answer_sheets_document(sheets, Layouts.with_user_folders()))
    document = pdfium.PdfDocument(pdf.data)
    image = np.array(document[0].render(scale=DPI / 72, grayscale=True).to_numpy(), copy=True)
    document.close()
    filled = gk.fill(image, sheets.pages[0], DPI, random.Random(2), number="240101", smudges=0, strays=0)
    page = grade_image(filled.image, sheets, "scan.png", 1)
    (result, *_), _ = students_from([page], sheets)
    return page, result


def header_strip(page, result, name: str) -> np.ndarray:
    from dataclasses import replace

    from quizgen.grade.locate import PX_PER_MM
    from quizgen.grade.report import annotated_page

    return annotated_page(page, replace(result, name=name))[: round(10 * PX_PER_MM)]


@pytest.mark.parametrize("first, second", [("Zoë", "Zoé"), ("جود", "سلم"), ("Łukasz", "Šukasz")])
def test_names_that_differ_only_in_accented_or_arabic_letters_are_drawn_differently(graded_named_page, first,
                                                                                        second):
    page, result = graded_named_page
    assert not np.array_equal(header_strip(page, result, first), header_strip(page, result, second))


def test_an_arabic_name_is_drawn_as_letters_not_question_marks(graded_named_page):
    page, result = graded_named_page
    arabic, marks = header_strip(page, result, "جود الحسن"), header_strip(page, result, "??? ?????")
    assert not np.array_equal(arabic, marks)


# ---- 7. a class list from a pipe is read once, with a size cap ----------------------------------------------


def fed_fifo(path: Path, data: bytes):
    """A named pipe (what `--students <(cat class.csv)` hands over) fed `data` once by a thread, as a pipe is."""
    import os
    import threading

    os.mkfifo(path)

    def feed() -> None:
        try:
            with open(path, "wb") as pipe:
                pipe.write(data)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def test_a_class_list_from_a_pipe_is_read_once_like_a_file(pack, tmp_path):
    from quizgen.sheets.record import read_answer_sheets

    fed_fifo(tmp_path / "class.csv", "number,name\n240101,Amina Haddad\n240102,جود\n".encode("utf-8"))
    out = tmp_path / "out"
    run = clean(hs.grade_bounded("build", pack, "--out", out, "--students", tmp_path / "class.csv", "--only",
                                 "answer-sheets", "-q", cpu=40, memory=1024 ** 3, wall=40, timeout=50))
    assert run.returncode == 0, run.stderr
    sheets = read_answer_sheets(out / "chemistry" / SHEETS_JSON)
    assert [(p.student.number, p.student.name) for p in sheets.pages] == [("240101", "Amina Haddad"),
                                                                            ("240102", "جود")]


def test_a_class_list_pipe_that_never_ends_is_refused_at_the_cap(pack, tmp_path):
    rows = b"number,name\n" + b"".join(b"%06d,Student with a rather long name %d\n" % (n % 999_999, n)
                                       for n in range(300_000))
    fed_fifo(tmp_path / "class.csv", rows)
    line = only_line(build_with(pack, tmp_path / "class.csv", tmp_path / "out", timeout=40))
    assert line == f"{tmp_path / 'class.csv'}: --students: the class list is more than 8,388,608 bytes; a class " \
                   "list is far smaller: is this the right file?", line
    assert not (tmp_path / "out").exists()
