"""`quizgen review`: the pool as a page or text, its statistics, and questions left out or taken back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import QuizgenError
from ..text import counted


def cmd_review(args: argparse.Namespace) -> int:
    from ..load.pack import load_pack
    from ..generate import question_pool
    from ..ownership import claim_loose_file, write_loose_file
    from .review import checked_reason, pool_text, review_page, set_exclusions

    if args.exclude or args.include:
        reason = checked_reason(args.reason)
        pack = load_pack(args.pack, review=False)  # review.yaml is rewritten, so a damaged one is repaired
        pool = question_pool(pack, template_dirs=args.templates, with_excluded=True)
        known = {q.id for q in pool.questions}
        unknown = [qid for qid in [*args.exclude, *args.include] if qid not in known]
        if unknown:
            raise QuizgenError.at(args.pack, f"no question with id {', '.join(unknown)} in the pool; expected ids "
                                  "as listed by `quizgen review --text`")
        path = set_exclusions(pack, {qid: reason for qid in args.exclude}, set(args.include))
        print(f"wrote {path}")
        return 0
    if args.stats:
        from .review import pooled_statistics, stats_text

        pack = load_pack(args.pack)
        pool = question_pool(pack, template_dirs=args.templates, with_excluded=True)
        items, gone = pooled_statistics(pool, args.stats)
        sys.stdout.write(stats_text(items, gone, pack, len(args.stats)) + "\n")
        return 0
    pack = load_pack(args.pack)
    target = args.out or Path("review.html")
    if not args.text:
        claim_loose_file(target, option="--out", pack=pack.root)
    pool = question_pool(pack, template_dirs=args.templates, with_excluded=True)
    if args.text:
        sys.stdout.write(pool_text(pool, pack) + "\n")
        return 0
    write_loose_file(target, review_page(pool, pack).encode("utf-8"), option="--out", pack=pack.root)
    print(f"wrote {target}: {counted(len(pool.questions), 'question')}; open it in a browser")
    return 0
