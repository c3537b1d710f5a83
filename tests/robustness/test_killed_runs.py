"""A build or a grading killed (kill -9) or terminated (SIGTERM, as `timeout` and CI send it) while its
workers are busy leaves no quizgen process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from helpers import MINIMAL_PACK, write_pack

import gradekit as gk
import hostile_scans as hs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")

# workers stay busy for up to 30 s unless something stops them
RUNNER = hs.RUNNER.format(cpu=30, memory=2 * 1024 ** 3, wall=60)


def children_of(pid: int) -> set[int]:
    """Every living descendant of `pid`, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left


def forked_by_children_of(pid: int) -> set[int]:
    """The living descendants of `pid` that are not its own children: workers forked by a warm start."""
    def parent(child: int) -> int | None:
        try:
            return int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return None

    return {child for child in children_of(pid) if parent(child) not in (pid, None)}


def stop_with(arguments: list[str], how: signal.Signals, workers: int, cwd: Path, *,
              busy: Callable[[int], set[int]] = children_of) -> set[int]:
    """Start `quizgen ARGUMENTS`, wait until `workers` workers are `busy`, send `how`; the workers (and every
    other descendant) still alive five seconds later (killed before returning, so none outlives the test)."""
    process = subprocess.Popen([sys.executable, "-c", RUNNER, *arguments], cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(busy(process.pid)) < workers:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.1)
    time.sleep(1)  # busy now
    workers_seen = children_of(process.pid)
    process.send_signal(how)
    process.wait(timeout=30)
    deadline = time.monotonic() + 5
    while alive(workers_seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = alive(workers_seen)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_build_leaves_no_layout_worker(tmp_path, how):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "worksheet.html").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8")
    left = stop_with(["build", str(pack), "--out", str(tmp_path / "out"), "--layouts", str(layouts),
                      "--only", "worksheets", "-q"], how, 1, tmp_path)
    assert left == set()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_build_leaves_no_render_worker_forked_by_its_warm_start(tmp_path, how):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "worksheet-header.html").write_text(  # quick to write as HTML, long to lay out
        "<header>{% for i in range(100000) %}<p style='break-after: page'>x</p>{% endfor %}</header>",
        encoding="utf-8")
    left = stop_with(["build", str(pack), "--out", str(tmp_path / "out"), "--layouts", str(layouts),
                      "--only", "worksheets", "--count", "2", "-q"], how, 1, tmp_path, busy=forked_by_children_of)
    assert left == set()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_grading_leaves_no_page_worker(tmp_path, how):
    for name in ("one.pdf", "two.pdf"):
        (tmp_path / name).write_bytes(hs.rectangles(1_000_000))
    left = stop_with(["grade", str(gk.rendered_sheets("a4").folder), str(tmp_path / "one.pdf"),
                      str(tmp_path / "two.pdf"), "--out", str(tmp_path / "out"), "--jobs", "2"], how, 2, tmp_path)
    assert left == set()


def test_a_terminated_build_says_so_in_one_word_and_exits_143(tmp_path):
    pack = write_pack(tmp_path / "pack", MINIMAL_PACK)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "worksheet.html").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", RUNNER, "build", str(pack), "--out", str(tmp_path / "out"),
                                "--layouts", str(layouts), "--only", "worksheets", "-q"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(children_of(process.pid)) < 2:  # the render workers' warm start, and the worker on the layout
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert process.stderr.read().strip() == "terminated"
