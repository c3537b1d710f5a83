"""Answer checking: aliases, small typos, numbers within tolerance, letters and texts for options."""

from __future__ import annotations

import pytest
from helpers import make_sample_set

from quizgen.study.answers import edit_distance, is_correct, text_matches

QUESTIONS = {q.type: q for q in make_sample_set().questions}


@pytest.mark.parametrize("response, expected", [
    ("Deir ez-Zor", True), ("deir ez zor", True), ("Deir al-Zor", True),  # aliases, case, punctuation
    ("Dier ez-Zor", True),  # one transposition
    ("Deir ez-Zoo", True),  # one substitution in a long name
    ("Damascus", False), ("Aleppo", False), ("", False),
])
def test_short_answers_accept_aliases_and_small_typos(response, expected):
    assert is_correct(QUESTIONS["short-answer"], response) is expected


def test_short_words_must_be_exact():
    assert text_matches("ISIS", ("ISIL",)) is False
    assert text_matches("ISIL", ("ISIL",)) is True


def test_cloze_accepts_an_alias():
    assert is_correct(QUESTIONS["cloze"], "Donau") and not is_correct(QUESTIONS["cloze"], "Rhine")


@pytest.mark.parametrize("response, expected", [("B", True), ("b", True), ("2", True), ("Danube", True),
                                                ("A", False), ("Rhine", False), ("Z", False)])
def test_multiple_choice_by_letter_number_or_text(response, expected):
    assert is_correct(QUESTIONS["multiple-choice"], response) is expected


def test_true_false_accepts_words_and_initials():
    tf = QUESTIONS["true-false"]
    assert is_correct(tf, "true") and is_correct(tf, "T") and is_correct(tf, "A")
    assert not is_correct(tf, "false") and not is_correct(tf, "F")


@pytest.mark.parametrize("response, expected", [("1230", True), ("1,200", True), ("1107", True), ("1353", True),
                                                ("1354", False), ("lots", False)])
def test_numeric_within_tolerance(response, expected):
    assert is_correct(QUESTIONS["numeric"], response) is expected


def test_matching_and_ordering_in_several_notations():
    matching, ordering = QUESTIONS["matching"], QUESTIONS["ordering"]
    assert matching.key_text() == "1-B 2-A"
    assert is_correct(matching, "1-B 2-A") and is_correct(matching, "b a") and not is_correct(matching, "AB")
    # items as shown: Second, Third, First; the worksheet asks for each one's place in time
    assert ordering.key_text() == "2 3 1"
    assert is_correct(ordering, "2 3 1") and is_correct(ordering, "2,3,1") and not is_correct(ordering, "1 2 3")
    assert not is_correct(ordering, "3 1 2")  # the items' positions in time order: not what the worksheet asks


def test_edit_distance_counts_transpositions_once():
    assert edit_distance("abcd", "abdc") == 1
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("دير", "دير") == 0
