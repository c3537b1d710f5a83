"""Bounded workers: results come back, and a breach of time or memory, or any failure, is one located problem."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from quizgen.errors import QuizgenError
from quizgen.sandbox import BoundedRun, Failed, Limits, Task, WarmStart, _oversized, run_all_bounded, run_bounded

SMALL = Limits(cpu_seconds=1, memory_bytes=1024 ** 3, wall_seconds=5)


def spin() -> None:
    while True:
        pass


def hoard() -> bytes:
    return b"x" * (4 * 1024 ** 3)


def fail_located() -> None:
    raise QuizgenError.at("mine/t.yaml", "bad", line=3, column=2, field="prompt")


WARM_MODULE = "tabnanny"  # a module nothing in quizgen or its tests imports, so only a warm start can have it


def forked_by() -> tuple[int, bool]:
    """The pid of the process that forked this worker, and whether it arrived with the warm start's module."""
    return os.getppid(), WARM_MODULE in sys.modules


def noted_then(note: Path, breach: str) -> None:
    """Write down which process forked this worker, then break a limit."""
    note.write_text(str(os.getppid()))
    {"spin": spin, "hoard": hoard, "nap": lambda: time.sleep(60)}[breach]()


def collector_state() -> bool:
    """Whether this worker's collector runs."""
    import gc

    return gc.isenabled()


def orphaned_unless_forked_by(pid: int) -> int:
    """Kill the warm process that forked this worker, which ends the worker too; answer only when forked by `pid`."""
    if os.getppid() != pid:
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(60)
    return os.getppid()


@pytest.fixture
def warm():
    assert WARM_MODULE not in sys.modules
    started = WarmStart.start([WARM_MODULE])
    yield started
    started.close()


def test_results_come_back_in_order():
    tasks = [Task(pow, (2, n), "x") for n in range(5)]
    assert run_all_bounded(tasks, SMALL, jobs=2) == [1, 2, 4, 8, 16]


# the wall clock is long where another limit is to stop the task first, however busy the machine is
@pytest.mark.parametrize("function, wall, message", [
    (spin, 25, "my-layouts/page.html: layout: used more than 1 s of processor time; stopped"),
    (hoard, 25, "my-layouts/page.html: layout: needed more than 1,024 MB of memory; stopped"),
    (lambda: time.sleep(60), 2, "my-layouts/page.html: layout: took longer than 2 s; stopped"),
    (lambda: {}["missing"], 2, "my-layouts/page.html: layout: failed: KeyError: 'missing'"),
])
def test_a_breach_is_one_problem_naming_the_users_file(function, wall, message):
    started = time.monotonic()
    with pytest.raises(QuizgenError) as caught:
        run_bounded(Task(function, (), "my-layouts/page.html"), Limits(1, 1024 ** 3, wall))
    assert str(caught.value).startswith(message)
    assert time.monotonic() - started < 30


def test_each_keeps_going_past_a_breach_and_says_which_task_broke_it():
    tasks = [Task(pow, (2, 3), "a"), Task(spin, (), "b"), Task(hoard, (), "c"), Task(pow, (3, 2), "d")]
    with BoundedRun(tasks, SMALL, jobs=2) as run:
        first, spun, hoarded, last = run.each()
    assert (first, last) == (8, 9)
    assert isinstance(spun, Failed) and str(spun.problems[0]) == "b: layout: used more than 1 s of processor time; stopped"
    assert isinstance(hoarded, Failed) and str(hoarded.problems[0]).startswith("c: layout: needed more than 1,024 MB")


def test_a_batch_gives_each_task_its_own_allowance_and_a_breach_costs_only_its_task():
    tasks = [Task(pow, (2, 3), "a"), Task(spin, (), "b"), Task(pow, (3, 2), "c"), Task(hoard, (), "d"),
             Task(pow, (4, 2), "e")]
    with BoundedRun(tasks, SMALL, jobs=1, batch=5) as run:
        outcomes = run.each()
    assert [o if not isinstance(o, Failed) else o.problems[0].path for o in outcomes] == [8, "b", 9, "d", 16]
    naps = [Task(time.sleep, (1.2,), str(n)) for n in range(3)]  # 3.6 s in all, 1.2 s each: within 2 s each
    with BoundedRun(naps, Limits(1, 1024 ** 3, 2), jobs=1, batch=3) as run:
        assert run.each() == [None, None, None]


def test_problems_raised_in_the_worker_arrive_intact():
    with pytest.raises(QuizgenError) as caught:
        run_bounded(Task(fail_located, (), "mine"), SMALL)
    assert str(caught.value) == "mine/t.yaml:3:2: prompt: bad"


def write_after_a_while(path: Path) -> str:
    time.sleep(0.3)
    path.write_text("written")
    return "wrote"


def read_now(path: Path) -> str:
    return path.read_text() if path.exists() else "not there yet"


def test_a_task_waits_for_the_tasks_it_comes_after_while_others_run(tmp_path):
    note = tmp_path / "note"
    tasks = [Task(write_after_a_while, (note,), "mine"), Task(read_now, (tmp_path / "other",), "mine"),
             Task(read_now, (note,), "mine")]
    with BoundedRun(tasks, SMALL, jobs=2, after={2: {0}}) as run:
        assert run.results() == ["wrote", "not there yet", "written"]  # task 1 ran beside task 0, task 2 after it


def fail_located_soon() -> None:
    time.sleep(0.2)
    fail_located()


def test_tasks_failing_alike_together_say_their_problem_once():
    """Two workers with the same broken layout fail while the caller is busy: both failures are read at once."""
    def busy(index: int) -> None:
        if index == 0:
            time.sleep(0.8)

    tasks = [Task(read_now, (Path("/nowhere"),), "mine"), Task(fail_located_soon, (), "mine"),
             Task(fail_located_soon, (), "mine")]
    with pytest.raises(QuizgenError) as caught:
        run_all_bounded(tasks, SMALL, jobs=3, on_done=busy)
    assert str(caught.value) == "mine/t.yaml:3:2: prompt: bad"


@pytest.mark.parametrize("operator, left, right, refused", [
    ("**", 9, 9 ** 9, True), ("**", 10, 5000, True), ("**", 2, 100, False), ("**", 1, 10 ** 9, False),
    ("*", "a", 10 ** 9, True), ("*", 10 ** 9, [1], True), ("*", "ab", 1000, False),
    ("%", "%0999999999d", 1, True), ("%", "%05d", 1, False),
])
def test_operator_bounds(operator, left, right, refused):
    assert bool(_oversized(operator, left, right)) is refused


# ---- a warm start: workers forked from a process that imported their modules ahead ----------------------


def test_workers_are_forked_from_the_warm_start_with_its_modules_loaded(warm):
    tasks = [Task(forked_by, (), str(n)) for n in range(4)]
    assert run_all_bounded(tasks, SMALL, jobs=2) == [(os.getpid(), False)] * 4
    with BoundedRun(tasks, SMALL, jobs=2, batch=2, warm=warm) as run:
        assert run.results() == [(warm.pid, True)] * 4
    assert WARM_MODULE not in sys.modules


def test_a_warm_workers_collector_runs_though_the_warm_start_was_begun_with_it_off():
    import gc

    was_enabled = gc.isenabled()
    gc.disable()  # the warm start imports with the collector off; it is on again when it forks
    try:
        started = WarmStart.start([WARM_MODULE])
    finally:
        if was_enabled:
            gc.enable()
    try:
        with BoundedRun([Task(collector_state, (), "x")], SMALL, warm=started) as run:
            assert run.results() == [True]
    finally:
        started.close()


# the wall clock is long where another limit is to stop the task first, however busy the machine is
@pytest.mark.parametrize("breach, wall, message", [
    ("spin", 25, "my-layouts/page.html: layout: used more than 1 s of processor time; stopped"),
    ("hoard", 25, "my-layouts/page.html: layout: needed more than 1,024 MB of memory; stopped"),
    ("nap", 2, "my-layouts/page.html: layout: took longer than 2 s; stopped"),
])
def test_a_breach_in_a_warm_worker_is_the_same_one_problem(warm, tmp_path, breach, wall, message):
    note = tmp_path / "forked-by"
    with pytest.raises(QuizgenError) as caught:
        with BoundedRun([Task(noted_then, (note, breach), "my-layouts/page.html")], Limits(1, 1024 ** 3, wall),
                        warm=warm) as run:
            run.results()
    assert str(caught.value) == message
    assert note.read_text() == str(warm.pid)


def test_a_warm_worker_dies_with_the_warm_start_and_its_task_runs_again_forked_here(warm):
    tasks = [Task(orphaned_unless_forked_by, (os.getpid(),), "a"), Task(forked_by, (), "b")]
    with BoundedRun(tasks, SMALL, jobs=1, warm=warm) as run:
        assert run.results() == [os.getpid(), (os.getpid(), False)]
    assert warm.gone and not warm.process.is_alive()


def test_without_its_warm_start_or_for_a_task_that_cannot_be_pickled_a_worker_is_forked_here(warm):
    with BoundedRun([Task(lambda: os.getppid(), (), "a"), Task(forked_by, (), "b")], SMALL, warm=warm) as run:
        assert run.results() == [os.getpid(), (warm.pid, True)]
    warm.process.kill()
    warm.process.join()
    with BoundedRun([Task(forked_by, (), "c")], SMALL, warm=warm) as run:
        assert run.results() == [(os.getpid(), False)]


def test_the_warm_start_ends_when_the_socket_to_it_is_closed(warm):
    with BoundedRun([Task(forked_by, (), "a")], SMALL, warm=warm) as run:
        assert run.results() == [(warm.pid, True)]
    warm.control.close()
    warm.process.join(timeout=30)
    assert warm.process.exitcode == 0


def test_an_attributes_safety_is_decided_by_the_types_and_its_name_whichever_was_asked_first():
    import jinja2

    from quizgen.sandbox import bounded_environment

    class Holder:
        def method(self) -> str:
            return "called"

    said, placed = Holder(), Holder()
    said.where = "in the text"
    placed.where = Path("/home/someone/pack")  # a user's path: never into a question
    env = bounded_environment()
    for _ in range(2):
        assert env.getattr(said, "where") == "in the text"
        assert isinstance(env.getattr(placed, "where"), jinja2.Undefined)
        assert isinstance(env.getattr(said, "__class__"), jinja2.Undefined)
        assert isinstance(env.getattr(said.method, "__func__"), jinja2.Undefined)
        assert env.from_string("{{ h.method() }}").render(h=said) == "called"
        assert isinstance(env.getattr(Holder, "mro"), jinja2.Undefined)
