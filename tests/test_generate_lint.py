"""`quizgen lint`: item-writing rules over the whole pool, each finding at the fact's file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import DEFAULT_PACK, MINIMAL_PACK, family_pack_files, write_pack

from quizgen.cli import main
from quizgen.load.pack import load_pack
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


# A father and his son who share a surname, as a biography's first relations write them.
FAMILY = {
    "pack.yaml": """
        id: delft
        title: A family of Delft
        language: en
        licence: CC0
        description: A family as a first pack writes it.
        period: {start: 1550-01-01, end: 1750-12-31}
        topics:
          - {id: family, title: Family}
    """,
    "relations.yaml": """
        categories:
          person: {match: [sex]}
        relations:
          - id: father-of
            subject: person
            object: person
            subjects: one
            sentence: "{Subject} was the father of {object}."
            ask_subject: "Who was the father of {object}?"
    """,
    "sources.yaml": """
        sources:
          - id: S1
            title: A family of Delft
            publisher: Test Press
            url: https://example.org/delft
            excerpts:
              - "Antonie van Leeuwenhoek was the son of Philips Antonysz van Leeuwenhoek."
              - "Jacob Molijn was the father of Maria Dekker and of Anna Visser."
              - "Pieter Claesz was the father of Geertruyt Boon."
    """,
    "entities.yaml": """
        entities:
          - {id: antonie, name: Antonie van Leeuwenhoek, aliases: [Leeuwenhoek], category: person,
             attributes: {sex: male}, description: A microscopist.}
          - {id: philips, name: Philips Antonysz van Leeuwenhoek, category: person, attributes: {sex: male},
             description: A basket maker.}
          - {id: jacob, name: Jacob Molijn, category: person, attributes: {sex: male}, description: A painter.}
          - {id: pieter, name: Pieter Claesz, category: person, attributes: {sex: male}, description: A brewer.}
          - {id: maria, name: Maria Dekker, category: person, attributes: {sex: female}, description: A daughter.}
          - {id: anna, name: Anna Visser, category: person, attributes: {sex: female}, description: A daughter.}
          - {id: geertruyt, name: Geertruyt Boon, category: person, attributes: {sex: female},
             description: A daughter.}
    """,
    "facts.yaml": """
        facts:
          - id: F1
            relation: father-of
            subject: philips
            object: antonie
            topic: family
            sources: [S1]
            evidence: "Antonie van Leeuwenhoek was the son of Philips Antonysz van Leeuwenhoek."
          - id: F2
            relation: father-of
            subject: jacob
            object: maria
            topic: family
            sources: [S1]
            evidence: "Jacob Molijn was the father of Maria Dekker"
          - id: F3
            relation: father-of
            subject: pieter
            object: geertruyt
            topic: family
            sources: [S1]
            evidence: "Pieter Claesz was the father of Geertruyt Boon."
    """,
}


def test_names_that_give_the_answer_away_are_a_warning_that_says_what_to_do(tmp_path: Path, capsys):
    pack = write_pack(tmp_path / "delft", FAMILY)
    findings = [f for f in findings_of(pack) if f.question_id == "F1"]
    assert [(f.rule, f.severity) for f in findings if f.severity != "info"] == [("names-give-away", "warning")]
    message = next(f.message for f in findings if f.rule == "names-give-away")
    assert "'Leeuwenhoek' points at its answer 'Philips Antonysz van Leeuwenhoek'" in message
    assert "`ask: []`" in message and "alias" in message
    assert main(["lint", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "warning names-give-away" in out and "\n0 errors, " in out


def test_names_rename_as_the_warning_says_and_the_fact_is_asked(tmp_path: Path):
    files = dict(FAMILY, **{"entities.yaml": FAMILY["entities.yaml"].replace(
        "name: Philips Antonysz van Leeuwenhoek,",
        "name: Philips Antonysz, aliases: [Philips Antonysz van Leeuwenhoek],")})
    pack = write_pack(tmp_path / "delft", files)
    assert "F1" in question_pool(load_pack(pack)).asked_facts()


def test_the_authors_own_words_that_name_the_answer_stay_an_error(tmp_path: Path):
    files = dict(FAMILY, **{"relations.yaml": FAMILY["relations.yaml"].replace(
        '"Who was the father of {object}?"', '"Who, Philips Antonysz van Leeuwenhoek or another, fathered {object}?"')})
    coverage = [f for f in findings_of(write_pack(tmp_path / "delft", files)) if f.rule == "coverage"]
    assert [(f.question_id, f.severity) for f in coverage] == [("F1", ERROR)]


def test_facts_that_contradict_a_one_valued_side_say_which_field_may_be_meant(tmp_path: Path):
    files = dict(FAMILY, **{
        "relations.yaml": FAMILY["relations.yaml"].replace("subjects: one", "objects: one"),
        "facts.yaml": FAMILY["facts.yaml"] + """
          - id: F4
            relation: father-of
            subject: jacob
            object: anna
            topic: family
            sources: [S1]
            evidence: "Jacob Molijn was the father of Maria Dekker and of Anna Visser."
        """})
    findings = findings_of(write_pack(tmp_path / "delft", files))
    contradiction = [f for f in findings if f.rule == "cardinality"]
    assert [(f.question_id, f.severity) for f in contradiction] == [("F4", ERROR)]
    assert ("facts F2 and F4 give the subject jacob two objects of 'father-of' (maria, anna), but 'father-of' says "
            "`objects: one`") in contradiction[0].message
    assert "write `subjects: one` instead" in contradiction[0].message
    # the open side it asks for is named too, where the facts do not contradict anything yet
    open_list = [f for f in findings if f.rule == "open-list" and f.question_id == "F3"]
    assert open_list and "if it is each object that has one subject, `subjects: one` is the field meant" in \
        open_list[0].message


def test_the_open_list_warning_says_what_is_not_asked_and_why(tmp_path: Path):
    files = dict(FAMILY, **{"relations.yaml": FAMILY["relations.yaml"].replace("subjects: one", "subjects: many")})
    open_list = [f for f in findings_of(write_pack(tmp_path / "delft", files)) if f.rule == "open-list"]
    assert {f.question_id for f in open_list} == {"F2", "F3"}
    assert open_list[0].message == (
        "fact F2 gets no written-answer question and no false claim: the pack does not say its list of 'father-of' "
        "values is complete, so a value it leaves out could still be right. If a source gives the full list, declare "
        "it complete (`complete` or `complete_for` in relations.yaml)")


def test_a_pack_without_facts_yet_gets_a_plain_note_from_check_and_lint(tmp_path: Path, capsys):
    pack = write_pack(tmp_path / "delft", dict(FAMILY, **{"facts.yaml": "facts: []\n"}))
    assert main(["check", str(pack)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "note: the pack has no facts yet: add facts to facts.yaml (see docs/tutorial.md)")
    assert main(["lint", str(pack)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["delft: no questions yet: the pack has no facts yet: add facts to facts.yaml (see "
                                "docs/tutorial.md)", "0 errors, 0 warnings"]
    assert "tags" not in out + err
    assert main(["build", str(pack), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert "the pack has no facts yet" in capsys.readouterr().err


def test_a_pack_whose_facts_are_all_kept_from_questions_says_so(tmp_path: Path, capsys):
    facts = FAMILY["facts.yaml"].replace("topic: family", "topic: family\n            ask: []")
    pack = write_pack(tmp_path / "delft", dict(FAMILY, **{"facts.yaml": facts}))
    assert main(["lint", str(pack)]) == 0
    assert "none of the pack's 3 facts may be asked yet: each has `ask: []` or the no-quiz tag" in \
        capsys.readouterr().out


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


def test_a_true_claim_whose_quotations_miss_its_date_is_a_warning_at_the_fact():
    """"ISIL took the T2 oil station on 10 April 2014" is shown with a passage that says "the previous day": a student
    checking the key cannot find the date there."""
    found = [f for f in findings_of(DEFAULT_PACK) if f.rule == "evidence-supports-claim"]
    t2 = [f for f in found if "F159 " in f.where]
    assert t2 and all(f.severity != ERROR for f in found)
    assert "'10 April 2014'" in t2[0].message and "quote the sentence that says it" in t2[0].message


def test_a_report_s_dated_first_sentence_is_shown_with_a_quotation_that_leaves_the_date_out():
    """"The ISIS reportedly took parts of the town, the silos near the town and Kabajeb." says when only through the
    sentence before it in the article: that sentence is shown too, and lint has nothing to say."""
    pool = question_pool(load_pack(DEFAULT_PACK))
    kabajeb = [q for q in pool.questions if list(q.fact_ids) == ["F054"] and q.type == "cloze"]
    assert kabajeb
    shown = [c.evidence for c in kabajeb[0].citations]
    assert any(text.startswith("On 10 April 2014, ISIS launched") for text in shown), shown
    assert not [f for f in findings_of(DEFAULT_PACK) if f.rule == "evidence-supports-claim" and "F054 " in f.where]
