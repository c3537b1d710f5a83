"""Laid-out pieces: one WeasyPrint document holds every distinct block once; this module measures
each block from the box tree and cuts the document's pages into one PDF form XObject per block."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

PX_TO_PT = 0.75  # CSS pixels are 1/96 inch, PDF points 1/72 inch
PIECE_ID_PREFIX = "qg-"


@dataclass(frozen=True)
class Rect:
    """A box in CSS pixels, from the top-left corner of its page."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.width, self.height)

    def overlaps(self, other: Rect, tolerance: float = 0.01) -> bool:
        return (self.x < other.right - tolerance and other.x < self.right - tolerance
                and self.y < other.bottom - tolerance and other.y < self.bottom - tolerance)


@dataclass(frozen=True)
class Mark:
    """An element inside a piece that the composer needs to know about (`data-qg="name"`)."""

    box: Rect  # border box of its first box
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
    band: Rect  # the wrapper's border box; everything drawn for the piece lies inside it
    box: Rect  # border box of the piece's own element
    margin_top: float
    margin_bottom: float
    ink: tuple[Rect, ...]  # the boxes of its visible text
    marks: dict[str, tuple[Mark, ...]] = field(default_factory=dict)

    def mark(self, name: str) -> Mark:
        return self.marks[name][0]


@dataclass(frozen=True)
class PageFacts:
    """Geometry and the running header's look, read from a real page of the pieces document."""

    width: float
    height: float
    content: Rect
    header_right: float  # right edge of the @top-right margin box's content
    header_baseline: float
    header_style: str  # CSS declarations reproducing the @top-right text


# ---- measuring ---------------------------------------------------------------------------------


def measure(document) -> dict[str, Measured]:
    """Every piece of a rendered WeasyPrint document, by the id of its wrapper element."""
    found: dict[str, Measured] = {}
    for index, page in enumerate(document.pages):
        for wrapper, children in _piece_wrappers(page._page_box):
            piece_id = wrapper.element.get("id")
            if piece_id not in found:
                found[piece_id] = _measure_piece(index, wrapper, children)
    return found


def _piece_wrappers(page_box):
    """(wrapper box, its children) for every box whose element id marks a piece."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and str(element.get("id", "")).startswith(PIECE_ID_PREFIX) \
                and type(box).__name__ == "BlockBox":
            yield box, box.children
            continue
        stack.extend(reversed(getattr(box, "children", ())))


def _measure_piece(page: int, wrapper, children) -> Measured:
    from weasyprint.formatting_structure import boxes

    main = next((c for c in children if isinstance(c, boxes.BlockLevelBox)), wrapper)
    ink: list[Rect] = []
    marks: dict[str, list[Mark]] = {}
    seen: set[int] = set()

    def visit(box, line, ancestors):
        element = getattr(box, "element", None)
        if isinstance(box, boxes.TextBox):
            if box.style["visibility"] == "visible" and box.text.strip():
                ink.append(Rect(box.position_x, box.position_y, box.width, box.height))
            return
        if isinstance(box, boxes.LineBox):
            line = box
        if element is not None and id(element) not in seen and element is not wrapper.element:
            seen.add(id(element))
            name = element.get("data-qg")
            if name:
                marks.setdefault(name, []).append(_mark(box, line, ancestors))
            ancestors = ancestors + ((element.tag, element.get("class", ""), element.get("dir", "")),)
        for child in getattr(box, "children", ()):
            visit(child, line, ancestors)

    for child in children:
        visit(child, None, ())
    return Measured(page, _border_box(wrapper), _border_box(main), main.margin_top or 0.0,
                    main.margin_bottom or 0.0, tuple(ink), {k: tuple(v) for k, v in marks.items()})


def _border_box(box) -> Rect:
    return Rect(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _mark(box, line, ancestors) -> Mark:
    from weasyprint.formatting_structure import boxes

    texts = [b for b in _descendants(box) if isinstance(b, boxes.TextBox)]
    first = texts[0] if texts else None
    baseline = first.position_y + first.baseline if first is not None else None
    first_line_right = None
    if first is not None:
        first_line_right = max(t.position_x + t.width for t in texts if t.position_y == first.position_y)
    if baseline is None and line is not None:
        baseline = line.position_y + line.baseline
    tab = box.style["tab_size"]
    return Mark(_border_box(box), box.content_box_x(),
                first.position_x if first is not None else box.position_x, baseline, first_line_right,
                _is_last_on_line(box, line), None if isinstance(tab, int) else float(tab.value),
                str(box.style["vertical_align"]), ancestors, len({round(t.position_y, 2) for t in texts}))


def _descendants(box):
    for child in getattr(box, "children", ()):
        yield child
        yield from _descendants(child)


def _is_last_on_line(box, line) -> bool:
    """The box ends its line, and the line runs left to right from the left: text put in its
    place cannot push anything else along."""
    if line is None or line.style["direction"] != "ltr" or line.style["text_align_all"] not in ("start", "left"):
        return False
    inside = {id(b) for b in _descendants(box)}
    following = False
    for item in _descendants(line):
        if item is box:
            following = True
        elif following and id(item) not in inside and getattr(item, "text", "x").strip():
            return False
    return following


def page_facts(document, page_index: int, header_page_index: int) -> PageFacts:
    """The page size, content box and running header of the pieces document's real-sized pages."""
    from weasyprint.formatting_structure import boxes

    page_box = document.pages[page_index]._page_box
    content = Rect(page_box.content_box_x(), page_box.content_box_y(), page_box.width, page_box.height)
    header_box = document.pages[header_page_index]._page_box
    margin = next(b for b in header_box.children
                  if isinstance(b, boxes.MarginBox) and b.at_keyword == "@top-right")
    text = next(b for b in _descendants(margin) if isinstance(b, boxes.TextBox))
    return PageFacts(page_box.margin_width(), page_box.margin_height(), content,
                     margin.content_box_x() + margin.width, text.position_y + text.baseline,
                     style_declarations(text.style))


def style_declarations(style) -> str:
    """CSS that sets text in the same font, size, weight and colour as a computed style."""
    families = ", ".join('"' + f.replace('"', "") + '"' for f in style["font_family"])
    color = style["color"].to("srgb")
    red, green, blue = (round(max(0.0, min(1.0, c)) * 255) for c in color.coordinates)
    spacing = style["letter_spacing"]
    spacing = "normal" if spacing == "normal" else f"{float(spacing)}px"
    return (f"font-family: {families}; font-size: {style['font_size']}px; font-weight: {style['font_weight']}; "
            f"font-style: {style['font_style']}; color: rgb({red} {green} {blue} / {color.alpha}); "
            f"letter-spacing: {spacing}; text-transform: {style['text_transform']}; white-space: pre; "
            "margin: 0; padding: 0; border: 0; line-height: normal")


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


def cut_pieces(pdf_bytes: bytes, measured: dict[str, Measured], whole_pages: dict[str, int],
               splits: dict[str, float] | None = None) -> PieceStreams:
    """Each piece's operators: what was drawn inside the piece's band of its page.

    `whole_pages` names pieces that are all of one page (the running title in a page margin);
    `splits` cuts a piece at heights into parts, named by `part_name`, so that what is set between
    them (a version code, a matching choice) comes in reading order.
    """
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    heights = tuple(float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf.pages)
    bands: dict[int, list[tuple[str, float, float]]] = {}
    for piece_id, piece in measured.items():
        edges = [piece.band.y, *(splits or {}).get(piece_id, ()), piece.band.bottom]
        for number, (top, bottom) in enumerate(zip(edges, edges[1:])):
            bands.setdefault(piece.page, []).append((part_name(piece_id, number), top, bottom))
    contents: dict[str, bytes] = {}
    fonts: dict[str, tuple[str, ...]] = {}
    resources: dict[str, dict[str, object]] = {}
    for index, page in enumerate(pdf.pages):
        whole = [name for name, number in whole_pages.items() if number == index]
        if not bands.get(index) and not whole:
            continue
        _gather_resources(pdf, page, resources)
        instructions = list(pikepdf.parse_content_stream(page))
        tree = _content_tree(instructions, heights[index])
        pieces = [(name, instructions) for name in whole]
        pieces += [(name, _filtered(tree, lambda y, top=top, bottom=bottom: top <= y < bottom))
                   for name, top, bottom in bands.get(index, [])]
        for name, kept in pieces:
            contents[name] = pikepdf.unparse_content_stream(_compact_text(_without_overridden_state(kept)))
            fonts[name] = tuple(sorted({str(i.operands[0]) for i in kept
                                        if str(getattr(i, "operator", "")) == "Tf"}))
    return PieceStreams(pdf, contents, fonts, resources, heights)


STATE_OPS = {"rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "scn", "SC", "SCN", "gs", "w", "J", "j", "M", "d",
             "ri", "i"}


def _without_overridden_state(instructions: list) -> list:
    """The instructions without state changes that a later change of the same kind replaces before
    anything is drawn (cutting out other pieces' drawing leaves runs of colour changes behind)."""
    out: list = []
    pending: dict[str, object] = {}
    for instruction in instructions:
        operator = str(getattr(instruction, "operator", ""))
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


def _compact_text(instructions: list) -> list:
    """TJ arrays with their zero adjustments joined away ([<0015> 0 <0016>] → [<00150016>]): the same
    glyphs at the same places, in a third of the bytes to compress for every page."""
    import pikepdf

    out = []
    for instruction in instructions:
        if str(getattr(instruction, "operator", "")) != "TJ":
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
    runs: list[tuple[float, list]] | None = None  # a text object's runs, one per text matrix set


PATH_OPS = {"m", "l", "c", "v", "y", "h", "re"}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}


def _content_tree(instructions, page_height: float) -> list[_Node]:
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

    for instruction in instructions:
        operator = str(getattr(instruction, "operator", "INLINE IMAGE"))
        nodes, ctm = stack[-1]
        if text is not None:
            text.append(instruction)
            if operator == "ET":
                nodes.append(_text_node(text, ctm, css_y, text_states[-1]))
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


def _text_node(text: list, ctm, css_y, state: dict[str, object]) -> _Node:
    """A text object cut into runs at each text matrix: WeasyPrint draws many text boxes, of several
    pieces, in one BT … ET, each from its own Tm. Each run starts with the text state in force
    (WeasyPrint leaves out a Tf that repeats the current font)."""
    preamble: list = []
    runs: list[tuple[float, list]] = []
    for instruction in text[1:-1]:
        operator = str(instruction.operator)
        if operator in TEXT_STATE_OPS:
            state[operator] = instruction
        if operator == "Tm":
            values = [float(v) for v in instruction.operands]
            runs.append((css_y(ctm, values[4], values[5]), [instruction, *state.values()]))
        elif runs:
            runs[-1][1].append(instruction)
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


def _filtered(nodes: list[_Node], keep) -> list:
    """The instructions of `nodes` without the drawing units `keep` rejects; groups left with
    nothing to draw are dropped whole."""
    out: list = []
    for node in nodes:
        if node.runs is not None:
            kept = [instruction for y, run in node.runs if keep(y) for instruction in run]
            if kept:
                out += [*node.instructions[:-1], *kept, node.instructions[-1]]
        elif node.children is not None:
            inner = _filtered(node.children, keep)
            if any(_draws(n, keep) for n in node.children):
                out += [node.instructions[0], *inner, *node.instructions[1:]]
        elif node.y is None or keep(node.y):
            out += node.instructions
    return out


def _draws(node: _Node, keep) -> bool:
    if node.runs is not None:
        return any(keep(y) for y, _ in node.runs)
    if node.children is not None:
        return any(_draws(n, keep) for n in node.children)
    return node.y is not None and keep(node.y)
