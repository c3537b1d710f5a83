"""`quizgen review PACK --stats GRADING_FOLDER…`: each question's results pooled over the classes graded with it,
questions that discriminate negatively or have a distractor nobody picks flagged, with the command to leave
them out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from helpers import science_pack_files, write_pack
from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.errors import QuizgenError
from quizgen.generate import question_pool
from quizgen.study.review import option_counts, pooled_statistics, stats_text


@pytest.fixture(scope="module")
def pack_and_pool(tmp_path_factory):
    pack = load_pack(write_pack(tmp_path_factory.mktemp("pack") / "chemistry", science_pack_files()))
    return pack, question_pool(pack, with_excluded=True)


def graded_class(folder: Path, rows: list[dict]) -> Path:
    """A grading folder's item-analysis.csv, columns as `quizgen grade` writes them."""
    folder.mkdir(parents=True)
    with open(folder / "item-analysis.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, ["question", "on_sheets", "question_id", "type", "answered", "difficulty",
                                         "discrimination", "blank", "several_ticked", "options", "prompt"])
        writer.writeheader()
        for row in rows:
            writer.writerow({"blank": 0, "several_ticked": 0, "prompt": "", "type": "", "question": "", "on_sheets": "",
                             **row})
    return folder


def options_text(question, counts: list[int]) -> str:
    return "; ".join(f"{'*' if o.correct else ''}{o.text}: {n}" for o, n in zip(question.options, counts))


def test_classes_are_pooled_and_questions_to_look_at_come_first(pack_and_pool, tmp_path):
    pack, pool = pack_and_pool
    mc = [q for q in pool.questions if q.type == "multiple-choice" and len(q.options) >= 3]
    first, second = mc[0], mc[1]
    right = [i for i, o in enumerate(first.options) if o.correct][0]
    spread = [0] * len(first.options)
    spread[right], spread[(right + 1) % len(spread)] = 9, 3  # the other distractors: nobody, in both classes
    a = graded_class(tmp_path / "a", [
        {"question_id": first.id, "answered": 12, "difficulty": 0.75, "discrimination": -0.3,
         "options": options_text(first, spread)},
        {"question_id": second.id, "answered": 12, "difficulty": 0.5, "discrimination": 0.4,
         "options": options_text(second, [3] * len(second.options))},
        {"question_id": "q-gone", "answered": 12, "difficulty": 0.5, "discrimination": 0.1, "options": ""}])
    b = graded_class(tmp_path / "b", [
        {"question_id": first.id, "answered": 4, "difficulty": 0.25, "discrimination": 0.1,
         "options": options_text(first, [1 if i == right else 0 for i in range(len(first.options))])}])
    items, gone = pooled_statistics(pool, [a, b])
    assert gone == ["q-gone"]
    top = items[0]
    assert top.question.id == first.id and top.classes == 2 and top.answered == 16
    assert top.difficulty == pytest.approx((12 * 0.75 + 4 * 0.25) / 16)
    assert top.discrimination == pytest.approx((12 * -0.3 + 4 * 0.1) / 16)
    assert top.warnings[0].startswith("discriminates negatively (-0.20)")
    unpicked = [o.text for i, o in enumerate(first.options) if i not in (right, (right + 1) % len(spread))]
    assert top.warnings[1] == "distractor nobody picked: " + ", ".join(unpicked)
    assert items[1].question.id == second.id and items[1].warnings == ()
    text = stats_text(items, gone, pack, 2)
    assert text.startswith(f"{pack.title}: 2 questions answered in 2 graded classes; 1 question to look at")
    assert f"leave it out: quizgen review {pack.root} --exclude {first.id} --reason 'discriminates negatively" in text


def test_option_counts_follow_the_questions_own_texts(pack_and_pool):
    _, pool = pack_and_pool
    question = next(q for q in pool.questions if q.type == "multiple-choice")
    texts = [o.text for o in question.options]
    counted = option_counts(options_text(question, list(range(len(texts)))), question)
    assert counted == {t: n for n, t in enumerate(texts)}


def test_a_folder_that_was_not_graded_is_one_line(pack_and_pool, tmp_path):
    _, pool = pack_and_pool
    with pytest.raises(QuizgenError, match=r"--stats: no item-analysis.csv here; expected a folder `quizgen grade`"):
        pooled_statistics(pool, [tmp_path])


def test_the_command_prints_the_pooled_statistics(pack_and_pool, tmp_path, capsys):
    pack, pool = pack_and_pool
    question = next(q for q in pool.questions if q.type == "multiple-choice")
    folder = graded_class(tmp_path / "class", [{"question_id": question.id, "answered": 20, "difficulty": 0.6,
                                                 "discrimination": 0.45,
                                                 "options": options_text(question, [5] * len(question.options))}])
    assert main(["review", str(pack.root), "--stats", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"{question.id}: {question.prompt}" in out
    assert "20 answers in 1 class · difficulty 0.60 · discrimination +0.45" in out
