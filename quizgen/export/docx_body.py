"""The body of a Word document written as WordprocessingML in the layout's styles and numbering: paragraphs,
runs set right to left where the text is, numbered questions, option lines and tables."""

from __future__ import annotations

import re
from html import escape  # not xml.sax.saxutils's: it imports urllib.request (10 ms)

from markupsafe import Markup

from . import common
from .docx_layout import QUESTION_NUMBERS, Layout

_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_SPAN = re.compile(f"([{_RTL}]+(?:[\\s\u060c.,:()\\-]+[{_RTL}]+)*)")
_STRONG = re.compile(f"[A-Za-z\u00c0-\u024f{_RTL}]")
Cell = list[tuple[str, str | None]]  # the lines of a table cell, each with its paragraph style


class Sheet:
    """The paragraphs and tables that the layout's `{{p body }}` paragraph becomes, as WordprocessingML text."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.parts: list[str] = []

    def xml(self) -> Markup:
        return Markup("".join(self.parts))

    def paragraph(self, text: str, style: str | None = None) -> None:
        self.parts.append(paragraph_xml(text, self.layout.style_ids.get(style or "")))

    def question(self, prompt: str) -> None:
        self.parts.append(paragraph_xml(prompt, self.layout.style_ids.get("Question"), numbered=QUESTION_NUMBERS))

    def table(self, rows: list[list[Cell]], shares: tuple[int, ...], *, heading: bool = False) -> None:
        """A table with grid lines (the layout's Table Grid style) whose columns take `shares` of the text width; no
        row is split across pages, and with `heading` the first row is repeated at the top of each page."""
        widths = [self.layout.text_width * share // sum(shares) for share in shares]
        style = self.layout.style_ids.get("Table Grid")
        properties = (f'<w:tblStyle w:val="{escape(style)}"/>' if style else "") + (
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
            'w:noHBand="0" w:noVBand="1"/>')
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        body = "".join(f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if heading and n == 0 else ''}</w:trPr>"
                       + "".join(self.cell_xml(cell, width) for cell, width in zip(row, widths)) + "</w:tr>"
                       for n, row in enumerate(rows))
        self.parts.append(f"<w:tbl><w:tblPr>{properties}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>")

    def cell_xml(self, lines: Cell, width: int) -> str:
        paragraphs = "".join(paragraph_xml(text, self.layout.style_ids.get(style or "")) for text, style in lines)
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs or "<w:p/>"}</w:tc>'




def paragraph_xml(text: str, style_id: str | None = None, numbered: str | None = None) -> str:
    """One paragraph: `text` in runs, right-to-left script in runs marked so (Word shapes and orders them as
    Arabic), tabs and line breaks as Word's own; a paragraph whose first letter is right-to-left reads right to
    left, as `dir="auto"` does in the PDFs."""
    properties = f'<w:pStyle w:val="{escape(style_id)}"/>' if style_id else ""
    if numbered:
        properties += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{numbered}"/></w:numPr>'
    first = _STRONG.search(text)
    if first and re.match(f"[{_RTL}]", first[0]):
        properties += "<w:bidi/>"
    runs = "".join(run_xml(part, rtl=bool(n % 2))
                   for n, part in enumerate(_RTL_SPAN.split(common.xml_characters(text))) if part)
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{runs}</w:p>"


def run_xml(text: str, *, rtl: bool) -> str:
    pieces = []
    for n, line in enumerate(text.split("\n")):
        if n:
            pieces.append("<w:br/>")
        for m, chunk in enumerate(line.split("\t")):
            if m:
                pieces.append("<w:tab/>")
            if chunk:
                pieces.append(f'<w:t xml:space="preserve">{escape(chunk, quote=False)}</w:t>')
    return f"<w:r>{'<w:rPr><w:rtl/></w:rPr>' if rtl else ''}{''.join(pieces)}</w:r>"
