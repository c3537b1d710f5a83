"""What a study card asks on every medium, and how the drill says to answer each type."""

from __future__ import annotations

import dataclasses
import io

from helpers import make_sample_set
from quizgen.study.answers import is_correct
from quizgen.study.drill import question_text, run_drill
from quizgen.model import Option
from quizgen.study.deck import answer_hint, card_front

MC, TF, CLOZE, SHORT, MATCH, ORDER, NUM = make_sample_set(versions=1).questions
SEVERAL = dataclasses.replace(MC, id="q-mr", type="multiple-response", options=(
    Option("a", "Rhine", True), Option("b", "Seine", False), Option("c", "Danube", True)))


def test_fronts_of_every_type():
    assert card_front(MC).lines() == ("Which river rises in the Black Forest?",)
    assert card_front(TF).lines() == ("True or false? The Rhine is about 1,230 km long.",)
    assert card_front(dataclasses.replace(TF, front="True or false: the Rhine is long.")).text == \
        "True or false: the Rhine is long."  # never asked twice
    assert card_front(ORDER).lines() == ("Order the events", "1. Second", "2. Third", "3. First")
    assert card_front(MATCH).lines() == ("Match rivers and countries", "1. Rhine", "2. Danube", "A. Germany",
                                         "B. Switzerland")
    assert card_front(SEVERAL).one_line() == "Which river rises in the Black Forest? A. Rhine; B. Seine; C. Danube"
    assert card_front(MATCH).one_line() == ("Match rivers and countries 1. Rhine; 2. Danube — A. Germany; "
                                            "B. Switzerland")


def test_hints_show_the_form_an_answer_takes_and_their_examples_are_read_as_answers():
    assert answer_hint(ORDER) == "for each item as listed, type its place in time (1 = earliest), e.g. 3 2 1"
    # B A would be the right answer here: a hint never gives it away
    assert answer_hint(MATCH) == "type the letter for each numbered item, in order, e.g. A B or 1-A 2-B"
    assert answer_hint(SEVERAL) == "type every right letter, e.g. A C"
    assert answer_hint(NUM) == "type a number, in km"
    assert answer_hint(CLOZE) == ""
    assert is_correct(MATCH, "B A") and is_correct(MATCH, "1-B 2-A") and not is_correct(MATCH, "A B")
    # each item's place in time, as listed: Second is 2nd, Third 3rd, First 1st
    assert is_correct(ORDER, "2 3 1") and not is_correct(ORDER, "3 1 2")
    reversed_is_right = dataclasses.replace(ORDER, items=("Third", "Second", "First"))  # key 3 2 1
    assert answer_hint(reversed_is_right).endswith("e.g. 2 3 1")


def test_multiple_response_is_right_only_with_every_right_letter():
    assert is_correct(SEVERAL, "A, C") and is_correct(SEVERAL, "c a") and is_correct(SEVERAL, "1 3")
    assert not is_correct(SEVERAL, "A") and not is_correct(SEVERAL, "A B C")


def test_the_drill_prints_the_hint_under_each_question():
    assert question_text(1, ORDER).splitlines()[-1] == ("   (for each item as listed, type its place in time "
                                                       "(1 = earliest), e.g. 3 2 1)")
    text = question_text(2, SEVERAL)
    assert "   C) Danube" in text and text.endswith("(type every right letter, e.g. A C)")


def test_a_drill_session_scores_a_multiple_response_answer(tmp_path):
    question_set = dataclasses.replace(make_sample_set(versions=1), questions=(SEVERAL,))
    out = io.StringIO()
    run_drill(question_set, state_path=tmp_path / "state.json", limit=5, input_stream=io.StringIO("a c\n"),
              output_stream=out)
    assert out.getvalue().rstrip().splitlines()[-1].startswith("1 of 1 correct.")


def test_a_matching_card_lists_its_columns_once():
    """The generated short front of a matching item lists both columns on one line; the card lists them below its
    instruction, so the line would print them twice and run off the card."""
    from helpers import DEFAULT_PACK
    from quizgen.generate import question_pool
    from quizgen.load.pack import load_pack
    from quizgen.study.deck import card_front
    [matching] = [q for q in question_pool(load_pack(DEFAULT_PACK)).questions if q.type == "matching"]
    front = card_front(matching)
    assert front.text == matching.prompt and len(front.items) == len(matching.pairs)
    assert not any(item in front.text for item in front.items)
