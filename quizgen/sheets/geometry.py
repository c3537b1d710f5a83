"""Where an answer sheet's registration marks, code and student-number grid sit, in mm from the top-left
corner: the printer draws them there and the scanner looks for them there."""

from __future__ import annotations

from .paper import Box, Paper

MARK_SIZE = 6.0  # solid squares; their centres are the four points the grader maps the scan onto
MARK_INSET = 9.0  # paper edge to a mark's outer edge: inside what any printer prints
CODE_SIZE = 20.0  # the QR code, 25 modules of 0.8 mm
BOX = 4.5
ROW = 8.0
OPTION_PITCH = 9.5  # label, box, gap
TRUE_FALSE_PITCH = 15.0
MAX_OPTIONS = 8
DIGITS = 6  # student-number columns
DIGIT_BOX = 4.0
DIGIT_PITCH_X = 5.6
DIGIT_PITCH_Y = 5.2
ITEMS_TOP = 88.0
ITEMS_BOTTOM_MARGIN = 20.0
COLUMN_LEFT = 20.0


def mark_boxes(paper: Paper) -> tuple[Box, Box, Box, Box]:
    far_x, far_y = paper.width - MARK_INSET - MARK_SIZE, paper.height - MARK_INSET - MARK_SIZE
    return (Box(MARK_INSET, MARK_INSET, MARK_SIZE, MARK_SIZE), Box(far_x, MARK_INSET, MARK_SIZE, MARK_SIZE),
            Box(far_x, far_y, MARK_SIZE, MARK_SIZE), Box(MARK_INSET, far_y, MARK_SIZE, MARK_SIZE))


def mark_centres(paper: Paper) -> tuple[tuple[float, float], ...]:
    return tuple((b.x + b.width / 2, b.y + b.height / 2) for b in mark_boxes(paper))


def code_box(paper: Paper) -> Box:
    return Box(paper.width - 20.0 - CODE_SIZE, 22.0, CODE_SIZE, CODE_SIZE)


def digit_grid(paper: Paper) -> tuple[tuple[Box, ...], ...]:
    left = code_box(paper).x - 14.0 - DIGITS * DIGIT_PITCH_X
    return tuple(tuple(Box(left + c * DIGIT_PITCH_X, 28.0 + r * DIGIT_PITCH_Y, DIGIT_BOX, DIGIT_BOX)
                       for r in range(10)) for c in range(DIGITS))


def column_lefts(paper: Paper) -> tuple[float, float]:
    return (COLUMN_LEFT, COLUMN_LEFT + (paper.width - 2 * COLUMN_LEFT) / 2 + 2.0)


def rows_per_column(paper: Paper) -> int:
    return int((paper.height - ITEMS_BOTTOM_MARGIN - ITEMS_TOP) // ROW)
