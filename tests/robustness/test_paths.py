"""Paths from a stranger's pack: nothing outside the pack folder is read, and case collisions are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack

from quizgen.cli import main


@pytest.mark.parametrize("target", ["../../../etc/passwd", "/etc/passwd"])
def test_source_files_outside_the_pack_are_refused(tmp_path: Path, capsys, target: str):
    files = dict(MINIMAL_PACK, **{"sources.yaml": MINIMAL_PACK["sources.yaml"].replace("sources/notes.txt", target)})
    folder = write_pack(tmp_path / "pack", files)
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"sources.yaml:5:11: sources[0].file: '{target}' points outside the pack folder; expected a path " \
           "inside it" in err
    assert "root:" not in err


def test_a_symlink_out_of_the_pack_is_refused(tmp_path: Path, capsys):
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (folder / "sources" / "notes.txt").unlink()
    (folder / "sources" / "notes.txt").symlink_to("/etc/passwd")
    assert main(["check", str(folder)]) == 1
    assert "'sources/notes.txt' points outside the pack folder" in capsys.readouterr().err


def test_files_differing_only_in_case_are_named(tmp_path: Path, capsys):
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (folder / "Facts.yaml").write_text("facts: []\n")
    assert main(["check", str(folder)]) == 1
    assert "facts.yaml:1:1: differs only in case from Facts.yaml; the two would be one file on " \
           "case-insensitive file systems" in capsys.readouterr().err


def test_build_output_with_dotdot_lands_where_asked_and_nowhere_else(tmp_path: Path, capsys):
    folder = write_pack(tmp_path / "pack", MINIMAL_PACK)
    out = tmp_path / "a" / ".." / "b"
    assert main(["build", str(folder), "--out", str(out), "--only", "questions", "--count", "2", "-q"]) == 0
    assert (tmp_path / "b" / "rivers" / "questions.json").is_file()
    assert not (tmp_path / "a").exists()


def test_pack_argument_that_is_a_file_is_a_clean_error(tmp_path: Path, capsys):
    target = tmp_path / "pack.yaml"
    target.write_text("id: x\n")
    assert main(["check", str(target)]) == 1
    assert "is not a folder; expected a content pack folder containing pack.yaml" in capsys.readouterr().err
