"""Where the built-in question templates, page layouts and JSON schema are.

A wheel ships them inside the package as `quizgen/data/` (copied from the repository's
`templates/` and `schema/` when the wheel is built); a source checkout, and so an editable
install, reads the repository's own folders beside the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGED = "data"


def data_path(*parts: str) -> Path:
    """The packaged copy of `templates/...` or `schema/...` when there is one, else the checkout's."""
    packaged = files("quizgen").joinpath(PACKAGED, *parts)
    if packaged.is_dir() or packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent.joinpath(*parts)


def builtin_templates_folder() -> Path:
    return data_path("templates", "questions")


def builtin_layouts_folder() -> Path:
    return data_path("templates", "layouts")


def schema_file() -> Path:
    return data_path("schema", "question-set.schema.json")
