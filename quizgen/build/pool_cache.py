"""A loaded pack and its question pool, kept in the user's cache folder by a fingerprint of everything that makes them
(the pack folder, the template folders, the options, quizgen's own code), so that `generate`, `export`, `drill`,
`check`, `stats` and `lint` neither read the pack nor make the pool again while none of it changed; and the sets
dealt from each pool, by the options that deal them, so that the same command does not deal again either."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import folder_fingerprint, keep_newest, newest_kept, read_kept, user_cache_folder, write_kept
from ..model import Pack, Question, QuestionSet
from ..resources import builtin_templates_folder
from .code import code_fingerprint

POOLS_FOLDER = "pools"
ENTRY_SUFFIX = ".pool"
KEEP_ENTRIES = 6  # a few packs, or a few tag and type selections of one, without the folder growing for ever
FORMAT = "quizgen-pool-1"
SET_SUFFIX = ".set"
KEEP_SETS = 12  # a few counts, seeds and version counts of each pool kept
SET_FORMAT = "quizgen-set-1"
READ_FOLDERS_KEPT = 3  # the YAML reads of this quizgen's code and the last two before it
# Libraries whose output ends up in the pool: an upgrade of one changes the fingerprint by its files' stamps
LIBRARIES = ("jinja2", "markupsafe", "yaml")
SKIPPED_FOLDERS = {".git", ".quizgen-cache", "__pycache__"}  # never read by the pack loader


@dataclass(frozen=True)
class Stored:
    """What a cache entry holds: the pack as loaded and its pool's questions and skips (the templates, which hold
    compiled Jinja2 code, are loaded again: a few milliseconds)."""

    pack: Pack
    questions: tuple[Question, ...] | None  # None: the pool could not be made, or was not wanted (`check`)
    skipped: tuple

    def pool(self, template_dirs: Iterable[Path] = (), types: list[str] | None = None):
        from ..generate import Pool, selected_templates

        if self.questions is None:
            return None
        return Pool(self.questions, tuple(self.skipped), selected_templates(template_dirs, types))


@dataclass(frozen=True)
class Dealt:
    """What a set's cache entry holds: the pack as loaded, and the set dealt from its pool."""

    pack: Pack
    question_set: QuestionSet


@dataclass(frozen=True)
class PoolCache:
    """One pool's place in the cache: its folder (None: caching off) and the fingerprint that names its entry."""

    folder: Path | None
    key: str

    @classmethod
    def of(cls, pack_folder: Path, *, template_dirs: Iterable[Path] = (), types: list[str] | None = None,
           tags: list[str] | None = None, with_excluded: bool = False, enabled: bool = True) -> PoolCache:
        root = user_cache_folder() if enabled else None
        if root is None:
            return cls(None, "")
        return cls(root / POOLS_FOLDER, pool_fingerprint(Path(pack_folder), tuple(template_dirs), types, tags,
                                                         with_excluded))

    def reads_folder(self) -> Path | None:
        """Where the pack's YAML files are kept as read (load/yamlfile.reads_kept_in), for this quizgen's code and
        this PyYAML, beside the pools, with the last few codes' (older ones are removed now); None when caching is
        off."""
        if self.folder is None:
            return None
        name = "yaml-" + hashlib.sha256(code_fingerprint(libraries=("yaml",)).encode()).hexdigest()[:16]
        return newest_kept(self.folder.parent / name, READ_FOLDERS_KEPT)

    @property
    def entry(self) -> Path | None:
        return None if self.folder is None else self.folder / f"{self.key}{ENTRY_SUFFIX}"

    def get(self) -> Stored | None:
        """The stored pack and pool, or None: caching off, no entry, or an entry that is unreadable, corrupt, of
        another quizgen or another user, or written for another fingerprint (all of them only a miss)."""
        return self._read(self.entry, FORMAT, Stored)

    def put(self, stored: Stored) -> None:
        """Store the entry atomically (a reader sees the old entry or the new one, never half of one), then remove
        all but the KEEP_ENTRIES most recently used. A cache that cannot be written only costs time."""
        self._write(self.entry, FORMAT, stored, ENTRY_SUFFIX, KEEP_ENTRIES)

    def dealt_entry(self, dealing: dict[str, Any]) -> Path | None:
        """Where the set dealt from this pool with `dealing` (generate_question_set's options that choose from the
        pool: count, seed, versions) is kept; None when caching is off or an output's own filter (`takes`, a
        function) chooses too."""
        if self.folder is None or dealing.get("takes") is not None:
            return None
        chosen = repr(sorted((name, value) for name, value in dealing.items() if name != "takes"))
        return self.folder / f"{self.key}-{hashlib.sha256(chosen.encode()).hexdigest()[:16]}{SET_SUFFIX}"

    def get_dealt(self, dealing: dict[str, Any]) -> Dealt | None:
        """The pack and the set this pool dealt before with the same options (dealing is deterministic: the set a
        deal would make now), read without the pool; None as for get()."""
        return self._read(self.dealt_entry(dealing), SET_FORMAT, Dealt)

    def put_dealt(self, dealing: dict[str, Any], dealt: Dealt) -> None:
        """Keep the set dealt with `dealing`, and the KEEP_SETS most recently used sets."""
        self._write(self.dealt_entry(dealing), SET_FORMAT, dealt, SET_SUFFIX, KEEP_SETS)

    def _read(self, entry: Path | None, format_: str, kind: type):
        found = read_kept(entry) if entry is not None else None
        if not (isinstance(found, tuple) and len(found) == 3):
            return None
        found_format, key, value = found
        if found_format != format_ or key != self.key or not isinstance(value, kind):
            return None
        return value

    def _write(self, entry: Path | None, format_: str, value: Any, suffix: str, keep: int) -> None:
        if entry is not None and write_kept(entry, (format_, self.key, value)):
            try:
                keep_newest(self.folder, keep, suffix)
            except OSError:  # a cache that cannot be tidied only costs room
                pass


def pool_fingerprint(pack_folder: Path, template_dirs: tuple[Path, ...], types: list[str] | None,
                     tags: list[str] | None, with_excluded: bool) -> str:
    """A hash of everything the loaded pack and its pool depend on: the pack folder's files, the built-in and user
    template folders, the options, quizgen's code and the libraries it renders with, Python's version, and the
    working folder and pack path as given (the pack's messages show paths relative to them)."""
    from ..generate import REVIEWED_POOL_SEED

    digest = hashlib.sha256(f"{FORMAT}\n{__version__}\n{sys.version}\n{os.getcwd()}\n{pack_folder}\n"
                            f"{list(template_dirs)}\n{types}\n{tags}\n{with_excluded}\n{REVIEWED_POOL_SEED}\n".encode())
    digest.update(code_fingerprint(libraries=LIBRARIES).encode())
    folder_fingerprint(digest, 0, pack_folder, read_by_loader(pack_folder))
    for number, folder in enumerate((builtin_templates_folder(), *template_dirs), 1):
        folder_fingerprint(digest, number, Path(folder), lambda path: path.suffix == ".yaml")
    return digest.hexdigest()[:40]


def read_by_loader(root: Path):
    def keep(path: Path) -> bool:
        return not SKIPPED_FOLDERS & set(path.relative_to(root).parts[:-1])
    return keep


def checked_pack(folder: Path, template_dirs: tuple[Path, ...] = (), *, enabled: bool = True):
    """The pack `check` reads, and the review pool its review.yaml ids are checked against (None when it leaves
    nothing out, or when the pool cannot be made: build and lint say why), from the cache when it holds them."""
    from ..errors import QuizgenError
    from ..generate import question_pool
    from ..load.pack import load_pack
    from ..load.yamlfile import reads_kept_in
    from .generating import collector_paused

    store = PoolCache.of(folder, template_dirs=template_dirs, with_excluded=True, enabled=enabled)
    with collector_paused():
        stored = store.get()
        if stored is not None:
            return stored.pack, stored.pool(template_dirs)
        with reads_kept_in(store.reads_folder()):  # the pack's and the templates' YAML, each as last read
            pack = load_pack(folder)
            if not pack.excluded:
                store.put(Stored(pack, None, ()))
                return pack, None
            try:
                pool = question_pool(pack, template_dirs=template_dirs, with_excluded=True)
            except QuizgenError:
                return pack, None
        store.put(Stored(pack, pool.questions, pool.skipped))
    return pack, pool


def pack_and_pool(folder: Path, template_dirs: tuple[Path, ...] = (), *, enabled: bool = True):
    """The pack and its review pool as `stats` and `lint` read them, the pool `generate` deals from (one entry
    serves both), from the cache when it holds them; the pool is None when the pack has nothing to ask yet."""
    from ..generate import REVIEWED_POOL_SEED, nothing_to_ask, question_pool
    from ..load.pack import load_pack
    from ..load.yamlfile import reads_kept_in
    from .generating import collector_paused

    store = PoolCache.of(folder, template_dirs=template_dirs, enabled=enabled)
    with collector_paused():
        stored = store.get()
        if stored is not None:
            return stored.pack, stored.pool(template_dirs)
        with reads_kept_in(store.reads_folder()):  # the pack's and the templates' YAML, each as last read
            pack = load_pack(folder)
            if nothing_to_ask(pack) is not None:
                return pack, None
            pool = question_pool(pack, template_dirs=template_dirs, seed=REVIEWED_POOL_SEED)
        store.put(Stored(pack, pool.questions, pool.skipped))
    return pack, pool
