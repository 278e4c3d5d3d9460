"""Where the order is made: the answer sentence's rank after each re-rank stage.

    python tools/stage_ranks.py --squad-dir HELD_OUT --half even --semantic --per-article 10

For each question of one half of a set in the SQuAD sample's format (tools/squad_explorer.py),
the ranking each stage was handed (askdoc.pipeline.stages) and the final one are searched for
the sentence holding a gold answer's start. It prints, per stage, the share of questions with
that sentence at rank 1, within 3 and within 20, and how many lack it altogether: which stage
gains, which one loses, and how much a better re-ranker could still gain. Diagnose on held-out
articles; the public sample measures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sweep import EVAL, ranked  # this folder's: both scripts read the same sets

from askdoc import Index
from askdoc.index.retriever import Hit


def _rank(index: Index, hits: tuple[Hit, ...], starts: list[int]) -> int | None:
    for n, hit in enumerate(hits, 1):
        s = index.sentence(hit.sid)
        if any(s.start <= start < s.end for start in starts):
            return n
    return None


def stage_ranks(folder: Path, half: str, semantic: bool, per_article: int) -> dict[str, list[int | None]]:
    """Stage name ("retrieved", each stage's name as the ranking it was handed, "final") ->
    the answer sentence's rank for each question."""
    out: dict[str, list[int | None]] = {}
    for index, q, ranking in ranked(folder, half, semantic, per_article):
        if ranking is None:  # abstained before ranking: nothing shares a word with it
            continue
        starts = [start for start, _ in q["answer_spans"]]
        stages = [("retrieved", ranking.handed[0][1] if ranking.handed else ranking.hits)]
        stages += [(f"before {name}", hits) for name, hits in ranking.handed[1:]]
        stages.append(("final", ranking.hits))
        for name, hits in stages:
            out.setdefault(name, []).append(_rank(index, hits, starts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad-dir", type=Path, default=EVAL / "squad-sample")
    parser.add_argument("--half", choices=("even", "odd"), default="even")
    parser.add_argument("--semantic", action="store_true", help="with the semantic extra (must be installed)")
    parser.add_argument("--per-article", type=int, default=0, metavar="N", help="ask each article's first N only")
    args = parser.parse_args()
    for name, ranks in stage_ranks(args.squad_dir, args.half, args.semantic, args.per_article).items():
        n = len(ranks)
        within = [sum(r is not None and r <= k for r in ranks) / n for k in (1, 3, 20)]
        missing = sum(r is None for r in ranks)
        print(f"{name:32s} n={n} @1 {within[0]:.3f}  @3 {within[1]:.3f}  @20 {within[2]:.3f}  missing {missing}")


if __name__ == "__main__":
    main()
