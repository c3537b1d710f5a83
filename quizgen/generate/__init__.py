"""Question generation, the pipeline: templates × facts → a checked pool → a fair question set dealt from it
(deal.py) with shuffled versions (versions.py), and a study deck that covers every quizzable fact (deck.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import QuizgenError
from ..model import NO_QUIZ_TAG, Pack, Question, QuestionSet
from .checks import alias_index, check_question, check_version, reveals_answer, title_gives_away
from .deal import choose_questions, shortfall_warning, stem_key, true_false_warning
from .deck import study_deck
from .distractors import hint_words
from .forms import facts_in_form
from .maker import Maker, Skip
from .questions import Claim, questions_from, true_false_claim, true_false_question
from .templates import QuestionTemplate, load_templates, render_alarm
from .truth import Truth
from .versions import make_versions

__all__ = ["Pool", "generate_question_set", "nothing_to_ask", "question_pool", "question_set_from_pool",
           "selected_templates", "shortfall_warning", "stem_key", "true_false_warning"]


@dataclass(frozen=True)
class Pool:
    """Every question the templates make from a pack, and why each fact and template made none."""

    questions: tuple[Question, ...]
    skipped: tuple[Skip, ...]
    templates: dict[str, QuestionTemplate]

    def asked_facts(self) -> set[str]:
        return {fid for q in self.questions for fid in q.fact_ids}


REVIEWED_POOL_SEED = 1  # the pool `review`, `lint` and `stats` read


@render_alarm()  # set once for the pool's thousands of renders
def question_pool(pack: Pack, *, template_dirs: Iterable[Path] = (), types: list[str] | None = None,
                  tags: list[str] | None = None, seed: int = 1, with_excluded: bool = False) -> Pool:
    """Every checked question the pack and templates can make, minus those the author left out in review
    (unless `with_excluded`, for the review sheet itself)."""
    templates = selected_templates(template_dirs, types)
    facts = tuple(f for f in pack.quizzable_facts() if not tags or set(tags) & set(f.tags))
    if not facts:
        raise QuizgenError.at(pack.root, nothing_to_ask(pack) or f"no quizzable fact has any of the tags "
                                                               f"{', '.join(tags or [])}")
    maker = Maker(pack, Truth.of(pack), seed)
    aliases = alias_index(pack)
    excluded = set() if with_excluded else set(pack.excluded)
    made: list[Question] = []
    skipped: list[Skip] = []
    stems: dict[tuple[str, str], str] = {}
    for template in sorted(templates.values(), key=lambda t: t.id):
        asked, not_in_form = facts_in_form(template, facts, pack)  # the author's forms and not_forms
        skipped.extend(not_in_form)
        for result in questions_from(template, maker, asked):
            if isinstance(result, Skip):
                skipped.append(result)
                continue
            if isinstance(result, Claim):
                stem = result.stem
                if stem in stems:
                    # two facts can yield the same false claim (the same swap): ask this fact's claim as it is
                    fact = result.fact
                    retried = true_false_claim(template, maker, fact, force_true=True)
                    if hint_words(fact.value(template.ask), fact, template.ask, pack):
                        retried = "its names share a word: a true claim is read off the names"
                    stem = retried.stem if isinstance(retried, Claim) else stem
                    if stem in stems or not isinstance(retried, Claim):
                        skipped.append(Skip(fact.id, template.id, f"makes the same claim as question {stems[stem]}"))
                        continue
                    result = retried
                result = true_false_question(result, maker)  # a claim the pool keeps: explained and sourced
            else:
                stem = stem_key(result)
            if reveals_answer(result):  # the pack's words, not the engine, name the answer: skip it, lint says where
                skipped.append(Skip(result.fact_ids[0], template.id, f"the question names its own answer "
                                                                     f"{result.answer!r}"))
                continue
            if title_gives_away(result, pack):  # printed on every page of the worksheet
                skipped.append(Skip(result.fact_ids[0], template.id, f"the title {pack.title!r} names its answer "
                                                                     f"{result.answer!r}"))
                continue
            if result.id not in excluded:
                check_question(result, template, aliases)
                stems.setdefault(stem, result.id)
                made.append(result)
    return Pool(tuple(made), tuple(skipped), templates)


def selected_templates(template_dirs: Iterable[Path] = (),
                       types: list[str] | None = None) -> dict[str, QuestionTemplate]:
    """The built-in and user templates by id, only those of `types` when given; QuizgenError when none is left."""
    templates = {t.id: t for t in load_templates(tuple(template_dirs)).values() if not types or t.type in types}
    if not templates:
        raise QuizgenError.at("templates", f"no question template of type {', '.join(types or [])}")
    return templates


def nothing_to_ask(pack: Pack) -> str | None:
    """Why the pack can make no question at all yet (no facts, or none that may be asked), or None."""
    if not pack.facts:
        return "the pack has no facts yet: add facts to facts.yaml (see docs/tutorial.md)"
    if not pack.quizzable_facts():
        return (f"none of the pack's {len(pack.facts)} facts may be asked yet: each has `ask: []` or the "
                f"{NO_QUIZ_TAG} tag; let one be asked to make questions")
    return None


def generate_question_set(pack: Pack, *, template_dirs: Iterable[Path] = (), types: list[str] | None = None,
                          tags: list[str] | None = None, count: int = 20, seed: int = 1,
                          versions: int = 1, takes: Callable[[Question], bool] | None = None) -> QuestionSet:
    """A deterministic question set: same pack, templates, options and seed → the same questions and order.
    `takes` deals only questions an output can hold (an export's limits); the deck still covers the whole pool."""
    # every set is dealt from the one pool `review` shows (its true/false verdicts, wrong options and groups): what
    # an author reviewed is what students get; the seed chooses and orders the questions
    pool = question_pool(pack, template_dirs=template_dirs, types=types, tags=tags, seed=REVIEWED_POOL_SEED)
    return question_set_from_pool(pack, pool, count=count, seed=seed, versions=versions, takes=takes)


def question_set_from_pool(pack: Pack, pool: Pool, *, count: int = 20, seed: int = 1, versions: int = 1,
                           takes: Callable[[Question], bool] | None = None) -> QuestionSet:
    """The question set `generate_question_set` deals, from the review pool made already (or kept in a cache)."""
    dealt_from = pool if takes is None else Pool(tuple(q for q in pool.questions if takes(q)), pool.skipped,
                                                   pool.templates)
    chosen = choose_questions(dealt_from, count, seed, pack)
    made = make_versions(chosen, versions, seed)
    for version in made:
        check_version(version)
    return QuestionSet(pack_id=pack.id, pack_title=pack.title, language=pack.language, seed=seed,
                       questions=chosen, versions=made, licence=pack.licence, deck=study_deck(pool, pack, seed),
                       pool_size=len(dealt_from.questions), topics=pack.topics)
