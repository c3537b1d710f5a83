"""A layout .docx read once and rendered in quizgen's Jinja2 sandbox for each document: its body, headers and
footers as templates, its numbering given the questions' list, its times fixed."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import docx
import docxtpl
import jinja2
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup

from ..errors import QuizgenError, display_path
from ..files import keep_newest, read_contributed, read_kept, write_kept
from ..model import format_number, option_letter
from ..render.layouts import Layouts, compiled_layouts_folder
from ..sandbox import bounded_environment
from . import common

MAX_LAYOUT_BYTES = 8 * 1024 * 1024
# Word and LibreOffice show these as the document's dates: a fixed one keeps the bytes the same between builds.
FIXED_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
QUESTION_LIST = 9101  # the abstractNum id of the questions' numbered list, far from ids a layout uses
QUESTION_NUMBERS = "\x00questions"  # the numbering instance's id when rendered; no text can hold a NUL
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_PART = "word/document.xml"
NUMBERING_PART = "word/numbering.xml"
NUMBERING_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_READERS = f"{docx.__version__}:{docxtpl.__version__}:{etree.LXML_VERSION}"  # what a layout's parts are read with
KEPT_LAYOUT_PARTS = 16  # the built-in layouts and a few of the user's, each as last saved
KEPT_PARTS_BYTES = MAX_LAYOUT_BYTES  # a layout whose text is mostly padding is read each time, never kept


@dataclass(frozen=True)
class LayoutParts:
    """What python-docx and docxtpl read of a layout .docx: its styles' ids by name, its text width, and its body,
    headers and footers as Jinja2 sources (after docxtpl's clean-up of tags that Word split into several runs)."""

    style_ids: dict[str, str]
    text_width: int
    sources: dict[str, str]


class Layout:
    """A layout .docx read once: its parts (LayoutParts), its body, headers and footers compiled as Jinja2
    templates. Each document made from it renders those templates and writes the layout's other entries
    unchanged."""

    def __init__(self, path: Path, entries: list[tuple[str, bytes]], parts: LayoutParts):
        self.path = path
        self.entries = entries
        self.style_ids = parts.style_ids
        self.text_width = parts.text_width
        self.docxtpl = DocxTemplate(io.BytesIO())  # its fixes of a rendered body's tables and drawing ids only
        env = layout_environment()
        self.templates = {}
        for name, source in parts.sources.items():
            try:
                self.templates[name] = env.from_string(source)
            except jinja2.TemplateSyntaxError as exc:
                raise self.error(f"template syntax error: {exc.message} (in {name})") from None

    def error(self, message: str) -> QuizgenError:
        return QuizgenError.at(self.path, message, field="layout")

    def rendered(self, context: dict[str, Any], body_xml: str) -> bytes:
        """The .docx made from this layout with `context`, its `{{p body }}` paragraph replaced by `body_xml`
        (docx_body.Sheet.xml)."""
        entries = dict(self.entries)
        numbering, numbers = numbering_with_question_list(entries.get(NUMBERING_PART))
        body = body_xml.replace(QUESTION_NUMBERS, numbers)
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
    data = read_contributed(path, folder, limit=MAX_LAYOUT_BYTES, what="layout")
    entries = zip_entries(path, data)  # a file that is no zip is refused before anything is read or kept
    return Layout(path, entries, kept_parts(path, data))


def kept_parts(path: Path, data: bytes) -> LayoutParts:
    """The layout's parts, kept beside the layouts' compiled code while a build keeps that
    (render/layouts.compiled_layouts_kept_in) by the file's bytes and the libraries that read it: python-docx's
    and docxtpl's reading is two thirds of a Word file's time after an edit."""
    folder = compiled_layouts_folder()
    if folder is None:
        return read_parts(path, data)
    entry = folder / f"docx-{hashlib.sha256(data + _READERS.encode()).hexdigest()[:32]}.parts"
    parts = read_kept(entry)
    if isinstance(parts, LayoutParts):
        return parts
    parts = read_parts(path, data)
    if write_kept(entry, parts, limit=KEPT_PARTS_BYTES):
        try:
            keep_newest(folder, KEPT_LAYOUT_PARTS, ".parts")
        except OSError:  # a cache that cannot be tidied only costs room
            pass
    return parts


def read_parts(path: Path, data: bytes) -> LayoutParts:
    """Read a layout .docx: QuizgenError naming it when it is not a Word document."""
    not_word = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError)
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except not_word as exc:
        raise not_a_word_document(path, exc) from None
    document = template.docx
    xml = {DOCUMENT_PART: template.patch_xml(template.get_xml())}
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _, part in template.get_headers_footers(uri):
            xml[str(part.partname).lstrip("/")] = template.patch_xml(template.get_part_xml(part))
    return LayoutParts({s.name: s.style_id for s in document.styles}, text_width(document),
                       {name: re.sub(r"<w:p([ >])", r"\n<w:p\1", part) for name, part in xml.items()})


def zip_entries(path: Path, data: bytes) -> list[tuple[str, bytes]]:
    """The layout's zip entries, by name, in their order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, archive.read(info)) for info in archive.infolist()]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise not_a_word_document(path, exc) from None


def not_a_word_document(path: Path, exc: Exception) -> QuizgenError:
    return QuizgenError.at(path, f"is not a Word document ({type(exc).__name__}: {exc}); expected a .docx saved by "
                           "Word or LibreOffice", field="layout")


def layout_environment() -> jinja2.Environment:
    env = bounded_environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(letter=option_letter, number=format_number)
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
