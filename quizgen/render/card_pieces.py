"""Flashcards planned for composing from pieces: each card side is a fixed-size box laid out once, in a slot of
a page that its key chooses (so the same side gives the same drawing in any build), and each kind of sheet's
cut marks and printing hint once; a sheet is its sides moved to their boxes, then its marks. card_composer.py
lays out the pieces no earlier build has laid out and writes the sheets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from markupsafe import escape

from ..sheets.paper import Box, Paper
from .layouts import Document, Layouts, Part, layout_macro, layout_macro_arguments, mm

PIECES_FILE = "flashcard-pieces.html"
STRUCTURE_FILES = ("flashcards.html",)  # replaced by a user folder, the cards are laid out in full
STYLESHEETS = ("quizgen.css", "flashcards.css")
PX_PER_MM = 96 / 25.4
SLOTS = 8  # pieces a page of the pieces document holds, one under another (a page each costs WeasyPrint 25 % more)
# a page is one piece taller than its slots: a side in the last slot whose clipped text runs on past its box
# stays on its page, where it is seen and laid out alone, instead of being carried over into the next page's first
HEADROOM = 1


@dataclass(frozen=True)
class CardPiece:
    """One piece: its HTML, in a sheet of `width` × `height` mm of its `kind` (front, back or fold: the layout's
    rules for that kind of sheet apply)."""

    kind: str
    html: str
    width: float
    height: float

    def page_rule(self) -> str:
        return f"qg-{self.width:g}x{self.height:g}".replace(".", "_")


@dataclass(frozen=True)
class PlacedPiece:
    piece: str
    x: float  # mm from the sheet's top-left corner
    y: float


@dataclass(frozen=True)
class SheetPlan:
    placed: tuple[PlacedPiece, ...]


@dataclass(frozen=True)
class ComposedCards:
    """Flashcard sheets to be composed from pieces.

    `html` is every piece and the sheets' plan: what the render cache hashes. `store` is the
    folder of pieces laid out by earlier builds (piece_store.py), None to lay out every piece.
    """

    html: str
    layout: str
    layout_folders: tuple[Path, ...]
    content_folders: tuple[Path, ...]
    parts: tuple[Part, ...]
    paper: Paper
    title: str
    language: str
    pieces: dict[str, CardPiece]
    sheets: tuple[SheetPlan, ...]
    full: Document  # the same sheets laid out in full, when composing is not possible
    store: Path | None = None
    fingerprint: str = ""  # of the layout and content files the pieces may load (the build's render cache's)

    def full_document(self) -> Document:
        return self.full


def composable(layouts: Layouts) -> bool:
    """True unless a user folder replaces the file whose structure (absolutely placed cards on a sheet) the
    composer reproduces."""
    return built_in(layouts, STRUCTURE_FILES)


def built_in(layouts: Layouts, names: tuple[str, ...]) -> bool:
    """No user folder replaces any of the layout files `names`."""
    builtin = layouts.folders[-1]
    return all(layouts.find(name) == (builtin / name).resolve() for name in names)


def composed_cards(full: Document, context: dict, layouts: Layouts) -> ComposedCards:
    """The pieces and sheet plans of the flashcards that `full` lays out in full from `context`."""
    paper = context["paper"]
    pieces: dict[str, CardPiece] = {}
    ids: dict[CardPiece, str] = {}

    def piece_id(piece: CardPiece) -> str:
        if piece not in ids:
            ids[piece] = f"qg-{len(ids)}"
            pieces[ids[piece]] = piece
        return ids[piece]

    apart = furniture_apart(layouts)
    sheets = []
    for sheet in context["sheets"]:
        placed = []
        for card in sheet.cards:
            side = "back" if sheet.kind == "back" or (sheet.kind == "fold" and card.box.x >= paper.width / 2) \
                else "front"
            at_origin = Box(0.0, 0.0, card.box.width, card.box.height)
            html = layout_macro(layouts, PIECES_FILE, "card_side", card.card, side, at_origin, context["card_count"],
                                context["title"], context["leitner_boxes"], **({"furniture": False} if apart else {}))
            drawn = [str(html)]
            if apart:  # laid out once per kind of sheet and size of card, drawn over every front
                drawn.append(str(layout_macro(layouts, PIECES_FILE, "card_furniture", card.card, side, at_origin,
                                              context["title"], context["leitner_boxes"])))
            for piece_html in (h for h in drawn if h.strip()):
                piece = CardPiece(sheet.kind, piece_html, card.box.width, card.box.height)
                placed.append(PlacedPiece(piece_id(piece), card.box.x, card.box.y))
        furniture = layout_macro(layouts, PIECES_FILE, "sheet_furniture", sheet, context["note"],
                                 context["note_between_marks"], context["flip"], context["offset"])
        if str(furniture).strip():
            piece = CardPiece(sheet.kind, str(furniture), paper.width, paper.height)
            placed.append(PlacedPiece(piece_id(piece), 0.0, 0.0))
        sheets.append(SheetPlan(tuple(placed)))
    question_set = context["set"]
    document = ComposedCards("", full.layout, full.layout_folders, full.content_folders, full.parts, paper,
                             question_set.pack_title, question_set.language, pieces, tuple(sheets), full)
    plan = repr([[(p.piece, p.x, p.y) for p in s.placed] for s in sheets])
    return replace(document, html=plan_html(document, plan))


def furniture_apart(layouts: Layouts) -> bool:
    """The pieces layout draws a front's furniture (what every front shows, whatever its card) on its own: it has
    `card_furniture`, and `card_side` can leave the furniture out; and the stylesheets are the built-in ones, which
    give the furniture's card no border or background of its own to draw over the front's. A layout of an earlier
    quizgen, or a user's stylesheet, has each side laid out with its furniture."""
    if not built_in(layouts, STYLESHEETS):
        return False
    side = layout_macro_arguments(layouts, PIECES_FILE, "card_side")
    return layout_macro_arguments(layouts, PIECES_FILE, "card_furniture") is not None and side is not None \
        and "furniture" in side


def sheet_html(piece_id: str, piece: CardPiece, slot: int) -> str:
    """A piece in its slot: a sheet of the piece's size (one element around it: WeasyPrint's time grows with the
    elements it styles), `slot` piece heights down its page."""
    return (f'<div class="sheet {piece.kind}" id="{piece_id}" style="position: absolute; left: 0; '
            f'top: {mm(slot * piece.height)}; width: {mm(piece.width)}; height: {mm(piece.height)}">\n'
            f"{piece.html}\n</div>")


def head_html(document: ComposedCards, piece_ids: tuple[str, ...]) -> str:
    """The pieces document up to its body: the layout's stylesheets, and a page of SLOTS pieces, one under
    another (and HEADROOM pieces' height of room under them), per size of piece."""
    links = "".join(f'<link rel="stylesheet" href="{name}">' for name in STYLESHEETS)
    sizes = {document.pieces[p].page_rule(): document.pieces[p] for p in piece_ids}
    rules = "".join(f"@page {name} {{ size: {mm(p.width)} {mm(p.height * (SLOTS + HEADROOM))}; margin: 0; }}\n"
                    f".{name} {{ page: {name}; position: relative; width: {mm(p.width)}; "
                    f"height: {mm(p.height * SLOTS)}; break-after: page; }}\n" for name, p in sorted(sizes.items()))
    return (f'<!DOCTYPE html>\n<html lang="{escape(document.language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(document.title)} · flashcards</title>\n{links}\n<style>\n{rules}</style>\n</head>\n"
            "<body>\n")


def slot_of(key: str) -> int:
    """Where a piece is laid out on its page, from its key: always the same place, so the same piece draws the
    same operators whichever pieces share its page."""
    return int(key, 16) % SLOTS


@dataclass(frozen=True)
class PieceSlot:
    page: int
    slot: int


def pieces_document(document: ComposedCards, slots: dict[str, int], alone: frozenset[str] = frozenset()
                    ) -> tuple[str, dict[str, PieceSlot]]:
    """One HTML document holding each piece of `slots` in its slot, and where each one is: pages of each size of
    piece in turn, each page holding at most one piece per slot; a piece in `alone` has a page of its own."""
    html, where, page = [], {}, 0
    by_size: dict[str, list[str]] = {}
    for piece_id in slots:
        by_size.setdefault(document.pieces[piece_id].page_rule(), []).append(piece_id)
    for rule, piece_ids in sorted(by_size.items()):
        columns: list[list[str]] = [[] for _ in range(SLOTS)]
        for piece_id in piece_ids:
            if piece_id not in alone:
                columns[slots[piece_id]].append(piece_id)
        rows = [[(column[row], slot) for slot, column in enumerate(columns) if row < len(column)]
                for row in range(max(len(c) for c in columns))]
        rows += [[(piece_id, slots[piece_id])] for piece_id in piece_ids if piece_id in alone]
        for sheets in rows:
            html.append(f'<div class="{rule}">' + "".join(sheet_html(p, document.pieces[p], slot) for p, slot in sheets)
                        + "</div>")
            where.update({p: PieceSlot(page, slot) for p, slot in sheets})
            page += 1
    return f"{head_html(document, tuple(slots))}" + "\n".join(html) + "\n</body>\n</html>\n", where


def plan_html(document: ComposedCards, plan: str) -> str:
    """What the render cache hashes: every piece's HTML and page, and the sheets' plan."""
    pieces = "\n".join(sheet_html(p, piece, 0) for p, piece in document.pieces.items())
    return f"{head_html(document, tuple(document.pieces))}{pieces}\n<!-- {hashlib.sha256(plan.encode()).hexdigest()} -->"


def piece_key(document: ComposedCards, piece_id: str, fingerprint: str) -> str:
    """What a piece is stored under: a hash of everything its drawing depends on (its HTML and page, the
    stylesheets it is set with, `fingerprint` of the layout files, content files and fonts)."""
    piece = document.pieces[piece_id]
    head = head_html(document, (piece_id,))
    text = f"{fingerprint}\n{head}\n{sheet_html('', piece, 0)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def placement_px(placed: PlacedPiece) -> tuple[float, float]:
    return placed.x * PX_PER_MM, placed.y * PX_PER_MM
