"""`quizgen new`: the starter pack passes check and lint and builds, every file is commented, a folder holding
anything is refused untouched, and --example writes the default pack as it is in content/."""

from __future__ import annotations

import json

import pytest

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.generate import question_pool
from quizgen.generate.lint import ERROR, lint_pool

from helpers import DEFAULT_PACK


def folder_bytes(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_pack_passes_check_and_lint_and_takes_its_id_from_the_folder(tmp_path, capsys) -> None:
    folder = tmp_path / "My Rivers"
    assert main(["new", str(folder)]) == 0
    assert "quizgen check" in capsys.readouterr().out
    assert main(["check", str(folder)]) == 0
    assert main(["lint", str(folder), "--warnings"]) == 0
    out = capsys.readouterr().out
    assert "my-rivers: " in out and "0 errors, 0 warnings" in out
    pack = load_pack(folder)
    assert pack.id == "my-rivers"
    findings = lint_pool(question_pool(pack), pack)
    assert [f for f in findings if f.severity == ERROR] == []
    asked = question_pool(pack).asked_facts()
    assert {f.id for f in pack.quizzable_facts()} <= asked  # every quizzable fact is asked
    # the one fact kept unasked shows `ask: []`: the tower's name holds its answer (named after Gustave Eiffel)
    assert {f.id for f in pack.facts} - {f.id for f in pack.quizzable_facts()} == {"F2"}


def test_every_file_of_a_new_pack_is_commented(tmp_path) -> None:
    folder = tmp_path / "pack"
    main(["new", str(folder)])
    yaml_files = sorted(folder.glob("*.yaml"))
    assert [p.name for p in yaml_files] == ["entities.yaml", "facts.yaml", "pack.yaml", "relations.yaml",
                                            "sources.yaml"]
    for path in yaml_files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# "), path.name  # each file says what it is for
        assert sum("#" in line for line in lines) >= 4, path.name


def test_new_refuses_a_folder_that_holds_anything_and_writes_nothing(tmp_path, capsys) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "pack.yaml").write_text("id: mine\n", encoding="utf-8")
    (folder / ".hidden").write_text("x", encoding="utf-8")
    before = folder_bytes(folder)
    assert main(["new", str(folder)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not empty; nothing was written" in err[0]
    assert folder_bytes(folder) == before


def test_new_refuses_a_file_in_the_folders_place(tmp_path, capsys) -> None:
    target = tmp_path / "pack"
    target.write_text("mine", encoding="utf-8")
    assert main(["new", str(target)]) == 1
    assert "is not a folder" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine"


def test_new_writes_into_an_empty_folder(tmp_path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["new", str(folder)]) == 0
    assert (folder / "sources" / "eiffel-tower.txt").is_file()


def test_example_writes_the_default_pack_byte_for_byte(tmp_path) -> None:
    folder = tmp_path / "tour"
    assert main(["new", str(folder), "--example"]) == 0
    assert folder_bytes(folder) == folder_bytes(DEFAULT_PACK)
    assert load_pack(folder).id == "deir-ez-zor-2014"


@pytest.mark.slow
def test_a_new_pack_builds(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "first"]) == 0
    assert main(["build", "first", "--count", "8", "--quiet", "--only", "questions,worksheets,keys,flashcards"]) == 0
    made = tmp_path / "build" / "first"
    assert {"worksheet-A.pdf", "answer-key-A.pdf", "flashcards.pdf"} <= {p.name for p in made.iterdir()}
    questions = json.loads((made / "questions.json").read_text(encoding="utf-8"))["questions"]
    assert questions  # a fair set of a six-fact pack is smaller than 8: each fact is asked once
    assert len({q["fact_ids"][0] for q in questions}) == len(questions)
