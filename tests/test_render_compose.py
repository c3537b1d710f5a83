"""Composed worksheets and keys (render/compose.py, composer.py) against the full layout (html_pdf.py), which
stays the reference: the same text on every page, no overlapping pieces, no question split. What a worksheet
or key shows is tested for both in test_render_worksheet.py."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pikepdf
import pytest
from helpers import DEFAULT_PACK, LONG_CHOICE, flat, long_choice_set, page_texts, three_version_set
from pypdf import PdfReader

from quizgen.render import compose, composer
from quizgen.render.compose import composable, composed_document
from quizgen.render.composer import FlowBlock, paginate, render_composed
from quizgen.render.html import answer_key_document, worksheet_document
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.render.pieces import Placement
from quizgen.sheets.paper import PAPERS, Box

pytestmark = pytest.mark.slow
A4 = PAPERS["a4"]


def composed(kind, question_set, layouts=None) -> dict[str, bytes]:
    layouts = layouts or Layouts.with_user_folders()
    document = composed_document(kind, question_set, question_set.versions, layouts, A4)
    return {r.file_name: r.data for r in composer._composed_pdfs(document)}


def reference(kind, question_set, layouts=None) -> dict[str, bytes]:
    layouts = layouts or Layouts.with_user_folders()
    make = worksheet_document if kind == "worksheet" else answer_key_document
    return {r.file_name: r.data for r in render_pdfs(make(question_set, question_set.versions, layouts, A4))}


@pytest.fixture(scope="module")
def question_set():
    return three_version_set()


@pytest.fixture(scope="module")
def worksheets(question_set):
    return composed("worksheet", question_set)


@pytest.fixture(scope="module")
def keys(question_set):
    return composed("answer-key", question_set)


@pytest.fixture(scope="module")
def pack_set():
    """Four versions of 20 questions from the real pack: every question type, two-line grid rows."""
    from quizgen.load.pack import load_pack
    from quizgen.generate import generate_question_set

    return generate_question_set(load_pack(DEFAULT_PACK), count=20, seed=1, versions=4)


@pytest.fixture(scope="module")
def pack_pdfs(pack_set):
    return {kind: (composed(kind, pack_set), reference(kind, pack_set)) for kind in ("worksheet", "answer-key")}


@pytest.mark.parametrize("kind", ["worksheet", "answer-key"])
def test_composed_pages_hold_the_same_text_as_the_full_layout(kind, pack_pdfs, question_set, worksheets, keys):
    own = worksheets if kind == "worksheet" else keys
    for new, old in (pack_pdfs[kind], (own, reference(kind, question_set))):
        assert sorted(new) == sorted(old)
        for name in old:
            new_pages, old_pages = page_texts(new[name]), page_texts(old[name])
            assert abs(len(new_pages) - len(old_pages)) <= 1, name
            if len(new_pages) == len(old_pages):
                for number, (a, b) in enumerate(zip(new_pages, old_pages), 1):
                    assert a == b, f"{name} page {number}"
            else:
                assert " ".join(new_pages) == " ".join(old_pages), name


def test_text_comes_out_in_reading_order(pack_set, pack_pdfs):
    worksheets, _ = pack_pdfs["worksheet"]
    version = pack_set.versions[1]
    text = page_texts(worksheets[f"worksheet-{version.code}.pdf"])[0]
    assert text.startswith(f"WORKSHEET · VERSION {version.code} {pack_set.pack_title}")
    first = version.questions[0]
    assert f"1. {flat(first.prompt)}" in text
    choice = next(q for q in version.questions if q.type == "multiple-choice")
    letters = [text.find(f"☐ {letter} {o.text}") for letter, o in zip("ABCD", choice.options)]
    assert -1 not in letters and letters == sorted(letters)


def test_composed_output_is_byte_for_byte_the_same_each_time(question_set, worksheets):
    assert composed("worksheet", question_set) == worksheets


def planned_pages(kind, question_set):
    layouts = Layouts.with_user_folders()
    document = composed_document(kind, question_set, question_set.versions, layouts, A4)
    from weasyprint import HTML

    from quizgen.render.weasy import measure, page_facts

    rendered = HTML(string=document.html, base_url=layouts.folders[-1].as_uri() + "/").render()
    pages_of = composer.Composer(document, measure(rendered), page_facts(rendered, 0, 1))
    return {plan.code: pages_of.pages(plan) for plan in document.versions}


@pytest.mark.parametrize("kind", ["worksheet", "answer-key"])
def test_no_two_pieces_of_text_overlap_and_no_block_is_split(kind, pack_set):
    for code, pages in planned_pages(kind, pack_set).items():
        labels = [label for page in pages for label in page.blocks]
        assert len(labels) == len(set(labels)), f"{code}: a block on two pages"
        assert len([label for label in labels if label.startswith("question")]) == 20
        for page in pages:
            inks = [(n, rect) for n, p in enumerate(page.placements) for rect in p.ink]
            assert len(inks) >= len(page.blocks) > 0  # every block placed leaves ink
            for i, (n, a) in enumerate(inks):
                for m, b in inks[i + 1:]:
                    assert n == m or not a.overlaps(b), f"{kind} {code} page {page.number}: {a} overlaps {b}"


def test_every_page_draws_where_the_plan_put_its_pieces(pack_set, pack_pdfs):
    """The plan's pieces are what the file draws: one `cm` move per placement, in order."""
    pages = planned_pages("worksheet", pack_set)["A"]
    pdf = pikepdf.open(io.BytesIO(pack_pdfs["worksheet"][0]["worksheet-A.pdf"]))
    assert len(pdf.pages) == len(pages)
    for page, plan in zip(pdf.pages, pages):
        moves = [i for i in pikepdf.parse_content_stream(page)
                 if str(i.operator) == "cm" and [float(v) for v in i.operands[:4]] == [1, 0, 0, 1]]
        assert len(moves) == len(plan.placements)
        xs = [round(float(m.operands[4]), 2) for m in moves]
        assert xs == [round(p.dx * 0.75, 2) for p in plan.placements]


def test_fonts_are_embedded_and_only_those_used(pack_pdfs):
    for name, data in pack_pdfs["answer-key"][0].items():
        for page in PdfReader(io.BytesIO(data)).pages:
            for font in page["/Resources"]["/Font"].values():
                descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name


def test_the_key_quotes_the_evidence_beside_each_citation(pack_set, pack_pdfs):
    keys, _ = pack_pdfs["answer-key"]
    version = pack_set.versions[0]
    text = " ".join(page_texts(keys[f"answer-key-{version.code}.pdf"])).replace("- ", "-")  # lines break at hyphens
    for q in version.questions:
        for citation in q.citations:
            assert flat(f"{citation.text}: “{citation.evidence}”").replace("- ", "-") in text


# ---- pagination: plain Python over measured boxes -------------------------------------------------


def block(height: float, top: float = 0.0, bottom: float = 0.0, label: str = "") -> FlowBlock:
    return FlowBlock(height, top, bottom, (Placement("p", 0.0, 0.0, (Box(0, 0, 10, height),)),), label)


def test_blocks_that_fit_share_a_page_and_the_next_starts_a_new_one():
    pages = paginate([block(40, label="a"), block(50, label="b"), block(20, label="c")], page_height=100)
    assert [[(b.label, top) for b, top in page] for page in pages] == [[("a", 0), ("b", 40)], [("c", 0)]]


def test_a_block_that_exactly_fits_stays_and_margins_collapse_to_the_larger():
    pages = paginate([block(30, bottom=10), block(40, top=4), block(20, top=5)], page_height=100)
    assert [[top for _, top in page] for page in pages] == [[0, 40], [0]]
    exact = paginate([block(60, bottom=10), block(30, top=4)], page_height=100)
    assert [[top for _, top in page] for page in exact] == [[0, 70]]


def test_a_new_page_drops_the_top_margin_of_its_first_block():
    pages = paginate([block(90), block(20, top=15)], page_height=100)
    assert [[top for _, top in page] for page in pages] == [[0], [0]]


# ---- user layouts ------------------------------------------------------------------------------------


def test_a_users_header_and_stylesheet_are_composed(tmp_path, question_set):
    (tmp_path / "worksheet-header.html").write_text(
        '<header class="sheet-head">\n  <p class="kicker">Year 10 history · Version {{ v.code }}</p>\n'
        '  <h1 dir="auto">{{ title }}</h1>\n</header>\n', encoding="utf-8")
    (tmp_path / "worksheet.css").write_text(
        (Path(Layouts.with_user_folders().find("worksheet.css")).read_text(encoding="utf-8")
         + "\n.prompt { font-size: 14pt; }\n"), encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    assert composable(layouts, "worksheet")
    new, old = composed("worksheet", question_set, layouts), reference("worksheet", question_set, layouts)
    for name in old:
        assert " ".join(page_texts(new[name])) == " ".join(page_texts(old[name]))
    assert page_texts(new["worksheet-B.pdf"])[0].startswith("YEAR 10 HISTORY · VERSION B")


def test_a_users_worksheet_structure_is_laid_out_in_full(tmp_path, question_set):
    source = Path(Layouts.with_user_folders().find("worksheet.html")).read_text(encoding="utf-8")
    (tmp_path / "worksheet.html").write_text(source.replace('<p class="end-note', '<p>Hand in at the end.</p>'
                                                            '<p class="end-note'), encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    assert not composable(layouts, "worksheet")
    assert composable(layouts, "answer-key")


def test_a_header_that_changes_the_code_is_not_composed(tmp_path, question_set):
    (tmp_path / "worksheet-header.html").write_text('<p class="kicker">Version {{ v.code|lower }}</p>',
                                                    encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    with pytest.raises(compose.NotComposable):
        composed_document("worksheet", question_set, question_set.versions, layouts, A4)


def test_a_choice_too_long_for_one_line_falls_back_to_the_full_layout():
    two = long_choice_set("AB")
    document = composed_document("worksheet", two, two.versions, Layouts.with_user_folders(), A4)
    with pytest.raises(compose.NotComposable):
        composer._composed_pdfs(document)
    result, _ = render_composed(document)
    assert flat(LONG_CHOICE) in " ".join(page_texts(result.data))
    # a single version's question is one piece, choices and all: it composes
    one = dataclasses.replace(two, versions=two.versions[:1])
    (result,) = composer._composed_pdfs(composed_document("worksheet", one, one.versions, Layouts.with_user_folders(),
                                                          A4))
    assert flat(LONG_CHOICE) in " ".join(page_texts(result.data))


def test_a_mistake_in_a_users_key_layout_is_one_located_error(tmp_path, question_set):
    from quizgen.errors import QuizgenError

    (tmp_path / "answer-key-answer.html").write_text("Answer:\n{{ q.anwser }}\n", encoding="utf-8")
    with pytest.raises(QuizgenError) as caught:
        composed_document("answer-key", question_set, question_set.versions, Layouts.with_user_folders([tmp_path]), A4)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{tmp_path / 'answer-key-answer.html'}:2:1: layout: UndefinedError")


def builtin_layout(name: str) -> str:
    return Path(Layouts.with_user_folders().find(name)).read_text(encoding="utf-8")


def test_a_users_option_drawing_shows_in_the_composed_pdf_as_in_the_full_one(tmp_path, question_set):
    pieces = builtin_layout("worksheet-pieces.html")
    drawn = '{{ "&#9;"|safe if per_line == 1 else " " }}{{ q.options[index].text }}'
    assert drawn in pieces
    (tmp_path / "worksheet-pieces.html").write_text(
        pieces.replace("☐ {{ letter(index) }}" + drawn, "○ {{ letter(index) }}) {{ q.options[index].text }}"),
        encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    assert composable(layouts, "worksheet")
    new, old = composed("worksheet", question_set, layouts), reference("worksheet", question_set, layouts)
    choice = next(q for q in question_set.versions[1].questions if q.type == "multiple-choice")
    for name in old:
        assert page_texts(new[name]) == page_texts(old[name]), name
    text = " ".join(page_texts(new["worksheet-B.pdf"]))
    assert [text.find(f"○ {letter}) {o.text}") > -1 for letter, o in zip("ABCD", choice.options)] \
        == [True] * len(choice.options)
    assert f"☐ A {choice.options[0].text}" not in text


def test_a_users_ordering_items_hints_and_end_note_reach_the_composed_pdf(tmp_path, question_set):
    pieces = builtin_layout("worksheet-pieces.html")
    for old, new in (("☐&#9;{{ item }}", "[ ]&#9;{{ item }}"), ("Number the items from 1 to", "Put in order, 1 to"),
                     ("{{ count }} question", "End of the {{ count }} question")):
        assert old in pieces
        pieces = pieces.replace(old, new)
    (tmp_path / "worksheet-pieces.html").write_text(pieces, encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    new, old = composed("worksheet", question_set, layouts), reference("worksheet", question_set, layouts)
    for name in old:
        assert page_texts(new[name]) == page_texts(old[name]), name
    text = " ".join(page_texts(new["worksheet-A.pdf"]))
    ordering = next(q for q in question_set.versions[0].questions if q.type == "ordering")
    assert f"Put in order, 1 to {len(ordering.items)} in the boxes." in text
    assert f"[ ] {ordering.items[0]}" in text and "☐ " + ordering.items[0] not in text
    assert f"End of the {len(question_set.versions[0].questions)} questions ·" in text


def test_a_users_key_header_is_composed(tmp_path, question_set):
    (tmp_path / "answer-key-header.html").write_text(
        '<header class="key-head">\n  <p class="kicker">Marking scheme · Version {{ v.code }}</p>\n'
        '  <h1 dir="auto">{{ title }} ({{ v.questions|length }} questions)</h1>\n</header>\n', encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    assert composable(layouts, "answer-key")
    new, old = composed("answer-key", question_set, layouts), reference("answer-key", question_set, layouts)
    for name in old:
        assert " ".join(page_texts(new[name])) == " ".join(page_texts(old[name])), name
    assert page_texts(new["answer-key-C.pdf"])[0].startswith(
        f"MARKING SCHEME · VERSION C {question_set.pack_title} (21 questions)")


def test_a_mistake_in_a_users_worksheet_pieces_is_one_located_error(tmp_path, question_set):
    from quizgen.errors import QuizgenError

    pieces = builtin_layout("worksheet-pieces.html").replace("{{ q.options[index].text }}",
                                                             "{{ q.options[index].txet }}")
    (tmp_path / "worksheet-pieces.html").write_text(pieces, encoding="utf-8")
    line = 1 + pieces[:pieces.index("txet")].count("\n")
    with pytest.raises(QuizgenError) as caught:
        composed_document("worksheet", question_set, question_set.versions, Layouts.with_user_folders([tmp_path]), A4)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{tmp_path / 'worksheet-pieces.html'}:{line}:1: layout: UndefinedError")


def test_a_pieces_element_is_named_for_the_composer_and_hidden_where_it_only_holds_a_place():
    assert compose.marked('<p class="opt per-line-2" dir="auto">☐ A Raqqa</p>', "row", hidden=True) \
        == '<p class="opt per-line-2 qg-hide" data-qg="row" dir="auto">☐ A Raqqa</p>'
    assert compose.marked("<td class='right'>A.\tx</td>", "cell") == "<td class='right' data-qg=\"cell\">A.\tx</td>"
    assert compose.marked('<p dir="auto">x</p>', "row", hidden=True) == '<p class="qg-hide" data-qg="row" dir="auto">x</p>'
    assert compose.with_hidden_content('<td class="right">A.\tx</td>') \
        == '<td class="right"><span class="qg-hide">A.\tx</span></td>'
    for not_one_element in ("☐ A Raqqa", "<p>a</p><p>b</p>x"):
        with pytest.raises(compose.NotComposable):
            compose.marked(not_one_element, "row")


def test_a_users_piece_that_is_not_one_element_is_laid_out_in_full(tmp_path, question_set):
    from quizgen.build.plan import versioned_documents
    from quizgen.render.layouts import Document

    pieces = builtin_layout("worksheet-pieces.html").replace(
        '{% macro ordering_line(item) %}<p class="opt" dir="auto">{{ ordering_item(item) }}</p>{% endmacro %}',
        '{% macro ordering_line(item) %}{{ ordering_item(item) }}<br>{% endmacro %}')
    (tmp_path / "worksheet-pieces.html").write_text(pieces, encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    with pytest.raises(compose.NotComposable):
        composed_document("worksheet", question_set, question_set.versions, layouts, A4)
    (document,) = versioned_documents("worksheet", worksheet_document, question_set, [question_set.versions],
                                      layouts, A4, ())
    assert isinstance(document, Document)


def test_a_users_key_pieces_show_in_the_composed_key_as_in_the_full_one(tmp_path, question_set):
    pieces = builtin_layout("answer-key-pieces.html")
    for old, new in (('dir="auto">{{ q.explanation }}', 'dir="auto">Why: {{ q.explanation }}'),
                     ("{{ q.key_text() }}</td>", "{{ q.key_text() }} ✓</td>")):
        assert old in pieces
        pieces = pieces.replace(old, new)
    (tmp_path / "answer-key-pieces.html").write_text(pieces, encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    assert composable(layouts, "answer-key")
    new, old = composed("answer-key", question_set, layouts), reference("answer-key", question_set, layouts)
    for name in old:
        assert page_texts(new[name]) == page_texts(old[name]), name
    version = question_set.versions[2]
    text = " ".join(page_texts(new["answer-key-C.pdf"]))
    explained = next(q for q in version.questions if q.explanation)
    assert f"Why: {flat(explained.explanation)}" in text
    assert f"1 {version.questions[0].key_text()} ✓" in text


# ---- a key's lines that versions word differently: composed from one line and its characters -------------------


def key_lines(document) -> dict[str, list]:
    """Each question's answer line and grid entry in every version of a composed key, by question id."""
    lines: dict[str, list] = {}
    for plan, version in zip(document.versions, document.source_versions):
        grid = next(b for b in plan.blocks if isinstance(b, compose.GridBlock))
        answers = [b for b in plan.blocks if isinstance(b, compose.QuestionBlock)]
        for q, entry, answer in zip(version.questions, grid.entries, answers):
            lines.setdefault(q.id, []).extend((entry, answer.answer))
    return lines


def test_ordering_and_matching_keys_share_one_line_and_their_characters_whatever_the_versions(pack_set):
    from quizgen.generate import generate_question_set
    from quizgen.load.pack import load_pack

    many = generate_question_set(load_pack(DEFAULT_PACK), count=20, seed=1, versions=24)
    layouts = Layouts.with_user_folders()
    for question_set in (pack_set, many):
        document = composed_document("answer-key", question_set, question_set.versions, layouts, A4)
        lines = key_lines(document)
        for q in question_set.versions[0].questions:
            if q.type not in ("ordering", "matching"):
                continue
            wordings = {v_q.key_text() for v in question_set.versions for v_q in v.questions if v_q.id == q.id}
            assert len(wordings) > 1, f"{q.id}: the versions must word its key differently for this test"
            assert all(isinstance(line, compose.SlottedLine) for line in lines[q.id])
            bases = {line.piece for line in lines[q.id]}
            glyphs = {g for line in lines[q.id] for g in line.glyphs}
            assert len(bases) == 2  # its grid entry and its answer line, once each
            characters = {c for key in wordings for c in key if c.isalnum()}
            assert len(glyphs) <= 2 * len(characters)  # a piece per character in each of the two lines


def test_a_composed_keys_ordering_and_matching_lines_read_as_each_versions_key(pack_set, pack_pdfs):
    keys, _ = pack_pdfs["answer-key"]
    for version in pack_set.versions:
        text = " ".join(page_texts(keys[f"answer-key-{version.code}.pdf"]))
        for number, q in enumerate(version.questions, 1):
            if q.type == "ordering":
                assert f"Answer: {q.key_text()} ({flat(q.sequence[0])}" in text, version.code
                assert f" {number} {q.key_text()} " in text, version.code  # its grid entry
            elif q.type == "matching":
                assert f"Answer: {q.key_text().split()[0]} ({flat(q.pairs[0].left)}" in text, version.code
                assert f" {number} {q.key_text()} " in text, version.code


def test_a_line_is_slotted_only_where_versions_differ_in_single_letters_or_digits_of_its_text():
    template = compose.slot_template(['<p class="a">Answer: 3 1 2 (x)</p>', '<p class="a">Answer: 1 3 2 (x)</p>'])
    assert template.html == ('<p class="a">Answer: <span class="qg-hide" data-qg="slot">1</span> '
                             '<span class="qg-hide" data-qg="slot">1</span> 2 (x)</p>')
    assert template.positions == (21, 23) and template.chains == ((("p", "a", "", ""),),) * 2
    # a character is set in the slot's own elements, with their inline styles (a grid entry's table width)
    grid = compose.slot_template(['<table class="grid" style="width: 20%"><tr><td class="key">A</td></tr></table>',
                                  '<table class="grid" style="width: 20%"><tr><td class="key">B</td></tr></table>'])
    assert compose._glyph_html(grid.chains[0], "C") == (
        '<table class="grid qg-bare" dir="" style="width: 20%"><tr class="" dir=""><td class="key" dir="">'
        '<span data-qg="slot">C</span></td></tr></table>')
    # the placeholder is the wider of the letters that take its place
    assert "slot\">D</span>" in compose.slot_template(["<p>1-C</p>", "<p>1-D</p>"]).html
    for unslotted in (["<p>x</p>"],  # one wording
                      ["<p>Answer: 10</p>", "<p>Answer: 9</p>"],  # wordings of different lengths
                      ['<p class="A">x</p>', '<p class="B">x</p>'],  # in a tag, not in its text
                      ["<p>x; y</p>", "<p>x, y</p>"],  # not a letter or digit
                      ["<p>1-C سوريا</p>", "<p>1-D سوريا</p>"]):  # right to left text
        assert compose.slot_template(unslotted) is None, unslotted
