"""A question set as JSON (documented by schema/question-set.schema.json) or as readable text."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from json.encoder import encode_basestring
from typing import Any

from ..model import Question, QuestionSet, option_letter

SCHEMA_ID = "https://quizgen.invalid/schema/question-set.schema.json"


def question_set_data(qs: QuestionSet) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "pack": {"id": qs.pack_id, "title": qs.pack_title, "language": qs.language, "licence": qs.licence},
        "seed": qs.seed,
        "pool_size": qs.pool_size,
        "questions": [question_data(q) for q in qs.questions],
        "deck": [question_data(q) for q in qs.deck],
        "versions": [
            {
                "code": v.code,
                "questions": [question_data(q) for q in v.questions],
                "key": [{"number": n, "question": q.id, "answer": q.key_text()} for n, q in enumerate(v.questions, 1)],
            }
            for v in qs.versions
        ],
    }


def question_data(q: Question) -> dict[str, Any]:
    data = plain(q)
    data["fact_ids"] = list(q.fact_ids)
    data["key"] = q.key_text()
    return data


def plain(value: Any) -> Any:
    """What `dataclasses.asdict` makes of a question: each dataclass a dict of its fields, tuples and lists of
    them alike, the rest as it is. asdict deep-copies every string and number besides, which a question's are not
    worth (immutable): most of the time of writing a 10,000-card deck."""
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind is tuple or kind is list:
        return kind(plain(each) for each in value)
    names = field_names(kind)
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {key: plain(each) for key, each in value.items()}
    return value


SCALARS = frozenset({str, int, float, bool, type(None)})


@cache
def field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names in order; None for any other class."""
    return tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None


def question_set_json(qs: QuestionSet) -> str:
    return indented_json(question_set_data(qs)) + "\n"


def indented_json(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)`, character for character, for the values
    question data holds (text-keyed dicts, lists, tuples, text, numbers, booleans, None). The standard library
    indents in pure Python, through generators and checks for every kind of value: this is twice as fast, which a
    10,000-card deck notices."""
    parts: list[str] = []
    _write_json(data, parts, "\n")
    return "".join(parts)


def _write_json(value: Any, parts: list[str], indent: str) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is dict:
        _write_object(value, parts, indent)
    elif kind is list or kind is tuple:
        _write_array(value, parts, indent)
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        parts.append(_float_json(value))
    else:
        raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _write_object(value: dict, parts: list[str], indent: str) -> None:
    """A dict's members by key, one a line, a level deeper than `indent`; an empty one as {}."""
    if not value:
        parts.append("{}")
        return
    inner = indent + "  "
    separator = "{" + inner
    for key in sorted(value):
        member = value[key]
        if type(member) is str:  # most members: written here, without a call for each
            parts.append(separator + encode_basestring(key) + ": " + encode_basestring(member))
        else:
            parts.append(separator + encode_basestring(key) + ": ")
            _write_json(member, parts, inner)
        separator = "," + inner
    parts.append(indent + "}")


def _write_array(value: list | tuple, parts: list[str], indent: str) -> None:
    """A list's items, one a line, a level deeper than `indent`; an empty one as []."""
    if not value:
        parts.append("[]")
        return
    inner = indent + "  "
    separator = "[" + inner
    for each in value:
        if type(each) is str:
            parts.append(separator + encode_basestring(each))
        else:
            parts.append(separator)
            _write_json(each, parts, inner)
        separator = "," + inner
    parts.append(indent + "]")


def _float_json(value: float) -> str:
    """A float as json writes it: its repr, or NaN, Infinity, -Infinity (allow_nan's spellings)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def question_set_text(qs: QuestionSet) -> str:
    lines = [f"{qs.pack_title} — seed {qs.seed}", ""]
    for version in qs.versions:
        lines += [f"Version {version.code}", ""]
        for n, q in enumerate(version.questions, 1):
            lines += question_lines(n, q)
        lines += ["Key: " + "  ".join(f"{n}. {q.key_text()}" for n, q in enumerate(version.questions, 1)), ""]
    return "\n".join(lines) + "\n"


def question_lines(number: int, q: Question) -> list[str]:
    lines = [f"{number}. [{q.type}] {q.prompt}"]
    lines += [f"   {option_letter(i)}) {o.text}" for i, o in enumerate(q.options)
              if q.type in ("multiple-choice", "multiple-response")]
    if q.type == "matching":
        lines += [f"   {i}. {p.left}" for i, p in enumerate(q.pairs, 1)]
        lines += [f"   {option_letter(i)}) {c}" for i, c in enumerate(q.choices)]
    if q.type == "ordering":
        lines += [f"   {i}. {item}" for i, item in enumerate(q.items, 1)]
    accepted = f" (also: {', '.join(q.accepted)})" if q.accepted else ""
    accepted += f" ({q.accepted_range()})" if q.accepted_range() else ""
    lines.append(f"   Answer: {q.answer}{accepted}")
    lines.append(f"   Why: {q.explanation}")
    lines += [f"   Source: {c.text}" + (f" — “{c.evidence}”" if c.evidence else "") for c in q.citations]
    lines.append("")
    return lines
