"""The render cache beside a build's outputs: PDFs kept by a hash of their document's HTML and resources."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..files import folder_fingerprint, write_cache_entry
from ..render import piece_store, weasy
from ..render.card_pieces import ComposedCards
from ..render.compose import ComposedDocument
from ..render.layouts import Document
from ..render.pdf import RenderedPdf
from ..render.piece_shares import store_keys
from .code import code_fingerprint
from .pool_cache import user_cache_folder

CACHE_FOLDER = ".quizgen-cache"
PDF_LIBRARIES = ("pikepdf", "fontTools", "pydyf")  # besides WeasyPrint, whose version is read without importing it
CACHE_ENTRY = re.compile(r"([0-9a-f]{32})(?:-[0-9]+\.pdf|\.json)")


class RenderCache:
    """Rendered PDFs by a hash of their document's HTML and of every file it can load, beside the outputs.

    A rebuild after a small edit renders only the documents whose HTML changed (the versions and
    keys that contain the edited fact); the others are the bytes the same HTML gave last time.
    Entries the latest build did not use are removed, so the cache never outgrows one build.
    """

    def __init__(self, folder: Path, *, layout_folders: tuple[Path, ...], content_folders: tuple[Path, ...]):
        self.folder = folder
        self.used: set[str] = set()
        self.used_pieces: set[str] = set()
        # quizgen's own code and the libraries that write the PDFs: an upgrade of either is never served old bytes
        digest = hashlib.sha256(f"{__version__}\n{code_fingerprint(libraries=PDF_LIBRARIES)}\n"
                                f"{weasy.version()}\n".encode())
        for number, root in enumerate((*layout_folders, *content_folders)):
            # the YAML is already in the HTML
            folder_fingerprint(digest, number, Path(root), lambda path: path.suffix != ".yaml")
        self.resources = digest.hexdigest()

    def key(self, document: Document) -> str:
        parts = json.dumps([[p.file_name, p.anchor] for p in document.parts])
        return hashlib.sha256(f"{self.resources}\n{parts}\n{document.html}".encode()).hexdigest()[:32]

    def get(self, document: Document) -> tuple[RenderedPdf, ...] | None:
        key = self.key(document)
        try:
            index = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            found = tuple(RenderedPdf(entry["name"], (self.folder / f"{key}-{n}.pdf").read_bytes(), entry["pages"], 0.0)
                          for n, entry in enumerate(index))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        return found

    def put(self, document: Document, pdfs: tuple[RenderedPdf, ...]) -> None:
        key = self.key(document)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for n, pdf in enumerate(pdfs):
                write_cache_entry(self.folder / f"{key}-{n}.pdf", pdf.data)
            index = [{"name": pdf.file_name, "pages": pdf.pages} for pdf in pdfs]
            write_cache_entry(self.folder / f"{key}.json", json.dumps(index).encode("utf-8"))
            self.used.add(key)
        except OSError:
            pass  # a cache that cannot be written only costs time

    @property
    def compiled_layouts(self) -> Path:
        """Where the layouts' compiled code is kept (render/layouts.compiled_layouts_kept_in), for this quizgen and
        this Jinja2 (another version compiles anew): the user's cache folder, beside the cached pools, so that a
        build into a new folder finds it too; this cache's folder where there is no home."""
        import jinja2

        name = f"layouts-{__version__}-jinja2-{jinja2.__version__}"
        return (user_cache_folder() or self.folder) / name

    @property
    def pieces(self) -> Path:
        """The piece store (render/piece_store.py): laid-out pieces of composed documents, across builds."""
        return self.folder / piece_store.PIECES_FOLDER

    def with_piece_store(self, document: ComposedCards | ComposedDocument) -> ComposedCards | ComposedDocument:
        """The document set to take its pieces from this cache's piece store, and to put new ones there."""
        return replace(document, store=self.pieces, fingerprint=self.resources)

    def use_pieces(self, documents) -> None:
        """Keep the pieces of `documents` (flashcards, and worksheets or keys of a single version) when unused
        entries are removed, whether rendered or found whole."""
        for document in documents:
            self.used_pieces.update(store_keys(self.with_piece_store(document)).values())

    def keep_only_used(self) -> None:
        """Remove the cache's own entries that this build did not use; any other file there is left alone."""
        for path in self.folder.glob("*") if self.folder.is_dir() else ():
            entry = CACHE_ENTRY.fullmatch(path.name)
            if entry and entry[1] not in self.used and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
        piece_store.keep_only(self.pieces, self.used_pieces)

