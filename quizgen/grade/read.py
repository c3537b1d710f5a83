"""Measure how dark each box of an identified page is, and decide ticked, empty or unclear.

Darkness is measured against the page's own paper and ink (the registration marks are known
ink), and the cut between empty and ticked sits above the page's own floor: a grey scan, a noisy
photo or a faint printer moves the floor and the cuts move with it. A box between the cuts is
unclear, and reported, never guessed. Dark enough is not all: ink that stays in a small spot (the
pen rested there) is no tick, and a box ringed round rather than ticked is an answer the grader
cannot score; both are unclear, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from ..sheets.paper import Box
from ..sheets.record import SheetItem, SheetPage
from .locate import PX_PER_MM

State = Literal["ticked", "empty", "unclear"]

INSET = 0.75  # mm inside a box's outer edge: past its 0.3 mm outline, with room for misregistration
SEARCH = 0.7  # mm either way that the outline is looked for around where the sheet says it is
EMPTY_ABOVE_FLOOR = 0.03  # darkness (0 paper … 1 ink) over the page's floor below which a box is empty
TICKED_ABOVE_FLOOR = 0.09  # … and from which it is ticked; between the two it is unclear
FLOOR_PERCENTILE = 30  # most boxes on a sheet are empty, so this percentile of their darkness is the floor
INK = 0.4  # a pixel this dark (0 paper … 1 ink) is part of a pen stroke
MIN_TICK_SPREAD = 2.0  # mm: a tick, cross or fill reaches across the box; a pen's resting dot does not
RING = (0.6, 3.0)  # mm beyond a box's outline where a ring drawn round it runs (rows are 3.5 mm apart)
RING_COVER = 0.5  # share of the box's width the ring's ink covers above it and below it
TWO_TONE_SHARE = 0.01  # a page with fewer grey (neither black nor white) pixels than this was scanned 1-bit


@dataclass(frozen=True)
class Levels:
    paper: float  # grey of blank paper on this page
    ink: float  # grey of the registration marks on this page


@dataclass(frozen=True)
class Cuts:
    floor: float
    empty_below: float
    ticked_from: float

    def state(self, darkness: float) -> State:
        if darkness < self.empty_below:
            return "empty"
        return "ticked" if darkness >= self.ticked_from else "unclear"


@dataclass(frozen=True)
class BoxReading:
    box: Box
    darkness: float
    state: State
    why: str = ""  # for an unclear box that is dark enough: what it looks like instead of a tick


@dataclass(frozen=True)
class ItemReading:
    item: SheetItem
    boxes: tuple[BoxReading, ...]


@dataclass(frozen=True)
class PageReading:
    page: SheetPage
    items: tuple[ItemReading, ...]
    digits: tuple[tuple[BoxReading, ...], ...]
    cuts: Cuts
    levels: Levels
    two_tone: bool = False  # scanned in black and white (1-bit): light pencil may have vanished


def page_levels(image: np.ndarray, page: SheetPage) -> Levels:
    """Paper from the page's light majority, ink from the centres of its registration marks."""
    paper = grey_percentile(image, 80)
    inks = []
    for mark in page.marks:
        inner = _pixels(image, Box(mark.x + 1.5, mark.y + 1.5, mark.width - 3.0, mark.height - 3.0))
        inks.append(float(np.median(inner)))
    ink = float(np.median(inks))
    if paper - ink < 40:
        ink = max(paper - 40.0, 0.0)  # a washed-out scan: keep the scale from collapsing
    return Levels(paper, ink)


def grey_percentile(image: np.ndarray, percent: float) -> float:
    """A percentile of an 8-bit image from its histogram: no sort of millions of pixels."""
    counts = cv2.calcHist([image], [0], None, [256], [0, 256]).ravel().cumsum()
    return float(np.searchsorted(counts, counts[-1] * percent / 100))


def darkness_image(image: np.ndarray, levels: Levels) -> np.ndarray:
    """0 for paper, 1 for ink, per pixel (stored as 0–255), after a slight blur that averages away scanner noise."""
    grey = np.arange(256, dtype=np.float32)
    table = np.clip((levels.paper - grey) / (levels.paper - levels.ink), 0.0, 1.0)
    return cv2.LUT(cv2.GaussianBlur(image, (3, 3), 0), np.round(table * 255).astype(np.uint8))


def _pixels(image: np.ndarray, box: Box) -> np.ndarray:
    top, left = round(box.y * PX_PER_MM), round(box.x * PX_PER_MM)
    bottom, right = round(box.bottom * PX_PER_MM), round(box.right * PX_PER_MM)
    return image[max(top, 0):max(bottom, top + 1), max(left, 0):max(right, left + 1)]


def found_outline(dark: np.ndarray, box: Box) -> Box:
    """The box where its printed outline really is, looked for within SEARCH mm of where it should be.

    Paper that is not quite flat moves boxes by a fraction of a millimetre from where the four marks
    put them; the outline is the darkest column (row) near each expected edge.
    """
    pad = SEARCH
    window = _pixels(dark, Box(box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad))
    size = round(box.width * PX_PER_MM)
    reach = round(pad * PX_PER_MM)
    if window.shape[0] < size + reach or window.shape[1] < size + reach:
        return box
    columns, rows = window.mean(axis=0, dtype=np.float32), window.mean(axis=1, dtype=np.float32)
    dx = _best_shift(columns, size, reach)
    dy = _best_shift(rows, size, reach)
    return Box(box.x + (dx - reach) / PX_PER_MM, box.y + (dy - reach) / PX_PER_MM, box.width, box.height)


def _best_shift(profile: np.ndarray, size: int, reach: int) -> int:
    """The shift that puts the most darkness under both edges of an outline `size` pixels wide."""
    pairs = profile[:-1] + profile[1:]  # an outline is about two pixels wide at PX_PER_MM
    count = min(2 * reach + 1, len(pairs) - size + 2)
    if count < 1:
        return reach
    return int(np.argmax(pairs[:count] + pairs[size - 2:size - 2 + count]))


def box_darkness(dark: np.ndarray, box: Box) -> float:
    """Mean darkness inside the box's outline."""
    inner = Box(box.x + INSET, box.y + INSET, box.width - 2 * INSET, box.height - 2 * INSET)
    pixels = _pixels(dark, inner)
    return float(pixels.mean()) / 255 if pixels.size else 0.0


def ink_spread(dark: np.ndarray, box: Box) -> float:
    """How far (mm) the pen's ink reaches inside the box, across or down, whichever is more."""
    inner = Box(box.x + INSET, box.y + INSET, box.width - 2 * INSET, box.height - 2 * INSET)
    ink = _pixels(dark, inner) >= round(INK * 255)
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        return 0.0
    return float(max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1) / PX_PER_MM


def ringed(dark: np.ndarray, box: Box) -> bool:
    """Ink runs above and below the box across most of its width, clear of its outline: a ring drawn round it."""
    near, far = RING
    above = _pixels(dark, Box(box.x, box.y - far, box.width, far - near))
    below = _pixels(dark, Box(box.x, box.bottom + near, box.width, far - near))
    return all(band.size and (band >= round(INK * 255)).any(axis=0).mean() >= RING_COVER for band in (above, below))


def box_reading(dark: np.ndarray, box: Box, darkness: float, cuts: Cuts, rings: bool) -> BoxReading:
    """The box decided: by darkness, then by the ink's shape (a dot is no tick; a ring round a box is an
    answer given another way, looked for where `rings`)."""
    state = cuts.state(darkness)
    if state == "ticked" and ink_spread(dark, box) < MIN_TICK_SPREAD:
        return BoxReading(box, darkness, "unclear", "a dot, not a tick")
    if state != "ticked" and rings and ringed(dark, box):
        return BoxReading(box, darkness, "unclear", "ringed, not ticked")
    return BoxReading(box, darkness, state)


def is_two_tone(image: np.ndarray) -> bool:
    """A page scanned in black and white (1-bit): nearly every pixel pure black or pure white."""
    counts = cv2.calcHist([image], [0], None, [256], [0, 256]).ravel()
    return float(counts[8:248].sum()) < TWO_TONE_SHARE * image.size


def page_cuts(darknesses: list[float]) -> Cuts:
    floor = float(np.percentile(darknesses, FLOOR_PERCENTILE)) if darknesses else 0.0
    return Cuts(floor, floor + EMPTY_ABOVE_FLOOR, floor + TICKED_ABOVE_FLOOR)


def read_page(image: np.ndarray, page: SheetPage, two_tone: bool = False,
              scanned: np.ndarray | None = None) -> PageReading:
    """Every box of the page measured and decided; `image` is the upright canonical page, `two_tone` whether
    the scan it came from was black and white, `scanned` where the scan has the page (255; 0 past its edge:
    a box there cannot be read)."""
    levels = page_levels(image, page)
    dark = darkness_image(image, levels)
    item_boxes = [[found_outline(dark, b) for b in item.boxes] for item in page.items]
    digit_boxes = [[found_outline(dark, b) for b in column] for column in page.digits]
    item_values = [[box_darkness(dark, b) for b in boxes] for boxes in item_boxes]
    digit_values = [[box_darkness(dark, b) for b in boxes] for boxes in digit_boxes]
    cuts = page_cuts([v for values in item_values + digit_values for v in values])
    items = tuple(ItemReading(item, tuple(box_reading(dark, b, v, cuts, True)
                                          for b, v in zip(boxes, values)))
                  for item, boxes, values in zip(page.items, item_boxes, item_values))
    # digit boxes sit 1.2 mm apart, too close for a ring to be told from the next box's outline
    digits = tuple(tuple(box_reading(dark, b, v, cuts, False) for b, v in zip(boxes, values))
                   for boxes, values in zip(digit_boxes, digit_values))
    if scanned is not None:
        items = tuple(ItemReading(r.item, tuple(_past_the_edge(b, scanned) for b in r.boxes)) for r in items)
        digits = tuple(tuple(_past_the_edge(b, scanned) for b in column) for column in digits)
    return PageReading(page, items, digits, cuts, levels, two_tone)


def _past_the_edge(reading: BoxReading, scanned: np.ndarray) -> BoxReading:
    """A box the scan does not wholly hold is unclear, whatever its darkness: its tick may be past the edge."""
    if reading.state != "ticked" and _pixels(scanned, reading.box).min(initial=255) < 255:
        return BoxReading(reading.box, reading.darkness, "unclear", "past the edge of the scan")
    return reading
