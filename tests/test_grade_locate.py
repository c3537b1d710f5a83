"""Finding the registration marks: rotation, scale, perspective, a page lying sideways, and pages without marks."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

import gradekit as gk
from quizgen.grade.locate import PX_PER_MM, UnreadablePage, locate_page
from quizgen.grade.run import grade_image
from quizgen.sheets.geometry import mark_boxes


def ink_at_marks(image: np.ndarray, paper) -> list[float]:
    """Mean grey inside each mark of a canonical page (0 black … 255 white)."""
    means = []
    for box in mark_boxes(paper):
        inner = image[round((box.y + 1) * PX_PER_MM):round((box.bottom - 1) * PX_PER_MM),
                      round((box.x + 1) * PX_PER_MM):round((box.right - 1) * PX_PER_MM)]
        means.append(float(inner.mean()))
    return means


def paper_around_marks(image: np.ndarray, paper) -> list[float]:
    means = []
    for box in mark_boxes(paper):
        ring = image[round((box.bottom + 0.8) * PX_PER_MM):round((box.bottom + 2.5) * PX_PER_MM),
                     round(box.x * PX_PER_MM):round(box.right * PX_PER_MM)]
        means.append(float(ring.mean()))
    return means


@pytest.mark.parametrize("how", ["rotate +5", "rotate -5 scale 95%", "scale 105%", "perspective", "sideways"])
def test_the_page_is_mapped_onto_the_sheet_grid(how):
    rng = random.Random(len(how))
    image = np.array(gk.rasterised("a4", 0, 200))
    if how.startswith("rotate"):
        parts = how.split()
        scale = float(parts[3].rstrip("%")) / 100 if len(parts) > 2 else 1.0
        image = gk.rotated(image, float(parts[1]), scale)
    elif how.startswith("scale"):
        image = gk.rotated(image, 0, float(how.split()[1].rstrip("%")) / 100)
    elif how == "perspective":
        image = gk.in_perspective(image, 0.03, rng)
    else:
        image = np.ascontiguousarray(np.rot90(image))
    paper = gk.rendered_sheets("a4").sheets.paper
    located = locate_page(image, paper)
    assert located.image.shape == (round(paper.height * PX_PER_MM), round(paper.width * PX_PER_MM))
    # each mark lands on its own place: dark inside, paper just outside
    assert max(ink_at_marks(located.image, paper)) < 60
    assert min(paper_around_marks(located.image, paper)) > 200


def test_the_scale_is_measured_from_the_marks():
    image = gk.rasterised("a4", 0, 300)
    located = locate_page(image, gk.rendered_sheets("a4").sheets.paper)
    assert located.scale == pytest.approx(300 / 25.4, rel=0.01)


def test_a_page_with_a_corner_cut_off_is_mapped_from_the_other_three_and_its_printed_grid():
    image = np.array(gk.rasterised("a4", 0, 150))
    image[: image.shape[0] // 8, : image.shape[1] // 6] = 255
    paper = gk.rendered_sheets("a4").sheets.paper
    located = locate_page(gk.rotated(image, 2.5), paper)
    assert located.predicted == "top left"
    upright = min((located.image, located.image[::-1, ::-1]), key=lambda i: ink_at_marks(i, paper)[2])
    assert max(ink_at_marks(upright, paper)[1:]) < 60 and ink_at_marks(upright, paper)[0] > 200  # the cut corner


def test_a_page_with_its_top_cut_off_is_refused():
    image = np.array(gk.rasterised("a4", 0, 150))
    image[: image.shape[0] // 6] = 255
    with pytest.raises(UnreadablePage, match="registration marks|printed boxes are not where"):
        locate_page(image, gk.rendered_sheets("a4").sheets.paper)


def test_marks_that_are_not_the_sheet_rectangle_are_refused():
    image = np.array(gk.rasterised("a4", 0, 150))
    squashed = cv2.resize(image, None, fx=1.3, fy=1.0)  # a scanner that stretches pages sideways
    with pytest.raises(UnreadablePage, match="as wide as high"):
        locate_page(squashed, gk.rendered_sheets("a4").sheets.paper)


@pytest.mark.parametrize("corner", range(4))
def test_a_stapled_corner_is_worked_out_from_the_other_three_marks(corner):
    rng = random.Random(corner)
    paper = gk.rendered_sheets("a4").sheets.paper
    image = gk.rotated(gk.stapled(np.array(gk.rasterised("a4", 0, 150)), "a4", corner, 150, rng), 1.5)
    located = locate_page(image, paper)
    assert located.predicted == gk.CORNERS[corner].replace("-", " ") and len(located.worked_out) == 1


def test_a_page_with_two_corners_torn_is_refused_for_its_corners_naming_the_sheet():
    rng = random.Random(4)
    image = np.array(gk.rasterised("a4", 1, 150))
    for corner in (1, 2):
        image = gk.on_black_backing(image, "a4", corner, 150, rng)
    with pytest.raises(UnreadablePage) as refused:
        grade_image(gk.rotated(image, 2), gk.rendered_sheets("a4").sheets, "scan", 1)
    assert str(refused.value) == ("fewer than three of the 4 registration marks are in place: corners covered (a "
                                  "staple, a crease, a torn corner) or cut off, or not an answer sheet "
                                  "(version B page 1)")


def test_a_page_turned_past_a_scan_window_its_own_size_is_mapped_from_its_two_marks_left():
    paper = gk.rendered_sheets("a4").sheets.paper
    image = gk.in_a4_window(np.array(gk.rasterised("a4", 0, 150)), 4.0)
    located = locate_page(image, paper)
    assert len(located.worked_out) == 2 and "top left" in located.predicted
    assert located.scanned.min() == 0  # the canonical page knows where the scan ended


def test_a_page_slid_off_the_glass_is_refused_for_its_marks():
    image = np.array(gk.rasterised("a4", 0, 150))
    h, w = image.shape
    shift = np.float32([[1, 0, -0.09 * w], [0, 1, 0]])  # the page slid 19 mm off the glass's left edge
    slid = cv2.warpAffine(image, shift, (w, h), borderValue=255)
    with pytest.raises(UnreadablePage, match="registration marks"):
        locate_page(slid, gk.rendered_sheets("a4").sheets.paper)
