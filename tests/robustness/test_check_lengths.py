"""Over-long words in a pack are refused by `quizgen check` at their own line, not later by the build in a
built-in question template that merely realised them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, write_pack
from hostile import one_error_line, run_quizgen


def pack_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    files = dict(MINIMAL_PACK)
    text = textwrap.dedent(files[file]).lstrip("\n")
    assert old in text
    files[file] = text.replace(old, new, 1)
    return write_pack(tmp_path / "rivers", files)


def test_a_60000_character_sentence_is_refused_at_its_line(tmp_path: Path):
    pack = pack_with(tmp_path, "relations.yaml", 'sentence: "{Subject} rises in {object}."',
                     'sentence: "{Subject} rises in {object}' + " and more" * 6700 + '."')
    for command in (["check", pack], ["build", pack, "--out", tmp_path / "out", "--quiet"]):
        line = one_error_line(run_quizgen(*command, timeout=60))
        assert line.startswith(f"{pack / 'relations.yaml'}:16:15: relations[1].sentence: is 60,"), line
        assert "characters long; expected at most 500" in line and "templates/" not in line
    assert not (tmp_path / "out").exists()


def test_a_phrasing_with_too_many_placeholders_is_refused(tmp_path: Path):
    pack = pack_with(tmp_path, "relations.yaml", 'ask_subject: "Which river rises in {object}?"',
                     'ask_subject: "Which river rises in ' + "{object}, " * 40 + '{object}?"')
    line = one_error_line(run_quizgen("check", pack, timeout=60))
    assert line == (f"{pack / 'relations.yaml'}:17:18: relations[1].ask_subject: names 41 placeholders; "
                    "expected at most 8")


@pytest.mark.parametrize(("file", "old", "new", "where"), [
    ("facts.yaml", "unit: km", "unit: k" + "m" * 60000, "facts.yaml:5:33: facts[0].object.unit"),
    ("entities.yaml", "name: Austria", "name: Austria" + " and more" * 30, "entities.yaml:21:11: entities[3].name"),
    ("entities.yaml", "aliases: [Donau]", "aliases: [Donau, D" + "o" * 300 + "]",
     "entities.yaml:11:22: entities[1].aliases[1]"),
])
def test_a_text_that_fills_a_placeholder_is_capped(tmp_path: Path, file: str, old: str, new: str, where: str):
    pack = pack_with(tmp_path, file, old, new)
    line = one_error_line(run_quizgen("check", pack, timeout=60))
    assert line.startswith(f"{pack / where}: is "), line
    assert "characters long; expected at most 200" in line
