"""A question set for a command: generated here, or in a bounded worker when a user's templates take part. Kept
apart from the build's run so that `generate`, `export` and `drill` load no renderer."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import sandbox
from ..errors import display_path
from ..model import Pack, QuestionSet
from ..sandbox import Task, run_bounded


def generate_bounded(pack: Pack, **options: Any) -> QuestionSet:
    """generate_question_set, in a bounded worker when the user's templates take part (sandbox.py)."""
    folders = options.get("template_dirs") or ()
    if not folders:
        return _generate(pack, options)
    blame = ", ".join(display_path(f) for f in folders)
    return run_bounded(Task(_generate, (pack, options), blame, field="template"), sandbox.GENERATE_LIMITS)


def _generate(pack: Pack, options: dict) -> QuestionSet:
    from ..generate import generate_question_set

    with collector_paused():
        return generate_question_set(pack, **options)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a question set is made, then restored as it was.

    Generating builds hundreds of thousands of objects that all live until the set is made (the truth index, the
    pool, the dealer's items) and leaves next to no cycles behind, yet each full pass of the collector walks all of
    them again: a fifth of the time of generating from 10,000 facts, for no memory given back.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
