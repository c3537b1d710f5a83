"""Checking a learner's typed answer: aliases, small typos, numeric tolerance, letters for options."""

from __future__ import annotations

import re

from ..model import Question, option_letter
from .deck import answer_hint
from ..text import normalise


def typo_allowance(expected: str) -> int:
    """Edits forgiven in a typed answer: none up to 4 letters (acronyms), one up to 8, two beyond."""
    length = len(expected)
    return 0 if length <= 4 else 1 if length <= 8 else 2


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one edit)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def text_matches(response: str, accepted: tuple[str, ...]) -> bool:
    """True when the response is one of the accepted texts, give or take case, accents and small typos."""
    given = normalise(response)
    if not given:
        return False
    for text in accepted:
        wanted = normalise(text)
        if given == wanted:
            return True
        # a typo in a letter is forgiven; a different figure ("1911" for "1935") is another answer
        if digits(given) == digits(wanted) and edit_distance(given, wanted) <= typo_allowance(wanted):
            return True
    return False


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def parse_number(response: str) -> float | None:
    cleaned = response.strip().replace(",", "").replace("%", "").replace("\u2009", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def option_index(response: str, count: int, texts: tuple[str, ...]) -> int | None:
    """A letter (A), a number (1) or the option's own text picks an option."""
    given = response.strip()
    if len(given) == 1 and given.upper() in [option_letter(i) for i in range(count)]:
        return ord(given.upper()) - ord("A")
    if given.isdigit() and 1 <= int(given) <= count:
        return int(given) - 1
    for i, text in enumerate(texts):
        if normalise(text) == normalise(given):
            return i
    return None


def letters_in(response: str) -> list[str]:
    """'1-B 2-A', 'B A', 'BA' → ['B', 'A']; '3 1 2' → ['3', '1', '2']."""
    pairs = re.findall(r"\d+\s*[-:=]\s*([A-Za-z])", response)
    if pairs:
        return [p.upper() for p in pairs]
    tokens = re.findall(r"[A-Za-z]|\d+", response)
    return [t.upper() for t in tokens]


def chosen_letters(response: str, question: Question) -> set[str]:
    """'A, C', 'a c', 'AC' or '1 3' → {'A', 'C'}: the options a multiple-response answer ticks."""
    picked = set()
    for token in letters_in(response):
        if token.isdigit() and 1 <= int(token) <= len(question.options):
            picked.add(option_letter(int(token) - 1))
        else:
            picked.add(token)
    return picked


def is_correct(question: Question, response: str) -> bool:
    """Whether a typed response answers the question, for every question type."""
    if question.type in ("multiple-choice", "true-false"):
        texts = tuple(o.text for o in question.options)
        picked = option_index(response, len(texts), texts)
        if picked is None and question.type == "true-false" and response.strip()[:1].upper() in ("T", "F"):
            picked = texts.index("True" if response.strip()[:1].upper() == "T" else "False")
        return picked is not None and question.options[picked].correct
    if question.type == "multiple-response":
        return chosen_letters(response, question) == {option_letter(i) for i, o in enumerate(question.options)
                                                      if o.correct}
    if question.type in ("cloze", "short-answer"):
        return text_matches(response, (question.answer, *question.accepted))
    if question.type == "numeric":
        value = parse_number(response)
        return value is not None and question.numeric is not None and \
            question.numeric.low <= value <= question.numeric.high
    if question.type == "matching":
        return letters_in(response) == question.key_text().replace("-", " ").split()[1::2]
    if question.type == "ordering":
        return letters_in(response) == question.key_text().split()
    return False


def form_problem(question: Question, response: str) -> str:
    """'' when `response` has the form an answer to `question` takes (right or wrong); otherwise how to type
    one, so that a slip ('3214' for an ordering, 'x' for options A to D) is asked again, not marked wrong.
    An empty response is an answer (the learner does not know) and free text is always one."""
    given = response.strip()
    if not given or question.type in ("cloze", "short-answer"):
        return ""
    letters = [option_letter(i) for i in range(len(question.options))]
    if question.type == "multiple-choice":
        if option_index(given, len(letters), tuple(o.text for o in question.options)) is None:
            return f"type one letter, {letters[0]} to {letters[-1]}"
    elif question.type == "true-false":
        if option_index(given, len(letters), tuple(o.text for o in question.options)) is None and \
                given[:1].upper() not in ("T", "F"):
            return "type T or F"
    elif question.type == "multiple-response":
        tokens = letters_in(given)
        numbers = [str(n) for n in range(1, len(letters) + 1)]
        if not tokens or any(t not in letters and t not in numbers for t in tokens):
            return f"type every right letter, {letters[0]} to {letters[-1]}, e.g. A C"
    elif question.type == "matching":
        choices = [option_letter(i) for i in range(len(question.choices))]
        tokens = letters_in(given)
        if len(tokens) != len(question.pairs) or any(t not in choices for t in tokens):
            return answer_hint(question)
    elif question.type == "ordering":
        if sorted(letters_in(given), key=lambda t: (len(t), t)) != [str(n) for n in range(1, len(question.items) + 1)]:
            return f"{answer_hint(question)}, each number once, separated by spaces"
    elif question.type == "numeric" and parse_number(given) is None:
        return answer_hint(question) or "type a number"
    return ""
