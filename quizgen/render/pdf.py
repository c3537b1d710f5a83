"""HTML → PDF with WeasyPrint, fetching only files inside the layout and content folders, never the network."""

from __future__ import annotations

import base64
import mimetypes
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from ..errors import QuizgenError, display_path
from ..files import read_contributed
from .html import Document, user_layout_blame

MAX_DATA_URL_BYTES = 1024 * 1024
MAX_RESOURCE_BYTES = 32 * 1024 * 1024  # an image, font or stylesheet a layout may load
MAX_FETCHES = 1000  # files one document may load, counting each @import again


@dataclass(frozen=True)
class RenderedPdf:
    file_name: str
    data: bytes
    pages: int
    seconds: float


@dataclass(frozen=True)
class SpooledPdf:
    """A rendered PDF that a worker wrote to a spool file; its bytes are read when the build takes them."""

    file_name: str
    path: Path
    pages: int
    seconds: float

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


class RefusedResource(Exception):
    """A layout asked for something it may not have; carries the message shown to the user."""


def _fatal_error_class() -> type[BaseException]:
    from weasyprint.urls import FatalURLFetchingError

    class RefusedFetch(FatalURLFetchingError):
        """Raised inside WeasyPrint's fetch so that rendering stops instead of warning and going on."""

    return RefusedFetch


def resolve_resource(url: str, layout_folders: tuple[Path, ...], content_folders: tuple[Path, ...]) -> Path | bytes:
    """The local file (or data: bytes) that `url` may read; RefusedResource when it may not.

    A file URL inside any layout folder is looked up by its name relative to that folder
    through the whole chain, so a user's folder overrides a built-in stylesheet or image.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return _data_url_bytes(url)
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedResource(f"refused to fetch {url!r}: layouts may not use the network; "
                              "put the file in a layout folder and refer to it by name")
    path = Path(url2pathname(parts.path))  # url2pathname also undoes %-escapes
    if ".." in path.parts:
        raise RefusedResource(f"refused to read {url!r}: '..' may not leave the layout or content folders")
    for folder in layout_folders:
        if path.is_relative_to(folder):
            relative = path.relative_to(folder)
            for candidate_folder in layout_folders:
                candidate = (candidate_folder / relative).resolve()
                if candidate.is_file() and candidate.is_relative_to(candidate_folder):
                    return candidate
                if (candidate_folder / relative).exists() and not candidate.is_relative_to(candidate_folder):
                    raise RefusedResource(f"refused to read {str(relative)!r}: it leads outside the layout folders")
            raise RefusedResource(f"layout file {str(relative)!r} not found in "
                                  + ", ".join(display_path(f) for f in layout_folders))
    resolved = path.resolve()
    for folder in content_folders:
        if resolved.is_relative_to(folder.resolve()) and path.is_relative_to(folder):
            if not resolved.is_file():
                raise RefusedResource(f"file {display_path(resolved)!r} not found")
            return resolved
    raise RefusedResource(f"refused to read {url!r}: layouts may only read files inside the layout folders "
                          "and the pack folder")


def _folder_of(path: Path, folders: tuple[Path, ...]) -> Path:
    return next(f for f in folders if path.is_relative_to(f))


def _data_url_bytes(url: str) -> bytes:
    header, _, payload = url.partition(",")
    if len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
        raise RefusedResource(f"refused a data: URL of {len(payload):,} characters; "
                              f"expected at most {MAX_DATA_URL_BYTES:,} bytes")
    if header.lower().endswith(";base64"):
        return base64.b64decode(payload)
    return unquote_to_bytes(payload)


def _data_url_type(url: str) -> str:
    media = url[5:].partition(",")[0].split(";")[0]
    return media or "text/plain"


@dataclass(frozen=True)
class Refusal:
    url: str
    message: str


def make_url_fetcher(document: Document, refusals: list[Refusal]):
    """A WeasyPrint URL fetcher limited to the document's layout and content folders."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fatal = _fatal_error_class()
    layout_folders = tuple(f.resolve() for f in document.layout_folders)
    content_folders = tuple(f.resolve() for f in document.content_folders)
    fetched: list[str] = []

    class RestrictedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            try:
                if len(fetched) > MAX_FETCHES:
                    raise RefusedResource(f"refused to load more than {MAX_FETCHES:,} files for one document "
                                          "(stylesheets importing each other many times?)")
                found = resolve_resource(url, layout_folders, content_folders)
            except RefusedResource as exc:
                refusals.append(Refusal(url, str(exc)))
                raise fatal(str(exc)) from None
            if isinstance(found, bytes):
                return URLFetcherResponse(url, found, {"Content-Type": _data_url_type(url)})
            media = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            try:
                data = read_contributed(found, _folder_of(found, (*layout_folders, *content_folders)),
                                        limit=MAX_RESOURCE_BYTES, what="layout resource")
            except QuizgenError as exc:
                refusals.append(Refusal(url, f"refused to read {found.name!r}: {exc.problems[0].message}"))
                raise fatal(refusals[-1].message) from None
            return URLFetcherResponse(found.as_uri(), data, {"Content-Type": media})

    return RestrictedFetcher()


def render_pdfs(document) -> tuple[RenderedPdf, ...]:
    """Lay the document out once and write one PDF per part; pure: HTML in, PDF bytes out.

    A composed document (render/compose.py) lays out its pieces once and composes every part. Run it in a
    bounded worker (sandbox.py): a stranger's layout can ask WeasyPrint for any amount of work.
    """
    with font_dates_kept():
        return _rendered_pdfs(document)


def _rendered_pdfs(document) -> tuple[RenderedPdf, ...]:
    from weasyprint import HTML

    from .compose import ComposedDocument, render_composed

    if isinstance(document, ComposedDocument):
        return render_composed(document)

    started = time.perf_counter()
    refusals: list[Refusal] = []
    fetcher = make_url_fetcher(document, refusals)
    base_url = document.layout_folders[-1].resolve().as_uri() + "/"
    with refusals_reported(document, refusals):
        rendered = HTML(string=document.html, base_url=base_url, url_fetcher=fetcher).render()
    page_groups = split_pages(rendered.pages, document)
    elapsed = time.perf_counter() - started
    results = []
    for part, pages in zip(document.parts, page_groups):
        started = time.perf_counter()
        with refusals_reported(document, refusals):  # attachments are fetched only now
            data = rendered.copy(pages).write_pdf()
        results.append(RenderedPdf(part.file_name, data, len(pages),
                                   elapsed / len(document.parts) + time.perf_counter() - started))
    return tuple(results)


@contextmanager
def font_dates_kept() -> Iterator[None]:
    """While it lasts, fonts that WeasyPrint rewrites with fontTools keep the dates in their own head table.

    Without libharfbuzz-subset (a plain pip install), WeasyPrint subsets fonts with fontTools, and so it does
    with variable and colour fonts everywhere; fontTools then stamps the clock into each font's `modified`
    date unless SOURCE_DATE_EPOCH is set, and the same build gives other bytes a second later. HarfBuzz
    keeps the font's own date, and so does a TTFont made with recalcTimestamp=False: the one that
    weasyprint.pdf.fonts makes is swapped for one made so, and put back afterwards, so that neither the
    environment nor fontTools changes for anything else in the process.
    """
    from fontTools.ttLib import TTFont
    from weasyprint.pdf import fonts

    class FontKeepingItsDates(TTFont):
        def __init__(self, *args, **kwargs):
            kwargs["recalcTimestamp"] = False
            super().__init__(*args, **kwargs)

    previous = fonts.TTFont
    fonts.TTFont = FontKeepingItsDates
    try:
        yield
    finally:
        fonts.TTFont = previous


@contextmanager
def refusals_reported(document: Document, refusals: list[Refusal]) -> Iterator[None]:
    """A refused fetch, and what WeasyPrint raises because of it or of a layout it cannot lay out, as one
    QuizgenError at the user's layout line that asked for it."""
    try:
        yield
    except QuizgenError:
        raise
    except RecursionError:
        if refusals:
            raise refusal_error(document, refusals[0]) from None
        raise QuizgenError.at(user_layout_blame(document.layout_folders, document.layout),
                              "elements are nested too deeply to lay out; expected at most a "
                              "few hundred levels", field="layout") from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # WeasyPrint's fatal fetch error is a BaseException
        if refusals:
            raise refusal_error(document, refusals[0]) from None
        raise QuizgenError.at(user_layout_blame(document.layout_folders, document.layout),
                              f"cannot be laid out: {type(exc).__name__}: {exc}"[:400], field="layout") from None
    if refusals:
        raise refusal_error(document, refusals[0])


def refusal_error(document: Document, refusal: Refusal) -> QuizgenError:
    """The refusal at the first line of the user's layouts that names the refused file, else at the layout."""
    name = unquote(urlsplit(refusal.url).path.rsplit("/", 1)[-1]) if not refusal.url.startswith("data:") else ""
    for folder in document.layout_folders[:-1]:
        for path in sorted(Path(folder).glob("*")):
            if name and path.suffix in (".html", ".css", ".svg") and path.is_file() and not path.is_symlink():
                text = path.read_text(encoding="utf-8", errors="replace")[:MAX_DATA_URL_BYTES]
                at = text.find(name)
                if at >= 0:
                    line = text.count("\n", 0, at) + 1
                    column = at - (text.rfind("\n", 0, at) + 1) + 1
                    return QuizgenError.at(path, refusal.message, line=line, column=column, field="layout")
    return QuizgenError.at(document.layout, refusal.message, field="layout")


def split_pages(pages: list, document: Document) -> list[list]:
    """The pages of each part: a part starts on the page holding its anchor and runs to the next part."""
    if len(document.parts) == 1 and not document.parts[0].anchor:
        return [list(pages)]
    starts = []
    for part in document.parts:
        index = next((i for i, page in enumerate(pages) if part.anchor in page.anchors), None)
        if index is None:
            raise QuizgenError.at(document.layout, f"the layout has no element with id {part.anchor!r}; "
                                  f"each version must start with one", field="layout")
        starts.append(index)
    bounds = starts[1:] + [len(pages)]
    return [list(pages[start:end]) for start, end in zip(starts, bounds)]
