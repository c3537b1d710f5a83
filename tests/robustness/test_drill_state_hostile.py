"""Drill state with wrong field types, damaged in a folder it cannot be moved out of, or shared by two drills
at once: one error line each, and no answer lost."""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from helpers import DEFAULT_PACK, make_sample_set
from hostile import one_error_line, run_quizgen

from quizgen.study.drill import load_state, run_drill


def state_file(tmp_path: Path, cards: dict) -> Path:
    path = tmp_path / "deck.json"
    path.write_text(json.dumps({"version": 1, "pack_id": "deir-ez-zor-2014", "cards": cards}))
    return path


@pytest.mark.parametrize("card, message", [
    ({"box": "3"}, "box is '3'; expected a whole number"),
    ({"box": 9}, "box is 9; expected 1 to 5"),
    ({"due": 20260101}, "due is 20260101; expected a date such as 2026-01-31"),
    ({"seen": None}, "seen is None; expected a whole number"),
    ({"colour": "red"}, "is not an object with box, due, seen and correct"),
    ([1, 2], "is not an object with box, due, seen and correct"),
])
def test_wrong_field_types_are_one_line_and_the_file_is_kept(tmp_path: Path, card, message):
    path = state_file(tmp_path, {"q1": card})
    damaged = path.read_bytes()
    line = one_error_line(run_quizgen("drill", DEFAULT_PACK, "--deck", path))
    assert "deck.json: drill state is damaged (card 'q1'" in line and message in line, line
    assert (tmp_path / "deck.json.corrupt-1").read_bytes() == damaged


@pytest.mark.skipif(os.geteuid() == 0, reason="root may rename in read-only folders")
def test_damaged_state_in_a_read_only_folder_is_one_line(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = state_file(folder, {"q1": {"box": "x"}})
    folder.chmod(0o500)
    try:
        line = one_error_line(run_quizgen("drill", DEFAULT_PACK, "--deck", path))
    finally:
        folder.chmod(0o700)
    assert "could not be moved aside (Permission denied) and was left as it is" in line
    assert path.exists()


class InterruptedInput(io.StringIO):
    """Answers for one drill; before its second answer, another whole drill runs on the same state file."""

    def __init__(self, answers: str, meanwhile):
        super().__init__(answers)
        self.meanwhile, self.lines = meanwhile, 0

    def readline(self, *args) -> str:
        self.lines += 1
        if self.lines == 2:
            self.meanwhile()
        return super().readline(*args)


def test_two_drills_on_one_state_file_keep_every_answer(tmp_path: Path):
    question_set = make_sample_set(versions=1)
    path = tmp_path / "deck.json"
    today = date(2026, 1, 5)

    def other_drill() -> None:
        run_drill(question_set, state_path=path, limit=3, input_stream=io.StringIO("A\nF\nx\n"),
                  output_stream=io.StringIO(), today=today)

    run_drill(question_set, state_path=path, limit=3, input_stream=InterruptedInput("A\nF\nx\n", other_drill),
              output_stream=io.StringIO(), today=today)
    cards = load_state(path, question_set.pack_id)
    first_three = [q.id for q in question_set.questions[:3]]
    assert sum(cards[q].seen for q in first_three) == 6  # three answers from each drill, none lost


def test_a_fifo_as_the_state_file_is_one_line_not_a_hang(tmp_path: Path):
    os.mkfifo(tmp_path / "deck.json")
    line = one_error_line(run_quizgen("drill", DEFAULT_PACK, "--deck", tmp_path / "deck.json", timeout=60))
    assert line == (f"{tmp_path / 'deck.json'}:1:1: this drill state is not a regular file (a FIFO, socket or "
                    "device); expected a plain file")
