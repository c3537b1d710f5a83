"""The fonts of a composed file, made from the glyphs its pieces use: what a laid-out document's fonts say about
each glyph (width, text) is read once per piece, and each output's fonts are subset from the whole font files
to exactly its glyphs. So an output's bytes depend on its pieces alone, not on which build laid each out.

Written by hand because the PDF side is small (a CID font dictionary, its widths and its text map, as
WeasyPrint writes them) and HarfBuzz does the subsetting (uharfbuzz), with WeasyPrint's own options."""

from __future__ import annotations

import hashlib
import re

from .compose import NotComposable
from .piece_store import PieceStore, StoredFont

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_BFCHAR_SECTION = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
# the tables WeasyPrint drops when it subsets with HarfBuzz (a PDF shows glyphs by id: no shaping, no layout)
DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def glyph_tables(pdf) -> dict[str, dict[int, tuple[float, str]]]:
    """Every font of a laid-out document by resource name: glyph id → (width, text), from its widths array
    and ToUnicode map. Only the fonts composing reproduces (TrueType or OpenType CID fonts whose codes are
    their glyph ids); any other stops composing."""
    tables: dict[str, dict[int, tuple[float, str]]] = {}
    for page in pdf.pages:
        for name, font in page.Resources.get("/Font", {}).items():
            if name in tables:
                continue
            if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
                raise NotComposable(f"font {name} is not a CID font with identity encoding")
            widths = _widths(font.DescendantFonts[0].get("/W", []))
            texts = _texts(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
            tables[name] = {gid: (width, texts.get(gid, "")) for gid, width in widths.items()}
    return tables


def with_shared_glyphs_read_alike(tables: dict[str, dict[int, tuple[float, str]]],
                                  files: dict[str, tuple[bytes, int]]) -> dict[str, dict[int, tuple[float, str]]]:
    """`tables` with every glyph that several characters share (in some fonts a space and a no-break space, a
    hyphen and a hyphen-minus) read as the first of them. WeasyPrint notes the text of a glyph where a document
    first draws it, so such a glyph would read as whichever came first: a piece's entry would then depend on
    the pieces laid out with it, and a file's bytes on how its pieces were shared out."""
    result = {}
    for name, table in tables.items():
        shared = _shared_glyphs(*files[name]) if name in files else {}
        result[name] = {gid: (width, shared[gid][0] if gid in shared and text in shared[gid] else text)
                        for gid, (width, text) in table.items()}
    return result


def _shared_glyphs(data: bytes, index: int) -> dict[int, tuple[str, ...]]:
    """Glyph id → the characters the font's character map gives it, in order, for glyphs given more than one.
    Read with HarfBuzz, in a fifth of the time fontTools takes (it names every glyph first)."""
    import uharfbuzz as hb

    try:
        face = hb.Face(hb.Blob(data), index)
        font = hb.Font(face)
        characters: dict[int, list[int]] = {}
        for code in sorted(face.unicodes):
            glyph = font.get_nominal_glyph(code)
            if glyph is not None:
                characters.setdefault(glyph, []).append(code)
        return {glyph: tuple(map(chr, codes)) for glyph, codes in characters.items() if len(codes) > 1}
    except Exception:  # noqa: BLE001 — a font HarfBuzz cannot read keeps WeasyPrint's texts
        return {}


def _widths(array) -> dict[int, float]:
    """A CID font's W array ([first [w w …] first [w …]] or first last w) as glyph id → width."""
    widths: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], (int, float)) or not hasattr(items[i + 1], "__iter__"):
            last, width = int(items[i + 1]), float(items[i + 2])
            widths.update({gid: width for gid in range(first, last + 1)})
            i += 3
        else:
            widths.update({first + n: float(w) for n, w in enumerate(items[i + 1])})
            i += 2
    return widths


def _texts(cmap: bytes) -> dict[int, str]:
    texts: dict[int, str] = {}
    for section in _BFCHAR_SECTION.findall(cmap):
        for glyph, text in _BFCHAR.findall(section):
            texts[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", errors="replace")
    return texts


def used_glyphs(instructions) -> dict[str, set[int]]:
    """The glyph ids each font draws in a content stream (two-byte codes: identity encoding)."""
    used: dict[str, set[int]] = {}
    font = None
    for instruction in instructions:
        operator = str(getattr(instruction, "operator", ""))
        if operator == "Tf":
            font = str(instruction.operands[0])
        elif operator in TEXT_SHOWING and font is not None:
            strings = instruction.operands[0] if operator == "TJ" else instruction.operands[-1:]
            for item in strings:
                if hasattr(item, "__bytes__"):
                    data = bytes(item)
                    used.setdefault(font, set()).update(int.from_bytes(data[i:i + 2], "big")
                                                        for i in range(0, len(data) - 1, 2))
    return used


def stored_font(name: str, font, data: bytes, index: int) -> StoredFont:
    """The descriptor values of a laid-out document's font that do not depend on the glyphs it uses."""
    descriptor = font.DescendantFonts[0].FontDescriptor
    return StoredFont(name, str(font.BaseFont)[1:], str(descriptor.get("/FontFamily", "")),
                      int(descriptor.Flags) & ~1, float(descriptor.ItalicAngle), float(descriptor.Ascent),
                      float(descriptor.Descent), float(descriptor.StemV), float(descriptor.StemH), index, data)


def subset_font_file(font: StoredFont, glyphs: set[int]) -> bytes:
    """The font file with only `glyphs` (and .notdef) drawn, glyph ids kept and none after the last one used,
    hinting and the layout tables dropped, as WeasyPrint subsets with HarfBuzz; the font's own dates are kept, so
    the same glyphs give the same bytes. HarfBuzz takes a few milliseconds where fontTools took 30–130 ms a font,
    on the way of every composed file."""
    import uharfbuzz as hb

    def subset(face, kept: set[int], flags):
        wanted = hb.SubsetInput()
        wanted.glyph_set.update(sorted(kept))
        wanted.flags = flags | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE \
            | hb.SubsetFlags.NO_HINTING
        wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(int.from_bytes(tag, "big") for tag in DROPPED_TABLES)
        try:
            made = hb.subset(face, wanted)
        except RuntimeError:  # uharfbuzz's "Subsetting failed": a font HarfBuzz cannot read
            made = None
        if made is None or not made.blob.data:
            raise NotComposable(f"HarfBuzz cannot subset the font {font.base_font}")
        return made

    drawn = subset(hb.Face(hb.Blob(font.data), font.index), glyphs | {0}, hb.SubsetFlags.RETAIN_GIDS)
    # the glyphs left empty up to the last one drawn keep every id; the empty ones after it go
    return bytes(subset(drawn, set(range(max(glyphs | {0}) + 1)), hb.SubsetFlags.DEFAULT).blob.data)


def subsetter() -> str:
    """What subsets the fonts, and its versions (the binding's and the HarfBuzz it runs, which may be the system's):
    a kept subset is only used again by the same."""
    import uharfbuzz

    return f"uharfbuzz {uharfbuzz.__version__}, HarfBuzz {uharfbuzz.version_string()}"


def subset_kept(store: PieceStore, name: str, font: StoredFont, glyphs: dict) -> bytes:
    """`font` subset to `glyphs`, from the store when it kept that subset for the file and font `name`, else made
    and kept: an edit seldom adds a glyph, and reading the subset back costs less than HarfBuzz's milliseconds."""
    digest = hashlib.sha256(f"{subsetter()}:{store.fonts}:{font.base_font}:{font.index}:{sorted(glyphs)}"
                            .encode()).hexdigest()
    data = store.subset(name, digest)
    if data is None:
        data = subset_font_file(font, set(glyphs))
        store.put_subset(name, digest, data)
    return data


def _number(value: float):
    return int(value) if float(value).is_integer() else round(value, 6)


def font_object(pdf, font: StoredFont, glyphs: dict[int, tuple[float, str]], data: bytes | None = None):
    """The Type0 font dictionary of `font` holding `glyphs`, made in `pdf` (indirect); `data` is the font file
    subset to those glyphs, when a store kept it."""
    import pikepdf

    data = data or subset_font_file(font, set(glyphs))
    otf = data[:4] == b"OTTO"
    widths = {gid: glyphs[gid][0] for gid in sorted(glyphs)}
    flags = font.flags | (1 if len(widths) > 1 and len(set(widths.values())) == 1 else 0)
    file_stream = pikepdf.Stream(pdf, data)
    if otf:
        file_stream.Subtype = pikepdf.Name.OpenType
    else:
        file_stream.Length1 = len(data)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + font.base_font),
        FontFamily=pikepdf.String(font.family), Flags=flags,
        FontBBox=pikepdf.Array([0, _number(font.descent), _number(max(widths.values(), default=0)),
                                _number(font.ascent)]),
        ItalicAngle=_number(font.italic_angle), Ascent=_number(font.ascent), Descent=_number(font.descent),
        CapHeight=_number(font.ascent), StemV=_number(font.stem_v), StemH=_number(font.stem_h))
    descriptor["/FontFile3" if otf else "/FontFile2"] = pdf.make_indirect(file_stream)
    runs: list = []
    previous = None
    for gid, width in widths.items():
        if previous is None or gid != previous + 1:
            runs += [gid, pikepdf.Array()]
        runs[-1].append(_number(width))
        previous = gid
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name("/CIDFontType0" if otf else "/CIDFontType2"),
        BaseFont=pikepdf.Name("/" + font.base_font),
        CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                         Supplement=0),
        CIDToGIDMap=pikepdf.Name.Identity, W=pikepdf.Array(runs), FontDescriptor=pdf.make_indirect(descriptor))
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name("/" + font.base_font),
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=pikepdf.Array([pdf.make_indirect(descendant)]),
        ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, to_unicode_cmap(glyphs)))))


def to_unicode_cmap(glyphs: dict[int, tuple[float, str]]) -> bytes:
    """The ToUnicode CMap of `glyphs`, as WeasyPrint writes it (a hundred entries a section)."""
    entries = [(gid, text) for gid, (_, text) in sorted(glyphs.items()) if text]
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
             b"endcodespacerange"]
    for start in range(0, len(entries), 100):
        batch = entries[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
