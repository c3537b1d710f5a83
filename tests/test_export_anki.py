"""Anki export, imported with the real `anki` package into fresh collections."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from helpers import make_sample_set

from quizgen.errors import QuizgenError
from quizgen.export import anki as anki_export
from quizgen.model import Option, QuestionSet


@pytest.fixture
def collection(tmp_path):
    (tmp_path / "collection").mkdir()
    col = Collection(str(tmp_path / "collection" / "collection.anki2"))
    yield col
    col.close()


def import_package(col: Collection, path: Path):
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False))
    return col.import_anki_package(request).log


def visible_text(markup: str) -> str:
    """What a learner reads on a rendered card: no style block, no tags, entities decoded."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def notes_by_front(col: Collection) -> dict[str, object]:
    return {col.get_note(nid).fields[0]: col.get_note(nid) for nid in col.find_notes("")}


def tricky_set() -> QuestionSet:
    base = make_sample_set(versions=1)
    nasty = dataclasses.replace(
        base.questions[0], id="q-nasty", front="<b>Is</b> A & B \"quoted\" 'single' {{c2::x}} دير الزور?",
        back="Yes: a < b & c > d", explanation="Because <i>it</i> is & stays.", tags=("war history", "2014"),
        options=(Option("y", "Yes", True), Option("n", "No", False)))
    cloze = dataclasses.replace(base.questions[2], id="q-cloze2", prompt="Between {x} and _____ :: here.",
                                answer="a::b}}c & d", accepted=())
    return dataclasses.replace(base, questions=(*base.questions, nasty, cloze), versions=())


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_import_gives_one_note_and_card_per_question_in_a_deck_named_after_the_pack(tmp_path, collection, epoch):
    question_set = make_sample_set()
    path = tmp_path / "deck.apkg"
    assert anki_export.write(question_set, path) == []
    log = import_package(collection, path)
    assert (len(log.new), len(log.duplicate), len(log.updated)) == (7, 0, 0)
    assert collection.note_count() == 7 and collection.card_count() == 7
    assert collection.decks.by_name("Rivers & Lakes of Europe") is not None
    kinds = sorted(collection.get_note(n).note_type()["name"] for n in collection.find_notes(""))
    assert kinds == ["quizgen Basic (rivers)"] * 6 + ["quizgen Cloze (rivers)"]


def test_fields_tags_and_rendered_cards(tmp_path, collection, epoch):
    path = tmp_path / "deck.apkg"
    anki_export.write(make_sample_set(), path)
    import_package(collection, path)
    notes = notes_by_front(collection)
    mc = notes["Which river rises in the Black Forest?"]
    assert mc.fields[1:3] == ["Danube", "The Danube rises in the Black Forest."]
    assert mc.fields[3].startswith("Test Press, “Notes on rivers &amp; lakes”: “about 1,230 km long” <a href=")
    assert mc.tags == ["rivers"]
    card = mc.cards()[0]
    assert visible_text(card.question()) == "Which river rises in the Black Forest?"
    answer = visible_text(card.answer())
    assert answer.startswith("Which river rises in the Black Forest? Danube The Danube rises in the Black Forest.")
    assert "Source: Test Press, “Notes on rivers & lakes”" in answer and "https://example.org/notes?a=1&b=2" in answer

    arabic = notes["دير الزور"]
    assert arabic.fields[1] == "Deir ez-Zor"
    assert arabic.fields[2] == "Transliterations vary: a = b ~ c # d: e.<br>Also accepted: Deir al-Zor, Deir Ezzor"

    cloze = notes["The {{c1::Danube}} rises in the Black Forest."]
    card = cloze.cards()[0]
    assert visible_text(card.question()) == "The [...] rises in the Black Forest."
    assert visible_text(card.answer()).startswith("The Danube rises in the Black Forest. Donau is the German name.")


def test_html_and_quotes_show_as_written(tmp_path, collection, epoch):
    path = tmp_path / "deck.apkg"
    anki_export.write(tricky_set(), path)
    import_package(collection, path)
    notes = {collection.get_note(n).fields[0]: collection.get_note(n) for n in collection.find_notes("")}
    nasty = next(n for front, n in notes.items() if front.startswith("&lt;b&gt;Is"))
    card = nasty.cards()[0]
    assert visible_text(card.question()) == "<b>Is</b> A & B \"quoted\" 'single' {{c2::x}} دير الزور?"
    assert "Yes: a < b & c > d" in visible_text(card.answer())
    assert "Because <i>it</i> is & stays." in visible_text(card.answer())
    assert sorted(nasty.tags) == ["2014", "war_history"]
    cloze = next(n for front, n in notes.items() if front.startswith("Between"))
    card = cloze.cards()[0]
    assert len(cloze.cards()) == 1
    assert visible_text(card.question()) == "Between {x} and [...] :: here."
    assert visible_text(card.answer()) == "Between {x} and a::b}}c & d :: here. Donau is the German name. " \
        "Source: Test Press, “Notes on rivers & lakes”: “about 1,230 km long” https://example.org/notes?a=1&b=2"


def test_importing_the_same_file_again_adds_nothing(tmp_path, collection, epoch):
    path = tmp_path / "deck.apkg"
    anki_export.write(make_sample_set(), path)
    import_package(collection, path)
    log = import_package(collection, path)
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, 7)
    assert collection.note_count() == 7


def test_a_second_build_with_one_edited_question_updates_that_note_only(tmp_path, collection, monkeypatch):
    question_set = make_sample_set()
    path = tmp_path / "deck.apkg"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    anki_export.write(question_set, path)
    import_package(collection, path)

    edited = dataclasses.replace(question_set.questions[3], explanation="Spellings vary between sources.")
    second = dataclasses.replace(question_set, questions=(*question_set.questions[:3], edited,
                                                          *question_set.questions[4:]))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    anki_export.write(second, path)  # over the first build: unchanged notes keep their times
    log = import_package(collection, path)
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 1, 6)
    assert collection.note_count() == 7
    assert notes_by_front(collection)["دير الزور"].fields[2].startswith("Spellings vary between sources.")


def test_an_edit_within_the_same_second_still_counts_as_newer(tmp_path, collection, epoch):
    question_set = make_sample_set()
    path = tmp_path / "deck.apkg"
    anki_export.write(question_set, path)
    import_package(collection, path)
    edited = dataclasses.replace(question_set.questions[0], back="The Danube")
    anki_export.write(dataclasses.replace(question_set, questions=(edited, *question_set.questions[1:])), path)
    log = import_package(collection, path)
    assert (len(log.new), len(log.updated)) == (0, 1)


def test_guids_and_ids_come_from_the_pack_and_question_ids():
    question_set = make_sample_set()
    first = anki_export.note_guid(question_set, question_set.questions[0])
    changed = dataclasses.replace(question_set.questions[0], prompt="changed")
    assert first == anki_export.note_guid(question_set, changed)
    assert first != anki_export.note_guid(dataclasses.replace(question_set, pack_id="other"), question_set.questions[0])
    deck = anki_export.deck_for(question_set)
    assert deck.deck_id == anki_export.anki_id("rivers", "deck")
    assert 1 << 30 <= deck.deck_id < 1 << 31
    assert anki_export.anki_id("rivers", "basic-model") != anki_export.anki_id("rivers", "cloze-model")


def test_same_set_and_time_give_identical_bytes(tmp_path, epoch):
    anki_export.write(make_sample_set(), tmp_path / "a.apkg")
    anki_export.write(make_sample_set(), tmp_path / "b.apkg")
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


def test_rebuilding_over_the_last_build_gives_identical_bytes(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = tmp_path / "deck.apkg"
    anki_export.write(make_sample_set(), path)
    first = path.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1999999999")  # a later clock changes nothing when nothing changed
    anki_export.write(make_sample_set(), path)
    assert path.read_bytes() == first


def test_a_bad_source_date_epoch_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(QuizgenError) as caught:
        anki_export.write(make_sample_set(), tmp_path / "deck.apkg")
    assert "SOURCE_DATE_EPOCH" in str(caught.value) and "'yesterday'" in str(caught.value)
    assert not (tmp_path / "deck.apkg").exists()


def test_two_fresh_decks_without_source_date_epoch_are_identical_and_dated_from_a_fixed_day(tmp_path, monkeypatch,
                                                                                            collection):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    anki_export.write(make_sample_set(), tmp_path / "a.apkg")
    anki_export.write(make_sample_set(), tmp_path / "b.apkg")
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()
    import_package(collection, tmp_path / "a.apkg")
    notes = [collection.get_note(n) for n in collection.find_notes("")]
    assert {n.mod for n in notes} == {anki_export.FIXED_BUILD_TIME}


def test_note_and_card_ids_come_from_the_guids_so_a_new_question_renumbers_nothing(tmp_path, epoch, collection):
    base = make_sample_set(versions=1)
    extra = dataclasses.replace(base.questions[0], id="q-new", front="A question added first")
    anki_export.write(base, tmp_path / "before.apkg")
    anki_export.write(dataclasses.replace(base, questions=(extra, *base.questions)), tmp_path / "after.apkg")
    ids = {}
    for name in ("before", "after"):
        other = Collection(str(tmp_path / f"{name}.anki2"))
        import_package(other, tmp_path / f"{name}.apkg")
        ids[name] = {other.get_note(n).guid: (n, other.get_note(n).cards()[0].id) for n in other.find_notes("")}
        other.close()
    assert len(ids["after"]) == len(ids["before"]) + 1
    assert all(ids["after"][guid] == pair for guid, pair in ids["before"].items())
    assert all(note_id > 1_700_000_000_000 for note_id, _ in ids["before"].values())  # milliseconds after the epoch


def test_card_fronts_list_what_to_order_or_match_and_ask_true_or_false(tmp_path, collection, epoch):
    path = tmp_path / "deck.apkg"
    anki_export.write(make_sample_set(), path)
    import_package(collection, path)
    fronts = {visible_text(collection.get_note(n).cards()[0].question()) for n in collection.find_notes("")}
    assert "Order the events 1. Second 2. Third 3. First" in fronts
    assert "Match rivers and countries 1. Rhine 2. Danube A. Germany B. Switzerland" in fronts
    assert "True or false? The Rhine is about 1,230 km long." in fronts


def test_the_deck_holds_the_study_deck(tmp_path, collection, epoch):
    base = make_sample_set(versions=1)
    question_set = dataclasses.replace(base, questions=base.questions[:1], deck=base.questions[1:4])
    anki_export.write(question_set, tmp_path / "deck.apkg")
    import_package(collection, tmp_path / "deck.apkg")
    assert collection.note_count() == 3


def test_a_deck_made_over_an_earlier_one_is_made_again_from_itself_byte_for_byte(tmp_path, epoch):
    # a build's cache keeps the deck under its own bytes as the earlier file (build/export_cache.py)
    question_set = make_sample_set()
    path = tmp_path / "deck.apkg"
    anki_export.write(question_set, path)
    edited = dataclasses.replace(question_set.questions[0], back="The Danube")
    second = dataclasses.replace(question_set, questions=(edited, *question_set.questions[1:]))
    anki_export.write(second, path)
    made = path.read_bytes()
    assert anki_export.file_bytes(second, path)[0] == made
    assert anki_export.file_bytes(second, None)[0] != made  # the edited note's time came from the earlier deck
