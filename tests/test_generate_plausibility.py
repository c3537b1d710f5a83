"""What a strict reader marks on packs the engine was not tuned on: names that give their answer away, wrong options
a student can rule out at a glance (the dead, infants, another river system), explanations that do not read as
sentences, events credited to one of their several actors, keys that accept a country for a town. Each test builds
on the small moons pack of `test_generate_knowledge`."""

from __future__ import annotations

import random
import re

import pytest
from pathlib import Path

from test_generate_knowledge import RELATIONS, moons, moons_pack, of_fact  # noqa: F401 (moons: a fixture)

from quizgen.errors import QuizgenError
from quizgen.study.answers import is_correct
from quizgen.load.pack import load_pack
from quizgen.generate import question_pool
from quizgen.generate.distractors import distractors_for
from quizgen.generate.truth import Truth
from quizgen.model import Number
from quizgen.study.review import student_lines
from quizgen.text import normalise


def fact_of(pack, fact_id: str):
    return next(f for f in pack.facts if f.id == fact_id)


def pools(pack, seeds=range(1, 6)):
    return [question_pool(pack, seed=seed) for seed in seeds]


def fact_yaml(fid: str, relation: str, subject: str, object_: str, evidence: str, *, date: str = "") -> str:
    """One fact of the moons pack as facts.yaml writes it."""
    dated = f"    date: {date}\n" if date else ""
    return (f"  - id: {fid}\n    relation: {relation}\n    subject: {subject}\n    object: {object_}\n{dated}"
            f"    topic: moons\n    sources: [N1]\n    evidence: \"{evidence}\"\n")


# ---- names that say their answer ------------------------------------------------------------------------------


def test_a_name_that_holds_its_answer_is_never_asked_nor_swapped_into_a_false_claim(tmp_path: Path):
    extra_entities = "  - {id: uranus-minor, name: Uranus Minor, category: moon, attributes: {planet: uranus}, " \
                     "description: A moon.}\n"
    extra = fact_yaml("O-minor", "orbits", "uranus-minor", "uranus", "Uranus Minor orbits Uranus.")
    pack = load_pack(moons_pack(tmp_path, extra_facts=extra, extra_entities=extra_entities,
                                extra_notes="Uranus Minor orbits Uranus."))
    for pool in pools(pack):
        assert of_fact(pool, "O-minor") == []  # "Uranus Minor orbits ___" / "Uranus Minor orbits Mars": no test
        for q in pool.questions:
            if q.type == "true-false" and q.answer == "False":
                assert "Uranus Minor" not in q.prompt, q.prompt  # false on its face
    reasons = [s.reason for s in question_pool(pack, seed=1).skipped if s.fact_id == "O-minor"]
    assert any("points at its answer" in r for r in reasons), reasons


def test_a_name_that_begins_with_its_answer_gives_it_away_too(tmp_path: Path):
    extra_entities = "  - {id: saturnalia, name: Saturnalia, category: moon, attributes: {planet: saturn}, " \
                     "description: A moon.}\n"
    extra = fact_yaml("O-saturnalia", "orbits", "saturnalia", "saturn", "Saturnalia orbits Saturn.")
    pack = load_pack(moons_pack(tmp_path, extra_facts=extra, extra_entities=extra_entities,
                                extra_notes="Saturnalia orbits Saturn."))
    asked = [q for pool in pools(pack) for q in of_fact(pool, "O-saturnalia")]
    assert asked == [], [q.prompt for q in asked]


# ---- wrong options a student can rule out --------------------------------------------------------------------


LIFETIMES = """\
  - id: born-on
    subject: person
    object: date
    lifetime: start
    sentence: "{Subject} was born {when}."
    ask_object: "When was {subject} born?"
"""


def test_a_lifetime_earned_from_a_birth_fact_keeps_an_infant_out_of_a_grown_up_s_deed(tmp_path: Path):
    # Ada was born in 1786: a year old when Titania was found (1787), sixty when Triton was (1846)
    extra_entities = "  - {id: ada, name: Ada Lovelock, category: person, attributes: {sex: man, century: 18th}, " \
                     "description: An astronomer.}\n"
    extra = fact_yaml("L-ada", "born-on", "ada", "1786-05-01", "Ada Lovelock was born on 1 May 1786.")
    pack = load_pack(moons_pack(tmp_path, relations=RELATIONS + LIFETIMES, extra_facts=extra,
                                extra_entities=extra_entities, extra_notes="Ada Lovelock was born on 1 May 1786."))
    truth = Truth.of(pack)
    assert truth.lifetime("ada")[0].year == 1786
    titania, triton = fact_of(pack, "D-titania"), fact_of(pack, "D-triton")
    for seed in range(8):
        assert "ada" not in distractors_for(titania, "subject", pack, truth, random.Random(seed), 6)
    assert any("ada" in distractors_for(triton, "subject", pack, truth, random.Random(seed), 6) for seed in range(8))


def test_a_lifetime_mark_needs_a_date(tmp_path: Path):
    bad = LIFETIMES.replace("    object: date\n", "    object: place\n")
    from quizgen.errors import QuizgenError
    try:
        load_pack(moons_pack(tmp_path, relations=RELATIONS + bad))
    except QuizgenError as exc:
        assert any("lifetime needs a relation whose object is a date" in p.message for p in exc.problems)
    else:
        raise AssertionError("a lifetime on a place relation was accepted")


def test_a_wrong_value_keeps_what_the_answer_shares_with_the_named_entity(tmp_path: Path):
    # Luigi and Pisa are both Italian: a wrong birthplace for him is an Italian city, not Boston
    extra_entities = "  - {id: luigi, name: Luigi Rossi, category: person, attributes: {sex: man, century: 16th, " \
                     "country: italy}, description: An astronomer.}\n"
    extra = fact_yaml("B-luigi", "born-in", "luigi", "pisa", "Luigi Rossi was born in Pisa.")
    pack = load_pack(moons_pack(tmp_path, extra_facts=extra, extra_entities=extra_entities,
                                extra_notes="Luigi Rossi was born in Pisa."))
    truth = Truth.of(pack)
    fact = fact_of(pack, "B-luigi")
    offered = {o for seed in range(8) for o in distractors_for(fact, "object", pack, truth, random.Random(seed), 4)}
    assert offered == {"perinaldo"}  # the one other Italian city; never a Dutch or American one
    galileo = fact_of(pack, "B-galileo")  # Galileo carries no country: nothing is shared, any city may be offered
    assert {o for seed in range(8) for o in distractors_for(galileo, "object", pack, truth, random.Random(seed), 4)
            } - {"perinaldo"}


def test_a_peer_figure_of_another_size_or_sign_is_not_offered(tmp_path: Path):
    extra = fact_yaml("R3", "radius", "deimos", "{value: 6, unit: km, approximate: true}",
                      "Deimos has a mean radius of 6 km.")
    pack = load_pack(moons_pack(tmp_path, extra_facts=extra, extra_notes="Deimos has a mean radius of 6 km."))
    truth = Truth.of(pack)
    titan = fact_of(pack, "R1")
    figures = [n.value for seed in range(8) for n in distractors_for(titan, "object", pack, truth,
                                                                     random.Random(seed), 3)]
    assert figures and all(isinstance(v, (int, float)) and 2575 / 4 <= v <= 2575 * 4 for v in figures), figures
    assert 1822 in figures  # Io's radius is a fair peer


# ---- explanations and items that read as sentences ----------------------------------------------------------


MAPPED = """\
  - id: mapped
    subject: person
    object: planet
    complete_for: [{value: galileo, source: N1}]
    sentence: "{Subject} mapped {object} and drew its moons."
    claim: "{Subject} mapped {object}."
    ask_object: "Which planet did {subject} map?"
    ask_objects: "Which planets did {subject} map?"
"""


def test_a_complete_list_refutes_in_a_sentence_whose_words_after_the_list_do_not_refer_back_to_one(tmp_path: Path):
    extra = "".join(fact_yaml(f"M{i}", "mapped", "galileo", planet,
                              f"Galileo Galilei mapped {planet.capitalize()} and drew its moons.")
                    for i, planet in enumerate(("jupiter", "saturn"), 1))
    pack = load_pack(moons_pack(tmp_path, relations=RELATIONS + MAPPED, extra_facts=extra,
                                extra_notes="Galileo Galilei mapped Jupiter and drew its moons. Galileo Galilei "
                                            "mapped Saturn and drew its moons."))
    questions = [q for pool in pools(pack, range(1, 12)) for q in pool.questions if q.fact_ids[0] in ("M1", "M2")]
    false = [q for q in questions if q.type == "true-false" and q.answer == "False"]
    assert false
    for q in false:
        assert q.explanation.startswith("Galileo Galilei mapped Jupiter and Saturn (not "), q.explanation
        assert "?" not in q.explanation
    for q in questions:
        assert "Jupiter and Saturn and drew its moons" not in q.explanation, q.explanation


SIGHTED = """\
  - id: sighted
    subject: person
    object: moon
    sentence: "{Subject} sighted {object} {when}."
    ask_object: "Which moon did {subject} sight {when}?"
    item: "The sighting of {object} by {subject}"
"""
SIGHTINGS = [("S1", "galileo", "io", "1610"), ("S2", "huygens", "io", "1610"), ("S3", "cassini", "iapetus", "1671"),
             ("S4", "herschel", "titania", "1787"), ("S5", "lassell", "triton", "1846"),
             ("S6", "hall", "phobos", "1877")]


def sightings_pack(tmp_path: Path, item: str):
    extra = "".join(fact_yaml(fid, "sighted", who, moon, f"{moon.capitalize()} was sighted in {year}",
                              date=f"'{year}'") for fid, who, moon, year in SIGHTINGS)
    relations = RELATIONS + SIGHTED.replace("The sighting of {object} by {subject}", item)
    return load_pack(moons_pack(tmp_path, relations=relations, extra_facts=extra,
                                extra_notes=" ".join(f"{m.capitalize()} was sighted in {y}." for _, _, m, y in
                                                     SIGHTINGS)))


def test_an_event_several_share_is_listed_with_all_of_them_in_an_ordering_item(tmp_path: Path):
    pack = sightings_pack(tmp_path, "The sighting of {object} by {subject}")
    items = {item for pool in pools(pack, range(1, 12)) for q in pool.questions if q.type == "ordering"
             for item in q.items}
    io = [i for i in items if "Io" in i]
    assert io and all(i == "The sighting of Io by Galileo Galilei and Christiaan Huygens" for i in io), io


def test_an_event_several_share_is_left_out_where_the_phrasing_cannot_list_them(tmp_path: Path):
    pack = sightings_pack(tmp_path, "{Subject} sights {object}")
    items = {item for pool in pools(pack, range(1, 12)) for q in pool.questions if q.type == "ordering"
             for item in q.items}
    assert items, "the other sightings are still ordered"
    assert not any("Io" in i for i in items), items  # not "Galileo Galilei sights Io" alone, nor "… and … sights"


# ---- keys ------------------------------------------------------------------------------------------------------


def test_a_country_answers_where_but_not_in_which_town(tmp_path: Path):
    where = load_pack(moons_pack(tmp_path / "where"))
    town = load_pack(moons_pack(tmp_path / "town", relations=RELATIONS.replace(
        'ask_object: "Where was {subject} born?"', 'ask_object: "In which town was {subject} born?"')))
    for pack, italy_right in ((where, True), (town, False)):
        asked = [q for q in of_fact(question_pool(pack, seed=1), "B-galileo", "short-answer")]
        assert asked, "the birthplace is asked as a short answer"
        assert is_correct(asked[0], "Pisa")
        assert is_correct(asked[0], "Italy") is italy_right, asked[0].prompt


def test_a_key_shows_the_range_a_figure_accepts(moons):
    pack, pool = moons
    radius = of_fact(pool, "R1", "numeric")
    assert radius
    shown = "\n".join(student_lines(1, radius[0]))
    low, high = radius[0].numeric.low, radius[0].numeric.high
    assert f"KEY 2,575 (any answer from {round(low):,} to {round(high):,})" in shown, shown
    assert radius[0].key_text() == "2,575"  # the key's grid stays short; its answer lines give the range
    exact = Number(value=12, unit="km")
    assert exact.low == exact.high == 12  # an exact figure has no range to show


def test_infants_and_the_dead_never_appear_among_the_discoverers_of_a_moon(tmp_path: Path):
    """Against the pack's lifetimes: every wrong discoverer offered was alive and at least sixteen that year."""
    pack = load_pack(moons_pack(tmp_path))
    lifetimes = {e.id: e.period for e in pack.entities if e.period is not None}
    names = {normalise(e.name): e.id for e in pack.entities}
    checked = 0
    for pool in pools(pack):
        for q in pool.questions:
            fact = fact_of(pack, q.fact_ids[0])
            if fact.relation != "discovered" or q.type != "multiple-choice" or q.template_id != "mc-subject":
                continue
            year = fact.when.start.year
            for option in (o for o in q.options if not o.correct):
                life = lifetimes[names[normalise(option.text)]]
                assert life.start.year + 16 <= year <= life.end.year, (q.prompt, option.text)
                checked += 1
    assert checked


def test_a_question_for_every_value_asked_in_the_singular_is_a_lint_error_at_the_relation(tmp_path: Path):
    from quizgen.generate.lint import lint_pool
    relations = RELATIONS.replace('ask_subjects: "Which moons orbit {object}?"',
                                  'ask_subjects: "Which of these moons is in orbit around {object}?"')
    pack = load_pack(moons_pack(tmp_path, relations=relations))
    found = [f for f in lint_pool(question_pool(pack, seed=1), pack) if f.rule == "singular-plural-question"]
    assert len(found) == 1 and found[0].where.startswith(str(tmp_path / "moons" / "relations.yaml")), found
    plural = load_pack(moons_pack(tmp_path / "plural"))
    assert not [f for f in lint_pool(question_pool(plural, seed=1), plural) if f.rule == "singular-plural-question"]


def test_a_count_of_two_digits_stays_exact_where_a_measured_figure_takes_a_range(tmp_path: Path):
    extra = (fact_yaml("R3", "radius", "deimos", "{value: 62, unit: km}", "Deimos has a mean radius of 62 km.")
             + fact_yaml("R4", "radius", "phobos", "{value: 464, unit: km}", "Phobos has a mean radius of 464 km."))
    pack = load_pack(moons_pack(tmp_path, extra_facts=extra,
                                extra_notes="Deimos has a mean radius of 62 km. Phobos has a mean radius of 464 km."))
    pool = question_pool(pack, seed=1)
    two, three = of_fact(pool, "R3", "numeric")[0], of_fact(pool, "R4", "numeric")[0]
    assert two.numeric.low == two.numeric.high == 62 and two.key_text() == "62"
    assert three.numeric.low < 455 and three.numeric.high > 473  # 475 °C or 462 °C for Venus's 464 °C
    assert is_correct(three, "475") and not is_correct(three, "490")


JOINS = """\
  - id: lies-beyond
    subject: moon
    object: person
    sentence: "{Subject}, which orbits {subject.orbits}, was studied by {object}."
    ask_object: "Who studied {subject}, which orbits {subject.orbits}?"
"""


def test_a_sentence_names_the_value_another_relation_gives_its_entity(tmp_path: Path):
    extra = fact_yaml("J1", "lies-beyond", "titan", "huygens", "Titan was studied by Christiaan Huygens.")
    pack = load_pack(moons_pack(tmp_path, relations=RELATIONS + JOINS, extra_facts=extra,
                                extra_notes="Titan was studied by Christiaan Huygens."))
    assert fact_of(pack, "J1").statement == "Titan, which orbits Saturn, was studied by Christiaan Huygens."
    prompts = [q.prompt for pool in pools(pack, range(1, 4)) for q in of_fact(pool, "J1")]
    assert "Titan, which orbits Saturn, was studied by Christiaan Huygens." in prompts  # an open list: claims only
    assert not any("{" in p for p in prompts)


def test_a_related_value_placeholder_names_a_one_valued_relation_of_the_slot_s_kind(tmp_path: Path):
    from quizgen.errors import QuizgenError
    for wrong, expected in (("{subject.orbited-by}", "names no relation of this pack"),
                            ("{subject.discovered-by}", "objects: one")):
        try:
            load_pack(moons_pack(tmp_path / wrong.strip("{}"), relations=RELATIONS + JOINS.replace(
                "{subject.orbits}, was", f"{wrong}, was")))
        except QuizgenError as exc:
            assert any(expected in p.message and p.line > 1 for p in exc.problems), exc.problems
        else:
            raise AssertionError(f"{wrong} was accepted")


def test_lint_names_a_fact_whose_entity_lacks_the_related_value(tmp_path: Path):
    from quizgen.generate.lint import lint_pool
    extra_entities = "  - {id: lonely, name: Lonely, category: moon, attributes: {planet: saturn}, " \
                     "description: A moon.}\n"
    extra = fact_yaml("J2", "lies-beyond", "lonely", "huygens", "Lonely was studied by Christiaan Huygens.")
    pack = load_pack(moons_pack(tmp_path, relations=RELATIONS + JOINS, extra_facts=extra,
                                extra_entities=extra_entities, extra_notes="Lonely was studied by Christiaan Huygens."))
    found = [f for f in lint_pool(question_pool(pack, seed=1), pack) if f.rule == "related-value"]
    assert [f.question_id for f in found] == ["J2"] and "facts.yaml" in found[0].where


# ---- on the packs written for testing, items their readers marked ------------------------------------------------

TEST_PACKS = Path(__file__).parent / "packs"


def edited_copy(tmp_path: Path, pack_name: str, file_name: str, old: str, new: str) -> Path:
    """A copy of one of the test packs with one passage of one file rewritten (the edit must take)."""
    import shutil
    folder = tmp_path / pack_name
    shutil.copytree(TEST_PACKS / pack_name, folder)
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, (file_name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def questions_asking(pack, prompt: str, qtype: str = "multiple-choice"):
    return [q for q in question_pool(pack, seed=1).questions if q.prompt == prompt and q.type == qtype]


def option_years(question) -> list[int]:
    return [int(o.text.split()[-1]) for o in question.options if not o.correct]


def test_a_wrong_date_of_a_life_leaves_a_believable_age_and_a_living_parent():
    """A reader struck out Pierre Curie dying at 96 and 99, Frédéric Joliot-Curie born before his father-in-law,
    and Irène's son born after her death or when she was 57."""
    pack = load_pack(TEST_PACKS / "curie-family")
    born = {"pierre-curie": 1859, "frederic-joliot-curie": 1900, "irene-joliot-curie": 1897}
    for question in questions_asking(pack, "When did Pierre Curie die?"):
        assert all(year - born["pierre-curie"] <= 95 for year in option_years(question)), question.options
    for question in questions_asking(pack, "When was Frédéric Joliot-Curie born?"):
        assert all(1958 - year <= 95 for year in option_years(question)), question.options  # he died in 1958
    for question in questions_asking(pack, "When was Pierre Joliot born?"):
        # his mother Irène was born in 1897 and died on 17 March 1956
        assert all(born["irene-joliot-curie"] + 16 <= year <= born["irene-joliot-curie"] + 50
                   for year in option_years(question)), question.options
    asked = questions_asking(pack, "When did Pierre Curie die?") + questions_asking(
        pack, "When was Frédéric Joliot-Curie born?")
    assert asked  # the items are still made, with options a student must know to rule out


def test_a_value_whose_short_list_a_source_closes_comes_last_among_wrong_options(tmp_path: Path):
    """Earth, whose only moon is the Moon (S40), offered as the planet of Phobos, is struck out by every student
    (here with the Moon's own fact asked too, so Earth fills the slot like any planet)."""
    folder = edited_copy(tmp_path, "solar-system", "facts-1-moons.yaml",
                         "evidence: \"The Moon (Latin: Luna) is Earth's only natural satellite\", ask: [],",
                         "evidence: \"The Moon (Latin: Luna) is Earth's only natural satellite\",")
    pack = load_pack(folder)
    checked = 0
    for pool in pools(pack):
        for question in (q for q in pool.questions if q.fact_ids[0] in ("M02", "M03")):
            wrong = [o.text for o in question.options if not o.correct]
            assert "Earth" not in (wrong if question.type != "true-false" else question.prompt), question.prompt
            checked += question.type in ("multiple-choice", "true-false")
    assert checked >= 10


def test_a_key_that_turns_on_a_date_cites_the_quotation_that_gives_the_date():
    """"Which spacecraft flew past Saturn in August 1981?": the quotation naming three spacecraft does not say which
    one came that month; the one with "August 1981" is shown beside it."""
    pack = load_pack(TEST_PACKS / "solar-system")
    asked = [q for q in question_pool(pack, seed=1).questions if "X07" in q.fact_ids and len(q.fact_ids) == 1]
    assert asked
    for question in asked:
        assert any("August 1981" in c.evidence for c in question.citations), (question.prompt, question.citations)


def test_a_measured_figure_rounded_to_two_digits_is_right_and_its_range_scales_with_it():
    """Mars at 1.524 AU: a student who writes 1.5 is right, and 2.0 AU (beyond the asteroid belt's edge) is not."""
    pack = load_pack(TEST_PACKS / "solar-system")
    [question] = questions_asking(pack, "What is the average distance of Mars from the Sun, in astronomical units "
                                        "(AU)?", "numeric")
    assert is_correct(question, "1.5") and is_correct(question, "1.524")
    assert not is_correct(question, "2.0") and not is_correct(question, "1.1")


def test_a_multiple_choice_item_may_have_three_options_where_the_pack_knows_two_sound_wrong_values():
    """Three options beat no item: the built-in templates ask down to two wrong options; a template that sets no
    `min_distractors` still needs all of its `distractors`."""
    from quizgen.generate.templates import load_templates
    templates = load_templates(())
    assert templates["mc-object"].fewest_distractors == 2 and templates["mc-object"].distractors == 3
    assert all(t.fewest_distractors == t.distractors for t in templates.values() if t.type != "multiple-choice")
    three = [q for q in question_pool(load_pack(TEST_PACKS / "curie-family"), seed=1).questions
             if q.type == "multiple-choice" and len(q.options) == 3]
    assert three and all(sum(o.correct for o in q.options) == 1 for q in three)


def test_lint_warns_of_an_entity_printed_by_a_name_another_entity_goes_by(tmp_path: Path):
    """The spacecraft printed as "Cassini" beside the astronomer whose surname, Cassini, students write."""
    from quizgen.generate.lint_pack import ambiguous_name_findings
    assert ambiguous_name_findings(load_pack(TEST_PACKS / "solar-system")) == []
    folder = edited_copy(tmp_path, "solar-system", "entities.yaml", "name: Cassini spacecraft, article: the,",
                         "name: Cassini,")
    entities = folder / "entities.yaml"
    found = ambiguous_name_findings(load_pack(folder))
    assert [(f.rule, f.question_id) for f in found] == [("ambiguous-name", "cassini")], found
    assert "Giovanni Domenico Cassini" in found[0].message and f"{entities}:" in found[0].where


TOOK_PLACE = """\
  - id: took-place-in
    subject: text
    object: date
    objects: one
    sentence: "{Subject} took place {when}."
    ask_object: "When did this take place: {subject}?"
    item: "{Subject}"
"""


def test_two_events_that_share_only_their_year_are_never_listed_as_one(tmp_path: Path):
    """"The first sighting of Io and the naming of Europa" in one ordering box merges two events of 1610."""
    events = [("E1", "the first sighting of Io", "1610"), ("E2", "the naming of Europa", "1610"),
              ("E3", "the first map of Titan", "1655"), ("E4", "the first photograph of Mimas", "1789"),
              ("E5", "the first sketch of Phoebe", "1899")]
    extra = "".join(fact_yaml(fid, "took-place-in", f"'{what}'", f"'{year}'", f"{what.capitalize()} was in {year}")
                    for fid, what, year in events)
    pack = load_pack(moons_pack(tmp_path, relations=RELATIONS + TOOK_PLACE, extra_facts=extra,
                                extra_notes=" ".join(f"{w.capitalize()} was in {y}." for _, w, y in events)))
    items = {item for pool in pools(pack, range(1, 8)) for q in pool.questions if q.type == "ordering"
             for item in q.items}
    assert any("Titan" in item for item in items), items  # the events are ordered
    assert not any("Io" in item and "Europa" in item for item in items), items


def test_a_false_figure_is_refuted_as_the_claim_printed_it():
    """"The Sava drains a basin of about 156,000 square kilometres." is refuted "(not 156,000)", not "(not 156,087)",
    a figure the student never saw."""
    import re
    pack = load_pack(TEST_PACKS / "danube-rhine")
    checked = 0
    for pool in pools(pack, range(1, 4)):
        for q in pool.questions:
            refuted = re.search(r"\(not ([\d,.]+)\)", q.explanation)
            if q.type == "true-false" and q.answer == "False" and refuted and "about" in q.prompt:
                assert refuted.group(1) in q.prompt, (q.prompt, q.explanation)
                checked += 1
    assert checked >= 3


def test_a_written_answer_that_shares_a_name_with_the_stem_is_not_asked():
    """"Who shared a Nobel Prize with Pierre Curie in 1903?": the surname writes "Marie Curie" for the student.
    Options can balance that with wrong ones that share it; a blank cannot."""
    pack = load_pack(TEST_PACKS / "curie-family")
    pool = question_pool(pack, seed=1)
    written = [q for q in pool.questions if q.type in ("short-answer", "cloze")]
    assert written
    for q in written:
        keys = [q.answer, *q.accepted]
        stem_words = set(normalise(q.prompt).split())
        shared = [k for k in keys if {"curie", "joliot"} & set(normalise(k).split()) & stem_words]
        assert not shared, (q.prompt, shared)
    assert any("a written answer is read off the names" in s.reason for s in pool.skipped)


def test_an_ordering_item_never_pairs_a_life_with_what_logic_puts_inside_it():
    """"The birth of Marie Curie" before "The discovery of polonium by Marie Curie and Pierre Curie", or before the
    birth of her daughter, is logic, not knowledge."""
    pack = load_pack(TEST_PACKS / "curie-family")
    orderings = [q for pool in pools(pack, range(1, 4)) for q in pool.questions if q.type == "ordering"]
    assert orderings
    for q in orderings:
        births = [i.removeprefix("The birth of ") for i in q.items if i.startswith("The birth of ")]
        deaths = [i.removeprefix("The death of ") for i in q.items if i.startswith("The death of ")]
        for person in births + deaths:
            others = [i for i in q.items if i not in (f"The birth of {person}", f"The death of {person}")]
            assert not any(person in i and not i.startswith(("The birth of", "The death of")) for i in others), \
                q.items
        assert not ("Marie Curie" in births and "Irène Joliot-Curie" in births), q.items


def test_a_wrong_date_comes_from_the_answer_s_century():
    """"When did work on the Iron Gate I power station begin? 1501, 1964, 1849": a power station begun in 1501 is
    struck out by anyone."""
    checked = 0
    for name in ("danube-rhine", "curie-family"):
        for q in question_pool(load_pack(TEST_PACKS / name), seed=1).questions:
            if q.type in ("multiple-choice", "true-false") and "Iron Gate" in q.prompt:
                assert "1501" not in q.prompt + " ".join(o.text for o in q.options), q.prompt
            if q.type == "multiple-choice" and q.options and all(o.text[-4:].isdigit() for o in q.options):
                years = [int(o.text[-4:]) for o in q.options]
                key = int(q.correct_options[0].text[-4:])
                assert all(abs(y - key) <= 100 for y in years), (q.prompt, years)
                checked += 1
    assert checked


def test_a_note_follows_the_sentence_it_is_about():
    """After a matching item's four sentences a note read as if it were about the last one (Ève's place of death
    "disputed" between Paris and Arcouest): each note now follows its own fact's sentence."""
    from quizgen.generate.explain import explanation_for
    pack = load_pack(TEST_PACKS / "curie-family")
    noted = [f for f in pack.facts if f.dispute][:2]
    plain = [f for f in pack.facts if not f.dispute][:2]
    text = explanation_for([noted[0], plain[0], noted[1], plain[1]])
    assert text.index(noted[0].dispute) < text.index(plain[0].statement) < text.index(noted[1].dispute)


def test_a_true_claim_is_explained_in_the_source_s_words_only_where_they_read_cleanly():
    """A scraped line with an open bracket, doubled spaces or a "†" ("Władysław Skłodowski (born  October 20, 1832
    in Kielce") is no explanation: the fact's statement explains, and the line stays on the source."""
    from quizgen.generate.explain import reads_cleanly
    assert reads_cleanly("Ulm is a university town in Baden-Württemberg on the Danube")
    assert not reads_cleanly("Władysław Skłodowski (born  October 20, 1832 in Kielce")
    assert not reads_cleanly("Władysław Skłodowski (born October 20, 1832 in Kielce , † May 14, 1902 in Warsaw )")
    assert not reads_cleanly("On August 12, 1877, astronomer Asaph Hall discovered the the Martian moon Deimos")
    assert not reads_cleanly("Titania, is 1,578 km in diameter")  # cut from "The largest of these five, Titania, is…"
    pack = load_pack(TEST_PACKS / "curie-family")
    whys = [q.explanation for q in question_pool(pack, seed=1).questions
            if q.type == "true-false" and q.explanation.startswith("In the source's words")]
    assert whys and all(reads_cleanly(w.split("“", 1)[1].rsplit("”", 1)[0]) for w in whys)
    assert all(" … " not in w for w in whys)  # one quotation, never fragments glued together


def test_a_figure_s_accepted_range_stops_short_of_another_figure_of_its_relation():
    """Titan's "about 5,150 km" (±10 %) would accept Ganymede's 5,262 km: a student who mixes the two up gets the
    mark. The range stops halfway to the other figure."""
    pack = load_pack(TEST_PACKS / "solar-system")
    [titan] = questions_asking(pack, "What is the diameter of Titan, in km?", "numeric")
    assert is_correct(titan, "5150") and is_correct(titan, "5200")
    assert not is_correct(titan, "5262")
    assert titan.numeric.high < 5262


def test_a_tolerance_the_author_gives_stands_whatever_figures_lie_inside_it():
    """The Sava's 990 km takes the author's ±45 km, since sources give 945 km (without the Sava Dolinka headwater)
    and 940 km: another river's figure inside that range does not cut it short."""
    pack = load_pack(TEST_PACKS / "danube-rhine")
    [sava] = questions_asking(pack, "How long is the Sava, in kilometres?", "numeric")
    assert is_correct(sava, "945") and is_correct(sava, "1035")


def test_a_count_is_exact_however_many_digits_it_has_where_a_measure_takes_a_range(tmp_path: Path):
    """A source that counted 189 letters did not round: 185 is wrong. A radius of 464 km is learnt rounded."""
    extra = (fact_yaml("R5", "radius", "phobos", "{value: 464, unit: km}", "Phobos has a mean radius of 464 km.")
             + fact_yaml("R6", "radius", "deimos", "{value: 189, unit: letters}",
                         "Deimos has a mean radius of 189 letters."))
    pack = load_pack(moons_pack(tmp_path, extra_facts=extra, extra_notes="Phobos has a mean radius of 464 km. "
                                                                          "Deimos has a mean radius of 189 letters."))
    pool = question_pool(pack, seed=1)
    measure, count = of_fact(pool, "R5", "numeric")[0], of_fact(pool, "R6", "numeric")[0]
    assert is_correct(measure, "460") and not is_correct(count, "185") and is_correct(count, "189")


def test_a_blank_that_names_a_kind_of_its_own_does_not_take_the_country_around_it():
    """"The Danube rises in _____ (mountain range)." is not answered by "Germany"; a bare category ("_____ (place)")
    leaves the country a fair answer: Marie Curie was born in Warsaw, and in Poland."""
    danube = load_pack(TEST_PACKS / "danube-rhine")
    [rises] = [q for q in question_pool(danube, seed=1).questions
               if q.type == "cloze" and q.prompt.startswith("The Danube rises in _____ (mountain range)")]
    assert is_correct(rises, "Black Forest") and not is_correct(rises, "Germany")
    curie = load_pack(TEST_PACKS / "curie-family")
    [born] = [q for q in question_pool(curie, seed=1).questions
              if q.type == "cloze" and q.prompt.startswith("Marie Curie was born in _____")]
    assert is_correct(born, "Warsaw") and is_correct(born, "Poland")


def test_a_figure_s_question_names_the_unit_it_wants_where_its_words_do_not():
    """"How far does al-Shuhayl lie from the centre of Deir ez-Zor city?": 45 of what? The stem says "in km";
    a stem that names its unit already ("in kilometres", "How many fighters…", "At what age…") is left as it is."""
    from helpers import DEFAULT_PACK
    default = [q.prompt for q in question_pool(load_pack(DEFAULT_PACK)).questions if q.type == "numeric"]
    # the source goes first, so the unit closes the question rather than hang between two tags
    assert "According to the Syrian Network for Human Rights, how far does al-Shuhayl lie from the centre of Deir " \
           "ez-Zor city, in km?" in default
    danube = [q.prompt for q in question_pool(load_pack(TEST_PACKS / "danube-rhine")).questions if q.type == "numeric"]
    assert "How long is the Sava, in kilometres?" in danube
    curie = [q.prompt for q in question_pool(load_pack(TEST_PACKS / "curie-family")).questions if q.type == "numeric"]
    assert "At what age did Marie Curie die?" in curie


def test_a_wrong_birth_or_death_date_is_another_life_s_and_never_one_of_the_person_s_own_days():
    """"When did Ève Curie die?" offered her own wedding day, and "When was Irène Joliot-Curie born?" the day of
    Becquerel's discovery: a wrong date of a life is another birth or death, and none of the person's own."""
    pack = load_pack(TEST_PACKS / "curie-family")
    lifetime = {r.id for r in pack.relations if r.lifetime}
    life_days = {f.object.human() for f in pack.facts if f.relation in lifetime}
    checked = 0
    for q in question_pool(pack, seed=1).questions:
        fact = fact_of(pack, q.fact_ids[0])
        if q.type != "multiple-choice" or fact.relation not in lifetime:
            continue
        own = {f.when.human() for f in pack.facts if f.subject == fact.subject and f.id != fact.id and f.when}
        wrong = [o.text for o in q.options if not o.correct]
        assert set(wrong) <= life_days and not set(wrong) & own, (q.prompt, wrong)
        checked += 1
    assert checked >= 5


def test_a_forbidden_span_keeps_every_date_inside_it_out_of_the_options(tmp_path: Path):
    """`forbid: ["1958/1960"]`: no wrong date in those years (before a group existed, say), whichever the pack has."""
    stem = "When did Marie Curie die?"
    before = {o.text for q in questions_asking(load_pack(TEST_PACKS / "curie-family"), stem) for o in q.options}
    assert any(text.endswith("1958") for text in before), before  # the test forbids something offered
    folder = edited_copy(tmp_path, "curie-family", "facts-lives.yaml",
                         '"Marie Curie died on 4 July 1934 from leukaemia"\n    confidence: high',
                         '"Marie Curie died on 4 July 1934 from leukaemia"\n    distractors: {forbid: ["1958/1960"]}\n'
                         '    confidence: high')
    (question,) = questions_asking(load_pack(folder), stem)
    years = [int(o.text[-4:]) for o in question.options if not o.correct]
    assert years and not any(1958 <= year <= 1960 for year in years), years


def test_a_forbidden_date_that_cannot_be_read_is_reported_at_its_place(tmp_path: Path):
    folder = edited_copy(tmp_path, "curie-family", "facts-lives.yaml",
                         '(/fr/; December 6, 1904 – October 22, 2007)"\n    confidence: high',
                         '(/fr/; December 6, 1904 – October 22, 2007)"\n    distractors: {forbid: ["the fifties"]}\n'
                         '    confidence: high')
    with pytest.raises(QuizgenError) as caught:
        load_pack(folder)
    assert any("facts-lives.yaml:" in str(p) and "distractors.forbid[0]: found 'the fifties'; expected a date" in str(p)
               for p in caught.value.problems), [str(p) for p in caught.value.problems]


def test_a_value_true_through_another_relation_is_explained_by_that_fact():
    """"Which country does the Sava flow through? Name one." accepts Slovenia because the Sava rises there: the why
    says so, rather than "The same is true of Slovenia"."""
    (question,) = questions_asking(load_pack(TEST_PACKS / "danube-rhine"),
                                   "Which country does the Sava flow through or border? Name one.", "short-answer")
    assert "Slovenia" in question.accepted
    assert "The Sava rises in Slovenia" in question.explanation
    assert "The same is true of" not in question.explanation


def test_a_figure_accepted_within_a_tolerance_is_claimed_as_about():
    """The Sava is 990 km long counting a headwater, 945 km without it: the pack accepts 945 to 1,035, so a claim
    that says "990 km" flat is one a well-read student could call false."""
    claims = questions_asking(load_pack(TEST_PACKS / "danube-rhine"), "The Sava is about 990 km long.", "true-false")
    assert claims and claims[0].answer == "True"


def test_the_head_of_a_river_system_is_no_wrong_headstream_or_tributary():
    """The Rhine has headstreams and flows into no river of the pack: offered as a headstream of the Danube it is
    impossible on its face. A river that is itself a tributary (the Neckar, the Main) stays a fair guess."""
    pool = question_pool(load_pack(TEST_PACKS / "danube-rhine"), seed=1).questions
    headstreams = [q for q in pool if q.prompt.startswith("Which rivers are headstreams of the Danube")]
    assert headstreams
    for question in headstreams:
        wrong = {o.text for o in question.options if not o.correct}
        assert wrong and "Rhine" not in wrong and "Danube" not in wrong, wrong


def test_a_true_claim_s_why_is_no_infobox_label_and_ends_its_sentence_before_a_note():
    """"In the source's words: “Jamal Maarouf (SRF leader)” Note: …" ran a label into a note: a label only says the
    claim again, and a quoted fragment ends with a full stop."""
    from helpers import DEFAULT_PACK
    whys = [q.explanation for pack in (load_pack(DEFAULT_PACK), load_pack(TEST_PACKS / "solar-system"))
            for q in question_pool(pack, seed=1).questions if q.type == "true-false"]
    quoted = [w for w in whys if w.startswith("In the source's words")]
    assert quoted and not any("(SRF leader)" in w for w in whys)
    assert all(re.match(r"In the source's words: “[^”]*”(\.|$| )", w) for w in quoted)
    assert all(w.split("”", 1)[1][:1] in (".", "") or w.split("”", 1)[0][-1] in ".!?" for w in quoted), \
        [w for w in quoted if " Note:" in w][:3]
