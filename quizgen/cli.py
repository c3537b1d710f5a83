"""Command line: parses arguments, calls the pipeline stages, prints problems and sets the exit code."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .author.commands import cmd_draft, cmd_new, cmd_new_template, cmd_serve
from .errors import QuizgenError, format_problems
from .model import QUESTION_TYPES
from .study.commands import cmd_review
from .text import EscapingWriter, counted


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    undo = _no_cache_for_the_run() if getattr(args, "no_cache", False) else None
    previous = _stop_cleanly_on_sigterm()
    try:
        return args.handler(args) or 0
    except QuizgenError as exc:
        print(format_problems(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a write the stages did not expect to fail (a full disk under the output): one line
        where = f": {exc.filename}" if exc.filename else ""
        print(f"quizgen: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if undo is not None:
            undo()


def _no_cache_for_the_run():
    """`--no-cache` as QUIZGEN_NO_CACHE=1, for every process of the run (its workers read no cache either), until
    main() returns; gives the function that puts the variable back as it was."""
    import os

    from .files import NO_CACHE_VARIABLE

    before = os.environ.get(NO_CACHE_VARIABLE)
    os.environ[NO_CACHE_VARIABLE] = "1"

    def undo() -> None:
        if before is None:
            os.environ.pop(NO_CACHE_VARIABLE, None)
        else:
            os.environ[NO_CACHE_VARIABLE] = before
    return undo


def run(after: Callable[[], None] | None = None) -> None:
    """The `quizgen` command: main(), then out of the process without the interpreter's teardown, which frees the
    loaded pack, its pool and every module one object at a time (0.1 s after a build, for nothing anyone sees).
    Output is flushed and the exit handlers run first (temporary folders removed, child processes ended), as a
    normal exit does, then `after` is called (unless the command was interrupted); an exception main() lets through
    takes the normal way out, with its traceback."""
    import os

    code = finished(main())
    if after is not None and code not in (130, 128 + signal.SIGTERM):  # not after the user stopped the command
        after()
    os._exit(code)


def finished(code: int) -> int:
    """The exit code once the output is flushed (120 when it could not be written) and the exit handlers have run,
    as a normal exit runs them."""
    import atexit

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that went away, or a stream closed: nothing to tell
            pass
        except OSError as exc:  # a full disk, say: the output is lost, and the exit code says so
            try:
                print(f"quizgen: could not write the output: {exc.strerror or exc}", file=sys.stderr, flush=True)
            except (OSError, ValueError):
                pass
            code = code or 120
    atexit._run_exitfuncs()
    return code


class Terminated(BaseException):
    """SIGTERM arrived (from `timeout`, CI or a service manager): unwound like Ctrl-C, so that worker
    processes are stopped and temporary files removed on the way out."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _stop_cleanly_on_sigterm():
    """Turn SIGTERM into Terminated while a command runs; the handler it replaces, or None when not replaced."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):
        return None  # someone embedding quizgen handles SIGTERM already
    signal.signal(signal.SIGTERM, _raise_terminated)
    return previous


class HelpWithDefaults(argparse.HelpFormatter):
    """Adds '(default: X)' to each option's help, unless the help names its default already or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS) or action.default == []:
            return text
        if not action.option_strings and action.nargs != "?":
            return text
        return f"{text} (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizgen", description="Sourced facts in; question sets, keys, "
                                     "printable flashcards and quiz exports out.")
    parser.add_argument("--version", action="version", version=f"quizgen {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, formatter_class=HelpWithDefaults)

    check = command("check", "validate a content pack and list every problem")
    check.add_argument("pack", type=Path, help=PACK_HELP)
    check.add_argument("--templates", type=Path, action="append", default=[],
                       help="folder of question templates whose questions review.yaml may leave out")
    check.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)
    check.set_defaults(handler=cmd_check)

    stats = command("stats", "count a pack's facts by topic and relation, its questions by type, and what is asked")
    stats.add_argument("pack", type=Path, help=PACK_HELP)
    stats.add_argument("--why", metavar="FACT", default=None,
                       help="list every reason this fact yields fewer questions than its relation allows")
    stats.add_argument("--templates", type=Path, action="append", default=[], help=TEMPLATES_HELP)
    stats.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)
    stats.set_defaults(handler=cmd_stats)

    listing = command("list", "list a pack's facts, entities or sources")
    listing.add_argument("pack", type=Path, help=PACK_HELP)
    listing.add_argument("what", nargs="?", choices=("facts", "entities", "sources"), default="facts",
                         help="what to list")
    listing.set_defaults(handler=cmd_list)

    lint = command("lint", "check the whole question pool against item-writing rules")
    lint.add_argument("pack", type=Path, help="content pack folder")
    lint.add_argument("--templates", type=Path, action="append", default=[],
                      help="folder of question templates that override or add to the built-ins")
    lint.add_argument("--warnings", action="store_true", help="list warnings too, not only errors")
    lint.add_argument("--info", action="store_true",
                      help="list warnings and notes too: why each fact yields fewer questions than its relation allows")
    lint.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)
    lint.set_defaults(handler=cmd_lint)

    review = command("review", "review the whole question pool and leave questions out")
    review.add_argument("pack", type=Path, help="content pack folder")
    review.add_argument("--templates", type=Path, action="append", default=[],
                        help="folder of question templates that override or add to the built-ins")
    review.add_argument("--out", type=Path, default=None,
                        help="write the review sheet here (default: review.html in the current folder)")
    review.add_argument("--text", action="store_true", help="print the pool as students see it instead")
    review.add_argument("--exclude", nargs="+", default=[], metavar="QUESTION_ID",
                        help="leave these questions out (recorded in the pack's review.yaml)")
    review.add_argument("--include", nargs="+", default=[], metavar="QUESTION_ID",
                        help="take these questions back in")
    review.add_argument("--reason", default="", help="why the --exclude questions are left out")
    review.add_argument("--stats", type=Path, nargs="+", default=[], metavar="GRADING_FOLDER",
                        help="print each question's difficulty, discrimination and option counts from these graded "
                             "classes, flagging questions to look at")
    review.set_defaults(handler=cmd_review)

    generate = command("generate", "generate a question set (JSON or text) on standard output")
    add_generation_options(generate)
    generate.add_argument("--format", choices=("json", "text"), default="text", help="output format")
    generate.add_argument("--versions", type=positive_int, default=1,
                          help="shuffled versions of the set, each with its own key")
    generate.set_defaults(handler=cmd_generate)

    new_template = command("new-template", "write a commented starting question template")
    new_template.add_argument("name", help="the template's id and file name (my-question → my-question.yaml)")
    new_template.add_argument("--type", required=True, choices=QUESTION_TYPES, help="question type (required)")
    new_template.add_argument("--dir", type=Path, default=Path("my-templates"), help="folder to write it into")
    new_template.set_defaults(handler=cmd_new_template)

    new = command("new", "write a new pack folder: a commented starter pack that passes check and lint")
    new.add_argument("folder", type=Path, help="the pack folder to make (new or empty)")
    new.add_argument("--example", action="store_true",
                     help="write the bundled example pack (the one the README tour uses) instead")
    new.set_defaults(handler=cmd_new)

    draft = command("draft", "list a source text's sentences no fact quotes yet, with a fact skeleton for each")
    draft.add_argument("pack", type=Path, help=PACK_HELP)
    draft.add_argument("source", type=Path, help="the source text: plain text, Markdown or HTML")
    draft.add_argument("--out", type=Path, default=None,
                       help="the draft YAML to write (default: draft-<source name>.yaml in the current folder)")
    draft.add_argument("--coverage", action="store_true",
                       help="print how much of the source (sentences, numbers, dates) the pack's quotations cover, "
                       "and its asked facts' quotations, and write no draft")
    draft.set_defaults(handler=cmd_draft)

    build = command("build", "build worksheets, keys, flashcards and exports into OUT/<pack-id>/")
    build.add_argument("pack", type=Path, nargs="?", default=Path("content/deir-ez-zor-2014"), help=PACK_HELP)
    build.add_argument("--out", type=Path, default=Path("build"),
                       help="folder to build into; the files go into its subfolder named after the pack")
    build.add_argument("--templates", type=Path, action="append", default=[], help=TEMPLATES_HELP)
    build.add_argument("--layouts", type=Path, action="append", default=[],
                       help="folder of page layouts that replace built-ins by file name (repeatable)")
    build.add_argument("--versions", type=positive_int, default=1,
                       help="shuffled worksheet versions, each with its answer key")
    build.add_argument("--count", type=positive_int, default=20, help=COUNT_HELP)
    build.add_argument("--seed", type=int, default=1, help=SEED_HELP)
    build.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size")
    build.add_argument("--cards", default="2x4",
                       help="cards per sheet as COLUMNSxROWS: 2x4 (default), 3x3, or a grid sized in cards.yaml")
    build.add_argument("--flip", choices=("long", "short"), default="long", help="duplex flip edge")
    build.add_argument("--fold", action="store_true", help="also flashcards-fold.pdf: fold-over pages, no duplex")
    build.add_argument("--back-offset", default="0,0",
                       help="shift back pages by X,Y millimetres, as read from `quizgen calibration`")
    build.add_argument("--calibration", action="store_true", help="also write calibration.pdf into the build")
    build.add_argument("--only", action="append", default=[],
                       help="build only these outputs (repeatable or comma-separated): questions, worksheets, "
                       "keys, flashcards, calibration, exports, answer-sheets; default: all")
    build.add_argument("--jobs", type=positive_int, default=None,
                       help="render worker processes (default: all cores); the exports are made beside them in one "
                            "more")
    build.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    build.add_argument("--verbose", "-v", action="store_true",
                       help="also list each question an export left out, and why")
    build.add_argument("--answer-sheets", action="store_true",
                       help="also write answer sheets to tick and scan for `quizgen grade`")
    build.add_argument("--students", type=Path, default=None,
                       help="class list CSV (number,name): one named answer sheet per student")
    build.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)
    build.set_defaults(handler=cmd_build)

    calibration = command("calibration", "write a duplex calibration sheet to measure --back-offset")
    calibration.add_argument("-o", "--output", type=Path, default=Path("calibration.pdf"), help="PDF to write")
    calibration.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size")
    calibration.add_argument("--flip", choices=("long", "short"), default="long", help="duplex flip edge")
    calibration.add_argument("--back-offset", default="0,0",
                             help="the offset in use, X,Y mm: print again with it to check the correction")
    calibration.add_argument("--layouts", type=Path, action="append", default=[],
                             help="folder of page layouts that replace built-ins by file name (repeatable)")
    calibration.set_defaults(handler=cmd_calibration)

    grade = command("grade", "mark scanned answer sheets: marks.csv, annotated PDFs, item analysis")
    grade.add_argument("build_folder", type=Path, help="the build folder holding answer-sheets.json")
    grade.add_argument("scans", type=Path, nargs="+", help="scanned PDFs, images, or folders of them")
    grade.add_argument("--out", type=Path, default=None, help="output folder (default: BUILD_FOLDER/grading)")
    grade.add_argument("--dpi", type=positive_int, default=200,
                       help="resolution for PDF pages that are not one scanned picture (default 200)")
    grade.add_argument("--jobs", type=positive_int, default=None, help="worker processes (default: all cores)")
    grade.add_argument("--layouts", type=Path, action="append", default=[],
                       help="folder whose grading-report.html replaces the built-in report page")
    grade.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    grade.set_defaults(handler=cmd_grade)

    export = command("export", "write one export format")
    add_generation_options(export)
    export.add_argument("--format", required=True,
                        choices=("anki", "moodle", "gift", "qti", "qti21", "kahoot", "csv", "tsv", "html", "docx"),
                        help="export format (required)")
    export.add_argument("--versions", type=positive_int, default=1,
                        help="shuffled versions of the set (qti21: a test per version; docx: a worksheet and key "
                             "per version)")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: ./<pack-id>-<format file name>)")
    export.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    export.add_argument("--verbose", "-v", action="store_true",
                        help="also list each question the format left out, and why")
    export.set_defaults(handler=cmd_export)

    serve = command("serve", "a live preview for authors on 127.0.0.1: the pool, a worksheet, a card sheet and every "
                             "problem, reloaded when a pack file, template or layout is saved")
    serve.add_argument("pack", type=Path, help=PACK_HELP)
    serve.add_argument("--port", type=port_number, default=8000, help="port to listen on (0: any free port)")
    serve.add_argument("--templates", type=Path, action="append", default=[], help=TEMPLATES_HELP)
    serve.add_argument("--layouts", type=Path, action="append", default=[],
                       help="folder of page layouts that replace built-ins by file name (repeatable)")
    serve.add_argument("--count", type=positive_int, default=20, help="questions on the worksheet")
    serve.add_argument("--seed", type=int, default=1, help=SEED_HELP)
    serve.set_defaults(handler=cmd_serve)

    drill = command("drill", "self-test in the terminal with Leitner boxes")
    add_generation_options(drill, count=DRILL_COUNT,
                           count_help=f"questions generated to schedule from, {DRILL_COUNT} at least, so the "
                           "drill covers the whole pack")
    drill.add_argument("--deck", type=Path, help="state file (default: .quizgen-drill-<pack-id>.json)")
    drill.add_argument("--limit", type=positive_int, default=10, help="questions per session")
    drill.set_defaults(handler=cmd_drill)
    return parser

PACK_HELP = "content pack folder (holding pack.yaml)"
TEMPLATES_HELP = "folder of question templates that override or add to the built-ins (repeatable)"
COUNT_HELP = "questions to generate"
SEED_HELP = "random seed: the same seed gives the same questions and order"

NO_CACHE_HELP = ("read the pack and make its question pool afresh, neither reading nor writing anything kept in the "
                 "user's cache folder: the pool, laid-out pieces, compiled layouts (also QUIZGEN_NO_CACHE=1)")

DRILL_COUNT = 500  # the drill schedules the whole pack, not a worksheet's worth


def add_generation_options(parser: argparse.ArgumentParser, *, count: int = 20, count_help: str = COUNT_HELP) -> None:
    parser.add_argument("pack", type=Path, help=PACK_HELP)
    parser.add_argument("--templates", type=Path, action="append", default=[], help=TEMPLATES_HELP)
    parser.add_argument("--types", nargs="+", choices=QUESTION_TYPES, default=None,
                        help="only these question types (default: all)")
    parser.add_argument("--tags", nargs="+", default=None, help="only facts with one of these tags (default: all)")
    parser.add_argument("--count", type=positive_int, default=count, help=count_help)
    parser.add_argument("--seed", type=int, default=1, help=SEED_HELP)
    parser.add_argument("--no-cache", action="store_true", help=NO_CACHE_HELP)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive; expected 1 or more")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port; expected 0 to 65535")
    return value


def cmd_check(args: argparse.Namespace) -> int:
    from .build.pool_cache import checked_pack
    from .files import caching_enabled
    from .generate import nothing_to_ask
    from .study.review import unmatched_exclusions

    pack, pool = checked_pack(args.pack, tuple(args.templates), enabled=caching_enabled(args.no_cache))
    for warning in unmatched_exclusions(pack, tuple(args.templates), pool=pool):
        print(warning, file=sys.stderr)
    print(f"{pack.id}: {counted(len(pack.facts), 'fact')}, {counted(len(pack.entities), 'entity', 'entities')}, "
          f"{counted(len(pack.sources), 'source')} — ok")
    if (empty := nothing_to_ask(pack)) is not None:
        print(f"note: {empty}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from .build.pool_cache import pack_and_pool
    from .files import caching_enabled
    from .load.pack import load_pack
    from .generate import question_pool

    if args.why is not None:
        return print_why(load_pack(args.pack), args.why, args.templates)
    pack, pool = pack_and_pool(args.pack, tuple(args.templates), enabled=caching_enabled(args.no_cache))
    pool = pool or question_pool(pack, template_dirs=args.templates)  # nothing to ask: says why
    asked = pool.asked_facts()
    quizzable = pack.quizzable_facts()
    print(f"{pack.title} ({pack.id})")
    print(f"  facts {len(pack.facts)}, entities {len(pack.entities)}, sources {len(pack.sources)}")
    print(f"  quizzable facts {len(quizzable)}, asked by at least one question {len(asked & {f.id for f in quizzable})}"
          f", questions in the pool {len(pool.questions)}")
    sections = {
        "facts by topic": Counter(pack.topic_title(f.topic) for f in pack.facts),
        "facts by relation": Counter(f.relation for f in pack.facts),
        "questions by type": Counter(q.type for q in pool.questions),
        "facts by source": Counter(s for f in pack.facts for s in f.sources),
        "facts by confidence": Counter(f.confidence for f in pack.facts),
        "entities by category": Counter(e.category for e in pack.entities),
    }
    for title, counts in sections.items():
        print(f"\n{title}:")
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {name:<40} {n:>4}")
    return 0


def print_why(pack, fact_id: str, templates: list[Path]) -> int:
    from .generate.why import why_report

    EscapingWriter(sys.stdout).write(why_report(pack, fact_id, tuple(templates)) + "\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from .load.pack import load_pack

    pack = load_pack(args.pack)
    out = EscapingWriter(sys.stdout)
    if args.what == "facts":
        for f in pack.facts:
            when = f" [{f.when.text}]" if f.when else ""
            print(f"{f.id:<6} {f.relation:<20}{when} {f.statement}", file=out)
    elif args.what == "entities":
        for e in pack.entities:
            print(f"{e.id:<32} {e.category:<12} {e.name}", file=out)
    else:
        for s in pack.sources:
            print(f"{s.id:<5} {s.citation()}", file=out)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from .build.pool_cache import pack_and_pool
    from .files import caching_enabled
    from .generate import nothing_to_ask
    from .generate.lint import ERROR, INFO, WARNING, lint_pool, summary

    pack, pool = pack_and_pool(args.pack, tuple(args.templates), enabled=caching_enabled(args.no_cache))
    if (empty := nothing_to_ask(pack)) is not None:  # a pack in the making breaks no rule: a note, not an error
        print(f"{pack.id}: no questions yet: {empty}")
        print(summary([]))
        return 0
    findings = lint_pool(pool, pack)
    for finding in findings:
        if finding.severity == ERROR or args.warnings and finding.severity == WARNING or args.info:
            print(finding)
    print(f"{pack.id}: {counted(len(pool.questions), 'question')} from "
          f"{counted(len(pack.quizzable_facts()), 'quizzable fact')}")
    print(summary(findings))
    notes = sum(f.severity == INFO for f in findings) if not args.info else 0
    if notes:
        print(f"{counted(notes, 'fact')} {'yields' if notes == 1 else 'yield'} fewer questions than "
              f"{'its relation allows' if notes == 1 else 'their relations allow'}: `quizgen lint --info {args.pack}` "
              f"says why, `quizgen stats {args.pack} --why FACT` for one fact")
    hidden = sum(f.severity == WARNING for f in findings) if not (args.warnings or args.info) else 0
    if hidden:
        print(f"{counted(hidden, 'warning')} not listed: `quizgen lint --warnings {args.pack}` lists "
              f"{'it' if hidden == 1 else 'them'} with their places")
    return 1 if any(f.severity == ERROR for f in findings) else 0


def load_questions(args: argparse.Namespace, versions: int = 1, **dealing: Any):
    from .build.generating import load_and_generate
    from .files import caching_enabled

    options = dict(template_dirs=args.templates, types=args.types, tags=args.tags, count=args.count,
                   seed=args.seed, versions=versions)
    options.update(dealing)
    return load_and_generate(args.pack, cache=caching_enabled(args.no_cache), **options)


def print_dealing_warnings(question_set, count: int, types: list[str] | None = None, holder: str = "") -> None:
    from .generate.deal import shortfall_warning, true_false_warning

    for warning in (shortfall_warning(question_set, count), true_false_warning(question_set, types or (), holder)):
        if warning:
            print(warning, file=sys.stderr)


def cmd_generate(args: argparse.Namespace) -> int:
    from .build.generating import collector_paused
    from .generate.serialise import question_set_json, question_set_text

    _, question_set = load_questions(args, versions=args.versions)
    print_dealing_warnings(question_set, args.count)
    with collector_paused():  # a large deck's JSON: objects by the hundred thousand, all kept, no cycles
        output = question_set_json(question_set) if args.format == "json" else question_set_text(question_set)
    EscapingWriter(sys.stdout).write(output)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    import gc
    import time

    started = time.perf_counter()
    was_enabled, was_frozen = gc.isenabled(), gc.get_freeze_count() > 0
    # what the build imports, loads and deals lives until it ends: no collector pass over it
    gc.disable()

    def settled() -> None:
        """Called once the set is dealt: all made so far frozen (unless the caller froze objects of its own, whose
        freeze is left as it is), and the collector on for what comes after."""
        if not was_frozen:
            gc.freeze()
        gc.enable()

    try:
        from .build.checks import checked
        from .build.options import BuildOptions
        from .build.warm import warm_render_workers

        options = checked(BuildOptions.from_args(args))
        if options is None:  # up to date
            return 0
        with warm_render_workers(options) as warm:  # the renderer loads while the build's own modules do
            from .build.run import run_build

            return run_build(options, started, warm, settled)
    finally:
        if not was_frozen:
            gc.unfreeze()
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def cmd_grade(args: argparse.Namespace) -> int:
    from .grade.run import GradeOptions, run_grade

    return run_grade(GradeOptions(args.build_folder, tuple(args.scans), args.out, args.jobs, args.dpi, args.quiet,
                                  tuple(args.layouts)))


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_format, write_export

    chosen = export_format(args.format)
    # a format that holds fewer types gets a set dealt from those, not a full set with questions dropped
    types = chosen.types_to_deal(args.types)
    pack, question_set = load_questions(args, versions=args.versions, types=types, takes=chosen.taker())
    if not args.quiet:
        holder = "" if chosen.holds_every_type() else chosen.name.capitalize()
        print_dealing_warnings(question_set, args.count, types, holder)
    target = write_export(question_set, args.format, args.output, verbose=args.verbose, quiet=args.quiet,
                          pack=pack.root)
    if not args.quiet:
        print(f"wrote {target}")
    return 0


def cmd_calibration(args: argparse.Namespace) -> int:
    from .build.run import write_calibration

    target = write_calibration(args.output, paper=args.paper, flip=args.flip, back_offset=args.back_offset,
                               layouts=args.layouts)
    print(f"wrote {target}: print it on both sides, then read the offset on the back (docs/layouts.md)")
    return 0


def cmd_drill(args: argparse.Namespace) -> int:
    from .study.drill import run_drill

    args.count = max(args.count, DRILL_COUNT)
    pack, question_set = load_questions(args)
    return run_drill(question_set, state_path=args.deck, limit=args.limit, output_stream=EscapingWriter(sys.stdout))

if __name__ == "__main__":
    sys.exit(main())
