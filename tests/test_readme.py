"""The README's tour, run as written and in order in a fresh folder: each command works, and what an
earlier step made (the class set, the calibration sheet) is still there when a later step needs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow

README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def sh_block_after(heading: str, which: int = 0) -> list[str]:
    """The commands of the first (or `which`th) ```sh block under `heading`, comments removed."""
    section = README[README.index(heading):]
    block = re.findall(r"```sh\n(.*?)```", section, re.S)[which]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def run(command: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    environment.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(["bash", "-c", command], cwd=cwd, input=stdin, capture_output=True, text=True,
                          env=environment, timeout=600)


@pytest.fixture
def fresh_folder(tmp_path: Path) -> Path:
    """A folder that holds only the pack, as a fresh clone's working folder would (a link saves copying)."""
    (tmp_path / "content").symlink_to(ROOT / "content")
    return tmp_path


@pytest.fixture
def empty_folder(tmp_path: Path) -> Path:
    """A folder with nothing of the project in it, as a pip user's would be."""
    return tmp_path


def test_the_tour_and_the_printing_steps_work_in_order_from_an_empty_folder(empty_folder):
    """A pip user's tour: the first step writes the pack the others use."""
    pip_user = sh_block_after("## A tour")
    tour = sh_block_after("## A tour", 1)
    printing = sh_block_after("## Printable worksheets")
    assert pip_user == ["quizgen new content/deir-ez-zor-2014 --example"]
    assert any("--out class-set" in c for c in tour) and "quizgen calibration" in printing
    for command in pip_user + tour + printing:
        assert command.startswith("quizgen "), command
        done = run(command, empty_folder)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        if "--back-offset" in command:
            assert (empty_folder / "calibration.pdf").is_file()  # made two steps earlier, still there
    class_set = empty_folder / "class-set" / "deir-ez-zor-2014"
    assert len(list(class_set.glob("worksheet-*.pdf"))) == 30 and len(list(class_set.glob("answer-key-*.pdf"))) == 30
    assert (empty_folder / "history.apkg").is_file()
    build = empty_folder / "build" / "deir-ez-zor-2014"
    assert (build / "flashcards-fold.pdf").is_file() and (build / "anki.apkg").is_file()


def test_the_drill_example_scores_what_the_readme_says(fresh_folder):
    command = re.search(r"^(printf .*\| quizgen drill .*)$", README, re.M)[1]
    promised = re.search(r"ends with `(\d+ of \d+ correct\..*?)`", README)[1]
    done = run(command, fresh_folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == promised
    assert "type every right letter" in done.stdout and "type the letter for each numbered item" in done.stdout


def test_the_question_examples_are_what_the_pack_makes():
    """The README's examples are printed by scripts/readme_examples.py from the real pool; a pack or engine
    change that alters them must update the page too."""
    shown = README.split("<!-- examples: begin -->\n")[1].split("\n<!-- examples: end -->")[0]
    made = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_examples.py")], capture_output=True,
                          text=True, check=True).stdout.rstrip()
    assert shown == made
