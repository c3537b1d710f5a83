"""The export cache beside a build's outputs: each export format's files and warnings, kept by a digest of everything
the format reads, so that a build makes only the formats whose inputs changed and takes the others as they were."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..export import FORMATS, ExportFormat, earlier_file
from ..export.common import Notice
from ..export.inputs import EARLIER, LAYOUTS, SetDigests
from ..files import file_sha256, folder_fingerprint, remove_stale_parts, write_cache_entry
from ..model import QuestionSet
from .code import code_fingerprint

EXPORT_ENTRY = re.compile(r"([0-9a-f]{32})\.export")
# the libraries that write an export's bytes: another version of one may write other bytes
EXPORT_LIBRARIES = ("genanki", "openpyxl", "docx", "docxtpl", "lxml", "jinja2", "markupsafe")


@dataclass(frozen=True)
class MadeFormat:
    """One format's output: its files in the order made, and the warnings it gave."""

    files: tuple[tuple[str, bytes], ...]
    warnings: tuple[Notice, ...]


class ExportCache:
    """Export formats' files and warnings by a digest of what each format reads, in the build's cache folder.

    The digest covers the parts of the question set the format reads (export/inputs.py), the code that makes
    it (every source file of quizgen, its version, and the libraries that write exports), the layout folders
    when it reads them, `SOURCE_DATE_EPOCH`, and its earlier file when it reads one. Entries the latest build
    did not use are removed, as the render cache's are; an entry that cannot be read is made again.
    """

    def __init__(self, folder: Path, *, layout_folders: tuple[Path, ...]):
        self.folder = folder
        self.layout_folders = layout_folders
        self.used: set[str] = set()
        self._code: str | None = None
        self._layouts: str | None = None

    def key(self, chosen: ExportFormat, digests: SetDigests, earlier: Path | None = None, *,
            made: bytes | None = None) -> str:
        """The entry of `chosen` made from the set of `digests` and its `earlier` file; a format reading its
        earlier file is kept under the bytes it `made`, which a rebuild finds there as its earlier file."""
        digest = hashlib.sha256(f"{self.code_digest()}\n{chosen.set_digest(digests)}".encode())
        if LAYOUTS in chosen.reads:
            digest.update(f"\nlayouts:{self.layouts_digest()}".encode())
        if EARLIER in chosen.reads:
            found = hashlib.sha256(made).hexdigest() if made is not None else earlier_digest(earlier)
            digest.update(f"\nearlier:{found}".encode())
        return digest.hexdigest()[:32]

    def file_key(self, chosen: ExportFormat, name: str, reads: str) -> str:
        """The entry of the file `name` of a format that makes several, whose reads of the set digest to `reads`."""
        digest = hashlib.sha256(f"{self.code_digest()}\n{chosen.name}\n{name}\n{reads}".encode())
        if LAYOUTS in chosen.reads:
            digest.update(f"\nlayouts:{self.layouts_digest()}".encode())
        return digest.hexdigest()[:32]

    def code_digest(self) -> str:
        """quizgen's version and sources, the interpreter, zlib, the export libraries and SOURCE_DATE_EPOCH."""
        if self._code is None:
            self._code = hashlib.sha256(f"{__version__}\n{sys.version}\n{zlib.ZLIB_RUNTIME_VERSION}\n"
                                        f"{os.environ.get('SOURCE_DATE_EPOCH')}\n"
                                        f"{code_fingerprint(libraries=EXPORT_LIBRARIES)}".encode()).hexdigest()
        return self._code

    def layouts_digest(self) -> str:
        if self._layouts is None:
            digest = hashlib.sha256()
            for number, folder in enumerate(self.layout_folders):
                folder_fingerprint(digest, number, Path(folder), lambda path: True)
            self._layouts = digest.hexdigest()
        return self._layouts

    def get(self, key: str) -> MadeFormat | None:
        try:
            made = read_entry((self.folder / f"{key}.export").read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        return made

    def put(self, key: str, made: MadeFormat) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_cache_entry(self.folder / f"{key}.export", entry_bytes(made))
            self.used.add(key)
        except OSError:  # a cache that cannot be written only costs time
            pass

    def keep_only_used(self) -> None:
        """Remove the export entries this build did not use, and the parts of entries in this folder (the build's
        cache folder, the render cache's too) whose writing was cut short an hour or more ago: the exports' child
        and the render workers are killed when a build fails. Any other file there is left alone."""
        for path in self.folder.glob("*.export") if self.folder.is_dir() else ():
            entry = EXPORT_ENTRY.fullmatch(path.name)
            if entry and entry[1] not in self.used and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
        remove_stale_parts(self.folder)


class ExportLookup:
    """One build's use of the export cache: which formats, and which files of a format that makes several, are
    there under the inputs they have now, and keeping those made."""

    def __init__(self, question_set: QuestionSet, earlier: tuple[Path, ...], cache: ExportCache):
        self.question_set = question_set
        self.earlier = earlier
        self.cache = cache
        self.digests = SetDigests(question_set)
        self.file_keys: dict[str, dict[str, str]] = {}  # format → its files' entries, of a format making several
        self.files_found: dict[str, dict[str, bytes]] = {}

    def found(self) -> dict[str, MadeFormat]:
        """The formats whose every file is in the cache under its inputs now, by name, as the entries hold them."""
        found = {}
        for chosen in FORMATS.values():
            try:
                if chosen.file_reads:
                    entry = self.found_files(chosen)
                else:
                    entry = self.cache.get(self.cache.key(chosen, self.digests,
                                                          earlier_file(self.earlier, chosen.default_file)))
            except ModuleNotFoundError:
                continue  # a format that cannot be made here is reported when it is tried
            if entry is not None:
                found[chosen.name] = entry
        return found

    def found_files(self, chosen: ExportFormat) -> MadeFormat | None:
        """A format making several files, when all its files are in the cache; else None, and those found kept."""
        keys = {name: self.cache.file_key(chosen, name, digest)
                for name, digest in chosen.file_digests(self.digests).items()}
        self.file_keys[chosen.name] = keys
        files = {}
        for name, key in keys.items():
            entry = self.cache.get(key)
            if entry is not None and [n for n, _ in entry.files] == [name]:
                files[name] = entry.files[0][1]
        if len(files) == len(keys):
            return MadeFormat(tuple(files.items()), ())
        self.files_found[chosen.name] = files
        return None

    def files_wanted(self, names: set[str]) -> dict[str, set[str]]:
        """The files still to make of each format in `names` that makes several, as far as the cache knows."""
        return {name: set(keys) - set(self.files_found.get(name, {}))
                for name, keys in self.file_keys.items() if name in names}

    def with_files_found(self, name: str, output: MadeFormat) -> MadeFormat:
        """A format's files made now and those found in the cache, in the order of its files."""
        if name not in self.file_keys:
            return output
        files = {**self.files_found.get(name, {}), **dict(output.files)}
        return dataclasses.replace(output, files=tuple((n, files[n]) for n in self.file_keys[name] if n in files))

    def store(self, made: dict[str, MadeFormat]) -> None:
        for name, output in made.items():
            chosen = FORMATS[name]
            if name in self.file_keys:
                for file_name, data in output.files:
                    if file_name in self.file_keys[name]:
                        self.cache.put(self.file_keys[name][file_name], MadeFormat(((file_name, data),), ()))
                continue
            data = dict(output.files).get(chosen.default_file)
            self.cache.put(self.cache.key(chosen, self.digests, earlier_file(self.earlier, chosen.default_file),
                                          made=data), output)


def entry_bytes(made: MadeFormat) -> bytes:
    """A header line of JSON (each file's name, size and SHA-256, and the warnings), then the files' bytes."""
    header = {"files": [[name, len(data), hashlib.sha256(data).hexdigest()] for name, data in made.files],
              "warnings": [[w.text, list(w.details)] for w in made.warnings]}
    return json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + b"".join(data for _, data in made.files)


def read_entry(data: bytes) -> MadeFormat:
    """The format's output from an entry; ValueError when it is damaged in any way."""
    header_line, _, body = data.partition(b"\n")
    header = json.loads(header_line)
    files, start = [], 0
    for name, size, sha in header["files"]:
        content = body[start:start + size]
        if not plain_file_name(name) or hashlib.sha256(content).hexdigest() != sha:
            raise ValueError("a damaged export cache entry")
        files.append((name, content))
        start += size
    if start != len(body):
        raise ValueError("a damaged export cache entry")
    warnings = tuple(Notice(str(text), tuple(str(d) for d in details)) for text, details in header["warnings"])
    return MadeFormat(tuple(files), warnings)


def plain_file_name(name: object) -> bool:
    """A name an export gives a file of the build's folder: no folder in it, not hidden."""
    return isinstance(name, str) and bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def earlier_digest(path: Path | None) -> str:
    """The earlier file's SHA-256, or '' when there is none (or it cannot be read: the format finds none then)."""
    return (file_sha256(path) or "") if path is not None else ""


