"""Reading scans: PDF pages (a scanner's embedded picture, or drawn), images, and input too large to be a scan."""

from __future__ import annotations

import numpy as np
import pypdf
import pytest
from PIL import Image

import gradekit as gk
from quizgen.errors import QuizgenError
from quizgen.grade.read import is_two_tone
from quizgen.grade.scans import find_scans, image_page, image_page_count, pdf_pages


def test_a_scanners_pdf_gives_back_its_own_pixels(tmp_path):
    page = gk.jpeg(gk.rasterised("a4", 0, 150), 90)
    Image.fromarray(page).save(tmp_path / "scan.pdf", "PDF", resolution=150)
    (read,) = list(pdf_pages(tmp_path / "scan.pdf", 300))
    assert read.image.shape == page.shape  # its own 150 dpi, not redrawn at 300
    assert np.abs(read.image.astype(int) - page.astype(int)).mean() < 2


def test_a_drawn_pdf_is_rasterised_at_the_asked_resolution():
    (first, second) = list(pdf_pages(gk.rendered_sheets("a4").folder / "answer-sheets.pdf", 100))
    assert first.image.shape[0] == pytest.approx(297 / 25.4 * 100, abs=1.5) and second.number == 2
    assert first.image.shape[1] == pytest.approx(210 / 25.4 * 100, abs=1.5)


def test_input_too_large_to_be_a_scan_is_refused_before_it_is_decoded(tmp_path):
    Image.new("1", (16000, 16000), 1).save(tmp_path / "huge.png")
    assert "too large" in image_page(tmp_path / "huge.png").problem
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=14400, height=14400)  # 5 m square
    writer.write(tmp_path / "poster.pdf")
    (page,) = list(pdf_pages(tmp_path / "poster.pdf", 200))
    assert page.image is None and page.problem.startswith("the page is 5080 × 5080 mm:")


def test_folders_are_read_for_scans_and_other_files_refused(tmp_path):
    (tmp_path / "pile").mkdir()
    Image.new("L", (10, 10), 255).save(tmp_path / "pile" / "b.png")
    Image.new("L", (10, 10), 255).save(tmp_path / "pile" / "a.jpg")
    (tmp_path / "pile" / "notes.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in find_scans([tmp_path / "pile"]).files] == ["a.jpg", "b.png"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(QuizgenError, match="no PDF or image files in this folder"):
        find_scans([tmp_path / "empty"])


def test_every_page_of_a_copiers_multi_page_tiff_is_a_page(tmp_path):
    pages = [Image.fromarray(gk.rasterised("a4", n % 2, 100)) for n in range(5)]
    pages[0].save(tmp_path / "copier.tif", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    assert image_page_count(tmp_path / "copier.tif") == 5
    read = [image_page(tmp_path / "copier.tif", n) for n in range(5)]
    assert [p.number for p in read] == [1, 2, 3, 4, 5]
    assert all(np.array_equal(p.image, gk.rasterised("a4", n % 2, 100)) for n, p in enumerate(read))
    broken = image_page(tmp_path / "copier.tif", 7)
    assert broken.image is None and broken.where.endswith("copier.tif: page 8")
    assert broken.problem == "cannot decode page 8 of this image"


@pytest.mark.parametrize("mode, suffix", [("1", ".tif"), ("I;16", ".png"), ("P", ".gif"), ("RGB", ".ppm"),
                                          ("L", ".jp2"), ("RGB", ".pcx")])
def test_any_format_and_depth_pillow_reads_comes_back_as_the_same_grey_page(tmp_path, mode, suffix):
    page = gk.rasterised("a4", 0, 75)
    picture = Image.fromarray(page)
    if mode == "I;16":
        picture = Image.fromarray(page.astype(np.uint16) * 257)
    elif mode != "L":
        picture = picture.convert(mode)
    picture.save(tmp_path / f"scan{suffix}")
    assert find_scans([tmp_path / f"scan{suffix}"]).files == [tmp_path / f"scan{suffix}"]
    read = image_page(tmp_path / f"scan{suffix}")
    expected = np.array(picture.convert("L")) if mode in ("1", "P") else page
    assert read.image.shape == page.shape
    assert np.abs(read.image.astype(int) - expected.astype(int)).mean() < 2, mode


def test_a_copiers_black_and_white_pdf_and_tiff_are_known_for_what_they_are(tmp_path):
    page = gk.one_bit(gk.rasterised("a4", 0, 100), 128)
    Image.fromarray(page).convert("1").save(tmp_path / "bw.pdf", resolution=100)
    Image.fromarray(page).convert("1").save(tmp_path / "bw.tif", compression="group4")
    (from_pdf,) = list(pdf_pages(tmp_path / "bw.pdf", 200))
    from_tiff = image_page(tmp_path / "bw.tif")
    assert is_two_tone(from_pdf.image) and is_two_tone(from_tiff.image)
    assert np.array_equal(from_tiff.image, page)
    assert not is_two_tone(gk.rasterised("a4", 0, 100))  # a grey scan's anti-aliased edges are grey
