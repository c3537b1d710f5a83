"""Wrong options drawn from the pack itself: same category, nearby dates, numbers of the same unit and size."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..model import DateValue, Entity, Fact, Number, Pack, format_number
from ..text import contains_phrase, normalise

ENTITY_FIELDS = ("subject", "object", "place")


@dataclass(frozen=True)
class AnswerValue:
    """The right answer of a question, whatever its kind, with the texts that count as it."""

    field: str
    text: str
    names: tuple[str, ...]
    entity: Entity | None = None
    date: DateValue | None = None
    number: Number | None = None


def answer_of(fact: Fact, field: str, pack: Pack) -> AnswerValue | None:
    """The value of `field` in `fact` ('fact' means the field the fact's own `answer` names)."""
    if field == "fact":
        return answer_of(fact, fact.answer, pack) if fact.answer else None
    if field in ENTITY_FIELDS:
        entity_id = getattr(fact, field)
        if not entity_id:
            return None
        entity = pack.entity(entity_id)
        return AnswerValue(field, entity.name, entity.names, entity=entity)
    if field == "date" and fact.date:
        return AnswerValue(field, fact.date.human(), (fact.date.human(), fact.date.text), date=fact.date)
    if field == "number" and fact.number:
        return AnswerValue(field, number_option(fact.number), (number_option(fact.number),), number=fact.number)
    return None


def number_option(number: Number) -> str:
    shown = format_number(number.value)
    if number.max is not None:
        shown = f"{shown}–{format_number(number.max)}"
    return f"{shown}%" if number.unit == "percent" else f"{shown} {number.unit}"


def distractors_for(fact: Fact, answer: AnswerValue, pack: Pack, rng: random.Random, count: int,
                    minimum: int | None = None, prompt: str = "") -> list[str] | None:
    """Up to `count` wrong options for this fact's question (at least `minimum`), or None when the pack
    cannot supply enough sound ones."""
    if answer.entity:
        found = entity_distractors(fact, answer, pack, rng, count, prompt)
    elif answer.date:
        found = date_distractors(fact, answer.date, pack, rng, count)
    else:
        found = number_distractors(fact, answer.number, pack, rng, count)
    return found if len(found) >= (count if minimum is None else minimum) else None


def entity_distractors(fact: Fact, answer: AnswerValue, pack: Pack, rng: random.Random, count: int,
                       prompt: str = "") -> list[str]:
    target = answer.entity
    taken = {normalise(n) for n in target.names}
    true_elsewhere = entities_made_true(fact, answer.field, pack) | entities_linked_to_named(prompt, target, pack)
    ranked = []
    for candidate in pack.entities:
        if candidate.id == target.id or candidate.category != target.category or candidate.id in true_elsewhere:
            continue
        if target.type and candidate.type != target.type:
            continue  # a town is not a plausible wrong answer for an oil field
        if any(normalise(n) in taken for n in candidate.names):
            continue
        if prompt and any(contains_phrase(prompt, n) for n in candidate.names):
            continue  # an option the question itself names is no real option
        score = 2 * (candidate.side == target.side and target.side is not None)
        score += 1 * bool(candidate.role or candidate.affiliation)
        ranked.append((-score, rng.random(), candidate))
    ranked.sort(key=lambda item: (item[0], item[1]))
    chosen: list[str] = []
    for _, _, candidate in ranked:
        key = normalise(candidate.name)
        if key in taken:
            continue
        taken.update(normalise(n) for n in candidate.names)
        chosen.append(candidate.name)
        if len(chosen) == count:
            break
    return chosen


def entities_made_true(fact: Fact, field: str, pack: Pack) -> set[str]:
    """Entities that another fact links to the question's other fields: naming them would also be right."""
    others = [f for f in ENTITY_FIELDS if f != field and getattr(fact, f)]
    true: set[str] = set()
    for other in pack.facts:
        value = getattr(other, field) if field in ENTITY_FIELDS else None
        if not value or other.id == fact.id:
            continue
        shares_context = any(getattr(other, f) == getattr(fact, f) for f in others)
        same_event = bool(fact.label and other.label and normalise(fact.label) == normalise(other.label))
        if shares_context or same_event:
            true.add(value)
    # For people, the same group and role reached through an entity's own affiliation counts too.
    if field == "subject" and fact.object:
        true.update(e.id for e in pack.entities if e.affiliation == fact.object and e.category == "person"
                    and fact.role and e.role and normalise(e.role) == normalise(fact.role))
    return true


def entities_linked_to_named(prompt: str, target: Entity, pack: Pack) -> set[str]:
    """Entities that some fact links to an entity the question names: offering them invites a fair dispute."""
    if not prompt:
        return set()
    named = {e.id for e in pack.entities if e.id != target.id and any(contains_phrase(prompt, n) for n in e.names)}
    linked: set[str] = set()
    for other in pack.facts:
        ids = {getattr(other, f) for f in ENTITY_FIELDS} - {None}
        if ids & named:
            linked |= ids - named
    members = named | {e.id for e in pack.entities if e.affiliation in named}
    # members of the named group, and members of its member groups (a brigade's leader within a coalition)
    linked |= {e.id for e in pack.entities if e.affiliation in members}
    return linked | (members - named)


def date_distractors(fact: Fact, answer: DateValue, pack: Pack, rng: random.Random, count: int) -> list[str]:
    shown = answer.human()
    taken = {shown}
    also_true = {f.date.human() for f in pack.facts if f.date and f.id != fact.id and fact.label and f.label
                 and normalise(f.label) == normalise(fact.label)}
    pool = {f.date.human(): f.date for f in pack.facts
            if f.date and not f.date.is_range and f.date.precision == answer.precision}
    near = sorted(((abs((d.start - answer.start).days), rng.random(), text) for text, d in pool.items()
                   if text not in taken | also_true and not _overlaps(d, answer) and _far_enough(d, answer)),
                  key=lambda t: (t[0], t[1]))
    chosen = [text for _, _, text in near[: count * 2]]
    rng.shuffle(chosen)
    chosen = chosen[:count]
    step = 0
    while len(chosen) < count and step < 24:
        step += 1
        shifted = _shift(answer, step if step % 2 else -step)
        text = shifted.human()
        if text not in taken | also_true and text not in chosen:
            chosen.append(text)
    return chosen


MIN_DAYS_APART = 3  # a day either side could be argued: fighting that began on the 10th went on on the 11th


def _far_enough(a: DateValue, b: DateValue) -> bool:
    return a.precision != "day" or abs((a.start - b.start).days) >= MIN_DAYS_APART


def _overlaps(a: DateValue, b: DateValue) -> bool:
    return a.start <= b.end and b.start <= a.end


def _shift(value: DateValue, amount: int) -> DateValue:
    if value.precision == "day":
        day = value.start + timedelta(days=7 * amount)
        return DateValue(day.isoformat(), day, day, "day", False)
    if value.precision == "month":
        month_index = value.start.year * 12 + value.start.month - 1 + amount
        first = date(month_index // 12, month_index % 12 + 1, 1)
        return DateValue(first.isoformat()[:7], first, first, "month", False)
    year = value.start.year + amount
    return DateValue(str(year), date(year, 1, 1), date(year, 12, 31), "year", False)


def number_distractors(fact: Fact, answer: Number, pack: Pack, rng: random.Random, count: int) -> list[str]:
    """Other facts' figures of the same unit and magnitude first, then round multiples of the answer."""
    taken = {number_option(answer)}
    same_measure = {f.number.value for f in pack.facts if f.number and f.id != fact.id
                    and normalise(f.number.measure) == normalise(answer.measure)}

    def acceptable(value: float) -> bool:
        return (value > 0 and not answer.accepts(value) and value not in same_measure
                and _magnitude_close(value, answer.value))

    from_pack = sorted({f.number.value for f in pack.facts if f.number and f.id != fact.id
                        and f.number.unit == answer.unit and acceptable(f.number.value)})
    rng.shuffle(from_pack)
    values = from_pack[:count]
    for factor in _factors(rng):
        if len(values) >= count:
            break
        value = _round_like(answer.value * factor, answer.value)
        if acceptable(value) and value not in values:
            values.append(value)
    chosen = []
    for value in values[:count]:
        option = number_option(Number(value=value, unit=answer.unit, measure=answer.measure))
        if option not in taken:
            taken.add(option)
            chosen.append(option)
    return chosen


def _factors(rng: random.Random) -> list[float]:
    factors = [0.5, 0.75, 1.5, 2.0, 0.6, 1.3, 2.5, 0.4, 3.0]
    rng.shuffle(factors)
    return factors


def _magnitude_close(value: float, answer: float) -> bool:
    return answer == 0 or 0.2 <= value / answer <= 5


def _round_like(value: float, reference: float) -> float:
    """Round to the precision of the reference figure (70,000 → thousands; 86 → units)."""
    if reference == 0:
        return round(value)
    digits = len(str(int(abs(reference)))) if abs(reference) >= 1 else 1
    trailing_zeros = len(str(int(abs(reference)))) - len(str(int(abs(reference))).rstrip("0")) if reference >= 1 else 0
    unit = 10 ** min(trailing_zeros, max(digits - 1, 0))
    rounded = round(value / unit) * unit
    return float(rounded) if not float(rounded).is_integer() else int(rounded)
