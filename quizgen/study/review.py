"""The author's review of a whole question pool: a text listing as students see it, an offline HTML sheet where
items are marked to leave out, and review.yaml, where those decisions live in the pack by stable question id."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..load.pack import REVIEW_FILE
from ..files import read_regular_file, write_atomically
from ..generate import Pool, question_pool
from ..model import Pack, Question, option_letter, stable_id
from ..errors import Problem, QuizgenError
from ..text import UNSAFE_CHARACTERS, counted
from ..load.yamlfile import read_yaml, unsafe_character_message



def student_lines(number: int, question: Question) -> list[str]:
    """A question as a student reads it on a worksheet, then the key and where it comes from."""
    lines = [f"{number}. {question.prompt}"]
    if question.type in ("multiple-choice", "multiple-response"):
        lines += [f"   {option_letter(i)}) {o.text}" for i, o in enumerate(question.options)]
    if question.type == "true-false":
        lines.append("   True / False")
    if question.type == "matching":
        lines += [f"   {i}. {p.left}" for i, p in enumerate(question.pairs, 1)]
        lines += [f"   {option_letter(i)}) {c}" for i, c in enumerate(question.choices)]
    if question.type == "ordering":
        lines += [f"   [ ] {item}" for item in question.items]
    accepted = f" (also accepted: {', '.join(question.accepted)})" if question.accepted else ""
    accepted += f" ({question.accepted_range()})" if question.accepted_range() else ""
    shown = (f" = {question.answer}" if question.options and question.type != "true-false" else
             f" = {' → '.join(question.sequence)}" if question.type == "ordering" else "")
    lines.append(f"   KEY {question.key_text()}{shown}{accepted}")
    lines.append(f"   WHY {question.explanation}")
    lines += [f"   SOURCE {c.text}: “{c.evidence}”" for c in question.citations]
    lines.append(f"   [{question.type} · {question.template_id} · {', '.join(question.fact_ids)} · {question.id}]")
    return lines


def pool_text(pool: Pool, pack: Pack) -> str:
    excluded = set(pack.excluded)
    lines = [f"{pack.title}: {counted(len(pool.questions), 'question')}", ""]
    for n, question in enumerate(sorted(pool.questions, key=lambda q: (q.topic, q.fact_ids, q.type, q.id)), 1):
        lines += student_lines(n, question)
        if question.id in excluded:
            lines.append("   (left out in review.yaml)")
        lines.append("")
    return "\n".join(lines)


def review_page(pool: Pool, pack: Pack) -> str:
    """An offline page listing every question with a 'leave out' box; it builds review.yaml for download."""
    excluded = set(pack.excluded)
    items = []
    for question in sorted(pool.questions, key=lambda q: (q.topic, q.fact_ids, q.type, q.id)):
        body = "\n".join(html.escape(line) for line in student_lines(0, question)[1:])
        checked = " checked" if question.id in excluded else ""
        items.append(
            f'<article data-id="{question.id}">'
            f'<label><input type="checkbox" class="leave-out"{checked}> leave out</label>'
            f'<h2 dir="auto">{html.escape(question.prompt)}</h2><pre dir="auto">{body}</pre>'
            f'<input class="reason" placeholder="why (optional)"></article>')
    return REVIEW_PAGE.format(title=html.escape(pack.title), count=len(pool.questions), items="\n".join(items),
                              pack_id=json.dumps(pack.id))


def possible_question_ids(pack: Pack, template_dirs: tuple[Path, ...] = (), pool: Pool | None = None) -> set[str]:
    """The ids the pack's questions can have: the review pool's (`pool`, when made already), and both verdicts of
    every true/false claim, since which verdict a fact's claim gets (its id derives from it) depends on the seed."""
    if pool is None:
        pool = question_pool(pack, template_dirs=template_dirs, with_excluded=True)
    ids = {q.id for q in pool.questions}
    for template in pool.templates.values():
        if template.type == "true-false":
            ids |= {stable_id(template.id, fact.id, template.ask, verdict) for fact in pack.quizzable_facts()
                    for verdict in ("True", "False")}
    return ids


def unmatched_exclusions(pack: Pack, template_dirs: tuple[Path, ...] = (), pool: Pool | None = None) -> list[Problem]:
    """A warning for each id of review.yaml that no question of the pack can have. Not an error: the id may belong
    to a question of templates this run was not given, or to a matching or ordering group dealt under another seed
    (too many to list), and an exclusion that matches nothing leaves nothing out. `pool`: the review pool, when made
    already."""
    if not pack.excluded:
        return []
    try:
        known = possible_question_ids(pack, template_dirs, pool)
    except QuizgenError:
        return []  # the pool cannot be made at all: build and lint say why
    doc = read_yaml(pack.root / REVIEW_FILE)
    templates = "the given and built-in templates" if template_dirs else "the built-in templates"
    return [doc.problem(("exclude", i, "id"), f"warning: {item['id']!r} matches no question the pack makes with "
                        f"{templates} (true/false claims with either verdict, matching and ordering groups as "
                        "`quizgen review` shows them), so it likely leaves nothing out; its fact or template may have "
                        "changed, or it names a question of other templates or a group dealt under another seed")
            for i, item in enumerate(doc.data["exclude"]) if item["id"] not in known]


def checked_reason(reason: str) -> str:
    """The --reason as given, or QuizgenError when review.yaml could not hold it as plain text (a control
    character, or a byte that is not UTF-8, which Python keeps in the command line as a lone surrogate)."""
    found = UNSAFE_CHARACTERS.search(reason)
    if not found:
        return reason
    code = ord(found[0])
    message = (f"contains the byte 0x{code - 0xDC00:02x}, which is not UTF-8, at character {found.start() + 1}; "
               "expected plain text" if 0xDC80 <= code <= 0xDCFF else unsafe_character_message(reason))
    raise QuizgenError(Problem("command line", 0, 0, "--reason", message))


def set_exclusions(pack: Pack, add: dict[str, str], remove: set[str]) -> Path:
    """Record decisions in the pack's review.yaml, keeping earlier ones; written in one step.

    The file is read mending what it cannot hold (yamlfile.read_yaml), so that a review.yaml damaged by a
    control character in a reason is repaired by writing it again rather than blocking every command.
    """
    path = pack.root / REVIEW_FILE
    current: list[dict] = []
    if path.is_file():
        data = read_yaml(path, mending=True).data or {}
        items = data.get("exclude") if isinstance(data, dict) else None
        if not isinstance(items, list | None):
            raise QuizgenError.at(path, "expected 'exclude:' with a list of {id, reason}; correct the file or "
                                        "remove it", line=1, column=1)
        current = [dict(item) for item in items or [] if isinstance(item, dict)]
    kept = [item for item in current if item.get("id") not in remove and item.get("id") not in add]
    kept += [{"id": qid, "reason": reason} if reason else {"id": qid} for qid, reason in sorted(add.items())]
    text = "# Questions left out of every worksheet, deck and export (written by `quizgen review`).\n"
    text += yaml.safe_dump({"exclude": kept}, allow_unicode=True, sort_keys=False)
    return write_atomically(path, text.encode("utf-8"))


REVIEW_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review: {title}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }}
header {{ position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid #ccc; }}
article {{ border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0; }}
article.out {{ opacity: .45; }}
h2 {{ font-size: 1rem; margin: .3rem 0; }}
pre {{ white-space: pre-wrap; font: inherit; margin: 0; color: #333; }}
.reason {{ width: 100%; margin-top: .4rem; }}
</style></head>
<body>
<header><strong>{title}</strong>: {count} questions. Tick <em>leave out</em> for each question to drop, then
<button id="save">Download review.yaml</button> and put the file in the pack folder.
<span id="status"></span></header>
{items}
<script>
const pack = {pack_id};
function decisions() {{
  return [...document.querySelectorAll("article")].filter(a => a.querySelector(".leave-out").checked);
}}
function refresh() {{
  document.querySelectorAll("article").forEach(a => a.classList.toggle("out", a.querySelector(".leave-out").checked));
  document.getElementById("status").textContent = decisions().length + " left out";
}}
function yamlText() {{
  const lines = ["# Questions left out of every worksheet, deck and export (written by quizgen review).", "exclude:"];
  for (const a of decisions()) {{
    lines.push("- id: " + JSON.stringify(a.dataset.id));
    const reason = a.querySelector(".reason").value.trim();
    if (reason) lines.push("  reason: " + JSON.stringify(reason));
  }}
  if (lines.length === 2) lines[1] = "exclude: []";
  return lines.join("\\n") + "\\n";
}}
document.addEventListener("change", refresh);
document.getElementById("save").addEventListener("click", () => {{
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([yamlText()], {{type: "text/yaml"}}));
  link.download = "review.yaml";
  link.click();
}});
refresh();
</script>
</body></html>
"""


# ---- item statistics from graded classes: `quizgen review PACK --stats GRADING_FOLDER…` --------------------------

ITEM_ANALYSIS = "item-analysis.csv"  # what `quizgen grade` writes into each grading folder
LOW_DISCRIMINATION = 0.2  # item-rest correlation below which a question does not separate stronger students
MIN_ANSWERS_FOR_UNPICKED = 10  # answers a question needs before a distractor nobody chose says something


@dataclass(frozen=True)
class PooledItem:
    """One question's results over every class graded with it."""

    question: Question
    classes: int
    answered: int
    difficulty: float | None  # mean score, weighted by each class's answers
    discrimination: float | None  # item-rest correlation, weighted the same way
    chosen: dict[str, int]  # option text → how often it was ticked, over the classes

    @property
    def warnings(self) -> tuple[str, ...]:
        found = []
        if self.discrimination is not None and self.discrimination < 0:
            found.append(f"discriminates negatively ({self.discrimination:+.2f}): stronger students miss it more; "
                         "check the key and the wording")
        elif self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            found.append(f"discriminates little ({self.discrimination:.2f})")
        if self.answered >= MIN_ANSWERS_FOR_UNPICKED:
            unpicked = [o.text for o in self.question.options if not o.correct and self.chosen.get(o.text, 0) == 0]
            if unpicked and self.question.type in ("multiple-choice", "multiple-response"):
                found.append("distractor nobody picked: " + ", ".join(unpicked))
        return tuple(found)


def grading_rows(folder: Path) -> list[dict[str, str]]:
    """The rows of a grading folder's item-analysis.csv; QuizgenError naming the folder when it has none."""
    path = Path(folder) / ITEM_ANALYSIS
    if not path.is_file():
        raise QuizgenError.at(folder, f"no {ITEM_ANALYSIS} here; expected a folder `quizgen grade` wrote "
                                      "(BUILD_FOLDER/grading by default)", field="--stats")
    text = read_regular_file(path, limit=64 * 1024 ** 2, what="item analysis").decode("utf-8-sig", errors="replace")
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and not {"question_id", "answered", "difficulty", "discrimination", "options"} <= set(rows[0]):
        raise QuizgenError.at(path, "not an item analysis written by `quizgen grade`; grade the class again",
                              field="--stats")
    return rows


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def option_counts(options: str, question: Question) -> dict[str, int]:
    """How often each of the question's options was chosen, from item-analysis.csv's `*Text: 3; Other: 0`: the
    texts are the question's own, so a `;` or `:` inside one cannot split it."""
    counts = {}
    for option in question.options:
        found = re.search(rf"(?:^|; )\*?{re.escape(option.text)}: ([0-9]+)(?=;|$)", options)
        counts[option.text] = int(found[1]) if found else 0
    return counts


def pooled_statistics(pool: Pool, folders: list[Path]) -> tuple[list[PooledItem], list[str]]:
    """Each question of the pool that some class answered, pooled over the folders; and the ids graded that the
    pool no longer makes (a fact or template changed since)."""
    by_id = {q.id: q for q in pool.questions}
    gathered: dict[str, list[dict[str, str]]] = {}
    gone: list[str] = []
    for folder in folders:
        for row in grading_rows(folder):
            qid = row.get("question_id", "")
            if qid in by_id:
                gathered.setdefault(qid, []).append(row)
            elif qid and qid not in gone:
                gone.append(qid)
    items = []
    for qid, rows in gathered.items():
        question = by_id[qid]
        answered = [int(_number(r["answered"]) or 0) for r in rows]
        difficulty = _weighted([(_number(r["difficulty"]), n) for r, n in zip(rows, answered)])
        discrimination = _weighted([(_number(r["discrimination"]), n) for r, n in zip(rows, answered)])
        chosen: dict[str, int] = {}
        for row in rows:
            for text, count in option_counts(row.get("options", ""), question).items():
                chosen[text] = chosen.get(text, 0) + count
        items.append(PooledItem(question, len(rows), sum(answered), difficulty, discrimination, chosen))
    items.sort(key=lambda i: (not i.warnings, i.discrimination if i.discrimination is not None else 9, i.question.id))
    return items, gone


def _weighted(values: list[tuple[float | None, int]]) -> float | None:
    known = [(v, n) for v, n in values if v is not None and n > 0]
    total = sum(n for _, n in known)
    return sum(v * n for v, n in known) / total if total else None


def stats_text(items: list[PooledItem], gone: list[str], pack: Pack, folders: int) -> str:
    """The pooled statistics as the author reads them: flagged questions first, each with the command that
    leaves it out."""
    excluded = set(pack.excluded)
    flagged = sum(1 for i in items if i.warnings)
    lines = [f"{pack.title}: {counted(len(items), 'question')} answered in {counted(folders, 'graded class', 'graded classes')}"
             f"; {counted(flagged, 'question')} to look at", ""]
    for item in items:
        q = item.question
        difficulty = "" if item.difficulty is None else f"difficulty {item.difficulty:.2f}"
        discrimination = "" if item.discrimination is None else f"discrimination {item.discrimination:+.2f}"
        figures = " · ".join(p for p in (f"{item.answered} answers in {counted(item.classes, 'class', 'classes')}",
                                         difficulty, discrimination) if p)
        lines.append(f"{q.id}: {q.prompt}")
        lines.append(f"   {figures}")
        if q.options:
            lines.append("   chosen: " + " · ".join(f"{'*' if o.correct else ''}{o.text} {item.chosen.get(o.text, 0)}"
                                                   for o in q.options))
        for warning in item.warnings:
            lines.append(f"   ! {warning}")
        if q.id in excluded:
            lines.append("   (left out in review.yaml)")
        elif item.warnings:
            reason = shlex.quote(item.warnings[0].split(":")[0])
            lines.append(f"   leave it out: quizgen review {shlex.quote(str(pack.root))} --exclude {q.id} --reason {reason}")
        lines.append("")
    if gone:
        lines.append(f"graded but no longer in the pool (its fact or template changed): {', '.join(gone)}")
    return "\n".join(lines)
