"""Strict YAML reading (yamlfile.py) on real files: values by the YAML 1.2 core schema, where each value was
written, and one located error for each thing it refuses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizgen.errors import QuizgenError
from quizgen.model import Origin
from quizgen.load.yamlfile import field_path, read_yaml


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def written(folder: Path, text: str, name: str = "pack.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, **options) -> str:
    with pytest.raises(QuizgenError) as caught:
        read_yaml(path, **options)
    return str(caught.value)


def test_scalars_are_read_by_the_yaml_1_2_core_schema(here):
    # 1:20 is no sexagesimal 80, no is no false, and a signed octal is text, as YAML 1.2 says
    doc = read_yaml(written(here, "time: 1:20\nanswer: no\nyes_: true\ncount: 0x1F\nneg: -12\noctal: -0o17\n"
                                  "ratio: .5\nbig: .inf\nnothing: ~\nquoted: '42'\n"))
    assert doc.data == {"time": "1:20", "answer": "no", "yes_": True, "count": 31, "neg": -12, "octal": "-0o17", "ratio": 0.5,
                        "big": float("inf"), "nothing": None, "quoted": "42"}


def test_every_value_and_key_remembers_its_line_and_column(here):
    doc = read_yaml(written(here, "id: rivers\nfacts:\n  - id: nile\n    value:  6650\n"))
    assert doc.origin(("facts", 0, "value")) == Origin("pack.yaml", 4, 13)
    assert doc.key_origins[("facts", 0, "value")] == Origin("pack.yaml", 4, 5)
    assert doc.origin(("facts", 0, "unwritten")) == Origin("pack.yaml", 3, 5)  # its nearest written parent
    problem = doc.problem(("facts", 0, "value"), "expected a river length", at_key=True)
    assert str(problem) == "pack.yaml:4:5: facts[0].value: expected a river length"


def test_a_field_path_reads_as_it_would_be_written():
    assert field_path(("facts", 12, "date")) == "facts[12].date"
    assert field_path((3, "id")) == "[3].id"
    assert field_path(()) == ""


@pytest.mark.parametrize("text, message", [
    ("id: a\nid: b\n", "pack.yaml:2:1: id: duplicate key 'id' (first written at line 1)"),
    ("a: &x 1\nb: *x\n", "pack.yaml:1:4: b: YAML anchors and aliases (&name / *name) are not allowed; "
                         "write the value out"),
    ("a: !!python/object:os.system ls\n", "pack.yaml:1:4: a: tag 'tag:yaml.org,2002:python/object:os.system' "
                                          "is not allowed; only plain YAML values are"),
    ("<<: {a: 1}\n", "pack.yaml:1:1: mapping keys must be plain text (no merge keys or complex keys)"),
    ("a: !!int twelve\n", "pack.yaml:1:4: a: 'twelve' is not a valid !!int"),
    ("a: [1, 2\n", "pack.yaml:2:1: YAML syntax error: while parsing a flow sequence, expected ',' or ']', "
                   "but got '<stream end>'"),
    ("", "pack.yaml:1:1: file is empty; expected a YAML mapping"),
    ("a: \"bell \\a\"\n", "pack.yaml:1:4: a: contains U+0007, a control character, at character 6; "
                          "expected plain text (tabs and line breaks are fine)"),
])
def test_what_it_refuses_is_one_located_line(here, text, message):
    assert error_of(written(here, text)) == message


def test_bytes_that_are_not_utf8_are_located_at_their_line_and_column(here):
    path = here / "pack.yaml"
    path.write_bytes(b"id: rivers\ntitle: caf\xe9\n")
    assert error_of(path) == "pack.yaml:2:11: byte 0xe9 is not valid UTF-8; save the file as UTF-8"


def test_mending_turns_what_it_would_refuse_into_visible_escapes(here):
    path = here / "review.yaml"
    path.write_bytes(b"note: caf\xe9 \x1b[31mred\n")
    assert read_yaml(path, mending=True).data == {"note": "caf\\xe9 \\x1b[31mred"}


def test_a_link_out_of_the_folder_is_refused(here):
    outside = written(here, "secret: 1\n", "outside.yaml")
    (here / "pack").mkdir()
    os.symlink(outside, here / "pack" / "pack.yaml")
    assert "leads outside its folder pack (a symbolic link?)" in error_of(here / "pack" / "pack.yaml")
    assert read_yaml(here / "pack" / "pack.yaml", root=here).data == {"secret": 1}
