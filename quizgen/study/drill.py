"""Self-testing in the terminal with Leitner boxes. Each answer is one line appended to `<state>.journal`, under
a lock, so that an answer costs the same with ten cards or a million and two drills on one state file both keep
their answers; the journal is folded into the state file (rewritten atomically) when a drill starts and ends."""

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

from .answers import form_problem, is_correct
from ..errors import QuizgenError
from ..files import read_regular_file, write_atomically
from ..model import OPTION_TYPES, Question, QuestionSet, option_letter
from .deck import answer_hint
from ..text import counted

STATE_VERSION = 1
MAX_STATE_BYTES = 64 * 1024 ** 2  # a card is about 80 bytes: far more cards than any pack has
INTERVAL_DAYS = (0, 1, 3, 7, 14)  # box 1 … box 5

# A value found in a damaged file is quoted this short: a nested or megabyte-long one would fill the screen
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist, _SHORT.maxdict = 2, 40, 40, 4, 4


def shown(value: object) -> str:
    """`value` as Python writes it, cut short: at most two levels deep and about 40 characters a part."""
    return _SHORT.repr(value)


@dataclass(frozen=True, slots=True)  # slots: a state may hold hundreds of thousands of cards
class Card:
    box: int = 1
    due: str = ""  # ISO date; empty for a card never seen
    seen: int = 0
    correct: int = 0

    def fields(self) -> dict[str, object]:
        return {"box": self.box, "correct": self.correct, "due": self.due, "seen": self.seen}


CARD_FIELDS = frozenset(Card.__dataclass_fields__)


def default_state_path(pack_id: str) -> Path:
    return Path(f".quizgen-drill-{pack_id}.json")


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def load_state(path: Path, pack_id: str) -> dict[str, Card]:
    """The saved boxes: the state file, with the answers journaled since it was last written."""
    return {**read_state_file(path, pack_id), **read_journal(journal_path(path), pack_id)}


def read_state_file(path: Path, pack_id: str) -> dict[str, Card]:
    """The cards of the state file; a damaged file is moved aside and reported, never silently replaced."""
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
    except DAMAGE as exc:
        raise _moved_aside(path, "drill state", exc) from None


def read_journal(path: Path, pack_id: str) -> dict[str, Card]:
    """The last card journaled for each question. A last line without its line break is an answer a killed
    drill was writing: it was never confirmed, so it is left out. Any other damage moves the journal aside."""
    if not os.path.lexists(path):
        return {}
    raw = read_regular_file(path, limit=MAX_STATE_BYTES, what="drill journal")
    cards = {}
    try:
        for number, line in enumerate(raw.decode("utf-8").split("\n")[:-1], 1):
            entry = json.loads(line)
            if not isinstance(entry, dict) or set(entry) != {"pack_id", "id", "card"}:
                raise ValueError(f"line {number} is not an object with pack_id, id and card")
            if entry["pack_id"] != pack_id or not isinstance(entry["id"], str):
                raise ValueError(f"line {number} belongs to pack {shown(entry['pack_id'])}")
            cards[entry["id"]] = card_from(entry["id"], entry["card"])
    except DAMAGE as exc:
        raise _moved_aside(path, "drill journal", exc) from None
    return cards


DAMAGE = (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, RecursionError)


def _moved_aside(path: Path, what: str, damage: Exception) -> QuizgenError:
    """The error to raise for a damaged file, once it has been moved aside to `<name>.corrupt-N` if it can be."""
    backup = _backup_path(path)
    try:
        path.rename(backup)
    except OSError as move:
        return QuizgenError.at(path, f"{what} is damaged ({damage}); it could not be moved aside "
                                     f"({move.strerror or move}) and was left as it is; repair or remove it, "
                                     "or choose another --deck")
    return QuizgenError.at(path, f"{what} is damaged ({damage}); it was moved to {backup.name} and "
                                 "nothing was reset; run again to start a new state file")


def card_from(qid: str, fields: object) -> Card:
    """One saved card, its fields checked: ValueError naming the card and field that is wrong."""
    if not isinstance(fields, dict) or not fields.keys() <= CARD_FIELDS:
        raise ValueError(f"card {shown(qid)} is not an object with box, due, seen and correct")
    for name in ("box", "seen", "correct"):
        value = fields.get(name, 0)
        if type(value) is not int or value < 0:  # not `isinstance`: True is an int too
            raise ValueError(f"card {shown(qid)}: {name} is {shown(value)}; expected a whole number")
    box, due = fields.get("box", 1), fields.get("due", "")
    if not 1 <= box <= len(INTERVAL_DAYS):
        raise ValueError(f"card {shown(qid)}: box is {box}; expected 1 to {len(INTERVAL_DAYS)}")
    # due dates are compared as text, which only works in one form: '20261101' sorts after every '2026-…'
    iso = _iso_date(due) if isinstance(due, str) and due else "" if due == "" else None
    if iso is None:
        raise ValueError(f"card {shown(qid)}: due is {shown(due)}; expected a date such as 2026-01-31")
    return Card(box=box, due=iso, seen=fields.get("seen", 0), correct=fields.get("correct", 0))


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


class DrillState:
    """One drill's view of a state file: the cards as last read (reread only when another drill has replaced
    the file since), answers appended to the journal, the journal folded into the file by `fold`."""

    def __init__(self, path: Path, pack_id: str):
        self.path, self.pack_id, self.journal = path, pack_id, journal_path(path)
        self.saved: dict[str, Card] = {}
        self.identity: tuple[int, ...] | None = (-1,)  # never matches: the first look reads the file

    def fold(self) -> dict[str, Card]:
        """Write the journal's answers into the state file and remove the journal; all cards, as saved now.
        Killed between the two steps, the journal is folded again: it holds cards, not changes, so that is
        harmless."""
        with state_lock(self.path):
            self._reread_if_replaced()
            journaled = read_journal(self.journal, self.pack_id)
            if journaled:
                self.saved.update(journaled)
                save_state(self.path, self.pack_id, self.saved)
                self.identity = file_identity(self.path)
            if os.path.lexists(self.journal):
                _remove_if_present(self.journal)
            return dict(self.saved)

    def record(self, question_id: str, correct: bool, today: date) -> Card:
        """Apply one answer to the card as it is on disk now (another drill may have answered it since) and
        append the new card to the journal: a few hundred bytes, however many cards the state holds."""
        with state_lock(self.path):
            self._reread_if_replaced()
            now = read_journal(self.journal, self.pack_id).get(question_id) or self.saved.get(question_id, Card())
            card = after_answer(now, correct, today)
            entry = {"pack_id": self.pack_id, "id": question_id, "card": card.fields()}
            append_line(self.journal, json.dumps(entry, sort_keys=True).encode("utf-8"))
        return card

    def _reread_if_replaced(self) -> None:
        identity = file_identity(self.path)
        if identity != self.identity:
            self.saved, self.identity = read_state_file(self.path, self.pack_id), identity


def file_identity(path: Path) -> tuple[int, ...] | None:
    """What changes when a file is replaced or rewritten: device, inode, size and times; None when it is absent."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot read the drill state: {exc.strerror or exc}") from None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def append_line(path: Path, line: bytes) -> None:
    """Append `line` and a line break to `path` and sync it. Part of a line left by a drill killed while
    writing is cut off first, so that every line but the last one being written is whole."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot write the drill journal: {exc.strerror or exc}") from None
    try:
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            os.ftruncate(descriptor, os.pread(descriptor, size, 0).rfind(b"\n") + 1)
        data = memoryview(line + b"\n")
        while data:
            data = data[os.write(descriptor, data):]
        os.fsync(descriptor)
    except OSError as exc:
        raise QuizgenError.at(path, f"cannot write the drill journal: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)


def save_state(path: Path, pack_id: str, cards: dict[str, Card]) -> None:
    write_atomically(path, state_bytes(pack_id, cards))


def state_bytes(pack_id: str, cards: dict[str, Card]) -> bytes:
    """The state file: JSON with one card a line, sorted. Written line by line because `json.dumps` with an
    indent falls back to its pure-Python encoder, eight times slower on a large state."""
    lines = [f' {json.dumps(qid)}: {json.dumps(card.fields())}' for qid, card in sorted(cards.items())]
    head = json.dumps({"pack_id": pack_id, "version": STATE_VERSION})[:-1]
    return (head + ', "cards": {' + ("\n" + ",\n".join(lines) + "\n" if lines else "") + "}}\n").encode("utf-8")


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
    state = DrillState(path, question_set.pack_id)
    cards = state.fold()  # answers of a drill that was killed, if any, are written into the state first
    queue = session_questions(question_set.questions, cards, today, limit)
    out = output_stream
    if not queue:
        print("Nothing is due today. Come back tomorrow, or raise --limit.", file=out)
        return 0
    print(f"{question_set.pack_title}: {counted(len(queue), 'question')} (state in {path})\n", file=out)
    asked = right = 0
    try:
        for number, question in enumerate(queue, 1):
            print(question_text(number, question), file=out)
            print("> ", end="", file=out, flush=True)
            response = input_stream.readline()
            while response and (problem := form_problem(question, response)):
                print(f"   Not an answer here: {shown(response.strip())}; {problem}.", file=out)
                print("> ", end="", file=out, flush=True)
                response = input_stream.readline()
            if not response:
                print("", file=out)
                break
            correct = is_correct(question, response.strip())
            state.record(question.id, correct, today)
            asked += 1
            right += correct
            print(feedback_text(question, correct) + "\n", file=out)
    finally:
        cards = state.fold()  # also on Ctrl-C; killed outright, the journal keeps the answers for next time
    boxes = [sum(1 for c in cards.values() if c.box == b) for b in range(1, len(INTERVAL_DAYS) + 1)]
    print(f"{right} of {asked} correct. Cards per box (1–5): {' '.join(map(str, boxes))}", file=out)
    return 0
