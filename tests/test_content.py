"""The pack loader: typed values from YAML, and exact file:line:column messages for broken packs."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from quizgen.cli import main
from quizgen.load.evidence import normalise_space
from quizgen.load.pack import load_pack
from quizgen.load.records import parse_date
from quizgen.errors import QuizgenError

from helpers import DEFAULT_PACK, DISCOVERERS_PACK, MINIMAL_PACK, write_pack


def broken(tmp_path: Path, **replacements: str) -> Path:
    """The minimal pack with some files replaced; `facts_yaml=` means facts.yaml."""
    files = dict(MINIMAL_PACK)
    for key, text in replacements.items():
        files[key.replace("_yaml", ".yaml")] = text
    return write_pack(tmp_path / "pack", files)


def messages(folder: Path) -> list[str]:
    with pytest.raises(QuizgenError) as caught:
        load_pack(folder)
    return [str(p) for p in caught.value.problems]


def test_minimal_pack_loads_into_typed_values(minimal_pack: Path):
    pack = load_pack(minimal_pack)
    assert pack.id == "rivers"
    assert [e.id for e in pack.entities] == ["rhine", "danube", "black-forest", "austria"]
    assert pack.entity("danube").aliases == ("Donau",) and pack.entity("danube").running_name == "the Danube"
    length = pack.facts[0].object
    assert (length.value, length.unit, length.approximate, length.tolerance) == (1230, "km", True, 123.0)
    assert pack.facts[0].origin.line == 2 and pack.facts[0].origin.file.endswith("facts.yaml")
    assert pack.source("S1").text.startswith("The Rhine")
    assert [r.id for r in pack.relations] == ["length", "rises-in", "flows-through"]
    assert pack.category("river").rank_by == ("region",)
    assert pack.facts[1].statement == "The Danube rises in the Black Forest."
    assert pack.facts[0].ask == ("object",) and pack.facts[1].ask == ("subject", "object")
    assert [t.id for t in pack.topics] == ["lengths", "courses"]


def test_dates_of_every_precision_and_ranges():
    day = parse_date("2014-04-10")
    assert day.is_exact_day and day.human() == "10 April 2014"
    assert parse_date("2014-06").human() == "June 2014"
    assert parse_date("2013").human() == "2013"
    window = parse_date("2014-04-30/2014-06-10")
    assert window.is_range and window.human() == "30 April – 10 June 2014"
    assert window.end.isoformat() == "2014-06-10"
    with pytest.raises(ValueError):
        parse_date("2014-13-01")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_date("2014-06-10/2014-04-30")


FACT_HEAD = """
    facts:
      - id: F1
        relation: length
        subject: rhine
        topic: lengths
        sources: [S1]
        evidence: "about 1,230 km long"
"""
LENGTH = "        object: {value: 1230, unit: km}\n"
FACT_FIELDS = ("according_to, ask, confidence, date, dispute, distractors, evidence, forms, id, not_forms, object, "
               "relation, sources, statement, subject, tags, topic")


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        date: 2014-13-01\n"},
            "facts.yaml:9:11: facts[0].date: '2014-13-01' is not a valid date (YYYY-MM-DD)",
            id="invalid-date",
        ),
        pytest.param(
            {"facts_yaml": "facts:\n  - id: F1\n    statement: [unclosed\n"},
            "facts.yaml:4:1: YAML syntax error: while parsing a flow sequence, expected ',' or ']', but got '<stream end>'",
            id="yaml-syntax",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        colour: blue\n"},
            f"facts.yaml:9:5: facts[0].colour: unknown field 'colour'; expected one of {FACT_FIELDS}",
            id="unknown-field",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace("relation: length", "relation: rises-in")},
            "facts.yaml:2:5: facts[0]: missing required field 'object'",
            id="missing-field",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD},
            "facts.yaml:2:5: facts[0]: missing required field 'object'",
            id="missing-number-object",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + "        object: {value: many, unit: km}\n"},
            "facts.yaml:8:21: facts[0].object.value: found the text 'many'; expected a number",
            id="wrong-type",
        ),
        pytest.param(
            {"entities_yaml": "entities:\n  - id: rhine\n    name: Rhine\n    category: river\n    description: A.\n"
                              "  - id: rhine\n    name: Rhine again\n    category: river\n    description: B.\n"
                              "  - id: danube\n    name: Danube\n    category: river\n    description: C.\n"},
            "entities.yaml:6:9: entities[1].id: duplicate entity id 'rhine'; first defined at ",
            id="duplicate-id",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace("subject: rhine", "subject: rhein") + LENGTH},
            "facts.yaml:4:14: facts[0].subject: unknown entity id 'rhein'; expected one of the 4 entity ids defined "
            "in the pack (did you mean 'rhine'?)",
            id="unknown-entity",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace("relation: length", "relation: lenght") + LENGTH},
            "facts.yaml:3:15: facts[0].relation: unknown relation id 'lenght'; expected one of the 3 relation ids "
            "defined in the pack (did you mean 'length'?)",
            id="unknown-relation",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace("topic: lengths", "topic: widths") + LENGTH},
            "facts.yaml:5:12: facts[0].topic: unknown topic 'widths'; expected one of courses, lengths",
            id="unknown-topic",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace("[S1]", "[S9]") + LENGTH},
            "facts.yaml:6:15: facts[0].sources[0]: unknown source id 'S9'; expected one of the 2 source ids "
            "defined in the pack",
            id="unknown-source",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace('"about 1,230 km long"', '"about 1,300 km long"') + LENGTH},
            "facts.yaml:7:15: facts[0].evidence: 'about 1,300 km long' was not found in the text of source S1; "
            "expected an exact quotation",
            id="evidence-not-in-source",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        date: 1750-01-01\n"},
            "facts.yaml:9:11: facts[0].date: '1750-01-01' is outside the pack period 1800-01-01/2030-12-31",
            id="date-out-of-range",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD.replace("sources: [S1]", "sources: []") + LENGTH},
            "facts.yaml:6:14: facts[0].sources: is empty; every fact needs at least one source id",
            id="fact-without-sources",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        relation: length\n"},
            "facts.yaml:9:5: facts[0].relation: duplicate key 'relation' (first written at line 3)",
            id="duplicate-key",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        kind2: !!python/object:os.system x\n"},
            "facts.yaml:9:12: facts[0].kind2: tag 'tag:yaml.org,2002:python/object:os.system' is not allowed; "
            "only plain YAML values are",
            id="custom-tag",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        statement: !!binary aGk=\n"},
            "facts.yaml:9:16: facts[0].statement: tag 'tag:yaml.org,2002:binary' is not allowed; only plain YAML "
            "values are",
            id="binary-tag",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        confidence: certain\n"},
            "facts.yaml:9:17: facts[0].confidence: 'certain' is not allowed; expected one of high, medium, low",
            id="bad-choice",
        ),
        pytest.param(
            {"facts_yaml": FACT_HEAD + LENGTH + "        ask: [subject]\n"},
            "facts.yaml:9:10: facts[0].ask: relation 'length' has no ask_subject phrasing, so its subject cannot be "
            "asked",
            id="ask-without-phrasing",
        ),
    ],
)
def test_broken_pack_reports_exact_location(tmp_path: Path, files: dict, expected: str):
    found = messages(broken(tmp_path, **files))
    assert any(line.endswith(expected) or expected in line for line in found), found
    assert all(re.match(r"^[^:]+:\d+:\d+: ", line) for line in found), found


def test_all_problems_are_listed_sorted_by_file_and_line(tmp_path: Path):
    folder = broken(
        tmp_path,
        facts_yaml=FACT_HEAD + "        object: {value: x, unit: km}\n        date: 2014-02-30\n",
        entities_yaml="entities:\n  - id: Bad Id\n    name: X\n    category: planet\n    description: y\n",
    )
    found = messages(folder)
    assert len(found) >= 4
    files_and_lines = [(line.split(":")[0], int(line.split(":")[1])) for line in found]
    assert files_and_lines == sorted(files_and_lines)


def test_check_command_exit_codes_and_output(tmp_path: Path, minimal_pack: Path, capsys):
    assert main(["check", str(minimal_pack)]) == 0
    assert "3 facts, 4 entities, 2 sources — ok" in capsys.readouterr().out
    bad = broken(tmp_path, facts_yaml=FACT_HEAD + LENGTH + "        date: 2014-13-01\n")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "facts[0].date: '2014-13-01' is not a valid date (YYYY-MM-DD)" in err
    assert "Traceback" not in err


def test_stats_and_list_commands(minimal_pack: Path, capsys):
    assert main(["stats", str(minimal_pack)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"length\s+1", out) and re.search(r"flows-through\s+1", out) and re.search(r"S1\s+2", out)
    assert "quizzable facts 3, asked by at least one question 3" in out
    assert main(["list", str(minimal_pack), "entities"]) == 0
    assert "danube" in capsys.readouterr().out


def test_missing_pack_folder_is_a_clean_error(tmp_path: Path, capsys):
    assert main(["check", str(tmp_path / "nowhere")]) == 1
    assert "is not a folder; expected a content pack folder containing pack.yaml" in capsys.readouterr().err


# ---- the real pack --------------------------------------------------------------------

requires_default_pack = pytest.mark.skipif(not (DEFAULT_PACK / "pack.yaml").exists(), reason="default pack absent")


@requires_default_pack
def test_default_pack_is_clean_and_large_enough():
    pack = load_pack(DEFAULT_PACK)
    assert len(pack.facts) >= 90
    assert len(pack.entities) >= 60
    used = {f.relation for f in pack.facts}
    assert len(used) >= 8 and used == {r.id for r in pack.relations}
    assert {e.category for e in pack.entities} == {c.id for c in pack.categories}


@requires_default_pack
def test_every_seed_backed_evidence_phrase_is_verbatim_in_the_seed():
    pack = load_pack(DEFAULT_PACK)
    seed = next(s for s in pack.sources if s.file and "seed" in s.file)
    seed_text = normalise_space(seed.text)
    seed_facts = [f for f in pack.facts if f.sources == (seed.id,)]
    assert len(seed_facts) >= 40
    missing = [f.id for f in seed_facts for quote in f.quotes if normalise_space(quote) not in seed_text]
    assert missing == []


@requires_default_pack
def test_seed_commanders_are_all_there_with_sides_and_killed_marks():
    pack = load_pack(DEFAULT_PACK)
    people = {e.name: e for e in pack.entities if e.category == "person"}
    marked = {"Adnan Bakour", "Abu Hussein al-Dik", "Abu Khaled al-Suri"}
    for name in ["Abdul-Ilah al-Bashir", "Jamal Maarouf", "Abu Mohammad al-Julani", "Zahran Alloush",
                 "Ahmed Abu Issa", *marked, "Abu Bakr al-Baghdadi", "Abu Omar al-Shishani"]:
        assert name in people, name
        assert people[name].attribute("side"), name
        assert (people[name].attribute("status") == "killed") == (name in marked), name


def test_a_file_that_fails_to_parse_does_not_bury_its_error_under_unknown_ids(tmp_path: Path, capsys):
    """One tab in entities.yaml and one bad date: two real problems, one line for the unknown ids skipped."""
    files = dict(MINIMAL_PACK)
    files["entities.yaml"] = "entities:\n\t- {id: rhine, name: Rhine, category: place, description: A river.}\n"
    files["facts.yaml"] = MINIMAL_PACK["facts.yaml"].replace("subject: danube", "subject: danube\n            date: 2014-13-01",
                                                             1)
    pack = write_pack(tmp_path / "rivers", files)
    assert main(["check", str(pack)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4, lines
    assert re.fullmatch(rf"{re.escape(str(pack))}/entities\.yaml:1:1: \d+ unknown-id problems in other files were "
                        "skipped: the ids may be defined in this file, which could not be read", lines[0]), lines[0]
    assert lines[1].startswith(f"{pack}/entities.yaml:2:1: YAML syntax error") and "'\\t'" in lines[1]
    assert lines[2].startswith(f"{pack}/facts.yaml:") and "'2014-13-01' is not a valid date" in lines[2]
    assert lines[3] == "3 problems found"


def test_unknown_ids_are_still_reported_when_every_file_reads(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["facts.yaml"] = MINIMAL_PACK["facts.yaml"].replace("subject: danube", "subject: volga", 1)
    with pytest.raises(QuizgenError) as caught:
        load_pack(write_pack(tmp_path / "rivers", files))
    assert len(caught.value.problems) == 1 and "unknown entity id 'volga'" in str(caught.value)


def test_a_figure_is_stated_only_with_its_own_sign_and_digits():
    from quizgen.load.evidence import states_any
    assert not states_any("a mean temperature of −108 °C", ("108",))
    assert states_any("a mean temperature of −108 °C", ("-108", "−108"))
    assert not states_any("about 12,300 people", ("2,300",))
    assert states_any("until almost complete domination in mid-2013.", ("2013",))


def test_an_unreadable_relations_file_is_one_error_not_one_per_fact(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["relations.yaml"] = MINIMAL_PACK["relations.yaml"].replace("objects: one", "objects: one\n            objects: one", 1)
    folder = write_pack(tmp_path / "rivers", files)
    with pytest.raises(QuizgenError) as raised:
        load_pack(folder)
    lines = [str(p) for p in raised.value.problems]
    assert len(lines) == 2, lines
    assert "duplicate key 'objects'" in lines[1] and "unknown-id problems in other files were skipped" in lines[0]


# ---- editorial insertions: "In 1898 [Marie Curie] discovered polonium" -----------------------


def discoverers(tmp_path: Path, evidence: str | None = None) -> Path:
    files = dict(DISCOVERERS_PACK)
    if evidence is not None:
        files["facts.yaml"] = files["facts.yaml"].replace('"In 1898 [Marie Curie] discovered polonium"', evidence)
    return write_pack(tmp_path / "discoverers", files)


def test_an_insertion_that_names_the_subject_stands_for_the_pronoun_it_replaces(tmp_path: Path):
    pack = load_pack(discoverers(tmp_path))
    assert pack.facts[0].evidence_for("subject") == "In 1898 [Marie Curie] discovered polonium"


@pytest.mark.parametrize("evidence", ['"In 1898 she [Marie Curie] discovered polonium"',  # kept beside the pronoun
                                      '"In 1898 [Curie] discovered polonium"',  # an alias
                                      '"[Marie Curie] discovered polonium, naming it after her native Poland."',
                                      # a possessive stands for "her", "its", "their"
                                      '"In 1898 she discovered polonium, naming it after [Marie Curie\'s] native '
                                      'Poland."',
                                      '"In 1898 she discovered polonium, naming it after [Curie’s] native Poland."'])
def test_an_insertion_may_add_to_or_replace_words_and_give_an_alias(tmp_path: Path, evidence: str):
    assert load_pack(discoverers(tmp_path, evidence)).facts[0].id == "F1"


@pytest.mark.parametrize("evidence, expected", [
    ('"In 1898 [Pierre Curie] discovered polonium"',
     "facts.yaml:9:15: facts[0].evidence: the insertion [Pierre Curie] is not a name of the fact's subject or object; "
     "expected one of 'Marie Curie', 'Curie', 'polonium', or one of them with 's for a possessive (an editorial "
     "insertion names who or what the source means)"),
    ('"In 1898 she discovered polonium, naming it after [Pierre Curie\'s] native Poland."',
     "facts.yaml:9:15: facts[0].evidence: the insertion [Pierre Curie's] is not a name of the fact's subject or "
     "object"),
    ('"In 1898 [Marie Curie] found polonium"',
     "facts.yaml:9:15: facts[0].evidence: 'In 1898 [Marie Curie] found polonium' was not found in the text of source "
     "S1; expected an exact quotation (words in square brackets are editorial insertions)"),
    ('"In 1898 [Marie Curie] named it after her native Poland"',  # an insertion stands for a few words, not a clause
     "facts.yaml:9:15: facts[0].evidence: 'In 1898 [Marie Curie] named it after her native Poland' was not found"),
    ('"In 1898 [she] discovered polonium"',  # the value rule counts the insertion, so without a name there is none
     "facts.yaml:9:15: facts[0].evidence: the insertion [she] is not a name of the fact's subject or object"),
])
def test_an_insertion_is_checked_word_for_word_around_it_and_must_name_the_fact(tmp_path: Path, evidence: str,
                                                                                 expected: str):
    found = messages(discoverers(tmp_path, evidence))
    assert any(line.startswith(str(tmp_path / "discoverers" / expected)) or expected in line for line in found), found
    assert all(re.match(r"^[^:]+:\d+:\d+: ", line) for line in found), found


def test_a_quotation_without_the_subject_fails_the_value_rule_and_the_insertion_satisfies_it(tmp_path: Path):
    found = messages(discoverers(tmp_path, '"In 1898 she discovered polonium"'))
    assert any("does not contain the subject it is asked for ('Marie Curie')" in line for line in found), found


def test_students_see_the_brackets_in_keys_cards_and_exports(tmp_path: Path):
    from pypdf import PdfReader
    import zipfile

    folder = discoverers(tmp_path)
    assert main(["build", str(folder), "--out", str(tmp_path / "out"), "--count", "8", "--quiet",
                 "--only", "keys,flashcards,exports"]) == 0
    built = tmp_path / "out" / "curie"
    quoted = "[Marie Curie] discovered polonium"
    for pdf in ("answer-key-A.pdf", "flashcards.pdf"):
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(built / pdf).pages)
        assert quoted in text, pdf
    for name in ("gift.txt", "moodle.xml", "questions.csv", "selftest.html"):
        assert quoted in (built / name).read_text(encoding="utf-8"), name
    with zipfile.ZipFile(built / "canvas-qti.zip") as qti:
        assert any(quoted in qti.read(n).decode("utf-8", "replace") for n in qti.namelist())


def test_a_text_value_stated_only_by_an_insertion_satisfies_the_value_rule(tmp_path: Path):
    files = dict(DISCOVERERS_PACK)
    files["relations.yaml"] = files["relations.yaml"].rstrip(" ") + textwrap.indent(textwrap.dedent("""\
        - id: named-after
          subject: element
          object: text
          objects: one
          sentence: "{Subject} is named after {object}."
          ask_object: "What is {subject} named after?"
    """), " " * 10)
    files["facts.yaml"] = files["facts.yaml"].rstrip(" ") + textwrap.indent(textwrap.dedent("""\
        - id: F5
          relation: named-after
          subject: polonium
          object: Poland
          topic: work
          sources: [S1]
          evidence: "naming it after [Poland]"
    """), " " * 10)
    pack = load_pack(write_pack(tmp_path / "discoverers", files))
    assert pack.facts[-1].evidence_for("object") == "naming it after [Poland]"


def test_brackets_the_source_itself_prints_are_quoted_as_they_are(tmp_path: Path):
    files = dict(DISCOVERERS_PACK)
    files["sources.yaml"] = files["sources.yaml"].replace("Ramsay isolated neon in 1898.",
                                                          "Ramsay isolated neon [sic] in 1898.")
    files["facts.yaml"] = files["facts.yaml"].replace('"Ramsay isolated neon in 1898."',
                                                      '"Ramsay isolated neon [sic] in 1898."')
    assert load_pack(write_pack(tmp_path / "discoverers", files)).facts[1].evidence_for("subject") == \
        "Ramsay isolated neon [sic] in 1898."


PREVIOUS_FORMAT_PACK = {  # as docs/content-format.md described packs before relations.yaml
    "pack.yaml": """
        id: old
        title: An old pack
        language: en
        licence: CC BY-SA 4.0
        description: Written for the format before relations.
        period: {start: 2014-01-01, end: 2014-12-31}
    """,
    "sources.yaml": """
        sources:
          - {id: S1, title: Notes, publisher: Me, url: "https://example.org", excerpts: ["ISIS attacked Abu Kamal."]}
    """,
    "entities.yaml": """
        entities:
          - {id: isil, name: ISIS, category: group, type: armed-group, description: A group., side: isil}
          - {id: abu-kamal, name: Abu Kamal, category: place, type: town, description: A town.}
    """,
    "facts.yaml": """
        facts:
          - id: F001
            statement: ISIS attacked Abu Kamal.
            kind: event
            label: ISIS attacks Abu Kamal
            subject: isil
            place: abu-kamal
            date: 2014-04-10
            sources: [S1]
            evidence: ISIS attacked Abu Kamal.
          - id: F002
            statement: Abu Kamal is a town.
            kind: place
            subject: abu-kamal
            sources: [S1]
            evidence: Abu Kamal
    """,
}


def test_a_pack_in_the_previous_format_gets_one_line_naming_it_and_the_conversion(tmp_path: Path, capsys):
    folder = write_pack(tmp_path / "old", PREVIOUS_FORMAT_PACK)
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{folder / 'facts.yaml'}:2:5: this pack is in quizgen's previous format")
    assert "no relations.yaml" in err[0] and 'section "Converting a pack from the previous format"' in err[0]
    docs = (Path(__file__).parent.parent / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert "\n## Converting a pack from the previous format\n" in docs


def test_a_current_pack_without_relations_is_not_called_old(tmp_path: Path):
    files = {name: text for name, text in MINIMAL_PACK.items() if name != "relations.yaml"}
    with pytest.raises(QuizgenError) as raised:
        load_pack(write_pack(tmp_path / "rivers", files))
    assert not any("previous format" in str(p) for p in raised.value.problems)
    assert any("no relations.yaml found" in str(p) for p in raised.value.problems)
