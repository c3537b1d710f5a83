"""What a build wrote and from what: the files in memory, the manifest that owns them, the inputs' fingerprint."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..export.common import Notice
from ..files import Contents, WrittenFile, folder_fingerprint
from ..model import QuestionSet
from ..ownership import GENERATOR, OutputFolder, owned_file, read_record, record_entry
from ..resources import builtin_layouts_folder, builtin_templates_folder
from .options import BuildOptions

MANIFEST = "manifest.json"
BUILD_WRITER = "an earlier build"  # who wrote the files the manifest owns, as messages name it


@dataclass(frozen=True)
class BuiltFile:
    """One output file, made in memory or in a file of the build's own (a worker's spool, a copy of a render cache
    entry: gone once the build's files are written); nothing is written into the build's folder until every file
    of the build exists."""

    name: str
    data: Contents
    pages: int | None = None
    seconds: float = 0.0

    @property
    def size(self) -> int:
        return self.data.size if isinstance(self.data, WrittenFile) else len(self.data)


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    files: tuple[BuiltFile, ...]
    seconds: float
    warnings: tuple[Notice, ...] = ()
    left_alone: tuple[str, ...] = ()  # files of an earlier build that were changed since, so not removed


def input_fingerprint(options: BuildOptions) -> str:
    """A hash of everything a build's bytes depend on: pack, templates, layouts, options, quizgen itself."""
    digest = hashlib.sha256()
    digest.update(json.dumps(options.manifest_options(), sort_keys=True).encode())
    digest.update(__version__.encode())
    folders = [options.pack, builtin_templates_folder(), *options.templates, builtin_layouts_folder(), *options.layouts,
               Path(__file__).parents[1]]
    for number, folder in enumerate(folders):
        folder_fingerprint(digest, number, Path(folder), lambda path: "__pycache__" not in path.parts)
    return digest.hexdigest()


def up_to_date(folder: Path, inputs: str) -> bool:
    """The last build there came from the same inputs and every file it lists is still as written."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return manifest.get("inputs") == inputs and all(
            owned_file(folder, entry) is not None for entry in manifest["files"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def write_build(folder: Path, files: tuple[BuiltFile, ...], question_set: QuestionSet,
                options: BuildOptions, warnings: tuple[Notice, ...] = ()) -> list[str]:
    """Write each file atomically, then the manifest; returns the names of files left alone.

    A build replaces or removes only files it wrote itself and that are unchanged since (ownership.py):
    the previous manifest lists them with a hash their bytes still match. When a file this build makes
    is already there and is not such a file (a user's own worksheet-A.pdf, or one edited since), the
    folder is refused and nothing is written. Files of the previous build that this one no longer makes
    are removed when unchanged and left alone (and named) when not. A build limited by --only keeps the
    other unchanged files and their entries.
    """
    outputs = build_folder(folder)
    made = {f.name for f in files}
    entries = [record_entry(f.name, f.data, f.pages) for f in files]
    if options.only:
        entries += outputs.kept_entries(made)
    manifest = manifest_json(question_set, options, entries, warnings)
    return outputs.write({built.name: built.data for built in files}, manifest, remove_stale=not options.only)


def build_folder(folder: Path) -> OutputFolder:
    return OutputFolder.read(folder, MANIFEST, writer=BUILD_WRITER, option="--out")


def manifest_json(question_set: QuestionSet, options: BuildOptions, entries: list[dict],
                  warnings: tuple[Notice, ...] = ()) -> str:
    order = {name: i for i, name in enumerate(e["path"] for e in entries)}
    manifest = {
        "pack": question_set.pack_id,
        "title": question_set.pack_title,
        "generator": GENERATOR,
        "options": options.manifest_options(),
        "inputs": options.inputs,
        "files": sorted(entries, key=lambda e: order[e["path"]]),
    }
    if warnings:
        manifest["warnings"] = [{"warning": w.text, "questions": list(w.details)} for w in warnings]
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def read_manifest(folder: Path) -> list[dict]:
    """The file entries of quizgen's manifest in `folder`; an unreadable or foreign one counts as none."""
    return read_record(folder, MANIFEST)
