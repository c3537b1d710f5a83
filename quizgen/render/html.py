"""Layouts → HTML: Jinja2 layouts run in a sandbox, a user's layout folders overriding the built-ins by file name."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..errors import Problem, QuizgenError, display_path
from ..files import read_contributed
from ..sandbox import bounded_environment
from ..model import BLANK, Question, QuestionSet, Version, option_letter
from ..resources import builtin_layouts_folder
from ..study.deck import card_front
from ..load.yamlfile import read_yaml
from . import cards as geometry
from .cards import Box, CardSize, Flip, Grid, Line, Offset, Paper

BUILTIN_LAYOUTS = builtin_layouts_folder()
CARD_SIZES_FILE = "cards.yaml"
CITATION_ON_CARD = 130  # characters of a citation that fit under a card's explanation
QUOTE_ON_CARD = 110  # characters of its quotation shown after it


@dataclass(frozen=True)
class Layouts:
    """Layout folders in lookup order: the user's folders first, the built-ins last."""

    folders: tuple[Path, ...]

    @classmethod
    def with_user_folders(cls, user_folders: Iterable[Path] = ()) -> Layouts:
        folders = []
        for folder in user_folders:
            if not Path(folder).is_dir():
                raise QuizgenError.at(folder, "layout folder not found; expected a folder of .html/.css layouts",
                                      field="--layouts")
            folders.append(Path(folder).resolve())
        return cls((*folders, BUILTIN_LAYOUTS))

    def find(self, name: str) -> Path | None:
        """The file that `name` means: the first folder holding it wins, as in the template loader."""
        for folder in self.folders:
            candidate = (folder / name).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate
        return None

    def path_of(self, name: str) -> str:
        found = self.find(name)
        return display_path(found) if found else name


def user_layout_blame(folders: tuple[Path, ...], fallback: str) -> str:
    """What to name when rendering breaks a limit: the user's layouts, the untrusted part (not the built-in
    layout that includes them); their one file when there is only one, else their folders."""
    user_folders = folders[:-1]
    files = [p for folder in user_folders for p in sorted(Path(folder).glob("*")) if p.is_file()]
    if len(files) == 1:
        return display_path(files[0])
    return ", ".join(display_path(f) for f in user_folders) or fallback


@dataclass(frozen=True)
class Part:
    """One output file cut from a rendered document: its pages start at the element with id `anchor`."""

    file_name: str
    anchor: str


@dataclass(frozen=True)
class Document:
    """An HTML document ready for WeasyPrint, and the files its pages become."""

    html: str
    layout: str  # the layout file, shown in errors
    layout_folders: tuple[Path, ...]
    content_folders: tuple[Path, ...]
    parts: tuple[Part, ...]


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
        width = (paper.width - 2 * geometry.MIN_MARGIN - 2 - (grid.columns - 1) * self.gap) / grid.columns
        height = (paper.height - 2 * geometry.MIN_MARGIN - 2 - (grid.rows - 1) * self.gap) / grid.rows
        return CardSize(round(width, 1), round(height, 1))


# ---- the Jinja2 environment ---------------------------------------------------------


MAX_LAYOUT_BYTES = 1024 * 1024


class ConfinedLoader(jinja2.FileSystemLoader):
    """A folder's templates, each a regular file inside the folder (files.read_contributed)."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder.resolve()

    def get_source(self, environment: jinja2.Environment, template: str):
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        if not path.resolve().is_relative_to(self.folder):
            raise QuizgenError.at(path, f"refused to read layout {template!r}: it leads outside the layout "
                                  "folders", field="layout")
        data = read_contributed(path, self.folder, limit=MAX_LAYOUT_BYTES, what="layout")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise QuizgenError.at(path, "is not UTF-8 text; save the layout as UTF-8", field="layout") from None
        written = os.stat(path).st_mtime_ns
        return source, str(path), lambda: os.path.exists(path) and os.stat(path).st_mtime_ns == written


@functools.lru_cache(maxsize=8)
def layout_environment(folders: tuple[Path, ...]) -> SandboxedEnvironment:
    env = bounded_environment(
        loader=jinja2.ChoiceLoader([ConfinedLoader(f) for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(mm=mm, cloze=cloze_text, css_string=css_string, letter=option_letter, number=_number_text)
    env.globals.update(letter=option_letter)
    return env


def render_layout(layouts: Layouts, name: str, context: dict[str, Any]) -> str:
    """Render one layout by file name; template mistakes become a QuizgenError at the layout's line."""
    env = layout_environment(layouts.folders)
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise QuizgenError.at(exc.filename or layouts.path_of(name), f"template syntax error: {exc.message}",
                              line=exc.lineno or 0, column=1, field=exc.name or name) from None
    except jinja2.TemplateNotFound as exc:
        raise QuizgenError.at(layouts.path_of(name), f"layout {exc.name!r} not found in "
                              + ", ".join(display_path(f) for f in layouts.folders), field="layout") from None
    except RecursionError as exc:
        path, _ = _template_position(exc, layouts, name)
        raise QuizgenError.at(path, "recursion too deep; a layout must not call itself without end",
                              field="layout") from None
    except MemoryError as exc:
        path, line = _template_position(exc, layouts, name)
        raise QuizgenError.at(path, "used too much memory", line=line, column=1 if line else 0,
                              field="layout") from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, ValueError, ArithmeticError,
            LookupError, AttributeError) as exc:
        path, line = _template_position(exc, layouts, name)
        raise QuizgenError.at(path, f"{type(exc).__name__}: {exc}", line=line, column=1 if line else 0,
                              field="layout") from None


def _template_position(exc: BaseException, layouts: Layouts, name: str) -> tuple[str, int]:
    """The innermost layout file and line in a rendering traceback (Jinja2 rewrites frames to template lines)."""
    folders = [str(f) for f in layouts.folders]
    found = (layouts.path_of(name), 0)
    tb = exc.__traceback__
    while tb is not None:
        file = tb.tb_frame.f_code.co_filename
        if any(file.startswith(f) for f in folders):
            found = (display_path(file), tb.tb_lineno)
        tb = tb.tb_next
    return found


def mm(value: float) -> str:
    """A length for CSS, rounded to a micrometre so output does not depend on float noise."""
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


CLOZE_LINE = "_" * 16


def cloze_text(text: str) -> str:
    """The prompt with every blank drawn as a writing line (plain text: cheaper to lay out than a box)."""
    return str(text).replace(BLANK, CLOZE_LINE)


_CSS_UNSAFE = re.compile(r'["\\<>\n\r\x00-\x1f]')


def css_string(text: str) -> Markup:
    """A quoted CSS string that cannot end the string or the <style> element it sits in."""
    return Markup('"' + _CSS_UNSAFE.sub(lambda m: f"\\{ord(m[0]):x} ", str(text)) + '"')


def _number_text(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def anchor_for(kind: str, code: str) -> str:
    """`worksheet-A`: an id for HTML and CSS, and the stem of the version's file name."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9_-]", "_", code)


# ---- worksheets and answer keys -------------------------------------------------------


def worksheet_document(question_set: QuestionSet, versions: tuple[Version, ...], layouts: Layouts, paper: Paper,
                       content_folders: tuple[Path, ...] = ()) -> Document:
    """One HTML document holding the worksheets of `versions`, cut into one PDF per version after layout."""
    return _versioned_document("worksheet", "worksheet.html", question_set, versions, layouts, paper, content_folders)


def answer_key_document(question_set: QuestionSet, versions: tuple[Version, ...], layouts: Layouts, paper: Paper,
                        content_folders: tuple[Path, ...] = ()) -> Document:
    return _versioned_document("answer-key", "answer-key.html", question_set, versions, layouts, paper,
                               content_folders)


def _versioned_document(kind: str, layout: str, question_set: QuestionSet, versions: tuple[Version, ...],
                        layouts: Layouts, paper: Paper, content_folders: tuple[Path, ...]) -> Document:
    context = {
        "set": question_set,
        "title": question_set.pack_title,
        "pack_id": question_set.pack_id,
        "licence": question_set.licence,
        "language": question_set.language,
        "paper": paper,
        "versions": [{"code": v.code, "anchor": anchor_for(kind, v.code), "questions": v.questions}
                     for v in versions],
    }
    html = render_layout(layouts, layout, context)
    parts = tuple(Part(f"{anchor_for(kind, v.code)}.pdf", anchor_for(kind, v.code)) for v in versions)
    return Document(html, layouts.path_of(layout), layouts.folders, content_folders, parts)


# ---- flashcards -----------------------------------------------------------------------


def card_settings(layouts: Layouts) -> CardSettings:
    """Card sizes from the first cards.yaml in the layout folders, checked field by field."""
    path = layouts.find(CARD_SIZES_FILE)
    if path is None:
        return CardSettings({"2x4": CardSize(90, 62), "3x3": CardSize(63, 85)}, 0.0)
    doc = read_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = []
    gap = data.get("gap", 0)
    if not isinstance(gap, (int, float)) or isinstance(gap, bool) or not 0 <= gap <= 30:
        problems.append(doc.problem(("gap",), f"{gap!r} is not a gap in mm; expected a number from 0 to 30"))
    sizes: dict[str, CardSize] = {}
    grids = data.get("grids", {})
    if not isinstance(grids, dict):
        problems.append(doc.problem(("grids",), "expected a mapping of COLUMNSxROWS to {width, height}"))
        grids = {}
    for key, value in grids.items():
        try:
            grid = geometry.parse_grid(str(key))
        except ValueError as exc:
            problems.append(doc.problem(("grids", key), str(exc), at_key=True))
            continue
        size = value if isinstance(value, dict) else {}
        width, height = size.get("width"), size.get("height")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 10 <= v <= 300 for v in (width, height)):
            problems.append(doc.problem(("grids", key), f"{value!r} is not a card size; expected "
                                        "{width: MM, height: MM} with each from 10 to 300"))
            continue
        sizes[str(grid)] = CardSize(float(width), float(height))
    smallest = CardSettings.smallest
    if "min_card" in data:
        value = data["min_card"]
        size = value if isinstance(value, dict) else {}
        width, height = size.get("width"), size.get("height")
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) and 10 <= v <= 300 for v in (width, height)):
            smallest = CardSize(float(width), float(height))
        else:
            problems.append(doc.problem(("min_card",), f"{value!r} is not a card size; expected "
                                        "{width: MM, height: MM} with each from 10 to 300"))
    if problems:
        raise QuizgenError(problems)
    return CardSettings(sizes, float(gap), smallest)


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


def cut_at_word(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut at the last space that fits, with '…'; never mid-word."""
    if len(text) <= limit:
        return text
    kept = text[:limit - 1]  # one character is left for the ellipsis
    if not text[limit - 1].isspace() and " " in kept:
        kept = kept.rsplit(" ", 1)[0]  # the cut fell inside a word: leave that word out
    return kept.rstrip(" ,;:.–—-") + "…"


def duplex_sheets(cards: tuple[Card, ...], paper: Paper, grid: Grid, size: CardSize, flip: Flip,
                  offset: Offset, gap: float = 0.0) -> tuple[Sheet, ...]:
    """Front page, then back page, for every sheet: each back sits behind its front after a duplex print."""
    fronts = geometry.card_positions(paper, grid, size, gap)
    backs = geometry.shifted(geometry.mirror_back_positions(paper, fronts, flip), offset)
    marks = geometry.cut_marks(fronts)
    sheets: list[Sheet] = []
    for start in range(0, max(len(cards), 1), grid.per_sheet):
        chunk = cards[start:start + grid.per_sheet]
        sheets.append(Sheet("front", tuple(PlacedCard(c, b) for c, b in zip(chunk, fronts)), marks))
        sheets.append(Sheet("back", tuple(PlacedCard(c, b) for c, b in zip(chunk, backs)), ()))
    return tuple(sheets)


def fold_sheets(cards: tuple[Card, ...], paper: Paper, rows: int, size: CardSize) -> tuple[Sheet, ...]:
    """One page per group of `rows` cards: fronts left of the fold, backs right of it."""
    fronts, backs = geometry.fold_positions(paper, rows, size)
    fold = Line(paper.width / 2, fronts[0].y - geometry.MIN_MARGIN, paper.width / 2,
                fronts[-1].bottom + geometry.MIN_MARGIN)
    marks = geometry.cut_marks(fronts + backs)
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
    top = bottom + geometry.MIN_MARGIN + 1.0
    if paper.height - top - PRINTABLE_EDGE >= NOTE_HEIGHT:
        return Box(10.0, top, paper.width - 20.0, NOTE_HEIGHT)
    band_top = bottom + geometry.CUT_MARK_DISTANCE
    if paper.height - band_top - PRINTABLE_EDGE < geometry.CUT_MARK_LENGTH:
        return None
    edges = sorted({round(v, 3) for b in boxes for v in (b.x, b.right)})
    spans = list(zip(edges, edges[1:]))
    # the widest span between two marks; of equal ones, the one nearest the middle of the page
    left, right = max(spans, key=lambda s: (round(s[1] - s[0], 1), -abs((s[0] + s[1]) / 2 - paper.width / 2)),
                      default=(0.0, 0.0))
    if right - left < 40.0:
        return None
    return Box(left + 2.0, band_top, right - left - 4.0, geometry.CUT_MARK_LENGTH)


def card_too_small(grid: Grid, size: CardSize, smallest: CardSize, paper: Paper) -> str | None:
    """Why cards of `size` cannot hold the layout's text (smaller than min_card in cards.yaml), or None."""
    if size.width >= smallest.width and size.height >= smallest.height:
        return None
    return (f"{grid} gives cards of {size.width:g}×{size.height:g} mm on {paper.name}; the flashcard text needs "
            f"at least {smallest.width:g}×{smallest.height:g} mm (min_card in cards.yaml); "
            "expected fewer columns or rows, such as 2x4 or 3x3")


def flashcards_document(question_set: QuestionSet, layouts: Layouts, paper: Paper, grid: Grid, flip: Flip,
                        offset: Offset, *, fold: bool = False, content_folders: tuple[Path, ...] = ()) -> Document:
    """Flashcards as HTML: duplex sheets (front, mirrored back) or, with `fold`, fold-over pages."""
    settings = card_settings(layouts)
    size = settings.size_for(grid, paper)
    problem = (geometry.fold_fit_problem(paper, grid.rows, size) if fold
               else geometry.grid_fit_problem(paper, grid, size, settings.gap))
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
        "note_between_marks": note is not None and note.height == geometry.CUT_MARK_LENGTH,
        "leitner_boxes": LEITNER_BOXES,
    }
    name = "flashcards-fold.pdf" if fold else "flashcards.pdf"
    html = render_layout(layouts, "flashcards.html", context)
    return Document(html, layouts.path_of("flashcards.html"), layouts.folders, content_folders, (Part(name, ""),))


# ---- calibration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """A ruler on the back page, centred where the front's line lands when printing is exact."""

    axis: str  # "x": the scale runs left to right and reads a vertical line; "y": the other way
    x: float
    y: float
    ticks: tuple[tuple[float, str], ...]  # (offset in mm, label or "")


CALIBRATION_RANGE = 6.0  # mm either side of zero
CALIBRATION_STEP = 0.5
CALIBRATION_LABEL_EVERY = 2.0


def calibration_scales(paper: Paper, offset: Offset) -> tuple[Scale, ...]:
    """Scales at the page centre (moved by the current offset, as every back page is)."""
    steps = int(CALIBRATION_RANGE / CALIBRATION_STEP)
    ticks = tuple((at, _tick_label(at)) for at in (i * CALIBRATION_STEP for i in range(-steps, steps + 1)))
    cx, cy = paper.width / 2 + offset.x, paper.height / 2 + offset.y
    return (Scale("x", cx, cy - 40 + 0, ticks), Scale("x", cx, cy + 40, ticks),
            Scale("y", cx - 40, cy, ticks), Scale("y", cx + 40, cy, ticks))


def _tick_label(at: float) -> str:
    if at % CALIBRATION_LABEL_EVERY:
        return ""
    return f"{at:+g}".replace("-", "−") if at else "0"


def calibration_document(layouts: Layouts, paper: Paper, flip: Flip, offset: Offset) -> Document:
    """A duplex test sheet: lines on the front, rulers on the back that read the printer's offset."""
    corner = Box(15.0, 15.0, 10.0, 10.0)
    context = {
        "paper": paper,
        "flip": flip,
        "offset": offset,
        "scales": calibration_scales(paper, offset),
        "range": CALIBRATION_RANGE,
        "corner": corner,
        "corner_back": geometry.shifted((geometry.mirror_box(paper, corner, flip),), offset)[0],
        "language": "en",
    }
    html = render_layout(layouts, "calibration.html", context)
    return Document(html, layouts.path_of("calibration.html"), layouts.folders, (),
                    (Part("calibration.pdf", ""),))
