"""The export registry, `write_export`, `export_bytes` and `build_exports`, and the atomic file writer they share."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import stat

import pytest
from helpers import make_sample_set

from quizgen.cli import build_parser
from quizgen.errors import QuizgenError
from quizgen.export import FORMATS, build_exports, default_output_name, export_all, export_bytes, write_export
from quizgen.files import write_atomically


def available(fmt: str) -> bool:
    return importlib.util.find_spec(FORMATS[fmt].module) is not None


def test_registry_covers_exactly_the_cli_formats():
    export = build_parser()._subparsers._group_actions[0].choices["export"]
    choices = next(a.choices for a in export._actions if a.dest == "format")
    assert set(FORMATS) == set(choices)
    assert FORMATS["html"].module == "quizgen.export.selftest" and FORMATS["html"].default_file == "selftest.html"
    for fmt in FORMATS:
        if available(fmt):
            assert callable(FORMATS[fmt].writer())


def test_write_export_defaults_to_pack_id_and_file_name_in_the_working_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    target = write_export(make_sample_set(), "kahoot", None)
    assert target.name == "rivers-kahoot.xlsx" == default_output_name(make_sample_set(), "kahoot")
    assert (tmp_path / "rivers-kahoot.xlsx").is_file()
    err = capsys.readouterr().err
    assert err == ("warning: kahoot: left out 5 of 7 questions: 5 of types Kahoot quizzes do not have (cloze, "
                   "short-answer, matching, ordering, numeric) (run with --verbose to list them)\n")


def test_write_export_to_a_chosen_file(tmp_path):
    target = write_export(make_sample_set(), "gift", tmp_path / "sub" / "mine.txt")
    assert target == tmp_path / "sub" / "mine.txt" and target.read_text(encoding="utf-8").startswith("// Rivers")


def test_unknown_format_is_a_quizgen_error(tmp_path):
    with pytest.raises(QuizgenError) as caught:
        write_export(make_sample_set(), "pdfx", tmp_path / "x")
    assert "unknown export format 'pdfx'" in str(caught.value) and "anki" in str(caught.value)


def test_build_writes_every_available_format_into_the_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    written, warnings = build_exports(make_sample_set(), tmp_path / "build" / "rivers")
    word_files = ["worksheet-A.docx", "worksheet-B.docx", "answer-key-A.docx", "answer-key-B.docx", "flashcards.docx"]
    expected = [tmp_path / "build" / "rivers" / file for name, f in FORMATS.items() if available(name)
                for file in (word_files if f.files else [f.default_file])]
    assert written == expected
    assert all(path.is_file() and path.stat().st_size > 0 for path in written)
    assert capsys.readouterr().err == ""  # warnings are returned for the build to print or record
    texts = [w.text for w in warnings]
    assert any(t.startswith("kahoot: left out 5 of 7") for t in texts)
    if not available("html"):
        assert any("html: not written" in t for t in texts)


def test_build_output_is_byte_identical_for_the_same_set(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = {r.path.name: r.path.read_bytes() for r in export_all(make_sample_set(), tmp_path / "a") if r.written}
    second = {r.path.name: r.path.read_bytes() for r in export_all(make_sample_set(), tmp_path / "b") if r.written}
    assert first == second and len(first) >= 7


def test_an_empty_question_set_still_gives_valid_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    empty = dataclasses.replace(make_sample_set(), questions=(), versions=())
    results = export_all(empty, tmp_path)
    assert all(r.path.is_file() for r in results if r.written)


def test_write_atomically_replaces_in_one_step_with_normal_permissions(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~current_umask()
    assert os.listdir(tmp_path) == ["out.bin"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("x")  # a non-empty folder cannot be replaced by a file
    with pytest.raises(QuizgenError) as caught:
        write_atomically(target, b"data")
    assert "taken" in str(caught.value) and "cannot write" in str(caught.value)
    assert sorted(os.listdir(tmp_path)) == ["taken"]


def test_writing_under_a_file_is_a_quizgen_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(QuizgenError) as caught:
        write_export(make_sample_set(), "csv", blocker / "questions.csv")
    assert "cannot write here" in str(caught.value)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_a_build_into_a_fresh_folder_carries_the_anki_times_of_the_previous_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_exports(make_sample_set(), tmp_path / "last")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build_exports(make_sample_set(), tmp_path / "scratch", previous=tmp_path / "last")
    build_exports(make_sample_set(), tmp_path / "unrelated")
    last, scratch = (tmp_path / "last" / "anki.apkg").read_bytes(), (tmp_path / "scratch" / "anki.apkg").read_bytes()
    assert scratch == last
    assert (tmp_path / "unrelated" / "anki.apkg").read_bytes() != last


def test_export_bytes_writes_nothing_and_gives_the_bytes_export_all_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    files, results = export_bytes(make_sample_set())
    assert os.listdir(tmp_path) == []
    assert sorted(files) == sorted(r.path.as_posix() for r in results if r.written)
    written = {r.path.name: r.path.read_bytes() for r in export_all(make_sample_set(), tmp_path / "out") if r.written}
    assert files == written


def test_export_bytes_reads_the_anki_times_from_the_first_earlier_deck(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_exports(make_sample_set(), tmp_path / "last")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    carried, _ = export_bytes(make_sample_set(), (tmp_path / "missing", tmp_path / "last"))
    fresh, _ = export_bytes(make_sample_set())
    assert carried["anki.apkg"] == (tmp_path / "last" / "anki.apkg").read_bytes()
    assert fresh["anki.apkg"] != carried["anki.apkg"]
