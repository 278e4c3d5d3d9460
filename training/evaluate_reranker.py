"""Measure an exported re-ranker on SQuAD-sample: askdoc alone, the model alone, and the two fused.

For measuring only. The model re-ranks askdoc's own top 20 for each question (the pool it would
see inside askdoc), so "reachable" caps every figure. The one fitted number, the fusion weight w
in ``w*minmax(askdoc) + (1-w)*minmax(model)``, is chosen on the even articles (0, 2, ..., 10) and
reported on the odd ones; nothing else here is tuned, and nothing here may feed training.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from export_onnx import INPUTS, ort_session
from reranker_model import MAX_LEN, add_path_args, encode_pairs, load_tokenizer, with_context

from askdoc import Document, Index

TOP = 20
GRID = [round(i * 0.05, 2) for i in range(21)]


def minmax(x: np.ndarray) -> np.ndarray:
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def hit_rank(order: np.ndarray, hits: np.ndarray) -> int:
    """1-based rank of the first hit in ``order`` (0: none of the pool is a hit)."""
    for r, i in enumerate(order, 1):
        if hits[i]:
            return r
    return 0


def figures(ranks: list[int]) -> dict[str, float]:
    n = max(1, len(ranks))
    return {"acc1": sum(r == 1 for r in ranks) / n, "acc3": sum(1 <= r <= 3 for r in ranks) / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_path_args(ap)
    ap.add_argument("--model", type=Path, default=None, help="default: WORK/export/reranker-int8.onnx")
    ap.add_argument("--max-len", type=int, default=0, help="default: export.json's beside the model, else 128")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--context", action="store_true", help="the model reads the sentence before each (prepare_data.py)")
    ap.add_argument(
        "--per-article", type=int, default=0, help="only the first N questions of each article (quick runs)"
    )
    ap.add_argument("--out", type=Path, default=None, help="JSON of the figures (default: beside the model)")
    args = ap.parse_args()
    args.model = args.model or args.work / "export" / "reranker-int8.onnx"
    export_json = args.model.parent / "export.json"
    if not args.max_len:
        args.max_len = json.loads(export_json.read_text()).get("max_len", MAX_LEN) if export_json.exists() else MAX_LEN
    eval_dir = args.shared / "eval" / "squad-sample"

    docs = [json.loads(line) for line in (eval_dir / "docs.jsonl").open(encoding="utf-8")]
    article = {d["title"]: i for i, d in enumerate(docs)}
    questions = [json.loads(line) for line in (eval_dir / "questions.jsonl").open(encoding="utf-8")]
    if args.per_article:
        seen: Counter[str] = Counter()
        kept = []
        for q in questions:
            if seen[q["title"]] < args.per_article:
                kept.append(q)
                seen[q["title"]] += 1
        questions = kept

    # askdoc's own ranking, through its public API, one index per article (as score.py asks it).
    t = time.monotonic()
    pools: list[dict] = []
    for d in docs:
        index = Index([Document(d["title"], d["text"])])
        index.use_semantic = False  # plain askdoc: the baseline the re-ranker must beat
        sentences = index.sentences
        before = {s.start: sentences[i - 1].text if i else "" for i, s in enumerate(sentences)}
        for q in (q for q in questions if q["title"] == d["title"]):
            ev = index.ask(q["question"], top=TOP).evidence
            starts = [s for s, _ in q["answer_spans"]]
            pools.append(
                {
                    "article": article[d["title"]],
                    "question": q["question"],
                    "texts": [
                        with_context(e.sentence.text, before[e.sentence.start] if args.context else "") for e in ev
                    ],
                    "askdoc": np.array([e.score for e in ev], dtype=np.float64),
                    "hits": np.array([any(e.sentence.start <= s < e.sentence.end for s in starts) for e in ev]),
                }
            )
    print(f"askdoc: {len(pools)} questions ranked in {time.monotonic() - t:.0f}s")

    # Model scores for every (question, sentence) pair, batched by length to waste little padding.
    tok = load_tokenizer(max_len=args.max_len)
    session = ort_session(args.model, args.threads)
    pairs = [(qi, si) for qi, p in enumerate(pools) for si in range(len(p["texts"]))]
    lengths = [len(pools[qi]["question"]) + len(pools[qi]["texts"][si]) for qi, si in pairs]
    order = np.argsort(lengths)
    scores = [np.zeros(len(p["texts"])) for p in pools]
    t = time.monotonic()
    for b in range(0, len(order), 32):
        chunk = [pairs[i] for i in order[b : b + 32]]
        enc = encode_pairs(
            tok, [pools[qi]["question"] for qi, _ in chunk], [pools[qi]["texts"][si] for qi, si in chunk]
        )
        out = session.run(None, {k: enc[k].numpy() for k in INPUTS})[0]
        for (qi, si), s in zip(chunk, out):
            scores[qi][si] = s
    secs = time.monotonic() - t
    print(
        f"model: {len(pairs)} pairs in {secs:.0f}s ({len(pairs) / max(secs, 1e-9):.0f} pairs/s, {args.threads} thread)"
    )

    def ranks(w: float | None, half: int) -> list[int]:
        """Hit ranks for one half (0: even articles, 1: odd); w None = askdoc's own order."""
        out = []
        for p, m in zip(pools, scores):
            if p["article"] % 2 != half:
                continue
            if not len(p["texts"]):
                out.append(0)  # askdoc abstained: a miss for every method
                continue
            if w is None:
                idx = np.arange(len(p["texts"]))
            else:
                fused = w * minmax(p["askdoc"]) + (1 - w) * minmax(m)
                idx = np.lexsort((np.arange(len(fused)), -fused))  # ties keep askdoc's order
            out.append(hit_rank(idx, p["hits"]))
        return out

    fit = {w: figures(ranks(w, 0)) for w in GRID}
    best_w = max(GRID, key=lambda w: (fit[w]["acc1"], fit[w]["acc3"]))
    report: dict = {
        "model": str(args.model),
        "max_len": args.max_len,
        "questions": len(pools),
        "w": best_w,
        "halves": {},
    }
    print(f"fusion weight w = {best_w} (fitted on even articles by Acc@1)")
    print(f"{'half':<14}{'n':>6}{'reach@20':>10}  {'askdoc':>13}  {'model':>13}  {'fused':>13}   (Acc@1 / Acc@3)")
    for half, name in ((0, "even (fit w)"), (1, "odd (report)")):
        base = ranks(None, half)
        row = {
            "n": len(base),
            "reachable": sum(r > 0 for r in base) / max(1, len(base)),
            "askdoc": figures(base),
            "model": figures(ranks(0.0, half)),
            "fused": figures(ranks(best_w, half)),
        }
        report["halves"][name] = row
        cells = "  ".join(f"{row[k]['acc1']:.3f} / {row[k]['acc3']:.3f}" for k in ("askdoc", "model", "fused"))
        print(f"{name:<14}{row['n']:>6}{row['reachable']:>10.3f}  {cells}")
    out = args.out or args.model.with_suffix(".squad-sample.json")
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
