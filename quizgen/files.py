"""Writing output files safely: a reader never sees a half-written file, and a failed write leaves the old one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import QuizgenError


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it over `path` in one step."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); give it the permissions any new file would get
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:
        _remove_quietly(temporary)
        raise QuizgenError.at(path, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove_quietly(temporary)
        raise
    return path


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def replace_all(folder: Path, files: dict[str, bytes]) -> None:
    """Write several files so a reader sees the old set or the new one, hardly ever a mix.

    Every file is first written and synced in a hidden staging folder beside `folder` (same file
    system, so a rename is atomic); only then are they renamed into place, one quick pass with no
    writing in between. A build killed while staging leaves `folder` untouched; the next build
    clears the stale staging folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(folder)
    staging = folder.parent / f".{folder.name}.staging-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(staging / name, 0o666 & ~_umask())
        for name in files:
            os.replace(staging / name, folder / name)
    except OSError as exc:
        raise QuizgenError.at(folder, f"cannot write the outputs: {exc.strerror or exc}") from None
    finally:
        _remove_tree_quietly(staging)


def remove_stale_staging(folder: Path) -> None:
    """Staging folders left by builds that were killed (their process no longer exists)."""
    for stale in folder.parent.glob(f".{folder.name}.staging-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _process_alive(int(pid)):
            _remove_tree_quietly(stale)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_tree_quietly(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
