"""`quizgen lint`: item-writing rules over the whole pool, each finding at the fact's file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DEFAULT_PACK, MINIMAL_PACK, family_pack_files, write_pack

from quizgen.cli import main
from quizgen.content import load_pack
from quizgen.generate import question_pool
from quizgen.generate.lint import ERROR, lint_pool


def findings_of(pack_folder: Path, template_dirs: tuple[Path, ...] = ()) -> list:
    pack = load_pack(pack_folder)
    return lint_pool(question_pool(pack, template_dirs=template_dirs), pack)


def test_the_default_pack_has_no_lint_errors(capsys):
    assert main(["lint", str(DEFAULT_PACK)]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("0 errors, ") for line in out.splitlines())  # the summary's count line


def test_a_many_valued_pack_is_clean_and_every_fact_is_asked(tmp_path: Path):
    findings = findings_of(write_pack(tmp_path / "family", family_pack_files()))
    assert [f for f in findings if f.severity == ERROR] == []


def test_author_notes_in_a_statement_are_an_error_at_the_fact(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["facts.yaml"] = MINIMAL_PACK["facts.yaml"].replace(
        "relation: flows-through", "relation: flows-through\n            statement: The infobox says the Danube flows "
        "through Austria (see F084).", 1)
    pack = write_pack(tmp_path / "rivers", files)
    notes = [f for f in findings_of(pack) if f.rule == "author-notes"]
    assert notes and all(f.severity == ERROR for f in notes)
    assert notes[0].where.startswith(f"{load_pack(pack).facts[2].origin}")
    assert "'infobox'" in notes[0].message
    ids = [f for f in findings_of(pack) if f.rule == "internal-ids"]
    assert ids and "'F084'" in ids[0].message


def test_a_negative_stem_is_a_warning(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"].replace(
        'ask_object: "Where does {subject} rise?"', 'ask_object: "Where does {subject} not rise outside?"')
    findings = findings_of(write_pack(tmp_path / "rivers", files))
    negative = [f for f in findings if f.rule == "negative-stem"]
    assert negative and all(f.severity == "warning" for f in negative)


@pytest.mark.parametrize("claim, warned", [("{Subject} flows through {object} every day.", False),
                                            ("{Subject} flows through {object} all year.", False),
                                            ("{Subject} always flows through {object}.", True),
                                            ("Every river flows through {object}, {subject} too.", True)])
def test_an_absolute_term_is_a_warning_but_a_time_expression_is_not(tmp_path: Path, claim: str, warned: bool):
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"].replace(
        'sentence: "{Subject} flows through {object}."', f'sentence: "{{Subject}} flows through {{object}}."\n'
        f'            claim: "{claim}"')
    assert f'claim: "{claim}"' in files["relations.yaml"]
    pack = write_pack(tmp_path / "rivers", files)
    claims = [f for f in findings_of(pack) if f.rule == "absolute-terms"]
    assert bool(claims) == warned, claims
    assert all("not_forms: [true-false]" in f.message and f.severity == "warning" for f in claims)


def test_a_fact_no_template_asks_is_reported_with_the_reasons(tmp_path: Path, capsys):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    only_numbers = tmp_path / "templates"
    only_numbers.mkdir()
    for name in ("mc-object", "mc-subject", "mr-object", "mr-subject", "tf-object", "tf-subject", "cloze-object",
                 "cloze-subject", "short-object", "short-subject", "match-relation", "order-dates"):
        (only_numbers / f"{name}.yaml").write_text(
            f"id: {name}\ntype: true-false\nask: object\nselect: {{tags: [never]}}\nclaim: '{{{{ claim }}}}'\n",
            encoding="utf-8")
    coverage = [f for f in findings_of(pack, (only_numbers,)) if f.rule == "coverage"]
    assert {f.question_id for f in coverage} == {"F2", "F3"}
    assert main(["lint", str(pack), "--templates", str(only_numbers)]) == 1
    out = capsys.readouterr().out
    assert "fact F2 is never asked" in out and "error   coverage" in out


@pytest.mark.parametrize("flaw, rule", [
    ("Which river flows through {object}", "complete-stem"),  # no question mark: reported by check, not lint
])
def test_relations_refuse_a_question_without_its_mark(tmp_path: Path, capsys, flaw, rule):
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"].replace('"Which river flows through {object}?"',
                                                                     f'"{flaw}"')
    pack = write_pack(tmp_path / "rivers", files)
    assert main(["check", str(pack)]) == 1
    assert "does not end with '?'; expected a question" in capsys.readouterr().err


def test_a_question_that_names_its_own_answer_is_skipped_and_named_at_the_fact(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"].replace(
        'ask_object: "Where does {subject} rise?"', 'ask_object: "Where in the Black Forest does {subject} rise?"')
    pack_folder = write_pack(tmp_path / "rivers", files)
    pool = question_pool(load_pack(pack_folder))
    assert any("names its own answer" in s.reason for s in pool.skipped if s.fact_id == "F2")
    assert not any(q.fact_ids == ("F2",) and "Black Forest does" in q.prompt for q in pool.questions)


def test_a_written_item_whose_question_points_at_options_is_an_error(tmp_path: Path):
    """A relation's question serves every form: "Which of these places does the Danube rise in?" points at nothing
    in a short answer. Multiple choice, which shows options, is not flagged."""
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"].replace(
        'ask_object: "Where does {subject} rise?"', 'ask_object: "Which of these places does {subject} rise in?"')
    assert files["relations.yaml"] != MINIMAL_PACK["relations.yaml"]
    pack = write_pack(tmp_path / "rivers", files)
    pointing = [f for f in findings_of(pack) if f.rule == "options-in-written-stem"]
    assert pointing and all(f.severity == ERROR and "of these" in f.message for f in pointing)
    assert not [f for f in findings_of(write_pack(tmp_path / "plain", dict(MINIMAL_PACK)))
                if f.rule == "options-in-written-stem"]
