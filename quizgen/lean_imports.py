"""Libraries imported without the modules they would load for nothing.

openpyxl imports numpy, and fontTools uharfbuzz, whenever it is installed, for work quizgen never asks of them
(numpy's number types in a cell; HarfBuzz packing the GSUB and GPOS tables that every subset here drops): importing
one with the other hidden keeps that import's time, and numpy's OpenBLAS threads, out of the build. WeasyPrint
imports fontTools' subsetter and variable-font instancer for fonts HarfBuzz cannot subset and for variable fonts:
deferred, they load at their first use instead, where there is one.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def hidden(name: str) -> Iterator[None]:
    """While it lasts, `import name` raises ImportError, as if it were not installed; nothing changes where it is
    imported already (then it is used anyway, and gives the same results)."""
    if name in sys.modules:
        yield
        return
    sys.modules[name] = None  # type: ignore[assignment]  # the import system's mark for "not importable"
    try:
        yield
    finally:
        if sys.modules.get(name, 0) is None:
            del sys.modules[name]


@contextmanager
def deferred(name: str, *functions: str, hiding: tuple[str, ...] = ()) -> Iterator[None]:
    """While it lasts, `import name` gives a stand-in that imports the real module when it is first used: when one
    of its attributes is read, or one of `functions` is called (`from name import function` takes those while
    importing, so they are the stand-in's own). The real import, whenever it comes, is made with the modules of
    `hiding` hidden (see `hidden`). After the block the stand-in leaves `sys.modules`, and any later import gets the
    real module. Nothing changes where the module is imported already.

    The forms of import WeasyPrint uses work: `import name`, `from package import module` and `from name import
    function`. Within the block, `import package.module` followed by `package.module.x`, and imports of the
    module's own submodules, do not: the stand-in is neither an attribute of its package nor a package."""
    if name in sys.modules:
        yield
        return
    stand_in = _Deferred(name, functions, hiding)
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


class _Deferred(types.ModuleType):
    """A module's stand-in that imports the module on first use (see `deferred`)."""

    def __init__(self, name: str, functions: tuple[str, ...], hiding: tuple[str, ...]):
        super().__init__(name)
        self._hiding = hiding
        for function in functions:
            setattr(self, function, self._calling(function))

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):  # the import system's questions (`__path__`: a package?) load nothing
            real = sys.modules.get(self.__name__)
            if real is None or real is self:
                raise AttributeError(attribute)
            return getattr(real, attribute)
        return getattr(self._real(), attribute)

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        with contextlib.ExitStack() as hidden_now:
            for name in self._hiding:
                hidden_now.enter_context(hidden(name))
            return importlib.import_module(self.__name__)

    def _calling(self, function: str) -> Callable:
        def call(*args, **kwargs):
            return getattr(self._real(), function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        return call
