"""IMS QTI 2.1 content package: one `assessmentItem` per question, one `assessmentTest` per version, and an
`imsmanifest.xml` (IMS Content Packaging 1.1) that lists them with each question's citations as metadata.

Every type has its native interaction: choice (single or multiple response), text entry (every accepted
spelling mapped to full marks), numeric text entry with its tolerance, order, match, and cloze as a text entry
inline where the blank was. Scoring uses the standard response-processing templates (match_correct,
map_response); a numeric answer, which no template compares within a tolerance, has the same rule written out
with `equal` and `toleranceMode`. The explanation and sources are modal feedback shown after an attempt.
Identifiers derive from question ids, so the same set gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..files import write_atomically
from ..model import BLANK, Question, QuestionSet, Version, stable_id
from . import common

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_SCHEMA = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_SCHEMA = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
MD_SCHEMA = "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
MATCH_CORRECT = TEMPLATES + "match_correct"
MAP_RESPONSE = TEMPLATES + "map_response"
FEEDBACK = "EXPLANATION"


def write(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    return qti21_zip(question_set), []


def qti21_zip(question_set: QuestionSet) -> bytes:
    items = [(item_path(q), item_xml(q)) for q in question_set.questions]
    tests = [(test_path(v), test_xml(question_set, v)) for v in question_set.versions]
    return common.zip_archive([("imsmanifest.xml", manifest_xml(question_set)), *items, *tests])


def item_identifier(question: Question) -> str:
    return f"item-{question.id}"  # QTI identifiers may not start with a digit, as question ids may


def item_path(question: Question) -> str:
    return f"items/{item_identifier(question)}.xml"


def test_identifier(version: Version) -> str:
    return "test-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in version.code)


def test_path(version: Version) -> str:
    return f"tests/{test_identifier(version)}.xml"


def document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode("utf-8")


def qti_root(tag: str, **attributes: str) -> ET.Element:
    return ET.Element(tag, {"xmlns": QTI, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{QTI} {QTI_SCHEMA}",
                            **attributes})



# ---- items ---------------------------------------------------------------------------------------


def item_xml(question: Question) -> bytes:
    item = qti_root("assessmentItem", identifier=item_identifier(question),
                    title=common.xml_characters(common.short_title(question.prompt)), adaptive="false", timeDependent="false")
    kind = item_kind(question)
    declare_response(item, question, kind)
    declare_outcomes(item)
    body = ET.Element("itemBody")
    add_interaction(body, question, kind)
    item.append(body)
    add_response_processing(item, question, kind)
    add_feedback(item, question)
    return document(item)


def item_kind(question: Question) -> str:
    """The interaction a question becomes: 'choice', 'choices', 'text', 'cloze', 'numeric', 'order' or 'match'."""
    if question.type in ("multiple-choice", "multiple-response", "true-false"):
        return "choices" if common.takes_several_answers(question) else "choice"
    return {"short-answer": "text", "cloze": "cloze", "numeric": "numeric", "ordering": "order",
            "matching": "match"}[question.type]


def option_identifier(question: Question, option_id: str) -> str:
    return "choice-" + stable_id(question.id, option_id)


def item_identifier_for(question: Question, side: str, text: str) -> str:
    return f"{side}-" + stable_id(question.id, side, text)


def declare_response(item: ET.Element, question: Question, kind: str) -> None:
    cardinality, base_type = {"choice": ("single", "identifier"), "choices": ("multiple", "identifier"),
                              "text": ("single", "string"), "cloze": ("single", "string"),
                              "numeric": ("single", "float"), "order": ("ordered", "identifier"),
                              "match": ("multiple", "directedPair")}[kind]
    declaration = ET.SubElement(item, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality,
                                baseType=base_type)
    correct = ET.SubElement(declaration, "correctResponse")
    for value in correct_values(question, kind):
        ET.SubElement(correct, "value").text = value
    if kind in ("text", "cloze"):
        mapping = ET.SubElement(declaration, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
        for answer in common.accepted_answers(question):
            ET.SubElement(mapping, "mapEntry", mapKey=common.xml_characters(answer), mappedValue="1", caseSensitive="false")


def correct_values(question: Question, kind: str) -> list[str]:
    if kind in ("choice", "choices"):
        return [option_identifier(question, o.id) for o in question.options if o.correct]
    if kind in ("text", "cloze"):
        return [common.xml_characters(question.answer)]
    if kind == "numeric":
        assert question.numeric is not None
        return [common.number_text(question.numeric.value)]
    if kind == "order":
        return [item_identifier_for(question, "item", text) for text in question.sequence]
    return [f"{item_identifier_for(question, 'left', p.left)} {item_identifier_for(question, 'right', p.right)}"
            for p in question.pairs]


def declare_outcomes(item: ET.Element) -> None:
    score = ET.SubElement(item, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    ET.SubElement(ET.SubElement(score, "defaultValue"), "value").text = "0"
    # The templates never set FEEDBACK: defaulting it to the explanation's identifier shows the explanation after
    # every attempt, right or wrong, as the other exports' general feedback does.
    feedback = ET.SubElement(item, "outcomeDeclaration", identifier="FEEDBACK", cardinality="single",
                             baseType="identifier")
    ET.SubElement(ET.SubElement(feedback, "defaultValue"), "value").text = FEEDBACK


def add_interaction(body: ET.Element, question: Question, kind: str) -> None:
    if kind in ("choice", "choices"):
        interaction = ET.SubElement(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                                    maxChoices="1" if kind == "choice" else "0")
        ET.SubElement(interaction, "prompt").text = common.xml_characters(question.prompt)
        for option in question.options:
            ET.SubElement(interaction, "simpleChoice",
                          identifier=option_identifier(question, option.id)).text = common.xml_characters(option.text)
    elif kind == "cloze":
        add_cloze(body, question)
    elif kind in ("text", "numeric"):
        ET.SubElement(body, "p").text = common.xml_characters(question.prompt)
        line = ET.SubElement(body, "p")
        entry = ET.SubElement(line, "textEntryInteraction", responseIdentifier="RESPONSE",
                              expectedLength=str(max(10, max(len(a) for a in common.accepted_answers(question)))))
        unit = question.numeric.unit if kind == "numeric" and question.numeric else ""
        if unit:
            entry.tail = " " + common.xml_characters(unit)
    elif kind == "order":
        interaction = ET.SubElement(body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="false")
        ET.SubElement(interaction, "prompt").text = common.xml_characters(question.prompt)
        for text in question.items:
            ET.SubElement(interaction, "simpleChoice",
                          identifier=item_identifier_for(question, "item", text)).text = common.xml_characters(text)
    else:
        add_match(body, question)


def add_cloze(body: ET.Element, question: Question) -> None:
    """The prompt as one paragraph with the text entry where the blank is (at the end when it has none)."""
    before, _, after = question.prompt.partition(BLANK)
    paragraph = ET.SubElement(body, "p")
    paragraph.text = common.xml_characters(before)
    length = max(len(a) for a in common.accepted_answers(question))
    entry = ET.SubElement(paragraph, "textEntryInteraction", responseIdentifier="RESPONSE",
                          expectedLength=str(max(10, length)))
    entry.tail = common.xml_characters(after.replace(BLANK, "_____"))


def add_match(body: ET.Element, question: Question) -> None:
    interaction = ET.SubElement(body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="false",
                                maxAssociations=str(len(question.pairs)))
    ET.SubElement(interaction, "prompt").text = common.xml_characters(question.prompt)
    lefts = ET.SubElement(interaction, "simpleMatchSet")
    for pair in question.pairs:
        ET.SubElement(lefts, "simpleAssociableChoice", identifier=item_identifier_for(question, "left", pair.left),
                      matchMax="1").text = common.xml_characters(pair.left)
    rights = ET.SubElement(interaction, "simpleMatchSet")
    for text in question.choices:
        ET.SubElement(rights, "simpleAssociableChoice", identifier=item_identifier_for(question, "right", text),
                      matchMax=str(len(question.pairs))).text = common.xml_characters(text)


def add_response_processing(item: ET.Element, question: Question, kind: str) -> None:
    if kind in ("text", "cloze"):
        ET.SubElement(item, "responseProcessing", template=MAP_RESPONSE)
    elif kind == "numeric":
        add_tolerance_processing(item, question)
    else:
        ET.SubElement(item, "responseProcessing", template=MATCH_CORRECT)


def add_tolerance_processing(item: ET.Element, question: Question) -> None:
    """match_correct with the comparison widened to the answer's range: SCORE 1 when the response lies within
    value − low and high − value of the value, else 0."""
    numeric = question.numeric
    assert numeric is not None
    below, above = max(numeric.value - numeric.low, 0.0), max(numeric.high - numeric.value, 0.0)
    processing = ET.SubElement(item, "responseProcessing")
    condition = ET.SubElement(processing, "responseCondition")
    branch = ET.SubElement(condition, "responseIf")
    if below or above:
        equal = ET.SubElement(branch, "equal", toleranceMode="absolute",
                              tolerance=f"{common.number_text(below)} {common.number_text(above)}")
    else:
        equal = ET.SubElement(branch, "equal", toleranceMode="exact")
    ET.SubElement(equal, "correct", identifier="RESPONSE")
    ET.SubElement(equal, "variable", identifier="RESPONSE")
    set_score(branch, "1")
    set_score(ET.SubElement(condition, "responseElse"), "0")


def set_score(parent: ET.Element, value: str) -> None:
    ET.SubElement(ET.SubElement(parent, "setOutcomeValue", identifier="SCORE"), "baseValue",
                  baseType="float").text = value


def add_feedback(item: ET.Element, question: Question) -> None:
    """The explanation and each source with its supporting words, shown after an attempt."""
    feedback = ET.SubElement(item, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier=FEEDBACK,
                             showHide="show", title="Explanation")
    if question.explanation:
        ET.SubElement(feedback, "p").text = common.xml_characters(question.explanation)
    for citation in common.unique_citations(question):
        ET.SubElement(feedback, "p").text = "Source: " + common.xml_characters(common.citation_line(citation))
    if not len(feedback):
        ET.SubElement(feedback, "p").text = common.xml_characters(question.answer)


# ---- tests -----------------------------------------------------------------------------------------


def test_xml(question_set: QuestionSet, version: Version) -> bytes:
    """One version as a test: its questions in its order, SCORE the sum of the items' scores."""
    title = f"{question_set.pack_title} · Version {version.code}"
    test = qti_root("assessmentTest", identifier=test_identifier(version), title=common.xml_characters(title))
    score = ET.SubElement(test, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    ET.SubElement(ET.SubElement(score, "defaultValue"), "value").text = "0"
    part = ET.SubElement(test, "testPart", identifier="part-1", navigationMode="nonlinear",
                         submissionMode="individual")
    section = ET.SubElement(part, "assessmentSection", identifier="section-1", visible="true",
                            title=common.xml_characters(title))
    for question in version.questions:
        ET.SubElement(section, "assessmentItemRef", identifier=item_identifier(question),
                      href=f"../{item_path(question)}")
    processing = ET.SubElement(test, "outcomeProcessing")
    total = ET.SubElement(ET.SubElement(processing, "setOutcomeValue", identifier="SCORE"), "sum")
    ET.SubElement(total, "testVariables", variableIdentifier="SCORE")
    return document(test)


# ---- the manifest ----------------------------------------------------------------------------------


def manifest_xml(question_set: QuestionSet) -> bytes:
    identifier = "manifest-" + stable_id(question_set.pack_id, *(q.id for q in question_set.questions))
    root = ET.Element("manifest", {
        "xmlns": CP, "xmlns:imsmd": MD, "xmlns:xsi": XSI, "identifier": identifier,
        "xsi:schemaLocation": f"{CP} {CP_SCHEMA} {MD} {MD_SCHEMA}"})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    lom = ET.SubElement(metadata, "imsmd:lom")
    general = ET.SubElement(lom, "imsmd:general")
    lang_string(ET.SubElement(general, "imsmd:title"), question_set.pack_title, question_set.language)
    if question_set.licence:
        rights = ET.SubElement(lom, "imsmd:rights")
        lang_string(ET.SubElement(rights, "imsmd:description"), question_set.licence, question_set.language)
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for version in question_set.versions:
        resource = ET.SubElement(resources, "resource", identifier=f"resource-{test_identifier(version)}",
                                 type="imsqti_test_xmlv2p1", href=test_path(version))
        ET.SubElement(resource, "file", href=test_path(version))
        for question in version.questions:
            ET.SubElement(resource, "dependency", identifierref=f"resource-{item_identifier(question)}")
    for question in question_set.questions:
        resource = ET.SubElement(resources, "resource", identifier=f"resource-{item_identifier(question)}",
                                 type="imsqti_item_xmlv2p1", href=item_path(question))
        add_item_metadata(ET.SubElement(resource, "metadata"), question, question_set.language)
        ET.SubElement(resource, "file", href=item_path(question))
    return document(root)


def add_item_metadata(metadata: ET.Element, question: Question, language: str) -> None:
    """IMS metadata (LOM) for one item: its prompt as title, its type and tags as keywords, and each citation
    with the source's own words as a resource it is based on."""
    lom = ET.SubElement(metadata, "imsmd:lom")
    general = ET.SubElement(lom, "imsmd:general")
    lang_string(ET.SubElement(general, "imsmd:title"), common.short_title(question.prompt), language)
    for keyword in (question.type, *question.tags):
        lang_string(ET.SubElement(general, "imsmd:keyword"), keyword, language)
    for citation in common.unique_citations(question):
        relation = ET.SubElement(lom, "imsmd:relation")
        kind = ET.SubElement(relation, "imsmd:kind")
        lang_string(ET.SubElement(kind, "imsmd:source"), "LOMv1.0", "x-none")
        lang_string(ET.SubElement(kind, "imsmd:value"), "IsBasedOn", "x-none")
        resource = ET.SubElement(relation, "imsmd:resource")
        lang_string(ET.SubElement(resource, "imsmd:description"), common.citation_line(citation), language)


def lang_string(parent: ET.Element, text: str, language: str) -> None:
    ET.SubElement(parent, "imsmd:langstring", {"xml:lang": language}).text = common.xml_characters(text)
