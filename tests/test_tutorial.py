"""docs/tutorial.md run as a reader would: every shell block's commands, one by one and exactly as written, in a
fresh folder with the installed `quizgen` on the PATH; each must succeed, and a `text` block shown after a shell
block must be what that block printed, line for line, where a `…` line stands for lines the tutorial leaves out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizgen.load.pack import load_pack
from quizgen.generate import question_pool
from quizgen.generate.lint import ERROR, lint_pool

from helpers import ROOT, write_pack

TUTORIAL = ROOT / "docs" / "tutorial.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
HEREDOC = re.compile(r"<<'?(\w+)'?\s*$")

pytestmark = pytest.mark.slow


def tutorial_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, in order."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def shell_commands(block: str) -> list[str]:
    """The commands of a shell block: one a line, a here-document kept whole with its body; comments left out."""
    commands: list[str] = []
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        heredoc = HEREDOC.search(line)
        if heredoc:
            end = lines.index(heredoc.group(1), i)
            line = "\n".join([line, *lines[i:end + 1]])
            i = end + 1
        commands.append(line)
    return commands


def test_shell_blocks_split_into_commands_with_here_documents_whole() -> None:
    block = "quizgen new x\ncat > a.txt <<'EOF'\nline one\n\nline two\nEOF\n# a comment\nls x\n"
    assert shell_commands(block) == ["quizgen new x", "cat > a.txt <<'EOF'\nline one\n\nline two\nEOF", "ls x"]


ELIDED = "…"


def shows_what_was_printed(shown: list[str], printed: list[str]) -> bool:
    """The shown lines are the printed ones in order, each `…` standing for any run of printed lines (none too)."""
    if not shown:
        return not printed
    if shown[0] == ELIDED:
        return any(shows_what_was_printed(shown[1:], printed[skip:]) for skip in range(len(printed) + 1))
    return bool(printed) and shown[0] == printed[0] and shows_what_was_printed(shown[1:], printed[1:])


def test_shown_output_is_what_was_printed_but_for_marked_gaps() -> None:
    printed = ["a", "b", "c", "d"]
    assert shows_what_was_printed(["a", "b", "c", "d"], printed)
    assert shows_what_was_printed(["a", ELIDED, "d"], printed) and shows_what_was_printed(["a", "b", ELIDED], printed)
    assert not shows_what_was_printed(["a", "b", "d"], printed)  # a line left out without a mark
    assert not shows_what_was_printed(["b", "c", "d"], printed) and not shows_what_was_printed(["a", "b", "c"], printed)


def test_the_tutorial_runs_as_written_from_an_empty_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    printed = ""
    ran = 0
    for language, body in tutorial_blocks(TUTORIAL.read_text(encoding="utf-8")):
        if language == "sh":
            printed = ""
            for command in shell_commands(body):
                done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                                      timeout=300)
                assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
                printed += done.stdout
                ran += 1
        elif language == "text":
            shown = [line.rstrip() for line in body.splitlines() if line.strip()]
            assert shows_what_was_printed(shown, [line.rstrip() for line in printed.splitlines() if line.strip()]), (
                f"the tutorial shows:\n{body}\nits commands printed:\n{printed}")
    assert ran >= 15
    outputs = {p.name for p in (tmp_path / "class-set" / "towers").iterdir()}
    assert {"worksheet-A.pdf", "worksheet-B.pdf", "answer-key-A.pdf", "flashcards.pdf", "anki.apkg"} <= outputs
    facts = (tmp_path / "towers" / "facts.yaml").read_text(encoding="utf-8")
    assert "id: F9" in facts and "visitors-during" in facts


def test_the_examples_for_a_subject_of_your_own_do_what_the_tutorial_says(tmp_path: Path) -> None:
    """The section's facts (pinned wrong options, an open list asked on purpose as a true claim, a bounded figure),
    in a pack with the relations it names: they load, and each is asked as the tutorial says."""
    section = TUTORIAL.read_text(encoding="utf-8").split("## Your own subject", 1)[1]
    (facts,) = [body for language, body in tutorial_blocks(section) if language == "yaml"]
    folder = write_pack(tmp_path / "bridge", {
        "pack.yaml": """
            id: bridge
            title: The Brooklyn Bridge
            language: en
            licence: CC BY-SA 4.0
            description: The bridge and its engineer.
            period: {start: 1800-01-01, end: 2030-12-31}
            topics:
              - {id: the-bridge, title: The bridge}
              - {id: the-engineer, title: The engineer}
        """,
        "relations.yaml": """
            categories:
              landmark: {}
              person: {}
              waterway: {}
            relations:
              - id: built-of
                subject: landmark
                object: text
                objects: one
                sentence: "The towers of {subject} are built of {object}."
                ask_object: "What are the towers of {subject} built of?"
              - id: bridged
                subject: person
                object: waterway
                sentence: "{Subject} bridged {object}."
                ask_subject: "Who bridged {object}?"
              - id: cost-today
                subject: landmark
                object: number
                objects: one
                sentence: "In today's dollars, building {subject} cost {object}."
                ask_object: "In today's dollars, how much did it cost to build {subject}?"
        """,
        "sources.yaml": """
            sources:
              - {id: S1, title: Brooklyn Bridge, publisher: Test Press, file: sources/bridge.txt}
        """,
        "sources/bridge.txt": "The towers of the Brooklyn Bridge are built of granite. Roebling bridged the Niagara "
                              "Gorge and the Ohio River. The Brooklyn Bridge cost more than $320 million in today's "
                              "dollars.\n",
        "entities.yaml": """
            entities:
              - {id: brooklyn-bridge, name: Brooklyn Bridge, article: the, category: landmark, description: A bridge.}
              - {id: john-augustus-roebling, name: John Augustus Roebling, aliases: [Roebling], category: person,
                 description: An engineer.}
              - {id: niagara-gorge, name: Niagara Gorge, article: the, category: waterway, description: A gorge.}
              - {id: ohio-river, name: Ohio River, article: the, category: waterway, description: A river.}
        """,
        "facts.yaml": "facts:\n" + facts,
    })
    pack = load_pack(folder)
    pool = question_pool(pack)
    findings = lint_pool(pool, pack)
    assert [str(f) for f in findings if f.severity == ERROR] == []
    asked = {fact_id: [q for q in pool.questions if q.fact_ids == (fact_id,)] for fact_id in ("F14", "F15", "F16")}
    granite = [q for q in asked["F14"] if q.type == "multiple-choice"]
    assert granite and {o.text for o in granite[0].options if not o.correct} <= {"Marble", "Sandstone", "Brick"}
    assert {q.type for q in asked["F15"]} == {"true-false"}
    assert not [f for f in findings if f.rule == "open-list"]
    assert asked["F16"] and not {q.type for q in asked["F16"]} & {"numeric", "cloze", "short-answer"}
    assert any("more than 320 million dollars" in f"{q.prompt} {q.explanation}" for q in asked["F16"])
