"""`quizgen build`: every file in OUT/<pack-id>/, a manifest that matches them, identical rebuilds,
and no damage on failure."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import DEFAULT_PACK, MINIMAL_PACK, make_sample_set, weasyprint_import_log, write_pack
from quizgen import cli
from quizgen.build.manifest import read_manifest
from quizgen.build.options import BuildOptions
from quizgen.build.run import build_into
from quizgen.errors import QuizgenError
from quizgen.render.imposition import Grid, Offset
from quizgen.render.pdf import RENDERER_MODULES
from quizgen.render.piece_store import PIECES_FOLDER, statistics_file
from quizgen.sandbox import WarmStart

pytestmark = pytest.mark.slow

PDFS = ("worksheets", "keys", "flashcards", "calibration")
has_engine = importlib.util.find_spec("quizgen.generate.serialise") is not None
needs_engine = pytest.mark.skipif(not has_engine, reason="the question engine (quizgen.generate) is not installed")


def options(**changes) -> BuildOptions:
    values = dict(pack=Path("unused"), only=PDFS, jobs=1, calibration=True)
    values.update(changes)
    return BuildOptions(**values)


def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def pdf_text(path: Path) -> str:
    return " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out") / "rivers"
    build_into(folder, make_sample_set(), options())
    return folder


# ---- from a question set ---------------------------------------------------------------------------


def test_build_writes_each_version_and_the_cards(built):
    names = sorted(p.name for p in built.iterdir())
    assert names == ["answer-key-A.pdf", "answer-key-B.pdf", "calibration.pdf", "flashcards.pdf",
                     "manifest.json", "worksheet-A.pdf", "worksheet-B.pdf"]
    sample = make_sample_set()
    worksheet_b = pdf_text(built / "worksheet-B.pdf")
    assert worksheet_b.index("1. How many kilometres") < worksheet_b.index("7. Which river rises")  # B is reversed
    assert "Answer: B — Danube" in pdf_text(built / "answer-key-A.pdf")
    assert all(q.explanation in pdf_text(built / "answer-key-B.pdf") for q in sample.questions)


def test_manifest_lists_every_file_with_its_sha256_and_size(built):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pack"] == "rivers" and manifest["options"]["cards"] == "2x4"
    listed = {e["path"]: e for e in manifest["files"]}
    on_disk = {p.name for p in built.iterdir()} - {"manifest.json"}
    assert set(listed) == on_disk
    for name, entry in listed.items():
        data = (built / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["pages"] == len(PdfReader(io.BytesIO(data)).pages)


def test_rebuild_gives_identical_bytes_whatever_the_job_count(built, tmp_path):
    again = tmp_path / "rivers"
    build_into(again, make_sample_set(), options(jobs=2))
    assert folder_state_bytes(again) == folder_state_bytes(built)


def test_pieces_laid_out_in_shares_over_the_workers_give_the_same_bytes(built, tmp_path, monkeypatch):
    from quizgen.render import piece_shares

    monkeypatch.setattr(piece_shares, "SMALLEST_SHARE", 3)  # the sample's cards and single versions share too
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh"))  # a piece store no build has used
    again = tmp_path / "rivers"
    build_into(again, make_sample_set(versions=1), options(jobs=3))
    for name in ("flashcards.pdf", "worksheet-A.pdf", "answer-key-A.pdf"):  # composed from what the shares laid out
        stats = json.loads(statistics_file(tmp_path / "fresh" / "quizgen" / PIECES_FOLDER, name).read_text())
        assert stats["laid_out"] == 0 and stats["reused"] > 3
    alone = tmp_path / "alone" / "rivers"
    build_into(alone, make_sample_set(versions=1), options(jobs=1))
    assert folder_state_bytes(again) == folder_state_bytes(alone)
    assert pdf_text(again / "flashcards.pdf") == pdf_text(built / "flashcards.pdf")


def folder_state_bytes(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in folder_state(folder).items()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_render_workers_forked_from_a_warm_start_give_the_same_bytes(built, tmp_path, jobs):
    warm = WarmStart.start(RENDERER_MODULES)
    try:
        again = tmp_path / "rivers"
        build_into(again, make_sample_set(), options(jobs=jobs), warm=warm)
        assert not warm.gone  # it served the build, rather than leaving it to fork its workers itself
    finally:
        warm.close()
    assert folder_state_bytes(again) == folder_state_bytes(built)


@pytest.mark.parametrize("arguments, subsets", [
    ([], True),  # the flashcards, and one version's worksheet and key, are written with fonts of their own
    (["--versions", "40", "--only", "worksheets,keys"], False),  # a class set's fonts come from its pieces document
    (["--versions", "1", "--only", "keys"], True),
    (["--only", "flashcards", "--versions", "3"], True),
])
def test_the_warm_start_imports_the_font_subsetter_only_for_builds_that_subset(arguments, subsets):
    from quizgen.build.warm import renderer_modules
    from quizgen.render import SUBSETTER_MODULES

    build = BuildOptions.from_args(cli.build_parser().parse_args(["build", str(DEFAULT_PACK), *arguments]))
    modules = renderer_modules(build)
    assert modules[:len(RENDERER_MODULES)] == RENDERER_MODULES
    assert set(SUBSETTER_MODULES) <= set(modules) if subsets else set(SUBSETTER_MODULES).isdisjoint(modules)


def test_failed_layout_leaves_the_previous_build_untouched(tmp_path):
    folder = tmp_path / "out" / "rivers"
    build_into(folder, make_sample_set(), options())
    before = folder_state(folder)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "flashcards.html").write_text("{% extends 'base.html' %}{% block body %}{{ cards }}{% endblock %}",
                                            encoding="utf-8")
    with pytest.raises(QuizgenError, match="'cards' is undefined"):
        build_into(folder, make_sample_set(versions=1), options(layouts=(broken,)))
    assert folder_state(folder) == before  # same bytes, same modification times, nothing added


def test_failure_inside_a_render_worker_leaves_the_previous_build_untouched(tmp_path):
    folder = tmp_path / "out" / "rivers"
    build_into(folder, make_sample_set(), options())
    before = folder_state(folder)
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "answer-key.css").write_text("body { background: url(file:///etc/passwd) }", encoding="utf-8")
    with pytest.raises(QuizgenError, match="refused to read 'file:///etc/passwd'"):
        build_into(folder, make_sample_set(versions=1), options(layouts=(hostile,), jobs=2))
    assert folder_state(folder) == before


def test_exports_are_built_and_listed(tmp_path):
    if importlib.util.find_spec("quizgen.export") is None:
        pytest.skip("no export formats are installed")
    folder = tmp_path / "rivers"
    build_into(folder, make_sample_set(), options(only=("exports",)))
    listed = {e["path"] for e in read_manifest(folder)}
    assert "gift.txt" in listed and listed == {p.name for p in folder.iterdir()} - {"manifest.json"}


def test_a_build_limited_with_only_keeps_the_other_files_listed(built, tmp_path):
    folder = tmp_path / "rivers"
    build_into(folder, make_sample_set(), options())
    build_into(folder, make_sample_set(), options(only=("flashcards",), cards=Grid(3, 3)))
    listed = {e["path"]: e["sha256"] for e in read_manifest(folder)}
    assert set(listed) == {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert listed["worksheet-A.pdf"] == hashlib.sha256((built / "worksheet-A.pdf").read_bytes()).hexdigest()
    assert listed["flashcards.pdf"] != hashlib.sha256((built / "flashcards.pdf").read_bytes()).hexdigest()


# ---- options -----------------------------------------------------------------------------------------


def parse(*argv: str) -> BuildOptions:
    return BuildOptions.from_args(cli.build_parser().parse_args(["build", "pack", *argv]))


def test_options_are_parsed_into_typed_values():
    chosen = parse("--cards", "3x3", "--back-offset=-1.5,0.5", "--flip", "short", "--only", "worksheets,keys",
                   "--versions", "4", "--paper", "letter", "--fold")
    assert (chosen.cards, chosen.back_offset, chosen.flip, chosen.only) == (Grid(3, 3), Offset(-1.5, 0.5), "short",
                                                                            ("worksheets", "keys"))
    assert (chosen.versions, chosen.paper, chosen.fold) == (4, "letter", True)


def test_malformed_options_are_reported_together():
    with pytest.raises(QuizgenError) as caught:
        parse("--cards", "2by4", "--back-offset", "1.5;2", "--only", "posters")
    assert str(caught.value).splitlines() == [
        "command line: --back-offset: '1.5;2' is not an offset; expected X,Y in millimetres such as 1.5,-0.5",
        "command line: --cards: '2by4' is not a card grid; expected COLUMNSxROWS such as 2x4 or 3x3",
        "command line: --only: 'posters' is not an output; expected one of questions, worksheets, keys, "
        "flashcards, calibration, exports, answer-sheets",
    ]


def test_the_command_exits_1_on_a_bad_option(tmp_path, capsys):
    code = cli.main(["build", str(tmp_path), "--out", str(tmp_path / "out"), "--back-offset", "1.5;2"])
    assert code == 1
    assert "--back-offset: '1.5;2' is not an offset" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ---- the whole command, on a pack --------------------------------------------------------------------


@needs_engine
def test_build_command_makes_every_output_of_a_pack(tmp_path, capsys, monkeypatch):
    from quizgen.render import version_shares

    monkeypatch.setattr(version_shares, "SMALLEST_SHARE", 1)  # with --jobs 2, the two versions are composed apart
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    out = tmp_path / "build"
    code = cli.main(["build", str(pack), "--out", str(out), "--versions", "2", "--count", "2", "--jobs", "1",
                     "--fold", "--calibration", "--quiet"])
    assert code == 0
    assert capsys.readouterr().out == ""
    folder = out / "rivers"
    names = {p.name for p in folder.iterdir()}
    assert {"questions.json", "worksheet-A.pdf", "worksheet-B.pdf", "answer-key-A.pdf", "answer-key-B.pdf",
            "flashcards.pdf", "flashcards-fold.pdf", "calibration.pdf", "manifest.json"} <= names
    assert {e["path"] for e in read_manifest(folder)} == names - {"manifest.json"}

    from quizgen.load.pack import load_pack
    from quizgen.generate import generate_question_set
    from quizgen.generate.serialise import question_set_json

    question_set = generate_question_set(load_pack(pack), template_dirs=[], types=None, tags=None, count=2, seed=1,
                                         versions=2)
    assert (folder / "questions.json").read_text(encoding="utf-8") == question_set_json(question_set)
    for version in question_set.versions:
        text = pdf_text(folder / f"worksheet-{version.code}.pdf")
        key = pdf_text(folder / f"answer-key-{version.code}.pdf")
        for number, q in enumerate(version.questions, 1):
            assert re.sub(r"\s+", " ", f"{number}. {q.prompt}").replace("_____", "________________") in text
            assert q.explanation in key

    # the PDFs and the question set come out byte for byte the same, the versions composed in shares or not
    # (exports answer for their own bytes)
    ours = ("questions.json",) + tuple(n for n in names if n.endswith(".pdf"))
    before = {name: (folder / name).read_bytes() for name in ours}
    assert cli.main(["build", str(pack), "--out", str(out), "--versions", "2", "--count", "2", "--jobs", "2",
                     "--fold", "--calibration", "--quiet"]) == 0
    assert {name: (folder / name).read_bytes() for name in ours} == before


def weasyprint_imports(tmp_path: Path, *arguments: str) -> tuple[int, list[tuple[int, int]]]:
    """Run `quizgen ARGUMENTS`: its pid, and the (pid, parent's pid) of each of its processes that imported
    WeasyPrint."""
    environment, imports = weasyprint_import_log(tmp_path)
    with subprocess.Popen([sys.executable, "-m", "quizgen", *arguments], env={**os.environ, **environment},
                          stderr=subprocess.PIPE, text=True) as run:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    return run.pid, imports()


@needs_engine
def test_a_build_imports_weasyprint_once_for_all_its_render_workers_and_one_that_renders_nothing_never(tmp_path):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    build = ["build", str(pack), "--out", str(tmp_path / "out"), "--count", "2", "--jobs", "2", "--only",
             "worksheets,keys,flashcards", "--quiet"]
    quizgen, imports = weasyprint_imports(tmp_path, *build)
    assert len(read_manifest(tmp_path / "out" / "rivers")) == 3  # three documents, each in a render worker
    assert [parent for _, parent in imports] == [quizgen]  # one process, started by the build, imported it
    assert weasyprint_imports(tmp_path, *build)[1] == []
    exports = ["build", str(pack), "--out", str(tmp_path / "exports"), "--count", "2", "--only", "exports", "--quiet"]
    assert weasyprint_imports(tmp_path, *exports)[1] == []  # a build that renders nothing starts no warm start


@needs_engine
def test_fewer_versions_remove_the_files_of_the_old_ones(tmp_path, capsys):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    out = tmp_path / "build"
    base = ["build", str(pack), "--out", str(out), "--count", "2", "--jobs", "1", "--only", "worksheets"]
    assert cli.main([*base, "--versions", "2"]) == 0
    assert cli.main(["build", str(pack), "--out", str(out), "--count", "2", "--jobs", "1", "--versions", "1"]) == 0
    folder = out / "rivers"
    assert not (folder / "worksheet-B.pdf").exists()
    assert "worksheet-B.pdf" not in {e["path"] for e in read_manifest(folder)}
    printed = capsys.readouterr().out
    last_line = printed.splitlines(True)[-1]
    assert re.fullmatch(r"built \d+ files into .*rivers in \d+\.\d s \(see manifest.json\)\n", last_line)
    assert "\x1b" not in printed  # not a terminal: no colours, no progress bar


@needs_engine
def test_a_broken_pack_fails_without_writing_anything(tmp_path, capsys):
    pack = write_pack(tmp_path / "rivers", {**MINIMAL_PACK, "pack.yaml": "id: rivers\n"})
    out = tmp_path / "build"
    assert cli.main(["build", str(pack), "--out", str(out)]) == 1
    assert "pack.yaml" in capsys.readouterr().err
    assert not out.exists()


# ---- what a build says while it runs ----------------------------------------------------------


def test_a_long_build_off_a_terminal_says_a_line_per_stage(capsys):
    import time

    from quizgen.build.progress import BuildProgress

    display = BuildProgress(mode="lines", started=time.perf_counter() - 2.0)
    display.expect(2)
    display.advance("worksheet-A.pdf")
    display.stage("writing the files and manifest.json")
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "quizgen: [1/2] worksheet-A.pdf", "quizgen: writing the files and manifest.json"]


def test_a_build_under_a_second_or_a_quiet_one_says_nothing(capsys):
    from quizgen.build.progress import BuildProgress

    quick = BuildProgress(mode="lines")
    quick.expect(1)
    quick.advance("worksheet-A.pdf")
    quiet = BuildProgress(mode="off", started=0.0)
    quiet.expect(1)
    quiet.advance("worksheet-A.pdf")
    assert capsys.readouterr().err == ""


def test_the_build_says_how_many_files_it_will_write(tmp_path):
    from quizgen.build.options import BuildOptions
    from quizgen.build.plan import files_summary, plan_documents
    from quizgen.render.layouts import Layouts

    question_set = make_sample_set(versions=3)
    n = len(question_set.versions)
    assert n > 1
    options = BuildOptions(pack=tmp_path, versions=n, only=("worksheets", "keys", "questions"))
    documents = plan_documents(question_set, options, Layouts.with_user_folders())
    assert files_summary(documents, options, tmp_path / "out") == (
        f"building {2 * n + 1} files into {tmp_path / 'out'}: {n} worksheets, {n} answer keys, questions.json "
        "(and manifest.json)")
    one = BuildOptions(pack=tmp_path, versions=1, only=("worksheets",))
    documents = plan_documents(make_sample_set(versions=1), one, Layouts.with_user_folders())
    assert files_summary(documents, one, tmp_path) == f"building 1 file into {tmp_path}: 1 worksheet (and manifest.json)"


def test_versions_and_a_single_version_are_composed(tmp_path):
    from quizgen.build.options import BuildOptions
    from quizgen.build.plan import plan_documents
    from quizgen.render.compose import ComposedDocument
    from quizgen.render.layouts import Layouts

    several = make_sample_set(versions=3)
    one = make_sample_set(versions=1)
    options = BuildOptions(pack=tmp_path, only=("worksheets", "keys"))
    assert [type(d) for d in plan_documents(several, options, Layouts.with_user_folders())] == [ComposedDocument] * 2
    # a single version too: a rebuild then lays out only the pieces that changed (the piece store)
    assert [type(d) for d in plan_documents(one, options, Layouts.with_user_folders())] == [ComposedDocument] * 2


@needs_engine
def test_the_default_pack_builds_to_the_same_bytes_at_another_time_when_fonttools_subsets(tmp_path, monkeypatch):
    """Without libharfbuzz-subset WeasyPrint subsets fonts with fontTools, which dates each font by the clock
    unless SOURCE_DATE_EPOCH is set; two builds years apart must still agree in every file."""
    import time

    import weasyprint.pdf.fonts

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)  # as on a plain pip install
    folders = {}
    for clock in (1_700_000_000.0, 1_900_000_000.0):
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)  # the forked render workers inherit it
        out = tmp_path / str(int(clock))
        assert cli.main(["build", str(DEFAULT_PACK), "--out", str(out), "--jobs", "2", "--quiet"]) == 0
        folders[clock] = out / DEFAULT_PACK.name
    first, second = (folder_state_bytes(f) for f in folders.values())
    assert {"worksheet-A.pdf", "answer-key-A.pdf", "flashcards.pdf", "manifest.json"} <= set(first)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# ---- the exports' child ----------------------------------------------------------------------------


def test_an_export_stopped_by_a_full_disk_is_the_commands_one_line_and_leaves_no_temporary_file(
        tmp_path, monkeypatch, capsys):
    """The exports are made in a child of their own; a write of theirs that fails reads as any write of the
    build's, not as a layout's failure, and their temporary files go with the child."""
    from quizgen.export import anki

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    where = scratch / "collection.anki2"

    def full_disk(*args, **kwargs):
        folder = Path(tempfile.mkdtemp(prefix="quizgen-anki-"))  # as the Anki export does
        (folder / "collection.anki2").write_bytes(b"half")
        raise OSError(28, "No space left on device", str(where))

    monkeypatch.setattr(anki, "file_bytes", full_disk)
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    assert cli.main(["build", str(pack), "--out", str(tmp_path / "out"), "--only", "exports", "--quiet"]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"quizgen: No space left on device: {where}"
    assert not (tmp_path / "out" / "rivers").exists()
    assert list(scratch.iterdir()) == []


def test_the_exports_child_killed_by_a_failed_build_leaves_no_temporary_file(tmp_path, monkeypatch):
    from quizgen.build import run
    from quizgen.export import anki

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    made = anki.file_bytes

    def slow_export(*args, **kwargs):
        folder = Path(tempfile.mkdtemp(prefix="quizgen-anki-"))
        (folder / "collection.anki2").write_bytes(b"half")
        time.sleep(30)  # still at work when the build fails
        return made(*args, **kwargs)

    def broken_plan(*args, **kwargs):
        time.sleep(0.5)  # the exports' child is in its export by then
        raise QuizgenError.at(Path("worksheet.html"), "a layout's mistake", line=1, column=1)

    monkeypatch.setattr(anki, "file_bytes", slow_export)
    monkeypatch.setattr(run, "plan_output", broken_plan)
    monkeypatch.setattr("quizgen.build.plan.plan_output", broken_plan)  # one version's plans are made in-process
    with pytest.raises(QuizgenError, match="a layout's mistake"):
        build_into(tmp_path / "out" / "rivers", make_sample_set(), options(only=("worksheets", "exports"),
                                                                          calibration=False))
    assert list(scratch.iterdir()) == []


def test_one_versions_plans_are_made_here_a_class_sets_and_user_layouts_in_bounded_workers(tmp_path, monkeypatch):
    from quizgen.build import plan, run

    record = tmp_path / "planned"
    made = plan.plan_output

    def recorded(wanted, *args, **kwargs):
        with open(record, "a", encoding="utf-8") as file:
            file.write(f"{wanted} {os.getpid()}\n")
        return made(wanted, *args, **kwargs)

    def planned_in() -> dict[str, str]:
        found = dict(line.split() for line in record.read_text(encoding="utf-8").splitlines())
        record.unlink()
        return {wanted: "here" if pid == str(os.getpid()) else "worker" for wanted, pid in found.items()}

    monkeypatch.setattr(plan, "plan_output", recorded)
    monkeypatch.setattr(run, "plan_output", recorded)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "worksheet.css").write_text("h1 { color: black; }\n", encoding="utf-8")
    one = options(only=("worksheets", "keys", "flashcards"), calibration=False)
    result = build_into(tmp_path / "one" / "rivers", make_sample_set(versions=1), one)
    assert planned_in() == {"worksheets": "here", "keys": "here", "flashcards": "here"}
    assert {f.name for f in result.files} == {"worksheet-A.pdf", "answer-key-A.pdf", "flashcards.pdf"}
    build_into(tmp_path / "two" / "rivers", make_sample_set(versions=2), options(only=("worksheets", "keys"),
                                                                                 versions=2, calibration=False))
    assert planned_in() == {"worksheets": "worker", "keys": "worker"}
    mine = options(only=("worksheets",), calibration=False, layouts=(layouts,))
    build_into(tmp_path / "mine" / "rivers", make_sample_set(versions=1), mine)
    assert planned_in() == {"worksheets": "worker"}


def test_a_build_leaves_the_callers_collector_as_it_found_it(tmp_path):
    import gc

    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    broken = write_pack(tmp_path / "broken", MINIMAL_PACK)
    (broken / "facts.yaml").write_text("- id: [\n", encoding="utf-8")
    was_enabled = gc.isenabled()
    try:
        for enabled, frozen, built, only in (
                (True, False, pack, "questions,worksheets"), (False, False, pack, "questions"),
                (True, False, pack, "questions"),  # up to date: nothing built
                (True, False, broken, "questions"),  # stops with the pack's error
                (True, True, pack, "worksheets")):  # a caller that froze objects of its own keeps just those
            gc.enable() if enabled else gc.disable()
            if frozen:
                gc.freeze()
            before = gc.get_freeze_count()
            code = cli.main(["build", str(built), "--out", str(tmp_path / "out"), "--quiet", "--only", only])
            assert code == (1 if built == broken else 0)
            assert gc.isenabled() is enabled and gc.get_freeze_count() == before
            gc.unfreeze()
    finally:
        gc.unfreeze()
        gc.enable() if was_enabled else gc.disable()
