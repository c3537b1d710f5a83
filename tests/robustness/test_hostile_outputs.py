"""The output folder belongs to the user: a build replaces or removes only files it wrote itself and that are
unchanged since; anything else is left alone and named, or the folder is refused with nothing written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen


def build(tmp_path: Path, *extra: str, out: Path | None = None):
    pack = tmp_path / "pack"
    if not pack.exists():
        write_pack(pack, MINIMAL_PACK)
    return run_quizgen("build", pack, "--out", out or tmp_path / "home", "--count", "2", "--quiet", *extra)


def test_a_planted_manifest_does_not_delete_a_users_file(tmp_path: Path):
    folder = tmp_path / "home" / "rivers"
    folder.mkdir(parents=True)
    (folder / "thesis.docx").write_text("thesis")
    (folder / "manifest.json").write_text('{"files":[{"path":"thesis.docx"}]}')
    line = one_error_line(build(tmp_path, "--only", "questions"))
    assert line.endswith("rivers/manifest.json: --out: already exists and was not written by an earlier build "
                         "(or was changed since); nothing was written: move it away or choose another --out")
    assert (folder / "thesis.docx").read_text() == "thesis"
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "thesis.docx"]


def test_a_listed_file_whose_hash_does_not_match_is_left_alone_and_named(tmp_path: Path):
    folder = tmp_path / "home" / "rivers"
    folder.mkdir(parents=True)
    (folder / "thesis.docx").write_text("thesis")
    (folder / "manifest.json").write_text(json.dumps(
        {"generator": "quizgen 0.1.0", "files": [{"path": "thesis.docx", "sha256": "0" * 64}]}))
    result = build(tmp_path, "--only", "questions")
    assert result.returncode == 0, result.stderr
    assert (folder / "thesis.docx").read_text() == "thesis"
    assert "rivers/thesis.docx: left alone: an earlier build wrote it, but it was changed since" in result.stderr
    assert [e["path"] for e in json.loads((folder / "manifest.json").read_text())["files"]] == ["questions.json"]


def test_a_users_own_worksheet_is_not_replaced(tmp_path: Path):
    folder = tmp_path / "home" / "rivers"
    folder.mkdir(parents=True)
    (folder / "worksheet-A.pdf").write_bytes(b"my own worksheet")
    line = one_error_line(build(tmp_path, "--only", "questions,worksheets"))
    assert "rivers/worksheet-A.pdf: --out: already exists and was not written by an earlier build" in line
    assert (folder / "worksheet-A.pdf").read_bytes() == b"my own worksheet"
    assert sorted(p.name for p in folder.iterdir()) == ["worksheet-A.pdf"]


def test_an_output_edited_since_the_build_is_neither_replaced_nor_removed(tmp_path: Path):
    folder = tmp_path / "home" / "rivers"
    assert build(tmp_path, "--only", "questions").returncode == 0
    (folder / "questions.json").write_text("my notes")
    line = one_error_line(build(tmp_path, "--only", "questions", "--seed", "2"))
    assert "rivers/questions.json: --out: already exists and was not written by an earlier build" in line
    assert (folder / "questions.json").read_text() == "my notes"


def test_own_unchanged_files_are_replaced_and_stale_ones_removed(tmp_path: Path):
    folder = tmp_path / "home" / "rivers"
    assert build(tmp_path, "--versions", "2").returncode == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = build(tmp_path, "--versions", "1", "--seed", "2")
    assert result.returncode == 0, result.stderr
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(before) - set(after) == {"worksheet-B.pdf", "answer-key-B.pdf", "worksheet-B.docx", "answer-key-B.docx"}
    assert after["questions.json"] != before["questions.json"]


def test_a_users_file_in_the_render_cache_survives(tmp_path: Path):
    cache = tmp_path / "home" / ".quizgen-cache"
    cache.mkdir(parents=True)
    (cache / "notes.txt").write_text("mine")
    assert build(tmp_path, "--only", "worksheets").returncode == 0
    assert (cache / "notes.txt").read_text() == "mine"
    assert any(p.suffix == ".pdf" for p in cache.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_output_folder_is_one_line(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    try:
        line = one_error_line(build(tmp_path, "--only", "questions"))
    finally:
        home.chmod(0o700)
    assert line.endswith("rivers: cannot write the outputs: Permission denied")


def test_the_file_size_limit_hit_while_writing_is_one_line_and_leaves_nothing(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    result = run_quizgen("build", pack, "--out", tmp_path / "home", "--count", "2", "--quiet",
                         "--only", "questions,worksheets", file_bytes=2_000)
    line = one_error_line(result)
    assert "File too large" in line
    assert not (tmp_path / "home" / "rivers" / "manifest.json").exists()
