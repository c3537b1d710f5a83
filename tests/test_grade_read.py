"""Box reading over real rendered sheets, ticked with pen-like strokes and degraded as scans and photos are."""

from __future__ import annotations

import random

import numpy as np
import pytest

import gradekit as gk
from quizgen.grade.locate import UnreadablePage, locate_page
from quizgen.grade.read import Cuts, page_cuts, read_page
from quizgen.grade.run import grade_image, is_blank

# (paper, page index: 0 is version A, 1 version B; dpi; degradation)
CASES = [
    ("a4", 0, 150, "clean"),
    ("a4", 0, 200, "rotate +5"),
    ("a4", 1, 300, "rotate -5, scale 95%"),
    ("a4", 0, 200, "perspective"),
    ("a4", 1, 150, "scale 105%, blur"),
    ("a4", 0, 200, "noise, jpeg 50"),
    ("a4", 0, 300, "upside down, rotate +2"),
    ("a4", 1, 200, "grey scan, blur, jpeg 50"),
    ("a4", 1, 150, "perspective, noise"),
    ("a4", 0, 300, "rotate -3.5, jpeg 50"),
    ("letter", 0, 200, "rotate -3, jpeg 50"),
    ("letter", 1, 150, "perspective, noise"),
    ("letter", 0, 300, "upside down, scale 97%"),
    ("letter", 1, 200, "blur, rotate +4.5"),
    ("a4", 1, 200, "photo on a desk, jpeg 50"),
    ("letter", 0, 150, "photo on a desk, noise"),
]


def degraded(image: np.ndarray, how: str, rng: random.Random) -> np.ndarray:
    for step in (s.strip() for s in how.split(",")):
        if step == "clean":
            continue
        if step.startswith("rotate"):
            image = gk.rotated(image, float(step.split()[1]))
        elif step.startswith("scale"):
            image = gk.rotated(image, 0.0, float(step.split()[1].rstrip("%")) / 100)
        elif step == "perspective":
            image = gk.in_perspective(image, 0.025, rng)
        elif step == "blur":
            image = gk.blurred(image, 1.1)
        elif step == "noise":
            image = gk.noisy(image, 12, rng)
        elif step == "jpeg 50":
            image = gk.jpeg(image, 50)
        elif step == "upside down":
            image = gk.upside_down(image)
        elif step == "photo on a desk":
            image = gk.on_desk(image, rng)
        elif step == "grey scan":
            image = gk.greyed(image, 222, 55)
        else:
            raise ValueError(step)
    return image


def box_outcomes(filled: gk.FilledPage, graded) -> list[tuple[str, str, str]]:
    """(where, style drawn, state read) for every box of the page."""
    outcomes = []
    for reading in graded.reading.items:
        for k, box in enumerate(reading.boxes):
            style = filled.styles.get(("item", reading.item.number, k), "none")
            outcomes.append((f"q{reading.item.number} box {k}", style, box.state))
    for column, boxes in enumerate(graded.reading.digits):
        for digit, box in enumerate(boxes):
            style = filled.styles.get(("digit", column, digit), "none")
            outcomes.append((f"digit column {column} row {digit}", style, box.state))
    return outcomes


def test_boxes_read_correctly_over_the_suite():
    rng = random.Random(2014)
    total, wrong, smudges = 0, [], 0
    for paper, index, dpi, how in CASES:
        filled = gk.fill_page(paper, index, dpi, rng)
        scan = degraded(filled.image, how, rng)
        sheets = gk.rendered_sheets(paper).sheets
        graded = grade_image(scan, sheets, f"{paper}-{dpi}-{how}", 1)
        assert (graded.version, graded.page) == (filled.page.version, filled.page.page), how
        assert graded.turned == ("upside down" in how)
        assert graded.number.digits == filled.number and not graded.number.flag, how
        for where, style, state in box_outcomes(filled, graded):
            total += 1
            smudges += style == gk.UNCLEAR_STYLE
            if state != gk.expected_state(style):
                wrong.append(f"{paper} {dpi} dpi {how}: {where}: drew {style}, read {state}")
    assert total >= 1700
    assert smudges == len(CASES)
    # the faint smudges must all come back unclear, so none of them may be among the misses
    assert not [w for w in wrong if "drew smudge" in w], wrong
    assert (total - len(wrong)) / total >= 0.999, wrong


@pytest.mark.parametrize("style", gk.TICK_STYLES)
def test_every_tick_style_reads_as_ticked_and_strays_leave_boxes_empty(style):
    rng = random.Random(7)
    filled = gk.fill_page("a4", 0, 200, rng, styles=(style,), smudges=0, strays=6)
    graded = grade_image(gk.rotated(filled.image, 1.5), gk.rendered_sheets("a4").sheets, "scan", 1)
    outcomes = box_outcomes(filled, graded)
    assert {s for _, s, _ in outcomes} >= {style, "stray", "none"}
    misread = [o for o in outcomes if o[2] != gk.expected_state(o[1])]
    assert not misread


def test_cuts_follow_the_page_floor():
    grey_page = page_cuts([0.05] * 40 + [0.5] * 10)
    white_page = page_cuts([0.0] * 40 + [0.5] * 10)
    assert grey_page.floor == pytest.approx(0.05) and white_page.floor == 0.0
    assert grey_page.state(0.07) == "empty" and white_page.state(0.07) == "unclear"
    assert Cuts(0.0, 0.03, 0.09).state(0.2) == "ticked"


def test_a_dull_scan_is_measured_against_its_own_paper_and_ink():
    rng = random.Random(3)
    filled = gk.fill_page("a4", 0, 200, rng, smudges=0, strays=0)
    sheets = gk.rendered_sheets("a4").sheets
    dull = gk.greyed(filled.image, 200, 90)
    assert locate_page(dull, sheets.paper).light.brightest < 210
    graded = grade_image(dull, sheets, "scan", 1)
    # the paper is evened out to white; the ink stays as far from it as it was on the scan (90 of 200)
    assert graded.reading.levels.paper > 240 and 100 < graded.reading.levels.ink < 130
    assert all(state == gk.expected_state(style) for _, style, state in box_outcomes(filled, graded))


def test_a_blank_page_is_blank_and_has_no_marks():
    blank = np.full((2339, 1654), 255, np.uint8)
    assert is_blank(gk.noisy(blank, 6, random.Random(1)))
    assert not is_blank(gk.rasterised("a4", 0, 150))
    with pytest.raises(UnreadablePage, match="registration marks"):
        grade_image(blank, gk.rendered_sheets("a4").sheets, "scan", 1)


def test_boxes_are_found_where_the_sheet_put_them_after_perspective():
    rng = random.Random(11)
    filled = gk.fill_page("a4", 1, 200, rng, smudges=0, strays=0)
    sheets = gk.rendered_sheets("a4").sheets
    graded = grade_image(gk.in_perspective(filled.image, 0.03, rng), sheets, "scan", 1)
    page = read_page(graded.image, filled.page)
    # an empty box's outline is all there is to find; a scribbled box may pull the search aside
    shifts = [max(abs(r.box.x - b.x), abs(r.box.y - b.y))
              for reading in page.items for k, (r, b) in enumerate(zip(reading.boxes, reading.item.boxes))
              if ("item", reading.item.number, k) not in filled.styles]
    assert len(shifts) > 40
    assert max(shifts) < 0.4 and sum(shifts) / len(shifts) < 0.2


def test_a_box_the_scan_does_not_hold_is_unclear_never_empty():
    rng = random.Random(12)
    filled = gk.fill_page("a4", 0, 200, rng, smudges=0, strays=0)
    sheets = gk.rendered_sheets("a4").sheets
    graded = grade_image(filled.image, sheets, "scan", 1)
    scanned = np.full(graded.image.shape, 255, np.uint8)
    last = filled.page.items[-1]
    scanned[round((last.boxes[0].y + 2) * 6):, :] = 0  # the scan ended half-way down the last row
    page = read_page(graded.image, filled.page, scanned=scanned)
    states = {(r.item.number, k): b for r in page.items for k, b in enumerate(r.boxes)}
    for k in range(len(last.boxes)):
        box = states[(last.number, k)]
        assert box.state in ("unclear", "ticked") and (box.state == "ticked" or box.why == "past the edge of the scan")
    assert all(b.state != "unclear" for (n, _), b in states.items() if n != last.number)
