"""The render workers' warm start: a process that imports the renderer (WeasyPrint above all, 0.35 s) from the
moment a build's options are read, so that it loads while this process imports the rest of the build, loads the
pack, generates and plans; the workers are forked from it (sandbox.WarmStart)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..render import RENDERER_MODULES, SUBSETTER_MODULES
from ..sandbox import WarmStart
from .options import BuildOptions

RENDERED = ("worksheets", "keys", "flashcards", "calibration", "answer-sheets")
_everything_imported = False


def everything_imported() -> None:
    """Said by a build server's child (server.py), whose process imported the renderer before the build began: its
    builds fork their workers from it, with no warm start."""
    global _everything_imported
    _everything_imported = True


@contextmanager
def warm_render_workers(options: BuildOptions) -> Iterator[WarmStart | None]:
    """The warm process while the build lasts; None when the build renders nothing, where it cannot start, or in a
    build server's child (server.py), which has imported the renderer already."""
    rendering = any(options.wants(kind) for kind in RENDERED) and not _everything_imported
    warm = WarmStart.start(renderer_modules(options)) if rendering else None
    try:
        yield warm
    finally:
        if warm:
            warm.close()


def renderer_modules(options: BuildOptions) -> tuple[str, ...]:
    """What the warm process imports for this build: the renderer, and the font subsetter where the build writes a
    composed file's fonts of its own."""
    subsets = options.wants("flashcards") or (options.versions == 1 and (options.wants("worksheets")
                                                                         or options.wants("keys")))
    return RENDERER_MODULES + (SUBSETTER_MODULES if subsets else ())
