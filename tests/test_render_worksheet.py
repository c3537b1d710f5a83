"""Worksheets and answer keys, read back from real PDFs: every question, option, answer and source in the right file."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess

import pytest
from helpers import flat, make_sample_set, page_texts, three_version_set
from pypdf import PdfReader

from quizgen.model import Question, QuestionSet, Version, option_letter
from quizgen.render import composer
from quizgen.render.compose import composed_document
from quizgen.render.html import answer_key_document, worksheet_document
from quizgen.render.layouts import CLOZE_LINE, Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sheets.paper import PAPERS

pytestmark = pytest.mark.slow


def shown_prompt(q: Question) -> str:
    return q.prompt.replace("_____", CLOZE_LINE)


def answer_space_texts(q: Question) -> list[str]:
    """What the learner sees under a prompt, in order."""
    if q.type in ("multiple-choice", "true-false"):
        return [f"☐ {option_letter(i)} {o.text}" for i, o in enumerate(q.options)]
    if q.type == "matching":
        rows = []
        for i in range(max(len(q.pairs), len(q.choices))):
            left = f"{i + 1}. {q.pairs[i].left} ☐" if i < len(q.pairs) else ""
            right = f"{option_letter(i)}. {q.choices[i]}" if i < len(q.choices) else ""
            rows.append(flat(f"{left} {right}"))
        return rows
    if q.type == "ordering":
        return [f"☐ {item}" for item in q.items]
    if q.type == "numeric":
        return [f"Answer: ______________________ {q.numeric.unit}"]
    return []


@pytest.fixture(scope="module")
def question_set() -> QuestionSet:
    return three_version_set()


def full_layout(kind: str, question_set: QuestionSet) -> dict[str, bytes]:
    """The PDFs of every version laid out in full by WeasyPrint: the reference the composer is held to."""
    make = worksheet_document if kind == "worksheet" else answer_key_document
    doc = make(question_set, question_set.versions, Layouts.with_user_folders(), PAPERS["a4"])
    return {r.file_name: r.data for r in render_pdfs(doc)}


def composed(kind: str, question_set: QuestionSet) -> dict[str, bytes]:
    """The same versions composed from their pieces, without the fallback to the full layout."""
    document = composed_document(kind, question_set, question_set.versions, Layouts.with_user_folders(),
                                 PAPERS["a4"])
    return {r.file_name: r.data for r in composer._composed_pdfs(document)}


@pytest.fixture(scope="module")
def full_worksheets(question_set) -> dict[str, bytes]:
    return full_layout("worksheet", question_set)


# every test of what a worksheet or key shows runs against both ways of making them
@pytest.fixture(scope="module", params=["full layout", "composed"])
def worksheets(request, question_set, full_worksheets) -> dict[str, bytes]:
    return full_worksheets if request.param == "full layout" else composed("worksheet", question_set)


@pytest.fixture(scope="module", params=["full layout", "composed"])
def keys(request, question_set) -> dict[str, bytes]:
    return (full_layout if request.param == "full layout" else composed)("answer-key", question_set)


def test_one_pdf_per_version(worksheets, keys):
    assert sorted(worksheets) == ["worksheet-A.pdf", "worksheet-B.pdf", "worksheet-C.pdf"]
    assert sorted(keys) == ["answer-key-A.pdf", "answer-key-B.pdf", "answer-key-C.pdf"]


def test_every_question_and_answer_space_is_in_its_version_in_order(question_set, worksheets):
    for version in question_set.versions:
        text = " ".join(page_texts(worksheets[f"worksheet-{version.code}.pdf"]))
        cursor = 0
        for number, q in enumerate(version.questions, 1):
            expected = [f"{number}. {shown_prompt(q)}", *answer_space_texts(q)]
            for piece in expected:
                found = text.find(flat(piece), cursor)
                assert found >= 0, f"version {version.code}: {piece!r} missing or out of order"
                cursor = found + len(flat(piece))


def test_other_versions_questions_are_not_in_the_file(question_set, worksheets):
    text = " ".join(page_texts(worksheets["worksheet-A.pdf"]))
    first_of_b = question_set.versions[1].questions[0]
    position_in_a = next(i for i, q in enumerate(question_set.versions[0].questions, 1) if q.id == first_of_b.id)
    assert f"{position_in_a}. {shown_prompt(first_of_b)}" in text
    assert text.count(shown_prompt(first_of_b)) == 1


def test_version_code_and_page_x_of_y_on_every_page(worksheets, keys):
    counts = {}
    for name, pdf in {**worksheets, **keys}.items():
        code = name[-5]
        pages = page_texts(pdf)
        counts[name] = len(pages)
        label = "Answer key · Version" if name.startswith("answer-key") else "Version"
        for number, text in enumerate(pages, 1):
            assert f"{label} {code} · page {number} of {len(pages)}" in text, f"{name} page {number}"
            assert "Rivers & Lakes of Europe" in text
    assert all(n >= 2 for n in counts.values()), counts


def test_name_class_and_date_fields_only_on_the_first_page(worksheets):
    pages = page_texts(worksheets["worksheet-B.pdf"])
    assert "Name Class Date" in pages[0]
    assert all("Name Class Date" not in p for p in pages[1:])


def test_no_question_is_split_across_pages(question_set, worksheets):
    for version in question_set.versions:
        pages = page_texts(worksheets[f"worksheet-{version.code}.pdf"])
        for number, q in enumerate(version.questions, 1):
            start = f"{number}. {shown_prompt(q)}"
            holding = [i for i, p in enumerate(pages) if start in p]
            assert len(holding) == 1, f"{version.code} {number}"
            for piece in answer_space_texts(q):
                assert flat(piece) in pages[holding[0]], f"{version.code} {number}: {piece!r} on another page"


def test_answer_key_grid_comes_first_with_every_key(question_set, keys):
    for version in question_set.versions:
        first_page = page_texts(keys[f"answer-key-{version.code}.pdf"])[0]
        total = len(version.questions)
        rows = (total + 3) // 4
        for r in range(rows):
            cells = [(c * rows + r) for c in range(4) if c * rows + r < total]
            row = " ".join(f"{i + 1} {version.questions[i].key_text()}" for i in cells)
            assert flat(row) in first_page, f"grid row {r + 1} of version {version.code}"
        assert 0 <= first_page.find("1 ") < first_page.find(f"1. {version.questions[0].prompt}")


def expected_answer(q: Question) -> str:
    if q.type == "multiple-choice":
        return "; ".join(f"{option_letter(i)} — {o.text}" for i, o in enumerate(q.options) if o.correct)
    if q.type == "matching":
        return f"1-{option_letter(q.choices.index(q.pairs[0].right))} ({q.pairs[0].left} → {q.pairs[0].right})"
    if q.type == "ordering":
        return f"{q.key_text()} ({' → '.join(q.sequence)})"
    return q.answer


def test_answer_key_gives_each_answer_explanation_and_source(question_set, keys):
    for version in question_set.versions:
        text = " ".join(page_texts(keys[f"answer-key-{version.code}.pdf"]))
        cursor = text.find("1. ")
        for number, q in enumerate(version.questions, 1):
            sources = "; ".join(dict.fromkeys(c.text for c in q.citations))
            for piece in (f"{number}. {q.prompt}", f"Answer: {expected_answer(q)}", q.explanation,
                          f"Source: {sources}"):
                found = text.find(flat(piece), cursor)
                assert found >= 0, f"version {version.code} question {number}: {piece!r}"
                cursor = found + len(flat(piece))


def test_text_that_needs_escaping_comes_out_as_written(worksheets, keys):
    text = " ".join(page_texts(worksheets["worksheet-A.pdf"]) + page_texts(keys["answer-key-A.pdf"]))
    for piece in ("Elbe & Oder", "Seine {Paris}", "(use “quotes” & 'apostrophes')", "a = b ~ c # d: e.",
                  "Test Press, “Notes on rivers & lakes”"):
        assert piece in text
    assert "&amp;" not in text and "&#" not in text


def test_arabic_is_set_in_an_arabic_font_and_every_font_is_embedded(worksheets):
    pdf = worksheets["worksheet-A.pdf"]
    assert "Which city is called دير الزور in Arabic?" in " ".join(page_texts(pdf))
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert any("Arabic" in name for name in fonts), fonts
    assert all(fonts.values()), fonts


def test_letter_paper_pages_are_us_letter(question_set):
    doc = worksheet_document(question_set, question_set.versions[:1], Layouts.with_user_folders(), PAPERS["letter"])
    (result,) = render_pdfs(doc)
    box = PdfReader(io.BytesIO(result.data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert "Version A · page 1 of" in page_texts(result.data)[0]


def test_same_input_gives_the_same_bytes_whatever_else_is_in_the_document(question_set, full_worksheets):
    alone = worksheet_document(question_set, question_set.versions[1:2], Layouts.with_user_folders(), PAPERS["a4"])
    assert render_pdfs(alone)[0].data == full_worksheets["worksheet-B.pdf"]


def test_transliterated_names_come_out_as_written():
    names = "ʿAbd al-Raḥmān, Abū Kamāl, al-Mayādīn, Jabhat al-Nuṣra (جبهة النصرة) and Dayr az-Zawr"
    base = make_sample_set(versions=1)
    q = dataclasses.replace(base.questions[3], prompt=f"Which of these are named in the source: {names}?")
    one = dataclasses.replace(base, questions=(q,), versions=(Version("A", (q,)),))
    (result,) = render_pdfs(worksheet_document(one, one.versions, Layouts.with_user_folders(), PAPERS["a4"]))
    text = " ".join(page_texts(result.data))
    # the Arabic run is checked on its own: text extraction returns its brackets in display order
    latin, arabic = names.split(" (جبهة النصرة) ")
    assert f"1. Which of these are named in the source: {latin}" in text
    assert "جبهة النصرة" in text and f"{arabic}?" in text


def word_boxes(pdf: bytes, tmp_path) -> list[tuple[int, float, float, str]]:
    """(page, right edge, page width, word) of every word, in mm, as poppler's pdftotext lays them out."""
    source = tmp_path / "in.pdf"
    source.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True,
                          text=True).stdout
    boxes = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", html, flags=re.S), 1):
        width = float(re.search(r'width="([\d.]+)"', page)[1])
        for right, word in re.findall(r'<word [^>]*xMax="([\d.]+)"[^>]*>(.*?)</word>', page):
            boxes.append((number, float(right) * 25.4 / 72, width * 25.4 / 72, word))
    return boxes


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_nothing_runs_into_the_right_margin(worksheets, keys, tmp_path):
    for name, pdf in {**worksheets, **keys}.items():
        for page, right, width, word in word_boxes(pdf, tmp_path):
            assert right <= width - 17, f"{name} page {page}: {word!r} ends {width - right:.1f} mm from the edge"


def test_a_multiple_response_question_shows_its_options_and_every_right_letter_on_the_key():
    from quizgen.model import Option

    base = make_sample_set(versions=1)
    several = dataclasses.replace(base.questions[0], id="q-mr", type="multiple-response",
                                  prompt="Which rivers flow through Germany?", options=(
                                      Option("a", "Rhine", True), Option("b", "Seine", False),
                                      Option("c", "Danube", True), Option("d", "Loire", False)))
    question_set = dataclasses.replace(base, questions=(several,), versions=(Version("A", (several,)),))
    layouts, paper = Layouts.with_user_folders(), PAPERS["a4"]
    sheet = flat(" ".join(page_texts(render_pdfs(worksheet_document(question_set, question_set.versions, layouts,
                                                                     paper))[0].data)))
    key = flat(" ".join(page_texts(render_pdfs(answer_key_document(question_set, question_set.versions, layouts,
                                                                   paper))[0].data)))
    assert "Tick every correct answer." in sheet
    assert all(f"{letter} {text}" in sheet for letter, text in zip("ABCD", ("Rhine", "Seine", "Danube", "Loire")))
    assert "Answer: A — Rhine; C — Danube" in key
