"""`quizgen grade`: every scanned page through locate → identify → read → score, then the reports,
written into the output folder only once all of them exist.

Each file is opened and each page decoded and graded in a bounded worker (sandbox.py): a page that breaks
a limit, or fails in any way, is one line among the problems, and the other pages are graded as usual.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from .. import sandbox
from ..errors import QuizgenError, display_path
from ..model import stable_id
from ..ownership import GENERATOR, OutputFolder, left_alone_line, record_entry
from ..render.layouts import Layouts, user_layout_blame
from ..sandbox import BoundedRun, Failed, Task, run_bounded
from ..sheets.record import SHEETS_JSON, STUDENT_NUMBER, AnswerSheets, SheetPage, read_answer_sheets
from ..text import counted
from . import report
from .corrections import CORRECTIONS, Correction, apply_corrections, read_corrections
from .identify import identify_page, probable_identity
from .locate import UnmappedPage, UnreadablePage, estimated_scale, grey_image, locate_page, proven
from .numbering import question_numbers
from .read import is_two_tone, read_page
from .scans import (RASTER_DPI, RESCAN, ScanPage, find_scans, image_page, image_page_count, is_blank, pdf_page_count,
                    pdf_pages, shown)
from .score import GradedPage, StudentResult, score_page, students_from

OUT_FOLDER = "grading"
FIXED_OUTPUTS = ("marks.csv", "item-analysis.csv", "report.html", "problems.txt")
RECORD = "grading.json"  # the files the last grading wrote here and their hashes (ownership.py)
GRADING_WRITER = "an earlier grading"
PICTURE_QUALITY = 85
MAX_PAGES = 10_000  # pages in one grading: a whole school's pile; a file that would pass it is not read
BATCH = 8  # pages (or students' annotated copies) one worker takes in turn: a fork costs more than a page


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
    notes: tuple[str, ...]  # pages skipped on purpose (blank backs), files in scan folders left out
    files: dict[str, bytes]
    left_out: tuple[str, ...] = ()  # files in the scan folders that were not read, and why
    corrections: tuple[str, ...] = ()  # each row of corrections.csv: applied, or kept and why not applied


def grade_image(image: np.ndarray, sheets: AnswerSheets, file: str, scan_page: int) -> GradedPage:
    """One scanned page, located, identified, read and scored; UnreadablePage says why it cannot be."""
    try:
        located = locate_page(image, sheets.paper)
    except UnmappedPage as exc:
        raise UnreadablePage(f"{exc}{_whose(grey_image(image), sheets)}") from None
    identity = identify_page(located, sheets.pages[0].code)
    if identity.build != sheets.build:
        raise UnreadablePage(f"this sheet is from another build ({identity.build}); the build graded made "
                             f"sheets {sheets.build}")
    sheet = sheets.page_for(identity.version, identity.page, identity.student_row)
    if sheet is None:
        raise UnreadablePage(f"version {identity.version} page {identity.page} is not in this build's sheets")
    if not located.light.readable:
        raise UnreadablePage(f"{located.light.problem()} ({sheet_named(sheet)})")
    boxes = [b for item in sheet.items for b in item.boxes] + [b for column in sheet.digits for b in column]
    try:
        upright = proven(located, identity.turned, boxes, sheets.paper)
    except UnreadablePage as exc:
        raise UnreadablePage(f"{exc} ({sheet_named(sheet)})") from None
    reading = read_page(upright.image, sheet, two_tone=is_two_tone(grey_image(image)), scanned=upright.scanned)
    scores, number = score_page(reading)
    # kept as JPEG: a class's worth of raw pages would hold gigabytes until the annotated copies are made
    _, picture = cv2.imencode(".jpg", upright.image, [cv2.IMWRITE_JPEG_QUALITY, PICTURE_QUALITY])
    return GradedPage(file, scan_page, identity.version, identity.page, identity.student_row, identity.turned,
                      reading, scores, number, picture.tobytes())


def _whose(scan: np.ndarray, sheets: AnswerSheets) -> str:
    """` (version A page 1, the sheet of 240101 Amina Haddad)` when a refused page's code can still be read."""
    found = probable_identity(scan, estimated_scale(scan, sheets.paper))
    if found is None or found[0] != sheets.build:
        return ""
    sheet = sheets.page_for(found[1], found[2], found[3])
    return f" ({sheet_named(sheet)})" if sheet is not None else ""


def sheet_named(sheet: SheetPage) -> str:
    """Whose sheet a refused page is, as its code says: a teacher can find it in the pile."""
    student = f"{sheet.student.number} {sheet.student.name}".strip() if sheet.student is not None else ""
    return f"version {sheet.version} page {sheet.page}" + (f", the sheet of {student}" if student else "")


# ---- pages, in bounded worker processes -----------------------------------------------------------------


@dataclass(frozen=True)
class PageTask:
    path: Path
    index: int  # 0-based page of the file
    dpi: int

    @property
    def where(self) -> str:
        return f"{shown(self.path)}: page {self.index + 1}"


def grade_scan_page(task: PageTask, sheets: AnswerSheets) -> GradedPage | tuple[str, str]:
    """In a worker: the page's GradedPage, or ('problem'|'blank', message)."""
    scan = _one_page(task.path, task.index, task.dpi)
    if scan.image is None:
        return ("problem", f"{scan.where}: {scan.problem}")
    if is_blank(scan.image):
        return ("blank", f"{scan.where}: blank page, skipped")
    try:
        return grade_image(scan.image, sheets, scan.file, scan.number)
    except UnreadablePage as exc:
        return ("problem", f"{scan.where}: {exc}")


def _one_page(path: Path, index: int, dpi: int) -> ScanPage:
    if path.suffix.lower() != ".pdf":
        return image_page(path, index)
    return next(pdf_pages(path, dpi, only=index))


def page_count(path: Path) -> int | str:
    """In a worker: the pages of a PDF or an image file (a copier's TIFF has many), or why it cannot be opened."""
    return pdf_page_count(path) if path.suffix.lower() == ".pdf" else image_page_count(path)


def page_tasks(files: list[Path], dpi: int, jobs: int) -> tuple[list[PageTask], list[str]]:
    """A task per page of every file, and a line for each file that cannot be opened or has too many pages.

    A file is opened, to count its pages, in a bounded worker too: its structure alone can be a bomb."""
    with BoundedRun([Task(page_count, (path,), shown(path)) for path in files], sandbox.DECODE_LIMITS,
                    jobs=jobs, batch=BATCH) as run:
        counts = dict(zip(files, run.each()))
    tasks: list[PageTask] = []
    problems: list[str] = []
    for path in files:
        count = counts.get(path, 1)
        if isinstance(count, Failed):
            problems.append(f"{shown(path)}: cannot be read: {_breach(count)}; {RESCAN}")
        elif isinstance(count, str):
            problems.append(f"{shown(path)}: {count}")
        elif count == 0:
            problems.append(f"{shown(path)}: the PDF has no pages")
        elif len(tasks) + count > MAX_PAGES:
            problems.append(f"{shown(path)}: {count:,} pages would make more than {MAX_PAGES:,} in one grading; "
                            "not read: grade the scans in smaller batches")
        else:
            tasks.extend(PageTask(path, i, dpi) for i in range(count))
    return tasks, problems


def graded_pages(tasks: list[PageTask], sheets: AnswerSheets, jobs: int) -> list:
    """Each task's GradedPage or ('problem'|'blank', line), in order; a page that failed or broke a limit
    is a problem line naming its file and page."""
    work = [Task(grade_scan_page, (task, sheets), task.where) for task in tasks]
    with BoundedRun(work, sandbox.DECODE_LIMITS, jobs=jobs, batch=BATCH) as run:
        outcomes = run.each()
    return [("problem", f"{task.where}: cannot be read: {_breach(outcome)}; {RESCAN}")
            if isinstance(outcome, Failed) else outcome for task, outcome in zip(tasks, outcomes)]


def load_decoders() -> None:
    """Import PDFium and Pillow's plugins here, once, rather than in every worker forked from this process."""
    import pypdfium2  # noqa: F401
    from PIL import Image

    Image.init()
    report.annotation_fonts()  # found once, not by every worker that draws annotated pages


def _breach(failed: Failed) -> str:
    """What the worker's limits or failure said, without the name the line starts with already."""
    return "; ".join(problem.message.removesuffix("; stopped") for problem in failed.problems)


# ---- the command ---------------------------------------------------------------------------------------


def grade(options: GradeOptions) -> Grading:
    """Everything `quizgen grade` makes, in memory."""
    sheets = build_sheets(Path(options.build), options.scans)
    scans = find_scans(list(options.scans), own_folder=options.out_folder)
    layouts = Layouts.with_user_folders(options.layouts)
    check_writable(options.out_folder, FIXED_OUTPUTS)  # before the work, not after it
    corrections = read_corrections(options.out_folder / CORRECTIONS)
    jobs = max(1, options.jobs or os.cpu_count() or 1)
    load_decoders()
    tasks, unopened = page_tasks(scans.files, options.dpi, jobs)
    outcomes = [("problem", line) for line in unopened] + graded_pages(tasks, sheets, jobs)
    return _reports(sheets, outcomes, jobs, layouts, scans.left_out, corrections,
                    shown(options.out_folder / CORRECTIONS))


def build_sheets(build: Path, scans: tuple[Path, ...]) -> AnswerSheets:
    """The build folder's answer sheets; a scan given first (the arguments swapped) or the folder above a
    build folder is one line saying what to type instead."""
    if os.path.lexists(build) and not build.is_dir():
        swapped = next((Path(s) for s in scans if (Path(s) / SHEETS_JSON).is_file()), None)
        hint = (f"the arguments look swapped: quizgen grade {shown(swapped)} {shown(build)}" if swapped
                else "the build folder (holding answer-sheets.json) comes first: quizgen grade BUILD_FOLDER SCANS…")
        raise QuizgenError.at(shown(build), f"is a file, not a build folder; {hint}", field="BUILD_FOLDER")
    if not os.path.lexists(build):
        raise QuizgenError.at(shown(build), "no such folder; expected the build folder holding answer-sheets.json",
                              field="BUILD_FOLDER")
    if not os.path.lexists(build / SHEETS_JSON):
        below = sorted(p for p in build.iterdir() if p.is_dir() and (p / SHEETS_JSON).is_file())
        if below:
            names = ", ".join(shown(p) for p in below[:3]) + (" …" if len(below) > 3 else "")
            raise QuizgenError.at(shown(build / SHEETS_JSON),
                                  f"no answer sheets in this folder, but in its build folder{'s' if len(below) > 1 else ''} "
                                  f"{names}: quizgen grade {shown(below[0])} SCANS…")
    return read_answer_sheets(build / SHEETS_JSON)


def _reports(sheets: AnswerSheets, outcomes: list, jobs: int, layouts: Layouts, left_out: list[str],
             corrections: tuple[Correction, ...] = (), corrections_path: str = CORRECTIONS) -> Grading:
    pages = [o for o in outcomes if isinstance(o, GradedPage)]
    unreadable = [o[1] for o in outcomes if isinstance(o, tuple) and o[0] == "problem"]
    problems = list(unreadable)
    notes = [*left_out, *(o[1] for o in outcomes if isinstance(o, tuple) and o[0] == "blank")]
    results, grouping_problems = students_from(pages, sheets)
    problems.extend(grouping_problems)
    applied = apply_corrections(results, corrections, question_numbers(sheets), corrections_path)
    results = applied.results
    stats = report.item_analysis(results, sheets)
    out: dict[str, bytes] = {  # the names of FIXED_OUTPUTS, then the annotated copies
        "marks.csv": report.marks_csv(results, question_numbers(sheets)).encode("utf-8"),
        "item-analysis.csv": report.item_analysis_csv(stats).encode("utf-8"),
        "report.html": report_page(stats, results, sheets, tuple(problems), layouts).encode("utf-8"),
        "problems.txt": problems_text(problems, [*notes, *applied.notes], results).encode("utf-8"),
    }
    scanned = [r for r in results if r.pages]
    with BoundedRun([Task(report.annotated_pdf, (r,), annotated_name(r.key), field="") for r in scanned],
                    sandbox.RENDER_LIMITS, jobs=jobs, batch=BATCH) as run:
        annotated = run.results()
    for result, pdf in zip(scanned, annotated):
        out[annotated_name(result.key)] = pdf
    return Grading(results, tuple(pages), tuple(unreadable), tuple(problems), tuple(notes), out, tuple(left_out),
                   applied.notes)


def report_page(stats, results, sheets: AnswerSheets, problems: tuple[str, ...], layouts: Layouts) -> str:
    """report.html; with a user's layout, rendered in a bounded worker like the build's layouts."""
    if len(layouts.folders) == 1:
        return report.report_html(stats, results, sheets, problems, layouts)
    blame = user_layout_blame(layouts.folders, display_path(layouts.folders[0]))
    return run_bounded(Task(report.report_html, (stats, results, sheets, problems, layouts), blame),
                       sandbox.RENDER_LIMITS)


def problems_text(problems: list[str], notes: list[str], results: tuple[StudentResult, ...]) -> str:
    """Pages that could not be used, pages skipped, then every student's flags: one list to work through."""
    lines = [*problems, *notes, *(f"{r.key}: {flag}" for r in results for flag in r.flags)]
    return "".join(f"{line}\n" for line in lines)


NAME_PART = 80  # characters of a key kept in an annotated copy's name; the hash beside it keeps it unique


def annotated_name(key: str) -> str:
    """annotated-NUMBER.pdf for a student number; any other key (`unidentified (d1/a b.pdf page 3)`) is made
    safe for a file name and followed by a hash of the whole key, because making it safe loses what told two
    keys apart (`a b.pdf`, `a_b.pdf`): every key gets its own name, and the same one at every grading."""
    if STUDENT_NUMBER.fullmatch(key):
        return f"annotated-{key}.pdf"
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_.")
    if len(safe) > NAME_PART:  # the end names the file and page; the start says it is unidentified
        safe = safe[:20] + "_" + safe[-(NAME_PART - 21):]
    return f"annotated-{safe}-{stable_id(key, length=10)}.pdf"


def grading_folder(folder: Path) -> OutputFolder:
    return OutputFolder.read(folder, RECORD, writer=GRADING_WRITER, option="--out")


def check_writable(folder: Path, names) -> None:
    """The folder can take these files without replacing one that an earlier grading did not write, or wrote
    and someone changed since (ownership.py: the rule the build follows)."""
    refuse_a_file(folder)
    outputs = grading_folder(folder)
    try:
        outputs.refuse_foreign(names)
    except QuizgenError as exc:
        edited = {e["path"] for e in outputs.previous if e["path"] == "marks.csv"}
        raise QuizgenError([replace(p, message=p.message + EDITED_MARKS) if edited and p.path.endswith("marks.csv")
                            else p for p in exc.problems]) from None


EDITED_MARKS = ("; a score you changed in it belongs in corrections.csv beside it (student,question,score,note), "
                "which every grading applies and never writes")


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
        for line in (*(() if options.quiet else grading.left_out), *grading.problems):
            print(line, file=sys.stderr)
        skipped = f" ({len(grading.notes)} blank pages skipped)" if grading.notes else ""
        print(f"no page could be graded{skipped}, so nothing was written into {display_path(folder)}",
              file=sys.stderr)
        return 1
    left_alone = write_grading(folder, grading.files)
    for line in (*(() if options.quiet else grading.left_out), *grading.problems):
        print(line, file=sys.stderr)
    for name in left_alone:
        print(left_alone_line(folder, name, GRADING_WRITER), file=sys.stderr)
    for line in grading.corrections:
        if not options.quiet or "not applied" in line:
            print(line, file=sys.stderr if "not applied" in line else sys.stdout)
    if not options.quiet:
        flagged = sum(1 for r in grading.results if r.flags)
        students = sum(1 for r in grading.results if r.pages)
        print(f"graded {counted(len(grading.pages), 'page')} of {counted(students, 'student')} into "
              f"{display_path(folder)} (marks.csv, report.html, item-analysis.csv, annotated PDFs); "
              f"{counted(flagged, 'student')} with flags, {counted(len(grading.problems), 'problem')}"
              + (f", {counted(len(grading.notes), 'blank page')} skipped" if grading.notes else ""))
    return 1 if grading.unreadable else 0
