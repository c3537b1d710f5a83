"""QTI 1.2 zip for Canvas: `imsmanifest.xml`, the assessment XML and Canvas's `assessment_meta.xml`.

The layout and item structure follow what text2qti writes and Canvas exports, with Canvas's
`question_type` metadata: multiple choice, true/false and multiple answers; short answer (also for
cloze, whose prompt keeps its blank); numerical; matching. Canvas classic quizzes have no ordering
type, so an ordering question becomes a matching question (item → position). Identifiers derive
from the pack and question ids, so a re-import can replace the same quiz.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..files import write_atomically
from ..model import OPTION_TYPES, Question, QuestionSet, stable_id
from ..text import counted
from . import common

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CANVAS_NAMESPACE = "http://canvas.instructure.com/xsd/cccv1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def write(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    return qti_zip(question_set), []


def qti_zip(question_set: QuestionSet) -> bytes:
    assessment = assessment_id(question_set)
    return common.zip_archive([
        ("imsmanifest.xml", manifest_xml(question_set, assessment)),
        ("non_cc_assessments/", b""),
        (f"{assessment}/assessment_meta.xml", assessment_meta_xml(question_set, assessment)),
        (f"{assessment}/{assessment}.xml", assessment_xml(question_set, assessment)),
    ])


def assessment_id(question_set: QuestionSet) -> str:
    return "quizgen_assessment_" + stable_id(question_set.pack_id, *(q.id for q in question_set.questions))


def document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode("utf-8")


# ---- imsmanifest.xml and assessment_meta.xml -----------------------------------------


def manifest_xml(question_set: QuestionSet, assessment: str) -> bytes:
    dependency = assessment.replace("_assessment_", "_dependency_")
    root = ET.Element("manifest", {
        "identifier": assessment.replace("_assessment_", "_manifest_"),
        "xmlns": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
        "xmlns:imsmd": "http://www.imsglobal.org/xsd/imsmd_v1p2",
    })
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    title = ET.SubElement(ET.SubElement(ET.SubElement(metadata, "imsmd:lom"), "imsmd:general"), "imsmd:title")
    ET.SubElement(title, "imsmd:string").text = common.xml_characters(question_set.pack_title)
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    resource = ET.SubElement(resources, "resource", identifier=assessment, type="imsqti_xmlv1p2")
    ET.SubElement(resource, "file", href=f"{assessment}/{assessment}.xml")
    ET.SubElement(resource, "dependency", identifierref=dependency)
    meta = ET.SubElement(resources, "resource", identifier=dependency,
                         type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                         href=f"{assessment}/assessment_meta.xml")
    ET.SubElement(meta, "file", href=f"{assessment}/assessment_meta.xml")
    return document(root)


def assessment_meta_xml(question_set: QuestionSet, assessment: str) -> bytes:
    root = ET.Element("quiz", {"identifier": assessment, "xmlns": CANVAS_NAMESPACE})
    values = [
        ("title", common.xml_characters(question_set.pack_title)),
        ("description", f"<p>{common.html_text(description(question_set))}</p>"),
        ("shuffle_answers", "false"),
        ("scoring_policy", "keep_highest"),
        ("hide_results", ""),
        ("quiz_type", "assignment"),
        ("points_possible", f"{float(len(question_set.questions)):.1f}"),
        ("show_correct_answers", "true"),
        ("anonymous_submissions", "false"),
        ("allowed_attempts", "1"),
        ("one_question_at_a_time", "false"),
        ("cant_go_back", "false"),
        ("available", "false"),
    ]
    for tag, value in values:
        ET.SubElement(root, tag).text = value
    assignment = ET.SubElement(root, "assignment", identifier=assessment.replace("_assessment_", "_assignment_"))
    points = f"{float(len(question_set.questions)):.1f}"
    for tag, value in (("title", common.xml_characters(question_set.pack_title)), ("workflow_state", "unpublished"),
                       ("quiz_identifierref", assessment), ("points_possible", points),
                       ("grading_type", "points"), ("submission_types", "online_quiz")):
        ET.SubElement(assignment, tag).text = value
    ET.SubElement(root, "assignment_group_identifierref").text = assessment.replace("_assessment_", "_group_")
    return document(root)


def description(question_set: QuestionSet) -> str:
    count = len(question_set.questions)
    return f"{counted(count, 'question')} from “{question_set.pack_title}”." + common.licence_sentence(question_set)


# ---- the assessment ------------------------------------------------------------------


def assessment_xml(question_set: QuestionSet, assessment: str) -> bytes:
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NAMESPACE, "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{QTI_NAMESPACE} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    test = ET.SubElement(root, "assessment", ident=assessment, title=common.xml_characters(question_set.pack_title))
    add_metadata(ET.SubElement(test, "qtimetadata"), [("cc_maxattempts", "1")])
    section = ET.SubElement(test, "section", ident="root_section")
    for question in question_set.questions:
        section.append(item_element(question))
    return document(root)


def item_element(question: Question) -> ET.Element:
    item = ET.Element("item", ident=f"quizgen_question_{question.id}",
                      title=common.xml_characters(common.short_title(question.prompt)))
    kind = canvas_type(question)
    if kind in ("multiple_choice_question", "true_false_question", "multiple_answers_question"):
        choice_item(item, question, kind)
    elif kind == "short_answer_question":
        short_answer_item(item, question)
    elif kind == "numerical_question":
        numerical_item(item, question)
    else:
        matching_item(item, question)
    add_general_feedback(item, question)
    return item


def canvas_type(question: Question) -> str:
    if question.type in OPTION_TYPES:
        if common.takes_several_answers(question):
            return "multiple_answers_question"
        return "true_false_question" if question.type == "true-false" else "multiple_choice_question"
    return {"cloze": "short_answer_question", "short-answer": "short_answer_question",
            "numeric": "numerical_question", "matching": "matching_question",
            "ordering": "matching_question"}[question.type]


def choice_item(item: ET.Element, question: Question, kind: str) -> None:
    idents = [choice_ident(question, o.id) for o in question.options]
    add_item_metadata(item, question, kind, ",".join(idents))
    presentation = add_presentation(item, prompt_html(question))
    cardinality = "Multiple" if kind == "multiple_answers_question" else "Single"
    response = ET.SubElement(presentation, "response_lid", ident="response1", rcardinality=cardinality)
    choices = ET.SubElement(response, "render_choice")
    for ident, option in zip(idents, question.options):
        label = ET.SubElement(choices, "response_label", ident=ident)
        add_material(label, f"<p>{common.html_text(option.text)}</p>")
    processing = add_resprocessing(item)
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    test = ET.SubElement(condition, "conditionvar")
    if kind == "multiple_answers_question":
        every = ET.SubElement(test, "and")
        for ident, option in zip(idents, question.options):
            parent = every if option.correct else ET.SubElement(every, "not")
            ET.SubElement(parent, "varequal", respident="response1").text = ident
    else:
        correct = next(i for i, o in zip(idents, question.options) if o.correct)
        ET.SubElement(test, "varequal", respident="response1").text = correct
    ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"


def short_answer_item(item: ET.Element, question: Question) -> None:
    answers = common.accepted_answers(question)
    add_item_metadata(item, question, "short_answer_question",
                      ",".join(choice_ident(question, answer) for answer in answers))
    presentation = add_presentation(item, prompt_html(question))
    response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
    ET.SubElement(ET.SubElement(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    processing = add_resprocessing(item)
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    test = ET.SubElement(condition, "conditionvar")
    for answer in answers:
        ET.SubElement(test, "varequal", respident="response1").text = common.xml_characters(answer)
    ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"


def numerical_item(item: ET.Element, question: Question) -> None:
    numeric = question.numeric
    assert numeric is not None
    add_item_metadata(item, question, "numerical_question", f"quizgen_numerical_{question.id}")
    presentation = add_presentation(item, prompt_html(question))
    response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
    ET.SubElement(ET.SubElement(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
    processing = add_resprocessing(item)
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    test = ET.SubElement(condition, "conditionvar")
    symmetric = abs((numeric.value - numeric.low) - (numeric.high - numeric.value)) < 1e-9
    if symmetric:
        either = ET.SubElement(test, "or")
        ET.SubElement(either, "varequal", respident="response1").text = common.number_text(numeric.value)
        test = ET.SubElement(either, "and")
    ET.SubElement(test, "vargte", respident="response1").text = common.number_text(numeric.low)
    ET.SubElement(test, "varlte", respident="response1").text = common.number_text(numeric.high)
    ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"


def matching_item(item: ET.Element, question: Question) -> None:
    if question.type == "ordering":
        pairs, choices = common.ordering_pairs(question), common.ordering_positions(question)
        prompt = f"{question.prompt} {common.ORDERING_AS_MATCHING_NOTE}"
    else:
        pairs, choices = question.pairs, question.choices
        prompt = question.prompt
    responses = [f"response_{stable_id(question.id, 'left', str(n), pair.left)}" for n, pair in enumerate(pairs)]
    choice_idents = {text: choice_ident(question, "right", text) for text in choices}
    add_item_metadata(item, question, "matching_question", ",".join(r.removeprefix("response_") for r in responses))
    presentation = add_presentation(item, f"<p>{common.html_text(prompt)}</p>")
    for response_ident, pair in zip(responses, pairs):
        response = ET.SubElement(presentation, "response_lid", ident=response_ident)
        add_material(response, common.xml_characters(pair.left), texttype="text/plain")
        render = ET.SubElement(response, "render_choice")
        for text, ident in choice_idents.items():
            add_material(ET.SubElement(render, "response_label", ident=ident), common.xml_characters(text), texttype=None)
    processing = add_resprocessing(item)
    share = f"{100 / len(pairs):.2f}"
    for response_ident, pair in zip(responses, pairs):
        condition = ET.SubElement(processing, "respcondition")
        test = ET.SubElement(condition, "conditionvar")
        ET.SubElement(test, "varequal", respident=response_ident).text = choice_idents[pair.right]
        ET.SubElement(condition, "setvar", varname="SCORE", action="Add").text = share


# ---- shared item parts ---------------------------------------------------------------


def choice_ident(question: Question, *parts: str) -> str:
    return "quizgen_choice_" + stable_id(question.id, *parts)


def add_item_metadata(item: ET.Element, question: Question, kind: str, answer_ids: str) -> None:
    metadata = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    add_metadata(metadata, [
        ("question_type", kind),
        ("points_possible", "1"),
        ("original_answer_ids", answer_ids),
        ("assessment_question_identifierref", f"quizgen_question_ref_{question.id}"),
    ])


def add_metadata(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    for label, entry in fields:
        field = ET.SubElement(parent, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def add_presentation(item: ET.Element, text_html: str) -> ET.Element:
    presentation = ET.SubElement(item, "presentation")
    add_material(presentation, text_html)
    return presentation


def add_material(parent: ET.Element, text: str, texttype: str | None = "text/html") -> None:
    material = ET.SubElement(parent, "material")
    mattext = ET.SubElement(material, "mattext", texttype=texttype) if texttype else ET.SubElement(material, "mattext")
    mattext.text = text


def add_resprocessing(item: ET.Element) -> ET.Element:
    processing = ET.SubElement(item, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar",
                  maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    return processing


def add_general_feedback(item: ET.Element, question: Question) -> None:
    """Shown after any answer: the explanation and the sources (Canvas's 'general' comments)."""
    processing = item.find("resprocessing")
    assert processing is not None
    condition = ET.Element("respcondition", {"continue": "Yes"})
    ET.SubElement(ET.SubElement(condition, "conditionvar"), "other")
    ET.SubElement(condition, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    processing.insert(1, condition)  # right after <outcomes>, as Canvas and text2qti place it
    feedback = ET.SubElement(item, "itemfeedback", ident="general_fb")
    add_material(ET.SubElement(feedback, "flow_mat"), common.feedback_html(question))


def prompt_html(question: Question) -> str:
    return f"<p>{common.html_text(question.prompt)}</p>"

