"""Proving a mapping with the boxes printed on the page: the number grid found in place (or a step off), and a
correction fitted to every box of a page that was mapped a little wrong."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import gradekit as gk
from quizgen.grade.fit import grid_correction, grid_fit, largest_shift
from quizgen.grade.locate import PX_PER_MM, locate_page

SHEETS = gk.rendered_sheets("a4").sheets


def canonical(page_index: int = 0) -> np.ndarray:
    return locate_page(gk.rasterised("a4", page_index, 200), SHEETS.paper).image


def test_the_number_grid_is_found_in_place_upright_or_turned():
    page = canonical()
    upright, turned = grid_fit(page, SHEETS.paper), grid_fit(np.ascontiguousarray(page[::-1, ::-1]), SHEETS.paper)
    assert upright.found >= 58 and not upright.turned and upright.beside == 0 and upright.share > 0.95
    assert turned.found >= 58 and turned.turned


@pytest.mark.parametrize("dx, dy", [(5.6, 0.0), (-5.6, 0.0), (0.0, 5.2), (0.0, -5.2)])
def test_a_page_mapped_one_grid_step_off_is_not_believed(dx, dy):
    page = canonical()
    shift = np.float32([[1, 0, dx * PX_PER_MM], [0, 1, dy * PX_PER_MM]])
    moved = cv2.warpAffine(page, shift, (page.shape[1], page.shape[0]), borderValue=255)
    fit = grid_fit(moved, SHEETS.paper)
    assert fit.found >= 45  # the grid looks in place one box along…
    assert fit.share == 0.0  # …but its edge gives it away


def test_a_correction_fitted_to_the_printed_boxes_finds_how_the_page_was_mapped_wrong():
    page = canonical(1)
    h, w = page.shape
    # the bottom-right corner 2 mm off, as a mark worked out from the other three can be on a phone photo
    corners = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
    off = corners + np.float32([(0, 0), (0, 0), (2 * PX_PER_MM, 1.5 * PX_PER_MM), (0, 0)])
    warp = cv2.getPerspectiveTransform(corners, off)
    skewed = cv2.warpPerspective(page, warp, (w, h), borderValue=255)
    sheet = SHEETS.pages[1]
    boxes = [b for item in sheet.items for b in item.boxes] + [b for column in sheet.digits for b in column]
    correction = grid_correction(skewed, boxes, 2.5, ((12.0, 12.0), (198.0, 12.0), (12.0, 285.0)))
    assert correction is not None and correction.boxes > 80 and correction.residual < 0.2
    expected = cv2.perspectiveTransform(np.float32([[(190 * PX_PER_MM, 277 * PX_PER_MM)]]), warp)[0, 0]
    fitted = cv2.perspectiveTransform(np.float32([[(190 * PX_PER_MM, 277 * PX_PER_MM)]]), correction.matrix)[0, 0]
    assert np.hypot(*(expected - fitted)) / PX_PER_MM < 0.3
    assert 1.5 < largest_shift(correction, SHEETS.paper) < 2.6
    assert grid_correction(np.full_like(page, 255), boxes, 2.5) is None  # nothing printed: nothing to fit
