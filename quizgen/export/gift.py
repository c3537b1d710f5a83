"""GIFT text for Moodle's GIFT importer and other GIFT readers.

Types map to GIFT as multiple choice `{=a ~b}`, true/false `{TRUE}`, short answer and cloze `{=a =b}`
(cloze as Moodle's missing-word form), numeric `{#value:tolerance}`, matching `{=a -> b}`, and ordering
as matching each item to its position. Text is written in `[plain]` format, so `<` and `&` show as
written; the GIFT specials `~ = # { } :` and backslash are escaped with a backslash.
"""

from __future__ import annotations

from pathlib import Path

from ..files import write_atomically
from ..model import BLANK, OPTION_TYPES, Pair, Question, QuestionSet
from ..text import counted, escape_unsafe
from . import common

SPECIAL_CHARACTERS = "~=#{}:"


def write(question_set: QuestionSet, path: Path) -> list[str]:
    data, warnings = file_bytes(question_set)
    write_atomically(path, data)
    return warnings


def file_bytes(question_set: QuestionSet, earlier: Path | None = None) -> tuple[bytes, list[str]]:
    text, warnings = gift_text(question_set)
    return text.encode("utf-8"), warnings


def gift_text(question_set: QuestionSet) -> tuple[str, list[str]]:
    """The whole GIFT file and the questions it had to leave out."""
    blocks = [f"// {escape_comment(question_set.pack_title)}: {counted(len(question_set.questions), 'question')} "
              f"(pack {question_set.pack_id}, seed {question_set.seed})"]
    warnings: list[str] = []
    category: tuple[str, ...] = ()
    for question in question_set.questions:
        problem = unsupported_reason(question)
        if problem:
            warnings.append(f"gift: left out {question.id} ({question.type}): {problem}")
            continue
        wanted = common.category_names(question_set, question)
        if wanted != category:
            blocks.append(f"$CATEGORY: {category_path(wanted)}")
            category = wanted
        blocks.append(question_block(question))
    return "\n\n".join(blocks) + "\n", warnings


def unsupported_reason(question: Question) -> str | None:
    if question.type == "matching":
        lefts = [p.left for p in question.pairs]
    elif question.type == "ordering":
        lefts = list(question.items)
    else:
        return None
    if any("->" in left for left in lefts):
        return "a matching item contains '->', which GIFT reads as the pair separator and cannot escape"
    return None


def question_block(question: Question) -> str:
    header = comment_line(question)
    title = f"::{escape(common.short_title(question.prompt))}::"
    feedback = f"####{escape(general_feedback(question))}"
    if question.type == "cloze":
        return cloze_block(question, header, title, feedback)
    if question.type == "true-false" and common.has_true_false_options(question):
        answer = "TRUE" if common.correct_option_texts(question)[0].lower() == "true" else "FALSE"
        return f"{header}\n{title}[plain]{escape(question.prompt)}{{{answer}{feedback}}}"
    prompt = question.prompt
    if question.type == "ordering":
        prompt = f"{prompt} {common.ORDERING_AS_MATCHING_NOTE}"
    body = "\n".join(f"\t{line}" for line in [*answer_lines(question), feedback])
    return f"{header}\n{title}[plain]{escape(prompt)}{{\n{body}\n}}"


def answer_lines(question: Question) -> list[str]:
    """The lines inside the braces, one answer (or pair) each."""
    if question.type in OPTION_TYPES:
        return choice_lines(question)
    if question.type == "short-answer":
        return [f"={escape(shortanswer_text(a))}" for a in common.accepted_answers(question)]
    if question.type == "numeric":
        return [numeric_answer(question)]
    if question.type == "matching":
        return matching_lines(question.pairs, common.matching_distractors(question))
    return matching_lines(common.ordering_pairs(question), ())  # ordering


def choice_lines(question: Question) -> list[str]:
    if not common.takes_several_answers(question):
        return [f"{'=' if o.correct else '~'}{escape(o.text)}" for o in question.options]
    # several right answers: Moodle's multiple-response form, graded by weights
    weights = common.several_answer_weights(question)
    return [f"~%{weight}%{escape(o.text)}" for o, weight in zip(question.options, weights)]


def cloze_block(question: Question, header: str, title: str, feedback: str) -> str:
    answers = " ".join(f"={escape(shortanswer_text(a))}" for a in common.accepted_answers(question))
    before, blank, after = question.prompt.partition(BLANK)
    if blank and before.strip() and after.strip() and BLANK not in after:
        # Moodle's missing-word form: the answer block stands where the blank is
        # the text's own spacing, so "in _____." stays "in _____." and not "in _____ ."
        return f"{header}\n{title}[plain]{escape(before)}{{{answers}{feedback}}}{escape(after)}"
    # a blank at the very start or end (or several) stays visible in the text, answers follow it
    return f"{header}\n{title}[plain]{escape(question.prompt)}{{{answers}{feedback}}}"


def shortanswer_text(answer: str) -> str:
    # Moodle's short-answer grading reads '*' as a wildcard; '\*' is a literal asterisk
    return answer.replace("*", "\\*")


def numeric_answer(question: Question) -> str:
    numeric = question.numeric
    assert numeric is not None
    below, above = numeric.value - numeric.low, numeric.high - numeric.value
    if abs(below - above) < 1e-9:
        return f"#{common.number_text(numeric.value)}:{common.number_text(above)}"
    return f"#{common.number_text(numeric.low)}..{common.number_text(numeric.high)}"


def matching_lines(pairs: tuple[Pair, ...], distractors: tuple[str, ...]) -> list[str]:
    lines = [f"={escape(p.left)} -> {escape(p.right)}" for p in pairs]
    lines.extend(f"= -> {escape(d)}" for d in distractors)
    return lines


def general_feedback(question: Question) -> str:
    parts = [question.explanation] if question.explanation else []
    parts.extend(f"Source: {common.citation_line(c)}" for c in common.unique_citations(question))
    return "\n".join(parts)


def comment_line(question: Question) -> str:
    tags = " ".join(f"[tag:{clean_tag(t)}]" for t in question.tags if clean_tag(t))
    return escape_comment(f"// [id:{question.id}] {tags} {question.type}, template {question.template_id}"
                          .replace("  ", " "))


def clean_tag(tag: str) -> str:
    # Moodle's [tag:…] comment stops at ']' and refuses '<', '>' and '`'
    return "".join(ch for ch in tag if ch not in "[]<>`" and ch.isprintable()).strip()


def category_path(names: tuple[str, ...]) -> str:
    # Moodle splits category paths on '/', and reads '//' as a slash inside a name
    return "/".join(" ".join(name.split()).replace("/", "//") for name in names)


def escape(text: str) -> str:
    """Text as GIFT reads it back: control characters as visible escapes, backslash-escaped specials, line
    breaks as \\n."""
    text = escape_unsafe(text).replace("\\", "\\\\")
    for character in SPECIAL_CHARACTERS:
        text = text.replace(character, "\\" + character)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def escape_comment(text: str) -> str:
    return " ".join(escape_unsafe(text).split())
