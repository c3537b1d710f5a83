"""Question templates: YAML files with Jinja2 strings, loaded from the built-ins and user folders, run sandboxed."""

from __future__ import annotations

import functools
import re
import signal
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import Problem, QuizgenError, display_path
from ..model import QUESTION_TYPES, SLOTS
from ..resources import builtin_templates_folder
from ..sandbox import bounded_environment
from ..text import UNSAFE_CHARACTERS
from ..load.records import Reader
from ..load.yamlfile import Located, read_yaml

BUILTIN_DIR = builtin_templates_folder()
RENDER_SECONDS = 2.0
MAX_OUTPUT_CHARS = 10_000
MAX_RANGE = 10_000
TEMPLATE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TEXT_FIELDS = ("prompt", "explanation", "claim", "text", "left", "right", "item", "front", "back")
FIELDS = {"id", "type", "description", "difficulty", "tags", "select", "ask", "distractors", "min_distractors",
          "group_size",
          *TEXT_FIELDS}
REQUIRED_BY_TYPE = {
    "multiple-choice": {"prompt", "ask"},
    "multiple-response": {"prompt", "ask"},
    "true-false": {"claim", "ask"},
    "cloze": {"text", "ask"},
    "short-answer": {"prompt", "ask"},
    "numeric": {"prompt"},
    "matching": {"prompt"},
    "ordering": {"prompt"},
}
SELECT_FIELDS = {"relations", "values", "topics", "tags", "exclude_tags"}
VALUE_KINDS = ("entity", "text", "date", "number")


@dataclass(frozen=True)
class Selection:
    """Which facts a template applies to: by relation, by the kind of value asked, by topic and tag."""

    relations: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # kinds of the asked value: entity, text, date, number
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Printed:
    """A piece of what a text prints: its own words, or the value of a context name."""

    text: str
    is_name: bool = False


@dataclass(frozen=True)
class TemplateText:
    """One Jinja2 string of a template, compiled, with where it was written."""

    name: str
    source: str
    file: str
    line: int
    column: int
    compiled: Any
    reads: frozenset[str] = frozenset()  # the names it looks up in the context it is rendered with
    printed: tuple[Printed, ...] | None = None  # what it prints, when it only prints words and context values


@dataclass(frozen=True)
class QuestionTemplate:
    id: str
    type: str
    file: str
    description: str
    difficulty: int
    tags: tuple[str, ...]
    select: Selection
    ask: str  # the slot asked: subject or object
    distractors: int
    group_size: int
    texts: dict[str, TemplateText]
    min_distractors: int = 0  # fewer sound wrong options than `distractors` still make an item down to this (0: all)

    @property
    def fewest_distractors(self) -> int:
        return self.min_distractors or self.distractors

    def has(self, name: str) -> bool:
        return name in self.texts


def limited_range(*args: int) -> range:
    """range() with a small cap: no question text needs thousands of items."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE:,} items in question templates")
    return result


def make_environment() -> SandboxedEnvironment:
    env = bounded_environment(undefined=StrictUndefined, autoescape=False)
    # Globals that have been used to escape sandboxes; templates need none of them.
    for name in ("cycler", "joiner", "namespace", "lipsum", "dict"):
        env.globals.pop(name, None)
    env.globals["range"] = limited_range
    return env


@functools.lru_cache(maxsize=1)
def shared_environment() -> SandboxedEnvironment:
    """The one environment of this process's templates: its texts are compiled once (compiled_text)."""
    return make_environment()


@functools.lru_cache(maxsize=1024)
def compiled_text(source: str) -> tuple[Any, frozenset[str], tuple[Printed, ...] | None]:
    """A template text compiled, with the names it reads and what it prints, kept by its source: every pool reads
    the same dozen built-in texts (a build server's child finds them compiled by the server, server.py)."""
    env = shared_environment()
    compiled = env.from_string(source)
    parsed = env.parse(source)
    return compiled, frozenset(meta.find_undeclared_variables(parsed)), printed_pieces(parsed)


def load_templates(user_dirs: list[Path] | tuple[Path, ...] = ()) -> dict[str, QuestionTemplate]:
    """Built-in templates, then each user folder in order; a later file with the same id replaces the earlier."""
    found: dict[str, QuestionTemplate] = {}
    problems: list[Problem] = []
    for folder in (BUILTIN_DIR, *user_dirs):
        folder = Path(folder)
        if not folder.is_dir():
            problems.append(Problem(display_path(folder), 0, 0, "", "is not a folder; expected a folder of "
                                    "question templates (*.yaml)"))
            continue
        for path in sorted(folder.glob("*.yaml")):
            try:
                template = read_template(path)
            except QuizgenError as exc:
                problems.extend(exc.problems)
                continue
            found[template.id] = template
    if problems:
        raise QuizgenError(problems)
    return found


def read_template(path: Path) -> QuestionTemplate:
    doc = read_yaml(path)
    problems: list[Problem] = []
    r = Reader(doc, problems)
    data = r.record((), FIELDS, set(), shape="expected a mapping with id, type and the template's texts")
    if data is None:
        raise QuizgenError(problems)
    qtype = r.one_of(data, (), "type", QUESTION_TYPES, allow_null=False,
                     message="{value!r} is not a question type; expected one of " + ", ".join(QUESTION_TYPES))
    if qtype is None:
        raise QuizgenError(problems)
    template_id = r.matching(data, (), "id", TEMPLATE_ID,
                             message="{value!r} is not a valid template id; expected a slug such as mc-who-led")
    r.require(data, (), {"id", "type"} | REQUIRED_BY_TYPE[qtype], of=f"a {qtype} template")
    ask = r.one_of(data, (), "ask", SLOTS, default="object", allow_null=False,
                   message="{value!r} is not allowed; expected subject or object")
    difficulty = r.whole_number(data, (), "difficulty", low=1, high=3, default=2,
                                message="{value!r} is not allowed; expected 1, 2 or 3")
    distractors = r.whole_number(data, (), "distractors", low=1, high=5, default=3)
    min_distractors = r.whole_number(data, (), "min_distractors", low=1, high=distractors, default=distractors)
    group_size = r.whole_number(data, (), "group_size", low=3, high=8, default=4)
    select = _read_selection(r, data, problems)
    texts = {}
    for name in TEXT_FIELDS:
        if name in data:
            text = _compile(doc, name, data[name], problems)
            if text:
                texts[name] = text
    if problems:
        raise QuizgenError(problems)
    return QuestionTemplate(
        id=template_id, type=qtype, file=display_path(path), description=str(data.get("description", "")),
        difficulty=difficulty, tags=tuple(str(t) for t in data.get("tags", []) or []), select=select,
        ask=ask, distractors=distractors, group_size=group_size, texts=texts, min_distractors=min_distractors,
    )


def _read_selection(r: Reader, data: dict, problems: list[Problem]) -> Selection:
    if "select" not in data:
        return Selection()
    select = r.record(("select",), SELECT_FIELDS, set(),
                      shape="expected a mapping (relations, values, topics, tags, exclude_tags)")
    if select is None:
        return Selection()
    values: dict[str, tuple[str, ...]] = {}
    for key in select:
        items = r.texts(select, ("select",), key, message="expected a list of text") if key in SELECT_FIELDS else None
        if items is not None:
            values[key] = items
    for kind in values.get("values", ()):
        if kind not in VALUE_KINDS:
            r.report(("select", "values"), f"{kind!r} is not a kind of value; expected one of {', '.join(VALUE_KINDS)}")
    return Selection(**values)


def _compile(doc: Located, name: str, source: Any,
             problems: list[Problem]) -> TemplateText | None:
    origin = doc.origin((name,))
    if not isinstance(source, str) or not source.strip():
        problems.append(doc.problem((name,), f"found {source!r}; expected a Jinja2 text"))
        return None
    try:
        compiled, reads, prints = compiled_text(source)
    except TemplateSyntaxError as exc:
        line = origin.line + max((exc.lineno or 1) - 1, 0)
        problems.append(Problem(origin.file, line, origin.column, name, f"Jinja2 syntax error: {exc.message}"))
        return None
    return TemplateText(name, source, origin.file, origin.line, origin.column, compiled, reads, prints)


def printed_pieces(parsed: nodes.Template) -> tuple[Printed, ...] | None:
    """What a text prints, piece by piece, when it only prints its own words and context values ("{{ question }}
    Tick all that apply."), with no loop, call, filter or test; else None. Such a text cannot run away, and
    render_text prints it as Jinja2 would (`str` of each value), without the alarm's timer (two system calls a
    render) or a Jinja2 context (more work than the text itself)."""
    pieces: list[Printed] = []
    for node in parsed.body:
        if not isinstance(node, nodes.Output):
            return None
        for part in node.nodes:
            if isinstance(part, nodes.TemplateData):
                pieces.append(Printed(part.data))
            elif isinstance(part, nodes.Name) and part.ctx == "load":
                pieces.append(Printed(part.name, is_name=True))
            else:
                return None
    return tuple(pieces)


# ---- rendering ------------------------------------------------------------------------


class RenderTimeout(Exception):
    pass


def _expire(signum: int, frame: Any) -> None:
    raise RenderTimeout()


def _can_interrupt() -> bool:
    """Whether a render can be interrupted: only on the main thread (signals); elsewhere the range cap holds."""
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


_alarm_set = False  # whether render_alarm holds SIGALRM for _expire, so that time_limit need not set it


@contextmanager
def render_alarm() -> Iterator[None]:
    """SIGALRM handled by interrupting the render under way, for a run of renders (a pool's thousands): each
    time_limit then only starts and stops its timer. Setting and restoring the handler around each render took
    half as long as the render itself."""
    global _alarm_set
    if _alarm_set or not _can_interrupt():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    _alarm_set = True
    try:
        yield
    finally:
        _alarm_set = False
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a runaway template; only possible on the main thread (signals), elsewhere the range cap holds."""
    if not _can_interrupt():
        yield
        return
    with render_alarm():
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


def render_text(template: QuestionTemplate, name: str, context: Mapping[str, Any]) -> str:
    """Render one of the template's texts; every failure becomes a QuizgenError at the template's line. Only the
    context's values the text reads are looked up: a context may work each out when it is first read."""
    text = template.texts[name]
    values = {key: context[key] for key in text.reads if key in context}
    try:
        if text.printed is not None and text.reads <= values.keys():
            result = "".join(str(values[piece.text]) if piece.is_name else piece.text for piece in text.printed)
        else:  # a value it prints is missing (Jinja2 says so), or it does more than print
            with nullcontext() if text.printed is not None else time_limit(RENDER_SECONDS):
                result = text.compiled.render(values)
    except RenderTimeout:
        raise _template_error(text, f"took longer than {RENDER_SECONDS:g} s to render; "
                                    "expected a simple text (check loops and recursion)") from None
    except UndefinedError as exc:
        raise _template_error(text, f"{exc.message}; check the field name against the fields the "
                                    "template context provides (docs/templates.md)") from None
    except SecurityError as exc:
        raise _template_error(text, f"not allowed in a question template: {exc}") from None
    except RecursionError:
        raise _template_error(text, "recursion too deep; expected a simple text") from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, LookupError) as exc:
        raise _template_error(text, f"failed to render: {exc}") from None
    except MemoryError:
        raise _template_error(text, "used too much memory; expected a simple text") from None
    if UNSAFE_CHARACTERS.search(result):
        raise _template_error(text, f"produced U+{ord(UNSAFE_CHARACTERS.search(result)[0]):04X}, a control "
                                    "character or lone surrogate; expected plain text")
    if len(result) > MAX_OUTPUT_CHARS:
        raise _template_error(text, f"produced {len(result):,} characters; a question text is limited to "
                                    f"{MAX_OUTPUT_CHARS:,}")
    return " ".join(result.split())


def _template_error(text: TemplateText, message: str) -> QuizgenError:
    return QuizgenError(Problem(text.file, text.line, text.column, text.name, message))


_CONTEXT_NOTE = """\
# Jinja2 context: question (the relation's question for the asked slot), statement (the fact's learner
# sentence), claim (the true/false claim), cloze (the sentence with its blank), fact, relation, subject, object,
# answer (as shown), topic (its title), source. Wording belongs to the pack's relations.yaml, not here.
"""

STARTERS = {
    "multiple-choice": _CONTEXT_NOTE + '''\
id: {name}
type: multiple-choice
description: One right answer among wrong ones from the pack
difficulty: 1            # 1 easy, 2 medium, 3 hard
ask: object              # the slot asked: subject or object
select:
  values: [entity]       # kinds of asked value: entity, text, date, number
distractors: 3           # wrong options; a fact that cannot get them all gets no question…
min_distractors: 2       # …unless it gets at least this many (three options are a fair item)
prompt: "{{{{ question }}}}"
''',
    "multiple-response": _CONTEXT_NOTE + '''\
id: {name}
type: multiple-response
description: Several right answers; the student ticks all of them
difficulty: 2
ask: object
select:
  values: [entity]
distractors: 2
prompt: "{{{{ question }}}} Tick every correct answer."
''',
    "true-false": _CONTEXT_NOTE + '''\
id: {name}
type: true-false
description: A true claim, or the same claim with the asked slot swapped for a wrong value
difficulty: 1
ask: object
claim: "{{{{ claim }}}}"
''',
    "cloze": _CONTEXT_NOTE + '''\
id: {name}
type: cloze
description: The learner sentence with the asked slot blanked
difficulty: 2
ask: object
select:
  values: [entity]
text: "{{{{ cloze }}}}"
''',
    "short-answer": _CONTEXT_NOTE + '''\
id: {name}
type: short-answer
description: The question answered in writing; every true value and its aliases count
difficulty: 3
ask: object
select:
  values: [entity]
prompt: "{{{{ question }}}}"
''',
    "numeric": _CONTEXT_NOTE + '''\
id: {name}
type: numeric
description: A figure, answered within its tolerance
difficulty: 2
ask: object
select:
  values: [number]
prompt: "{{{{ question }}}}"
''',
    "matching": _CONTEXT_NOTE + '''\
# `group_size` facts of one relation that has `match` phrasing; each subject is matched with its object.
id: {name}
type: matching
description: Match subjects with their objects
difficulty: 2
group_size: 4
prompt: "{{{{ question }}}}"
''',
    "ordering": _CONTEXT_NOTE + '''\
# `group_size` dated events that do not overlap, to be put in time order.
id: {name}
type: ordering
description: Put events in time order
difficulty: 3
group_size: 4
prompt: "Put these events in the order they happened, earliest first."
''',
}


def write_starter_template(folder: Path, name: str, qtype: str) -> Path:
    """Write a commented starting template `<folder>/<name>.yaml`; never overwrite a user's file."""
    if not TEMPLATE_ID.match(name):
        raise QuizgenError.at(folder, f"{name!r} is not a valid template name; expected a slug such as my-template")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    try:
        with open(path, "x", encoding="utf-8") as stream:
            stream.write(STARTERS[qtype].format(name=name))
    except FileExistsError:
        raise QuizgenError.at(path, "already exists; choose another name or edit that file") from None
    return path
