"""The render workers' warm start: a process that imports the renderer (WeasyPrint above all, 0.35 s) from the
moment a build's options are read, so that it loads while this process imports the rest of the build, loads the
pack, generates and plans; the workers are forked from it (sandbox.WarmStart)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..render import RENDERER_MODULES
from ..sandbox import WarmStart
from .options import BuildOptions

RENDERED = ("worksheets", "keys", "flashcards", "calibration", "answer-sheets")


@contextmanager
def warm_render_workers(options: BuildOptions) -> Iterator[WarmStart | None]:
    """The warm process while the build lasts; None when the build renders nothing, or where it cannot start."""
    warm = WarmStart.start(RENDERER_MODULES) if any(options.wants(kind) for kind in RENDERED) else None
    try:
        yield warm
    finally:
        if warm:
            warm.close()
