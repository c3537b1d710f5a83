"""Bounded workers for untrusted layouts and templates: a forked child with CPU-time and address-space limits
and a wall clock in the parent; a breach kills the child and becomes one error line naming the user's file."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .errors import Problem, QuizgenError


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    memory_bytes: int  # address space of the worker, which starts as a copy of this process
    wall_seconds: float


# Generous for any real layout (the whole default pack in one document takes a few seconds and ~300 MB),
# small enough that a hostile one is stopped before it takes the machine.
RENDER_LIMITS = Limits(cpu_seconds=120, memory_bytes=2 * 1024 ** 3, wall_seconds=300)
GENERATE_LIMITS = Limits(cpu_seconds=60, memory_bytes=2 * 1024 ** 3, wall_seconds=120)


@dataclass(frozen=True)
class Task:
    """One call to run bounded, and the user's file to blame when it breaks a limit."""

    function: Callable[..., Any]
    args: tuple
    blame: str  # a path as shown to the user, e.g. "my-layouts/worksheet-header.html"
    field: str = "layout"


def run_bounded(task: Task, limits: Limits | None = None) -> Any:
    """The task's result, computed in a bounded child; QuizgenError when it fails or breaks a limit."""
    return run_all_bounded([task], limits, jobs=1)[0]


def run_all_bounded(tasks: Sequence[Task], limits: Limits | None = None, *, jobs: int = 1,
                    on_done: Callable[[int], None] = lambda index: None) -> list[Any]:
    """Every task's result in order, at most `jobs` children at a time; the first breach stops them all."""
    with BoundedRun(tasks, limits, jobs=jobs) as run:
        return run.results(on_done=on_done)


class BoundedRun:
    """Tasks in bounded children, `jobs` at a time; the first ones start on entry, so the caller can work
    while they run, and `results()` collects them all (starting the rest as children finish)."""

    def __init__(self, tasks: Sequence[Task], limits: Limits | None = None, *, jobs: int = 1):
        self.tasks = list(tasks)
        self.limits = limits or RENDER_LIMITS
        self.jobs = max(jobs, 1)
        self.waiting = list(range(len(self.tasks)))
        self.running: dict[Any, _Child] = {}

    def __enter__(self) -> BoundedRun:
        self._start_more()
        return self

    def __exit__(self, *exc: object) -> None:
        for child in self.running.values():
            child.kill()
        self.running.clear()

    def _start_more(self) -> None:
        while self.waiting and len(self.running) < self.jobs:
            index = self.waiting.pop(0)
            child = _Child.start(index, self.tasks[index], self.limits)
            self.running[child.connection] = child

    def results(self, *, on_done: Callable[[int], None] = lambda index: None) -> list[Any]:
        results: dict[int, Any] = {}
        problems: list[Problem] = []
        while self.running:
            deadline = min(child.deadline for child in self.running.values())
            ready = multiprocessing.connection.wait(list(self.running),
                                                    timeout=min(0.2, max(0.0, deadline - time.monotonic())))
            for connection in ready:
                child = self.running.pop(connection)
                outcome = child.finish()
                if outcome[0] == "ok":
                    results[child.index] = outcome[1]
                    on_done(child.index)
                else:
                    problems.extend(outcome[1])
            for connection, child in list(self.running.items()):
                if time.monotonic() >= child.deadline:
                    self.running.pop(connection)
                    child.kill()
                    problems.append(child.problem(f"took longer than {self.limits.wall_seconds:g} s; stopped"))
            if problems:
                raise QuizgenError(problems)
            on_done(-1)
            self._start_more()
        return [results[i] for i in range(len(self.tasks))]


@dataclass
class _Child:
    index: int
    task: Task
    limits: Limits
    process: Any
    connection: Any
    deadline: float

    @classmethod
    def start(cls, index: int, task: Task, limits: Limits) -> _Child:
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(writer, task, limits), daemon=True)
        process.start()
        writer.close()
        return cls(index, task, limits, process, reader, time.monotonic() + limits.wall_seconds)

    def finish(self) -> tuple[str, Any]:
        """("ok", result) or ("problems", [Problem, …]) once the child has answered or died."""
        try:
            outcome = self.connection.recv()
        except (EOFError, OSError):
            outcome = None
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()
        self.connection.close()
        if outcome is None:
            return ("problems", [self.problem(self._death())])
        if outcome[0] == "failed":
            return ("problems", [self.problem(outcome[1])])
        return outcome

    def _death(self) -> str:
        code = self.process.exitcode
        if code == -signal.SIGXCPU or code == -signal.SIGKILL:
            return f"used more than {self.limits.cpu_seconds} s of processor time; stopped"
        return (f"stopped without a result (exit {code}); it probably needed more than "
                f"{self.limits.memory_bytes // 1024 ** 2:,} MB of memory")

    def problem(self, message: str) -> Problem:
        return Problem(self.task.blame, 0, 0, self.task.field, message)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


def _work(connection: Any, task: Task, limits: Limits) -> None:
    """In the child: apply the limits, run the task, send back its result or a message; never raise."""
    try:
        _apply_limits(limits)
        outcome: tuple = ("ok", task.function(*task.args))
    except QuizgenError as exc:
        outcome = ("problems", list(exc.problems))
    except MemoryError:
        outcome = ("failed", f"needed more than {limits.memory_bytes // 1024 ** 2:,} MB of memory; stopped")
    except RecursionError:
        outcome = ("failed", "nesting or recursion too deep; stopped")
    except BaseException as exc:  # anything else is reported on one line, never as a traceback
        where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        outcome = ("failed", f"failed: {type(exc).__name__}: {exc}"[:500]
                   + (f" (in {os.path.basename(where[0].filename)})" if where else ""))
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("failed", "the result needed more memory than allowed; stopped"))
    except Exception as exc:  # an unpicklable value: say so rather than die silently
        connection.send(("failed", f"could not return its result: {type(exc).__name__}: {exc}"[:500]))
    connection.close()
    os._exit(0)  # skip the parent's atexit handlers and buffered output, inherited by the fork


def _apply_limits(limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills us
    for kind, value in ((resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_AS, limits.memory_bytes)):
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, hard))
