"""Wrong figures (generate/figures.py): the nearest peers are found by walking out from the answer, in exactly the
order a sort of every peer by its distance gives, rounded like the answer where the answer is approximate."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.generate.figures import _round_like, nearest_first

FIGURES = st.one_of(st.integers(-500, 5000), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                    st.sampled_from([1000, 1500, 2000, 2500, 0.5, 7, 1e17, 1e17 + 16]))


def sorted_by_distance(peers: list[float], answer: float, approximate: bool) -> list[float]:
    """The order every peer sorted by its distance gives (rounded peers taken once): what nearest_first must match."""
    shown = sorted({_round_like(p, answer) for p in peers}) if approximate else peers
    return sorted(shown, key=lambda p: abs(p - answer))


@settings(max_examples=400, deadline=None)
@given(st.sets(FIGURES, max_size=40), FIGURES, st.booleans())
def test_nearest_first_gives_the_order_of_sorting_every_peer_by_distance(peers, answer, approximate):
    peers = sorted(peers)
    shown = (lambda p: _round_like(p, answer)) if approximate else (lambda p: p)
    walked = list(nearest_first(peers, answer, shown))
    expected = sorted_by_distance(peers, answer, approximate)
    assert walked == expected
    assert [type(v) for v in walked] == [type(v) for v in expected]  # 70000, not 70000.0, in a wrong option


@settings(max_examples=400, deadline=None)
@given(st.sets(FIGURES, max_size=40), FIGURES, st.booleans(), st.floats(0, 2e4))
def test_figures_too_near_the_answer_are_left_out_and_the_rest_keep_their_order(peers, answer, approximate, gap):
    peers = sorted(peers)
    shown = (lambda p: _round_like(p, answer)) if approximate else (lambda p: p)
    walked = list(nearest_first(peers, answer, shown, farther_than=gap))
    assert walked == [p for p in sorted_by_distance(peers, answer, approximate) if abs(p - answer) > gap]


def test_equally_near_figures_come_lowest_first_and_rounded_ones_once():
    assert list(nearest_first([80, 90, 110, 120], 100, lambda p: p)) == [90, 110, 80, 120]
    # about 70,000: 68,200 and 71,400 both read as 70,000, the answer itself; 64,900 and 75,100 as 60,000 and 80,000
    rounded = list(nearest_first([64_900, 68_200, 71_400, 75_100], 70_000, lambda p: _round_like(p, 70_000)))
    assert rounded == [70_000, 60_000, 80_000]
    assert list(nearest_first([80, 90, 95, 110, 120], 100, lambda p: p, farther_than=10)) == [80, 120]


KEYS = st.sampled_from(["titan", "ganymede", "callisto", "io"])
RELATION_FIGURES = st.lists(st.tuples(st.one_of(st.integers(-50, 50), st.sampled_from([1000, 1000.0, 0.0, -0.0, 7.5]),
                                                st.floats(-100, 100, allow_nan=False)), KEYS), max_size=30)


@settings(max_examples=400, deadline=None)
@given(RELATION_FIGURES, KEYS, st.floats(-120, 120, allow_nan=False), st.floats(0, 60), st.booleans())
def test_a_figure_index_finds_what_a_walk_through_every_figure_finds(figures, own, low, width, with_nan):
    """FigureIndex (truth.py) gives the figures near one and all but a value's own by bisection: the same figures,
    in the same order and of the same type (1000, not 1000.0), as looking at each; a NaN figure, which has no place
    in a sorted order, makes it look at each."""
    from quizgen.generate.truth import FigureIndex
    if with_nan:
        figures = [*figures, (float("nan"), "io")]
    index = FigureIndex.of(figures)
    high = low + width
    assert index.within(low, high) == [f for f in figures if low <= f[0] <= high]
    expected = sorted({value for value, key in figures if key != own})
    found = index.but(own)
    if with_nan:  # NaN is unequal to itself: compare what is comparable
        assert [repr(v) for v in found] == [repr(v) for v in expected]
    else:
        assert found == expected and [repr(v) for v in found] == [repr(v) for v in expected]
