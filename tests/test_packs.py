"""The packs under tests/packs were written by authors from the docs alone, on subjects unlike the default pack:
each loads, lints clean, and its pool keys nothing the pack makes false and refuses nothing it makes true."""

from __future__ import annotations


import pytest
from helpers import ROOT

from quizgen.load.pack import load_pack
from quizgen.generate import generate_question_set, question_pool
from quizgen.generate.lint import ERROR, lint_pool
from quizgen.generate.truth import Truth
from quizgen.text import normalise

PACKS = sorted((ROOT / "tests" / "packs").iterdir())


@pytest.fixture(scope="module", params=PACKS, ids=[p.name for p in PACKS])
def pack_and_pool(request):
    pack = load_pack(request.param)
    return pack, question_pool(pack, seed=1)


def test_each_pack_lints_without_errors_and_asks_every_fact(pack_and_pool):
    pack, pool = pack_and_pool
    errors = [str(f) for f in lint_pool(pool, pack) if f.severity == ERROR]
    assert errors == []
    assert pool.asked_facts() >= {f.id for f in pack.quizzable_facts()}


def test_no_wrong_option_and_no_false_claim_is_something_the_pack_may_make_true(pack_and_pool):
    pack, pool = pack_and_pool
    truth = Truth.of(pack)
    facts = {f.id: f for f in pack.facts}
    checked = 0
    for question in pool.questions:
        template = pool.templates[question.template_id]
        if question.type not in ("multiple-choice", "multiple-response"):
            continue
        fact = facts[question.fact_ids[0]]
        slot_type = pack.relation(fact.relation).slot_type(template.ask)
        possible = {normalise(n) for key, v in truth.possibly_true(fact, template.ask).items()
                    for n in (pack.entity(v).names if slot_type not in ("date", "number", "text") else ())}
        for option in question.options:
            if not option.correct:
                assert normalise(option.text) not in possible, (question.prompt, option.text)
                checked += 1
    assert checked


def test_dealt_sets_mix_their_types(pack_and_pool):
    pack, _ = pack_and_pool
    for seed in range(1, 6):
        chosen = generate_question_set(pack, count=20, seed=seed).questions
        types = [q.type for q in chosen]
        assert len(set(types)) >= 5, (seed, types)
        assert types.count("true-false") <= len(types) // 4, (seed, types)
        assert len(types) == 20, (seed, types)
