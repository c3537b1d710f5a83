"""`quizgen review --exclude … --reason` never writes a review.yaml that `check` refuses, and `review --include`
repairs one that an earlier version wrote with a control character or a byte that is not UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen
from quizgen.load.pack import load_pack
from quizgen.generate import question_pool


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack", MINIMAL_PACK)


def question_ids(pack: Path) -> list[str]:
    return sorted(q.id for q in question_pool(load_pack(pack)).questions)


@pytest.mark.parametrize("reason, message", [
    ("too\x1beasy", "contains U+001B, a control character, at character 4; expected plain text (tabs and line "
                    "breaks are fine)"),
    ("too\udcffeasy", "contains the byte 0xff, which is not UTF-8, at character 4; expected plain text"),
])
def test_a_reason_that_review_yaml_cannot_hold_is_one_line_and_writes_nothing(pack: Path, reason: str,
                                                                               message: str):
    first = question_ids(pack)[0]
    line = one_error_line(run_quizgen("review", pack, "--exclude", first, "--reason", reason))
    assert line == f"command line: --reason: {message}"
    assert not (pack / "review.yaml").exists()
    assert run_quizgen("check", pack).returncode == 0


@pytest.mark.parametrize("damage", [
    '  reason: "bad\\ething"\n',  # what an earlier version wrote for a reason with ESC in it
    '  reason: "bad\\uDCFFthing"\n',  # … and for a byte that is not UTF-8
    "  reason: bad\udcffthing\n",  # a byte that is not UTF-8 written raw
])
def test_review_include_repairs_a_damaged_review_yaml(pack: Path, damage: str):
    first, second = question_ids(pack)[:2]
    text = f"exclude:\n- id: {first}\n{damage}- id: {second}\n  reason: too easy\n"
    (pack / "review.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
    assert "review.yaml:3:" in one_error_line(run_quizgen("check", pack))
    result = run_quizgen("review", pack, "--include", first)
    assert result.returncode == 0, result.stderr
    assert run_quizgen("check", pack).returncode == 0
    assert load_pack(pack).excluded == (second,)


def test_a_damaged_reason_that_stays_is_kept_as_visible_text(pack: Path):
    first, second, third = question_ids(pack)[:3]
    (pack / "review.yaml").write_text(f'exclude:\n- id: {first}\n  reason: "bad\\ething"\n', encoding="utf-8")
    result = run_quizgen("review", pack, "--exclude", second, third, "--reason", "duplicates")
    assert result.returncode == 0, result.stderr
    assert run_quizgen("check", pack).returncode == 0
    assert load_pack(pack).excluded == (first, second, third)
    assert "bad\\x1bthing" in (pack / "review.yaml").read_text(encoding="utf-8")
