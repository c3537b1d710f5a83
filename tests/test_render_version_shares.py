"""A composed document's versions composed in shares, each by a worker of its own, from the pieces one worker laid
out and cut: the same files, byte for byte, as one render of the whole document."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import long_choice_set, make_sample_set, three_version_set

from quizgen.render import version_shares
from quizgen.render.compose import composed_document
from quizgen.render.layouts import Layouts
from quizgen.render.pdf import render_pdfs
from quizgen.sandbox import BoundedRun, Task
from quizgen.sheets.paper import PAPERS

pytestmark = pytest.mark.slow
A4 = PAPERS["a4"]


def document(kind: str, spool, question_set=None):
    question_set = question_set or three_version_set()
    made = composed_document(kind, question_set, question_set.versions, Layouts.with_user_folders(), A4)
    spool.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(made, spool=spool)


@pytest.fixture
def small_shares(monkeypatch):
    monkeypatch.setattr(version_shares, "SMALLEST_SHARE", 1)  # the test documents have a few versions


def composed_in_shares(whole, jobs: int) -> list:
    """The PDFs of `whole` as a build makes them: its cut, then its shares, each task in a worker of its own."""
    shares = version_shares.version_shares(whole, jobs)
    tasks = [Task(version_shares.lay_out_for_shares, (whole,), "test")]
    tasks += [Task(version_shares.compose_share, (share,), "test") for share in shares]
    with BoundedRun(tasks, jobs=jobs, after={n: {0} for n in range(1, len(tasks))}) as run:
        cut, *composed = run.results()
    return list(cut) if cut is not None else [pdf for pdfs in composed for pdf in pdfs]


@pytest.mark.parametrize("kind", ["worksheet", "answer-key"])
def test_versions_composed_in_shares_are_the_bytes_of_one_render(kind, small_shares, tmp_path):
    whole = document(kind, tmp_path / "spool")
    alone = render_pdfs(dataclasses.replace(whole, spool=None))
    shares = version_shares.version_shares(whole, 2)
    assert len(shares) == 3  # a version each (the smallest share made one version for the test)
    assert [v for share in shares for v in share.document.versions] == list(whole.versions)
    assert sum(share.fraction for share in shares) == pytest.approx(1.0)
    # a share carries its versions, and none of the pieces' HTML
    assert [v for share in shares for v in share.document.source_versions] == list(whole.source_versions)
    assert all(s.document.html == "" and not s.document.pieces for s in shares)
    pdfs = composed_in_shares(whole, 2)
    assert [pdf.file_name for pdf in pdfs] == [pdf.file_name for pdf in alone]
    assert [pdf.data for pdf in pdfs] == [pdf.data for pdf in alone]


def test_nothing_is_shared_on_one_core_without_a_spool_or_with_few_versions(small_shares, tmp_path):
    whole = document("worksheet", tmp_path / "spool")
    assert version_shares.version_shares(whole, 1) == []
    assert version_shares.version_shares(dataclasses.replace(whole, spool=None), 2) == []
    single = document("worksheet", tmp_path / "single", question_set=make_sample_set(versions=1))
    assert version_shares.version_shares(single, 2) == []  # one version: composed from the piece store
    version_shares.SMALLEST_SHARE = 3
    assert version_shares.version_shares(whole, 2) == []  # three versions are one share's worth


def test_versions_whose_pieces_do_not_compose_are_laid_out_in_full_by_their_shares(small_shares, tmp_path):
    three = long_choice_set("ABC")
    whole = document("worksheet", tmp_path / "spool", question_set=three)
    assert len(version_shares.version_shares(whole, 2)) == 3
    pdfs = composed_in_shares(whole, 2)
    assert [pdf.data for pdf in pdfs] == [pdf.data for pdf in render_pdfs(whole.full_document())]


def test_a_document_whose_layout_does_not_compose_is_laid_out_in_full_by_its_cut(small_shares, tmp_path):
    """Pieces laid out together whose members do not stack (a rule sets them side by side) are found out by the
    cut, which lays the whole document out in full; its shares then find no cut file and compose nothing."""
    whole = document("worksheet", tmp_path / "spool")
    whole = dataclasses.replace(whole, html=whole.html.replace(
        "</head>", "<style>[data-qg-member] { display: inline; }</style></head>", 1))
    pdfs = version_shares.lay_out_for_shares(whole)
    assert [pdf.data for pdf in pdfs] == [pdf.data for pdf in render_pdfs(whole.full_document())]
    assert not list((tmp_path / "spool").glob(".*.cut"))
    assert all(version_shares.compose_share(share) == () for share in version_shares.version_shares(whole, 2))
