"""Read a located page's QR code: which build, version, page and (with a class list) student it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from ..sheets.paper import Box
from ..sheets.record import CODE_PREFIX
from ..text import escape_unsafe
from .locate import PX_PER_MM, Located, UnreadablePage

CODE_MARGIN = 4.0  # mm of the page around the code that the decoder sees: its quiet zone
WIDE_MARGIN = 12.0  # … and when it is not there: a page mapped from three marks may put it a few mm off


@dataclass(frozen=True)
class Identity:
    build: str
    version: str
    page: int
    student_row: int  # 0 without a class list
    turned: bool  # the page was scanned upside down
    image: np.ndarray  # the canonical page, upright


def code_crop(image: np.ndarray, code: Box, margin: float = CODE_MARGIN) -> np.ndarray:
    left, top = round((code.x - margin) * PX_PER_MM), round((code.y - margin) * PX_PER_MM)
    right = round((code.x + code.width + margin) * PX_PER_MM)
    bottom = round((code.y + code.height + margin) * PX_PER_MM)
    return image[max(top, 0):bottom, max(left, 0):right]


def decoded_text(crop: np.ndarray) -> str:
    """The QR code's text, or '' when there is none; tried once more at twice the size for worn codes."""
    detector = cv2.QRCodeDetector()
    for attempt in (crop, cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)):
        text = qr_text(detector, attempt) or qr_text(detector, binarised(attempt))
        if text:
            return text
    return ""


def qr_text(detector: cv2.QRCodeDetector, picture: np.ndarray) -> str:
    try:
        text, _, _ = detector.detectAndDecode(picture)
    except cv2.error:
        return ""
    return text


def binarised(picture: np.ndarray) -> np.ndarray:
    _, binary = cv2.threshold(picture, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


# build id, version, page, class-list row: ASCII only, so that '²' is no digit and no control character
# from a stranger's code reaches a terminal or a report
CODE = re.compile(rf"{CODE_PREFIX}:([A-Za-z0-9_-]{{1,64}}):([A-Za-z0-9_-]{{1,64}}):([0-9]{{1,2}}):([0-9]{{0,6}})",
                  re.ASCII)


def parse_code(text: str) -> tuple[str, str, int, int]:
    found = CODE.fullmatch(text)
    if not found:
        shown = escape_unsafe(repr(text[:80]) + ("…" if len(text) > 80 else ""))
        raise UnreadablePage(f"the code reads {shown}, which is not a quizgen answer-sheet code")
    return found[1], found[2], int(found[3]), int(found[4] or 0)


def identify_page(located: Located, code: Box) -> Identity:
    """Decode the code where the sheet puts it; if it is not there, the page is upside down, so look again turned."""
    for turned, margin in ((False, CODE_MARGIN), (True, CODE_MARGIN), (False, WIDE_MARGIN), (True, WIDE_MARGIN)):
        if margin == WIDE_MARGIN and not located.worked_out:
            break
        image = located.image[::-1, ::-1] if turned else located.image
        text = decoded_text(code_crop(image, code, margin))
        if text:
            build, version, page, student = parse_code(text)
            return Identity(build, version, page, student, turned, np.ascontiguousarray(image))
    raise UnreadablePage("the registration marks were found but the code could not be read; "
                         "rescan the page at 200 dpi or more")


def probable_identity(scan: np.ndarray, px_per_mm: float) -> tuple[str, str, int, int] | None:
    """Build, version, page and class-list row from the code wherever it is on a scan that could not be mapped:
    a refused page can then say whose sheet it is."""
    shrink = min(1.0, PX_PER_MM / px_per_mm)
    image = cv2.resize(scan, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else scan
    text = decoded_text(image)
    return parse_code(text) if text and CODE.fullmatch(text) else None
