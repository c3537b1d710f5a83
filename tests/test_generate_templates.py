"""Question templates: loading, user overrides, the sandbox, and the errors an author sees."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import science_pack_files, write_pack

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.errors import QuizgenError
from quizgen.generate import generate_question_set, question_pool
from quizgen.generate.templates import BUILTIN_DIR, load_templates, write_starter_template
from quizgen.model import QUESTION_TYPES


def write_template(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pack_folder(tmp_path_factory) -> Path:
    return write_pack(tmp_path_factory.mktemp("packs") / "chemistry", science_pack_files())


@pytest.fixture(scope="module")
def pack(pack_folder):
    return load_pack(pack_folder)


def test_builtins_cover_every_type_and_ask_either_slot():
    templates = load_templates()
    for qtype in QUESTION_TYPES:
        assert any(t.type == qtype for t in templates.values()), qtype
    for qtype in ("multiple-choice", "multiple-response", "true-false", "cloze", "short-answer"):
        assert {t.ask for t in templates.values() if t.type == qtype} == {"subject", "object"}, qtype


def test_builtins_know_no_topic():
    """Templates are generic over relations: every word of a question comes from the pack's relations.yaml."""
    for template in load_templates().values():
        assert not template.select.relations and not template.select.topics, template.id
        for text in template.texts.values():
            assert "fact." not in text.source and "subject.name" not in text.source, (template.id, text.source)


def test_user_folder_overrides_a_builtin_and_adds_a_new_template(tmp_path: Path, pack):
    mine = tmp_path / "mine"
    write_template(mine, "any-name", """
        id: mc-subject
        type: multiple-choice
        ask: subject
        select: {values: [entity]}
        prompt: "OVERRIDDEN: {{ question }}"
    """)
    write_template(mine, "where-did-they-lecture", """
        id: mc-lecture-city
        type: multiple-choice
        ask: object
        select: {relations: [lectured-in]}
        distractors: 2
        prompt: "NEW: in which city did {{ subject.name }} give lectures?"
    """)
    templates = load_templates([mine])
    assert templates["mc-subject"].texts["prompt"].source.startswith("OVERRIDDEN")
    prompts = [q.prompt for q in question_pool(pack, template_dirs=[mine], types=["multiple-choice"], seed=4).questions]
    assert any(p.startswith("OVERRIDDEN: Who discovered") for p in prompts)
    assert any(p.startswith("NEW: in which city did") for p in prompts)
    assert not any(p.startswith("Who discovered") for p in prompts)


def test_missing_field_names_the_template_file_line_and_field(tmp_path: Path, pack_folder, capsys):
    mine = tmp_path / "mine"
    path = write_template(mine, "typo", """
        id: mc-typo
        type: multiple-choice
        ask: subject
        select: {values: [entity]}
        prompt: "Who held the role {{ fact.rol }}?"
    """)
    code = main(["generate", str(pack_folder), "--templates", str(mine), "--types", "multiple-choice"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{path}:5:9: prompt: 'quizgen.model.Fact object' has no attribute 'rol'; check the field name" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("expression, expected", [
    ("{{ fact.__class__ }}", "access to attribute '__class__' of 'Fact' object is unsafe"),
    ("{{ ().__class__.__base__.__subclasses__() }}", "access to attribute '__class__' of 'tuple' object is unsafe"),
    ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__' of 'StrictUndefined' object is unsafe"),
    ("{{ lipsum.__globals__ }}", "'lipsum' is undefined"),
    ("{{ joiner }}", "'joiner' is undefined"),
    ("{{ self._TemplateReference__context }}", "access to attribute '_TemplateReference__context'"),
    ("{{ fact.statement.format.__globals__ }}", "not allowed in a question template"),
    ("{{ source.text.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ '{0.__class__}'.format(fact) }}", "not allowed in a question template"),
])
def test_sandbox_escapes_are_clean_errors(tmp_path: Path, pack, expression: str, expected: str):
    mine = tmp_path / "mine"
    write_template(mine, "escape", f"""
        id: mc-escape
        type: short-answer
        ask: subject
        select: {{values: [entity]}}
        prompt: "{expression}"
    """)
    with pytest.raises(QuizgenError) as caught:
        generate_question_set(pack, template_dirs=[mine], types=["short-answer"])
    message = str(caught.value)
    assert "escape.yaml:5:9: prompt:" in message
    assert expected in message


def test_runaway_loop_is_stopped_with_a_clear_message(tmp_path: Path, pack):
    mine = tmp_path / "mine"
    write_template(mine, "slow", """
        id: mc-slow
        type: short-answer
        ask: subject
        select: {values: [entity]}
        prompt: "{% for a in range(9000) %}{% for b in range(9000) %}{% for c in range(9000) %}{% endfor %}{% endfor %}{% endfor %}Who?"
    """)
    with pytest.raises(QuizgenError, match=r"slow.yaml:5:9: prompt: took longer than 2 s to render"):
        generate_question_set(pack, template_dirs=[mine], types=["short-answer"])


def test_huge_range_and_huge_output_are_refused(tmp_path: Path, pack):
    mine = tmp_path / "mine"
    write_template(mine, "range", """
        id: mc-range
        type: short-answer
        ask: subject
        select: {values: [entity]}
        prompt: "{{ range(10**9) | list | length }}"
    """)
    with pytest.raises(QuizgenError, match="range\\(\\) is limited to 10,000 items"):
        generate_question_set(pack, template_dirs=[mine], types=["short-answer"])
    write_template(mine, "range", """
        id: mc-range
        type: short-answer
        ask: subject
        select: {values: [entity]}
        prompt: "{{ 'x' * 20000 }}"
    """)
    with pytest.raises(QuizgenError, match="produced 20,000 characters; a question text is limited to 10,000"):
        generate_question_set(pack, template_dirs=[mine], types=["short-answer"])


def test_template_field_errors_point_at_the_yaml(tmp_path: Path):
    mine = tmp_path / "mine"
    write_template(mine, "bad", """
        id: Bad Id
        type: multiple-choice
        select: {values: [rumour], colour: [x]}
        ask: middle
        difficulty: 7
        promt: "x"
    """)
    with pytest.raises(QuizgenError) as caught:
        load_templates([mine])
    lines = [str(p) for p in caught.value.problems]
    assert any(line.endswith("bad.yaml:1:5: id: 'Bad Id' is not a valid template id; expected a slug such as "
                             "mc-who-led") for line in lines), lines
    assert any("bad.yaml:6:1: promt: unknown field 'promt'" in line for line in lines), lines
    assert any("bad.yaml:3:18: select.values: 'rumour' is not a kind of value; expected one of entity, text, date, "
               "number" in line for line in lines), lines
    assert any("bad.yaml:3:28: select.colour: unknown field 'colour'" in line for line in lines), lines
    assert any("bad.yaml:4:6: ask: 'middle' is not allowed; expected subject or object" in line for line in lines)
    assert any("difficulty: 7 is not allowed; expected 1, 2 or 3" in line for line in lines), lines
    assert any("missing required field 'prompt' for a multiple-choice template" in line for line in lines), lines


def test_jinja_syntax_error_is_located(tmp_path: Path):
    mine = tmp_path / "mine"
    write_template(mine, "syntax", """
        id: mc-syntax
        type: short-answer
        ask: subject
        prompt: "{{ question "
    """)
    with pytest.raises(QuizgenError, match=r"syntax.yaml:4:9: prompt: Jinja2 syntax error"):
        load_templates([mine])


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_new_template_writes_a_working_starter(tmp_path: Path, pack, qtype: str, capsys):
    folder = tmp_path / "mine"
    assert main(["new-template", f"my-{qtype}", "--type", qtype, "--dir", str(folder)]) == 0
    path = folder / f"my-{qtype}.yaml"
    assert path.read_text(encoding="utf-8").startswith("#")
    templates = load_templates([folder])
    assert templates[f"my-{qtype}"].type == qtype
    assert generate_question_set(pack, template_dirs=[folder], types=[qtype], count=200, seed=1).questions
    # the starter makes questions; which of two templates' questions about one fact a set deals is the seed's choice
    made = question_pool(pack, template_dirs=[folder], types=[qtype], seed=1).questions
    assert any(q.template_id == f"my-{qtype}" for q in made), qtype
    # refuses to overwrite the user's file
    assert main(["new-template", f"my-{qtype}", "--type", qtype, "--dir", str(folder)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_builtin_folder_is_the_repository_templates_folder():
    assert BUILTIN_DIR.name == "questions" and any(BUILTIN_DIR.glob("*.yaml"))
    assert write_starter_template  # the CLI's new-template relies on it


@pytest.mark.parametrize("text, expected", [
    ("- a list", ["1:1: expected a mapping with id, type and the template's texts"]),
    ("id: x\nprompt: q", ["1:1: type: None is not a question type; expected one of multiple-choice, "
                          "multiple-response, true-false, cloze, short-answer, matching, ordering, numeric"]),
    ("type: numeric\nprompt: q", ["1:1: missing required field 'id' for a numeric template",
                                  "1:1: id: None is not a valid template id; expected a slug such as mc-who-led"]),
    ("id: x\ntype: multiple-choice\nprompt: q\nask: object\ndistractors: 2\nmin_distractors: 3",
     ["6:18: min_distractors: 3 is not allowed; expected a whole number from 1 to 2"]),
    ("id: x\ntype: matching\nprompt: q\ngroup_size: 2.0\nselect: null",
     ["4:13: group_size: 2.0 is not allowed; expected a whole number from 3 to 8",
      "5:9: select: expected a mapping (relations, values, topics, tags, exclude_tags)"]),
    ("id: x\ntype: matching\nprompt: q\nselect: {relations: [a, 1], topics: t, values: null}",
     ["4:21: select.relations: expected a list of text", "4:48: select.values: expected a list of text"]),
])
def test_each_bad_template_field_is_one_located_line(tmp_path: Path, monkeypatch, text: str, expected: list[str]):
    monkeypatch.chdir(tmp_path)
    write_template(tmp_path / "mine", "bad", text)
    with pytest.raises(QuizgenError) as caught:
        load_templates([Path("mine")])
    assert [str(p) for p in caught.value.problems] == [f"mine/bad.yaml:{line}" for line in expected]


def test_a_template_is_rendered_with_every_context_value_it_reads(tmp_path: Path, pack):
    """A fact's template context works each value out when a text first reads it (TemplateContext): a text that
    reads values in a macro, a loop, a filter, a condition or a block renders as with every value given at once."""
    from quizgen.generate.maker import Maker, context_for
    from quizgen.generate.templates import render_text
    from quizgen.generate.truth import Truth

    names = ("fact", "relation", "subject", "object", "question", "question_all", "statement", "claim", "cloze",
             "answer", "topic", "source")
    write_template(tmp_path / "mine", "everything", """
        id: tf-everything
        type: true-false
        ask: object
        claim: >-
          {% macro said(x) %}[{{ x }}|{{ claim }}]{% endmacro %}{{ said(question) }}
          {% for each in [cloze, answer] %}{{ each | upper }}{% endfor %}
          {% if topic %}{{ source.id }} {{ relation.id }} {{ fact.id }}{% endif %}
          {% block tail %}{{ subject.name }} {{ object.name }} {{ question_all }} {{ statement }}{% endblock %}
    """)
    template = load_templates([tmp_path / "mine"])["tf-everything"]
    assert template.texts["claim"].reads == set(names)
    maker = Maker(pack, Truth.of(pack), 1)
    facts = [f for f in pack.facts if f.relation == "discovered"][:3]
    assert facts
    for fact in facts:
        lazy = context_for(fact, "object", pack)
        eager = {name: lazy[name] for name in names}
        assert dict(context_for(fact, "object", pack)) == eager
        assert render_text(template, "claim", maker.context(fact, "object")) == render_text(template, "claim", eager)
        changed = maker.context(fact, "object").but(claim="another claim")
        assert dict(changed) == {**eager, "claim": "another claim"}
        assert "another claim" in render_text(template, "claim", changed)


def test_the_alarm_that_stops_a_runaway_render_is_set_for_a_pool_and_then_restored(tmp_path: Path, pack):
    """A pool sets SIGALRM's handler once for all its renders (render_alarm) and gives the signal back as it found it,
    after a render it stopped too; a render outside a pool sets and restores it itself."""
    import signal

    from quizgen.generate.templates import load_templates, render_text

    def own_handler(signum, frame):
        raise AssertionError("the alarm went off outside a render")

    write_template(tmp_path / "mine", "slow", """
        id: mc-slow
        type: short-answer
        ask: subject
        select: {values: [entity]}
        prompt: "{% for a in range(9000) %}{% for b in range(9000) %}{% endfor %}{% endfor %}Who?"
    """)
    previous = signal.signal(signal.SIGALRM, own_handler)
    try:
        assert question_pool(pack).questions
        assert signal.getsignal(signal.SIGALRM) is own_handler
        with pytest.raises(QuizgenError, match="took longer than 2 s to render"):
            question_pool(pack, template_dirs=[tmp_path / "mine"], types=["short-answer"])
        assert signal.getsignal(signal.SIGALRM) is own_handler
        tf = load_templates()["tf-object"]
        assert render_text(tf, "claim", {"claim": "Radium was discovered in 1898."}) == "Radium was discovered in 1898."
        assert signal.getsignal(signal.SIGALRM) is own_handler
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("source, prints_only", [
    ("{{ claim }}", True), ("{{ question_all }} Tick all that apply.", True), ("Put these in order.", True),
    ("{{ subject }}{{ object }}", True), ("{{ subject.name }}", False), ("{{ claim | upper }}", False),
    ("{{ range(3) }}", False), ("{% for a in range(9) %}{{ a }}{% endfor %}", False), ("{% if claim %}x{% endif %}", False),
    ("{{ 'a' ~ claim }}", False), ("{% set a = claim %}{{ a }}", False), ("{% macro m() %}{% endmacro %}{{ m() }}", False),
])
def test_only_a_text_that_prints_words_and_values_is_printed_without_jinja(tmp_path: Path, source, prints_only):
    """A text that only prints its words and context values cannot run away: it is printed piece by piece, without
    the alarm's timer, as Jinja2 prints it; anything that loops, calls, filters or tests is rendered by Jinja2 and
    timed. A value it prints that the context lacks is reported by Jinja2, as before."""
    from quizgen.generate.templates import make_environment, printed_pieces, render_text
    assert (printed_pieces(make_environment().parse(source)) is not None) is prints_only
    write_template(tmp_path / "mine", "text", f"""
        id: tf-text
        type: true-false
        ask: object
        claim: {json.dumps(source)}
    """)
    template = load_templates([tmp_path / "mine"])["tf-text"]
    text = template.texts["claim"]
    values = {"claim": "Radium  was found\n", "question_all": 1898, "subject": SimpleNamespace(name="Marie Curie"),
              "object": None}
    assert render_text(template, "claim", values) == " ".join(text.compiled.render(values).split())
    missing = {name: value for name, value in values.items() if name not in text.reads or name == "subject"}
    if text.reads - missing.keys():
        with pytest.raises(QuizgenError, match="undefined"):
            render_text(template, "claim", missing)
