"""WeasyPrint's C declarations kept parsed (render/bindings.py): a first import writes them to the user's cache, the
next loads them instead of parsing, and the PDFs are the same bytes; an entry that is damaged, foreign or made from
other declarations is never used, and caching off writes none."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from quizgen.render import bindings

RENDER = r"""
import json, sys
from quizgen.render import weasy
weasyprint = weasy.imported()
ffi = sys.modules["weasyprint.text.ffi"].ffi
html = ("<style>p { font-family: sans-serif } i { font-family: serif }</style><h1>Bindings</h1>"
        "<p>Plain <b>bold</b> <i>italic</i> 1–2 “x” ق ✓</p><p dir='auto'>ثلاثة عشر</p>")
data = weasyprint.HTML(string=html).write_pdf()
sys.stdout.buffer.write(json.dumps({"ffi": type(ffi).__name__}).encode() + b"\n" + data)
"""


def render(cache: Path, **environment: str) -> tuple[str, bytes]:
    """In a fresh interpreter with `cache` as the user's cache folder: the class of WeasyPrint's FFI, and a PDF."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), **environment}
    env.pop("QUIZGEN_NO_CACHE", None) if "QUIZGEN_NO_CACHE" not in environment else None
    ran = subprocess.run([sys.executable, "-c", RENDER], capture_output=True, env=env, check=True)
    line, pdf = ran.stdout.split(b"\n", 1)
    assert pdf.startswith(b"%PDF-"), ran.stderr.decode()
    return json.loads(line)["ffi"], pdf


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "quizgen" / bindings.FOLDER).glob(f"{bindings.PREFIX}*"))


def test_the_first_import_keeps_the_declarations_and_the_next_loads_them_for_the_same_pdf(tmp_path):
    first, parsed_pdf = render(tmp_path)
    assert first == "Recording" and len(entries(tmp_path)) == 1
    kept = entries(tmp_path)[0]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    second, loaded_pdf = render(tmp_path)
    assert second == "KeptFFI"
    plain, plain_pdf = render(tmp_path / "off", QUIZGEN_NO_CACHE="1")
    assert plain == "Recording" and not entries(tmp_path / "off")
    assert loaded_pdf == parsed_pdf == plain_pdf


def test_a_damaged_entry_is_a_miss_and_is_written_again(tmp_path):
    render(tmp_path)
    kept = entries(tmp_path)[0]
    whole = kept.read_bytes()
    for damaged in (b"not marshal data", whole[:-1] + bytes([whole[-1] ^ 1])):  # garbage; one bit of the types
        kept.write_bytes(damaged)
        assert render(tmp_path)[0] == "Recording"
        assert render(tmp_path)[0] == "KeptFFI"


def test_an_entry_made_from_other_declarations_is_refused_and_weasyprint_parses_its_own(tmp_path):
    render(tmp_path)
    kept = entries(tmp_path)[0]
    import marshal

    _, arguments, options = marshal.loads(kept.read_bytes()[32:])
    other = marshal.dumps(("0" * 64, arguments, options))
    kept.write_bytes(hashlib.sha256(other).digest() + other)
    refused, pdf = render(tmp_path)
    assert refused == "Recording"  # parsed after the refusal, and kept in place of the entry refused
    assert pdf == render(tmp_path / "off", QUIZGEN_NO_CACHE="1")[1]
    assert marshal.loads(kept.read_bytes()[32:])[0] != "0" * 64
    assert render(tmp_path)[0] == "KeptFFI"


def test_an_entry_in_a_folder_others_can_write_is_never_read(tmp_path):
    render(tmp_path)
    folder = entries(tmp_path)[0].parent
    folder.chmod(0o777)
    try:
        assert render(tmp_path)[0] == "Recording"
    finally:
        folder.chmod(0o700)


def test_an_entry_is_named_by_the_declaring_file_and_cffi(tmp_path, monkeypatch):
    declaring = bindings._declaring_file()
    assert declaring is not None and declaring.name == "ffi.py" and declaring.parent.name == "text"
    assert b"cdef(" in declaring.read_bytes()
    name = bindings._digest(declaring)
    edited = tmp_path / "ffi.py"
    edited.write_bytes(declaring.read_bytes() + b"\n")
    assert bindings._digest(edited) != name
    import _cffi_backend

    monkeypatch.setattr(_cffi_backend, "__version__", "0.0.1")
    assert bindings._digest(declaring) != name


LIBRARIES = r"""
import cffi, sys
from quizgen.render import weasy
weasy.imported()
ffi = sys.modules["weasyprint.text.ffi"].ffi
print(type(ffi).__name__, cffi.FFI is cffi.api.FFI, type(ffi.dlopen("c")).__name__ != "")
"""


def test_cffi_is_left_as_it_was_and_the_kept_ffi_finds_a_library_as_cffi_does(tmp_path):
    """A bare library name is found by ctypes.util.find_library, as cffi's own FFI finds it (where a library is found
    only by the compiler's search, WeasyPrint's names for it work only so)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("QUIZGEN_NO_CACHE", None)
    for expected in ("Recording", "KeptFFI"):
        ran = subprocess.run([sys.executable, "-c", LIBRARIES], capture_output=True, text=True, env=env, check=True)
        assert ran.stdout.split() == [expected, "True", "True"], ran.stderr


def test_a_build_with_no_cache_keeps_nothing_in_the_users_cache_folder(tmp_path, minimal_pack):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("QUIZGEN_NO_CACHE", None)
    ran = subprocess.run([sys.executable, "-m", "quizgen", "build", str(minimal_pack), "--out", str(tmp_path / "out"),
                          "--only", "worksheets", "--count", "3", "--quiet", "--no-cache"], env=env,
                         capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "out" / "rivers" / "worksheet-A.pdf").is_file()
    assert not (tmp_path / "cache").exists()
