"""Shared fixtures: small content packs written to tmp_path, and a hand-made question set of every type."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quizgen.content import parse_date
from quizgen.model import Citation, NumericAnswer, Option, Pair, Question, QuestionSet, Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACK = ROOT / "content" / "deir-ez-zor-2014"


def write_pack(folder: Path, files: dict[str, str]) -> Path:
    """Write a pack folder from {file name: YAML text}; text is dedented so tests can indent it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


MINIMAL_PACK = {
    "pack.yaml": """
        id: rivers
        title: Rivers of Europe
        language: en
        licence: CC BY-SA 4.0
        description: A tiny pack used by the tests.
        period: {start: 1800-01-01, end: 2030-12-31}
        topics:
          - {id: lengths, title: Lengths and sources}
          - {id: courses, title: Where rivers flow}
    """,
    "relations.yaml": """
        categories:
          river: {rank_by: [region]}
          country: {rank_by: [region]}
          place: {}
        relations:
          - id: length
            subject: river
            object: number
            objects: one
            sentence: "{Subject} is {object} km long."
            ask_object: "How long is {subject}, in kilometres?"
          - id: rises-in
            subject: river
            object: place
            objects: one
            sentence: "{Subject} rises in {object}."
            ask_subject: "Which river rises in {object}?"
            ask_object: "Where does {subject} rise?"
            match: "Match each river with the place where it rises."
          - id: flows-through
            subject: river
            object: country
            sentence: "{Subject} flows through {object}."
            ask_subject: "Which river flows through {object}?"
            ask_object: "Which country does {subject} flow through?"
            match: "Match each river with a country it flows through."
    """,
    "sources.yaml": """
        sources:
          - id: S1
            title: Notes on rivers
            publisher: Test Press
            file: sources/notes.txt
          - id: S2
            title: An online atlas
            publisher: Atlas
            url: https://example.org/atlas
            excerpts:
              - "The Danube flows through ten countries, among them Austria and Hungary."
    """,
    "sources/notes.txt": "The Rhine is about 1,230 km long. The Danube rises in the Black Forest.\n",
    "entities.yaml": """
        entities:
          - id: rhine
            name: Rhine
            article: the
            category: river
            attributes: {region: western-europe}
            description: A river in western Europe.
          - id: danube
            name: Danube
            article: the
            aliases: [Donau]
            category: river
            attributes: {region: central-europe}
            description: A river in central Europe.
          - id: black-forest
            name: Black Forest
            article: the
            category: place
            description: A wooded mountain range in south-west Germany.
          - id: austria
            name: Austria
            category: country
            attributes: {region: central-europe}
            description: A country in central Europe.
    """,
    "facts.yaml": """
        facts:
          - id: F1
            relation: length
            subject: rhine
            object: {value: 1230, unit: km, approximate: true}
            topic: lengths
            sources: [S1]
            evidence: "about 1,230 km long"
          - id: F2
            relation: rises-in
            subject: danube
            object: black-forest
            topic: lengths
            sources: [S1]
            evidence: "The Danube rises in the Black Forest."
          - id: F3
            relation: flows-through
            subject: danube
            object: austria
            topic: courses
            sources: [S2]
            evidence: "The Danube flows through ten countries, among them Austria"
    """,
}


@pytest.fixture
def minimal_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "rivers", MINIMAL_PACK)


def _cite(fact_id: str) -> tuple[Citation, ...]:
    return (Citation(fact_id=fact_id, source_id="S1", text="Test Press, “Notes on rivers & lakes”",
                     evidence="about 1,230 km long", url="https://example.org/notes?a=1&b=2"),)


def make_sample_set(versions: int = 2) -> QuestionSet:
    """One question of every type, with text that needs escaping in every format (& < > \" ' { } ~ = # : and Arabic)."""
    questions = (
        Question(id="q-mc", type="multiple-choice", template_id="mc-test", prompt="Which river rises in the Black Forest?",
                 answer="Danube", explanation="The Danube rises in the Black Forest.", difficulty=1,
                 fact_ids=("F2",), citations=_cite("F2"), tags=("rivers",),
                 options=(Option("o1", "Rhine", False), Option("o2", "Danube", True),
                          Option("o3", "Elbe & Oder", False), Option("o4", "Seine {Paris}", False)),
                 front="Which river rises in the Black Forest?", back="Danube"),
        Question(id="q-tf", type="true-false", template_id="tf-test",
                 prompt="True or false: the Rhine is about 1,230 km long.", answer="True",
                 explanation="Notes on rivers gives about 1,230 km.", difficulty=1, fact_ids=("F1",),
                 citations=_cite("F1"), options=(Option("t", "True", True), Option("f", "False", False)),
                 front="The Rhine is about 1,230 km long.", back="True"),
        Question(id="q-cloze", type="cloze", template_id="cloze-test", prompt="The _____ rises in the Black Forest.",
                 answer="Danube", accepted=("Donau",), explanation="Donau is the German name.", difficulty=2,
                 fact_ids=("F2",), citations=_cite("F2"), front="The _____ rises in the Black Forest.",
                 back="Danube"),
        Question(id="q-short", type="short-answer", template_id="short-test",
                 prompt="Which city is called دير الزور in Arabic? (use “quotes” & 'apostrophes')",
                 answer="Deir ez-Zor", accepted=("Deir al-Zor", "Deir Ezzor"),
                 explanation="Transliterations vary: a = b ~ c # d: e.", difficulty=2, fact_ids=("F3",),
                 citations=_cite("F3"), front="دير الزور", back="Deir ez-Zor"),
        Question(id="q-match", type="matching", template_id="match-test", prompt="Match each river with its country of source.",
                 answer="Rhine → Switzerland; Danube → Germany", explanation="Sources of two rivers.", difficulty=2,
                 fact_ids=("F1", "F2"), citations=_cite("F1") + _cite("F2"),
                 pairs=(Pair("Rhine", "Switzerland"), Pair("Danube", "Germany")),
                 choices=("Germany", "Switzerland"), front="Match rivers and countries",
                 back="Rhine → Switzerland; Danube → Germany"),
        Question(id="q-order", type="ordering", template_id="order-test", prompt="Put these events in order, earliest first.",
                 answer="First; Second; Third", explanation="By date.", difficulty=3, fact_ids=("F1", "F2"),
                 citations=_cite("F1"), items=("Second", "Third", "First"), sequence=("First", "Second", "Third"),
                 front="Order the events", back="First → Second → Third"),
        Question(id="q-num", type="numeric", template_id="num-test", prompt="How many kilometres long is the Rhine?",
                 answer="1,230", explanation="About 1,230 km.", difficulty=2, fact_ids=("F1",),
                 citations=_cite("F1"), numeric=NumericAnswer(value=1230, low=1107, high=1353, unit="km"),
                 front="Length of the Rhine (km)?", back="about 1,230 km"),
    )
    made = [Version(code="A", questions=questions)]
    if versions > 1:
        reordered = tuple(reversed(questions))
        made.append(Version(code="B", questions=reordered))
    return QuestionSet(pack_id="rivers", pack_title="Rivers & Lakes of Europe", language="en", seed=1,
                       questions=questions, versions=tuple(made), licence="CC BY-SA 4.0")


@pytest.fixture
def sample_set() -> QuestionSet:
    return make_sample_set()


# A second, unrelated pack (chemistry discoveries) rich enough for every question type.
_DISCOVERIES = [
    # id, person, element, when it was found; announced: the day the discovery was made public (one per element)
    ("F10", "marie-curie", "polonium", "1898-07-18", True),
    ("F11", "marie-curie", "radium", "1898-12-26", True),
    ("F12", "william-ramsay", "neon", "1898-06-01", True),
    ("F13", "humphry-davy", "sodium", "1807-10-06", True),
    ("F14", "carl-scheele", "chlorine", "1774-06-15", True),
    ("F15", "henry-cavendish", "hydrogen", "1766-05-20", True),
    ("F16", "william-ramsay", "argon", "1894-08-13", True),
    ("F17", "lord-rayleigh", "argon", "1894-08-13", False),
    ("F18", "joseph-priestley", "oxygen", "1774-08-01", True),
    ("F19", "carl-scheele", "oxygen", "1771", False),
]
_PEOPLE = {"marie-curie": "Marie Curie", "william-ramsay": "William Ramsay", "humphry-davy": "Humphry Davy",
           "carl-scheele": "Carl Scheele", "henry-cavendish": "Henry Cavendish", "antoine-lavoisier": "Antoine Lavoisier",
           "lord-rayleigh": "Lord Rayleigh", "joseph-priestley": "Joseph Priestley"}
_NATIONS = {"marie-curie": "france", "william-ramsay": "britain", "humphry-davy": "britain", "carl-scheele": "sweden",
            "henry-cavendish": "britain", "antoine-lavoisier": "france", "lord-rayleigh": "britain",
            "joseph-priestley": "britain"}
_LABS = {"marie-curie": "sorbonne", "william-ramsay": "ucl", "humphry-davy": "royal-institution",
         "carl-scheele": "uppsala", "henry-cavendish": "royal-society", "lord-rayleigh": "royal-institution"}
_INSTITUTIONS = {"sorbonne": ("the", "Sorbonne"), "ucl": (None, "University College London"),
                 "royal-institution": ("the", "Royal Institution"), "uppsala": (None, "Uppsala University"),
                 "royal-society": ("the", "Royal Society")}
_CITIES = {"paris": "Paris", "london": "London", "stockholm": "Stockholm", "edinburgh": "Edinburgh"}
_ELEMENTS = ["polonium", "radium", "neon", "sodium", "chlorine", "hydrogen", "oxygen", "argon", "helium"]
_ATOMIC_NUMBERS = [("hydrogen", 1), ("oxygen", 8), ("neon", 10), ("sodium", 11), ("chlorine", 17), ("argon", 18),
                   ("polonium", 84), ("radium", 88)]
_LECTURES = [("marie-curie", "paris"), ("humphry-davy", "london"), ("carl-scheele", "stockholm"),
             ("humphry-davy", "paris"), ("joseph-priestley", "london")]

SCIENCE_RELATIONS = """\
categories:
  person: {rank_by: [nation]}
  element: {rank_by: [state]}
  institution: {rank_by: [nation]}
  city: {rank_by: [nation]}
relations:
  - id: discovered
    subject: person
    object: element
    sentence: "{Subject} discovered {object} {when}."
    ask_subject: "Who discovered {object}?"
    ask_object: "Which element did {subject} discover?"
    claim: "{Subject} discovered {object}."
    match: "Match each chemist with an element they discovered."
    item: "{Subject} discovers {object}"
  - id: announced-on
    subject: element
    object: date
    objects: one
    sentence: "The discovery of {subject} was announced {when}."
    ask_object: "When was the discovery of {subject} announced?"
    match: "Match each element with the day its discovery was announced."
  - id: worked-at
    subject: person
    object: institution
    objects: one
    sentence: "{Subject} worked at {object}."
    ask_subject: "Who worked at {object}?"
    ask_object: "Where did {subject} work?"
    match: "Match each chemist with the institution where they worked."
  - id: atomic-number
    subject: element
    object: number
    objects: one
    subjects: one
    sentence: "{Subject} has atomic number {object}."
    ask_object: "What is the atomic number of {subject}?"
  - id: lectured-in
    subject: person
    object: city
    sentence: "{Subject} lectured in {object}."
    ask_subject: "Who lectured in {object}?"
    ask_object: "In which city did {subject} lecture?"
"""


def science_pack_files() -> dict[str, str]:
    """Chemistry discoveries: people, elements, institutions, cities, days of announcement, atomic numbers."""
    notes = []
    entities = ["entities:"]
    for pid, name in _PEOPLE.items():
        entities.append(f"  - {{id: {pid}, name: {name}, category: person, attributes: {{nation: {_NATIONS[pid]}}}, "
                        "description: A chemist.}")
    for eid in _ELEMENTS:
        state = "gas" if eid in ("neon", "chlorine", "hydrogen", "oxygen", "argon") else "solid"
        entities.append(f"  - {{id: {eid}, name: {eid.capitalize()}, category: element, attributes: {{state: {state}}}, "
                        "description: A chemical element.}")
    for iid, (article, name) in _INSTITUTIONS.items():
        article_field = f"article: {article}, " if article else ""
        entities.append(f"  - {{id: {iid}, name: {name}, {article_field}category: institution, "
                        "description: A place of research.}")
    for cid, name in _CITIES.items():
        entities.append(f"  - {{id: {cid}, name: {name}, category: city, description: A city.}}")
    facts = ["facts:"]

    def fact(fid: str, relation: str, subject: str, object_: str, sentence: str, topic: str, *extra: str) -> None:
        notes.append(sentence)
        facts.extend([f"  - id: {fid}", f"    relation: {relation}", f"    subject: {subject}",
                      f"    object: {object_}", f"    topic: {topic}", "    sources: [S1]",
                      f'    evidence: "{sentence}"', *extra])

    for fid, person, element, day, _ in _DISCOVERIES:
        sentence = f"{_PEOPLE[person]} discovered {element.capitalize()}."
        fact(fid, "discovered", person, element, sentence, "discoveries", f"    date: {day}",
             "    tags: [discoveries]")
    announced = [(element, day) for _, _, element, day, public in _DISCOVERIES if public]
    for n, (element, day) in enumerate(announced, 50):
        sentence = f"The discovery of {element.capitalize()} was announced on {parse_date(day).human()}."
        fact(f"F{n}", "announced-on", element, day, sentence, "discoveries", "    tags: [discoveries]")
    for n, (person, lab) in enumerate(_LABS.items(), 20):
        article, name = _INSTITUTIONS[lab]
        sentence = f"{_PEOPLE[person]} worked at {article + ' ' if article else ''}{name}."
        fact(f"F{n}", "worked-at", person, lab, sentence, "institutions")
    for n, (element, number) in enumerate(_ATOMIC_NUMBERS, 30):
        sentence = f"{element.capitalize()} has atomic number {number}."
        fact(f"F{n}", "atomic-number", element, f"{{value: {number}, unit: protons}}", sentence, "elements")
    for n, (person, city) in enumerate(_LECTURES, 40):
        sentence = f"{_PEOPLE[person]} lectured in {_CITIES[city]}."
        fact(f"F{n}", "lectured-in", person, city, sentence, "travels")
    return {
        "pack.yaml": "id: chemistry\ntitle: Discoveries in chemistry\nlanguage: en\nlicence: CC0\n"
                     "description: Test pack about chemical elements.\nperiod: {start: 1700-01-01, end: 1950-12-31}\n"
                     "topics:\n  - {id: discoveries, title: Discoveries}\n  - {id: institutions, title: Institutions}\n"
                     "  - {id: elements, title: Elements}\n  - {id: travels, title: Lectures abroad}\n",
        "relations.yaml": SCIENCE_RELATIONS,
        "sources.yaml": "sources:\n  - id: S1\n    title: Notes\n    publisher: Test\n    file: notes.txt\n",
        "notes.txt": " ".join(notes) + "\n",
        "entities.yaml": "\n".join(entities) + "\n",
        "facts.yaml": "\n".join(facts) + "\n",
    }


@pytest.fixture
def science_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "chemistry", science_pack_files())
