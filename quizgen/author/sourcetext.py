"""A source text as a reader takes it in: plain text from a .txt, Markdown or HTML file, its sentences, and the
dates and figures each sentence states. Headings are no sentences: a Markdown `#` line (HTML's h1–h6 become one),
or a line standing alone between blank lines that ends without a sentence's closing mark ("Early Life").

Sentences are split by pysbd (rule-based, the "Golden Rules" of sentence boundaries: abbreviations such as
"Brig. Gen.", "U.S." or "c. 1900", decimals, initials); lines and table cells (`|`) are split first, so an
infobox row is never glued to the prose after it. Dates are found by hand-written rules over the English forms
quizgen itself writes ("10 April 2014", "April 10, 2014", "April 2014", "10–11 April", "mid-2013"), keeping their
precision; see the README's dependency list for why not dateparser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..files import read_regular_file
from ..values import MONTHS

MAX_SOURCE_BYTES = 5 * 1024 * 1024
# Table furniture of a Wikipedia infobox: headings that say what the rows below are, not statements of their own.
INFOBOX_HEADINGS = {"Belligerents", "Commanders and leaders", "Casualties and losses", "Strength", "Units involved",
                    "Result", "Territorial changes", "Location", "Date"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}


@dataclass(frozen=True)
class Sentence:
    text: str  # spaces normalised, as quotations are compared
    line: int  # the line of the plain text it starts on


@dataclass(frozen=True)
class Mention:
    """A date or figure as the sentence writes it, with the value a fact would record."""

    text: str    # as written: "10 April 2014", "1,230"
    value: str   # a pack date (2014-04-10, 2014-04, 2014, start/end) or a figure's digits (1230)
    start: int
    end: int


def read_source(path: Path) -> str:
    """The plain text of a source file: HTML and Markdown lose their markup, keeping one line per block."""
    path = Path(path)
    text = read_regular_file(path, limit=MAX_SOURCE_BYTES, what="source text").decode("utf-8-sig", errors="replace")
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return html_text(text)
    if suffix in MARKDOWN_SUFFIXES:
        return markdown_text(text)
    return text


class _TextOfHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "section",
              "article", "header", "footer", "blockquote", "caption", "dt", "dd", "figcaption", "title"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}  # written as Markdown headings, which sentences_of leaves out
    CELLS = {"td", "th"}
    SKIPPED = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.HEADINGS:
            self.parts.append("\n# ")
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in self.CELLS:
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data.replace("\n", " "))


def html_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    # blocks follow one another line by line: only a heading's `#` marks one, never a blank line around a list item
    return "\n".join(line for line in (" ".join(line.split()) for line in "".join(parser.parts).splitlines()) if line)


MARKDOWN_RULES = (
    (re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL), ""),      # code blocks are not prose
    (re.compile(r"^(?=\S)(.+)\n[=-]{2,}[ \t]*$", re.MULTILINE), r"# \1\n"),  # an underlined heading: a `#` one
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),                  # images keep their alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),                   # links keep their text
    (re.compile(r"^[ \t]{0,3}(?:>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)", re.MULTILINE), ""),  # quote, list marks; not #
    (re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),      # emphasis and code spans
)


def markdown_text(markdown: str) -> str:
    for pattern, replacement in MARKDOWN_RULES:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def sentences_of(text: str) -> list[Sentence]:
    """The text's sentences: each line but the headings split at its table-cell bars, each cell split into sentences
    by pysbd."""
    found: list[Sentence] = []
    lines = text.splitlines()
    headings = heading_lines(lines)
    for number, line in enumerate(lines, start=1):
        if number in headings:
            continue
        for cell in line.split("|"):
            cell = " ".join(cell.split())
            if not re.search(r"\w", cell) or cell in INFOBOX_HEADINGS:
                continue
            found.extend(Sentence(piece, number) for piece in split_sentences(cell))
    return found


MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
CLOSING_MARKS = (".", "!", "?", "…", ":", ";", '"', "”", "’", "'")


def heading_lines(lines: list[str]) -> set[int]:
    """The numbers (from 1) of the lines that are headings, not sentences: a Markdown `#` line, or a line between
    blank lines (or the text's edge) that is no table row and ends without a sentence's closing mark."""
    found = set()
    for index, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        alone = ((index == 0 or not lines[index - 1].strip())
                 and (index + 1 == len(lines) or not lines[index + 1].strip()))
        if MARKDOWN_HEADING.match(line) or alone and "|" not in text and not text.endswith(CLOSING_MARKS):
            found.add(index + 1)
    return found


def split_sentences(paragraph: str) -> list[str]:
    return [s for s in (" ".join(piece.split()) for piece in _segmenter().segment(paragraph)) if s]


_SEGMENTER = None


def _segmenter():
    global _SEGMENTER  # building pysbd's rules takes a while; one segmenter serves every call
    if _SEGMENTER is None:
        import pysbd

        _SEGMENTER = pysbd.Segmenter(language="en", clean=False)
    return _SEGMENTER


MONTH = "(" + "|".join(MONTHS) + ")"
DASH = r"\s*[–—-]\s*"
DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
YEAR = r"(1\d{3}|20\d{2})"
DATE_FORMS = (  # most precise first; each names the groups (day, day2, month, year) it holds
    (re.compile(rf"\b{DAY}{DASH}{DAY} {MONTH},? {YEAR}\b"), ("day", "day2", "month", "year")),
    (re.compile(rf"\b{DAY} {MONTH},? {YEAR}\b"), ("day", "month", "year")),
    (re.compile(rf"\b{MONTH} {DAY},? {YEAR}\b"), ("month", "day", "year")),
    (re.compile(rf"\b{DAY}{DASH}{DAY} {MONTH}\b"), ("day", "day2", "month")),
    (re.compile(rf"\b{DAY} {MONTH}\b"), ("day", "month")),
    (re.compile(rf"\b{MONTH} {DAY}\b(?!,? \d)"), ("month", "day")),
    (re.compile(rf"\b{MONTH},? {YEAR}\b"), ("month", "year")),
    (re.compile(rf"(?<![\d,.])(?:(?:early|mid|late)-)?{YEAR}(?!\d|[.,]\d)"), ("year",)),
)


def dates_in(sentence: str, year: int | None = None) -> list[Mention]:
    """The dates a sentence writes, as pack dates; a day or month without a year takes `year` (the last year the
    text named before it), or has no value ("") when there is none."""
    taken: list[tuple[int, int]] = []
    found = []
    for pattern, groups in DATE_FORMS:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            parts = dict(zip(groups, match.groups()))
            value = _pack_date(parts, year)
            if value is None:
                continue
            taken.append(match.span())
            found.append(Mention(match.group(0), value, match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _pack_date(parts: dict[str, str], year: int | None) -> str | None:
    the_year = int(parts["year"]) if "year" in parts else year
    if the_year is None:
        return ""
    if "month" not in parts:
        return f"{the_year:04d}"
    month = MONTHS.index(parts["month"]) + 1
    if "day" not in parts:
        return f"{the_year:04d}-{month:02d}"
    days = [int(parts["day"])] + ([int(parts["day2"])] if "day2" in parts else [])
    if not all(1 <= d <= 31 for d in days):
        return None
    points = [f"{the_year:04d}-{month:02d}-{d:02d}" for d in days]
    return "/".join(points)


FIGURE = re.compile(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\w]|[.,]\d)")
APPROXIMATE = re.compile(r"\b(?:about|around|some|approximately|roughly|nearly|almost|over|more than|at least|"
                         r"up to|an estimated|c\.)\s*$", re.IGNORECASE)


def figures_in(sentence: str, dates: list[Mention]) -> list[Mention]:
    """The figures a sentence writes outside its dates: "1,230" → 1230."""
    return [Mention(m.group(0), m.group(0).replace(",", ""), m.start(), m.end())
            for m in FIGURE.finditer(sentence)
            if not any(d.start <= m.start() < d.end for d in dates)]


def is_approximate(sentence: str, figure: Mention) -> bool:
    """The figure follows a word of estimate: "about 70,000", "more than 400"."""
    return APPROXIMATE.search(sentence[: figure.start]) is not None


BOUND_BEFORE = {"more-than": r"more than|over", "less-than": r"less than|fewer than|under", "at-least": r"at least",
                "at-most": r"at most|up to|no more than"}


def bound_of(sentence: str, figure: Mention) -> str | None:
    """The bound a word before the figure sets: "more than $320 million" → more-than; None for none."""
    before = sentence[: figure.start]
    return next((bound for bound, words in BOUND_BEFORE.items()
                 if re.search(rf"\b(?:{words})\s*[$£€]?\s*$", before, re.IGNORECASE)), None)


SCALE_WORD = re.compile(r"\s+(thousand|million|billion)\b")


def unit_after(sentence: str, figure: Mention) -> str:
    """The word after a figure, most often its unit: "330 metres" → metres; a scale word stays with it, since a
    quotation must state the figure as written: "2 million people" → million people. The author checks it
    ("10 rebel fighters" gives "rebel")."""
    scale = SCALE_WORD.match(sentence, figure.end)
    match = re.match(r"\s*(%|per ?cent|[A-Za-z][A-Za-z-]*)", sentence[scale.end() if scale else figure.end:])
    unit = match.group(1) if match else ""
    return f"{scale.group(1)} {unit}".strip() if scale else unit


def last_year(mentions: list[Mention], year: int | None) -> int | None:
    """The year a reader carries on to the next sentence: the last one written, else the one carried in."""
    written = [m for m in mentions if m.value and m.value[:4] in m.text]  # a carried year is not written again
    return int(written[-1].value[:4]) if written else year


CONNECTORS = {"of", "the", "de", "du", "der", "von", "van", "la", "le", "al", "bin", "ibn"}
# Words that open a sentence with a capital without being a name of their own.
SENTENCE_OPENERS = {"The", "A", "An", "At", "In", "On", "By", "During", "After", "Before", "His", "Her", "Its",
                    "Their", "It", "This", "That", "These", "Those", "Every", "Each", "Some", "When", "While", "From",
                    "As", "For", "With", "Since", "Until", "But", "And", "Then", "There", "He", "She", "They", "We",
                    "According", "Although", "Other", "Most", "Many", "Both", "All", "Several", "Later", "Earlier"}
TOKEN = re.compile(r"[^\W\d_][\w'’.-]*")
POSSESSIVE = re.compile(r"['’]s$")


def names_in(sentence: str) -> list[Mention]:
    """Runs of capitalised words a reader takes for names ("River Thames", "Abu Bakr al-Baghdadi", "Tower of
    London"), with lower-case connectors inside a run and only a space between its words; a sentence's opening
    word ("The", "During"), month names and a lone letter are not names. `value` is the name as written."""
    found: list[Mention] = []
    run: list[tuple[int, int]] = []  # (start, end) of the run's words

    def close() -> None:
        while run and sentence[run[-1][0]:run[-1][1]].lower() in CONNECTORS:
            run.pop()
        if run:
            text = sentence[run[0][0]:run[-1][1]]
            if len(text) > 1:
                found.append(Mention(text, text, run[0][0], run[-1][1]))
        run.clear()

    tokens = [(m.start(), m.start() + len(POSSESSIVE.sub("", m.group(0)).rstrip(".'’")))
              for m in TOKEN.finditer(sentence)]
    for index, (start, end) in enumerate(tokens):
        word = sentence[start:end]
        gap = sentence[run[-1][1]:start] if run else " "
        abbreviated = gap == ". " and run[-1][1] - run[-1][0] <= 4  # "Brig. Gen. Ali", "St. Louis"
        if gap != " " and not abbreviated:
            close()
        capital = word[:1].isupper() or (word[:3].lower() in ("al-", "el-") and word[3:4].isupper())
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if word in MONTHS or (index == 0 and word in SENTENCE_OPENERS):
            close()
        elif capital:
            run.append((start, end))
        elif run and word in CONNECTORS and following and sentence[following[0]:following[0] + 1].isupper():
            run.append((start, end))
        else:
            close()
    close()
    return found
