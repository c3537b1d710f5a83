"""WeasyPrint's C declarations kept parsed. WeasyPrint declares the Pango, HarfBuzz and fontconfig functions it
calls to cffi as C source at every import, and cffi parses that source with pycparser, then each C type a call
names at its first use (in a build's warm process: 0.05 s of WeasyPrint's import and 0.03 s of its first page; in
each render worker, the types the warm page did not use). cffi can write parsed declarations out as data (its
out-of-line ABI mode, what `ffibuilder.set_source(name, None)` makes); kept in the user's cache folder under a digest
of the file that declares them and of cffi's version, they load in a few milliseconds, and WeasyPrint's import is
handed an FFI made from them where it would make and parse its own. The same functions are opened from the same
libraries and called with the same types, so every PDF is the same bytes (tests/test_render_bindings.py)."""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import io
import marshal
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..files import (caching_enabled, keep_newest, private_folder, read_own_file, user_cache_folder,
                     write_private_entry)

FOLDER = "bindings"
PREFIX = "weasyprint-ffi-"
SUFFIX = ".ffi"
KEPT = 3  # entries for this WeasyPrint and cffi and the last two before them (another install, an upgrade)
FORMAT = 2  # 2: the entry starts with the sha256 of the rest


class DeclarationsChanged(Exception):
    """The source WeasyPrint declared is not the source the kept entry was made from: import it as it is."""


def kept_folder() -> Path | None:
    """Where parsed declarations are kept: the user's cache folder, unless caching is off or there is none."""
    root = user_cache_folder() if caching_enabled() else None
    return None if root is None else root / FOLDER


@contextmanager
def declarations_kept(folder: Path | None, *, reuse: bool = True) -> Iterator[None]:
    """While WeasyPrint is imported inside it, its FFI is made from the declarations kept in `folder` when they were
    made from the same file by the same cffi (unless not to `reuse` them); otherwise the declarations WeasyPrint
    parses are written there afterwards for the next process. Raises DeclarationsChanged (before WeasyPrint finished
    importing) when the source it declares is, after all, not the one kept."""
    declaring = _declaring_file()
    entry = None if folder is None or declaring is None else folder / f"{PREFIX}{_digest(declaring)}{SUFFIX}"
    made = _made_from(entry) if entry is not None and reuse else None
    import cffi

    plain = cffi.FFI
    declared: list[str] = []

    class Recording(plain):
        def cdef(self, source, *more, **options):
            declared.append(source)
            return super().cdef(source, *more, **options)

    handed: list[object] = []

    # cffi.FFI is replaced for the whole process while WeasyPrint imports (its module calls `cffi.FFI()` once);
    # only that first call without arguments gets the kept FFI, any other a plain one of cffi's
    def weasyprints_ffi(*arguments, **options):
        """WeasyPrint's FFI: the kept one, or one that records what it declares; any other is cffi's own."""
        if handed or arguments or options:
            return plain(*arguments, **options)
        handed.append(made if made is not None else Recording())
        return handed[0]

    cffi.FFI = weasyprints_ffi
    try:
        yield
    finally:
        cffi.FFI = plain
    if made is None and entry is not None and len(declared) == 1:
        _keep(entry, declared[0], handed[0])


def _declaring_file() -> Path | None:
    """WeasyPrint's text/ffi.py, found on the path without importing WeasyPrint (nor asking the import hooks)."""
    try:
        spec = importlib.machinery.PathFinder.find_spec("weasyprint")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or ()) if spec else []
    return next((Path(place) / "text" / "ffi.py" for place in locations if (Path(place) / "text" / "ffi.py").is_file()),
                None)


def _digest(declaring: Path) -> str:
    import _cffi_backend

    digest = hashlib.sha256(f"{FORMAT}\n{_cffi_backend.__version__}\n{sys.version}\n".encode())
    digest.update(declaring.read_bytes())
    return digest.hexdigest()[:32]


def _made_from(entry: Path) -> object | None:
    """The FFI the entry's declarations make, or None: no entry, or one this user did not write privately, or that
    does not read as one (all of them only a miss)."""
    if not private_folder(entry.parent):
        return None
    kept = read_own_file(entry)
    if kept is None or len(kept) < 32 or hashlib.sha256(kept[32:]).digest() != kept[:32]:
        return None  # missing, or torn or damaged since it was written
    try:
        source_digest, arguments, options = marshal.loads(kept[32:])
        if not (isinstance(source_digest, str) and isinstance(arguments, tuple) and isinstance(options, dict)):
            return None
        import _cffi_backend

        class KeptFFI(_cffi_backend.FFI):
            def cdef(self, source: str, *more, **options) -> None:
                """The declarations are already there; they must be these."""
                if more or options or hashlib.sha256(source.encode()).hexdigest() != source_digest:
                    raise DeclarationsChanged(entry.name)

            def dlopen(self, name, flags=0):
                """A library opened as cffi's own FFI opens it: a bare name (no dot, no slash), or a name the
                dynamic linker does not find, is looked up with ctypes.util.find_library (a library found only by
                the compiler's search, as under Nix or conda)."""
                if not isinstance(name, str):
                    return super().dlopen(name, flags)
                first_error = None
                if "." in name or "/" in name or os.sep in name:
                    try:
                        return super().dlopen(name, flags)
                    except OSError as error:
                        first_error = error
                import ctypes.util

                path = ctypes.util.find_library(name)
                if path is None:
                    raise first_error or OSError(f"ctypes.util.find_library() did not manage to locate a library "
                                                 f"called {name!r}")
                return super().dlopen(path, flags)

        return KeptFFI(*arguments, **options)
    except Exception:  # noqa: BLE001 — any entry that does not make an FFI is a miss
        return None


def _keep(entry: Path, source: str, ffi) -> None:
    """The declarations WeasyPrint just parsed from `source`, written to `entry` as the arguments of their
    out-of-line FFI. A cache that cannot be written, or declarations cffi cannot write out, only cost time."""
    try:
        arguments, options = _out_of_line_arguments(ffi)
        data = marshal.dumps((hashlib.sha256(source.encode()).hexdigest(), arguments, options))
        data = hashlib.sha256(data).digest() + data
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private_folder(entry.parent):
            return
        write_private_entry(entry, data)
        keep_newest(entry.parent, KEPT, SUFFIX)
    except Exception:  # noqa: BLE001
        return


def _out_of_line_arguments(ffi) -> tuple[tuple, dict]:
    """What cffi's out-of-line module for these declarations passes to `_cffi_backend.FFI`: its generated Python
    source is one such call of literals."""
    from cffi import recompiler

    generated = io.StringIO()
    recompiler.make_py_source(ffi, "_quizgen_weasyprint_ffi", generated)
    module = ast.parse(generated.getvalue())
    calls = [node.value for node in module.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)]
    imports = [node for node in module.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if len(calls) != 1 or len(module.body) != 2 or len(imports) != 1:
        raise ValueError("not one call of _cffi_backend.FFI")
    call = calls[0]
    return (tuple(ast.literal_eval(argument) for argument in call.args),
            {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords})
