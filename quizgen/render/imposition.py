"""Card imposition, the page geometry of flashcards: where each card's front and back sit on a sheet, in
millimetres from the top-left corner.

Pure geometry, so duplex alignment can be tested without rendering: a back is the mirror of
its front about the axis the sheet turns on, then shifted by the printer's measured offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..sheets.paper import Box, Line, Paper

Flip = Literal["long", "short"]

CUT_MARK_DISTANCE = 2.0  # mm between a card edge and the start of its cut mark
CUT_MARK_LENGTH = 5.0
MIN_MARGIN = CUT_MARK_DISTANCE + CUT_MARK_LENGTH  # room the cut marks need outside the cards
MAX_OFFSET = 20.0  # a back offset beyond this is a typo, not a printer


@dataclass(frozen=True)
class Grid:
    """Cards per sheet as columns × rows."""

    columns: int
    rows: int

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def __str__(self) -> str:
        return f"{self.columns}x{self.rows}"


@dataclass(frozen=True)
class CardSize:
    width: float
    height: float


@dataclass(frozen=True)
class Offset:
    """How far to move back pages, in mm: +x to the right and +y down, as the back page reads."""

    x: float = 0.0
    y: float = 0.0


_GRID = re.compile(r"\s*([1-9][0-9]?)\s*[xX×]\s*([1-9][0-9]?)\s*")
_NUMBER = r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*"
_OFFSET = re.compile(_NUMBER + "," + _NUMBER)


def parse_grid(text: str) -> Grid:
    """'2x4' → Grid(2, 4); ValueError with what was expected otherwise."""
    match = _GRID.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a card grid; expected COLUMNSxROWS such as 2x4 or 3x3")
    return Grid(int(match[1]), int(match[2]))


def parse_offset(text: str) -> Offset:
    """'1.5,-0.5' → Offset(1.5, -0.5) in mm; ValueError with what was expected otherwise."""
    match = _OFFSET.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not an offset; expected X,Y in millimetres such as 1.5,-0.5")
    offset = Offset(float(match[1]), float(match[2]))
    if abs(offset.x) > MAX_OFFSET or abs(offset.y) > MAX_OFFSET:
        raise ValueError(f"{text!r} moves the back by more than {MAX_OFFSET:g} mm; "
                         f"expected a few millimetres, as the calibration sheet reads")
    return offset


def grid_fit_problem(paper: Paper, grid: Grid, size: CardSize, gap: float = 0.0) -> str | None:
    """Why the grid does not fit on the paper with room for cut marks, or None when it does."""
    width = grid.columns * size.width + (grid.columns - 1) * gap
    height = grid.rows * size.height + (grid.rows - 1) * gap
    for what, used, available in (("wide", width, paper.width), ("high", height, paper.height)):
        if used + 2 * MIN_MARGIN > available:
            return (f"{grid} cards of {size.width:g}×{size.height:g} mm are {used:g} mm {what}; "
                    f"{paper.name} leaves {available - 2 * MIN_MARGIN:g} mm once cut marks have room")
    return None


def card_positions(paper: Paper, grid: Grid, size: CardSize, gap: float = 0.0) -> tuple[Box, ...]:
    """Front boxes of one sheet in reading order (row by row), the grid centred on the page."""
    width = grid.columns * size.width + (grid.columns - 1) * gap
    height = grid.rows * size.height + (grid.rows - 1) * gap
    left = (paper.width - width) / 2
    top = (paper.height - height) / 2
    return tuple(
        Box(left + column * (size.width + gap), top + row * (size.height + gap), size.width, size.height)
        for row in range(grid.rows)
        for column in range(grid.columns)
    )


def mirror_box(paper: Paper, box: Box, flip: Flip) -> Box:
    """Where a box lands on the other side of the sheet.

    Turning a portrait sheet over its long edge mirrors x about the vertical centre line;
    turning it over its short edge mirrors y about the horizontal centre line.
    """
    if flip == "long":
        return Box(paper.width - box.right, box.y, box.width, box.height)
    return Box(box.x, paper.height - box.bottom, box.width, box.height)


def mirror_back_positions(paper: Paper, fronts: tuple[Box, ...], flip: Flip) -> tuple[Box, ...]:
    """Back boxes in the same order as `fronts`: the back of card i is behind front i."""
    return tuple(mirror_box(paper, box, flip) for box in fronts)


def shifted(boxes: tuple[Box, ...], offset: Offset) -> tuple[Box, ...]:
    return tuple(Box(b.x + offset.x, b.y + offset.y, b.width, b.height) for b in boxes)


def fold_positions(paper: Paper, rows: int, size: CardSize) -> tuple[tuple[Box, ...], tuple[Box, ...]]:
    """Fold mode: fronts left of the vertical centre line, backs mirrored to its right.

    The cards touch the fold, so folding the right half behind the left puts each back
    exactly behind its front without a duplex printer.
    """
    fold = paper.width / 2
    height = rows * size.height
    top = (paper.height - height) / 2
    fronts = tuple(Box(fold - size.width, top + row * size.height, size.width, size.height) for row in range(rows))
    return fronts, tuple(Box(fold, b.y, b.width, b.height) for b in fronts)


def fold_fit_problem(paper: Paper, rows: int, size: CardSize) -> str | None:
    """Why `rows` cards of `size` do not fit one half of the page in fold mode, or None."""
    if size.width + MIN_MARGIN > paper.width / 2:
        return (f"fold mode needs cards at most {paper.width / 2 - MIN_MARGIN:g} mm wide on {paper.name}; "
                f"these are {size.width:g} mm")
    if rows * size.height + 2 * MIN_MARGIN > paper.height:
        return (f"{rows} cards of {size.height:g} mm are {rows * size.height:g} mm high; "
                f"{paper.name} leaves {paper.height - 2 * MIN_MARGIN:g} mm once cut marks have room")
    return None


def cut_marks(boxes: tuple[Box, ...]) -> tuple[Line, ...]:
    """Short lines outside the block of cards, in line with every card edge, for a guillotine or knife."""
    if not boxes:
        return ()
    left = min(b.x for b in boxes)
    right = max(b.right for b in boxes)
    top = min(b.y for b in boxes)
    bottom = max(b.bottom for b in boxes)
    near, far = CUT_MARK_DISTANCE, CUT_MARK_DISTANCE + CUT_MARK_LENGTH
    xs = sorted({round(v, 3) for b in boxes for v in (b.x, b.right)})
    ys = sorted({round(v, 3) for b in boxes for v in (b.y, b.bottom)})
    vertical = tuple(line for x in xs for line in (Line(x, top - far, x, top - near),
                                                     Line(x, bottom + near, x, bottom + far)))
    horizontal = tuple(line for y in ys for line in (Line(left - far, y, left - near, y),
                                                       Line(right + near, y, right + far, y)))
    return vertical + horizontal
