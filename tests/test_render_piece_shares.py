"""A composed document's new pieces laid out in shares, each by a worker of its own, into the piece store: the
document then composes from the store alone, to the bytes of one render that lays out every piece."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import make_sample_set, render_with_store
from test_render_cards import eleven_card_set

from quizgen.render import piece_shares
from quizgen.render.compose import composed_document
from quizgen.render.flashcards import flashcards_document
from quizgen.render.imposition import Grid, Offset
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sandbox import BoundedRun, Task
from quizgen.sheets.paper import PAPERS

pytestmark = pytest.mark.slow
A4 = PAPERS["a4"]


def cards():
    return flashcards_document(eleven_card_set(), Layouts.with_user_folders(), A4, Grid(2, 4), "long", Offset())


def worksheet():
    question_set = make_sample_set(versions=1)
    return composed_document("worksheet", question_set, question_set.versions, Layouts.with_user_folders(), A4)


@pytest.fixture
def small_shares(monkeypatch):
    monkeypatch.setattr(piece_shares, "SMALLEST_SHARE", 3)  # the test documents have a few dozen pieces


@pytest.mark.parametrize("make", [cards, worksheet], ids=["flashcards", "worksheet"])
def test_shares_laid_out_by_separate_workers_compose_to_the_bytes_of_one_render(make, small_shares, tmp_path):
    document = dataclasses.replace(make(), store=tmp_path / "pieces")
    alone = render_pdfs(dataclasses.replace(document, store=tmp_path / "other"))[0].data
    found = piece_shares.shares(document, 3)
    assert len(found) == 3
    every = [piece_id for share in found for piece_id in share]
    assert len(every) == len(set(every)) and set(every) == set(document.pieces)  # each piece once
    with BoundedRun([Task(piece_shares.lay_out_share, (document, share), "test") for share in found],
                    jobs=3) as run:
        assert run.results() == [len(share) for share in found]
    assert piece_shares.shares(document, 3) == []  # nothing left to lay out
    data, laid = render_with_store(document, document.store)
    stored = len(document.pieces) + (make is worksheet)  # a worksheet's running title is a piece too
    assert laid == {"laid_out": 0, "reused": stored}
    assert data == alone


def test_nothing_is_shared_on_one_core_without_a_store_or_with_few_pieces(small_shares, tmp_path):
    document = cards()
    assert piece_shares.shares(document, 4) == []  # no store: the render lays everything out itself
    stored = dataclasses.replace(document, store=tmp_path / "pieces")
    assert piece_shares.shares(stored, 1) == []
    assert len(piece_shares.shares(stored, 2)) == 2
    piece_shares.SMALLEST_SHARE = len(document.pieces)
    assert piece_shares.shares(stored, 2) == []  # one share's worth: no second worker is worth its start


def test_a_version_set_of_several_versions_is_not_shared(small_shares, tmp_path):
    question_set = make_sample_set(versions=2)
    document = composed_document("worksheet", question_set, question_set.versions, Layouts.with_user_folders(), A4)
    assert piece_shares.shares(dataclasses.replace(document, store=tmp_path / "pieces"), 2) == []


def test_a_share_that_does_not_compose_leaves_the_document_to_its_full_layout(small_shares, tmp_path):
    """A side that draws an image is not composed: its share lays nothing out, and the render that follows
    lays the cards out in full, image and all."""
    from PIL import Image

    Image.new("RGB", (8, 8), "red").save(tmp_path / "mark.png")
    pieces = (Layouts.with_user_folders().folders[-1] / "flashcard-pieces.html").read_text(encoding="utf-8")
    (tmp_path / "flashcard-pieces.html").write_text(
        pieces.replace('<span class="card-id">', '<img src="mark.png" style="width: 3mm"><span class="card-id">', 1),
        encoding="utf-8")
    document = dataclasses.replace(
        flashcards_document(eleven_card_set(), Layouts.with_user_folders([tmp_path]), A4, Grid(2, 4), "long",
                            Offset()), store=tmp_path / "pieces")
    found = piece_shares.shares(document, 2)
    assert [piece_shares.lay_out_share(document, share) for share in found] == [0, 0]
    (pdf,) = render_pdfs(document)
    assert pdf.data == render_pdfs(document.full_document())[0].data
