"""review.yaml is checked like every other pack file: wrongly typed or unknown fields are errors at their line, and
an id that no question of the pack can have is a warning at its line (it may be from templates check was not
given), while the id of a true/false claim counts with either verdict, whichever one seed 1 deals."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen
from quizgen.load.pack import load_pack
from quizgen.generate import question_pool
from quizgen.model import stable_id


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack", MINIMAL_PACK)


def a_true_false_question(pack: Path):
    return next(q for q in question_pool(load_pack(pack)).questions if q.type == "true-false")


@pytest.mark.parametrize("entry, where, message", [
    ("- id: 123456789012\n", "2:7: exclude[0].id", "found the number 123456789012; expected a question id in quotes"),
    ('- id: "{qid}"\n  reason: [too, easy]\n', "3:11: exclude[0].reason", "found a list; expected text"),
    ('- id: "{qid}"\n  colour: red\n', "3:3: exclude[0].colour", "unknown field 'colour'; expected one of id, "
                                                                 "prompt, reason"),
    ('- id: "{qid}"\n  prompt: {{text: x}}\n', "3:11: exclude[0].prompt", "found a mapping; expected text"),
    ("- id: not-an-id\n", "2:7: exclude[0].id", "'not-an-id' is not valid; expected a question id in quotes"),
])
def test_a_wrongly_typed_review_entry_is_one_error_line(pack: Path, entry: str, where: str, message: str):
    qid = a_true_false_question(pack).id
    (pack / "review.yaml").write_text("exclude:\n" + entry.format(qid=qid), encoding="utf-8")
    line = one_error_line(run_quizgen("check", pack, timeout=60))
    assert line.startswith(f"{pack / 'review.yaml'}:{where}: {message}"), line


def test_an_id_matching_no_question_is_a_warning_at_its_line(pack: Path):
    question = a_true_false_question(pack)
    other_verdict = "False" if question.answer == "True" else "True"
    other = stable_id(question.template_id, question.fact_ids[0], "object", other_verdict)
    assert other not in {q.id for q in question_pool(load_pack(pack), with_excluded=True).questions}
    (pack / "review.yaml").write_text(f'exclude:\n- id: "{question.id}"\n- id: "{other}"\n  reason: either verdict\n'
                                      '- id: "0a1b2c3d4e5f"\n  reason: a typo\n', encoding="utf-8")
    result = run_quizgen("check", pack, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{pack / 'review.yaml'}:5:7: exclude[2].id: warning: '0a1b2c3d4e5f' matches no "
                               "question the pack makes"), lines[0]
    assert "either verdict" in lines[0] and "another seed" in lines[0]
    assert result.stdout.endswith("— ok\n")
