"""Finding quotations in a source text (load/evidence.py): a long text checked against many quotations is looked up
by its words, and finds exactly what a scan of the text finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.load.evidence import QuotationFinder, normalise_space, quotation_finder, word_starts


class IndexingAtOnce(QuotationFinder):
    """The finder as it is once a long text has been looked up often enough: indexed from the first quotation."""

    SCANS_BEFORE_INDEXING = 0
    SHORTEST_INDEXED = 0


TEXTS = st.text(alphabet="ab .,’\n", max_size=80)


@settings(max_examples=500, deadline=None)
@given(TEXTS, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 30)), max_size=8), st.lists(TEXTS, max_size=4))
def test_an_indexed_text_holds_a_quotation_exactly_when_a_scan_finds_it(text, cuts, others):
    finder = IndexingAtOnce(text)
    quotations = [text[start:start + length] for start, length in cuts] + others
    quotations += [normalise_space(q) for q in quotations]
    for quotation in quotations:
        assert (quotation in finder) == (quotation in text), (text, quotation)
    assert (finder.word_starts is not None) == any(q.count(" ") >= 2 for q in quotations)


def test_a_long_text_is_indexed_only_after_many_quotations_are_looked_for():
    text = " ".join(f"Town {i} had {1000 + i} inhabitants." for i in range(2000))
    finder = quotation_finder(text)
    assert finder is quotation_finder(text)  # one finder per text
    for i in range(QuotationFinder.SCANS_BEFORE_INDEXING):
        assert f"Town {i} had {1000 + i} inhabitants." in finder
    assert finder.word_starts is None
    assert "Town 1999 had 2999 inhabitants." in finder and "Town 1999 had 2998 inhabitants." not in finder
    assert finder.word_starts is not None
    assert "n 5 had 1005 inh" in finder and "Town 5 had" in finder and "own 1" in finder and "Town 5  had" not in finder
    assert word_starts("a bb  c")["c"] == [6] and word_starts("a bb  c")[""] == [5]
