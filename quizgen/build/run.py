"""What `quizgen build` makes — questions.json, worksheets, keys, flashcards, exports, a manifest —
written only once all of it has been made."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .. import __version__, sandbox
from ..errors import Problem, QuizgenError, display_path
from ..export import print_warnings
from ..export.common import Notice
from ..files import folder_fingerprint
from ..model import Pack, QuestionSet, Version
from ..ownership import (GENERATOR, OutputFolder, claim_loose_file, left_alone_line, owned_file, read_record,
                        record_entry, write_loose_file)
from ..render import cards as geometry
from ..render.cards import Flip, Grid, Offset
from ..render.html import (Document, Layouts, answer_key_document, calibration_document, flashcards_document,
                          user_layout_blame, worksheet_document)
from ..render.compose import ComposedDocument, NotComposable, composable, composed_document
from ..render.pdf import RenderedPdf, render_pdfs
from ..sandbox import BoundedRun, Task, run_bounded
from ..text import counted

if TYPE_CHECKING:
    from ..render.answer_sheets import ClassList

OUTPUT_KINDS = ("questions", "worksheets", "keys", "flashcards", "calibration", "exports", "answer-sheets")
MANIFEST = "manifest.json"
BUILD_WRITER = "an earlier build"  # who wrote the files the manifest owns, as messages name it
PROGRESS_AFTER = 1.0  # seconds: quicker builds finish before a progress bar would be worth drawing


@dataclass(frozen=True)
class BuildOptions:
    pack: Path
    out: Path = Path("build")
    templates: tuple[Path, ...] = ()
    layouts: tuple[Path, ...] = ()
    versions: int = 1
    count: int = 20
    seed: int = 1
    paper: str = "a4"
    cards: Grid = Grid(2, 4)
    flip: Flip = "long"
    fold: bool = False
    back_offset: Offset = Offset()
    calibration: bool = False
    only: tuple[str, ...] = ()
    jobs: int | None = None
    quiet: bool = False
    verbose: bool = False
    answer_sheets: bool = False  # also answer sheets to scan, and their geometry for `quizgen grade`
    students: Path | None = None  # a class list: one named answer sheet per student
    inputs: str = ""  # fingerprint of everything the outputs depend on, recorded in the manifest
    class_list: ClassList | None = field(default=None, compare=False)  # `students` as read, by with_class_list

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BuildOptions:
        """Options from the parsed command line; malformed --cards, --back-offset or --only → QuizgenError."""
        problems = []
        grid, offset = Grid(2, 4), Offset()
        try:
            grid = geometry.parse_grid(args.cards)
        except ValueError as exc:
            problems.append(_option_problem("--cards", str(exc)))
        try:
            offset = geometry.parse_offset(args.back_offset)
        except ValueError as exc:
            problems.append(_option_problem("--back-offset", str(exc)))
        only = tuple(part.strip() for value in args.only for part in value.split(",") if part.strip())
        for kind in only:
            if kind not in OUTPUT_KINDS:
                problems.append(_option_problem("--only", f"{kind!r} is not an output; expected one of "
                                                + ", ".join(OUTPUT_KINDS)))
        if problems:
            raise QuizgenError(problems)
        return cls(pack=Path(args.pack), out=Path(os.path.normpath(args.out)), templates=tuple(args.templates),
                   layouts=tuple(args.layouts), versions=args.versions, count=args.count, seed=args.seed,
                   paper=args.paper, cards=grid, flip=args.flip, fold=args.fold, back_offset=offset,
                   calibration=args.calibration, only=only, jobs=args.jobs, quiet=args.quiet,
                   verbose=getattr(args, "verbose", False),
                   answer_sheets=getattr(args, "answer_sheets", False) or getattr(args, "students", None) is not None,
                   students=getattr(args, "students", None))

    def wants(self, kind: str) -> bool:
        if self.only:
            return kind in self.only
        if kind == "calibration":
            return self.calibration
        if kind == "answer-sheets":
            return self.answer_sheets
        return True

    def manifest_options(self) -> dict:
        """The options that decide the files' content, recorded in the manifest (no paths, no timing)."""
        return {"versions": self.versions, "count": self.count, "seed": self.seed, "paper": self.paper,
                "cards": str(self.cards), "flip": self.flip, "fold": self.fold,
                "back_offset": [self.back_offset.x, self.back_offset.y], "calibration": self.calibration,
                "only": list(self.only), **self._answer_sheet_options()}

    def _answer_sheet_options(self) -> dict:
        if not self.answer_sheets:
            return {}
        class_list = self.with_class_list().class_list
        return {"answer_sheets": True, "students": class_list.fingerprint if class_list else ""}

    def with_class_list(self) -> BuildOptions:
        """These options holding the --students list, read now and only now: `--students <(…)` is a pipe,
        whose bytes come only once."""
        from ..render.answer_sheets import read_class_list_once

        if self.students is None or self.class_list is not None:
            return self
        return replace(self, class_list=read_class_list_once(self.students))


def _option_problem(option: str, message: str) -> Problem:
    return Problem("command line", 0, 0, option, message)


@dataclass(frozen=True)
class BuiltFile:
    """One output file, made in memory; nothing is written until every file of the build exists."""

    name: str
    data: bytes
    pages: int | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    files: tuple[BuiltFile, ...]
    seconds: float
    warnings: tuple[Notice, ...] = ()
    left_alone: tuple[str, ...] = ()  # files of an earlier build that were changed since, so not removed


# ---- the command ----------------------------------------------------------------------------


def run_build(options: BuildOptions) -> int:
    """`quizgen build`: load, generate, render, export, then write everything into OUT/<pack-id>/."""
    from ..load.pack import load_pack
    from ..generate import shortfall_warning

    started = time.perf_counter()
    check_output_folder(options.out)
    options = options.with_class_list()
    folder = previous_output_folder(options)
    check_outside_pack(options.out, folder, options.pack)
    options = replace(options, inputs=input_fingerprint(options))
    if folder is not None and up_to_date(folder, options.inputs):
        if not options.quiet:
            print(f"{display_path(folder)} is up to date (nothing changed since the last build)")
        return 0
    # the bar may only start once the render workers exist: they are forked, and must not inherit its thread
    display = Display(mode="off" if options.quiet else "bar" if sys.stderr.isatty() else "lines", started=started)
    pack = load_pack(options.pack)
    display.stage(f"loaded {pack.id} ({counted(len(pack.facts), 'fact')})")
    question_set = generate_bounded(pack, template_dirs=list(options.templates), types=None, tags=None,
                                    count=options.count, seed=options.seed, versions=options.versions)
    if not options.quiet and shortfall_warning(question_set, options.count):
        print(shortfall_warning(question_set, options.count), file=sys.stderr)
    display.stage(f"generated {counted(len(question_set.questions), 'question')} in "
                  f"{counted(len(question_set.versions), 'version')}")
    try:
        result = build_into(options.out / pack.id, question_set, options, content_folders=(pack.root,),
                            display=display)
    finally:
        display.close()
    if not options.quiet:
        print_warnings(result.warnings, verbose=options.verbose, where=f"listed in {MANIFEST}; --verbose prints them")
        print_summary(replace(result, seconds=time.perf_counter() - started), tty=sys.stdout.isatty())
    for name in result.left_alone:
        print(left_alone_line(result.folder, name, BUILD_WRITER), file=sys.stderr)
    return 0


def check_outside_pack(out: Path, folder: Path | None, pack: Path) -> None:
    """Refuse to build into the pack folder: the outputs would change the pack's fingerprint, so the build would
    never be up to date, and every file in the pack folder is the author's."""
    root = Path(pack).resolve()
    target = Path(folder if folder is not None else out).resolve()
    if target.is_relative_to(root) or Path(out).resolve().is_relative_to(root):
        where = "the pack folder" if target == root else "inside the pack folder"
        raise QuizgenError([_option_problem("--out", f"{display_path(out)}: the build would go into "
                                            f"{display_path(folder or out)}, {where} {display_path(pack)}; expected "
                                            "a folder outside the pack (a build there would change the pack it is "
                                            "made from, so it would never be up to date)")])


def check_output_folder(out: Path) -> None:
    """Refuse an --out that is not a folder or cannot be written, before any work is done.

    The check makes and removes a scratch folder in the nearest existing folder, so it proves
    writing works (a read-only mount or /proc refuses it) without leaving anything behind.
    """
    def refuse(message: str) -> QuizgenError:
        return QuizgenError([_option_problem("--out", f"{display_path(out)}: {message}")])

    if out.exists() and not out.is_dir():
        raise refuse("is a file; expected a folder to build into (it is made when missing)")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise refuse(f"{display_path(existing)} is a file, so no folder can be made inside it; expected a folder")
    try:
        Path(tempfile.mkdtemp(prefix=".quizgen-check-", dir=existing)).rmdir()
    except OSError as exc:
        raise refuse(f"cannot write in {display_path(existing)} ({exc.strerror or exc}); "
                     "expected a folder you can write to") from None


def write_calibration(output: Path, *, paper: str, flip: Flip, back_offset: str,
                      layouts: list[Path] | tuple[Path, ...] = ()) -> Path:
    """`quizgen calibration`: the duplex test sheet as one PDF, outside any build folder, so no build removes it;
    like every loose output (ownership.py), never over a file quizgen did not write there."""
    try:
        offset = geometry.parse_offset(back_offset)
    except ValueError as exc:
        raise QuizgenError([_option_problem("--back-offset", str(exc))]) from None
    claim_loose_file(Path(output), option="--output")
    folders = Layouts.with_user_folders(layouts)
    blame = user_layout_blame(folders.folders, display_path(folders.folders[-1]))
    # in a bounded worker, like the build's layouts: a user's calibration.html may ask for anything
    (pdf,) = run_bounded(Task(_calibration_pdfs, (folders, geometry.PAPERS[paper], flip, offset), blame),
                         sandbox.RENDER_LIMITS)
    return write_loose_file(Path(output), pdf.data, option="--output")


def _calibration_pdfs(layouts: Layouts, paper: geometry.Paper, flip: Flip, offset: Offset) -> tuple[RenderedPdf, ...]:
    return render_pdfs(calibration_document(layouts, paper, flip, offset))


def generate_bounded(pack: Pack, **options: Any) -> QuestionSet:
    """generate_question_set, in a bounded worker when the user's templates take part (sandbox.py)."""
    from ..generate import generate_question_set

    folders = options.get("template_dirs") or ()
    if not folders:
        return generate_question_set(pack, **options)
    blame = ", ".join(display_path(f) for f in folders)
    return run_bounded(Task(_generate, (pack, options), blame, field="template"), sandbox.GENERATE_LIMITS)


def _generate(pack: Pack, options: dict) -> QuestionSet:
    from ..generate import generate_question_set

    return generate_question_set(pack, **options)


def input_fingerprint(options: BuildOptions) -> str:
    """A hash of everything a build's bytes depend on: pack, templates, layouts, options, quizgen itself."""
    from ..generate.templates import BUILTIN_DIR as BUILTIN_TEMPLATES
    from ..render.html import BUILTIN_LAYOUTS

    digest = hashlib.sha256()
    digest.update(json.dumps(options.manifest_options(), sort_keys=True).encode())
    digest.update(__version__.encode())
    folders = [options.pack, BUILTIN_TEMPLATES, *options.templates, BUILTIN_LAYOUTS, *options.layouts,
               Path(__file__).parents[1]]
    for number, folder in enumerate(folders):
        folder_fingerprint(digest, number, Path(folder), lambda path: "__pycache__" not in path.parts)
    return digest.hexdigest()


def previous_output_folder(options: BuildOptions) -> Path | None:
    """OUT/<pack-id> as named by the pack file, without loading the whole pack."""
    from ..load.yamlfile import read_yaml

    try:
        pack_id = read_yaml(Path(options.pack) / "pack.yaml").data.get("id")
    except (QuizgenError, AttributeError):
        return None
    return options.out / pack_id if isinstance(pack_id, str) and pack_id else None


def up_to_date(folder: Path, inputs: str) -> bool:
    """The last build there came from the same inputs and every file it lists is still as written."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return manifest.get("inputs") == inputs and all(
            owned_file(folder, entry) is not None for entry in manifest["files"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def build_into(folder: Path, question_set: QuestionSet, options: BuildOptions, *,
               content_folders: tuple[Path, ...] = (), display: Display | None = None) -> BuildResult:
    """Make every output in memory, then write them all and the manifest into `folder`."""
    started = time.perf_counter()
    cache = RenderCache(folder.parent / CACHE_FOLDER, layout_folders=Layouts.with_user_folders(options.layouts).folders,
                        content_folders=content_folders)
    display = display or Display()
    files, warnings = make_files(question_set, options, content_folders=content_folders, display=display,
                                 previous=folder, cache=cache)
    display.stage("writing the files and manifest.json")  # the count and the folder were said up front
    left_alone = write_build(folder, files, question_set, options, warnings)
    cache.keep_only_used()
    return BuildResult(folder, files, time.perf_counter() - started, warnings=warnings, left_alone=tuple(left_alone))


def make_files(question_set: QuestionSet, options: BuildOptions, *, content_folders: tuple[Path, ...] = (),
               display: Display, previous: Path | None = None,
               cache: RenderCache | None = None) -> tuple[tuple[BuiltFile, ...], tuple[Notice, ...]]:
    """Every output in memory, and the exports' warnings; `previous` is the last build's folder, which the
    Anki deck reads its note times from so that unchanged notes keep them."""
    layouts = Layouts.with_user_folders(options.layouts)
    blame = user_layout_blame(layouts.folders, display_path(layouts.folders[-1]))
    documents = run_bounded(Task(plan_documents, (question_set, options, layouts, content_folders), blame),
                            sandbox.RENDER_LIMITS)
    if not options.quiet:  # said once, before any work, however long the build takes
        print(files_summary(documents, options, previous or options.out / question_set.pack_id), file=sys.stderr,
              flush=True)
    display.expect(len(documents) + options.wants("exports") + options.wants("questions"))
    files: list[BuiltFile] = []
    warnings: tuple[Notice, ...] = ()
    cached = {i: cache.get(d) for i, d in enumerate(documents)} if cache else {}
    for document, found in zip(documents, cached.values()):
        if found is not None:
            display.advance(_document_name(document))
    # composed documents write each version to a spool file as soon as it is made, so neither the workers
    # nor the pipe back hold a class set's PDFs
    with tempfile.TemporaryDirectory(prefix="quizgen-spool-") as spool:
        to_render = [replace(d, spool=Path(spool)) if isinstance(d, ComposedDocument) else d
                     for i, d in enumerate(documents) if cached.get(i) is None]
        with Renderer(to_render, jobs=options.jobs or os.cpu_count() or 1) as renderer:
            # this process makes the other files while the workers lay out pages
            if options.wants("questions"):
                files.append(BuiltFile("questions.json", questions_json(question_set).encode("utf-8")))
                display.advance("questions.json")
            if options.wants("exports"):
                made = {**user_selftest(question_set, options, layouts, blame),
                        **user_word_files(question_set, options, layouts, blame)}
                exported, warnings = export_files(question_set, previous, made=made)
                files.extend(exported)
                display.advance("exports")
            if options.wants("answer-sheets"):
                from ..render.answer_sheets import SHEETS_JSON, answer_sheets_json, build_sheets

                sheets = build_sheets(question_set, geometry.PAPERS[options.paper], options.students,
                                      options.inputs, options.class_list)
                files.append(BuiltFile(SHEETS_JSON, answer_sheets_json(sheets).encode("utf-8")))
            fresh = iter(renderer.results(on_done=display.advance))
        for i, document in enumerate(documents):
            group = cached.get(i) or next(fresh)
            if cache and cached.get(i) is None:
                cache.put(document, group)
            files.extend(BuiltFile(r.file_name, r.data, r.pages, r.seconds) for r in group)
    return tuple(_in_output_order(files)), warnings


def files_summary(documents: list, options: BuildOptions, folder: Path) -> str:
    """What the build will write and where, said before it starts: 'building 83 files into out/pack: 40
    worksheets, …'."""
    counts: dict[str, int] = {}
    for document in documents:
        for part in document.parts:
            kind = ("worksheet" if part.file_name.startswith("worksheet-") else
                    "answer key" if part.file_name.startswith("answer-key-") else part.file_name)
            counts[kind] = counts.get(kind, 0) + 1
    parts = [counted(n, kind) if kind in ("worksheet", "answer key") else kind for kind, n in counts.items()]
    total = sum(counts.values())
    if options.wants("questions"):
        parts.append("questions.json")
        total += 1
    if options.wants("exports"):
        from ..export import FORMATS
        from ..export.docx import build_file_count

        parts.append(f"{len(FORMATS)} exports")
        total += len(FORMATS) - 1 + build_file_count(options.versions)  # docx: a worksheet and key per version
    return f"building {counted(total, 'file')} into {display_path(folder)}: {', '.join(parts)} (and manifest.json)"


def _in_output_order(files: list[BuiltFile]) -> list[BuiltFile]:
    """questions.json, worksheets, keys, flashcards, calibration, then exports: the order a reader looks for."""
    prefixes = ("questions.json", "worksheet-", "answer-key-", "flashcards", "calibration")

    def rank(f: BuiltFile) -> tuple[int, str]:
        return (next((i for i, p in enumerate(prefixes) if f.name.startswith(p)), len(prefixes)), f.name)

    return sorted(files, key=rank)


def questions_json(question_set: QuestionSet) -> str:
    from ..generate.serialise import question_set_json

    return question_set_json(question_set)


def user_selftest(question_set: QuestionSet, options: BuildOptions, layouts: Layouts, blame: str) -> dict[str, bytes]:
    """The self-test page made with the user's --layouts (selftest.html, .css, .js may be replaced), rendered in a
    bounded worker like every other layout; without --layouts the export makes it from the built-ins."""
    if not options.layouts:
        return {}
    from ..export import selftest

    page = run_bounded(Task(selftest.page_html, (question_set, layouts), blame), sandbox.RENDER_LIMITS)
    return {"html": page.encode("utf-8")}


def user_word_files(question_set: QuestionSet, options: BuildOptions, layouts: Layouts,
                    blame: str) -> dict[str, dict[str, bytes]]:
    """The Word worksheets, keys and cards made with the user's --layouts (worksheet.docx, answer-key.docx,
    flashcards.docx may be replaced), in a bounded worker like every other layout; without --layouts the export
    makes them from the built-ins."""
    if not options.layouts:
        return {}
    from ..export import docx

    return {"docx": run_bounded(Task(docx.build_files, (question_set, layouts), blame), sandbox.RENDER_LIMITS)}


def export_files(question_set: QuestionSet, previous: Path | None = None,
                 made: dict[str, bytes | dict[str, bytes]] | None = None) -> tuple[list[BuiltFile], tuple[Notice, ...]]:
    """Every export format, made in a scratch folder and read back, and the formats' warnings; `made` holds
    formats already made (format name → bytes)."""
    from ..export import build_exports

    with tempfile.TemporaryDirectory(prefix="quizgen-exports-") as scratch:
        started = time.perf_counter()
        paths, warnings = build_exports(question_set, Path(scratch), previous=previous, made=made)
        seconds = (time.perf_counter() - started) / max(len(paths), 1)
        return [BuiltFile(Path(p).relative_to(scratch).as_posix(), Path(p).read_bytes(), None, seconds)
                for p in sorted(paths)], warnings


# ---- documents and rendering ------------------------------------------------------------------


def plan_documents(question_set: QuestionSet, options: BuildOptions, layouts: Layouts,
                   content_folders: tuple[Path, ...] = ()) -> list[Document]:
    """The HTML documents of this build, largest first; versions are split into one chunk per job."""
    paper = geometry.PAPERS[options.paper]
    chunks = version_chunks(question_set.versions, options.jobs or os.cpu_count() or 1)
    documents: list[Document | ComposedDocument] = []
    for kind, wanted, full in (("worksheet", "worksheets", worksheet_document),
                               ("answer-key", "keys", answer_key_document)):
        if options.wants(wanted):
            documents += versioned_documents(kind, full, question_set, chunks, layouts, paper, content_folders)
    if options.wants("flashcards"):
        documents.append(flashcards_document(question_set, layouts, paper, options.cards, options.flip,
                                             options.back_offset, content_folders=content_folders))
        if options.fold:
            documents.append(flashcards_document(question_set, layouts, paper, options.cards, options.flip,
                                                 options.back_offset, fold=True, content_folders=content_folders))
    if options.wants("calibration"):
        documents.append(calibration_document(layouts, paper, options.flip, options.back_offset))
    if options.wants("answer-sheets"):
        from ..render.answer_sheets import answer_sheets_document, build_sheets

        sheets = build_sheets(question_set, paper, options.students, options.inputs, options.class_list)
        documents.append(answer_sheets_document(sheets, layouts, question_set.language, content_folders))
    return documents


def versioned_documents(kind, full, question_set: QuestionSet, chunks: list[tuple[Version, ...]], layouts: Layouts,
                        paper, content_folders: tuple[Path, ...]) -> list[Document | ComposedDocument]:
    """One composed document of every version (each question laid out once), or today's full layout in
    one document per chunk of versions: for a single version (composing pays off only when versions
    share their pieces) and for layouts the composer cannot reproduce."""
    if len(question_set.versions) > 1 and composable(layouts, kind):
        try:
            return [composed_document(kind, question_set, question_set.versions, layouts, paper, content_folders)]
        except NotComposable:
            pass
    return [full(question_set, c, layouts, paper, content_folders) for c in chunks]


def version_chunks(versions: tuple[Version, ...], pieces: int) -> list[tuple[Version, ...]]:
    """Versions cut into at most `pieces` runs of neighbours; each run is laid out as one document.

    A version's PDF is the same bytes whichever run it is in, so the job count never changes output.
    """
    pieces = max(1, min(pieces, len(versions)))
    size, extra = divmod(len(versions), pieces)
    chunks, start = [], 0
    for i in range(pieces):
        end = start + size + (i < extra)
        chunks.append(versions[start:end])
        start = end
    return [c for c in chunks if c]


CACHE_FOLDER = ".quizgen-cache"
CACHE_ENTRY = re.compile(r"([0-9a-f]{32})(?:-[0-9]+\.pdf|\.json)")


class RenderCache:
    """Rendered PDFs by a hash of their document's HTML and of every file it can load, beside the outputs.

    A rebuild after a small edit renders only the documents whose HTML changed (the versions and
    keys that contain the edited fact); the others are the bytes the same HTML gave last time.
    Entries the latest build did not use are removed, so the cache never outgrows one build.
    """

    def __init__(self, folder: Path, *, layout_folders: tuple[Path, ...], content_folders: tuple[Path, ...]):
        self.folder = folder
        self.used: set[str] = set()
        digest = hashlib.sha256(__version__.encode())
        for number, root in enumerate((*layout_folders, *content_folders)):
            # the YAML is already in the HTML
            folder_fingerprint(digest, number, Path(root), lambda path: path.suffix != ".yaml")
        self.resources = digest.hexdigest()

    def key(self, document: Document) -> str:
        parts = json.dumps([[p.file_name, p.anchor] for p in document.parts])
        return hashlib.sha256(f"{self.resources}\n{parts}\n{document.html}".encode()).hexdigest()[:32]

    def get(self, document: Document) -> tuple[RenderedPdf, ...] | None:
        key = self.key(document)
        try:
            index = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            found = tuple(RenderedPdf(entry["name"], (self.folder / f"{key}-{n}.pdf").read_bytes(), entry["pages"], 0.0)
                          for n, entry in enumerate(index))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(key)
        return found

    def put(self, document: Document, pdfs: tuple[RenderedPdf, ...]) -> None:
        key = self.key(document)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for n, pdf in enumerate(pdfs):
                _write_cache_file(self.folder / f"{key}-{n}.pdf", pdf.data)
            index = [{"name": pdf.file_name, "pages": pdf.pages} for pdf in pdfs]
            _write_cache_file(self.folder / f"{key}.json", json.dumps(index).encode("utf-8"))
            self.used.add(key)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def keep_only_used(self) -> None:
        """Remove the cache's own entries that this build did not use; any other file there is left alone."""
        for path in self.folder.glob("*") if self.folder.is_dir() else ():
            entry = CACHE_ENTRY.fullmatch(path.name)
            if entry and entry[1] not in self.used and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)


def _write_cache_file(path: Path, data: bytes) -> None:
    """Write and rename, without waiting for the disk: a cache entry lost in a crash only costs time,
    and a class set writes a thousand of them (the index is written last, so a torn entry is never read)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class Renderer:
    """Renders documents in bounded worker processes (sandbox.py) while the caller does other work.

    The largest documents go first, so the workers finish at about the same time.
    """

    def __init__(self, documents: list[Document], *, jobs: int):
        self.documents = documents
        self.order = sorted(range(len(documents)), key=lambda i: -len(documents[i].html))
        tasks = [Task(render_pdfs, (documents[i],), user_layout_blame(documents[i].layout_folders,
                                                                      documents[i].layout))
                 for i in self.order]
        self._run = BoundedRun(tasks, sandbox.RENDER_LIMITS, jobs=jobs)

    def __enter__(self) -> Renderer:
        self._run.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._run.__exit__(*exc)

    def results(self, *, on_done: Callable[[str], None] = lambda name: None) -> list[tuple[RenderedPdf, ...]]:
        """Every document's PDFs, in the order the documents were given."""
        def done(task: int) -> None:
            on_done(_document_name(self.documents[self.order[task]]) if task >= 0 else "")

        found = self._run.results(on_done=done)
        by_document = {self.order[task]: pdfs for task, pdfs in enumerate(found)}
        return [by_document[i] for i in range(len(self.documents))]


def _document_name(document: Document) -> str:
    names = [p.file_name for p in document.parts]
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"


# ---- writing ------------------------------------------------------------------------------------


def write_build(folder: Path, files: tuple[BuiltFile, ...], question_set: QuestionSet,
                options: BuildOptions, warnings: tuple[Notice, ...] = ()) -> list[str]:
    """Write each file atomically, then the manifest; returns the names of files left alone.

    A build replaces or removes only files it wrote itself and that are unchanged since (ownership.py):
    the previous manifest lists them with a hash their bytes still match. When a file this build makes
    is already there and is not such a file (a user's own worksheet-A.pdf, or one edited since), the
    folder is refused and nothing is written. Files of the previous build that this one no longer makes
    are removed when unchanged and left alone (and named) when not. A build limited by --only keeps the
    other unchanged files and their entries.
    """
    outputs = build_folder(folder)
    made = {f.name for f in files}
    entries = [record_entry(f.name, f.data, f.pages) for f in files]
    if options.only:
        entries += outputs.kept_entries(made)
    manifest = manifest_json(question_set, options, entries, warnings)
    return outputs.write({built.name: built.data for built in files}, manifest, remove_stale=not options.only)


def build_folder(folder: Path) -> OutputFolder:
    return OutputFolder.read(folder, MANIFEST, writer=BUILD_WRITER, option="--out")


def manifest_json(question_set: QuestionSet, options: BuildOptions, entries: list[dict],
                  warnings: tuple[Notice, ...] = ()) -> str:
    order = {name: i for i, name in enumerate(e["path"] for e in entries)}
    manifest = {
        "pack": question_set.pack_id,
        "title": question_set.pack_title,
        "generator": GENERATOR,
        "options": options.manifest_options(),
        "inputs": options.inputs,
        "files": sorted(entries, key=lambda e: order[e["path"]]),
    }
    if warnings:
        manifest["warnings"] = [{"warning": w.text, "questions": list(w.details)} for w in warnings]
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def read_manifest(folder: Path) -> list[dict]:
    """The file entries of quizgen's manifest in `folder`; an unreadable or foreign one counts as none."""
    return read_record(folder, MANIFEST)


# ---- what the user sees --------------------------------------------------------------------------


@dataclass
class Display:
    """What a build says while it runs, once it has run for more than a second: a rich progress bar on a
    terminal, one line per stage on stderr otherwise (logs, CI), nothing with --quiet. How many files the
    build will write is said before, once (make_files)."""

    mode: str = "off"  # "bar", "lines" or "off"
    started: float = field(default_factory=time.perf_counter)
    total: int = 0
    done: int = 0
    _waiting: list[tuple[str, float]] = field(default_factory=list)  # lines from before the first second was up
    _speaking: bool = False
    _progress: object | None = None
    _task: object | None = None

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def expect(self, total: int) -> None:
        self.total = total
        self._maybe_speak()

    def stage(self, line: str) -> None:
        """One stage done (lines mode), said now or as soon as the build has run for a second."""
        if self.mode == "lines":
            self._waiting.append((line, time.perf_counter() - self.started))
            self._maybe_speak()

    def advance(self, name: str) -> None:
        if name:
            self.done += 1
            self.stage(f"[{self.done}/{self.total}] {name}")
        else:
            self._maybe_speak()
        if self.mode != "bar":
            return
        if self._progress is None and time.perf_counter() - self.started > PROGRESS_AFTER:
            self._start()
        if self._progress is not None:
            if name:
                self._progress.update(self._task, completed=self.done, description=name)
            self._progress.refresh()

    def _maybe_speak(self) -> None:
        if self.mode != "lines" or (not self._speaking and time.perf_counter() - self.started <= PROGRESS_AFTER):
            return
        self._speaking = True
        for line, at in self._waiting:
            print(f"quizgen: {line} ({at:.1f} s)", file=sys.stderr, flush=True)
        self._waiting.clear()

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self._progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.description}"), TimeElapsedColumn(),
                                  console=console, transient=True,
                                  # no refresh thread: workers are forked while the bar runs, and a fork
                                  # must not copy a thread that may hold the terminal's lock
                                  auto_refresh=False)
        self._task = self._progress.add_task("", total=self.total, completed=self.done)
        self._progress.start()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def print_summary(result: BuildResult, *, tty: bool) -> None:
    """A table of files on a terminal (for builds over a second), plain lines otherwise."""
    where = display_path(result.folder)
    if tty and result.seconds > PROGRESS_AFTER:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{where}  ({counted(len(result.files), 'file')}, {result.seconds:.1f} s)",
                      title_justify="left")
        for column, justify in (("file", "left"), ("pages", "right"), ("size", "right"), ("time", "right")):
            table.add_column(column, justify=justify)
        for f in result.files:
            table.add_row(f.name, str(f.pages) if f.pages is not None else "", human_size(len(f.data)),
                          f"{f.seconds:.2f} s" if f.seconds else "")
        Console().print(table)
        return
    print(f"built {counted(len(result.files), 'file')} into {where} in {result.seconds:.1f} s (see {MANIFEST})")


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"
