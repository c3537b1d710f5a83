"""A question set for a command: generated here, or in a bounded worker when a user's templates take part, from a
pool kept in the user's cache when one is there (pool_cache.py). Kept apart from the build's run so that `generate`,
`export` and `drill` load no renderer."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import sandbox
from ..errors import display_path
from ..model import Pack, QuestionSet
from ..sandbox import Task, run_bounded
from .pool_cache import Dealt, PoolCache, Stored


def generate_bounded(pack: Pack, **options: Any) -> QuestionSet:
    """generate_question_set, in a bounded worker when the user's templates take part (sandbox.py)."""
    return _in_bounds(pack, options, None, keep_pool=False)[0]


def load_and_generate(folder: Path, *, cache: bool = True, store_later: list[Callable[[], None]] | None = None,
                      **options: Any) -> tuple[Pack, QuestionSet]:
    """The pack in `folder` and a question set from it (generate_question_set's options), the pack, its pool and
    the set taken from the user's cache when nothing they depend on changed, else made and stored there: at once,
    or by the calls put in `store_later` when given, for a caller with work waiting on the set to make them once
    it waits on other processes."""
    from ..load.pack import load_pack
    from ..load.yamlfile import reads_kept_in

    store = PoolCache.of(folder, template_dirs=options.get("template_dirs") or (), types=options.get("types"),
                         tags=options.get("tags"), enabled=cache)
    dealing = {name: value for name, value in options.items() if name not in POOL_OPTIONS}
    with collector_paused():  # a large pack's thousands of facts are walked by no collector pass
        dealt = store.get_dealt(dealing)
        if dealt is not None:
            return dealt.pack, dealt.question_set
        stored = store.get()
    with reads_kept_in(store.reads_folder()):  # the pack's YAML files and the templates', each as last read
        with collector_paused():
            pack = stored.pack if stored is not None else load_pack(folder)
        question_set, made = _in_bounds(pack, options, stored, keep_pool=stored is None and store.folder is not None)

    def kept() -> None:
        with collector_paused():
            if made is not None:
                store.put(made)
            store.put_dealt(dealing, Dealt(pack, question_set))
    if store_later is None:
        kept()
    else:
        store_later.append(kept)
    return pack, question_set


def _in_bounds(pack: Pack, options: dict, stored: Stored | None,
               keep_pool: bool) -> tuple[QuestionSet, Stored | None]:
    folders = options.get("template_dirs") or ()
    if not folders:
        return _generate(pack, options, stored, keep_pool)
    blame = ", ".join(display_path(f) for f in folders)
    return run_bounded(Task(_generate, (pack, options, stored, keep_pool), blame, field="template"),
                       sandbox.GENERATE_LIMITS)


POOL_OPTIONS = ("template_dirs", "types", "tags")  # what the pool depends on; the rest only chooses from it


def _generate(pack: Pack, options: dict, stored: Stored | None = None,
              keep_pool: bool = False) -> tuple[QuestionSet, Stored | None]:
    """The question set, and the pool it was dealt from to store when `keep_pool` (made here unless `stored`)."""
    from ..generate import REVIEWED_POOL_SEED, question_pool, question_set_from_pool

    making = {k: v for k, v in options.items() if k in POOL_OPTIONS}
    dealing = {k: v for k, v in options.items() if k not in POOL_OPTIONS}
    with collector_paused():
        if stored is not None:
            pool = stored.pool(making.get("template_dirs") or (), making.get("types"))
        else:
            pool = question_pool(pack, **making, seed=REVIEWED_POOL_SEED)
        question_set = question_set_from_pool(pack, pool, **dealing)
    return question_set, Stored(pack, pool.questions, pool.skipped) if keep_pool else None


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
