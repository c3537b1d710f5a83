"""Drill edges found by testers: nesting deep enough to break a parser, dates in another form, leftover lock
files, huge states and answers typed in the wrong form. Each is one clear line or handled, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DEFAULT_PACK
from hostile import one_error_line, run_quizgen

PACK_ID = "deir-ez-zor-2014"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("text", [
    nested(100_000),
    '{"version": 1, "pack_id": "%s", "cards": %s}' % (PACK_ID, nested(950)),
    '{"version": 1, "pack_id": "%s", "cards": {"q1": %s}}' % (PACK_ID, '{"box": ' * 950 + "1" + "}" * 950),
    '{"version": 1, "pack_id": "%s", "cards": {"q1": {"due": %s}}}' % (PACK_ID, nested(950)),
    '{"version": 1, "pack_id": %s, "cards": {}}' % nested(950),
    '{"version": 1, "pack_id": "%s", "cards": {"q1": {"due": "%s"}}}' % (PACK_ID, "9" * 1_000_000),
])
def test_deeply_nested_or_huge_values_are_one_short_line_naming_the_file(tmp_path: Path, text: str):
    path = tmp_path / "deck.json"
    path.write_text(text)
    line = one_error_line(run_quizgen("drill", DEFAULT_PACK, "--deck", path, timeout=60))
    assert line.startswith(f"{path}: drill state is damaged (") and len(line) < 400, line[:1000]
    assert (tmp_path / "deck.json.corrupt-1").read_text() == text
