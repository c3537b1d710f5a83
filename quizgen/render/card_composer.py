"""Composing flashcard sheets from their pieces (card_pieces.py): the pieces no earlier build laid out are laid
out in one WeasyPrint document, each in the slot its key chooses, and kept in the piece store; every sheet is then written with
pikepdf from the pieces' drawing (splicing.py), with fonts subset to the glyphs the sheets use."""

from __future__ import annotations

import time

from ..sheets.paper import Box
from .card_pieces import (
    PX_PER_MM,
    CardPiece,
    ComposedCards,
    PieceSlot,
    piece_key,
    pieces_document,
    placement_px,
    slot_of,
)
from .compose import NotComposable
from .fetching import refusals_reported
from .font_subsets import (font_object, glyph_tables, stored_font, subset_kept, used_glyphs,
                           with_shared_glyphs_read_alike)
from .html_pdf import RenderedPdf, render_html_pdfs
from .layouts import Document
from .piece_store import PieceStore, StoredFont, StoredPiece, fonts_fingerprint, fonts_key
from .pieces import Measured, PieceStreams, Placement, PlannedPage, cut_pieces
from .splicing import deflated, write_pages
from .weasy import drawn_extents, font_dates_kept, font_files, laid_out

NAMED_RESOURCES = {"gs": "/ExtGState", "cs": "/ColorSpace", "CS": "/ColorSpace"}
DEVICE_SPACES = {"/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern"}


def render_composed_cards(document: ComposedCards) -> tuple[RenderedPdf, ...]:
    """The flashcards PDF composed from pieces; layouts that do not compose are laid out in full."""
    try:
        return (composed_cards_pdf(document),)
    except NotComposable:
        with font_dates_kept():
            return render_html_pdfs(document.full_document())


def composed_cards_pdf(document: ComposedCards, store: PieceStore | None = None) -> RenderedPdf:
    """The flashcards PDF, from the pieces in the store and the others laid out now (and stored)."""
    started = time.perf_counter()
    store = store or PieceStore(document.store, fonts_key(document.fingerprint))
    fingerprint = store_fingerprint(document)
    keys = {piece_id: piece_key(document, piece_id, fingerprint) for piece_id in document.pieces}
    pieces = {piece_id: store.get(key) for piece_id, key in keys.items()}
    fonts: dict[str, StoredFont] = {}
    missing = [piece_id for piece_id, piece in pieces.items() if piece is None]
    if missing:
        lay_out_and_store(document, missing, keys, store, pieces, fonts)
    needed = {name for piece in pieces.values() for name in piece.glyphs} - set(fonts)
    fonts.update({name: font for name in sorted(needed) if (font := store.font(name)) is not None})
    lost = needed - set(fonts)
    if lost:  # the store lost a font its pieces need: laying them out again stores it again
        again = [piece_id for piece_id, piece in pieces.items() if set(piece.glyphs) & lost]
        lay_out_and_store(document, again, keys, store, pieces, fonts)
        missing += again
    store.laid_out, store.reused = len(missing), len(pieces) - len(missing)
    data = write_sheets(document, pieces, fonts, store)
    store.write_statistics(document.parts[0].file_name)
    return RenderedPdf(document.parts[0].file_name, data, len(document.sheets), time.perf_counter() - started)


def lay_out_and_store(document: ComposedCards, piece_ids: list[str], keys: dict[str, str], store: PieceStore,
                       pieces: dict, fonts: dict[str, StoredFont]) -> None:
    """Lay out `piece_ids`, put them and their fonts in the store, and into `pieces` and `fonts`."""
    made, made_fonts = lay_out_pieces(document, {piece_id: slot_of(keys[piece_id]) for piece_id in piece_ids})
    for piece_id, piece in made.items():
        store.put(keys[piece_id], piece)
    for font in made_fonts.values():
        store.put_font(font)
    pieces.update(made)
    fonts.update(made_fonts)


def store_fingerprint(document: ComposedCards) -> str:
    """What every piece's drawing depends on besides its own HTML: the layout and content files it may load
    (the render cache's fingerprint, given by the build) and the installed fonts."""
    return f"{document.fingerprint}:{fonts_fingerprint()}"


def lay_out_pieces(document: ComposedCards, slots: dict[str, int]
                   ) -> tuple[dict[str, StoredPiece], dict[str, StoredFont]]:
    """Lay out the pieces of `slots`, each in its slot, and read back each one's drawing, glyphs and resources.

    A side whose text runs past its box (clipped, so unseen) would leave some of its drawing in the slot under
    it, or on the next page; such a side is laid out again alone on its page, and so are the sides of every page
    it reached, so that every stored piece holds its own drawing only, whichever sides it was laid out with."""
    made, fonts, spilled, where = _lay_out_in_slots(document, slots, frozenset())
    if spilled:
        pages = {page for piece_id, reached in spilled.items()
                 for page in range(where[piece_id].page, where[piece_id].page + reached)}
        again = {piece_id: slot for piece_id, slot in slots.items() if where[piece_id].page in pages}
        remade, more_fonts, still, _ = _lay_out_in_slots(document, again, frozenset(spilled))
        if any(reached > 1 for reached in still.values()):
            raise NotComposable("a card side runs past the page it is laid out on")
        made.update(remade)
        fonts.update(more_fonts)
    return made, fonts


def _lay_out_in_slots(document: ComposedCards, slots: dict[str, int], alone: frozenset[str]
                      ) -> tuple[dict[str, StoredPiece], dict[str, StoredFont], dict[str, int], dict[str, PieceSlot]]:
    """The pieces of `slots` laid out (those in `alone` each on a page of its own), their fonts, the pieces that
    draw outside their slot with the number of pages each reached, and where each one was."""
    html, where = pieces_document(document, slots, alone)
    source = Document(html, document.layout, document.layout_folders, document.content_folders, document.parts)
    refusals: list = []
    with refusals_reported(source, refusals):
        rendered = laid_out(source, refusals)
    if len(rendered.pages) != len({spot.page for spot in where.values()}):
        raise NotComposable("a card side runs over the page it is laid out on")
    bands = {piece_id: piece_band(document.pieces[piece_id], where[piece_id]) for piece_id in slots}
    extents = drawn_extents(rendered)
    spilled = {piece_id: extent.pages for piece_id, extent in extents.items()
               if extent.top < bands[piece_id].band.y - 0.5 or extent.bottom > bands[piece_id].band.bottom + 0.5
               or extent.pages > 1}
    with refusals_reported(source, refusals):
        pdf_bytes = rendered.write_pdf()
    files = font_files(rendered)
    streams = cut_pieces(pdf_bytes, bands, {})
    tables = with_shared_glyphs_read_alike(glyph_tables(streams.pdf), files)
    missing = sorted(set(tables) - set(files))
    if missing:
        raise NotComposable(f"font {missing[0]} has no font file")
    fonts = {name: stored_font(name, streams.resources["/Font"][name], *files[name]) for name in tables}
    made = {}
    for piece_id, band in bands.items():
        content = streams.contents[piece_id]
        instructions = streams.instructions[piece_id]
        glyphs = {font: {gid: tables[font].get(gid, (0.0, "")) for gid in gids}
                  for font, gids in used_glyphs(instructions).items()}
        made[piece_id] = StoredPiece(content, streams.page_heights[band.page], band.band.y, glyphs,
                                     named_resources(instructions, streams.resources))
    return made, fonts, spilled, where


def piece_band(piece: CardPiece, spot: PieceSlot) -> Measured:
    """Where a piece lies on the page it was laid out on: its slot, in CSS px; everything drawn there is its."""
    width, height = piece.width * PX_PER_MM, piece.height * PX_PER_MM
    band = Box(0.0, spot.slot * height, width, height)
    return Measured(spot.page, band, band, 0.0, 0.0, ())


def named_resources(instructions, resources: dict[str, dict[str, object]]) -> dict[str, dict[str, bytes]]:
    """The graphics states and colour spaces a piece's drawing names, as PDF syntax; a piece that names any
    other resource (an image, a pattern) is not composed."""
    found: dict[str, dict[str, bytes]] = {}
    for instruction in instructions:
        operator = str(getattr(instruction, "operator", "INLINE IMAGE"))
        if operator in ("Do", "sh", "INLINE IMAGE", "BDC", "DP") or (
                operator in ("scn", "SCN") and instruction.operands and str(instruction.operands[-1]).startswith("/")):
            raise NotComposable(f"a card draws {operator}, which composing does not reproduce")
        category = NAMED_RESOURCES.get(operator)
        if category is None:
            continue
        name = str(instruction.operands[0])
        if category == "/ColorSpace" and name in DEVICE_SPACES:
            continue
        value = resources.get(category, {}).get(name)
        if value is None:
            raise NotComposable(f"{category} {name} is missing")
        found.setdefault(category, {})[name] = value.unparse(resolved=True)
    return found


def gather_fonts_and_resources(piece: StoredPiece, glyphs: dict[str, dict[int, tuple[float, str]]],
                               named: dict[str, dict[str, bytes]]) -> None:
    """Add the glyphs `piece` draws to `glyphs` (font → glyph → width and text) and its named resources to `named`;
    two pieces that give one name to different resources cannot share a file."""
    for font, table in piece.glyphs.items():
        glyphs.setdefault(font, {}).update(table)
    for category, entries in piece.resources.items():
        for name, value in entries.items():
            if named.setdefault(category, {}).setdefault(name, value) != value:
                raise NotComposable(f"two pieces name different {category} {name}")


def write_sheets(document: ComposedCards, pieces: dict[str, StoredPiece], fonts: dict[str, StoredFont],
                 store: PieceStore) -> bytes:
    """The flashcards PDF: every sheet's pieces moved to their boxes; each font subset to the glyphs of the
    pieces the sheets draw (kept in the store), and each named resource once."""
    import pikepdf

    source = pikepdf.new()
    glyphs: dict[str, dict[int, tuple[float, str]]] = {}
    named: dict[str, dict[str, bytes]] = {}
    for piece in pieces.values():
        gather_fonts_and_resources(piece, glyphs, named)
    resources: dict[str, dict[str, object]] = {
        category: {name: source.make_indirect(pikepdf.Object.parse(value)) for name, value in sorted(entries.items())}
        for category, entries in sorted(named.items())}
    resources["/Font"] = {name: font_object(source, fonts[name], table,
                                            subset_kept(store, f"{document.parts[0].file_name}{name}", fonts[name], table))
                          for name, table in sorted(glyphs.items())}
    streams = PieceStreams(source, {piece_id: deflated(piece.content) for piece_id, piece in pieces.items()},
                           {piece_id: tuple(sorted(piece.glyphs)) for piece_id, piece in pieces.items()},
                           resources, ())
    pages = [PlannedPage(number, tuple(Placement(placed.piece, x, y - pieces[placed.piece].top, ())
                                       for placed in sheet.placed for x, y in (placement_px(placed),)), ())
             for number, sheet in enumerate(document.sheets, 1)]
    paper = document.paper
    size = (paper.width * 96 / 25.4, paper.height * 96 / 25.4)
    return write_pages(pages, streams, lambda piece_id: pieces[piece_id].page_height, size,
                       f"{document.title} · flashcards", spliced=False)
