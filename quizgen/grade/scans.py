"""Scanned input: PDFs rasterised page by page with PDFium, images of any format Pillow reads decoded with
Pillow, every page of a multi-page file (a copier's TIFF) one page to grade.

Decoding a stranger's file can take any amount of memory and time whatever its size on disk, so run.py
calls these functions in bounded workers (sandbox.py); the caps here refuse what a header already gives away.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from ..errors import QuizgenError, display_path
from ..files import read_regular_file, special_file_kind
from ..text import escape_unsafe

RASTER_DPI = 200  # a PDF page's images are redrawn at this resolution; a 200 dpi scan loses nothing
MAX_PIXELS = 100_000_000  # an A3 page at 600 dpi is 70 million; more is a mistake or a decompression bomb
MAX_IMAGE_BYTES = 512 * 1024 ** 2  # a 600 dpi A3 page as an uncompressed TIFF is 210 MB in colour
BLANK_INK_SHARE = 0.002  # a page with less dark area than this is an empty back side, not a failed read
RESCAN = "if it is an answer sheet, scan it again at 200–300 dpi"
# Pillow's formats that hold pictures a scanner, a copier or a phone writes, and that Pillow decodes itself:
# not EPS (Ghostscript runs it), nor the formats Pillow only names (BUFR, GRIB, HDF5, WMF, MPEG); JPEG
# covers a phone's MPO files
IMAGE_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "DIB", "WEBP", "GIF", "JPEG2000", "PPM", "PCX", "TGA", "SGI",
                 "SUN", "QOI", "PSD", "DCX", "AVIF", "ICO", "IM", "MSP", "XBM", "XPM", "FITS", "SPIDER")


def _image_suffixes() -> set[str]:
    from PIL import Image

    Image.init()
    return {suffix for suffix, name in Image.registered_extensions().items() if name in IMAGE_FORMATS}


def _known_formats() -> list[str]:
    """IMAGE_FORMATS this Pillow has a reader for (AVIF, JPEG 2000 depend on how it was built)."""
    from PIL import Image

    Image.init()
    return [name for name in IMAGE_FORMATS if name in Image.OPEN]


IMAGE_SUFFIXES = _image_suffixes() | {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass(frozen=True)
class ScanPage:
    file: str  # as shown to the user
    number: int  # 1-based page of that file
    image: np.ndarray | None  # grey; None when the page could not be decoded
    problem: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}: page {self.number}"


def shown(path: Path) -> str:
    """A path as it may be printed and written into UTF-8 files: a name that is not UTF-8 (its bytes
    come back from the file system as lone surrogates) and control characters are escaped."""
    return escape_unsafe(display_path(path))


@dataclass(frozen=True)
class ScanFiles:
    files: list[Path]
    left_out: list[str]  # what the scan folders hold that is not read, and why: one line each


def is_blank(image: np.ndarray) -> bool:
    return float(np.mean(image < 128)) < BLANK_INK_SHARE


def find_scans(paths: list[Path], own_folder: Path | None = None) -> ScanFiles:
    """Every path is a PDF or an image, or a folder of them; else one error per path, before any is opened.

    In a folder: other files are ignored, macOS's `._` companions (metadata, not pictures) skipped, and
    subfolders and, in `own_folder` (where grading writes), its annotated copies are left out and named.
    """
    problems, files, left_out = [], [], []
    own = own_folder.resolve() if own_folder is not None else None
    for path in map(Path, paths):
        kind = special_file_kind(path)
        if path.is_dir():
            found, skipped = _folder_scans(path, own is not None and path.resolve() == own)
            left_out.extend(skipped)
            problems.extend(_not_plain(p, special_file_kind(p)) for p in found if special_file_kind(p))
            if not found:
                problems.append(_problem(path, "no PDF or image files in this folder"))
            files.extend(p for p in found if not special_file_kind(p))
        elif kind:
            problems.append(_not_plain(path, kind))
        elif not path.is_file():
            problems.append(_problem(path, "scan not found"))
        elif path.suffix.lower() not in IMAGE_SUFFIXES | {".pdf"}:
            problems.append(_problem(path, f"{escape_unsafe(path.suffix) or 'no suffix'} is not a scan; expected a "
                                     "PDF or an image (" + ", ".join(sorted(IMAGE_SUFFIXES)) + ")"))
        else:
            files.append(path)
    if problems:
        raise QuizgenError(problems)
    return ScanFiles(files, left_out)


def _folder_scans(folder: Path, is_own: bool) -> tuple[list[Path], list[str]]:
    found, left_out = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("._"):
            continue
        if path.is_dir():
            left_out.append(f"{shown(path)}: a folder inside {shown(folder)} is not read; "
                            "name it on the command line to grade its scans")
        elif path.suffix.lower() in IMAGE_SUFFIXES | {".pdf"}:
            if is_own and path.name.startswith("annotated-") and path.suffix == ".pdf":
                left_out.append(f"{shown(path)}: an annotated copy written by `quizgen grade`, not a scan; "
                                "skipped")
            else:
                found.append(path)
    return found, left_out


def _problem(path: Path, message: str):
    from ..errors import Problem

    return Problem(shown(path), 0, 0, "", message)


def _not_plain(path: Path, kind: str):
    return _problem(path, f"is {kind}, not a scan file; expected a PDF or an image file")


def too_large(width: float, height: float) -> str:
    if width * height <= MAX_PIXELS:
        return ""
    return (f"{width:.0f} × {height:.0f} pixels is far more than an answer sheet needs; "
            "scan at 200–300 dpi")


def image_page_count(path: Path) -> int | str:
    """The pages (frames) of an image file, or why it cannot be opened; most images have one, a copier's
    TIFF one per sheet."""
    from PIL import Image, UnidentifiedImageError

    try:
        data = read_regular_file(path, limit=MAX_IMAGE_BYTES, what="scan")
        with Image.open(io.BytesIO(data), formats=_known_formats()) as image:
            return max(1, int(getattr(image, "n_frames", 1)))
    except QuizgenError:
        return 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return 1  # the page itself says why when it is decoded


def image_page(path: Path, index: int = 0) -> ScanPage:
    """Page `index` (0-based) of an image file, grey."""
    from PIL import Image, UnidentifiedImageError

    name = shown(path)
    try:
        data = read_regular_file(path, limit=MAX_IMAGE_BYTES, what="scan")
    except QuizgenError as exc:
        return ScanPage(name, index + 1, None, exc.problems[0].message)
    try:
        with Image.open(io.BytesIO(data), formats=_known_formats()) as image:
            image.seek(index)
            problem = too_large(*image.size)  # the header's size, before a pixel is decoded
            if problem:
                return ScanPage(name, index + 1, None, problem)
            grey = grey_pixels(image)
    except Image.DecompressionBombError:
        return ScanPage(name, index + 1, None, "the image is too large to be a scan of an answer sheet")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return ScanPage(name, index + 1, None, "cannot decode this image" if index == 0
                        else f"cannot decode page {index + 1} of this image")
    return ScanPage(name, index + 1, grey)


def grey_pixels(image) -> np.ndarray:
    """8-bit grey from any Pillow mode: 1-bit stays black and white, 16-bit and float scans are scaled, not
    clipped to white."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float32)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        return np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
    return np.array(image.convert("L"), dtype=np.uint8)


def pdf_page_count(path: Path) -> int | str:
    """The number of pages of a PDF, or why it cannot be opened."""
    import pypdfium2 as pdfium

    kind = special_file_kind(path)
    if kind:
        return f"is {kind}, not a scan file"
    try:
        document = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        return f"cannot open this PDF: {exc}"
    try:
        return len(document)
    finally:
        document.close()


def pdf_pages(path: Path, dpi: int, only: int | None = None) -> Iterator[ScanPage]:
    """Each page (or only page `only`, 0-based) drawn at `dpi`."""
    import pypdfium2 as pdfium

    name = shown(path)
    kind = special_file_kind(path)  # PDFium would wait for ever on a FIFO
    if kind:
        yield ScanPage(name, 1, None, f"is {kind}, not a scan file")
        return
    try:
        document = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        yield ScanPage(name, 1, None, f"cannot open this PDF: {exc}")
        return
    try:
        for index in (range(len(document)) if only is None else (only,)):
            try:
                page = document[index]
                width, height = page.get_size()
                problem = too_large(width / 72 * dpi, height / 72 * dpi)
                if problem:
                    yield ScanPage(name, index + 1, None, f"the page is {width / 72 * 25.4:.0f} × "
                                   f"{height / 72 * 25.4:.0f} mm: {problem}")
                    continue
                image = embedded_scan(page)
                if image is None or image is UNDECODABLE:
                    drawn = np.array(page.render(scale=dpi / 72, grayscale=True).to_numpy(), copy=True)
                    if image is UNDECODABLE and is_blank(grey_of(drawn)):  # PDFium left out what it could not decode
                        yield ScanPage(name, index + 1, None, "the scanned picture on this page cannot be decoded "
                                       f"(damaged, or far larger than it says); {RESCAN}")
                        continue
                    image = drawn
                problem = too_large(image.shape[1], image.shape[0])  # what was decoded, not what was declared
                yield ScanPage(name, index + 1, None, problem) if problem else ScanPage(name, index + 1,
                                                                                        grey_of(image))
            except pdfium.PdfiumError as exc:
                yield ScanPage(name, index + 1, None, f"cannot draw this page: {exc}")
    finally:
        document.close()


UNDECODABLE = np.zeros((0, 0), dtype=np.uint8)  # embedded_scan: a scanner's page whose picture does not decode


def embedded_scan(page) -> np.ndarray | None:
    """The page's own picture when the page is one upright image filling it, as a scanner writes it.

    Taking the scanned pixels as they are is ten times quicker than drawing the page again, and
    loses nothing; any other page (vector content, several images, a turned image) is drawn instead
    (None). UNDECODABLE when the picture is there but cannot be decoded, or decodes larger than allowed.
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
    except (pdfium.PdfiumError, ValueError, TypeError):
        return None
    try:
        image = objects[0].get_bitmap(render=False).to_numpy()
    except (pdfium.PdfiumError, ValueError, TypeError):
        return UNDECODABLE
    if too_large(image.shape[1], image.shape[0]):  # what was decoded, not what the PDF declared
        return UNDECODABLE
    return np.array(image, copy=True)


def grey_of(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    return image
