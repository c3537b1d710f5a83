"""Flashcards composed from card sides kept in a piece store: the sheets read as the full layout's, the bytes are
the same whichever render laid each side out, and a torn or corrupt entry is laid out again, not read."""

from __future__ import annotations

import dataclasses
import io

import pytest
from helpers import damage_store_entry, drop_every_other_piece, page_texts, piece_entries, render_with_store
from pypdf import PdfReader
from test_render_cards import eleven_card_set

from quizgen.render.card_composer import store_fingerprint
from quizgen.render.card_pieces import ComposedCards, piece_key, pieces_document, slot_of
from quizgen.render.flashcards import flashcards_document
from quizgen.render.imposition import Grid, Offset
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.render.piece_store import statistics_file
from quizgen.sheets.paper import PAPERS

A4 = PAPERS["a4"]


@pytest.fixture(scope="module")
def cards() -> ComposedCards:
    document = flashcards_document(eleven_card_set(), Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset())
    assert isinstance(document, ComposedCards)
    return document


@pytest.fixture(scope="module")
def without_store(cards) -> bytes:
    return render_pdfs(cards)[0].data


def test_composed_sheets_read_as_the_full_layout(cards, without_store):
    full = render_pdfs(cards.full_document())[0].data
    assert page_texts(without_store) == page_texts(full)
    assert len(page_texts(full)) == 4  # eleven cards: two sheets of fronts and backs
    fonts = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(without_store)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("+" in name for name in fonts)  # embedded subsets


def test_a_render_from_the_store_gives_the_same_bytes_and_lays_nothing_out(cards, without_store, tmp_path):
    store = tmp_path / "pieces"
    first, laid = render_with_store(cards, store)
    assert laid == {"laid_out": len(cards.pieces), "reused": 0}
    assert len(piece_entries(store)) == len(cards.pieces)
    second, laid = render_with_store(cards, store)
    assert laid == {"laid_out": 0, "reused": len(cards.pieces)}
    assert first == second == without_store


def test_the_sheets_fonts_are_subset_once_and_a_torn_subset_is_made_again(cards, without_store, tmp_path,
                                                                            monkeypatch):
    from quizgen.render import font_subsets

    store = tmp_path / "pieces"
    render_with_store(cards, store)
    subsets = sorted(store.glob("subset-flashcards.pdf*.font"))
    assert subsets  # one per font the sheets use
    made = []
    subset = font_subsets.subset_font_file
    monkeypatch.setattr(font_subsets, "subset_font_file", lambda *args: made.append(args) or subset(*args))
    assert render_with_store(cards, store)[0] == without_store
    assert made == []  # every font taken from the store
    subsets[0].write_bytes(subsets[0].read_bytes()[:-100])
    assert render_with_store(cards, store)[0] == without_store
    assert len(made) == 1


def test_sides_laid_out_by_different_renders_make_the_same_bytes(cards, without_store, tmp_path):
    store = tmp_path / "pieces"
    render_with_store(cards, store)
    dropped = drop_every_other_piece(store)
    data, laid = render_with_store(cards, store)
    assert laid == {"laid_out": len(dropped), "reused": len(cards.pieces) - len(dropped)}
    assert data == without_store


@pytest.mark.parametrize("damage", ["torn", "flipped byte", "not an entry", "font lost"])
def test_a_torn_or_corrupt_entry_is_laid_out_again(cards, without_store, tmp_path, damage):
    store = tmp_path / "pieces"
    render_with_store(cards, store)
    fonts = damage_store_entry(piece_entries(store)[3], store, damage)
    statistics_file(store, "flashcards.pdf").unlink()
    result, laid = render_with_store(cards, store)
    assert result == without_store
    assert laid["laid_out"] == (len(cards.pieces) if damage == "font lost" else 1)  # every side has text
    if damage == "font lost":
        assert sorted(store.glob("font-*.font")) == fonts  # stored again


def test_a_changed_card_lays_out_only_its_changed_side(cards, tmp_path):
    store = tmp_path / "pieces"
    render_with_store(cards, store)
    question_set = eleven_card_set()
    changed = next(q for q in question_set.questions if q.type == "multiple-choice")
    edited = dataclasses.replace(question_set, questions=tuple(
        dataclasses.replace(q, explanation=q.explanation + " (edited)") if q is changed else q
        for q in question_set.questions))
    document = flashcards_document(edited, Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset())
    data, laid = render_with_store(document, store)
    assert laid == {"laid_out": 1, "reused": len(document.pieces) - 1}  # the card's back
    assert data == render_pdfs(document)[0].data
    assert "(edited)" in " ".join(page_texts(data))


def look_alike(pdf: bytes, other: bytes) -> bool:
    """The same pages at 150 dpi, up to 2 levels of grey in 255 (a line's edge a hundredth of a pixel away, where a
    piece is moved to its place by a fraction of a point)."""
    import pypdfium2 as pdfium
    from PIL import ImageChops

    pages, others = pdfium.PdfDocument(pdf), pdfium.PdfDocument(other)
    return len(pages) == len(others) and all(
        ImageChops.difference(*(p.render(scale=150 / 72, grayscale=True).to_pil() for p in pair)).getextrema()[1] <= 2
        for pair in zip(pages, others))


def test_a_fronts_furniture_is_laid_out_once_and_drawn_on_every_front(cards, without_store):
    furniture = {piece_id for piece_id, piece in cards.pieces.items() if "furniture" in piece.html}
    fronts = [placed for sheet in cards.sheets for placed in sheet.placed
              if 'class="card front ' in cards.pieces[placed.piece].html and placed.piece not in furniture]
    assert len(furniture) == len({(cards.pieces[p].kind, cards.pieces[p].html) for p in furniture}) >= 1
    drawn = [placed for sheet in cards.sheets for placed in sheet.placed if placed.piece in furniture]
    assert len(drawn) == len(fronts) == 11 and {(p.x, p.y) for p in drawn} == {(p.x, p.y) for p in fronts}
    assert all("tick" not in cards.pieces[p.piece].html for p in fronts)
    assert look_alike(without_store, render_pdfs(cards.full_document())[0].data)


def test_a_pieces_layout_of_an_earlier_quizgen_draws_the_furniture_in_every_front(tmp_path, without_store):
    """Before card_furniture, card_side took no `furniture` and drew the ticks and the pack's name itself: its
    sheets compose, and look exactly as those whose furniture is one piece drawn over every front."""
    import re

    builtin = (Layouts.with_user_folders().folders[-1] / "flashcard-pieces.html").read_text(encoding="utf-8")
    earlier = re.sub(r"\{%- macro card_furniture.*?\{% endmacro %\}|\{% macro card_furniture.*?\{% endmacro %\}", "",
                     builtin, flags=re.DOTALL)
    earlier = earlier.replace(", furniture=true)", ")").replace("{% if furniture %}", "{% if true %}")
    assert "card_furniture" not in earlier.split("{#")[0] and "furniture=true" not in earlier
    (tmp_path / "flashcard-pieces.html").write_text(earlier, encoding="utf-8")
    document = flashcards_document(eleven_card_set(), Layouts.with_user_folders([tmp_path]), A4, Grid(2, 4), "long",
                                   Offset())
    assert isinstance(document, ComposedCards)
    assert not any("furniture" in piece.html for piece in document.pieces.values())
    fronts = [p for p in document.pieces.values() if 'class="card front ' in p.html]
    assert len(fronts) == 11 and all('class="tick"' in p.html for p in fronts)
    assert look_alike(render_pdfs(document)[0].data, without_store)


def test_a_user_stylesheet_has_each_front_laid_out_with_its_furniture(tmp_path, without_store):
    """The furniture's card has the front's classes: a user's rule for them (a background here) would be drawn again
    over the front, hiding its words. With a user's stylesheet, each front is laid out whole."""
    builtin = Layouts.with_user_folders().folders[-1] / "flashcards.css"
    (tmp_path / "flashcards.css").write_text(builtin.read_text(encoding="utf-8")
                                             + "\n.card.front { background: #fff3c4; }\n", encoding="utf-8")
    layouts = Layouts.with_user_folders([tmp_path])
    document = flashcards_document(eleven_card_set(), layouts, A4, Grid(2, 4), "long", Offset())
    assert isinstance(document, ComposedCards)
    assert not any("furniture" in piece.html for piece in document.pieces.values())
    assert look_alike(render_pdfs(document)[0].data, render_pdfs(document.full_document())[0].data)


def test_furniture_is_left_out_by_name_whatever_the_sides_other_arguments(tmp_path):
    builtin = (Layouts.with_user_folders().folders[-1] / "flashcard-pieces.html").read_text(encoding="utf-8")
    (tmp_path / "flashcard-pieces.html").write_text(builtin.replace(
        "leitner_boxes, furniture=true)", "leitner_boxes, show_id=true, furniture=true)"), encoding="utf-8")
    document = flashcards_document(eleven_card_set(), Layouts.with_user_folders([tmp_path]), A4, Grid(2, 4), "long",
                                   Offset())
    fronts = [p for p in document.pieces.values() if 'class="card front ' in p.html and "furniture" not in p.html]
    assert len(fronts) == 11 and not any('class="tick"' in p.html for p in fronts)
    assert sum("furniture" in p.html for p in document.pieces.values()) == 1


def test_a_user_flashcards_html_is_laid_out_in_full(tmp_path):
    (tmp_path / "flashcards.html").write_text(
        (Layouts.with_user_folders().folders[-1] / "flashcards.html").read_text(encoding="utf-8"), encoding="utf-8")
    document = flashcards_document(eleven_card_set(), Layouts.with_user_folders([tmp_path]), A4, Grid(2, 4), "long",
                                   Offset())
    assert not isinstance(document, ComposedCards)


def test_a_card_side_with_an_image_is_laid_out_in_full_and_still_printed(tmp_path):
    """Composing reproduces text and rules; a side that draws an image is not composed, and the cards come out
    laid out in full, image and all."""
    from PIL import Image

    Image.new("RGB", (8, 8), "red").save(tmp_path / "mark.png")
    pieces = (Layouts.with_user_folders().folders[-1] / "flashcard-pieces.html").read_text(encoding="utf-8")
    (tmp_path / "flashcard-pieces.html").write_text(
        pieces.replace('<span class="card-id">', '<img src="mark.png" style="width: 3mm"><span class="card-id">', 1),
        encoding="utf-8")
    document = flashcards_document(eleven_card_set(), Layouts.with_user_folders([tmp_path]), A4, Grid(2, 4), "long",
                                   Offset())
    assert isinstance(document, ComposedCards)  # the structure is the built-in one: composing is tried
    (pdf,) = render_pdfs(document)
    reader = PdfReader(io.BytesIO(pdf.data))
    assert "composed" not in str(reader.metadata.producer)
    assert all("/XObject" in page["/Resources"] and page["/Resources"]["/XObject"] for page in reader.pages)
    assert page_texts(pdf.data) == page_texts(render_pdfs(document.full_document())[0].data)


def test_a_side_whose_text_runs_past_its_box_leaves_the_sides_beside_it_alone(tmp_path):
    """A card's text longer than the card is clipped; it must not land in the piece laid out under it, or that
    piece would be other bytes when laid out beside other sides."""
    question_set = eleven_card_set()
    long = next(q for q in question_set.questions if q.type == "multiple-choice")
    store = tmp_path / "pieces"
    for repeats in range(30, 90):  # a length whose side is laid out right above another side
        edited = dataclasses.replace(question_set, questions=tuple(
            dataclasses.replace(q, explanation=" ".join([q.explanation] * repeats)) if q is long else q
            for q in question_set.questions))
        document = dataclasses.replace(
            flashcards_document(edited, Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset()), store=store)
        fingerprint = store_fingerprint(document)
        slots = {p: slot_of(piece_key(document, p, fingerprint)) for p in document.pieces}
        _, where = pieces_document(document, slots)
        side = next(p for p, piece in document.pieces.items() if "\n".join([long.explanation] * 2) in piece.html
                    or " ".join([long.explanation] * 2) in piece.html)
        if any(spot.page == where[side].page and spot.slot == where[side].slot + 1 for spot in where.values()):
            break
    else:
        pytest.fail("no length puts the long side above another")
    together = render_pdfs(dataclasses.replace(document, store=None))[0].data
    render_with_store(document, store)
    kept = next(path for path in piece_entries(store) if path.stem == piece_key(document, side, fingerprint))
    for path in piece_entries(store):
        if path != kept:
            path.unlink()  # every other side is laid out again, without the long one beside it
    data, laid = render_with_store(document, store)
    assert laid == {"laid_out": len(document.pieces) - 1, "reused": 1}
    assert data == together


def test_the_default_packs_composed_cards_read_as_their_full_layout(tmp_path):
    """Every side of a real deck, wherever its key puts it in the pieces document: a side in the last slot of a
    page whose text runs on past the page must not lose that text to the next page's first side."""
    from helpers import DEFAULT_PACK

    from quizgen.build.generating import load_and_generate
    from quizgen.render.card_composer import composed_cards_pdf
    from quizgen.sandbox import Task, run_all_bounded

    _, question_set = load_and_generate(DEFAULT_PACK, cache=False, count=20, seed=1)
    document = flashcards_document(question_set, Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset(),
                                   content_folders=(DEFAULT_PACK,))
    assert isinstance(document, ComposedCards)
    # the two layouts side by side, one per core
    composed, (full,) = run_all_bounded([Task(composed_cards_pdf, (document,), "cards"),
                                         Task(render_pdfs, (document.full_document(),), "cards")], jobs=2)
    assert page_texts(composed.data) == page_texts(full.data)
