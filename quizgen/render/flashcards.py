"""Flashcards as HTML: a card per question, placed on duplex sheets (fronts, mirrored backs) or fold-over
pages, at the sizes the layouts' cards.yaml gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, QuizgenError
from ..model import Question, QuestionSet
from ..sheets.paper import Box, Line, Paper
from ..study.deck import card_front
from ..text import cut_at_word
from ..load.records import Reader, is_number
from ..load.yamlfile import read_yaml
from . import card_pieces, imposition
from .card_pieces import ComposedCards
from .imposition import CardSize, Flip, Grid, Offset
from .layouts import Document, Layouts, Part, render_layout

CARD_SIZES_FILE = "cards.yaml"
CITATION_ON_CARD = 130  # characters of a citation that fit under a card's explanation
QUOTE_ON_CARD = 110  # characters of its quotation shown after it


@dataclass(frozen=True)
class Card:
    """One flashcard: the same question's front and back."""

    id: str
    number: int
    front: str
    back: str
    explanation: str
    source: str
    size: str  # "normal", "long" or "very-long": how much text the back carries
    front_size: str  # the same for the front
    front_items: tuple[str, ...] = ()  # what to order or match, numbered under the front text
    front_choices: tuple[str, ...] = ()  # what to match them with (or pick from), lettered
    topic: str = ""  # shown on the front; cards of a topic are printed together


@dataclass(frozen=True)
class PlacedCard:
    card: Card
    box: Box


@dataclass(frozen=True)
class Sheet:
    """One page of cards: fronts, backs (on the same page in fold mode) and cut marks."""

    kind: str  # "front", "back" or "fold"
    cards: tuple[PlacedCard, ...]
    marks: tuple[Line, ...]
    fold_line: Line | None = None


@dataclass(frozen=True)
class CardSettings:
    """Card sizes by grid, read from the layouts' cards.yaml."""

    sizes: dict[str, CardSize]
    gap: float
    smallest: CardSize = CardSize(60.0, 50.0)  # below this the layout's text no longer fits a card

    def size_for(self, grid: Grid, paper: Paper) -> CardSize:
        if str(grid) in self.sizes:
            return self.sizes[str(grid)]
        width = (paper.width - 2 * imposition.MIN_MARGIN - 2 - (grid.columns - 1) * self.gap) / grid.columns
        height = (paper.height - 2 * imposition.MIN_MARGIN - 2 - (grid.rows - 1) * self.gap) / grid.rows
        return CardSize(round(width, 1), round(height, 1))


def card_settings(layouts: Layouts) -> CardSettings:
    """Card sizes from the first cards.yaml in the layout folders, checked field by field."""
    path = layouts.find(CARD_SIZES_FILE)
    if path is None:
        return CardSettings({"2x4": CardSize(90, 62), "3x3": CardSize(63, 85)}, 0.0)
    doc = read_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    problems: list[Problem] = []
    r = Reader(doc, problems)
    gap = r.measure(data, (), "gap", low=0, high=30, default=0,
                    message="{value!r} is not a gap in mm; expected a number from 0 to 30")
    sizes: dict[str, CardSize] = {}
    for key, value in r.mapping(data, (), "grids", message="expected a mapping of COLUMNSxROWS to {{width, height}}"
                                ).items():
        try:
            grid = imposition.parse_grid(str(key))
        except ValueError as exc:
            r.report(("grids", key), str(exc), at_key=True)
            continue
        size = _card_size(r, ("grids", key), value)
        if size is not None:
            sizes[str(grid)] = size
    smallest = CardSettings.smallest
    if "min_card" in data:
        smallest = _card_size(r, ("min_card",), data["min_card"]) or smallest
    if problems:
        raise QuizgenError(problems)
    return CardSettings(sizes, float(gap), smallest)


def _card_size(r: Reader, at: tuple, value: object) -> CardSize | None:
    """{width: MM, height: MM}, each from 10 to 300."""
    size = value if isinstance(value, dict) else {}
    width, height = size.get("width"), size.get("height")
    if all(is_number(v) and 10 <= v <= 300 for v in (width, height)):
        return CardSize(float(width), float(height))
    r.report(at, f"{value!r} is not a card size; expected {{width: MM, height: MM}} with each from 10 to 300")
    return None


LEITNER_BOXES = 5  # tick boxes on a card front: one tick per right answer, as the drill's five boxes


def flashcards_for(question_set: QuestionSet) -> tuple[Card, ...]:
    """A card per study-deck question, grouped by topic (topics in order of first appearance, cards in
    deck order within each): front = question or term, back = answer, why, source."""
    deck = question_set.study_deck()
    first_seen: dict[str, int] = {}
    for question in deck:
        first_seen.setdefault(card_topic(question), len(first_seen))
    grouped = sorted(deck, key=lambda q: first_seen[card_topic(q)])  # sorted() is stable: deck order stays
    return tuple(card_for(q, n, question_set.topic_title(card_topic(q))) for n, q in enumerate(grouped, 1))


def card_topic(question: Question) -> str:
    """The question's topic, or its first tag when it has none."""
    return question.topic or (question.tags[0] if question.tags else "")


def card_id(question: Question) -> str:
    """The short id printed on both sides of a card, to pair them up after cutting."""
    return question.id[:8]


def card_for(question: Question, number: int, topic: str = "") -> Card:
    """A card for one question; `topic` is what its front names (the topic's title), by default the topic itself."""
    back = question.back or question.answer
    sides = card_front(question)
    front = sides.text
    explanation = question.explanation
    if question.type == "ordering":
        # the explanation is the sequence again with its dates: show that instead of the bare sequence
        back, explanation = question.explanation, ""
    elif question.type == "matching":
        explanation = ""  # the pairs are the answer; the facts behind them would not fit on a card
    source = short_citation("; ".join(dict.fromkeys(c.text for c in question.citations)), CITATION_ON_CARD)
    quoted = next((c.evidence for c in question.citations if c.evidence), "")
    if quoted and question.type not in ("matching", "ordering"):
        source += f": “{cut_at_word(quoted, QUOTE_ON_CARD)}”"  # the source's own words, so a card settles a doubt
    length = len(back) + len(explanation) + len(source)
    size = "normal" if length <= 190 else "long" if length <= 300 else "very-long"
    # a front must show what to put in order or to match, or it cannot be answered
    listed = len(sides.items) + len(sides.choices)
    front_length = len(front) + sum(len(t) for t in (*sides.items, *sides.choices))
    front_size = ("normal" if front_length <= 100 and not listed else "long" if front_length <= 170 and listed <= 4
                  else "very-long")
    return Card(card_id(question), number, front, back, explanation, source, size, front_size, sides.items,
                sides.choices, topic or card_topic(question))


def short_citation(text: str, limit: int) -> str:
    """A citation cut to `limit` characters by shortening its quoted title first, so publisher and date stay;
    every cut falls between words and is marked with '…'."""
    if len(text) <= limit:
        return text
    match = re.fullmatch(r"(.*?“)(.*?)(”.*)", text)
    if match and len(match[1]) + len(match[3]) + 12 <= limit:
        room = limit - len(match[1]) - len(match[3])
        return f"{match[1]}{cut_at_word(match[2], room)}{match[3]}"
    return cut_at_word(text, limit)


def duplex_sheets(cards: tuple[Card, ...], paper: Paper, grid: Grid, size: CardSize, flip: Flip,
                  offset: Offset, gap: float = 0.0) -> tuple[Sheet, ...]:
    """Front page, then back page, for every sheet: each back sits behind its front after a duplex print."""
    fronts = imposition.card_positions(paper, grid, size, gap)
    backs = imposition.shifted(imposition.mirror_back_positions(paper, fronts, flip), offset)
    marks = imposition.cut_marks(fronts)
    sheets: list[Sheet] = []
    for start in range(0, max(len(cards), 1), grid.per_sheet):
        chunk = cards[start:start + grid.per_sheet]
        sheets.append(Sheet("front", tuple(PlacedCard(c, b) for c, b in zip(chunk, fronts)), marks))
        sheets.append(Sheet("back", tuple(PlacedCard(c, b) for c, b in zip(chunk, backs)), ()))
    return tuple(sheets)


def fold_sheets(cards: tuple[Card, ...], paper: Paper, rows: int, size: CardSize) -> tuple[Sheet, ...]:
    """One page per group of `rows` cards: fronts left of the fold, backs right of it."""
    fronts, backs = imposition.fold_positions(paper, rows, size)
    fold = Line(paper.width / 2, fronts[0].y - imposition.MIN_MARGIN, paper.width / 2,
                fronts[-1].bottom + imposition.MIN_MARGIN)
    marks = imposition.cut_marks(fronts + backs)
    marks = tuple(m for m in marks if not (m.x1 == m.x2 and abs(m.x1 - paper.width / 2) < 0.01))
    sheets = []
    for start in range(0, max(len(cards), 1), rows):
        chunk = cards[start:start + rows]
        placed = tuple(PlacedCard(c, b) for c, b in zip(chunk, fronts))
        placed_backs = tuple(PlacedCard(c, b) for c, b in zip(chunk, backs))
        sheets.append(Sheet("fold", placed + placed_backs, marks, fold))
    return tuple(sheets)


NOTE_HEIGHT = 3.0  # mm: one line of 7 pt
PRINTABLE_EDGE = 4.0  # mm at the paper's edge that most printers leave blank


def note_box(paper: Paper, sheets: tuple[Sheet, ...]) -> Box | None:
    """Where the printing hint goes: under the cut marks when there is room, else between two of the bottom
    cut marks (Letter leaves only a few millimetres under a 3x3 grid); None when neither fits."""
    boxes = [p.box for s in sheets for p in s.cards]
    if not boxes:
        return None
    bottom = max(b.bottom for b in boxes)
    top = bottom + imposition.MIN_MARGIN + 1.0
    if paper.height - top - PRINTABLE_EDGE >= NOTE_HEIGHT:
        return Box(10.0, top, paper.width - 20.0, NOTE_HEIGHT)
    band_top = bottom + imposition.CUT_MARK_DISTANCE
    if paper.height - band_top - PRINTABLE_EDGE < imposition.CUT_MARK_LENGTH:
        return None
    edges = sorted({round(v, 3) for b in boxes for v in (b.x, b.right)})
    spans = list(zip(edges, edges[1:]))
    # the widest span between two marks; of equal ones, the one nearest the middle of the page
    left, right = max(spans, key=lambda s: (round(s[1] - s[0], 1), -abs((s[0] + s[1]) / 2 - paper.width / 2)),
                      default=(0.0, 0.0))
    if right - left < 40.0:
        return None
    return Box(left + 2.0, band_top, right - left - 4.0, imposition.CUT_MARK_LENGTH)


def card_too_small(grid: Grid, size: CardSize, smallest: CardSize, paper: Paper) -> str | None:
    """Why cards of `size` cannot hold the layout's text (smaller than min_card in cards.yaml), or None."""
    if size.width >= smallest.width and size.height >= smallest.height:
        return None
    return (f"{grid} gives cards of {size.width:g}×{size.height:g} mm on {paper.name}; the flashcard text needs "
            f"at least {smallest.width:g}×{smallest.height:g} mm (min_card in cards.yaml); "
            "expected fewer columns or rows, such as 2x4 or 3x3")


def flashcards_document(question_set: QuestionSet, layouts: Layouts, paper: Paper, grid: Grid, flip: Flip,
                        offset: Offset, *, fold: bool = False, content_folders: tuple[Path, ...] = (),
                        composed: bool = True) -> Document | ComposedCards:
    """Flashcards as HTML: duplex sheets (front, mirrored back) or, with `fold`, fold-over pages; composed from
    pieces (card_pieces.py) unless `composed` is False or a user folder replaces flashcards.html."""
    settings = card_settings(layouts)
    size = settings.size_for(grid, paper)
    problem = (imposition.fold_fit_problem(paper, grid.rows, size) if fold
               else imposition.grid_fit_problem(paper, grid, size, settings.gap))
    if problem:
        raise QuizgenError.at(layouts.path_of(CARD_SIZES_FILE), problem, field=f"grids.{grid}")
    too_small = card_too_small(grid, size, settings.smallest, paper)
    if too_small:
        raise QuizgenError([Problem("command line", 0, 0, "--cards", too_small)])
    cards = flashcards_for(question_set)
    sheets = (fold_sheets(cards, paper, grid.rows, size) if fold
              else duplex_sheets(cards, paper, grid, size, flip, offset, settings.gap))
    note = note_box(paper, sheets)
    context = {
        "set": question_set,
        "title": question_set.pack_title,
        "pack_id": question_set.pack_id,
        "language": question_set.language,
        "paper": paper,
        "grid": grid,
        "card_size": size,
        "flip": flip,
        "offset": offset,
        "fold": fold,
        "sheets": sheets,
        "card_count": len(cards),
        "note": note,
        "note_top": note.y if note else None,
        "note_between_marks": note is not None and note.height == imposition.CUT_MARK_LENGTH,
        "leitner_boxes": LEITNER_BOXES,
    }
    name = "flashcards-fold.pdf" if fold else "flashcards.pdf"
    html = render_layout(layouts, "flashcards.html", context)
    full = Document(html, layouts.path_of("flashcards.html"), layouts.folders, content_folders, (Part(name, ""),))
    if composed and card_pieces.composable(layouts):
        return card_pieces.composed_cards(full, context, layouts)
    return full
