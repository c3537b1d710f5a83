"""The author's commands: `quizgen new`, `new-template`, `draft` and `serve`, from parsed arguments to exit code."""

from __future__ import annotations

import argparse
import sys

from ..text import EscapingWriter


def cmd_new_template(args: argparse.Namespace) -> int:
    from ..generate.templates import write_starter_template

    path = write_starter_template(args.dir, args.name, args.type)
    print(f"wrote {path}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .newpack import next_steps, write_new_pack

    write_new_pack(args.folder, example=args.example)
    print(next_steps(args.folder, args.example))
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from ..load.pack import load_pack
    from .draft import coverage_report, draft_of, draft_report, write_draft

    pack = load_pack(args.pack)
    draft = draft_of(pack, args.source)
    out = EscapingWriter(sys.stdout)  # a source's sentences may hold control characters: shown, never obeyed
    if args.coverage:
        from ..generate import question_pool

        print(coverage_report(draft, question_pool(pack).asked_facts()), file=out)
        return 0
    target = write_draft(draft, args.out)
    print(draft_report(draft, target), file=out)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import ServeOptions, serve

    return serve(ServeOptions(pack=args.pack, templates=tuple(args.templates), layouts=tuple(args.layouts),
                              port=args.port, count=args.count, seed=args.seed))
