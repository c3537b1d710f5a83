"""The values a fact's slot can hold besides an entity: dates with their precision and numbers with their bounds,
each with its human form."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import date
from typing import Literal

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class DateValue:
    """A day, month or year, or a range of them, as written in the pack (`2014-04-10/2014-06-10`)."""

    text: str
    start: date
    end: date
    precision: Literal["day", "month", "year"]
    is_range: bool

    @property
    def is_exact_day(self) -> bool:
        return self.precision == "day" and not self.is_range

    @functools.lru_cache(maxsize=4096)  # a pool asks each date's words thousands of times
    def human(self) -> str:
        """'10 April 2014', 'June 2014', '2013', or '30 April – 10 June 2014'."""
        if not self.is_range:
            return _human_point(self.start, self.precision)
        start_text, end_text = self.text.split("/")
        start_precision = _precision_of(start_text)
        end_precision = _precision_of(end_text)
        left = _human_point(self.start, start_precision)
        right = _human_point(date.fromisoformat(_first_day(end_text)), end_precision)
        if start_precision == "day" and end_precision == "day" and self.start.year == self.end.year:
            left = left.rsplit(" ", 1)[0]
            if self.start.month == self.end.month:
                left = left.split(" ", 1)[0]
                return f"{left}–{right}"
        elif start_precision == end_precision == "month" and self.start.year == self.end.year:
            left = left.rsplit(" ", 1)[0]
        return f"{left} – {right}"

    def when(self) -> str:
        """The date as running text says it: 'on 10 April 2014', 'in June 2014', 'between April and July 2014'."""
        if not self.is_range:
            return ("on " if self.precision == "day" else "in ") + self.human()
        left, right = (part.strip() for part in self.human().replace("–", " – ", 1).split(" – ", 1))
        return f"between {left} and {right}"

    @functools.lru_cache(maxsize=4096)
    def written_forms(self) -> tuple[str, ...]:
        """Ways a source may write this date: '10 April 2014', '10 April', 'April 10', 'April 2014', '2014'…"""
        forms = {self.text, self.human()}
        for day in (self.start, self.end):
            month = MONTHS[day.month - 1]
            # a form names the date at its own precision: "2014" does not state 10 April 2014
            if self.precision == "day":
                forms |= {f"{day.day} {month}", f"{month} {day.day}", f"{day.day} {month} {day.year}",
                          f"{month} {day.day}, {day.year}", day.isoformat()}
            elif self.precision == "month":
                forms |= {f"{month} {day.year}", f"{month}"}
            else:
                forms.add(str(day.year))
        return tuple(sorted(forms))


def _precision_of(text: str) -> Literal["day", "month", "year"]:
    return {1: "year", 2: "month", 3: "day"}[len(text.split("-"))]  # type: ignore[return-value]


def _first_day(text: str) -> str:
    parts = text.split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts)


def _human_point(day: date, precision: str) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Number:
    value: float
    unit: str
    max: float | None = None
    approximate: bool = False
    tolerance: float | None = None  # None: not given, so a measured figure is taken within 2.5 % (questions.py)
    bound: str | None = None  # a figure the source gives as a limit: more-than, less-than, at-least, at-most

    @property
    def low(self) -> float:
        return self.value - (self.tolerance or 0)

    @property
    def high(self) -> float:
        return (self.max if self.max is not None else self.value) + (self.tolerance or 0)

    def accepts(self, guess: float) -> bool:
        """Whether the figure may be `guess`: inside its range and tolerance, or on the open side of its bound
        ("more than 320" may be 400; only 320 and below are ruled out)."""
        if self.bound:
            return BOUND_TESTS[self.bound](guess, self.value)
        return self.low <= guess <= self.high

    def figure(self) -> str:
        """The figure alone, as written in running text: '414', '70,000', '30–40'."""
        shown = format_number(self.value)
        return f"{shown}–{format_number(self.max)}" if self.max is not None else shown

    def unit_words(self) -> str:
        """The unit as running text writes it: 'people', 'km', 'per cent'."""
        return "per cent" if self.unit == "percent" else self.unit

    def human(self) -> str:
        """The figure with its unit in words: 'about 70,000 people', '45 per cent'."""
        unit = f" {self.unit_words()}" if self.unit else ""
        prefix = f"{BOUND_WORDS[self.bound]} " if self.bound else "about " if self.approximate else ""
        return f"{prefix}{self.figure()}{unit}"

    def written_forms(self) -> tuple[str, ...]:
        """Ways a source may write the figure: '70,000', '70000', '70 000', and small numbers in words."""
        values = [self.value] + ([self.max] if self.max is not None else [])
        forms = set()
        for value in values:
            forms |= {format_number(value), format_number(value).replace(",", ""), format_number(value).replace(",", " ")}
            if float(value).is_integer() and 0 <= value < len(NUMBER_WORDS):
                forms |= {NUMBER_WORDS[int(value)], NUMBER_WORDS[int(value)].capitalize()}
        return tuple(sorted(forms))

BOUND_WORDS = {"more-than": "more than", "less-than": "less than", "at-least": "at least", "at-most": "at most"}
BOUND_TESTS = {"more-than": operator.gt, "less-than": operator.lt, "at-least": operator.ge,
               "at-most": operator.le}  # what the figure may be, against the bound

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")


def format_number(value: float, *, grouped: bool = True, places: int | None = None) -> str:
    """A number with no trailing '.0': `grouped` puts in thousands separators ('1,230'); `places` rounds a
    fraction to at most that many decimals, trailing zeros dropped ('0.25'), else it is written in full."""
    if float(value).is_integer():
        return f"{int(value):,}" if grouped else str(int(value))
    if places is None:
        return f"{value:,}" if grouped else f"{value}"
    return f"{value:{',' if grouped else ''}.{places}f}".rstrip("0").rstrip(".")
