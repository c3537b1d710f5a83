"""Question sets and versions: byte-identical output, shuffled versions with consistent keys, the JSON schema."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from conftest import DEFAULT_PACK, ROOT

from quizgen.content import load_pack
from quizgen.generate import generate_question_set
from quizgen.generate.checks import correct_positions
from quizgen.generate.versions import version_codes

SCHEMA = json.loads((ROOT / "schema" / "question-set.schema.json").read_text(encoding="utf-8"))


def run_generate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quizgen", "generate", str(DEFAULT_PACK), *args],
                          capture_output=True, cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def pack():
    return load_pack(DEFAULT_PACK)


def test_same_command_twice_gives_identical_bytes_and_valid_json():
    first = run_generate("--count", "40", "--seed", "1", "--format", "json")
    second = run_generate("--count", "40", "--seed", "1", "--format", "json")
    assert first.returncode == 0, first.stderr.decode()
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    jsonschema.validate(data, SCHEMA)
    assert {q["type"] for q in data["questions"]} == {"multiple-choice", "true-false", "cloze", "short-answer",
                                                      "matching", "ordering", "numeric"}


def test_schema_rejects_a_broken_question():
    data = json.loads(run_generate("--count", "5", "--format", "json").stdout)
    data["questions"][0]["type"] = "essay"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_question_ids_depend_on_fact_and_template_not_on_seed_or_order(pack):
    a = generate_question_set(pack, count=60, seed=1)
    b = generate_question_set(pack, count=60, seed=2)
    ids_a = {(q.template_id, q.fact_ids): q.id for q in a.questions if q.type != "true-false"}
    ids_b = {(q.template_id, q.fact_ids): q.id for q in b.questions if q.type != "true-false"}
    shared = ids_a.keys() & ids_b.keys()
    assert shared and all(ids_a[k] == ids_b[k] for k in shared)
    assert [q.id for q in a.questions] != [q.id for q in b.questions]


def test_four_versions_have_different_orders_and_consistent_keys(pack):
    qs = generate_question_set(pack, count=20, seed=1, versions=4)
    assert [v.code for v in qs.versions] == ["A", "B", "C", "D"]
    orders = {tuple(q.id for q in v.questions) for v in qs.versions}
    assert len(orders) == 4
    canonical = {q.id: q for q in qs.questions}
    for version in qs.versions:
        assert sorted(q.id for q in version.questions) == sorted(canonical)
        for q in version.questions:
            original = canonical[q.id]
            if q.type == "multiple-choice":
                key_letter = q.key_text()
                chosen = q.options["ABCDEFG".index(key_letter)]
                assert chosen.correct and chosen.text == original.correct_options[0].text
            if q.type == "matching":
                letters = dict(part.split("-") for part in q.key_text().split())
                for number, pair in enumerate(q.pairs, 1):
                    assert q.choices["ABCDEFG".index(letters[str(number)])] == pair.right
            if q.type == "ordering":
                positions = [int(n) for n in q.key_text().split()]
                assert [q.items[p - 1] for p in positions] == list(original.sequence)


def test_correct_positions_are_balanced_in_every_version(pack):
    qs = generate_question_set(pack, count=120, seed=5, versions=3, types=["multiple-choice"])
    for version in qs.versions:
        for size, positions in correct_positions(version).items():
            counts = Counter(positions)
            spread = [counts.get(i, 0) for i in range(size)]
            assert max(spread) - min(spread) <= 1, (version.code, size, spread)


def test_version_codes_continue_past_z():
    assert version_codes(28)[-3:] == ["Z", "AA", "AB"]


def test_text_format_shows_version_and_key():
    out = run_generate("--count", "6", "--versions", "2", "--format", "text").stdout.decode()
    assert "Version A" in out and "Version B" in out and out.count("Key: ") == 2


def test_generate_does_not_import_weasyprint():
    probe = ("import sys; from quizgen.cli import main; main(['generate', sys.argv[1], '--count', '5', "
             "'--format', 'json']); assert 'weasyprint' not in sys.modules, 'weasyprint imported'")
    result = subprocess.run([sys.executable, "-c", probe, str(DEFAULT_PACK)], capture_output=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr.decode()
