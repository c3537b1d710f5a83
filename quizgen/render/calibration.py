"""The calibration sheet: lines on the front, rulers on the back that read a duplex printer's offset."""

from __future__ import annotations

from dataclasses import dataclass

from ..sheets.paper import Box, Paper
from . import imposition
from .imposition import Flip, Offset
from .layouts import Document, Layouts, Part, render_layout


@dataclass(frozen=True)
class Scale:
    """A ruler on the back page, centred where the front's line lands when printing is exact."""

    axis: str  # "x": the scale runs left to right and reads a vertical line; "y": the other way
    x: float
    y: float
    ticks: tuple[tuple[float, str], ...]  # (offset in mm, label or "")


CALIBRATION_RANGE = 6.0  # mm either side of zero
CALIBRATION_STEP = 0.5
CALIBRATION_LABEL_EVERY = 2.0


def calibration_scales(paper: Paper, offset: Offset) -> tuple[Scale, ...]:
    """Scales at the page centre (moved by the current offset, as every back page is)."""
    steps = int(CALIBRATION_RANGE / CALIBRATION_STEP)
    ticks = tuple((at, _tick_label(at)) for at in (i * CALIBRATION_STEP for i in range(-steps, steps + 1)))
    cx, cy = paper.width / 2 + offset.x, paper.height / 2 + offset.y
    return (Scale("x", cx, cy - 40 + 0, ticks), Scale("x", cx, cy + 40, ticks),
            Scale("y", cx - 40, cy, ticks), Scale("y", cx + 40, cy, ticks))


def _tick_label(at: float) -> str:
    if at % CALIBRATION_LABEL_EVERY:
        return ""
    return f"{at:+g}".replace("-", "−") if at else "0"


def calibration_document(layouts: Layouts, paper: Paper, flip: Flip, offset: Offset) -> Document:
    """A duplex test sheet: lines on the front, rulers on the back that read the printer's offset."""
    corner = Box(15.0, 15.0, 10.0, 10.0)
    context = {
        "paper": paper,
        "flip": flip,
        "offset": offset,
        "scales": calibration_scales(paper, offset),
        "range": CALIBRATION_RANGE,
        "corner": corner,
        "corner_back": imposition.shifted((imposition.mirror_box(paper, corner, flip),), offset)[0],
        "language": "en",
    }
    html = render_layout(layouts, "calibration.html", context)
    return Document(html, layouts.path_of("calibration.html"), layouts.folders, (),
                    (Part("calibration.pdf", ""),))
