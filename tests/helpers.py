"""Shared test helpers: small content packs to write to tmp_path, a hand-made question set of every type, and a
headless Chromium; the fixtures that use them are in conftest.py."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import random
import re
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Callable

import pytest
from pypdf import PdfReader

from quizgen.load.records import parse_date
from quizgen.model import Citation, NumericAnswer, Option, Pair, Question, QuestionSet, Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACK = ROOT / "content" / "deir-ez-zor-2014"


# a test-only sitecustomize: each process that imports WeasyPrint writes down its pid and its parent's
WEASYPRINT_IMPORT_LOG = """
    import os, sys

    class WeasyPrintImports:
        def find_spec(self, name, path=None, target=None):
            if name == "weasyprint":
                with open(os.environ["WEASYPRINT_IMPORTS"], "a") as log:
                    log.write(f"{os.getpid()} {os.getppid()}\\n")
            return None

    sys.meta_path.insert(0, WeasyPrintImports())
"""


def weasyprint_import_log(folder: Path) -> tuple[dict[str, str], Callable[[], list[tuple[int, int]]]]:
    """The environment under which every Python process notes its importing WeasyPrint in `folder`, and a
    function giving the (pid, parent's pid) of each one noted so far."""
    site = folder / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(textwrap.dedent(WEASYPRINT_IMPORT_LOG), encoding="utf-8")
    log = folder / "weasyprint-imports"
    log.write_text("")
    return ({"PYTHONPATH": str(site), "WEASYPRINT_IMPORTS": str(log)},
            lambda: [tuple(map(int, line.split())) for line in log.read_text().splitlines()])


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


# Four discoverers, one quotation with an editorial insertion: the pack of the insertion, forms, --why and serve
# tests.
DISCOVERERS_PACK = {
    "pack.yaml": """
        id: curie
        title: Radioactivity
        language: en
        licence: CC BY-SA 4.0
        description: A tiny biography pack used by the tests.
        period: {start: 1850-01-01, end: 1950-12-31}
        topics:
          - {id: work, title: Work}
    """,
    "relations.yaml": """
        categories:
          person: {}
          element: {}
        relations:
          - id: discovered
            subject: person
            object: element
            subjects: one
            sentence: "{Subject} discovered {object} {when}."
            ask_subject: "Who discovered {object}?"
            claim: "{Subject} discovered {object}."
    """,
    "sources.yaml": """
        sources:
          - id: S1
            title: A life in science
            publisher: Test Press
            url: https://example.org/curie
            excerpts:
              - "In 1898 she discovered polonium, naming it after her native Poland."
              - "Ramsay isolated neon in 1898."
              - "Rutherford named radon in 1899."
              - "Mendeleev predicted gallium in 1871."
    """,
    "entities.yaml": """
        entities:
          - {id: marie-curie, name: Marie Curie, aliases: [Curie], category: person, description: A physicist.}
          - {id: william-ramsay, name: William Ramsay, aliases: [Ramsay], category: person, description: A chemist.}
          - {id: ernest-rutherford, name: Ernest Rutherford, aliases: [Rutherford], category: person, description: A physicist.}
          - {id: dmitri-mendeleev, name: Dmitri Mendeleev, aliases: [Mendeleev], category: person, description: A chemist.}
          - {id: polonium, name: polonium, category: element, description: An element.}
          - {id: neon, name: neon, category: element, description: An element.}
          - {id: radon, name: radon, category: element, description: An element.}
          - {id: gallium, name: gallium, category: element, description: An element.}
    """,
    "facts.yaml": """
        facts:
          - id: F1
            relation: discovered
            subject: marie-curie
            object: polonium
            date: 1898
            topic: work
            sources: [S1]
            evidence: "In 1898 [Marie Curie] discovered polonium"
          - id: F2
            relation: discovered
            subject: william-ramsay
            object: neon
            date: 1898
            topic: work
            sources: [S1]
            evidence: "Ramsay isolated neon in 1898."
          - id: F3
            relation: discovered
            subject: ernest-rutherford
            object: radon
            date: 1899
            topic: work
            sources: [S1]
            evidence: "Rutherford named radon in 1899."
          - id: F4
            relation: discovered
            subject: dmitri-mendeleev
            object: gallium
            date: 1871
            topic: work
            sources: [S1]
            evidence: "Mendeleev predicted gallium in 1871."
    """,
}


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
    complete: true
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
    sentence: "{Subject} has {object} in each nucleus."
    ask_object: "What is the atomic number of {subject}?"
  - id: lectured-in
    subject: person
    object: city
    complete: true
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


# A third pack, about one family of scientists, FULL of relations that hold for several values: two children of
# one parent, three people sharing one prize, a man who led two organisations, a city where many were born.
FAMILY_RELATIONS = """\
categories:
  person: {rank_by: [field]}
  award: {rank_by: [field]}
  organisation: {}
  city: {rank_by: [country]}
relations:
  - id: child-of
    complete: true
    subject: person
    object: person
    sentence: "{Subject} is a child of {object}."
    ask_subject: "Who is a child of {object}?"
    ask_object: "Who is a parent of {subject}?"
    match: "Match each person with one of their parents."
  - id: won
    complete: true
    subject: person
    object: award
    sentence: "{Subject} won {object}."
    ask_subject: "Who won {object}?"
    ask_object: "Which award did {subject} win?"
    match: "Match each scientist with an award they won."
  - id: led
    complete: true
    subject: person
    object: organisation
    sentence: "{Subject} led {object}."
    ask_subject: "Who led {object}?"
    ask_object: "Which organisation did {subject} lead?"
    match: "Match each scientist with an organisation they led."
  - id: born-in
    subject: person
    object: city
    objects: one
    sentence: "{Subject} was born in {object}."
    ask_subject: "Who was born in {object}?"
    ask_object: "Where was {subject} born?"
    match: "Match each scientist with the city where they were born."
  - id: born-on
    subject: person
    object: date
    objects: one
    sentence: "{Subject} was born {when}."
    ask_object: "When was {subject} born?"
    item: "{Subject} is born"
    match: "Match each scientist with the year they were born."
  - id: children
    subject: person
    object: number
    objects: one
    sentence: "{Subject} had {object} children."
    ask_object: "How many children did {subject} have?"
"""
_FAMILY = {
    # id: (name, aliases, field, city, year of birth)
    "marie-curie": ("Marie Curie", ["Maria Skłodowska"], "physics", "warsaw", 1867),
    "pierre-curie": ("Pierre Curie", [], "physics", "paris", 1859),
    "irene-joliot-curie": ("Irène Joliot-Curie", ["Irène Curie"], "chemistry", "paris", 1897),
    "eve-curie": ("Ève Curie", ["Eve Curie"], "writing", "paris", 1904),
    "frederic-joliot-curie": ("Frédéric Joliot-Curie", [], "chemistry", "paris", 1900),
    "helene-langevin-joliot": ("Hélène Langevin-Joliot", [], "physics", "paris", 1927),
    "pierre-joliot": ("Pierre Joliot", [], "biology", "paris", 1932),
    "henri-becquerel": ("Henri Becquerel", [], "physics", "paris", 1852),
    "ernest-rutherford": ("Ernest Rutherford", [], "physics", "brightwater", 1871),
    "lise-meitner": ("Lise Meitner", [], "physics", "vienna", 1878),
}
_CITIES_OF_BIRTH = {"warsaw": ("Warsaw", "poland"), "paris": ("Paris", "france"), "vienna": ("Vienna", "austria"),
                    "brightwater": ("Brightwater", "new-zealand"), "lyon": ("Lyon", "france")}
_AWARDS = {"nobel-physics-1903": ("1903 Nobel Prize in Physics", "physics"),
           "nobel-chemistry-1911": ("1911 Nobel Prize in Chemistry", "chemistry"),
           "nobel-chemistry-1935": ("1935 Nobel Prize in Chemistry", "chemistry"),
           "nobel-chemistry-1908": ("1908 Nobel Prize in Chemistry", "chemistry"),
           "davy-medal-1903": ("1903 Davy Medal", "chemistry"),
           "nobel-peace-1935": ("1935 Nobel Peace Prize", "peace")}
_ORGANISATIONS = {"radium-institute": "Radium Institute", "cea": "French Atomic Energy Commission",
                  "world-peace-council": "World Peace Council", "cavendish-laboratory": "Cavendish Laboratory",
                  "pasteur-institute": "Pasteur Institute"}
_PARENTS = [("irene-joliot-curie", "marie-curie"), ("irene-joliot-curie", "pierre-curie"),
            ("eve-curie", "marie-curie"), ("eve-curie", "pierre-curie"),
            ("helene-langevin-joliot", "irene-joliot-curie"), ("helene-langevin-joliot", "frederic-joliot-curie"),
            ("pierre-joliot", "irene-joliot-curie"), ("pierre-joliot", "frederic-joliot-curie")]
_WINNERS = [("marie-curie", "nobel-physics-1903"), ("pierre-curie", "nobel-physics-1903"),
            ("henri-becquerel", "nobel-physics-1903"), ("marie-curie", "nobel-chemistry-1911"),
            ("irene-joliot-curie", "nobel-chemistry-1935"), ("frederic-joliot-curie", "nobel-chemistry-1935"),
            ("ernest-rutherford", "nobel-chemistry-1908"), ("marie-curie", "davy-medal-1903"),
            ("pierre-curie", "davy-medal-1903")]
_LEADERS = [("marie-curie", "radium-institute"), ("irene-joliot-curie", "radium-institute"),
            ("frederic-joliot-curie", "cea"), ("frederic-joliot-curie", "world-peace-council"),
            ("ernest-rutherford", "cavendish-laboratory")]
_CHILDREN = [("marie-curie", 2), ("pierre-curie", 2), ("irene-joliot-curie", 2), ("frederic-joliot-curie", 2)]


def family_pack_files() -> dict[str, str]:
    """The Curie family and their colleagues: every relation but one holds for several values on some side."""
    name = {pid: spec[0] for pid, spec in _FAMILY.items()}
    award = {aid: spec[0] for aid, spec in _AWARDS.items()}
    notes: list[str] = []
    facts = ["facts:"]

    def fact(fid: str, relation: str, subject: str, object_: str, topic: str, evidence: str, *extra: str) -> None:
        facts.extend([f"  - id: {fid}", f"    relation: {relation}", f"    subject: {subject}",
                      f"    object: {object_}", f"    topic: {topic}", "    sources: [N1]", f"    evidence: {evidence}",
                      *extra])

    def said(sentence: str) -> str:
        notes.append(sentence)
        return f'"{sentence}"'

    for n, (child, parent) in enumerate(_PARENTS, 1):
        if child == "helene-langevin-joliot" and parent == "frederic-joliot-curie":
            notes.append("Hélène Langevin-Joliot is a nuclear physicist.")
            evidence = ('{subject: "Hélène Langevin-Joliot is a nuclear physicist.", '
                        '"object": "Frédéric Joliot-Curie was the father of Hélène"}')
            notes.append("Frédéric Joliot-Curie was the father of Hélène and Pierre.")
        else:
            evidence = said(f"{name[child]} was a child of {name[parent]}.")
        fact(f"C{n}", "child-of", child, parent, "family", evidence)
    for n, (person, prize) in enumerate(_WINNERS, 1):
        fact(f"W{n}", "won", person, prize, "awards", said(f"{name[person]} won the {award[prize]}."))
    for n, (person, organisation) in enumerate(_LEADERS, 1):
        fact(f"L{n}", "led", person, organisation, "work",
             said(f"{name[person]} led the {_ORGANISATIONS[organisation]}."))
    for n, (pid, (person, _, _, city, year)) in enumerate(_FAMILY.items(), 1):
        evidence = said(f"{person} was born in {_CITIES_OF_BIRTH[city][0]} in {year}.")
        fact(f"B{n}", "born-in", pid, city, "lives", evidence)
        fact(f"Y{n}", "born-on", pid, str(year), "lives", evidence)
    for n, (person, count) in enumerate(_CHILDREN, 1):
        fact(f"K{n}", "children", person, f"{{value: {count}, unit: children}}", "family",
             said(f"{name[person]} had {count} children."))
    entities = ["entities:"]
    for pid, (person, aliases, field, _, _) in _FAMILY.items():
        entities.append(f"  - {{id: {pid}, name: {person}, aliases: [{', '.join(aliases)}], category: person, "
                        f"attributes: {{field: {field}}}, description: A scientist or a writer.}}")
    for cid, (city, country) in _CITIES_OF_BIRTH.items():
        entities.append(f"  - {{id: {cid}, name: {city}, category: city, attributes: {{country: {country}}}, "
                        "description: A city.}")
    for aid, (prize, field) in _AWARDS.items():
        entities.append(f"  - {{id: {aid}, name: {prize}, article: the, category: award, "
                        f"attributes: {{field: {field}}}, description: A prize for science or peace.}}")
    for oid, organisation in _ORGANISATIONS.items():
        entities.append(f"  - {{id: {oid}, name: {organisation}, article: the, category: organisation, "
                        "description: A research institution or an association.}")
    return {
        "pack.yaml": "id: curie-family\ntitle: The Curie family\nlanguage: en\nlicence: CC0\n"
                     "description: A family of scientists, their prizes and institutions.\n"
                     "period: {start: 1800-01-01, end: 2000-12-31}\n"
                     "topics:\n  - {id: family, title: Parents and children}\n  - {id: awards, title: Prizes}\n"
                     "  - {id: work, title: Institutions}\n  - {id: lives, title: Births}\n",
        "relations.yaml": FAMILY_RELATIONS,
        "sources.yaml": "sources:\n  - id: N1\n    title: Notes on the Curie family\n    publisher: Test\n"
                        "    file: notes.txt\n",
        "notes.txt": " ".join(notes) + "\n",
        "entities.yaml": "\n".join(entities) + "\n",
        "facts.yaml": "\n".join(facts) + "\n",
    }


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@contextlib.contextmanager
def headless_chromium(*flags: str):
    """A headless Chromium driven by Selenium, with a profile of its own removed afterwards; the test is skipped
    where Chromium or its driver is not installed (scripts/setup.sh --test installs them)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromedriver are not installed (scripts/setup.sh --test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 *flags):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


LONG_CHOICE = "a choice long enough to run over the end of its column and onto a second line of the table " * 2


def long_choice_set(codes: str) -> QuestionSet:
    """The sample's matching question alone, its first choice LONG_CHOICE, in a version for each of `codes`."""
    base = make_sample_set(versions=1)
    matching = next(q for q in base.questions if q.type == "matching")
    first = matching.pairs[0].right
    pairs = tuple(dataclasses.replace(p, right=LONG_CHOICE if i == 0 else p.right) for i, p in enumerate(matching.pairs))
    q = dataclasses.replace(matching, pairs=pairs, choices=tuple(LONG_CHOICE if c == first else c for c in matching.choices))
    return dataclasses.replace(base, questions=(q,), versions=tuple(Version(code, (q,)) for code in codes))


def three_version_set() -> QuestionSet:
    """21 questions (the sample set three times over) in three versions, each in its own order."""
    base = make_sample_set(versions=1)
    questions = tuple(dataclasses.replace(q, id=f"{q.id}-{n}", prompt=f"{q.prompt} [{n}]")
                      for n in range(1, 4) for q in base.questions)
    versions = []
    for code, seed in (("A", 1), ("B", 2), ("C", 3)):
        order = list(questions)
        random.Random(seed).shuffle(order)
        versions.append(Version(code, tuple(_reorder_options(q, seed) for q in order)))
    return dataclasses.replace(base, questions=questions, versions=tuple(versions))


def _reorder_options(q: Question, seed: int) -> Question:
    if q.type != "multiple-choice":
        return q
    options = list(q.options)
    random.Random(f"{seed}{q.id}").shuffle(options)
    return dataclasses.replace(q, options=tuple(options))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_texts(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def render_with_store(document, store: Path) -> tuple[bytes, dict]:
    """A composed document's one PDF rendered with the piece store `store`, and what the render says it laid out
    and reused."""
    import json

    from quizgen.render.pdf import render_pdfs
    from quizgen.render.piece_store import statistics_file

    (pdf,) = render_pdfs(dataclasses.replace(document, store=store))
    return pdf.data, json.loads(statistics_file(store, document.parts[0].file_name).read_text())


def piece_entries(store: Path) -> list[Path]:
    """The piece store's pieces (not its fonts or statistics), in name order."""
    from quizgen.render.piece_store import PIECE_ENTRY

    return sorted(p for p in store.iterdir() if PIECE_ENTRY.fullmatch(p.name))


def drop_every_other_piece(store: Path) -> list[Path]:
    """Remove every other piece of the store, as if another build had laid the rest out; the removed."""
    dropped = piece_entries(store)[::2]
    for path in dropped:
        path.unlink()
    return dropped


def damage_store_entry(entry: Path, store: Path, damage: str) -> list[Path]:
    """Damage a piece-store entry, or the store's fonts, the way `damage` says: "torn", "flipped byte", "not an
    entry" or "font lost" (every whole font of the store removed); the fonts removed."""
    data = entry.read_bytes()
    fonts = sorted(store.glob("font-*.font")) if damage == "font lost" else []
    if damage == "torn":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "not an entry":
        entry.write_bytes(b'{"page_height": "tall"}\n' + data)
    elif damage != "font lost":
        raise ValueError(damage)
    for font in fonts:
        font.unlink()
    return fonts

