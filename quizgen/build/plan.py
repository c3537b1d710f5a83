"""The documents a build renders, planned from its options: worksheets and keys (composed, or one per chunk of
versions), flashcards, calibration, answer sheets."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import display_path
from ..model import QuestionSet, Version
from ..render.calibration import calibration_document
from ..render.compose import ComposedDocument, NotComposable, composable, composed_document
from ..render.flashcards import flashcards_document
from ..render.html import answer_key_document, worksheet_document
from ..render.layouts import Document, Layouts
from ..sheets.paper import PAPERS
from ..text import counted
from .options import BuildOptions


def files_summary(documents: list, options: BuildOptions, folder: Path) -> str:
    """What the build will write and where, said before it starts: 'building 83 files into out/pack: 40
    worksheets, …'."""
    counts: dict[str, int] = {}
    for document in documents:
        for part in document.parts:
            kind = ("worksheet" if part.file_name.startswith("worksheet-") else
                    "answer key" if part.file_name.startswith("answer-key-") else part.file_name)
            counts[kind] = counts.get(kind, 0) + 1
    parts = [counted(n, kind) if kind in ("worksheet", "answer key") else kind for kind, n in counts.items()]
    total = sum(counts.values())
    if options.wants("questions"):
        parts.append("questions.json")
        total += 1
    if options.wants("exports"):
        from ..export import FORMATS
        from ..export.docx import build_file_count

        parts.append(f"{len(FORMATS)} exports")
        total += len(FORMATS) - 1 + build_file_count(options.versions)  # docx: a worksheet and key per version
    return f"building {counted(total, 'file')} into {display_path(folder)}: {', '.join(parts)} (and manifest.json)"


PLANNED = ("worksheets", "keys", "flashcards", "calibration", "answer-sheets")  # each planned on its own


def plan_documents(question_set: QuestionSet, options: BuildOptions, layouts: Layouts,
                   content_folders: tuple[Path, ...] = ()) -> list[Document]:
    """The HTML documents of this build, in the order of PLANNED; versions are split into one chunk per job."""
    return [document for wanted in planned(options)
            for document in plan_output(wanted, question_set, options, layouts, content_folders)]


def planned(options: BuildOptions) -> list[str]:
    """The outputs of PLANNED this build makes: each is planned by plan_output, on a core of its own if need be
    (a 500-version set's worksheets and keys take a second each to plan)."""
    return [wanted for wanted in PLANNED if options.wants(wanted)]


def plan_output(wanted: str, question_set: QuestionSet, options: BuildOptions, layouts: Layouts,
                content_folders: tuple[Path, ...] = ()) -> list[Document]:
    """The documents of one of PLANNED."""
    paper = PAPERS[options.paper]
    if wanted in ("worksheets", "keys"):
        chunks = version_chunks(question_set.versions, options.jobs or os.cpu_count() or 1)
        kind, full = ("worksheet", worksheet_document) if wanted == "worksheets" else ("answer-key",
                                                                                       answer_key_document)
        return versioned_documents(kind, full, question_set, chunks, layouts, paper, content_folders)
    if wanted == "flashcards":
        return [flashcards_document(question_set, layouts, paper, options.cards, options.flip, options.back_offset,
                                    fold=fold, content_folders=content_folders)
                for fold in ((False, True) if options.fold else (False,))]
    if wanted == "calibration":
        return [calibration_document(layouts, paper, options.flip, options.back_offset)]
    from ..render.answer_sheets import answer_sheets_document, build_sheets

    sheets = build_sheets(question_set, paper, options.students, options.inputs, options.class_list)
    return [answer_sheets_document(sheets, layouts, question_set.language, content_folders)]


def versioned_documents(kind, full, question_set: QuestionSet, chunks: list[tuple[Version, ...]], layouts: Layouts,
                        paper, content_folders: tuple[Path, ...]) -> list[Document | ComposedDocument]:
    """One composed document of every version (each question laid out once; a single version's pieces kept
    across builds in the piece store, so a rebuild lays out only what changed), or today's full layout in
    one document per chunk of versions, for layouts the composer cannot reproduce."""
    if composable(layouts, kind):
        try:
            return [composed_document(kind, question_set, question_set.versions, layouts, paper, content_folders)]
        except NotComposable:
            pass
    return [full(question_set, c, layouts, paper, content_folders) for c in chunks]


def version_chunks(versions: tuple[Version, ...], pieces: int) -> list[tuple[Version, ...]]:
    """Versions cut into at most `pieces` runs of neighbours; each run is laid out as one document.

    A version's PDF is the same bytes whichever run it is in, so the job count never changes output.
    """
    pieces = max(1, min(pieces, len(versions)))
    size, extra = divmod(len(versions), pieces)
    chunks, start = [], 0
    for i in range(pieces):
        end = start + size + (i < extra)
        chunks.append(versions[start:end])
        start = end
    return [c for c in chunks if c]
