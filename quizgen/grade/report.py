"""What grading writes: marks.csv, an annotated PDF per student, the item analysis (CSV and an
offline HTML page with a chart), and the list of problems, all as bytes for run.py to write."""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import unicodedata
from dataclasses import dataclass

import cv2
import numpy as np

from ..export.common import spreadsheet_text
from ..model import format_number
from ..render.layouts import Layouts, render_layout
from ..sheets.paper import Box
from ..sheets.record import AnswerSheets, SheetItem
from .locate import PX_PER_MM
from .numbering import QuestionNumber, question_numbers
from .score import GradedPage, QuestionScore, StudentResult

REPORT_LAYOUT = "grading-report.html"
SEVERAL_WORD = 13.0  # mm the word "several" takes after a multiple-response row's last box
GREEN, RED, ORANGE, BLUE = (40, 150, 40), (30, 30, 210), (0, 140, 255), (200, 110, 20)


def score_text(score: QuestionScore | None) -> str:
    if score is None:
        return ""
    if score.score is None:
        return "?"
    return f"{score.score:.2f}".rstrip("0").rstrip(".") if score.score % 1 else str(int(score.score))


def number_text(value: float) -> str:
    """A mark as the report writes it: at most two decimals, no separators ('17.5', '3')."""
    return format_number(value, grouped=False, places=2)


# ---- marks.csv ---------------------------------------------------------------------------------------


def spreadsheet_row(cells) -> list[str]:
    """A CSV row whose cells a spreadsheet shows as text: names from a class list, questions built from a
    pack's entity names and scan file names may start like a formula, and are quoted as the exports do."""
    return [spreadsheet_text(str(cell)) for cell in cells]


def question_header(number: QuestionNumber) -> str:
    """`Q7 (A7 B2 C11)`: the shared number, then where the question sits on each version's sheet."""
    return f"{number.label} ({number.sheet_numbers})"


def marks_csv(results: tuple[StudentResult, ...], numbers: dict[str, QuestionNumber]) -> str:
    """One row per student: a column per question in the shared numbering (whatever the student's version),
    total, whether it is provisional, out of, flags, the teacher's corrections."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "name", "version", *(question_header(n) for n in numbers.values()), "total",
                     "provisional", "out_of", "complete", "pages", "flags", "corrections"])
    for r in results:
        by_id = {s.question_id: s for s in r.scores}
        writer.writerow(spreadsheet_row([
            r.key, r.name, r.version, *(score_text(by_id.get(q)) for q in numbers),
            number_text(r.total), "yes" if r.provisional else "no", r.questions, "yes" if r.complete else "no",
            " ".join(f"{p.file}#{p.scan_page}" for p in r.pages), " | ".join(r.flags),
            " | ".join(f"{numbers[s.question_id].label if s.question_id in numbers else s.number}: {s.corrected}"
                       for s in r.scores if s.corrected)]))
    return out.getvalue()


# ---- item analysis -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    text: str
    correct: bool
    chosen: int


@dataclass(frozen=True)
class ItemStats:
    """How one question did across the class: difficulty is the mean score (1 = everyone right);
    discrimination is the correlation of its score with the rest of the test (item-rest)."""

    question_id: str
    number: int  # the shared number (Q7), the first version's order
    type: str
    prompt: str
    answered: int
    difficulty: float | None
    discrimination: float | None
    options: tuple[OptionCount, ...]
    blank: int
    several: int
    on_sheets: str = ""  # its number on every version's sheet: A7 B2 C11


def item_analysis(results: tuple[StudentResult, ...], sheets: AnswerSheets) -> tuple[ItemStats, ...]:
    numbers = question_numbers(sheets)
    items: dict[str, SheetItem] = {}
    for page in sorted(sheets.pages, key=lambda p: (p.version, p.page)):
        for item in page.items:
            items.setdefault(item.question_id, item)
    stats = []
    for question_id, item in sorted(items.items(), key=lambda kv: numbers[kv[0]].shared):
        pairs, counts, blank, several = [], {t: 0 for t in item.option_texts}, 0, 0
        for r in results:
            score = next((s for s in r.scores if s.question_id == question_id), None)
            if score is None or score.score is None:
                continue
            pairs.append((score.score, r.total - score.score))
            if not item.teacher_scored:
                texts = _option_texts(r, score)
                for i in score.ticked:
                    counts[texts[i]] = counts.get(texts[i], 0) + 1
                blank += not score.ticked
                several += len(score.ticked) > 1 and score.type != "multiple-response"
        correct = dict(zip(item.option_texts, item.correct))
        stats.append(ItemStats(question_id, numbers[question_id].shared, item.type, item.prompt, len(pairs),
                               sum(p[0] for p in pairs) / len(pairs) if pairs else None, _correlation(pairs),
                               tuple(OptionCount(t, correct.get(t, False), n) for t, n in counts.items()),
                               blank, several, numbers[question_id].sheet_numbers))
    return tuple(stats)


def _option_texts(result: StudentResult, score: QuestionScore) -> tuple[str, ...]:
    for page in result.pages:
        for reading in page.reading.items:
            if reading.item.number == score.number:
                return reading.item.option_texts
    return ()


def _correlation(pairs: list[tuple[float, float]]) -> float | None:
    if len(pairs) < 3:
        return None
    values = np.array(pairs, dtype=float)
    if values[:, 0].std() == 0 or values[:, 1].std() == 0:
        return None
    return float(np.corrcoef(values[:, 0], values[:, 1])[0, 1])


def item_analysis_csv(stats: tuple[ItemStats, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question", "on_sheets", "question_id", "type", "answered", "difficulty", "discrimination",
                     "blank", "several_ticked", "options", "prompt"])
    for s in stats:
        options = "; ".join(f"{'*' if o.correct else ''}{o.text}: {o.chosen}" for o in s.options)
        writer.writerow(spreadsheet_row([f"Q{s.number}", s.on_sheets, s.question_id, s.type, s.answered,
                                         _rounded(s.difficulty),
                                         _rounded(s.discrimination), s.blank, s.several, options, s.prompt]))
    return out.getvalue()


def _rounded(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def score_histogram(results: tuple[StudentResult, ...]) -> tuple[tuple[str, int], ...]:
    """Students per whole mark of the total, for the report's second chart."""
    scored = [r for r in results if r.pages]
    if not scored:
        return ()
    top = max(r.questions for r in scored)
    bins = [0] * (top + 1)
    for r in scored:
        bins[min(int(math.floor(r.total)), top)] += 1
    return tuple((str(n), count) for n, count in enumerate(bins))


def report_html(stats: tuple[ItemStats, ...], results: tuple[StudentResult, ...], sheets: AnswerSheets,
                problems: tuple[str, ...], layouts: Layouts) -> str:
    scored = [r for r in results if r.pages]
    totals = [r.total for r in scored]
    context = {
        "title": sheets.title,
        "language": "en",
        "stats": stats,
        "students": len(scored),
        "mean": sum(totals) / len(totals) if totals else None,
        "out_of": max((r.questions for r in scored), default=0),
        "histogram": score_histogram(results),
        "flagged": sum(1 for r in results if r.flags),
        "provisional": sum(1 for r in scored if r.provisional),
        "first_version": min((p.version for p in sheets.pages), default=""),
        "problems": problems,
    }
    return render_layout(layouts, REPORT_LAYOUT, context)


# ---- annotated pages -----------------------------------------------------------------------------------


def _px(value: float) -> int:
    return round(value * PX_PER_MM)


def _rectangle(image: np.ndarray, box: Box, colour, grow: float = 0.9, thickness: int = 2) -> None:
    cv2.rectangle(image, (_px(box.x - grow), _px(box.y - grow)), (_px(box.right + grow), _px(box.bottom + grow)),
                  colour, thickness, cv2.LINE_AA)


def _circle(image: np.ndarray, box: Box, colour) -> None:
    centre = (_px(box.x + box.width / 2), _px(box.y + box.height / 2))
    cv2.circle(image, centre, _px(box.width * 0.85), colour, 2, cv2.LINE_AA)


# the worksheets' fonts (quizgen.css), found as files: Pillow draws with a font file, not a family name
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "DejaVuSans.ttf")
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts", "/Library/Fonts",
                "/System/Library/Fonts", "C:/Windows/Fonts")
HERSHEY_HEIGHT = 30  # pixels of a Pillow font size that match the height of OpenCV's text at scale 1


@functools.cache
def annotation_fonts() -> tuple[tuple[str, frozenset[int]], ...]:
    """The font files found, in FONT_FILES order, each with the characters it has a glyph for."""
    from fontTools.ttLib import TTFont, TTLibError

    wanted, found = set(FONT_FILES), {}
    for folder in FONT_FOLDERS:
        for root, _, names in os.walk(os.path.expanduser(folder)):
            for name in wanted.intersection(names) - set(found):
                try:
                    found[name] = (os.path.join(root, name), frozenset(TTFont(os.path.join(root, name), lazy=True)
                                                                       .getBestCmap() or ()))
                except (OSError, TTLibError, AssertionError, KeyError):
                    continue
    return tuple(found[name] for name in FONT_FILES if name in found)


def font_runs(text: str, fonts) -> list[tuple[str, int]]:
    """The text cut into runs each drawn with one font (an index into `fonts`, -1 for none): a letter takes the
    first font that has it; a space or punctuation mark stays in the current run when the next letter does too,
    so an Arabic name of several words is one run, shaped and ordered right to left as a whole."""
    def first_with(char: str) -> int:
        return next((i for i, (_, chars) in enumerate(fonts) if ord(char) in chars), -1)

    runs: list[tuple[str, int]] = []
    for index, char in enumerate(text):
        current = runs[-1][1] if runs else None
        if current is not None and current >= 0 and ord(char) in fonts[current][1]:
            following = next((c for c in text[index:] if c.isalnum()), "")
            if not unicodedata.category(char)[0] in "ZP" or not following or ord(following) in fonts[current][1]:
                runs[-1] = (runs[-1][0] + char, current)
                continue
        font = first_with(char)
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs


def _draw_labels(image: np.ndarray, labels: list[tuple[str, float, float, tuple, float]]) -> np.ndarray:
    """The labels drawn in the worksheets' fonts, so accented and Arabic names keep their letters (Pillow
    shapes Arabic with Raqm); without any of those fonts, OpenCV's own font draws what ASCII it can."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = annotation_fonts()
    if not fonts:
        for text, x_mm, y_mm, colour, scale in labels:
            cv2.putText(image, text.encode("ascii", "replace").decode(), (_px(x_mm), _px(y_mm)),
                        cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 2, cv2.LINE_AA)
        return image
    picture = Image.fromarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(picture)
    for text, x_mm, y_mm, colour, scale in labels:
        x, size = float(_px(x_mm)), round(scale * HERSHEY_HEIGHT)
        for run, index in font_runs(text, fonts):
            font = ImageFont.truetype(fonts[max(index, 0)][0], size)
            draw.text((x, _px(y_mm)), run, fill=tuple(reversed(colour)), font=font, anchor="ls")
            x += draw.textlength(run, font=font)
    return cv2.cvtColor(np.asarray(picture), cv2.COLOR_RGB2BGR)


def annotated_page(page: GradedPage, result: StudentResult) -> np.ndarray:
    """The upright scan with ticks circled (green right, red wrong, blue a teacher's score or a digit),
    the key's boxes framed in green, unclear boxes framed in orange, each question's score beside it,
    and the student number as read."""
    image = cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR)
    labels: list[tuple[str, float, float, tuple, float]] = []
    scores = {s.number: s for s in page.scores} | {s.number: s for s in result.scores}  # with the teacher's
    corrected = []
    for reading in page.reading.items:
        item, score = reading.item, scores[reading.item.number]
        for index, (box_reading, box) in enumerate(zip(reading.boxes, item.boxes)):
            where = box_reading.box
            if not item.teacher_scored and item.correct[index]:
                _rectangle(image, where, GREEN)
            if box_reading.state == "unclear":
                _rectangle(image, where, ORANGE, grow=1.4, thickness=3)
            elif box_reading.state == "ticked":
                colour = BLUE if item.teacher_scored else GREEN if item.correct[index] else RED
                _circle(image, where, colour)
        last = reading.boxes[-1].box
        colour = ORANGE if score.score is None else GREEN if score.score == 1 else RED if score.score == 0 else BLUE
        past = SEVERAL_WORD if item.type == "multiple-response" else 0.0  # the sheet prints "several" there
        if score.corrected:
            colour = BLUE
            corrected.append(f"q{item.number}: {score_text(score)} ({score.corrected})")
        labels.append((score_text(score) + ("*" if score.corrected else ""), last.right + 1.8 + past,
                       last.bottom - 0.6, colour, 0.55))
    for column in page.reading.digits:
        for digit in column:
            if digit.state != "empty":
                _circle(image, digit.box, BLUE if digit.state == "ticked" else ORANGE)
    below = page.reading.page.digits[0][-1]
    read_as = page.number.flag or f"number read: {page.number.digits}"
    labels.append((read_as, below.x - 5.0, below.bottom + 5.0, ORANGE if page.number.flag else BLUE, 0.5))
    if corrected:  # under the header line, clear of the sheet's title and of its footer
        labels.append(("* corrected by the teacher (corrections.csv): " + "; ".join(corrected), 20, 13.0, BLUE, 0.5))
    who = f"{result.key} {result.name}".strip()
    provisional = f" provisional, {result.unscored} ? to score" if result.provisional else ""
    labels.append((f"{who} - version {page.version} page {page.page}/{page.reading.page.pages} - "
                   f"total {number_text(result.total)}/{result.questions}{provisional}"
                   f"{' - ' + str(len(result.flags)) + ' flag(s), see marks.csv' if result.flags else ''}",
                   20, 7.5, RED if result.flags else GREEN, 0.7))
    return _draw_labels(image, labels)


def annotated_pdf(result: StudentResult) -> bytes:
    """The student's pages, annotated, as one PDF of JPEG pages at the canonical resolution."""
    from PIL import Image

    pictures = [Image.fromarray(cv2.cvtColor(annotated_page(p, result), cv2.COLOR_BGR2RGB)) for p in result.pages]
    out = io.BytesIO()
    pictures[0].save(out, "PDF", resolution=PX_PER_MM * 25.4, save_all=True, append_images=pictures[1:],
                     quality=80)
    return out.getvalue()
