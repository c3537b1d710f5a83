"""Word documents (.docx): a worksheet and an answer key per version, and the study deck as a card table.

Each document is a layout `.docx` (templates/layouts/worksheet.docx, answer-key.docx, flashcards.docx; a
`--layouts` folder replaces them by file name) rendered with docxtpl in quizgen's Jinja2 sandbox: the layout
holds the page, the styles, the header and footer and the fixed text, and its `{{p body }}` paragraph becomes
the questions, built here with python-docx as real Word structures (a numbered list, option lines with ☐,
tables for matching and for the key's grid). `quizgen export --format docx` writes every version's worksheet,
then every version's key, into one document, each in its own section (a new page, its own header and page
numbers). Times in docProps/core.xml and the zip's entry dates are fixed, so the same set gives the same bytes.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart
from docx.parts.numbering import NumberingPart
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup

from ..errors import QuizgenError, display_path
from ..files import read_contributed, write_atomically
from ..model import BLANK, Question, QuestionSet, Version, option_letter
from ..render.html import Layouts, flashcards_for
from ..sandbox import bounded_environment
from . import common

WORKSHEET = "worksheet.docx"
ANSWER_KEY = "answer-key.docx"
FLASHCARDS = "flashcards.docx"
MAX_LAYOUT_BYTES = 8 * 1024 * 1024
# Word and LibreOffice show these as the document's dates: a fixed one keeps the bytes the same between builds.
FIXED_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
WRITE_LINE = "_" * 30
CLOZE_LINE = "_" * 16
QUESTION_LIST = 9101  # the abstractNum id of the questions' numbered list, far from ids a layout uses


def write(question_set: QuestionSet, path: Path, layouts: Layouts | None = None) -> list[str]:
    """`quizgen export --format docx`: every version's worksheet, then every version's key, in one document."""
    write_atomically(path, combined_docx(question_set, layouts or Layouts.with_user_folders()))
    return []


def build_files(question_set: QuestionSet, layouts: Layouts | None = None) -> dict[str, bytes]:
    """`quizgen build`: worksheet-A.docx, answer-key-A.docx… for each version, and flashcards.docx."""
    layouts = layouts or Layouts.with_user_folders()
    files = {}
    for version in question_set.versions:
        files[f"worksheet-{file_code(version)}.docx"] = docx_bytes(worksheet(question_set, version, layouts))
    for version in question_set.versions:
        files[f"answer-key-{file_code(version)}.docx"] = docx_bytes(answer_key(question_set, version, layouts))
    files[FLASHCARDS] = docx_bytes(flashcards(question_set, layouts))
    return files


def build_file_count(versions: int) -> int:
    return 2 * versions + 1


def file_code(version: Version) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", version.code)


def combined_docx(question_set: QuestionSet, layouts: Layouts) -> bytes:
    versions = question_set.versions or (Version("A", ()),)
    documents = [worksheet(question_set, v, layouts) for v in versions]
    documents += [answer_key(question_set, v, layouts) for v in versions]
    return docx_bytes(joined(documents))


# ---- the three documents ---------------------------------------------------------------------------------


def worksheet(question_set: QuestionSet, version: Version, layouts: Layouts) -> Document:
    def body(sheet: Sheet) -> None:
        for question in version.questions:
            sheet.question(question.prompt.replace(BLANK, CLOZE_LINE) if question.type == "cloze" else question.prompt)
            answer_space(sheet, question)

    return render(layouts, WORKSHEET, version_context(question_set, version, "Worksheet"), body)


def answer_key(question_set: QuestionSet, version: Version, layouts: Layouts) -> Document:
    def body(sheet: Sheet) -> None:
        key_grid(sheet, version.questions)
        for question in version.questions:
            sheet.question(question.prompt)
            sheet.paragraph(answer_line(question), "Answer")
            if question.explanation:
                sheet.paragraph(question.explanation, "Explanation")
            source = source_line(question)
            if source:
                sheet.paragraph(source, "Source")

    return render(layouts, ANSWER_KEY, version_context(question_set, version, "Answer key"), body)


def flashcards(question_set: QuestionSet, layouts: Layouts) -> Document:
    cards = flashcards_for(question_set)

    def body(sheet: Sheet) -> None:
        table = sheet.table(len(cards) + 1, 2)
        for cell, heading in zip(table.rows[0].cells, ("Question", "Answer")):
            sheet.fill(cell, [(heading, "Card Heading")])
        for row, card in zip(table.rows[1:], cards):
            front = [(card.topic, "Card Topic")] if card.topic else []
            front.append((card.front, None))
            front += [(f"{n}. {item}", None) for n, item in enumerate(card.front_items, 1)]
            front += [(f"{option_letter(i)}. {choice}", None) for i, choice in enumerate(card.front_choices)]
            back = [(card.back, None)]
            back += [(card.explanation, "Card Explanation")] if card.explanation else []
            back += [(card.source, "Card Source")] if card.source else []
            sheet.fill(row.cells[0], front)
            sheet.fill(row.cells[1], back)

    context = {**common_context(question_set), "count": len(cards)}
    return render(layouts, FLASHCARDS, context, body)


def common_context(question_set: QuestionSet) -> dict[str, Any]:
    return {"title": question_set.pack_title, "pack_id": question_set.pack_id, "licence": question_set.licence,
            "language": question_set.language}


def version_context(question_set: QuestionSet, version: Version, kind: str) -> dict[str, Any]:
    return {**common_context(question_set), "version": version.code, "kind": kind,
            "count": len(version.questions)}


# ---- what a worksheet and a key say, as the PDF layouts say it ----------------------------------------------


def answer_space(sheet: Sheet, question: Question) -> None:
    if question.type in ("multiple-choice", "multiple-response", "true-false"):
        if question.type == "multiple-response":
            sheet.paragraph("Tick every correct answer.", "Hint")
        for i, option in enumerate(question.options):
            sheet.paragraph(f"☐ {option_letter(i)}\t{option.text}", "Option")
    elif question.type == "short-answer":
        sheet.paragraph(WRITE_LINE * 2, "Write Line")
    elif question.type == "matching":
        sheet.paragraph("Write the letter of the matching item in each box.", "Hint")
        rows = max(len(question.pairs), len(question.choices))
        table = sheet.table(rows, 3)
        for i, row in enumerate(table.rows):
            if i < len(question.pairs):
                sheet.fill(row.cells[0], [(f"{i + 1}. {question.pairs[i].left}", None)])
                sheet.fill(row.cells[1], [("☐", None)])
            if i < len(question.choices):
                sheet.fill(row.cells[2], [(f"{option_letter(i)}. {question.choices[i]}", None)])
    elif question.type == "ordering":
        sheet.paragraph(f"Number the items from 1 to {len(question.items)} in the boxes.", "Hint")
        for item in question.items:
            sheet.paragraph(f"☐\t{item}", "Option")
    elif question.type == "numeric":
        unit = f" {question.numeric.unit}" if question.numeric and question.numeric.unit else ""
        sheet.paragraph(f"Answer:\t{WRITE_LINE}{unit}", "Option")


def key_grid(sheet: Sheet, questions: tuple[Question, ...]) -> None:
    """Four columns of number and key, filled down then across, as the PDF key's grid."""
    if not questions:
        return
    rows = (len(questions) + 3) // 4
    table = sheet.table(rows, 8)
    table.autofit = False
    for c, column in enumerate(table.columns):
        column.width = Mm(9) if c % 2 == 0 else Mm(35)  # LibreOffice reads the grid, Word the cells
    for r, row in enumerate(table.rows):
        for c in range(4):
            row.cells[2 * c].width, row.cells[2 * c + 1].width = Mm(9), Mm(35)
            i = c * rows + r
            if i < len(questions):
                sheet.fill(row.cells[2 * c], [(str(i + 1), "Key Number")])
                sheet.fill(row.cells[2 * c + 1], [(questions[i].key_text(), None)])


def answer_line(question: Question) -> str:
    """The answer written out, as answer-key-answer.html writes it."""
    if question.type in ("multiple-choice", "multiple-response"):
        return "Answer: " + "; ".join(f"{option_letter(i)} — {o.text}" for i, o in enumerate(question.options)
                                      if o.correct)
    if question.type == "matching":
        return "Answer: " + ", ".join(f"{n}-{option_letter(question.choices.index(p.right))} ({p.left} → {p.right})"
                                      for n, p in enumerate(question.pairs, 1))
    if question.type == "ordering":
        return f"Answer: {question.key_text()} ({' → '.join(question.sequence)})"
    if question.type == "numeric" and question.numeric:
        numeric = question.numeric
        line = f"Answer: {question.answer} {numeric.unit}".rstrip()
        if numeric.low != numeric.high:
            line += f" (accept {number(numeric.low)} to {number(numeric.high)})"
        return line
    accepted = f" (also accepted: {', '.join(question.accepted)})" if question.accepted else ""
    return f"Answer: {question.answer}{accepted}"


def number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def source_line(question: Question) -> str:
    """Every source with the words in it that support the answer, as answer-key-source.html writes them."""
    shown = list(dict.fromkeys((c.text, c.evidence) for c in question.citations))
    if not shown:
        return ""
    return "Source: " + "; ".join(f"{text}: “{evidence}”" if evidence else text for text, evidence in shown)


# ---- building the body with python-docx, in the layout's styles and numbering ---------------------------------


_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_SPAN = re.compile(f"([{_RTL}]+(?:[\\s\u060c.,:()\\-]+[{_RTL}]+)*)")
_STRONG = re.compile(f"[A-Za-z\u00c0-\u024f{_RTL}]")


class Sheet:
    """A scratch body that shares the layout document's part, so styles and numbering are the layout's own; its
    elements are what the layout's `{{p body }}` paragraph becomes."""

    def __init__(self, layout: Document):
        element = parse_xml(f'<w:document xmlns:w="{W}"><w:body/></w:document>')
        element.body.append(copy.deepcopy(layout.element.body.sectPr))  # the page width, for tables
        self.scratch = Document(element, layout.part)
        # python-docx finds a style by name with a scan of every style: look each up once
        self.style_ids = {s.name: s.style_id for s in layout.styles}
        self.list_id = question_list(layout)

    def xml(self) -> Markup:
        elements = [e for e in self.scratch.element.body if e.tag != qn("w:sectPr")]
        return Markup("".join(etree.tostring(e, encoding="unicode") for e in elements))

    def paragraph(self, text: str, style: str | None = None, into: Any = None) -> Paragraph:
        parent = into if into is not None else self.scratch
        paragraph = parent.add_paragraph()
        self.style(paragraph, style)
        add_text(paragraph, text)
        return paragraph

    def style(self, paragraph: Paragraph, name: str | None) -> None:
        """Give the paragraph the layout's style `name`; a style the layout lacks leaves it Normal."""
        if name in self.style_ids:
            paragraph._p.style = self.style_ids[name]

    def question(self, prompt: str) -> None:
        paragraph = self.paragraph(prompt, "Question")
        number = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        number.get_or_add_ilvl().val = 0
        number.get_or_add_numId().val = self.list_id

    def table(self, rows: int, columns: int) -> Any:
        table = self.scratch.add_table(rows=rows, cols=columns)
        if "Table Grid" in self.style_ids:
            table._tbl.tblStyle_val = self.style_ids["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        return table

    def fill(self, cell: Any, lines: list[tuple[str, str | None]]) -> None:
        """Lines of text into a table cell: the first in the cell's own paragraph, the others after it."""
        for n, (text, style) in enumerate(lines):
            if n == 0:
                paragraph = cell.paragraphs[0]
                self.style(paragraph, style)
                add_text(paragraph, text)
            else:
                self.paragraph(text, style, into=cell)


def add_text(paragraph: Paragraph, text: str) -> None:
    """`text` as runs, right-to-left script in runs marked so (Word shapes and orders them as Arabic); a
    paragraph whose first letter is right-to-left reads right to left, as `dir="auto"` does in the PDFs."""
    for n, part in enumerate(_RTL_SPAN.split(common.xml_characters(text))):
        if part:
            run = paragraph.add_run(part)
            run.font.rtl = True if n % 2 else None
    first = _STRONG.search(text)
    if first and re.match(f"[{_RTL}]", first[0]):
        properties = paragraph._p.get_or_add_pPr()
        properties.insert_element_before(OxmlElement("w:bidi"), *PPR_AFTER_BIDI)


PPR_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                  "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                  "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def question_list(layout: Document) -> int:
    """A numbering instance for this document's questions (1., 2., …), added to the layout's numbering; its id."""
    numbering = numbering_element(layout)
    if numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{QUESTION_LIST}']") is None:
        abstract = parse_xml(
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{QUESTION_LIST}"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:tabs><w:tab w:val="num" w:pos="425"/></w:tabs>'
            '<w:ind w:left="425" w:hanging="425"/></w:pPr></w:lvl></w:abstractNum>')
        existing = numbering.findall(qn("w:num"))
        if existing:
            existing[0].addprevious(abstract)
        else:
            numbering.append(abstract)
    ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    num_id = max(ids, default=0) + 1
    numbering.append(parse_xml(f'<w:num xmlns:w="{W}" w:numId="{num_id}">'
                               f'<w:abstractNumId w:val="{QUESTION_LIST}"/></w:num>'))
    return num_id


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def numbering_element(document: Document) -> Any:
    """The document's w:numbering element, made when the layout has no numbering part (python-docx makes none)."""
    try:
        return document.part.part_related_by(RT.NUMBERING).element
    except KeyError:
        package = document.part.package
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
                             parse_xml(f'<w:numbering xmlns:w="{W}"/>'), package)
        document.part.relate_to(part, RT.NUMBERING)
        return part.element


# ---- rendering a layout in the sandbox ------------------------------------------------------------------------


def render(layouts: Layouts, name: str, context: dict[str, Any], build_body: Callable[[Sheet], None]) -> Document:
    """The layout `name` with `context`, its `{{p body }}` paragraph replaced by what `build_body` writes."""
    path = layouts.find(name)
    if path is None:
        raise QuizgenError.at(name, "layout not found in " + ", ".join(display_path(f) for f in layouts.folders),
                              field="layout")
    folder = next(f for f in layouts.folders if path.is_relative_to(f))
    data = read_contributed(path, folder, limit=MAX_LAYOUT_BYTES, what="layout")
    template = DocxTemplate(io.BytesIO(data))
    try:
        template.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise QuizgenError.at(path, f"is not a Word document ({type(exc).__name__}: {exc}); expected a .docx "
                              "saved by Word or LibreOffice", field="layout") from None
    sheet = Sheet(template.docx)
    build_body(sheet)
    try:
        template.render({**context, "body": sheet.xml()}, jinja_env=layout_environment(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise QuizgenError.at(path, f"template syntax error: {exc.message}{part_named(template)}",
                              field="layout") from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, ValueError, ArithmeticError,
            LookupError, AttributeError, etree.XMLSyntaxError) as exc:
        raise QuizgenError.at(path, f"{type(exc).__name__}: {exc}{part_named(template)}", field="layout") from None
    return template.docx


def part_named(template: DocxTemplate) -> str:
    """' (in word/header1.xml)': the part of the layout being rendered when it failed (body, a header…)."""
    part = getattr(template, "current_rendering_part", None)
    return f" (in {str(part.partname).lstrip('/')})" if part is not None else ""


def layout_environment() -> jinja2.Environment:
    env = bounded_environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(letter=option_letter, number=number)
    env.globals.update(letter=option_letter)
    return env


# ---- one document of several, and deterministic bytes ------------------------------------------------------------


def joined(documents: list[Document]) -> Document:
    """The documents one after another in the first, each in its own section: it starts on a new page with its
    own header, footer and page numbers. Numbering and styles the later ones bring are carried over."""
    first = documents[0]
    body = first.element.body
    for document in documents[1:]:
        end_section(first)
        numbers = carry_numbering(first, document)
        carry_styles(first, document)
        for child in document.element.body:
            if child.tag == qn("w:sectPr"):
                continue
            copied = copy.deepcopy(child)
            for reference in copied.iter(qn("w:numId")):
                reference.set(qn("w:val"), numbers.get(reference.get(qn("w:val")), reference.get(qn("w:val"))))
            body.sectPr.addprevious(copied)
        section = copy.deepcopy(document.element.body.sectPr)
        carry_headers(first, document, section)
        body.replace(body.sectPr, section)
    return first


def end_section(document: Document) -> None:
    """Close the body's last section with a paragraph that carries its properties (a section break)."""
    body = document.element.body
    paragraph = OxmlElement("w:p")
    paragraph.get_or_add_pPr().append(copy.deepcopy(body.sectPr))
    body.sectPr.addprevious(paragraph)


def carry_numbering(into: Document, source: Document) -> dict[str, str]:
    """Copy the source's numbering instances (and any list definitions `into` lacks); old numId → new numId."""
    target, numbering = numbering_element(into), numbering_element(source)
    abstract_ids = {a.get(qn("w:abstractNumId")) for a in target.findall(qn("w:abstractNum"))}
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) not in abstract_ids:
            nums = target.findall(qn("w:num"))
            (nums[0].addprevious if nums else target.append)(copy.deepcopy(abstract))
    next_id = max((int(n.get(qn("w:numId"))) for n in target.findall(qn("w:num"))), default=0) + 1
    mapping = {}
    for num in numbering.findall(qn("w:num")):
        copied = copy.deepcopy(num)
        mapping[num.get(qn("w:numId"))] = str(next_id)
        copied.set(qn("w:numId"), str(next_id))
        target.append(copied)
        next_id += 1
    return mapping


def carry_styles(into: Document, source: Document) -> None:
    have = {s.get(qn("w:styleId")) for s in into.styles.element.findall(qn("w:style"))}
    for style in source.styles.element.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in have:
            into.styles.element.append(copy.deepcopy(style))


def carry_headers(into: Document, source: Document, section: Any) -> None:
    """Point the copied section's header and footer references at copies of the source's header and footer parts."""
    package = into.part.package
    for tag, part_class, kind, content_type, pattern in (
            ("w:headerReference", HeaderPart, RT.HEADER, CT.WML_HEADER, "/word/header%d.xml"),
            ("w:footerReference", FooterPart, RT.FOOTER, CT.WML_FOOTER, "/word/footer%d.xml")):
        for reference in section.findall(qn(tag)):
            original = source.part.rels[reference.get(qn("r:id"))].target_part
            part = part_class(package.next_partname(pattern), content_type, copy.deepcopy(original.element), package)
            reference.set(qn("r:id"), into.part.relate_to(part, kind))


def docx_bytes(document: Document) -> bytes:
    """The document as .docx bytes that depend only on its content: fixed times, fixed zip entry dates."""
    properties = document.core_properties
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    properties.last_modified_by = "quizgen"
    buffer = io.BytesIO()
    document.save(buffer)
    return common.repacked_zip(buffer.getvalue())

