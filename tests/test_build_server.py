"""The build server (server.py): real `python -m quizgen build` processes, a real server started by the first
of them, the builds it runs compared with builds run by themselves."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from quizgen import server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the build server is Linux only")


@pytest.fixture
def served(tmp_path: Path):
    """The environment of builds that use a server of their own (a short runtime folder: a socket's path is short),
    and every server started with it ended afterwards."""
    runtime = Path(tempfile.mkdtemp(prefix="qg-", dir="/tmp"))
    environment = {**os.environ, server.SERVER_VARIABLE: "on", "XDG_RUNTIME_DIR": str(runtime),
                   server.IDLE_VARIABLE: "60"}
    environment.pop("CI", None)
    yield environment
    for pid in servers_of(runtime):
        for process in (*descendants_of(pid), pid):  # a failed test's build too
            try:
                os.kill(process, signal.SIGKILL)
            except OSError:
                pass
    shutil.rmtree(runtime, ignore_errors=True)


def servers_of(runtime: Path) -> list[int]:
    """The servers listening in `runtime`, by the socket path on their command line (their children, forked, have
    the same one: a server leads a session of its own, they do not)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            session = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3])
        except (OSError, ValueError, IndexError):
            continue
        if b"quizgen.server" in command and str(runtime).encode() in command and session == int(entry.name):
            found.append(int(entry.name))
    return found


def build(environment: dict, cwd: Path, *arguments: str) -> tuple[subprocess.CompletedProcess, float]:
    """A `quizgen build` and the CPU time its own process took (a build run by a server takes almost none)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "quizgen", "build", *arguments], env=environment, cwd=cwd,
                          capture_output=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def wait_for_server(environment: dict, cwd: Path) -> str:
    """The socket of the server the builds in `cwd` use, once it answers."""
    code = "import os, sys; sys.path[0] = os.getcwd(); import quizgen.server as s; print(s.socket_path())"
    probe = subprocess.run([sys.executable, "-c", code], env=environment, cwd=cwd, capture_output=True, text=True,
                           check=True)  # the module path of `python -m quizgen` run in `cwd`
    path = probe.stdout.strip()
    assert path and path != "None"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe_socket:
                probe_socket.connect(path)
            return path
        except OSError:
            time.sleep(0.1)
    raise AssertionError("no build server answered within 60 s")


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".quizgen-cache" not in p.parts}


def test_a_build_after_the_first_is_run_by_the_server_and_writes_the_same_files(served, minimal_pack, tmp_path):
    first, _ = build(served, tmp_path, str(minimal_pack), "--out", "by-itself")
    assert first.returncode == 0, first.stderr.decode()
    wait_for_server(served, tmp_path)
    second, client_seconds = build(served, tmp_path, str(minimal_pack), "--out", "by-the-server")
    assert second.returncode == 0, second.stderr.decode()
    assert client_seconds < 0.3  # the command's own process only handed the build over
    assert b"built " in second.stdout and b"building " in second.stderr  # its terminal was the build's
    assert files_of(tmp_path / "by-the-server") == files_of(tmp_path / "by-itself")
    assert files_of(tmp_path / "by-itself")


def test_a_failing_build_says_the_same_through_the_server(served, minimal_pack, tmp_path):
    build(served, tmp_path, str(minimal_pack), "--out", "out", "--quiet")
    wait_for_server(served, tmp_path)
    (minimal_pack / "facts.yaml").write_text("facts: [\n", encoding="utf-8")
    by_server, client_seconds = build(served, tmp_path, str(minimal_pack), "--out", "out")
    alone, _ = build({**served, server.SERVER_VARIABLE: "off"}, tmp_path, str(minimal_pack), "--out", "out")
    assert client_seconds < 0.3
    assert by_server.returncode == alone.returncode == 1
    assert by_server.stderr == alone.stderr and b"facts.yaml" in alone.stderr


def test_ctrl_c_stops_the_served_build_as_it_stops_one_run_alone(served, tmp_path):
    pack = Path(__file__).resolve().parent.parent / "content" / "deir-ez-zor-2014"
    build(served, tmp_path, str(pack), "--out", "first", "--quiet", "--only", "questions")
    wait_for_server(served, tmp_path)
    # Ctrl-C as in a terminal's foreground job (a shell starts its background jobs, and so these tests, with it ignored)
    process = subprocess.Popen([sys.executable, "-m", "quizgen", "build", str(pack), "--out", "out", "--versions",
                                "40", "--no-cache"], env=served, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    under_way(tmp_path)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"interrupted" in errors
    assert not (tmp_path / "out" / "deir-ez-zor-2014" / "manifest.json").exists()


def test_a_killed_command_ends_the_build_it_handed_over(served, tmp_path):
    pack = Path(__file__).resolve().parent.parent / "content" / "deir-ez-zor-2014"
    build(served, tmp_path, str(pack), "--out", "first", "--quiet", "--only", "questions")
    wait_for_server(served, tmp_path)
    (listening,) = servers_of(Path(served["XDG_RUNTIME_DIR"]))
    process = subprocess.Popen([sys.executable, "-m", "quizgen", "build", str(pack), "--out", "out", "--versions",
                                "40", "--no-cache", "--quiet"], env=served, cwd=tmp_path)
    under_way(tmp_path)
    working = descendants_of(listening)
    assert working  # the build runs in the server's child, with workers of its own
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in working) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in working if alive(pid)]
    assert not (tmp_path / "out" / "deir-ez-zor-2014" / "manifest.json").exists()


def descendants_of(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found |= {child, *descendants_of(child)}
    return found


def alive(pid: int) -> bool:
    """Whether the process runs still (a zombie, ended and waiting for its parent to notice, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_an_idle_server_ends_and_removes_its_socket(served, minimal_pack, tmp_path):
    served[server.IDLE_VARIABLE] = "1"
    build(served, tmp_path, str(minimal_pack), "--out", "out", "--quiet")
    path = wait_for_server(served, tmp_path)
    deadline = time.monotonic() + 30
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(path)
    assert not servers_of(Path(served["XDG_RUNTIME_DIR"]))


def test_the_server_is_keyed_by_what_its_start_read_and_not_by_the_rest(monkeypatch, tmp_path):
    key = server.server_key()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))  # read by the build, in the server's child
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert server.server_key() == key
    monkeypatch.setenv("LANG", "C")  # read by the interpreter's start
    assert server.server_key() != key
    monkeypatch.setenv("LANG", os.environ.get("LANG", "C.UTF-8") + "x")
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "fonts.conf"))  # by fontconfig, when WeasyPrint warmed up
    assert server.server_key() != key


@pytest.mark.parametrize("variables, wanted", [
    ({server.SERVER_VARIABLE: "off"}, False),
    ({server.SERVER_VARIABLE: "0"}, False),
    ({"CI": "true"}, False),  # a CI job's processes end with it: a server would be started for nothing
    ({"CI": "true", server.SERVER_VARIABLE: "on"}, True),
    ({}, True),
])
def test_when_builds_use_a_server(monkeypatch, variables, wanted):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(server.SERVER_VARIABLE, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert server.wanted() is wanted


def test_the_command_lines_own_errors_and_help_come_once_through_the_server(served, minimal_pack, tmp_path):
    build(served, tmp_path, str(minimal_pack), "--out", "out", "--quiet")
    wait_for_server(served, tmp_path)
    alone = {**served, server.SERVER_VARIABLE: "off"}
    for arguments in (["--no-such-option"], ["--help"]):
        by_server, _ = build(served, tmp_path, str(minimal_pack), *arguments)
        by_itself, _ = build(alone, tmp_path, str(minimal_pack), *arguments)
        assert (by_server.returncode, by_server.stdout, by_server.stderr) == \
            (by_itself.returncode, by_itself.stdout, by_itself.stderr)
        assert by_itself.stdout.count(b"usage:") + by_itself.stderr.count(b"usage:") == 1


def long_build(environment: dict, cwd: Path, **options) -> subprocess.Popen:
    pack = Path(__file__).resolve().parent.parent / "content" / "deir-ez-zor-2014"
    build(environment, cwd, str(pack), "--out", "first", "--quiet", "--only", "questions")
    wait_for_server(environment, cwd)
    return subprocess.Popen([sys.executable, "-m", "quizgen", "build", str(pack), "--out", "out", "--versions", "40",
                             "--no-cache", "--quiet"], env=environment, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **options)


def under_way(cwd: Path) -> None:
    """Wait until the build into cwd/out has begun to make its files (its spool folder is there), and a moment
    more, so that its workers are at work: a signal then lands in the middle of the build, however fast it is."""
    deadline = time.monotonic() + 30
    while not list((cwd / "out").glob(".deir-ez-zor-2014.spool-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)


def test_a_hang_up_ends_the_served_build_and_the_command_as_it_ends_one_alone(served, tmp_path):
    process = long_build(served, tmp_path)
    under_way(tmp_path)
    process.send_signal(signal.SIGHUP)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGHUP  # not built again here
    assert not (tmp_path / "out" / "deir-ez-zor-2014" / "manifest.json").exists()


def test_a_command_that_ignores_hang_ups_builds_through_one(served, tmp_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = long_build(served, tmp_path, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    under_way(tmp_path)
    process.send_signal(signal.SIGHUP)  # as under nohup
    _, errors = process.communicate(timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert process.returncode == 0, errors.decode()
    assert (tmp_path / "out" / "deir-ez-zor-2014" / "manifest.json").exists()
    assert (after.ru_utime - started.ru_utime) + (after.ru_stime - started.ru_stime) < 0.3  # served, not built here
    assert started.ru_utime > before.ru_utime  # the first, untimed builds ran


def test_a_served_build_killed_outright_ends_its_command_the_same_way(served, tmp_path):
    process = long_build(served, tmp_path)
    (listening,) = servers_of(Path(served["XDG_RUNTIME_DIR"]))
    under_way(tmp_path)
    (child,) = [int(pid) for pid in Path(f"/proc/{listening}/task/{listening}/children").read_text().split()]
    os.kill(child, signal.SIGKILL)  # as the out-of-memory killer would
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def test_an_environment_that_is_not_utf8_is_handed_over_as_it_is(served, minimal_pack, tmp_path):
    served["QUIZGEN_TEST_BYTES"] = os.fsdecode(b"caf\xe9")  # Latin-1 bytes, as an old shell profile sets them
    served["PYTHONQUIZGENTEST"] = os.fsdecode(b"\xff")  # keyed: the server's start reads PYTHON* variables
    first, _ = build(served, tmp_path, str(minimal_pack), "--out", "by-itself", "--quiet")
    assert first.returncode == 0, first.stderr.decode()
    wait_for_server(served, tmp_path)
    second, client_seconds = build(served, tmp_path, str(minimal_pack), "--out", "by-the-server", "--quiet")
    assert second.returncode == 0, second.stderr.decode()
    assert client_seconds < 0.3
    assert files_of(tmp_path / "by-the-server") == files_of(tmp_path / "by-itself")


def test_a_server_whose_fonts_changed_ends_and_the_build_runs_by_itself(served, minimal_pack, tmp_path):
    home = tmp_path / "home"
    (home / ".fonts").mkdir(parents=True)
    served["HOME"] = str(home)
    build(served, tmp_path, str(minimal_pack), "--out", "out", "--quiet")
    path = wait_for_server(served, tmp_path)
    (home / ".fonts" / "new.txt").write_text("a file in a font folder changes the fonts' fingerprint")
    after, client_seconds = build(served, tmp_path, str(minimal_pack), "--out", "again", "--quiet")
    assert after.returncode == 0, after.stderr.decode()
    assert client_seconds > 0.3  # built here
    deadline = time.monotonic() + 10
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(path)  # the server that drew with the old fonts has ended
    alone, _ = build({**served, server.SERVER_VARIABLE: "off"}, tmp_path, str(minimal_pack), "--out", "alone",
                     "--quiet", "--no-cache")
    assert files_of(tmp_path / "again") == files_of(tmp_path / "alone")
