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
from quizgen.render.answer_sheets import SHEETS_JSON
from quizgen.render.cards import Box

DPI = 150
NUMBER = "314159"
GIGABYTE = 1024 ** 3


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """A build folder with the shared test sheets' answer-sheets.json."""
    folder = tmp_path_factory.mktemp("build")
    shutil.copy(gk.rendered_sheets("a4").folder / SHEETS_JSON, folder / SHEETS_JSON)
    return folder


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


@pytest.mark.parametrize("name, make, memory, expected", [
    # PDFium gives up on the picture when the worker's memory runs out, and says so
    ("jpx.pdf", hs.jpeg2000_bomb, GIGABYTE, "the scanned picture on this page cannot be decoded (damaged, or far "
                                            "larger than it says)"),
    ("forms.pdf", hs.self_drawing, GIGABYTE, "cannot be read: stopped without a result (exit -*); it probably "
                                             "needed more than 1,024 MB of memory"),
    ("shapes.pdf", lambda: hs.rectangles(800_000), 1400 * 1024 ** 2,
     "cannot be read: used more than 2 s of processor time"),
])
def test_a_page_that_decodes_too_large_or_too_slowly_is_one_line_and_the_rest_is_graded(
        build, good_scan, tmp_path, name, make, memory, expected):
    (tmp_path / name).write_bytes(make())
    out = tmp_path / "out"
    run = hs.grade_bounded("grade", build, good_scan, tmp_path / name, "--out", out, "--jobs", "1", "-q",
                           cpu=2, memory=memory)
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
