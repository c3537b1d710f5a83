"""docs/tutorial.md run as a reader would: every shell block's commands, one by one and exactly as written, in a
fresh folder with the installed `quizgen` on the PATH; each must succeed, and every line of a `text` block shown
after a shell block must be in what that block printed."""

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
            missing = [line for line in shown if line not in printed.splitlines()]
            assert not missing, f"the tutorial shows output its commands did not print: {missing}\n{printed}"
    assert ran >= 15
    outputs = {p.name for p in (tmp_path / "class-set" / "towers").iterdir()}
    assert {"worksheet-A.pdf", "worksheet-B.pdf", "answer-key-A.pdf", "flashcards.pdf", "anki.apkg"} <= outputs
    facts = (tmp_path / "towers" / "facts.yaml").read_text(encoding="utf-8")
    assert "id: F9" in facts and "visitors-during" in facts
