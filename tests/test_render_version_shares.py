"""A composed document's versions composed in shares, each by a worker of its own, from the pieces one worker laid
out and cut: the same files, byte for byte, as one render of the whole document, whether the pieces compose or not."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import long_choice_set, make_sample_set, three_version_set

from quizgen.build.run import Renderer
from quizgen.render import composer, version_shares
from quizgen.render.compose import NotComposable, composed_document
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


def rendered_in_shares(whole, jobs: int = 2) -> list[bytes]:
    """The PDFs of `whole` as a build makes them (build/run.py's Renderer): its cut, then its shares, each task in a
    worker of its own, and the whole document laid out in full when a share does not compose."""
    with Renderer([whole], jobs=jobs) as renderer:
        shares = len(version_shares.version_shares(whole, jobs))
        assert [kind for _, kind, _ in renderer.steps] == ["cut"] + ["versions"] * shares
        (pdfs,) = renderer.results()
    return [pdf.data for pdf in pdfs]


def data_of(pdfs) -> list[bytes]:
    return [pdf.data for pdf in pdfs]


@pytest.mark.parametrize("kind", ["worksheet", "answer-key"])
def test_versions_composed_in_shares_are_the_bytes_of_one_render(kind, small_shares, tmp_path):
    whole = document(kind, tmp_path / "spool")
    alone = render_pdfs(dataclasses.replace(whole, spool=None))
    shares = version_shares.version_shares(whole, 2)
    assert len(shares) == 3  # a version each (the smallest share made one version for the test)
    assert [v for share in shares for v in share.document.versions] == list(whole.versions)
    assert [v for share in shares for v in share.document.source_versions] == list(whole.source_versions)
    assert sum(share.fraction for share in shares) == pytest.approx(1.0)
    assert all(s.document.html == "" and not s.document.pieces for s in shares)  # not the pieces' HTML
    assert version_shares.lay_out_for_shares(whole) is None and shares[0].cut.is_file()  # composed, not in full
    with BoundedRun([Task(version_shares.compose_share, (share,), "test") for share in shares], jobs=2) as run:
        pdfs = [pdf for found in run.results() for pdf in found]
    assert [pdf.file_name for pdf in pdfs] == [pdf.file_name for pdf in alone]
    assert data_of(pdfs) == data_of(alone)
    assert rendered_in_shares(document(kind, tmp_path / "again")) == data_of(alone)


def test_nothing_is_shared_on_one_core_without_a_spool_or_with_few_versions(small_shares, tmp_path):
    whole = document("worksheet", tmp_path / "spool")
    assert version_shares.version_shares(whole, 1) == []
    assert version_shares.version_shares(dataclasses.replace(whole, spool=None), 2) == []
    single = document("worksheet", tmp_path / "single", question_set=make_sample_set(versions=1))
    assert version_shares.version_shares(single, 2) == []  # one version: composed from the piece store
    version_shares.SMALLEST_SHARE = 3
    assert version_shares.version_shares(whole, 2) == []  # three versions are one share's worth


def test_a_version_that_does_not_compose_lays_the_whole_document_out_in_full(small_shares, tmp_path, monkeypatch):
    """As one render's fallback does: the files never depend on how the versions were shared out (a key entry can be
    taller than a page in one version's wording only)."""
    pages = composer.Composer.pages

    def not_in_version_b(self, plan):
        if plan.file_name.endswith("-B.pdf"):
            raise NotComposable("a block taller than a page, in version B only")
        return pages(self, plan)

    monkeypatch.setattr(composer.Composer, "pages", not_in_version_b)
    whole = document("answer-key", tmp_path / "spool")
    full = data_of(render_pdfs(whole.full_document()))
    assert data_of(render_pdfs(dataclasses.replace(whole, spool=None))) == full
    assert rendered_in_shares(whole) == full


def test_a_choice_too_long_for_its_line_lays_the_whole_document_out_in_full(small_shares, tmp_path):
    whole = document("worksheet", tmp_path / "spool", question_set=long_choice_set("ABC"))
    assert rendered_in_shares(whole) == data_of(render_pdfs(whole.full_document()))


def test_a_document_whose_layout_does_not_compose_is_laid_out_in_full_by_its_cut(small_shares, tmp_path):
    """Pieces laid out together whose members do not stack (a rule sets them side by side) are found out by the
    cut, which lays the whole document out in full; its shares then compose nothing."""
    whole = document("worksheet", tmp_path / "spool")
    whole = dataclasses.replace(whole, html=whole.html.replace(
        "</head>", "<style>[data-qg-member] { display: inline; }</style></head>", 1))
    full = data_of(render_pdfs(whole.full_document()))
    assert data_of(version_shares.lay_out_for_shares(whole)) == full
    assert all(version_shares.compose_share(share) == () for share in version_shares.version_shares(whole, 2))
    (tmp_path / "again").mkdir()
    assert rendered_in_shares(dataclasses.replace(whole, spool=tmp_path / "again")) == full


def test_a_share_whose_cut_pieces_are_missing_stops_with_one_line(small_shares, tmp_path):
    whole = document("worksheet", tmp_path / "spool")
    share = version_shares.version_shares(whole, 2)[1]
    with pytest.raises(RuntimeError, match="cut pieces .* are missing from the build's spool folder"):
        version_shares.compose_share(share)


def test_cut_pieces_that_others_could_have_written_are_never_unpickled(small_shares, tmp_path):
    whole = document("worksheet", tmp_path / "spool")
    (share,) = version_shares.version_shares(whole, 2)[:1]
    assert version_shares.lay_out_for_shares(whole) is None
    share.cut.chmod(0o664)  # as a file another user of a shared folder could have put there
    with pytest.raises(RuntimeError, match="or are not this build's own"):
        version_shares.compose_share(share)
