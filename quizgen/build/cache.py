"""The render cache beside a build's outputs: PDFs kept by a hash of their document's HTML and resources."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..files import copied, folder_fingerprint, newest_kept, private_folder, write_cache_entry
from ..ownership import record_entry
from ..render import piece_store, weasy
from ..render.card_pieces import ComposedCards
from ..render.compose import ComposedDocument
from ..render.layouts import Document
from ..render.pdf import RenderedPdf, SpooledPdf
from ..render.piece_shares import store_keys
from .code import code_fingerprint

CACHE_FOLDER = ".quizgen-cache"
PDF_LIBRARIES = ("pikepdf", "uharfbuzz", "fontTools", "pydyf")  # besides WeasyPrint, whose version is read without importing it
PIECE_STORE_BYTES = 256 * 2**20  # the user's piece store: some 50 packs' pieces and their fonts, least used go first
COMPILED_LAYOUTS_KEPT = 3  # folders of compiled layouts in the user's cache: this code's and the last two before it
CACHE_ENTRY = re.compile(r"([0-9a-f]{32})(?:-[0-9]+\.pdf|\.json)")


class RenderCache:
    """Rendered PDFs by a hash of their document's HTML and of every file it can load, beside the outputs.

    A rebuild after a small edit renders only the documents whose HTML changed (the versions and
    keys that contain the edited fact); the others are the bytes the same HTML gave last time.
    Entries the latest build did not use are removed, so the cache never outgrows one build.
    """

    def __init__(self, folder: Path, *, layout_folders: tuple[Path, ...], content_folders: tuple[Path, ...],
                 user_cache: Path | None = None):
        self.folder = folder
        self.user_cache = user_cache  # the user's cache folder, where the layouts' compiled code is kept; None: here
        self.used: set[str] = set()
        self.used_pieces: set[str] = set()
        # quizgen's own code and the libraries that write the PDFs: an upgrade of either is never served old bytes
        self.code = code_fingerprint(libraries=PDF_LIBRARIES)
        digest = hashlib.sha256(f"{__version__}\n{self.code}\n{weasy.version()}\n".encode())
        for number, root in enumerate((*layout_folders, *content_folders)):
            # the YAML is already in the HTML
            folder_fingerprint(digest, number, Path(root), lambda path: path.suffix != ".yaml")
        self.resources = digest.hexdigest()

    def key(self, document: Document) -> str:
        parts = json.dumps([[p.file_name, p.anchor] for p in document.parts])
        return hashlib.sha256(f"{self.resources}\n{parts}\n{document.html}".encode()).hexdigest()[:32]

    def get(self, document: Document, spool: Path) -> tuple[SpooledPdf, ...] | None:
        """The PDFs the same document gave before, each copied into `spool` (so that no other build's clean-up can
        take it before this build writes it, and the output is a file of its own, not one with a copy the user
        moved away) and checked against the hash it was kept with: the entry shares its file with the output that
        put it, and a reader that changed that output in place must not change what the cache gives."""
        key = self.key(document)
        try:
            index = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            found = tuple(self._taken(key, n, entry, spool) for n, entry in enumerate(index))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if None in found:
            return None
        self.used.add(key)
        return found

    def _taken(self, key: str, n: int, entry: dict, spool: Path) -> SpooledPdf | None:
        taken = spool / f"{key}-{n}.pdf"
        taken.unlink(missing_ok=True)
        written = copied(self.folder / taken.name, taken)
        if written.sha256 != entry["sha256"] or written.size != entry["bytes"]:
            return None
        return SpooledPdf(entry["path"], written, entry["pages"], 0.0)

    def put(self, document: Document, pdfs: tuple[RenderedPdf | SpooledPdf, ...]) -> None:
        key = self.key(document)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            index = []
            for n, pdf in enumerate(pdfs):
                contents = pdf.file if isinstance(pdf, SpooledPdf) else pdf.data
                write_cache_entry(self.folder / f"{key}-{n}.pdf", contents)  # a spooled file: linked, not copied
                index.append(record_entry(pdf.file_name, contents, pdf.pages))
            write_cache_entry(self.folder / f"{key}.json", json.dumps(index).encode("utf-8"))
            self.used.add(key)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def compiled_layouts_folder(self) -> Path:
        """Where the layouts' compiled code is kept (render/layouts.compiled_layouts_kept_in), for this quizgen's code
        and this Jinja2 (other code compiles anew: the sandbox's rules are compiled in): in the user's cache folder,
        beside the cached pools, so that a build into a new folder finds it too, with the code of the last few
        quizgens before it (older ones are removed now); in this cache's folder when the user's cache is off or there is
        no home."""
        import jinja2

        name = "layouts-" + hashlib.sha256(f"{self.code}\n{jinja2.__version__}".encode()).hexdigest()[:16]
        if self.user_cache is None:
            return self.folder / name
        return newest_kept(self.user_cache / name, COMPILED_LAYOUTS_KEPT)

    @functools.cached_property
    def pieces(self) -> Path:
        """The piece store (render/piece_store.py): laid-out pieces of composed documents, across builds. In the
        user's cache folder, so that a build into a new folder, or after another pack or version, lays out only
        the pieces no build of this user has; in this cache's folder when the user's cache is off or there is no
        home, or when the user's store is a folder someone else could write (a piece is drawn into the output)."""
        if self.user_cache is not None:
            shared = self.user_cache / piece_store.PIECES_FOLDER
            try:
                shared.mkdir(mode=0o700, parents=True, exist_ok=True)
                if private_folder(shared):
                    shared.chmod(0o700)  # an answer key's pieces are for this user's eyes too
                    return shared
            except OSError:
                pass
        return self.folder / piece_store.PIECES_FOLDER

    @property
    def shared_pieces(self) -> bool:
        """Whether the pieces are kept in the user's store, which every build shares, rather than beside the build."""
        return self.pieces.parent != self.folder

    def with_piece_store(self, document: ComposedCards | ComposedDocument) -> ComposedCards | ComposedDocument:
        """The document set to take its pieces from this cache's piece store, and to put new ones there."""
        return replace(document, store=self.pieces, fingerprint=self.resources)

    def use_pieces(self, documents) -> None:
        """Keep the pieces of `documents` (flashcards, and worksheets or keys of a single version) when unused
        entries are removed, whether rendered or found whole."""
        for document in documents:
            self.used_pieces.update(store_keys(self.with_piece_store(document)).values())

    def keep_only_used(self) -> None:
        """Remove the cache's own entries that this build did not use (any other file there is left alone); of the
        user's piece store, only the entries used longest ago, once it outgrows PIECE_STORE_BYTES."""
        for path in self.folder.glob("*") if self.folder.is_dir() else ():
            entry = CACHE_ENTRY.fullmatch(path.name)
            if entry and entry[1] not in self.used and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
        fonts = {piece_store.fonts_key(self.resources)}
        if self.shared_pieces:
            piece_store.keep_within(self.pieces, self.used_pieces, fonts, PIECE_STORE_BYTES)
            piece_store.keep_only(self.folder / piece_store.PIECES_FOLDER, set(), set())  # an earlier build's own
        else:
            piece_store.keep_only(self.pieces, self.used_pieces, fonts)
