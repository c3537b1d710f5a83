"""Property tests: for any seed, count and choice of types, the generated set keeps every invariant, on the real pack
and on the small packs of other subjects."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from helpers import DEFAULT_PACK, family_pack_files, science_pack_files, write_pack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.load.pack import load_pack
from quizgen.generate import generate_question_set
from quizgen.generate.checks import alias_index, question_problems, version_problems
from quizgen.model import QUESTION_TYPES, Pack


@functools.cache
def pack_named(name: str) -> Pack:
    if name == "default":
        return load_pack(DEFAULT_PACK)
    files = {"family": family_pack_files, "science": science_pack_files}[name]()
    return load_pack(write_pack(Path(tempfile.mkdtemp(prefix="quizgen-properties-")) / name, files))


@functools.cache
def aliases_of(name: str) -> dict[str, str]:
    return alias_index(pack_named(name))


@pytest.mark.parametrize("name", ["default", "family", "science"])
def test_invariants_hold_for_any_seed_and_types(name):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(min_value=0, max_value=10**9), count=st.integers(min_value=1, max_value=60),
           types=st.sets(st.sampled_from(QUESTION_TYPES), min_size=1), versions=st.integers(min_value=1, max_value=3))
    def invariants_hold(seed, count, types, versions):
        pack = pack_named(name)
        qs = generate_question_set(pack, count=count, seed=seed, types=sorted(types), versions=versions)
        assert 1 <= len(qs.questions) <= count
        assert {q.type for q in qs.questions} <= types
        assert len({q.id for q in qs.questions}) == len(qs.questions)
        for q in qs.questions:
            assert question_problems(q, aliases_of(name)) == []
            if q.type in ("multiple-choice", "true-false"):
                assert len(q.correct_options) == 1
            if q.type == "multiple-response":
                assert 2 <= len(q.correct_options) < len(q.options)
        for version in qs.versions:
            assert version_problems(version) == []
        again = generate_question_set(pack, count=count, seed=seed, types=sorted(types), versions=versions)
        assert again == qs

    invariants_hold()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_type_appears_once_the_count_allows(seed):
    qs = generate_question_set(pack_named("default"), count=len(QUESTION_TYPES), seed=seed)
    assert {q.type for q in qs.questions} == set(QUESTION_TYPES)
