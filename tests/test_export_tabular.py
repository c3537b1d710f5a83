"""Quizlet-style TSV and the full CSV, read back with the csv module."""

from __future__ import annotations

import csv
import dataclasses
import io

from helpers import make_sample_set

from quizgen.export import tabular
from quizgen.model import NumericAnswer, Option

FORMULAS = ("=HYPERLINK(\"http://x\",\"a\")", "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rcarriage")


def read_csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_tsv_has_one_term_and_definition_per_question(tmp_path):
    path = tmp_path / "quizlet.tsv"
    assert tabular.write_tsv(make_sample_set(), path) == []
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # pasted into an import box: no byte-order mark
    rows = [line.split("\t") for line in data.decode("utf-8").splitlines()]
    assert rows == [
        ["Which river rises in the Black Forest?", "Danube"],
        ["True or false? The Rhine is about 1,230 km long.", "True"],
        ["The _____ rises in the Black Forest.", "Danube"],
        ["دير الزور", "Deir ez-Zor"],
        ["Match rivers and countries 1. Rhine; 2. Danube — A. Germany; B. Switzerland",
         "Rhine → Switzerland; Danube → Germany"],
        ["Order the events 1. Second; 2. Third; 3. First", "First → Second → Third"],
        ["Length of the Rhine (km)?", "about 1,230 km"],
    ]


def test_tabs_and_line_breaks_inside_fields_keep_a_card_on_one_row(tmp_path):
    base = make_sample_set(versions=1)
    question = dataclasses.replace(base.questions[0], front="term\twith tab\nand line", back="two\r\nlines\tand tab")
    path = tmp_path / "quizlet.tsv"
    tabular.write_tsv(dataclasses.replace(base, questions=(question,), versions=()), path)
    assert path.read_text(encoding="utf-8") == "term with tab and line\ttwo lines and tab\n"


def test_csv_round_trips_every_field(tmp_path):
    question_set = make_sample_set()
    path = tmp_path / "questions.csv"
    assert tabular.write_csv(question_set, path) == []
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(path)
    assert list(rows[0]) == list(tabular.CSV_COLUMNS)
    assert [r["id"] for r in rows] == [q.id for q in question_set.questions]
    by_id = {r["id"]: r for r in rows}
    assert by_id["q-mc"]["options"].split("\n") == ["Rhine", "Danube", "Elbe & Oder", "Seine {Paris}"]
    assert by_id["q-mc"]["answer"] == "Danube"
    assert by_id["q-mc"]["tags"] == "rivers"
    assert by_id["q-short"]["prompt"] == "Which city is called دير الزور in Arabic? (use “quotes” & 'apostrophes')"
    assert by_id["q-short"]["accepted"].split("\n") == ["Deir al-Zor", "Deir Ezzor"]
    assert by_id["q-short"]["explanation"] == "Transliterations vary: a = b ~ c # d: e."
    assert by_id["q-match"]["answer"].split("\n") == ["Rhine → Switzerland", "Danube → Germany"]
    assert by_id["q-order"]["options"].split("\n") == ["Second", "Third", "First"]
    assert by_id["q-order"]["answer"].split("\n") == ["First", "Second", "Third"]
    assert (by_id["q-num"]["answer"], by_id["q-num"]["accepted"]) == ("1230", "1107 to 1353 km")
    assert by_id["q-tf"]["source"] == ("Test Press, “Notes on rivers & lakes”: “about 1,230 km long” "
                                       "https://example.org/notes?a=1&b=2")


def test_csv_quotes_commas_quotes_and_newlines(tmp_path):
    base = make_sample_set(versions=1)
    text = 'He said "stop", then\nleft; ok, \'fine\' – دير الزور'
    question = dataclasses.replace(base.questions[3], prompt=text, answer=text, explanation=text)
    path = tmp_path / "questions.csv"
    tabular.write_csv(dataclasses.replace(base, questions=(question,), versions=()), path)
    row = read_csv(path)[0]
    assert row["prompt"] == row["answer"] == row["explanation"] == text
    # RFC 4180: CRLF between records, a doubled quote inside a quoted field
    raw = path.read_bytes().decode("utf-8-sig")
    assert raw.count("\r\n") == 2 and '""stop""' in raw


def test_same_set_gives_identical_bytes():
    question_set = make_sample_set()
    assert tabular.questions_csv(question_set) == tabular.questions_csv(make_sample_set())
    assert list(csv.reader(io.StringIO(tabular.questions_csv(question_set))))[0] == list(tabular.CSV_COLUMNS)


def formula_set():
    """Every field a learner or teacher sees starts like a formula; one numeric answer is negative."""
    base = make_sample_set(versions=1)
    mc = dataclasses.replace(base.questions[0], prompt=FORMULAS[0], front=FORMULAS[1], back=FORMULAS[2],
                             explanation=FORMULAS[3], answer=FORMULAS[4],
                             options=tuple(Option(str(n), text, n == 0) for n, text in enumerate(FORMULAS[:4])))
    numeric = dataclasses.replace(base.questions[6], prompt=FORMULAS[5], front="-40 is how cold?", back="-40",
                                  numeric=NumericAnswer(value=-40, low=-42, high=-38, unit="°C"))
    return dataclasses.replace(base, questions=(mc, numeric), versions=())


def test_csv_cells_never_start_like_a_formula_but_negative_numbers_stay_numbers(tmp_path):
    path = tmp_path / "questions.csv"
    tabular.write_csv(formula_set(), path)
    rows = read_csv(path)
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c.startswith("-") and c != "-40")]
    mc, numeric = rows
    assert mc["prompt"] == "'" + FORMULAS[0] and mc["explanation"] == "'@SUM(A1)"
    assert mc["options"].startswith("'=HYPERLINK") and mc["answer"] == "'" + FORMULAS[0]  # the correct option
    assert numeric["prompt"] == "'\rcarriage"
    assert numeric["answer"] == "-40" and float(numeric["answer"]) == -40  # a number a spreadsheet can use
    assert numeric["accepted"] == "'-42 to -38 °C"


def test_tsv_fields_never_start_like_a_formula(tmp_path):
    path = tmp_path / "quizlet.tsv"
    tabular.write_tsv(formula_set(), path)
    with open(path, encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows == [["'+1+1", "'-2+3"], ["'-40 is how cold?", "-40"]]
