"""Drill state from a stranger's machine or a crash: damage is reported and the file kept, never reset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DEFAULT_PACK, ROOT


@pytest.mark.parametrize("damage", [b'{"version": 1, "cards": {"a": {"box": 9', b"\x00\xff\xfe", b""])
def test_damaged_state_through_the_cli(tmp_path: Path, damage: bytes):
    state = tmp_path / "deck.json"
    state.write_bytes(damage)
    result = subprocess.run([sys.executable, "-m", "quizgen", "drill", str(DEFAULT_PACK), "--deck", str(state)],
                            input="", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{state}: drill state is damaged (" in result.stderr
    assert (tmp_path / "deck.json.corrupt-1").read_bytes() == damage and not state.exists()
