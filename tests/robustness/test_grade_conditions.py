"""Marking in real classrooms: ticks drawn on real rendered sheets, then each page degraded the way a phone
or a school copier degrades it (a lamp's fall-off, a hand's shadow, black-and-white scans, rings and pen dots).
In every condition no question may be scored wrong without a flag, and on the pages accepted fewer than
0.1 % of boxes may be read the wrong way (ticked for empty or empty for ticked).

    .venv/bin/python tests/robustness/test_grade_conditions.py    # prints the table of every condition
"""

from __future__ import annotations

import functools
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gradekit as gk  # noqa: E402
from quizgen.grade.locate import UnreadablePage  # noqa: E402
from quizgen.grade.run import grade_image  # noqa: E402
from quizgen.sheets.record import SCORE_VALUES, SheetItem  # noqa: E402

PAGES = 8  # per condition: both versions, four students each, and each corner twice
DPI = 200
TICKED = gk.TICK_STYLES + ("pencil",)  # what a student meant as a tick; a ring is an answer too
MEANT = TICKED + ("circle",)
CONDITIONS = {
    "fall-off 15 %": "light 0.15",
    "fall-off 30 %": "light 0.30",
    "fall-off 45 %": "light 0.45",
    "hand shadow": "shadow",
    "hand shadow, fall-off 45 %": "shadow, light 0.45",
    "1-bit scan, pen and pencil": "one-bit",
    "rings and pen dots": "rings",
    "staple over each corner": "staple",
    "staple over each corner, phone photo": "staple, photo",
    "dark crease over each corner": "crease",
    "black backing over each corner": "backing",
    "A4 scan window, 4° skew": "window",
}


@dataclass
class Tally:
    pages: int = 0
    refused: int = 0
    boxes: int = 0
    misread: int = 0  # read ticked for empty, or empty for ticked
    lost: int = 0  # light ticks a black-and-white scan turned white: nothing left to read
    unclear: int = 0  # a definite box read as unclear: its question is flagged
    questions: int = 0
    flagged: int = 0
    silently_wrong: int = 0
    wrong: tuple[str, ...] = ()


def meant_score(item: SheetItem, meant: set[int]) -> float:
    """The score the key gives the boxes the student (or the teacher) meant."""
    if item.teacher_scored:
        return SCORE_VALUES[next(iter(meant))] if len(meant) == 1 else -1.0
    if item.type == "multiple-response":
        agreeing = sum((i in meant) == right for i, right in enumerate(item.correct))
        return agreeing / len(item.correct) if meant else 0.0
    return 1.0 if len(meant) == 1 and item.correct[next(iter(meant))] else 0.0


def degraded(image, how: str, rng: random.Random, page: int):
    corner = page % 4  # each corner in turn
    for step in how.split(", "):
        if step == "staple":
            image = gk.stapled(image, "a4", corner, DPI, rng)
        elif step == "crease":
            image = gk.creased(image, "a4", corner, DPI, rng)
        elif step == "backing":
            image = gk.on_black_backing(image, "a4", corner, DPI, rng)
    if "window" in how:
        return gk.in_a4_window(image, 4.0 if page % 2 else -4.0)
    image = gk.in_perspective(image, 0.025, rng) if "photo" in how else gk.rotated(image, rng.uniform(-3, 3))
    for step in how.split(", "):
        if step.startswith("light"):
            image = gk.unevenly_lit(image, float(step.split()[1]), rng.uniform(0, 360))
        elif step == "shadow":
            image = gk.hand_shadow(image, 0.4, rng)
        elif step == "one-bit":
            image = gk.one_bit(image, rng.randint(100, 150))
    return image


def styles_for(how: str, student: int) -> tuple[str, ...]:
    if how == "one-bit":
        return ("pencil",) if student % 2 else gk.TICK_STYLES  # a student writes in pencil or in pen
    if how == "rings":
        return gk.TICK_STYLES + ("circle", "circle", "dot", "dot")
    return gk.TICK_STYLES


@functools.cache
def graded_condition(name: str) -> Tally:
    how = CONDITIONS[name]
    rng = random.Random(name)
    sheets = gk.rendered_sheets("a4").sheets
    tally = Tally()
    wrong = []
    for student in range(PAGES):
        styles = styles_for(how, student)
        filled = gk.fill_page("a4", student % 2, DPI, rng, styles=styles,
                              smudges=0 if how == "rings" else 1)
        if how == "rings":  # a pen dot in an empty box as well as ticks
            for item in filled.page.items[:4]:
                empty = [k for k in range(len(item.boxes)) if ("item", item.number, k) not in filled.styles]
                filled.styles[("item", item.number, empty[0])] = "dot"
                gk.draw_mark(filled.image, item.boxes[empty[0]], "dot", DPI, rng)
        tally.pages += 1
        try:
            graded = grade_image(degraded(filled.image, how, rng, student), sheets, name, student + 1)
        except UnreadablePage:
            tally.refused += 1
            continue
        scores = {s.number: s for s in graded.scores}
        for reading in graded.reading.items:
            item = reading.item
            meant = set()
            for k, box in enumerate(reading.boxes):
                style = filled.styles.get(("item", item.number, k), "none")
                meant |= {k} if style in MEANT else set()
                tally.boxes += 1
                acceptable = gk.AMBIGUOUS_STYLES.get(style, (gk.expected_state("light" if style == "pencil" else style),))
                if box.state in acceptable:
                    continue
                if box.state == "unclear" or style == gk.UNCLEAR_STYLE:
                    tally.unclear += 1
                elif how == "one-bit" and style in ("pencil", "light"):
                    tally.lost += 1
                else:
                    tally.misread += 1
                    wrong.append(f"{name}: page {student + 1}: q{item.number} box {k}: drew {style}, read {box.state}")
            score = scores[item.number]
            tally.questions += 1
            if score.flags or score.score is None:
                tally.flagged += 1
            elif score.score != pytest.approx(meant_score(item, meant)):
                tally.silently_wrong += 1
                wrong.append(f"{name}: page {student + 1}: q{item.number} scored {score.score}, meant "
                             f"{meant_score(item, meant)}, no flag")
        for column, boxes in enumerate(graded.reading.digits):
            for digit, box in enumerate(boxes):
                style = filled.styles.get(("digit", column, digit), "none")
                tally.boxes += 1
                if box.state == gk.expected_state(style):
                    continue
                if box.state == "unclear":
                    tally.unclear += 1
                elif how == "one-bit" and style == "light":
                    tally.lost += 1
                else:
                    tally.misread += 1
                    wrong.append(f"{name}: page {student + 1}: digit {column}:{digit}: drew {style}, read {box.state}")
        if graded.number.digits != filled.number and not graded.number.flag:
            tally.silently_wrong += 1
            wrong.append(f"{name}: page {student + 1}: number read as {graded.number.digits}, not {filled.number}")
    tally.wrong = tuple(wrong)
    return tally


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_no_question_is_scored_wrong_without_a_flag(name):
    tally = graded_condition(name)
    assert tally.silently_wrong == 0, tally.wrong
    accepted = tally.pages - tally.refused
    assert accepted >= PAGES - 1, name  # these conditions are readable: a refusal here is a failure to read
    assert tally.misread < 0.001 * tally.boxes, tally.wrong
    assert tally.boxes >= 1000


def test_pencil_on_a_black_and_white_scan_is_flagged_with_the_page():
    tally = graded_condition("1-bit scan, pen and pencil")
    assert tally.flagged >= PAGES // 2 * 18 // 2  # the pencil students' unanswered-looking questions


def print_table() -> None:
    print("| condition | pages | refused | boxes | misread | unclear | lost (1-bit) | questions | flagged | "
          "silently wrong |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in CONDITIONS:
        t = graded_condition(name)
        print(f"| {name} | {t.pages} | {t.refused} | {t.boxes} | {t.misread} | {t.unclear} | {t.lost} | {t.questions} | "
              f"{t.flagged} | {t.silently_wrong} |")
        for line in t.wrong:
            print("   ", line)


if __name__ == "__main__":
    print_table()
