"""Writes the built-in Word layouts, templates/layouts/{worksheet,answer-key,flashcards}.docx, with python-docx.

They are ordinary .docx files with docxtpl tags (`{{ title }}`, `{{ version }}`, `{{p body }}`): an author
copies one into a --layouts folder and edits it in Word or LibreOffice. Run this after changing it:
    .venv/bin/python scripts/make_docx_layouts.py
The same script gives the same bytes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from quizgen.export.docx_join import docx_bytes  # noqa: E402

LAYOUTS = Path(__file__).resolve().parent.parent / "templates" / "layouts"
GREY = RGBColor(0x55, 0x55, 0x55)
FONT = "Noto Sans"
ARABIC_FONT = "Noto Sans Arabic"


def new_layout() -> docx.document.Document:
    document = docx.Document()
    drop_thumbnail(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.header_distance = section.footer_distance = Mm(9)
    restart_page_numbers(section)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10.5)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), ARABIC_FONT)
    normal.paragraph_format.space_after = Pt(3)
    add_style(document, "Question", space_before=9, keep_with_next=True)
    add_style(document, "Option", indent=10, keep_with_next=True)
    add_style(document, "Hint", indent=7.5, italic=True, grey=True, size=9, keep_with_next=True)
    add_style(document, "Write Line", indent=7.5, space_before=6)
    add_style(document, "Kicker", grey=True, size=9, space_after=0)
    add_style(document, "Answer", indent=7.5, bold=True)
    add_style(document, "Explanation", indent=7.5)
    add_style(document, "Source", indent=7.5, grey=True, size=8.5)
    add_style(document, "Card Heading", bold=True)
    add_style(document, "Card Topic", grey=True, size=8, space_after=1)
    add_style(document, "Card Explanation", size=9.5)
    add_style(document, "Card Source", grey=True, size=8)
    add_style(document, "Key Number", bold=True, grey=True)
    add_style(document, "End Note", grey=True, size=8.5, space_before=12)
    option = document.styles["Option"].paragraph_format
    option.tab_stops.add_tab_stop(Mm(18))
    return document


def add_style(document, name: str, *, indent: float = 0, space_before: float = 0, space_after: float = 3,
              size: float = 0, bold: bool = False, italic: bool = False, grey: bool = False,
              keep_with_next: bool = False) -> None:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    form = style.paragraph_format
    form.left_indent = Mm(indent) if indent else None
    form.space_before, form.space_after = Pt(space_before), Pt(space_after)
    form.keep_with_next = keep_with_next or None
    style.font.size = Pt(size) if size else None
    style.font.bold = bold or None
    style.font.italic = italic or None
    if grey:
        style.font.color.rgb = GREY


def drop_thumbnail(document) -> None:
    """python-docx's blank document carries a preview picture of another document; a layout shows none."""
    package = document.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del package.rels[key]


def restart_page_numbers(section) -> None:
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    section._sectPr.insert_element_before(numbering, "w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
                                          "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
                                          "w:docGrid", "w:printerSettings", "w:sectPrChange")


def header(document, left: str, right: str) -> None:
    section = document.sections[0]
    paragraph = section.header.paragraphs[0]
    paragraph.text = f"{left}\t{right}"
    paragraph.style = document.styles["Header"]
    stops = paragraph.paragraph_format.tab_stops
    for inherited in document.styles["Header"].paragraph_format.tab_stops:  # the style's centre and right stops
        stops.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(Mm(174), WD_TAB_ALIGNMENT.RIGHT)
    for run in paragraph.runs:
        run.font.size, run.font.color.rgb = Pt(8.5), GREY


def footer(document, text: str) -> None:
    """`text` then the page number, a PAGE field that Word and LibreOffice fill in (1 in each section)."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(174), WD_TAB_ALIGNMENT.RIGHT)
    run = paragraph.add_run(f"\t{text}")
    run.font.size, run.font.color.rgb = Pt(8.5), GREY
    for kind, value in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        run.font.size, run.font.color.rgb = Pt(8.5), GREY
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = value
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def worksheet() -> docx.document.Document:
    document = new_layout()
    header(document, "{{ title }}", "Version {{ version }}")
    footer(document, "Version {{ version }} · page ")
    document.add_paragraph("Worksheet · Version {{ version }}", style="Kicker")
    document.add_paragraph("{{ title }}", style="Title")
    fields = document.add_table(rows=1, cols=3)
    for cell, label in zip(fields.rows[0].cells, ("Name", "Class", "Date")):
        cell.paragraphs[0].text = f"{label}: ____________________"[:34 if label == "Name" else 24]
    document.add_paragraph("Answer every question. Tick one box for each multiple-choice or true/false question, "
                           "write on the lines and in the boxes for the others.", style="Hint")
    document.add_paragraph("{{p body }}")
    document.add_paragraph("{{ count }} questions · {{ pack_id }}{% if licence %} · {{ licence }}{% endif %}",
                           style="End Note")
    return document


def answer_key() -> docx.document.Document:
    document = new_layout()
    header(document, "{{ title }}", "Answer key · Version {{ version }}")
    footer(document, "Answer key · Version {{ version }} · page ")
    document.add_paragraph("Answer key · Version {{ version }}", style="Kicker")
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{p body }}")
    return document


def flashcards() -> docx.document.Document:
    document = new_layout()
    header(document, "{{ title }}", "Study cards")
    footer(document, "Study cards · page ")
    document.add_paragraph("Study cards", style="Kicker")
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{ count }} cards: cover the answer column, say the answer, then check it.",
                           style="Hint")
    document.add_paragraph("{{p body }}")
    return document


def main() -> None:
    for name, make in (("worksheet.docx", worksheet), ("answer-key.docx", answer_key),
                       ("flashcards.docx", flashcards)):
        data = docx_bytes(make())
        (LAYOUTS / name).write_bytes(data)
        print(f"wrote {LAYOUTS / name} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
