"""How the engine names what it compares: one key per value whatever its type, the slot across from a slot, and
when one dated statement holds at another's date."""

from __future__ import annotations

from ..model import DateValue, Fact, Number, Pack, Value
from ..text import normalise


def value_key(value: Value, slot_type: str = "") -> str:
    """One key per value: an entity id, normalised text, a date's span, a number's figure."""
    if isinstance(value, DateValue):
        return f"date:{value.start.isoformat()}/{value.end.isoformat()}"
    if isinstance(value, Number):
        return f"number:{value.value}:{value.max}"
    return f"text:{normalise(value)}" if slot_type == "text" else value


def fact_key(fact: Fact, slot: str, pack: Pack) -> str:
    return value_key(fact.value(slot), pack.relation(fact.relation).slot_type(slot))


def other(slot: str) -> str:
    return "object" if slot == "subject" else "subject"


def overlaps(a: DateValue, b: DateValue) -> bool:
    return a.start <= b.end and b.start <= a.end


def holds_throughout(a: DateValue, b: DateValue) -> bool:
    """Whether a statement dated `a` is known to hold at `b`: an event inside `b`, or a state lasting over `b`."""
    return (b.start <= a.start and a.end <= b.end) or (a.start <= b.start and b.end <= a.end)
