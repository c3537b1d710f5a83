"""Killed and concurrent builds: the previous outputs stay whole and no partial file is left behind."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import DEFAULT_PACK, ROOT
from pypdf import PdfReader

BUILD = [sys.executable, "-m", "quizgen", "build", str(DEFAULT_PACK), "--only", "questions,worksheets,keys",
         "--count", "8", "--quiet"]


def build(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*BUILD, "--out", str(out), *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def assert_consistent(folder: Path) -> dict:
    """Every file in the manifest exists with its recorded sha256, PDFs open, and nothing half-written lingers."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        if entry["path"].endswith(".pdf"):
            assert len(PdfReader(folder / entry["path"]).pages) >= 1
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix in (".part", ".tmp")]
    assert leftovers == []
    listed = {entry["path"] for entry in manifest["files"]} | {"manifest.json"}
    assert {p.name for p in folder.iterdir()} == listed
    return manifest


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    process = build(out, "--seed", "1")
    assert process.wait(timeout=120) == 0, process.stderr.read().decode()
    return out / "deir-ez-zor-2014"


@pytest.mark.parametrize("attempt", range(4))
def test_a_build_killed_at_a_random_moment_leaves_the_previous_one_intact(first_build: Path, attempt: int):
    before = assert_consistent(first_build)
    delay = random.Random(attempt).uniform(0.05, 1.5)
    process = build(first_build.parent, "--seed", str(100 + attempt))  # different content: every file would change
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    after = assert_consistent(first_build)
    if after != before:  # the kill came after the new build had put its files in place: it is whole
        assert {f["path"] for f in after["files"]} == {f["path"] for f in before["files"]}
    # a build killed while staging leaves a staging folder; the next build clears it
    finished = build(first_build.parent, "--seed", "1")
    assert finished.wait(timeout=120) == 0
    assert_consistent(first_build)
    assert not list(first_build.parent.glob(".deir-ez-zor-2014.staging-*"))


def test_two_builds_at_once_end_complete_and_consistent(tmp_path: Path):
    first, second = build(tmp_path, "--seed", "3"), build(tmp_path, "--seed", "4")
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    manifest = assert_consistent(tmp_path / "deir-ez-zor-2014")
    assert {"questions.json", "worksheet-A.pdf", "answer-key-A.pdf"} <= {f["path"] for f in manifest["files"]}


def test_an_up_to_date_build_clears_the_staging_folder_a_killed_build_left(first_build: Path):
    """Killed while staging, a build leaves the outputs as they were: the next build of the same inputs writes
    nothing, and still clears the staging folder."""
    stale = first_build.parent / f".{first_build.name}.staging-{2 ** 22 + 4321}"  # above any pid handed out here
    stale.mkdir()
    (stale / "worksheet-A.pdf").write_bytes(b"half")
    written = (first_build / "manifest.json").stat().st_mtime_ns
    finished = build(first_build.parent, "--seed", "1")
    assert finished.wait(timeout=120) == 0
    assert (first_build / "manifest.json").stat().st_mtime_ns == written  # up to date: nothing written
    assert not stale.exists()
    assert_consistent(first_build)
