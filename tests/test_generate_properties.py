"""Property tests: for any seed, count and choice of types, the generated set keeps every invariant."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_PACK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.content import load_pack
from quizgen.generate import generate_question_set
from quizgen.generate.checks import alias_index, question_problems, version_problems
from quizgen.model import QUESTION_TYPES

PACK = load_pack(DEFAULT_PACK)
ALIASES = alias_index(PACK)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**9), count=st.integers(min_value=1, max_value=60),
       types=st.sets(st.sampled_from(QUESTION_TYPES), min_size=1), versions=st.integers(min_value=1, max_value=3))
def test_invariants_hold_for_any_seed_and_types(seed, count, types, versions):
    qs = generate_question_set(PACK, count=count, seed=seed, types=sorted(types), versions=versions)
    assert 1 <= len(qs.questions) <= count
    assert {q.type for q in qs.questions} <= types
    assert len({q.id for q in qs.questions}) == len(qs.questions)
    for q in qs.questions:
        assert question_problems(q, ALIASES) == []
        if q.type in ("multiple-choice", "true-false"):
            assert len(q.correct_options) == 1
    for version in qs.versions:
        assert version_problems(version) == []
    again = generate_question_set(PACK, count=count, seed=seed, types=sorted(types), versions=versions)
    assert again == qs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_type_appears_once_the_count_allows(seed):
    qs = generate_question_set(PACK, count=len(QUESTION_TYPES), seed=seed)
    assert {q.type for q in qs.questions} == set(QUESTION_TYPES)
