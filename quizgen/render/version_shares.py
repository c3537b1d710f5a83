"""The versions of one composed worksheet or key document composed on every core. A render worker lays the pieces
out and cuts them once, into a file in the build's spool folder; then the versions are composed in shares, each by
whichever worker is free first, so that one document's composing does not wait on one core while the other has
finished its own. A version's file is the same bytes whichever share composes it (the pieces document is opened
again from its bytes, its resources gathered from the same pages in the same order), and the bytes of `--jobs 1`.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace
from pathlib import Path

from ..files import read_own_file, write_new_file
from .compose import ComposedDocument, NotComposable
from .composer import WHOLE_PAGES, composed_versions, cut_document, laid_out_in_full
from .pieces import reopened
from .weasy import font_dates_kept

SMALLEST_SHARE = 20  # versions: a share costs its worker some 20 ms of its own (the fork, the cut file read back)
SHARES_PER_JOB = 2  # a large set in a few shares a worker, so that the workers finish close together


@dataclass(frozen=True)
class VersionShare:
    """A run of a document's versions to compose from its cut file: the document holds only those versions, and
    not its pieces' HTML, which only laying them out needs, so that a worker gets it quickly."""

    document: ComposedDocument
    cut: Path
    fraction: float  # of the document's versions: its part of the seconds that laying out took


def version_shares(document, jobs: int) -> list[VersionShare]:
    """The versions of `document` in shares to compose on `jobs` cores; none when it is not a composed document of
    several versions written to a spool folder, or too small to be worth sharing. A single version, composed from
    the piece store, is never shared."""
    if jobs < 2 or not isinstance(document, ComposedDocument) or document.spool is None:
        return []
    total = len(document.versions)
    count = min(total // SMALLEST_SHARE, jobs * SHARES_PER_JOB)
    if count < 2:
        return []
    bare = replace(document, html="", pieces={})
    bounds = [(total * n // count, total * (n + 1) // count) for n in range(count)]
    return [VersionShare(replace(bare, versions=document.versions[start:stop],
                                 source_versions=document.source_versions[start:stop]),
                         cut_file(document), (stop - start) / total) for start, stop in bounds]


def lay_out_for_shares(document: ComposedDocument) -> tuple | None:
    """In a render worker: lay the pieces out and cut them into the document's cut file; None. A layout that turns
    out not to compose is laid out in full here instead, and its PDFs are returned (the shares then compose none)."""
    try:
        with font_dates_kept():
            cut = cut_document(document, collect=False)  # the worker ends with the task: nothing to free
    except NotComposable:
        full_marker(cut_file(document)).touch()
        return laid_out_in_full(document)
    kept = (cut.pdf_bytes, cut.streams.contents, cut.streams.fonts, cut.measured, cut.facts, cut.seconds)
    path = cut_file(document)
    partial = path.with_suffix(".part")
    write_new_file(partial, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL), mode=0o600)
    partial.replace(path)
    return None


def compose_share(share: VersionShare) -> tuple | None:
    """In a render worker: the PDFs of the share's versions, composed from its document's cut file; none when the
    document was laid out in full by its cut. None when the pieces turn out not to compose for one of its versions
    (a key entry taller than a page in that version's wording): the whole document is then laid out in full, as a
    single render does, so that the files do not depend on how the versions were shared out."""
    if full_marker(share.cut).is_file():
        return ()
    # only a file this user wrote and only this user can write is unpickled: the build's own worker wrote it into
    # the build's spool folder a moment ago
    kept = read_own_file(share.cut)
    if kept is None:
        raise RuntimeError(f"the cut pieces {share.cut.name} are missing from the build's spool folder "
                           f"{share.cut.parent}, or are not this build's own")
    pdf_bytes, contents, fonts, measured, facts, seconds = pickle.loads(kept)
    streams = reopened(pdf_bytes, contents, fonts, measured, WHOLE_PAGES)
    try:
        return composed_versions(share.document, streams, measured, facts, seconds * share.fraction)
    except NotComposable:
        return None


def cut_file(document: ComposedDocument) -> Path:
    return document.spool / f".{document.versions[0].file_name}.cut"


def full_marker(cut: Path) -> Path:
    """Left in place of the cut file by a cut that laid its document out in full, for the document's shares."""
    return cut.with_suffix(".full")
