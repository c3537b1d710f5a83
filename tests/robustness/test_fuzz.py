"""Fuzzing: random YAML and mutated packs load or fail cleanly; random generator settings keep the invariants."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, science_pack_files, write_pack
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quizgen.load.pack import load_pack
from quizgen.errors import QuizgenError
from quizgen.generate import generate_question_set
from quizgen.generate.checks import alias_index, question_problems
from quizgen.model import QUESTION_TYPES, Pack

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAMLISH = st.lists(st.sampled_from(list("abcFS1 :-[]{}&*!|>'\"#\n\t,.é\u0000") + ["  ", "- ", ": ", "facts:",
                                                                                 "\n  - id: "]),
                   max_size=80).map("".join)


def load_or_error(files: dict[str, str]) -> Pack | QuizgenError:
    folder = Path(tempfile.mkdtemp())
    try:
        return load_pack(write_pack(folder / "pack", files))
    except QuizgenError as error:
        return error
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def assert_clean(outcome: Pack | QuizgenError) -> None:
    if isinstance(outcome, QuizgenError):
        assert outcome.problems
        for problem in outcome.problems:
            assert problem.path and problem.line >= 1 and problem.column >= 1, problem
            assert problem.message


@FUZZ
@given(text=YAMLISH, name=st.sampled_from(["facts.yaml", "entities.yaml", "sources.yaml", "pack.yaml",
                                           "relations.yaml"]))
def test_random_text_in_any_pack_file_loads_or_fails_cleanly(text: str, name: str):
    assert_clean(load_or_error(dict(MINIMAL_PACK, **{name: text})))


@FUZZ
@given(name=st.sampled_from(sorted(n for n in MINIMAL_PACK if n.endswith(".yaml"))), position=st.integers(0, 10**4),
       mutation=st.sampled_from(["drop", "duplicate", "garble", "retype"]), cut=st.integers(0, 10**4),
       garbage=YAMLISH, replacement=st.sampled_from(["[]", "{}", "42", "true", "~"]))
@example(name="facts.yaml", position=5, mutation="drop", cut=0, garbage="", replacement="[]")
def test_mutated_valid_packs_load_or_fail_cleanly(name, position, mutation, cut, garbage, replacement):
    files = dict(MINIMAL_PACK)
    lines = files[name].splitlines()
    index = position % len(lines)
    if mutation == "drop":
        del lines[index]
    elif mutation == "duplicate":
        lines.insert(index, lines[index])
    elif mutation == "garble":
        lines[index] = lines[index][: cut % (len(lines[index]) + 1)] + garbage
    else:
        lines[index] = lines[index].split(":")[0] + ": " + replacement
    files[name] = "\n".join(lines) + "\n"
    assert_clean(load_or_error(files))


SCIENCE = load_or_error(science_pack_files())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), count=st.integers(1, 40), types=st.sets(st.sampled_from(QUESTION_TYPES), min_size=1),
       versions=st.integers(1, 4))
def test_generator_on_another_pack_keeps_invariants_or_fails_cleanly(seed, count, types, versions):
    assert isinstance(SCIENCE, Pack)
    try:
        qs = generate_question_set(SCIENCE, seed=seed, count=count, types=sorted(types), versions=versions)
    except QuizgenError as error:
        assert_clean(error) if error.problems[0].line else None
        return
    aliases = alias_index(SCIENCE)
    assert all(question_problems(q, aliases) == [] for q in qs.questions)
    assert len(qs.versions) == versions and all(len(v.questions) == len(qs.questions) for v in qs.versions)
