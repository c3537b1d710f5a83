"""Reading the sheet's code: build, version, page and student, upright or upside down."""

from __future__ import annotations

import random

import numpy as np
import pytest

import gradekit as gk
from quizgen.grade.identify import identify_page, parse_code
from quizgen.grade.locate import UnreadablePage, locate_page


@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize("index", [0, 1])
def test_every_page_says_which_version_and_page_it_is(dpi, index):
    sheets = gk.rendered_sheets("a4").sheets
    image = gk.jpeg(gk.rasterised("a4", index, dpi), 50)
    identity = identify_page(locate_page(image, sheets.paper), sheets.pages[0].code)
    assert (identity.build, identity.version, identity.page, identity.student_row) == \
        (sheets.build, sheets.pages[index].version, 1, 0)
    assert not identity.turned


def test_an_upside_down_page_is_turned_back():
    sheets = gk.rendered_sheets("letter").sheets
    image = gk.upside_down(gk.rotated(gk.rasterised("letter", 1, 200), -2.5))
    identity = identify_page(locate_page(image, sheets.paper), sheets.pages[0].code)
    assert identity.turned and identity.version == "B"
    # turned back, the code sits in the top-right corner again, where the sheet prints it
    upright = identify_page(locate_page(identity.image, sheets.paper), sheets.pages[0].code)
    assert not upright.turned


def test_a_page_whose_code_is_gone_is_refused():
    sheets = gk.rendered_sheets("a4").sheets
    image = gk.rasterised("a4", 0, 200).copy()
    code = sheets.pages[0].code
    scale = 200 / 25.4
    image[round(code.y * scale):round(code.bottom * scale), round(code.x * scale):round(code.right * scale)] = 255
    with pytest.raises(UnreadablePage, match="code could not be read"):
        identify_page(locate_page(image, sheets.paper), code)


def test_codes_are_parsed_strictly():
    assert parse_code("QZG1:abc123:AB:2:17") == ("abc123", "AB", 2, 17)
    assert parse_code("QZG1:abc123:A:1:") == ("abc123", "A", 1, 0)
    for text in ("https://example.org", "QZG1:abc:A:x:", "QZG2:abc:A:1:"):
        with pytest.raises(UnreadablePage, match="not a quizgen answer-sheet code"):
            parse_code(text)


def test_noise_and_blur_do_not_stop_the_code_being_read():
    sheets = gk.rendered_sheets("a4").sheets
    image = gk.noisy(gk.blurred(gk.rasterised("a4", 0, 150), 1.0), 12, random.Random(4))
    assert identify_page(locate_page(image, sheets.paper), sheets.pages[0].code).version == "A"


@pytest.mark.parametrize("quarter_turns", [1, 3])
def test_a_page_lying_sideways_is_identified_either_way_round(quarter_turns):
    sheets = gk.rendered_sheets("a4").sheets
    image = np.ascontiguousarray(np.rot90(gk.rasterised("a4", 1, 150), quarter_turns))
    identity = identify_page(locate_page(image, sheets.paper), sheets.pages[0].code)
    assert identity.version == "B" and identity.page == 1
