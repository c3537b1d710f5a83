"""Where the built-in question templates, page layouts, JSON schema, starter pack and example pack are.

A wheel ships them inside the package as `quizgen/data/` (copied from the repository's
`templates/`, `schema/` and the default pack in `content/` when the wheel is built); a source
checkout, and so an editable install, reads the repository's own folders beside the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGED = "data"


def data_path(*parts: str) -> Path:
    """The packaged copy of `templates/...`, `schema/...` or `content/...` when there is one, else the checkout's."""
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


EXAMPLE_PACK = "deir-ez-zor-2014"


def starter_pack_folder() -> Path:
    """The commented pack `quizgen new` writes."""
    return data_path("templates", "packs", "starter")


def example_pack_folder() -> Path:
    """The default pack the README tour uses, which `quizgen new --example` writes."""
    return data_path("content", EXAMPLE_PACK)
