"""Libraries imported without an optional library they would load for nothing. openpyxl imports numpy, and fontTools
uharfbuzz, whenever it is installed, for work quizgen never asks of them (numpy's number types in a cell; HarfBuzz
packing the GSUB and GPOS tables that every subset here drops): importing one with the other hidden keeps that
import's time, and numpy's OpenBLAS threads, out of the build."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def hidden(name: str) -> Iterator[None]:
    """While it lasts, `import name` raises ImportError, as if it were not installed; nothing changes where it is
    imported already (then it is used anyway, and gives the same results)."""
    if name in sys.modules:
        yield
        return
    sys.modules[name] = None  # type: ignore[assignment]  # the import system's mark for "not importable"
    try:
        yield
    finally:
        if sys.modules.get(name, 0) is None:
            del sys.modules[name]
