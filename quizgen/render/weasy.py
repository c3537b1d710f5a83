"""The boundary with WeasyPrint: the only module that imports it or reads its internals (the box tree
of a laid-out page, its URL fetcher, the fontTools class its PDF writer uses). The range of versions it is
tested with is pinned in pyproject.toml; tests/test_render_weasy.py fails loudly when an upgrade changes
what it reads. Its import is handed the C declarations bindings.py keeps parsed."""

from __future__ import annotations

import functools
import mimetypes
from contextlib import contextmanager
from typing import Iterator, NamedTuple

from ..errors import QuizgenError
from ..files import read_contributed
from ..sheets.paper import Box
from .fetching import (MAX_FETCHES, MAX_RESOURCE_BYTES, Refusal, RefusedResource, data_url_type, folder_of,
                       resolve_resource)
from .layouts import Document
from .piece_groups import GROUP_ATTRIBUTE, MEMBER_ATTRIBUTE
from .pieces import PIECE_ID_PREFIX, Mark, Measured, PageFacts


@functools.lru_cache(maxsize=1)
def version() -> str:
    """WeasyPrint's version, from the installed package's metadata: a composed file whose pieces all come from
    the piece store is written without importing WeasyPrint at all. The name of its metadata folder on the path
    is read first, as importlib.metadata would find it: that module takes 0.07 s to import, on the way of every
    build that composes."""
    import sys
    from pathlib import Path

    for entry in sys.path:
        folders = sorted(Path(entry or ".").glob("weasyprint-*.dist-info")) if Path(entry or ".").is_dir() else []
        if len(folders) == 1:
            return folders[0].name[len("weasyprint-"):-len(".dist-info")]
        if folders:
            break
    from importlib import metadata

    return metadata.version("weasyprint")


@functools.lru_cache(maxsize=1)
def imported():
    """WeasyPrint, imported with its shared libraries looked up in one listing of the system's library cache.

    WeasyPrint opens Pango, HarfBuzz and fontconfig by trying several names for each (the Windows and macOS names
    first); cffi answers every name it cannot open with ctypes.util.find_library, which starts `ldconfig -p`, then
    gcc, then ld, each time: some twenty processes, 0.25–0.5 s of every process that renders. Here the names are
    looked up in one `ldconfig -p` listing instead. Should a library be found only by the compiler's search (no
    `ldconfig`, an unusual prefix), the import is made again as WeasyPrint makes it, so it never fails where a
    plain import works. fontTools, which WeasyPrint imports, is kept from loading uharfbuzz, its subsetter and
    variable-font instancer load only if a font needs them (lean_imports.py: 0.07 s of every process that renders),
    and the declarations of the C functions WeasyPrint calls come parsed from the user's cache (bindings.py).
    """
    from ..lean_imports import deferred, hidden

    with hidden("uharfbuzz"), deferred("fontTools.subset", hiding=("uharfbuzz",)), \
            deferred("fontTools.varLib.instancer", "instantiateVariableFont", hiding=("uharfbuzz",)):
        weasyprint = _imported_with_one_library_listing()
    _html_parser_patterns_kept()
    return weasyprint


def _imported_with_one_library_listing():
    from . import bindings

    listing = library_cache_listing()
    kept = bindings.kept_folder()
    try:
        return _imported(listing, lambda: bindings.declarations_kept(kept))
    except bindings.DeclarationsChanged:  # kept from other declarations: parse these, and keep them instead
        _forgotten()
        return _imported(listing, lambda: bindings.declarations_kept(kept, reuse=False))


def _imported(listing: bytes | None, declarations):
    import contextlib
    import io

    if listing is not None:
        try:
            with _library_lookups_in(listing), declarations(), contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # its banner for a missing library is for the plain import, below, to print
            return weasyprint
        except OSError:
            _forgotten()
    with declarations():
        import weasyprint

    return weasyprint


def _forgotten() -> None:
    """The modules of an import of WeasyPrint that failed half-way, removed, so that the next import starts anew."""
    import sys

    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        del sys.modules[name]


class _PatternsByCharacters(dict):
    """tinyhtml5's patterns for "the characters up to one of these", kept under the characters they stop at.

    tinyhtml5 2.1 caches each pattern under the pattern itself (`characters = cache[(characters, …)] = regex`
    assigns `characters` first), so its cache never answers, and every run of text in a document builds its pattern's
    source again: parsing a class set's key pieces took 52 ms, 20 ms with this. Made here on a miss, as tinyhtml5
    makes it."""

    def __missing__(self, key):
        import re

        characters, opposite = key
        listed = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = self[key] = re.compile(f"[{listed}]+" if opposite else f"[^{listed}]+")
        return pattern


def _html_parser_patterns_kept() -> None:
    """tinyhtml5's pattern cache replaced by one that answers (left as it is where tinyhtml5 has none)."""
    try:
        from tinyhtml5 import inputstream
    except ImportError:
        return
    if type(getattr(inputstream, "characters_until_regex", None)) is dict:
        inputstream.characters_until_regex = _PatternsByCharacters(inputstream.characters_until_regex)


def warmed() -> None:
    """WeasyPrint imported, and a small page laid out and written: what it sets up on its first use (the C types
    cffi parses for each kind of call, the fonts fontconfig and Pango load, the font files' fingerprint) is then
    set up once in the process the render workers are forked from, not again in every worker (0.3 s each)."""
    from .piece_store import fonts_fingerprint

    weasyprint = imported()
    fonts_fingerprint()
    page = ("<p style='font-family: sans-serif'>Warm <b>bold</b> <i>italic</i> <b><i>both</i></b> 1–2 “x”</p>"
            "<p style='font-family: serif'>serif</p><p style='font-family: monospace'>mono</p>")
    weasyprint.HTML(string=page).write_pdf()


@functools.lru_cache(maxsize=1)
def library_cache_listing() -> bytes | None:
    """`ldconfig -p`: every library the dynamic linker's cache knows, or None where there is no such command."""
    import subprocess

    for command in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        try:
            found = subprocess.run([command, "-p"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env={"LC_ALL": "C", "LANG": "C"}, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if found.returncode == 0 and found.stdout:
            return found.stdout
    return None


@contextmanager
def _library_lookups_in(listing: bytes) -> Iterator[None]:
    """While it lasts, ctypes.util.find_library answers from `listing` as its own first step (the ldconfig cache,
    the same pattern for this machine's ABI) would, without starting a process."""
    import ctypes.util
    import os
    import re
    import struct

    bits = "-32" if struct.calcsize("l") == 4 else "-64"
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(os.uname().machine + bits, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}"), listing)
        return os.fsdecode(found.group(1)) if found else None

    plain = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = plain


def laid_out(document, refusals: list[Refusal]):
    """WeasyPrint's laid-out document of `document.html`, loading only what the document's folders allow;
    run it inside fetching.refusals_reported."""
    HTML = imported().HTML

    base_url = document.layout_folders[-1].resolve().as_uri() + "/"
    return HTML(string=document.html, base_url=base_url, url_fetcher=make_url_fetcher(document, refusals)).render()


def _fatal_error_class() -> type[BaseException]:
    imported()
    from weasyprint.urls import FatalURLFetchingError

    class RefusedFetch(FatalURLFetchingError):
        """Raised inside WeasyPrint's fetch so that rendering stops instead of warning and going on."""

    return RefusedFetch


def make_url_fetcher(document: Document, refusals: list[Refusal]):
    """A WeasyPrint URL fetcher limited to the document's layout and content folders."""
    imported()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fatal = _fatal_error_class()
    layout_folders = tuple(f.resolve() for f in document.layout_folders)
    content_folders = tuple(f.resolve() for f in document.content_folders)
    fetched: list[str] = []

    class RestrictedFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            try:
                if len(fetched) > MAX_FETCHES:
                    raise RefusedResource(f"refused to load more than {MAX_FETCHES:,} files for one document "
                                          "(stylesheets importing each other many times?)")
                found = resolve_resource(url, layout_folders, content_folders)
            except RefusedResource as exc:
                refusals.append(Refusal(url, str(exc)))
                raise fatal(str(exc)) from None
            if isinstance(found, bytes):
                return URLFetcherResponse(url, found, {"Content-Type": data_url_type(url)})
            media = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            try:
                data = read_contributed(found, folder_of(found, (*layout_folders, *content_folders)),
                                        limit=MAX_RESOURCE_BYTES, what="layout resource")
            except QuizgenError as exc:
                refusals.append(Refusal(url, f"refused to read {found.name!r}: {exc.problems[0].message}"))
                raise fatal(refusals[-1].message) from None
            return URLFetcherResponse(found.as_uri(), data, {"Content-Type": media})

    return RestrictedFetcher()


@contextmanager
def font_dates_kept() -> Iterator[None]:
    """While it lasts, fonts that WeasyPrint rewrites with fontTools keep the dates in their own head table.

    Without libharfbuzz-subset (a plain pip install), WeasyPrint subsets fonts with fontTools, and so it does
    with variable and colour fonts everywhere; fontTools then stamps the clock into each font's `modified`
    date unless SOURCE_DATE_EPOCH is set, and the same build gives other bytes a second later. HarfBuzz
    keeps the font's own date, and so does a TTFont made with recalcTimestamp=False: the one that
    weasyprint.pdf.fonts makes is swapped for one made so, and put back afterwards, so that neither the
    environment nor fontTools changes for anything else in the process.
    """
    from fontTools.ttLib import TTFont

    imported()
    from weasyprint.pdf import fonts

    class FontKeepingItsDates(TTFont):
        def __init__(self, *args, **kwargs):
            kwargs["recalcTimestamp"] = False
            super().__init__(*args, **kwargs)

    previous = fonts.TTFont
    fonts.TTFont = FontKeepingItsDates
    try:
        yield
    finally:
        fonts.TTFont = previous


def measure(document) -> dict[str, Measured]:
    """Every piece of a rendered WeasyPrint document, by the id of its wrapper element, or of the member of a
    group (piece_groups.py) it is."""
    found: dict[str, Measured] = {}
    seen: set[str] = set()
    for index, page in enumerate(document.pages):
        for wrapper, children in _piece_wrappers(page._page_box):
            piece_id = wrapper.element.get("id")
            if piece_id in seen:
                continue
            seen.add(piece_id)
            if wrapper.element.get(GROUP_ATTRIBUTE) is None:
                found[piece_id] = _measure_piece(index, wrapper, children)
            else:
                found.update(_measure_members(index, wrapper))
    return found


def _measure_members(page: int, wrapper) -> dict[str, Measured]:
    """Each member of a group as a piece of its own: its band runs from halfway between it and the member above
    (or from the top of the group) to halfway between it and the member below (or to the bottom of the group);
    members that do not stack one under another, or that WeasyPrint split, are not composed."""
    from .compose import NotComposable

    members, around = _member_boxes(wrapper)
    expected = [e.get(MEMBER_ATTRIBUTE) for e in wrapper.element.iter() if e.get(MEMBER_ATTRIBUTE)]
    if [box.element.get(MEMBER_ATTRIBUTE) for box in members] != expected:
        raise NotComposable("a group's members are not laid out one block each")
    band = _border_box(wrapper)
    frame, ancestors = around
    boxes = [_border_box(member) for member in members]
    if any(below.y < above.bottom - 0.01 for above, below in zip(boxes, boxes[1:])):
        raise NotComposable("a group's members do not stack one under another")
    found = {}
    for i, (member, box) in enumerate(zip(members, boxes)):
        top = band.y if i == 0 else (boxes[i - 1].bottom + box.y) / 2
        bottom = band.bottom if i + 1 == len(members) else (box.bottom + boxes[i + 1].y) / 2
        measured = _measure_piece(page, frame, (member,), ancestors)
        found[member.element.get(MEMBER_ATTRIBUTE)] = Measured(page, Box(band.x, top, band.width, bottom - top), box,
                                                               member.margin_top or 0.0, member.margin_bottom or 0.0,
                                                               measured.ink, measured.marks)
    return found


def _member_boxes(wrapper) -> tuple[list, tuple]:
    """The first box of each member of a group, in order, and (the box whose element holds them, the elements
    between the wrapper and the members described, outermost first): a frame, or a table and its row group."""
    members, around = [], (wrapper, ())

    def visit(box, elements):
        nonlocal around
        for child in getattr(box, "children", ()):
            element = getattr(child, "element", None)
            if element is not None and element.get(MEMBER_ATTRIBUTE):
                if not members or members[-1].element is not element:
                    members.append(child)
                    around = (box, elements)
                continue
            inner = elements if element is None or element is wrapper.element or any(
                e is element for e in elements) else (*elements, element)
            visit(child, inner)

    visit(wrapper, ())
    holder, elements = around
    return members, (holder, tuple(_described(e) for e in elements))


def _described(element) -> tuple[str, str, str]:
    return element.tag, element.get("class", ""), element.get("dir", "")


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


def _measure_piece(page: int, wrapper, children, outer: tuple[tuple[str, str, str], ...] = ()) -> Measured:
    """A piece from its wrapper's boxes; `outer` describes the elements around its children that are not its own
    (a group's frame)."""
    from weasyprint.formatting_structure import boxes

    main = next((c for c in children if isinstance(c, boxes.BlockLevelBox)), wrapper)
    ink: list[Box] = []
    marks: dict[str, list[Mark]] = {}
    seen: set[int] = set()

    def visit(box, line, ancestors):
        element = getattr(box, "element", None)
        if isinstance(box, boxes.TextBox):
            if box.style["visibility"] == "visible" and box.text.strip():
                ink.append(Box(box.position_x, box.position_y, box.width, box.height))
            return
        if isinstance(box, boxes.LineBox):
            line = box
        if element is not None and id(element) not in seen and element is not wrapper.element:
            seen.add(id(element))
            name = element.get("data-qg")
            if name:
                marks.setdefault(name, []).append(_mark(box, line, ancestors))
            ancestors = ancestors + (_described(element),)
        for child in getattr(box, "children", ()):
            visit(child, line, ancestors)

    for child in children:
        visit(child, None, outer)
    return Measured(page, _border_box(wrapper), _border_box(main), main.margin_top or 0.0,
                    main.margin_bottom or 0.0, tuple(ink), {k: tuple(v) for k, v in marks.items()})


def _border_box(box) -> Box:
    return Box(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


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
    content = Box(page_box.content_box_x(), page_box.content_box_y(), page_box.width, page_box.height)
    header_box = document.pages[header_page_index]._page_box
    margin = next(b for b in header_box.children
                  if isinstance(b, boxes.MarginBox) and b.at_keyword == "@top-right")
    text = next(b for b in _descendants(margin) if isinstance(b, boxes.TextBox))
    return PageFacts(page_box.margin_width(), page_box.margin_height(), content,
                     margin.content_box_x() + margin.width, text.position_y + text.baseline)


def font_files(document) -> dict[str, tuple[bytes, int]]:
    """After `document.write_pdf()`: each font's resource name in the PDF → (the whole font file, its index in a
    collection), as the fonts were before WeasyPrint subset them (the HarfBuzz face keeps the original)."""
    from weasyprint.text.fonts import get_hb_object_data

    found: dict[str, tuple[bytes, int]] = {}
    for font in document.fonts.values():
        name = f"/{font.hash}"
        if name not in found and not font.bitmap:
            found[name] = (get_hb_object_data(font.hb_face), int(font.index))
    return found


class Extent(NamedTuple):
    """Where a piece's boxes lie: the first page it is on, top and bottom there (CSS px), and how many pages it
    reaches (more than one when its content runs past the bottom of its page and WeasyPrint carries it over)."""

    page: int
    top: float
    bottom: float
    pages: int = 1


def drawn_extents(document, prefix: str = PIECE_ID_PREFIX) -> dict[str, Extent]:
    """For every element whose id starts with `prefix`, however it is positioned: the extent of everything drawn
    inside it on its first page (text and boxes, where their CSS transforms put them), and how many pages it
    reaches."""
    found: dict[str, Extent] = {}
    for index, page in enumerate(document.pages):
        stack = [(page._page_box, None)]  # each box with its ancestors' transform
        while stack:
            box, matrix = stack.pop()
            box = getattr(box, "_box", box)  # an absolutely placed box sits in the tree behind a placeholder
            element = getattr(box, "element", None)
            element_id = str(element.get("id", "")) if element is not None else ""
            if element_id.startswith(prefix):
                if element_id in found:
                    if found[element_id].page + found[element_id].pages <= index:
                        found[element_id] = found[element_id]._replace(pages=index - found[element_id].page + 1)
                    continue
                spans = list(_vertical_spans(box, matrix))
                found[element_id] = Extent(index, min(top for top, _ in spans), max(bottom for _, bottom in spans))
                continue
            matrix = _with_own_transform(box, matrix)
            stack.extend((child, matrix) for child in getattr(box, "children", ()))
    return found


def _vertical_spans(box, matrix) -> Iterator[tuple[float, float]]:
    """The top and bottom of `box` and of every box inside it, where they are drawn: moved, turned or scaled by their
    own and their ancestors' CSS transforms (`matrix` is the ancestors'), as WeasyPrint draws them. WeasyPrint keeps
    each box's own transform in `transformation_matrix` (None for none, and for a box that is part of a line)."""
    box = getattr(box, "_box", box)  # an absolutely placed box sits in the tree behind a placeholder
    matrix = _with_own_transform(box, matrix)
    if box.width is not None and box.height is not None:
        if matrix is None:  # nearly every box
            yield box.position_y, box.position_y + box.margin_height()
        else:
            from weasyprint.anchors import rectangle_aabb

            _, top, _, bottom = rectangle_aabb(matrix, box.position_x, box.position_y, box.margin_width(),
                                               box.margin_height())
            yield top, bottom
    for child in getattr(box, "children", ()):
        yield from _vertical_spans(child, matrix)


def _with_own_transform(box, matrix):
    """`matrix` (the ancestors' transforms, None for none) followed by the box's own, as WeasyPrint combines them."""
    own = getattr(box, "transformation_matrix", None)
    if own is None:
        return matrix
    return own @ matrix if matrix else own
