"""What a build says while it runs and when it is done: a progress bar or lines, then a table of files."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from ..errors import display_path
from ..text import counted
from .manifest import MANIFEST, BuildResult

PROGRESS_AFTER = 1.0  # seconds: quicker builds finish before a progress bar would be worth drawing


@dataclass
class BuildProgress:
    """What a build says while it runs, once it has run for more than a second: a rich progress bar on a
    terminal, one line per stage on stderr otherwise (logs, CI), nothing with --quiet. How many files the
    build will write is said before, once (make_files)."""

    mode: str = "off"  # "bar", "lines" or "off"
    started: float = field(default_factory=time.perf_counter)
    total: int = 0
    done: int = 0
    _waiting: list[tuple[str, float]] = field(default_factory=list)  # lines from before the first second was up
    _speaking: bool = False
    _progress: object | None = None
    _task: object | None = None

    def expect(self, total: int) -> None:
        self.total = total
        self._maybe_speak()

    def stage(self, line: str) -> None:
        """One stage done (lines mode), said now or as soon as the build has run for a second."""
        if self.mode == "lines":
            self._waiting.append((line, time.perf_counter() - self.started))
            self._maybe_speak()

    def advance(self, name: str) -> None:
        if name:
            self.done += 1
            self.stage(f"[{self.done}/{self.total}] {name}")
        else:
            self._maybe_speak()
        if self.mode != "bar":
            return
        if self._progress is None and time.perf_counter() - self.started > PROGRESS_AFTER:
            self._start()
        if self._progress is not None:
            if name:
                self._progress.update(self._task, completed=self.done, description=name)
            self._progress.refresh()

    def _maybe_speak(self) -> None:
        if self.mode != "lines" or (not self._speaking and time.perf_counter() - self.started <= PROGRESS_AFTER):
            return
        self._speaking = True
        for line, at in self._waiting:
            print(f"quizgen: {line} ({at:.1f} s)", file=sys.stderr, flush=True)
        self._waiting.clear()

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self._progress = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.description}"), TimeElapsedColumn(),
                                  console=console, transient=True,
                                  # no refresh thread: workers are forked while the bar runs, and a fork
                                  # must not copy a thread that may hold the terminal's lock
                                  auto_refresh=False)
        self._task = self._progress.add_task("", total=self.total, completed=self.done)
        self._progress.start()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def print_summary(result: BuildResult, *, tty: bool) -> None:
    """A table of files on a terminal (for builds over a second), plain lines otherwise."""
    where = display_path(result.folder)
    if tty and result.seconds > PROGRESS_AFTER:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{where}  ({counted(len(result.files), 'file')}, {result.seconds:.1f} s)",
                      title_justify="left")
        for column, justify in (("file", "left"), ("pages", "right"), ("size", "right"), ("time", "right")):
            table.add_column(column, justify=justify)
        for f in result.files:
            table.add_row(f.name, str(f.pages) if f.pages is not None else "", human_size(f.size),
                          f"{f.seconds:.2f} s" if f.seconds else "")
        Console().print(table)
        return
    print(f"built {counted(len(result.files), 'file')} into {where} in {result.seconds:.1f} s (see {MANIFEST})")


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"
