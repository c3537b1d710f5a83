"""Any document to PDF files: worksheets and keys composed from their pieces, every other document
through WeasyPrint's own pages; the fonts keep their dates, so the same build gives the same bytes."""

from __future__ import annotations

from .card_composer import render_composed_cards
from .card_pieces import ComposedCards
from .compose import ComposedDocument
from .composer import render_composed
from .html_pdf import RenderedPdf, SpooledPdf, render_html_pdfs
from . import RENDERER_MODULES
from .weasy import font_dates_kept

__all__ = ["RENDERER_MODULES", "RenderedPdf", "SpooledPdf", "render_pdfs"]


def render_pdfs(document) -> tuple[RenderedPdf | SpooledPdf, ...]:
    """Lay the document out and write one PDF per part; pure: HTML in, PDF bytes out.

    A composed document (render/compose.py, render/card_pieces.py) lays out its pieces once and composes every
    part. Run it in a
    bounded worker (sandbox.py): a stranger's layout can ask WeasyPrint for any amount of work.
    """
    if isinstance(document, ComposedCards):
        return render_composed_cards(document)  # its fonts are subset by font_subsets.py, dates kept
    with font_dates_kept():
        if isinstance(document, ComposedDocument):
            return render_composed(document)
        return render_html_pdfs(document)
