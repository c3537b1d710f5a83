"""Wrong options (generate/distractors.py) through `distractors_for` on a small real pack of mountains: values
the pack knows to be false, of the answer's kind, never the answer or a name the question already shows."""

from __future__ import annotations

import random

import pytest
from helpers import write_pack

from quizgen.load.pack import load_pack
from quizgen.generate.distractors import distractors_for
from quizgen.generate.truth import Truth

PEAKS = [  # id, name, range, the one country it stands in, height in m, first ascent
    ("everest", "Mount Everest", "himalaya", "nepal", 8849, "1953-05-29"),
    ("k2", "K2", "karakoram", "pakistan", 8611, "1954-07-31"),
    ("kangchenjunga", "Kangchenjunga", "himalaya", "india", 8586, "1955-05-25"),
    ("mont-blanc", "Mont Blanc", "alps", "france", 4806, "1786-08-08"),
    ("aconcagua", "Aconcagua", "andes", "argentina", 6961, "1897-01-14"),
    ("matterhorn", "Matterhorn", "alps", "switzerland", 4478, "1865-07-14"),
]
COUNTRIES = ["nepal", "pakistan", "india", "france", "argentina", "switzerland", "italy", "chile"]
PACK = {
    "pack.yaml": """
        id: mountains
        title: High mountains
        language: en
        licence: CC BY-SA 4.0
        description: A small pack for the distractor tests.
        period: {start: 1700-01-01, end: 2030-12-31}
        topics:
          - {id: peaks, title: Peaks}
    """,
    "relations.yaml": """
        categories:
          mountain: {rank_by: [range]}
          country: {}
        relations:
          - id: height
            subject: mountain
            object: number
            objects: one
            sentence: "{Subject} is {object} m high."
            ask_object: "How high is {subject}, in metres?"
          - id: first-ascent
            subject: mountain
            object: date
            objects: one
            sentence: "{Subject} was first climbed {object}."
            ask_object: "When was {subject} first climbed?"
          - id: in-country
            subject: mountain
            object: country
            objects: one
            sentence: "{Subject} stands in {object}."
            ask_object: "In which country does {subject} stand?"
          - id: seen-from
            subject: mountain
            object: country
            sentence: "{Subject} can be seen from {object}."
            ask_object: "From which country can {subject} be seen?"
    """,
    "sources.yaml": """
        sources:
          - id: S1
            title: Notes on mountains
            publisher: Test Press
            file: sources/notes.txt
    """,
}


def mountains_files() -> dict[str, str]:
    entities, facts, notes = ["entities:"], ["facts:"], []

    def fact(fact_id: str, relation: str, subject: str, value: str, evidence: str) -> None:
        facts.extend([f"  - id: {fact_id}", f"    relation: {relation}", f"    subject: {subject}",
                      f"    object: {value}", "    topic: peaks", "    sources: [S1]", f'    evidence: "{evidence}"'])
        notes.append(evidence)

    for key, name, mountain_range, country, height, day in PEAKS:
        entities.extend([f"  - id: {key}", f"    name: {name}", "    category: mountain",
                         f"    attributes: {{range: {mountain_range}}}", "    description: A mountain."])
        fact(f"{key}-height", "height", key, f"{{value: {height}, unit: m}}", f"{name} is {height:,} m high.")
        fact(f"{key}-first-ascent", "first-ascent", key, day, f"{name} was first climbed on {day}.")
        fact(f"{key}-in-country", "in-country", key, country, f"{name} stands in {country.title()}.")
    for country in COUNTRIES:
        entities.extend([f"  - id: {country}", f"    name: {country.title()}", "    category: country",
                         "    description: A country."])
    fact("everest-seen-from", "seen-from", "everest", "nepal", "Mount Everest can be seen from Nepal.")
    return {**PACK, "entities.yaml": "\n".join(entities) + "\n", "facts.yaml": "\n".join(facts) + "\n",
            "sources/notes.txt": " ".join(notes) + "\n"}


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return load_pack(write_pack(tmp_path_factory.mktemp("packs") / "mountains", mountains_files()))


@pytest.fixture(scope="module")
def truth(pack):
    return Truth.of(pack)


def offered(pack, truth, fact_id: str, seed: int = 1, count: int = 3, stem: str = "") -> list:
    fact = next(f for f in pack.facts if f.id == fact_id)
    return distractors_for(fact, "object", pack, truth, random.Random(seed), count, stem=stem)


@pytest.mark.parametrize("key", [peak[0] for peak in PEAKS])
def test_a_country_where_the_pack_places_another_mountain_comes_first_and_never_the_answer(pack, truth, key):
    answer = next(peak[3] for peak in PEAKS if peak[0] == key)
    placed = {peak[3] for peak in PEAKS}
    for seed in range(4):
        wrong = offered(pack, truth, f"{key}-in-country", seed)
        assert len(wrong) == 3 and len(set(wrong)) == 3
        assert answer not in wrong and set(wrong) <= placed - {answer}  # before Italy and Chile, which hold none


def test_the_same_seed_offers_the_same_options_in_the_same_order(pack, truth):
    assert offered(pack, truth, "everest-in-country", 7) == offered(pack, truth, "everest-in-country", 7)


def test_a_name_the_question_already_shows_is_not_offered(pack, truth):
    for seed in range(4):
        wrong = offered(pack, truth, "everest-in-country", seed, stem="Pakistan or India, or neither?")
        assert wrong and not {"pakistan", "india"} & set(wrong)


def test_an_open_list_offers_nothing_since_nothing_is_known_false(pack, truth):
    # Everest can be seen from Nepal; that it cannot be seen from India is nowhere in the pack
    assert offered(pack, truth, "everest-seen-from") == []


@pytest.mark.parametrize("key", [peak[0] for peak in PEAKS])
def test_a_height_is_offered_from_the_other_peaks_heights_and_never_the_answer(pack, truth, key):
    answer = next(peak[4] for peak in PEAKS if peak[0] == key)
    wrong = offered(pack, truth, f"{key}-height")
    values = [number.value for number in wrong]
    assert len(values) == 3 and len(set(values)) == 3
    assert answer not in values and set(values) <= {peak[4] for peak in PEAKS}
    assert all(number.unit == "m" for number in wrong)


@pytest.mark.parametrize("key", [peak[0] for peak in PEAKS])
def test_a_date_is_offered_from_the_other_first_ascents_and_never_the_answer(pack, truth, key):
    answer = next(peak[5] for peak in PEAKS if peak[0] == key)
    # from the answer's century: Mont Blanc's 1786 is offered only 1865, not the Himalayan ascents of the 1950s
    same_era = {peak[5] for peak in PEAKS if abs(int(peak[5][:4]) - int(answer[:4])) <= 100} - {answer}
    for seed in range(3):
        wrong = offered(pack, truth, f"{key}-first-ascent", seed)
        texts = [date.text for date in wrong]
        assert len(texts) == min(3, len(same_era)) and len(set(texts)) == len(texts)
        assert answer not in texts and set(texts) <= same_era


def test_the_rest_of_the_category_follows_and_fewer_come_back_when_the_pack_has_no_more(pack, truth):
    wrong = offered(pack, truth, "everest-in-country", count=10)
    assert len(wrong) == len(COUNTRIES) - 1 and "nepal" not in wrong
    assert set(wrong[:5]) == {peak[3] for peak in PEAKS} - {"nepal"} and set(wrong[5:]) == {"italy", "chile"}
