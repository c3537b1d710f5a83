"""Wrong options that are plausible and known to be wrong: values of the same slot elsewhere in the pack first, then
entities of the same category ranked by the attributes the pack declares; only values the truth index refutes, and
only ones a student could believe (same kind, existing at the stem's date)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from itertools import islice

from ..model import VALUE_TYPES, DateValue, Fact, Pack, Value
from ..load.phrasing import answer_text
from ..load.records import parse_date
from ..text import contains_phrase, name_in_title, normalise, shared_name_words
from .figures import number_distractors
from .index import bucket_score
from .keys import fact_key, other, value_key
from .truth import Truth

MIN_DAYS_APART = 3  # a day either side could be argued: fighting that began on the 10th went on on the 11th


def distractors_for(fact: Fact, slot: str, pack: Pack, truth: Truth, rng: random.Random, count: int,
                    stem: str = "") -> list[Value]:
    """Up to `count` wrong values for asking `slot` of `fact`, best first (fewer when the pack has no more)."""
    slot_type = pack.relation(fact.relation).slot_type(slot)
    if slot_type == "date":
        return date_distractors(fact, slot, pack, truth, rng, count)
    if slot_type == "number":
        return number_distractors(fact, slot, pack, truth, rng, count)
    return named_distractors(fact, slot, pack, truth, rng, count, stem)


def named_distractors(fact: Fact, slot: str, pack: Pack, truth: Truth, rng: random.Random, count: int,
                      stem: str) -> list[Value]:
    """Entities or texts: pinned ones, then other values of the same relation slot, then (for entities) the
    category's other members ranked by shared attributes; each one the pack knows to be false and that a student
    could believe."""
    slot_type = pack.relation(fact.relation).slot_type(slot)
    if not truth.can_refute(fact, slot):
        return []  # an open list, and no value's own fact could place it elsewhere: nothing is known false
    refused = refused_keys(fact, slot, pack, truth)
    answer_names = names_of(fact.value(slot), slot_type, pack)
    taken = {normalise(n) for n in answer_names}
    chosen: list[Value] = []

    def consider(key: str, value: Value) -> bool:
        """Take the candidate if it is sound; True once enough are chosen."""
        if key in refused or not offerable(value, slot_type, pack) or not plausible(fact, slot, value, pack, truth):
            return False
        names = names_of(value, slot_type, pack)
        if any(normalise(n) in taken for n in names) or any(stem and contains_phrase(stem, n) for n in names):
            return False
        if slot_type not in VALUE_TYPES and (contains_phrase(names[0], answer_names[0])
                                             or named_after_own_value(key, fact, slot, pack, truth)):
            return False  # "Hinter Rhine" beside "Rhine" points at the key; "the Rhine Falls" is not on the Danube
        if truth.refutation(fact, slot, key) is None:
            return False
        taken.update(normalise(n) for n in names)
        refused.add(key)
        chosen.append(value)
        return len(chosen) == count

    for pinned in fact.pin:  # an entity id, or a text option word for word where the slot holds text
        if (slot_type == "text" or slot_type not in VALUE_TYPES and pack.has_entity(pinned)) and consider(
                value_key(pinned, slot_type), pinned):
            return chosen
    candidates = ranked_candidates(fact, slot, slot_type, pack, truth, rng)
    if any(named_in_title(n, pack) for n in names_of(fact.value(slot), slot_type, pack)):
        # the title names the answer: a wrong option it names too keeps the title from giving the answer away
        candidates.sort(key=lambda kv: not any(named_in_title(n, pack) for n in names_of(kv[1], slot_type, pack)))
    cue = hint_words(fact.value(slot), fact, slot, pack)
    if cue:
        # the key shares a name with the stem (a surname): wrong options that share it keep the name from deciding
        candidates.sort(key=lambda kv: not (cue & hint_words(kv[1], fact, slot, pack)))
    for key, value in candidates:
        if consider(key, value):
            return chosen
    return chosen


def named_after_own_value(key: str, fact: Fact, slot: str, pack: Pack, truth: Truth) -> bool:
    """Whether a candidate's name says what the pack ties it to ("the Rhine Falls", on the Rhine): swapped into a
    claim ("The Rhine Falls is in Budapest"), it is false on its face."""
    name = pack.entity(key).name
    return any(contains_phrase(name, pack.entity(partner).name)
               for f in truth.facts_about(key) for partner in (f.subject, f.object)
               if isinstance(partner, str) and partner != key and pack.has_entity(partner))


def given_names(fact: Fact, slot: str, pack: Pack) -> tuple[str, ...]:
    """The names of the entity a question about `slot` prints (the other slot's value), or none for a value."""
    given = fact.value(other(slot))
    if pack.relation(fact.relation).slot_type(other(slot)) in VALUE_TYPES or not pack.has_entity(given):
        return ()
    return pack.entity(given).names


def value_names(value: Value, fact: Fact, slot: str, pack: Pack) -> tuple[str, ...]:
    """The names of an entity value of `slot`, or none for a date, a figure or a text."""
    slot_type = pack.relation(fact.relation).slot_type(slot)
    return names_of(value, slot_type, pack) if slot_type not in VALUE_TYPES else ()


def hint_words(value: Value, fact: Fact, slot: str, pack: Pack) -> set[str]:
    """The words a value's name shares with the name the question prints (a surname the stem gives)."""
    given = given_names(fact, slot, pack)
    names = value_names(value, fact, slot, pack)
    return shared_name_words(given[0], names[0]) if given and names else set()


def named_in_title(text: str, pack: Pack) -> bool:
    """Whether the pack's title, printed on every page, names this text."""
    return name_in_title(text, pack.title)


CANDIDATES_FROM_CATEGORY = 64  # enough to rank well; few enough that a huge pack costs no more per question


def ranked_candidates(fact: Fact, slot: str, slot_type: str, pack: Pack, truth: Truth, rng: random.Random
                      ) -> list[tuple[str, Value]]:
    """Candidates best first: a value that fills the same relation slot elsewhere before one that does not, and
    within each, shared attributes decide (a town for a town, a Syrian town for a Syrian town). A bounded number
    of each is looked at, from a seeded starting point, so a question costs the same however large the pack."""
    same_slot = dict(islice(truth.values_from(fact.relation, slot, rng), CANDIDATES_FROM_CATEGORY))
    if slot_type in VALUE_TYPES:
        return list(same_slot.items())
    answer = pack.entity(fact.value(slot))
    rank_by = pack.category(slot_type).rank_by
    attributes = dict(answer.attributes)
    found: dict[str, float] = {}
    for score, eid in truth.entities_like(slot_type, attributes, rank_by, rng):
        found[eid] = score
        if len(found) >= CANDIDATES_FROM_CATEGORY:
            break
    other_slot = dict(islice(truth.values_from(fact.relation, other(slot), rng), CANDIDATES_FROM_CATEGORY))
    for key in (*same_slot, *other_slot):
        if key not in found and pack.has_entity(key) and pack.entity(key).category == slot_type:
            found[key] = bucket_score(truth.attribute_key(key, rank_by), attributes, rank_by)

    known_few = truth.short_closed_lists(fact.relation, slot, FEW_PARTNERS)

    def role(eid: str) -> int:
        """0: fills this slot elsewhere; 1: the relation's other slot (a river that is a tributary itself);
        2: only of the category (a headstream, a moonless planet); 3: its whole short list is known (Earth, whose
        only moon is the Moon, offered as the planet of Phobos is struck out by everyone)."""
        return 3 if eid in known_few else 0 if eid in same_slot else 1 if eid in other_slot else 2

    # a value that fills the same role elsewhere is the likelier guess (a river that takes tributaries for the river
    # a tributary joins, not a headstream; a planet with moons for a moon's planet); shared attributes rank within
    order = sorted(found, key=lambda eid: (role(eid), -found[eid], rng.random()))
    return [(eid, eid) for eid in order]


FEW_PARTNERS = 2  # a list of one or two that a source closes (Earth's one moon) is one every student knows


def refused_keys(fact: Fact, slot: str, pack: Pack, truth: Truth) -> set[str]:
    """Values never offered as wrong whatever the index says: the author's forbidden ones, the causes up a chain
    (A led to B, B led to C: A is a fair answer for what led to C), and, between two of a kind, the given value's
    other partners."""
    given = fact_key(fact, other(slot), pack)
    relation = pack.relation(fact.relation)
    # entity ids, or texts word for word; forbidden dates are spans, weighed in `date_distractors`
    refused = {item if pack.has_entity(item) else value_key(item, "text") for item in fact.forbid}
    if relation.subject == relation.object:
        refused |= truth.reachable(fact.relation, given, towards=slot)
        # between two of a kind (people), one the pack ties to the given otherwise is no fair guess: a wife is not
        # a plausible daughter, nor a child a plausible parent
        refused |= truth.partners(given)
    return refused


def forbidden_dates(fact: Fact) -> list[DateValue]:
    """The dates and spans an author forbids as wrong dates: "2011/2012" keeps out every date in those years (before
    the group the stem names existed)."""
    found = []
    for item in fact.forbid:
        try:
            found.append(parse_date(item))
        except ValueError:
            continue  # an entity id or a text; check reports a date it cannot read
    return found


ACTIVE_MARGIN_YEARS = 30  # an entity the pack dates only by what it did is believable this long either side


def plausible(fact: Fact, slot: str, value: Value, pack: Pack, truth: Truth) -> bool:
    """A wrong entity a student could believe: it shares the answer's `match` attributes (a city for a city, a woman
    for a daughter) and existed at the date the stem speaks of (nobody born after the event, or dead before it, and
    no infant where the answer was grown up)."""
    relation = pack.relation(fact.relation)
    if relation.slot_type(slot) in VALUE_TYPES:
        return True
    answer, candidate = pack.entity(fact.value(slot)), pack.entity(value)
    for name in pack.category(answer.category).match:
        if answer.attribute(name) is not None and candidate.attribute(name) != answer.attribute(name):
            return False
    if not keeps_the_order(fact, slot, value, pack, truth) or not agrees_with_given(fact, slot, value, pack, truth):
        return False
    if slot == "subject" and relation.subject == relation.object and value in truth.roots(relation.subject) \
            and fact.value(slot) not in truth.roots(relation.subject):
        return False  # the Rhine, which has headstreams and flows into no river, is no wrong headstream of the Danube
    if relation.lifetime is not None:
        return True  # a birth or a death is the lifetime itself: another person's is a fair guess at any date
    when = stem_date(fact, pack)
    born, died = truth.lifetime(value)
    if born is not None or died is not None:
        if (died is not None and died < when.start) or (born is not None and born > when.end):
            return False
        return not infant_beside_adult(born, truth.lifetime(fact.value(slot))[0], when)
    active = truth.active_years(value)  # no lifetime known: the years its own dated facts speak of
    return active is None or (active[0] - ACTIVE_MARGIN_YEARS <= when.end.year and
                              when.start.year <= active[1] + ACTIVE_MARGIN_YEARS)


def agrees_with_given(fact: Fact, slot: str, value: Value, pack: Pack, truth: Truth) -> bool:
    """A wrong value keeps what the answer shares with the entity the stem names: the Moselle and Koblenz are both
    on the Rhine, so a wrong river for Koblenz is a Rhine river (not the Sava); Düsseldorf and North
    Rhine-Westphalia are both in Germany, so a wrong region for Düsseldorf is a German one (not Grand Est)."""
    given = fact.value(other(slot))
    if pack.relation(fact.relation).slot_type(other(slot)) in VALUE_TYPES or not pack.has_entity(given):
        return True
    shared = truth.placing(fact.value(slot)) & truth.placing(given) - {fact.value(slot), given}
    return shared <= truth.placing(value)


GROWN_UP_YEARS = 16


def infant_beside_adult(born: date | None, answer_born: date | None, when: DateValue) -> bool:
    """A child offered where the answer was an adult at the stem's date (a baby among the discoverers of radium)."""
    if born is None or answer_born is None or fact_dates_are_open(when):
        return False
    return years_between(answer_born, when.start) >= GROWN_UP_YEARS > years_between(born, when.end)


def fact_dates_are_open(when: DateValue) -> bool:
    return when.end.year - when.start.year > GROWN_UP_YEARS  # a pack-long period says nothing about anyone's age


def years_between(earlier: date, later: date) -> float:
    return (later - earlier).days / 365.25


def keeps_the_order(fact: Fact, slot: str, value: Value, pack: Pack, truth: Truth) -> bool:
    """Where the relation says which slot's value came first (a parent before a child), a wrong option keeps that
    order with the value the stem names: no one born in 1900 is offered as a parent of someone born in 1867, and
    (a generation apart) no one born in the same years either."""
    relation = pack.relation(fact.relation)
    given = fact.value(other(slot))
    if relation.older is None or not pack.has_entity(given):
        return True
    given_born, candidate_born = truth.lifetime(given)[0], truth.lifetime(value)[0]
    if candidate_born is None or given_born is None:
        return True
    if relation.older == slot:
        return years_between(candidate_born, given_born) >= GROWN_UP_YEARS
    return years_between(given_born, candidate_born) >= GROWN_UP_YEARS


def stem_date(fact: Fact, pack: Pack) -> DateValue:
    """The time a question about this fact speaks of: the fact's date, its other entity's period, or the pack's."""
    if fact.when is not None:
        return fact.when
    return DateValue(f"{pack.period_start.isoformat()}/{pack.period_end.isoformat()}", pack.period_start,
                     pack.period_end, "day", True)


def offerable(value: Value, slot_type: str, pack: Pack) -> bool:
    return slot_type in VALUE_TYPES or pack.entity(value).distractor


def names_of(value: Value, slot_type: str, pack: Pack) -> tuple[str, ...]:
    if slot_type in VALUE_TYPES:
        return (answer_text(value, slot_type, pack),)
    return pack.entity(value).names


# ---- dates ----------------------------------------------------------------------------------


def date_distractors(fact: Fact, slot: str, pack: Pack, truth: Truth, rng: random.Random, count: int
                     ) -> list[DateValue]:
    """Other dates of the pack at the same precision, the same relation's first (another birthday for a birthday),
    the nearest few, never overlapping or next to a true one. No
    date is invented: a shifted date is a guess a student cannot weigh, and a real one of the pack is a fair test."""
    answer: DateValue = fact.value(slot)
    true_dates = [v for v in truth.possibly_true(fact, slot).values() if isinstance(v, DateValue)] or [answer]
    shown = {answer.human()}

    life = life_bounds(fact, pack, truth)
    own_dates = own_other_dates_of(fact, pack, truth)
    forbidden = forbidden_dates(fact)
    lives = life_dates(pack, truth) if pack.relation(fact.relation).lifetime else None

    def acceptable(candidate: DateValue) -> bool:
        return (candidate.precision == answer.precision and candidate.is_range == answer.is_range
                and candidate.human() not in shown and value_key(candidate) not in own_dates
                and not any(forbid.start <= candidate.start and candidate.end <= forbid.end for forbid in forbidden)
                and (lives is None or value_key(candidate) in lives)
                and all(not _overlaps(candidate, t) and _far_enough(candidate, t) for t in true_dates)
                and life.admits(candidate) and similar_span(candidate, answer) and same_era(candidate, answer)
                and truth.refutation(fact, slot, value_key(candidate)) is not None)

    same_relation = truth.slot_keys(fact.relation, slot)
    same: list[DateValue] = []
    others: list[DateValue] = []
    for candidate in truth.dates_near(answer.start):
        if acceptable(candidate) and candidate.human() not in {d.human() for d in same + others}:
            # another person's birthday is a fair wrong birthday; the day of a wedding or a discovery is not
            (same if value_key(candidate) in same_relation else others).append(candidate)
            if len(same) >= count * 2:
                break
    nearest = same[:count * 2] or others[:count * 2]
    rng.shuffle(nearest)
    return (nearest + [d for d in same + others if d not in nearest])[:count]


def own_other_dates_of(fact: Fact, pack: Pack, truth: Truth) -> set[str]:
    """The dates of the subject's other facts: Ève Curie's wedding day is no wrong date for her death, since the
    student who knows one reads it off the other item."""
    if pack.relation(fact.relation).subject in VALUE_TYPES:
        return set()
    return {value_key(f.when) for f in truth.facts_about(fact.subject) if f.id != fact.id and f.when is not None}


def life_dates(pack: Pack, truth: Truth) -> set[str]:
    """Every birth and death date of the pack (relations marked `lifetime`): a wrong birth or death date is another
    life's, never the day of a discovery."""
    return {key for r in pack.relations if r.lifetime for key in truth.slot_keys(r.id, "object")}


ERA_YEARS = 100  # a power station begun in 1501, offered beside 1964, is struck out by anyone


def same_era(candidate: DateValue, answer: DateValue) -> bool:
    return abs(candidate.start.year - answer.start.year) <= ERA_YEARS


@dataclass(frozen=True)
class LifeBounds:
    """The years a wrong date about someone may fall in, by what the pack knows of their life."""

    earliest: date | None = None
    latest: date | None = None

    def admits(self, candidate: DateValue) -> bool:
        return ((self.earliest is None or candidate.end >= self.earliest)
                and (self.latest is None or candidate.start <= self.latest))


# A wrong date that makes someone older than this at death, or a parent older than OLDEST_PARENT_YEARS at a child's
# birth, is one a student strikes out by arithmetic, not by knowing the answer.
OLDEST_AGE_YEARS = 95
OLDEST_PARENT_YEARS = 50


@dataclass(frozen=True)
class Kin:
    """The dates of someone's parents and children that bound their own life (by the relations marked `older`)."""

    parents_born: list[date]
    parents_died: list[date]
    children_born: list[date]


def life_bounds(fact: Fact, pack: Pack, truth: Truth) -> LifeBounds:
    """Where the date asked is of someone's life: a birth falls a generation before anything they did and before
    their children's births, after their parents' and while they lived, at an age a parent has; a death falls after
    the last thing they did and the birth of their children, at a believable age; anything else they did falls
    between sixteen and their death. Otherwise no bounds."""
    relation = pack.relation(fact.relation)
    person = fact.subject
    if relation.subject in VALUE_TYPES or not pack.has_entity(person):
        return LifeBounds()
    born, died = truth.lifetime(person)
    deeds = [d for f in truth.facts_about(person) if f.id != fact.id and not pack.relation(f.relation).lifetime
             and (d := f.when) is not None]
    kin = kin_of(person, pack, truth)
    if relation.lifetime == "start":
        earliest = [shift(b, GROWN_UP_YEARS) for b in kin.parents_born] + ([shift(died, -OLDEST_AGE_YEARS)]
                                                                           if died else [])
        latest = ([shift(d.start, -GROWN_UP_YEARS) for d in deeds] + [shift(b, -GROWN_UP_YEARS) for b in
                  kin.children_born] + [shift(b, OLDEST_PARENT_YEARS) for b in kin.parents_born]
                  + [shift(d, 1) for d in kin.parents_died])
        return LifeBounds(earliest=max(earliest, default=None), latest=min(latest, default=None))
    if relation.lifetime == "end":
        earliest = [d.end for d in deeds] + [shift(b, -1) for b in kin.children_born] + (
            [shift(born, GROWN_UP_YEARS)] if born else [])
        return LifeBounds(earliest=max(earliest, default=None), latest=born and shift(born, OLDEST_AGE_YEARS))
    return LifeBounds(earliest=born and shift(born, GROWN_UP_YEARS), latest=died)


def kin_of(person: str, pack: Pack, truth: Truth) -> Kin:
    """The lives of those a relation with `older` puts a generation before this person (parents) and after
    (children)."""
    kin = Kin([], [], [])
    for f in truth.facts_about(person):
        relation = pack.relation(f.relation)
        if relation.older is None:
            continue
        for slot in ("subject", "object"):
            other_one = f.value(other(slot))
            if f.value(slot) != person or not pack.has_entity(other_one):
                continue
            their_birth, their_death = truth.lifetime(other_one)
            if relation.older == slot:  # this person is the older one: the other is a child
                kin.children_born.extend([their_birth] if their_birth else [])
            else:
                kin.parents_born.extend([their_birth] if their_birth else [])
                kin.parents_died.extend([their_death] if their_death else [])
    return kin


def shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


SPAN_RATIO = 4


def similar_span(candidate: DateValue, answer: DateValue) -> bool:
    """A period offered for a period lasts about as long: not two and a half years for a ten-day attack."""
    if not (candidate.is_range and answer.is_range):
        return True
    spans = sorted(((candidate.end - candidate.start).days + 1, (answer.end - answer.start).days + 1))
    return spans[1] <= SPAN_RATIO * spans[0]


def inside_period(value: DateValue, pack: Pack) -> bool:
    return pack.period_start <= value.start and value.end <= pack.period_end


MIN_MONTHS_APART = 2  # "late July 2011" against "August 2011": the operation ran into August


def _far_enough(a: DateValue, b: DateValue) -> bool:
    if a.precision == "month":
        months = abs((a.start.year - b.start.year) * 12 + a.start.month - b.start.month)
        return months >= MIN_MONTHS_APART
    return a.precision != "day" or min(abs((a.start - b.end).days), abs((b.start - a.end).days)) >= MIN_DAYS_APART


def _overlaps(a: DateValue, b: DateValue) -> bool:
    return a.start <= b.end and b.start <= a.end


# ---- numbers --------------------------------------------------------------------------------
