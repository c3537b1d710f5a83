"""The record reader: typed fields of a YAML record or a CSV row, each problem one `file:line:col: field: message`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizgen.load.records import CsvReader, Reader
from quizgen.load.yamlfile import read_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reader_of(folder: Path, text: str) -> tuple[Reader, dict, list]:
    """A reader over `text` written as record.yaml, the record itself, and the list its problems go to."""
    (folder / "record.yaml").write_text(text, encoding="utf-8")
    problems: list = []
    reader = Reader(read_yaml(folder / "record.yaml"), problems)
    return reader, reader.doc.data, problems


def lines(problems: list) -> list[str]:
    return [str(p) for p in problems]


def test_a_record_reports_unknown_fields_at_their_keys_and_missing_ones_at_the_record(here):
    r, _, problems = reader_of(here, "id: a\ncolour: red\n")
    record = r.record((), {"id", "title"}, {"id", "title"})
    assert record == {"id": "a", "colour": "red"}
    assert lines(problems) == ["record.yaml:2:1: colour: unknown field 'colour'; expected one of id, title",
                               "record.yaml:1:1: missing required field 'title'"]


def test_a_record_that_is_not_a_mapping_is_reported_in_its_own_words_when_given(here):
    r, _, problems = reader_of(here, "- a\n")
    assert r.record((), {"id"}, {"id"}) is None
    assert r.record((), {"id"}, {"id"}, shape="expected a mapping with id and the record's texts") is None
    assert lines(problems) == ["record.yaml:1:1: found a list; expected a mapping with fields id",
                               "record.yaml:1:1: expected a mapping with id and the record's texts"]


def test_a_missing_field_names_the_kind_of_record_that_needs_it(here):
    r, record, problems = reader_of(here, "id: a\n")
    r.require(record, (), {"id", "prompt"}, of="a cloze template")
    assert lines(problems) == ["record.yaml:1:1: missing required field 'prompt' for a cloze template"]


@pytest.mark.parametrize("text, expected, problem", [
    ("n: 2\n", 2, None),
    ("other: 1\n", 4, None),
    ("n: 9\n", 4, "record.yaml:1:4: n: 9 is not allowed; expected a whole number from 1 to 5"),
    ("n: 2.0\n", 4, "record.yaml:1:4: n: 2.0 is not allowed; expected a whole number from 1 to 5"),
    ("n: true\n", 4, "record.yaml:1:4: n: True is not allowed; expected a whole number from 1 to 5"),
    ("n: '2'\n", 4, "record.yaml:1:4: n: '2' is not allowed; expected a whole number from 1 to 5"),
    ("n: null\n", 4, "record.yaml:1:4: n: None is not allowed; expected a whole number from 1 to 5"),
])
def test_a_whole_number_is_checked_against_its_range_and_falls_back_to_its_default(here, text, expected, problem):
    r, record, problems = reader_of(here, text)
    assert r.whole_number(record, (), "n", low=1, high=5, default=4) == expected
    assert lines(problems) == ([problem] if problem else [])


def test_a_whole_number_without_an_upper_bound_speaks_in_its_records_words(here):
    r, record, problems = reader_of(here, "a: 1000000\nb: 0\n")
    message = "found {value!r}; expected a whole number of {low} or more"
    assert r.whole_number(record, (), "a", low=1, message=message) == 1000000
    assert r.whole_number(record, (), "b", low=1, message=message) is None
    assert lines(problems) == ["record.yaml:2:4: b: found 0; expected a whole number of 1 or more"]


def test_a_measure_takes_whole_and_decimal_numbers_in_range_and_refuses_a_boolean(here):
    r, record, problems = reader_of(here, "gap: 2.5\nwide: 31\nflag: true\n")
    message = "{value!r} is not a gap in mm; expected a number from {low} to {high}"
    assert r.measure(record, (), "gap", low=0, high=30, default=0, message=message) == 2.5
    assert r.measure(record, (), "wide", low=0, high=30, default=0, message=message) == 0
    assert r.measure(record, (), "flag", low=0, high=30, default=0, message=message) == 0
    assert r.measure(record, (), "absent", low=0, high=30, default=7, message=message) == 7
    assert lines(problems) == ["record.yaml:2:7: wide: 31 is not a gap in mm; expected a number from 0 to 30",
                               "record.yaml:3:7: flag: True is not a gap in mm; expected a number from 0 to 30"]


def test_one_of_a_set_keeps_its_default_and_treats_null_as_the_record_says(here):
    r, record, problems = reader_of(here, "ask: middle\nolder: null\nslot: null\n")
    message = "{value!r} is not allowed; expected subject or object"
    assert r.one_of(record, (), "ask", ("subject", "object"), default="object", message=message) == "object"
    assert r.one_of(record, (), "missing", ("subject", "object"), default="object", message=message) == "object"
    assert r.one_of(record, (), "older", ("subject", "object"), message=message) is None
    assert r.one_of(record, (), "slot", ("subject", "object"), allow_null=False, message=message) is None
    assert lines(problems) == ["record.yaml:1:6: ask: 'middle' is not allowed; expected subject or object",
                               "record.yaml:3:7: slot: None is not allowed; expected subject or object"]


def test_a_boolean_describes_what_it_found_unless_the_record_has_its_own_words(here):
    r, record, problems = reader_of(here, "a: yes please\nb: 1\nc: true\n")
    assert r.boolean(record, (), "a") is False
    assert r.boolean(record, (), "b", message="found {value!r}; expected true (every value is listed) or false") \
        is False
    assert r.boolean(record, (), "c") is True
    assert lines(problems) == ["record.yaml:1:4: a: found the text 'yes please'; expected true or false",
                               "record.yaml:2:4: b: found 1; expected true (every value is listed) or false"]


def test_matching_text_is_kept_as_written_and_refused_when_the_pattern_does_not_match(here):
    r, record, problems = reader_of(here, "id: mc-who\nbad: Bad Id\nnumber: 7\ninverse: null\n")
    message = "{value!r} is not a valid id; expected a slug"
    assert r.matching(record, (), "id", SLUG, message=message) == "mc-who"
    assert r.matching(record, (), "bad", SLUG, message=message) is None
    assert r.matching(record, (), "number", SLUG, message=message) is None
    assert r.matching(record, (), "inverse", SLUG, message=message, allow_null=True) is None
    assert lines(problems) == ["record.yaml:2:6: bad: 'Bad Id' is not a valid id; expected a slug",
                               "record.yaml:3:9: number: 7 is not a valid id; expected a slug"]


def test_texts_are_one_text_or_a_list_and_absent_is_empty(here):
    r, record, problems = reader_of(here, "one: a\nmany: [a, b]\nmixed: [a, 1]\nslugs: [a, B c]\n")
    message = "expected a list of text"
    assert r.texts(record, (), "one", message=message) == ("a",)
    assert r.texts(record, (), "many", message=message) == ("a", "b")
    assert r.texts(record, (), "absent", message=message) == ()
    assert r.texts(record, (), "mixed", message=message) is None
    assert r.texts(record, (), "slugs", message="expected ids", pattern=SLUG) is None
    assert r.texts(record, (), "one", message="expected a list of slugs", one_allowed=False) is None
    assert lines(problems) == ["record.yaml:3:8: mixed: expected a list of text",
                               "record.yaml:4:8: slugs: expected ids",
                               "record.yaml:1:6: one: expected a list of slugs"]


def test_a_mapping_field_is_empty_when_absent_and_reported_when_it_is_something_else(here):
    r, record, problems = reader_of(here, "grids: {2x4: 1}\nsizes: [1]\n")
    message = "expected a mapping of COLUMNSxROWS to {{width, height}}"
    assert r.mapping(record, (), "grids", message=message) == {"2x4": 1}
    assert r.mapping(record, (), "absent", message=message) == {}
    assert r.mapping(record, (), "sizes", message=message) == {}
    assert lines(problems) == ["record.yaml:2:8: sizes: expected a mapping of COLUMNSxROWS to {width, height}"]


def test_unknown_fields_may_be_named_in_the_records_own_words(here):
    r, record, problems = reader_of(here, "relations: []\nextra: 1\n")
    r.known_fields(record, (), {"categories", "relations"},
                   message="unknown section {key!r}; expected categories or relations")
    assert lines(problems) == ["record.yaml:2:1: extra: unknown section 'extra'; expected categories or relations"]


def test_a_csv_table_finds_columns_by_name_skips_blank_rows_and_counts_lines_from_the_header(here):
    problems: list = []
    table = CsvReader(here / "class.csv", "ID , Name\n 7 , Amina \n\n , \n1001\n", problems)
    assert table.column("number", "id") == 0 and table.column("name") == 1 and table.column("email") is None
    assert table.starts_with(("id", "name")) and not table.starts_with(("name",))
    rows = list(table.rows())
    assert [(row.line, row.cells) for row in rows] == [(2, ("7", "Amina")), (5, ("1001",))]
    assert rows[1].cell(1) == "" and rows[1].cell(None) == ""
    table.report(rows[1].line, 1, "name", "empty; expected the student's name")
    assert lines(problems) == ["class.csv:5:2: name: empty; expected the student's name"]


def test_an_empty_csv_has_no_header_and_no_rows(here):
    table = CsvReader(here / "empty.csv", "", [])
    assert table.header is None and list(table.rows()) == [] and not table.starts_with(("student",))
    assert str(table.problem(1, 0, "header", "the file is empty")) == "empty.csv:1:1: header: the file is empty"
