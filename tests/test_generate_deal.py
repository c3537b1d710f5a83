"""Dealing by meaning, as a strict teacher reads a dealt set: nothing answered by the sheet's title, one matching and
one ordering item per relation, no neighbours with the same answer, true/false at most a quarter and balanced, no
claim that settles another item, full mixed sets from a one-person pack, Kahoot sets dealt from what Kahoot holds,
and study cards that state only true things."""

from __future__ import annotations

import functools
import tempfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from closed_world import ClosedWorld
from helpers import DEFAULT_PACK, family_pack_files, science_pack_files, write_pack

from quizgen import cli
from quizgen.load.pack import load_pack
from quizgen.load.records import parse_date
from quizgen.generate import generate_question_set, question_pool
from quizgen.model import DateValue, Number, Pack, Question
from quizgen.load.phrasing import answer_text
from quizgen.render.flashcards import flashcards_for
from quizgen.study.deck import card_front
from quizgen.text import name_in_title
from quizgen.text import contains_phrase, normalise

SEEDS = range(1, 6)
GROUP_TYPES = ("matching", "ordering")

# ---- a one-person pack: Ada Lovelace, named in most stems ----------------------------------------------------

BIOGRAPHY_RELATIONS = """\
categories:
  person: {}
  city: {}
  work: {}
relations:
  - id: born-in
    complete: true
    subject: person
    object: city
    objects: one
    sentence: "{Subject} was born in {object}."
    ask_subject: "Who was born in {object}?"
    ask_object: "Where was {subject} born?"
    match: "Match each person with the city where they were born."
  - id: born-on
    subject: person
    object: date
    objects: one
    sentence: "{Subject} was born {when}."
    ask_object: "When was {subject} born?"
    item: "{Subject} is born"
  - id: died-on
    subject: person
    object: date
    objects: one
    sentence: "{Subject} died {when}."
    ask_object: "When did {subject} die?"
    item: "{Subject} dies"
  - id: child-of
    complete: true
    subject: person
    object: person
    sentence: "{Subject} was a child of {object}."
    ask_subject: "Who was a child of {object}?"
    ask_object: "Who was a parent of {subject}?"
    ask_objects: "Who were the parents of {subject}?"
  - id: tutored-by
    complete: true
    subject: person
    object: person
    sentence: "{Subject} was tutored by {object}."
    ask_subject: "Whom did {object} tutor?"
    ask_object: "Who tutored {subject}?"
    ask_objects: "Who were the tutors of {subject}?"
  - id: married
    subject: person
    object: person
    objects: one
    subjects: one
    sentence: "{Subject} married {object} {when}."
    ask_subject: "Who married {object}?"
    ask_object: "Whom did {subject} marry?"
    claim: "{Subject} married {object}."
    item: "{Subject} marries {object}"
  - id: met
    subject: person
    object: person
    sentence: "{Subject} met {object} {when}."
    ask_object: "Whom did {subject} meet {when}?"
    claim: "{Subject} met {object}."
    item: "{Subject} meets {object}"
  - id: wrote
    complete: true
    subject: person
    object: work
    sentence: "{Subject} wrote {object}."
    ask_subject: "Who wrote {object}?"
    ask_object: "Which work did {subject} write?"
    match: "Match each author with a work they wrote."
  - id: buried-in
    complete: true
    subject: person
    object: city
    objects: one
    sentence: "{Subject} was buried in {object}."
    ask_subject: "Who was buried in {object}?"
    ask_object: "Where was {subject} buried?"
  - id: children
    subject: person
    object: number
    objects: one
    sentence: "{Subject} had {object} children."
    ask_object: "How many children did {subject} have?"
"""
PEOPLE = {"ada": "Ada Lovelace", "byron": "Lord Byron", "milbanke": "Anne Isabella Milbanke",
          "somerville": "Mary Somerville", "de-morgan": "Augustus De Morgan", "babbage": "Charles Babbage",
          "king": "William King", "menabrea": "Luigi Menabrea", "faraday": "Michael Faraday",
          "dickens": "Charles Dickens"}
CITIES = {"london": "London", "jedburgh": "Jedburgh", "madurai": "Madurai", "chambery": "Chambéry",
          "hucknall": "Hucknall", "turin": "Turin", "paris": "Paris", "cambridge": "Cambridge"}
WORKS = {"notes": "Notes on the Analytical Engine", "sketch": "Sketch of the Analytical Engine",
         "passages": "Passages from the Life of a Philosopher",
         "connexion": "On the Connexion of the Physical Sciences",
         "formal-logic": "Formal Logic", "bleak-house": "Bleak House"}
BIOGRAPHY = [  # id, relation, subject, object, date of the fact (or ""), the source's sentence
    ("A1", "born-in", "ada", "london", "", "Ada Lovelace was born in London."),
    ("A2", "born-on", "ada", "1815-12-10", "", "Ada Lovelace was born on 10 December 1815."),
    ("A3", "child-of", "ada", "byron", "", "Ada Lovelace was a child of Lord Byron."),
    ("A4", "child-of", "ada", "milbanke", "", "Ada Lovelace was a child of Anne Isabella Milbanke."),
    ("A5", "tutored-by", "ada", "somerville", "", "Ada Lovelace was tutored by Mary Somerville."),
    ("A6", "tutored-by", "ada", "de-morgan", "", "Ada Lovelace was tutored by Augustus De Morgan."),
    ("A7", "met", "ada", "babbage", "1833-06-05", "Ada Lovelace met Charles Babbage on 5 June 1833."),
    ("A8", "married", "ada", "king", "1835-07-08", "Ada Lovelace married William King on 8 July 1835."),
    ("A9", "wrote", "ada", "notes", "", "Ada Lovelace wrote Notes on the Analytical Engine."),
    ("A10", "died-on", "ada", "1852-11-27", "", "Ada Lovelace died on 27 November 1852."),
    ("A11", "buried-in", "ada", "hucknall", "", "Ada Lovelace was buried in Hucknall."),
    ("A12", "children", "ada", "{value: 3, unit: children}", "", "Ada Lovelace had 3 children."),
    ("A13", "born-in", "somerville", "jedburgh", "", "Mary Somerville was born in Jedburgh."),
    ("A14", "born-in", "de-morgan", "madurai", "", "Augustus De Morgan was born in Madurai."),
    ("A15", "born-in", "menabrea", "chambery", "", "Luigi Menabrea was born in Chambéry."),
    ("A16", "wrote", "menabrea", "sketch", "", "Luigi Menabrea wrote Sketch of the Analytical Engine."),
    ("A17", "wrote", "babbage", "passages", "", "Charles Babbage wrote Passages from the Life of a Philosopher."),
    ("A18", "wrote", "somerville", "connexion", "", "Mary Somerville wrote On the Connexion of the Physical Sciences."),
    ("A19", "born-on", "babbage", "1791-12-26", "", "Charles Babbage was born on 26 December 1791."),
    ("A20", "died-on", "byron", "1824-04-19", "", "Lord Byron died on 19 April 1824."),
    ("A21", "born-in", "faraday", "london", "", "Michael Faraday was born in London."),
]


def biography_pack_files(title: str = "A Victorian life in mathematics") -> dict[str, str]:
    """Twenty-one facts, twelve of them about Ada Lovelace: her name is in most stems that do not ask for her."""
    entities = ["entities:"]
    entities += [f"  - {{id: {pid}, name: {name}, category: person, description: A person.}}"
                 for pid, name in PEOPLE.items()]
    entities += [f"  - {{id: {cid}, name: {name}, category: city, description: A city.}}"
                 for cid, name in CITIES.items()]
    entities += [f'  - {{id: {wid}, name: "{name}", category: work, description: A book.}}'
                 for wid, name in WORKS.items()]
    facts = ["facts:"]
    for fid, relation, subject, object_, day, sentence in BIOGRAPHY:
        topic = ("family" if relation in ("child-of", "married", "children")
                 else "work" if relation in ("wrote", "tutored-by", "met") else "life")
        shown = f"'{object_}'" if object_[0].isdigit() else object_
        facts += [f"  - id: {fid}", f"    relation: {relation}", f"    subject: {subject}", f"    object: {shown}",
                  f"    topic: {topic}", "    sources: [N1]", f'    evidence: "{sentence}"']
        facts += [f"    date: '{day}'"] if day else []
    return {
        "pack.yaml": f"id: lovelace\ntitle: {title}\nlanguage: en\nlicence: CC0\n"
                     "description: Ada Lovelace and the people around her.\n"
                     "period: {start: 1780-01-01, end: 1900-12-31}\n"
                     "topics:\n  - {id: life, title: Life and death}\n  - {id: family, title: Family}\n"
                     "  - {id: work, title: Work and teachers}\n",
        "relations.yaml": BIOGRAPHY_RELATIONS,
        "sources.yaml": "sources:\n  - id: N1\n    title: Notes on Ada Lovelace\n    publisher: Test\n"
                        "    file: notes.txt\n",
        "notes.txt": " ".join(sentence for *_, sentence in BIOGRAPHY) + "\n",
        "entities.yaml": "\n".join(entities) + "\n",
        "facts.yaml": "\n".join(facts) + "\n",
    }

# ---- a pack saying the same pairs twice: who led and who founded each group, its founding day and its setting up ---

ALLIANCE_RELATIONS = """\
categories:
  person: {}
  group: {}
relations:
  - id: led
    subject: person
    object: group
    objects: one
    subjects: one
    sentence: "{Subject} led {object}."
    ask_subject: "Who led {object}?"
    ask_object: "Which group did {subject} lead?"
    match: "Match each leader with the group they led."
  - id: founded
    subject: person
    object: group
    objects: one
    subjects: one
    sentence: "{Subject} founded {object}."
    ask_subject: "Who founded {object}?"
    ask_object: "Which group did {subject} found?"
  - id: founded-on
    subject: group
    object: date
    objects: one
    sentence: "{Subject} was founded {when}."
    ask_object: "When was {subject} founded?"
    item: "{Subject} is founded"
  - id: set-up-on
    subject: group
    object: date
    objects: one
    sentence: "{Subject} was set up {when}."
    ask_object: "When was {subject} set up?"
"""
GROUPS = [("Amal Haddad", "Northern Front", "1990-03-03"), ("Bassam Nouri", "River Brigade", "1993-06-10"),
          ("Carim Saleh", "Hill Battalion", "1996-09-21"), ("Dana Khoury", "Coast Union", "1999-12-05"),
          ("Elias Mansour", "Desert Guard", "2002-02-14"), ("Farid Aziz", "Valley League", "2005-05-30")]


def alliance_pack_files() -> dict[str, str]:
    """Six leaders who each founded and led one group: a claim about the founder or the day a group was set up says
    what a matching of leaders or an ordering of foundings asks, through another fact."""
    entities, facts, notes = ["entities:"], ["facts:"], []

    def fact(fid: str, relation: str, subject: str, object_: str, sentence: str) -> None:
        notes.append(sentence)
        facts.extend([f"  - id: {fid}", f"    relation: {relation}", f"    subject: {subject}",
                      f"    object: {object_}", "    topic: groups", "    sources: [N1]",
                      f'    evidence: "{sentence}"'])

    for n, (person, group, day) in enumerate(GROUPS, 1):
        entities += [f"  - {{id: p{n}, name: {person}, category: person, description: A leader.}}",
                     f"  - {{id: g{n}, name: {group}, article: the, category: group, description: A group.}}"]
        fact(f"L{n}", "led", f"p{n}", f"g{n}", f"{person} led the {group}.")
        fact(f"F{n}", "founded", f"p{n}", f"g{n}", f"{person} founded the {group}.")
        fact(f"D{n}", "founded-on", f"g{n}", f"'{day}'", f"The {group} was founded on {parse_date(day).human()}.")
        fact(f"S{n}", "set-up-on", f"g{n}", f"'{day}'", f"The {group} was set up on {parse_date(day).human()}.")
    return {
        "pack.yaml": "id: alliances\ntitle: Six groups and their leaders\nlanguage: en\nlicence: CC0\n"
                     "description: Leaders, founders and founding days.\nperiod: {start: 1980-01-01, end: 2010-12-31}\n"
                     "topics:\n  - {id: groups, title: Groups}\n",
        "relations.yaml": ALLIANCE_RELATIONS,
        "sources.yaml": "sources:\n  - id: N1\n    title: Notes\n    publisher: Test\n    file: notes.txt\n",
        "notes.txt": " ".join(notes) + "\n",
        "entities.yaml": "\n".join(entities) + "\n",
        "facts.yaml": "\n".join(facts) + "\n",
    }


def retitled(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    assert f"title: {old}\n" in files["pack.yaml"]
    return dict(files, **{"pack.yaml": files["pack.yaml"].replace(f"title: {old}\n", f"title: {new}\n", 1)})


PACKS = {
    "family": family_pack_files,
    "science": science_pack_files,
    "biography": biography_pack_files,
    "alliances": alliance_pack_files,
    # a title holding one answer whole and most of the words of another
    "titled": lambda: retitled(science_pack_files(), "Discoveries in chemistry",
                               "Chemists of the Royal Institution and University College"),
}


@functools.cache
def packs() -> dict[str, Pack]:
    root = Path(tempfile.mkdtemp(prefix="quizgen-deal-"))
    return {name: load_pack(write_pack(root / name, files())) for name, files in PACKS.items()}


@functools.cache
def dealt(name: str, count: int, seed: int, versions: int = 1):
    return generate_question_set(packs()[name], count=count, seed=seed, versions=versions)


def keyed_texts(question: Question) -> list[str]:
    """Everything a question accepts as its answer: right options, the written answer and accepted forms."""
    if question.type in (*GROUP_TYPES, "true-false"):
        return []
    if question.options:
        return [o.text for o in question.correct_options] + list(question.accepted)
    return [question.answer, *question.accepted]


def value_names(value, slot_type: str, pack: Pack) -> list[str]:
    if isinstance(value, (DateValue, Number)) or slot_type in ("date", "number", "text"):
        return [answer_text(value, slot_type, pack)]
    return list(pack.entity(value).names)


def fact_names(pack: Pack, fact_id: str, *, dated: bool = True) -> list[list[str]]:
    """The names of a fact's subject, of its object, and of its date when it has one beside them."""
    fact = next(f for f in pack.facts if f.id == fact_id)
    relation = pack.relation(fact.relation)
    ends = [value_names(fact.subject, relation.subject, pack), value_names(fact.object, relation.object, pack)]
    if dated and fact.date is not None and not isinstance(fact.object, DateValue):
        ends.append([fact.date.human()])
    return ends


# ---- 1. no answer printed in the title ------------------------------------------------------------------------


def test_no_question_is_dealt_whose_answer_the_title_prints():
    pack = packs()["titled"]
    assert {q.answer for q in question_pool(pack, seed=1).questions} >= {"Royal Institution",
                                                                         "University College London"}
    title_names = (normalise("Royal Institution"), normalise("University College London"))
    answered_by_title = []
    for seed in SEEDS:
        for q in dealt("titled", 30, seed).questions:
            # among options the title also names (both institutions offered), the title does not tell which
            fair = q.options and any(normalise(o.text) in title_names for o in q.options if not o.correct)
            answered_by_title += [(seed, q.prompt) for text in keyed_texts(q)
                                  if normalise(text) in title_names and not fair]
    assert answered_by_title == []


@pytest.mark.parametrize("name, title, given_away", [
    ("Deir ez-Zor Governorate", "Deir ez-Zor offensive (April–July 2014)", True),  # three of its four words
    ("Deir ez-Zor military airport", "Deir ez-Zor offensive (April–July 2014)", True),
    ("Abu Kamal", "The fall of Abu Kamal", True),
    ("ISIL", "ISIL in Syria", True),
    ("IS", "What is a caliphate?", False),  # an acronym matches by its case, not the word "is"
    ("Free Syrian Army", "The Syrian civil war", False),  # one word of three
    ("Army of Mujahedeen", "Army of the Levant", False),  # "of" is not a word of its own
    ("al-Nusra Front", "Deir ez-Zor offensive (April–July 2014)", False),
])
def test_a_title_gives_away_a_name_whose_distinctive_words_it_holds(name, title, given_away):
    assert name_in_title(name, title) is given_away


# ---- 2. one matching and one ordering item per relation ----------------------------------------------------------


def test_a_set_has_at_most_one_matching_and_one_ordering_item_per_relation():
    repeated = {}
    for name in ("family", "science"):
        facts = {f.id: f for f in packs()[name].facts}
        for seed in range(1, 11):
            groups = Counter((q.type, relation) for q in dealt(name, 40, seed).questions if q.type in GROUP_TYPES
                             for relation in {facts[fid].relation for fid in q.fact_ids})
            repeated.update({(name, seed, key): n for key, n in groups.items() if n > 1})
    assert repeated == {}


# ---- 3. no neighbours with the same answer ---------------------------------------------------------------------


def test_no_two_neighbouring_questions_of_any_version_share_an_answer():
    neighbours = []
    for name in ("family", "science"):
        for seed in range(1, 11):
            question_set = dealt(name, 40, seed, versions=3)
            for version in question_set.versions:
                for a, b in zip(version.questions, version.questions[1:]):
                    shared = {normalise(t) for t in keyed_texts(a)} & {normalise(t) for t in keyed_texts(b)}
                    if shared:
                        neighbours.append((name, seed, version.code, a.prompt, b.prompt))
    assert neighbours == []


def test_versions_stay_a_shuffle_of_the_set_and_the_same_for_the_same_seed():
    first, again = dealt("family", 40, 3, versions=3), generate_question_set(packs()["family"], count=40, seed=3,
                                                                            versions=3)
    assert [[q.id for q in v.questions] for v in first.versions] == [[q.id for q in v.questions]
                                                                       for v in again.versions]
    for version in first.versions:
        assert sorted(q.id for q in version.questions) == sorted(q.id for q in first.questions)
    assert len({tuple(q.id for q in v.questions) for v in first.versions}) == 3


# ---- 4. true/false at most a quarter, and balanced ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["family", "science", "biography"])
def test_true_false_is_at_most_a_quarter_and_balanced_between_true_and_false(name):
    found = {}
    for seed in SEEDS:
        for count in (8, 12):  # sets the packs fill without running out of other types
            questions = dealt(name, count, seed).questions
            verdicts = Counter(q.answer for q in questions if q.type == "true-false")
            if sum(verdicts.values()) > max(len(questions) // 4, 1) and len(questions) == count:
                found[(seed, count)] = f"{sum(verdicts.values())} of {len(questions)} are true/false"
            if abs(verdicts["True"] - verdicts["False"]) > 1:
                found[(seed, count)] = f"{verdicts['True']} true and {verdicts['False']} false claims"
    assert found == {}


def test_a_set_of_true_false_alone_is_still_dealt_when_asked_for():
    questions = generate_question_set(packs()["family"], count=10, seed=2, types=["true-false"]).questions
    verdicts = Counter(q.answer for q in questions)
    assert len(questions) >= 6 and abs(verdicts["True"] - verdicts["False"]) <= 1


# ---- 5. claims and ordered events settle nothing else ------------------------------------------------------------


def settles(claim: Question, other: Question, pack: Pack) -> bool:
    """Whether a true/false claim names a pair that a matching item asks to match, or an event of an ordering item
    with its date."""
    for fact_id in other.fact_ids:
        ends = fact_names(pack, fact_id, dated=other.type == "ordering")
        if all(any(contains_phrase(claim.prompt, name) for name in names) for names in ends):
            return True
    return False


def test_no_claim_in_a_set_settles_a_pair_to_match_or_an_event_to_order():
    settled = []
    for name in ("alliances", "family", "science", "biography"):
        pack = packs()[name]
        for seed, count in ((seed, count) for seed in range(1, 11) for count in (8, 30)):
            questions = dealt(name, count, seed).questions
            claims = [q for q in questions if q.type == "true-false"]
            groups = [q for q in questions if q.type in GROUP_TYPES]
            settled += [(name, seed, count, c.prompt, g.prompt) for c in claims for g in groups
                        if settles(c, g, pack)]
    assert settled == []


# ---- 6. a one-person pack deals full mixed sets -------------------------------------------------------------------


def test_a_one_person_pack_deals_full_mixed_sets():
    pack = packs()["biography"]
    offered = {q.type for q in question_pool(pack, seed=1).questions}
    assert len(offered) == 8
    keyed_ada = 0
    for seed in SEEDS:
        questions = dealt("biography", 10, seed).questions
        types = Counter(q.type for q in questions)
        assert len(questions) == 10, seed
        assert set(types) == offered, (seed, sorted(offered - set(types)))
        assert types["true-false"] <= 10 // 4, (seed, types)
        keyed_ada += sum("Ada Lovelace" in keyed_texts(q) for q in questions)
    assert keyed_ada >= len(SEEDS)  # "Who…?" items are not barred because every other stem names her


# ---- 7. Kahoot sets are dealt from the types Kahoot holds ---------------------------------------------------------


def kahoot_rows(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path).active
    return [row for row in sheet.iter_rows(min_row=9, values_only=True) if any(v is not None for v in row)]


def is_true_false_row(row: tuple) -> bool:
    return row[2:6] == ("True", "False", None, None)


def test_a_kahoot_export_is_dealt_from_the_types_kahoot_holds(tmp_path, capsys):
    pack = write_pack(tmp_path / "curie-family", family_pack_files())
    target = tmp_path / "kahoot.xlsx"
    assert cli.main(["export", str(pack), "--format", "kahoot", "--count", "12", "-o", str(target)]) == 0
    rows = kahoot_rows(target)
    assert len(rows) == 12
    assert sum(map(is_true_false_row, rows)) <= 3
    assert "left out" not in capsys.readouterr().err


def test_a_kahoot_export_says_when_its_types_cannot_keep_true_false_to_a_quarter(tmp_path, capsys):
    pack = write_pack(tmp_path / "curie-family", family_pack_files())
    target = tmp_path / "kahoot.xlsx"
    assert cli.main(["export", str(pack), "--format", "kahoot", "--count", "60", "-o", str(target)]) == 0
    rows = kahoot_rows(target)
    true_false = sum(map(is_true_false_row, rows))
    assert true_false > len(rows) // 4
    err = capsys.readouterr().err
    assert (f"{true_false} of {len(rows)} questions are true/false, more than a quarter: the pack has too few "
            "multiple-choice and multiple-response questions") in err
    assert "Kahoot holds only multiple-choice, multiple-response, true-false" in err


def test_an_export_refuses_types_it_cannot_hold(tmp_path, capsys):
    pack = write_pack(tmp_path / "curie-family", family_pack_files())
    code = cli.main(["export", str(pack), "--format", "kahoot", "--types", "cloze", "-o", str(tmp_path / "k.xlsx")])
    assert code == 1
    assert "kahoot holds only multiple-choice, multiple-response, true-false questions" in capsys.readouterr().err


# ---- 8. study cards state only true things ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["family", "science", "biography"])
def test_the_deck_never_puts_a_false_claim_on_a_card(name):
    pack = packs()[name]
    world = ClosedWorld(pack)
    pool = question_pool(pack, seed=2)
    assert any(q.type == "true-false" and q.answer == "False" for q in pool.questions)
    deck = dealt(name, 5, 2).deck
    false_fronts = [card_front(q).text for q in deck if q.type == "true-false" and not world.claim_is_true(q)]
    assert false_fronts == []
    assert {fid for q in pool.questions for fid in q.fact_ids} <= {fid for card in deck for fid in card.fact_ids}


def test_a_fact_asked_only_by_a_false_claim_gets_a_card_of_its_true_claim():
    for name in ("family", "science", "biography"):
        pack = packs()[name]
        pool = question_pool(pack, seed=2)
        asked = {}
        for q in pool.questions:
            asked.setdefault(q.fact_ids[0], []).append(q)
        only_false = [fid for fid, qs in asked.items() if all(q.type == "true-false" and q.answer == "False"
                                                              for q in qs)]
        deck = dealt(name, 5, 2).deck
        for fact_id in only_false:
            cards = [c for c in deck if fact_id in c.fact_ids]
            assert cards, fact_id
            assert all(c.answer == "True" for c in cards if c.type == "true-false"), fact_id


def test_cards_name_their_topic_by_its_title():
    question_set = dealt("family", 5, 1)
    titles = {t.id: t.title for t in packs()["family"].topics}
    assert {card.topic for card in flashcards_for(question_set)} <= set(titles.values())
    assert "Births" in {card.topic for card in flashcards_for(question_set)}


# ---- 6. no relation asked over and over, no two stems about one thing with one answer ---------------------------


def test_a_set_asks_one_relation_more_than_five_times_only_when_the_rest_is_true_false():
    """A sixth death toll is dealt only once no other relation has an item that fits: then it still beats a
    coin-toss item, so the set's true/false share is already at its quarter."""
    from quizgen.generate.deal import MAX_PER_RELATION, true_false_limit
    default = load_pack(DEFAULT_PACK)
    facts = {f.id: f for f in default.facts}
    checked = 0
    for count in (20, 30, 40):
        for seed in range(1, 6):
            questions = generate_question_set(default, count=count, seed=seed).questions
            per_relation = Counter(min(facts[fid].relation for fid in q.fact_ids) for q in questions)
            true_false = sum(q.type == "true-false" for q in questions)
            if max(per_relation.values()) > MAX_PER_RELATION:
                assert true_false >= true_false_limit(count), (count, seed, per_relation.most_common(2))
            checked += 1
    assert MAX_PER_RELATION == 5 and checked == 15


def test_two_items_with_one_answer_never_share_a_name_in_their_stems():
    """"Who was the FSA's military chief?" and "Who replaced Salim Idris as head of the FSA?" answer each other."""
    from quizgen.generate.deal import common_names, items_of
    default = load_pack(DEFAULT_PACK)
    pool = question_pool(default)  # the reviewed pool every set is dealt from
    items = {i.question.id: i for i in items_of(pool, default)}
    common = common_names(list(items.values()))
    for seed in range(1, 6):
        chosen = [items[q.id] for q in generate_question_set(default, count=40, seed=seed).questions]
        for a, b in ((a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]):
            if a.keyed & b.keyed:
                assert not (a.parts[0].named & b.parts[0].named) - common, (a.question.prompt, b.question.prompt)


def test_every_set_is_dealt_from_the_pool_review_shows():
    """What an author reviewed is what students get: every question any seed deals (with its true/false verdict,
    wrong options and groups) is one `review --text` lists, and every command reports one pool size."""
    from quizgen.study.review import pool_text
    default = load_pack(DEFAULT_PACK)
    reviewed = question_pool(default)
    shown = pool_text(reviewed, default)
    ids = {q.id for q in reviewed.questions}
    for seed in range(1, 6):
        dealt = generate_question_set(default, count=40, seed=seed)
        assert {q.id for q in dealt.questions} <= ids
        assert dealt.pool_size == len(reviewed.questions)
    assert all(q.id in shown for q in reviewed.questions)


def dealt_items(seed: int, count: int = 40):
    """The default pack's set for a seed, as the dealer weighs its items, with the rules of the whole pool."""
    from quizgen.generate.deal import Rules, items_of
    default = load_pack(DEFAULT_PACK)
    items = {i.question.id: i for i in items_of(question_pool(default), default)}
    chosen = [items[q.id] for q in generate_question_set(default, count=count, seed=seed).questions]
    return chosen, Rules.of(list(items.values()), load_pack(DEFAULT_PACK))


def test_one_answer_is_never_keyed_twice_in_one_frame():
    """"Which group was Salim Idris the military chief of?" and "… Abdul-Ilah al-Bashir …?" are both the FSA."""
    from quizgen.generate.deal import relations_of
    pairs = 0
    for seed in SEEDS:
        chosen, _ = dealt_items(seed)
        for a, b in ((a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:] if a.keyed & b.keyed):
            pairs += 1
            assert not relations_of(a) & relations_of(b), (a.question.prompt, b.question.prompt)
    assert pairs  # answers are still keyed twice, in different frames


def test_a_name_used_throughout_still_gives_the_answer_away_in_a_statement_of_the_same_relation():
    """"ISIL reportedly took Kabajeb on 10 April 2014." answers "Which group reportedly took the silos that day?",
    although ISIL is named in a third of the pool's stems."""
    from quizgen.generate.deal import relations_of
    common_answers = 0
    for seed in SEEDS:
        chosen, rules = dealt_items(seed)
        for asker, other in ((a, b) for a in chosen for b in chosen if a is not b):
            for answer in other.answers:
                if answer.key in rules.common and relations_of(asker) & relations_of(other):
                    assert not asker.shows(answer, stated=True), (asker.question.prompt, other.question.prompt)
            common_answers += any(answer.key in rules.common for answer in other.answers)
    assert common_answers  # ISIL is still keyed, where no statement of its frame names it


def test_a_day_is_given_away_by_its_month_when_no_wrong_option_shares_it():
    """"…retreating from Deir ez-Zor city in February 2014" answers "When did ISIL withdraw…?" whose only February
    option is 10 February 2014."""
    from quizgen.generate.deal import DAY_DATE
    for seed in SEEDS:
        chosen, _ = dealt_items(seed)
        for item in chosen:
            q = item.question
            key = q.correct_options[0].text if q.type == "multiple-choice" and q.options else None
            match = DAY_DATE.match(key or "")
            if not match or any(match.group(1) in o.text for o in q.options if not o.correct):
                continue
            for other in chosen:
                if other is not item:
                    stated = [p.text for p in other.parts if p.states]
                    assert not any(contains_phrase(text, match.group(1)) for text in stated), (q.prompt, stated)


def test_a_frame_whose_claims_are_all_true_is_asked_as_a_claim_once_a_set():
    """"X fought against ISIL." can only come out True: a second such claim teaches that the frame is True."""
    from quizgen.generate.deal import relation_of
    one_sided_seen = 0
    for seed in SEEDS:
        chosen, rules = dealt_items(seed)
        claims = Counter(relation_of(i) for i in chosen if i.type == "true-false" and relation_of(i) in rules.one_sided)
        assert all(n == 1 for n in claims.values()), claims
        one_sided_seen += len(claims)
    assert "fought-against" in dealt_items(1)[1].one_sided and one_sided_seen


def test_a_relation_s_per_set_holds_in_every_set_even_when_the_others_run_out():
    """The default pack caps its death tolls at one a set (`per_set: 1` on `toll`): a set of forty, more than the
    pack fills fairly, takes a second toll never."""
    default = load_pack(DEFAULT_PACK)
    facts = {f.id: f for f in default.facts}
    assert default.relation("toll").per_set == 1
    tolls_in_pool = sum(facts[q.fact_ids[0]].relation == "toll" for q in question_pool(default).questions)
    assert tolls_in_pool >= 10
    dealt = 0
    for count in (20, 40):
        for seed in SEEDS:
            questions = generate_question_set(default, count=count, seed=seed).questions
            tolls = [q for q in questions if facts[q.fact_ids[0]].relation == "toll"]
            assert len(tolls) <= 1, (count, seed, [q.prompt for q in tolls])
            assert all(q.type == "numeric" for q in tolls)  # asked as a figure to write, never a false toll
            dealt += len(tolls)
    assert dealt >= 5


def test_a_matching_item_shares_no_value_with_another_item_of_its_relation():
    """A student who matched "Pierre Curie → 19 April 1906" strikes that date off any other death-date question
    on the sheet, and knows that a claim giving it to someone else is false: such items are never dealt together."""
    pack = load_pack(Path(__file__).parent / "packs" / "curie-family")
    relation_of = {f.id: f.relation for f in pack.facts}
    checked = 0
    for seed in range(1, 9):
        questions = generate_question_set(pack, count=30, seed=seed).questions
        for matching in (q for q in questions if q.type == "matching"):
            rights = {p.right for p in matching.pairs}
            relation = relation_of[matching.fact_ids[0]]
            for other in questions:
                if other is matching or relation_of[other.fact_ids[0]] != relation:
                    continue
                shown = [other.prompt, *(o.text for o in other.options)]
                assert not any(contains_phrase(text, right) for text in shown for right in rights), \
                    (seed, matching.prompt, other.prompt)
                checked += 1
    assert checked  # the sets do hold other items of a matching item's relation


def test_claims_that_are_only_ever_true_are_a_quarter_of_a_set_s_claims_at_most():
    """On the Curie pack only lives can be claimed falsely; a set whose other claims are all True and whose life
    claims are all False lets a student read each verdict off the topic."""
    from quizgen.generate.deal import Rules, items_of, relation_of
    pack = load_pack(Path(__file__).parent / "packs" / "curie-family")
    items = items_of(question_pool(pack), pack)
    one_sided = Rules.of(items, pack).one_sided
    by_id = {item.question.id: item for item in items}
    assert one_sided  # careers, schools, prizes: open relations, claimed only as true
    for seed in range(1, 9):
        claims = [by_id[q.id] for q in generate_question_set(pack, count=30, seed=seed).questions
                  if q.type == "true-false"]
        assert sum(relation_of(c) in one_sided for c in claims) <= max(1, len(claims) // 4), seed
        verdicts = Counter(c.question.answer for c in claims if relation_of(c) not in one_sided)
        assert abs(verdicts["True"] - verdicts["False"]) <= 2, (seed, verdicts)


# ---- the dealer's shortcuts weigh as the rules do -------------------------------------------------------------


def _pairs_of_the_default_pool():
    from quizgen.generate.deal import Rules, items_of

    pack = load_pack(DEFAULT_PACK)
    items = items_of(question_pool(pack), pack)
    return items, Rules.of(items, pack)


def test_an_item_that_names_no_value_of_another_neither_offers_its_key_nor_gives_it_away():
    from quizgen.generate.deal import gives_away, offers_key_of

    items, rules = _pairs_of_the_default_pool()
    skipped = 0
    for asker in items:
        for other in items:
            if asker is other or asker.may_name_a_value_of(other):
                continue
            skipped += 1
            assert not gives_away(asker, other, rules), (asker.question.id, other.question.id)
            assert not offers_key_of(asker, other), (asker.question.id, other.question.id)
    assert skipped > len(items) ** 2 // 2  # the shortcut settles most pairs of a real pool
    assert any(a.may_name_a_value_of(b) and gives_away(a, b, rules) for a in items for b in items if a is not b)


def test_a_set_that_grew_is_weighed_as_a_fresh_one_would_be():
    from quizgen.generate.deal import Rules, fits_set

    items, rules = _pairs_of_the_default_pool()
    unremembering = Rules(rules.common, rules.one_sided, rules.per_set)
    chosen = []
    weighed_again = 0
    for n, item in enumerate(items):
        if len(chosen) < 30 and fits_set(item, chosen, rules):
            chosen.append(item)
        for earlier in items[:n:5]:  # items waiting while the set grows are weighed again and again
            remembered = fits_set(earlier, chosen, rules)  # only against the items taken since it last fitted
            assert remembered == fits_set(earlier, list(chosen), unremembering), earlier.question.id
            weighed_again += remembered
    assert len(chosen) >= 20 and weighed_again > 30


@pytest.mark.parametrize("pack_files", [None, family_pack_files, science_pack_files], ids=["default", "family",
                                                                                            "science"])
def test_a_run_of_the_set_clears_an_item_only_when_it_clashes_with_none_of_the_run(pack_files, tmp_path):
    """The dealer weighs a waiting item against what a run of the set holds together (Gathered) before it weighs it
    against each of the run's items: what that clears must clash with none of them, and it must clear most."""
    import random

    from quizgen.generate.deal import Gathered, Rules, clashes, items_of
    pack = load_pack(DEFAULT_PACK if pack_files is None else write_pack(tmp_path / "pack", pack_files()))
    items = items_of(question_pool(pack), pack)
    rules = Rules.of(items, pack)
    rng = random.Random(5)
    cleared = clashing = 0
    for _ in range(150):
        run = rng.sample(items, rng.choice((1, 2, 5, 12)))
        gathered = Gathered.of(run)
        for item in rng.sample(items, 40):
            if item in run:
                continue
            clashes_with_one = any(clashes(item, c, rules) for c in run)
            clashing += clashes_with_one
            if not gathered.may_clash(item, rules):
                cleared += 1
                assert not clashes_with_one, (item.question.prompt, [c.question.prompt for c in run])
    assert clashing and cleared
