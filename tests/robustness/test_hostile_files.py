"""Files a stranger's pack, template folder or layout folder contributes: each must be a regular file inside
that folder, of bounded size; symbolic links out, hard links, FIFOs and huge files are refused on one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, science_pack_files, write_pack
from hostile import one_error_line, run_quizgen

PRIVATE_FACTS = """\
facts:
  - id: P1
    statement: The private river is secret.
    kind: place
    subject: rhine
    sources: [S2]
    evidence: "flows through ten countries"
"""


def test_a_symlinked_yaml_file_outside_the_pack_is_not_read(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    private = tmp_path / "private"
    private.mkdir()
    (private / "facts.yaml").write_text(PRIVATE_FACTS)
    (pack / "zz.yaml").symlink_to("../private/facts.yaml")
    line = one_error_line(run_quizgen("check", pack))
    assert line.endswith("pack/zz.yaml:1:1: this YAML file leads outside its folder "
                         f"{pack} (a symbolic link?); expected a file inside it")


def test_a_symlinked_secret_is_not_shown_in_the_error(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (tmp_path / "secret.txt").write_text("hunter2: the password")
    (pack / "extra.yaml").symlink_to(tmp_path / "secret.txt")
    line = one_error_line(run_quizgen("check", pack))
    assert "extra.yaml:1:1: this YAML file leads outside its folder" in line and "hunter2" not in line


@pytest.mark.parametrize("name", ["pack.yaml", "facts.yaml"])
def test_a_fifo_in_the_pack_does_not_hang(tmp_path: Path, name: str):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (pack / name).unlink()
    os.mkfifo(pack / name)
    for command in (["check", pack], ["build", pack, "--out", tmp_path / "out", "--only", "questions", "-q"]):
        line = one_error_line(run_quizgen(*command, timeout=60))
        assert line.endswith(f"pack/{name}:1:1: this YAML file is not a regular file (a FIFO, socket or device); "
                             "expected a plain file")


def test_a_fifo_as_a_question_template_does_not_hang(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", science_pack_files())
    mine = tmp_path / "mine"
    mine.mkdir()
    os.mkfifo(mine / "blocked.yaml")
    line = one_error_line(run_quizgen("generate", pack, "--templates", mine, timeout=60))
    assert line.endswith("mine/blocked.yaml:1:1: this YAML file is not a regular file (a FIFO, socket or device); "
                         "expected a plain file")


def test_a_fifo_as_a_layout_does_not_hang(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    os.mkfifo(layouts / "worksheet-header.html")
    line = one_error_line(run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", layouts,
                                      "--only", "worksheets", "--count", "2", "-q", timeout=60))
    assert "layouts/worksheet-header.html:1:1: this layout is not a regular file" in line


def test_a_hard_link_to_an_outside_file_is_refused(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (tmp_path / "private.yaml").write_text(PRIVATE_FACTS)
    os.link(tmp_path / "private.yaml", pack / "zz.yaml")
    line = one_error_line(run_quizgen("check", pack))
    assert line.endswith("pack/zz.yaml:1:1: this YAML file has 2 hard links; a hard link may lead to a file "
                         "outside the folder, so expected a plain copy")


def test_a_symlinked_source_text_and_layout_image_are_refused(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "logo.png").symlink_to(tmp_path / "secret.png")
    (layouts / "worksheet-header.html").write_text('<header><img src="logo.png"></header>\n')
    line = one_error_line(run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", layouts,
                                      "--only", "worksheets", "--count", "2", "-q"))
    assert "worksheet-header.html" in line and "'logo.png'" in line and "leads outside the layout folders" in line
    assert not (tmp_path / "out" / "rivers").exists()


@pytest.mark.parametrize("where", ["pack", "layouts"])
def test_a_huge_stray_file_is_fingerprinted_without_reading_it_whole(tmp_path: Path, where: str):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    (tmp_path / "layouts").mkdir()
    with open(tmp_path / where / "stray.bin", "wb") as stream:  # sparse: 2 GB on paper, nothing on disk
        stream.truncate(2 * 1024 ** 3)
    result = run_quizgen("build", pack, "--out", tmp_path / "out", "--layouts", tmp_path / "layouts",
                         "--only", "questions,worksheets", "--count", "2", "-q", timeout=60, memory=1536 * 1024 ** 2)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "rivers" / "worksheet-A.pdf").is_file()
