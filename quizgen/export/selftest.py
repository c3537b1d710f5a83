"""The offline self-test page: one HTML file with the questions, their checking rules and feedback inside."""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

from ..files import write_atomically
from ..generate.serialise import question_data
from ..model import QuestionSet
from ..render.layouts import Layouts, render_layout

PAGE = "selftest.html"
STYLESHEET = "selftest.css"
SCRIPT = "selftest.js"


def embedded_json(value: object) -> Markup:
    """JSON safe inside <script>: no question text can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def page_html(question_set: QuestionSet, layouts: Layouts | None = None) -> str:
    layouts = layouts or Layouts.with_user_folders()
    context = {
        "title": question_set.pack_title,
        "language": question_set.language,
        "licence": question_set.licence,
        "count": len(question_set.study_deck()),
        "questions_json": embedded_json([question_data(q) for q in question_set.study_deck()]),
        "stylesheet": Markup(_asset(layouts, STYLESHEET).replace("</", "<\\/")),
        "script": Markup(_asset(layouts, SCRIPT).replace("</", "<\\/")),
    }
    return render_layout(layouts, PAGE, context)


def _asset(layouts: Layouts, name: str) -> str:
    path = layouts.find(name)
    return path.read_text(encoding="utf-8") if path else ""


def write(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    return page_html(question_set).encode("utf-8"), []
