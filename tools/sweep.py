"""Sweep one tuned value (askdoc/tuning.py) over a half of the SQuAD sample, or the seed set.

    python tools/sweep.py K1 0.3 0.5 1.2 --half even       # fit here
    python tools/sweep.py K1 0.5 --half odd                # report here
    python tools/sweep.py LEXICON_WEIGHTS.syn 0.2 0.3 0.4  # one key of a table
    python tools/sweep.py MIN_COSINE 0.25 0.3 --semantic --off-topic 150
    python tools/sweep.py ALIAS_WEIGHT 0 0.5 --set seed  # the seed questions, a second check

NAME may omit the area prefix where it is unique (K1 is BM25_K1). For each value it prints
Acc@1, Acc@3 and MRR@10 of the evidence, the short answer's F1 (SQuAD's normalisation), the
questions abstained and, with --off-topic N, the share of N questions from the other articles
that abstain (they should). Values are fitted on the even articles (0, 2, ..., 10 of
docs.jsonl) and checked on the odd ones; the seed set is reported, never fitted on.
"""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from askdoc import Document, Index, pipeline, tuning
from askdoc.query import lexicon
from askdoc.render import shows_answer

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def resolve(name: str) -> tuple[str, str | None]:
    """The tuning attribute (and table key) that NAME stands for."""
    attr, _, key = name.partition(".")
    if not hasattr(tuning, attr):
        matches = [n for n in dir(tuning) if n.isupper() and n.endswith("_" + attr)]
        if len(matches) != 1:
            sys.exit(f"sweep: no single tuned value called {attr} (see askdoc/tuning.py)")
        attr = matches[0]
    return attr, key or None


def set_value(attr: str, key: str | None, value: float) -> None:
    if isinstance(getattr(tuning, attr), int):  # a count (e.g. LEARNED_DEPTH) stays an int
        value = int(value)
    if key is None:
        setattr(tuning, attr, value)
    else:
        getattr(tuning, attr)[key] = value
    lexicon.related.cache_clear()  # its weights are read when a stem is first looked up


def _normalise(text: str) -> list[str]:
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def f1(prediction: str | None, golds: list[str]) -> float:
    best = 0.0
    for gold in golds:
        p, g = _normalise(prediction or ""), _normalise(gold)
        common = sum((Counter(p) & Counter(g)).values())
        if common:
            precision, recall = common / len(p), common / len(g)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def articles(folder: Path, half: str, per_article: int = 0) -> Iterator[tuple[dict, list[dict], list[dict]]]:
    """(article, its questions (the first ``per_article``, if given), every question of the set)
    for the even or odd articles of a set in the SQuAD sample's format."""
    docs = [json.loads(line) for line in (folder / "docs.jsonl").open()]
    questions = [json.loads(line) for line in (folder / "questions.jsonl").open()]
    for n, doc in enumerate(docs):
        if (n % 2 == 0) == (half == "even"):
            yield doc, [q for q in questions if q["title"] == doc["title"]][: per_article or None], questions


@contextmanager
def _rankings() -> Iterator[list[pipeline.Ranking]]:
    """Inside, every question's ranking (each stage's input and the final order) is appended to
    the list yielded: askdoc.pipeline.rerank is the one place they all pass."""
    caught: list[pipeline.Ranking] = []
    rerank = pipeline.rerank

    def keep(*args, **kwargs):
        caught.append(rerank(*args, **kwargs))
        return caught[-1]

    pipeline.rerank = keep
    try:
        yield caught
    finally:
        pipeline.rerank = rerank


def ranked(
    folder: Path, half: str, semantic: bool, per_article: int = 0
) -> Iterator[tuple[Index, dict, pipeline.Ranking | None]]:
    """(the article's index, a question, the ranking askdoc made for it) for each question of
    one half of a set; the ranking is None when askdoc abstained before ranking (no word of the
    question is in the article)."""
    with _rankings() as caught:
        for doc, own, _ in articles(folder, half, per_article):
            index = Index([Document(doc["title"], doc["text"])])
            index.use_semantic = semantic
            for q in own:
                caught.clear()
                index.ask(q["question"], top=10)
                yield index, q, caught[-1] if caught else None


def squad(
    half: str, semantic: bool, off_topic: int, folder: Path = EVAL / "squad-sample", per_article: int = 0
) -> dict[str, float]:
    hits1 = hits3 = 0
    rr = score_f1 = 0.0
    asked = abstained = off_asked = off_abstained = shown = right_shown = 0
    for doc, own, questions in articles(folder, half, per_article):
        index = Index([Document(doc["title"], doc["text"])])
        index.use_semantic = semantic
        for q in own:
            answer = index.ask(q["question"], top=10)
            asked += 1
            abstained += answer.abstained
            starts = [start for start, _ in q["answer_spans"]]
            rank = next(
                (
                    e.rank
                    for e in answer.evidence
                    if any(e.sentence.start <= s < e.sentence.end for s in starts)
                ),
                None,
            )
            hits1 += rank == 1
            hits3 += rank is not None and rank <= 3
            rr += 1 / rank if rank else 0.0
            answer_f1 = f1(answer.answer, q["answers"])
            score_f1 += answer_f1
            if shows_answer(answer):
                shown += 1
                right_shown += answer_f1 >= 0.5
        others = [q for q in questions if q["title"] != doc["title"]][:: max(1, len(questions) // max(off_topic, 1))]
        for q in others[:off_topic]:
            off_asked += 1
            off_abstained += index.ask(q["question"]).abstained
    out = {
        "acc@1": hits1 / asked,
        "acc@3": hits3 / asked,
        "mrr@10": rr / asked,
        "f1": score_f1 / asked,
        "abstained": abstained,
        "questions": asked,
        "shown": shown / asked,  # an answer line a person sees (render.shows_answer)
        "right_when_shown": right_shown / max(1, shown),  # token F1 >= 0.5
    }
    if off_topic:
        out["off_topic_abstained"] = off_abstained / off_asked
    return out


def seed(semantic: bool) -> dict[str, float]:
    """The seed questions about the bundled article: a hit holds one of the evidence strings."""
    index = Index.from_paths([], cache=False)
    index.use_semantic = semantic
    gold = [json.loads(line) for line in (EVAL / "seed-questions.jsonl").open()]
    answerable = [g for g in gold if g["evidence"]]
    hits1 = hits3 = 0
    rr = score_f1 = 0.0
    abstained = 0
    for g in answerable:
        answer = index.ask(g["question"], top=10)
        abstained += answer.abstained
        rank = next((e.rank for e in answer.evidence if any(x in e.sentence.text for x in g["evidence"])), None)
        hits1 += rank == 1
        hits3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
        score_f1 += f1(answer.answer, g.get("answers") or [])
    unanswerable = [g for g in gold if not g["evidence"]]
    n = len(answerable)
    return {
        "acc@1": hits1 / n,
        "acc@3": hits3 / n,
        "mrr@10": rr / n,
        "f1": score_f1 / n,
        "abstained": abstained,
        "questions": n,
        "unanswerable_abstained": sum(index.ask(g["question"]).abstained for g in unanswerable),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="a tuned value in askdoc/tuning.py (TABLE.key for one entry of a table)")
    parser.add_argument("values", nargs="+", type=float)
    parser.add_argument("--half", choices=("even", "odd"), default="even")
    parser.add_argument(
        "--squad-dir",
        type=Path,
        default=EVAL / "squad-sample",
        help="another set in its format (tools/squad_explorer.py)",
    )
    parser.add_argument("--semantic", action="store_true", help="with the semantic extra (must be installed)")
    parser.add_argument("--set", choices=("squad", "seed"), default="squad", help="which public set")
    parser.add_argument("--per-article", type=int, default=0, metavar="N", help="ask each article's first N only")
    parser.add_argument("--off-topic", type=int, default=0, metavar="N", help="also ask N other articles' questions")
    args = parser.parse_args()
    attr, key = resolve(args.name)
    for value in args.values:
        set_value(attr, key, value)
        if args.set == "seed":
            result = seed(args.semantic)
        else:
            result = squad(args.half, args.semantic, args.off_topic, args.squad_dir, args.per_article)
        shown = "  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items())
        where = "seed" if args.set == "seed" else args.half
        print(f"{args.name}={value:g} ({where}): {shown}", flush=True)


if __name__ == "__main__":
    main()
