"""A single version's worksheet and key composed from pieces kept in a piece store (render/stored_composer.py): they
read as the full layout's, the bytes are the same whichever render laid each piece out, and a torn or corrupt entry
is laid out again, not read."""

from __future__ import annotations

import json

import pytest
from helpers import (damage_store_entry, drop_every_other_piece, make_sample_set, page_texts, piece_entries,
                     render_with_store)

from quizgen.render.compose import ComposedDocument, composed_document
from quizgen.render.html import answer_key_document, worksheet_document
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sheets.paper import PAPERS

pytestmark = pytest.mark.slow
A4 = PAPERS["a4"]
KINDS = {"worksheet": worksheet_document, "answer-key": answer_key_document}


@pytest.fixture(scope="module")
def question_set():
    return make_sample_set(versions=1)


@pytest.fixture(scope="module", params=["worksheet", "answer-key"])
def document(request, question_set) -> ComposedDocument:
    return composed_document(request.param, question_set, question_set.versions, Layouts.with_user_folders(), A4)


@pytest.fixture(scope="module")
def first_render(document, tmp_path_factory) -> bytes:
    return render_with_store(document, tmp_path_factory.mktemp("store") / "pieces")[0]


def test_a_stored_single_version_reads_as_the_full_layout(document, question_set, first_render):
    (full,) = render_pdfs(KINDS[document.kind](question_set, question_set.versions, Layouts.with_user_folders(), A4))
    assert page_texts(first_render) == page_texts(full.data)


def test_a_render_from_the_store_gives_the_same_bytes_and_lays_nothing_out(document, first_render, tmp_path):
    store = tmp_path / "pieces"
    first, laid = render_with_store(document, store)
    pieces = len(document.pieces) + 1  # and the running title with the page's geometry
    assert laid == {"laid_out": pieces, "reused": 0}
    assert len(piece_entries(store)) == pieces
    second, laid = render_with_store(document, store)
    assert laid == {"laid_out": 0, "reused": pieces}
    assert first == second == first_render


def test_pieces_laid_out_by_different_renders_make_the_same_bytes(document, first_render, tmp_path):
    store = tmp_path / "pieces"
    render_with_store(document, store)
    dropped = drop_every_other_piece(store)
    data, laid = render_with_store(document, store)
    assert laid["laid_out"] == len(dropped)
    assert data == first_render


@pytest.mark.parametrize("damage", ["torn", "flipped byte", "not an entry", "measurements lost", "font lost",
                                    "subset torn"])
def test_a_torn_or_corrupt_entry_is_laid_out_again(document, first_render, tmp_path, damage):
    store = tmp_path / "pieces"
    render_with_store(document, store)
    entry = piece_entries(store)[3]
    if damage == "measurements lost":
        header, body = entry.read_bytes().split(b"\n", 1)
        values = json.loads(header)
        values["extra"]["measured"] = values["extra"].get("measured") and {"page": 0}
        values["extra"]["facts"] = values["extra"].get("facts") and {"width": "wide"}
        entry.write_bytes(json.dumps(values).encode() + b"\n" + body)
    elif damage == "subset torn":
        subsets = sorted(store.glob("subset-*.font"))
        assert subsets  # one per font the file uses
        for subset in subsets:
            subset.write_bytes(subset.read_bytes()[:-100])
    fonts = [] if damage in ("measurements lost", "subset torn") else damage_store_entry(entry, store, damage)
    result, laid = render_with_store(document, store)
    assert result == first_render
    if damage == "subset torn":
        assert laid["laid_out"] == 0  # only the fonts are subset again
    else:
        assert laid["laid_out"] >= 1
    if damage == "font lost":
        assert sorted(store.glob("font-*.font")) == fonts  # stored again
