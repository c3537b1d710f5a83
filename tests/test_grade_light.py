"""Evening out a page's light: lamps, windows and a hand's shadow over real rendered sheets."""

from __future__ import annotations

import random

import numpy as np
import pytest

import gradekit as gk
from quizgen.grade.light import evened_light
from quizgen.grade.locate import UnreadablePage
from quizgen.grade.run import grade_image
from test_grade_read import box_outcomes


def test_paper_comes_out_white_and_ink_dark_under_a_falling_light():
    page = np.array(gk.rasterised("a4", 0, 100))
    lit = gk.unevenly_lit(page, 0.45, 0)
    light = evened_light(lit, 100 / 25.4)
    assert light.share == pytest.approx(0.55, abs=0.05)
    right = light.flat[:, -300:-100]  # the darkest strip: paper was about 140 there
    assert np.percentile(right, 50) > 240
    paper = page[:, -300:-100] > 200
    assert np.abs(light.flat[:, -300:-100][paper].astype(int) - 255).mean() < 6


@pytest.mark.parametrize("how", ["fall-off 45 %", "fall-off 45 % upwards", "hand shadow", "hand shadow, fall-off 30 %"])
def test_uneven_light_never_turns_an_empty_box_into_a_tick(how):
    rng = random.Random(len(how))
    sheets = gk.rendered_sheets("a4").sheets
    misread = []
    for index in (0, 1):
        filled = gk.fill_page("a4", index, 200, rng)
        scan = gk.rotated(filled.image, rng.uniform(-3, 3))
        if "shadow" in how:
            scan = gk.hand_shadow(scan, 0.4, rng)
        if "fall-off" in how:
            scan = gk.unevenly_lit(scan, float(how.split()[-2 if "upwards" not in how else -3]) / 100,
                                   270 if "upwards" in how else rng.uniform(0, 360))
        graded = grade_image(scan, sheets, "photo", 1)
        outcomes = box_outcomes(filled, graded)
        assert not [o for o in outcomes if o[1] in ("none", "stray") and o[2] == "ticked"], how
        misread += [o for o in outcomes if o[2] != gk.expected_state(o[1])]
    assert len(misread) <= 2, misread  # an empty box under a shadow's edge may come back unclear, never ticked


def test_a_page_too_dark_on_one_side_is_refused_for_its_light_naming_the_sheet():
    filled = gk.fill_page("a4", 1, 150, random.Random(2))
    with pytest.raises(UnreadablePage, match=r"^the light on this page is too uneven to read: the paper is 1\d% as "
                       r"bright .* \(version B page 1\)$"):
        grade_image(gk.unevenly_lit(filled.image, 0.92, 0), gk.rendered_sheets("a4").sheets, "photo", 1)
