"""Moodle XML: a question bank file for Moodle's "Moodle XML format" importer.

Every question type has a native Moodle type: multichoice, truefalse, shortanswer, numerical (with
tolerance and unit), matching, cloze (embedded answers) and ordering (core from Moodle 4.4, a plugin
before). Questions are filed in a category per pack and first tag; general feedback carries the
explanation and the sources. Rich text is HTML escaped once for HTML and once more by the XML writer.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..files import write_atomically
from ..model import BLANK, Question, QuestionSet
from ..text import counted
from . import common

PENALTY = "0.3333333"


def write(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    return moodle_xml(question_set), []


def moodle_xml(question_set: QuestionSet) -> bytes:
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(f" {common.xml_characters(question_set.pack_title)} ({common.xml_characters(question_set.pack_id)}), "
                           f"{counted(len(question_set.questions), 'question')}, seed {question_set.seed} "))
    category: tuple[str, ...] = ()
    for question in question_set.questions:
        wanted = common.category_names(question_set, question)
        if wanted != category:
            quiz.append(category_element(wanted))
            category = wanted
        quiz.append(question_element(question))
    ET.indent(quiz, space="  ")
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode("utf-8")



def category_element(names: tuple[str, ...]) -> ET.Element:
    # Moodle splits category paths on '/', and reads '//' as a slash inside a name; a path
    # without a context prefix is filed under the bank the teacher imports into
    path = "/".join(" ".join(name.split()).replace("/", "//") for name in names)
    element = ET.Element("question", type="category")
    add_text(element, "category", path)
    add_text(element, "info", "", fmt="html")
    return element


def question_element(question: Question) -> ET.Element:
    if question.type == "cloze":
        return cloze_element(question)
    kind = moodle_type(question)
    element = ET.Element("question", type=kind)
    add_headers(element, question, prompt_html(question))
    build = {"multichoice": add_multichoice, "truefalse": add_truefalse, "shortanswer": add_shortanswer,
             "numerical": add_numerical, "matching": add_matching, "ordering": add_ordering}[kind]
    build(element, question)
    add_tags(element, question)
    return element


def moodle_type(question: Question) -> str:
    if question.type == "true-false":
        return "truefalse" if common.has_true_false_options(question) else "multichoice"
    return {"multiple-choice": "multichoice", "multiple-response": "multichoice", "short-answer": "shortanswer", "numeric": "numerical",
            "matching": "matching", "ordering": "ordering"}[question.type]


def add_headers(element: ET.Element, question: Question, text_html: str) -> None:
    add_text(element, "name", common.short_title(question.prompt, 250))
    add_text(element, "questiontext", text_html, fmt="html")
    add_text(element, "generalfeedback", common.feedback_html(question), fmt="html")
    add_value(element, "defaultgrade", "1")
    add_value(element, "penalty", PENALTY)
    add_value(element, "hidden", "0")
    add_value(element, "idnumber", question.id)


def add_multichoice(element: ET.Element, question: Question) -> None:
    several = common.takes_several_answers(question)
    add_value(element, "single", "false" if several else "true")
    add_value(element, "shuffleanswers", "true")
    add_value(element, "answernumbering", "abc")
    add_value(element, "showstandardinstruction", "0")
    add_combined_feedback(element)
    if several:
        fractions = common.several_answer_weights(question)
    else:
        fractions = tuple("100" if option.correct else "0" for option in question.options)
    for option, fraction in zip(question.options, fractions):
        add_answer(element, fraction, common.html_text(option.text), fmt="html")


def add_truefalse(element: ET.Element, question: Question) -> None:
    right = common.correct_option_texts(question)[0].strip().lower()
    for value in ("true", "false"):
        feedback = common.CORRECT_FEEDBACK if value == right else common.INCORRECT_FEEDBACK
        add_answer(element, "100" if value == right else "0", value, fmt="moodle_auto_format", feedback=feedback)


def add_shortanswer(element: ET.Element, question: Question) -> None:
    add_value(element, "usecase", "0")
    for answer in common.accepted_answers(question):
        # short answers are plain text, not HTML; '*' is a wildcard unless escaped
        add_answer(element, "100", answer.replace("*", "\\*"), fmt="moodle_auto_format")


def add_numerical(element: ET.Element, question: Question) -> None:
    numeric = question.numeric
    assert numeric is not None
    middle = (numeric.low + numeric.high) / 2
    exact = abs((numeric.value - numeric.low) - (numeric.high - numeric.value)) < 1e-9
    value = numeric.value if exact else middle
    answer = add_answer(element, "100", common.number_text(value), fmt="moodle_auto_format")
    add_value(answer, "tolerance", common.number_text(numeric.high - value))
    if numeric.unit:
        units = ET.SubElement(element, "units")
        unit = ET.SubElement(units, "unit")
        add_value(unit, "multiplier", "1")
        add_value(unit, "unit_name", "%" if numeric.unit == "percent" else numeric.unit)
    add_value(element, "unitgradingtype", "0")
    add_value(element, "unitpenalty", "0.1000000")
    add_value(element, "showunits", "3")  # the unit is shown, not typed: only the number is graded
    add_value(element, "unitsleft", "0")


def add_matching(element: ET.Element, question: Question) -> None:
    add_value(element, "shuffleanswers", "true")
    add_combined_feedback(element)
    for pair in question.pairs:
        add_subquestion(element, common.html_text(pair.left), pair.right)
    for distractor in common.matching_distractors(question):
        add_subquestion(element, "", distractor)


def add_ordering(element: ET.Element, question: Question) -> None:
    add_value(element, "layouttype", "VERTICAL")
    add_value(element, "selecttype", "ALL")
    add_value(element, "selectcount", str(len(question.sequence)))
    add_value(element, "gradingtype", "ABSOLUTE_POSITION")
    add_value(element, "showgrading", "SHOW")
    add_value(element, "numberingstyle", "none")
    add_combined_feedback(element)
    add_value(element, "shownumcorrect", "1")
    # the answers are listed in the correct order; Moodle shuffles them for each attempt
    for position, item in enumerate(question.sequence, 1):
        add_answer(element, f"{position}.0000000", common.html_text(item), fmt="html", feedback=None)


def cloze_element(question: Question) -> ET.Element:
    element = ET.Element("question", type="cloze")
    add_text(element, "name", common.short_title(question.prompt, 250))
    add_text(element, "questiontext", cloze_html(question), fmt="html")
    add_text(element, "generalfeedback", common.feedback_html(question), fmt="html")
    add_value(element, "penalty", PENALTY)
    add_value(element, "hidden", "0")
    add_value(element, "idnumber", question.id)
    add_tags(element, question)
    return element


def cloze_html(question: Question) -> str:
    """The prompt with `{1:SHORTANSWER:=answer~=alias}` where the blank is."""
    answers = "~".join(f"={cloze_answer(a)}" for a in common.accepted_answers(question))
    embedded = "{1:SHORTANSWER:" + answers + "}"
    before, blank, after = question.prompt.partition(BLANK)
    if not blank:
        return f"<p>{cloze_text(question.prompt)} {embedded}</p>"
    return f"<p>{cloze_text(before)}{embedded}{cloze_text(after)}</p>"


def cloze_text(text: str) -> str:
    # braces outside the answer markers could be read as the start of another embedded answer
    return common.html_text(text).replace("{", "&#123;").replace("}", "&#125;")


# Moodle ends an embedded answer at an unescaped ~ # or }, ignores one right after '&' or '&amp;',
# then decodes HTML entities: numeric entities carry every special character through unharmed.
CLOZE_ANSWER_ENTITIES = {"&": "&#38;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "\\": "&#92;",
                         "~": "&#126;", "#": "&#35;", "{": "&#123;", "}": "&#125;"}


def cloze_answer(answer: str) -> str:
    wildcard_safe = answer.replace("*", "\\*")  # '*' is a wildcard in short answers unless escaped
    return "".join(CLOZE_ANSWER_ENTITIES.get(ch, ch) for ch in common.xml_characters(wildcard_safe))


# what a stem says when it already asks for every right option (the built-in templates end "Tick all that apply.")
ASKS_FOR_EVERY_ANSWER = re.compile(r"\b(all that apply|(tick|select|choose|mark) (all|every)|every (correct|right) "
                                   r"(answer|option))\b", re.IGNORECASE)


def prompt_html(question: Question) -> str:
    """The stem as HTML; one that takes several answers and does not say so gets a hint (Moodle's own
    standard instruction stays off, so the stem never carries two)."""
    prompt = common.html_text(question.prompt)
    if common.takes_several_answers(question) and not ASKS_FOR_EVERY_ANSWER.search(question.prompt):
        prompt += " (Choose every correct answer.)"
    return f"<p>{prompt}</p>"


def add_text(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, format=fmt) if fmt else ET.SubElement(parent, tag)
    ET.SubElement(element, "text").text = common.xml_characters(text)
    return element


def add_value(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = common.xml_characters(value)
    return element


def add_answer(parent: ET.Element, fraction: str, text: str, fmt: str, feedback: str | None = "") -> ET.Element:
    answer = ET.SubElement(parent, "answer", fraction=fraction, format=fmt)
    ET.SubElement(answer, "text").text = common.xml_characters(text)
    if feedback is not None:
        add_text(answer, "feedback", common.html_text(feedback), fmt="html")
    return answer


def add_subquestion(parent: ET.Element, text_html: str, answer: str) -> None:
    sub = ET.SubElement(parent, "subquestion", format="html")
    ET.SubElement(sub, "text").text = common.xml_characters(text_html)
    ET.SubElement(ET.SubElement(sub, "answer"), "text").text = common.xml_characters(answer)


def add_combined_feedback(element: ET.Element) -> None:
    add_text(element, "correctfeedback", common.CORRECT_FEEDBACK, fmt="html")
    add_text(element, "partiallycorrectfeedback", common.PARTLY_CORRECT_FEEDBACK, fmt="html")
    add_text(element, "incorrectfeedback", common.INCORRECT_FEEDBACK, fmt="html")
    if element.get("type") != "ordering":
        ET.SubElement(element, "shownumcorrect")


def add_tags(element: ET.Element, question: Question) -> None:
    if not question.tags:
        return
    tags = ET.SubElement(element, "tags")
    for tag in question.tags:
        add_text(tags, "tag", tag)
