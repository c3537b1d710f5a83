"""Text normalisation shared by answer checking and the generator's distinctness checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
