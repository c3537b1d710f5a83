"""`quizgen grade`: every scanned page through locate → identify → read → score, then the reports,
written into the output folder only once all of them exist."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..errors import QuizgenError, display_path
from ..ownership import GENERATOR, OutputFolder, left_alone_line, record_entry
from ..render.answer_sheets import SHEETS_JSON, AnswerSheets, read_answer_sheets
from ..render.html import Layouts
from ..text import counted
from . import report
from .identify import identify_page
from .locate import UnreadablePage, locate_page
from .read import read_page
from .scans import RASTER_DPI, ScanPage, check_scan_files, image_page, pdf_pages
from .score import GradedPage, StudentResult, score_page, students_from

OUT_FOLDER = "grading"
FIXED_OUTPUTS = ("marks.csv", "item-analysis.csv", "report.html", "problems.txt")
RECORD = "grading.json"  # the files the last grading wrote here and their hashes (ownership.py)
GRADING_WRITER = "an earlier grading"
PICTURE_QUALITY = 85
BLANK_INK_SHARE = 0.002  # a page with less dark area than this is an empty back side, not a failed read


@dataclass(frozen=True)
class GradeOptions:
    build: Path
    scans: tuple[Path, ...]
    out: Path | None = None
    jobs: int | None = None
    dpi: int = RASTER_DPI
    quiet: bool = False
    layouts: tuple[Path, ...] = ()  # folders whose grading-report.html replaces the built-in one

    @property
    def out_folder(self) -> Path:
        return self.out if self.out is not None else self.build / OUT_FOLDER


@dataclass(frozen=True)
class Grading:
    results: tuple[StudentResult, ...]
    pages: tuple[GradedPage, ...]
    unreadable: tuple[str, ...]  # `file: page N: message`: pages that could not be used
    problems: tuple[str, ...]  # those, and pages used with a warning (a student number that disagrees)
    notes: tuple[str, ...]  # pages skipped on purpose (blank backs)
    files: dict[str, bytes]


def is_blank(image: np.ndarray) -> bool:
    return float(np.mean(image < 128)) < BLANK_INK_SHARE


def grade_image(image: np.ndarray, sheets: AnswerSheets, file: str, scan_page: int) -> GradedPage:
    """One scanned page, located, identified, read and scored; UnreadablePage says why it cannot be."""
    located = locate_page(image, sheets.paper)
    identity = identify_page(located, sheets.pages[0].code)
    if identity.build != sheets.build:
        raise UnreadablePage(f"this sheet is from another build ({identity.build}); the build graded made "
                             f"sheets {sheets.build}")
    sheet = sheets.page_for(identity.version, identity.page, identity.student_row)
    if sheet is None:
        raise UnreadablePage(f"version {identity.version} page {identity.page} is not in this build's sheets")
    reading = read_page(identity.image, sheet)
    scores, number = score_page(reading)
    # kept as JPEG: a class's worth of raw pages would hold gigabytes until the annotated copies are made
    _, picture = cv2.imencode(".jpg", identity.image, [cv2.IMWRITE_JPEG_QUALITY, PICTURE_QUALITY])
    return GradedPage(file, scan_page, identity.version, identity.page, identity.student_row, identity.turned,
                      reading, scores, number, picture.tobytes())


# ---- pages, in worker processes -------------------------------------------------------------------------

_worker_sheets: AnswerSheets | None = None


def _start_worker(sheets: AnswerSheets) -> None:
    global _worker_sheets
    _worker_sheets = sheets


def _grade_task(task: tuple[str, int, int]) -> GradedPage | tuple[str, str]:
    """A (path, page index, dpi) task: the page's GradedPage, or ('problem'|'blank', message)."""
    path, index, dpi = task
    scan = _one_page(Path(path), index, dpi)
    if scan.image is None:
        return ("problem", f"{scan.where}: {scan.problem}")
    if is_blank(scan.image):
        return ("blank", f"{scan.where}: blank page, skipped")
    try:
        assert _worker_sheets is not None
        return grade_image(scan.image, _worker_sheets, scan.file, scan.number)
    except UnreadablePage as exc:
        return ("problem", f"{scan.where}: {exc}")


def _one_page(path: Path, index: int, dpi: int) -> ScanPage:
    if path.suffix.lower() != ".pdf":
        return image_page(path)
    return next(pdf_pages(path, dpi, only=index))


def page_tasks(files: list[Path], dpi: int) -> list[tuple[str, int, int]]:
    import pypdfium2 as pdfium

    tasks = []
    for path in files:
        if path.suffix.lower() != ".pdf":
            tasks.append((str(path), 0, dpi))
            continue
        try:
            document = pdfium.PdfDocument(str(path))
            count = len(document)
            document.close()
        except (pdfium.PdfiumError, OSError):
            count = 1  # the task reports the file as unreadable
        tasks.extend((str(path), i, dpi) for i in range(count))
    return tasks


class Workers:
    """Worker processes holding the sheets (or this process alone for one job): pages, then annotated copies."""

    def __init__(self, sheets: AnswerSheets, jobs: int):
        self.sheets, self.jobs = sheets, jobs
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.jobs > 1:
            context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
            self._pool = concurrent.futures.ProcessPoolExecutor(max_workers=self.jobs, mp_context=context,
                                                                initializer=_start_worker, initargs=(self.sheets,))
        else:
            _start_worker(self.sheets)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def map(self, function, items: list) -> list:
        if self._pool is None:
            return [function(item) for item in items]
        return list(self._pool.map(function, items, chunksize=max(1, min(4, len(items) // (2 * self.jobs)))))


# ---- the command ---------------------------------------------------------------------------------------


def grade(options: GradeOptions) -> Grading:
    """Everything `quizgen grade` makes, in memory."""
    sheets = read_answer_sheets(Path(options.build) / SHEETS_JSON)
    files = check_scan_files(list(options.scans))
    layouts = Layouts.with_user_folders(options.layouts)
    check_writable(options.out_folder, FIXED_OUTPUTS)  # before the work, not after it
    tasks = page_tasks(files, options.dpi)
    with Workers(sheets, max(1, min(options.jobs or os.cpu_count() or 1, len(tasks)))) as workers:
        outcomes = workers.map(_grade_task, tasks)
        return _reports(sheets, outcomes, workers, layouts)


def _reports(sheets: AnswerSheets, outcomes: list, workers: Workers, layouts: Layouts) -> Grading:
    pages = [o for o in outcomes if isinstance(o, GradedPage)]
    unreadable = [o[1] for o in outcomes if isinstance(o, tuple) and o[0] == "problem"]
    problems = list(unreadable)
    notes = [o[1] for o in outcomes if isinstance(o, tuple) and o[0] == "blank"]
    results, grouping_problems = students_from(pages, sheets)
    problems.extend(grouping_problems)
    stats = report.item_analysis(results, sheets)
    out: dict[str, bytes] = {  # the names of FIXED_OUTPUTS, then the annotated copies
        "marks.csv": report.marks_csv(results).encode("utf-8"),
        "item-analysis.csv": report.item_analysis_csv(stats).encode("utf-8"),
        "report.html": report.report_html(stats, results, sheets, tuple(problems), layouts).encode("utf-8"),
        "problems.txt": problems_text(problems, notes, results).encode("utf-8"),
    }
    scanned = [r for r in results if r.pages]
    for result, pdf in zip(scanned, workers.map(report.annotated_pdf, scanned)):
        out[annotated_name(result.key)] = pdf
    return Grading(results, tuple(pages), tuple(unreadable), tuple(problems), tuple(notes), out)


def problems_text(problems: list[str], notes: list[str], results: tuple[StudentResult, ...]) -> str:
    """Pages that could not be used, pages skipped, then every student's flags: one list to work through."""
    lines = [*problems, *notes, *(f"{r.key}: {flag}" for r in results for flag in r.flags)]
    return "".join(f"{line}\n" for line in lines)


def annotated_name(key: str) -> str:
    return "annotated-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_") + ".pdf"


def grading_folder(folder: Path) -> OutputFolder:
    return OutputFolder.read(folder, RECORD, writer=GRADING_WRITER, option="--out")


def check_writable(folder: Path, names) -> None:
    """The folder can take these files without replacing one that an earlier grading did not write, or wrote
    and someone changed since (ownership.py: the rule the build follows)."""
    refuse_a_file(folder)
    grading_folder(folder).refuse_foreign(names)


def refuse_a_file(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise QuizgenError.at(folder, "is a file; --out needs a folder", field="--out")


def write_grading(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Write the files and the record of their hashes, refusing the folder as check_writable does; earlier
    outputs this grading does not make are removed when unchanged. Returns the names of earlier outputs left
    alone because they were changed since."""
    refuse_a_file(folder)
    record = {"generator": GENERATOR, "files": [record_entry(name, data) for name, data in files.items()]}
    return grading_folder(folder).write(files, json.dumps(record, indent=1) + "\n")


def run_grade(options: GradeOptions) -> int:
    grading = grade(options)
    folder = options.out_folder
    if not grading.pages:
        for line in grading.problems:
            print(line, file=sys.stderr)
        skipped = f" ({len(grading.notes)} blank pages skipped)" if grading.notes else ""
        print(f"no page could be graded{skipped}, so nothing was written into {display_path(folder)}",
              file=sys.stderr)
        return 1
    left_alone = write_grading(folder, grading.files)
    for line in grading.problems:
        print(line, file=sys.stderr)
    for name in left_alone:
        print(left_alone_line(folder, name, GRADING_WRITER), file=sys.stderr)
    if not options.quiet:
        flagged = sum(1 for r in grading.results if r.flags)
        students = sum(1 for r in grading.results if r.pages)
        print(f"graded {counted(len(grading.pages), 'page')} of {counted(students, 'student')} into "
              f"{display_path(folder)} (marks.csv, report.html, item-analysis.csv, annotated PDFs); "
              f"{counted(flagged, 'student')} with flags, {counted(len(grading.problems), 'problem')}"
              + (f", {counted(len(grading.notes), 'blank page')} skipped" if grading.notes else ""))
    return 1 if grading.unreadable else 0
