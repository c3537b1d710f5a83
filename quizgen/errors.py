"""One error type for everything a user can get wrong, and the one way it is printed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .text import counted


@dataclass(frozen=True)
class Problem:
    """A single thing wrong with the user's input, located at file:line:column."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.field)


class QuizgenError(Exception):
    """Raised with one or more problems; the CLI prints them and exits 1."""

    def __init__(self, problems: Problem | list[Problem] | tuple[Problem, ...]):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: str | Path, message: str, *, line: int = 0, column: int = 0, field: str = "") -> "QuizgenError":
        return cls(Problem(display_path(path), line, column, field, message))


def display_path(path: str | Path) -> str:
    """Paths are shown relative to the working directory when they are inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def format_problems(error: QuizgenError) -> str:
    count = len(error.problems)
    lines = [str(p) for p in error.problems]
    if count > 1:
        lines.append(f"{counted(count, 'problem')} found")
    return "\n".join(lines)
