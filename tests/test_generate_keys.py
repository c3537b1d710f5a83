"""Keys in exactly the form the worksheet asks for: a student who answers every question correctly, from the facts
and not from the key, scores full marks by the key, for every type and every version."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from closed_world import ClosedWorld, student_response
from helpers import DEFAULT_PACK, family_pack_files, science_pack_files, write_pack

from quizgen.study.answers import is_correct
from quizgen.load.pack import load_pack
from quizgen.generate import generate_question_set
from quizgen.model import QUESTION_TYPES, Pack, QuestionSet

SEEDS = (1, 2, 3)
KEYED_BY_LETTER = ("multiple-choice", "multiple-response", "true-false", "matching", "ordering")


@functools.cache
def sets(pack_name: str) -> tuple[Pack, tuple[QuestionSet, ...]]:
    files = {"family": family_pack_files, "science": science_pack_files}[pack_name]()
    pack = load_pack(write_pack(Path(tempfile.mkdtemp(prefix="quizgen-keys-")) / pack_name, files))
    made = tuple(generate_question_set(pack, count=200, seed=seed, versions=3, types=[qtype])
                 for seed in SEEDS for qtype in QUESTION_TYPES)
    return pack, made


def answered(pack_name: str, qtype: str):
    """(question, the student's response) for every question of the type, in every version of every set."""
    pack, made = sets(pack_name)
    world = ClosedWorld(pack)
    found = [(q, student_response(q, world)) for qs in made for version in qs.versions for q in version.questions
             if q.type == qtype]
    assert found, (pack_name, qtype)
    return found


@pytest.mark.parametrize("pack_name", ["family", "science"])
@pytest.mark.parametrize("qtype", [t for t in QUESTION_TYPES if t in KEYED_BY_LETTER])
def test_a_correct_student_writes_exactly_the_key(pack_name, qtype):
    wrong = [(q.prompt, q.items or q.choices, response, q.key_text()) for q, response in answered(pack_name, qtype)
             if response != q.key_text()]
    assert wrong == []


@pytest.mark.parametrize("pack_name", ["family", "science"])
@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_a_correct_student_scores_full_marks(pack_name, qtype):
    marked_wrong = [(q.prompt, response) for q, response in answered(pack_name, qtype) if not is_correct(q, response)]
    assert marked_wrong == []


def test_ordering_key_gives_each_listed_item_its_place_in_time(tmp_path: Path):
    """The worksheet says 'Number the items from 1 to n': the key is the rank of each item as listed."""
    pack = load_pack(write_pack(tmp_path / "family", family_pack_files()))
    qs = generate_question_set(pack, count=50, seed=5, versions=3, types=["ordering"])
    checked = 0
    for version in qs.versions:
        for q in version.questions:
            ranks = [int(r) for r in q.key_text().split()]
            assert sorted(ranks) == list(range(1, len(q.items) + 1))
            assert [q.sequence[r - 1] for r in ranks] == list(q.items)
            assert is_correct(q, q.key_text()) and is_correct(q, ",".join(q.key_text().split()))
            reversed_ranks = " ".join(str(len(ranks) + 1 - r) for r in ranks)
            assert not is_correct(q, reversed_ranks)
            checked += 1
    assert checked >= 3


def test_versions_reorder_options_and_keep_the_key_true(tmp_path: Path):
    pack = load_pack(write_pack(tmp_path / "family", family_pack_files()))
    world = ClosedWorld(pack)
    qs = generate_question_set(pack, count=40, seed=8, versions=4)
    keys = {v.code: [q.key_text() for q in v.questions if q.type != "true-false"] for v in qs.versions}
    assert len({tuple(k) for k in keys.values()}) > 1
    for version in qs.versions:
        for q in version.questions:
            assert student_response(q, world) == q.key_text() or q.type not in KEYED_BY_LETTER, q.prompt


def test_a_correct_student_scores_full_marks_on_the_real_pack():
    pack = load_pack(DEFAULT_PACK)
    world = ClosedWorld(pack)
    made = [generate_question_set(pack, count=400, seed=3, versions=3, types=[qtype]) for qtype in QUESTION_TYPES]
    answered = [(v.code, q, student_response(q, world)) for qs in made for v in qs.versions for q in v.questions]
    assert {q.type for _, q, _ in answered} == set(QUESTION_TYPES)
    assert [(code, q.prompt, r) for code, q, r in answered if not is_correct(q, r)] == []
    assert [(code, q.prompt, r) for code, q, r in answered if q.type in KEYED_BY_LETTER and r != q.key_text()] == []
