"""Synthetic scans for the grading tests: real answer sheets rendered by WeasyPrint and rasterised by
PDFium, ticked with pen-like strokes and degraded the ways scanners and phone photos degrade pages.

Rendering is shared by every test in the process (functools.cache), so the suite renders each paper once.
"""

from __future__ import annotations

import atexit
import functools
import random
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from helpers import make_sample_set
from quizgen.model import Option, Question, QuestionSet, Version
from quizgen.render.answer_sheets import answer_sheets_document, sheet_layout
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sheets.paper import PAPERS, Box
from quizgen.sheets.record import SHEETS_JSON, SHEETS_PDF, AnswerSheets, SheetPage, answer_sheets_json

TICK_STYLES = ("light", "heavy", "cross", "filled", "crossed-out")
EMPTY_STYLES = ("none", "stray")
UNCLEAR_STYLE = "smudge"  # a faint dot: neither a tick nor nothing, so it must come back unclear
# marks a grader may read either way as long as it says so: (acceptable states)
AMBIGUOUS_STYLES = {"circle": ("unclear", "ticked"), "dot": ("unclear", "empty")}


def grading_set() -> QuestionSet:
    """Every question type (with multiple-response) and enough multiple-choice items to count boxes over."""
    sample = make_sample_set(1)
    extra = tuple(
        Question(id=f"q-mc{n}", type="multiple-choice", template_id="mc-test", prompt=f"Which is option {n}?",
                 answer=f"right {n}", explanation="", difficulty=1, fact_ids=("F1",), citations=(),
                 options=tuple(Option(f"o{n}-{k}", f"{'right' if k == n % 4 else 'wrong'} {n}.{k}", k == n % 4)
                               for k in range(4)))
        for n in range(1, 11))
    several = Question(id="q-mr", type="multiple-response", template_id="mr-test",
                       prompt="Which of these rivers flow into the Black Sea? Tick all that apply.",
                       answer="Danube; Dnieper", explanation="", difficulty=2, fact_ids=("F2",), citations=(),
                       options=(Option("m1", "Danube", True), Option("m2", "Rhine", False),
                                Option("m3", "Dnieper", True), Option("m4", "Elbe", False),
                                Option("m5", "Seine", False)))
    questions = sample.questions + extra + (several,)
    turned = tuple(replace(q, options=tuple(reversed(q.options))) if q.type != "true-false" else q
                   for q in reversed(questions))
    return replace(sample, questions=questions, versions=(Version("A", questions), Version("B", turned)))


@dataclass(frozen=True)
class RenderedSheets:
    sheets: AnswerSheets
    pdf: bytes
    folder: Path  # a build folder holding answer-sheets.pdf and answer-sheets.json


@functools.cache
def rendered_sheets(paper: str = "a4") -> RenderedSheets:
    question_set = grading_set()
    sheets = sheet_layout(question_set, PAPERS[paper], inputs=f"test-{paper}")
    pdf, = render_pdfs(answer_sheets_document(sheets, Layouts.with_user_folders()))
    folder = Path(tempfile.mkdtemp(prefix=f"quizgen-sheets-{paper}-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / SHEETS_PDF).write_bytes(pdf.data)
    (folder / SHEETS_JSON).write_text(answer_sheets_json(sheets), encoding="utf-8")
    return RenderedSheets(sheets, pdf.data, folder)


@functools.cache
def sheets_only_build(folder: Path, paper: str = "a4") -> Path:
    """A build folder holding only the shared test sheets' answer-sheets.json (no class list): what grading reads."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(rendered_sheets(paper).folder / SHEETS_JSON, folder / SHEETS_JSON)
    return folder


def rasterised(paper: str, page_index: int, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(rendered_sheets(paper).pdf)
    image = document[page_index].render(scale=dpi / 72, grayscale=True).to_numpy()
    document.close()
    image = np.array(image, copy=True)
    image.flags.writeable = False
    return image


# ---- pen strokes --------------------------------------------------------------------------------


def _px(points, box: Box, dpi: int) -> np.ndarray:
    scale = dpi / 25.4
    return np.array([((box.x + fx * box.width) * scale, (box.y + fy * box.height) * scale) for fx, fy in points],
                    dtype=np.float64)


def _stroke(image: np.ndarray, points: np.ndarray, width_mm: float, grey: int, dpi: int) -> None:
    shift = 4  # sub-pixel positions: cv2 takes fixed-point coordinates
    pts = np.round(points * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
    thickness = max(1, round(width_mm * dpi / 25.4))
    cv2.polylines(image, [pts], False, int(grey), thickness, cv2.LINE_AA, shift)


def draw_mark(image: np.ndarray, box: Box, style: str, dpi: int, rng: random.Random) -> None:
    """Draw one pen mark of `style` on (or, for 'stray', beside) `box` of a page image at `dpi`."""
    j = lambda: rng.uniform(-0.07, 0.07)  # noqa: E731 - a hand is never in the same place twice
    tick = [(0.15 + j(), 0.5 + j()), (0.42 + j(), 0.82 + j()), (1.05 + j(), -0.15 + j())]
    if style == "light":
        _stroke(image, _px(tick, box, dpi), 0.4, rng.randint(105, 125), dpi)
    elif style == "heavy":
        _stroke(image, _px(tick, box, dpi), 0.8, rng.randint(10, 40), dpi)
    elif style == "cross":
        for line in ([(0.05 + j(), 0.05 + j()), (0.95 + j(), 0.95 + j())], [(0.95 + j(), 0.05 + j()), (0.05 + j(), 0.95 + j())]):
            _stroke(image, _px(line, box, dpi), 0.5, rng.randint(20, 70), dpi)
    elif style == "filled":
        zigzag = [(0.1 + 0.8 * (k % 2), 0.1 + k * 0.08) for k in range(11)]
        _stroke(image, _px(zigzag, box, dpi), 0.7, rng.randint(20, 60), dpi)
    elif style == "crossed-out":
        _stroke(image, _px(tick, box, dpi), 0.5, 40, dpi)
        scribble = [(0.0 + 1.0 * (k % 2), 0.2 + k * 0.1 + j()) for k in range(7)]
        _stroke(image, _px(scribble, box, dpi), 0.5, rng.randint(20, 60), dpi)
    elif style == "stray":
        beside = Box(box.right + 0.9, box.y + 0.5, 1.6, box.height - 1.0)
        _stroke(image, _px([(0.1, 0.5), (0.4, 0.9), (1.0, 0.0)], beside, dpi), 0.5, 40, dpi)
    elif style == "smudge":
        centre = _px([(0.5 + j(), 0.5 + j())], box, dpi)[0]
        cv2.circle(image, (round(centre[0]), round(centre[1])), max(1, round(0.55 * dpi / 25.4)), 150, -1,
                   cv2.LINE_AA)
    elif style == "pencil":  # a soft, light tick: vanishes from a black-and-white scan
        _stroke(image, _px(tick, box, dpi), 0.45, rng.randint(150, 170), dpi)
    elif style == "dot":  # the pen rested on the box: small, round and dark
        centre = _px([(0.5 + 2 * j(), 0.5 + 2 * j())], box, dpi)[0]
        cv2.circle(image, (round(centre[0]), round(centre[1])), max(1, round(rng.uniform(0.4, 0.6) * dpi / 25.4)),
                   rng.randint(20, 50), -1, cv2.LINE_AA)
    elif style == "circle":  # the box ringed instead of ticked: the ink goes round it, not into it
        centre = _px([(0.5 + j(), 0.5 + j())], box, dpi)[0]
        radii = (rng.uniform(0.7, 0.95) * box.width * dpi / 25.4, rng.uniform(0.7, 0.95) * box.height * dpi / 25.4)
        cv2.ellipse(image, (round(centre[0]), round(centre[1])), (round(radii[0]), round(radii[1])),
                    rng.uniform(0, 180), 0, rng.uniform(330, 380), rng.randint(20, 60),
                    max(1, round(0.5 * dpi / 25.4)), cv2.LINE_AA)
    elif style != "none":
        raise ValueError(style)


def expected_state(style: str) -> str:
    return "ticked" if style in TICK_STYLES else "unclear" if style == UNCLEAR_STYLE else "empty"


@dataclass(frozen=True)
class FilledPage:
    image: np.ndarray
    page: SheetPage
    styles: dict[tuple[str, int, int], str]  # ("item", number, box) or ("digit", column, row) → style
    number: str  # the student number ticked


def fill_page(paper: str, page_index: int, dpi: int, rng: random.Random, *, number: str | None = None,
              choices: dict[int, tuple[int, ...]] | None = None, smudges: int = 1, strays: int = 2,
              styles: tuple[str, ...] = TICK_STYLES) -> FilledPage:
    """A page of the shared test sheets as a student (and, in the score boxes, a teacher) filled it in."""
    return fill(np.array(rasterised(paper, page_index, dpi), copy=True), rendered_sheets(paper).sheets.pages[page_index],
                dpi, rng, number=number, choices=choices, smudges=smudges, strays=strays, styles=styles)


def fill(image: np.ndarray, page: SheetPage, dpi: int, rng: random.Random, *, number: str | None = None,
         choices: dict[int, tuple[int, ...]] | None = None, smudges: int = 1, strays: int = 2,
         styles: tuple[str, ...] = TICK_STYLES) -> FilledPage:
    """Ticks in the given boxes of each item (random ones otherwise), then a few strays and faint
    smudges on boxes left empty; `image` is the page rasterised at `dpi`, drawn on in place."""
    marks: dict[tuple[str, int, int], str] = {}
    number = number if number is not None else "".join(rng.choice("0123456789") for _ in range(6))
    for column, digit in enumerate(number):
        marks[("digit", column, int(digit))] = rng.choice(("heavy", "light", "cross"))
    for item in page.items:
        chosen = choices.get(item.number) if choices else None
        if chosen is None:
            chosen = tuple(k for k in range(len(item.boxes)) if rng.random() < 0.4) \
                if item.type == "multiple-response" else (rng.randrange(len(item.boxes)),)
        for k in chosen:
            marks[("item", item.number, k)] = rng.choice(styles)
    empty_item_boxes = [("item", i.number, k) for i in page.items for k in range(len(i.boxes))
                        if ("item", i.number, k) not in marks]
    for key in rng.sample(empty_item_boxes, smudges + strays):
        marks[key] = UNCLEAR_STYLE if smudges > 0 else "stray"
        smudges -= 1
    for (kind, a, b), style in marks.items():
        box = page.digits[a][b] if kind == "digit" else next(i for i in page.items if i.number == a).boxes[b]
        draw_mark(image, box, style, dpi, rng)
    return FilledPage(image, page, marks, number)


# ---- degradations ---------------------------------------------------------------------------------


def padded(image: np.ndarray, fraction: float = 0.06) -> np.ndarray:
    """The page on a larger scanner bed, so turning it keeps its corners in the picture."""
    pad = round(max(image.shape) * fraction)
    return cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def rotated(image: np.ndarray, degrees: float, scale: float = 1.0) -> np.ndarray:
    image = padded(image)
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, scale)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def in_perspective(image: np.ndarray, amount: float, rng: random.Random) -> np.ndarray:
    """A phone photo: the corners pulled by up to `amount` of the page size."""
    image = padded(image, 0.08)
    h, w = image.shape
    corners = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
    moved = corners + np.float32([(rng.uniform(-amount, amount) * w, rng.uniform(-amount, amount) * h)
                                  for _ in range(4)])
    return cv2.warpPerspective(image, cv2.getPerspectiveTransform(corners, moved), (w, h), borderValue=255)


def blurred(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def noisy(image: np.ndarray, sigma: float, rng: random.Random) -> np.ndarray:
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, sigma, image.shape)
    return np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def upside_down(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[::-1, ::-1])


def greyed(image: np.ndarray, paper: int, ink: int) -> np.ndarray:
    """A dull scan: paper not white, ink not black."""
    return (ink + image.astype(np.float32) * (paper - ink) / 255).astype(np.uint8)


def on_desk(image: np.ndarray, rng: random.Random, desk: int = 70) -> np.ndarray:
    """A phone photo of the page lying on a dark desk: background all round, a slight perspective."""
    pad = round(max(image.shape) * 0.08)
    framed = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=desk)
    h, w = framed.shape
    corners = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
    moved = corners + np.float32([(rng.uniform(-0.02, 0.02) * w, rng.uniform(-0.02, 0.02) * h) for _ in range(4)])
    return cv2.warpPerspective(framed, cv2.getPerspectiveTransform(corners, moved), (w, h), borderValue=desk)


# ---- light ------------------------------------------------------------------------------------------


def unevenly_lit(image: np.ndarray, falloff: float, degrees: float) -> np.ndarray:
    """A desk lamp or a window to one side: the light falls off by `falloff` (0.45 = 45 %) across the
    picture in the direction `degrees` (0: darker to the right, 90: darker downwards)."""
    h, w = image.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    along = xs * np.cos(np.radians(degrees)) + ys * np.sin(np.radians(degrees))
    along = (along - along.min()) / max(float(along.max() - along.min()), 1.0)
    return np.clip(image.astype(np.float32) * (1.0 - falloff * along), 0, 255).astype(np.uint8)


def hand_shadow(image: np.ndarray, depth: float, rng: random.Random) -> np.ndarray:
    """The shadow of a hand holding the phone: a palm and four fingers reaching in from one edge, soft-edged,
    `depth` (0.4 = 40 %) darker at its core."""
    h, w = image.shape
    mm = max(h, w) / 297.0  # pixels per millimetre, the picture being about a page
    mask = np.zeros((h, w), np.float32)
    palm_x, palm_y = rng.uniform(0.25, 0.75) * w, h + rng.uniform(5, 25) * mm  # the palm just off the bottom edge
    cv2.ellipse(mask, (round(palm_x), round(palm_y)), (round(45 * mm), round(60 * mm)), rng.uniform(-15, 15),
                0, 360, 1.0, -1)
    for finger in range(4):
        angle = np.radians(-120 + finger * 20 + rng.uniform(-5, 5))
        start = (palm_x + 30 * mm * np.cos(angle), palm_y + 40 * mm * np.sin(angle))
        length = rng.uniform(70, 95) * mm
        end = (start[0] + length * np.cos(angle), start[1] + length * np.sin(angle))
        cv2.line(mask, (round(start[0]), round(start[1])), (round(end[0]), round(end[1])), 1.0,
                 round(rng.uniform(16, 20) * mm), cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), 3 * mm)  # the penumbra of a lamp a metre away
    return np.clip(image.astype(np.float32) * (1.0 - depth * mask), 0, 255).astype(np.uint8)


def one_bit(image: np.ndarray, threshold: int = 128) -> np.ndarray:
    """A scanner's black-and-white (1-bit) mode: every pixel black or white, light strokes gone."""
    return np.where(image < threshold, 0, 255).astype(np.uint8)


# ---- covered corners and cut-off edges --------------------------------------------------------------


CORNERS = ("top-left", "top-right", "bottom-right", "bottom-left")


def _mark_centre_px(paper: str, corner: int, dpi: int) -> tuple[float, float]:
    from quizgen.sheets.geometry import mark_centres

    x, y = mark_centres(rendered_sheets(paper).sheets.paper)[corner]
    return x * dpi / 25.4, y * dpi / 25.4


def _outwards(corner: int) -> tuple[float, float]:
    """The unit direction from the page's middle toward `corner`."""
    return ((-1, -1), (1, -1), (1, 1), (-1, 1))[corner]


def stapled(image: np.ndarray, paper: str, corner: int, dpi: int, rng: random.Random) -> np.ndarray:
    """A staple across the corner mark: a dark metal bar 12 mm long with its shadow, slanted across the corner."""
    image = image.copy()
    mm = dpi / 25.4
    cx, cy = _mark_centre_px(paper, corner, dpi)
    ox, oy = _outwards(corner)
    cx, cy = cx + ox * rng.uniform(-1.5, 1.5) * mm, cy + oy * rng.uniform(-1.5, 1.5) * mm
    angle = np.radians(45 * (1 if ox * oy < 0 else -1) + rng.uniform(-15, 15))  # across the corner's diagonal
    dx, dy = 6 * mm * np.cos(angle), 6 * mm * np.sin(angle)
    for offset, grey, width in ((0.6, 150, 1.6), (0.0, rng.randint(40, 90), 1.0)):  # shadow, then the metal
        cv2.line(image, (round(cx - dx + offset * mm), round(cy - dy + offset * mm)),
                 (round(cx + dx + offset * mm), round(cy + dy + offset * mm)), grey, max(1, round(width * mm)),
                 cv2.LINE_AA)
    return image


def creased(image: np.ndarray, paper: str, corner: int, dpi: int, rng: random.Random) -> np.ndarray:
    """A dark fold line across the corner, from one paper edge to the other, through the corner mark."""
    mm = dpi / 25.4
    h, w = image.shape
    cx, cy = _mark_centre_px(paper, corner, dpi)
    cx, cy = cx + rng.uniform(-2, 2) * mm, cy + rng.uniform(-2, 2) * mm
    ox, oy = _outwards(corner)
    angle = np.radians(45 * (1 if ox * oy < 0 else -1) + rng.uniform(-20, 20))
    dx, dy = 200 * mm * np.cos(angle), 200 * mm * np.sin(angle)
    fold = np.zeros((h, w), np.float32)
    cv2.line(fold, (round(cx - dx), round(cy - dy)), (round(cx + dx), round(cy + dy)), 1.0,
             max(1, round(rng.uniform(1.0, 1.8) * mm)), cv2.LINE_AA)
    fold = cv2.GaussianBlur(fold, (0, 0), 0.4 * mm)
    depth = rng.uniform(0.55, 0.75)
    return np.clip(image.astype(np.float32) * (1 - depth * fold / max(float(fold.max()), 1e-6)), 0, 255).astype(np.uint8)


def on_black_backing(image: np.ndarray, paper: str, corner: int, dpi: int, rng: random.Random) -> np.ndarray:
    """The corner torn or folded away over a scanner's black backing: black from the paper's corner up to a
    line that cuts through the corner mark."""
    image = image.copy()
    mm = dpi / 25.4
    h, w = image.shape
    cx, cy = _mark_centre_px(paper, corner, dpi)
    ox, oy = _outwards(corner)
    reach = rng.uniform(-1.5, 2.0) * mm  # the tear's edge passes this far past the mark's centre, outwards
    corner_x, corner_y = (0 if ox < 0 else w - 1), (0 if oy < 0 else h - 1)
    # the tear runs across the corner's diagonal, at the distance that cuts through the mark
    nx, ny = ox / np.sqrt(2), oy / np.sqrt(2)
    px, py = cx + nx * reach, cy + ny * reach
    along = np.array([-ny, nx]) * 400 * mm
    triangle = np.array([(corner_x, corner_y), (px + along[0], py + along[1]), (px - along[0], py - along[1])],
                        np.int32)
    cv2.fillPoly(image, [triangle], rng.randint(5, 30), cv2.LINE_AA)
    return image


def in_a4_window(image: np.ndarray, degrees: float) -> np.ndarray:
    """A page turned `degrees` on a scanner whose window is exactly the page's size: what turns past the
    window's edge is lost (scanned white)."""
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
