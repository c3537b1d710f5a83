"""Shared fixtures: small content packs written to tmp_path, and a hand-made question set of every type."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

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
              - "The Danube flows through ten countries."
    """,
    "sources/notes.txt": "The Rhine is about 1,230 km long. The Danube rises in the Black Forest.\n",
    "entities.yaml": """
        entities:
          - id: rhine
            name: Rhine
            category: place
            type: river
            description: A river in western Europe.
          - id: danube
            name: Danube
            aliases: [Donau]
            category: place
            type: river
            description: A river in central Europe.
    """,
    "facts.yaml": """
        facts:
          - id: F1
            statement: The Rhine is about 1,230 km long.
            kind: number
            subject: rhine
            number: {value: 1230, unit: km, approximate: true, measure: kilometres long is the Rhine}
            sources: [S1]
            evidence: "about 1,230 km long"
          - id: F2
            statement: The Danube flows through ten countries.
            kind: place
            subject: danube
            sources: [S2]
            evidence: "flows through ten countries"
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
    # id, person, element, year-month-day of announcement, label
    ("F10", "marie-curie", "polonium", "1898-07-18", "Polonium's discovery is announced"),
    ("F11", "marie-curie", "radium", "1898-12-26", "Radium's discovery is announced"),
    ("F12", "william-ramsay", "neon", "1898-06-01", "Neon is first isolated"),
    ("F13", "humphry-davy", "sodium", "1807-10-06", "Sodium is first isolated"),
    ("F14", "carl-scheele", "chlorine", "1774-06-15", "Chlorine is first prepared"),
    ("F15", "henry-cavendish", "hydrogen", "1766-05-20", "Hydrogen is described as a substance"),
]
_PEOPLE = {"marie-curie": "Marie Curie", "william-ramsay": "William Ramsay", "humphry-davy": "Humphry Davy",
           "carl-scheele": "Carl Scheele", "henry-cavendish": "Henry Cavendish", "antoine-lavoisier": "Antoine Lavoisier"}
_LABS = {"marie-curie": "sorbonne", "william-ramsay": "ucl", "humphry-davy": "royal-institution",
         "carl-scheele": "uppsala", "henry-cavendish": "royal-society"}
_PLACES = {"sorbonne": "Sorbonne", "ucl": "University College London", "royal-institution": "Royal Institution",
           "uppsala": "Uppsala University", "royal-society": "Royal Society", "paris": "Paris", "london": "London",
           "stockholm": "Stockholm"}


def science_pack_files() -> dict[str, str]:
    notes = []
    entities = ["entities:"]
    for pid, name in _PEOPLE.items():
        entities.append(f"  - {{id: {pid}, name: {name}, category: person, type: chemist, description: A chemist.}}")
    for eid in {e for _, _, e, _, _ in _DISCOVERIES} | {"oxygen", "argon"}:
        entities.append(f"  - {{id: {eid}, name: {eid.capitalize()}, category: group, type: element, "
                        f"description: A chemical element.}}")
    for pid, name in _PLACES.items():
        kind = "city" if pid in ("paris", "london", "stockholm") else "institution"
        entities.append(f"  - {{id: {pid}, name: {name}, category: place, type: {kind}, description: A place.}}")
    facts = ["facts:"]
    for fid, person, element, day, label in _DISCOVERIES:
        sentence = f"{_PEOPLE[person]} discovered {element.capitalize()}."
        notes.append(sentence)
        facts += [f"  - id: {fid}", f"    statement: {sentence}", "    kind: event", f"    subject: {person}",
                  f"    object: {element}", f"    date: {day}", f"    label: {label}", "    sources: [S1]",
                  f'    evidence: "{sentence}"', "    tags: [discoveries]"]
    for n, (person, lab) in enumerate(_LABS.items(), 20):
        sentence = f"{_PEOPLE[person]} worked at the {_PLACES[lab]}."
        notes.append(sentence)
        facts += [f"  - id: F{n}", f"    statement: {sentence}", "    kind: person-role", f"    subject: {person}",
                  f"    object: {lab}", "    role: researcher", "    sources: [S1]", f'    evidence: "{sentence}"',
                  f"    ask: Which chemist worked at the {_PLACES[lab]}?", "    answer: subject"]
    for n, (element, number) in enumerate([("hydrogen", 1), ("oxygen", 8), ("neon", 10), ("sodium", 11),
                                            ("chlorine", 17), ("argon", 18)], 30):
        sentence = f"{element.capitalize()} has atomic number {number}."
        notes.append(sentence)
        facts += [f"  - id: F{n}", f"    statement: {sentence}", "    kind: number", f"    subject: {element}",
                  f"    number: {{value: {number}, unit: protons, measure: protons does a {element} atom have}}",
                  "    sources: [S1]", f'    evidence: "{sentence}"']
    for n, (person, city) in enumerate([("marie-curie", "paris"), ("humphry-davy", "london"),
                                        ("carl-scheele", "stockholm")], 40):
        sentence = f"{_PEOPLE[person]} lectured in {_PLACES[city]}."
        notes.append(sentence)
        facts += [f"  - id: F{n}", f"    statement: {sentence}", "    kind: place", f"    subject: {person}",
                  f"    place: {city}", "    sources: [S1]", f'    evidence: "{sentence}"',
                  f"    ask: In which city did {_PEOPLE[person]} lecture?", "    answer: place"]
    return {
        "pack.yaml": "id: chemistry\ntitle: Discoveries in chemistry\nlanguage: en\nlicence: CC0\n"
                     "description: Test pack about chemical elements.\nperiod: {start: 1700-01-01, end: 1950-12-31}\n",
        "sources.yaml": "sources:\n  - id: S1\n    title: Notes\n    publisher: Test\n    file: notes.txt\n",
        "notes.txt": " ".join(notes) + "\n",
        "entities.yaml": "\n".join(entities) + "\n",
        "facts.yaml": "\n".join(facts) + "\n",
    }


@pytest.fixture
def science_pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "chemistry", science_pack_files())
