"""One numbering of the questions for every grading output: Q1, Q2… in the first version's order, each
with its id and the number it has on every version's sheet (A1 B18 C5), so "Q7" means one question
for the whole class in marks.csv, item-analysis.csv, report.html and corrections.csv alike."""

from __future__ import annotations

from dataclasses import dataclass

from ..sheets.record import AnswerSheets


@dataclass(frozen=True)
class QuestionNumber:
    shared: int  # Q-number: the question's place in the first version (then any other version's extras)
    question_id: str
    on_sheets: tuple[tuple[str, int], ...]  # (version, number on that version's sheet), by version

    @property
    def label(self) -> str:
        return f"Q{self.shared}"

    @property
    def sheet_numbers(self) -> str:
        """`A1 B18 C5`: where a teacher finds the question on each version's sheet."""
        return " ".join(f"{version}{number}" for version, number in self.on_sheets)


def question_numbers(sheets: AnswerSheets) -> dict[str, QuestionNumber]:
    """Every question of the sheets by id, numbered in the first version's order."""
    places: dict[str, dict[str, int]] = {}
    for page in sorted(sheets.pages, key=lambda p: (p.version, p.page)):
        for item in page.items:
            places.setdefault(item.question_id, {}).setdefault(page.version, item.number)
    versions = sorted({p.version for p in sheets.pages})
    order = sorted(places, key=lambda q: tuple(places[q].get(v, 10 ** 6) for v in versions))
    return {q: QuestionNumber(n, q, tuple(sorted(places[q].items()))) for n, q in enumerate(order, 1)}
