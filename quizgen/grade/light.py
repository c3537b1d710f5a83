"""Even out a page's light: a desk lamp to one side, a window, the shadow of the hand holding the phone.

The paper's own brightness is estimated everywhere by closing the page (a grey-level maximum, then a
minimum) over a window wider than anything printed or written in a box but narrower than a finger's
shadow; dividing the page by it leaves paper white and ink dark wherever they lie, so paper and ink
levels and the cuts between empty and ticked hold across the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LIGHT_PX_PER_MM = 2.0  # the light is estimated on a copy this coarse: it changes over centimetres, not pixels
CLOSING_MM = 8.0  # wider than a filled box (4.5 mm) or a registration mark (6 mm), narrower than a finger's shadow
SMOOTHING_MM = 1
MIN_LIGHT_SHARE = 0.3  # the paper's darkest place against its brightest below which a page is not read
MIN_PAPER_GREY = 50  # … or paper this dark anywhere: too little left between paper and ink to tell a tick


@dataclass(frozen=True)
class Light:
    flat: np.ndarray  # the page divided by its light: paper near 255 everywhere
    darkest: float  # grey of the paper where the light is weakest (0–255)
    brightest: float  # … and where it is strongest

    @property
    def share(self) -> float:
        return self.darkest / max(self.brightest, 1.0)

    @property
    def readable(self) -> bool:
        return self.share >= MIN_LIGHT_SHARE and self.darkest >= MIN_PAPER_GREY

    def problem(self) -> str:
        return (f"the light on this page is too uneven to read: the paper is {self.share:.0%} as bright in its "
                "darkest part as in its brightest; photograph it again in even light, without the shadow of a "
                "hand or a phone, or scan it")


def coarse_light(grey: np.ndarray, px_per_mm: float) -> tuple[np.ndarray, float]:
    """The brightness of the paper on a coarse copy of the page (float32), and that copy's share of the size."""
    shrink = min(1.0, LIGHT_PX_PER_MM / px_per_mm)
    small = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else grey
    side = max(3, round(CLOSING_MM * px_per_mm * shrink) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    return cv2.GaussianBlur(closed.astype(np.float32), (0, 0), max(SMOOTHING_MM * px_per_mm * shrink, 0.5)), shrink


def evened_light(grey: np.ndarray, px_per_mm: float, region: tuple[int, int, int, int] | None = None) -> Light:
    """The page with its light evened out, and how dark and bright the paper was within `region`
    (top, bottom, left, right in pixels; the whole image when None)."""
    coarse, shrink = coarse_light(grey, px_per_mm)
    height, width = grey.shape
    light = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR) if shrink < 1 else coarse
    flat = cv2.divide(grey.astype(np.float32), np.maximum(light, 1.0), scale=255.0)
    flat = np.clip(flat, 0, 255).astype(np.uint8)
    top, bottom, left, right = (round(v * shrink) for v in (region or (0, height, 0, width)))
    inside = coarse[top:max(bottom, top + 1), left:max(right, left + 1)]
    return Light(flat, float(np.percentile(inside, 1)), float(np.percentile(inside, 99)))
