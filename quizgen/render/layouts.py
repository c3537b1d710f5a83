"""Layouts → HTML: Jinja2 layouts run in a sandbox, a user's layout folders overriding the built-ins by file
name, and the document values every kind of page is made into."""

from __future__ import annotations

import contextlib
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..errors import QuizgenError, display_path
from ..files import private_folder, read_contributed, read_own_file
from ..model import BLANK, format_number, option_letter
from ..resources import builtin_layouts_folder
from ..sandbox import bounded_environment

BUILTIN_LAYOUTS = builtin_layouts_folder()

@dataclass(frozen=True)
class Layouts:
    """Layout folders in lookup order: the user's folders first, the built-ins last."""

    folders: tuple[Path, ...]

    @classmethod
    def with_user_folders(cls, user_folders: Iterable[Path] = ()) -> Layouts:
        folders = []
        for folder in user_folders:
            if not Path(folder).is_dir():
                raise QuizgenError.at(folder, "layout folder not found; expected a folder of .html/.css layouts",
                                      field="--layouts")
            folders.append(Path(folder).resolve())
        return cls((*folders, BUILTIN_LAYOUTS))

    def find(self, name: str) -> Path | None:
        """The file that `name` means: the first folder holding it wins, as in the template loader."""
        for folder in self.folders:
            candidate = (folder / name).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate
        return None

    def path_of(self, name: str) -> str:
        found = self.find(name)
        return display_path(found) if found else name


def user_layout_blame(folders: tuple[Path, ...], fallback: str) -> str:
    """What to name when rendering breaks a limit: the user's layouts, the untrusted part (not the built-in
    layout that includes them); their one file when there is only one, else their folders."""
    user_folders = folders[:-1]
    files = [p for folder in user_folders for p in sorted(Path(folder).glob("*")) if p.is_file()]
    if len(files) == 1:
        return display_path(files[0])
    return ", ".join(display_path(f) for f in user_folders) or fallback


@dataclass(frozen=True)
class Part:
    """One output file cut from a rendered document: its pages start at the element with id `anchor`."""

    file_name: str
    anchor: str


@dataclass(frozen=True)
class Document:
    """An HTML document ready for WeasyPrint, and the files its pages become."""

    html: str
    layout: str  # the layout file, shown in errors
    layout_folders: tuple[Path, ...]
    content_folders: tuple[Path, ...]
    parts: tuple[Part, ...]


MAX_LAYOUT_BYTES = 1024 * 1024


class ConfinedLoader(jinja2.FileSystemLoader):
    """A folder's templates, each a regular file inside the folder (files.read_contributed)."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder.resolve()

    def get_source(self, environment: jinja2.Environment, template: str):
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        if not path.resolve().is_relative_to(self.folder):
            raise QuizgenError.at(path, f"refused to read layout {template!r}: it leads outside the layout "
                                  "folders", field="layout")
        data = read_contributed(path, self.folder, limit=MAX_LAYOUT_BYTES, what="layout")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise QuizgenError.at(path, "is not UTF-8 text; save the layout as UTF-8", field="layout") from None
        written = os.stat(path).st_mtime_ns
        return source, str(path), lambda: os.path.exists(path) and os.stat(path).st_mtime_ns == written


_COMPILED_IN: list[Path] = []  # at most one folder, while compiled_layouts_kept_in lasts


@contextlib.contextmanager
def compiled_layouts_kept_in(folder: Path | None) -> Iterator[None]:
    """While it lasts, the layouts' compiled code is kept in `folder` (None: nowhere), by this process and the
    workers it forks; afterwards, as before.

    Jinja2 compiles every layout from its source in every process, half the time of planning a build's documents;
    a build keeps the compiled code in its cache folder, by the source's checksum, so the next build reads it back
    instead. The code is the sandboxed environment's: its checks run when it runs, wherever it was kept.
    """
    before = list(_COMPILED_IN)
    _COMPILED_IN[:] = [] if folder is None else [Path(folder)]
    _forget_compiled_layouts()
    try:
        yield
    finally:
        _COMPILED_IN[:] = before
        _forget_compiled_layouts()


def _forget_compiled_layouts() -> None:
    """The layouts' environments, modules and macros' results dropped: a build plans from the layouts as they are
    now, and a process that builds again (`serve`, a test) never serves an earlier build's."""
    layout_environment.cache_clear()
    _layout_module.cache_clear()
    _macro_html.cache_clear()


@functools.lru_cache(maxsize=8)
def layout_environment(folders: tuple[Path, ...]) -> SandboxedEnvironment:
    env = bounded_environment(
        loader=jinja2.ChoiceLoader([ConfinedLoader(f) for f in folders]),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(mm=mm, cloze=cloze_text, css_string=css_string, letter=option_letter, number=format_number)
    env.globals.update(letter=option_letter)
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    folder = compiled_layouts_folder()
    return None if folder is None else _ForgivingBytecodeCache(str(folder))


def compiled_layouts_folder() -> Path | None:
    """The folder compiled_layouts_kept_in names, made if need be and private to this user; None outside it, or
    when it cannot be made so."""
    if not _COMPILED_IN:
        return None
    try:
        _COMPILED_IN[0].mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None  # a cache that cannot be written only costs time
    if not private_folder(_COMPILED_IN[0]):  # compiled code is run: never code that someone else could have put there
        return None
    return _COMPILED_IN[0]


class _ForgivingBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled layouts kept in files of this user's private folder; one that cannot be read back, or that another
    user could have written, is compiled again."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_own_file(Path(self._get_cache_filename(bucket)))
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # a damaged or foreign file of any kind only costs the compiling
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a cache that cannot be written only costs time
            pass


def render_layout(layouts: Layouts, name: str, context: dict[str, Any]) -> str:
    """Render one layout by file name; template mistakes become a QuizgenError at the layout's line."""
    with located_layout_errors(layouts, name):
        return layout_environment(layouts.folders).get_template(name).render(context)


def layout_macro(layouts: Layouts, name: str, macro: str, *args: Any, **named: Any) -> Markup:
    """What the macro `macro` of the layout `name` draws for `args` (and `named` arguments), as safe HTML; the
    composer takes its pieces' words from the layouts this way, so a user's layout reaches composed and fully
    laid-out pages alike."""
    return _macro_html(layouts.folders, name, macro, args, named=tuple(sorted(named.items())))


def layout_macro_arguments(layouts: Layouts, name: str, macro: str) -> tuple[str, ...] | None:
    """The names of the arguments the macro `macro` of the layout `name` takes; None when it has no such macro (a
    user's layout of an earlier quizgen): what the composer may ask of it."""
    with located_layout_errors(layouts, name):
        found = getattr(_layout_module(layouts.folders, name), macro, None)
    return tuple(found.arguments) if isinstance(found, jinja2.runtime.Macro) else None


def layout_frame(layouts: Layouts, name: str, macro: str, inside: str, *args: Any) -> Markup:
    """What the macro `macro` of the layout `name`, called with `args`, draws around `inside` (given as its
    `caller()`, as in `{% call %}`): the frame of a question or an answer item around a piece's content."""
    return _macro_html(layouts.folders, name, macro, args, Markup(inside))


@functools.lru_cache(maxsize=16384)
def _macro_html(folders: tuple[Path, ...], name: str, macro: str, args: tuple, inside: Markup | None = None,
                named: tuple[tuple[str, Any], ...] = ()) -> Markup:
    """Versions share their questions, options and items, so each piece's macro runs once."""
    layouts = Layouts(folders)
    env = layout_environment(folders)
    with located_layout_errors(layouts, name):
        function = getattr(_layout_module(folders, name), macro)
        try:
            return Markup(function(*args, **dict(named)) if inside is None
                          else function(*args, **dict(named), caller=lambda: inside))
        except Exception:
            env.handle_exception()  # as Template.render does: the traceback's lines become the layout's own


@functools.lru_cache(maxsize=64)
def _layout_module(folders: tuple[Path, ...], name: str):
    """The macros of the layout `name`, looked up once per build: Jinja2 would check the file's date at every one
    of a class set's thousands of macro calls (its results are kept as long, by _macro_html)."""
    return layout_environment(folders).get_template(name).module


@contextlib.contextmanager
def located_layout_errors(layouts: Layouts, name: str) -> Iterator[None]:
    """Turn a layout's mistakes, while rendering `name`, into one QuizgenError at the layout's file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise QuizgenError.at(exc.filename or layouts.path_of(name), f"template syntax error: {exc.message}",
                              line=exc.lineno or 0, column=1, field=exc.name or name) from None
    except jinja2.TemplateNotFound as exc:
        raise QuizgenError.at(layouts.path_of(name), f"layout {exc.name!r} not found in "
                              + ", ".join(display_path(f) for f in layouts.folders), field="layout") from None
    except RecursionError as exc:
        path, _ = _template_position(exc, layouts, name)
        raise QuizgenError.at(path, "recursion too deep; a layout must not call itself without end",
                              field="layout") from None
    except MemoryError as exc:
        path, line = _template_position(exc, layouts, name)
        raise QuizgenError.at(path, "used too much memory", line=line, column=1 if line else 0,
                              field="layout") from None
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, ValueError, ArithmeticError,
            LookupError, AttributeError) as exc:
        path, line = _template_position(exc, layouts, name)
        raise QuizgenError.at(path, f"{type(exc).__name__}: {exc}", line=line, column=1 if line else 0,
                              field="layout") from None


def _template_position(exc: BaseException, layouts: Layouts, name: str) -> tuple[str, int]:
    """The innermost layout file and line in a rendering traceback (Jinja2 rewrites frames to template lines)."""
    folders = [str(f) for f in layouts.folders]
    found = (layouts.path_of(name), 0)
    tb = exc.__traceback__
    while tb is not None:
        file = tb.tb_frame.f_code.co_filename
        if any(file.startswith(f) for f in folders):
            found = (display_path(file), tb.tb_lineno)
        tb = tb.tb_next
    return found


def mm(value: float) -> str:
    """A length for CSS, rounded to a micrometre so output does not depend on float noise."""
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


CLOZE_LINE = "_" * 16


def cloze_text(text: str) -> str:
    """The prompt with every blank drawn as a writing line (plain text: cheaper to lay out than a box)."""
    return str(text).replace(BLANK, CLOZE_LINE)


_CSS_UNSAFE = re.compile(r'["\\<>\n\r\x00-\x1f]')


def css_string(text: str) -> Markup:
    """A quoted CSS string that cannot end the string or the <style> element it sits in."""
    return Markup('"' + _CSS_UNSAFE.sub(lambda m: f"\\{ord(m[0]):x} ", str(text)) + '"')


def anchor_for(kind: str, code: str) -> str:
    """`worksheet-A`: an id for HTML and CSS, and the stem of the version's file name."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9_-]", "_", code)
