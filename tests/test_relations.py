"""relations.yaml: a pack's vocabulary, every problem reported at file:line:column, and phrasing realised per fact."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from quizgen.load.pack import load_pack
from quizgen.errors import QuizgenError
from quizgen.load.phrasing import realise

from helpers import MINIMAL_PACK, write_pack

# the rivers vocabulary, indented as the tests below write their replacements
RELATIONS = textwrap.indent(textwrap.dedent(MINIMAL_PACK["relations.yaml"]), "    ")


def pack_with(tmp_path: Path, **files: str) -> Path:
    """The minimal pack with some files replaced (`relations_yaml=` means relations.yaml)."""
    written = dict(MINIMAL_PACK, **{"relations.yaml": RELATIONS})
    for key, text in files.items():
        written[key.replace("_yaml", ".yaml")] = text
    return write_pack(tmp_path / "pack", written)


def problems(folder: Path) -> list[str]:
    with pytest.raises(QuizgenError) as caught:
        load_pack(folder)
    found = [str(p) for p in caught.value.problems]
    assert all(re.match(r"^[^:]+:\d+:\d+: ", line) for line in found), found
    return found


def reported(found: list[str], expected: str) -> bool:
    return any(line.endswith(expected) or expected in line for line in found)


def test_the_vocabulary_reads_into_categories_and_relations(tmp_path: Path):
    pack = load_pack(pack_with(tmp_path))
    assert [c.id for c in pack.categories] == ["river", "country", "place"]
    rises = pack.relation("rises-in")
    assert (rises.subject, rises.object, rises.subjects, rises.objects) == ("river", "place", "many", "one")
    assert rises.question("subject") == "Which river rises in {object}?" and rises.origin.line == 12
    assert pack.relation("length").question("subject") is None
    assert pack.relation("flows-through").holds_for_many("object")
    assert not rises.holds_for_many("object")


def test_unknown_placeholder_is_reported_where_it_is_written(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace(
        '"{Subject} flows through {object}."', '"{Subject} flows through {country}."')))
    assert reported(found, "relations.yaml:23:15: relations[2].sentence: unknown placeholder {country}; expected one "
                           "of {According}, {Object}, {Subject}, {according}, {kind}, {object}, {subject}, {when}"), found


def test_ask_phrasing_that_names_the_slot_it_asks_is_reported(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace(
        '"Which river rises in {object}?"', '"Does {subject} rise in {object}?"')))
    assert reported(found, "relations.yaml:17:18: relations[1].ask_subject: names {subject}, the value it asks for; "
                           "expected a question about it"), found


def test_ask_phrasing_that_is_not_a_question_is_reported(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace(
        '"Where does {subject} rise?"', '"Name where {subject} rises."')))
    assert reported(found, "relations.yaml:18:17: relations[1].ask_object: 'Name where {subject} rises.' does not "
                           "end with '?'; expected a question"), found


def test_match_phrasing_with_a_placeholder_is_reported(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace(
        '"Match each river with the place where it rises."', '"Match {subject} with its source."')))
    assert reported(found, "relations.yaml:19:12: relations[1].match: names a placeholder"), found


def test_unknown_category_in_a_relation_is_reported(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace("object: country", "object: nation")))
    assert reported(found, "relations.yaml:22:13: relations[2].object: 'nation' is not a category or value type; "
                           "expected one of country, date, number, place, river, text"), found


def test_a_list_of_categories_in_a_slot_is_refused_with_what_to_do_instead(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace("object: country", "object: [country, place]")))
    assert reported(found, "relations.yaml:22:13: relations[2].object: found a list (country, place); expected one "
                           "category; a list is not allowed here. Write one relation per category"), found
    assert not any("missing or empty" in line for line in found), found


def test_entity_of_a_category_the_vocabulary_does_not_declare_is_reported(tmp_path: Path):
    entities = MINIMAL_PACK["entities.yaml"].replace("category: country", "category: state")
    found = problems(pack_with(tmp_path, entities_yaml=entities))
    assert reported(found, "entities.yaml:22:15: entities[3].category: 'state' is not a category of relations.yaml; "
                           "expected one of country, place, river"), found


def test_fact_whose_entity_has_the_wrong_category_is_reported(tmp_path: Path):
    facts = MINIMAL_PACK["facts.yaml"].replace("subject: danube\n            object: austria",
                                               "subject: austria\n            object: austria")
    found = problems(pack_with(tmp_path, facts_yaml=facts))
    assert reported(found, "facts.yaml:18:14: facts[2].subject: 'austria' is a country; relation 'flows-through' "
                           "expects a river as its subject"), found


def test_evidence_that_does_not_contain_the_asked_value_is_reported(tmp_path: Path):
    facts = MINIMAL_PACK["facts.yaml"].replace('evidence: "The Danube rises in the Black Forest."',
                                               'evidence: {subject: "The Danube rises", object: "The Danube"}')
    found = problems(pack_with(tmp_path, facts_yaml=facts))
    assert reported(found, "facts.yaml:15:53: facts[1].evidence.object: 'The Danube' does not contain the object it "
                           "is asked for ('Black Forest')"), found
    assert not any("evidence.subject" in line for line in found), found


def test_evidence_per_slot_is_accepted_and_cited_for_the_slot_asked(tmp_path: Path):
    facts = MINIMAL_PACK["facts.yaml"].replace(
        'evidence: "The Danube rises in the Black Forest."',
        'evidence: {subject: "The Danube rises", object: "rises in the Black Forest"}')
    pack = load_pack(pack_with(tmp_path, facts_yaml=facts))
    fact = pack.facts[1]
    assert fact.evidence_for("subject") == "The Danube rises"
    assert fact.evidence_for("object") == "rises in the Black Forest"


def test_asking_a_slot_whose_evidence_lacks_it_can_be_turned_off_with_ask(tmp_path: Path):
    facts = MINIMAL_PACK["facts.yaml"].replace('evidence: "The Danube rises in the Black Forest."',
                                               'evidence: "The Danube rises"\n            ask: [subject]')
    pack = load_pack(pack_with(tmp_path, facts_yaml=facts))
    assert pack.facts[1].ask == ("subject",)


def test_every_problem_of_the_vocabulary_is_listed_at_once(tmp_path: Path):
    text = (RELATIONS.replace('"{Subject} flows through {object}."', '"{Subject} flows through {country}."')
            .replace('objects: one\n        sentence: "{Subject} rises', 'objects: few\n        sentence: "{Subject} rises'))
    found = problems(pack_with(tmp_path, relations_yaml=text))
    assert reported(found, "relations[1].objects: 'few' is not allowed; expected one or many"), found
    assert reported(found, "unknown placeholder {country}"), found


def test_phrasing_is_realised_with_articles_dates_and_figures(tmp_path: Path):
    pack = load_pack(pack_with(tmp_path))
    length, rises, flows = pack.facts
    assert realise(pack.relation("rises-in").question("object"), rises, pack) == "Where does the Danube rise?"
    assert realise(pack.relation("rises-in").question("subject"), rises, pack) == \
        "Which river rises in the Black Forest?"
    assert realise(pack.relation("rises-in").sentence, rises, pack, blank="subject") == \
        "_____ rises in the Black Forest."
    assert realise(pack.relation("flows-through").sentence, flows, pack, values={"object": "black-forest"}) == \
        "The Danube flows through the Black Forest."
    assert realise(pack.relation("length").sentence, length, pack).startswith("The Rhine is ")


def test_words_follow_an_attribute_of_the_slots_entity(tmp_path: Path):
    """`words`: "the mother" or "the father" by the parent's sex; here "a river of western Europe" by region."""
    text = RELATIONS.replace('sentence: "{Subject} rises in {object}."', '''sentence: "{Subject}, {which_river}, rises in {object}."
        words:
          which_river: {by: subject.region, western-europe: a river of western Europe, otherwise: a river}''')
    pack = load_pack(pack_with(tmp_path, relations_yaml=text))
    rises = pack.facts[1]
    sentence = pack.relation("rises-in").sentence
    assert realise(sentence, rises, pack) == "The Danube, a river, rises in the Black Forest."
    assert realise(sentence, rises, pack, values={"subject": "rhine"}) == \
        "The Rhine, a river of western Europe, rises in the Black Forest."
    assert rises.statement == "The Danube, a river, rises in the Black Forest."


@pytest.mark.parametrize("words, expected", [
    ("{which_river: {by: object.region, otherwise: a river}}",
     "relations[0].words.which_river.by: the object of this relation is a number, which has no attributes"),
    ("{which_river: {by: region, otherwise: a river}}",
     "relations[1].words.which_river.by: found 'region'; expected subject.ATTRIBUTE or object.ATTRIBUTE"),
    ("{which_river: {by: subject.region, western-europe: a river of western Europe}}",
     "relations[1].words.which_river: missing 'otherwise'"),
    ("{subject: {by: subject.region, otherwise: a river}}", "'subject' is not a usable placeholder name"),
    ("[a river]", "relations[1].words: expected a mapping of placeholder names"),
])
def test_words_that_cannot_be_chosen_are_reported_where_they_are_written(tmp_path: Path, words: str, expected: str):
    sentence = 'sentence: "{Subject} is {object} km long."' if "object." in words else \
        'sentence: "{Subject} rises in {object}."'
    text = RELATIONS.replace(sentence, sentence + "\n        words: " + words)
    found = problems(pack_with(tmp_path, relations_yaml=text))
    assert reported(found, expected), found


def test_an_implied_relation_counts_in_the_closed_world(tmp_path: Path):
    """`implies`: a river that rises in a place also 'lies beside' it, so no item keys one without the other."""
    text = RELATIONS.replace('''      - id: rises-in
        subject: river
        object: place''', '''      - id: rises-in
        subject: river
        object: place
        implies: lies-beside''') + '''      - id: lies-beside
        subject: river
        object: place
        sentence: "{Subject} lies beside {object}."
        ask_subject: "Which river lies beside {object}?"
'''
    from quizgen.generate.truth import Truth

    pack = load_pack(pack_with(tmp_path, relations_yaml=text))
    truth = Truth.of(pack)
    assert truth.holds("lies-beside", "danube", "black-forest") and not truth.holds("lies-beside", "rhine",
                                                                                      "black-forest")
    assert pack.relation("rises-in").implies == ("lies-beside",)


def test_an_unknown_or_mismatched_implied_relation_is_reported(tmp_path: Path):
    unknown = RELATIONS.replace("objects: one\n        sentence: \"{Subject} rises",
                                "objects: one\n        implies: flows-from\n        sentence: \"{Subject} rises")
    assert reported(problems(pack_with(tmp_path / "a", relations_yaml=unknown)),
                    "relations[1].implies: unknown relation 'flows-from'")
    mismatched = RELATIONS.replace("objects: one\n        sentence: \"{Subject} rises",
                                   "objects: one\n        implies: flows-through\n        sentence: \"{Subject} rises")
    assert reported(problems(pack_with(tmp_path / "b", relations_yaml=mismatched)),
                    "'flows-through' holds a river and a country; expected the same slots as 'rises-in'")


@pytest.mark.parametrize("question, statement", [
    ("Which groups were among the founders of the Islamic Front?",
     "The groups that were among the founders of the Islamic Front were A and B (not C)"),
    ("Who were the children of Marie Curie?", "The children of Marie Curie were A and B (not C)"),
    ("Which people discovered polonium?", "The people that discovered polonium were A and B (not C)"),
    ("Which of these rivers are headstreams of the Danube?",
     "The rivers that are headstreams of the Danube are A and B (not C)"),
    ("Which groups were the main targets of the offensive, according to the Institute for the Study of War?",
     "According to the Institute for the Study of War, the groups that were the main targets of the offensive "
     "were A and B (not C)"),
    ("Which countries does the Danube flow through?", None),  # the verb belongs to the subject: no shape for it
    ("Which planets have a ring system?", "The planets that have a ring system are A and B (not C)"),
    ("Which moons orbit Mars?", "The moons that orbit Mars are A and B (not C)"),
])
def test_a_question_for_every_value_turns_into_the_statement_that_answers_it(question, statement):
    from quizgen.load.phrasing import list_answer_statement
    assert list_answer_statement(question, "A and B (not C)") == statement


def test_a_per_set_that_is_not_a_whole_number_of_one_or_more_is_one_located_error(tmp_path: Path):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace(
        "objects: one\n        sentence: \"{Subject} rises",
        "objects: one\n        per_set: 0\n        sentence: \"{Subject} rises", 1)))
    assert len(found) == 1 and "relations.yaml:" in found[0]
    assert "per_set: found 0; expected a whole number of 1 or more" in found[0]


@pytest.mark.parametrize("field, expected", [
    ("lifetime: middle", "relations.yaml:16:15: relations[1].lifetime: found 'middle'; expected start or end: whether "
                         "this relation's date begins its subject's life (born-on) or ends it (died-on)"),
    ("lifetime: start", "relations.yaml:16:15: relations[1].lifetime: lifetime needs a relation whose object is a "
                        "date"),
    ("older: [subject]", "relations.yaml:16:12: relations[1].older: found ['subject']; expected subject or object: "
                         "the slot whose value came first (a parent for child-of)"),
    ("inverse: Bad Id", "relations.yaml:16:14: relations[1].inverse: expected the id of a relation that says the same "
                        "the other way round (the relation's own id when it is symmetric)"),
    ("complete: null", "relations.yaml:16:15: relations[1].complete: found None; expected true (the pack lists every "
                       "value, so what it does not list is false) or false"),
    ("widens: 1", "relations.yaml:16:13: relations[1].widens: found 1; expected true (a fact holds for the places "
                  "around its places too) or false"),
    ("implies: [flows-through, Bad]", "relations.yaml:16:14: relations[1].implies: expected a relation id or a list "
                                      "of them"),
    ("per_set: true", "relations.yaml:16:14: relations[1].per_set: found True; expected a whole number of 1 or more: "
                      "the most items of this relation one question set may hold"),
])
def test_each_bad_field_of_a_relation_is_one_line_in_its_own_words(tmp_path: Path, field: str, expected: str):
    found = problems(pack_with(tmp_path, relations_yaml=RELATIONS.replace(
        "objects: one\n        sentence: \"{Subject} rises",
        f"objects: one\n        {field}\n        sentence: \"{{Subject}} rises", 1)))
    assert [line.rsplit("/", 1)[-1] for line in found] == [expected]


def test_an_unknown_section_and_a_relation_that_is_not_a_mapping_are_located(tmp_path: Path):
    vocabulary = MINIMAL_PACK["relations.yaml"].replace(
        "        relations:\n", "        extra: 1\n        relations:\n          - 5\n", 1)
    found = problems(pack_with(tmp_path, relations_yaml=vocabulary))
    assert reported(found, "relations.yaml:5:1: extra: unknown section 'extra'; expected categories or relations")
    assert reported(found, "relations.yaml:7:5: relations[0]: expected a mapping with id, subject, object and "
                           "sentence"), found


@pytest.mark.parametrize("category, expected", [
    ("river: {rank_by: side}", "relations.yaml:2:20: categories.river.rank_by: expected a list of attribute slugs"),
    ("river: {rank_by: [Bad]}", "relations.yaml:2:20: categories.river.rank_by: expected a list of attribute slugs"),
    ("river: {colour: [x]}", "relations.yaml:2:10: categories.river: expected a mapping with rank_by, match and "
                             "within (each a list of attribute names)"),
    ("date: {}", "relations.yaml:2:3: categories.date: 'date' is not a valid category; expected a slug other than "
                 "date, number, text"),
])
def test_a_bad_category_is_one_line_and_its_relations_name_the_categories_there_are(tmp_path: Path, category: str,
                                                                                     expected: str):
    vocabulary = MINIMAL_PACK["relations.yaml"].replace("          river: {rank_by: [region]}\n",
                                                        f"          {category}\n", 1)
    found = [line.rsplit("/", 1)[-1] for line in problems(pack_with(tmp_path, relations_yaml=vocabulary))]
    assert expected in found, found
    if "rank_by" not in category:
        assert ("relations.yaml:7:14: relations[0].subject: 'river' is not a category or value type; expected one of "
                "country, date, number, place, text") in found, found
