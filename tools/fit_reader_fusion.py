"""Fit how the reader's judgement of a sentence joins its score (``READER_FUSION``).

    python tools/fit_reader_fusion.py --squad-dir HELD_OUT --per-article 40 [--examples FILE]

For each question of a set in the SQuAD sample's format (tools/squad_explorer.py) that the
reader stage orders, it keeps the ranking the stage is handed (its top 20 and their scores)
and the reader's span in each of the top ``READER_SEARCHED`` sentences, and marks the sentences
that hold a gold answer's start. A listwise model, softmax over the 20 of
``score x w_score + read x (w_read + w_lead x clipped lead + w_span x span logits)``, is fitted
by Newton's method on the even articles and checked on the odd ones (Acc@1 and Acc@3 within
the 20, against the handed order). It prints the values for askdoc/tuning.py. Needs the
semantic extra (the models). Fit on held-out training articles; shared/eval's sets only measure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sweep import ranked  # this folder's: the same halves as the other tools

from askdoc import tuning
from askdoc.answer import reader

DEPTH = 20
NAMES = ("score", "read", "lead", "span")


def examples(folder: Path, half: str, per_article: int) -> list[dict]:
    """One dict a question: ``x`` (DEPTH x 4 features: the score, then the reader's three, 0 for
    a sentence not read) and ``gold`` (DEPTH flags)."""
    model = reader.reader()
    out = []
    for index, q, ranking in ranked(folder, half, True, per_article):
        if ranking is None or not any(name == "reader" for name, _ in ranking.handed):
            continue  # abstained before ranking, or a yes/no question (no reader)
        hits = ranking.before("reader")[:DEPTH]
        sentences = [index.sentence(h.sid) for h in hits]
        read = model.read(q["question"], [s.text for s in sentences[: tuning.READER_SEARCHED]])
        x = np.zeros((len(hits), len(NAMES)))
        x[:, 0] = [h.score for h in hits]
        for i, span in enumerate(read):
            if span is not None:
                x[i, 1:] = reader.reading(span)
        starts = [start for start, _ in q["answer_spans"]]
        gold = [any(s.start <= a < s.end for a in starts) for s in sentences]
        out.append({"x": x.tolist(), "gold": gold})
    return out


def _loss_grad_hessian(w: np.ndarray, data: list[dict], l2: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean negative log-likelihood of the gold sentences (any of them) and its derivatives."""
    loss, grad, hess = 0.0, np.zeros_like(w), np.zeros((len(w), len(w)))
    for q in data:
        x, gold = np.asarray(q["x"]), np.asarray(q["gold"])
        s = x @ w
        p = np.exp(s - s.max())
        p /= p.sum()
        g = p * gold
        pg = g / g.sum()
        loss -= np.log(g.sum())
        mean_all, mean_gold = p @ x, pg @ x
        grad += mean_all - mean_gold
        hess += (x * p[:, None]).T @ x - np.outer(mean_all, mean_all)
        hess -= (x * pg[:, None]).T @ x - np.outer(mean_gold, mean_gold)
    n = len(data)
    return loss / n + l2 * w @ w, grad / n + 2 * l2 * w, hess / n + 2 * l2 * np.eye(len(w))


def fit(data: list[dict], l2: float = 1e-3) -> np.ndarray:
    data = [q for q in data if any(q["gold"])]
    w = np.zeros(len(NAMES))
    loss, grad, hess = _loss_grad_hessian(w, data, l2)
    for _ in range(50):
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
        t = 1.0
        while True:  # backtracking: the loss is not everywhere convex (several gold sentences)
            new = _loss_grad_hessian(w - t * step, data, l2)
            if new[0] <= loss or t < 1e-4:
                break
            t /= 2
        w = w - t * step
        loss, grad, hess = new
        if np.abs(t * step).max() < 1e-7:
            break
    return w


def accuracy(data: list[dict], w: np.ndarray | None) -> tuple[float, float]:
    """Acc@1 and Acc@3 within the top DEPTH: by the fused score, or (``w`` None) the handed order."""
    at1 = at3 = 0
    for q in data:
        x = np.asarray(q["x"])
        order = list(range(len(x))) if w is None else sorted(range(len(x)), key=lambda i: -(x[i] @ w))
        first = next((n for n, i in enumerate(order) if q["gold"][i]), None)
        at1 += first == 0
        at3 += first is not None and first < 3
    return at1 / len(data), at3 / len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad-dir", type=Path, required=True)
    parser.add_argument("--per-article", type=int, default=40, metavar="N", help="each article's first N questions")
    parser.add_argument("--examples", type=Path, help="keep the examples in this JSON file; reuse it if there")
    args = parser.parse_args()
    if args.examples and args.examples.exists():
        halves = json.loads(args.examples.read_text())
    else:
        halves = {half: examples(args.squad_dir, half, args.per_article) for half in ("even", "odd")}
        if args.examples:
            args.examples.write_text(json.dumps(halves))
    w = fit(halves["even"])
    for half in ("even", "odd"):
        before, after = accuracy(halves[half], None), accuracy(halves[half], w)
        print(
            f"{half}{' (fitted)' if half == 'even' else ' (held out)'}: {len(halves[half])} questions;"
            f" handed order Acc@1 {before[0]:.4f} Acc@3 {before[1]:.4f};"
            f" fused {after[0]:.4f} / {after[1]:.4f}"
        )
    print("READER_FUSION =", json.dumps({k: round(float(v), 4) for k, v in zip(NAMES, w)}))


if __name__ == "__main__":
    main()
