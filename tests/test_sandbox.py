"""Bounded workers: results come back, and a breach of time or memory, or any failure, is one located problem."""

from __future__ import annotations

import time

import pytest

from quizgen.errors import QuizgenError
from quizgen.sandbox import BoundedRun, Failed, Limits, Task, _oversized, run_all_bounded, run_bounded

SMALL = Limits(cpu_seconds=1, memory_bytes=1024 ** 3, wall_seconds=5)


def spin() -> None:
    while True:
        pass


def hoard() -> bytes:
    return b"x" * (4 * 1024 ** 3)


def fail_located() -> None:
    raise QuizgenError.at("mine/t.yaml", "bad", line=3, column=2, field="prompt")


def test_results_come_back_in_order():
    tasks = [Task(pow, (2, n), "x") for n in range(5)]
    assert run_all_bounded(tasks, SMALL, jobs=2) == [1, 2, 4, 8, 16]


@pytest.mark.parametrize("function, message", [
    (spin, "my-layouts/page.html: layout: used more than 1 s of processor time; stopped"),
    (hoard, "my-layouts/page.html: layout: needed more than 1,024 MB of memory; stopped"),
    (lambda: time.sleep(60), "my-layouts/page.html: layout: took longer than 2 s; stopped"),
    (lambda: {}["missing"], "my-layouts/page.html: layout: failed: KeyError: 'missing'"),
])
def test_a_breach_is_one_problem_naming_the_users_file(function, message):
    started = time.monotonic()
    with pytest.raises(QuizgenError) as caught:
        run_bounded(Task(function, (), "my-layouts/page.html"), Limits(1, 1024 ** 3, 2))
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


@pytest.mark.parametrize("operator, left, right, refused", [
    ("**", 9, 9 ** 9, True), ("**", 10, 5000, True), ("**", 2, 100, False), ("**", 1, 10 ** 9, False),
    ("*", "a", 10 ** 9, True), ("*", 10 ** 9, [1], True), ("*", "ab", 1000, False),
    ("%", "%0999999999d", 1, True), ("%", "%05d", 1, False),
])
def test_operator_bounds(operator, left, right, refused):
    assert bool(_oversized(operator, left, right)) is refused
