"""Worksheets and answer keys as HTML: one document holding every version, cut into one PDF per version."""

from __future__ import annotations

from pathlib import Path

from ..model import QuestionSet, Version
from ..sheets.paper import Paper
from .layouts import Document, Layouts, Part, anchor_for, render_layout


def worksheet_document(question_set: QuestionSet, versions: tuple[Version, ...], layouts: Layouts, paper: Paper,
                       content_folders: tuple[Path, ...] = ()) -> Document:
    """One HTML document holding the worksheets of `versions`, cut into one PDF per version after layout."""
    return _versioned_document("worksheet", "worksheet.html", question_set, versions, layouts, paper, content_folders)


def answer_key_document(question_set: QuestionSet, versions: tuple[Version, ...], layouts: Layouts, paper: Paper,
                        content_folders: tuple[Path, ...] = ()) -> Document:
    return _versioned_document("answer-key", "answer-key.html", question_set, versions, layouts, paper,
                               content_folders)


def _versioned_document(kind: str, layout: str, question_set: QuestionSet, versions: tuple[Version, ...],
                        layouts: Layouts, paper: Paper, content_folders: tuple[Path, ...]) -> Document:
    context = {
        "set": question_set,
        "title": question_set.pack_title,
        "pack_id": question_set.pack_id,
        "licence": question_set.licence,
        "language": question_set.language,
        "paper": paper,
        "versions": [{"code": v.code, "anchor": anchor_for(kind, v.code), "questions": v.questions}
                     for v in versions],
    }
    html = render_layout(layouts, layout, context)
    parts = tuple(Part(f"{anchor_for(kind, v.code)}.pdf", anchor_for(kind, v.code)) for v in versions)
    return Document(html, layouts.path_of(layout), layouts.folders, content_folders, parts)
