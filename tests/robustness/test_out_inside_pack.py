"""`quizgen build PACK --out` a folder in the pack is refused in one line before any work: its outputs would change
the pack's fingerprint, so the build would never be up to date (and the pack folder is the author's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen


@pytest.mark.parametrize("out", [".", "builds", "builds/term-1"])
def test_an_out_folder_in_the_pack_is_refused(tmp_path: Path, out: str):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    before = sorted(p.relative_to(pack) for p in pack.rglob("*"))
    target = pack / out
    line = one_error_line(run_quizgen("build", pack, "--out", target, "--only", "questions", timeout=60))
    assert line == (f"command line: --out: {target}: the build would go into {target / 'rivers'}, inside the pack "
                    f"folder {pack}; expected a folder outside the pack (a build there would change the pack it is "
                    "made from, so it would never be up to date)")
    assert sorted(p.relative_to(pack) for p in pack.rglob("*")) == before


def test_an_out_folder_that_puts_the_build_on_the_pack_is_refused(tmp_path: Path):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)  # the pack's id is rivers: OUT/rivers is the pack
    line = one_error_line(run_quizgen("build", pack, "--out", tmp_path, "--only", "questions", timeout=60))
    assert f"the build would go into {pack}, the pack folder {pack};" in line
    assert not (pack / "questions.json").exists()


def test_a_build_beside_the_pack_is_up_to_date_the_second_time(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    args = ("build", pack, "--out", tmp_path / "out", "--only", "questions")
    assert run_quizgen(*args, timeout=60).returncode == 0
    again = run_quizgen(*args, timeout=60)
    assert again.returncode == 0 and "is up to date" in again.stdout, again.stdout + again.stderr
