"""What a study card asks, the same on every medium (printed card, Anki, Quizlet, the self-test page,
the drill): the front text, the items to order or match, and how to type an answer."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Question, option_letter

TRUE_OR_FALSE = "True or false?"


@dataclass(frozen=True)
class CardFront:
    """A card's question side: `items` are numbered (what to order, or the left column to match),
    `choices` lettered (the right column of a matching, or the options to pick from)."""

    text: str
    items: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()

    def lines(self) -> tuple[str, ...]:
        """The front as lines: the text, '1. item' for each item, 'A. choice' for each choice."""
        return (self.text, *numbered(self.items), *lettered(self.choices))

    def one_line(self) -> str:
        """The front on one line, for formats with one line a card: 'text 1. a; 2. b — A. x; B. y'."""
        line = self.text
        if self.items:
            line += " " + "; ".join(numbered(self.items))
        if self.choices:
            line += (" — " if self.items else " ") + "; ".join(lettered(self.choices))
        return line


def numbered(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{n}. {item}" for n, item in enumerate(items, 1))


def lettered(choices: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{option_letter(i)}. {choice}" for i, choice in enumerate(choices))


def card_front(question: Question) -> CardFront:
    """The front of a study card: the short front (or prompt), with what an answer is made from."""
    text = question.front or question.prompt
    if question.type == "true-false":
        return CardFront(true_or_false(text))
    if question.type == "ordering":
        return CardFront(text, items=question.items)
    if question.type == "matching":
        return CardFront(text, items=tuple(p.left for p in question.pairs), choices=question.choices)
    if question.type == "multiple-response":
        return CardFront(text, choices=tuple(o.text for o in question.options))
    return CardFront(text)


def true_or_false(claim: str) -> str:
    """'True or false? <claim>', unless the text asks that already."""
    if claim.lower().startswith("true or false"):
        return claim
    return f"{TRUE_OR_FALSE} {claim}"


def answer_hint(question: Question) -> str:
    """How to type an answer to `question`, with an example where the form is not obvious."""
    if question.type == "ordering":
        count = len(question.items)
        example = " ".join(str(n) for n in (*range(2, count + 1), 1))
        return f"type the numbers in order, first to last, e.g. {example}"
    if question.type == "matching":
        letters = [option_letter(i) for i in range(len(question.choices))]
        example = [letters[i ^ 1] if (i ^ 1) < len(letters) else letters[i] for i in range(len(question.pairs))]
        return (f"type the letter for each numbered item, in order, e.g. {' '.join(example)} "
                f"or {' '.join(f'{n}-{x}' for n, x in enumerate(example, 1))}")
    if question.type == "multiple-response":
        return "type every right letter, e.g. A C"
    if question.type == "true-false":
        return "type T or F (or the letter)"
    if question.type == "multiple-choice":
        return "type a letter"
    if question.type == "numeric" and question.numeric:
        return f"type a number, in {question.numeric.unit}" if question.numeric.unit else "type a number"
    return ""
