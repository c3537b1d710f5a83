"""Export formats: a registry of name → module, and the two ways the CLI writes them (one format, or all).

Every format module makes its bytes first, `file_bytes(question_set, earlier) -> (bytes, warnings)`, and has
`write(question_set, path) -> list[str | Notice]` that writes them atomically and returns the warnings
(questions the format cannot hold, and why). Modules are imported only when used.
A format that holds only some question types says which, so `quizgen export` deals its set from those.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import QuizgenError
from ..files import write_atomically
from ..model import OPTION_TYPES, QUESTION_TYPES, Question, QuestionSet
from ..ownership import claim_loose_file, record_loose_file
from .common import Notice
from .inputs import EARLIER, LAYOUTS, PARTS, SetDigests

Writer = Callable[[QuestionSet, Path], list[str | Notice]]
Maker = Callable[[QuestionSet, Path | None], tuple[bytes, list[str | Notice]]]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    module: str
    default_file: str
    description: str
    function: str = "write"
    maker: str = "file_bytes"  # the module's function making the file's bytes (and its warnings)
    types: tuple[str, ...] = QUESTION_TYPES  # the question types the format holds
    takes: str = ""  # the module's function saying whether it can hold one question, when types are not enough
    files: str = ""  # the module's function making a build's several files (name → bytes), when it makes several
    # everything the format reads: parts of the question set (inputs.PARTS), the layout folders (LAYOUTS), its
    # own earlier file (EARLIER); a build remakes a format only when one of them changed
    reads: tuple[str, ...] = ("pack", "questions")
    selects: str = ""  # the module's function giving what it reads of the set, when narrower than `reads`
    # the module's function giving what each of a build's several files reads of the set, by file name: a build
    # remakes only the files whose reads changed
    file_reads: str = ""

    def file_maker(self) -> Callable[..., dict[str, bytes]] | None:
        return getattr(importlib.import_module(self.module), self.files) if self.files else None

    def file_digests(self, digests: SetDigests) -> dict[str, str]:
        """A digest of what each of a build's several files reads of the set, by name (see `file_reads`)."""
        reads = getattr(importlib.import_module(self.module), self.file_reads)(digests.question_set)
        return {name: digests.of(value) for name, value in reads.items()}

    def writer(self) -> Writer:
        return getattr(importlib.import_module(self.module), self.function)

    def bytes_maker(self) -> Maker:
        return getattr(importlib.import_module(self.module), self.maker)

    def taker(self) -> Callable[[Question], bool] | None:
        return getattr(importlib.import_module(self.module), self.takes) if self.takes else None

    def set_digest(self, digests: SetDigests) -> str:
        """A digest of everything the format reads from the question set (not its files: layouts, earlier file)."""
        digest = hashlib.sha256(self.name.encode())
        for part in self.reads:
            if part in PARTS:
                digest.update(f"\n{part}:{digests.part(part)}".encode())
        if self.selects:
            selected = getattr(importlib.import_module(self.module), self.selects)(digests.question_set)
            digest.update(f"\n{self.selects}:{digests.of(selected)}".encode())
        return digest.hexdigest()

    def types_to_deal(self, requested: list[str] | None) -> list[str] | None:
        """The types to deal a set from for this format: the requested ones it holds (None: every type)."""
        if self.holds_every_type():
            return requested
        kept = [t for t in (requested or QUESTION_TYPES) if t in self.types]
        if not kept:
            raise QuizgenError.at("--types", f"{self.name} holds only {', '.join(self.types)} questions; "
                                  f"--types asked for {', '.join(requested or ())}")
        return kept

    def holds_every_type(self) -> bool:
        return set(self.types) == set(QUESTION_TYPES)


@dataclass(frozen=True)
class ExportResult:
    format: str
    path: Path
    warnings: tuple[Notice, ...]
    written: bool = True


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    # the Anki deck reads the notes' times from its earlier file (anki.py)
    ExportFormat("anki", "quizgen.export.anki", "anki.apkg", "Anki deck (Basic and Cloze notes)",
                 reads=("pack", "deck", EARLIER)),
    ExportFormat("moodle", "quizgen.export.moodle", "moodle.xml", "Moodle XML question bank"),
    ExportFormat("gift", "quizgen.export.gift", "gift.txt", "GIFT text for Moodle and GIFT-aware tools"),
    ExportFormat("qti", "quizgen.export.qti", "canvas-qti.zip", "QTI 1.2 zip for Canvas"),
    ExportFormat("qti21", "quizgen.export.qti21", "qti21.zip", "IMS QTI 2.1 content package, a test per version",
                 reads=("pack", "questions", "versions")),
    ExportFormat("kahoot", "quizgen.export.kahoot", "kahoot.xlsx", "Kahoot spreadsheet import",
                 types=OPTION_TYPES, takes="takes", reads=("pack",), selects="kahoot_rows"),
    ExportFormat("csv", "quizgen.export.tabular", "questions.csv", "every question and field as CSV",
                 function="write_csv", maker="csv_file_bytes"),
    ExportFormat("tsv", "quizgen.export.tabular", "quizlet.tsv", "term TAB definition for Quizlet-style import",
                 function="write_tsv", maker="tsv_file_bytes", reads=("pack", "deck")),
    ExportFormat("html", "quizgen.export.selftest", "selftest.html", "offline self-test page",
                 reads=("pack", "deck", LAYOUTS)),
    ExportFormat("docx", "quizgen.export.docx", "worksheets.docx", "Word worksheets and answer keys of every "
                 "version (a build: a worksheet and key per version and the study cards)", files="build_files",
                 reads=("pack", "versions", "deck", LAYOUTS), file_reads="build_file_reads"),
)}


def export_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise QuizgenError.at("--format", f"unknown export format {name!r}; expected one of "
                              f"{', '.join(FORMATS)}") from None


def default_output_name(question_set: QuestionSet, fmt: str) -> str:
    """`<pack-id>-<default file name>`, the file `quizgen export` writes when no -o is given."""
    return f"{question_set.pack_id}-{export_format(fmt).default_file}"


def export_to(question_set: QuestionSet, fmt: str, path: Path) -> ExportResult:
    """Write one format to `path`; warnings are returned, not printed."""
    chosen = export_format(fmt)
    try:
        write = chosen.writer()
    except ModuleNotFoundError as exc:
        if exc.name != chosen.module:
            raise
        raise QuizgenError.at("--format", f"the {chosen.name} export is not available in this installation "
                              f"({chosen.module} is missing)") from None
    return ExportResult(chosen.name, Path(path), notices(write(question_set, Path(path))))


def notices(warnings: list[str | Notice]) -> tuple[Notice, ...]:
    return tuple(w if isinstance(w, Notice) else Notice(w) for w in warnings)


def write_export(question_set: QuestionSet, fmt: str, output: Path | None, *, verbose: bool = False,
                 quiet: bool = False, pack: Path | None = None) -> Path:
    """`quizgen export`: one format to `output` (default ./<pack-id>-<file>); warnings go to stderr.

    Like every loose output (ownership.py), it never replaces a file quizgen did not write there, nor one
    changed since, and never writes inside the pack folder `pack`.
    """
    target = Path(output) if output is not None else Path(default_output_name(question_set, fmt))
    claim_loose_file(target, option="--output", pack=pack)
    result = export_to(question_set, fmt, target)
    record_loose_file(target)
    if not quiet:
        print_warnings(result.warnings, verbose=verbose, where="run with --verbose to list them")
    return result.path


def export_all(question_set: QuestionSet, folder: Path, previous: Path | None = None,
               made: dict[str, bytes | dict[str, bytes]] | None = None) -> list[ExportResult]:
    """Every format into `folder` under its default file name, as export_bytes makes them.

    `previous` is the folder of the last build when `folder` is a fresh one: a format whose file is not yet in
    `folder` finds its earlier file there (the Anki deck keeps the modification times of unchanged notes from
    it, so Anki updates only the notes that changed).
    """
    files, results = export_bytes(question_set, (Path(folder), *((Path(previous),) if previous else ())), made)
    for name, data in files.items():
        write_atomically(Path(folder) / name, data)
    return [replace(r, path=Path(folder) / r.path) for r in results]


def export_bytes(question_set: QuestionSet, earlier: tuple[Path, ...] = (),
                 made: dict[str, bytes | dict[str, bytes]] | None = None, only: set[str] | None = None,
                 wanted: dict[str, set[str]] | None = None) -> tuple[dict[str, bytes], list[ExportResult]]:
    """Every format's files by name, made in memory, and a result per file (its path relative to the folder
    it goes into). A format whose module is absent is skipped, and one already `made` elsewhere (format name →
    bytes, or → its files by name) is taken as it is. A format that makes several files in a build (docx: a
    worksheet and a key per version) makes those instead of its one file. A format's earlier file is looked for
    in the `earlier` folders, in order. With `only`, the formats not named there are left out; `wanted` names
    the files to make of a format that makes several (format name → file names; the others are left out)."""
    files: dict[str, bytes] = {}
    results = []
    for chosen in FORMATS.values():
        if only is not None and chosen.name not in only:
            continue
        ready = (made or {}).get(chosen.name)
        if isinstance(ready, bytes):
            files[chosen.default_file] = ready
            results.append(ExportResult(chosen.name, Path(chosen.default_file), ()))
            continue
        try:
            make_files = chosen.file_maker()
            make = None if make_files else chosen.bytes_maker()
        except ModuleNotFoundError as exc:
            if exc.name != chosen.module:
                raise
            results.append(ExportResult(chosen.name, Path(chosen.default_file),
                                        (Notice(f"{chosen.name}: not written: {chosen.module} is not available"),),
                                        written=False))
            continue
        if make_files:
            if ready is None:
                some = (wanted or {}).get(chosen.name)
                ready = make_files(question_set) if some is None else make_files(question_set, wanted=some)
            for name, data in ready.items():
                files[name] = data
                results.append(ExportResult(chosen.name, Path(name), ()))
            continue
        data, warnings = make(question_set, earlier_file(earlier, chosen.default_file))
        files[chosen.default_file] = data
        results.append(ExportResult(chosen.name, Path(chosen.default_file), notices(warnings)))
    return files, results


def earlier_file(folders: tuple[Path, ...], name: str) -> Path | None:
    """The first regular file `name` in `folders`: the one a format writing over it would find."""
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def build_exports(question_set: QuestionSet, folder: Path, previous: Path | None = None,
                  made: dict[str, bytes | dict[str, bytes]] | None = None) -> tuple[list[Path], tuple[Notice, ...]]:
    """Every format into `folder`; returns the files written and the warnings."""
    results = export_all(question_set, folder, previous, made)
    return [r.path for r in results if r.written], tuple(n for r in results for n in r.warnings)


def print_warnings(warnings: tuple[Notice, ...], *, verbose: bool = False, where: str = "") -> None:
    """One line per warning; its per-question details only with `verbose`, else a pointer to them."""
    for warning in warnings:
        pointer = f" ({where})" if warning.details and where and not verbose else ""
        print(f"warning: {warning.text}{pointer}", file=sys.stderr)
        if verbose:
            for detail in warning.details:
                print(f"  {detail}", file=sys.stderr)
