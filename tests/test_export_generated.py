"""End to end: question sets generated from a small fixture pack and from the default pack, exported
in every format and read back by the same importers and parsers as the format tests."""

from __future__ import annotations

import csv
import dataclasses
import html
import importlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from anki.collection import Collection
from helpers import DEFAULT_PACK, MINIMAL_PACK, write_pack
from test_export_anki import import_package
from test_export_gift import parse_with_gift_pegjs, questions_only
from test_export_moodle import STRUCTURE, child_tags_match, moodle_cloze_answers
from test_export_qti import TEXT2QTI_TYPES, assessment_items, normalised, text2qti_zip, zip_entries

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.export import FORMATS, export_all
from quizgen.export import anki as anki_export
from quizgen.model import QuestionSet


def generator():
    module = importlib.import_module("quizgen.generate")
    if not hasattr(module, "generate_question_set"):
        pytest.skip("the question engine (quizgen.generate.generate_question_set) is not there yet")
    return module.generate_question_set


def generated(pack_folder: Path, count: int) -> QuestionSet:
    return generator()(load_pack(pack_folder), template_dirs=[], types=None, tags=None, count=count, seed=1,
                       versions=1)


@pytest.fixture(scope="module")
def fixture_exports(tmp_path_factory) -> tuple[QuestionSet, Path]:
    folder = tmp_path_factory.mktemp("fixture")
    question_set = generated(write_pack(folder / "rivers", MINIMAL_PACK), count=20)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        export_all(question_set, folder / "out")
    return question_set, folder / "out"


@pytest.fixture(scope="module")
def default_pack_exports(tmp_path_factory) -> tuple[QuestionSet, Path]:
    if not (DEFAULT_PACK / "pack.yaml").is_file():
        pytest.skip("the default pack is not there yet")
    folder = tmp_path_factory.mktemp("default")
    question_set = generated(DEFAULT_PACK, count=20)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        results = export_all(question_set, folder)
    assert all(r.path.is_file() for r in results if r.written)
    return question_set, folder


@pytest.fixture(params=["fixture", "default_pack"])
def exports(request) -> tuple[QuestionSet, Path]:
    return request.getfixturevalue(f"{request.param}_exports")


def test_anki_import_has_a_note_per_question(exports, tmp_path):
    question_set, folder = exports
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        log = import_package(col, folder / "anki.apkg")
        deck = question_set.study_deck()  # the deck covers every quizzable fact, whatever the worksheet's count
        assert len(log.new) == col.note_count() == len(deck)
        assert {col.get_note(n).guid for n in col.find_notes("")} == {
            anki_export.note_guid(question_set, q) for q in deck}
    finally:
        col.close()


def test_gift_parses_back_with_every_question(exports):
    question_set, folder = exports
    parsed = questions_only(parse_with_gift_pegjs(folder / "gift.txt"))
    assert [q["id"] for q in parsed] == [q.id for q in question_set.questions]
    for question, read in zip(question_set.questions, parsed):
        if question.type == "multiple-choice":
            assert [(c["text"]["text"], c["isCorrect"]) for c in read["choices"]] == \
                [(o.text, o.correct) for o in question.options]


def test_moodle_xml_has_every_question_in_moodle_structure(exports):
    question_set, folder = exports
    root = ET.parse(folder / "moodle.xml").getroot()
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.findtext("idnumber") for q in questions] == [q.id for q in question_set.questions]
    for element in root.findall("question"):
        assert child_tags_match(element, STRUCTURE[element.get("type")]), element.get("type")
    for element, question in zip(questions, question_set.questions):
        if question.type == "cloze":
            answers = moodle_cloze_answers(element.findtext("questiontext/text"))
            assert [a for _, a in answers[0]] == list(dict.fromkeys((question.answer, *question.accepted)))


def test_qti_items_match_text2qti(exports):
    question_set, folder = exports
    items = assessment_items((folder / "canvas-qti.zip").read_bytes())
    assert len(items) == len(question_set.questions)
    supported = [q for q in question_set.questions if q.type in TEXT2QTI_TYPES]
    ours = [i for i, q in zip(items, question_set.questions) if q.type in TEXT2QTI_TYPES]
    if supported:
        for mine, theirs, question in zip(ours, assessment_items(text2qti_zip(supported)), supported):
            assert normalised(mine) == normalised(theirs), question.id


def test_kahoot_has_the_choice_questions_that_fit(exports):
    question_set, folder = exports
    sheet = openpyxl.load_workbook(folder / "kahoot.xlsx").active
    rows = [r for r in sheet.iter_rows(min_row=9, values_only=True) if r[1] is not None]
    choice = [q for q in question_set.questions if q.type in ("multiple-choice", "true-false")]
    assert [r[1] for r in rows] == [q.prompt for q in choice if len(q.prompt) <= 120
                                    and all(len(o.text) <= 75 for o in q.options) and len(q.options) <= 4]


def test_csv_and_tsv_have_a_row_per_question(exports):
    question_set, folder = exports
    with open(folder / "questions.csv", encoding="utf-8-sig", newline="") as stream:
        assert [r["id"] for r in csv.DictReader(stream)] == [q.id for q in question_set.questions]
    lines = (folder / "quizlet.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(question_set.study_deck()) and all(line.count("\t") == 1 for line in lines)


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"html"}))
def test_cli_export_writes_each_format_for_the_default_pack(fmt, tmp_path, monkeypatch):
    generator()
    if not (DEFAULT_PACK / "pack.yaml").is_file():
        pytest.skip("the default pack is not there yet")
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(DEFAULT_PACK), "--format", fmt, "--count", "8"]) == 0
    assert (tmp_path / f"deir-ez-zor-2014-{FORMATS[fmt].default_file}").stat().st_size > 0


def test_anki_update_after_editing_one_question(exports, tmp_path, monkeypatch):
    question_set, folder = exports
    path = tmp_path / "anki.apkg"
    path.write_bytes((folder / "anki.apkg").read_bytes())
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, path)
        deck = question_set.study_deck()
        edited = dataclasses.replace(deck[-1], explanation="An edited explanation.")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000500")
        anki_export.write(dataclasses.replace(question_set, deck=(*deck[:-1], edited)), path)
        log = import_package(col, path)
        assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 1, len(deck) - 1)
    finally:
        col.close()


def test_the_default_deck_in_anki_has_a_card_for_every_quizzable_fact(default_pack_exports, tmp_path):
    """A learner's deck covers the whole pack, not the worksheet's 20 questions: Anki itself counts the notes."""
    question_set, folder = default_pack_exports
    pack = load_pack(DEFAULT_PACK)
    quizzable = {f.id for f in pack.quizzable_facts()}
    deck = question_set.study_deck()
    # a card may hold several facts (every answer of a many-valued question): each quizzable fact is on one
    assert {fid for q in deck for fid in q.fact_ids} == quizzable and len(question_set.questions) == 20
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, folder / "anki.apkg")
        assert col.note_count() == len(deck)
        fronts = [col.get_note(n).fields[0] for n in col.find_notes("")]
    finally:
        col.close()
    for front in fronts:
        text = re.sub(r"<[^>]+>", " ", front)
        assert "?" in text or text.strip().startswith(("True or false?", "Put these", "Match")) or "_____" in text, \
            front


def test_the_default_pack_files_its_questions_by_topic_in_moodle_and_gift(default_pack_exports):
    """A teacher finds the questions under the pack's topics, never under a tag the author keeps for bookkeeping."""
    question_set, folder = default_pack_exports
    pack = load_pack(DEFAULT_PACK)
    topic_paths = {f"{pack.title}/{t.title}" for t in pack.topics}
    wanted = {q.id: f"{pack.title}/{pack.topic_title(q.topic)}" for q in question_set.questions}
    fact_tags = {t for f in pack.facts for t in f.tags}
    assert fact_tags >= {"seed", "no-quiz"}

    root = ET.parse(folder / "moodle.xml").getroot()
    filed_in, category = {}, None
    for element in root.findall("question"):
        if element.get("type") == "category":
            category = element.findtext("category/text")
            assert category in topic_paths and category.rsplit("/", 1)[-1] not in fact_tags, category
        else:
            filed_in[element.findtext("idnumber")] = category
    assert filed_in == wanted

    filed_in, category = {}, None
    for read in parse_with_gift_pegjs(folder / "gift.txt"):
        if read["type"] == "Category":
            category = read["title"]
            assert category in topic_paths, category
        else:
            filed_in[read["id"]] = category
    assert filed_in and filed_in == {i: c for i, c in wanted.items() if i in filed_in}  # GIFT may leave one out


def test_no_card_of_the_default_deck_carries_the_no_quiz_tag(default_pack_exports, tmp_path):
    """`no-quiz` tells quizgen not to ask a fact: no card names one (its value may still be one of several true
    answers), and the tag never reaches the learner's Anki collection."""
    question_set, folder = default_pack_exports
    no_quiz = {f.id for f in load_pack(DEFAULT_PACK).facts if "no-quiz" in f.tags}
    assert no_quiz and not any(no_quiz & set(q.fact_ids) for q in question_set.study_deck())
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, folder / "anki.apkg")
        tags = {tag for n in col.find_notes("") for tag in col.get_note(n).tags}
    finally:
        col.close()
    assert tags and "no-quiz" not in tags


def test_the_quiz_and_deck_descriptions_end_their_sentences_once(default_pack_exports, tmp_path):
    """The default pack's licence ends in a full stop; the descriptions around it must not add a second."""
    question_set, folder = default_pack_exports
    assert question_set.licence.endswith(".")
    entries = zip_entries((folder / "canvas-qti.zip").read_bytes())
    meta = ET.fromstring(next(data for name, data in entries.items() if name.endswith("/assessment_meta.xml")))
    quiz_html = meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}description")
    quiz = html.unescape(re.sub(r"<[^>]+>", "", quiz_html))
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        import_package(col, folder / "anki.apkg")
        deck = html.unescape(next(d for d in col.decks.all() if d["name"] != "Default")["desc"])
    finally:
        col.close()
    for description in (quiz, deck):
        assert description.endswith("checked word for word.") and ".." not in description, description
        assert "Licence: CC BY-SA 4.0." in description
