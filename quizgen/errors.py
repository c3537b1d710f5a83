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
    """Paths are shown relative to the working directory when they are inside it; quizgen's own files (built-in
    templates and layouts) as `<built-in>/templates/…`, never by where the package happens to be installed."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return builtin_name(p) or str(p)


BUILTIN = "<built-in>"


def builtin_name(path: Path) -> str | None:
    """`<built-in>/templates/questions/mc-object.yaml` for a file of the package's data (or of the checkout's
    templates/ and schema/ that a wheel carries as that data), else None."""
    package = Path(__file__).resolve().parent
    resolved = Path(path).resolve()
    for base, folders in ((package / "data", ("templates", "schema", "content")),
                          (package.parent, ("templates", "schema"))):  # a checkout's content/ is the author's own
        for folder in folders:
            if resolved.is_relative_to(base / folder):
                return f"{BUILTIN}/{resolved.relative_to(base).as_posix()}"
    return None


def format_problems(error: QuizgenError) -> str:
    count = len(error.problems)
    lines = [str(p) for p in error.problems]
    if count > 1:
        lines.append(f"{counted(count, 'problem')} found")
    return "\n".join(lines)
