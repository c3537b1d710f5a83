"""What a study card asks, the same on every medium (printed card, Anki, Quizlet, the self-test page,
the drill): the front text, the items to order or match, and how to type an answer."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Question, option_letter

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
        lefts = tuple(p.left for p in question.pairs)
        # a front that lists both columns on one line (an export's) gives way to the instruction: the card lists them
        listed = question.front and all(left in question.front for left in lefts)
        return CardFront(question.prompt if listed else text, items=lefts, choices=question.choices)
    if question.type == "multiple-response":
        return CardFront(text, choices=tuple(o.text for o in question.options))
    return CardFront(text)


def true_or_false(claim: str) -> str:
    """'True or false? <claim>', unless the text asks that already."""
    if claim.lower().startswith("true or false"):
        return claim
    return f"{TRUE_OR_FALSE} {claim}"


def orderings(count: int) -> list[list[str]]:
    """Example answers to an ordering of `count` items: rotated, then reversed."""
    numbers = [str(n) for n in range(1, count + 1)]
    return [numbers[1:] + numbers[:1], numbers[::-1], numbers]


def letterings(pairs: int, choices: int) -> list[list[str]]:
    """Example answers to a matching: neighbours swapped, then the choices in reverse, then in order."""
    letters = [option_letter(i) for i in range(choices)]
    swapped = [letters[i ^ 1] if (i ^ 1) < choices else letters[i] for i in range(pairs)]
    return [swapped, letters[::-1][:pairs], letters[:pairs]]


def not_the_answer(examples: list[list[str]], answer: list[str]) -> list[str]:
    """The first example that is not the right answer, so a hint never gives the answer away."""
    return next((e for e in examples if e != answer), examples[0])


def answer_hint(question: Question) -> str:
    """How to type an answer to `question`, with an example where the form is not obvious."""
    if question.type == "ordering":
        example = " ".join(not_the_answer(orderings(len(question.items)), question.key_text().split()))
        return f"for each item as listed, type its place in time (1 = earliest), e.g. {example}"
    if question.type == "matching":
        right = question.key_text().replace("-", " ").split()[1::2]
        letters = not_the_answer(letterings(len(question.pairs), len(question.choices)), right)
        return (f"type the letter for each numbered item, in order, e.g. {' '.join(letters)} "
                f"or {' '.join(f'{n}-{x}' for n, x in enumerate(letters, 1))}")
    if question.type == "multiple-response":
        return "type every right letter, e.g. A C"
    if question.type == "true-false":
        return "type T or F (or the letter)"
    if question.type == "multiple-choice":
        return "type a letter"
    if question.type == "numeric" and question.numeric:
        return f"type a number, in {question.numeric.unit}" if question.numeric.unit else "type a number"
    return ""
