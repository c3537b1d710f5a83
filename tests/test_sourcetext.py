"""Source texts read as a reader would: sentences (abbreviations, table cells, infobox headings), the dates each
writes with their precision, the figures outside those dates, and plain text out of HTML and Markdown."""

from __future__ import annotations

from quizgen.author.sourcetext import (dates_in, figures_in, is_approximate, last_year, read_source, sentences_of,
                                unit_after)


def texts(text: str) -> list[str]:
    return [s.text for s in sentences_of(text)]


def test_sentences_split_at_their_ends_not_at_abbreviations_or_decimals() -> None:
    text = ("Brig. Gen. Ali Omar led the U.S.-backed force. It held 2.5 km of the road.\n"
            "Dr. Smith arrived on 3 May. She left.\n")
    assert texts(text) == ["Brig. Gen. Ali Omar led the U.S.-backed force.", "It held 2.5 km of the road.",
                           "Dr. Smith arrived on 3 May.", "She left."]


def test_table_cells_are_sentences_of_their_own_and_infobox_headings_are_not() -> None:
    text = "Title | |\n---|---|\nBelligerents | |\nFree Syrian Army | Islamic State |\nThe war began."
    assert texts(text) == ["Title", "Free Syrian Army", "Islamic State", "The war began."]
    assert [s.line for s in sentences_of(text)] == [1, 4, 4, 5]


def test_dates_keep_their_precision() -> None:
    sentence = "On 10 April 2014 they attacked; by May 2014 and in mid-2013, and on March 3, 2012, it was over in 1999."
    assert [(d.text, d.value) for d in dates_in(sentence)] == [
        ("10 April 2014", "2014-04-10"), ("May 2014", "2014-05"), ("mid-2013", "2013"),
        ("March 3, 2012", "2012-03-03"), ("1999", "1999")]


def test_a_day_without_a_year_takes_the_year_the_text_named_last() -> None:
    first = dates_in("On 10 April 2014, ISIS attacked.")
    year = last_year(first, None)
    assert year == 2014
    later = dates_in("On 11 April, the dead numbered 86; 30 April – 10 June was worse.", year)
    assert [(d.text, d.value) for d in later] == [("11 April", "2014-04-11"), ("30 April", "2014-04-30"),
                                                  ("10 June", "2014-06-10")]
    assert last_year(later, year) == 2014  # a carried year is not a new one
    ranged = dates_in("414 killed (10–11 April)", 2014)
    assert [(d.text, d.value) for d in ranged] == [("10–11 April", "2014-04-10/2014-04-11")]
    assert [d.value for d in dates_in("On 11 April they left.")] == [""]  # no year known: no value to guess


def test_figures_are_the_numbers_outside_dates_with_their_unit_and_estimate() -> None:
    sentence = "On 10 April 2014, about 1,500 people fled and 10 rebel fighters died over 2 million days of 7.5 km."
    dates = dates_in(sentence)
    figures = figures_in(sentence, dates)
    assert [(f.text, f.value) for f in figures] == [("1,500", "1500"), ("10", "10"), ("2", "2"), ("7.5", "7.5")]
    assert [unit_after(sentence, f) for f in figures] == ["people", "rebel", "million days", "km"]
    assert [is_approximate(sentence, f) for f in figures] == [True, False, True, False]


def test_words_such_as_may_are_not_dates() -> None:
    assert dates_in("They may come back.") == []


def test_html_loses_its_markup_scripts_and_styles(tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>T</title><style>p{}</style></head><body><h1>The tower</h1>"
                    "<p>It opened in <b>March 1889</b>.\nIt is 330 metres&nbsp;tall.</p><script>var a=1;</script>"
                    "<table><tr><td>Height</td><td>330 m</td></tr></table></body></html>", encoding="utf-8")
    assert texts(read_source(page)) == ["It opened in March 1889.", "It is 330 metres tall.", "Height", "330 m"]


def test_markdown_loses_its_marks(tmp_path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# The tower\n\nIt is **330 metres** tall, as [the guide](https://x.org) says.\n\n"
                    "- It opened in *March 1889*.\n\n```\ncode = 1\n```\n", encoding="utf-8")
    assert texts(read_source(page)) == ["It is 330 metres tall, as the guide says.", "It opened in March 1889."]


def test_headings_are_not_sentences() -> None:
    text = ("Antonie van Leeuwenhoek\n\nSummary\n\nHe was a Dutch microscopist. He lived in Delft.\n\n"
            "Early Life and Background\n\nHe was born in 1632.\n\n# A heading with a full stop.\n\n"
            "Born 1632\nDied 1723\n\nThe end of his life came in 1723\nafter ninety years.\n")
    assert texts(text) == ["He was a Dutch microscopist.", "He lived in Delft.", "He was born in 1632.",
                           "Born 1632", "Died 1723", "The end of his life came in 1723", "after ninety years."]
    assert [s.line for s in sentences_of(text)][:3] == [5, 5, 9]


def test_markdown_and_html_headings_and_list_items(tmp_path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Rise to Prominence\n==================\n\nIn 1660 he became a chamberlain.\n\n"
                     "- Elected in 1680\n- Died in 1723\n", encoding="utf-8")
    assert texts(read_source(notes)) == ["In 1660 he became a chamberlain.", "Elected in 1680", "Died in 1723"]
    page = tmp_path / "page.html"
    page.write_text("<h2>Discoveries</h2><ul><li>Bacteria in 1676</li><li>Spermatozoa in 1677</li></ul>",
                    encoding="utf-8")
    assert texts(read_source(page)) == ["Bacteria in 1676", "Spermatozoa in 1677"]


def test_names_are_runs_of_capitals_with_their_connectors_not_sentence_openers_or_months() -> None:
    from quizgen.author.sourcetext import names_in

    def names(sentence: str) -> list[str]:
        return [m.text for m in names_in(sentence)]

    assert names("The River Thames flows through England, including London.") == ["River Thames", "England", "London"]
    assert names("Abu Bakr al-Baghdadi (Leader of ISIL) saw the Tower of London.") == [
        "Abu Bakr al-Baghdadi", "Leader of ISIL", "Tower of London"]
    assert names("On 10 April 2014, Brig. Gen. Abdul-Ilah al-Bashir met Marie Curie's heirs.") == [
        "Brig. Gen. Abdul-Ilah al-Bashir", "Marie Curie"]
    assert names("Oxford and Reading lie on it in May.") == ["Oxford", "Reading"]
