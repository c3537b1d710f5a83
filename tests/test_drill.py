"""The terminal drill: questions from stdin, Leitner boxes, state kept safe across kills and damage."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from helpers import DEFAULT_PACK, ROOT, make_sample_set

from quizgen.study.drill import Card, after_answer, load_state, run_drill, session_questions
from quizgen.errors import QuizgenError

TODAY = date(2026, 3, 2)


def right_answers(questions) -> list[str]:
    return [q.key_text() if q.type in ("multiple-choice", "matching", "ordering", "true-false") else
            (q.numeric and str(q.numeric.value)) or q.answer for q in questions]


def drill(state: Path, answers: list[str], today: date = TODAY, limit: int = 20) -> str:
    out = io.StringIO()
    code = run_drill(make_sample_set(), state_path=state, limit=limit, input_stream=io.StringIO("\n".join(answers)
                     + "\n"), output_stream=out, today=today)
    assert code == 0
    return out.getvalue()


def test_right_answers_move_cards_up_and_wrong_ones_back_to_box_one(tmp_path: Path):
    state = tmp_path / "state.json"
    questions = make_sample_set().questions
    answers = right_answers(questions)
    answers[0] = "A"  # the multiple-choice question wrong
    out = drill(state, answers)
    assert "Not quite." in out and out.count("Correct.") == len(questions) - 1
    assert f"{len(questions) - 1} of {len(questions)} correct" in out
    saved = json.loads(state.read_text())
    assert saved["pack_id"] == "rivers"
    boxes = {qid: card["box"] for qid, card in saved["cards"].items()}
    assert boxes["q-mc"] == 1 and all(box == 2 for qid, box in boxes.items() if qid != "q-mc")
    assert saved["cards"]["q-num"]["due"] == "2026-03-03"


def test_next_session_asks_only_what_is_due(tmp_path: Path):
    state = tmp_path / "state.json"
    questions = make_sample_set().questions
    drill(state, right_answers(questions))
    assert "Nothing is due today" in drill(state, [], today=TODAY)
    later = drill(state, right_answers(questions), today=date(2026, 3, 3))
    assert f"of {len(questions)} correct" in later


def test_feedback_shows_answer_explanation_and_source(tmp_path: Path):
    out = drill(tmp_path / "s.json", ["A"], limit=1)
    assert "Answer: B — Danube" in out and "The Danube rises in the Black Forest." in out
    assert "Source: Test Press, “Notes on rivers & lakes” — “about 1,230 km long”" in out


def test_end_of_input_ends_the_session_cleanly(tmp_path: Path):
    out = io.StringIO()
    assert run_drill(make_sample_set(), state_path=tmp_path / "s.json", limit=5, input_stream=io.StringIO(""),
                     output_stream=out, today=TODAY) == 0
    assert "0 of 0 correct" in out.getvalue()


def test_leitner_schedule():
    card = Card()
    for expected_box, days in [(2, 1), (3, 3), (4, 7), (5, 14), (5, 14)]:
        card = after_answer(card, True, TODAY)
        assert card.box == expected_box and card.due == date.fromordinal(TODAY.toordinal() + days).isoformat()
    assert after_answer(card, False, TODAY).box == 1
    cards = {"q-mc": Card(box=3, due="2026-03-01"), "q-tf": Card(box=1, due="2026-03-05")}
    order = [q.id for q in session_questions(make_sample_set().questions, cards, TODAY, 3)]
    assert order == ["q-mc", "q-cloze", "q-short"]


@pytest.mark.parametrize("damage", ['{"version": 1, "pack_id": "riv', "not json at all", '{"version": 1}', "[]"])
def test_damaged_state_is_reported_and_backed_up_never_reset(tmp_path: Path, damage: str):
    state = tmp_path / "state.json"
    state.write_text(damage)
    with pytest.raises(QuizgenError) as caught:
        drill(state, ["B"])
    message = str(caught.value)
    assert message.startswith(f"{state}: drill state is damaged (")
    assert "it was moved to state.json.corrupt-1 and nothing was reset" in message
    assert not state.exists() and (tmp_path / "state.json.corrupt-1").read_text() == damage
    state.write_text(damage)
    with pytest.raises(QuizgenError, match="state.json.corrupt-2"):
        drill(state, ["B"])


def test_cli_drill_with_answers_on_stdin_and_a_kill_mid_session(tmp_path: Path):
    state = tmp_path / "deck.json"
    command = [sys.executable, "-m", "quizgen", "drill", str(DEFAULT_PACK), "--deck", str(state), "--limit", "5"]
    done = subprocess.run(command, input="B D C A\nA B E\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "of 2 correct" in done.stdout
    assert len(json.loads(state.read_text())["cards"]) == 2
    # Kill the program while it waits for the second answer: the first answer is on disk (in the journal),
    # and the next drill writes it into the state file.
    state.unlink()
    journal = tmp_path / "deck.json.journal"
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    process.stdin.write("B D C A\n")
    process.stdin.flush()
    deadline = time.monotonic() + 30
    while not (journal.exists() and journal.read_bytes().endswith(b"\n")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    cards = load_state(state, "deir-ez-zor-2014")
    assert len(cards) == 1 and next(iter(cards.values())).seen == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    subprocess.run(command, input="", capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    saved = json.loads(state.read_text())
    assert len(saved["cards"]) == 1 and next(iter(saved["cards"].values()))["seen"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.json"]
