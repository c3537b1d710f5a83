"""auto-multiple-choice side by side: an AMC LaTeX source for the same question set, and the timed
`auto-multiple-choice prepare --mode s` that makes its subject (every copy), solution and catalogue.

Every question becomes a four-option AMC question: its own options when it has them (true/false
gets two more), otherwise its answer and three answers of other questions of the set, so AMC sets
the same stems and about as much text as quizgen's worksheets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
PUNCTUATION = {"“": "``", "”": "''", "‘": "`", "’": "'", "–": "--", "—": "---", "→": r"$\rightarrow$",
               "…": "...", "☐": ""}


def available() -> bool:
    return shutil.which("auto-multiple-choice") is not None


def latex_text(text: str) -> str:
    """Text for pdfLaTeX with inputenc utf8: specials escaped, letters outside Latin-1 reduced to their
    base letter (ʿAbd → Abd), anything else without a LaTeX glyph dropped."""
    out = []
    for char in text:
        if char in LATEX_SPECIALS:
            out.append(LATEX_SPECIALS[char])
        elif char in PUNCTUATION:
            out.append(PUNCTUATION[char])
        elif ord(char) < 256:
            out.append(char)
        else:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            out.append(base if base.isprintable() else "")
    return re.sub(r"\s+", " ", "".join(out)).strip() or "?"


def four_options(question, others: list[str]) -> tuple[str, list[str]]:
    """(correct, three wrong) texts for one question."""
    if question.options:
        correct = next(o.text for o in question.options if o.correct)
        wrong = [o.text for o in question.options if not o.correct]
    else:
        correct, wrong = question.key_text() if question.type in ("matching", "ordering") else question.answer, []
    for candidate in others + ["None of these", "All of these", "Not stated"]:
        if len(wrong) >= 3:
            break
        if candidate not in (correct, *wrong):
            wrong.append(candidate)
    return correct, wrong[:3]


def amc_source(question_set, copies: int) -> str:
    """An AMC source: the set's questions as one shuffled group, `copies` copies with shuffled choices."""
    answers = [q.answer for q in question_set.questions]
    elements = []
    for number, q in enumerate(question_set.questions, 1):
        correct, wrong = four_options(q, [a for a in answers if a != q.answer])
        choices = "\n".join([f"    \\correctchoice{{{latex_text(correct)}}}",
                             *(f"    \\wrongchoice{{{latex_text(w)}}}" for w in wrong)])
        elements.append(f"\\element{{set}}{{\n  \\begin{{question}}{{q{number}}}\n    {latex_text(q.prompt)}\n"
                        f"    \\begin{{choices}}\n{choices}\n    \\end{{choices}}\n  \\end{{question}}\n}}")
    return ("\\documentclass[a4paper]{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage[box,completemulti]{automultiplechoice}\n\\begin{document}\n\\AMCrandomseed{1237893}\n"
            + "\n".join(elements) + "\n"
            f"\\onecopy{{{copies}}}{{\n\\noindent{{\\bf {latex_text(question_set.pack_title)}}}\n\n"
            "\\namefield{\\fbox{\\begin{minipage}{.5\\linewidth}\nName:\n\n\\vspace*{.5cm}\\dotfill\n"
            "\\end{minipage}}}\n\n\\shufflegroup{set}\n\\insertgroup{set}\n}\n\\end{document}\n")


def prepare_seconds(question_set, copies: int, work: Path) -> float:
    """Wall time of `auto-multiple-choice prepare --mode s` (subject, solution, catalogue) as a new process."""
    project = work / f"amc-{copies}"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    source = project / "source.tex"
    source.write_text(amc_source(question_set, copies), encoding="utf-8")
    command = ["auto-multiple-choice", "prepare", "--mode", "s", "--with", "pdflatex", "--prefix", str(project),
               "--out-sujet", str(project / "subject.pdf"), "--out-corrige", str(project / "solution.pdf"),
               "--out-catalog", str(project / "catalog.pdf"), "--data", str(project / "data"), str(source)]
    (project / "data").mkdir()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not (project / "subject.pdf").is_file():
        raise RuntimeError(f"auto-multiple-choice prepare failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds
