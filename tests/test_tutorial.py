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

from conftest import ROOT

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
