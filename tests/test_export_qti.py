"""Canvas QTI export: compared with what text2qti builds from the same questions, and read by qti2latex."""

from __future__ import annotations

import dataclasses
import html
import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest
from helpers import make_sample_set
from text2qti.config import Config
from text2qti.qti import QTI
from text2qti.quiz import Quiz

from quizgen.export import common, qti
from quizgen.model import Option, Question

NS = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
TEXT2QTI_TYPES = ("multiple-choice", "true-false", "cloze", "short-answer", "numeric")
MARKDOWN_SPECIALS = "\\`*_{}[]()>#+-.!\"'"


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def assessment_items(data: bytes) -> list[ET.Element]:
    entries = zip_entries(data)
    name = next(n for n in entries if n.endswith(".xml") and not n.endswith(("assessment_meta.xml", "imsmanifest.xml")))
    return ET.fromstring(entries[name]).findall(f".//{NS}item")


# ---- the same questions written as text2qti source -------------------------------------


def markdown(text: str) -> str:
    text = "".join("\\" + ch if ch in MARKDOWN_SPECIALS else ch for ch in text)
    return text.replace("&", "&amp;").replace("<", "&lt;")


def plain_feedback(question: Question) -> str:
    parts = [question.explanation] if question.explanation else []
    parts.extend(f"Source: {common.citation_line(c)}" for c in common.unique_citations(question))
    return " ".join(parts)


def text2qti_source(questions: list[Question]) -> str:
    lines = ["Quiz title: comparison", ""]
    for number, question in enumerate(questions, 1):
        lines.append(f"{number}.  {markdown(question.prompt)}")
        lines.append(f"... {markdown(plain_feedback(question))}")
        if question.type in ("multiple-choice", "true-false"):
            several = len(question.correct_options) > 1
            for letter, option in zip("abcdefghij", question.options):
                if several:
                    lines.append(f"{'[*]' if option.correct else '[ ]'} {markdown(option.text)}")
                else:
                    lines.append(f"{'*' if option.correct else ''}{letter}) {markdown(option.text)}")
        elif question.type == "numeric":
            numeric = question.numeric
            margin = numeric.high - numeric.value
            if abs((numeric.value - numeric.low) - margin) < 1e-9:
                lines.append(f"=   {common.number_text(numeric.value)} +- {common.number_text(margin)}")
            else:  # a reported range, 95–98: text2qti's own range form
                lines.append(f"=   [{common.number_text(numeric.low)}, {common.number_text(numeric.high)}]")
        else:
            # text2qti takes short answers as plain text, not Markdown
            lines.extend(f"*   {a}" for a in dict.fromkeys((question.answer, *question.accepted)))
        lines.append("")
    return "\n".join(lines)


def text2qti_zip(questions: list[Question]) -> bytes:
    return QTI(Quiz(text2qti_source(questions), config=Config())).zip_bytes()


# ---- normalised item trees -------------------------------------------------------------


def plain_text(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def normalised(item: ET.Element) -> tuple:
    """The item tree with identifiers replaced by their order of appearance, HTML reduced to its text,
    numbers compared as numbers and the free-text title left out."""
    names: dict[str, str] = {}

    def placeholder(value: str) -> str:
        return names.setdefault(value, f"#{len(names)}")

    def walk(element: ET.Element) -> tuple:
        tag = element.tag.removeprefix(NS)
        attributes = []
        for key, value in sorted(element.attrib.items()):
            if key == "title":
                continue
            attributes.append((key, placeholder(value) if key in ("ident", "linkrefid") else value))
        text = (element.text or "").strip()
        if tag == "mattext":
            text = plain_text(text)
        elif tag in ("varequal", "vargte", "varlte") and re.fullmatch(r"-?[0-9.]+", text):
            text = str(float(text))
        elif tag == "varequal" and text in names:
            text = names[text]
        elif tag == "fieldentry" and ("_choice_" in text or "_ref_" in text or "_numerical_" in text):
            text = ",".join(placeholder(part) for part in text.split(","))
        return tag, tuple(attributes), text, tuple(walk(child) for child in element)

    return walk(item)


@pytest.fixture(scope="module")
def sample_zip() -> bytes:
    return qti.qti_zip(make_sample_set())


def test_zip_has_the_canvas_layout_and_the_manifest_points_at_real_files(sample_zip):
    entries = zip_entries(sample_zip)
    assessment = next(n.split("/")[0] for n in entries if n.endswith("/assessment_meta.xml"))
    assert list(entries) == ["imsmanifest.xml", "non_cc_assessments/", f"{assessment}/assessment_meta.xml",
                             f"{assessment}/{assessment}.xml"]
    manifest = ET.fromstring(entries["imsmanifest.xml"])
    hrefs = [f.get("href") for f in manifest.iter("{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}file")]
    assert hrefs and all(href in entries for href in hrefs)
    resources = manifest.iter("{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}resource")
    resource_types = [r.get("type") for r in resources]
    assert resource_types == ["imsqti_xmlv1p2", "associatedcontent/imscc_xmlv1p1/learning-application-resource"]
    meta = ET.fromstring(entries[f"{assessment}/assessment_meta.xml"])
    assert meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}title") == "Rivers & Lakes of Europe"


def test_canvas_question_types(sample_zip):
    def question_type(item: ET.Element) -> str:
        for field in item.iter(f"{NS}qtimetadatafield"):
            if field.findtext(f"{NS}fieldlabel") == "question_type":
                return field.findtext(f"{NS}fieldentry")
        raise AssertionError("no question_type")

    assert [question_type(i) for i in assessment_items(sample_zip)] == [
        "multiple_choice_question", "true_false_question", "short_answer_question", "short_answer_question",
        "matching_question", "matching_question", "numerical_question"]


def test_items_match_text2qti_for_the_types_it_supports(sample_zip):
    supported = [q for q in make_sample_set().questions if q.type in TEXT2QTI_TYPES]
    ours = [i for i, q in zip(assessment_items(sample_zip), make_sample_set().questions) if q.type in TEXT2QTI_TYPES]
    reference = assessment_items(text2qti_zip(supported))
    assert len(ours) == len(reference) == 5
    for mine, theirs, question in zip(ours, reference, supported):
        assert normalised(mine) == normalised(theirs), question.id


def test_multiple_answers_and_escaping_match_text2qti():
    base = make_sample_set(versions=1)
    tricky = "<b>not bold</b> & “quotes” 'single' دير الزور {x} #1"
    questions = [
        dataclasses.replace(base.questions[0], id="multi", prompt=tricky, options=(
            Option("a", tricky, True), Option("b", "B & b", False), Option("c", "C", True))),
        dataclasses.replace(base.questions[3], id="short", prompt=f"Short {tricky}", answer="A & <B>", accepted=()),
    ]
    question_set = dataclasses.replace(base, questions=tuple(questions), versions=())
    ours = assessment_items(qti.qti_zip(question_set))
    reference = assessment_items(text2qti_zip(questions))
    for mine, theirs in zip(ours, reference):
        assert normalised(mine) == normalised(theirs)
    prompt = ours[0].find(f"{NS}presentation/{NS}material/{NS}mattext").text
    assert prompt == "<p>&lt;b&gt;not bold&lt;/b&gt; &amp; “quotes” &#x27;single&#x27; دير الزور {x} #1</p>"


def test_matching_follows_canvas_matching_question_structure(sample_zip):
    item = assessment_items(sample_zip)[4]
    responses = item.findall(f"{NS}presentation/{NS}response_lid")
    lefts = [r.findtext(f"{NS}material/{NS}mattext") for r in responses]
    assert lefts == ["Rhine", "Danube"]
    labels = {l.get("ident"): l.findtext(f"{NS}material/{NS}mattext")
              for l in responses[0].findall(f"{NS}render_choice/{NS}response_label")}
    assert sorted(labels.values()) == ["Germany", "Switzerland"]
    conditions = [c for c in item.findall(f"{NS}resprocessing/{NS}respcondition")
                  if c.find(f"{NS}setvar") is not None]
    matched = {c.find(f"{NS}conditionvar/{NS}varequal").get("respident"):
               labels[c.findtext(f"{NS}conditionvar/{NS}varequal")] for c in conditions}
    assert matched == {responses[0].get("ident"): "Switzerland", responses[1].get("ident"): "Germany"}
    assert {c.find(f"{NS}setvar").get("action") for c in conditions} == {"Add"}
    assert sum(float(c.findtext(f"{NS}setvar")) for c in conditions) == pytest.approx(100)


def test_ordering_becomes_matching_items_to_positions(sample_zip):
    item = assessment_items(sample_zip)[5]
    responses = item.findall(f"{NS}presentation/{NS}response_lid")
    assert [r.findtext(f"{NS}material/{NS}mattext") for r in responses] == ["Second", "Third", "First"]
    labels = {l.get("ident"): l.findtext(f"{NS}material/{NS}mattext")
              for l in responses[0].findall(f"{NS}render_choice/{NS}response_label")}
    answers = [labels[c.findtext(f"{NS}conditionvar/{NS}varequal")]
               for c in item.findall(f"{NS}resprocessing/{NS}respcondition") if c.find(f"{NS}setvar") is not None]
    assert answers == ["2", "3", "1"]


def test_qti2latex_reads_the_zip(tmp_path, sample_zip):
    """qti2latex (PyPI), a reader of Canvas QTI zips, turns ours into a LaTeX exam with the right answers."""
    path = tmp_path / "canvas-qti.zip"
    path.write_bytes(sample_zip)
    result = subprocess.run([sys.executable, "-m", "qti2latex", str(path), "-o", "exam.tex"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    latex = (tmp_path / "exam.tex").read_text(encoding="utf-8")
    assert latex.count("\\question[1]") == 7
    assert "\\CorrectChoice Danube" in latex and "\\choice Rhine" in latex
    assert "\\choice Elbe \\& Oder" in latex
    assert "\\CorrectChoice True" in latex
    # qti2latex collects the accepted answers in a set, so their order varies
    solutions = [sorted(part.strip() for part in block.split(" / "))
                 for block in re.findall(r"\\begin\{solution\}(.*?)\\end\{solution\}", latex, re.S)]
    assert solutions == [["Danube", "Donau"], ["Deir Ezzor", "Deir al-Zor", "Deir ez-Zor"], ["1230"]]
    assert "دير الزور" in latex


def test_same_set_gives_identical_bytes_with_fixed_zip_dates(sample_zip):
    assert qti.qti_zip(make_sample_set()) == sample_zip
    with zipfile.ZipFile(io.BytesIO(sample_zip)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_assessment_id_follows_the_pack_and_its_questions():
    question_set = make_sample_set()
    fewer = dataclasses.replace(question_set, questions=question_set.questions[:3])
    renamed = dataclasses.replace(question_set, pack_id="other")
    edited = dataclasses.replace(question_set, questions=(
        dataclasses.replace(question_set.questions[0], explanation="Edited."), *question_set.questions[1:]))
    assert qti.assessment_id(question_set) == qti.assessment_id(edited)
    assert len({qti.assessment_id(q) for q in (question_set, fewer, renamed)}) == 3


def test_write_creates_the_file(tmp_path):
    path = tmp_path / "out" / "canvas.zip"
    assert qti.write(make_sample_set(), path) == []
    assert zipfile.is_zipfile(path)


def test_a_multiple_response_question_is_a_canvas_multiple_answers_question():
    base = make_sample_set(versions=1)
    several = dataclasses.replace(base.questions[0], id="mr", type="multiple-response", options=(
        Option("a", "A", True), Option("b", "B", False), Option("c", "C", True)))
    (item,) = assessment_items(qti.qti_zip(dataclasses.replace(base, questions=(several,), versions=())))
    fields = {f.findtext(f"{NS}fieldlabel"): f.findtext(f"{NS}fieldentry")
              for f in item.iter(f"{NS}qtimetadatafield")}
    assert fields["question_type"] == "multiple_answers_question"
    assert item.find(f"{NS}presentation/{NS}response_lid").get("rcardinality") == "Multiple"
