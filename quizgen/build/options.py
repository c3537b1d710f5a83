"""What a build is asked to make: the options of `quizgen build`, read and checked from the command line."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, QuizgenError
from ..files import caching_enabled
from ..render import imposition
from ..render.imposition import Flip, Grid, Offset

if TYPE_CHECKING:
    from ..render.answer_sheets import ClassList

OUTPUT_KINDS = ("questions", "worksheets", "keys", "flashcards", "calibration", "exports", "answer-sheets")


@dataclass(frozen=True)
class BuildOptions:
    pack: Path
    out: Path = Path("build")
    templates: tuple[Path, ...] = ()
    layouts: tuple[Path, ...] = ()
    versions: int = 1
    count: int = 20
    seed: int = 1
    paper: str = "a4"
    cards: Grid = Grid(2, 4)
    flip: Flip = "long"
    fold: bool = False
    back_offset: Offset = Offset()
    calibration: bool = False
    only: tuple[str, ...] = ()
    jobs: int | None = None
    quiet: bool = False
    verbose: bool = False
    answer_sheets: bool = False  # also answer sheets to scan, and their geometry for `quizgen grade`
    students: Path | None = None  # a class list: one named answer sheet per student
    inputs: str = ""  # fingerprint of everything the outputs depend on, recorded in the manifest
    pool_cache: bool = True  # the pack and its pool kept in the user's cache folder (build/pool_cache.py)
    class_list: ClassList | None = field(default=None, compare=False)  # `students` as read, by with_class_list

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BuildOptions:
        """Options from the parsed command line; malformed --cards, --back-offset or --only → QuizgenError."""
        problems = []
        grid, offset = Grid(2, 4), Offset()
        try:
            grid = imposition.parse_grid(args.cards)
        except ValueError as exc:
            problems.append(option_problem("--cards", str(exc)))
        try:
            offset = imposition.parse_offset(args.back_offset)
        except ValueError as exc:
            problems.append(option_problem("--back-offset", str(exc)))
        only = tuple(part.strip() for value in args.only for part in value.split(",") if part.strip())
        for kind in only:
            if kind not in OUTPUT_KINDS:
                problems.append(option_problem("--only", f"{kind!r} is not an output; expected one of "
                                                + ", ".join(OUTPUT_KINDS)))
        if problems:
            raise QuizgenError(problems)
        return cls(pack=Path(args.pack), out=Path(os.path.normpath(args.out)), templates=tuple(args.templates),
                   layouts=tuple(args.layouts), versions=args.versions, count=args.count, seed=args.seed,
                   paper=args.paper, cards=grid, flip=args.flip, fold=args.fold, back_offset=offset,
                   calibration=args.calibration, only=only, jobs=args.jobs, quiet=args.quiet,
                   verbose=getattr(args, "verbose", False),
                   answer_sheets=getattr(args, "answer_sheets", False) or getattr(args, "students", None) is not None,
                   students=getattr(args, "students", None),
                   pool_cache=caching_enabled(getattr(args, "no_cache", False)))

    def wants(self, kind: str) -> bool:
        if self.only:
            return kind in self.only
        if kind == "calibration":
            return self.calibration
        if kind == "answer-sheets":
            return self.answer_sheets
        return True

    def manifest_options(self) -> dict:
        """The options that decide the files' content, recorded in the manifest (no paths, no timing)."""
        return {"versions": self.versions, "count": self.count, "seed": self.seed, "paper": self.paper,
                "cards": str(self.cards), "flip": self.flip, "fold": self.fold,
                "back_offset": [self.back_offset.x, self.back_offset.y], "calibration": self.calibration,
                "only": list(self.only), **self._answer_sheet_options()}

    def _answer_sheet_options(self) -> dict:
        if not self.answer_sheets:
            return {}
        class_list = self.with_class_list().class_list
        return {"answer_sheets": True, "students": class_list.fingerprint if class_list else ""}

    def with_class_list(self) -> BuildOptions:
        """These options holding the --students list, read now and only now: `--students <(…)` is a pipe,
        whose bytes come only once."""
        if self.students is None or self.class_list is not None:
            return self
        from ..render.answer_sheets import read_class_list_once

        return replace(self, class_list=read_class_list_once(self.students))


def option_problem(option: str, message: str) -> Problem:
    return Problem("command line", 0, 0, option, message)
