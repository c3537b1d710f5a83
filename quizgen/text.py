"""Text normalisation shared by answer checking and the generator's distinctness checks, and the escaping of
characters that must not reach a terminal or an output file raw."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TextIO

# C0 and C1 controls other than tab, line feed and carriage return, and lone surrogates ("\ud800"): they
# would move a terminal's cursor or colour it, end a C string, or crash a UTF-8 encoder
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc'`´]")
_NOT_WORD = re.compile(r"[^\w]+")
_LEADING_ARTICLES = {"the", "al", "el", "a", "an"}


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Case, accents, apostrophes, punctuation and spacing folded away: 'Al-Qa’im ' → 'qaim'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NOT_WORD.sub(" ", _APOSTROPHES.sub("", stripped)).split()
    return " ".join(w for i, w in enumerate(words) if not (w in _LEADING_ARTICLES and len(words) > 1 and i == 0
                                                           or w == "al" and len(words) > 1))


@lru_cache(maxsize=65536)
def contains_phrase(haystack: str, needle: str) -> bool:
    """True when the normalised needle appears in the normalised haystack as whole words."""
    if needle.isupper() and len(needle) <= 4:
        # Acronyms such as IS or IF would match ordinary words once case is folded.
        return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None
    small = normalise(needle)
    if not small:
        return False
    return f" {small} " in f" {normalise(haystack)} "


def counted(number: int, noun: str, plural: str = "") -> str:
    """'1 source', '54 sources', '0 entities' (with `plural` for a noun that does not just take an s)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def escape_unsafe(text: str) -> str:
    """`text` with every control character and lone surrogate written as a visible escape: ESC → \\x1b."""
    return UNSAFE_CHARACTERS.sub(lambda m: m[0].encode("unicode-escape").decode("ascii"), text)


class EscapingWriter:
    """A text stream that escapes control characters before they reach the one it wraps (a terminal)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(escape_unsafe(text))

    def flush(self) -> None:
        self.stream.flush()


# Words that carry no meaning of their own in a name ("Army of the Mujahedeen"): a title may share them freely.
FUNCTION_WORDS = frozenset({"a", "an", "and", "at", "de", "del", "for", "in", "of", "on", "the", "to"})


def name_in_title(name: str, title: str) -> bool:
    """Whether a title names this name: whole, or by most of its distinctive words ("Deir ez-Zor offensive" names
    "Deir ez-Zor Governorate"); a one-word name only whole."""
    if contains_phrase(title, name):
        return True
    words = [w for w in normalise(name).split() if w not in FUNCTION_WORDS]
    if len(words) < 2:
        return False
    title_words = set(normalise(title).split())
    return 2 * sum(w in title_words for w in words) > len(words)


HINT_WORD_LENGTH = 4  # shorter words ("Inn", "Ulm") begin too many others to count as a hint


def distinctive_words(name: str) -> set[str]:
    return {w for w in normalise(name).split() if w not in FUNCTION_WORDS and len(w) >= HINT_WORD_LENGTH}


def shared_name_words(a: str, b: str) -> set[str]:
    """The distinctive words two names share ("Irène Joliot-Curie", "Pierre Joliot": {"joliot"})."""
    return distinctive_words(a) & distinctive_words(b)


def name_gives_away(given: str, answer: str) -> bool:
    """Whether a name printed in a question points at the answer by its sound alone: one holds the other whole
    ("Rhine Falls", "Rhine"), a word of one begins a word of the other ("Main", "Mainz"), or they share two
    distinctive words (a married couple's "Joliot-Curie")."""
    if contains_phrase(given, answer) or contains_phrase(answer, given):
        return True
    ours, theirs = distinctive_words(given), distinctive_words(answer)
    if len(ours & theirs) >= 2:
        return True
    return any(a != b and (a.startswith(b) or b.startswith(a)) for a in ours for b in theirs)


def cut_at_word(text: str, limit: int, *, trailing: str = " ,;:.–—-", keep_word_ending_at_cut: bool = True) -> str:
    """`text` in at most `limit` characters: cut at the last space that fits, `trailing` punctuation dropped,
    with '…'; never mid-word unless the first word alone is too long. Without `keep_word_ending_at_cut`,
    a word that ends exactly at the cut goes too."""
    if len(text) <= limit:
        return text
    kept = text[:limit - 1]  # one character is left for the ellipsis
    cut_inside_a_word = not text[limit - 1].isspace()
    if (cut_inside_a_word or not keep_word_ending_at_cut) and " " in kept:
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(trailing) + "…"
