"""Generating for a command (build/generating.py): the same set as the engine deals, made with the cyclic garbage
collector held off, and the collector left as it was found, whatever happens."""

from __future__ import annotations

import gc

import pytest

from helpers import DEFAULT_PACK
from quizgen.build.generating import collector_paused, generate_bounded
from quizgen.generate import generate_question_set
from quizgen.generate.serialise import question_set_json
from quizgen.load.pack import load_pack


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_held_off_inside_and_on_again_after(collector_on):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_an_error(collector_on):
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off(collector_on):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_a_set_generated_for_a_command_is_the_engines_set_and_leaves_the_collector_on(collector_on):
    pack = load_pack(DEFAULT_PACK)
    made = generate_bounded(pack, count=12, seed=3, versions=2)
    assert gc.isenabled()
    assert question_set_json(made) == question_set_json(generate_question_set(pack, count=12, seed=3, versions=2))
