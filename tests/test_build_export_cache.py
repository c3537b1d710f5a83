"""Exports made only when what they read changed: the others come from the cache, files and warnings, with the
bytes a build without the cache makes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import science_pack_files, write_pack

from quizgen.build.export_cache import MadeFormat, entry_bytes, read_entry
from quizgen.cli import main
from quizgen.export import FORMATS
from quizgen.export.common import Notice
from quizgen.files import STALE_PART_SECONDS

ONLY = ["--only", "questions,exports", "--count", "12"]
HEAVY = ("openpyxl", "numpy", "docx", "docxtpl", "lxml", "genanki", "sqlite3")


@pytest.fixture
def pack(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the Anki deck's note times
    return write_pack(tmp_path / "chemistry", science_pack_files())


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def entries_by_file(cache: Path) -> dict[str, str]:
    """Each export entry of the cache by the first file it holds."""
    return {read_entry(p.read_bytes()).files[0][0]: p.name for p in sorted(cache.glob("*.export"))}


def export_file_count(folder: Path) -> int:
    """The files of a build made by its exports: each is kept in its own entry, or with its format's others."""
    return len([p for p in folder.iterdir() if p.name not in ("questions.json", "manifest.json")])


def build(pack: Path, out: Path, *extra: str) -> None:
    assert main(["build", str(pack), "--out", str(out), *ONLY, *extra]) == 0


def warning_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning:")]


def edit_fact_statement(pack: Path) -> None:
    facts = pack / "facts.yaml"
    facts.write_text(facts.read_text().replace(
        "  - id: F10\n", '  - id: F10\n    statement: "Marie Curie discovered Polonium, with Pierre Curie."\n'))


def edit_description(pack: Path, words: str) -> None:
    """A change to the pack that no export reads (the description is on no page): a rebuild, every export cached."""
    text = (pack / "pack.yaml").read_text()
    assert "Test pack" in text
    (pack / "pack.yaml").write_text(text.replace("Test pack", f"Test pack, {words}"))


@pytest.mark.parametrize("user_layouts", [False, True])
def test_a_fact_edit_remakes_the_formats_that_hold_it_and_gives_the_bytes_of_a_build_without_the_cache(
        pack: Path, tmp_path: Path, capsys, user_layouts):
    out = tmp_path / "out"
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    # with --layouts the self-test page and the Word files are made in a bounded worker, the wanted ones only
    (layouts / "selftest.css").write_text("body { color: #123456; }\n")
    options = ["--layouts", str(layouts)] if user_layouts else []
    build(pack, out, *options)
    first_warnings = warning_lines(capsys.readouterr().err)
    assert any(line.startswith("warning: kahoot: left out") for line in first_warnings)
    cache = out / ".quizgen-cache"
    before = entries_by_file(cache)
    assert len(before) == export_file_count(out / "chemistry") == len(FORMATS) - 1 + 3  # docx: a file an entry
    kahoot_time = (cache / before["kahoot.xlsx"]).stat().st_mtime_ns
    earlier = tmp_path / "earlier"
    shutil.copytree(out / "chemistry", earlier)  # the Anki deck reads its previous copy, as a rebuild does

    edit_fact_statement(pack)
    build(pack, out, *options)
    assert warning_lines(capsys.readouterr().err) == first_warnings  # Kahoot's, from the cache
    after = entries_by_file(cache)
    # the statement is an explanation: in the question banks, not in Kahoot's rows
    assert after["kahoot.xlsx"] == before["kahoot.xlsx"]
    assert (cache / after["kahoot.xlsx"]).stat().st_mtime_ns == kahoot_time
    assert after["moodle.xml"] != before["moodle.xml"] and not (cache / before["moodle.xml"]).exists()
    assert "with Pierre Curie" in (out / "chemistry" / "moodle.xml").read_text()
    # a Word worksheet prints no explanation; its key does
    assert after["worksheet-A.docx"] == before["worksheet-A.docx"]
    assert after["answer-key-A.docx"] != before["answer-key-A.docx"]
    assert len(list(cache.glob("*.export"))) == len(before)

    if user_layouts:
        assert "#123456" in (out / "chemistry" / "selftest.html").read_text()
    for name, extra in (("no-cache", []), ("one-job", ["--jobs", "1"])):
        shutil.copytree(earlier, tmp_path / name / "chemistry")
        build(pack, tmp_path / name, *options, *extra)
        assert digests(tmp_path / name / "chemistry") == digests(out / "chemistry"), name
        assert warning_lines(capsys.readouterr().err) == first_warnings


def test_a_rebuild_with_every_export_cached_makes_none_and_imports_none_of_their_libraries(pack: Path,
                                                                                          tmp_path: Path):
    out = tmp_path / "out"
    build(pack, out)
    edit_description(pack, "once")
    build(pack, out)  # the Anki deck is kept by its own bytes, which it now finds as its earlier file
    made = digests(out / "chemistry")
    entries = {p.name: p.stat().st_mtime_ns for p in (out / ".quizgen-cache").glob("*.export")}

    edit_description(pack, "twice")
    report = tmp_path / "modules.json"
    probe = ("import json, sys\nfrom quizgen.cli import main\nstatus = main(sys.argv[2:])\n"
             "json.dump({'status': status, 'modules': sorted(sys.modules)}, open(sys.argv[1], 'w'))\n")
    subprocess.run([sys.executable, "-c", probe, str(report), "build", str(pack), "--out", str(out), *ONLY],
                   check=True, capture_output=True, cwd=tmp_path)
    loaded = json.loads(report.read_text())
    assert loaded["status"] == 0
    tops = {name.split(".")[0] for name in loaded["modules"]}
    assert not tops & set(HEAVY), f"a build with every export cached imported {sorted(tops & set(HEAVY))}"
    assert {p.name: p.stat().st_mtime_ns for p in (out / ".quizgen-cache").glob("*.export")} == entries
    assert {**digests(out / "chemistry"), "manifest.json": made["manifest.json"]} == made


def test_a_damaged_or_unreadable_entry_only_costs_time(pack: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(pack, out)
    made = digests(out / "chemistry")
    cache = out / ".quizgen-cache"
    entries = sorted(cache.glob("*.export"))
    entries[0].write_bytes(entries[0].read_bytes()[: len(entries[0].read_bytes()) // 2])  # cut short
    flipped = bytearray(entries[1].read_bytes())
    flipped[-1] ^= 0xFF  # a byte of the file changed
    entries[1].write_bytes(bytes(flipped))
    entries[2].write_bytes(b"not json\n" + entries[2].read_bytes())
    entries[3].write_bytes(b"")
    abc = hashlib.sha256(b"abc").hexdigest()
    entries[4].write_bytes(b'{"files": [["../../escape.txt", 3, "%s"]], "warnings": []}\nabc' % abc.encode())
    entries[5].write_bytes(b'{"files": {}, "warnings": 7}\n')
    entries[6].unlink()
    entries[6].mkdir()  # cannot be read, nor replaced

    edit_description(pack, "once")
    build(pack, out)
    assert {**digests(out / "chemistry"), "manifest.json": made["manifest.json"]} == made
    assert not (tmp_path / "escape.txt").exists()
    for entry in entries[:6]:
        read_entry(entry.read_bytes())  # made again, whole
    assert entries[6].is_dir()


def test_entries_another_build_did_not_use_are_removed_and_other_files_left(pack: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(pack, out)
    cache = out / ".quizgen-cache"
    first = {p.name for p in cache.glob("*.export")}
    (cache / "notes.export").write_text("mine")
    # parts of entries: one left by an exports' child killed an hour ago, one being written now
    cut_short, under_way = cache / f".{'a' * 32}.export.12345.part", cache / f".{'b' * 32}.export.12346.part"
    for part in (cut_short, under_way):
        part.write_bytes(b"half")
    os.utime(cut_short, (time.time() - STALE_PART_SECONDS - 60,) * 2)
    build(pack, out, "--seed", "5")
    assert not cut_short.exists() and under_way.exists()
    now = {p.name for p in cache.glob("*.export")}
    assert first - now  # the questions changed with the seed; the study deck did not, nor what reads only it
    assert len(now) == export_file_count(out / "chemistry") + 1 and (cache / "notes.export").read_text() == "mine"
    for name in now - {"notes.export"}:  # each entry left holds a file of this build, as it is
        for file_name, data in read_entry((cache / name).read_bytes()).files:
            assert (out / "chemistry" / file_name).read_bytes() == data


def test_an_entry_holds_files_and_warnings_and_refuses_any_damage():
    made = MadeFormat((("a.docx", b"\x00PK"), ("b.docx", b"")),
                      (Notice("kahoot: left out 2", ("q1 (matching): no", "q2: long")),))
    data = entry_bytes(made)
    assert read_entry(data) == made
    for damaged in (data[:-1], data + b"x", data.replace(b"PK", b"PQ"), b"", b"\n" + data):
        with pytest.raises((ValueError, KeyError, TypeError)):
            read_entry(damaged)
