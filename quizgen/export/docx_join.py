"""Several Word documents joined into one, each in its own section with its numbering, styles, headers and
footers carried over, and .docx bytes that depend only on the content."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart
from docx.parts.numbering import NumberingPart

from . import common
from .docx_layout import FIXED_TIME, W, insert_in_order


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
