"""Anki `.apkg` decks via genanki: a Basic note type (front, back, explanation, source) and a Cloze one.

The deck is named after the pack; note and deck ids derive from the pack id and note GUIDs from the
question id, so importing an updated deck updates notes instead of adding copies; note and card ids
derive from the GUIDs too, so adding a question renumbers nothing. Anki only updates a note whose
modification time is newer than its own copy: a note keeps the time it has in the file already at
the output path when its content is unchanged, and a changed or new note gets a time newer than any
in that file, starting from the build time (`SOURCE_DATE_EPOCH` when set, else a fixed date; never the
clock). Two builds of the same inputs therefore give identical bytes, and importing an edited build
updates exactly the notes that changed.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import genanki

from ..errors import QuizgenError
from ..files import write_atomically
from ..model import BLANK, Question, QuestionSet, stable_id
from ..study.deck import card_front
from ..text import counted
from . import common

CARD_CSS = """\
.card { font-family: "Noto Sans", "DejaVu Sans", "Noto Naskh Arabic", Arial, sans-serif; font-size: 20px;
        line-height: 1.4; text-align: center; color: #1d1d1d; background: #ffffff; }
.prompt { margin: 0.5em 0; }
.answer { font-weight: bold; margin: 0.5em 0; }
.explanation { font-size: 17px; margin-top: 1em; }
.source { font-size: 13px; color: #555555; margin-top: 1.2em; text-align: left; }
.cloze { font-weight: bold; color: #1a5fb4; }
.nightMode .card, .night_mode .card { color: #eeeeee; background: #202020; }
.nightMode .source, .night_mode .source { color: #bbbbbb; }
"""

BASIC_FIELDS = ("Front", "Back", "Explanation", "Source")
CLOZE_FIELDS = ("Text", "Extra", "Source")
EXTRA_AND_SOURCE = ('{{#Extra}}<div class="explanation" dir="auto">{{Extra}}</div>{{/Extra}}'
                    '{{#Source}}<div class="source" dir="auto">Source: {{Source}}</div>{{/Source}}')


@dataclass(frozen=True)
class StoredNote:
    """A note as the previous build of this file holds it."""

    model_id: int
    fields: str
    tags: frozenset[str]
    modified: int


def write(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = file_bytes(question_set, Path(path))
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    """The deck; notes unchanged since the deck at `earlier` keep their modification times from it."""
    return apkg_bytes(question_set, previous_notes(earlier) if earlier else {}, build_time()), []


FIXED_BUILD_TIME = 1704067200  # 2024-01-01 00:00 UTC: the time of new notes when SOURCE_DATE_EPOCH is unset


def build_time() -> int:
    """Seconds since 1970 for new notes: `SOURCE_DATE_EPOCH` if set, else a fixed date, so bytes never
    depend on when the build ran."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return FIXED_BUILD_TIME
    if not epoch.isdigit():
        raise QuizgenError.at("SOURCE_DATE_EPOCH", f"{epoch!r} is not a whole number of seconds since 1970",
                              field="environment")
    return int(epoch)


def apkg_bytes(question_set: QuestionSet, previous: dict[str, StoredNote], now: int) -> bytes:
    deck = deck_for(question_set)
    modified = modification_times(deck.notes, previous, now)
    newest = max(modified.values(), default=now)
    with tempfile.TemporaryDirectory(prefix="quizgen-anki-") as folder:
        database = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            # a scratch file, read back below: never synced to disk (genanki's schema is a dozen commits, each
            # of which would wait for the disk), its journal in memory; the file's bytes are the same
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA journal_mode = MEMORY")
            cursor = connection.cursor()
            # ids count up from the newest modification time, as Anki's own ids are millisecond times
            genanki.Package(deck).write_to_db(cursor, newest, itertools.count(1))
            # genanki numbers notes and cards in order; ids from the GUID keep them when questions come and go
            for guid, note_id in note_ids(modified, newest).items():
                seconds = modified[guid]
                cursor.execute("UPDATE cards SET id = ? + ord, nid = ?, mod = ? "
                               "WHERE nid = (SELECT id FROM notes WHERE guid = ?)", (note_id, note_id, seconds, guid))
                cursor.execute("UPDATE notes SET id = ?, mod = ? WHERE guid = ?", (note_id, seconds, guid))
            connection.commit()
        finally:
            connection.close()
        collection = database.read_bytes()
    return common.zip_archive([("collection.anki2", collection), ("media", b"{}")])


ID_SPREAD = 10 ** 9  # note ids fall within about eleven days of milliseconds after the build time
ID_STEP = 100  # room between note ids for the ids of a note's cards (id + card ordinal)


def note_ids(guids: Iterable[str], newest: int) -> dict[str, int]:
    """A note id per GUID from a hash of the GUID, as Anki's millisecond ids after the build time; unique."""
    ids: dict[str, int] = {}
    taken: set[int] = set()
    for guid in sorted(guids):
        candidate = newest * 1000 + ID_STEP * (int(stable_id("anki-note", guid), 16) % (ID_SPREAD // ID_STEP))
        while candidate in taken:
            candidate += ID_STEP
        taken.add(candidate)
        ids[guid] = candidate
    return ids


def modification_times(notes: list[genanki.Note], previous: dict[str, StoredNote], now: int) -> dict[str, int]:
    """Unchanged notes keep their old time; changed and new ones get a time newer than any before."""
    newer = max([now, *(stored.modified + 1 for stored in previous.values())])
    times = {}
    for note in notes:
        stored = previous.get(note.guid)
        unchanged = (stored is not None and stored.model_id == note.model.model_id
                     and stored.fields == "\x1f".join(note.fields) and stored.tags == frozenset(note.tags))
        times[note.guid] = stored.modified if unchanged and stored else newer
    return times


def previous_notes(path: Path) -> dict[str, StoredNote]:
    """The notes in the .apkg already at `path`, by GUID; empty when there is none or it is unreadable."""
    with tempfile.TemporaryDirectory(prefix="quizgen-anki-") as folder:
        database = Path(folder) / "previous.anki2"
        if not _extract_collection(path, database):
            return {}
        try:
            connection = sqlite3.connect(database)
            try:
                rows = connection.execute("SELECT guid, mid, flds, tags, mod FROM notes").fetchall()
            finally:
                connection.close()
        except sqlite3.Error:
            return {}
    return {guid: StoredNote(mid, fields, frozenset(tags.split()), mod) for guid, mid, fields, tags, mod in rows}


MAX_PREVIOUS_COLLECTION_BYTES = 256 * 1024 * 1024  # far above any deck quizgen writes


def _extract_collection(path: Path, target: Path) -> bool:
    """Copy the collection out of the .apkg at `path` in chunks; False when there is none, or it is damaged
    or larger than any deck quizgen writes (a zip bomb left at the output path is not unpacked)."""
    try:
        if not path.is_file() or path.is_symlink():
            return False
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("collection.anki2")
            if info.file_size > MAX_PREVIOUS_COLLECTION_BYTES:
                return False
            with archive.open(info) as source, open(target, "wb") as copy:
                copied = 0
                while chunk := source.read(1024 * 1024):
                    copied += len(chunk)
                    if copied > MAX_PREVIOUS_COLLECTION_BYTES:
                        return False
                    copy.write(chunk)
    except (OSError, KeyError, zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError):
        return False
    return True


# ---- deck, note types and notes ------------------------------------------------------


def anki_id(pack_id: str, kind: str) -> int:
    """A stable id in the range genanki recommends for decks and note types: [2**30, 2**31)."""
    return (1 << 30) + int(stable_id("quizgen", pack_id, kind), 16) % (1 << 30)


def basic_model(question_set: QuestionSet) -> genanki.Model:
    return note_model(question_set, "basic", "Basic", BASIC_FIELDS, {
        "name": "Card 1",
        "qfmt": '<div class="prompt" dir="auto">{{Front}}</div>',
        "afmt": ('{{FrontSide}}<hr id="answer"><div class="answer" dir="auto">{{Back}}</div>'
                 '{{#Explanation}}<div class="explanation" dir="auto">{{Explanation}}</div>{{/Explanation}}'
                 '{{#Source}}<div class="source" dir="auto">Source: {{Source}}</div>{{/Source}}'),
    })


def cloze_model(question_set: QuestionSet) -> genanki.Model:
    return note_model(question_set, "cloze", "Cloze", CLOZE_FIELDS, {
        "name": "Cloze",
        "qfmt": '<div class="prompt" dir="auto">{{cloze:Text}}</div>',
        "afmt": '<div class="prompt" dir="auto">{{cloze:Text}}</div>' + EXTRA_AND_SOURCE,
    }, model_type=genanki.Model.CLOZE)


def note_model(question_set: QuestionSet, kind: str, name: str, fields: tuple[str, ...], template: dict[str, str],
               **options) -> genanki.Model:
    """A note type of the pack's own, with a stable id, its fields and its one card template."""
    return genanki.Model(anki_id(question_set.pack_id, f"{kind}-model"), f"quizgen {name} ({question_set.pack_id})",
                         fields=[{"name": field} for field in fields], templates=[template], css=CARD_CSS, **options)


def deck_for(question_set: QuestionSet) -> genanki.Deck:
    deck = genanki.Deck(anki_id(question_set.pack_id, "deck"), deck_name(question_set.pack_title),
                        description=f"{counted(len(question_set.study_deck()), 'card')} from "
                                    f"“{common.html_text(question_set.pack_title)}”."
                                    + common.html_text(common.licence_sentence(question_set)))
    basic, cloze = basic_model(question_set), cloze_model(question_set)
    for question in question_set.study_deck():
        if question.type == "cloze" and BLANK in question.prompt:
            deck.add_note(cloze_note(question_set, question, cloze))
        else:
            deck.add_note(basic_note(question_set, question, basic))
    return deck


def deck_name(title: str) -> str:
    # '::' separates a parent deck from a sub-deck in Anki deck names
    return " ".join(title.split()).replace("::", ":")


def note_guid(question_set: QuestionSet, question: Question) -> str:
    return genanki.guid_for("quizgen", question_set.pack_id, question.id)


def basic_note(question_set: QuestionSet, question: Question, model: genanki.Model) -> genanki.Note:
    fields = [front_html(question), common.html_text(common.card_back(question)),
              explanation_html(question), source_html(question)]
    return genanki.Note(model=model, fields=fields, tags=anki_tags(question), guid=note_guid(question_set, question))


def front_html(question: Question) -> str:
    """The card front as HTML lines: the question, then the numbered items and lettered choices, if any."""
    return "<br>".join(common.html_text(line) for line in card_front(question).lines())


def cloze_note(question_set: QuestionSet, question: Question, model: genanki.Model) -> genanki.Note:
    fields = [cloze_text(question), explanation_html(question), source_html(question)]
    return genanki.Note(model=model, fields=fields, tags=anki_tags(question), guid=note_guid(question_set, question))


def cloze_text(question: Question) -> str:
    """The prompt with its first blank as `{{c1::answer}}`."""
    before, _, after = question.prompt.partition(BLANK)
    return f"{outside_cloze(before)}{{{{c1::{inside_cloze(question.answer)}}}}}{outside_cloze(after)}"


def inside_cloze(text: str) -> str:
    # ':' and braces as entities: '::' would start a hint and '}}' would end the deletion early
    return common.html_text(text).replace(":", "&#58;").replace("{", "&#123;").replace("}", "&#125;")


def outside_cloze(text: str) -> str:
    # braces as entities, so text around the deletion cannot open another one
    return common.html_text(text).replace("{", "&#123;").replace("}", "&#125;")


def explanation_html(question: Question) -> str:
    parts = [common.html_text(question.explanation)] if question.explanation else []
    also = [a for a in dict.fromkeys(question.accepted) if a != question.answer]
    if also and question.type in ("cloze", "short-answer"):
        parts.append("Also accepted: " + ", ".join(common.html_text(a) for a in also))
    return "<br>".join(parts)


def source_html(question: Question) -> str:
    return "<br>".join(common.citation_html(c) for c in common.unique_citations(question))


def anki_tags(question: Question) -> list[str]:
    # Anki tags are separated by spaces, so a space inside a tag becomes '_'
    return list(dict.fromkeys("_".join(tag.split()) for tag in question.tags if tag.strip()))
