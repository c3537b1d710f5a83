"""What made a cached result: a fingerprint of quizgen's own source files and of the installed libraries that shape
it, so that an upgrade or an edit of either never serves an entry the old code made (pool_cache.py, export_cache.py)."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

from ..files import folder_fingerprint

PACKAGE = Path(__file__).resolve().parent.parent


def code_fingerprint(package: Path = PACKAGE, libraries: tuple[str, ...] = ()) -> str:
    """A hash of the package's source files and of where and when each of `libraries` is installed."""
    digest = hashlib.sha256(f"{sources_fingerprint(package)}\n".encode())
    for name in libraries:
        digest.update(f"{name}:{installed_library(name)}\n".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def sources_fingerprint(package: Path) -> str:
    """A hash of the package's source files, read once per process: the code running is the code imported when
    it started, and a build asks three times (its pool, its PDFs, its exports: 15 ms each)."""
    digest = hashlib.sha256()
    folder_fingerprint(digest, 0, package, lambda path: path.suffix == ".py")
    return digest.hexdigest()


def installed_library(name: str) -> str:
    """Where a library is installed and its files' size and time there, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return "absent"
    origin = spec.origin if spec is not None else None
    if not origin or not Path(origin).is_file():
        return "absent"
    info = Path(origin).stat()
    return f"{origin}:{info.st_size}:{info.st_mtime_ns}"
