"""The command line a newcomer meets: help for every option, an --out checked before any work, what a
build says (and keeps quiet about), byte-identical fresh builds, and the calibration sheet command."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from helpers import DEFAULT_PACK, MINIMAL_PACK, write_pack
from quizgen import cli


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_has_help_and_shows_its_default(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # no line wrapping inside words such as "comma-separated"
    parser = subcommands()[name]
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{name} {action.dest} has no help"
        shown = parser._get_formatter()._get_help_string(action) % {"default": action.default}
        assert " ".join(shown.split()) in text
        if action.default not in (None, False, [], argparse.SUPPRESS) and (action.option_strings or action.nargs == "?"):
            assert "default" in shown, f"{name} {action.dest}: {shown!r} does not show its default"


def test_build_help_names_the_defaults_a_user_asks_about():
    text = " ".join(subcommands()["build"].format_help().split())
    for expected in ("(default: build)", "(default: 20)", "(default: 1)", "(default: a4)",
                     "(default: content/deir-ez-zor-2014)", "print only errors", "(default: all cores)"):
        assert expected in text, expected
    generate = " ".join(subcommands()["generate"].format_help().split())
    assert "only facts with one of these tags (default: all)" in generate
    assert "only these question types (default: all)" in generate


# ---- --out is checked before any work ---------------------------------------------------------------


@pytest.mark.parametrize("out, message", [
    ("README.md", "README.md: is a file; expected a folder to build into (it is made when missing)"),
    ("README.md/sub", "README.md/sub: README.md is a file, so no folder can be made inside it; expected a folder"),
    ("/proc", "/proc: cannot write in /proc"),
    ("/proc/x", "/proc/x: cannot write in /proc"),
])
def test_an_output_folder_that_cannot_be_one_is_a_single_error_line(tmp_path, monkeypatch, capsys, out, message):
    (tmp_path / "README.md").write_text("the user's own file\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", str(DEFAULT_PACK), "--out", out]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"command line: --out: {message}"), captured.err
    assert "writing" not in captured.err and captured.out == ""
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "the user's own file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_output_folder_is_refused(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    assert cli.main(["build", str(DEFAULT_PACK), "--out", str(locked / "out")]) == 1
    assert "cannot write in" in capsys.readouterr().err


# ---- what a build says -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_build_says_up_front_how_many_files_once_and_summarises_kahoot_once(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["build", str(DEFAULT_PACK), "--out", str(out), "--count", "12"]) == 0
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    manifest = json.loads((out / "deir-ez-zor-2014" / "manifest.json").read_text(encoding="utf-8"))
    count = f"{len(manifest['files'])} files"
    assert err[0].startswith(f"building {count} into {out / 'deir-ez-zor-2014'}: 1 worksheet, 1 answer key, ")
    assert captured.err.count(count) == 1, captured.err  # the last line on stdout says what was built
    assert any(line.startswith("quizgen: generated 12 questions in 1 version (") for line in err), captured.err
    kahoot = [line for line in err if "kahoot" in line]
    assert len(kahoot) == 1 and kahoot[0].startswith("warning: kahoot: left out ")
    assert kahoot[0].endswith("(listed in manifest.json; --verbose prints them)")
    (recorded,) = [w for w in manifest["warnings"] if w["warning"].startswith("kahoot:")]
    ids = [detail.split(" ")[0] for detail in recorded["questions"]]
    assert ids and all(len(i) >= 8 for i in ids) and not any(i in kahoot[0] for i in ids)


@pytest.mark.slow
def test_quiet_prints_nothing_and_verbose_lists_the_questions_left_out(tmp_path, capsys):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    common = ["build", str(pack), "--count", "3", "--only", "exports", "--jobs", "1"]
    assert cli.main([*common, "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert cli.main([*common, "--out", str(tmp_path / "b"), "--verbose"]) == 0
    err = capsys.readouterr().err
    manifest = json.loads((tmp_path / "b" / "rivers" / "manifest.json").read_text(encoding="utf-8"))
    for warning in manifest.get("warnings", []):
        for detail in warning["questions"]:
            assert f"\n  {detail}\n" in err


def test_counts_of_one_are_singular(tmp_path, capsys):
    files = dict(MINIMAL_PACK)
    files["sources.yaml"] = MINIMAL_PACK["sources.yaml"].split("          - id: S2")[0]
    files["facts.yaml"] = MINIMAL_PACK["facts.yaml"].split("          - id: F3")[0]
    pack = write_pack(tmp_path / "rivers", files)
    assert cli.main(["check", str(pack)]) == 0
    assert capsys.readouterr().out == "rivers: 2 facts, 4 entities, 1 source — ok\n"


def test_export_quiet_and_verbose(tmp_path, capsys):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    target = tmp_path / "k.xlsx"
    assert cli.main(["export", str(pack), "--format", "kahoot", "-o", str(target), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert cli.main(["export", str(pack), "--format", "kahoot", "-o", str(target), "--verbose"]) == 0
    err = capsys.readouterr().err.splitlines()
    # the set is dealt from the types Kahoot holds, so nothing is left out; the tiny pack cannot fill 20
    assert err[0].startswith("warning: asked for 20 questions; the pool holds")
    assert all(line.startswith(("warning: ", "  ")) for line in err)


# ---- the same inputs, the same bytes -----------------------------------------------------------------


@pytest.mark.slow
def test_two_fresh_builds_give_every_file_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.chdir(tmp_path)
    folders = []
    for name in ("first", "second"):
        assert cli.main(["build", str(DEFAULT_PACK), "--out", name, "--count", "10", "--versions", "2",
                         "--quiet"]) == 0
        folders.append(tmp_path / name / "deir-ez-zor-2014")
    first, second = ({p.name: p.read_bytes() for p in sorted(f.iterdir())} for f in folders)
    assert sorted(first) == sorted(second) and "anki.apkg" in first and "manifest.json" in first
    assert [name for name in first if first[name] != second[name]] == []


# ---- the calibration sheet, a command of its own ---------------------------------------------------------


@pytest.mark.slow
def test_calibration_command_writes_a_sheet_that_a_later_build_keeps(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["calibration", "--paper", "letter", "--flip", "short"]) == 0
    assert "wrote calibration.pdf" in capsys.readouterr().out
    reader = PdfReader(tmp_path / "calibration.pdf")
    assert len(reader.pages) == 2
    assert float(reader.pages[0].mediabox.width) == pytest.approx(215.9 / 25.4 * 72, abs=0.5)
    sheet = (tmp_path / "calibration.pdf").read_bytes()
    assert cli.main(["build", str(DEFAULT_PACK), "--count", "4", "--back-offset=1.5,-0.5", "--quiet",
                     "--only", "flashcards"]) == 0
    assert (tmp_path / "calibration.pdf").read_bytes() == sheet


def test_calibration_command_refuses_a_bad_offset(tmp_path, capsys):
    assert cli.main(["calibration", "-o", str(tmp_path / "c.pdf"), "--back-offset", "1;2"]) == 1
    assert capsys.readouterr().err.startswith("command line: --back-offset: '1;2' is not an offset")
    assert not (tmp_path / "c.pdf").exists()


def test_lint_says_how_many_warnings_it_did_not_list_and_how_to_see_them(capsys):
    assert cli.main(["lint", str(DEFAULT_PACK)]) == 0
    out = capsys.readouterr().out.splitlines()
    counts = next(line for line in out if re.match(r"^\d+ errors?, \d+ warnings?$", line))
    warnings = int(counts.split(", ")[1].split()[0])
    notes = next(int(n) for line in out if " info " in line and "fewer-questions" in line for n in line.split()[-1:])
    assert warnings > 1 and not any(": warning: " in line for line in out)
    assert out[-1] == (f"{warnings} warnings not listed: `quizgen lint --warnings {DEFAULT_PACK}` lists them with "
                       "their places")
    assert out[-2] == (f"{notes} facts yield fewer questions than their relations allow: `quizgen lint --info "
                       f"{DEFAULT_PACK}` says why, `quizgen stats {DEFAULT_PACK} --why FACT` for one fact")
    assert cli.main(["lint", str(DEFAULT_PACK), "--warnings"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(": warning: " in line for line in out) == warnings and "not listed" not in out[-1]


def test_built_in_files_are_named_by_their_place_in_quizgen_not_their_install_path(tmp_path, monkeypatch, capsys):
    from quizgen.errors import display_path
    from quizgen.resources import builtin_templates_folder

    monkeypatch.chdir(tmp_path)  # the templates are outside the working folder, as in any pip install
    shown = display_path(builtin_templates_folder() / "tf-object.yaml")
    assert shown == "<built-in>/templates/questions/tf-object.yaml"
    assert display_path(tmp_path / "mine" / "pack.yaml") == "mine/pack.yaml"
    assert cli.main(["lint", str(DEFAULT_PACK), "--warnings"]) == 0
    out = capsys.readouterr().out
    assert " from <built-in>/templates/questions/" in out
    assert str(builtin_templates_folder()) not in out


def test_one_question_is_one_question_in_every_export(tmp_path):
    from dataclasses import replace

    from quizgen.load.pack import load_pack
    from quizgen.export.gift import gift_text
    from quizgen.export.moodle import moodle_xml
    from quizgen.export.qti import description
    from quizgen.export.selftest import page_html
    from quizgen.generate import generate_question_set

    one = generate_question_set(load_pack(write_pack(tmp_path / "rivers", MINIMAL_PACK)), count=1, seed=1)
    assert len(one.questions) == 1
    assert gift_text(one)[0].startswith("// Rivers of Europe: 1 question (pack rivers, seed 1)")
    assert description(one).startswith("1 question from")
    assert "1 question, seed 1" in moodle_xml(one).decode("utf-8")
    assert "<p class=\"meta\">1 question · " in page_html(replace(one, deck=one.questions))


# ---- start-up: a command loads only what it uses ----------------------------------------------------------------

MODULES_PROBE = """
import json, sys
from quizgen.cli import main
try:
    status = main(sys.argv[2:])
except SystemExit as exc:
    status = exc.code
with open(sys.argv[1], "w", encoding="utf-8") as stream:
    json.dump({"status": status, "modules": sorted(sys.modules)}, stream)
"""
RENDERING = ("weasyprint", "pikepdf", "PIL", "numpy", "cv2", "pypdfium2", "quizgen.render")


def modules_loaded_by(tmp_path, *args: str) -> set[str]:
    """The top-level and quizgen modules a command line has loaded by the time it returns, run in a new process."""
    import subprocess
    import sys

    report = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", MODULES_PROBE, str(report), *args], check=True, capture_output=True,
                   cwd=tmp_path)
    loaded = json.loads(report.read_text(encoding="utf-8"))
    assert loaded["status"] in (0, None), loaded["status"]
    names = set(loaded["modules"])
    return names | {name.split(".")[0] for name in names}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["generate", "--help"], ["build", "--help"]])
def test_help_and_version_load_no_renderer_no_yaml_and_no_templates(tmp_path, args):
    loaded = modules_loaded_by(tmp_path, *args)
    assert "quizgen.cli" in loaded
    for heavy in (*RENDERING, "yaml", "jinja2", "quizgen.generate", "quizgen.load"):
        assert heavy not in loaded, f"quizgen {' '.join(args)} imported {heavy}"


@pytest.mark.parametrize("command", [["check"], ["generate", "--count", "5", "--format", "json"], ["lint"]])
def test_reading_and_generating_load_no_renderer(tmp_path, command):
    loaded = modules_loaded_by(tmp_path, command[0], str(DEFAULT_PACK), *command[1:])
    assert "quizgen.load.pack" in loaded
    for heavy in RENDERING:
        assert heavy not in loaded, f"quizgen {command[0]} imported {heavy}"


def quizgen_process(*argv: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quizgen", *argv], capture_output=True, timeout=300, **options)


def test_the_command_leaves_with_its_exit_code_and_all_its_output(tmp_path):
    pack = write_pack(tmp_path / "rivers", MINIMAL_PACK)
    whole = quizgen_process("generate", str(pack), "--count", "4", "--format", "json")
    assert whole.returncode == 0 and json.loads(whole.stdout)["questions"]  # every byte written, to the end
    broken = quizgen_process("build", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert broken.returncode == 1
    assert broken.stderr.decode().strip().endswith("expected a content pack folder containing pack.yaml")
    assert quizgen_process("--version").stdout.decode().startswith("quizgen ")


def test_a_reader_that_stops_early_gets_no_traceback():
    """The default pack's 40 questions are 300 kB of JSON: far more than a pipe holds, so writing fails."""
    with subprocess.Popen([sys.executable, "-m", "quizgen", "generate", str(DEFAULT_PACK), "--count", "40",
                           "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.read(1)
        process.stdout.close()  # as `| head -c 1` does
        error = process.stderr.read().decode()
        assert process.wait(timeout=300) == 0
    assert "Traceback" not in error and "Exception ignored" not in error


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_lost_to_a_full_disk_is_said_and_fails(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # written at exit, as usual
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "quizgen", "check", str(DEFAULT_PACK)], stdout=full,
                              stderr=subprocess.PIPE, env=environment, timeout=300)
    assert done.returncode == 120
    assert done.stderr.decode().strip() == "quizgen: could not write the output: No space left on device"
    with open("/dev/full", "wb") as full:  # unbuffered: the write fails inside the command itself
        done = subprocess.run([sys.executable, "-m", "quizgen", "check", str(DEFAULT_PACK)], stdout=full,
                              stderr=subprocess.PIPE, env={**environment, "PYTHONUNBUFFERED": "1"}, timeout=300)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == "quizgen: No space left on device"
