"""`quizgen draft`: the default pack covers its seed text entirely; on a fresh pack and another article every
sentence naming a date, number or known entity gets a skeleton that fits; the draft never replaces a user's file."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from quizgen.cli import main
from quizgen.load.pack import load_pack
from quizgen.author.draft import draft_of, draft_yaml

from helpers import DEFAULT_PACK, ROOT

SEED = ROOT.parent / "shared" / "seeds" / "000_0100bfe34d1bbbb8.txt"
PACK_SEED = DEFAULT_PACK / "sources" / "S00-seed-wikipedia.txt"

ARTICLE = textwrap.dedent("""\
    Gustave Eiffel and his tower

    Gustave Eiffel died in Paris on 27 December 1923, at the age of 91.
    During the World's Fair of 1889, 1,896,987 people visited the Tour Eiffel.
    His company also built the internal frame of the Statue of Liberty, which was dedicated on 28 October 1886.
    Every seven years, the paint is renewed by hand.
    """)


@pytest.fixture
def starter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "towers"]) == 0
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("seed", [PACK_SEED, SEED], ids=["pack-copy", "shared-seed"])
def test_the_default_pack_leaves_no_sentence_of_its_seed_unquoted(seed, tmp_path, monkeypatch, capsys) -> None:
    if not seed.is_file():
        pytest.skip("the shared seed folder is not beside the project")
    monkeypatch.chdir(tmp_path)
    assert main(["draft", str(DEFAULT_PACK), str(seed)]) == 0
    out = capsys.readouterr().out
    assert "0 uncovered sentences" in out and "line " not in out
    assert list(tmp_path.iterdir()) == []  # nothing to draft, no file
    assert main(["draft", str(DEFAULT_PACK), str(seed), "--coverage"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:4] == ["sentences", "25", "of", "25"] and "quoted by a fact (100%)" in lines[1]
    # one sentence is quoted but not asked on purpose (tests/test_pack_seed_coverage.py, UNASKED)
    assert "24 by a fact a question asks" in lines[1]
    assert all(line.count("(100%)") == 2 for line in lines[2:])


def test_every_sentence_with_a_date_number_or_known_entity_gets_a_fitting_skeleton(starter, capsys) -> None:
    assert main(["draft", "towers", "article.txt"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("article.txt: 4 of 4 sentences quoted by no fact of towers yet; a fact skeleton for each "
                          "in draft-article.yaml")  # the heading is no sentence
    assert "Gustave Eiffel and his tower" not in out
    assert ("mentions: gustave-eiffel (Gustave Eiffel); paris (Paris); date 1923-12-27 (27 December 1923); number 91"
            in out)
    assert "eiffel-tower (Tour Eiffel)" in out  # found by its alias
    draft = yaml.safe_load((starter / "draft-article.yaml").read_text(encoding="utf-8"))
    facts = {f["evidence"]: f for f in draft["facts"]}
    pack = load_pack(starter / "towers")
    lines = [line for line in ARTICLE.splitlines() if line.strip()]
    assert lines[0] not in facts
    for sentence in lines[1:]:
        fact = facts[sentence]  # evidence is the sentence, verbatim
        assert fact["sources"] == ["S2"] and fact["id"] not in {f.id for f in pack.facts}
    # a topic only where the pack's facts about what the sentence names have one; else a placeholder check reports
    assert [facts[line]["topic"] for line in lines[1:]] == ["the-engineer", "the-tower", "", ""]
    died = facts[lines[1]]
    assert (died["relation"], died["subject"], died["object"]) == ("born-in", "gustave-eiffel", "paris")
    assert "date" not in died  # born-in never says when: the sentence's date is no qualifier of it
    visited = facts[lines[2]]
    assert visited["relation"] == "completed-in" and visited["object"] == 1889 and visited["subject"] == "eiffel-tower"
    liberty = facts[lines[3]]
    assert liberty["relation"] == ""  # a date, but no relation of the pack takes a date with nothing else named
    assert draft["sources"] == [{"id": "S2", "title": "Gustave Eiffel and his tower", "publisher": "", "url": "",
                                 "file": "sources/article.txt"}]


def test_a_completed_skeleton_passes_check(starter) -> None:
    """The skeleton's values are the pack's own: with the relation's words added, the fact it drafts loads."""
    pack_folder = starter / "towers"
    with (pack_folder / "relations.yaml").open("a", encoding="utf-8") as stream:
        stream.write('\n  - id: died-in\n    subject: person\n    object: city\n    objects: one\n'
                     '    sentence: "{Subject} died in {object}."\n    ask_object: "Where did {subject} die?"\n')
    draft = draft_of(load_pack(pack_folder), starter / "article.txt")
    sentence = next(s for s in draft.unquoted if "died" in s.sentence.text)
    assert [r.id for r in sentence.relations][:1] == ["died-in"]  # the words of the relation rank it first
    text = draft_yaml(draft)
    skeleton = next(f for f in yaml.safe_load(text)["facts"] if f["relation"] == "died-in")
    (pack_folder / "sources" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (pack_folder / "more.yaml").write_text(yaml.safe_dump({
        "sources": [{"id": "S2", "title": "Eiffel", "publisher": "Me", "file": "sources/article.txt"}],
        "facts": [skeleton]}, allow_unicode=True), encoding="utf-8")
    pack = load_pack(pack_folder)
    assert pack.source("S2").text and any(f.relation == "died-in" for f in pack.facts)


def test_a_skeleton_left_without_its_topic_is_reported_by_check_with_the_topics_to_choose(starter, capsys) -> None:
    pack_folder = starter / "towers"
    text = draft_yaml(draft_of(load_pack(pack_folder), starter / "article.txt"))
    skeleton = next(f for f in yaml.safe_load(text)["facts"] if f["evidence"].startswith("Every seven years"))
    assert skeleton["topic"] == ""
    (pack_folder / "more.yaml").write_text(yaml.safe_dump({"facts": [{**skeleton, "relation": "stands-in",
                                                                      "subject": "eiffel-tower", "object": "paris"}]}),
                                           encoding="utf-8")
    assert main(["check", str(pack_folder)]) == 1
    err = capsys.readouterr().err
    assert ".topic: is empty; expected text" not in err
    assert "more.yaml:" in err and (".topic: is empty; expected one of pack.yaml's topics (the-engineer, the-tower), "
                                    "or a new topic added there") in err


def test_a_source_already_in_the_pack_is_named_by_its_id(starter, capsys) -> None:
    assert main(["draft", "towers", "towers/sources/eiffel-tower.txt"]) == 0
    assert "0 uncovered sentences" in capsys.readouterr().out
    assert main(["draft", "towers", "towers/sources/eiffel-tower.txt", "--coverage"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  sentences     5 of 5    quoted by a fact (100%); 4 by a fact a question asks (80%)",  # F2 is ask: []
        "  numbers       1 of 1    written in a quotation (100%); 1 by a fact a question asks (100%)",
        "  dates         2 of 2    written in a quotation (100%); 2 by a fact a question asks (100%)"]


def test_coverage_counts_what_the_pack_quotes(starter, capsys) -> None:
    assert main(["draft", "towers", "article.txt", "--coverage"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "article.txt against towers:"
    assert out[1] == "  sentences     0 of 4    quoted by a fact (0%); 0 by a fact a question asks (0%)"
    assert not (starter / "draft-article.yaml").exists()


def test_the_draft_never_replaces_a_file_quizgen_did_not_write(starter, capsys) -> None:
    mine = starter / "draft-article.yaml"
    mine.write_text("my notes\n", encoding="utf-8")
    assert main(["draft", "towers", "article.txt"]) == 1
    assert "already exists and was not written by quizgen" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "my notes\n"
    mine.unlink()
    assert main(["draft", "towers", "article.txt"]) == 0
    assert main(["draft", "towers", "article.txt"]) == 0  # its own file, unchanged: rewritten
    with mine.open("a", encoding="utf-8") as stream:
        stream.write("# my edit\n")
    assert main(["draft", "towers", "article.txt"]) == 1  # changed since: the author's now
    assert mine.read_text(encoding="utf-8").endswith("# my edit\n")
    assert main(["draft", "towers", "article.txt", "--out", "towers/draft.yaml"]) == 1
    assert "inside the pack folder" in capsys.readouterr().err
    assert not (starter / "towers" / "draft.yaml").exists()


def test_an_html_source_is_drafted_from_its_text_with_excerpts(starter, capsys) -> None:
    (starter / "page.html").write_text("<html><body><h1>Eiffel</h1><p>Gustave Eiffel died in Paris on "
                                       "<i>27 December 1923</i>.</p></body></html>", encoding="utf-8")
    assert main(["draft", "towers", "page.html", "--out", "page-draft.yaml"]) == 0
    draft = yaml.safe_load((starter / "page-draft.yaml").read_text(encoding="utf-8"))
    assert draft["sources"][0]["excerpts"] == ["Gustave Eiffel died in Paris on 27 December 1923."]
    assert draft["sources"][0]["title"] == "Eiffel"  # the page's heading names the source, and is no sentence
    assert draft["facts"][0]["evidence"] == "Gustave Eiffel died in Paris on 27 December 1923."


def test_control_characters_in_a_source_are_shown_escaped_and_kept_out_of_the_draft_yaml(starter, capsys) -> None:
    (starter / "odd.txt").write_text("Gustave Eiffel died in Paris\x1b[31m on 27 December 1923.\n", encoding="utf-8")
    assert main(["draft", "towers", "odd.txt"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "Paris\\x1b[31m on" in out
    text = (starter / "draft-odd.yaml").read_text(encoding="utf-8")
    assert "\x1b" not in text
    assert yaml.safe_load(text)["facts"][0]["evidence"] == "Gustave Eiffel died in Paris\x1b[31m on 27 December 1923."


def test_coverage_counts_apart_what_no_question_asks(starter, capsys) -> None:
    facts = starter / "towers" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("    confidence: high", "    tags: [no-quiz]", 1),
                     encoding="utf-8")
    assert main(["draft", "towers", "towers/sources/eiffel-tower.txt", "--coverage"]) == 0
    out = capsys.readouterr().out.splitlines()
    # F2 (the tower's namesake) is kept unasked in the starter; tagging F1 no-quiz leaves three of five asked
    assert out[1] == "  sentences     5 of 5    quoted by a fact (100%); 3 by a fact a question asks (60%)"


def test_names_the_pack_lacks_are_listed_and_drafted_as_entities_once(starter, capsys) -> None:
    (starter / "thames.txt").write_text("The River Thames flows through London.\nThe River Thames rises in "
                                        "Gloucestershire, far from Paris.\n", encoding="utf-8")
    assert main(["draft", "towers", "thames.txt"]) == 0
    out = capsys.readouterr().out
    assert "    names not in the pack: River Thames, London\n" in out
    assert "    names not in the pack: River Thames, Gloucestershire\n" in out  # Paris is the pack's own
    draft = yaml.safe_load((starter / "draft-thames.yaml").read_text(encoding="utf-8"))
    assert [(e["id"], e["name"], e["category"], e["sources"]) for e in draft["entities"]] == [
        ("river-thames", "River Thames", "", ["S2"]), ("london", "London", "", ["S2"]),
        ("gloucestershire", "Gloucestershire", "", ["S2"])]


def test_a_quotation_with_an_editorial_insertion_covers_the_sentence_it_quotes(tmp_path) -> None:
    from helpers import DISCOVERERS_PACK, write_pack

    pack = load_pack(write_pack(tmp_path / "discoverers", DISCOVERERS_PACK))  # F1: "In 1898 [Marie Curie] discovered…"
    source = tmp_path / "life.txt"
    source.write_text("In 1898 she discovered polonium, naming it after her native Poland. She was born in Warsaw.\n",
                      encoding="utf-8")
    sentences = draft_of(pack, source).sentences
    assert [(s.sentence.text, s.quoted_by) for s in sentences] == [
        ("In 1898 she discovered polonium, naming it after her native Poland.", ("F1",)),
        ("She was born in Warsaw.", ())]


def test_a_word_that_only_opens_sentences_is_no_name_and_a_paragraph_s_sentences_are_told_apart(starter, capsys):
    (starter / "bridge.txt").write_text(
        "The Brooklyn Bridge\nNow a landmark, the Brooklyn Bridge opened on 24 May 1883. Born in Germany, John "
        "Augustus Roebling designed it. Using steel wire, the builders spanned the East River.\n", encoding="utf-8")
    assert main(["draft", "towers", "bridge.txt"]) == 0
    out = capsys.readouterr().out
    assert "line 2, sentence 2: Born in Germany, John Augustus Roebling designed it." in out
    assert "    names not in the pack: Germany, John Augustus Roebling\n" in out
    names = [e["name"] for e in yaml.safe_load((starter / "draft-bridge.yaml").read_text())["entities"]]
    assert names == ["Brooklyn Bridge", "Germany", "John Augustus Roebling", "East River"], names
    source = yaml.safe_load((starter / "draft-bridge.yaml").read_text())["sources"][0]
    assert source["title"] == "The Brooklyn Bridge"  # the heading, not a sentence cut at 100 characters


def test_a_figure_the_source_gives_as_a_limit_is_drafted_with_its_bound(starter) -> None:
    (starter / "limits.txt").write_text("The Eiffel Tower is more than 300 metres tall.\n"
                                        "The Eiffel Tower is about 300 metres tall.\n", encoding="utf-8")
    draft = yaml.safe_load(draft_yaml(draft_of(load_pack(starter / "towers"), starter / "limits.txt")))
    objects = {f["evidence"]: f["object"] for f in draft["facts"] if f["relation"] == "height"}
    assert objects["The Eiffel Tower is more than 300 metres tall."] == {"value": 300, "unit": "metres",
                                                                         "bound": "more-than"}
    assert objects["The Eiffel Tower is about 300 metres tall."] == {"value": 300, "unit": "metres",
                                                                     "approximate": True}


# ---- what draft proposes: a relation where the sentence names what its slots hold, facing the way the pack says --

LIFE = textwrap.dedent("""\
    Antonie van Leeuwenhoek

    Early Life

    Antonie van Leeuwenhoek was born on 24 October 1632 in Delft.
    Leeuwenhoek had four older sisters, among them Margriet.
    Unlike many scientists, Leeuwenhoek received no formal higher education.
    His father, Philips Antonysz, worked as a basket maker.
    Philips Antonysz was the father of Antonie van Leeuwenhoek.
    """)

LIFE_RELATIONS = """
  - id: worked-as
    subject: person
    object: text
    sentence: "{Subject} worked as {object}."
    ask_object: "What did {subject} work as?"

  - id: sister-of
    subject: person
    object: person
    complete_for:
      - {object: leeuwenhoek, source: S1}
    sentence: "{Subject} was an older sister of {object}."
    ask_subject: "Who was an older sister of {object}?"

  - id: father-of
    subject: person
    object: person
    sentence: "{Subject} was the father of {object}."
    ask_subject: "Who was the father of {object}?"
"""

LIFE_ENTITIES = """
  - {id: leeuwenhoek, name: Antonie van Leeuwenhoek, aliases: [Leeuwenhoek], category: person,
     description: A microscopist.}
  - {id: margriet, name: Margriet, category: person, description: An older sister.}
  - {id: philips, name: Philips Antonysz, category: person, description: A basket maker.}
  - {id: delft, name: Delft, category: city, description: A city.}
"""


@pytest.fixture
def life(starter):
    pack = starter / "towers"
    with (pack / "relations.yaml").open("a", encoding="utf-8") as stream:
        stream.write(LIFE_RELATIONS)
    with (pack / "entities.yaml").open("a", encoding="utf-8") as stream:
        stream.write(LIFE_ENTITIES)
    (starter / "life.txt").write_text(LIFE, encoding="utf-8")
    return draft_of(load_pack(pack), starter / "life.txt")


def fitting(draft, start: str) -> list[str]:
    return [r.id for r in next(s for s in draft.sentences if s.sentence.text.startswith(start)).relations]


def test_headings_are_neither_sentences_nor_new_names(life) -> None:
    assert [s.sentence.text for s in life.sentences][0] == (
        "Antonie van Leeuwenhoek was born on 24 October 1632 in Delft.")
    assert not any("Early Life" in s.new_names for s in life.sentences)
    assert "Early Life" not in draft_yaml(life)


def test_a_text_slot_alone_fits_no_sentence(life) -> None:
    assert "worked-as" not in fitting(life, "Unlike many scientists")  # it names a person, and nothing of working
    assert fitting(life, "His father") [:1] == ["worked-as"]  # its own words are in the sentence
    assert "worked-as" not in fitting(life, "Antonie van Leeuwenhoek was born")


def test_a_skeleton_puts_no_date_on_a_relation_that_never_says_when(life) -> None:
    facts = {f["evidence"]: f for f in yaml.safe_load(draft_yaml(life))["facts"]}
    born = facts["Antonie van Leeuwenhoek was born on 24 October 1632 in Delft."]
    assert born["relation"] == "born-in" and born["object"] == "delft" and "date" not in born


def test_a_skeleton_faces_the_way_the_pack_says_and_flags_where_it_cannot_tell(life) -> None:
    text = draft_yaml(life)
    facts = {f["evidence"]: f for f in yaml.safe_load(text)["facts"]}
    sisters = facts["Leeuwenhoek had four older sisters, among them Margriet."]
    # complete_for lists every subject of Leeuwenhoek: he is the object, whatever order the sentence names them in
    assert (sisters["relation"], sisters["subject"], sisters["object"]) == ("sister-of", "margriet", "leeuwenhoek")
    assert "nothing in the pack says which is which" not in text.split("Leeuwenhoek had four")[0].rsplit("- id:", 1)[-1]
    father = text.split("Philips Antonysz was the father")[0].rsplit("- id:", 1)[-1]
    assert "relation: father-of" in father and "nothing in the pack says which is which" in father
