"""The run of `quizgen build`: load, generate, render and export in memory, then write every file at once —
questions.json, worksheets, keys, flashcards, exports and the manifest."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .. import sandbox
from ..errors import QuizgenError, display_path
from ..export import print_warnings
from ..export.common import Notice
from ..files import spool_folder, user_cache_folder
from ..model import QuestionSet
from ..ownership import claim_loose_file, left_alone_line, write_loose_file
from ..render import imposition
from ..render.calibration import calibration_document
from ..render.card_pieces import ComposedCards
from ..render.compose import ComposedDocument
from ..render.imposition import Flip, Offset
from ..render.layouts import Document, Layouts, compiled_layouts_kept_in, user_layout_blame
from ..render.pdf import RenderedPdf, SpooledPdf, render_pdfs
from ..render.piece_shares import lay_out_share, shares
from ..render.composer import laid_out_in_full
from ..render.version_shares import compose_share, lay_out_for_shares, version_shares
from ..sheets.paper import PAPERS, Paper
from ..sandbox import BoundedRun, Task, WarmStart, run_all_bounded, run_bounded
from ..text import counted
from .cache import CACHE_FOLDER, RenderCache
from .export_cache import ExportCache, ExportLookup, MadeFormat
from .generating import load_and_generate
from .manifest import BUILD_WRITER, MANIFEST, BuildResult, BuiltFile, write_build
from .options import BuildOptions, option_problem
from .plan import files_summary, plan_documents, plan_output, planned
from .progress import BuildProgress, print_summary


def run_build(options: BuildOptions, started: float, warm: WarmStart | None = None,
              settled: Callable[[], None] = lambda: None) -> int:
    """`quizgen build` once its options are checked (build/checks.py): the pack loaded, its questions generated,
    every file made and written into OUT/<pack-id>/; the render workers are forked from `warm` when given
    (build/warm.py), and `settled` called once the set is dealt. `started` is when the command began."""
    from ..generate import shortfall_warning

    # the bar may only start once the render workers exist: they are forked, and must not inherit its thread
    display = BuildProgress(mode="off" if options.quiet else "bar" if sys.stderr.isatty() else "lines", started=started)
    store_later: list[Callable[[], None]] = []  # the pool and set kept once the workers are at work
    pack, question_set = load_and_generate(options.pack, cache=options.pool_cache, store_later=store_later,
                                           template_dirs=list(options.templates), types=None, tags=None,
                                           count=options.count, seed=options.seed, versions=options.versions)
    settled()
    display.stage(f"loaded {pack.id} ({counted(len(pack.facts), 'fact')})")
    if not options.quiet and shortfall_warning(question_set, options.count):
        print(shortfall_warning(question_set, options.count), file=sys.stderr)
    display.stage(f"generated {counted(len(question_set.questions), 'question')} in "
                  f"{counted(len(question_set.versions), 'version')}")
    try:
        result = build_into(options.out / pack.id, question_set, options, content_folders=(pack.root,),
                            display=display, warm=warm, meanwhile=store_later)
    finally:
        display.close()
    if not options.quiet:
        print_warnings(result.warnings, verbose=options.verbose, where=f"listed in {MANIFEST}; --verbose prints them")
        print_summary(replace(result, seconds=time.perf_counter() - started), tty=sys.stdout.isatty())
    for name in result.left_alone:
        print(left_alone_line(result.folder, name, BUILD_WRITER), file=sys.stderr)
    return 0


def write_calibration(output: Path, *, paper: str, flip: Flip, back_offset: str,
                      layouts: list[Path] | tuple[Path, ...] = ()) -> Path:
    """`quizgen calibration`: the duplex test sheet as one PDF, outside any build folder, so no build removes it;
    like every loose output (ownership.py), never over a file quizgen did not write there."""
    try:
        offset = imposition.parse_offset(back_offset)
    except ValueError as exc:
        raise QuizgenError([option_problem("--back-offset", str(exc))]) from None
    claim_loose_file(Path(output), option="--output")
    folders = Layouts.with_user_folders(layouts)
    blame = user_layout_blame(folders.folders, display_path(folders.folders[-1]))
    # in a bounded worker, like the build's layouts: a user's calibration.html may ask for anything
    (pdf,) = run_bounded(Task(_calibration_pdfs, (folders, PAPERS[paper], flip, offset), blame),
                         sandbox.RENDER_LIMITS)
    return write_loose_file(Path(output), pdf.data, option="--output")


def _calibration_pdfs(layouts: Layouts, paper: Paper, flip: Flip, offset: Offset) -> tuple[RenderedPdf, ...]:
    return render_pdfs(calibration_document(layouts, paper, flip, offset))


def build_into(folder: Path, question_set: QuestionSet, options: BuildOptions, *,
               content_folders: tuple[Path, ...] = (), display: BuildProgress | None = None,
               warm: WarmStart | None = None, meanwhile: list[Callable[[], None]] | None = None) -> BuildResult:
    """Make every output in memory, then write them all and the manifest into `folder`; the render workers are
    forked from `warm` when given (sandbox.WarmStart), and the calls in `meanwhile` made while they work (or, when
    the build fails before, on its way out)."""
    started = time.perf_counter()
    layout_folders = Layouts.with_user_folders(options.layouts).folders
    cache = RenderCache(folder.parent / CACHE_FOLDER, layout_folders=layout_folders, content_folders=content_folders,
                        user_cache=user_cache_folder() if options.pool_cache else None)
    exports = ExportCache(folder.parent / CACHE_FOLDER, layout_folders=layout_folders)
    display = display or BuildProgress()
    meanwhile = meanwhile if meanwhile is not None else []
    with spool_folder(folder) as spool:  # the PDFs written there are linked into the folder, not copied
        try:
            files, warnings = make_files(question_set, options, spool, content_folders=content_folders,
                                         display=display, previous=folder, cache=cache, exports=exports, warm=warm,
                                         meanwhile=meanwhile)
        except BaseException:
            try:
                made_all(meanwhile)
            except Exception:  # the build's own failure is the one to report
                pass
            raise
        made_all(meanwhile)  # made while the workers rendered; any left are made now
        display.stage("writing the files and manifest.json")  # the count and the folder were said up front
        left_alone = write_build(folder, files, question_set, options, warnings)
    cache.keep_only_used()
    exports.keep_only_used()
    return BuildResult(folder, files, time.perf_counter() - started, warnings=warnings, left_alone=tuple(left_alone))


def make_files(question_set: QuestionSet, options: BuildOptions, spool: Path, *,
               content_folders: tuple[Path, ...] = (), display: BuildProgress, previous: Path | None = None,
               cache: RenderCache | None = None, exports: ExportCache | None = None, warm: WarmStart | None = None,
               meanwhile: list[Callable[[], None]] | None = None) -> tuple[tuple[BuiltFile, ...], tuple[Notice, ...]]:
    """Every output, in memory or in a file in `spool` (files.spool_folder), and the exports' warnings; `previous`
    is the last build's folder, which the Anki deck reads its note times from so that unchanged notes keep them;
    `exports` keeps the export formats made, and gives back those whose inputs did not change; the calls in
    `meanwhile` are made while the workers render."""
    layouts = Layouts.with_user_folders(options.layouts)
    blame = user_layout_blame(layouts.folders, display_path(layouts.folders[-1]))
    compiled = cache.compiled_layouts_folder() if cache else None
    with exports_made_aside(question_set, options, layouts, blame, previous, exports, compiled) as exporting:
        with compiled_layouts_kept_in(compiled):
            documents = planned_documents(question_set, options, layouts, content_folders, blame)
        if not options.quiet:  # said once, before any work, however long the build takes
            print(files_summary(documents, options, previous or options.out / question_set.pack_id), file=sys.stderr,
                  flush=True)
        display.expect(len(documents) + options.wants("exports") + options.wants("questions"))
        files: list[BuiltFile] = []
        warnings: tuple[Notice, ...] = ()
        cached = {i: cache.get(d, spool) for i, d in enumerate(documents)} if cache else {}
        for document, found in zip(documents, cached.values()):
            if found is not None:
                display.advance(_document_name(document))
        # composed documents write each version to a spool file as soon as it is made, so neither the workers
        # nor the pipe back nor this process hold a class set's PDFs
        to_render = [replace(d, spool=spool) if isinstance(d, ComposedDocument) else d
                     for i, d in enumerate(documents) if cached.get(i) is None]
        if cache:  # flashcards and single versions lay out only the pieces no earlier build laid out
            to_render = [cache.with_piece_store(d) if isinstance(d, (ComposedCards, ComposedDocument)) else d
                         for d in to_render]
        if warm and not to_render:  # every document came from the cache: its imports would be wasted
            warm.close()
        with Renderer(to_render, jobs=options.jobs or os.cpu_count() or 1, warm=warm) as renderer:
            # this process makes the other files while the workers lay out pages
            made_all(meanwhile or [])
            if cache:
                cache.use_pieces(d for d in documents if isinstance(d, ComposedCards)
                                 or (isinstance(d, ComposedDocument) and len(d.versions) == 1))
            if options.wants("questions"):
                files.append(BuiltFile("questions.json", questions_json(question_set).encode("utf-8")))
                display.advance("questions.json")
            if exporting is not None:
                made, = exporting.results()
                if isinstance(made, OSError):
                    raise made
                files.extend(made.files)
                warnings = made.warnings
                if exports:
                    exports.used.update(made.used)
                display.advance("exports")
            if options.wants("answer-sheets"):
                from ..render.answer_sheets import build_sheets
                from ..sheets.record import SHEETS_JSON, answer_sheets_json

                sheets = build_sheets(question_set, PAPERS[options.paper], options.students,
                                      options.inputs, options.class_list)
                files.append(BuiltFile(SHEETS_JSON, answer_sheets_json(sheets).encode("utf-8")))
            fresh = iter(renderer.results(on_done=display.advance))
        for i, document in enumerate(documents):
            group = cached.get(i) or next(fresh)
            if cache and cached.get(i) is None:
                cache.put(document, group)
            files.extend(BuiltFile(r.file_name, r.file if isinstance(r, SpooledPdf) else r.data, r.pages, r.seconds)
                         for r in group)
        return tuple(_in_output_order(files)), warnings


def made_all(calls: list[Callable[[], None]]) -> None:
    """Make the calls, each once: those made are taken off the list."""
    while calls:
        calls.pop(0)()


def _in_output_order(files: list[BuiltFile]) -> list[BuiltFile]:
    """questions.json, worksheets, keys, flashcards, calibration, then exports: the order a reader looks for."""
    prefixes = ("questions.json", "worksheet-", "answer-key-", "flashcards", "calibration")

    def rank(f: BuiltFile) -> tuple[int, str]:
        return (next((i for i, p in enumerate(prefixes) if f.name.startswith(p)), len(prefixes)), f.name)

    return sorted(files, key=rank)


def questions_json(question_set: QuestionSet) -> str:
    from ..generate.serialise import question_set_json

    return question_set_json(question_set)


def planned_documents(question_set: QuestionSet, options: BuildOptions, layouts: Layouts,
                      content_folders: tuple[Path, ...], blame: str) -> list[Document]:
    """The documents to render, each of PLANNED planned in a bounded worker of its own over every core when the
    user's layouts take part (they may ask for anything) or the set has several versions (a class set's plans take
    a tenth of a second each, a school's a second); else here, as the set was generated here: one version's few
    plans take less time than forking a worker for each and sending its documents back (0.05 s)."""
    if not options.layouts and len(question_set.versions) == 1:
        return plan_documents(question_set, options, layouts, content_folders)
    plans = run_all_bounded([Task(plan_output, (wanted, question_set, options, layouts, content_folders), blame)
                             for wanted in planned(options)], sandbox.RENDER_LIMITS,
                            jobs=options.jobs or os.cpu_count() or 1)
    return [document for plan in plans for document in plan]


@contextmanager
def exports_made_aside(question_set: QuestionSet, options: BuildOptions, layouts: Layouts, blame: str,
                       previous: Path | None, exports: ExportCache | None,
                       compiled: Path | None = None) -> Iterator[BoundedRun | None]:
    """The export formats made in a child of their own from now on, while this process plans the documents and
    the workers render them: the exports need only the question set, and would otherwise begin after the plans
    (0.2 s after a one-fact edit: python-docx's and genanki's imports, the changed Word files, the Anki deck).
    Its one result is MadeExports, or the OSError that stopped it (for the caller to raise, as a write of its own
    would); None when the build writes no exports. A failure is blamed on the user's layouts only when they take
    part; the child's temporary files go in a folder of this process's, removed here even when the child is
    killed half-way. The layouts' compiled code and read Word layouts are kept in `compiled`, as the plans'."""
    if not options.wants("exports"):
        yield None
        return
    blamed, field = (blame, "layout") if options.layouts else (display_path(previous or options.out), "export")
    with tempfile.TemporaryDirectory(prefix="quizgen-exports-") as scratch:
        task = Task(_exports, (question_set, options, layouts, previous, exports, scratch, compiled), blamed,
                    field=field)
        with BoundedRun([task], sandbox.RENDER_LIMITS) as run:
            yield run


@dataclass(frozen=True)
class MadeExports:
    """What the exports' child gives back: export_files' files and warnings, and the keys of the export cache it
    used (which the build's cache keeps)."""

    files: list[BuiltFile]
    warnings: tuple[Notice, ...]
    used: frozenset[str]


def _exports(question_set: QuestionSet, options: BuildOptions, layouts: Layouts, previous: Path | None,
             exports: ExportCache | None, scratch: str, compiled: Path | None = None) -> MadeExports | OSError:
    """In the exports' child: every format made, its temporary files in `scratch`."""
    tempfile.tempdir = scratch
    try:
        with compiled_layouts_kept_in(compiled):
            files, warnings = export_files(question_set, previous, cache=exports,
                                           make_elsewhere=functools.partial(with_user_layouts, question_set,
                                                                            options, layouts))
    except OSError as exc:  # a full disk, say: one line from the command, as when this process wrote
        return exc
    return MadeExports(files, warnings, frozenset(exports.used) if exports else frozenset())


def with_user_layouts(question_set: QuestionSet, options: BuildOptions, layouts: Layouts, names: set[str],
                      wanted: dict[str, set[str]]) -> dict[str, bytes | dict[str, bytes]]:
    """The formats of `names` that the user's --layouts shape (the self-test page: selftest.html, .css, .js; the
    Word files: worksheet.docx, answer-key.docx, flashcards.docx; of those, only the files `wanted` names), made
    with them; without --layouts the export makes them from the built-ins. Run in the exports' bounded child, whose
    limits hold for a user's layouts as for every other."""
    if not options.layouts:
        return {}
    made: dict[str, bytes | dict[str, bytes]] = {}
    if "html" in names:
        from ..export import selftest

        made["html"] = selftest.page_html(question_set, layouts).encode("utf-8")
    if "docx" in names:
        from ..export import docx

        made["docx"] = docx.build_files(question_set, layouts, wanted.get("docx"))
    return made


def export_files(question_set: QuestionSet, previous: Path | None = None,
                 made: dict[str, bytes | dict[str, bytes]] | None = None, cache: ExportCache | None = None, *,
                 make_elsewhere: Callable[[set[str], dict[str, set[str]]], dict[str, bytes | dict[str, bytes]]]
                 = lambda names, wanted: {}) -> tuple[list[BuiltFile], tuple[Notice, ...]]:
    """Every export format, made in memory, and the formats' warnings; `made` holds formats already made
    (format name → bytes), `make_elsewhere` makes some of the formats still to make, given their names and the
    files wanted of those that make several, and `previous` is the last build's folder, where a format finds its
    earlier file. With a `cache`, a format whose inputs are unchanged is taken from it, files and warnings, as is
    each unchanged file of a format that makes several; only the others are made."""
    from ..export import FORMATS, export_bytes

    started = time.perf_counter()
    earlier = (Path(previous),) if previous else ()
    lookup = ExportLookup(question_set, earlier, cache) if cache else None
    found = lookup.found() if lookup else {}
    to_make = {name for name in FORMATS if name not in found}
    wanted = lookup.files_wanted(to_make) if lookup else {}
    made = {**(made or {}), **(make_elsewhere(to_make, wanted) if to_make else {})}
    files, results = export_bytes(question_set, earlier, made, only=to_make, wanted=wanted) if to_make else ({}, [])
    fresh = {name: MadeFormat(tuple((r.path.as_posix(), files[r.path.as_posix()]) for r in results
                                    if r.format == name and r.written),
                              tuple(n for r in results if r.format == name for n in r.warnings))
             for name in to_make}
    if lookup:
        lookup.store({name: fresh[name] for name in to_make if all(r.written for r in results if r.format == name)})
        fresh = {name: lookup.with_files_found(name, output) for name, output in fresh.items()}
    outputs = [found.get(name) or fresh[name] for name in FORMATS]
    written = sorted((name, data) for output in outputs for name, data in output.files)
    seconds = (time.perf_counter() - started) / max(len(written), 1)
    return ([BuiltFile(name, data, None, seconds) for name, data in written],
            tuple(n for output in outputs for n in output.warnings))


class Renderer:
    """Renders documents in bounded worker processes (sandbox.py) while the caller does other work.

    A document composed from a piece store whose pieces are mostly new (a first build's flashcards) has them
    laid out first, in shares over every worker (render/piece_shares.py), before the other documents; it is
    composed from the store once all its shares are in. A composed document of many versions is laid out and cut
    by one worker, then its versions are composed in shares by whichever workers are free
    (render/version_shares.py). The largest documents go first, so the workers finish at about the same time.
    """

    def __init__(self, documents: list[Document], *, jobs: int, warm: WarmStart | None = None):
        self.documents = documents
        pieces = {i: found for i, document in enumerate(documents) if (found := shares(document, jobs))}
        versions = {i: found for i, document in enumerate(documents) if (found := version_shares(document, jobs))}
        largest_first = sorted(range(len(documents)), key=lambda i: -len(documents[i].html))
        self.steps: list[tuple[int, str, object]] = (
            [(i, "pieces", share) for i in largest_first if i in pieces for share in pieces[i]]
            + [(i, "cut", None) for i in largest_first if i in versions]
            + [(i, "versions", share) for i in largest_first if i in versions for share in versions[i]]
            + [(i, "render", None) for i in largest_first if i not in versions])
        tasks = [Task(*self._task(i, kind, arg), _blame(documents[i])) for i, kind, arg in self.steps]
        # a document's render waits for its pieces' shares, its versions' shares for its cut
        waits_for = {"render": "pieces", "versions": "cut"}
        after = {task: {earlier for earlier, (j, kind_before, _) in enumerate(self.steps)
                        if j == i and kind_before == waits_for.get(kind)}
                 for task, (i, kind, _) in enumerate(self.steps) if kind in waits_for}
        self._run = BoundedRun(tasks, sandbox.RENDER_LIMITS, jobs=jobs, warm=warm,
                               after={task: earlier for task, earlier in after.items() if earlier})

    def _task(self, i: int, kind: str, arg) -> tuple[Callable, tuple]:
        document = self.documents[i]
        if kind == "pieces":
            return lay_out_share, (document, arg)
        if kind == "cut":
            return lay_out_for_shares, (document,)
        if kind == "versions":
            return compose_share, (arg,)
        return render_pdfs, (document,)

    def __enter__(self) -> Renderer:
        self._run.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._run.__exit__(*exc)

    def results(self, *, on_done: Callable[[str], None] = lambda name: None) -> list[tuple[RenderedPdf, ...]]:
        """Every document's PDFs, in the order the documents were given."""
        unfinished = Counter(i for i, kind, _ in self.steps if kind in ("render", "versions"))

        def done(task: int) -> None:
            i, kind, _ = self.steps[task] if task >= 0 else (-1, "", None)
            if kind in ("render", "versions"):
                unfinished[i] -= 1
            on_done(_document_name(self.documents[i]) if i >= 0 and not unfinished[i] else "")

        found = self._run.results(on_done=done)
        by_document: dict[int, tuple] = {}
        in_full: set[int] = set()  # a share's versions did not compose: the whole document is laid out in full
        for (i, kind, _), pdfs in zip(self.steps, found):
            if kind == "render" or (kind == "cut" and pdfs is not None):  # a cut that composed not: laid out in full
                by_document[i] = pdfs
            elif kind == "versions" and pdfs is None:
                in_full.add(i)
            elif kind == "versions":
                by_document[i] = by_document.get(i, ()) + pdfs
        if in_full:
            again = sorted(in_full)
            with BoundedRun([Task(laid_out_in_full, (self.documents[i],), _blame(self.documents[i])) for i in again],
                            sandbox.RENDER_LIMITS, jobs=self._run.jobs, warm=self._run.warm) as run:
                by_document.update(zip(again, run.results()))
        return [by_document[i] for i in range(len(self.documents))]


def _blame(document: Document) -> str:
    return user_layout_blame(document.layout_folders, document.layout)


def _document_name(document: Document) -> str:
    names = [p.file_name for p in document.parts]
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
