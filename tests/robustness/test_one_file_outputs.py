"""Commands that write one file (`review`'s sheet, `export -o`, `calibration -o`) follow the build's rule:
they never replace a file quizgen did not write there, or one changed since, and never write into the pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen

FOREIGN = ("already exists and was not written by quizgen (or was changed since); nothing was written: "
           "move it away or choose another {option}")


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack", MINIMAL_PACK)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


COMMANDS = {
    "review": lambda pack, target: ("review", pack, "--out", target),
    "export": lambda pack, target: ("export", pack, "--format", "gift", "--count", "2", "-q", "-o", target),
    "calibration": lambda pack, target: ("calibration", "-o", target),
}
OPTION = {"review": "--out", "export": "--output", "calibration": "--output"}


@pytest.mark.parametrize("command", ["review", "export"])
def test_the_packs_own_files_are_never_written_over(pack: Path, command: str):
    before = snapshot(pack)
    line = one_error_line(run_quizgen(*COMMANDS[command](pack, pack / "pack.yaml")))
    assert line == (f"{pack / 'pack.yaml'}: {OPTION[command]}: is inside the pack folder {pack}; expected a file "
                    "outside it, so that no file of the pack is replaced")
    assert snapshot(pack) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_users_file_is_never_replaced(pack: Path, tmp_path: Path, command: str):
    mine = tmp_path / "work" / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("my notes", encoding="utf-8")
    line = one_error_line(run_quizgen(*COMMANDS[command](pack, mine)))
    assert line == f"{mine}: {OPTION[command]}: " + FOREIGN.format(option=OPTION[command])
    assert sorted(p.name for p in mine.parent.iterdir()) == ["notes.txt"]
    assert mine.read_text(encoding="utf-8") == "my notes"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_its_own_file_is_replaced_but_not_once_it_was_edited(pack: Path, tmp_path: Path, command: str):
    target = tmp_path / "work" / "out.txt"
    for _ in range(2):
        result = run_quizgen(*COMMANDS[command](pack, target))
        assert result.returncode == 0, result.stderr
    target.write_bytes(target.read_bytes() + b"\nmy own note")
    edited = target.read_bytes()
    line = one_error_line(run_quizgen(*COMMANDS[command](pack, target)))
    assert line == f"{target}: {OPTION[command]}: " + FOREIGN.format(option=OPTION[command])
    assert target.read_bytes() == edited


def test_the_default_review_sheet_does_not_replace_a_users_review_html(pack: Path, tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "review.html").write_text("<p>my own review</p>", encoding="utf-8")
    line = one_error_line(run_quizgen("review", pack, cwd=work))
    assert line == "review.html: --out: " + FOREIGN.format(option="--out")
    assert (work / "review.html").read_text(encoding="utf-8") == "<p>my own review</p>"
