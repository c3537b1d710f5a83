"""Laid-out pieces kept across builds, by a hash of what their drawing depends on: a build lays out only the
pieces no earlier build has. An entry is a piece's drawing operators, the glyphs it uses of each font (with
their widths and text) and the other resources it names; a font entry is the whole font file and what its
PDF descriptor says, so that every output's fonts are subset from the glyphs its pieces use, whichever
build laid each piece out."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..files import remove_stale_parts, write_cache_entry

PIECES_FOLDER = "pieces"  # inside the user's cache folder, or the build's
PIECE_ENTRY = re.compile(r"([0-9a-f]{32})\.piece")
FONT_ENTRY = re.compile(r"font-([0-9a-f]{16})-([A-Za-z0-9]+)\.font")
SUBSET_ENTRY = re.compile(r"subset-[A-Za-z0-9._-]+\.font")
# a used entry of the user's store is marked used again only once its mark is an hour old: the order in which
# entries go is kept to the hour, and a build writes no mark on the ~250 pieces it used a minute ago (30 ms)
USE_MARKED_NS = 3600 * 10**9
# the store's size is checked at most every ten minutes (listing the sizes of a few thousand entries takes 20 ms):
# builds add a few megabytes in that time, and the next check removes what outgrows the bound
SWEEP_EVERY_NS = 600 * 10**9
SWEPT = "swept.stamp"
STATISTICS_SUFFIX = ".stats.json"
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_CONFIGURATION = ("/etc/fonts", "~/.config/fontconfig")
# a line of `ldconfig -p` for the libraries that lay text out: the file its name leads to
TEXT_LIBRARY = re.compile(rb"\tlib(?:pango-1\.0|pangoft2-1\.0|harfbuzz|fontconfig|freetype)\.so[^\s]*[^\n]*=> (\S+)")


@dataclass(frozen=True)
class StoredPiece:
    """One laid-out piece, independent of the document it was laid out in."""

    content: bytes  # its drawing operators, as drawn where it was laid out
    page_height: float  # of the page it was laid out on, in points
    top: float  # where it was laid out on that page, in CSS px from the top
    glyphs: dict[str, dict[int, tuple[float, str]]]  # font name → glyph id → (width, text)
    resources: dict[str, dict[str, bytes]]  # category (/ExtGState…) → name → the object, as PDF syntax
    extra: dict | None = None  # what else its composer keeps of it (a worksheet piece's measurements and parts)


@dataclass(frozen=True)
class StoredFont:
    """A font the pieces name: the whole font file and the descriptor values that do not depend on the
    glyphs used."""

    name: str  # the resource name pieces use
    base_font: str
    family: str
    flags: int
    italic_angle: float
    ascent: float
    descent: float
    stem_v: float
    stem_h: float
    index: int  # in a font collection
    data: bytes


@functools.lru_cache(maxsize=1)
def fonts_fingerprint() -> str:
    """The installed fonts and the layout engine, as far as they change a piece's drawing: the engine's version,
    every font file's and fontconfig configuration file's path, size and modification time, and the same of the
    system libraries that choose fonts and shape and break lines (Pango, HarfBuzz, fontconfig, FreeType), as the
    dynamic linker's cache names them: pieces are kept across builds and folders, and a system upgrade that moves a
    line break must not be served the old drawing."""
    from . import weasy

    digest = hashlib.sha256(weasy.version().encode())
    for folder in (*FONT_FOLDERS, *FONT_CONFIGURATION):
        for path in _every_entry(os.path.expanduser(folder)):
            _stamp(digest, path)
    for library in sorted(set(TEXT_LIBRARY.findall(weasy.library_cache_listing() or b""))):
        _stamp(digest, os.fsdecode(library))
    return digest.hexdigest()


def _every_entry(root: str) -> list[str]:
    """Every file and folder under `root`, in sorted order, not following links to folders (os.walk, a third of
    the time of Path.rglob on a system's fonts: this runs in every build)."""
    return sorted(os.path.join(folder, name) for folder, folders, files in os.walk(root) for name in folders + files)


def _stamp(digest, path: str) -> None:
    try:
        info = os.stat(path)
    except OSError:
        return
    digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\n".encode())


def fonts_key(document_fingerprint: str) -> str:
    """Where a document's fonts are kept in the store: under the layout and content files its pieces may load (a
    layout's own font files among them) and the installed fonts. A font's name in a laid-out document says which
    font it is by its description, not its file: two layouts that give different files one family name must never
    share an entry, or one pack's cards would be drawn with the other's font."""
    return hashlib.sha256(f"{document_fingerprint}:{fonts_fingerprint()}".encode()).hexdigest()[:16]


class PieceStore:
    """Pieces and fonts in a folder, the fonts under `fonts` (fonts_key of the documents they serve); `laid_out`
    and `reused` count this process's misses and hits."""

    def __init__(self, folder: Path | None, fonts: str):
        self.folder = folder
        self.fonts = fonts
        self.laid_out = 0
        self.reused = 0

    def get(self, key: str) -> StoredPiece | None:
        """The piece stored under `key`, or None when there is none or its file is torn or corrupt."""
        header, body = self._read(f"{key}.piece")
        try:
            if header is None:
                return None
            return StoredPiece(body, float(header["page_height"]), float(header["top"]),
                               {font: {int(g): (float(w), str(t)) for g, (w, t) in glyphs.items()}
                                for font, glyphs in header["glyphs"].items()},
                               {category: {name: value.encode("latin-1") for name, value in entries.items()}
                                for category, entries in header["resources"].items()}, header.get("extra"))
        except (KeyError, TypeError, ValueError, AttributeError, UnicodeError):
            return None

    def put(self, key: str, piece: StoredPiece) -> None:
        header = {"page_height": piece.page_height, "top": piece.top,
                  "glyphs": {font: {str(g): [w, t] for g, (w, t) in sorted(glyphs.items())}
                             for font, glyphs in sorted(piece.glyphs.items())},
                  "resources": {category: {name: value.decode("latin-1") for name, value in sorted(entries.items())}
                                for category, entries in sorted(piece.resources.items())}}
        if piece.extra is not None:
            header["extra"] = piece.extra
        self._write(f"{key}.piece", header, piece.content)

    def font(self, name: str) -> StoredFont | None:
        header, body = self._read(self._font_file(name))
        try:
            return None if header is None else StoredFont(data=body, **header)
        except TypeError:
            return None

    def put_font(self, font: StoredFont) -> None:
        header = {k: v for k, v in font.__dict__.items() if k != "data"}
        self._write(self._font_file(font.name), header, font.data)

    def subset(self, name: str, glyphs: str) -> bytes | None:
        """The font file subset last stored under `name` (a file's font), if it was subset to `glyphs` (a hash of
        the font and its glyph ids): one entry per file and font, so the store does not grow with edits."""
        header, body = self._read(self._subset_file(name))
        if header is None or header.get("glyphs") != glyphs:
            return None
        self._used(self._subset_file(name))
        return body

    def put_subset(self, name: str, glyphs: str, data: bytes) -> None:
        self._write(self._subset_file(name), {"glyphs": glyphs}, data)

    def _subset_file(self, name: str) -> str:
        return "subset-" + re.sub(r"[^A-Za-z0-9.-]", "_", name) + ".font"

    def _font_file(self, name: str) -> str:
        return f"font-{self.fonts}-{name.lstrip('/')}.font"

    def _used(self, name: str) -> None:
        """The entry marked as used now, so that the user's store, which loses those used longest ago, keeps it."""
        try:
            os.utime(self.folder / name)
        except OSError:
            pass

    def _read(self, name: str) -> tuple[dict | None, bytes]:
        """An entry's header and body; (None, b"") when missing, torn or changed since it was written (its
        header carries the body's hash)."""
        if self.folder is None:
            return None, b""
        try:
            data = (self.folder / name).read_bytes()
            line, body = data.split(b"\n", 1)
            header = json.loads(line)
            if not isinstance(header, dict) or header.pop("sha256", None) != hashlib.sha256(body).hexdigest():
                return None, b""
            return header, body
        except (OSError, ValueError):
            return None, b""

    def _write(self, name: str, header: dict, body: bytes) -> None:
        """Write and rename, as the render cache does: a torn entry is never read as a whole one."""
        if self.folder is None:
            return
        line = json.dumps({**header, "sha256": hashlib.sha256(body).hexdigest()}, sort_keys=True).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_cache_entry(self.folder / name, line + b"\n" + body)
        except OSError:
            pass  # a store that cannot be written only costs time

    def write_statistics(self, document_name: str) -> None:
        """How many pieces the last render of `document_name` laid out and how many it took from the store."""
        if self.folder is None:
            return
        data = json.dumps({"laid_out": self.laid_out, "reused": self.reused}).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_cache_entry(statistics_file(self.folder, document_name), data)
        except OSError:
            pass


def statistics_file(folder: Path, document_name: str) -> Path:
    return folder / f"{document_name}{STATISTICS_SUFFIX}"


def keep_only(folder: Path, keys: set[str], fonts: set[str]) -> None:
    """Remove the pieces not under `keys` and the fonts not under `fonts` (fonts_key), and with no piece left, the
    subsets and statistics too, and the folder once empty; and the parts of writes cut short an hour ago or more
    (files.stale_part). Nothing else there."""
    if not folder.is_dir():
        return
    remove_stale_parts(folder)  # a render worker killed while writing an entry leaves its part
    for path in folder.iterdir():
        piece = PIECE_ENTRY.fullmatch(path.name)
        font = FONT_ENTRY.fullmatch(path.name)
        other = not keys and (SUBSET_ENTRY.fullmatch(path.name) or path.name.endswith(STATISTICS_SUFFIX))
        stale = (piece and piece[1] not in keys) or (font and font[1] not in fonts) or other
        if stale and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
    if not keys:
        try:
            folder.rmdir()
        except OSError:
            pass  # something else is there


def keep_within(folder: Path, keys: set[str], fonts: set[str], limit: int) -> None:
    """The user's store, which every build shares: the pieces under `keys` and the fonts under `fonts` (this
    build's) marked as used now, unless marked within the hour; then, at most every SWEEP_EVERY_NS, while the
    store's entries hold more than `limit` bytes, those used longest ago are removed, down to three quarters of it
    (never this build's), with the parts of writes cut short an hour ago or more. Nothing else there."""
    now = time.time_ns()
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
    except OSError:
        return
    sweeping = _sweep_due(folder / SWEPT, now)
    if sweeping:
        remove_stale_parts(folder)  # a render worker killed while writing an entry leaves its part
    total, others = 0, []
    for name in names:
        piece, font = PIECE_ENTRY.fullmatch(name), FONT_ENTRY.fullmatch(name)
        used = (piece and piece[1] in keys) or (font and font[1] in fonts)
        if not (used or sweeping and (piece or font or SUBSET_ENTRY.fullmatch(name))):
            continue
        try:
            info = os.stat(folder / name, follow_symlinks=False)
            total += info.st_size
            if used and not _within(info.st_mtime_ns, now, USE_MARKED_NS):
                os.utime(folder / name, ns=(now, now), follow_symlinks=False)
            elif not used:
                others.append((info.st_mtime_ns, info.st_size, folder / name))
        except OSError:
            continue
    if not sweeping or total <= limit:
        return
    for _, size, path in sorted(others):
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
        if total <= limit * 3 // 4:
            break


def _sweep_due(stamp: Path, now: int) -> bool:
    """Whether the store's size is to be checked now: when it was not in the last SWEEP_EVERY_NS, by the time of
    `stamp` (which is then set to now); a stamp from the future (a clock set back) counts as old."""
    try:
        if _within(stamp.lstat().st_mtime_ns, now, SWEEP_EVERY_NS):
            return False
        os.utime(stamp, ns=(now, now), follow_symlinks=False)
    except FileNotFoundError:
        try:
            stamp.touch()
        except OSError:
            pass
    except OSError:
        pass
    return True


def _within(then: int, now: int, span: int) -> bool:
    """Whether the time `then` is in the `span` before `now` (nanoseconds): not older, and not after it."""
    return now - span < then <= now
