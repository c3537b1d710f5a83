"""Find the four registration marks on a scanned page and map the page onto the sheet's millimetre grid.

The result is the page redrawn at PX_PER_MM, upright or upside down (the corner marks look alike;
identify.py reads the code to tell which), so later stages read boxes at known places.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..render.answer_sheets import MARK_SIZE, mark_centres
from ..render.cards import Paper
from .light import Light, evened_light

PX_PER_MM = 6.0  # the canonical page: about 150 dpi, enough for 4.5 mm boxes and the code's 0.8 mm modules
SEARCH_PX_PER_MM = 3.0  # marks are looked for on a smaller copy: quicker, and 6 mm squares stay clear
MIN_SOLIDITY = 0.88
MIN_MARK_DARKNESS = 0.75  # share of a candidate's pixels that are ink; a QR finder pattern has about 0.67
SHAPE_TOLERANCE = 0.12  # how far the marks' rectangle may differ from the sheet's (perspective, cropping)


class UnreadablePage(Exception):
    """A page the grader cannot use; the message says why, for `file: page N: message`."""


@dataclass(frozen=True)
class Located:
    image: np.ndarray  # grey canonical page, PX_PER_MM, upright or turned half a circle, its light evened out
    marks: tuple[tuple[float, float], ...]  # mark centres found in the scan, in the order mapped to TL, TR, BR, BL
    scale: float  # scan pixels per mm, measured from the marks
    light: Light  # how even the light was between the marks


def grey_image(image: np.ndarray) -> np.ndarray:
    """8-bit grey from grey, BGR or BGRA."""
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    if image.dtype != np.uint8:
        image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return image


def mark_candidates(grey: np.ndarray, px_per_mm: float) -> list[tuple[float, float, float]]:
    """Centres and sides (px) of solid dark squares about the size of a registration mark."""
    _, ink = cv2.threshold(cv2.GaussianBlur(grey, (3, 3), 0), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # every contour, nested ones too: on a photo the page is a hole in a dark desk, and its marks sit inside it
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    expected = MARK_SIZE * px_per_mm
    height, width = grey.shape
    found = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if not (0.3 * expected ** 2 <= area <= 2.5 * expected ** 2):
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if x <= 0 or y <= 0 or x + w >= width or y + h >= height or not 0.6 <= w / h <= 1.6:
            continue  # touching the edge: a scanner's dark border, not a mark
        hull = cv2.contourArea(cv2.convexHull(contour))
        if hull <= 0 or area / hull < MIN_SOLIDITY:
            continue
        if np.count_nonzero(ink[y:y + h, x:x + w]) < MIN_MARK_DARKNESS * area:
            continue
        moments = cv2.moments(contour)
        found.append((moments["m10"] / moments["m00"], moments["m01"] / moments["m00"], float(np.sqrt(area))))
    return found


def corner_marks(candidates: list[tuple[float, float, float]]) -> tuple[tuple[float, float], ...]:
    """The outermost candidates toward the image's four corners: top-left, top-right, bottom-right, bottom-left."""
    if len(candidates) < 4:
        raise UnreadablePage(f"found {len(candidates)} of the 4 registration marks; blank, cropped, or not "
                             "an answer sheet")
    points = np.array([(x, y) for x, y, _ in candidates])
    sums, diffs = points.sum(axis=1), points[:, 0] - points[:, 1]
    chosen = (points[sums.argmin()], points[diffs.argmax()], points[sums.argmax()], points[diffs.argmin()])
    if len({tuple(p) for p in chosen}) < 4:
        raise UnreadablePage("the registration marks do not form a rectangle; the page may be folded or cropped")
    return tuple((float(x), float(y)) for x, y in chosen)


def mapped_order(found: tuple[tuple[float, float], ...], paper: Paper) -> tuple[tuple[float, float], ...]:
    """The found marks in the order of the sheet's TL, TR, BR, BL; a page lying sideways is turned a quarter."""
    top, right, bottom, left = (_distance(found[0], found[1]), _distance(found[1], found[2]),
                                _distance(found[2], found[3]), _distance(found[3], found[0]))
    across, down = (top + bottom) / 2, (left + right) / 2
    centres = mark_centres(paper)
    expected = (centres[1][0] - centres[0][0]) / (centres[3][1] - centres[0][1])
    if across > down:
        found = found[1:] + found[:1]
        across, down = down, across
    if abs(across / down - expected) > SHAPE_TOLERANCE * expected:
        raise UnreadablePage(f"the registration marks are {across / down:.2f} as wide as high, not {expected:.2f}; "
                             "the page may be cropped, folded or from another paper size")
    return found


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def estimated_scale(grey: np.ndarray, paper: Paper) -> float:
    """Scan pixels per mm if the page fills the image (a first guess to size the mark search)."""
    long_side = max(grey.shape)
    return long_side / max(paper.width, paper.height)


def locate_page(image: np.ndarray, paper: Paper) -> Located:
    """The page mapped onto the sheet's grid through its four marks (rotation, skew, scale and perspective)."""
    grey = grey_image(image)
    guess = estimated_scale(grey, paper)
    shrink = min(1.0, SEARCH_PX_PER_MM / guess)
    small = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else grey
    # a lamp's fall-off or a hand's shadow would put half the page under one global threshold
    small_marks = corner_marks(mark_candidates(evened_light(small, guess * shrink).flat, guess * shrink))
    # pixel indices name pixel centres: (i + 0.5) is where a pixel's centre sits in a resized copy's units
    found = mapped_order(tuple(((x + 0.5) / shrink - 0.5, (y + 0.5) / shrink - 0.5) for x, y in small_marks), paper)
    scale = (_distance(found[0], found[1]) + _distance(found[3], found[2])) / 2 / (
        mark_centres(paper)[1][0] - mark_centres(paper)[0][0])
    source, points = grey, np.array(found, dtype=np.float32)
    if scale > 1.4 * PX_PER_MM:  # shrink with area averaging first, so thin strokes keep their darkness
        factor = PX_PER_MM / scale
        source = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        points = (points + 0.5) * factor - 0.5
    target = np.array([(x * PX_PER_MM - 0.5, y * PX_PER_MM - 0.5) for x, y in mark_centres(paper)], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(points, target)
    size = (round(paper.width * PX_PER_MM), round(paper.height * PX_PER_MM))
    canonical = cv2.warpPerspective(source, homography, size, flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    light = evened_light(canonical, PX_PER_MM, marks_region(paper))
    return Located(light.flat, found, scale, light)


def marks_region(paper: Paper) -> tuple[int, int, int, int]:
    """Top, bottom, left and right (canonical pixels) of the rectangle through the marks' centres."""
    centres = mark_centres(paper)
    return (round(centres[0][1] * PX_PER_MM), round(centres[3][1] * PX_PER_MM),
            round(centres[0][0] * PX_PER_MM), round(centres[1][0] * PX_PER_MM))
