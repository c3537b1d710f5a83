"""Generated questions: every type, sound distractors, truly false true/false variants, any subject."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import DEFAULT_PACK

from quizgen.content import load_pack
from quizgen.generate import generate_question_set
from quizgen.generate.checks import alias_index, question_problems
from quizgen.model import BLANK, QUESTION_TYPES
from quizgen.text import normalise


@pytest.fixture(scope="module")
def pack():
    return load_pack(DEFAULT_PACK)


@pytest.fixture(scope="module")
def big_set(pack):
    return generate_question_set(pack, count=400, seed=7)


def test_forty_questions_use_every_type(pack):
    qs = generate_question_set(pack, count=40, seed=1)
    assert len(qs.questions) == 40
    assert {q.type for q in qs.questions} == set(QUESTION_TYPES)


def test_every_question_carries_sources_with_evidence_and_facts(big_set, pack):
    facts = {f.id: f for f in pack.facts}
    for q in big_set.questions:
        assert q.fact_ids and all(facts[f].quizzable for f in q.fact_ids)
        assert q.citations and all(c.text for c in q.citations)
        assert all(c.evidence == facts[c.fact_id].evidence for c in q.citations if c.evidence)
        assert q.explanation and q.front and q.back


def test_no_question_fails_the_invariants(big_set, pack):
    aliases = alias_index(pack)
    assert {q.id: question_problems(q, aliases) for q in big_set.questions if question_problems(q, aliases)} == {}


def test_distractors_are_never_the_answer_or_its_aliases_and_share_its_category(big_set, pack):
    by_name = {normalise(n): e for e in pack.entities for n in e.names}
    checked = 0
    for q in big_set.questions:
        if q.type != "multiple-choice":
            continue
        correct = q.correct_options[0].text
        answer_entity = by_name.get(normalise(correct))
        for option in q.options:
            if option.correct:
                continue
            assert normalise(option.text) not in {normalise(a) for a in (q.answer, *q.accepted)}
            if answer_entity:
                other = by_name[normalise(option.text)]
                assert other.category == answer_entity.category and other.type == answer_entity.type
                assert other.id != answer_entity.id
                checked += 1
    assert checked > 20


def test_distractor_never_made_true_by_another_fact(pack):
    """Ahmed Abu Issa heads Suqour al-Sham (F048) and Abu Hussein al-Dik is listed as its leader (F037):
    neither may be offered as a wrong answer to a question whose answer is the other."""
    rivals = {"Ahmed Abu Issa", "Abu Hussein al-Dik"}
    asked = 0
    for seed in range(1, 6):
        qs = generate_question_set(pack, count=400, seed=seed, types=["multiple-choice"])
        for q in qs.questions:
            if q.correct_options[0].text in rivals:
                asked += 1
                assert not rivals <= {o.text for o in q.options}, q.prompt
            if "Suqour al-Sham" in q.prompt:
                assert not rivals <= {o.text for o in q.options}, q.prompt
    assert asked


def test_true_false_false_variants_are_really_false(big_set, pack):
    facts = {f.id: f for f in pack.facts}
    false_ones = [q for q in big_set.questions if q.type == "true-false" and q.answer == "False"]
    true_ones = [q for q in big_set.questions if q.type == "true-false" and q.answer == "True"]
    assert false_ones and true_ones
    for q in false_ones:
        fact = facts[q.fact_ids[0]]
        claim = q.prompt.removeprefix("True or false: ")
        if fact.object and q.template_id == "tf-person-role":
            named = [e for e in pack.entities if e.category == "group" and e.name in claim]
            # the swapped group is not linked to this person by any fact of the pack
            linked = {f.object for f in pack.facts if f.subject == fact.subject}
            assert named and not {e.id for e in named} & linked, claim
        if q.template_id == "tf-event-date":
            assert fact.date.human() not in claim
            same_label = [f for f in pack.facts if f.label == fact.label and f.date and f.date.human() in claim]
            assert same_label == []


def test_cloze_blanks_the_answer_out(big_set):
    for q in big_set.questions:
        if q.type == "cloze":
            assert BLANK in q.prompt
            assert normalise(q.answer) not in normalise(q.prompt.replace(BLANK, " "))


def test_numeric_tolerance_follows_the_fact(pack):
    qs = generate_question_set(pack, count=200, seed=3, types=["numeric"])
    by_fact = {q.fact_ids[0]: q for q in qs.questions if q.template_id == "numeric-measure"}
    exact = by_fact["F093"].numeric  # 414 killed: exact figure
    assert (exact.low, exact.high) == (414, 414)
    approximate = by_fact["F103"].numeric  # "more than 130,000": approximate, a tenth either side
    assert approximate.low == pytest.approx(117000) and approximate.high == pytest.approx(143000)
    ranged = by_fact["F106"].numeric  # 95–98 %
    assert (ranged.low, ranged.high) == (95, 98)


def test_matching_and_ordering_are_consistent(big_set, pack):
    facts = {f.id: f for f in pack.facts}
    for q in big_set.questions:
        if q.type == "matching":
            assert sorted(p.right for p in q.pairs) == sorted(q.choices)
            assert len({p.left for p in q.pairs}) == len(q.pairs) == len({p.right for p in q.pairs})
        if q.type == "ordering":
            dates = [facts[f].date.start for f in q.fact_ids]
            assert dates == sorted(dates) and len(set(dates)) == len(dates)
            assert list(q.items) != list(q.sequence) and sorted(q.items) == sorted(q.sequence)


def test_no_quiz_facts_never_become_questions(big_set, pack):
    excluded = {f.id for f in pack.facts if "no-quiz" in f.tags}
    assert excluded
    assert not any(set(q.fact_ids) & excluded for q in big_set.questions)


def test_tags_and_types_filter_the_set(pack):
    qs = generate_question_set(pack, count=15, seed=2, tags=["commanders"], types=["multiple-choice", "true-false"])
    assert {q.type for q in qs.questions} <= {"multiple-choice", "true-false"}
    facts = {f.id: f for f in pack.facts}
    assert all("commanders" in facts[f].tags for q in qs.questions for f in q.fact_ids)


def test_an_unrelated_pack_gets_every_type_from_the_same_templates(science_pack: Path):
    pack = load_pack(science_pack)
    qs = generate_question_set(pack, count=30, seed=3)
    assert {q.type for q in qs.questions} == set(QUESTION_TYPES)
    counts = Counter(q.type for q in qs.questions)
    assert sum(counts.values()) == 30
    text = " ".join(q.prompt + q.answer for q in qs.questions)
    assert "Deir" not in text and "ISIL" not in text


def test_wrong_dates_are_at_least_three_days_from_the_right_one(pack):
    from datetime import date

    qs = generate_question_set(pack, count=300, seed=4, types=["multiple-choice", "true-false"])
    facts = {f.id: f for f in pack.facts}
    months = {m: i for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July", "August",
                                          "September", "October", "November", "December"], 1)}

    def parse(text: str) -> date:
        day, month, year = text.split()
        return date(int(year), months[month], int(day))

    checked = 0
    for q in qs.questions:
        if q.template_id == "mc-event-date":
            right = facts[q.fact_ids[0]].date.start
            for option in q.options:
                if not option.correct:
                    assert abs((parse(option.text) - right).days) >= 3, (q.prompt, option.text)
                    checked += 1
    assert checked
