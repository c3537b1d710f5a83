"""`quizgen new`: write a fresh pack folder, either the commented starter pack or the bundled example pack."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import QuizgenError, display_path
from ..resources import example_pack_folder, starter_pack_folder

STARTER_ID = "my-pack"  # the id written in the starter's pack.yaml, replaced by one made from the folder name
STARTER_ID_LINE = re.compile(rf"^id: {STARTER_ID}\b", re.MULTILINE)


def write_new_pack(folder: Path, *, example: bool = False) -> list[Path]:
    """Copy the starter (or the example) pack into `folder`, which must be missing or empty; the files written."""
    folder = Path(folder)
    refuse_unless_empty(folder)
    files = pack_files(example_pack_folder() if example else starter_pack_folder())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QuizgenError.at(folder, f"cannot make this folder: {exc.strerror or exc}") from None
    written = []
    for name, data in files.items():
        if name == "pack.yaml" and not example:
            data = with_pack_id(data, pack_id_for(folder))
        written.append(write_new_file(folder / name, data))
    return written


def refuse_unless_empty(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise QuizgenError.at(folder, "is not a folder; expected a new or empty folder for the pack")
    if folder.is_dir() and any(folder.iterdir()):
        raise QuizgenError.at(folder, "is not empty; nothing was written: give a new or empty folder, so that no "
                                      "file of yours is replaced")


def pack_files(source: Path) -> dict[str, bytes]:
    """Every regular file of a bundled pack, by its path inside the pack (caches and hidden files left out)."""
    return {path.relative_to(source).as_posix(): path.read_bytes()
            for path in sorted(source.rglob("*"))
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts
            and not any(part.startswith(".") for part in path.relative_to(source).parts)}


def pack_id_for(folder: Path) -> str:
    """A pack id (a slug) made from the folder's name: "My Rivers" → my-rivers."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
    return slug or STARTER_ID


def with_pack_id(data: bytes, pack_id: str) -> bytes:
    return STARTER_ID_LINE.sub(f"id: {pack_id}", data.decode("utf-8"), count=1).encode("utf-8")


def write_new_file(path: Path, data: bytes) -> Path:
    """Write a file that must not exist yet: opened with O_EXCL, so a file made meanwhile is never replaced."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as stream:
            stream.write(data)
    except FileExistsError:
        raise QuizgenError.at(path, "appeared while the pack was being written; it was left as it is") from None
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot write: {exc.strerror or exc}") from None
    return path


def next_steps(folder: Path, example: bool) -> str:
    """What `quizgen new` tells the author to do next."""
    shown = display_path(folder)
    if example:
        return f"wrote the example pack into {shown}; try `quizgen check {shown}` and the README's tour"
    return (f"wrote a starter pack into {shown}: edit its files (each is commented), then run "
            f"`quizgen check {shown}`, `quizgen lint {shown}` and `quizgen build {shown}`; "
            "docs/tutorial.md walks through a first pack")
