"""Bounded workers for untrusted layouts, templates and scans: a forked child with CPU-time and address-space
limits and a wall clock in the parent; a breach kills the child and becomes one error line naming the user's file.
A child dies with its parent, however the parent ends. Children may be forked from a warm start (WarmStart), a
process that imported what they need while this one did other work."""

from __future__ import annotations

import gc
import importlib
import itertools
import math
import multiprocessing
import multiprocessing.connection
import os
import pickle
import re
import resource
import signal
import socket
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Collection, Mapping, Sequence

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
# One scanned page: a real one decodes and grades in about a second and well under 1 GB, even at 600 dpi;
# a crafted one (a JPEG 2000 image that decodes far larger than it says, a content stream that inflates to
# gigabytes, a page of millions of shapes) is stopped here.
DECODE_LIMITS = Limits(cpu_seconds=20, memory_bytes=2 * 1024 ** 3, wall_seconds=60)


@dataclass(frozen=True)
class Failed:
    """What a task that failed or broke a limit left, when the run goes on without it (BoundedRun.each)."""

    problems: tuple[Problem, ...]


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
    while they run, and `results()` or `each()` collects them all (starting the rest as children finish).

    A child takes up to `batch` tasks and runs them one after another, each with the whole CPU and wall-clock
    allowance (the address-space limit holds for the child): forking once for several small tasks, such as
    scanned pages, costs a fraction of forking for each. When a task ends its child (a breach, a crash), the
    tasks of its batch not yet done go to a new child. A task listed in `after` starts only once the tasks it
    names have finished, well or not.
    """

    def __init__(self, tasks: Sequence[Task], limits: Limits | None = None, *, jobs: int = 1, batch: int = 1,
                 warm: WarmStart | None = None, after: Mapping[int, Collection[int]] | None = None):
        self.tasks = list(tasks)
        self.after = {index: set(earlier) for index, earlier in (after or {}).items()}  # task → tasks it waits for
        self.finished: set[int] = set()
        self.limits = limits or RENDER_LIMITS
        self.jobs = max(jobs, 1)
        self.batch = max(batch, 1)
        self.warm = warm  # children are forked from it while it serves; from this process otherwise
        self.waiting = list(range(len(self.tasks)))
        self.running: dict[Any, _Child] = {}
        self.finishing: list[_Child] = []  # answered for their whole batch: reaped once the next ones are started

    def __enter__(self) -> BoundedRun:
        self._start_more()
        return self

    def __exit__(self, *exc: object) -> None:
        for child in [*self.running.values(), *self.finishing]:
            child.kill()
        self.running.clear()
        self.finishing.clear()

    def _start_more(self) -> None:
        while len(self.running) < self.jobs:
            ready = [i for i in self.waiting if self.after.get(i, set()) <= self.finished]
            if not ready:
                return
            size = max(1, min(self.batch, -(-len(ready) // self.jobs)))  # every free child gets some
            indices = ready[:size]
            self.waiting = [i for i in self.waiting if i not in indices]
            child = _Child.start(indices, [self.tasks[i] for i in indices], self.limits, self.warm)
            self.running[child.connection] = child

    def results(self, *, on_done: Callable[[int], None] = lambda index: None) -> list[Any]:
        """Every task's result in order; the first failure or breach stops them all (QuizgenError)."""
        return self._collect(on_done, stop_at_failure=True)

    def each(self, *, on_done: Callable[[int], None] = lambda index: None) -> list[Any]:
        """Every task's result in order, or Failed where a task failed or broke a limit; the others go on."""
        return self._collect(on_done, stop_at_failure=False)

    def _collect(self, on_done: Callable[[int], None], *, stop_at_failure: bool) -> list[Any]:
        results: dict[int, Any] = {}
        while self.running:
            deadline = min(child.deadline for child in self.running.values())
            ready = multiprocessing.connection.wait(list(self.running),
                                                    timeout=min(0.2, max(0.0, deadline - time.monotonic())))
            problems: list[Problem] = []
            for connection in ready:
                child = self.running[connection]
                index, outcome = child.next_outcome()
                if outcome[0] == "lost":  # the warm start went away or could not take the batch: fork here
                    self.warm = None
                elif outcome[0] == "ok":
                    results[index] = outcome[1]
                    self.finished.add(index)
                    on_done(index)
                else:
                    problems.extend(outcome[1])
                    results[index] = Failed(tuple(outcome[1]))
                    self.finished.add(index)
                self._retire_if_over(child)
            for connection, child in list(self.running.items()):
                if time.monotonic() >= child.deadline:
                    child.kill()
                    problem = child.problem(f"took longer than {self.limits.wall_seconds:g} s; stopped")
                    problems.append(problem)
                    results[child.current] = Failed((problem,))
                    self.finished.add(child.current)
                    child.done += 1
                    self._retire_if_over(child)
            if problems and stop_at_failure:  # tasks that share a broken layout fail alike: say each problem once
                raise QuizgenError(list(dict.fromkeys(problems)))
            on_done(-1)
            self._start_more()
            self._reap_finished()
        return [results[i] for i in range(len(self.tasks))]

    def _retire_if_over(self, child: _Child) -> None:
        """Forget a child that has answered for its whole batch, or has died; its unfinished tasks wait again."""
        if child.done < len(child.indices) and child.alive:
            return
        self.running.pop(child.connection, None)
        if child.alive:  # done: reaped after the next child starts (a large process takes a while to end)
            self.finishing.append(child)
            return
        child.kill()
        self.waiting[:0] = child.indices[child.done:]

    def _reap_finished(self) -> None:
        for child in self.finishing:
            child.kill()
        self.finishing.clear()


@dataclass
class _Child:
    indices: list[int]  # of the tasks in this child's batch, in the order it runs them
    tasks: list[Task]
    limits: Limits
    process: Any
    connection: Any
    deadline: float  # for the task running now
    done: int = 0  # tasks of the batch answered for
    alive: bool = True

    @classmethod
    def start(cls, indices: list[int], tasks: list[Task], limits: Limits, warm: WarmStart | None = None) -> _Child:
        forked = warm.fork(tasks, limits) if warm else None
        if forked:
            reader, process = forked
        else:
            context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(writer, tasks, limits, os.getpid()), daemon=True)
            process.start()
            writer.close()
        return cls(indices, tasks, limits, process, reader, time.monotonic() + limits.wall_seconds)

    @property
    def current(self) -> int:
        return self.indices[self.done]

    def next_outcome(self) -> tuple[int, tuple[str, Any]]:
        """The running task's index and ("ok", result) or ("problems", [Problem, …]), once the child has
        answered for it or died."""
        index, task = self.current, self.tasks[self.done]
        try:
            outcome = self.connection.recv()
        except (EOFError, OSError):
            outcome = None
        if outcome is None:
            self.alive = False
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.kill()
        if (outcome and outcome[0] == "lost") or (outcome is None and getattr(self.process, "lost", False)):
            self.alive = False  # the task is not done: it waits for another child
            return index, ("lost",)
        self.done += 1
        self.deadline = time.monotonic() + self.limits.wall_seconds
        if outcome is None:
            return index, ("problems", [self.problem(self._death(), task)])
        if outcome[0] == "failed":
            return index, ("problems", [self.problem(outcome[1], task)])
        return index, outcome

    def _death(self) -> str:
        code = self.process.exitcode
        if code == -signal.SIGXCPU or code == -signal.SIGKILL:
            return f"used more than {self.limits.cpu_seconds} s of processor time; stopped"
        return (f"stopped without a result (exit {code}); it probably needed more than "
                f"{self.limits.memory_bytes // 1024 ** 2:,} MB of memory")

    def problem(self, message: str, task: Task | None = None) -> Problem:
        task = task or self.tasks[self.done]
        return Problem(task.blame, 0, 0, task.field, message)

    def kill(self) -> None:
        self.alive = False
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class WarmStart:
    """A process that imports the modules the workers will need, started before the work that decides their tasks,
    and forks the workers on request: each starts with those modules loaded and still runs its batch in `_work`,
    with the same limits, and dies with the warm process, which dies with this one.

    Requests go over a socket pair, one packet each: `fork TICKET` carries two descriptors, an in-memory file with
    the pickled tasks and limits, and the write end of the pipe the results come back on; `join TICKET SECONDS`
    and `kill TICKET` are answered with the child's exit code (as multiprocessing gives it), `running` or
    `unknown`. A task that cannot be pickled, or a warm process that has gone, leaves the caller to fork the
    child itself (`fork` gives None, or the child is `lost`), so the results are the same either way.
    """

    def __init__(self, process: Any, control: socket.socket):
        self.process = process
        self.control = control
        self.tickets = itertools.count()
        self.gone = False

    @classmethod
    def start(cls, modules: Sequence[str]) -> WarmStart | None:
        """The warm process, importing `modules` from now on ('module:function' also calls that function of the
        module); None where it cannot be started."""
        if not sys.platform.startswith("linux"):  # descriptors cross a Unix socket, children are forked
            return None
        try:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            context = multiprocessing.get_context("fork")
            process = context.Process(target=_serve_forks, args=(theirs, ours, tuple(modules), os.getpid()),
                                      daemon=True)
            process.start()
        except OSError:
            return None
        theirs.close()
        ours.settimeout(60)  # the modules are imported before the first answer; a wedged process is given up
        return cls(process, ours)

    @property
    def pid(self) -> int:
        return self.process.pid

    def fork(self, tasks: list[Task], limits: Limits) -> tuple[Any, _WarmChild] | None:
        """The connection a child forked from the warm process sends its outcomes on, and the child; None when
        the tasks cannot be pickled or the warm process has gone."""
        if self.gone:
            return None
        try:
            payload = pickle.dumps((tasks, limits), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # e.g. a lambda: such tasks are forked from this process, which holds them already
            return None
        try:
            spool = os.memfd_create("quizgen-tasks")
        except OSError:
            return None
        ticket = next(self.tickets)
        reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)
        try:
            with open(spool, "wb", closefd=False) as file:  # a file, not a pipe: it never waits for the reader
                file.write(payload)
            socket.send_fds(self.control, [f"fork {ticket}".encode()], [spool, writer.fileno()])
        except OSError:
            self.close()
            reader.close()
            return None
        finally:
            os.close(spool)
            writer.close()
        return reader, _WarmChild(self, ticket)

    def ask(self, request: str) -> str | None:
        """The warm process's answer to `request`; None when it has gone (then it is stopped for good)."""
        if self.gone:
            return None
        try:
            self.control.send(request.encode())
            answer = self.control.recv(64)
        except OSError:
            answer = b""
        if not answer:
            self.close()
            return None
        return answer.decode()

    def close(self) -> None:
        """Stop the warm process; the children it forked die with it."""
        if self.gone:
            return
        self.gone = True
        self.control.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


@dataclass
class _WarmChild:
    """A child of the warm process, as `_Child` sees a process: joined, killed and its exit code read through
    the warm process, which alone may wait for it."""

    warm: WarmStart
    ticket: int
    exitcode: int | None = None
    ended: bool = False
    lost: bool = False  # the warm process has gone, or never forked it: its tasks are to be run elsewhere

    def is_alive(self) -> bool:
        return not self.ended

    def join(self, timeout: float = 5) -> None:
        if not self.ended:
            self._take(self.warm.ask(f"join {self.ticket} {timeout:g}"))

    def kill(self) -> None:
        if not self.ended:
            self._take(self.warm.ask(f"kill {self.ticket}"))

    def _take(self, answer: str | None) -> None:
        if answer == "running":
            return
        self.ended = True
        if answer is None or answer == "unknown":
            self.lost = True
        else:
            self.exitcode = int(answer)


def _serve_forks(control: socket.socket, parents_end: socket.socket, modules: tuple[str, ...], parent: int) -> None:
    """In the warm process: import `modules`, then fork a bounded child for each batch asked for, and wait for
    the children when asked; end, and end the children, when this process's parent closes the socket or ends."""
    die_with_parent(parent)
    parents_end.close()  # inherited by the fork; without it, the socket would outlive the parent's closing it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends us
    warnings.simplefilter("ignore")  # as in _work, where these modules were imported before
    gc.disable()  # the modules live as long as the process; the warm-up page leaves too few cycles for a pass
    for name in modules:
        try:
            module, _, function = name.partition(":")
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()
        except Exception:  # a worker that needs the module meets the same error, and reports it on its line
            pass
    gc.freeze()  # never looked at again, here or in the workers forked from here
    gc.enable()
    children: dict[str, int] = {}
    ended: dict[str, int] = {}
    try:
        while True:
            message, descriptors, _, _ = socket.recv_fds(control, 256, 2)
            if not message:
                break
            request, ticket, *rest = message.decode().split()
            if request == "fork":
                pid = _fork_warm_child(control, descriptors)
                if pid:
                    children[ticket] = pid
            else:
                control.send(_child_ended(children, ended, ticket, request == "kill",
                                          float(rest[0]) if rest else 5).encode())
    except (OSError, ValueError):
        pass
    for pid in children.values():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    os._exit(0)


def _fork_warm_child(control: socket.socket, descriptors: list[int]) -> int | None:
    """The pid of a child forked to run the pickled batch; None when it could not be forked (the parent then
    sees its results' pipe close, and this process knows nothing of the ticket)."""
    warm = os.getpid()
    try:
        pid = os.fork() if len(descriptors) == 2 else None
    except OSError:
        pid = None
    if pid == 0:
        try:
            control.close()
            _work_pickled(*descriptors, parent=warm)
        finally:
            os._exit(1)
    for descriptor in descriptors:
        os.close(descriptor)
    return pid


def _work_pickled(spool: int, results: int, *, parent: int) -> None:
    """In a child of the warm process: read the batch and run it as any child does."""
    connection = multiprocessing.connection.Connection(results, readable=False)
    try:
        with open(spool, "rb") as file:
            file.seek(0)  # the parent's writing moved the offset this descriptor shares
            tasks, limits = pickle.load(file)
    except BaseException as exc:
        connection.send(("lost", f"{type(exc).__name__}: {exc}"[:500]))
        os._exit(0)
    _work(connection, tasks, limits, parent)


def _child_ended(children: dict[str, int], ended: dict[str, int], ticket: str, kill: bool, seconds: float) -> str:
    """The exit code of the ticket's child once it has ended (killed first when asked), "running" if it has not
    within `seconds`, "unknown" if it was never forked."""
    if ticket in ended:
        return str(ended[ticket])
    pid = children.get(ticket)
    if pid is None:
        return "unknown"
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + seconds
    while True:
        done, status = os.waitpid(pid, 0 if kill else os.WNOHANG)
        if done:
            ended[ticket] = os.waitstatus_to_exitcode(status)
            del children[ticket]
            return str(ended[ticket])
        if time.monotonic() >= deadline:
            return "running"
        time.sleep(0.005)


def _work(connection: Any, tasks: list[Task], limits: Limits, parent: int) -> None:
    """In the child: apply the limits, run the tasks one by one, send back each result or a message; never
    raise."""
    die_with_parent(parent)
    warnings.simplefilter("ignore")  # e.g. Pillow's DecompressionBombWarning: the limits decide, on one line
    try:
        _apply_limits(limits, len(tasks))
    except BaseException as exc:
        connection.send(("failed", f"could not apply the limits: {type(exc).__name__}: {exc}"[:500]))
        os._exit(0)
    _collect_only_what_the_tasks_make()
    for task in tasks:
        _allow_cpu(limits)
        outcome = _outcome(task, limits)
        try:
            connection.send(outcome)
        except MemoryError:
            connection.send(("failed", "the result needed more memory than allowed; stopped"))
        except Exception as exc:  # an unpicklable value: say so rather than die silently
            connection.send(("failed", f"could not return its result: {type(exc).__name__}: {exc}"[:500]))
    connection.close()
    os._exit(0)  # skip the parent's atexit handlers and buffered output, inherited by the fork


def _collect_only_what_the_tasks_make() -> None:
    """The objects this child inherited (every imported module's, some 65,000 in a render worker) are never looked
    at again by the garbage collector, nor copied from the parent's memory by its bookkeeping; and it looks at young
    objects less often, as most of what a task makes (a layout's boxes) lives until the task is done."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _outcome(task: Task, limits: Limits) -> tuple:
    try:
        return ("ok", task.function(*task.args))
    except QuizgenError as exc:
        return ("problems", list(exc.problems))
    except MemoryError:
        return ("failed", f"needed more than {limits.memory_bytes // 1024 ** 2:,} MB of memory; stopped")
    except RecursionError:
        return ("failed", "nesting or recursion too deep; stopped")
    except BaseException as exc:  # anything else is reported on one line, never as a traceback
        where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        return ("failed", f"failed: {type(exc).__name__}: {exc}"[:500]
                + (f" (in {os.path.basename(where[0].filename)})" if where else ""))


def die_with_parent(parent: int) -> None:
    """End this child when the process that started it ends, even by kill -9, so no worker outlives a run.

    Linux sends the signal asked for with prctl(PR_SET_PDEATHSIG); elsewhere a thread watches the parent.
    A parent that ended before the request was made is seen at once: this process has a new parent.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler cleans up the parent, not us
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _apply_limits(limits: Limits, tasks: int = 1) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills us
    # the hard limits too, so nothing in the worker can raise them again; the CPU's hard limit is a little
    # higher than the whole batch's allowance, so SIGXCPU (reported as such) comes first and SIGKILL only
    # if that is ignored; _allow_cpu gives each task its own allowance below it
    for kind, value, margin in ((resource.RLIMIT_CPU, limits.cpu_seconds * tasks, 5),
                                (resource.RLIMIT_AS, limits.memory_bytes, 0)):
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value, margin = min(value, hard), min(margin, max(hard - value, 0))
        resource.setrlimit(kind, (value, value + margin))


def _allow_cpu(limits: Limits) -> None:
    """Move the soft CPU limit to `cpu_seconds` past what this process had used when the task began, counted in
    whole seconds as the limit is (within the hard one)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = math.floor(used.ru_utime + used.ru_stime) + limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


# ---- Jinja2: arithmetic and repetition bounded, nothing folded before the limits hold ---------------

MAX_INT_BITS = 4096  # about 1,200 digits: no question or layout needs a larger number
MAX_REPEAT = 100_000  # items or characters one `*` may make


def bounded_environment(**options: Any) -> Any:
    """A SandboxedEnvironment for untrusted templates and layouts, built without the compile-time optimizer:
    Jinja2 would otherwise fold `{{ 9**(9**9) }}` while compiling, before any limit or hook applies."""
    return _bounded_class()(optimized=False, **options)


def _bounded_class() -> type:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    from .model import Origin

    class BoundedEnvironment(SandboxedEnvironment):
        """Refuses `**`, `*` and `%` whose result would be huge, and hides the paths of the user's files."""

        intercepted_binops = frozenset({"**", "*", "%"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            problem = _oversized(operator, left, right)
            if problem:
                raise SecurityError(problem)
            return super().call_binop(context, operator, left, right)

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            # every test below looks at the types and the name only: decided once per process for each, as a
            # flashcards' plan reads some 10,000 attributes
            key = (type(obj), attr, type(value))
            safe = _SAFE_ATTRIBUTES.get(key)
            if safe is None:
                # a pack's folder or a fact's file would put the user's absolute paths into question text
                safe = not isinstance(value, (os.PathLike, Origin)) and super().is_safe_attribute(obj, attr, value)
                if len(_SAFE_ATTRIBUTES) >= SAFE_ATTRIBUTES_KEPT:
                    _SAFE_ATTRIBUTES.clear()
                _SAFE_ATTRIBUTES[key] = safe
            return safe

    return BoundedEnvironment


_SAFE_ATTRIBUTES: dict[tuple[type, str, type], bool] = {}
SAFE_ATTRIBUTES_KEPT = 4096


def _oversized(operator: str, left: Any, right: Any) -> str:
    """Why `left operator right` may not be computed, or "" when it is small enough."""
    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if operator == "**" and whole(left) and whole(right) and abs(left) > 1 and right > 0:
        if right * (abs(left).bit_length() - 1) > MAX_INT_BITS:
            return f"{left} ** {right} is too large; numbers are limited to {MAX_INT_BITS:,} bits"
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and whole(count) and len(sequence) * count > MAX_REPEAT:
                return (f"repeating {len(sequence):,} items {count:,} times is too much; "
                        f"expected at most {MAX_REPEAT:,}")
        if whole(left) and whole(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            return f"the product is too large; numbers are limited to {MAX_INT_BITS:,} bits"
    if operator == "%" and isinstance(left, str) and re.search(r"%[-+ #0]*\d{6,}", left):
        return "a %-format width of a million or more is too much"
    return ""
