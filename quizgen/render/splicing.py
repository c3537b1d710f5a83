"""One composed version's PDF: each page draws the cut pieces moved into place, its content stream
spliced from deflate runs that were compressed once per build."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass

from . import weasy
from .pieces import PX_TO_PT, Measured, PageFacts, PlannedPage


def write_version(pages: list[PlannedPage], streams, measured: dict[str, Measured], facts: PageFacts,
                  title: str) -> bytes:
    """One version's PDF: each page draws its pieces moved into place; the fonts they use and the
    shared graphics states are copied once per file."""
    def source_height(piece_id: str) -> float:
        source = measured.get(piece_id.split("+")[0])
        return streams.page_heights[source.page if source else 0]

    return write_pages(pages, streams, source_height, (facts.width, facts.height), title)


def write_pages(pages: list[PlannedPage], streams, source_height, size: tuple[float, float], title: str, *,
                spliced: bool = True) -> bytes:
    """A PDF of `pages` of `size` (CSS px): each draws its pieces moved into place, a piece's drawing coming
    from a page `source_height(piece)` points high; the fonts they use and the shared resources are copied
    once per file. Pages are `spliced` from runs compressed once per build (pieces many files share), or
    compressed whole (pieces drawn once, which compress better together)."""
    import pikepdf

    pdf = pikepdf.new()
    copied: dict[tuple[str, str], object] = {}

    def resource(category: str, name: str):
        if (category, name) not in copied:
            copied[(category, name)] = pdf.copy_foreign(streams.resources[category][name])
        return copied[(category, name)]

    width, height = size[0] * PX_TO_PT, size[1] * PX_TO_PT
    shared = {category: names for category, names in streams.resources.items() if category != "/Font"}
    for page in pages:
        content = []
        fonts: set[str] = set()
        for placement in page.placements:
            tx = placement.dx * PX_TO_PT
            ty = height - source_height(placement.piece) - placement.dy * PX_TO_PT
            content += [stored(f"q 1 0 0 1 {tx:.4f} {ty:.4f} cm\n".encode()), streams.contents[placement.piece],
                        END_OF_PIECE]
            fonts.update(streams.fonts[placement.piece])
        new_page = pdf.add_blank_page(page_size=(width, height))
        entries = {category: pikepdf.Dictionary({name: resource(category, name) for name in names})
                   for category, names in shared.items()}
        entries["/Font"] = pikepdf.Dictionary({name: resource("/Font", name) for name in sorted(fonts)})
        new_page.obj.Resources = pikepdf.Dictionary(entries)
        data = zlib_stream(content) if spliced else zlib.compress(b"".join(run.raw for run in content), 6)
        new_page.obj.Contents = pikepdf.Stream(pdf, data, Filter=pikepdf.Name.FlateDecode)
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(Title=title, Producer=producer()))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


@dataclass(frozen=True)
class Deflated:
    """Bytes compressed once as a run of raw deflate blocks that ends on a byte boundary: runs
    joined end to end are one deflate stream, so a page's content is compressed piece by piece,
    once per build, not once per page. The run is compressed when first asked for: pages compressed
    whole (the flashcards' sheets) read only the raw bytes."""

    raw: bytes
    level: int = 6

    @functools.cached_property
    def data(self) -> bytes:
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        return compressor.compress(self.raw) + compressor.flush(zlib.Z_SYNC_FLUSH)

    def __reduce__(self):
        # compressed before it goes to another process (a class set's cut pieces, to the workers composing its
        # versions), so that it is compressed once, not once in each of them
        return _with_data, (type(self), self.raw, self.level, self.data)


@dataclass(frozen=True)
class Stored(Deflated):
    """`raw` as a run of stored (uncompressed) deflate blocks: a placement's few bytes gain nothing from
    compressing, and making a compressor for each of a school set's hundred thousand placements cost about
    1 ms a version."""

    level: int = 0

    @functools.cached_property
    def data(self) -> bytes:
        blocks = [self.raw[start:start + 0xFFFF] for start in range(0, len(self.raw), 0xFFFF)] or [b""]
        # each block: a header byte (not the last block, stored), its length and the length's complement, its bytes
        return b"".join(b"\x00" + struct.pack("<HH", len(block), len(block) ^ 0xFFFF) + block for block in blocks)


def _with_data(kind: type[Deflated], raw: bytes, level: int, data: bytes) -> Deflated:
    """A run made again in another process, its compressed bytes already there (Deflated.__reduce__)."""
    run = kind(raw, level)
    run.__dict__["data"] = data
    return run


def deflated(data: bytes, level: int = 6) -> Deflated:
    """`data` to be compressed as a run of its own (see Deflated)."""
    return Deflated(data, level)


def stored(data: bytes) -> Deflated:
    """`data` as a run of stored blocks (see Stored)."""
    return Stored(data)


END_OF_PIECE = deflated(b"\nQ\n")
_FINAL_BLOCK = zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def zlib_stream(runs: list[Deflated]) -> bytes:
    """The zlib stream (as /FlateDecode wants) of the runs' bytes one after the other."""
    checksum = 1
    for run in runs:
        checksum = zlib.adler32(run.raw, checksum)
    return b"\x78\x9c" + b"".join(run.data for run in runs) + _FINAL_BLOCK + checksum.to_bytes(4, "big")


@functools.lru_cache(maxsize=1)
def producer() -> str:
    return f"WeasyPrint {weasy.version()}, composed by quizgen"
