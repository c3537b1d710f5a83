"""Find the registration marks on a scanned page and map the page onto the sheet's millimetre grid.

The result is the page redrawn at PX_PER_MM, upright or upside down (the corner marks look alike;
identify.py reads the code to tell which), so later stages read boxes at known places. A mapping is
believed only when the number grid printed on every sheet lands where it should (fit.py): when the four
outermost marks fail that test (a staple, a crease or a torn corner over a mark, a mark past the edge of
the scan, a filled box taken for a mark), the page is mapped from each three of them in turn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from ..sheets.geometry import MARK_SIZE, digit_grid, mark_boxes, mark_centres
from ..sheets.paper import Paper
from .fit import MAX_RESIDUAL, MIN_FOUND, Correction, GridFit, grid_correction, grid_fit, largest_shift
from .light import Light, evened_light

PX_PER_MM = 6.0  # the canonical page: about 150 dpi, enough for 4.5 mm boxes and the code's 0.8 mm modules
SEARCH_PX_PER_MM = 3.0  # marks are looked for on a smaller copy: quicker, and 6 mm squares stay clear
MIN_SOLIDITY = 0.88
MIN_MARK_DARKNESS = 0.75  # share of a candidate's pixels that are ink; a QR finder pattern has about 0.67
SHAPE_TOLERANCE = 0.12  # how far the marks' rectangle may differ from the sheet's (perspective, cropping)


class UnreadablePage(Exception):
    """A page the grader cannot use; the message says why, for `file: page N: message`."""


class UnmappedPage(UnreadablePage):
    """A page whose marks put none of its printed boxes in place: its code may still say whose sheet it is."""


CORNER_NAMES = ("top left", "top right", "bottom right", "bottom left")  # of the scan, as a teacher sees it


@dataclass(frozen=True)
class Located:
    image: np.ndarray  # grey canonical page, PX_PER_MM, upright or turned half a circle, its light evened out
    marks: tuple[tuple[float, float], ...]  # mark centres found in the scan, in the order mapped to TL, TR, BR, BL
    scale: float  # scan pixels per mm, measured from the marks
    light: Light  # how even the light was between the marks
    source: np.ndarray | None = None  # the grey scan the page was mapped from (perhaps shrunk)
    homography: np.ndarray | None = None  # source pixels → canonical pixels
    scanned: np.ndarray | None = None  # canonical page: 255 where the scan has the page, 0 past the scan's edge
    predicted: str = ""  # the scan's corners whose marks were not used but worked out from the others
    worked_out: tuple[int, ...] = ()  # which of `marks` (TL, TR, BR, BL as mapped) those are


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
    """The page mapped onto the sheet's grid through its marks (rotation, skew, scale and perspective)."""
    grey = grey_image(image)
    guess = estimated_scale(grey, paper)
    shrink = min(1.0, SEARCH_PX_PER_MM / guess)
    small = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else grey
    # a lamp's fall-off or a hand's shadow would put half the page under one global threshold
    candidates = mark_candidates(evened_light(small, guess * shrink).flat, guess * shrink)
    in_scan = [((x + 0.5) / shrink - 0.5, (y + 0.5) / shrink - 0.5, side / shrink) for x, y, side in candidates]
    shape_problem, tried = None, []
    for points, predicted, ordered in mark_readings(in_scan, paper, guess):
        try:
            found = points if ordered else mapped_order(points, paper)
        except UnreadablePage as exc:
            # four marks alike that are not the sheet's rectangle: a stretched page or another paper size; a
            # reading with a filled box for a covered mark says nothing of the kind
            if not predicted and look_alike(in_scan, points):
                shape_problem = shape_problem or exc
            continue
        names = sorted({_corner_name(p, grey.shape) for p in predicted})
        located = mapped(grey, found, paper, " and ".join(names),
                         worked_out=tuple(i for i, point in enumerate(found) if point in predicted))
        if predicted:  # a worked-out mark is only as good as the rectangle is: let the number grid correct it
            located = _pulled_to_grid(located, paper, found, predicted)
        fit = grid_fit(located.image, paper)
        if fit.share >= MIN_FOUND and marks_in_place(located, paper, fit.turned):
            return located
        tried.append((located, fit, predicted))
    raise UnmappedPage(_why_unmapped(tried, shape_problem, grey.shape, guess))


MARK_INK = 170  # a mark's middle on the evened page (paper 255) is darker than this where the mapping puts it;
# a dull scan's ink is about 115


def marks_in_place(located: Located, paper: Paper, turned: bool) -> bool:
    """Every mark the mapping went through is a dark square where the sheet puts it: the number grid looks
    the same shifted by a box, the marks do not."""
    image = located.image[::-1, ::-1] if turned else located.image
    for index, mark in enumerate(mark_boxes(paper)):
        if ((index + 2) % 4 if turned else index) in located.worked_out:
            continue
        middle = image[round((mark.y + 1.5) * PX_PER_MM):round((mark.bottom - 1.5) * PX_PER_MM),
                       round((mark.x + 1.5) * PX_PER_MM):round((mark.right - 1.5) * PX_PER_MM)]
        if not middle.size or float(np.median(middle)) > MARK_INK:
            return False
    return True


GRID_REACH = 2.5  # mm around its place that a box is looked for when a mark was worked out, not seen: less than
# half the number grid's step, or a grid one box off would look in place


def _pulled_to_grid(located: Located, paper: Paper, found, predicted) -> Located:
    """The page mapped again so that the number grid lands in place, the marks that were seen staying where
    they are; as it was when the grid is not found near its place (upright or turned)."""
    seen = [centre for centre, point in zip(mark_centres(paper), found) if point not in predicted]
    boxes = [b for column in digit_grid(paper) for b in column]
    best = None
    for turned in (False, True):
        image = located.image[::-1, ::-1] if turned else located.image
        fixed = tuple((paper.width - x, paper.height - y) if turned else (x, y) for x, y in seen)
        correction = grid_correction(np.ascontiguousarray(image), boxes, GRID_REACH, fixed)
        if correction is not None and correction.residual <= MAX_RESIDUAL and (
                best is None or correction.boxes > best[0].boxes):
            best = (correction, turned)
    if best is None:
        return located
    return remapped(located, paper, best[0], best[1])


def remapped(located: Located, paper: Paper, correction: Correction, turned: bool) -> Located:
    """The page mapped again from its scan so that the correction (fitted on the page upright when `turned`
    is false, else on it turned half a circle) is undone; the result is the way `turned` says it looked."""
    homography = located.homography
    flip = _half_turn(paper)
    if turned:
        homography = flip @ homography
    homography = np.linalg.inv(correction.matrix) @ homography
    if turned:
        homography = flip @ homography  # back the way the page was: identify turns it itself
    return warped(located.source, homography, paper, located.marks, located.scale, located.predicted,
                  located.worked_out)


def _half_turn(paper: Paper) -> np.ndarray:
    """Canonical pixels → the same page turned half a circle."""
    width, height = round(paper.width * PX_PER_MM), round(paper.height * PX_PER_MM)
    return np.array([[-1, 0, width - 1], [0, -1, height - 1], [0, 0, 1]], np.float64)


def mark_readings(candidates: list[tuple[float, float, float]], paper: Paper, guess: float):
    """The ways the candidates (scan pixels) can be the sheet's marks, most likely first: the four outermost;
    each three of them with the fourth worked out (a parallelogram: a covered mark's place, not its look);
    then two marks at opposite corners with the other two worked out (a page turned past the scan's
    edges). Each is (four points, the points worked out, whether they are in the sheet's order already)."""
    if len(candidates) < 2:
        raise UnreadablePage(f"found {len(candidates)} of the 4 registration marks; blank, cropped, or not "
                             "an answer sheet")
    outer = outermost([(x, y) for x, y, _ in candidates])
    distinct = list(dict.fromkeys(outer))
    if len(distinct) == 4:
        yield outer, (), False
        for missing in range(4):
            point = _completed(outer[(missing - 1) % 4], outer[(missing + 1) % 4], outer[(missing + 2) % 4])
            yield tuple(point if i == missing else p for i, p in enumerate(outer)), (point,), False
    elif len(distinct) == 3:
        points, point = _right_angle_completed(distinct)
        yield points, (point,), False
    yield from _diagonal_readings(candidates, paper, guess)


def look_alike(candidates: list[tuple[float, float, float]], points) -> bool:
    """The candidates at these points are all about one size, as the four marks are."""
    sides = [side for x, y, side in candidates if (x, y) in set(points)]
    return len(sides) >= 4 and max(sides) <= 1.25 * min(sides)


def outermost(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """The points toward the image's four corners: top-left, top-right, bottom-right, bottom-left (a point
    may be chosen twice when a corner has none of its own)."""
    array = np.array(points)
    sums, diffs = array.sum(axis=1), array[:, 0] - array[:, 1]
    chosen = (array[sums.argmin()], array[diffs.argmax()], array[sums.argmax()], array[diffs.argmin()])
    return tuple((float(x), float(y)) for x, y in chosen)


def _diagonal_readings(candidates: list[tuple[float, float, float]], paper: Paper, guess: float):
    """Pairs of mark-sized candidates as far apart as opposite marks, each with the other two marks worked out
    (a turn and a scale are all two points fix): for a page turned on a scanner window its own size."""
    centres = np.array(mark_centres(paper))
    diagonal = float(np.hypot(*(centres[2] - centres[0])))
    marks = [c for c in candidates if 0.75 * MARK_SIZE * guess <= c[2] <= 1.3 * MARK_SIZE * guess]
    for i, first in enumerate(marks):
        for second in marks[i + 1:]:
            apart = _distance(first[:2], second[:2]) / guess
            if not 0.85 * diagonal <= apart <= 1.15 * diagonal:
                continue
            for a, b in ((0, 2), (1, 3)):  # turned half a circle is the same reading: the code tells them apart
                sheet_to_scan = _similarity((centres[a], centres[b]), (first[:2], second[:2]))
                points = cv2.transform(centres.reshape(-1, 1, 2), sheet_to_scan).reshape(-1, 2)
                found = tuple((float(x), float(y)) for x, y in points)
                yield found, tuple(p for k, p in enumerate(found) if k not in (a, b)), True


def _similarity(sheet: tuple, scan: tuple) -> np.ndarray:
    """The turn, scale and shift (2×3) taking two sheet points onto two scan points."""
    (p, q), (u, v) = np.array(sheet, float), np.array(scan, float)
    a, b = complex(*(q - p)), complex(*(v - u))
    turn = b / a
    shift = complex(*u) - turn * complex(*p)
    return np.array([[turn.real, -turn.imag, shift.real], [turn.imag, turn.real, shift.imag]], np.float64)


def _completed(before: tuple[float, float], after: tuple[float, float],
               opposite: tuple[float, float]) -> tuple[float, float]:
    return (before[0] + after[0] - opposite[0], before[1] + after[1] - opposite[1])


def _right_angle_completed(three: list[tuple[float, float]]):
    """Three marks of the four, and the fourth where the rectangle puts it, clockwise."""
    pairs = [(a, b) for a in range(3) for b in range(a + 1, 3)]
    far_a, far_b = max(pairs, key=lambda ab: _distance(three[ab[0]], three[ab[1]]))
    vertex = three[3 - far_a - far_b]
    point = _completed(three[far_a], three[far_b], vertex)
    order = [vertex, three[far_a], point, three[far_b]]
    if _shoelace(order) < 0:
        order = [vertex, three[far_b], point, three[far_a]]
    return tuple(order), point


def _shoelace(points) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1]))


def _corner_name(point: tuple[float, float], shape: tuple[int, int]) -> str:
    height, width = shape
    return CORNER_NAMES[[(0, 0), (1, 0), (1, 1), (0, 1)].index((int(point[0] > width / 2), int(point[1] > height / 2)))]


def mapped(grey: np.ndarray, found: tuple[tuple[float, float], ...], paper: Paper, predicted: str = "",
           homography: np.ndarray | None = None, worked_out: tuple[int, ...] = ()) -> Located:
    """The canonical page through the marks `found` (scan pixels, in the order of the sheet's TL, TR, BR,
    BL), or through `homography` (scan pixels → canonical pixels) when it is given."""
    scale = (_distance(found[0], found[1]) + _distance(found[3], found[2])) / 2 / (
        mark_centres(paper)[1][0] - mark_centres(paper)[0][0])
    source, points = grey, np.array(found, dtype=np.float32)
    if scale > 1.4 * PX_PER_MM:  # shrink with area averaging first, so thin strokes keep their darkness
        factor = PX_PER_MM / scale
        source = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        points = (points + 0.5) * factor - 0.5
    if homography is None:
        target = np.array([(x * PX_PER_MM - 0.5, y * PX_PER_MM - 0.5) for x, y in mark_centres(paper)],
                          dtype=np.float32)
        homography = cv2.getPerspectiveTransform(points, target)
    return warped(source, homography, paper, tuple(map(tuple, found)), scale, predicted, worked_out)


def warped(source: np.ndarray, homography: np.ndarray, paper: Paper, found, scale: float,
           predicted: str = "", worked_out: tuple[int, ...] = ()) -> Located:
    """The canonical page from `source` through `homography`, its light evened, and where the scan ends."""
    size = (round(paper.width * PX_PER_MM), round(paper.height * PX_PER_MM))
    canonical = cv2.warpPerspective(source, homography, size, flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    scanned = cv2.warpPerspective(np.full(source.shape, 255, np.uint8), homography, size, flags=cv2.INTER_NEAREST,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    light = evened_light(canonical, PX_PER_MM, marks_region(paper))
    return Located(light.flat, found, scale, light, source, homography, scanned, predicted, worked_out)


def _why_unmapped(tried: list, shape_problem: UnreadablePage | None, shape: tuple[int, int], guess: float) -> str:
    """The real reason no reading of the marks put the printed boxes in place."""
    if not tried and shape_problem is not None:
        return str(shape_problem)
    if not tried:
        return ("fewer than three of the 4 registration marks are in place: corners covered (a staple, a crease, "
                "a torn corner) or cut off, or not an answer sheet")
    height, width = shape
    edge = MARK_SIZE / 2 * guess
    for _, fit, predicted in tried:
        if fit.share < MIN_FOUND / 2:
            continue  # too little of the grid in place for this reading of the marks to say anything
        past = sorted({_corner_name(p, shape) for p in predicted
                       if not (edge <= p[0] <= width - edge and edge <= p[1] <= height - edge)})
        if past:
            marks = f"corner mark at the {past[0]} of the scan is" if len(past) == 1 else \
                f"corner marks at the {' and the '.join(past)} of the scan are"
            return (f"the {marks} past its edge, and the page could not be mapped without "
                    f"{'it' if len(past) == 1 else 'them'}; straighten the page on the glass (or scan a larger "
                    "area) and scan it again")
    if shape_problem is not None:
        return str(shape_problem)
    best: GridFit = max((fit for _, fit, _ in tried), key=lambda f: f.found)
    return ("the printed boxes are not where the corner marks put them "
            f"({best.found} of the number grid's {best.total} boxes in place): a corner mark may be covered "
            "by a staple, a crease or a torn corner; take the staple out or copy the page, and scan it again")


def marks_region(paper: Paper) -> tuple[int, int, int, int]:
    """Top, bottom, left and right (canonical pixels) of the rectangle through the marks' centres."""
    centres = mark_centres(paper)
    return (round(centres[0][1] * PX_PER_MM), round(centres[3][1] * PX_PER_MM),
            round(centres[0][0] * PX_PER_MM), round(centres[1][0] * PX_PER_MM))


# ---- once the code has said which page it is -----------------------------------------------------------------

NEAR_REACH = 1.5  # mm around its place that a box is looked for on a page mapped through four marks it saw
MAX_SHIFT = 0.5  # mm: a correction that moves the answer area less than this is not worth a second mapping


def proven(located: Located, turned: bool, boxes: list, paper: Paper) -> Located:
    """The page (upright) with its mapping checked against every box printed on it, and corrected from them
    when they are off; UnreadablePage when a page mapped without one of its marks cannot be proved."""
    image = located.image[::-1, ::-1] if turned else located.image
    seen = [c for i, c in enumerate(mark_centres(paper)) if (i + 2) % 4 not in located.worked_out] if turned else \
        [c for i, c in enumerate(mark_centres(paper)) if i not in located.worked_out]
    reach = GRID_REACH if located.worked_out else NEAR_REACH
    correction = grid_correction(np.ascontiguousarray(image), boxes, reach, tuple(seen))
    if correction is None or correction.residual > MAX_RESIDUAL:
        if located.worked_out:
            raise UnreadablePage(f"the corner mark at the {located.predicted} of the scan is covered or past its "
                                 "edge, and the printed boxes do not fit a mapping from the other marks; take "
                                 "out the staple or flatten the page, and scan it again")
        return _upright(located, paper, turned)
    if largest_shift(correction, paper) < MAX_SHIFT and not located.worked_out:
        return _upright(located, paper, turned)
    corrected = remapped(located, paper, correction, turned)
    if located.worked_out:  # once more, from nearer: the first pass looked far and wide
        again = grid_correction(np.ascontiguousarray(corrected.image[::-1, ::-1] if turned else corrected.image),
                                boxes, NEAR_REACH, tuple(seen))
        if again is None or again.residual > MAX_RESIDUAL:
            raise UnreadablePage(f"the corner mark at the {located.predicted} of the scan is covered or past its "
                                 "edge, and the printed boxes do not fit a mapping from the other marks; take "
                                 "out the staple or flatten the page, and scan it again")
        corrected = remapped(corrected, paper, again, turned)
    return _upright(corrected, paper, turned)


def _upright(located: Located, paper: Paper, turned: bool) -> Located:
    if not turned:
        return located
    return replace(located, image=np.ascontiguousarray(located.image[::-1, ::-1]),
                   scanned=np.ascontiguousarray(located.scanned[::-1, ::-1]),
                   homography=_half_turn(paper) @ located.homography)
