"""`quizgen grade` on hostile input: scans that are small on disk and decode to gigabytes or take minutes,
special files where scans or the sheets' geometry are expected, damaged geometry, strange codes and names.
Each is one line (naming the file and page) and never a traceback or a hang; the good scans of the same run
are graded all the same. Heavy cases run with quizgen's limits lowered and the memory of the whole process
tree measured (hostile_scans.grade_bounded)."""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
import random
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
from PIL import Image

import gradekit as gk
import hostile_scans as hs
from quizgen.sheets.paper import Box
from quizgen.sheets.record import SHEETS_JSON

DPI = 150
NUMBER = "314159"
GIGABYTE = 1024 ** 3


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return gk.sheets_only_build(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def good_page() -> np.ndarray:
    return gk.fill_page("a4", 0, DPI, random.Random(3), number=NUMBER, smudges=0, strays=0).image


@pytest.fixture
def good_scan(tmp_path, good_page) -> Path:
    path = tmp_path / "good.png"
    Image.fromarray(good_page).save(path)
    return path


def marks(out: Path) -> dict[str, dict]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO((out / "marks.csv").read_text("utf-8")))}


def only_line(run: hs.Run) -> str:
    """The one line on stderr of a run that failed cleanly."""
    assert run.returncode == 1, (run.returncode, run.stderr[-3000:])
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr[-3000:]
    return lines[0]


# ---- 1. decoding is bounded: one line for the page, the rest graded ----------------------------------------


@pytest.mark.parametrize("name, make, cpu, memory, expected", [
    # PDFium gives up on the picture when the worker's memory runs out, and says so; the pages that break the
    # memory limit get CPU time enough that they break that one first, on a slow machine too
    ("jpx.pdf", hs.jpeg2000_bomb, 8, GIGABYTE, "the scanned picture on this page cannot be decoded (damaged, or "
                                               "far larger than it says)"),
    ("forms.pdf", hs.self_drawing, 8, GIGABYTE, "cannot be read: stopped without a result (exit -*); it probably "
                                                "needed more than 1,024 MB of memory"),
    ("shapes.pdf", lambda: hs.rectangles(800_000), 2, 1400 * 1024 ** 2,
     "cannot be read: used more than 2 s of processor time"),
])
def test_a_page_that_decodes_too_large_or_too_slowly_is_one_line_and_the_rest_is_graded(
        build, good_scan, tmp_path, name, make, cpu, memory, expected):
    (tmp_path / name).write_bytes(make())
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, good_scan, tmp_path / name, "--out", out, "--jobs", "1", "-q",
                           cpu=cpu, memory=memory)
    line = only_line(run)
    assert fnmatch.fnmatchcase(line, f"{tmp_path / name}: page 1: {expected}; if it is an answer sheet, scan it "
                                     "again at 200–300 dpi"), line
    assert run.peak_bytes < GIGABYTE, run.peak_bytes
    assert set(marks(out)) == {NUMBER}
    assert line in (out / "problems.txt").read_text("utf-8")


def test_a_bad_page_inside_a_good_pdf_costs_only_that_page(build, good_page, tmp_path):
    import pypdf

    Image.fromarray(good_page).save(tmp_path / "good.pdf", "PDF", resolution=DPI)
    (tmp_path / "forms.pdf").write_bytes(hs.self_drawing())
    writer = pypdf.PdfWriter()
    for part in ("forms.pdf", "good.pdf"):
        writer.append(tmp_path / part)
    writer.write(tmp_path / "pile.pdf")
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, tmp_path / "pile.pdf", "--out", out, "--jobs", "2", "-q")
    assert only_line(run).startswith(f"{tmp_path / 'pile.pdf'}: page 1: cannot be read: ")
    assert set(marks(out)) == {NUMBER} and marks(out)[NUMBER]["pages"] == f"{tmp_path / 'pile.pdf'}#2"


def test_an_image_in_a_format_the_pixel_cap_cannot_read_is_not_decoded(build, good_scan, tmp_path):
    (tmp_path / "photo.png").write_bytes(hs.radiance_hdr())
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, good_scan, tmp_path / "photo.png", "--out", out, "-q")
    assert only_line(run) == f"{tmp_path / 'photo.png'}: page 1: cannot decode this image"
    assert run.peak_bytes < GIGABYTE and set(marks(out)) == {NUMBER}


def test_a_pdf_of_200000_pages_is_refused_by_the_page_cap(build, good_scan, tmp_path):
    (tmp_path / "pages.pdf").write_bytes(hs.many_pages())
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, good_scan, tmp_path / "pages.pdf", "--out", out, "-q")
    assert only_line(run) == (f"{tmp_path / 'pages.pdf'}: 202,500 pages would make more than 10,000 in one "
                              "grading; not read: grade the scans in smaller batches")
    assert set(marks(out)) == {NUMBER} and run.seconds < 30


# ---- 3. special files are refused before they are opened ---------------------------------------------------


def test_a_fifo_among_the_scans_is_refused_unopened_and_a_folder_says_what_it_left_out(build, good_scan, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    os.mkfifo(folder / "pipe.pdf")
    run = hs.grade_bounded("grade", build, folder, "--out", tmp_path / "out", timeout=30)
    assert only_line(run) == f"{folder / 'pipe.pdf'}: is a FIFO, not a scan file; expected a PDF or an image file"
    os.mkfifo(tmp_path / "given.png")
    run = hs.grade_bounded("grade", build, tmp_path / "given.png", "--out", tmp_path / "out", timeout=30)
    assert only_line(run).startswith(f"{tmp_path / 'given.png'}: is a FIFO, not a scan file")
    (folder / "pipe.pdf").unlink()
    shutil.copy(good_scan, folder / "good.png")
    (folder / "._good.png").write_bytes(b"\x00\x05\x16\x07" + bytes(200))  # what macOS leaves on other disks
    (folder / "period-2").mkdir()
    run = hs.grade_bounded("grade", build, folder, "--out", tmp_path / "out", timeout=30)
    assert run.returncode == 0 and run.stderr.splitlines() == [
        f"{folder / 'period-2'}: a folder inside {folder} is not read; name it on the command line to grade its scans"]
    assert set(marks(tmp_path / "out")) == {NUMBER}


@pytest.mark.parametrize("special", ["fifo", "zero"])
def test_answer_sheets_json_that_is_a_fifo_or_a_device_is_refused_unopened(tmp_path, good_scan, special):
    folder = tmp_path / "build"
    folder.mkdir()
    if special == "fifo":
        os.mkfifo(folder / SHEETS_JSON)
    else:
        (folder / SHEETS_JSON).symlink_to("/dev/zero")
    run = hs.grade_bounded("grade", folder, good_scan, timeout=30)
    assert only_line(run) == (f"{folder / SHEETS_JSON}:1:1: this answer-sheet geometry is not a regular file "
                              "(a FIFO, socket or device); expected a plain file")


def test_answer_sheets_json_over_the_size_cap_is_refused_unread(tmp_path, good_scan):
    folder = tmp_path / "build"
    folder.mkdir()
    with open(folder / SHEETS_JSON, "wb") as sparse:  # 200 MB that take no disk
        sparse.truncate(200 * 1024 ** 2)
    run = hs.grade_bounded("grade", folder, good_scan, timeout=30)
    assert only_line(run) == (f"{folder / SHEETS_JSON}:1:1: this answer-sheet geometry is 209,715,200 bytes; "
                              "expected at most 134,217,728")
    assert run.peak_bytes < GIGABYTE


# ---- 5. damaged geometry, strange codes and names: one line each, never a traceback -------------------------


def damage(build: Path, folder: Path, change) -> Path:
    """A copy of the build folder whose answer-sheets.json `change` (a function of the parsed JSON) damaged."""
    folder.mkdir()
    data = json.loads((build / SHEETS_JSON).read_text("utf-8"))
    change(data)
    (folder / SHEETS_JSON).write_text(json.dumps(data), encoding="utf-8")
    return folder


def first_item(data: dict) -> dict:
    return data["pages"][0]["items"][0]


@pytest.mark.parametrize("change, why", [
    (lambda d: first_item(d)["boxes"][0].update(x=float("nan")), "NaN is not a number a sheet can hold"),
    (lambda d: d["pages"][0]["code"].update(width=float("inf")), "Infinity is not a number a sheet can hold"),
    (lambda d: d["pages"][0]["digits"][0][0].update(width=-4.0),
     "page 1 (version A, page 1): the student-number grid: a box at (*, -4.0, 4.0) mm is not on the 210 × 297 mm page"),
    (lambda d: d["pages"][0].update(digits=[]),
     "page 1 (version A, page 1): the student-number grid needs 1 to 6 columns of 10 boxes"),
    (lambda d: first_item(d).update(correct=[]),
     "page 1 (version A, page 1): q1: the key marks no box correct, or not one entry per box"),
    (lambda d: first_item(d).update(number=10 ** 3999),
     "page 1 (version A, page 1): question number 10000000000000000000; expected 1 to 999"),
    (lambda d: d["pages"].__setitem__(0, [[[]]]), "*"),
])
def test_damaged_geometry_is_one_line_before_any_scan_is_read(build, good_scan, tmp_path, change, why):
    folder = damage(build, tmp_path / "damaged", change)
    run = hs.grade_bounded("grade", folder, good_scan, timeout=30)
    line = only_line(run)
    assert fnmatch.fnmatchcase(line, f"{folder / SHEETS_JSON}: damaged answer-sheet geometry ({why}); build the "
                                     "answer sheets again"), line


def with_code(image: np.ndarray, code: Box, text: str) -> np.ndarray:
    """The page with another QR code, saying `text`, printed over its own."""
    matrix = np.array([list(row) for row in segno.make(text, error="m", micro=False, encoding="utf-8").matrix],
                      dtype=np.uint8)
    scale = DPI / 25.4
    left, top, side = round(code.x * scale), round(code.y * scale), round(code.width * scale)
    changed = np.array(image, copy=True)
    changed[top:top + side, left:left + side] = cv2.resize(np.where(matrix == 1, 0, 255).astype(np.uint8),
                                                           (side, side), interpolation=cv2.INTER_NEAREST)
    return changed


@pytest.mark.parametrize("text", ["QZG1:{build}:A:²:", "QZG1:\x1b[2J\x1b[31mEVIL:A:1:"])
def test_a_code_with_a_unicode_digit_or_control_characters_is_one_escaped_line(build, good_scan, good_page,
                                                                                tmp_path, text):
    sheets = gk.rendered_sheets("a4").sheets
    strange = tmp_path / "strange.png"
    Image.fromarray(with_code(good_page, sheets.pages[0].code, text.format(build=sheets.build))).save(strange)
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, good_scan, strange, "--out", out, "-q")
    line = only_line(run)
    assert line.startswith(f"{strange}: page 1: the code reads 'QZG1:") and "\x1b" not in line, line
    assert line.endswith("which is not a quizgen answer-sheet code")
    assert "\x1b" not in (out / "problems.txt").read_text("utf-8") and set(marks(out)) == {NUMBER}


def test_scan_names_that_are_not_utf8_are_escaped_everywhere(build, good_page, tmp_path):
    folder = os.fsencode(tmp_path)
    Image.fromarray(good_page).save(os.fsdecode(folder + b"/caf\xe9.png"))
    with open(folder + b"/bad\xff.jpg", "wb") as broken:
        broken.write(b"not a picture")
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, folder + b"/caf\xe9.png", folder + b"/bad\xff.jpg", "--out", out, "-q")
    assert only_line(run) == f"{tmp_path}/bad\\udcff.jpg: page 1: cannot decode this image"
    assert f"{tmp_path}/bad\\udcff.jpg" in (out / "problems.txt").read_text("utf-8")
    assert marks(out)[NUMBER]["pages"] == f"{tmp_path}/caf\\udce9.png#1"


def test_grading_into_the_scan_folder_does_not_read_its_own_annotated_copies(build, good_scan, tmp_path):
    folder = good_scan.parent
    first = hs.grade_bounded("grade", build, folder, "--out", folder, "-q")
    assert first.returncode == 0 and (folder / f"annotated-{NUMBER}.pdf").exists(), first.stderr
    again = hs.grade_bounded("grade", build, folder, "--out", folder)
    assert again.returncode == 0 and again.stderr.splitlines() == [
        f"{folder / f'annotated-{NUMBER}.pdf'}: an annotated copy written by `quizgen grade`, not a scan; skipped"]
    row = marks(folder)[NUMBER]
    assert row["pages"] == f"{good_scan}#1" and row["flags"] == ""


# ---- 2. a user's layouts for grading and calibration run bounded, as the build's do -------------------------

SPIN = "{% for i in \"x\" * 100000 %}{% for j in \"x\" * 100000 %}{% endfor %}{% endfor %}"


def test_a_report_layout_that_never_ends_is_stopped_and_named(build, good_scan, tmp_path):
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "grading-report.html").write_text(SPIN, encoding="utf-8")
    run = hs.grade_bounded("grade", build, good_scan, "--out", tmp_path / "out", "--layouts", layouts, "-q",
                           cpu=2, timeout=40)
    assert only_line(run) == f"{layouts / 'grading-report.html'}: layout: used more than 2 s of processor time; stopped"


def test_a_calibration_layout_that_never_ends_is_stopped_and_named(tmp_path):
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "calibration.html").write_text(SPIN, encoding="utf-8")
    run = hs.grade_bounded("calibration", "-o", tmp_path / "calibration.pdf", "--layouts", layouts, cpu=2,
                           timeout=40)
    assert only_line(run) == f"{layouts / 'calibration.html'}: layout: used more than 2 s of processor time; stopped"
    assert not (tmp_path / "calibration.pdf").exists()
