"""Wrong figures: peers of the same relation and unit where the pack has them, else the answer scaled by round
factors; never one a student rules out by its size or sign, never one close enough to argue about, rounded as
the answer is."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator
from itertools import groupby, islice

from ..model import VALUE_TYPES, Fact, Number, Pack
from .keys import other
from .truth import Truth


def number_distractors(fact: Fact, slot: str, pack: Pack, truth: Truth, rng: random.Random, count: int
                       ) -> list[Number]:
    """Figures of the same relation for other named things first (another planet's diameter, another person's age),
    then round multiples of the answer inside the range those figures span; never a figure within a true one's
    tolerance. Another report's figure for the same thing, or for a thing named in words, is never used: a toll for
    another date window is true of that window, and invites a fair dispute."""
    answer: Number = fact.value(slot)
    if not truth.closed(fact, slot):
        return []  # the pack does not know every figure here: any other figure might be true
    true_values = [v for v in truth.possibly_true(fact, slot).values() if isinstance(v, Number)] or [answer]
    peers = peer_figures(fact, slot, pack, truth, answer)

    ceiling = 100 if answer.unit in ("percent", "per cent", "%") else float("inf")

    def fits(value: float) -> bool:
        return (value != 0 and (value > 0) == (answer.value > 0) and value <= ceiling
                and not any(t.accepts(value) or near(value, t) for t in true_values))

    # "about 84.01 years" reads as a guess dressed as a measurement: "about 84 years"
    shown = (lambda p: _round_like(p, answer.value)) if answer.approximate else (lambda p: p)
    # the figures a true one's own `near` rules out first are not even walked through
    gap = MIN_RELATIVE_GAP * abs(answer.value) if any(
        type(t.value) is type(answer.value) and t.value == answer.value != 0 for t in true_values) else -1.0
    values = list(islice((p for p in nearest_first(peers, answer.value, shown, farther_than=gap)
                          if fits(p) and comparable(p, answer.value)), count))
    rng.shuffle(values)
    low, high = ((min(shown(peers[0]), answer.value) / 2, max(shown(peers[-1]), answer.value) * 1.5) if peers
                 else (0, float("inf")))
    for factor in _factors(rng):
        if len(values) >= count:
            break
        value = _round_like(answer.value * factor, answer.value)
        if answer.approximate:
            value = _two_significant(value)  # "about 400,732" would be a figure no source gives
        if answer.value >= 2 and value < 2:
            continue  # "1 fighters": a figure of one needs a singular the sentence does not have
        if fits(value) and low <= value <= high and value not in values:
            values.append(value)
    chosen: list[Number] = []
    for value in values[:count]:
        option = Number(value=value, unit=answer.unit, approximate=answer.approximate)
        if option.human() != answer.human() and option.human() not in {c.human() for c in chosen}:
            chosen.append(option)
    return chosen


def nearest_first(peers: list[float], answer: float, shown: Callable[[float], float], *,
                  farther_than: float = -1.0) -> Iterator[float]:
    """The figures `peers` (sorted, distinct) as `shown` (rounded like the answer: it keeps their order), each once,
    nearest the answer first and the lower first at equal distance, as a stable sort of the sorted shown figures by
    distance orders them; walked out from the answer, so a pack's thousands of figures far from it cost nothing.
    Those no farther from the answer than `farther_than` are left out, found by bisection."""
    def distance(value: float) -> float:
        return abs(value - answer)

    def too_near(i: int) -> bool:
        return distance(shown(peers[i])) <= farther_than

    split = bisect.bisect_right(peers, answer, key=shown)
    below_end = bisect.bisect_left(range(split), True, key=too_near)  # distances fall towards the answer
    above_start = bisect.bisect_left(range(len(peers)), True, split, len(peers), key=lambda i: not too_near(i))
    below = (value for value, _ in groupby(shown(peers[i]) for i in range(below_end - 1, -1, -1)))
    above = (value for value, _ in groupby(shown(peers[i]) for i in range(above_start, len(peers))))
    # figures at one distance come out lowest first: a run below the answer is walked downwards, so it is reversed
    lower, higher = groupby(below, key=distance), groupby(above, key=distance)
    low_run, high_run = next(lower, None), next(higher, None)
    while low_run is not None or high_run is not None:
        if high_run is None or low_run is not None and low_run[0] <= high_run[0]:
            yield from reversed(list(low_run[1]))
            low_run = next(lower, None)
        else:
            yield from high_run[1]
            high_run = next(higher, None)


PEER_RATIO = 4  # Venus's 464 °C offered for Saturn, or Jupiter's diameter for Mercury's, is false on its face


def comparable(value: float, answer: float) -> bool:
    small, large = sorted((abs(value), abs(answer)))
    return small > 0 and large / small <= PEER_RATIO


MIN_RELATIVE_GAP = 0.15  # "about 990 km" against a true 965 km is a fair dispute, not a wrong figure


def near(value: float, true: Number) -> bool:
    return any(abs(value - t) <= MIN_RELATIVE_GAP * abs(t) for t in (true.value, true.max) if t)


def peer_figures(fact: Fact, slot: str, pack: Pack, truth: Truth, answer: Number) -> list[float]:
    """The same relation's figures, in the same unit, for other named things (not for a thing named in words, whose
    other figures may be other reports of it)."""
    if pack.relation(fact.relation).slot_type(other(slot)) in VALUE_TYPES:
        return []
    own = truth.key(fact, other(slot))
    return truth.figures_but(fact.relation, slot, answer.unit, own)


def _factors(rng: random.Random) -> list[float]:
    factors = [0.5, 1.5, 2.0, 2.5, 0.4, 3.0]  # far from 1: a figure near the report is arguable
    rng.shuffle(factors)
    return factors


def _two_significant(value: float) -> float:
    if value == 0:
        return value
    unit = 10 ** (len(str(int(abs(value)))) - 2) if abs(value) >= 100 else 1
    rounded = round(value / unit) * unit
    return int(rounded) if float(rounded).is_integer() else rounded


def _round_like(value: float, reference: float) -> float:
    """Round to the precision of the reference figure (70,000 → thousands; 86 → units)."""
    if reference == 0:
        return round(value)
    digits = len(str(int(abs(reference)))) if abs(reference) >= 1 else 1
    trailing_zeros = len(str(int(abs(reference)))) - len(str(int(abs(reference))).rstrip("0")) if reference >= 1 else 0
    unit = 10 ** min(trailing_zeros, max(digits - 1, 0))
    rounded = round(value / unit) * unit
    return float(rounded) if not float(rounded).is_integer() else int(rounded)

