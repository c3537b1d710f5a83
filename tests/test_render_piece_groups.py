"""Small pieces laid out together (render/piece_groups.py): which pieces join a group, which stylesheets keep
them apart, and that a class set composed from groups looks exactly as one composed from pieces laid out alone."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from helpers import DEFAULT_PACK, page_texts

from quizgen.render import compose, composer
from quizgen.render.compose import composed_document, stylesheet_texts
from quizgen.render.layouts import Layouts
from quizgen.render.piece_groups import (MEMBER_ATTRIBUTE, Framed, classes_styled, framed_member, grouped_wrappers,
                                        members_stand_alone, without_unstyled_classes)
from quizgen.sheets.paper import PAPERS

A4 = PAPERS["a4"]
NUMBER = ('<div class="question type-cloze qg-bare"><p class="prompt" dir="auto">'
          '<span data-qg="num">3.</span></p></div>')
CELL = '<div class="question type-cloze qg-bare"><p class="opt per-line-4" data-qg="cell" dir="auto">☐ B Abu Kamal</p></div>'


def test_a_line_in_a_bare_frame_is_a_member_of_that_frame():
    assert framed_member(NUMBER) == Framed('<div class="question type-cloze qg-bare">', "</div>",
                                           '<p class="prompt" dir="auto"><span data-qg="num">3.</span></p>')
    assert framed_member(CELL).frame == framed_member(NUMBER).frame
    header_part = '<p class="qg-top-right" data-qg="text">7</p>'
    assert framed_member(header_part) == Framed("", "", header_part)
    grid_entry = '<table class="grid qg-bare" style="width: 20%"><tr data-qg="row"><td class="key">B</td></tr></table>'
    assert framed_member(grid_entry).member == '<tr data-qg="row"><td class="key">B</td></tr>'


@pytest.mark.parametrize("html", [
    '<div class="question type-cloze"><p class="prompt">3.</p></div>',  # a frame that draws its border
    '<div class="question qg-bare"><p>one</p><p>two</p></div>',  # two elements
    '<div class="question qg-bare">text <p>one</p></div>',  # text of the frame's own
    '<div class="question qg-bare"><span>3.</span></div>',  # an inline member would share a line with others
    '<table class="matching qg-bare"><tr><td>A. x</td></tr></table>',  # a column as wide as its widest row
    '<div class="question qg-bare"><p>3.</p></div><p>after</p>',  # not one element
    '<div class="question qg-bare"><p>3.</p>',  # not closed
])
def test_anything_else_is_laid_out_alone(html):
    assert framed_member(html) is None


def test_members_carry_the_piece_they_stand_for_and_groups_hold_at_most_their_size():
    pieces = {f"qg-{i}": NUMBER.replace("3.", f"{i}.") for i in range(5)}
    pieces["qg-9"] = '<div class="question type-cloze"><p>whole</p></div>'
    wrappers = grouped_wrappers(pieces, group_size=2)
    assert wrappers[0] == f'<div class="qg-piece" id="qg-9">{pieces["qg-9"]}</div>'
    groups = wrappers[1:]
    assert len(groups) == 3 and all('data-qg-group=""' in g for g in groups)
    assert [g.count(MEMBER_ATTRIBUTE) for g in groups] == [2, 2, 1]
    assert f'<p {MEMBER_ATTRIBUTE}="qg-4" class="prompt"' in groups[2]


def test_the_built_in_stylesheets_let_members_stand_together():
    layouts = Layouts.with_user_folders()
    for kind in ("worksheet", "answer-key"):
        assert members_stand_alone(stylesheet_texts(layouts, kind), [NUMBER, CELL])


@pytest.mark.parametrize("css, alone", [
    (".version + .version { break-before: page; }", True),  # siblings that are never members
    (".question p:first-child { color: red; }", False),
    (".prompt + .opt { margin-top: 0; }", False),
    ("p ~ p { color: red; }", False),
    (".opt:not(:last-child) { color: red; }", False),
    ("@media print { .prompt:nth-child(2n) { color: red; } }", False),
    (".question::first-line { font-weight: 700; }", False),
    (".prompt::first-line { font-weight: 700; }", True),  # a member's own first line is the same among others
    ("h2:first-child { color: red; }", True),  # no member is an h2
    (".question:has(.opt) { color: red; }", False),
    ('@import "more.css";', False),
])
def test_a_rule_that_sees_siblings_keeps_the_pieces_apart(css, alone):
    assert members_stand_alone([css], [NUMBER, CELL]) is alone


def drawn(pdf: bytes) -> list[tuple[np.ndarray, list[tuple[str, tuple[float, ...]]]]]:
    """Each page rasterised at 100 dpi, with every character and its box (in points)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(io.BytesIO(pdf))
    pages = []
    for page in document:
        image = np.array(page.render(scale=100 / 72, grayscale=True).to_numpy(), copy=True)
        text = page.get_textpage()
        characters = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
        pages.append((image, characters))
    document.close()
    return pages


def assert_drawn_alike(ours: bytes, theirs: bytes, name: str) -> None:
    """The same characters at the same places (to a hundredth of a point), and the same pixels but for the odd
    edge of a glyph that the rasteriser snaps to the other side of a pixel."""
    ours_pages, their_pages = drawn(ours), drawn(theirs)
    assert len(ours_pages) == len(their_pages), name
    for (image, characters), (their_image, their_characters) in zip(ours_pages, their_pages):
        assert [c for c, _ in characters] == [c for c, _ in their_characters], name
        assert np.allclose([b for _, b in characters], [b for _, b in their_characters], atol=0.01), name
        differing = np.abs(image.astype(int) - their_image.astype(int)) > 64
        assert differing.mean() < 0.001, name


@pytest.fixture(scope="module")
def class_set():
    from quizgen.generate import generate_question_set
    from quizgen.load.pack import load_pack

    return generate_question_set(load_pack(DEFAULT_PACK), count=20, seed=1, versions=3)


def composed_pdfs(kind, question_set, monkeypatch=None) -> tuple[dict[str, bytes], str]:
    document = composed_document(kind, question_set, question_set.versions, Layouts.with_user_folders(), A4)
    return {r.file_name: r.data for r in composer._composed_pdfs(document)}, document.html


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["worksheet", "answer-key"])
def test_a_class_set_composed_from_groups_looks_as_one_from_pieces_alone(kind, class_set, monkeypatch):
    grouped, html = composed_pdfs(kind, class_set)
    assert html.count("data-qg-group") >= 4  # numbers, options or answer lines, characters, the running header
    monkeypatch.setattr(compose, "members_stand_alone", lambda *args: False)
    alone, html_alone = composed_pdfs(kind, class_set)
    assert "data-qg-group" not in html_alone
    assert sorted(grouped) == sorted(alone)
    for name in alone:
        assert page_texts(grouped[name]) == page_texts(alone[name]), name
        assert_drawn_alike(grouped[name], alone[name], name)


@pytest.mark.slow
def test_members_that_do_not_stack_are_laid_out_in_full(class_set, tmp_path: Path):
    """A user's stylesheet that sets the question numbers inline: the members share lines, so the class set is
    not composed from them but laid out in full, and still shows every question."""
    from quizgen.render.pdf import render_pdfs

    (tmp_path / "worksheet.css").write_text(
        (Path(compose.__file__).parents[2] / "templates" / "layouts" / "worksheet.css").read_text(encoding="utf-8")
        + "\n.prompt { display: inline; }\n", encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    document = composed_document("worksheet", class_set, class_set.versions, layouts, A4)
    assert "data-qg-group" in document.html
    with pytest.raises(compose.NotComposable):
        composer._composed_pdfs(document)
    pdfs = {r.file_name: r.data for r in render_pdfs(document)}
    assert len(pdfs) == len(class_set.versions)
    text = " ".join(page_texts(pdfs["worksheet-A.pdf"]))
    assert all(q.prompt.split()[0] in text for q in class_set.versions[0].questions if q.type != "cloze")


@pytest.mark.parametrize("css, styled", [
    (".question { padding: 3mm 0; } .type-cloze .prompt { margin: 0; }", {"question", "type-cloze", "prompt"}),
    (".opt:not(.wide) { margin: 0; } :is(.a, .b) p { color: red; }", {"opt", "wide", "a", "b"}),
    ('[class~="type-cloze"] p { color: red; }', None),  # the class attribute read as text: any class may matter
    ('@import "more.css";', None),
])
def test_the_classes_a_stylesheet_mentions(css, styled):
    assert classes_styled([css]) == (None if styled is None else frozenset(styled))


def test_a_class_no_rule_mentions_is_left_out():
    styled = frozenset({"question", "type-cloze"})
    assert without_unstyled_classes('<div class="question type-numeric" dir="auto">', styled) == \
        '<div class="question" dir="auto">'
    assert without_unstyled_classes('<div class="type-numeric">', styled) == "<div>"
    assert without_unstyled_classes("<div>", styled) == "<div>"


def test_question_numbers_are_shared_by_the_kinds_of_question_no_rule_tells_apart(class_set):
    """The built-in worksheet.css styles a cloze's prompt on its own: its numbers are pieces of their own, and
    every other kind of question shares one number per place."""
    document = composed_document("worksheet", class_set, class_set.versions, Layouts.with_user_folders(), A4)
    numbers = [html for html in document.pieces.values() if 'data-qg="num">' in html and "qg-hide" not in html]
    frames = {html[:html.index(">") + 1] for html in numbers}
    assert frames == {'<div class="question type-cloze qg-bare">', '<div class="question qg-bare">'}
    assert len(numbers) <= 2 * 20


def test_a_rule_for_one_kind_of_question_keeps_its_numbers_apart(class_set, tmp_path: Path):
    builtin = Path(compose.__file__).parents[2] / "templates" / "layouts" / "worksheet.css"
    (tmp_path / "worksheet.css").write_text(builtin.read_text(encoding="utf-8")
                                            + "\n.type-numeric .prompt { font-size: 14pt; }\n", encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    document = composed_document("worksheet", class_set, class_set.versions, layouts, A4)
    frames = {html[:html.index(">") + 1] for html in document.pieces.values()
              if 'data-qg="num">' in html and "qg-hide" not in html}
    assert '<div class="question type-numeric qg-bare">' in frames
