"""GIFT export, read back by the gift-pegjs PEG parser (tests/node) and compared question by question."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT, make_sample_set

from quizgen.export import gift
from quizgen.model import Option, Pair, QuestionSet

NODE_DIR = ROOT / "tests" / "node"
TRICKY = ("a ~ b", "x = y", "#1 {braces}", "key: value", "back\\slash", "<b>not bold</b> & more",
          "“quotes” 'single' \"double\"", "دير الزور", "100%", "line one\nline two", "trailing \\")


def parse_with_gift_pegjs(path: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "gift-pegjs").is_dir():
        pytest.fail("gift-pegjs is not installed: run `npm ci` in tests/node (scripts/setup.sh --test does)")
    result = subprocess.run([node, str(NODE_DIR / "parse-gift.js"), str(path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def questions_only(parsed: list[dict]) -> list[dict]:
    return [q for q in parsed if q["type"] != "Category"]


def placeholders_decoded(text: str) -> str:
    """gift-pegjs 1.0.2 leaves its escape placeholders in the right side of a matching pair, where
    Moodle's importer decodes them (escapedchar_post); decode them the same way before comparing."""
    for placeholder, character in (("&&058;", ":"), ("&&035;", "#"), ("&&061;", "="), ("&&123;", "{"),
                                   ("&&125;", "}"), ("&&126;", "~"), ("&&092;", "\\"), ("&&010", "\n")):
        text = text.replace(placeholder, character)
    return text


def unescape_wildcard(text: str) -> str:
    # short answers carry Moodle's '\*' for a literal asterisk; GIFT parsers leave it as written
    return text.replace("\\*", "*")


@pytest.fixture(scope="module")
def sample_parsed(tmp_path_factory) -> tuple[QuestionSet, list[dict], list[str]]:
    question_set = make_sample_set()
    path = tmp_path_factory.mktemp("gift") / "gift.txt"
    warnings = gift.write(question_set, path)
    return question_set, parse_with_gift_pegjs(path), warnings


def test_every_question_is_read_back_with_its_type_in_order(sample_parsed):
    question_set, parsed, warnings = sample_parsed
    assert warnings == []
    read = questions_only(parsed)
    assert [q["id"] for q in read] == [q.id for q in question_set.questions]
    expected_types = {"multiple-choice": "MC", "true-false": "TF", "cloze": "Short", "short-answer": "Short",
                      "numeric": "Numerical", "matching": "Matching", "ordering": "Matching"}
    assert [q["type"] for q in read] == [expected_types[q.type] for q in question_set.questions]


def test_choices_and_correct_flags_match(sample_parsed):
    question_set, parsed, _ = sample_parsed
    read = {q["id"]: q for q in questions_only(parsed)}
    mc = question_set.questions[0]
    assert [(c["text"]["text"], c["isCorrect"]) for c in read[mc.id]["choices"]] == \
        [(o.text, o.correct) for o in mc.options]
    assert read["q-tf"]["isTrue"] is True
    assert [c["text"]["text"] for c in read["q-short"]["choices"]] == ["Deir ez-Zor", "Deir al-Zor", "Deir Ezzor"]
    assert all(c["isCorrect"] for c in read["q-short"]["choices"])


def test_cloze_becomes_moodle_missing_word_with_the_blank_in_place(sample_parsed):
    _, parsed, _ = sample_parsed
    cloze = next(q for q in parsed if q.get("id") == "q-cloze")
    assert cloze["hasEmbeddedAnswers"] is True
    assert cloze["stem"]["text"] == "The _____ rises in the Black Forest."
    assert [c["text"]["text"] for c in cloze["choices"]] == ["Danube", "Donau"]


def test_numeric_keeps_value_and_tolerance(sample_parsed):
    _, parsed, _ = sample_parsed
    numeric = next(q for q in parsed if q.get("id") == "q-num")
    assert numeric["choices"] == {"type": "range", "number": 1230, "range": 123}


def test_matching_pairs_and_ordering_as_positions(sample_parsed):
    _, parsed, _ = sample_parsed
    match = next(q for q in parsed if q.get("id") == "q-match")
    assert [(p["subquestion"]["text"], p["subanswer"]) for p in match["matchPairs"]] == \
        [("Rhine", "Switzerland"), ("Danube", "Germany")]
    order = next(q for q in parsed if q.get("id") == "q-order")
    # items in display order, each matched to its place in the right order
    assert [(p["subquestion"]["text"], p["subanswer"]) for p in order["matchPairs"]] == \
        [("Second", "2"), ("Third", "3"), ("First", "1")]
    assert "1 = first" in order["stem"]["text"]


def test_feedback_tags_and_categories(sample_parsed):
    question_set, parsed, _ = sample_parsed
    short = next(q for q in parsed if q.get("id") == "q-short")
    feedback = short["globalFeedback"]["text"]
    assert feedback.startswith("Transliterations vary: a = b ~ c # d: e.\nSource: Test Press")
    assert "https://example.org/notes?a=1&b=2" in feedback
    mc = next(q for q in parsed if q.get("id") == "q-mc")
    assert mc["tags"] == ["rivers"]
    categories = [q["title"] for q in parsed if q["type"] == "Category"]
    assert categories == ["Rivers & Lakes of Europe/rivers", "Rivers & Lakes of Europe"]
    assert all(q["stem"]["format"] == "plain" for q in questions_only(parsed))


def tricky_set() -> QuestionSet:
    """Every tricky string as a prompt, an option, a short answer, a matching item and an explanation."""
    base = make_sample_set(versions=1)
    questions = []
    for n, text in enumerate(TRICKY):
        mc, short, match = base.questions[0], base.questions[3], base.questions[4]
        questions.append(dataclasses.replace(
            mc, id=f"mc{n}", prompt=f"Q {text}?", explanation=f"Because {text}",
            options=(Option("a", text, True), Option("b", f"not {text}", False))))
        questions.append(dataclasses.replace(short, id=f"sa{n}", prompt=text, answer=text, accepted=(f"{text}*",)))
        questions.append(dataclasses.replace(match, id=f"m{n}", pairs=(Pair(text, f"R {text}"), Pair("other", "R2")),
                                             choices=(f"R {text}", "R2", "spare {choice}")))
    return dataclasses.replace(base, questions=tuple(questions), versions=())


def test_gift_specials_round_trip_through_the_parser(tmp_path):
    question_set = tricky_set()
    path = tmp_path / "tricky.txt"
    assert gift.write(question_set, path) == []
    read = {q["id"]: q for q in questions_only(parse_with_gift_pegjs(path))}
    assert len(read) == len(question_set.questions)
    for question in question_set.questions:
        parsed = read[question.id]
        if question.id.startswith("mc"):
            assert parsed["stem"]["text"] == question.prompt
            assert parsed["globalFeedback"]["text"].split("\nSource:")[0] == question.explanation
            assert [(c["text"]["text"], c["isCorrect"]) for c in parsed["choices"]] == \
                [(o.text, o.correct) for o in question.options]
        elif question.id.startswith("sa"):
            assert parsed["type"] == "Short"
            assert parsed["stem"]["text"] == question.prompt
            assert [unescape_wildcard(c["text"]["text"]) for c in parsed["choices"]] == \
                [question.answer, *question.accepted]
        else:
            pairs = [(p["subquestion"]["text"], placeholders_decoded(p["subanswer"])) for p in parsed["matchPairs"]]
            # the third pair is the unmatched choice, with an empty left side (a distractor)
            assert pairs == [(p.left, p.right) for p in question.pairs] + [("", "spare {choice}")]


def test_a_matching_item_with_the_pair_separator_is_left_out_with_a_warning(tmp_path):
    base = make_sample_set(versions=1)
    bad = dataclasses.replace(base.questions[4], id="arrow", pairs=(Pair("A -> B", "x"), Pair("C", "y")),
                              choices=("x", "y"))
    question_set = dataclasses.replace(base, questions=(base.questions[0], bad), versions=())
    path = tmp_path / "arrow.txt"
    warnings = gift.write(question_set, path)
    assert len(warnings) == 1 and "arrow" in warnings[0] and "'->'" in warnings[0]
    assert [q["id"] for q in questions_only(parse_with_gift_pegjs(path))] == ["q-mc"]


def test_blank_at_the_start_stays_in_the_text(tmp_path):
    base = make_sample_set(versions=1)
    start = dataclasses.replace(base.questions[2], id="start", prompt="_____ rises in the Black Forest.")
    end = dataclasses.replace(base.questions[2], id="end", prompt="The river that rises there is the _____")
    path = tmp_path / "blanks.txt"
    gift.write(dataclasses.replace(base, questions=(start, end), versions=()), path)
    read = {q["id"]: q for q in questions_only(parse_with_gift_pegjs(path))}
    assert read["start"]["stem"]["text"] == "_____ rises in the Black Forest."
    assert read["end"]["stem"]["text"] == "The river that rises there is the _____"
    assert [c["text"]["text"] for c in read["start"]["choices"]] == ["Danube", "Donau"]


def test_several_correct_options_share_the_weight(tmp_path):
    base = make_sample_set(versions=1)
    multi = dataclasses.replace(base.questions[0], id="multi", options=(
        Option("a", "A", True), Option("b", "B", False), Option("c", "C", True)))
    path = tmp_path / "multi.txt"
    gift.write(dataclasses.replace(base, questions=(multi,), versions=()), path)
    parsed = questions_only(parse_with_gift_pegjs(path))[0]
    assert [(c["text"]["text"], c["weight"]) for c in parsed["choices"]] == [("A", 50), ("B", -100), ("C", 50)]


def test_same_set_gives_identical_bytes(tmp_path):
    question_set = make_sample_set()
    gift.write(question_set, tmp_path / "a.txt")
    gift.write(question_set, tmp_path / "b.txt")
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()


@pytest.mark.parametrize("prompt", ["Fighting spread to _____.", "The _____ rises in the Black Forest.",
                                    "Its name (_____) is German.", "Rivers: _____, then the Rhine."])
def test_a_cloze_blank_keeps_the_spacing_of_its_text(tmp_path, prompt):
    base = make_sample_set(versions=1)
    cloze = dataclasses.replace(base.questions[2], id="spacing", prompt=prompt)
    path = tmp_path / "spacing.txt"
    gift.write(dataclasses.replace(base, questions=(cloze,), versions=()), path)
    text = path.read_text(encoding="utf-8")
    question_text = text[text.index("[plain]") + len("[plain]"):].rstrip("\n")
    # Moodle's missing-word rule: the answer block, braces and all, becomes the blank, nothing else changes
    shown = re.sub(r"\{(?:\\.|[^\\}])*\}", "_____", question_text, flags=re.S)
    assert re.sub(r"\\(.)", r"\1", shown) == prompt  # GIFT's backslash escapes read back
    (read,) = questions_only(parse_with_gift_pegjs(path))
    assert read["hasEmbeddedAnswers"] is True
    assert [c["text"]["text"] for c in read["choices"]] == ["Danube", "Donau"]


def test_a_multiple_response_question_shares_the_weight_between_its_right_answers(tmp_path):
    base = make_sample_set(versions=1)
    several = dataclasses.replace(base.questions[0], id="mr", type="multiple-response", options=(
        Option("a", "A", True), Option("b", "B", False), Option("c", "C", True), Option("d", "D", False)))
    path = tmp_path / "mr.txt"
    assert gift.write(dataclasses.replace(base, questions=(several,), versions=()), path) == []
    (read,) = questions_only(parse_with_gift_pegjs(path))
    assert read["type"] == "MC"
    assert [(c["text"]["text"], c["weight"]) for c in read["choices"]] == [("A", 50), ("B", -50), ("C", 50), ("D", -50)]


def test_ticking_every_box_of_a_multiple_response_item_of_every_pack_scores_nothing(tmp_path):
    from test_export_moodle import moodle_imported_fraction, moodle_multi_score, multiple_response_items

    several = multiple_response_items()
    assert len(several) >= 5
    path = tmp_path / "mr.txt"
    assert gift.write(QuestionSet(pack_id="p", pack_title="P", language="en", seed=1, questions=tuple(several),
                                  versions=()), path) == []
    read = {q["id"]: q for q in questions_only(parse_with_gift_pegjs(path))}
    for question in several:
        choices = read[question.id]["choices"]
        fractions = [moodle_imported_fraction(str(c["weight"])) for c in choices]
        right = tuple(c["text"]["text"] in {o.text for o in question.correct_options} for c in choices)
        assert moodle_multi_score(fractions, (True,) * len(choices)) == 0, (question.prompt, fractions)
        assert moodle_multi_score(fractions, right) >= Decimal("0.9999999")
