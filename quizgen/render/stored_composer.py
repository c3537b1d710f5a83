"""Worksheets and keys composed from the piece store (piece_store.py), as the flashcards are: each piece no
earlier build laid out is laid out in a slot of a page that its key chooses, so that its drawing is the same
whatever it is laid out with, and kept by a hash of its HTML, the pieces document's head, the layout and
content files and the fonts, with its measurements and its parts; each file's fonts are subset to the glyphs
its pieces use (font_subsets.py), so its bytes are the same whichever build laid each piece out."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, replace

from ..sheets.paper import Box
from .card_composer import gather_fonts_and_resources, named_resources
from .compose import STORE_SLOTS, TITLE_PIECE, ComposedDocument, NotComposable, pieces_document
from .composer import composed_versions, piece_splits
from .fetching import refusals_reported
from .font_subsets import (
    font_object,
    glyph_tables,
    stored_font,
    subset_kept,
    used_glyphs,
    with_shared_glyphs_read_alike,
)
from .layouts import Document, Layouts
from .piece_store import PieceStore, StoredFont, StoredPiece, fonts_fingerprint, fonts_key
from .pieces import Mark, Measured, PageFacts, PieceStreams, cut_pieces, part_name
from .splicing import deflated
from .weasy import font_files, laid_out, measure, page_facts

PAGES_KEY = "the running title and the page's geometry"


def stored_composed_pdfs(document: ComposedDocument) -> tuple:
    """Every version of `document`, from the pieces in the store and the others laid out now (and stored)."""
    started = time.perf_counter()
    store = PieceStore(document.store, fonts_key(document.fingerprint))
    keys = piece_keys(document)
    pieces = {piece_id: store.get(key) for piece_id, key in keys.items()}
    fonts: dict[str, StoredFont] = {}
    missing = [piece_id for piece_id, piece in pieces.items() if piece is None or not _whole(piece, piece_id)]
    if missing:
        lay_out_and_store(document, missing, keys, store, pieces, fonts)
    needed = {name for piece in pieces.values() for name in _font_names(piece)} - set(fonts)
    fonts.update({name: font for name in sorted(needed) if (font := store.font(name)) is not None})
    lost = needed - set(fonts)
    if lost:  # the store lost a font its pieces need: laying them out again stores it again
        again = [piece_id for piece_id, piece in pieces.items() if set(_font_names(piece)) & lost]
        lay_out_and_store(document, again, keys, store, pieces, fonts)
        missing += again
    store.laid_out, store.reused = len(missing), len(pieces) - len(missing)
    streams, measured, facts = _streams(pieces, fonts, store, document.parts[0].file_name)
    results = composed_versions(document, streams, measured, facts, time.perf_counter() - started)
    store.write_statistics(document.parts[0].file_name)
    return results


def piece_keys(document: ComposedDocument) -> dict[str, str]:
    """What each piece (and, under TITLE_PIECE, the running title with the page's geometry) is stored under:
    a hash of its HTML, the pieces document's head and page rules, and the layout, content and font files."""
    fingerprint = f"{document.fingerprint}:{fonts_fingerprint()}"
    head = _empty_pieces_document(document)

    def key(html: str) -> str:
        return hashlib.sha256(f"{fingerprint}\n{head}\n{html}".encode()).hexdigest()[:32]

    return {TITLE_PIECE: key(PAGES_KEY), **{piece_id: key(html) for piece_id, html in document.pieces.items()}}


def _empty_pieces_document(document: ComposedDocument, pieces: dict[str, str] | None = None,
                           slots: dict[str, int] | None = None) -> str:
    layouts = Layouts(document.layout_folders)
    return pieces_document(document.kind, document.question_set, layouts, document.paper, pieces or {}, slots or {})


def slot_of(key: str) -> int:
    """Where a piece is laid out on its page, from its key: always the same place, so the same piece draws the
    same operators whichever pieces share its page."""
    return int(key, 16) % STORE_SLOTS


def _whole(piece: StoredPiece, piece_id: str) -> bool:
    """A stored entry has what composing reads from it, in its form (a damaged one only costs its layout)."""
    try:
        extra = piece.extra
        if piece_id == TITLE_PIECE:
            _facts(extra["facts"])
        else:
            _measured(extra["measured"])
        return len(extra["fonts"]) == len(extra["parts"]) + 1 and all(
            isinstance(name, str) for names in extra["fonts"] for name in names) and all(
            isinstance(part, str) for part in extra["parts"])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return False


def _font_names(piece: StoredPiece) -> set[str]:
    return {name for names in piece.extra["fonts"] for name in names}


def lay_out_and_store(document: ComposedDocument, piece_ids: list[str], keys: dict[str, str], store: PieceStore,
                       pieces: dict[str, StoredPiece | None], fonts: dict[str, StoredFont]) -> None:
    made, made_fonts = lay_out_pieces(document, {p: slot_of(keys[p]) for p in piece_ids if p != TITLE_PIECE})
    for piece_id, piece in made.items():
        store.put(keys[piece_id], piece)
        pieces[piece_id] = piece
    for font in made_fonts.values():
        store.put_font(font)
    fonts.update(made_fonts)


def lay_out_pieces(document: ComposedDocument, slots: dict[str, int]
                   ) -> tuple[dict[str, StoredPiece], dict[str, StoredFont]]:
    """The pieces of `slots` (and the running title) laid out, each in its slot, as store entries, and the
    fonts they use; a piece taller than its slot is not composed."""
    html = _empty_pieces_document(document, {p: document.pieces[p] for p in slots}, slots)
    source = Document(html, document.layout, document.layout_folders, document.content_folders, document.parts)
    refusals: list = []
    with refusals_reported(source, refusals):
        rendered = laid_out(source, refusals)
    measured = measure(rendered)
    facts = page_facts(rendered, 0, 1)
    if any(piece.band.height > facts.height for piece in measured.values()):
        raise NotComposable("a piece is taller than a page")
    splits = piece_splits(document, measured)
    with refusals_reported(source, refusals):
        pdf_bytes = rendered.write_pdf()
    files = font_files(rendered)
    del rendered
    streams = cut_pieces(pdf_bytes, measured, {TITLE_PIECE: 0}, splits)
    tables = with_shared_glyphs_read_alike(glyph_tables(streams.pdf), files)
    missing = sorted(set(tables) - set(files))
    if missing:
        raise NotComposable(f"font {missing[0]} has no font file")
    fonts = {name: stored_font(name, streams.resources["/Font"][name], *files[name]) for name in tables}

    def entry(parts: list[str], page: int, extra: dict) -> StoredPiece:
        glyphs: dict[str, dict[int, tuple[float, str]]] = {}
        resources: dict[str, dict[str, bytes]] = {}
        for part in parts:
            instructions = streams.instructions[part]
            for font, gids in used_glyphs(instructions).items():
                glyphs.setdefault(font, {}).update({gid: tables[font].get(gid, (0.0, "")) for gid in gids})
            for category, entries in named_resources(instructions, streams.resources).items():
                resources.setdefault(category, {}).update(entries)
        extra = {**extra, "fonts": [list(streams.fonts[part]) for part in parts],
                 "parts": [streams.contents[part].decode("latin-1") for part in parts[1:]]}
        return StoredPiece(streams.contents[parts[0]], streams.page_heights[page], 0.0, glyphs, resources, extra)

    made = {TITLE_PIECE: entry([TITLE_PIECE], 0, {"facts": asdict(facts)})}
    for piece_id, piece in measured.items():
        parts = [part_name(piece_id, n) for n in range(len(splits.get(piece_id, ())) + 1)]
        # the page it was laid out on is no part of it: the composer numbers the pieces' pages itself
        made[piece_id] = entry(parts, piece.page, {"measured": asdict(replace(piece, page=0))})
    return made, fonts


def _streams(pieces: dict[str, StoredPiece], fonts: dict[str, StoredFont], store: PieceStore, file_name: str
             ) -> tuple[PieceStreams, dict[str, Measured], PageFacts]:
    """The pieces' drawing, as composer.py writes versions from, their measurements and the page's geometry;
    each font subset to the glyphs of all the pieces (kept in the store: an edit seldom adds a glyph), each
    named resource once."""
    import pikepdf

    source = pikepdf.new()
    glyphs: dict[str, dict[int, tuple[float, str]]] = {}
    named: dict[str, dict[str, bytes]] = {}
    contents, font_names, heights, measured = {}, {}, [], {}
    for piece_id, piece in sorted(pieces.items(), key=lambda item: item[0] != TITLE_PIECE):
        for font in _font_names(piece):
            glyphs.setdefault(font, {})
        gather_fonts_and_resources(piece, glyphs, named)
        for number, content in enumerate([piece.content, *(p.encode("latin-1") for p in piece.extra["parts"])]):
            contents[part_name(piece_id, number)] = deflated(content)
            font_names[part_name(piece_id, number)] = tuple(piece.extra["fonts"][number])
        if piece_id != TITLE_PIECE:
            measured[piece_id] = replace(_measured(piece.extra["measured"]), page=len(heights))
        heights.append(piece.page_height)
    resources: dict[str, dict[str, object]] = {
        category: {name: source.make_indirect(pikepdf.Object.parse(value)) for name, value in sorted(entries.items())}
        for category, entries in sorted(named.items())}
    resources["/Font"] = {name: font_object(source, fonts[name], table,
                                            subset_kept(store, f"{file_name}{name}", fonts[name], table))
                          for name, table in sorted(glyphs.items())}
    facts = _facts(pieces[TITLE_PIECE].extra["facts"])
    return PieceStreams(source, contents, font_names, resources, tuple(heights)), measured, facts


def _facts(data: dict) -> PageFacts:
    return PageFacts(float(data["width"]), float(data["height"]), Box(**data["content"]), float(data["header_right"]),
                     float(data["header_baseline"]))


def _measured(data: dict) -> Measured:
    """A piece's measurements as the store keeps them (dataclasses.asdict), made objects again."""
    def mark(values: dict) -> Mark:
        return Mark(**{**values, "box": Box(**values["box"]),
                       "ancestors": tuple(tuple(a) for a in values["ancestors"])})

    return Measured(data["page"], Box(**data["band"]), Box(**data["box"]), data["margin_top"], data["margin_bottom"],
                    tuple(Box(**b) for b in data["ink"]),
                    {name: tuple(mark(m) for m in marks) for name, marks in data["marks"].items()})
