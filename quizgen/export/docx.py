"""Word documents (.docx): a worksheet and an answer key per version, and the study deck as a card table.

Each document is a layout `.docx` (templates/layouts/worksheet.docx, answer-key.docx, flashcards.docx; a
`--layouts` folder replaces them by file name) rendered with docxtpl in quizgen's Jinja2 sandbox: the layout
holds the page, the styles, the header and footer and the fixed text, and its `{{p body }}` paragraph becomes
the questions, written here as real Word structures in the layout's styles (a numbered list, option lines with ☐,
tables for matching and for the key's grid). `quizgen export --format docx` writes every version's worksheet,
then every version's key, into one document, each in its own section (a new page, its own header and page
numbers). Times in docProps/core.xml and the zip's entry dates are fixed, so the same set gives the same bytes.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from xml.sax.saxutils import escape

import docx
import jinja2
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart
from docx.parts.numbering import NumberingPart
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
    sheets, keys = read_layout(layouts, WORKSHEET), read_layout(layouts, ANSWER_KEY)
    files = {f"worksheet-{file_code(v)}.docx": worksheet(question_set, v, sheets) for v in question_set.versions}
    files |= {f"answer-key-{file_code(v)}.docx": answer_key(question_set, v, keys) for v in question_set.versions}
    files[FLASHCARDS] = flashcards(question_set, read_layout(layouts, FLASHCARDS))
    return files


def build_file_count(versions: int) -> int:
    return 2 * versions + 1


def file_code(version: Version) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", version.code)


def combined_docx(question_set: QuestionSet, layouts: Layouts) -> bytes:
    versions = question_set.versions or (Version("A", ()),)
    sheets, keys = read_layout(layouts, WORKSHEET), read_layout(layouts, ANSWER_KEY)
    made = [worksheet(question_set, v, sheets) for v in versions] + [answer_key(question_set, v, keys) for v in versions]
    return docx_bytes(joined([docx.Document(io.BytesIO(data)) for data in made]))


# ---- the three documents ---------------------------------------------------------------------------------


def worksheet(question_set: QuestionSet, version: Version, layout: Layout) -> bytes:
    sheet = Sheet(layout)
    for question in version.questions:
        sheet.question(question.prompt.replace(BLANK, CLOZE_LINE) if question.type == "cloze" else question.prompt)
        answer_space(sheet, question)
    return layout.rendered(version_context(question_set, version, "Worksheet"), sheet)


def answer_key(question_set: QuestionSet, version: Version, layout: Layout) -> bytes:
    sheet = Sheet(layout)
    key_grid(sheet, version.questions)
    for question in version.questions:
        sheet.question(question.prompt)
        sheet.paragraph(answer_line(question), "Answer")
        if question.explanation:
            sheet.paragraph(question.explanation, "Explanation")
        source = source_line(question)
        if source:
            sheet.paragraph(source, "Source")
    return layout.rendered(version_context(question_set, version, "Answer key"), sheet)


def flashcards(question_set: QuestionSet, layout: Layout) -> bytes:
    cards = flashcards_for(question_set)
    rows = [[[("Question", "Card Heading")], [("Answer", "Card Heading")]]]
    for card in cards:
        front = [(card.topic, "Card Topic")] if card.topic else []
        front.append((card.front, None))
        front += [(f"{n}. {item}", None) for n, item in enumerate(card.front_items, 1)]
        front += [(f"{option_letter(i)}. {choice}", None) for i, choice in enumerate(card.front_choices)]
        back = [(card.back, None)]
        back += [(card.explanation, "Card Explanation")] if card.explanation else []
        back += [(card.source, "Card Source")] if card.source else []
        rows.append([front, back])
    sheet = Sheet(layout)
    sheet.table(rows, (50, 50), heading=True)
    return layout.rendered({**common_context(question_set), "count": len(cards)}, sheet)


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
        rows = []
        for i in range(max(len(question.pairs), len(question.choices))):
            left = [(f"{i + 1}. {question.pairs[i].left}", None)] if i < len(question.pairs) else []
            box = [("☐", None)] if i < len(question.pairs) else []
            right = [(f"{option_letter(i)}. {question.choices[i]}", None)] if i < len(question.choices) else []
            rows.append([left, box, right])
        sheet.table(rows, (45, 8, 47))
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
    grid = []
    for r in range(rows):
        row = []
        for c in range(4):
            i = c * rows + r
            shown = i < len(questions)
            row += [[(str(i + 1), "Key Number")] if shown else [], [(questions[i].key_text(), None)] if shown else []]
        grid.append(row)
    sheet.table(grid, (5, 20) * 4)


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


# ---- the body, written as WordprocessingML in the layout's styles and numbering ------------------------------------


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


QUESTION_NUMBERS = "\x00questions"  # the numbering instance's id when rendered; no text can hold a NUL


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
                pieces.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:r>{'<w:rPr><w:rtl/></w:rPr>' if rtl else ''}{''.join(pieces)}</w:r>"


# ---- a layout: read once, rendered in the sandbox for each document -------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_PART = "word/document.xml"
NUMBERING_PART = "word/numbering.xml"
NUMBERING_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Layout:
    """A layout .docx read once: its zip entries, its body, headers and footers compiled as Jinja2 templates (after
    docxtpl's clean-up of tags that Word split into several runs), its styles and text width. Each document made
    from it renders those templates and writes the layout's other entries unchanged."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        try:
            template = DocxTemplate(io.BytesIO(data))
            template.init_docx()
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                self.entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
            raise self.error(f"is not a Word document ({type(exc).__name__}: {exc}); expected a .docx saved by Word "
                             "or LibreOffice") from None
        self.docxtpl = template
        document = template.docx
        self.style_ids = {s.name: s.style_id for s in document.styles}
        self.text_width = text_width(document)
        env = layout_environment()
        parts = {DOCUMENT_PART: template.patch_xml(template.get_xml())}
        for uri in (template.HEADER_URI, template.FOOTER_URI):
            for _, part in template.get_headers_footers(uri):
                parts[str(part.partname).lstrip("/")] = template.patch_xml(template.get_part_xml(part))
        self.templates = {}
        for name, xml in parts.items():
            try:
                self.templates[name] = env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", xml))
            except jinja2.TemplateSyntaxError as exc:
                raise self.error(f"template syntax error: {exc.message} (in {name})") from None

    def error(self, message: str) -> QuizgenError:
        return QuizgenError.at(self.path, message, field="layout")

    def rendered(self, context: dict[str, Any], sheet: Sheet) -> bytes:
        """The .docx made from this layout with `context`, its `{{p body }}` paragraph replaced by the sheet."""
        entries = dict(self.entries)
        numbering, numbers = numbering_with_question_list(entries.get(NUMBERING_PART))
        body = sheet.xml().replace(QUESTION_NUMBERS, numbers)
        for name, template in self.templates.items():
            xml = self.render_part(name, template, {**context, "body": Markup(body)})
            if name == DOCUMENT_PART:
                entries[name] = self.document_with_body(entries[name], xml)
            else:
                entries[name] = XML_DECLARATION + self.checked(name, xml)
        if NUMBERING_PART not in entries:
            entries = with_numbering_part(entries)
        entries[NUMBERING_PART] = numbering
        if "docProps/core.xml" in entries:
            entries["docProps/core.xml"] = fixed_times(entries["docProps/core.xml"])
        return common.zip_archive(entries.items())

    def render_part(self, name: str, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            xml = template.render(context)
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, jinja2.TemplateError, TypeError, ValueError,
                ArithmeticError, LookupError, AttributeError) as exc:
            raise self.error(f"{type(exc).__name__}: {exc} (in {name})") from None
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")

    def checked(self, name: str, xml: str) -> bytes:
        try:
            etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise self.error(f"the tags make the part invalid XML ({exc}); a tag must not cut across Word's "
                             f"formatting (in {name})") from None
        return xml.encode("utf-8")

    def document_with_body(self, original: bytes, body_xml: str) -> bytes:
        self.checked(DOCUMENT_PART, body_xml)
        body = self.docxtpl.fix_tables(body_xml)  # what docxtpl does for {%tc %} loops that change a row's cells
        self.docxtpl.docx_ids_index = 1000
        self.docxtpl.fix_docpr_ids(body)
        root = etree.fromstring(original)
        root.replace(root.find(qn("w:body")), body)
        return XML_DECLARATION + etree.tostring(root, encoding="utf-8")


def read_layout(layouts: Layouts, name: str) -> Layout:
    path = layouts.find(name)
    if path is None:
        raise QuizgenError.at(name, "layout not found in " + ", ".join(display_path(f) for f in layouts.folders),
                              field="layout")
    folder = next(f for f in layouts.folders if path.is_relative_to(f))
    return Layout(path, read_contributed(path, folder, limit=MAX_LAYOUT_BYTES, what="layout"))


def layout_environment() -> jinja2.Environment:
    env = bounded_environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(letter=option_letter, number=number)
    env.globals.update(letter=option_letter)
    return env


def text_width(document: Document) -> int:
    """The width between the margins of the layout's last section, in twentieths of a point (A4 with 2 cm)."""
    section = document.sections[-1]
    try:
        return int((section.page_width - section.left_margin - section.right_margin) / 635)
    except TypeError:
        return 9638


def numbering_with_question_list(original: bytes | None) -> tuple[bytes, str]:
    """The numbering part with a list for the questions (1., 2., …) added, and that list's numId."""
    numbering = etree.fromstring(original) if original else etree.fromstring(f'<w:numbering xmlns:w="{W}"/>')
    if numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{QUESTION_LIST}']") is None:
        abstract = etree.fromstring(
            f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{QUESTION_LIST}"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:tabs><w:tab w:val="num" w:pos="425"/></w:tabs>'
            '<w:ind w:left="425" w:hanging="425"/></w:pPr></w:lvl></w:abstractNum>')
        insert_in_order(numbering, abstract, before=("w:num", "w:numIdMacAtCleanup"))
    num_id = max((int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))), default=0) + 1
    insert_in_order(numbering, etree.fromstring(f'<w:num xmlns:w="{W}" w:numId="{num_id}">'
                                                f'<w:abstractNumId w:val="{QUESTION_LIST}"/></w:num>'),
                    before=("w:numIdMacAtCleanup",))
    return XML_DECLARATION + etree.tostring(numbering, encoding="utf-8"), str(num_id)


def insert_in_order(parent: Any, child: Any, *, before: tuple[str, ...]) -> None:
    """Add `child` before the first of the elements `before` (Word refuses a numbering part out of order)."""
    following = next((e for e in parent if e.tag in {qn(t) for t in before}), None)
    if following is not None:
        following.addprevious(child)
    else:
        parent.append(child)


def with_numbering_part(entries: dict[str, bytes]) -> dict[str, bytes]:
    """A layout saved without lists has no numbering part: declare one (its content type and its relationship)."""
    types = entries["[Content_Types].xml"].decode("utf-8")
    override = f'<Override PartName="/{NUMBERING_PART}" ContentType="{NUMBERING_TYPE}"/>'
    entries["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode("utf-8")
    rels = entries["word/_rels/document.xml.rels"].decode("utf-8")
    relationship = f'<Relationship Id="rIdQuizgenNumbering" Type="{RT.NUMBERING}" Target="numbering.xml"/>'
    entries["word/_rels/document.xml.rels"] = rels.replace("</Relationships>",
                                                           relationship + "</Relationships>").encode("utf-8")
    return entries


CORE_TIMES = ("{http://purl.org/dc/terms/}created", "{http://purl.org/dc/terms/}modified",
              "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastPrinted")


def fixed_times(core: bytes) -> bytes:
    """docProps/core.xml with its dates set to FIXED_TIME, so no document carries the time it was made."""
    root = etree.fromstring(core)
    for tag in CORE_TIMES:
        for element in root.iter(tag):
            element.text = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    return XML_DECLARATION + etree.tostring(root, encoding="utf-8")


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


def numbering_element(document: Document) -> Any:
    """The document's w:numbering element, made when it has no numbering part (python-docx makes none)."""
    try:
        return document.part.part_related_by(RT.NUMBERING).element
    except KeyError:
        package = document.part.package
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING,
                             parse_xml(f'<w:numbering xmlns:w="{W}"/>'), package)
        document.part.relate_to(part, RT.NUMBERING)
        return part.element


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
            insert_in_order(target, copy.deepcopy(abstract), before=("w:num", "w:numIdMacAtCleanup"))
    next_id = max((int(n.get(qn("w:numId"))) for n in target.findall(qn("w:num"))), default=0) + 1
    mapping = {}
    for num in numbering.findall(qn("w:num")):
        copied = copy.deepcopy(num)
        mapping[num.get(qn("w:numId"))] = str(next_id)
        copied.set(qn("w:numId"), str(next_id))
        insert_in_order(target, copied, before=("w:numIdMacAtCleanup",))
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
            for rel in original.rels.values():  # a picture or link in the header keeps its target and its id
                target = rel._target if rel.is_external else carried_part(into, rel.reltype, rel.target_part)
                part.load_rel(rel.reltype, target, rel.rId, rel.is_external)
            reference.set(qn("r:id"), into.part.relate_to(part, kind))


def carried_part(into: Document, kind: str, part: Any) -> Any:
    """A part of another document as `into` can hold it: a picture once however many headers show it, anything
    else under a name of its own (every document calls its first picture image1.png)."""
    package = into.part.package
    if kind == RT.IMAGE:
        return package.get_or_add_image_part(io.BytesIO(part.blob))
    if any(p.partname == part.partname for p in package.iter_parts()):
        part.partname = package.next_partname(re.sub(r"\d*(\.\w+)$", r"%d\1", str(part.partname)))
    return part


def docx_bytes(document: Document) -> bytes:
    """The document as .docx bytes that depend only on its content: fixed times, fixed zip entry dates."""
    properties = document.core_properties
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    properties.last_modified_by = "quizgen"
    buffer = io.BytesIO()
    document.save(buffer)
    return common.repacked_zip(buffer.getvalue())

