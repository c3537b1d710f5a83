"""Word documents (.docx): a worksheet and an answer key per version, and the study deck as a card table.

Each document is a layout `.docx` (templates/layouts/worksheet.docx, answer-key.docx, flashcards.docx; a
`--layouts` folder replaces them by file name) rendered with docxtpl in quizgen's Jinja2 sandbox: the layout
holds the page, the styles, the header and footer and the fixed text, and its `{{p body }}` paragraph becomes
the questions, written here as real Word structures in the layout's styles (a numbered list, option lines with ☐,
tables for matching and for the key's grid). `quizgen export --format docx` writes every version's worksheet,
then every version's key, into one document, each in its own section (a new page, its own header and page
numbers). Times in docProps/core.xml and the zip's entry dates are fixed, so the same set gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import write_atomically
from ..model import BLANK, Question, QuestionSet, Version, format_number, option_letter
from ..render.flashcards import flashcards_for
from ..render.layouts import Layouts

if TYPE_CHECKING:  # python-docx, docxtpl and lxml are imported only where a document is made
    from .docx_body import Sheet
    from .docx_layout import Layout

WORKSHEET = "worksheet.docx"
ANSWER_KEY = "answer-key.docx"
FLASHCARDS = "flashcards.docx"
WRITE_LINE = "_" * 30
CLOZE_LINE = "_" * 16


def write(question_set: QuestionSet, path: Path, layouts: Layouts | None = None) -> list[str]:
    """`quizgen export --format docx`: every version's worksheet, then every version's key, in one document."""
    write_atomically(path, combined_docx(question_set, layouts or Layouts.with_user_folders()))
    return []


def build_files(question_set: QuestionSet, layouts: Layouts | None = None,
                wanted: set[str] | None = None) -> dict[str, bytes]:
    """`quizgen build`: worksheet-A.docx, answer-key-A.docx… for each version, and flashcards.docx; with
    `wanted`, only the files named there (a layout is read only when one of its files is wanted)."""
    from .docx_layout import read_layout

    layouts = layouts or Layouts.with_user_folders()
    makers = build_file_makers(question_set)
    files: dict[str, bytes] = {}
    read: dict[str, Layout] = {}
    for name, (layout_file, make) in makers.items():
        if wanted is None or name in wanted:
            if layout_file not in read:
                read[layout_file] = read_layout(layouts, layout_file)
            files[name] = make(read[layout_file])
    return files


def build_file_makers(question_set: QuestionSet) -> dict[str, tuple[str, Callable[[Layout], bytes]]]:
    """Each file of a build by name: the layout it is made with, and how (given that layout read)."""
    makers: dict[str, tuple[str, Callable[[Layout], bytes]]] = {}
    for v in question_set.versions:
        makers[f"worksheet-{file_code(v)}.docx"] = (WORKSHEET, lambda layout, v=v: worksheet(question_set, v, layout))
    for v in question_set.versions:
        makers[f"answer-key-{file_code(v)}.docx"] = (ANSWER_KEY,
                                                    lambda layout, v=v: answer_key(question_set, v, layout))
    makers[FLASHCARDS] = (FLASHCARDS, lambda layout: flashcards(question_set, layout))
    return makers


# what a worksheet does not print of a question: an edit of these leaves every worksheet as it was
NOT_ON_A_WORKSHEET = {"id": "", "template_id": "", "answer": "", "explanation": "", "difficulty": 0, "fact_ids": (),
                      "citations": (), "tags": (), "accepted": (), "sequence": (), "front": "", "back": "", "topic": ""}


def build_file_reads(question_set: QuestionSet) -> dict[str, Any]:
    """What each file of a build reads of the set, by name, as build_files names them: a file whose reads are
    unchanged would be made with the same bytes."""
    reads: dict[str, Any] = {}
    for v in question_set.versions:
        printed = tuple(replace(q, **NOT_ON_A_WORKSHEET) for q in v.questions)
        reads[f"worksheet-{file_code(v)}.docx"] = (version_context(question_set, v, "Worksheet"), printed)
    for v in question_set.versions:
        reads[f"answer-key-{file_code(v)}.docx"] = (version_context(question_set, v, "Answer key"), v.questions)
    reads[FLASHCARDS] = (common_context(question_set), flashcards_for(question_set))
    return reads


def build_file_count(versions: int) -> int:
    return 2 * versions + 1


def file_code(version: Version) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", version.code)


def combined_docx(question_set: QuestionSet, layouts: Layouts) -> bytes:
    import docx

    from .docx_join import docx_bytes, joined
    from .docx_layout import read_layout

    versions = question_set.versions or (Version("A", ()),)
    sheets, keys = read_layout(layouts, WORKSHEET), read_layout(layouts, ANSWER_KEY)
    made = [worksheet(question_set, v, sheets) for v in versions] + [answer_key(question_set, v, keys) for v in versions]
    return docx_bytes(joined([docx.Document(io.BytesIO(data)) for data in made]))


# ---- the three documents ---------------------------------------------------------------------------------


def worksheet(question_set: QuestionSet, version: Version, layout: Layout) -> bytes:
    from .docx_body import Sheet

    sheet = Sheet(layout)
    for question in version.questions:
        sheet.question(question.prompt.replace(BLANK, CLOZE_LINE) if question.type == "cloze" else question.prompt)
        answer_space(sheet, question)
    return layout.rendered(version_context(question_set, version, "Worksheet"), sheet.xml())


def answer_key(question_set: QuestionSet, version: Version, layout: Layout) -> bytes:
    from .docx_body import Sheet

    sheet = Sheet(layout)
    key_grid(sheet, version.questions)
    for question in version.questions:
        sheet.question(question.prompt)
        sheet.paragraph(answer_line(question), "Answer")
        if question.explanation:
            sheet.paragraph(question.explanation, "Explanation")
        source = source_line(question)
        if source:
            sheet.paragraph(source, "Source")
    return layout.rendered(version_context(question_set, version, "Answer key"), sheet.xml())


def flashcards(question_set: QuestionSet, layout: Layout) -> bytes:
    from .docx_body import Sheet

    cards = flashcards_for(question_set)
    rows = [[[("Question", "Card Heading")], [("Answer", "Card Heading")]]]
    for card in cards:
        front = [(card.topic, "Card Topic")] if card.topic else []
        front.append((card.front, None))
        front += [(f"{n}. {item}", None) for n, item in enumerate(card.front_items, 1)]
        front += [(f"{option_letter(i)}. {choice}", None) for i, choice in enumerate(card.front_choices)]
        back = [(card.back, None)]
        back += [(card.explanation, "Card Explanation")] if card.explanation else []
        back += [(card.source, "Card Source")] if card.source else []
        rows.append([front, back])
    sheet = Sheet(layout)
    sheet.table(rows, (50, 50), heading=True)
    return layout.rendered({**common_context(question_set), "count": len(cards)}, sheet.xml())


def common_context(question_set: QuestionSet) -> dict[str, Any]:
    return {"title": question_set.pack_title, "pack_id": question_set.pack_id, "licence": question_set.licence,
            "language": question_set.language}


def version_context(question_set: QuestionSet, version: Version, kind: str) -> dict[str, Any]:
    return {**common_context(question_set), "version": version.code, "kind": kind,
            "count": len(version.questions)}


# ---- what a worksheet and a key say, as the PDF layouts say it ----------------------------------------------


def answer_space(sheet: Sheet, question: Question) -> None:
    if question.type in ("multiple-choice", "multiple-response", "true-false"):
        if question.type == "multiple-response":
            sheet.paragraph("Tick every correct answer.", "Hint")
        for i, option in enumerate(question.options):
            sheet.paragraph(f"☐ {option_letter(i)}\t{option.text}", "Option")
    elif question.type == "short-answer":
        sheet.paragraph(WRITE_LINE * 2, "Write Line")
    elif question.type == "matching":
        sheet.paragraph("Write the letter of the matching item in each box.", "Hint")
        rows = []
        for i in range(max(len(question.pairs), len(question.choices))):
            left = [(f"{i + 1}. {question.pairs[i].left}", None)] if i < len(question.pairs) else []
            box = [("☐", None)] if i < len(question.pairs) else []
            right = [(f"{option_letter(i)}. {question.choices[i]}", None)] if i < len(question.choices) else []
            rows.append([left, box, right])
        sheet.table(rows, (45, 8, 47))
    elif question.type == "ordering":
        sheet.paragraph(f"Number the items from 1 to {len(question.items)} in the boxes.", "Hint")
        for item in question.items:
            sheet.paragraph(f"☐\t{item}", "Option")
    elif question.type == "numeric":
        unit = f" {question.numeric.unit}" if question.numeric and question.numeric.unit else ""
        sheet.paragraph(f"Answer:\t{WRITE_LINE}{unit}", "Option")


def key_grid(sheet: Sheet, questions: tuple[Question, ...]) -> None:
    """Four columns of number and key, filled down then across, as the PDF key's grid."""
    if not questions:
        return
    rows = (len(questions) + 3) // 4
    grid = []
    for r in range(rows):
        row = []
        for c in range(4):
            i = c * rows + r
            shown = i < len(questions)
            row += [[(str(i + 1), "Key Number")] if shown else [], [(questions[i].key_text(), None)] if shown else []]
        grid.append(row)
    sheet.table(grid, (5, 20) * 4)


def answer_line(question: Question) -> str:
    """The answer written out, as answer-key-answer.html writes it."""
    if question.type in ("multiple-choice", "multiple-response"):
        return "Answer: " + "; ".join(f"{option_letter(i)} — {o.text}" for i, o in enumerate(question.options)
                                      if o.correct)
    if question.type == "matching":
        return "Answer: " + ", ".join(f"{n}-{option_letter(question.choices.index(p.right))} ({p.left} → {p.right})"
                                      for n, p in enumerate(question.pairs, 1))
    if question.type == "ordering":
        return f"Answer: {question.key_text()} ({' → '.join(question.sequence)})"
    if question.type == "numeric" and question.numeric:
        numeric = question.numeric
        line = f"Answer: {question.answer} {numeric.unit}".rstrip()
        if numeric.low != numeric.high:
            line += f" (accept {format_number(numeric.low)} to {format_number(numeric.high)})"
        return line
    accepted = f" (also accepted: {', '.join(question.accepted)})" if question.accepted else ""
    return f"Answer: {question.answer}{accepted}"


def source_line(question: Question) -> str:
    """Every source with the words in it that support the answer, as answer-key-source.html writes them."""
    shown = list(dict.fromkeys((c.text, c.evidence) for c in question.citations))
    if not shown:
        return ""
    return "Source: " + "; ".join(f"{text}: “{evidence}”" if evidence else text for text, evidence in shown)
