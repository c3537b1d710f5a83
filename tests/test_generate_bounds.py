"""A figure the source gives as a limit ("more than 15 million dollars"): printed with its bound everywhere, never
asked as an exact figure, and offered in true/false and multiple choice only against values the bound rules out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizgen.load.pack import load_pack
from quizgen.errors import QuizgenError
from quizgen.generate import question_pool
from quizgen.load.phrasing import realise

from helpers import write_pack

COSTS = {"brooklyn": 15, "golden-gate": 35, "williamsburg": 24, "manhattan": 31, "hell-gate": 12, "queensboro": 18,
         "bayonne": 13, "george-washington": 59}


def bridges_pack(folder: Path, bound: str = "more-than", extra: str = "") -> Path:
    names = {key: " ".join(part.capitalize() for part in key.split("-")) + " Bridge" for key in COSTS}
    sentences = {key: f"The {names[key]} cost {'more than ' if key == 'brooklyn' else ''}{cost} million dollars "
                      "to build." for key, cost in COSTS.items()}
    facts = "".join(f"""
          - id: F{n}
            relation: cost
            subject: {key}
            object: {{value: {cost}, unit: million dollars{f', bound: {bound}{extra}' if key == 'brooklyn' else ''}}}
            topic: costs
            sources: [S1]
            evidence: "{sentences[key]}"
    """ for n, (key, cost) in enumerate(COSTS.items(), start=1))
    entities = "".join(f"""
          - {{id: {key}, name: {names[key]}, article: the, category: bridge, description: A bridge in New York.}}
    """ for key in COSTS)
    return write_pack(folder, {
        "pack.yaml": """
            id: bridges
            title: Bridges of New York
            language: en
            licence: CC BY-SA 4.0
            description: What the bridges cost.
            period: {start: 1850-01-01, end: 2000-12-31}
            topics:
              - {id: costs, title: Costs}
        """,
        "relations.yaml": """
            categories:
              bridge: {}
            relations:
              - id: cost
                subject: bridge
                object: number
                objects: one
                sentence: "{Subject} cost {object} to build."
                ask_object: "How much did {subject} cost to build?"
        """,
        "sources.yaml": """
            sources:
              - {id: S1, title: Bridges, publisher: Test Press, file: sources/bridges.txt}
        """,
        "sources/bridges.txt": " ".join(sentences.values()) + "\n",
        "entities.yaml": "entities:\n" + "\n".join(line[4:] for line in entities.splitlines() if line.strip()) + "\n",
        "facts.yaml": "facts:\n" + "\n".join(line[4:] for line in facts.splitlines() if line.strip()) + "\n",
    })


def figure_templates(folder: Path) -> tuple[Path, ...]:
    """Templates of one's own that ask figures as multiple choice and as a cloze (the built-in ones do not)."""
    folder.mkdir()
    (folder / "mc-figure.yaml").write_text("id: mc-figure\ntype: multiple-choice\nask: object\nselect:\n"
                                           "  values: [number]\ndistractors: 3\nprompt: '{{ question }}'\n",
                                           encoding="utf-8")
    (folder / "cloze-figure.yaml").write_text("id: cloze-figure\ntype: cloze\nask: object\nselect:\n"
                                              "  values: [number]\ntext: '{{ cloze }}'\n", encoding="utf-8")
    return (folder,)


def figures_in(text: str) -> list[float]:
    return [float(f.replace(",", "")) for f in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def test_a_bounded_figure_is_printed_with_its_bound(tmp_path: Path):
    pack = load_pack(bridges_pack(tmp_path / "bridges"))
    fact = pack.facts[0]
    assert fact.object.human() == "more than 15 million dollars"
    assert realise(pack.relation("cost").sentence, fact, pack) == \
        "The Brooklyn Bridge cost more than 15 million dollars to build."


def test_a_bounded_figure_is_never_asked_as_an_exact_figure(tmp_path: Path):
    pack = load_pack(bridges_pack(tmp_path / "bridges"))
    pool = question_pool(pack, template_dirs=figure_templates(tmp_path / "templates"))
    asked_forms = {q.type for q in pool.questions if q.fact_ids == ("F1",) and "subject" not in q.template_id}
    assert asked_forms == {"multiple-choice", "true-false"}, asked_forms
    assert {"numeric", "cloze"} <= {q.type for q in pool.questions if q.fact_ids == ("F2",)}  # an exact figure is
    reasons = {s.reason for s in pool.skipped if s.fact_id == "F1"}
    assert {f"the object is a bound (more than 15 million dollars), not an exact figure a {form} item can mark"
            for form in ("numeric", "cloze")} <= reasons, reasons


@pytest.mark.parametrize("bound, ruled_out", [("more-than", lambda v: v <= 15), ("at-least", lambda v: v < 15),
                                              ("less-than", lambda v: v >= 15), ("at-most", lambda v: v > 15)])
def test_wrong_values_are_only_those_the_bound_rules_out(tmp_path: Path, bound, ruled_out):
    pack = load_pack(bridges_pack(tmp_path / "bridges", bound))
    pool = question_pool(pack, template_dirs=figure_templates(tmp_path / "templates"))
    asked = [q for q in pool.questions if q.fact_ids == ("F1",) and "subject" not in q.template_id]
    choices = [q for q in asked if q.type == "multiple-choice"]
    claims = [q for q in asked if q.type == "true-false"]
    assert choices and claims
    words = bound.replace("-", " ")
    for question in choices:
        key = next(o.text for o in question.options if o.correct)
        assert key == f"{words} 15 million dollars"
        wrong = [figures_in(o.text)[0] for o in question.options if not o.correct]
        assert wrong and all(ruled_out(v) for v in wrong), (bound, wrong)
    for question in claims:
        if question.answer == "True":
            assert f"{words} 15 million dollars" in question.prompt
        else:  # the false claim gives an exact figure the bound rules out, not a weaker bound
            assert words not in question.prompt and all(ruled_out(v) for v in figures_in(question.prompt))


@pytest.mark.parametrize("extra, expected", [
    (", approximate: true", "facts[0].object.bound: more-than goes with neither approximate nor max; expected one "
                            "figure the source gives as a limit"),
    (", max: 20", "facts[0].object.bound: more-than goes with neither approximate nor max"),
])
def test_a_bound_with_approximate_or_a_range_is_refused(tmp_path: Path, extra: str, expected: str):
    with pytest.raises(QuizgenError) as caught:
        load_pack(bridges_pack(tmp_path / "bridges", extra=extra))
    assert any(expected in str(p) and re.match(r"^[^:]+facts\.yaml:\d+:\d+: ", str(p)) for p in caught.value.problems), \
        [str(p) for p in caught.value.problems]


def test_an_unknown_bound_is_refused_with_the_ones_there_are(tmp_path: Path):
    with pytest.raises(QuizgenError) as caught:
        load_pack(bridges_pack(tmp_path / "bridges", bound="over"))
    assert any("facts[0].object.bound: found the text 'over'; expected one of more-than, less-than, at-least, at-most"
               in str(p) for p in caught.value.problems), [str(p) for p in caught.value.problems]
