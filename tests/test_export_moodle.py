"""Moodle XML export, parsed back and checked against the structure of Moodle's XML question format.

The expected elements per question type are those Moodle's own qformat_xml writes and reads
(docs.moodle.org "Moodle XML format"); cloze text is parsed with a port of the regular expressions
Moodle's multianswer question type uses to find embedded answers.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from helpers import DEFAULT_PACK, make_sample_set

from quizgen.load.pack import load_pack
from quizgen.export import moodle
from quizgen.model import Option, Pair, QuestionSet

COMMON = ["name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber"]
COMBINED_FEEDBACK = ["correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"]
# the child elements Moodle's exporter writes for each type, in order ('answer'/'subquestion' repeat)
STRUCTURE = {
    "multichoice": COMMON + ["single", "shuffleanswers", "answernumbering", "showstandardinstruction",
                             *COMBINED_FEEDBACK, "shownumcorrect", "answer+", "tags?"],
    "truefalse": COMMON + ["answer+", "tags?"],
    "shortanswer": COMMON + ["usecase", "answer+", "tags?"],
    "numerical": COMMON + ["answer+", "units?", "unitgradingtype", "unitpenalty", "showunits", "unitsleft", "tags?"],
    "matching": COMMON + ["shuffleanswers", *COMBINED_FEEDBACK, "shownumcorrect", "subquestion+", "tags?"],
    "ordering": COMMON + ["layouttype", "selecttype", "selectcount", "gradingtype", "showgrading", "numberingstyle",
                          *COMBINED_FEEDBACK, "shownumcorrect", "answer+", "tags?"],
    "cloze": ["name", "questiontext", "generalfeedback", "penalty", "hidden", "idnumber", "tags?"],
    "category": ["category", "info"],
}

# Moodle's question/type/multianswer/questiontype.php, ported (PHP PCRE and Python re agree on these)
ANSWER_ALTERNATIVE_REGEX = (r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?"
                            r"(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))"
                            r"(#(.*?(?<!\\)(?=[~}]|$)))?")
ANSWER_REGEX = (r"\{([0-9]*):(NUMERICAL|NM|MULTICHOICE|MC|SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC):"
                r"(" + ANSWER_ALTERNATIVE_REGEX + r"(~" + ANSWER_ALTERNATIVE_REGEX + r")*)\}")


def moodle_cloze_answers(text: str) -> list[list[tuple[str, str]]]:
    """Each embedded answer's alternatives as (fraction marker, answer), the way Moodle extracts them."""
    found = []
    while match := re.search(ANSWER_REGEX, text, re.S):
        alternatives, remaining = [], match.group(3)
        while alt := re.match("~?" + ANSWER_ALTERNATIVE_REGEX, remaining, re.S):
            answer = html.unescape(alt.group(3)).replace("\\}", "}").replace("\\#", "#")
            alternatives.append((alt.group(1) or "", answer))
            remaining = remaining[alt.end():]
            if not remaining:
                break
        found.append(alternatives)
        text = text[:match.start()] + "{#" + str(len(found)) + "}" + text[match.end():]
    return found


def child_tags_match(question: ET.Element, pattern: list[str]) -> bool:
    tags = [child.tag for child in question]
    position = 0
    for expected in pattern:
        name, repeat = expected.rstrip("+?"), expected[-1] if expected[-1] in "+?" else ""
        count = 0
        while position < len(tags) and tags[position] == name:
            position += 1
            count += 1
        if (repeat == "" and count != 1) or (repeat == "+" and count < 1) or (repeat == "?" and count > 1):
            return False
    return position == len(tags)


def text_of(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, path
    return (found.text or "").strip()


def html_of(element: ET.Element, path: str) -> str:
    """An HTML text field as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", text_of(element, path))).strip()


@pytest.fixture(scope="module")
def parsed() -> tuple[QuestionSet, ET.Element]:
    question_set = make_sample_set()
    return question_set, ET.fromstring(moodle.moodle_xml(question_set))


def questions_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {q.findtext("idnumber"): q for q in root.findall("question") if q.get("type") != "category"}


def test_file_is_well_formed_utf8_with_a_quiz_root(tmp_path):
    path = tmp_path / "moodle.xml"
    assert moodle.write(make_sample_set(), path) == []
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    root = ET.parse(path).getroot()
    assert root.tag == "quiz"


def test_every_question_has_the_structure_moodle_writes_for_its_type(parsed):
    _, root = parsed
    for question in root.findall("question"):
        kind = question.get("type")
        assert kind in STRUCTURE, kind
        assert child_tags_match(question, STRUCTURE[kind]), (kind, [c.tag for c in question])
        for field in question.iter():
            if field.tag in ("questiontext", "generalfeedback", "correctfeedback", "feedback", "subquestion"):
                assert field.get("format") == "html" and field.find("text") is not None


def test_types_and_ids_follow_the_question_set(parsed):
    question_set, root = parsed
    kinds = [q.get("type") for q in root.findall("question") if q.get("type") != "category"]
    assert kinds == ["multichoice", "truefalse", "cloze", "shortanswer", "matching", "ordering", "numerical"]
    assert list(questions_by_id(root)) == [q.id for q in question_set.questions]


def test_multichoice_answers_and_fractions(parsed):
    question_set, root = parsed
    element = questions_by_id(root)["q-mc"]
    answers = [(html_of(a, "text"), float(a.get("fraction")) / 100) for a in element.findall("answer")]
    assert answers == [(o.text, 1.0 if o.correct else 0.0) for o in question_set.questions[0].options]
    assert text_of(element, "single") == "true"
    assert html_of(element, "questiontext/text") == question_set.questions[0].prompt


def test_truefalse_marks_the_right_answer(parsed):
    _, root = parsed
    element = questions_by_id(root)["q-tf"]
    assert {text_of(a, "text"): a.get("fraction") for a in element.findall("answer")} == {"true": "100", "false": "0"}


def test_shortanswer_lists_every_accepted_spelling_as_plain_text(parsed):
    _, root = parsed
    element = questions_by_id(root)["q-short"]
    assert [text_of(a, "text") for a in element.findall("answer")] == ["Deir ez-Zor", "Deir al-Zor", "Deir Ezzor"]
    assert {a.get("fraction") for a in element.findall("answer")} == {"100"}
    assert html_of(element, "questiontext/text") == \
        "Which city is called دير الزور in Arabic? (use “quotes” & 'apostrophes')"


def test_numerical_has_value_tolerance_and_unit(parsed):
    _, root = parsed
    element = questions_by_id(root)["q-num"]
    answer = element.find("answer")
    assert (text_of(answer, "text"), text_of(answer, "tolerance")) == ("1230", "123")
    assert text_of(element, "units/unit/unit_name") == "km"
    assert text_of(element, "units/unit/multiplier") == "1"


def test_asymmetric_numeric_range_becomes_midpoint_and_half_width():
    base = make_sample_set(versions=1)
    numeric = dataclasses.replace(base.questions[6].numeric, value=10, low=10, high=20)
    question = dataclasses.replace(base.questions[6], numeric=numeric)
    root = ET.fromstring(moodle.moodle_xml(dataclasses.replace(base, questions=(question,), versions=())))
    answer = root.find("question[@type='numerical']/answer")
    assert (text_of(answer, "text"), text_of(answer, "tolerance")) == ("15", "5")


def test_matching_pairs_and_distractors(parsed):
    base = make_sample_set(versions=1)
    with_spare = dataclasses.replace(base.questions[4], choices=("Germany", "Switzerland", "Austria"))
    root = ET.fromstring(moodle.moodle_xml(dataclasses.replace(base, questions=(with_spare,), versions=())))
    subquestions = [(html_of(s, "text"), text_of(s, "answer/text"))
                    for s in root.findall("question[@type='matching']/subquestion")]
    assert subquestions == [("Rhine", "Switzerland"), ("Danube", "Germany"), ("", "Austria")]


def test_ordering_lists_items_in_the_correct_order(parsed):
    _, root = parsed
    element = questions_by_id(root)["q-order"]
    assert [(html_of(a, "text"), a.get("fraction")) for a in element.findall("answer")] == \
        [("First", "1.0000000"), ("Second", "2.0000000"), ("Third", "3.0000000")]
    assert text_of(element, "selecttype") == "ALL" and text_of(element, "selectcount") == "3"


def test_cloze_embeds_a_shortanswer_that_moodle_can_extract(parsed):
    _, root = parsed
    element = questions_by_id(root)["q-cloze"]
    text = text_of(element, "questiontext/text")
    assert moodle_cloze_answers(text) == [[("=", "Danube"), ("=", "Donau")]]
    assert html_of(element, "questiontext/text").startswith("The {1:SHORTANSWER:")


def test_cloze_answers_with_moodle_specials_survive_extraction():
    base = make_sample_set(versions=1)
    answers = ("A & B", "x~y", "#1", "{braces}", "back\\slash", "<tag>", "ends with &", "it's \"so\"")
    question = dataclasses.replace(base.questions[2], answer=answers[0], accepted=answers[1:],
                                   prompt="Text {1:SA:=trap} with _____ inside.")
    root = ET.fromstring(moodle.moodle_xml(dataclasses.replace(base, questions=(question,), versions=())))
    text = text_of(root.find("question[@type='cloze']"), "questiontext/text")
    # exactly one embedded answer: the braces in the prompt are not read as a second one
    assert moodle_cloze_answers(text) == [[("=", a) for a in answers]]


def test_categories_per_pack_and_first_tag(parsed):
    _, root = parsed
    paths = [text_of(q, "category/text") for q in root.findall("question[@type='category']")]
    assert paths == ["Rivers & Lakes of Europe/rivers", "Rivers & Lakes of Europe"]
    first = root.find("question")
    assert first.get("type") == "category"


def test_tags_and_feedback_with_sources(parsed):
    _, root = parsed
    element = questions_by_id(root)["q-mc"]
    assert [text_of(t, "text") for t in element.findall("tags/tag")] == ["rivers"]
    feedback = text_of(element, "generalfeedback/text")
    assert '<a href="https://example.org/notes?a=1&amp;b=2">' in feedback
    assert html_of(element, "generalfeedback/text").startswith("The Danube rises in the Black Forest.")
    assert "Notes on rivers & lakes" in html_of(element, "generalfeedback/text")
    assert text_of(element, "correctfeedback/text") == "Correct."
    assert text_of(element, "incorrectfeedback/text") == "Not quite."


def test_names_with_apostrophes_ampersands_arabic_and_control_characters():
    base = make_sample_set(versions=1)
    nasty = "O'Brien & <Sons> \"quoted\" ]]> دير الزور\x01\x0b"
    question = dataclasses.replace(base.questions[0], prompt=nasty, options=(
        Option("a", nasty, True), Option("b", "B", False)))
    question_set = dataclasses.replace(base, pack_title="Pack/with 'quote' & slash", questions=(question,),
                                       versions=())
    root = ET.fromstring(moodle.moodle_xml(question_set))
    element = root.find("question[@type='multichoice']")
    readable = "O'Brien & <Sons> \"quoted\" ]]> دير الزور"
    assert text_of(element, "name/text") == readable
    assert html_of(element, "questiontext/text") == readable
    assert html_of(element, "answer/text") == readable
    # a slash inside a category name is doubled, as Moodle's category paths require
    assert text_of(root, "question[@type='category']/category/text") == "Pack//with 'quote' & slash/rivers"


def test_several_correct_options_make_a_multiple_response_question():
    base = make_sample_set(versions=1)
    multi = dataclasses.replace(base.questions[0], options=(
        Option("a", "A", True), Option("b", "B", False), Option("c", "C", True)))
    root = ET.fromstring(moodle.moodle_xml(dataclasses.replace(base, questions=(multi,), versions=())))
    element = root.find("question[@type='multichoice']")
    assert text_of(element, "single") == "false"
    assert [a.get("fraction") for a in element.findall("answer")] == ["50", "-100", "50"]


def test_matching_with_html_characters_keeps_them_visible():
    base = make_sample_set(versions=1)
    question = dataclasses.replace(base.questions[4], pairs=(Pair("<i>x</i> & y", "a < b"), Pair("z", "c")),
                                   choices=("a < b", "c"))
    root = ET.fromstring(moodle.moodle_xml(dataclasses.replace(base, questions=(question,), versions=())))
    first = root.find("question[@type='matching']/subquestion")
    assert text_of(first, "text") == "&lt;i&gt;x&lt;/i&gt; &amp; y"  # HTML text: shown as written
    assert text_of(first, "answer/text") == "a < b"  # plain text answer


def test_same_set_gives_identical_bytes():
    assert moodle.moodle_xml(make_sample_set()) == moodle.moodle_xml(make_sample_set())


def test_a_multiple_response_question_is_a_multichoice_with_several_answers_even_with_one_right():
    base = make_sample_set(versions=1)
    several = dataclasses.replace(base.questions[0], type="multiple-response", options=(
        Option("a", "A", True), Option("b", "B", False), Option("c", "C", True)))
    one_right = dataclasses.replace(several, id="one", options=(Option("a", "A", True), Option("b", "B", False)))
    root = ET.fromstring(moodle.moodle_xml(dataclasses.replace(base, questions=(several, one_right), versions=())))
    first, second = root.findall("question[@type='multichoice']")
    assert text_of(first, "single") == text_of(second, "single") == "false"  # check boxes, not radio buttons
    assert [a.get("fraction") for a in first.findall("answer")] == ["50", "-100", "50"]
    assert [a.get("fraction") for a in second.findall("answer")] == ["100", "-100"]
    assert "(Choose every correct answer.)" in html_of(first, "questiontext/text")


# The grades Moodle offers (question_bank::fraction_options), as it stores them (7 decimals). Its importer matches
# each imported fraction to one of them, or its negative, within 0.00001 (match_grade_options) and refuses the rest.
MOODLE_GRADE_OPTIONS = tuple(Decimal(g) for g in (
    "1", "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4", "0.3333333", "0.3", "0.25", "0.2",
    "0.1666667", "0.1428571", "0.125", "0.1111111", "0.1", "0.05"))


def moodle_imported_fraction(percent: str) -> Decimal:
    fraction = Decimal(percent) / 100
    found = [sign * g for g in MOODLE_GRADE_OPTIONS for sign in (1, -1)
             if abs(fraction - sign * g) < Decimal("0.00001")]
    assert fraction == 0 or found, f"Moodle refuses the fraction {percent}"
    return found[0] if found else Decimal(0)


def moodle_multi_score(fractions: list[Decimal], ticked: tuple[bool, ...]) -> Decimal:
    """qtype_multichoice_multi_question::grade_response: the ticked fractions added, kept between 0 and 1."""
    return min(max(Decimal(0), sum((f for f, t in zip(fractions, ticked) if t), Decimal(0))), Decimal(1))


def multiple_response_items() -> list:
    """Every multiple-response item of the default pack and of the packs written for the tests."""
    from helpers import ROOT

    from quizgen.generate import question_pool

    folders = [DEFAULT_PACK, *sorted((ROOT / "tests" / "packs").iterdir())]
    return [q for folder in folders for q in question_pool(load_pack(folder)).questions
            if q.type == "multiple-response"]


def test_ticking_every_box_of_a_multiple_response_item_of_every_pack_scores_nothing_in_moodle():
    several = multiple_response_items()
    assert len(several) >= 5 and {len(q.options) - len(q.correct_options) for q in several} >= {2, 3}
    question_set = QuestionSet(pack_id="p", pack_title="P", language="en", seed=1, questions=tuple(several),
                               versions=())
    exported = questions_by_id(ET.fromstring(moodle.moodle_xml(question_set)))
    for question in several:
        element = exported[question.id]
        assert text_of(element, "single") == "false"
        answers = element.findall("answer")
        fractions = [moodle_imported_fraction(a.get("fraction")) for a in answers]
        right = tuple(html_of(a, "text") in {o.text for o in question.correct_options} for a in answers)
        assert sum(right) == len(question.correct_options)
        assert moodle_multi_score(fractions, (True,) * len(answers)) == 0, (question.prompt, fractions)
        assert sum(f for f, r in zip(fractions, right) if not r) <= -1
        assert moodle_multi_score(fractions, right) >= Decimal("0.9999999")  # the right ones: full marks
        # no other choice of boxes scores more than ticking exactly the right ones
        for ticked in itertools.product((False, True), repeat=len(answers)):
            assert moodle_multi_score(fractions, ticked) <= moodle_multi_score(fractions, right)


def test_a_multiple_response_stem_asks_for_every_answer_once():
    from quizgen.generate import question_pool

    several = [q for q in question_pool(load_pack(DEFAULT_PACK)).questions if q.type == "multiple-response"]
    base = make_sample_set(versions=1)
    unhinted = dataclasses.replace(base.questions[0], type="multiple-response", options=(
        Option("a", "A", True), Option("b", "B", False), Option("c", "C", True)))
    question_set = dataclasses.replace(base, questions=(*several, unhinted), versions=())
    exported = questions_by_id(ET.fromstring(moodle.moodle_xml(question_set)))
    hint = re.compile(r"all that apply|choose every correct answer", re.IGNORECASE)
    for question in (*several, unhinted):
        stem = html_of(exported[question.id], "questiontext/text")
        assert len(hint.findall(stem)) == 1, stem
    assert html_of(exported[several[0].id], "questiontext/text").endswith("Tick all that apply.")
    assert html_of(exported[unhinted.id], "questiontext/text") == f"{unhinted.prompt} (Choose every correct answer.)"
