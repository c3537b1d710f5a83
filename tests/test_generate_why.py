"""`quizgen stats --why FACT` and lint's notes: every reason a fact yields fewer questions than its relation allows."""

from __future__ import annotations

from pathlib import Path

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.generate import question_pool
from quizgen.generate.lint import INFO, WARNING, lint_pool

from test_generate_forms import NAMED_AFTER, POLONIUM_NAME, discoverers


def why(folder: Path, fact_id: str, capsys) -> list[str]:
    assert main(["stats", str(folder), "--why", fact_id]) == 0
    return capsys.readouterr().out.splitlines()


def test_why_lists_forms_and_the_engines_own_reasons_with_their_places(tmp_path: Path, capsys):
    folder = discoverers(tmp_path, facts={"F3": "not_forms: [cloze, true-false]"}, extra_relations=NAMED_AFTER,
                         extra_facts=POLONIUM_NAME)
    lines = why(folder, "F3", capsys)
    assert lines[0].startswith(f"F3 ({folder / 'facts.yaml'}:") and "Ernest Rutherford discovered radon" in lines[0]
    assert lines[1] == "  asked in 2 questions: multiple-choice 1, short-answer 1"
    assert lines[2] == "  2 reasons for fewer questions than relation 'discovered' allows:"
    assert any(line.startswith("  - cloze (cloze-subject): not_forms of fact F3 (") for line in lines)
    assert any(line.startswith("  - true-false (tf-subject): not_forms of fact F3 (") for line in lines)
    # a form asked instead (multiple-choice for multiple-response) is no reason
    assert not any("instead" in line for line in lines)
    text = why(folder, "F5", capsys)
    assert any(line.startswith("  - multiple-choice (mc-object): only 0 sound wrong options for its object") for line in
               text), text


def test_why_says_which_slot_no_quotation_names_and_how_an_insertion_would_fix_it(tmp_path: Path, capsys):
    folder = discoverers(tmp_path, relation='ask_object: "What did {subject} discover?"',
                         facts={"F1": "ask: [object]"})
    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text().replace("In 1898 [Marie Curie] discovered polonium",
                                               "In 1898 she discovered polonium"))
    lines = why(folder, "F1", capsys)
    assert "  - ask leaves out its subject (no quotation names 'Marie Curie'; an editorial insertion such as " \
           "[Marie Curie] in the quotation would let it be asked)" in lines


def test_an_unknown_fact_is_one_error_line(tmp_path: Path, capsys):
    assert main(["stats", str(discoverers(tmp_path)), "--why", "F9"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith("no fact 'F9' in the pack; expected a fact id as `quizgen list` shows")


def test_lint_lists_the_reasons_as_notes_at_the_fact_only_when_asked(tmp_path: Path, capsys):
    folder = discoverers(tmp_path, facts={"F3": "not_forms: [cloze]"})
    pack = load_pack(folder)
    notes = [f for f in lint_pool(question_pool(pack), pack) if f.severity == INFO]
    f3 = next(f for f in pack.facts if f.id == "F3")
    assert [n.where for n in notes if n.question_id == "F3"] == [str(f3.origin)]
    assert main(["lint", str(folder)]) == 0
    plain = capsys.readouterr().out
    assert "fewer-questions" in plain and "not_forms of fact F3" not in plain  # counted in the summary only
    assert main(["lint", str(folder), "--info"]) == 0
    assert f"{f3.origin}: info: fewer-questions: fact F3: cloze (cloze-subject): not_forms of fact F3" in \
        capsys.readouterr().out


def test_a_dated_fact_whose_relation_has_an_item_but_no_question_is_a_warning_at_the_fact(tmp_path: Path):
    folder = discoverers(tmp_path, extra_relations="""\
  - id: isolated-in
    subject: element
    object: date
    sentence: "{Subject} was isolated {when}."
    item: "{Subject} is isolated"
""", extra_facts="""\
  - id: F6
    relation: isolated-in
    subject: neon
    object: 1898
    topic: work
    sources: [S1]
    evidence: "Ramsay isolated neon in 1898."
""")
    pack = load_pack(folder)
    found = [f for f in lint_pool(question_pool(pack), pack) if f.rule == "unaskable-dated-fact"]
    f6 = next(f for f in pack.facts if f.id == "F6")
    assert [(f.severity, f.where, f.question_id) for f in found] == [(WARNING, str(f6.origin), "F6")]
    assert "has an item phrase but no ask_subject or ask_object" in found[0].message
