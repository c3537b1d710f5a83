"""QTI 2.1 content package: every item and test valid against IMS's QTI 2.1 schema, the manifest against IMS CP
1.1, and each item scored right and wrong by a small evaluator of the standard response-processing templates."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import MINIMAL_PACK, make_sample_set, science_pack_files, write_pack
from lxml import etree

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.export import qti21
from quizgen.generate import question_pool

SCHEMAS = Path(__file__).parent / "schemas"
Q = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
MD = "{http://www.imsglobal.org/xsd/imsmd_v1p2}"


@pytest.fixture(scope="module")
def qti_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "qtiv2p1" / "imsqti_v2p1.xsd")))


@pytest.fixture(scope="module")
def cp_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "imscp_v1p1.xsd")))


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def assert_valid(data: bytes, qti_schema: etree.XMLSchema, cp_schema: etree.XMLSchema) -> dict[str, etree._Element]:
    parsed = {}
    for name, xml in entries(data).items():
        document = etree.fromstring(xml)
        schema = cp_schema if name == "imsmanifest.xml" else qti_schema
        assert schema.validate(document), f"{name}: {schema.error_log}"
        parsed[name] = document
    return parsed


# ---- a small evaluator of QTI 2.1 response processing ------------------------------------------------


def score(item: etree._Element, response: str | list[str] | None) -> float:
    """SCORE after response processing of `item` with RESPONSE = `response`, as a delivery engine computes it:
    the standard templates by their URI, else the item's own rules (responseCondition with equal/match)."""
    declaration = item.find(f"{Q}responseDeclaration")
    correct = [v.text for v in declaration.findall(f"{Q}correctResponse/{Q}value")]
    cardinality = declaration.get("cardinality")
    processing = item.find(f"{Q}responseProcessing")
    template = processing.get("template", "")
    if template.endswith("/match_correct"):
        return 1.0 if matches(response, correct, cardinality) else 0.0
    if template.endswith("/map_response"):
        return map_response(declaration.find(f"{Q}mapping"), response)
    assert not template, template
    values = {"SCORE": 0.0}
    for condition in processing.findall(f"{Q}responseCondition"):
        branches = list(condition)
        for branch in branches:
            if branch.tag == f"{Q}responseElse" or truth(branch[0], response, correct, declaration):
                for setter in branch.findall(f"{Q}setOutcomeValue"):
                    values[setter.get("identifier")] = float(setter[0].text)
                break
    return values["SCORE"]


def matches(response, correct: list[str], cardinality: str) -> bool:
    if response is None:
        return False
    if cardinality == "single":
        return response == correct[0]
    if cardinality == "ordered":
        return list(response) == correct
    return sorted(response) == sorted(correct)  # multiple: a bag


def map_response(mapping: etree._Element, response: str | None) -> float:
    default = float(mapping.get("defaultValue", "0"))
    total = default
    if response is not None:
        for entry in mapping.findall(f"{Q}mapEntry"):
            sensitive = entry.get("caseSensitive", "true") == "true"
            key = entry.get("mapKey")
            if (response == key) if sensitive else (response.lower() == key.lower()):
                total = float(entry.get("mappedValue"))
                break
    lower, upper = mapping.get("lowerBound"), mapping.get("upperBound")
    if lower is not None:
        total = max(total, float(lower))
    if upper is not None:
        total = min(total, float(upper))
    return total


def truth(expression: etree._Element, response, correct: list[str], declaration) -> bool:
    assert expression.tag == f"{Q}equal", expression.tag
    left, right = (operand_value(e, response, correct) for e in expression)
    if left is None or right is None:
        return False
    mode = expression.get("toleranceMode", "exact")
    if mode == "exact":
        return left == right
    t0, t1 = (list(map(float, expression.get("tolerance").split())) * 2)[:2]
    assert mode == "absolute"
    return left - t0 <= right <= left + t1  # the second value within the first's range (QTI 2.1, equal)


def operand_value(element: etree._Element, response, correct: list[str]) -> float | None:
    if element.tag == f"{Q}correct":
        return float(correct[0])
    assert element.tag == f"{Q}variable"
    try:
        return float(response)
    except (TypeError, ValueError):
        return None


# ---- the tests ------------------------------------------------------------------------------------------


def items_by_question(data: bytes) -> dict[str, etree._Element]:
    return {name.removeprefix("items/item-").removesuffix(".xml"): etree.fromstring(xml)
            for name, xml in entries(data).items() if name.startswith("items/")}


def identifier_of(item: etree._Element, tag: str, text: str) -> str:
    return next(c.get("identifier") for c in item.iter(f"{Q}{tag}") if c.text == text)


def test_every_file_validates_against_the_ims_schemas(qti_schema, cp_schema):
    data = qti21.qti21_zip(make_sample_set())
    parsed = assert_valid(data, qti_schema, cp_schema)
    assert sorted(parsed) == ["imsmanifest.xml", *sorted(f"items/item-{q.id}.xml" for q in make_sample_set().questions),
                              "tests/test-A.xml", "tests/test-B.xml"]


def test_a_test_per_version_lists_its_questions_in_its_order():
    question_set = make_sample_set()
    found = entries(qti21.qti21_zip(question_set))
    for version in question_set.versions:
        test = etree.fromstring(found[f"tests/test-{version.code}.xml"])
        refs = [r.get("href") for r in test.iter(f"{Q}assessmentItemRef")]
        assert refs == [f"../items/item-{q.id}.xml" for q in version.questions]
        assert f"Version {version.code}" in test.get("title")
    manifest = etree.fromstring(found["imsmanifest.xml"])
    kinds = sorted(r.get("type") for r in manifest.iter(f"{CP}resource"))
    assert kinds == ["imsqti_item_xmlv2p1"] * 7 + ["imsqti_test_xmlv2p1"] * 2


RIGHT_AND_WRONG = {
    "q-mc": ("choice", "Danube", "Rhine"),
    "q-tf": ("choice", "True", "False"),
    "q-cloze": ("text", "donau", "Rhine"),
    "q-short": ("text", "deir al-zor", "Damascus"),
    "q-num": ("number", "1300", "1400"),
    "q-order": ("order", ["First", "Second", "Third"], ["Second", "First", "Third"]),
    "q-match": ("match", {"Rhine": "Switzerland", "Danube": "Germany"},
                {"Rhine": "Germany", "Danube": "Switzerland"}),
}


def response_for(item: etree._Element, kind: str, answer):
    if kind == "choice":
        return identifier_of(item, "simpleChoice", answer)
    if kind == "order":
        return [identifier_of(item, "simpleChoice", text) for text in answer]
    if kind == "match":
        return [f"{identifier_of(item, 'simpleAssociableChoice', left)} "
                f"{identifier_of(item, 'simpleAssociableChoice', right)}" for left, right in answer.items()]
    return answer


@pytest.mark.parametrize("question_id", sorted(RIGHT_AND_WRONG))
def test_each_type_scores_a_right_response_1_and_a_wrong_one_0(question_id):
    item = items_by_question(qti21.qti21_zip(make_sample_set()))[question_id]
    kind, right, wrong = RIGHT_AND_WRONG[question_id]
    assert score(item, response_for(item, kind, right)) == 1.0
    assert score(item, response_for(item, kind, wrong)) == 0.0
    assert score(item, None) == 0.0


def test_multiple_response_needs_exactly_the_right_set():
    question_set = make_sample_set()
    several = question_set.questions[0].__class__(**{**question_set.questions[0].__dict__, "id": "q-mr",
                                                     "type": "multiple-response"})
    several = several.__class__(**{**several.__dict__, "options": tuple(
        o.__class__(o.id, o.text, o.text in ("Danube", "Rhine")) for o in several.options)})
    item = etree.fromstring(qti21.item_xml(several))
    assert item.find(f"{Q}itemBody/{Q}choiceInteraction").get("maxChoices") == "0"
    both = [identifier_of(item, "simpleChoice", t) for t in ("Rhine", "Danube")]
    assert score(item, both) == 1.0
    assert score(item, both[:1]) == 0.0
    assert score(item, both + [identifier_of(item, "simpleChoice", "Elbe & Oder")]) == 0.0


def test_numeric_tolerance_is_the_answers_range():
    item = items_by_question(qti21.qti21_zip(make_sample_set()))["q-num"]  # 1230, accepted 1107 to 1353
    assert [score(item, v) for v in ("1107", "1353", "1106.9", "1353.1", "many")] == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert item.find(f".//{Q}textEntryInteraction").tail.strip() == "km"


def test_text_entry_maps_every_accepted_answer_case_insensitively():
    item = items_by_question(qti21.qti21_zip(make_sample_set()))["q-short"]
    keys = [e.get("mapKey") for e in item.iter(f"{Q}mapEntry")]
    assert keys == ["Deir ez-Zor", "Deir al-Zor", "Deir Ezzor"]
    assert all(score(item, k.upper()) == 1.0 for k in keys)


def test_cloze_puts_the_text_entry_where_the_blank_was():
    item = items_by_question(qti21.qti21_zip(make_sample_set()))["q-cloze"]
    paragraph = item.find(f"{Q}itemBody/{Q}p")
    entry = paragraph.find(f"{Q}textEntryInteraction")
    assert (paragraph.text, entry.tail) == ("The ", " rises in the Black Forest.")


def test_explanation_is_modal_feedback_and_citations_are_metadata():
    question_set = make_sample_set()
    found = entries(qti21.qti21_zip(question_set))
    item = etree.fromstring(found["items/item-q-short.xml"])
    feedback = item.find(f"{Q}modalFeedback")
    default = item.find(f"{Q}outcomeDeclaration[@identifier='FEEDBACK']/{Q}defaultValue/{Q}value").text
    assert feedback.get("identifier") == default and feedback.get("showHide") == "show"
    texts = [p.text for p in feedback]
    assert texts[0] == "Transliterations vary: a = b ~ c # d: e."
    assert texts[1].startswith("Source: Test Press, “Notes on rivers & lakes”: “about 1,230 km long”")
    prompt = item.find(f"{Q}itemBody/{Q}p").text
    assert prompt == "Which city is called دير الزور in Arabic? (use “quotes” & 'apostrophes')"
    manifest = etree.fromstring(found["imsmanifest.xml"])
    resource = next(r for r in manifest.iter(f"{CP}resource") if r.get("href") == "items/item-q-short.xml")
    described = [d.text for d in resource.iter(f"{MD}langstring") if d.getparent().tag == f"{MD}description"]
    assert described == ["Test Press, “Notes on rivers & lakes”: “about 1,230 km long” https://example.org/notes?a=1&b=2"]


def test_the_same_set_gives_the_same_bytes():
    assert qti21.qti21_zip(make_sample_set()) == qti21.qti21_zip(make_sample_set())


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "rivers", MINIMAL_PACK)


def test_export_respects_versions_types_and_review_exclusions(pack, tmp_path, qti_schema, cp_schema, capsys):
    pool = question_pool(load_pack(pack))
    dropped = next(q for q in pool.questions if q.type == "short-answer")
    assert main(["review", str(pack), "--exclude", dropped.id, "--reason", "ambiguous"]) == 0
    target = tmp_path / "rivers.zip"
    assert main(["export", str(pack), "--format", "qti21", "--versions", "3", "--types", "short-answer",
                 "true-false", "--count", "4", "-o", str(target), "--quiet"]) == 0
    parsed = assert_valid(target.read_bytes(), qti_schema, cp_schema)
    assert sorted(n for n in parsed if n.startswith("tests/")) == ["tests/test-A.xml", "tests/test-B.xml",
                                                                   "tests/test-C.xml"]
    items = [n for n in parsed if n.startswith("items/")]
    assert items and f"items/item-{dropped.id}.xml" not in items
    interactions = {child.tag for n in items for child in parsed[n].find(f"{Q}itemBody").iter()}
    assert f"{Q}choiceInteraction" in interactions and f"{Q}textEntryInteraction" not in interactions
    assert yaml.safe_load((pack / "review.yaml").read_text(encoding="utf-8"))["exclude"][0]["id"] == dropped.id
    capsys.readouterr()


def test_export_respects_tags(tmp_path, capsys):
    pack = write_pack(tmp_path / "chemistry", science_pack_files())

    def keywords(tags: list[str]) -> list[set[str]]:
        target = tmp_path / f"{len(tags)}.zip"
        assert main(["export", str(pack), "--format", "qti21", "--count", "8", "-o", str(target), "--quiet",
                     *(["--tags", *tags] if tags else [])]) == 0
        manifest = etree.fromstring(entries(target.read_bytes())["imsmanifest.xml"])
        return [{k.text for k in r.iter(f"{MD}langstring") if k.getparent().tag == f"{MD}keyword"}
                for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_item_xmlv2p1"]

    assert any("discoveries" not in found for found in keywords([]))
    tagged = keywords(["discoveries"])
    assert tagged and all("discoveries" in found for found in tagged)
    capsys.readouterr()
