"""A legal synthetic pack of any size (people, groups, towns in two countries, dates and figures), for measuring
how check and generate grow with the number of facts.

    .venv/bin/python benchmarks/large_pack.py 10000 /tmp/big-pack
"""

from __future__ import annotations

import sys
from pathlib import Path

RELATIONS = """\
categories:
  person: {rank_by: [side]}
  group: {rank_by: [side]}
  town: {rank_by: [country]}
relations:
  - id: led
    subject: person
    object: group
    sentence: "{Subject} led {object}."
    ask_subject: "Who led {object}?"
    ask_object: "Which group did {subject} lead?"
    match: "Match each person with the group they led."
  - id: captured
    subject: group
    object: town
    sentence: "{Subject} captured {object}."
    ask_subject: "Which group captured {object}?"
    ask_object: "Which town did {subject} capture?"
  - id: began-on
    subject: text
    object: date
    objects: one
    sentence: "{Subject} began {when}."
    ask_object: "When did {subject} begin?"
    item: "{Subject}"
  - id: population
    subject: town
    object: number
    objects: one
    sentence: "{Subject} had {object} inhabitants."
    ask_object: "About how many people lived in {subject}?"
"""


def pack_files(facts: int) -> dict[str, str]:
    """Files of a pack with about `facts` facts, a quarter of each relation."""
    quarter = max(facts // 4, 1)
    people, groups, towns = quarter, max(quarter // 3, 4), max(quarter // 2, 4)
    notes: list[str] = []
    entities = ["entities:"]
    for i in range(people):
        entities.append(f"  - {{id: person-{i}, name: Person {i}, category: person, attributes: {{side: side-{i % 3}}}, "
                        "description: A person.}")
    for i in range(groups):
        entities.append(f"  - {{id: group-{i}, name: Group {i}, article: the, category: group, "
                        f"attributes: {{side: side-{i % 3}}}, description: A group.}}")
    for i in range(towns):
        entities.append(f"  - {{id: town-{i}, name: Town {i}, category: town, attributes: {{country: c{i % 2}}}, "
                        "description: A town.}")
    lines = ["facts:"]

    def fact(fid: str, relation: str, subject: str, obj: str, quote: str) -> None:
        notes.append(quote + ".")
        lines.extend([f"  - id: {fid}", f"    relation: {relation}", f"    subject: {subject}", f"    object: {obj}",
                      "    topic: all", "    sources: [S1]", f'    evidence: "{quote}"'])

    for i in range(quarter):
        fact(f"L{i}", "led", f"person-{i}", f"group-{i % groups}", f"Person {i} led Group {i % groups}")
        fact(f"C{i}", "captured", f"group-{i % groups}", f"town-{i % towns}",
             f"Group {i % groups} captured Town {i % towns} in raid {i}")
        day = 1 + i % 28
        month = 1 + (i // 28) % 12
        year = 1900 + i // 336
        fact(f"B{i}", "began-on", f'"raid {i} on Town {i % towns}"', f"{year}-{month:02d}-{day:02d}",
             f"Raid {i} on Town {i % towns} began on {day} {MONTHS[month - 1]} {year}")
    for i in range(min(quarter, towns)):
        fact(f"P{i}", "population", f"town-{i}", f"{{value: {1000 + 37 * i}, unit: people, approximate: true}}",
             f"Town {i} had {1000 + 37 * i:,} inhabitants")
    return {
        "pack.yaml": "id: large\ntitle: A large synthetic pack\nlanguage: en\nlicence: CC0\n"
                     "description: Synthetic facts for measuring scale.\nperiod: {start: 1800-01-01, end: 2100-12-31}\n"
                     "topics:\n  - {id: all, title: Everything}\n",
        "relations.yaml": RELATIONS,
        "sources.yaml": "sources:\n  - id: S1\n    title: Notes\n    publisher: Test\n    file: notes.txt\n",
        "notes.txt": "\n".join(notes) + "\n",
        "entities.yaml": "\n".join(entities) + "\n",
        "facts.yaml": "\n".join(lines) + "\n",
    }


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def write_large_pack(folder: Path, facts: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pack_files(facts).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


if __name__ == "__main__":
    write_large_pack(Path(sys.argv[2]), int(sys.argv[1]))
