"""Worksheets and answer keys planned for composing from pieces: every distinct block (a question's
stem, each option, each key entry, numbers, letters, version codes, page furniture) goes once into one
pieces document, and each version is planned as the blocks it shows; composer.py lays the pieces out
once and composes the versions' pages, so a version costs composition, not layout."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

from markupsafe import Markup, escape

from ..model import OPTION_TYPES, Question, QuestionSet, Version
from ..sheets.paper import Paper
from .layouts import Layouts, Part, anchor_for, css_string, layout_frame, layout_macro, mm, render_layout
from .piece_groups import (classes_styled, grouped_wrappers, members_stand_alone, stylesheet_rules,
                           without_unstyled_classes)

Kind = Literal["worksheet", "answer-key"]

# Files whose structure the composer reproduces itself; a user folder replacing one of them gets
# today's full layout instead (see docs/layouts.md). Every piece set in that structure comes from the
# layouts themselves (the headers, the macros of worksheet-pieces.html and answer-key-pieces.html); what
# is written here mirrors the structure files only: the matching table and the marking grid the pieces
# are set in, and the running header's words, which those files write as CSS generated content.
STRUCTURE_FILES = {"worksheet": ("worksheet.html", "answer-spaces.html"), "answer-key": ("answer-key.html",)}
HEADER_FILES = {"worksheet": "worksheet-header.html", "answer-key": "answer-key-header.html"}
PIECES_FILE = "worksheet-pieces.html"
KEY_PIECES_FILE = "answer-key-pieces.html"
STYLESHEETS = {"worksheet": ("quizgen.css", "sheet.css", "worksheet.css"),
               "answer-key": ("quizgen.css", "sheet.css", "answer-key.css")}
TITLES = {"worksheet": "worksheet", "answer-key": "answer key"}
HEADER_PREFIX = {"worksheet": "Version ", "answer-key": "Answer key · Version "}
# mm: a tall page holds many pieces, and each break between pages makes WeasyPrint lay out the piece that does not
# fit again; 5,000 mm (a class set of 40 versions on one page) stays within the 200 inches a PDF page may measure
PIECES_PAGE_HEIGHT = 5000.0
GRID_COLUMNS = 4
GRID_LINES = (1, 2, 3)  # key grid rows are made for entries of up to this many lines
TITLE_PIECE = "title"  # the running title: all of the pieces document's first page
SLOT = Markup('<span data-qg="slot"></span>')
COMPOSED_CSS = """
.qg-piece { page: qg-pieces; padding: 3mm 0; margin: 0; break-inside: avoid; }
.qg-hide { visibility: hidden !important; }
.qg-bare, .qg-bare * { border-color: transparent !important; background: transparent !important;
  box-shadow: none !important; outline: none !important; }
.qg-sheet { page: qg-sheet; height: 1px; }
.qg-furniture { page: qg-furniture; height: 1px; }
"""


class NotComposable(Exception):
    """The layouts do something the composer cannot reproduce; the document is laid out in full."""


@dataclass(frozen=True)
class ComposedDocument:
    """Worksheets or answer keys of several versions, to be composed from pieces.

    `html` is the pieces document plus the version plans: what the render cache hashes.
    """

    kind: Kind
    html: str
    layout: str
    layout_folders: tuple[Path, ...]
    content_folders: tuple[Path, ...]
    parts: tuple[Part, ...]
    paper: Paper
    title: str
    versions: tuple[VersionPlan, ...]
    grid_frames: tuple[str, ...]  # piece ids of the key grid's frames, by row, then by lines
    furniture: tuple[tuple[str, str], ...]  # (text, piece id) of the running header's parts
    question_set: QuestionSet  # for laying the versions out in full when composing fails
    source_versions: tuple[Version, ...]
    spool: Path | None = None  # where to write each version as it is made, instead of keeping it in memory
    pieces: dict[str, str] = field(default_factory=dict)  # each piece's HTML by id
    store: Path | None = None  # the piece store (piece_store.py) to take pieces from and put new ones in
    fingerprint: str = ""  # of the layout and content files the pieces may load (the build's render cache's)

    def full_document(self):
        """Today's document of the same versions: every version laid out in full."""
        from .html import answer_key_document, worksheet_document

        make = worksheet_document if self.kind == "worksheet" else answer_key_document
        return make(self.question_set, self.source_versions, Layouts(self.layout_folders), self.paper,
                    self.content_folders)


# ---- what each version is made of --------------------------------------------------------------


@dataclass(frozen=True)
class SlottedLine:
    """A line whose wording differs between versions only in single letters or digits (an ordering key's
    ranks, a matching key's letters): laid out once with hidden placeholders at those characters, and each
    version's characters set in their places from one piece per character."""

    piece: str  # the line, its varying characters hidden (`data-qg="slot"`)
    glyphs: tuple[str, ...]  # piece ids of this version's characters, one per slot, in reading order


Line = str | SlottedLine  # a piece id, or a line composed from a piece and its characters


@dataclass(frozen=True)
class QuestionBlock:
    """A question (or a key's answer item): its block, its number, and its options in this version's order."""

    piece: str
    number: str  # piece id of the number
    cells: tuple[str, ...] = ()  # piece ids of the options, in the order shown
    per_line: int = 1  # options in a row; 0 for a matching question's choices
    answer: Line = ""  # a key's answer line, set where the block's hidden one is
    rest: bool = False  # the block's part below its answer line moves down as far as the line is taller


@dataclass(frozen=True)
class GridBlock:
    """The key's marking grid: one entry per question, in question order."""

    entries: tuple[Line, ...]
    numbers: tuple[str, ...]  # piece ids of the numbers 1, 2, … in their cells
    rows: int


@dataclass(frozen=True)
class SimpleBlock:
    piece: str


@dataclass(frozen=True)
class HeaderBlock:
    piece: str
    code: tuple[str, ...]  # piece ids of the version code's characters, set one after the other at the slot


Block = QuestionBlock | GridBlock | SimpleBlock | HeaderBlock


@dataclass(frozen=True)
class VersionPlan:
    code: str
    file_name: str
    blocks: tuple[Block, ...]


# ---- building the pieces document --------------------------------------------------------------


class PieceSet:
    """Distinct pieces by key, in first-seen order; each becomes one wrapper in the pieces document."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.slots = KeySlots({})
        # a single version's questions and key entries are pieces whole: nothing in them varies, and a
        # block laid out with its options or answer line costs less than the block and each of them
        self.whole = False
        self.styled: frozenset[str] | None = None  # the class names the stylesheets mention, when known

    def number(self, framed_number: str) -> str:
        """The id of a question's number in its frame, the frame's classes that no rule mentions left out: a
        number is then one piece for all the kinds of question the stylesheets do not tell apart."""
        tag = _START_TAG.match(framed_number)
        if self.styled is not None and tag:
            framed_number = without_unstyled_classes(tag[0], self.styled) + framed_number[tag.end():]
        return self.add(marked(framed_number, None, bare=True))

    def line(self, html: str) -> Line:
        """The id of the line `html` when no other version words it otherwise, else the line composed from
        the wording all versions share and this version's characters."""
        template = self.slots.templates.get(html)
        if template is None:
            return self.add(html)
        glyphs = tuple(self.add(_glyph_html(chain, html[i])) for chain, i in zip(template.chains, template.positions))
        return SlottedLine(self.add(template.html), glyphs)

    def named(self, name: str, html: Callable[[], str]) -> str:
        """The id of the piece `name`, its HTML made by `html()` only when new: a question's block is the same
        for every version but for the order of what is hidden in it, so the first version's stands for all."""
        return self.ids[name] if name in self.ids else self.add(name, html())

    def add(self, key: str, html: str | None = None) -> str:
        """The id of the piece `key`, adding it (with `html`, default the key itself) when new."""
        if key not in self.ids:
            piece_id = f"qg-{len(self.ids)}"
            self.ids[key] = piece_id
            self.html[piece_id] = key if html is None else html
        return self.ids[key]


SLOT_CHARACTER = re.compile(r"[0-9A-Z]")
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Roughly widest first in sans-serif type: each placeholder is the widest character that takes its place in
# some version, so no version's line is longer than the one laid out (the composer closes up the difference).
WIDE_FIRST = "WMQOGDHNUCAVRBKXYZPESTLFJI0123456789"


@dataclass(frozen=True)
class SlotTemplate:
    """A line's wording with its varying characters made hidden placeholders (slots)."""

    html: str
    positions: tuple[int, ...]  # where the varying characters are in each version's HTML of the line
    chains: tuple[tuple[tuple[str, str, str, str], ...], ...]  # each slot's elements, outermost first


class KeySlots:
    """The answer lines and grid entries of a key that versions word differently, each by its HTML in every
    version, with the template they are all composed from."""

    def __init__(self, templates: dict[str, SlotTemplate]):
        self.templates = templates

    @classmethod
    def of(cls, versions: tuple[Version, ...], layouts: Layouts) -> KeySlots:
        wordings: dict[tuple[str, str], set[str]] = {}
        for version in versions:
            for q in version.questions:
                wordings.setdefault(("answer", q.id), set()).add(_answer_line_html(layouts, q))
                wordings.setdefault(("grid", q.id), set()).add(_grid_cell_html(_grid_answer_cell(layouts, q)))
        templates: dict[str, SlotTemplate] = {}
        for group in wordings.values():
            template = slot_template(sorted(group))
            if template is not None:
                templates.update(dict.fromkeys(group, template))
        return cls(templates)


def slot_template(wordings: list[str]) -> SlotTemplate | None:
    """The template of a line's wordings when they differ only in single letters or digits of its text
    (left to right text only: the composer sets the characters in reading order along the line)."""
    first = wordings[0]
    if len(wordings) < 2 or any(len(w) != len(first) for w in wordings) or RIGHT_TO_LEFT.search(first):
        return None
    positions = tuple(i for i in range(len(first)) if any(w[i] != first[i] for w in wordings))
    if not all(SLOT_CHARACTER.fullmatch(w[i]) for w in wordings for i in positions) \
            or not all(_in_text(first, i) for i in positions):
        return None
    parts, start = [], 0
    for i in positions:
        placeholder = min({w[i] for w in wordings}, key=WIDE_FIRST.index)
        parts += [first[start:i], f'<span class="qg-hide" data-qg="slot">{placeholder}</span>']
        start = i + 1
    html = "".join(parts) + first[start:]
    try:
        chains = tuple(tuple(chain) for chain in _ancestors_of_slots(html))
    except NotComposable:
        return None
    return SlotTemplate(html, positions, chains)


def _in_text(html: str, i: int) -> bool:
    """Position `i` of `html` is in text, not in a tag or a character reference."""
    amp = html.rfind("&", 0, i)
    return html.rfind(">", 0, i) >= html.rfind("<", 0, i) and (amp < 0 or html.find(";", amp, i) >= 0)


def _glyph_html(chain: tuple[tuple[str, str, str, str], ...], character: str) -> str:
    """One character set in a slot's own elements, so in the slot's type (and a grid entry's table as wide as
    the entry's own)."""
    opening = "".join(f'<{tag} class="{cls}{" qg-bare" if i == 0 else ""}" dir="{d}"{_style_attribute(style)}>'
                      for i, (tag, cls, d, style) in enumerate(chain))
    closing = "".join(f"</{tag}>" for tag, _, _, _ in reversed(chain))
    return f'{opening}<span data-qg="slot">{escape(character)}</span>{closing}'


def composable(layouts: Layouts, kind: Kind) -> bool:
    """True unless a user folder replaces a file whose structure the composer reproduces."""
    builtin = layouts.folders[-1]
    return all(layouts.find(name) == (builtin / name).resolve() for name in STRUCTURE_FILES[kind])


def composed_document(kind: Kind, question_set: QuestionSet, versions: tuple[Version, ...], layouts: Layouts,
                      paper: Paper, content_folders: tuple[Path, ...] = ()) -> ComposedDocument:
    """The pieces and version plans of `kind` for `versions`; NotComposable when the header cannot be."""
    pieces = PieceSet()
    pieces.whole = len(versions) == 1
    pieces.styled = classes_styled(stylesheet_texts(layouts, kind))
    if kind == "answer-key":
        pieces.slots = KeySlots.of(versions, layouts)
    plans = tuple(_plan_version(kind, question_set, v, layouts, pieces) for v in versions)
    title = question_set.pack_title
    grid = ()
    if kind == "answer-key" and not pieces.whole:
        rows = max((math.ceil(len(v.questions) / GRID_COLUMNS) for v in versions), default=0)
        count = max((len(v.questions) for v in versions), default=0)
        grid = tuple(pieces.add(_grid_frame_html(row, rows, count, lines))
                     for row in range(rows) for lines in GRID_LINES)
    furniture = tuple((text, pieces.add(_furniture_html(text))) for text in _furniture_texts(kind, versions))
    html = pieces_document(kind, question_set, layouts, paper, pieces.html, grouped=not pieces.whole)
    fingerprint = json.dumps([[p.code, p.file_name, [repr(b) for b in p.blocks]] for p in plans])
    layout_name = "worksheet.html" if kind == "worksheet" else "answer-key.html"
    parts = tuple(Part(p.file_name, anchor_for(kind, p.code)) for p in plans)
    return ComposedDocument(kind, html + "\n<!-- " + hashlib.sha256(fingerprint.encode()).hexdigest() + " -->",
                            layouts.path_of(layout_name), layouts.folders, content_folders, parts, paper, title,
                            plans, grid, furniture, question_set, versions, pieces=dict(pieces.html))


def _furniture_texts(kind: Kind, versions: tuple[Version, ...]) -> list[str]:
    """The running header's pieces: its fixed words, and each character of codes and page numbers."""
    characters = sorted({c for v in versions for c in v.code} | set("0123456789"))
    return [HEADER_PREFIX[kind], " · page ", " of ", *characters]


def _furniture_html(text: str) -> str:
    return f'<p class="qg-top-right" data-qg="text">{escape(text)}</p>'


def _plan_version(kind: Kind, question_set: QuestionSet, version: Version, layouts: Layouts,
                  pieces: PieceSet) -> VersionPlan:
    if pieces.whole:  # nothing varies: the header with its code, the key's grid whole
        blocks: list[Block] = [SimpleBlock(pieces.add(_header_html(kind, question_set, version, layouts,
                                                                   version.code)))]
    else:
        header, header_code = _header(kind, question_set, version, layouts, pieces)
        blocks = [HeaderBlock(header, header_code)]
    if kind == "worksheet":
        blocks += [_question_block(q, n, layouts, pieces) for n, q in enumerate(version.questions, 1)]
        note = layout_macro(layouts, PIECES_FILE, "end_note_line", len(version.questions), question_set.pack_id,
                            question_set.licence)
        blocks.append(SimpleBlock(pieces.add(str(note))))
    elif pieces.whole:
        blocks.append(SimpleBlock(pieces.add(_grid_html(layouts, version))))
        blocks += [_answer_block(q, n, layouts, pieces) for n, q in enumerate(version.questions, 1)]
    else:
        rows = math.ceil(len(version.questions) / GRID_COLUMNS)
        entries = tuple(pieces.line(_grid_cell_html(_grid_answer_cell(layouts, q))) for q in version.questions)
        numbers = tuple(pieces.add(_grid_cell_html(layout_macro(layouts, KEY_PIECES_FILE, "grid_number_cell", n)))
                        for n in range(1, len(version.questions) + 1))
        blocks.append(GridBlock(entries, numbers, rows))
        blocks += [_answer_block(q, n, layouts, pieces) for n, q in enumerate(version.questions, 1)]
    return VersionPlan(version.code, f"{anchor_for(kind, version.code)}.pdf", tuple(blocks))


def _header(kind: Kind, question_set: QuestionSet, version: Version, layouts: Layouts,
            pieces: PieceSet) -> tuple[str, tuple[str, ...]]:
    """The header laid out once with an empty slot where the version code goes, and a piece per
    character of the code, set in the slot's own elements (so in the slot's type)."""
    with_slot = _header_html(kind, question_set, version, layouts, SLOT)
    if with_slot.count(str(SLOT)) != 1 or with_slot.replace(str(SLOT), str(escape(version.code))) \
            != _header_html(kind, question_set, version, layouts, version.code):
        raise NotComposable("the header must show the version code once, as it is")
    chain = tuple(_ancestors_of_slots(with_slot)[0])
    characters = tuple(pieces.add(_glyph_html(chain, c)) for c in version.code)
    return pieces.add(with_slot), characters


def _header_html(kind: Kind, question_set: QuestionSet, version: Version, layouts: Layouts, code) -> str:
    v = {"code": code, "anchor": anchor_for(kind, version.code), "questions": version.questions}
    return render_layout(layouts, HEADER_FILES[kind], {"title": question_set.pack_title, "pack_id": question_set.pack_id,
                                                        "v": v, "language": question_set.language})


def _grid_html(layouts: Layouts, version: Version) -> str:
    """A version's marking grid whole, as answer-key.html draws it."""
    questions = version.questions
    rows = math.ceil(len(questions) / GRID_COLUMNS)
    html = ['<table class="grid">']
    for row in range(rows):
        cells = []
        for column in range(GRID_COLUMNS):
            i = column * rows + row
            cells.append(f'{layout_macro(layouts, KEY_PIECES_FILE, "grid_number_cell", i + 1)}'
                         f'{_grid_answer_cell(layouts, questions[i])}' if i < len(questions)
                         else '<td class="no"></td><td class="key"></td>')
        html.append(f'<tr>{"".join(cells)}</tr>')
    return "\n".join(html) + "\n</table>"


def _style_attribute(style: str) -> str:
    return f' style="{escape(style)}"' if style else ""


def _ancestors_of_slots(html: str) -> list[list[tuple[str, str, str, str]]]:
    """(tag, class, dir, style) of the elements that hold each slot, outermost first, read from a piece's HTML."""
    from html.parser import HTMLParser

    void = {"br", "img", "hr", "meta", "link", "input", "col", "wbr"}

    class Finder(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list[tuple[str, str, str, str]] = []
            self.found: list[list[tuple[str, str, str, str]]] = []

        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if values.get("data-qg") == "slot":
                self.found.append(list(self.stack))
            if tag not in void:  # the slot too, so that its end tag closes it and not an element around it
                self.stack.append((tag, values.get("class") or "", values.get("dir") or "", values.get("style") or ""))

        def handle_endtag(self, tag):
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break

    finder = Finder()
    finder.feed(html)
    if not finder.found or not all(finder.found):
        raise NotComposable("the version code must sit inside an element of the header")
    return finder.found


def _number_span(number: str, hidden: bool) -> Markup:
    """The question number in a span the composer can find; in a block it is hidden, and its own
    piece is drawn there (its tab keeps the text at the same place whatever the number)."""
    return Markup(f'<span{" class=qg-hide" if hidden else ""} data-qg="num">{escape(number)}</span>')


TAB = "\t"  # the tab after a question's number, which takes its text to the indent
# the word joiner keeps WeasyPrint from breaking the line between the hidden number and the text
HIDDEN_NUMBER = _number_span("1.\t\u2060", True)


def _question_block(q: Question, number: int, layouts: Layouts, pieces: PieceSet) -> QuestionBlock:
    """A worksheet question: its block once per question, whatever the order of its options, items or
    choices in this version (those are pieces of their own, set where the block's hidden ones are).
    Every element is the layouts' own (worksheet-pieces.html, answer-spaces.html)."""
    def piece(macro: str, *args) -> str:
        return layout_macro(layouts, PIECES_FILE, macro, *args)

    def frame(inside: str) -> str:
        return str(layout_frame(layouts, PIECES_FILE, "question_frame", inside, q))

    def framed(inside: str, bare: bool = False) -> str:
        return marked(frame(inside), None, bare=bare)

    if pieces.whole:  # the number is in the block
        stem = f'\n{piece("prompt_line", f"{number}.{TAB}", piece("prompt", q))}\n'
        return QuestionBlock(pieces.add(framed(stem + _answer_space(layouts, q))), "")
    number_piece = pieces.number(frame(piece("prompt_line", _number_span(f"{number}.", False), "")))

    def block(*rows: str) -> str:
        """The question's block: its stem, hint and hidden rows in this version's order (the first version's
        stands for all: the rows only hold places)."""
        stem = f'\n{piece("prompt_line", HIDDEN_NUMBER, piece("prompt", q))}\n'
        hint = f'{piece("hint_line", q)}\n' if q.type in ("multiple-response", "ordering") else ""
        return framed(stem + hint + "".join(f"{row}\n" for row in rows))

    if q.type in OPTION_TYPES:
        per_line = options_per_line(q, layouts)
        starts = range(0, len(q.options), per_line)
        shown = pieces.named(f"question {q.id}", lambda: block(*(
            marked(piece("option_line", q, tuple(range(start, min(start + per_line, len(q.options)))), per_line),
                   "row", hidden=True) for start in starts)))
        cells = tuple(pieces.add(framed(marked(piece("option_line", q, (i,), per_line), "cell"), bare=True))
                      for i in range(len(q.options)))
        return QuestionBlock(shown, number_piece, cells, per_line)
    if q.type == "ordering":
        shown = pieces.named(f"question {q.id}", lambda: block(
            *(marked(piece("ordering_line", item), "row", hidden=True) for item in sorted(q.items))))
        cells = tuple(pieces.add(framed(marked(piece("ordering_line", item), "cell"), bare=True)) for item in q.items)
        return QuestionBlock(shown, number_piece, cells, 1)
    if q.type == "matching" and len(q.choices) == len(q.pairs):
        shown = pieces.named(f"question {q.id}", lambda: framed(
            f'\n{piece("prompt_line", HIDDEN_NUMBER, piece("prompt", q))}\n' + _matching_table(q, layouts)))
        cells = tuple(pieces.add(f'<table class="matching qg-bare"><tr>'
                                 f'{marked(piece("matching_choice_cell", i, choice), "cell")}</tr></table>')
                      for i, choice in enumerate(q.choices))
        return QuestionBlock(shown, number_piece, cells, 0)
    stem = f'\n{piece("prompt_line", HIDDEN_NUMBER, piece("prompt", q))}\n'
    return QuestionBlock(pieces.add(framed(stem + _answer_space(layouts, q))), number_piece)


def _matching_table(q: Question, layouts: Layouts) -> str:
    """The matching table of answer-spaces.html, its right-hand column laid out hidden in a fixed
    order: every version's choices are set over it, row by row."""
    rows = [f'{layout_macro(layouts, PIECES_FILE, "hint_line", q)}\n<table class="matching">']
    for i, pair in enumerate(q.pairs):
        left = layout_macro(layouts, PIECES_FILE, "matching_item_cells", i, pair.left)
        right = layout_macro(layouts, PIECES_FILE, "matching_choice_cell", i, sorted(q.choices)[i])
        rows.append(f'<tr>\n{left}\n{with_hidden_content(marked(right, "right"))}\n</tr>')
    return "\n".join(rows) + "\n</table>\n"


_START_TAG = re.compile(r"\s*<([A-Za-z][^\s/>]*)[^>]*>")
_CLASS_ATTRIBUTE = re.compile(r"""\sclass=(["'])(.*?)\1""")


def marked(html: str, mark: str | None, hidden: bool = False, bare: bool = False) -> str:
    """A piece's element as the layout draws it, named for the composer (`data-qg`, where it looks
    for its boxes), hidden when it only holds a place, bare (no borders or background) when it only
    gives what it holds their look; a layout that draws no element there is not composed."""
    html = str(html)  # plain text from here: adding to Markup would escape what is added
    tag = _START_TAG.match(html)
    if not tag or not html.rstrip().endswith(f"</{tag[1]}>"):
        raise NotComposable(f"a piece must be one element, not {html[:60]!r}")
    opening = tag[0]
    name = f' data-qg="{mark}"' if mark else ""
    classes = (" qg-hide" if hidden else "") + (" qg-bare" if bare else "")
    found = _CLASS_ATTRIBUTE.search(opening)
    if found:
        opening = opening[:found.end(2)] + classes + found[1] + name + opening[found.end():]
    else:
        name_end = opening.index(tag[1]) + len(tag[1])
        opening = opening[:name_end] + (f' class="{classes.strip()}"' if classes else "") + name + opening[name_end:]
    return opening + html[tag.end():]


def with_hidden_content(html: str) -> str:
    """One element with its content hidden: the element keeps its boxes, which the composer measures."""
    html = str(html)
    tag = _START_TAG.match(html)
    closing = html.rindex("</")
    return f'{html[:tag.end()]}<span class="qg-hide">{html[tag.end():closing]}</span>{html[closing:]}'


def options_per_line(q: Question, layouts: Layouts) -> int:
    """How many options share a line, as answer-spaces.html decides: short ones in tab-stop columns."""
    return int(layout_macro(layouts, "answer-spaces.html", "options_per_line", q))


def _answer_space(layouts: Layouts, q: Question) -> str:
    """answer-spaces.html's `answer_space(q)`; versions share their questions, so each renders once."""
    return str(layout_macro(layouts, "answer-spaces.html", "answer_space", q))


def _answer_block(q: Question, number: int, layouts: Layouts, pieces: PieceSet) -> QuestionBlock:
    """A key's answer item: the same for every version but its answer line (letters, order), so it is
    one piece once per question with the first version's line hidden, cut below that line, and the line
    a piece per wording (for a single version, one piece). The elements are answer-key-pieces.html's."""
    def piece(macro: str, *args) -> str:
        return layout_macro(layouts, KEY_PIECES_FILE, macro, *args)

    def frame(inside: str) -> str:
        return str(layout_frame(layouts, KEY_PIECES_FILE, "answer_frame", inside, q))

    def framed(inside: str, bare: bool = False) -> str:
        return marked(frame(inside), None, bare=bare)

    def rest() -> str:
        return f'{piece("explanation_line", q)}\n{_sources_html(layouts.folders, q)}'

    if pieces.whole:
        prompt = piece("prompt_line", f"{number}.{TAB}", q.prompt)
        return QuestionBlock(pieces.add(framed(f'\n{prompt}\n{piece("answer_line", q)}\n{rest()}')), "")

    def block() -> str:
        """The prompt, the first version's answer line hidden (versions word it otherwise: it only holds its
        place), and the rest, which the composer cuts off below that line and moves down as far as each
        version's line is taller."""
        hidden_answer = marked(piece("answer_line", q), "answer", hidden=True)
        return framed(f'\n{piece("prompt_line", HIDDEN_NUMBER, q.prompt)}\n{hidden_answer}\n'
                      f'<div data-qg="rest">{rest()}</div>')

    number_piece = pieces.number(frame(piece("prompt_line", _number_span(f"{number}.", False), "")))
    line = pieces.line(_answer_line_html(layouts, q))
    return QuestionBlock(pieces.named(f"answer {q.id}", block), number_piece, answer=line, rest=True)


def _answer_line_html(layouts: Layouts, q: Question) -> str:
    """A key's answer line alone, in its frame with borders and background left out."""
    line = marked(layout_macro(layouts, KEY_PIECES_FILE, "answer_line", q), "answer")
    return marked(layout_frame(layouts, KEY_PIECES_FILE, "answer_frame", line, q), None, bare=True)


def _grid_answer_cell(layouts: Layouts, q: Question) -> str:
    return layout_macro(layouts, KEY_PIECES_FILE, "grid_answer_cell", q)


@functools.lru_cache(maxsize=4096)
def _sources_html(folders: tuple[Path, ...], q: Question) -> str:
    """answer-key-source.html for one question; versions share their questions, so it renders once each."""
    return render_layout(Layouts(folders), "answer-key-source.html", {"q": q})


def _grid_cell_html(cell: str) -> str:
    """A number or an entry of the marking grid, alone in a one-cell table as wide as its column
    (the grid's fixed layout gives its columns 5 % and 20 %): a fraction of the cost of a whole row."""
    width = "5%" if 'class="no"' in cell else "20%"
    return (f'<table class="grid qg-bare" style="width: {width}"><tr data-qg="row">'
            f'{marked(cell, "cell")}</tr></table>')


def _grid_frame_html(row: int, rows: int, count: int, lines: int) -> str:
    """One row of the marking grid: its borders and shading, tall enough for entries of `lines` lines
    (numbers and entries are pieces of their own, set in its cells in reading order). Every number cell holds the
    largest number, hidden, so that rows whose cells are all filled are one piece, as wide as the widest row."""
    cells = []
    for column in range(GRID_COLUMNS):
        index = column * rows + row
        number = f'<span class="qg-hide">{count}</span>' if index < count else ""
        filler = f'<span class="qg-hide">{"<br>".join(["0"] * lines)}</span>' if column == 0 else ""
        cells.append(f'<td class="no" data-qg="num">{number}</td><td class="key" data-qg="cell">{filler}</td>')
    return f'<table class="grid"><tr data-qg="row">{"".join(cells)}</tr></table>'


STORE_SLOTS = 8  # pieces a page holds when laid out for the piece store, one slot a paper's height under another


def pieces_document(kind: Kind, question_set: QuestionSet, layouts: Layouts, paper: Paper,
                    pieces: dict[str, str], slots: dict[str, int] | None = None, grouped: bool = False) -> str:
    """One HTML document: a page with the running title, a page with the running header's look,
    then every piece once, each in its own wrapper, or `grouped` with the others of its frame when it is one
    line in a bare frame and the stylesheets allow (piece_groups.py). With `slots` (for the piece store), each
    piece starts at the top of the slot its key chooses, a paper's height tall, on a page of STORE_SLOTS slots,
    so that its drawing is the same whatever pieces it is laid out with."""
    links = "".join(f'<link rel="stylesheet" href="{name}">' for name in STYLESHEETS[kind])
    title = question_set.pack_title
    page_rules = (f"@page qg-pieces {{ size: {mm(paper.width)} {mm(PIECES_PAGE_HEIGHT)}; }}\n"
                  f"@page qg-sheet {{ size: {mm(paper.width)} {mm(paper.height)}; "
                  f"@top-left {{ content: {css_string(title)}; }} }}\n"
                  f"@page qg-furniture {{ size: {mm(paper.width)} {mm(paper.height)}; "
                  f"@top-right {{ content: {css_string(HEADER_PREFIX[kind] + 'A · page 1 of 1')}; }} }}\n"
                  f".qg-top-right {{ {top_right_declarations(layouts, kind)} white-space: pre; margin: 0; "
                  "padding: 0; border: 0; }\n")
    if grouped and members_stand_alone(stylesheet_texts(layouts, kind), pieces.values()):
        body = "\n".join(grouped_wrappers(pieces))
    else:
        body = "\n".join(f'<div class="qg-piece" id="{piece_id}">{html}</div>' for piece_id, html in pieces.items())
    alone_css = ""
    if slots is not None:
        body = _slotted_body(pieces, slots, paper.height)
        page_rules = page_rules.replace(f"size: {mm(paper.width)} {mm(PIECES_PAGE_HEIGHT)}",
                                        f"size: {mm(paper.width)} {mm(paper.height * (STORE_SLOTS + 1))}")
        # each slot placed absolutely, as the flashcards' are: WeasyPrint draws it apart from its neighbours
        alone_css = (f".qg-slots {{ page: qg-pieces; position: relative; height: {mm(paper.height * STORE_SLOTS)}; "
                     "break-before: page; margin: 0; padding: 0; border: 0; }\n"
                     ".qg-slot { position: absolute; left: 0; right: 0; margin: 0; padding: 0; border: 0; }\n")
    return (f'<!DOCTYPE html>\n<html lang="{escape(question_set.language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)} · {TITLES[kind]}</title>\n{links}\n<style>\n{page_rules}{COMPOSED_CSS}"
            f'{alone_css}</style>\n</head>\n<body>\n<section class="version">\n<div class="qg-sheet"></div>\n'
            f'<div class="qg-furniture"></div>\n{body}\n</section>\n</body>\n</html>\n')


def _slotted_body(pieces: dict[str, str], slots: dict[str, int], paper_height: float) -> str:
    """Pages of STORE_SLOTS slots, each piece in the slot `slots` gives it, an empty slot where no piece is."""
    columns: list[list[str]] = [[] for _ in range(STORE_SLOTS)]
    for piece_id in pieces:
        columns[slots[piece_id]].append(piece_id)
    html = []
    for row in range(max((len(c) for c in columns), default=0)):
        html.append('<div class="qg-slots">')
        for slot, column in enumerate(columns):
            if row < len(column):
                html.append(f'<div class="qg-slot" style="top: {mm(paper_height * slot)}">'
                            f'<div class="qg-piece" id="{column[row]}">{pieces[column[row]]}</div></div>')
        html.append("</div>")
    return "\n".join(html)


@functools.lru_cache(maxsize=16)
def _css_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def stylesheet_texts(layouts: Layouts, kind: Kind) -> list[str]:
    """The stylesheets the pieces document links, as the layout folders give them."""
    return [_css_text(path) for name in STYLESHEETS[kind] if (path := layouts.find(name)) is not None]


def top_right_declarations(layouts: Layouts, kind: Kind) -> str:
    """The declarations of `@page { @top-right { … } }` in the layout's stylesheets, in cascade order,
    without those that place the box: the running header's parts are set in the same type."""
    return " ".join(declaration for text in stylesheet_texts(layouts, kind) for declaration in _top_right_of(text))


@functools.lru_cache(maxsize=16)
def _top_right_of(stylesheet: str) -> tuple[str, ...]:
    """top_right_declarations of one stylesheet, parsed once per process for its text: every pieces document of a
    build asks (the plan, the keys of its pieces, each worker's)."""
    import tinycss2

    placing = ("width", "height", "vertical-align", "padding", "margin", "content", "text-align", "border")
    declarations = []
    for rule in stylesheet_rules(stylesheet):
        if rule.type != "at-rule" or rule.lower_at_keyword != "page" or tinycss2.serialize(rule.prelude).strip():
            continue
        for inner in tinycss2.parse_blocks_contents(rule.content or [], skip_whitespace=True, skip_comments=True):
            if inner.type == "at-rule" and inner.lower_at_keyword == "top-right":
                for item in tinycss2.parse_blocks_contents(inner.content or [], skip_whitespace=True,
                                                          skip_comments=True):
                    if item.type == "declaration" and not item.lower_name.startswith(placing):
                        declarations.append(f"{item.lower_name}: {tinycss2.serialize(item.value).strip()}"
                                            f"{' !important' if item.important else ''};")
    return tuple(declarations)
