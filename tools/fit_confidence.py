"""Fit the short answer's confidence (askdoc/answer/confidence.py) and the threshold to show it.

    python tools/squad_explorer.py --git-dir MIRROR --out DIR --titles ROWS.jsonl   # the data
    python tools/fit_confidence.py DIR [--precision 0.8] [--semantic]

DIR holds SQuAD-format articles (docs.jsonl, questions.jsonl) that nothing else was trained or
tuned on: SQuAD training articles the re-ranker did not see. Each article is indexed alone and
asked its questions; every answer's features and whether it is right (token F1 >= 0.5 with a
gold answer) make one example. A logistic regression (L2, Newton's method) is fitted on the
even articles and checked on the odd ones; the threshold is the lowest confidence at which the
answers shown on the even articles are right ``--precision`` of the time. It prints the values
for askdoc/tuning.py and what they give on both halves; shared/eval's sets only measure.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from askdoc import Document, Index

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep import f1  # noqa: E402  (SQuAD's token F1, as the scorer computes it)


def examples(folder: Path, semantic: bool, per_article: int = 0) -> list[tuple[int, dict[str, float], bool]]:
    """(article number, features, right?) for every question askdoc answers (the first
    ``per_article`` of each article's questions; 0: all)."""
    docs = [json.loads(line) for line in (folder / "docs.jsonl").open()]
    by_title: dict[str, list[dict]] = {}
    for line in (folder / "questions.jsonl").open():
        q = json.loads(line)
        by_title.setdefault(q["title"], []).append(q)
    out = []
    for n, doc in enumerate(docs):
        index = Index([Document(doc["title"], doc["text"])])
        index.use_semantic = semantic
        for q in by_title.get(doc["title"], [])[: per_article or None]:
            answer = index.ask(q["question"], top=10)
            if answer.answer and answer.answer_features is not None:
                _readers.add(answer.answer_reader)
                out.append((n, dict(answer.answer_features), f1(answer.answer, q["answers"]) >= 0.5))
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Logistic regression weights (the last column of ``x`` is the bias), by Newton's method."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def report(name: str, p: np.ndarray, y: np.ndarray, asked: int, threshold: float) -> None:
    shown = p >= threshold
    loss = -np.mean(y * np.log(np.clip(p, 1e-9, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-9, 1)))
    right = y[shown].mean() if shown.any() else float("nan")
    print(
        f"{name}: {len(y)} answered of {asked} asked, {y.mean():.3f} right; log loss {loss:.3f};"
        f" shown at >= {threshold:.3f}: {shown.sum()} ({shown.sum() / asked:.3f} of questions), right {right:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--precision", type=float, default=0.8, help="answers shown must be right this often")
    parser.add_argument("--semantic", action="store_true")
    parser.add_argument("--per-article", type=int, default=0, help="ask only each article's first N questions")
    parser.add_argument("--examples", type=Path, help="keep the asked examples in this JSON file; reuse it if there")
    parser.add_argument("--measure", type=Path, help="also report the fitted model on this set (e.g. squad-sample)")
    args = parser.parse_args()
    if args.examples and args.examples.exists():  # refit (another --precision) without asking again
        saved = json.loads(args.examples.read_text())
        data = [tuple(x) for x in saved["examples"]]
        _readers.update(saved["readers"])
    else:
        data = examples(args.folder, args.semantic, args.per_article)
        if args.examples:
            args.examples.write_text(json.dumps({"examples": data, "readers": sorted(_readers)}))
    asked = {half: 0 for half in (0, 1)}
    seen: dict[str, int] = {}
    for line in (args.folder / "questions.jsonl").open():
        title = json.loads(line)["title"]
        seen[title] = seen.get(title, 0) + 1
        if not args.per_article or seen[title] <= args.per_article:
            asked[_half(args.folder, title)] += 1
    names = sorted(data[0][1])
    x = np.array([[f[k] for k in names] + [1.0] for _, f, _ in data])
    y = np.array([float(right) for _, _, right in data])
    even = np.array([n % 2 == 0 for n, _, _ in data])
    w = fit(x[even], y[even])
    p = 1 / (1 + np.exp(-x @ w))
    order = np.sort(p[even])[::-1]
    threshold = 1.0
    for t in order:  # the lowest threshold whose shown answers are right often enough
        if y[even][p[even] >= t].mean() >= args.precision:
            threshold = float(t)
    report("even (fitted)", p[even], y[even], asked[0], threshold)
    report("odd (held out)", p[~even], y[~even], asked[1], threshold)
    weights = {k: round(float(v), 4) for k, v in zip(names, w[:-1])}
    weights["bias"] = round(float(w[-1]), 4)
    if args.measure:
        other = examples(args.measure, args.semantic)
        xo = np.array([[f[k] for k in names] + [1.0] for _, f, _ in other])
        yo = np.array([float(right) for _, _, right in other])
        total = sum(1 for _ in (args.measure / "questions.jsonl").open())
        report(f"{args.measure.name} (measured only)", 1 / (1 + np.exp(-xo @ w)), yo, total, threshold)
    prefix = "READER" if _readers == {"model"} else "ANSWER"  # the learned reader's, or the rules'
    print(f"{prefix}_CONFIDENCE =", json.dumps(weights))
    print(f"{prefix}_SHOW_CONFIDENCE = {math.floor(threshold * 1000) / 1000}")


_readers: set[str] = set()  # who chose the answers seen: "rules", "model"


_titles: dict[Path, list[str]] = {}


def _half(folder: Path, title: str) -> int:
    """0 for the even articles of docs.jsonl, 1 for the odd ones."""
    if folder not in _titles:
        _titles[folder] = [json.loads(line)["title"] for line in (folder / "docs.jsonl").open()]
    return _titles[folder].index(title) % 2


if __name__ == "__main__":
    main()
