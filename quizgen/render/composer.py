"""Composing worksheets and answer keys from their laid-out pieces: the pieces document is laid out
once, each version is paginated in plain Python over the measured boxes, and its pages are written
from the pieces' cut drawing operators (splicing.py)."""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, replace

from ..files import WrittenFile
from .compose import (GRID_COLUMNS, GRID_LINES, HEADER_PREFIX, TITLE_PIECE, TITLES, Block, ComposedDocument, GridBlock,
                      HeaderBlock, Line, NotComposable, QuestionBlock, SlottedLine, VersionPlan)
from .fetching import refusals_reported
from .html_pdf import RenderedPdf, SpooledPdf, render_html_pdfs
from .pieces import (SAME_LINE, Edge, Measured, PageFacts, PieceStreams, Placement, PlannedPage, cut_pieces,
                     part_name)
from .splicing import deflated, write_version
from .weasy import font_dates_kept, laid_out, measure, page_facts


@dataclass(frozen=True)
class FlowBlock:
    """A measured block of a version's flow: never split across pages."""

    height: float
    margin_top: float
    margin_bottom: float
    placements: tuple[Placement, ...]  # relative to the block's top at y = 0
    label: str


def paginate(blocks: list[FlowBlock], page_height: float) -> list[list[tuple[FlowBlock, float]]]:
    """Blocks stacked down pages, a block that does not fit starting the next page; adjoining
    margins collapse to the larger one and a page's first block loses its top margin, as in CSS."""
    pages: list[list[tuple[FlowBlock, float]]] = [[]]
    y, previous_margin = 0.0, 0.0
    for block in blocks:
        top = y + max(previous_margin, block.margin_top) if pages[-1] else 0.0
        if pages[-1] and top + block.height > page_height + 0.01:
            pages.append([])
            top = 0.0
        pages[-1].append((block, top))
        y, previous_margin = top + block.height, block.margin_bottom
    return pages


def render_composed(document: ComposedDocument) -> tuple:
    """Lay out the pieces once, then compose and write every version; returns RenderedPdf per version.
    A single version with a piece store lays out only the pieces no earlier build laid out
    (stored_composer.py). Layouts that turn out not to compose (a choice that wraps, a block taller
    than a page) are laid out in full, as before."""
    try:
        if document.store is not None and len(document.versions) == 1:
            from .stored_composer import stored_composed_pdfs

            return stored_composed_pdfs(document)
        return _composed_pdfs(document)
    except NotComposable:
        return laid_out_in_full(document)


def laid_out_in_full(document: ComposedDocument) -> tuple:
    """Every version of `document` laid out in full, as a render that cannot compose lays them out."""
    with font_dates_kept():
        return render_html_pdfs(document.full_document())


def _composed_pdfs(document: ComposedDocument) -> tuple:
    cut = cut_document(document, collect=True)
    return composed_versions(document, cut.streams, cut.measured, cut.facts, cut.seconds)


WHOLE_PAGES = {TITLE_PIECE: 0}  # the running title is all of the pieces document's first page


@dataclass(frozen=True)
class CutDocument:
    """A composed document's pieces laid out once and cut: all that composing its versions needs."""

    pdf_bytes: bytes  # the pieces document
    streams: PieceStreams
    measured: dict[str, Measured]
    facts: PageFacts
    seconds: float  # how long laying out and cutting took


def cut_document(document: ComposedDocument, *, collect: bool) -> CutDocument:
    """Lay the pieces document out once, measure and cut it; with `collect`, the box tree is freed before cutting
    (the largest thing held: a process that composes afterwards needs only the measurements)."""
    started = time.perf_counter()
    refusals: list = []
    with refusals_reported(document, refusals):
        rendered = laid_out(document, refusals)
    measured = measure(rendered)
    facts = page_facts(rendered, 0, 1)
    splits = piece_splits(document, measured)
    with refusals_reported(document, refusals):  # attachments are fetched only now
        pdf_bytes = rendered.write_pdf()
    del rendered
    if collect:
        gc.collect()
    streams = cut_pieces(pdf_bytes, measured, WHOLE_PAGES, splits)
    streams = replace(streams, contents={k: deflated(v) for k, v in streams.contents.items()})
    return CutDocument(pdf_bytes, streams, measured, facts, time.perf_counter() - started)


def composed_versions(document: ComposedDocument, streams, measured: dict[str, Measured], facts: PageFacts,
                      layout_seconds: float) -> tuple:
    """Each version of `document` paginated and written from the cut pieces, in memory or to its spool file as it
    is made; its seconds are its own and a share of `layout_seconds`."""
    composer = Composer(document, measured, facts)
    title = f"{document.title} · {TITLES[document.kind]}"
    results = []
    for plan in document.versions:
        began = time.perf_counter()
        pages = composer.pages(plan)
        data = write_version(pages, streams, measured, facts, title)
        seconds = layout_seconds / len(document.versions) + time.perf_counter() - began
        if document.spool is None:
            results.append(RenderedPdf(plan.file_name, data, len(pages), seconds))
        else:
            written = WrittenFile.of(document.spool / plan.file_name, data)
            results.append(SpooledPdf(plan.file_name, written, len(pages), seconds))
    return tuple(results)


def piece_splits(document: ComposedDocument, measured: dict[str, Measured]) -> dict[str, tuple[Edge, ...]]:
    """Where blocks are cut so that text comes out in reading order: a header below its code's line,
    a matching question below each row, before that row's choice, a slotted line at each slot and
    below each line that has one."""
    splits: dict[str, tuple[Edge, ...]] = {}
    for plan in document.versions:
        for block in plan.blocks:
            laid = getattr(block, "piece", None) in measured  # else the piece store has its parts
            if isinstance(block, HeaderBlock) and laid:
                splits[block.piece] = (measured[block.piece].mark("slot").box.bottom,)
            elif isinstance(block, QuestionBlock) and block.cells and block.per_line == 0 and laid:
                splits[block.piece] = tuple(m.box.bottom for m in measured[block.piece].marks["right"])
            elif isinstance(block, QuestionBlock) and block.rest and laid:
                splits[block.piece] = (measured[block.piece].mark("answer").box.bottom,)
            lines = (block.answer,) if isinstance(block, QuestionBlock) else \
                block.entries if isinstance(block, GridBlock) else ()
            for line in lines:
                if isinstance(line, SlottedLine) and line.piece in measured and line.piece not in splits:
                    splits[line.piece] = tuple(edge for _, edge in slot_edges(measured[line.piece]))
    return splits


def slot_edges(piece: Measured) -> list[tuple[int | None, Edge]]:
    """Where a slotted line is cut, in reading order: at each slot (its index, its point), and below
    the last slot of each line (None, a height)."""
    slots = piece.marks["slot"]
    edges: list[tuple[int | None, Edge]] = []
    for index, slot in enumerate(slots):
        edges.append((index, (slot.baseline, slot.text_x)))
        if index + 1 == len(slots) or slots[index + 1].baseline > slot.baseline + SAME_LINE:
            edges.append((None, slot.baseline + SAME_LINE))
    return edges


class Composer:
    """Turns version plans into pages of placed pieces, from the measured pieces alone."""

    def __init__(self, document: ComposedDocument, measured: dict[str, Measured], facts: PageFacts):
        self.document = document
        self.measured = measured
        self.facts = facts

    def piece(self, piece_id: str) -> Measured:
        return self.measured[piece_id]

    def pages(self, plan: VersionPlan) -> list[PlannedPage]:
        blocks = [self.flow_block(b, i) for i, b in enumerate(plan.blocks)]
        tallest = max(blocks, key=lambda b: b.height)
        if tallest.height > self.facts.content.height:
            raise NotComposable(f"{tallest.label} is taller than a page")
        laid = paginate(blocks, self.facts.content.height)
        pages = []
        for number, page in enumerate(laid, 1):
            placements = []
            for block, top in page:
                y = self.facts.content.y + top
                placements += [Placement(p.piece, p.dx, p.dy + y, tuple(r.moved(0, y) for r in p.ink))
                               for p in block.placements]
            placements += self.furniture(plan, number, len(laid))
            pages.append(PlannedPage(number, tuple(placements), tuple(b.label for b, _ in page)))
        return pages

    def flow_block(self, block: Block, index: int) -> FlowBlock:
        if isinstance(block, QuestionBlock):
            return self.question(block, index)
        if isinstance(block, GridBlock):
            return self.grid(block)
        if isinstance(block, HeaderBlock):
            return self.header(block)
        return self.simple(block.piece, f"block {index}")

    def at(self, piece_id: str, dx: float, dy: float) -> Placement:
        piece = self.piece(piece_id)
        return Placement(piece_id, dx, dy, tuple(r.moved(dx, dy) for r in piece.ink))

    def simple(self, piece_id: str, label: str) -> FlowBlock:
        piece = self.piece(piece_id)
        return FlowBlock(piece.box.height, piece.margin_top, piece.margin_bottom,
                         (self.at(piece_id, 0.0, -piece.box.y),), label)

    def header(self, block: HeaderBlock) -> FlowBlock:
        flow = self.simple(block.piece, "header")
        slot = self.piece(block.piece).mark("slot")
        if not slot.last_on_line:
            raise NotComposable("the version code must end its line in the header")
        top = -self.piece(block.piece).box.y
        x = slot.text_x
        placements = list(flow.placements)
        for character in block.code:
            mark = self.piece(character).mark("slot")
            placements.append(self.at(character, x - mark.text_x, slot.baseline - mark.baseline + top))
            x += (mark.first_line_right or mark.text_x) - mark.text_x
        placements.append(Placement(part_name(block.piece, 1), 0.0, top, ()))
        return FlowBlock(flow.height, flow.margin_top, flow.margin_bottom, tuple(placements), "header")

    def question(self, block: QuestionBlock, index: int) -> FlowBlock:
        label = f"question {index}"
        flow = self.simple(block.piece, label)
        piece = self.piece(block.piece)
        top = -piece.box.y
        placements = list(flow.placements)
        if block.number:  # else the number is in the block
            slot = piece.mark("num")
            number = self.piece(block.number).mark("num")
            placements.insert(0, self.at(block.number, slot.text_x - number.text_x,
                                         slot.baseline - number.baseline + top))
        height = flow.height
        if block.answer:
            hidden = piece.mark("answer").box
            line = self.piece(base_of(block.answer)).mark("answer").box
            placements += self.line(block.answer, hidden.x - line.x, hidden.y - line.y + top)
            if block.rest:
                placements = self.rest_moved_down(placements, block.piece, hidden.bottom, line.height - hidden.height)
            height += line.height - hidden.height
        if block.cells and block.per_line == 0:
            placements += self.matching_cells(block, piece, top)
        elif block.cells:
            placements += self.option_cells(block, piece, top)
        return FlowBlock(height, flow.margin_top, flow.margin_bottom, tuple(placements), label)

    @staticmethod
    def rest_moved_down(placements: list[Placement], piece_id: str, edge: float, shift: float) -> list[Placement]:
        """The block's own placement cut at `edge` (below its hidden answer line): what follows, its second part,
        moved down by `shift` with its ink, and drawn last, after the answer line, in reading order."""
        moved, rest = [], []
        for placement in placements:
            if placement.piece != piece_id:
                moved.append(placement)
                continue
            above = tuple(r for r in placement.ink if r.y < edge + placement.dy)
            below = tuple(r.moved(0.0, shift) for r in placement.ink if r.y >= edge + placement.dy)
            moved.append(replace(placement, ink=above))
            rest.append(Placement(part_name(piece_id, 1), 0.0, placement.dy + shift, below))
        return moved + rest

    def line(self, line: Line, dx: float, dy: float) -> list[Placement]:
        """A line moved by (dx, dy): one piece, or a slotted line's parts with each slot's character
        between them, the rest of its line closed up by as much as the character is narrower than the
        placeholder it stands in for. The first placement carries the whole line's ink."""
        if not isinstance(line, SlottedLine):
            return [self.at(line, dx, dy)]
        piece = self.piece(line.piece)
        slots = piece.marks["slot"]
        edges = slot_edges(piece)
        shifts = [0.0]
        placements: list[Placement] = []
        ink = []
        for number, (index, _) in enumerate(edges, 1):
            if index is None:
                shifts.append(0.0)
            else:
                slot, glyph_id = slots[index], line.glyphs[index]
                glyph = self.piece(glyph_id)
                mark = glyph.mark("slot")
                if mark.lines > 1:
                    raise NotComposable("a key's character runs over more than one line")
                moved = self.at(glyph_id, dx + slot.text_x + shifts[-1] - mark.text_x, dy + slot.baseline - mark.baseline)
                placements.append(Placement(glyph_id, moved.dx, moved.dy, ()))
                ink += moved.ink
                shifts.append(shifts[-1] + _advance(mark) - _advance(slot))
            placements.append(Placement(part_name(line.piece, number), dx + shifts[-1], dy, ()))
        for rect in piece.ink:
            shift = shifts[sum(_ink_follows(rect, edge) for _, edge in edges)]
            ink.append(rect.moved(dx + shift, dy))
        return [Placement(line.piece, dx, dy, tuple(ink)), *placements]

    def matching_cells(self, block: QuestionBlock, piece: Measured, top: float) -> list[Placement]:
        """Each choice set on the baseline of the hidden choice in its row; a choice that wraps would
        change the row's height, so it is not composed."""
        placements = []
        for row, (target, cell_id) in enumerate(zip(piece.marks["right"], block.cells), 1):
            cell = self.piece(cell_id).mark("cell")
            if cell.lines > 1 or target.lines > 1:
                raise NotComposable("a matching choice runs over more than one line")
            placements.append(self.at(cell_id, target.text_x - cell.text_x, target.baseline - cell.baseline + top))
            placements.append(Placement(part_name(block.piece, row), 0.0, top, ()))
        return placements

    def option_cells(self, block: QuestionBlock, piece: Measured, top: float) -> list[Placement]:
        """Options in this version's order, row by row as the hidden rows of the block were laid out;
        short options share a row in tab-stop columns, as Pango sets them."""
        rows = piece.marks["row"]
        gap = rows[1].box.y - rows[0].box.bottom if len(rows) > 1 else 0.0
        y = rows[0].box.y
        placements = []
        for start in range(0, len(block.cells), block.per_line):
            row_cells = block.cells[start:start + block.per_line]
            x = 0.0
            height = 0.0
            for column, cell_id in enumerate(row_cells):
                cell = self.piece(cell_id).mark("cell")
                if column:
                    x = next_tab_stop(x, rows[0].tab_size)
                placements.append(self.at(cell_id, rows[0].content_x + x - cell.content_x, y - cell.box.y + top))
                x += (cell.first_line_right or cell.content_x) - cell.content_x
                height = max(height, cell.box.height)
            y += height + gap
        return placements

    def grid(self, block: GridBlock) -> FlowBlock:
        """Frames row by row, each as tall as its longest entry, and the entries set in their cells."""
        frames = self.document.grid_frames
        first = self.piece(frames[0])
        row_top = first.mark("row").box.y - first.box.y  # the half of the top border above row 0
        outer = first.box.height - first.mark("row").box.height
        placements: list[Placement] = []
        y = row_top
        for row in range(block.rows):
            cells = [(column, column * block.rows + row) for column in range(GRID_COLUMNS)
                     if column * block.rows + row < len(block.entries)]
            needed = max(self.piece(base_of(block.entries[i])).mark("row").box.height for _, i in cells)
            candidates = frames[row * len(GRID_LINES):(row + 1) * len(GRID_LINES)]
            frame_id = next((f for f in candidates if self.piece(f).mark("row").box.height >= needed - 0.01), None)
            if frame_id is None:
                raise NotComposable("a key grid entry is longer than the grid's tallest row")
            frame = self.piece(frame_id)
            frame_row = frame.mark("row").box
            frame_dy = y - frame_row.y
            placements.append(self.at(frame_id, 0.0, frame_dy))
            for column, index in cells:
                for line, targets in ((block.numbers[index], frame.marks["num"]),
                                      (block.entries[index], frame.marks["cell"])):
                    piece = self.piece(base_of(line))
                    target, source = targets[column].box, piece.mark("cell")
                    shift = 0.0
                    if source.vertical_align == "middle":
                        shift = (frame_row.height - piece.mark("row").box.height) / 2
                    placements += self.line(line, target.x - source.box.x, target.y + frame_dy - source.box.y + shift)
            y += frame_row.height
        return FlowBlock(outer + y - row_top, first.margin_top, first.margin_bottom, tuple(placements), "grid")

    def furniture(self, plan: VersionPlan, number: int, total: int) -> list[Placement]:
        """The running title, and "Version A · page 1 of 3" set right to left from the margin box's edge."""
        texts = [HEADER_PREFIX[self.document.kind], *plan.code, " · page ", *str(number), " of ", *str(total)]
        furniture = dict(self.document.furniture)
        right = self.facts.header_right
        parts = []
        for text in reversed(texts):
            piece_id = furniture[text]
            mark = self.piece(piece_id).mark("text")
            right -= (mark.first_line_right or mark.text_x) - mark.text_x
            parts.append(self.at(piece_id, right - mark.text_x, self.facts.header_baseline - mark.baseline))
        return [Placement(TITLE_PIECE, 0.0, 0.0, ()), *reversed(parts)]


def base_of(line: Line) -> str:
    """The piece that gives a line its place and size."""
    return line.piece if isinstance(line, SlottedLine) else line


def _advance(mark) -> float:
    """How far a slot's text takes the line along."""
    return (mark.first_line_right or mark.text_x) - mark.text_x


def _ink_follows(rect, edge: Edge) -> bool:
    """`follows` for a text box's ink, which is on an edge's line when it holds the line's baseline."""
    baseline, left = edge if isinstance(edge, tuple) else (edge - SAME_LINE, None)
    if rect.y > baseline:
        return True
    return left is not None and rect.bottom >= baseline and rect.x >= left - 0.01


def next_tab_stop(x: float, tab: float | None) -> float:
    """Where text after a tab starts: the next multiple of the tab size (Pango's left-aligned stops)."""
    if not tab:
        raise NotComposable("tab-size must be a length for options to be composed")
    return (math.floor(x / tab + 1e-6) + 1) * tab
