"""The closed-world truth index: every value a pack's facts make true for a slot, computed once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, family_pack_files, science_pack_files, write_pack

from quizgen.load.pack import load_pack
from quizgen.load.records import parse_date
from quizgen.generate.distractors import distractors_for
from quizgen.generate.keys import value_key
from quizgen.generate.truth import Truth
from quizgen.model import Number


@pytest.fixture
def family(tmp_path: Path):
    return load_pack(write_pack(tmp_path / "family", family_pack_files()))


def fact(pack, fid):
    return next(f for f in pack.facts if f.id == fid)


def test_every_true_value_of_a_many_valued_slot_is_found(family):
    truth = Truth.of(family)
    # C1: Irène is a child of Marie Curie; so is Ève (C3)
    assert set(truth.true_values(fact(family, "C1"), "subject")) == {"irene-joliot-curie", "eve-curie"}
    # W1: Marie Curie won the 1903 prize, with Pierre Curie and Henri Becquerel
    assert set(truth.true_values(fact(family, "W1"), "subject")) == {"marie-curie", "pierre-curie", "henri-becquerel"}
    assert set(truth.true_values(fact(family, "W1"), "object")) == {"nobel-physics-1903", "nobel-chemistry-1911",
                                                                    "davy-medal-1903"}
    # L3: Frédéric Joliot-Curie led two organisations
    assert set(truth.true_values(fact(family, "L3"), "object")) == {"cea", "world-peace-council"}
    # B1: Marie Curie alone was born in Warsaw
    assert set(truth.true_values(fact(family, "B1"), "subject")) == {"marie-curie"}


def test_holds_answers_for_any_pair_and_only_within_its_relation(family):
    truth = Truth.of(family)
    assert truth.holds("child-of", "eve-curie", "pierre-curie")
    assert not truth.holds("child-of", "pierre-curie", "eve-curie")
    assert not truth.holds("won", "eve-curie", "nobel-physics-1903")
    assert truth.holds("born-on", "marie-curie", parse_date("1867"))
    assert not truth.holds("born-on", "marie-curie", parse_date("1868"))


def test_slot_values_and_the_facts_about_a_value(family):
    truth = Truth.of(family)
    assert set(truth.slot_values("led", "object")) == {"radium-institute", "cea", "world-peace-council",
                                                       "cavendish-laboratory"}
    assert "pasteur-institute" not in truth.slot_values("led", "object")
    assert {f.id for f in truth.facts_about("cea")} == {"L3"}


def test_values_are_keyed_by_meaning_not_by_spelling():
    assert value_key(parse_date("1898")) == value_key(parse_date("1898-01-01/1898-12-31"))
    assert value_key(parse_date("1898-07")) != value_key(parse_date("1898"))
    assert value_key("The  Black-Forest", "text") == value_key("the black forest", "text")
    assert value_key("black-forest", "place") == "black-forest"
    assert value_key(Number(10, "km")) != value_key(Number(10, "km", max=12))


def test_text_slots_share_truth_across_spellings(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"] + """
          - id: nickname
            subject: river
            object: text
            sentence: "{Subject} is called {object}."
            ask_subject: "Which river is called {object}?"
    """
    files["facts.yaml"] = MINIMAL_PACK["facts.yaml"] + """
          - id: F4
            relation: nickname
            subject: danube
            object: the blue river
            topic: courses
            sources: [S1]
            evidence: "The Danube rises"
            ask: []
          - id: F5
            relation: nickname
            subject: rhine
            object: The Blue  River
            topic: courses
            sources: [S1]
            evidence: "The Rhine is about"
            ask: []
    """
    pack = load_pack(write_pack(tmp_path / "rivers", files))
    truth = Truth.of(pack)
    assert set(truth.true_values(fact(pack, "F4"), "subject")) == {"danube", "rhine"}


def test_distractors_never_offer_a_value_the_pack_makes_true(family):
    truth = Truth.of(family)
    for f in family.facts:
        for slot in f.ask:
            assert all(truth.refutation(f, slot, key) is None for key in truth.true_values(f, slot))
            for seed in range(5):
                offered = distractors_for(f, slot, family, truth, random.Random(seed), 4)
                true_now = truth.true_values(f, slot)
                assert not any(value_key(v, family.relation(f.relation).slot_type(slot)) in true_now
                               for v in offered), (f.id, slot, offered)


def test_other_discoverers_come_first_and_shared_attributes_rank_among_them(tmp_path: Path):
    pack = load_pack(write_pack(tmp_path / "chemistry", science_pack_files()))
    truth = Truth.of(pack)
    f10 = fact(pack, "F10")  # Marie Curie discovered Polonium: someone who discovered something is the likelier guess
    discoverers = {f.subject for f in pack.facts if f.relation == "discovered"} - {"marie-curie"}
    for seed in range(5):
        offered = distractors_for(f10, "subject", pack, truth, random.Random(seed), 3)
        # Ramsay and Rayleigh (discoverers alive in 1898) before Lavoisier, whom only his nationality recommends
        assert set(offered[:2]) == {"william-ramsay", "lord-rayleigh"} <= discoverers, offered


def test_among_equals_values_of_the_same_slot_come_before_the_rest_of_the_category(tmp_path: Path):
    pack = load_pack(write_pack(tmp_path / "chemistry", science_pack_files()))
    truth = Truth.of(pack)
    f21 = fact(pack, "F21")  # William Ramsay worked at University College London
    offered = distractors_for(f21, "object", pack, truth, random.Random(1), 3)
    assert len(offered) == 3 and set(offered) <= set(truth.slot_values("worked-at", "object"))
    f40 = fact(pack, "F40")  # Marie Curie lectured in Paris: only London and Stockholm fill the slot elsewhere
    offered = distractors_for(f40, "object", pack, truth, random.Random(1), 3)
    assert offered[:2] and set(offered[:2]) == {"london", "stockholm"} and "edinburgh" in offered
