"""A question set as JSON (documented by schema/question-set.schema.json) or as readable text."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..model import Question, QuestionSet, option_letter

SCHEMA_ID = "https://quizgen.invalid/schema/question-set.schema.json"


def question_set_data(qs: QuestionSet) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "pack": {"id": qs.pack_id, "title": qs.pack_title, "language": qs.language, "licence": qs.licence},
        "seed": qs.seed,
        "pool_size": qs.pool_size,
        "questions": [question_data(q) for q in qs.questions],
        "deck": [question_data(q) for q in qs.deck],
        "versions": [
            {
                "code": v.code,
                "questions": [question_data(q) for q in v.questions],
                "key": [{"number": n, "question": q.id, "answer": q.key_text()} for n, q in enumerate(v.questions, 1)],
            }
            for v in qs.versions
        ],
    }


def question_data(q: Question) -> dict[str, Any]:
    data = asdict(q)
    data["fact_ids"] = list(q.fact_ids)
    data["key"] = q.key_text()
    return data


def question_set_json(qs: QuestionSet) -> str:
    return json.dumps(question_set_data(qs), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def question_set_text(qs: QuestionSet) -> str:
    lines = [f"{qs.pack_title} — seed {qs.seed}", ""]
    for version in qs.versions:
        lines += [f"Version {version.code}", ""]
        for n, q in enumerate(version.questions, 1):
            lines += question_lines(n, q)
        lines += ["Key: " + "  ".join(f"{n}. {q.key_text()}" for n, q in enumerate(version.questions, 1)), ""]
    return "\n".join(lines) + "\n"


def question_lines(number: int, q: Question) -> list[str]:
    lines = [f"{number}. [{q.type}] {q.prompt}"]
    lines += [f"   {option_letter(i)}) {o.text}" for i, o in enumerate(q.options)
              if q.type in ("multiple-choice", "multiple-response")]
    if q.type == "matching":
        lines += [f"   {i}. {p.left}" for i, p in enumerate(q.pairs, 1)]
        lines += [f"   {option_letter(i)}) {c}" for i, c in enumerate(q.choices)]
    if q.type == "ordering":
        lines += [f"   {i}. {item}" for i, item in enumerate(q.items, 1)]
    accepted = f" (also: {', '.join(q.accepted)})" if q.accepted else ""
    accepted += f" ({q.accepted_range()})" if q.accepted_range() else ""
    lines.append(f"   Answer: {q.answer}{accepted}")
    lines.append(f"   Why: {q.explanation}")
    lines += [f"   Source: {c.text}" + (f" — “{c.evidence}”" if c.evidence else "") for c in q.citations]
    lines.append("")
    return lines
