"""A plain HTML document to PDF files through WeasyPrint's own pagination: laid out once, cut into one
file per part."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import QuizgenError
from ..files import WrittenFile
from .fetching import Refusal, refusals_reported
from .layouts import Document
from .weasy import laid_out


@dataclass(frozen=True)
class RenderedPdf:
    file_name: str
    data: bytes
    pages: int
    seconds: float


@dataclass(frozen=True)
class SpooledPdf:
    """A rendered PDF that a worker wrote to a spool file: linked into the outputs (files.replace_all), its bytes
    read only when asked for."""

    file_name: str
    file: WrittenFile
    pages: int
    seconds: float

    @property
    def data(self) -> bytes:
        return self.file.read()


def render_html_pdfs(document: Document) -> tuple[RenderedPdf, ...]:
    """Lay the document out once and write one PDF per part; pure: HTML in, PDF bytes out."""
    started = time.perf_counter()
    refusals: list[Refusal] = []
    with refusals_reported(document, refusals):
        rendered = laid_out(document, refusals)
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
