"""What each export format reads: its digest changes with every part of the set it reads, and with no other."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from quizgen.export import FORMATS, export_bytes
from quizgen.export.inputs import PARTS, SetDigests, canonical, digest_of
from quizgen.model import Option, QuestionSet


def with_deck(question_set: QuestionSet) -> QuestionSet:
    """The set with a study deck of its own, so that the deck and the questions can change apart."""
    return dataclasses.replace(question_set, deck=question_set.questions[:3])


def edited(question, **changes):
    return dataclasses.replace(question, **changes)


def changed_part(question_set: QuestionSet, part: str) -> QuestionSet:
    """The set with one part changed so that every format reading that part makes other bytes."""
    if part == "pack":
        return dataclasses.replace(question_set, pack_title="Rivers of Europe")
    if part == "questions":
        return dataclasses.replace(question_set, questions=tuple(
            edited(q, prompt=q.prompt + " (now)", explanation=q.explanation + " Edited.")
            for q in question_set.questions))
    if part == "versions":
        return dataclasses.replace(question_set, versions=tuple(
            dataclasses.replace(v, questions=tuple(edited(q, prompt=q.prompt + " (now)") for q in v.questions))
            for v in question_set.versions))
    assert part == "deck"
    return dataclasses.replace(question_set, deck=tuple(edited(q, back="Another back", explanation="Edited.")
                                                        for q in question_set.deck))


def format_digest(name: str, question_set: QuestionSet) -> str:
    return FORMATS[name].set_digest(SetDigests(question_set))


@pytest.mark.parametrize("part", list(PARTS))
@pytest.mark.parametrize("name", list(FORMATS))
def test_a_format_reads_each_part_it_names_and_no_other(sample_set, name, part):
    question_set = with_deck(sample_set)
    changed = changed_part(question_set, part)
    files_before, _ = export_bytes(question_set, only={name})
    files_after, _ = export_bytes(changed, only={name})
    bytes_changed = files_before != files_after
    digest_changed = format_digest(name, question_set) != format_digest(name, changed)
    # a format whose bytes depend on a part must name it (or select it): its cached bytes would go stale
    if bytes_changed:
        assert digest_changed, f"{name} makes other bytes when its {part} changes, but its digest is the same"
    if part not in FORMATS[name].reads and not FORMATS[name].selects:
        assert not digest_changed, f"{name} does not read its {part}, yet its digest changed"


def test_kahoot_reads_only_the_rows_it_takes(sample_set):
    taken = {q.id for q in sample_set.questions if FORMATS["kahoot"].taker()(q)}
    left_out = next(q for q in sample_set.questions if q.id not in taken)
    explained = dataclasses.replace(sample_set, questions=tuple(
        edited(q, explanation="Edited.") if q.id in taken else q for q in sample_set.questions))
    assert format_digest("kahoot", explained) == format_digest("kahoot", sample_set)
    assert format_digest("moodle", explained) != format_digest("moodle", sample_set)
    prompt = dataclasses.replace(sample_set, questions=tuple(
        edited(q, prompt="A new question?") if q.id in taken else q for q in sample_set.questions))
    assert format_digest("kahoot", prompt) != format_digest("kahoot", sample_set)
    # a question it leaves out is named in its warning: another id is another warning
    renamed = dataclasses.replace(sample_set, questions=tuple(
        edited(q, id="q-renamed") if q.id == left_out.id else q for q in sample_set.questions))
    assert format_digest("kahoot", renamed) != format_digest("kahoot", sample_set)


def test_canonical_form_tells_apart_what_an_export_could_write_differently():
    assert digest_of([1]) != digest_of([1.0])
    assert digest_of([True]) != digest_of([1])
    assert digest_of(("a", None)) != digest_of(("a", ""))
    assert canonical(Option("o1", "Danube", True)) == ["Option", {"id": "o1", "text": "Danube", "correct": True}]
    assert canonical(date(2014, 7, 3)) == ["date", "2014-07-03"]
    assert digest_of({"a": 1}) != digest_of({"a": 2})


def test_a_value_without_a_canonical_form_is_refused_rather_than_digested_by_chance():
    with pytest.raises(TypeError, match="no canonical form for a set"):
        canonical({"a", "b"})
    with pytest.raises(TypeError, match="no canonical form for a object"):
        canonical(object())
    assert canonical(Path("a/b")) == [type(Path()).__name__, "a/b"]


def test_a_value_met_again_digests_as_it_did_the_first_time(sample_set):
    digests = SetDigests(sample_set)
    first, second = sample_set.versions[0].questions, sample_set.versions[1].questions
    assert digests.of(first) == digest_of(first)
    # the second version shares the citations of the first; its own option order still counts
    assert digests.of(second) == digest_of(second) != digests.of(first)
    assert digests.of((first, second)) == digest_of((first, second))
