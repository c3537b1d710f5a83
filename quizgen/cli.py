"""Command line: parses arguments, calls the pipeline stages, prints problems and sets the exit code."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from . import __version__
from .errors import QuizgenError, format_problems
from .model import QUESTION_TYPES


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except QuizgenError as exc:
        print(format_problems(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizgen", description="Sourced facts in; question sets, keys, "
                                     "printable flashcards and quiz exports out.")
    parser.add_argument("--version", action="version", version=f"quizgen {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    check = sub.add_parser("check", help="validate a content pack and list every problem")
    check.add_argument("pack", type=Path)
    check.set_defaults(handler=cmd_check)

    stats = sub.add_parser("stats", help="count a pack's facts by kind, tag and source")
    stats.add_argument("pack", type=Path)
    stats.set_defaults(handler=cmd_stats)

    listing = sub.add_parser("list", help="list a pack's facts, entities or sources")
    listing.add_argument("pack", type=Path)
    listing.add_argument("what", nargs="?", choices=("facts", "entities", "sources"), default="facts")
    listing.set_defaults(handler=cmd_list)

    generate = sub.add_parser("generate", help="generate a question set (JSON or text)")
    add_generation_options(generate)
    generate.add_argument("--format", choices=("json", "text"), default="text")
    generate.add_argument("--versions", type=positive_int, default=1)
    generate.set_defaults(handler=cmd_generate)

    new_template = sub.add_parser("new-template", help="write a commented starting question template")
    new_template.add_argument("name")
    new_template.add_argument("--type", required=True, choices=QUESTION_TYPES)
    new_template.add_argument("--dir", type=Path, default=Path("my-templates"))
    new_template.set_defaults(handler=cmd_new_template)

    build = sub.add_parser("build", help="build worksheets, keys, flashcards and exports into build/")
    build.add_argument("pack", type=Path, nargs="?", default=Path("content/deir-ez-zor-2014"))
    build.add_argument("--out", type=Path, default=Path("build"))
    build.add_argument("--templates", type=Path, action="append", default=[])
    build.add_argument("--layouts", type=Path, action="append", default=[])
    build.add_argument("--versions", type=positive_int, default=1)
    build.add_argument("--count", type=positive_int, default=20)
    build.add_argument("--seed", type=int, default=1)
    build.add_argument("--paper", choices=("a4", "letter"), default="a4")
    build.add_argument("--cards", default="2x4",
                       help="cards per sheet as COLUMNSxROWS: 2x4 (default), 3x3, or a grid sized in cards.yaml")
    build.add_argument("--flip", choices=("long", "short"), default="long", help="duplex flip edge")
    build.add_argument("--fold", action="store_true", help="flashcards as fold-over pages (no duplex)")
    build.add_argument("--back-offset", default="0,0",
                       help="shift back pages by X,Y millimetres, as read from the calibration sheet")
    build.add_argument("--calibration", action="store_true", help="also write a duplex calibration sheet")
    build.add_argument("--only", action="append", default=[],
                       help="build only these outputs (repeatable or comma-separated): questions, worksheets, "
                       "keys, flashcards, calibration, exports, answer-sheets")
    build.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: all cores)")
    build.add_argument("--quiet", "-q", action="store_true")
    build.add_argument("--answer-sheets", action="store_true",
                       help="also write answer sheets to tick and scan for `quizgen grade`")
    build.add_argument("--students", type=Path, default=None,
                       help="class list CSV (number,name): one named answer sheet per student")
    build.set_defaults(handler=cmd_build)

    grade = sub.add_parser("grade", help="mark scanned answer sheets: marks.csv, annotated PDFs, item analysis")
    grade.add_argument("build_folder", type=Path, help="the build folder holding answer-sheets.json")
    grade.add_argument("scans", type=Path, nargs="+", help="scanned PDFs, images, or folders of them")
    grade.add_argument("--out", type=Path, default=None, help="output folder (default: BUILD_FOLDER/grading)")
    grade.add_argument("--dpi", type=positive_int, default=200,
                       help="resolution for PDF pages that are not one scanned picture (default 200)")
    grade.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: all cores)")
    grade.add_argument("--layouts", type=Path, action="append", default=[],
                       help="folder whose grading-report.html replaces the built-in report page")
    grade.add_argument("--quiet", "-q", action="store_true")
    grade.set_defaults(handler=cmd_grade)

    export = sub.add_parser("export", help="write one export format")
    add_generation_options(export)
    export.add_argument("--format", required=True,
                        choices=("anki", "moodle", "gift", "qti", "kahoot", "csv", "tsv", "html"))
    export.add_argument("-o", "--output", type=Path)
    export.set_defaults(handler=cmd_export)

    drill = sub.add_parser("drill", help="self-test in the terminal with Leitner boxes")
    add_generation_options(drill)
    drill.add_argument("--deck", type=Path, help="state file (default: .quizgen-drill-<pack>.json)")
    drill.add_argument("--limit", type=positive_int, default=10, help="questions per session")
    drill.set_defaults(handler=cmd_drill)
    return parser


def add_generation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pack", type=Path)
    parser.add_argument("--templates", type=Path, action="append", default=[],
                        help="folder of question templates that override or add to the built-ins")
    parser.add_argument("--types", nargs="+", choices=QUESTION_TYPES, default=None)
    parser.add_argument("--tags", nargs="+", default=None)
    parser.add_argument("--count", type=positive_int, default=20)
    parser.add_argument("--seed", type=int, default=1)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive; expected 1 or more")
    return value


def cmd_check(args: argparse.Namespace) -> int:
    from .content import load_pack

    pack = load_pack(args.pack)
    print(f"{pack.id}: {len(pack.facts)} facts, {len(pack.entities)} entities, {len(pack.sources)} sources — ok")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from .content import load_pack

    pack = load_pack(args.pack)
    print(f"{pack.title} ({pack.id})")
    print(f"  facts {len(pack.facts)}, entities {len(pack.entities)}, sources {len(pack.sources)}, "
          f"quizzable facts {len(pack.quizzable_facts())}")
    sections = {
        "facts by kind": Counter(f.kind for f in pack.facts),
        "facts by tag": Counter(t for f in pack.facts for t in f.tags),
        "facts by source": Counter(s for f in pack.facts for s in f.sources),
        "facts by confidence": Counter(f.confidence for f in pack.facts),
        "entities by category": Counter(e.category for e in pack.entities),
    }
    for title, counts in sections.items():
        print(f"\n{title}:")
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {name:<28} {n:>4}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .content import load_pack

    pack = load_pack(args.pack)
    if args.what == "facts":
        for f in pack.facts:
            when = f" [{f.date.text}]" if f.date else ""
            print(f"{f.id:<6} {f.kind:<12}{when} {f.statement}")
    elif args.what == "entities":
        for e in pack.entities:
            print(f"{e.id:<32} {e.category:<12} {e.name}")
    else:
        for s in pack.sources:
            print(f"{s.id:<5} {s.citation()}")
    return 0


def load_questions(args: argparse.Namespace, versions: int = 1):
    from .content import load_pack
    from .generate import generate_question_set

    pack = load_pack(args.pack)
    return pack, generate_question_set(pack, template_dirs=args.templates, types=args.types, tags=args.tags,
                                       count=args.count, seed=args.seed, versions=versions)


def cmd_generate(args: argparse.Namespace) -> int:
    from .generate.serialise import question_set_json, question_set_text

    _, question_set = load_questions(args, versions=args.versions)
    output = question_set_json(question_set) if args.format == "json" else question_set_text(question_set)
    sys.stdout.write(output)
    return 0


def cmd_new_template(args: argparse.Namespace) -> int:
    from .generate.templates import write_starter_template

    path = write_starter_template(args.dir, args.name, args.type)
    print(f"wrote {path}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, run_build

    return run_build(BuildOptions.from_args(args))


def cmd_grade(args: argparse.Namespace) -> int:
    from .grade.run import GradeOptions, run_grade

    return run_grade(GradeOptions(args.build_folder, tuple(args.scans), args.out, args.jobs, args.dpi, args.quiet,
                                  tuple(args.layouts)))


def cmd_export(args: argparse.Namespace) -> int:
    from .export import write_export

    pack, question_set = load_questions(args)
    target = write_export(question_set, args.format, args.output)
    print(f"wrote {target}")
    return 0


def cmd_drill(args: argparse.Namespace) -> int:
    from .drill import run_drill

    args.count = max(args.count, 500)  # the drill schedules the whole pack, not a worksheet's worth
    pack, question_set = load_questions(args)
    return run_drill(question_set, state_path=args.deck, limit=args.limit)


if __name__ == "__main__":
    sys.exit(main())
