"""The shared text helpers that outputs use to shorten and to write numbers: one word-cutter, one number
formatter, each with the settings its callers give it."""

from __future__ import annotations

import pytest

from quizgen.export.common import number_text, short_title
from quizgen.grade.report import number_text as mark_text
from quizgen.model import format_number
from quizgen.text import cut_at_word


@pytest.mark.parametrize("text, limit, expected", [
    ("Islamic State seizes oil field from rivals", 20, "Islamic State…"),
    ("Islamic State seizes oil field from rivals", 21, "Islamic State seizes…"),
    ("Islamic State, seizes", 16, "Islamic State…"),
    ("Supercalifragilistic", 10, "Supercali…"),  # one word longer than the room: cut, but marked
    ("short", 10, "short"),
])
def test_text_is_cut_between_words_with_an_ellipsis(text, limit, expected):
    assert cut_at_word(text, limit) == expected
    assert len(cut_at_word(text, limit)) <= limit


def test_a_title_loses_a_word_that_ends_at_the_cut_and_keeps_a_final_full_stop():
    assert cut_at_word("Islamic State seizes oil", 14) == "Islamic State…"
    assert short_title("Islamic State seizes oil", 14) == "Islamic…"
    assert short_title("Who took\n  Abu   Kamal. In which year did it fall?", 15) == "Who took Abu…"
    assert short_title("One. Two three", 7) == "One.…"
    assert cut_at_word("One. Two three", 7) == "One…"
    assert short_title("Who took Abu Kamal?", 80) == "Who took Abu Kamal?"


@pytest.mark.parametrize("value, people, importers, marks", [
    (1230, "1,230", "1230", "1230"),
    (1230.0, "1,230", "1230", "1230"),
    (-3, "-3", "-3", "-3"),
    (0.25, "0.25", "0.25", "0.25"),
    (12345.5, "12,345.5", "12345.5", "12345.5"),
    (17.125, "17.125", "17.125", "17.12"),
    (2.999, "2.999", "2.999", "3"),
    (1 / 3, "0.3333333333333333", "0.3333333333", "0.33"),
])
def test_one_number_formatter_writes_for_people_for_importers_and_for_marks(value, people, importers, marks):
    assert format_number(value) == people
    assert number_text(value) == importers
    assert mark_text(value) == marks
