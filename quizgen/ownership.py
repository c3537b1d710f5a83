"""Which files in a folder quizgen may replace or remove: those a record of its own (the build's manifest.json,
grading's grading.json, .quizgen-written.json beside a loose output) lists with a hash their bytes still match.

One rule for every command that writes: a file quizgen did not write, or wrote and someone changed since,
is never replaced or removed. Replacing one stops the command before anything is written; one that would
only have been removed is left alone and named.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import Problem, QuizgenError, display_path
from .files import Contents, WrittenFile, file_sha256, replace_all, write_atomically

GENERATOR = f"quizgen {__version__}"
LOOSE_RECORD = ".quizgen-written.json"  # beside files written one at a time (review.html, an export, calibration.pdf)


def record_entry(name: str, data: Contents, pages: int | None = None) -> dict:
    if isinstance(data, WrittenFile):  # hashed as it was written
        entry = {"path": name, "sha256": data.sha256, "bytes": data.size}
    else:
        entry = {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    if pages is not None:
        entry["pages"] = pages
    return entry


def record_is_ours(folder: Path, record: str) -> bool:
    """`folder/record` was written by quizgen (it names the generator and lists files)."""
    try:
        data = json.loads((Path(folder) / record).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and str(data.get("generator", "")).startswith("quizgen ")
            and isinstance(data.get("files"), list))


def read_record(folder: Path, record: str) -> list[dict]:
    """The file entries of quizgen's record in `folder`; an unreadable or foreign one counts as none."""
    if not record_is_ours(folder, record):
        return []
    data = json.loads((Path(folder) / record).read_text(encoding="utf-8"))
    return [e for e in data["files"] if isinstance(e, dict) and isinstance(e.get("path"), str)
            and isinstance(e.get("sha256"), str)]


def owned_file(folder: Path, entry: dict) -> Path | None:
    """The entry's file when it is a regular file inside `folder` whose bytes still match the recorded hash."""
    path = inside(folder, entry["path"])
    if path is None or path.is_symlink():
        return None
    return path if file_sha256(path) == entry["sha256"] else None


def inside(folder: Path, name: str) -> Path | None:
    """`folder/name` when it stays inside `folder` (a hand-edited record must not reach anything else)."""
    folder = Path(folder)
    path = (folder / name).resolve()
    return folder / name if path.is_relative_to(folder.resolve()) and path != folder.resolve() else None


def left_alone_line(folder: Path, name: str, writer: str) -> str:
    """What is said of a file the record lists that was changed since, so is neither replaced nor removed."""
    return (f"{display_path(Path(folder) / name)}: left alone: {writer} wrote it, but it was changed since; "
            "remove it yourself if it is not needed")


@dataclass(frozen=True)
class OutputFolder:
    """A folder quizgen writes into, as its record found it."""

    folder: Path
    record: str
    writer: str  # who may have written its files, as messages name it: "an earlier build"
    option: str  # the option that chose the folder or file, as messages name it: "--out"
    previous: tuple[dict, ...]
    owned: dict[str, Path]  # name → file, for the entries whose bytes still match
    record_ours: bool

    @classmethod
    def read(cls, folder: Path, record: str, *, writer: str, option: str) -> OutputFolder:
        folder = Path(folder)
        previous = tuple(read_record(folder, record))
        owned = {e["path"]: path for e in previous if (path := owned_file(folder, e)) is not None}
        return cls(folder, record, writer, option, previous, owned, record_is_ours(folder, record))

    def refuse_foreign(self, names) -> None:
        """QuizgenError naming every file of `names` that is there but not owned, and a record that is not ours."""
        foreign = [name for name in names if os.path.lexists(self.folder / name) and name not in self.owned]
        if os.path.lexists(self.folder / self.record) and not self.record_ours:
            foreign.append(self.record)
        if foreign:
            raise QuizgenError([Problem(display_path(self.folder / name), 0, 0, self.option,
                                        f"already exists and was not written by {self.writer} (or was changed "
                                        f"since); nothing was written: move it away or choose another {self.option}")
                                for name in foreign])

    def left_alone(self, made) -> list[str]:
        """Files the record lists that this run does not make and that were changed since: never removed."""
        return [e["path"] for e in self.previous if e["path"] not in made and e["path"] not in self.owned
                and inside(self.folder, e["path"]) is not None and os.path.lexists(self.folder / e["path"])]

    def kept_entries(self, made) -> list[dict]:
        """The entries of owned files this run does not make, for a run that keeps them (build --only)."""
        return [e for e in self.previous if e["path"] not in made and e["path"] in self.owned]

    def write(self, files: dict[str, Contents], record_text: str, *, remove_stale: bool = True) -> list[str]:
        """Write `files` and then the record, all or nothing (files.replace_all); then remove the owned files
        this run no longer makes, unless told to keep them. Returns the names left alone."""
        self.refuse_foreign(files)
        left_alone = self.left_alone(files)
        # the record is renamed last, so it only ever describes files that are in place
        replace_all(self.folder, {**files, self.record: record_text.encode("utf-8")})
        if remove_stale:
            for name, path in self.owned.items():
                if name not in files:
                    path.unlink(missing_ok=True)
        return left_alone


# ---- one file at a time: review.html, `export -o`, `calibration -o` ----------------------------------------


def claim_loose_file(path: Path, *, option: str, pack: Path | None = None) -> None:
    """Refuse to write `path` when it would replace a file quizgen did not write there (or one changed since),
    or when it lies inside the pack folder `pack`, whose files are the user's."""
    path = Path(path)
    if pack is not None and path.resolve().is_relative_to(Path(pack).resolve()):
        raise QuizgenError.at(path, f"is inside the pack folder {display_path(pack)}; expected a file outside it, "
                                    "so that no file of the pack is replaced", field=option)
    loose_folder(path, option).refuse_foreign([path.name])


def record_loose_file(path: Path) -> None:
    """Add `path`, just written, to the record beside it; entries whose files were changed or removed go."""
    path = Path(path)
    outputs = loose_folder(path, "")
    data = path.read_bytes()
    entries = [e for e in outputs.previous if e["path"] in outputs.owned and e["path"] != path.name]
    entries.append(record_entry(path.name, data))
    record = {"generator": GENERATOR, "files": sorted(entries, key=lambda e: e["path"])}
    write_atomically(path.parent / LOOSE_RECORD, (json.dumps(record, indent=1) + "\n").encode("utf-8"))


def write_loose_file(path: Path, data: bytes, *, option: str, pack: Path | None = None) -> Path:
    """Write one output file where claim_loose_file allows it, and record it."""
    claim_loose_file(path, option=option, pack=pack)
    write_atomically(Path(path), data)
    record_loose_file(path)
    return Path(path)


def loose_folder(path: Path, option: str) -> OutputFolder:
    return OutputFolder.read(Path(path).parent, LOOSE_RECORD, writer="quizgen", option=option)
