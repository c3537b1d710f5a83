"""Print the README's question examples (two of each type from the default pack, as a student reads them on a
worksheet, with the key a teacher marks from); tests/test_readme.py checks that the README shows them as printed.

    .venv/bin/python scripts/readme_examples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizgen.load.pack import load_pack  # noqa: E402
from quizgen.generate import question_pool  # noqa: E402
from quizgen.model import option_letter  # noqa: E402

EXAMPLES = {  # question ids, chosen by reading the pool (the pack makes one matching item)
    "Multiple choice": ("b4459b023b6e", "5037a0309fb5"),
    "Multiple response": ("d65839d68db4", "a7860a78abe1"),
    "True or false": ("de046946360d", "031a35157c58"),
    "Cloze": ("9692906e7056", "9b8b8b20c602"),
    "Short answer": ("1e83f4a4158a", "78ab35e62652"),
    "Matching": ("579bf83fd18c",),
    "Ordering": ("66a78642b384", "d7d6d4f0633e"),
    "Numeric": ("226550b1720d", "d66091a53aef"),
}


def as_a_student_reads_it(question) -> list[str]:
    lines = [question.prompt]
    if question.type == "true-false":
        lines.append("    ☐ True    ☐ False")
    elif question.options:
        lines += [f"    ☐ {option_letter(i)} {o.text}" for i, o in enumerate(question.options)]
    if question.type == "matching":
        lines.append("    (write the letter of the matching item in each box)")
        lines += [f"    ☐ {i}. {pair.left}" for i, pair in enumerate(question.pairs, 1)]
        lines += [f"        {option_letter(i)}. {choice}" for i, choice in enumerate(question.choices)]
    if question.type == "ordering":
        lines.append(f"    (number the items from 1 to {len(question.items)} in the boxes)")
        lines += [f"    ☐ {item}" for item in question.items]
    if question.type == "short-answer":
        lines.append("    ______________________________")
    if question.type == "numeric":
        lines.append(f"    Answer: ____________ {question.numeric.unit}")
    if question.type == "numeric" and question.numeric.low != question.numeric.high:
        accepted = f" (accept {question.numeric.low:g} to {question.numeric.high:g})"
        lines.append(f"    Key: {question.key_text()}{accepted}")
        return lines
    accepted = f" (also accepted: {', '.join(question.accepted[:4])}{', …' if len(question.accepted) > 4 else ''})" \
        if question.accepted else ""
    lines.append(f"    Key: {question.key_text()}" + (f" ({question.answer})" if question.options and
                                                       question.type != "true-false" else accepted))
    return lines


def examples_markdown() -> str:
    pool = {q.id: q for q in question_pool(load_pack(ROOT / "content" / "deir-ez-zor-2014")).questions}
    parts = []
    for title, ids in EXAMPLES.items():
        block = "\n\n".join("\n".join(as_a_student_reads_it(pool[qid])) for qid in ids)
        parts.append(f"**{title}**\n\n```text\n{block}\n```")
    return "\n\n".join(parts)


if __name__ == "__main__":
    print(examples_markdown())
