"""Strict YAML reading (yamlfile.py) on real files: values by the YAML 1.2 core schema, where each value was
written, and one located error for each thing it refuses; and what it read kept across runs, by the file's bytes
and the path its messages show."""

from __future__ import annotations

import os
import sys
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


# ---- reads kept across runs -----------------------------------------------------------------------------------


def test_a_file_read_before_is_taken_from_the_kept_reads_by_its_bytes_and_shown_path(here, monkeypatch):
    from quizgen.load import yamlfile

    kept = here / "kept"
    facts = written(here, "facts:\n  - id: rhine\n    value: 1233\n", "facts.yaml")
    with yamlfile.reads_kept_in(kept):
        first = read_yaml(facts)
    assert len(list(kept.glob("*.read"))) == 1

    def parsed_again(text):
        raise AssertionError("parsed again")

    with monkeypatch.context() as patched, yamlfile.reads_kept_in(kept):
        patched.setattr(yamlfile, "_compose", parsed_again)
        again = read_yaml(facts)
    assert (again.path, again.data, again.origins, again.key_origins) == \
        (first.path, first.data, first.origins, first.key_origins)
    copy = written(here, facts.read_text(encoding="utf-8"), "copy.yaml")  # the same bytes, shown as another file
    facts.write_text("facts:\n  - id: rhine\n    value: 1230\n", encoding="utf-8")
    with yamlfile.reads_kept_in(kept):
        assert read_yaml(facts).data["facts"][0]["value"] == 1230
        assert read_yaml(copy).origin(("facts", 0, "value")) == Origin("copy.yaml", 3, 12)
    assert len(list(kept.glob("*.read"))) == 3
    for entry in kept.glob("*.read"):
        entry.write_bytes(b"torn")  # a damaged entry is only a miss
    with yamlfile.reads_kept_in(kept):
        assert read_yaml(copy).data == first.data
    os.chmod(kept, 0o777)  # a folder others could write: nothing read from it, nothing written
    facts.write_text("facts:\n  - id: rhine\n    value: 1231\n", encoding="utf-8")
    with monkeypatch.context() as patched, yamlfile.reads_kept_in(kept):
        composed = []
        patched.setattr(yamlfile, "_compose", lambda text: composed.append(text) or yamlfile.yaml.compose(
            text, Loader=yamlfile._PlainLoader))
        assert read_yaml(copy).data == first.data and read_yaml(facts).data["facts"][0]["value"] == 1231
        assert len(composed) == 2
    os.chmod(kept, 0o700)
    assert len(list(kept.glob("*.read"))) == 3
    read_yaml(facts)  # the context over: nothing kept
    assert len(list(kept.glob("*.read"))) == 3


def test_a_kept_read_is_one_of_a_strict_or_mended_read_and_of_this_interpreters_limits(here):
    from quizgen.load import yamlfile

    kept = here / "kept"
    controlled = written(here, "note: a\x07b\n")
    with yamlfile.reads_kept_in(kept):
        assert read_yaml(controlled, mending=True).data["note"] == "a\\x07b"
        with pytest.raises(QuizgenError, match="pack.yaml:1:1"):
            read_yaml(controlled)  # a strict read is never served the mended one
    digits = written(here, f"confidence: {'1' * 5000}\n", "digits.yaml")
    limit = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)  # no limit: the number is read
        with yamlfile.reads_kept_in(kept):
            assert read_yaml(digits).data["confidence"] == int("1" * 5000)
        sys.set_int_max_str_digits(limit)  # the usual limit: never served what the other one read
        with yamlfile.reads_kept_in(kept), pytest.raises(QuizgenError, match="digits.yaml:1:13: confidence"):
            read_yaml(digits)
    finally:
        sys.set_int_max_str_digits(limit)


def test_the_reads_used_last_are_kept_when_the_folder_is_tidied(here, monkeypatch):
    from quizgen.load import yamlfile

    kept = here / "kept"
    monkeypatch.setattr(yamlfile, "READS_KEPT", 2)
    first, second, third = (written(here, f"n: {n}\n", f"{n}.yaml") for n in (1, 2, 3))
    with yamlfile.reads_kept_in(kept):
        read_yaml(first)
        read_yaml(second)
    for n, entry in enumerate(sorted(kept.glob("*.read"), key=lambda p: p.stat().st_mtime_ns)):
        os.utime(entry, ns=(10**18 + n, 10**18 + n))  # written long ago, the first of them longest
    with yamlfile.reads_kept_in(kept):
        read_yaml(first)  # used now
        read_yaml(third)
    with monkeypatch.context() as patched, yamlfile.reads_kept_in(kept):
        parsed = []
        compose = yamlfile._compose
        patched.setattr(yamlfile, "_compose", lambda text: parsed.append(text) or compose(text))
        for path in (first, third, second):
            read_yaml(path)
    assert parsed == ["n: 2\n"]  # the one used longest ago went


def test_reads_are_kept_only_inside_the_context_and_a_broken_file_never(here):
    from quizgen.load import yamlfile

    kept = here / "kept"
    read_yaml(written(here, "a: 1\n"))
    broken = written(here, "a: [\n", "broken.yaml")
    with yamlfile.reads_kept_in(kept):
        for _ in range(2):
            with pytest.raises(QuizgenError, match="broken.yaml:2:1"):
                read_yaml(broken)
    assert not kept.exists() or list(kept.iterdir()) == []
