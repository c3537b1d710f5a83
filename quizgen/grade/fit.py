"""Prove a page's mapping with the boxes printed on it: every answer-sheet page carries a grid of box outlines at
known places, so a mapping is right only where they land where the sheet put them.

Used twice: to choose among the ways the corner marks can be read (all four, or three when one is covered by a
staple, a crease or a torn corner, or lies past the scan's edge), and, once the code says which page it is, to
measure every printed box and correct the mapping from them (a page mapped from three marks gets its perspective
back from the grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..sheets.geometry import digit_grid
from ..sheets.paper import Box, Paper

PX_PER_MM = 6.0  # the canonical page's resolution (locate.PX_PER_MM; repeated here, locate imports this module)
OUTLINE_MM = 0.3  # printed box outlines
MATCH = 0.5  # how well a window must look like an empty box outline to count as one
FOUND_WITHIN = 0.8  # mm from where the mapping puts a box for it to count as found there
MIN_FOUND = 0.6  # share of the number grid's boxes found in place for a mapping to be believed
MIN_BOXES = 12  # boxes a correction of the mapping is fitted to, at least
MAX_RESIDUAL = 0.4  # mm: the median distance of the boxes from their places once the page is corrected


MAX_BESIDE = 3  # boxes found one step outside the number grid: more, and the mapping is a whole step off


@dataclass(frozen=True)
class GridFit:
    found: int  # boxes found near their places
    total: int
    turned: bool  # they were found with the page turned half a circle
    beside: int = 0  # boxes found where the grid has none, one step beyond its edges

    @property
    def share(self) -> float:
        """The share of the grid in place; 0 when it is in place one step off (a grid looks the same shifted
        by a box, so only its edges tell)."""
        if self.beside > MAX_BESIDE:
            return 0.0
        return self.found / self.total if self.total else 0.0


def outline_template(side_mm: float) -> np.ndarray:
    """A box outline as ink (255) on paper (0), with a millimetre of paper round it."""
    margin = 1.0
    size = round((side_mm + 2 * margin) * PX_PER_MM)
    template = np.zeros((size, size), np.uint8)
    near, far = round(margin * PX_PER_MM), round((margin + side_mm) * PX_PER_MM) - 1
    cv2.rectangle(template, (near, near), (far, far), 255, max(1, round(OUTLINE_MM * PX_PER_MM)))
    return template


def box_matches(ink: np.ndarray, boxes: list[Box], reach_mm: float) -> list[tuple[Box, float, float, float]]:
    """For each box: where its outline best matches within `reach_mm` of where it should be (the box's
    top-left, mm) and how well; `ink` is the canonical page with ink bright (255 - grey)."""
    found = []
    for side in sorted({round(b.width, 2) for b in boxes}):
        template = outline_template(side)
        margin = 1.0
        for box in (b for b in boxes if round(b.width, 2) == side):
            left = round((box.x - margin - reach_mm) * PX_PER_MM)
            top = round((box.y - margin - reach_mm) * PX_PER_MM)
            span = template.shape[0] + round(2 * reach_mm * PX_PER_MM)
            if left < 0 or top < 0 or left + span > ink.shape[1] or top + span > ink.shape[0]:
                continue
            window = ink[top:top + span, left:left + span]
            if float(window.std()) < 1.0:
                continue  # nothing printed here: paper, or white where the scan ended
            response = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
            _, best, _, (x, y) = cv2.minMaxLoc(response)
            found.append((box, (left + x) / PX_PER_MM + margin, (top + y) / PX_PER_MM + margin, float(best)))
    return found


def grid_fit(image: np.ndarray, paper: Paper) -> GridFit:
    """How many boxes of the number grid (on every page, whatever its version) sit where a canonical page
    puts them, upright or turned half a circle, and how many show one step beyond its edges."""
    grid = digit_grid(paper)
    boxes = [b for column in grid for b in column]
    best = GridFit(0, len(boxes), False)
    for turned in (False, True):
        ink = np.ascontiguousarray(255 - (image[::-1, ::-1] if turned else image))
        found = _in_place(ink, boxes)
        if found > best.found:
            best = GridFit(found, len(boxes), turned, _in_place(ink, beside_grid(grid)))
        if best.found > len(boxes) / 2:
            break  # the page turned round cannot have more than half of the grid in place too
    return best


def _in_place(ink: np.ndarray, boxes: list[Box]) -> int:
    return sum(1 for box, x, y, score in box_matches(ink, boxes, FOUND_WITHIN + 0.5)
               if score >= MATCH and abs(x - box.x) <= FOUND_WITHIN and abs(y - box.y) <= FOUND_WITHIN)


def beside_grid(grid: tuple[tuple[Box, ...], ...]) -> list[Box]:
    """Where boxes would be one step beyond each edge of the grid (the digits printed left of it and its title
    above it look nothing like a box outline)."""
    step_x, step_y = grid[1][0].x - grid[0][0].x, grid[0][1].y - grid[0][0].y
    right = [Box(b.x + step_x, b.y, b.width, b.height) for b in grid[-1]]
    left = [Box(b.x - step_x, b.y, b.width, b.height) for b in grid[0]]
    below = [Box(column[-1].x, column[-1].y + step_y, column[-1].width, column[-1].height) for column in grid]
    above = [Box(column[0].x, column[0].y - step_y, column[0].width, column[0].height) for column in grid]
    return right + left + below + above


@dataclass(frozen=True)
class Correction:
    matrix: np.ndarray  # canonical px → canonical px: where each sheet position really shows on the page
    boxes: int  # boxes it was fitted to
    residual: float  # mm, median distance of those boxes from where the corrected mapping puts them


def grid_correction(image: np.ndarray, boxes: list[Box], reach_mm: float,
                    fixed: tuple[tuple[float, float], ...] = ()) -> Correction | None:
    """A homography that takes each printed box's place on the sheet to where it shows on the canonical `image`
    (upright as the boxes are given), fitted to the boxes found within `reach_mm` (RANSAC: ticked boxes and
    stray ink are left out) and to `fixed` points (mm) known to be in place, such as marks the mapping went
    through; None when too few boxes are found."""
    matches = [m for m in box_matches(np.ascontiguousarray(255 - image), boxes, reach_mm) if m[3] >= MATCH]
    if len(matches) < MIN_BOXES:
        return None
    expected = np.float32([(b.x * PX_PER_MM, b.y * PX_PER_MM) for b, _, _, _ in matches])
    seen = np.float32([(x * PX_PER_MM, y * PX_PER_MM) for _, x, y, _ in matches])
    # which boxes agree (RANSAC: a ticked box or stray ink matches somewhere else), then one least-squares fit
    # to them and to the fixed points, each of which weighs as half the boxes: the mapping is known right there
    _, inliers = cv2.findHomography(expected, seen, cv2.RANSAC, 0.5 * PX_PER_MM)
    if inliers is None or int(inliers.sum()) < MIN_BOXES:
        return None
    kept = inliers.ravel().astype(bool)
    pinned = np.float32([(x * PX_PER_MM, y * PX_PER_MM) for x, y in fixed for _ in range(int(kept.sum()) // 2)])
    source = np.concatenate([expected[kept], pinned.reshape(-1, 2)])
    target = np.concatenate([seen[kept], pinned.reshape(-1, 2)])
    matrix, _ = cv2.findHomography(source, target, 0)
    if matrix is None:
        return None
    moved = cv2.perspectiveTransform(expected[kept].reshape(-1, 1, 2), matrix).reshape(-1, 2)
    residual = float(np.median(np.hypot(*(moved - seen[kept]).T))) / PX_PER_MM
    return Correction(matrix, int(kept.sum()), residual)


def largest_shift(correction: Correction, paper: Paper) -> float:
    """How far (mm) the correction moves any point of the page's answer area."""
    corners = np.float32([(20, 20), (paper.width - 20, 20), (paper.width - 20, paper.height - 20),
                          (20, paper.height - 20)]) * PX_PER_MM
    moved = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), correction.matrix).reshape(-1, 2)
    return float(np.hypot(*(moved - corners).T).max()) / PX_PER_MM
