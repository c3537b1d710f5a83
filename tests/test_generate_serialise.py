"""The question set as JSON: written by serialise.py's own writer, exactly as json.dumps would write it."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from helpers import DEFAULT_PACK

from quizgen.generate import generate_question_set
from quizgen.generate.serialise import indented_json, plain, question_set_data, question_set_json
from quizgen.load.pack import load_pack


def standard_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


@pytest.mark.parametrize("data", [
    {}, [], (), "", 0, -3, 2.5, -0.0, 1e300, 10 ** 30, None, True, False,
    float("nan"), float("inf"), float("-inf"),
    {"b": {}, "a": [], "c": ()},
    {"z": 1, "Z": 2, "é": 3, "a b": [1, [2, [3, {}]]]},
    ["é", "\n\t\"\\", "\u2028", "\x00\x1f", "“Hama”", "𝄞"],
    ({"nested": ({"deeper": [None, True, 0.1]},)}, "tail"),
])
def test_indented_json_writes_what_json_dumps_writes(data):
    assert indented_json(data) == standard_json(data)


def test_indented_json_refuses_what_json_cannot_write():
    with pytest.raises(TypeError):
        indented_json({"a": {1, 2}})


@pytest.fixture(scope="module")
def question_set():
    return generate_question_set(load_pack(DEFAULT_PACK), count=30, seed=3, versions=2)


def test_plain_makes_what_asdict_makes(question_set):
    for question in (*question_set.questions, *question_set.deck):
        made, expected = plain(question), asdict(question)
        assert made == expected
        assert [type(made[name]) for name in made] == [type(expected[name]) for name in expected]


def test_question_set_json_is_the_standard_json_of_its_data(question_set):
    assert {q.type for q in question_set.deck} | {q.type for q in question_set.questions} >= {
        "multiple-choice", "true-false", "numeric"}
    assert question_set_json(question_set) == standard_json(question_set_data(question_set)) + "\n"
