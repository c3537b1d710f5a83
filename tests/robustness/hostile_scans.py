"""Hostile scans made on the spot, each a few kilobytes: PDFs and images that are small on disk and ask the
decoder for gigabytes or minutes; and a runner for `quizgen grade` that lowers quizgen's limits and measures
the memory of the whole process tree."""

from __future__ import annotations

import io
import os
import resource
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ---- PDFs written by hand: the smallest files that do the damage ----------------------------------------


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (object 1 is the catalogue), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    table = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table))
    return out.getvalue()


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def one_page(content: bytes, resources: bytes = b"<< >>", extra: tuple[bytes, ...] = ()) -> bytes:
    """An A4 page drawing `content` (compressed); `extra` objects are numbered from 5."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents 4 0 R >>" % resources,
                stream(b"/Filter /FlateDecode", zlib.compress(content, 9)), *extra])


def jpeg2000_bomb(side: int = 16000) -> bytes:
    """A page-filling image that says 64 × 64 pixels; its JPEG 2000 code stream says `side` × `side`, in
    tiles that are missing, so PDFium's decoder allocates the whole picture from a few hundred bytes."""
    from PIL import Image

    encoded = io.BytesIO()
    Image.new("L", (64, 64), 255).save(encoded, "JPEG2000", tile_size=(64, 64), no_jp2=True)
    code = bytearray(encoded.getvalue())
    size_marker = code.index(b"\xff\x51")
    struct.pack_into(">II", code, size_marker + 6, side, side)  # Xsiz, Ysiz; the tiles stay 64 × 64
    image = stream(b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Filter /JPXDecode", bytes(code))
    return one_page(b"q 595 0 0 842 0 0 cm /Im0 Do Q", b"<< /XObject << /Im0 5 0 R >> >>", (image,))


def self_drawing(levels: int = 40) -> bytes:
    """Forms that each draw the next one twice: 2 ** 40 rectangles from 7 KB."""
    forms = tuple(stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /F%d %d 0 R "
                         b">> >>" % (n + 1, 6 + n),
                         b"/F%d Do /F%d Do" % (n + 1, n + 1) if n + 1 < levels else b"0 0 1 1 re f")
                  for n in range(levels))
    return one_page(b"/F0 Do", b"<< /XObject << /F0 5 0 R >> >>", forms)


def rectangles(count: int = 2_000_000) -> bytes:
    """A page of two million tiny filled rectangles: 50 KB that take PDFium half a minute."""
    return one_page(b"0 g " + b"1 1 1 1 re f " * count)


def many_pages(side: int = 450) -> bytes:
    """`side` ** 2 pages (202,500) from 6 KB: one page object listed again and again in a two-level tree."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join([b"3 0 R"] * side), side * side),
                b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (b" ".join([b"4 0 R"] * side), side),
                b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] >>"])


def radiance_hdr(width: int = 20000, height: int = 20000) -> bytes:
    """A Radiance HDR header (a format OpenCV reads and Pillow does not) promising a huge picture."""
    return b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n" % (height, width) + b"\x02\x02\x00\x10" * 64


# ---- running quizgen with small limits, measuring the whole tree -------------------------------------------

RUNNER = """
import sys
from quizgen import sandbox
from quizgen.cli import main
small = sandbox.Limits(cpu_seconds={cpu}, memory_bytes={memory}, wall_seconds={wall})
sandbox.RENDER_LIMITS = sandbox.GENERATE_LIMITS = sandbox.DECODE_LIMITS = small
sys.exit(main(sys.argv[1:]))
"""

MEMORY_BYTES = 1536 * 1024 ** 2  # quizgen's own address space: about 500 MB of it is mapped libraries
CPU_SECONDS = 60


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_bytes: int  # the largest resident set of quizgen or any of its workers
    seconds: float


def grade_bounded(*args: str | Path | bytes, cpu: int = 3, memory: int = 1024 ** 3, wall: float = 20,
                  timeout: float = 60) -> Run:
    """`quizgen ARGS` with quizgen's worker limits lowered to `cpu` s, `memory` bytes and `wall` s, the process
    itself held to MEMORY_BYTES of address space and CPU_SECONDS, killed after `timeout` seconds."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    code = RUNNER.format(cpu=cpu, memory=memory, wall=wall)
    started = time.monotonic()
    with open(os.devnull, "rb") as stdin, _Capture() as out, _Capture() as err:
        process = subprocess.Popen([sys.executable, "-c", code, *(os.fsencode(a) if isinstance(a, (str, Path))
                                                                  else a for a in args)],
                                   stdin=stdin, stdout=out.file, stderr=err.file, cwd=ROOT, preexec_fn=limit)
        status, usage = _wait(process, timeout)
        process.returncode = os.waitstatus_to_exitcode(status)
        return Run(process.returncode, out.text(), err.text(), usage.ru_maxrss * 1024, time.monotonic() - started)


def _wait(process: subprocess.Popen, timeout: float) -> tuple[int, resource.struct_rusage]:
    """The exit status and the resource use of the process and every descendant it waited for."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.monotonic() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            raise AssertionError(f"quizgen did not finish within {timeout} s")
        time.sleep(0.05)


class _Capture:
    def __enter__(self) -> _Capture:
        import tempfile

        self.file = tempfile.TemporaryFile()
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def text(self) -> str:
        self.file.seek(0)
        return self.file.read().decode("utf-8", "replace")
