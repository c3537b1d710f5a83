"""Laid-out pieces: one WeasyPrint document holds every distinct block once; weasy.py measures each
block from the box tree into the values here, and this module cuts the document's pages into each
block's drawing operators."""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass, field

from ..sheets.paper import Box

PX_TO_PT = 0.75  # CSS pixels are 1/96 inch, PDF points 1/72 inch
PIECE_ID_PREFIX = "qg-"


@dataclass(frozen=True)
class Mark:
    """An element inside a piece that the composer needs to know about (`data-qg="name"`)."""

    box: Box  # border box of its first box
    content_x: float  # left edge of its content box (where a line of text starts)
    text_x: float | None = None  # where its first text starts
    baseline: float | None = None  # the baseline of its first text, or of its line when it has none
    first_line_right: float | None = None  # where its first line's text ends
    last_on_line: bool = False  # nothing follows it on its line, and the line is set left to right
    tab_size: float | None = None  # in CSS pixels, None when given in spaces
    vertical_align: str = "baseline"
    ancestors: tuple[tuple[str, str, str], ...] = ()  # (tag, class, dir) from the piece down to it
    lines: int = 0  # lines of text in it


@dataclass(frozen=True)
class Measured:
    """One laid-out piece: where it sits in the pieces document and what is inside it."""

    page: int
    band: Box  # the wrapper's border box; everything drawn for the piece lies inside it
    box: Box  # border box of the piece's own element
    margin_top: float
    margin_bottom: float
    ink: tuple[Box, ...]  # the boxes of its visible text
    marks: dict[str, tuple[Mark, ...]] = field(default_factory=dict)

    def mark(self, name: str) -> Mark:
        return self.marks[name][0]


@dataclass(frozen=True)
class PageFacts:
    """Geometry and the running header's look, read from a real page of the pieces document."""

    width: float
    height: float
    content: Box
    header_right: float  # right edge of the @top-right margin box's content
    header_baseline: float


@dataclass(frozen=True)
class Placement:
    """A piece drawn on a page, moved by (dx, dy) CSS pixels from where it was laid out."""

    piece: str
    dx: float
    dy: float
    ink: tuple[Box, ...]  # where its visible text lands on the page


@dataclass(frozen=True)
class PlannedPage:
    number: int
    placements: tuple[Placement, ...]
    blocks: tuple[str, ...]  # labels of the blocks on the page, for tests and messages


# ---- cutting pages into pieces of content --------------------------------------------------------


@dataclass(frozen=True)
class PieceStreams:
    """The pieces document as a pikepdf file, each piece's drawing operators, and the resources
    (fonts, graphics states, colour spaces) they name, shared by every piece of the document.

    Pieces are placed as inline content (q, cm, the piece's operators, Q) rather than form XObjects:
    text extractors (pypdf) start a new line at every form XObject, which would cut a question's
    number from its text, and cap how many forms a page may use.
    """

    pdf: object  # pikepdf.Pdf
    contents: dict[str, bytes]  # each piece's operators
    fonts: dict[str, tuple[str, ...]]  # the font names each piece uses
    resources: dict[str, dict[str, object]]  # category (/Font, /ExtGState…) → name → indirect object
    page_heights: tuple[float, ...]  # in points, for each page of the pieces document
    instructions: dict[str, list] = field(default_factory=dict)  # each piece's operators as parsed, when just cut


SAME_LINE = 0.5  # CSS px: text whose baseline is this close to a point's is on the point's line

Edge = float | tuple[float, float]  # a height, or a point (baseline, x) of a line of text


def follows(y: float, x: float | None, edge: Edge) -> bool:
    """Whether what is drawn at height `y` (and `x`, for text) comes at or after `edge` in reading order:
    below a height; for a point, on a later line, or on its line from its x on."""
    if not isinstance(edge, tuple):
        return y >= edge
    baseline, left = edge
    return y > baseline + SAME_LINE or (y >= baseline - SAME_LINE and x is not None and x >= left - 0.01)


def cut_pieces(pdf_bytes: bytes, measured: dict[str, Measured], whole_pages: dict[str, int],
               splits: dict[str, tuple[Edge, ...]] | None = None) -> PieceStreams:
    """Each piece's operators: what was drawn inside the piece's band of its page.

    `whole_pages` names pieces that are all of one page (the running title in a page margin);
    `splits` cuts a piece at heights, or at points of its lines, into parts, named by `part_name`,
    so that what is set between them (a version code, a matching choice, a key's varying letter)
    comes in reading order.
    """
    import pikepdf

    pdf, heights = _opened(pdf_bytes)
    with_pieces = _pages_with_pieces(measured, whole_pages)
    bands: dict[int, list[tuple[str, float, float]]] = {}
    for piece_id, piece in measured.items():
        edges = [piece.band.y, *(splits or {}).get(piece_id, ()), piece.band.bottom]
        for number, (top, bottom) in enumerate(zip(edges, edges[1:])):
            bands.setdefault(piece.page, []).append((part_name(piece_id, number), top, bottom))
    contents: dict[str, bytes] = {}
    fonts: dict[str, tuple[str, ...]] = {}
    resources: dict[str, dict[str, object]] = {}
    parsed: dict[str, list] = {}
    for index, page in enumerate(pdf.pages):
        if index not in with_pieces:
            continue
        whole = [name for name, number in whole_pages.items() if number == index]
        _gather_resources(pdf, page, resources)
        instructions = list(pikepdf.parse_content_stream(page))
        operators = {id(i): operator_of(i) for i in instructions}  # each read once: pikepdf makes it anew each time
        pieces = [(name, instructions) for name in whole]
        if bands.get(index):  # a page that is one piece whole needs no tree
            pieces += _sorted_into_bands(_content_tree(instructions, operators, heights[index]), bands[index])
        for name, kept in pieces:
            parsed[name] = _compact_text(_without_overridden_state(kept, operators), operators)
            contents[name] = pikepdf.unparse_content_stream(parsed[name])
            fonts[name] = tuple(sorted({str(i.operands[0]) for i in kept if operators[id(i)] == "Tf"}))
    return PieceStreams(pdf, contents, fonts, resources, heights, parsed)


def reopened(pdf_bytes: bytes, contents: dict[str, bytes], fonts: dict[str, tuple[str, ...]],
             measured: dict[str, Measured], whole_pages: dict[str, int]) -> PieceStreams:
    """The pieces `cut_pieces` cut from `pdf_bytes` (their `contents` and `fonts` as it gave them), in another
    process: the document opened again, and the resources gathered from the same pages in the same order."""
    pdf, heights = _opened(pdf_bytes)
    with_pieces = _pages_with_pieces(measured, whole_pages)
    resources: dict[str, dict[str, object]] = {}
    for index, page in enumerate(pdf.pages):
        if index in with_pieces:
            _gather_resources(pdf, page, resources)
    return PieceStreams(pdf, contents, fonts, resources, heights)


def _opened(pdf_bytes: bytes):
    """The pieces document as a pikepdf file, and each page's height in points."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    return pdf, tuple(float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf.pages)


def _pages_with_pieces(measured: dict[str, Measured], whole_pages: dict[str, int]) -> set[int]:
    """The pages of the pieces document that hold a piece: the ones whose resources the pieces may name."""
    return {piece.page for piece in measured.values()} | set(whole_pages.values())


def operator_of(instruction) -> str:
    """An instruction's operator ("Tj", "re"…); "INLINE IMAGE" for an inline image, which has none."""
    return str(getattr(instruction, "operator", "INLINE IMAGE"))


STATE_OPS = {"rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "scn", "SC", "SCN", "gs", "w", "J", "j", "M", "d",
             "ri", "i"}


def _without_overridden_state(instructions: list, operators: dict[int, str]) -> list:
    """The instructions without state changes that a later change of the same kind replaces before
    anything is drawn (cutting out other pieces' drawing leaves runs of colour changes behind)."""
    out: list = []
    pending: dict[str, object] = {}
    for instruction in instructions:
        operator = operators[id(instruction)]
        if operator in STATE_OPS:
            pending.pop(operator, None)
            pending[operator] = instruction
            continue
        if operator in ("q", "Q") and operator == "Q":
            pending.clear()  # whatever was set inside the group ends with it
        elif pending:
            out += pending.values()
            pending.clear()
        out.append(instruction)
    return out


def _compact_text(instructions: list, operators: dict[int, str]) -> list:
    """TJ arrays with their zero adjustments joined away ([<0015> 0 <0016>] → [<00150016>]): the same
    glyphs at the same places, in a third of the bytes to compress for every page."""
    import pikepdf

    out = []
    for instruction in instructions:
        if operators[id(instruction)] != "TJ":
            out.append(instruction)
            continue
        items: list = []
        for item in instruction.operands[0]:
            if isinstance(item, pikepdf.String):
                if items and isinstance(items[-1], bytes):
                    items[-1] += bytes(item)
                else:
                    items.append(bytes(item))
            elif float(item) != 0:
                items.append(item)
        array = pikepdf.Array([pikepdf.String(i) if isinstance(i, bytes) else i for i in items])
        out.append(pikepdf.ContentStreamInstruction([array], pikepdf.Operator("TJ")))
    return out


def part_name(piece_id: str, number: int) -> str:
    """The id of a piece's part: the first part is the piece itself, then `id+1`, `id+2`…"""
    return piece_id if number == 0 else f"{piece_id}+{number}"


def _gather_resources(pdf, page, resources: dict[str, dict[str, object]]) -> None:
    """The page's named resources, made indirect so that each output file can copy them."""
    for category, entries in page.Resources.items():
        if not hasattr(entries, "items"):
            continue
        for name, value in entries.items():
            if name not in resources.setdefault(category, {}):
                resources[category][name] = value if value.is_indirect else pdf.make_indirect(value)


@dataclass
class _Node:
    """A run of a content stream: a q…Q group (children), a text object (runs), one drawing unit
    (its y in CSS px), or an operator that only changes state (y None, kept wherever its group is)."""

    instructions: list
    y: float | None = None
    children: list[_Node] | None = None
    runs: list[tuple[float, float, list]] | None = None  # a text object's runs (y, x, …), one per text matrix set
    bands: set[int] = field(default_factory=set)  # the bands of the page it draws in (once sorted into them)
    run_bands: list[int | None] = field(default_factory=list)  # the band of each run


PATH_OPS = {"m", "l", "c", "v", "y", "h", "re"}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}


def _content_tree(instructions, operators: dict[int, str], page_height: float) -> list[_Node]:
    """The stream as nested q…Q groups whose leaves are text objects, paths, images and state changes,
    each drawing leaf placed at its vertical centre in CSS pixels."""
    root: list[_Node] = []
    stack: list[tuple[list[_Node], list[float]]] = [(root, [1, 0, 0, 1, 0, 0])]
    text_states: list[dict[str, object]] = [{}]  # Tf, Tc… in force: text state outlives BT … ET
    groups: list[list] = []
    pending: list = []  # path construction waiting for its painting operator
    text: list | None = None

    def css_y(ctm, x, y):
        device_y = ctm[1] * x + ctm[3] * y + ctm[5]
        return (page_height - device_y) / PX_TO_PT

    def css_x(ctm, x, y):
        return (ctm[0] * x + ctm[2] * y + ctm[4]) / PX_TO_PT

    for instruction in instructions:
        operator = operators[id(instruction)]
        nodes, ctm = stack[-1]
        if text is not None:
            text.append(instruction)
            if operator == "ET":
                nodes.append(_text_node(text, ctm, css_y, css_x, text_states[-1]))
                text = None
            continue
        if operator == "BT":
            text = [instruction]
        elif operator == "q":
            group = _Node([instruction], None, [])
            nodes.append(group)
            stack.append((group.children, list(ctm)))
            text_states.append(dict(text_states[-1]))
            groups.append(group)
        elif operator == "Q":
            if len(stack) > 1:
                stack.pop()
                text_states.pop()
                group = groups.pop()
                group.instructions.append(instruction)
                _make_atomic_if_leaf(group)
            else:
                nodes.append(_Node([instruction]))
        elif operator == "cm":
            matrix = [float(v) for v in instruction.operands]
            stack[-1] = (nodes, _multiply(matrix, ctm))
            nodes.append(_Node([instruction]))
        elif operator in PATH_OPS or (operator in ("W", "W*") and pending):
            pending.append(instruction)
        elif operator in PAINT_OPS:
            pending.append(instruction)
            nodes.append(_Node(pending, _path_y(pending, ctm, css_y)))
            pending = []
        elif operator in ("Do", "sh", "INLINE IMAGE"):
            nodes.append(_Node([instruction], css_y(ctm, 0.5, 0.5)))
        else:
            nodes.append(_Node([instruction]))
    return root


def _make_atomic_if_leaf(group: _Node) -> None:
    """A group that holds only paths (a border with its clip) is one unit, placed at its centre."""
    children = group.children or []
    if any(c.children is not None or c.runs is not None for c in children):
        return
    ys = [c.y for c in children if c.y is not None]
    if not ys:
        return
    group.instructions = [group.instructions[0], *(i for c in children for i in c.instructions),
                          group.instructions[-1]]
    group.children = None
    group.y = (min(ys) + max(ys)) / 2


def _multiply(m, n):
    """The PDF matrix product m × n (cm pre-multiplies the current matrix)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]


TEXT_STATE_OPS = {"Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Tr"}


def _text_node(text: list, ctm, css_y, css_x, state: dict[str, object]) -> _Node:
    """A text object cut into runs at each text matrix: WeasyPrint draws many text boxes, of several
    pieces, in one BT … ET, each from its own Tm. Each run starts with the text state in force
    (WeasyPrint leaves out a Tf that repeats the current font)."""
    preamble: list = []
    runs: list[tuple[float, float, list]] = []
    for instruction in text[1:-1]:
        operator = str(instruction.operator)
        if operator in TEXT_STATE_OPS:
            state[operator] = instruction
        if operator == "Tm":
            values = [float(v) for v in instruction.operands]
            runs.append((css_y(ctm, values[4], values[5]), css_x(ctm, values[4], values[5]),
                         [instruction, *state.values()]))
        elif runs:
            runs[-1][2].append(instruction)
        else:
            preamble.append(instruction)
    return _Node([text[0], *preamble, text[-1]], None, None, runs)


def _path_y(path, ctm, css_y) -> float | None:
    ys = []
    for instruction in path:
        values = [float(v) for v in instruction.operands]
        operator = str(instruction.operator)
        if operator == "re":
            ys += [css_y(ctm, values[0], values[1]), css_y(ctm, values[0], values[1] + values[3])]
        else:
            ys += [css_y(ctm, values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
    return (min(ys) + max(ys)) / 2 if ys else None


class _Bands:
    """A page's bands (name, top edge, bottom edge), which do not overlap: which one a point is in."""

    def __init__(self, bands: list[tuple[str, Edge, Edge]]):
        self.bands = sorted(bands, key=lambda band: _edge_y(band[1]))
        self.tops = [_edge_y(top) for _, top, _ in self.bands]

    def of(self, y: float, x: float | None) -> int | None:
        """The index of the band that holds what is drawn at (x, y), or None."""
        for i in range(bisect.bisect_right(self.tops, y + SAME_LINE + 0.01) - 1, -1, -1):
            _, top, bottom = self.bands[i]
            if follows(y, x, top):
                return None if follows(y, x, bottom) else i
        return None


def _edge_y(edge: Edge) -> float:
    return edge[0] - SAME_LINE if isinstance(edge, tuple) else edge


def _sorted_into_bands(tree: list[_Node], bands: list[tuple[str, Edge, Edge]]) -> list[tuple[str, list]]:
    """Each band's instructions: the drawing units inside it, with the state changes and the q…Q groups around
    them (a group that draws nothing in a band is left out of it whole); one walk of the tree for all bands."""
    page = _Bands(bands)
    outputs: list[list] = [[] for _ in page.bands]
    _drawn_in(tree, page)
    _write_into(tree, page, outputs, range(len(outputs)))
    return [(name, out) for (name, _, _), out in zip(page.bands, outputs)]


def _drawn_in(nodes: list[_Node], page: _Bands) -> set[int]:
    """The bands each node draws in, kept on the node (`bands`, and each text run's band), and those of all
    of `nodes` together."""
    found: set[int] = set()
    for node in nodes:
        if node.runs is not None:
            node.run_bands = [page.of(y, x) for y, x, _ in node.runs]
            node.bands = {band for band in node.run_bands if band is not None}
        elif node.children is not None:
            node.bands = _drawn_in(node.children, page)
        elif node.y is not None:
            band = page.of(node.y, None)
            node.bands = set() if band is None else {band}
        found |= node.bands
    return found


def _write_into(nodes: list[_Node], page: _Bands, outputs: list[list], into) -> None:
    """Append each node to the outputs of the bands it draws in, among `into`; a state change goes to all of them."""
    for node in nodes:
        if node.runs is not None:
            for band in node.bands:
                if band in into:
                    outputs[band] += node.instructions[:-1]
            for band, (_, _, run) in zip(node.run_bands, node.runs):
                if band is not None and band in into:
                    outputs[band] += run
            for band in node.bands:
                if band in into:
                    outputs[band].append(node.instructions[-1])
        elif node.children is not None:
            inside = [band for band in node.bands if band in into]
            for band in inside:
                outputs[band].append(node.instructions[0])
            _write_into(node.children, page, outputs, set(inside))
            for band in inside:
                outputs[band] += node.instructions[1:]
        elif node.y is None:
            for band in into:
                outputs[band] += node.instructions
        else:
            for band in node.bands:
                if band in into:
                    outputs[band] += node.instructions
