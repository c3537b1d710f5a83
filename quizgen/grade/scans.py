"""Scanned input: PDFs rasterised page by page with PDFium, PNG/JPEG/TIFF images decoded with OpenCV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from ..errors import QuizgenError, display_path

RASTER_DPI = 200  # a PDF page's images are redrawn at this resolution; a 200 dpi scan loses nothing
MAX_PIXELS = 100_000_000  # an A3 page at 600 dpi is 70 million; more is a mistake or a decompression bomb
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass(frozen=True)
class ScanPage:
    file: str  # as shown to the user
    number: int  # 1-based page of that file
    image: np.ndarray | None  # grey; None when the page could not be decoded
    problem: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}: page {self.number}"


def check_scan_files(paths: list[Path]) -> list[Path]:
    """Every path exists and is a PDF or an image (folders are read for those); else one error per path."""
    problems, files = [], []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES | {".pdf"})
            if not found:
                problems.append(QuizgenError.at(path, "no PDF or image files in this folder").problems[0])
            files.extend(found)
        elif not path.is_file():
            problems.append(QuizgenError.at(path, "scan not found").problems[0])
        elif path.suffix.lower() not in IMAGE_SUFFIXES | {".pdf"}:
            problems.append(QuizgenError.at(path, f"{path.suffix or 'no suffix'} is not a scan; expected a PDF "
                                            "or an image (" + ", ".join(sorted(IMAGE_SUFFIXES)) + ")").problems[0])
        else:
            files.append(path)
    if problems:
        raise QuizgenError(problems)
    return files


def scan_pages(paths: list[Path], dpi: int = RASTER_DPI) -> Iterator[ScanPage]:
    """Every page of every scan, in the order given; an unreadable file or page is a page with a problem."""
    for path in paths:
        if path.suffix.lower() == ".pdf":
            yield from pdf_pages(path, dpi)
        else:
            yield image_page(path)


def too_large(width: float, height: float) -> str:
    if width * height <= MAX_PIXELS:
        return ""
    return (f"{width:.0f} × {height:.0f} pixels is far more than an answer sheet needs; "
            "scan at 200–300 dpi")


def image_page(path: Path) -> ScanPage:
    from PIL import Image

    try:
        with Image.open(path) as header:  # reads the size only, so a huge image is refused before decoding
            problem = too_large(*header.size)
    except Image.DecompressionBombError:
        problem = "the image is too large to be a scan of an answer sheet"
    except (OSError, ValueError):
        problem = ""  # not a format Pillow knows; OpenCV may still read it
    if problem:
        return ScanPage(display_path(path), 1, None, problem)
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if image is None:
        return ScanPage(display_path(path), 1, None, "cannot decode this image")
    return ScanPage(display_path(path), 1, image)


def pdf_pages(path: Path, dpi: int, only: int | None = None) -> Iterator[ScanPage]:
    """Each page (or only page `only`, 0-based) drawn at `dpi`."""
    import pypdfium2 as pdfium

    shown = display_path(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        yield ScanPage(shown, 1, None, f"cannot open this PDF: {exc}")
        return
    try:
        for index in (range(len(document)) if only is None else (only,)):
            try:
                page = document[index]
                width, height = page.get_size()
                problem = too_large(width / 72 * dpi, height / 72 * dpi)
                if problem:
                    yield ScanPage(shown, index + 1, None, f"the page is {width / 72 * 25.4:.0f} × "
                                   f"{height / 72 * 25.4:.0f} mm: {problem}")
                    continue
                image = embedded_scan(page)
                if image is None:
                    image = np.array(page.render(scale=dpi / 72, grayscale=True).to_numpy(), copy=True)
                yield ScanPage(shown, index + 1, grey_of(image))
            except pdfium.PdfiumError as exc:
                yield ScanPage(shown, index + 1, None, f"cannot draw this page: {exc}")
    finally:
        document.close()


def embedded_scan(page) -> np.ndarray | None:
    """The page's own picture when the page is one upright image filling it, as a scanner writes it.

    Taking the scanned pixels as they are is ten times quicker than drawing the page again, and
    loses nothing; any other page (vector content, several images, a turned image) is drawn instead.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        objects = list(page.get_objects(max_depth=1))
        if len(objects) != 1 or objects[0].type != raw.FPDF_PAGEOBJ_IMAGE:
            return None
        a, b, c, d, _, _ = objects[0].get_matrix().get()
        width, height = page.get_size()
        if b or c or a < 0.9 * width or d < 0.9 * height or too_large(*objects[0].get_px_size()):
            return None
        return np.array(objects[0].get_bitmap(render=False).to_numpy(), copy=True)
    except (pdfium.PdfiumError, ValueError, TypeError):
        return None


def grey_of(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    return image
