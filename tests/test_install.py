"""A real, non-editable install: the wheel carries the templates, layouts and schema, and the installed
command checks, generates, builds and exports from a folder that knows nothing of the repository."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from helpers import DEFAULT_PACK, ROOT

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    before = sorted(p.name for p in ROOT.iterdir()), sorted(p.name for p in (ROOT / "build").iterdir())
    made = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                "--disable-pip-version-check", "-q", "-w", str(folder), str(ROOT)], cwd=folder)
    assert made.returncode == 0, made.stderr
    after = sorted(p.name for p in ROOT.iterdir()), sorted(p.name for p in (ROOT / "build").iterdir())
    assert after == before  # no build/lib, no *.egg-info in the project
    return next(folder.glob("quizgen-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel; it borrows the dependencies from the test venv through a .pth
    file (a plain path line, so the editable install's own .pth there is not followed)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=venv.parent)
    (Path(site.stdout.strip()) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                "--disable-pip-version-check", "-q", str(wheel)], cwd=venv.parent)
    assert done.returncode == 0, done.stderr
    return venv


def test_the_wheel_carries_every_template_layout_and_the_schema(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for folder, packaged in ((ROOT / "templates", "quizgen/data/templates"), (ROOT / "schema", "quizgen/data/schema")):
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                name = f"{packaged}/{path.relative_to(folder).as_posix()}"
                assert name in names, name
                assert archive.read(name) == path.read_bytes()


def test_the_installed_command_works_outside_the_repository(installed, tmp_path):
    quizgen = str(installed / "bin" / "quizgen")
    where = run([str(installed / "bin" / "python"), "-c",
                 "import quizgen.resources as r; print(r.builtin_templates_folder()); print(r.schema_file())"],
                cwd=tmp_path)
    templates, schema = (Path(line) for line in where.stdout.split())
    assert templates.is_relative_to(installed) and schema.is_relative_to(installed) and schema.is_file()

    check = run([quizgen, "check", str(DEFAULT_PACK)], cwd=tmp_path)
    assert check.returncode == 0 and "— ok" in check.stdout, check.stderr

    generated = run([quizgen, "generate", str(DEFAULT_PACK), "--count", "8", "--format", "json"], cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    assert len(json.loads(generated.stdout)["questions"]) == 8

    built = run([quizgen, "build", str(DEFAULT_PACK), "--count", "8", "--out", "out", "--quiet"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    manifest = json.loads((tmp_path / "out" / "deir-ez-zor-2014" / "manifest.json").read_text(encoding="utf-8"))
    names = {entry["path"] for entry in manifest["files"]}
    assert {"worksheet-A.pdf", "answer-key-A.pdf", "flashcards.pdf", "anki.apkg", "selftest.html"} <= names

    exported = run([quizgen, "export", str(DEFAULT_PACK), "--format", "gift", "-o", "quiz.gift"], cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "::" in (tmp_path / "quiz.gift").read_text(encoding="utf-8")

    calibration = run([quizgen, "calibration", "-o", "sheet.pdf"], cwd=tmp_path)  # a layout from the package data
    assert calibration.returncode == 0 and (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF"), calibration.stderr

    drill = subprocess.run([quizgen, "drill", str(DEFAULT_PACK), "--limit", "1"], cwd=tmp_path, input="",
                           capture_output=True, text=True, timeout=120)
    assert drill.returncode == 0 and "1. " in drill.stdout, drill.stderr


def test_a_checkout_reads_the_repository_templates_so_edits_show_at_once():
    from quizgen.resources import builtin_layouts_folder, builtin_templates_folder, schema_file

    assert builtin_templates_folder() == ROOT / "templates" / "questions"
    assert builtin_layouts_folder() == ROOT / "templates" / "layouts"
    assert schema_file() == ROOT / "schema" / "question-set.schema.json"


def test_the_wheel_carries_the_example_pack_from_content(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for path in sorted(p for p in DEFAULT_PACK.rglob("*") if p.is_file()):
            name = f"quizgen/data/content/deir-ez-zor-2014/{path.relative_to(DEFAULT_PACK).as_posix()}"
            assert name in names, name
            assert archive.read(name) == path.read_bytes()
        assert any(n.startswith("quizgen/data/templates/packs/starter/") for n in names)


def test_a_pip_user_makes_a_pack_and_runs_the_tour_from_an_empty_folder(installed, tmp_path):
    quizgen = str(installed / "bin" / "quizgen")
    site = str(installed)

    example = run([quizgen, "new", "tour", "--example"], cwd=tmp_path)
    assert example.returncode == 0, example.stderr
    for command in (["check", "tour"], ["lint", "tour", "--warnings"], ["stats", "tour"]):
        done = run([quizgen, *command], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert site not in done.stdout + done.stderr  # paths are the user's or <built-in>/…, never the install's
    assert "<built-in>/templates/questions/" in run([quizgen, "lint", "tour", "--warnings"], cwd=tmp_path).stdout

    assert run([quizgen, "new", "mine"], cwd=tmp_path).returncode == 0
    (tmp_path / "article.txt").write_text("Gustave Eiffel died in Paris on 27 December 1923.\n", encoding="utf-8")
    drafted = run([quizgen, "draft", "mine", "article.txt"], cwd=tmp_path)
    assert drafted.returncode == 0 and "date 1923-12-27 (27 December 1923)" in drafted.stdout, drafted.stderr
    assert (tmp_path / "draft-article.yaml").is_file()
    building = ["build", "mine", "--quiet", "--only", "questions,worksheets"]
    for command in (["check", "mine"], ["lint", "mine"], building):
        done = run([quizgen, *command], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "build" / "mine" / "worksheet-A.pdf").is_file()
