"""Self-testing in the terminal with Leitner boxes; the state file is rewritten atomically after every answer,
under a lock, so that two drills on one state file both keep their answers."""

from __future__ import annotations

import json
import os
import reprlib
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator, TextIO

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; two drills at once may then lose an answer
    fcntl = None  # type: ignore[assignment]

from .answers import is_correct
from .errors import QuizgenError
from .files import read_regular_file, write_atomically
from .model import OPTION_TYPES, Question, QuestionSet, option_letter
from .study import answer_hint
from .text import counted

STATE_VERSION = 1
MAX_STATE_BYTES = 64 * 1024 ** 2  # a card is about 80 bytes: far more cards than any pack has
INTERVAL_DAYS = (0, 1, 3, 7, 14)  # box 1 … box 5

# A value found in a damaged file is quoted this short: a nested or megabyte-long one would fill the screen
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict = 2, 40, 40, 4, 4


def shown(value: object) -> str:
    """`value` as Python writes it, cut short: at most two levels deep and about 40 characters a part."""
    return _SHORT.repr(value)


@dataclass(frozen=True)
class Card:
    box: int = 1
    due: str = ""  # ISO date; empty for a card never seen
    seen: int = 0
    correct: int = 0


def default_state_path(pack_id: str) -> Path:
    return Path(f".quizgen-drill-{pack_id}.json")


def load_state(path: Path, pack_id: str) -> dict[str, Card]:
    """The saved boxes; a damaged file is moved aside and reported, never silently replaced."""
    if not os.path.lexists(path):
        return {}
    # a regular file of bounded size: a FIFO would wait for ever, a link to /dev/zero never end
    raw = read_regular_file(path, limit=MAX_STATE_BYTES, what="drill state")
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"found {type(data).__name__}; expected an object")
        if data.get("version") != STATE_VERSION or data.get("pack_id") != pack_id:
            raise ValueError(f"it belongs to pack {shown(data.get('pack_id'))}, version {shown(data.get('version'))}")
        if not isinstance(data.get("cards"), dict):
            raise ValueError("'cards' is not an object")
        return {qid: card_from(qid, fields) for qid, fields in data["cards"].items()}
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot read the drill state: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, RecursionError) as exc:
        backup = _backup_path(path)
        try:
            path.rename(backup)
        except OSError as move:
            raise QuizgenError.at(path, f"drill state is damaged ({exc}); it could not be moved aside "
                                        f"({move.strerror or move}) and was left as it is; repair or remove it, "
                                        "or choose another --deck") from None
        raise QuizgenError.at(path, f"drill state is damaged ({exc}); it was moved to {backup.name} and "
                                    "nothing was reset; run again to start a new state file") from None


def card_from(qid: str, fields: object) -> Card:
    """One saved card, its fields checked: ValueError naming the card and field that is wrong."""
    if not isinstance(fields, dict) or set(fields) - set(Card.__dataclass_fields__):
        raise ValueError(f"card {shown(qid)} is not an object with box, due, seen and correct")
    card = Card(**fields)
    for name in ("box", "seen", "correct"):
        value = getattr(card, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"card {shown(qid)}: {name} is {shown(value)}; expected a whole number")
    if not 1 <= card.box <= len(INTERVAL_DAYS):
        raise ValueError(f"card {shown(qid)}: box is {card.box}; expected 1 to {len(INTERVAL_DAYS)}")
    due = _iso_date(card.due) if isinstance(card.due, str) and card.due else None
    if card.due != "" and due is None:
        raise ValueError(f"card {shown(qid)}: due is {shown(card.due)}; expected a date such as 2026-01-31")
    # due dates are compared as text, which only works in one form: '20261101' sorts after every '2026-…'
    return replace(card, due=due) if due else card


def _iso_date(text: str) -> str | None:
    """`text` as YYYY-MM-DD when it is an ISO 8601 date in any form (20261101, 2026-W44-7), else None."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _backup_path(path: Path) -> Path:
    n = 1
    while (candidate := path.with_name(f"{path.name}.corrupt-{n}")).exists():
        n += 1
    return candidate


@contextmanager
def state_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<state>.lock` while the state is read, changed and written, so that two
    drills on one state file both keep their answers (the state file itself is replaced when it is written,
    so it cannot carry the lock). Held only for that moment, never while waiting for an answer, and the lock
    file is removed on release, so nothing is left beside the state."""
    lock_path = path.with_name(path.name + ".lock")
    descriptor = _locked_file(lock_path)
    try:
        yield
    finally:
        if fcntl is None:
            os.close(descriptor)  # Windows cannot remove an open file
            _remove_if_present(lock_path)
        else:
            _remove_if_present(lock_path)  # still held: whoever waits on this file sees it gone and retries
            os.close(descriptor)  # closing releases the lock


def _locked_file(lock_path: Path) -> int:
    """An open descriptor of `lock_path`, locked. A holder removes the file before it lets go, so a drill that
    waited may hold a removed file: it then opens the file at that name again, until what it holds is there."""
    while True:
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise QuizgenError.at(lock_path, f"cannot lock the drill state: {exc.strerror or exc}") from None
        if fcntl is None:
            return descriptor
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            held, named = os.fstat(descriptor), os.stat(lock_path)
            if (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino):
                return descriptor
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def _remove_if_present(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # gone already, or cannot be removed: harmless, the next drill locks it again


def record_answer(path: Path, pack_id: str, question_id: str, correct: bool, today: date) -> dict[str, Card]:
    """Apply one answer to the state as it is on disk now (another drill may have saved since) and save it."""
    with state_lock(path):
        cards = load_state(path, pack_id)
        cards[question_id] = after_answer(cards.get(question_id, Card()), correct, today)
        save_state(path, pack_id, cards)
    return cards


def save_state(path: Path, pack_id: str, cards: dict[str, Card]) -> None:
    data = {"version": STATE_VERSION, "pack_id": pack_id,
            "cards": {qid: vars(card) for qid, card in sorted(cards.items())}}
    write_atomically(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def after_answer(card: Card, correct: bool, today: date) -> Card:
    """Right: up one box (at most 5). Wrong: back to box 1. The next review follows the box's interval."""
    box = min(card.box + 1, len(INTERVAL_DAYS)) if correct else 1
    due = today + timedelta(days=INTERVAL_DAYS[box - 1])
    return replace(card, box=box, due=due.isoformat(), seen=card.seen + 1, correct=card.correct + correct)


def session_questions(questions: tuple[Question, ...], cards: dict[str, Card], today: date,
                      limit: int) -> list[Question]:
    """Cards due today (lowest box first), then cards never seen, up to `limit`."""
    due = [q for q in questions if q.id in cards and cards[q.id].due <= today.isoformat()]
    due.sort(key=lambda q: (cards[q.id].box, cards[q.id].due))
    new = [q for q in questions if q.id not in cards]
    return (due + new)[:limit]


def question_text(number: int, question: Question) -> str:
    lines = [f"{number}. {question.prompt}"]
    if question.type in OPTION_TYPES:
        lines += [f"   {option_letter(i)}) {o.text}" for i, o in enumerate(question.options)]
    elif question.type == "matching":
        lines += [f"   {i}. {p.left}" for i, p in enumerate(question.pairs, 1)]
        lines += [f"   {option_letter(i)}) {c}" for i, c in enumerate(question.choices)]
    elif question.type == "ordering":
        lines += [f"   {i}. {item}" for i, item in enumerate(question.items, 1)]
    hint = answer_hint(question)
    if hint:
        lines.append(f"   ({hint})")
    return "\n".join(lines)


def feedback_text(question: Question, correct: bool) -> str:
    verdict = "Correct." if correct else "Not quite."
    lines = [verdict, f"   Answer: {question.key_text()}" + (f" — {question.answer}" if question.key_text()
                                                             != question.answer else ""),
             f"   {question.explanation}"]
    for citation in question.citations[:2]:
        quote = f" — “{citation.evidence}”" if citation.evidence else ""
        lines.append(f"   Source: {citation.text}{quote}")
    return "\n".join(lines)


def run_drill(question_set: QuestionSet, *, state_path: Path | None, limit: int, input_stream: TextIO = sys.stdin,
              output_stream: TextIO = sys.stdout, today: date | None = None) -> int:
    """Ask due and new questions, one per input line; EOF ends the session with a summary."""
    today = today or date.today()
    path = Path(state_path) if state_path else default_state_path(question_set.pack_id)
    cards = load_state(path, question_set.pack_id)
    queue = session_questions(question_set.questions, cards, today, limit)
    out = output_stream
    if not queue:
        print("Nothing is due today. Come back tomorrow, or raise --limit.", file=out)
        return 0
    print(f"{question_set.pack_title}: {counted(len(queue), 'question')} (state in {path})\n", file=out)
    asked = right = 0
    for number, question in enumerate(queue, 1):
        print(question_text(number, question), file=out)
        print("> ", end="", file=out, flush=True)
        response = input_stream.readline()
        if not response:
            print("", file=out)
            break
        correct = is_correct(question, response.strip())
        cards = record_answer(path, question_set.pack_id, question.id, correct, today)
        asked += 1
        right += correct
        print(feedback_text(question, correct) + "\n", file=out)
    boxes = [sum(1 for c in cards.values() if c.box == b) for b in range(1, len(INTERVAL_DAYS) + 1)]
    print(f"{right} of {asked} correct. Cards per box (1–5): {' '.join(map(str, boxes))}", file=out)
    return 0
