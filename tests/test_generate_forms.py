"""Per-fact control of the pool: `forms` and `not_forms` on a fact or a relation, and `pin` with text options."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quizgen.load.pack import load_pack
from quizgen.errors import QuizgenError
from quizgen.generate import question_pool

from helpers import DISCOVERERS_PACK, write_pack


def discoverers(tmp_path: Path, *, facts: dict[str, str] | None = None, relation: str = "",
                extra_relations: str = "", extra_facts: str = "") -> Path:
    """The discoverers pack, with lines added under facts (by id), under the relation, or new relations and facts."""
    files = dict(DISCOVERERS_PACK)
    text = files["facts.yaml"]
    for fact_id, lines in (facts or {}).items():
        text = text.replace(f"- id: {fact_id}\n", f"- id: {fact_id}\n" + "".join(
            f"            {line}\n" for line in lines.splitlines()))
    files["facts.yaml"] = text.rstrip(" ") + textwrap.indent(extra_facts, " " * 8)
    files["relations.yaml"] = files["relations.yaml"].replace(
        '            claim: "{Subject} discovered {object}."\n',
        '            claim: "{Subject} discovered {object}."\n' + "".join(
            f"            {line}\n" for line in relation.splitlines())).rstrip(" ") + textwrap.indent(extra_relations, " " * 8)
    return write_pack(tmp_path / "discoverers", files)


def types_by_fact(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for question in question_pool(load_pack(folder)).questions:
        for fact_id in question.fact_ids:
            found.setdefault(fact_id, set()).add(question.type)
    return found


def test_without_forms_every_form_the_templates_make_is_asked(tmp_path: Path):
    assert types_by_fact(discoverers(tmp_path))["F2"] == {"multiple-choice", "short-answer", "cloze", "true-false"}


def test_forms_on_a_fact_keep_only_those_forms_and_not_forms_leave_some_out(tmp_path: Path):
    folder = discoverers(tmp_path, facts={"F2": "forms: [multiple-choice, true-false]",
                                          "F3": "not_forms: [cloze]"})
    found = types_by_fact(folder)
    assert found["F2"] == {"multiple-choice", "true-false"}
    assert found["F3"] == {"multiple-choice", "short-answer", "true-false"}
    assert found["F4"] == {"multiple-choice", "short-answer", "cloze", "true-false"}


def test_a_relations_forms_apply_to_its_facts_and_a_facts_own_forms_win(tmp_path: Path):
    folder = discoverers(tmp_path, relation="forms: [multiple-choice, cloze]\nnot_forms: [cloze]",
                         facts={"F4": "forms: [short-answer]"})
    found = types_by_fact(folder)
    assert found["F2"] == found["F3"] == {"multiple-choice"}
    assert found["F4"] == {"short-answer"}


def test_a_form_left_out_is_a_reason_the_pool_keeps(tmp_path: Path):
    pool = question_pool(load_pack(discoverers(tmp_path, facts={"F3": "not_forms: [cloze]"})))
    reasons = [s.reason for s in pool.skipped if s.fact_id == "F3"]
    assert any(r.startswith("not_forms of fact F3 (") and r.endswith("leaves out cloze") for r in reasons), reasons


@pytest.mark.parametrize("where, expected", [
    ({"facts": {"F2": "forms: [multiple-choise]"}},
     "facts.yaml:11:13: facts[1].forms[0]: 'multiple-choise' is not a question form; expected one of multiple-choice, "
     "multiple-response, true-false, cloze, short-answer, matching, ordering, numeric (did you mean "
     "'multiple-choice'?)"),
    ({"relation": "not_forms: mcq"},
     "relations.yaml:12:16: relations[0].not_forms: 'mcq' is not a question form; expected one of"),
])
def test_an_unknown_form_is_reported_at_its_line(tmp_path: Path, where: dict, expected: str):
    with pytest.raises(QuizgenError) as caught:
        load_pack(discoverers(tmp_path, **where))
    lines = [str(p) for p in caught.value.problems]
    assert any(expected in line for line in lines), lines


# ---- pin and forbid with text values ---------------------------------------------------------

NAMED_AFTER = """\
  - id: named-after
    subject: element
    object: text
    objects: one
    sentence: "{Subject} is named after {object}."
    ask_object: "What is {subject} named after?"
"""
POLONIUM_NAME = """\
  - id: F5
    relation: named-after
    subject: polonium
    object: Poland
    topic: work
    sources: [S1]
    evidence: "naming it after her native Poland"
"""


def test_a_text_relation_with_one_fact_gets_a_multiple_choice_item_from_pinned_texts(tmp_path: Path):
    plain = discoverers(tmp_path / "plain", extra_relations=NAMED_AFTER, extra_facts=POLONIUM_NAME)
    assert "multiple-choice" not in types_by_fact(plain)["F5"]
    pinned = discoverers(tmp_path / "pinned", extra_relations=NAMED_AFTER, extra_facts=POLONIUM_NAME.replace(
        "    evidence:", "    distractors: {pin: [France, Greece, Russia, Sweden], forbid: [Sweden]}\n    evidence:"))
    questions = [q for q in question_pool(load_pack(pinned)).questions
                 if q.fact_ids == ("F5",) and q.type == "multiple-choice"]
    assert len(questions) == 1
    assert sorted(o.text for o in questions[0].options) == ["France", "Greece", "Poland", "Russia"]
    assert [o.text for o in questions[0].options if o.correct] == ["Poland"]


def test_a_pinned_text_on_a_relation_without_a_text_slot_is_an_unknown_entity(tmp_path: Path):
    folder = discoverers(tmp_path, facts={"F2": "distractors: {pin: [Lord Kelvin]}"})
    with pytest.raises(QuizgenError) as caught:
        load_pack(folder)
    assert any("facts[1].distractors.pin[0]: unknown entity id 'Lord Kelvin'" in str(p)
               for p in caught.value.problems)
