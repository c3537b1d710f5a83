"""A question set for a command: generated here, or in a bounded worker when a user's templates take part. Kept
apart from the build's run so that `generate`, `export` and `drill` load no renderer."""

from __future__ import annotations

from typing import Any

from .. import sandbox
from ..errors import display_path
from ..model import Pack, QuestionSet
from ..sandbox import Task, run_bounded


def generate_bounded(pack: Pack, **options: Any) -> QuestionSet:
    """generate_question_set, in a bounded worker when the user's templates take part (sandbox.py)."""
    from ..generate import generate_question_set

    folders = options.get("template_dirs") or ()
    if not folders:
        return generate_question_set(pack, **options)
    blame = ", ".join(display_path(f) for f in folders)
    return run_bounded(Task(_generate, (pack, options), blame, field="template"), sandbox.GENERATE_LIMITS)


def _generate(pack: Pack, options: dict) -> QuestionSet:
    from ..generate import generate_question_set

    return generate_question_set(pack, **options)
