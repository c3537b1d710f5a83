"""Text from a stranger's pack or template that would reach a terminal or an output file: control characters
and lone surrogates are reported with their place, and escaped wherever text is written; YAML 1.1 coercions
no longer change values silently."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import MINIMAL_PACK, make_sample_set, science_pack_files, write_pack
from hostile import one_error_line, run_quizgen

from quizgen.study.drill import run_drill
from quizgen.export.gift import gift_text
from quizgen.export.tabular import questions_csv
from quizgen.text import EscapingWriter


def pack_with_statement(tmp_path: Path, written: str) -> Path:
    files = dict(MINIMAL_PACK)
    files["facts.yaml"] = files["facts.yaml"].replace("relation: flows-through",
                                                      f"relation: flows-through\n            statement: {written}")
    return write_pack(tmp_path / "pack", files)


@pytest.mark.parametrize("written, code", [('"Red \\e[31m alert"', "U+001B, a control character, at character 5"),
                                           ('"Nul \\0 here"', "U+0000, a control character, at character 5"),
                                           ('"Bell \\a"', "U+0007, a control character, at character 6"),
                                           ('"Half \\ud800 pair"', "U+D800, a lone surrogate, at character 6")])
def test_check_reports_control_characters_and_lone_surrogates_with_their_place(tmp_path: Path, written, code):
    pack = pack_with_statement(tmp_path, written)
    line = one_error_line(run_quizgen("check", pack))
    assert line.endswith(f"pack/facts.yaml:18:16: facts[2].statement: contains {code}; expected plain text "
                         "(tabs and line breaks are fine)")
    for command in (["list", pack], ["generate", pack]):  # no traceback, nothing raw on the terminal
        result = run_quizgen(*command)
        assert one_error_line(result) == line and "\x1b" not in result.stdout


def test_a_control_character_in_a_source_text_is_placed(tmp_path: Path):
    files = dict(MINIMAL_PACK, **{"sources/notes.txt": "The Rhine is about 1,230 km long.\nA \x1b[2J trick.\n"})
    line = one_error_line(run_quizgen("check", write_pack(tmp_path / "pack", files)))
    assert line.endswith("pack/sources/notes.txt:2:3: contains U+001B, a control character; expected plain text "
                         "(tabs and line breaks are fine)")


def test_a_template_that_makes_a_control_character_is_refused(tmp_path: Path):
    pack = write_pack(tmp_path / "pack", science_pack_files())
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "ansi.yaml").write_text("id: ansi\ntype: short-answer\nask: subject\nselect: {values: [entity]}\n"
                                    "prompt: '{{ \"\\x1b[31m\" }}Who?'\n")
    line = one_error_line(run_quizgen("generate", pack, "--templates", mine, "--types", "short-answer"))
    assert line.endswith("mine/ansi.yaml:5:9: prompt: produced U+001B, a control character or lone surrogate; "
                         "expected plain text")


def hostile_set():
    question_set = make_sample_set(versions=1)
    first = question_set.questions[0]
    hostile = replace(first, prompt="Which \x1b[31mriver\x07?", explanation="Nul\x00 byte.")
    return replace(question_set, questions=(hostile, *question_set.questions[1:]))


def test_gift_and_csv_write_control_characters_as_visible_escapes():
    question_set = hostile_set()
    gift, _ = gift_text(question_set)
    assert "\x1b" not in gift and "\x07" not in gift and "\x00" not in gift
    assert "Which \\\\x1b[31mriver\\\\x07?" in gift
    table = questions_csv(question_set)
    assert "\x1b" not in table and "\x00" not in table
    row = next(r for r in csv.reader(io.StringIO(table)) if r[0] == question_set.questions[0].id)
    assert row[2] == "Which \\x1b[31mriver\\x07?" and row[6] == "Nul\\x00 byte."


def test_the_drill_terminal_sees_escapes_not_control_characters(tmp_path: Path):
    screen = io.StringIO()
    run_drill(hostile_set(), state_path=tmp_path / "deck.json", limit=1, input_stream=io.StringIO("a\n"),
              output_stream=EscapingWriter(screen))
    assert "Which \\x1b[31mriver\\x07?" in screen.getvalue() and "\x1b" not in screen.getvalue()


@pytest.mark.parametrize("written, kept", [("1:20", "1:20"), ("017", "017"), ("no", "no"), ("on", "on"),
                                           ("2014-04-10", "2014-04-10")])
def test_plain_scalars_are_read_as_a_person_means_them(tmp_path: Path, written: str, kept: str):
    files = dict(MINIMAL_PACK)
    files["facts.yaml"] = re.sub(r"( *)relation: rises-in\n", rf"\g<0>\1dispute: {written}\n", files["facts.yaml"])
    pack = write_pack(tmp_path / "pack", files)
    result = run_quizgen("list", pack)
    assert result.returncode == 0, result.stderr
    from quizgen.load.pack import load_pack

    assert next(f for f in load_pack(pack).facts if f.id == "F2").dispute == kept


def test_an_id_with_a_leading_zero_stays_as_written(tmp_path: Path):
    files = dict(MINIMAL_PACK)
    files["facts.yaml"] = files["facts.yaml"].replace("  - id: F2", "  - id: 017")
    pack = write_pack(tmp_path / "pack", files)
    result = run_quizgen("generate", pack, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "017" in json.dumps([q["fact_ids"] for q in json.loads(result.stdout)["questions"]])
