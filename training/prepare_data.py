"""Turn SelQA and SQuAD v1.1 train answer-sentence data into listwise training groups for the re-ranker.

Each group is one question, one answering sentence (first) and a few sentences that do not answer
it. Negatives come first from askdoc's own BM25 top 20, because the re-ranker will only ever see
askdoc's top hits: the confusions worth learning are the ones askdoc makes. Random others fill the rest.
With ``--semantic`` (SQuAD), askdoc ranks with its extra and trained models, so the negatives are the
shipped models' own confusions; a row with its answer's text never gets a negative holding it.

- SelQA (``SHARED/train/selqa``): askdoc ranks the question's Wikipedia section; negatives from it.
- SQuAD v1.1 train (``--squad FILE``, rows of question, sentences, answers, title): askdoc ranks the
  WHOLE article (all its paragraphs, one document, as the evaluation asks), negatives from the article.

Dev splits are by a hash of the article title (no article on both sides), for checkpoint selection:
``dev.jsonl`` (SQuAD's held-out articles when ``--squad`` is given, else SelQA's) and ``dev-selqa.jsonl``.
``SHARED/eval/`` is never read here.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from reranker_model import add_path_args

from askdoc import Document, Index

FILES = ("selqa-ass-dev.json", "selqa-ass-test.json")
SEP = "\n\n"  # candidates become paragraphs: askdoc's splitter then keeps nearly every one whole
BM25_TOP = 20
NEGATIVES = 7  # SelQA's default; --negatives sets it for both sources
POSITIVES = 2  # groups per question at most (a few questions have several answering sentences)


def is_dev(article: str, percent: int) -> bool:
    """Stable across runs and machines (not Python's salted ``hash``)."""
    return int(hashlib.sha1(article.encode("utf-8")).hexdigest(), 16) % 100 < percent


def askdoc_order(question: str, candidates: list[str]) -> list[int]:
    """Candidate indices in askdoc's ranking (its BM25 top 20 over the section), each once.

    Uses only askdoc's public API; an askdoc sentence maps to the candidate its start lies in
    (askdoc splits a few candidates in two; both halves name the same candidate).
    """
    starts, pos = [], 0
    for c in candidates:
        starts.append(pos)
        pos += len(c) + len(SEP)
    index = Index([Document("selqa", SEP.join(candidates))])
    index.use_semantic = False  # plain askdoc BM25, whatever extras the venv holds
    order: list[int] = []
    for e in index.ask(question, top=BM25_TOP).evidence:
        i = max(j for j, s in enumerate(starts) if s <= e.sentence.start)
        if i not in order:
            order.append(i)
    return order


def make_groups(
    q: dict, qid: str, rng: random.Random, positives: int, negatives_wanted: int = NEGATIVES
) -> tuple[list[dict], int]:
    """The question's groups, and how many askdoc-ranked (hard) negatives they hold."""
    cands: list[str] = q["candidates"]
    answers = sorted({a for a in q["answers"] if 0 <= a < len(cands)})
    if not answers:
        return [], 0
    answer_texts = {cands[a] for a in answers}
    order = askdoc_order(q["question"], cands)
    rank = {i: r for r, i in enumerate(order, 1)}
    hard = [i for i in order if i not in answers]
    rest = [i for i in range(len(cands)) if i not in answers and i not in rank]
    rng.shuffle(rest)
    negatives = [i for i in hard + rest if cands[i] not in answer_texts][:negatives_wanted]
    if not negatives:
        return [], 0
    groups = []
    for a in answers[:positives]:
        members = [a, *negatives]
        groups.append(
            {
                "qid": qid,
                "source": "selqa",
                "article": q["article"],
                "section": q["section"],
                "paraphrase": bool(q.get("is_paraphrase")),
                "question": q["question"],
                "texts": [cands[i] for i in members],  # the positive is texts[0]
                "contexts": [cands[i - 1] if i else "" for i in members],  # the sentence before each
                "askdoc_rank": [rank.get(i) for i in members],  # 1-based, None: not in askdoc's top 20
            }
        )
    return groups, sum(1 for i in negatives if i in rank)


def askdoc_acc1(groups: list[dict]) -> float:
    """Share of groups where askdoc ranks the positive above every negative (the baseline to beat)."""
    big = 10**9

    def wins(g: dict) -> bool:
        r = [x if x is not None else big for x in g["askdoc_rank"]]
        return r[0] < big and r[0] < min(r[1:])

    return sum(map(wins, groups)) / max(1, len(groups))


def pick_spread(by_article: dict[str, list[dict]], total: int, per_article: int, seed: int) -> list[dict]:
    """Up to ``total`` rows, round-robin over the articles (at most ``per_article`` each): many articles, few each."""
    queues = []
    for title in sorted(by_article, key=lambda t: hashlib.sha1(t.encode("utf-8")).hexdigest()):
        rows = list(by_article[title])
        random.Random(f"{seed}-{title}").shuffle(rows)
        queues.append(rows[:per_article])
    out: list[dict] = []
    for k in range(per_article):
        for rows in queues:
            if len(out) >= total:
                return out
            if k < len(rows):
                out.append(rows[k])
    return out


def squad_article_groups(
    title: str,
    rows: list[dict],
    chosen: list[dict],
    seed: int,
    negatives_wanted: int,
    stats: Counter,
    semantic: bool = False,
) -> list[dict]:
    """Groups for the chosen questions of one SQuAD article, ranked by askdoc over the whole article
    (``semantic``: with every model the venv's askdoc has, the trained ones too, so the negatives
    are the shipped models' own confusions; else BM25 alone).

    The article is its paragraphs (in first-seen order) joined by blank lines, each paragraph its
    sentences joined by spaces; the rows' sentences were split by askdoc's own splitter, so askdoc
    finds the same sentences again. An askdoc sentence maps to the row sentence its start lies in.
    """
    paragraphs: dict[tuple[str, ...], int] = {}
    for r in rows:
        paragraphs.setdefault(tuple(r["sentences"]), len(paragraphs))
    texts: list[str] = []  # every sentence of the article, in order
    starts: list[int] = []
    first: dict[int, int] = {}  # paragraph -> global index of its first sentence
    pos = 0
    for p, sents in enumerate(paragraphs):
        first[p] = len(texts)
        for s in sents:
            starts.append(pos)
            texts.append(s)
            pos += len(s) + 1
        pos += len(SEP) - 1
    document = SEP.join(" ".join(sents) for sents in paragraphs)
    index = Index([Document(title, document)])
    index.use_semantic = semantic
    groups = []
    for r in chosen:
        p = paragraphs[tuple(r["sentences"])]
        answers = sorted({first[p] + a for a in r["answers"] if 0 <= a < len(r["sentences"])})
        if not answers:
            stats["squad questions skipped (no answer)"] += 1
            continue
        answer_texts = {texts[a] for a in answers}
        # a row with its answer's text: a sentence holding that text is no negative (it may answer too)
        answer = (r.get("answer") or "").strip().lower()
        order: list[int] = []
        for e in index.ask(r["question"], top=BM25_TOP).evidence:
            i = bisect.bisect_right(starts, e.sentence.start) - 1
            stats["squad askdoc sentences seen"] += 1
            if e.sentence.text != texts[i]:
                stats["squad askdoc sentences not equal to a row sentence"] += 1
            if i not in order:
                order.append(i)
        rank = {i: k for k, i in enumerate(order, 1)}
        hard = [i for i in order if i not in answers]
        rest = [i for i in range(len(texts)) if i not in answers and i not in rank]
        random.Random(f"{seed}-{title}-{r['question']}").shuffle(rest)
        negatives = [
            i for i in hard + rest if texts[i] not in answer_texts and not (answer and answer in texts[i].lower())
        ][:negatives_wanted]
        if not negatives:
            stats["squad questions skipped (no negative)"] += 1
            continue
        stats["squad hard negatives"] += sum(1 for i in negatives if i in rank)
        stats["squad answer in askdoc top 20"] += int(answers[0] in rank)
        members = [answers[0], *negatives]
        groups.append(
            {
                "qid": f"squad-{hashlib.sha1((title + r['question']).encode('utf-8')).hexdigest()[:12]}",
                "source": "squad",
                "article": title,
                "section": p,
                "paraphrase": False,
                "question": r["question"],
                "texts": [texts[i] for i in members],  # the positive is texts[0]
                "contexts": [texts[i - 1] if i else "" for i in members],  # the sentence before each
                "askdoc_rank": [rank.get(i) for i in members],  # 1-based, None: not in askdoc's top 20
                "answer_located": r.get("answer_located"),
            }
        )
    return groups


def squad_groups(args, stats: Counter) -> dict[str, list[dict]]:
    """SQuAD train rows -> train groups (spread over articles) and held-out dev groups (by article)."""
    by_article: dict[str, list[dict]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    with args.squad.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            key = (r["title"], r["question"].strip().lower())
            if key in seen:
                stats["squad duplicate questions skipped"] += 1
                continue
            seen.add(key)
            by_article[r["title"]].append(r)
    sides = {"train": {}, "dev": {}}
    for title, rows in by_article.items():
        sides["dev" if is_dev(title, args.squad_dev_percent) else "train"][title] = rows
    chosen = {
        # --squad-skip: the spread's first N are left out (a later run trains on questions the
        # first did not see; the spread is the same order, so its first N are the earlier run's)
        "train": pick_spread(
            sides["train"], args.squad_skip + args.squad_questions, args.squad_per_article, args.seed
        )[args.squad_skip :],
        "dev": pick_spread(sides["dev"], args.squad_dev_questions, 10**9, args.seed),
    }
    out: dict[str, list[dict]] = {}
    for side in ("train", "dev"):
        stats[f"squad {side} articles available"] = len(sides[side])
        stats[f"squad {side} questions available"] = sum(map(len, sides[side].values()))
        per_title: dict[str, list[dict]] = defaultdict(list)
        for r in chosen[side]:
            per_title[r["title"]].append(r)
        groups: list[dict] = []
        t = time.monotonic()
        for title in sorted(per_title):
            groups += squad_article_groups(
                title, sides[side][title], per_title[title], args.seed, args.negatives, stats, args.semantic
            )
        stats[f"squad {side} questions"] = len(groups)
        stats[f"squad {side} articles"] = len(per_title)
        print(f"squad {side}: {len(groups)} groups from {len(per_title)} articles in {time.monotonic() - t:.0f}s")
        out[side] = groups
    return out


def write_groups(path: Path, groups: list[dict], stats: Counter, name: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        for g in groups:
            f.write(json.dumps(g, ensure_ascii=False) + "\n")
    stats[f"{name} groups"] = len(groups)
    stats[f"{name} pairs"] = sum(len(g["texts"]) for g in groups)
    stats[f"{name} articles"] = len({(g["source"], g["article"]) for g in groups})
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_path_args(ap)
    ap.add_argument("--out", type=Path, default=None, help="default: WORK/data")
    ap.add_argument("--dev-percent", type=int, default=10, help="share of SelQA articles held out")
    ap.add_argument("--negatives", type=int, default=NEGATIVES, help="negatives a group (both sources)")
    ap.add_argument("--no-selqa", action="store_true", help="SQuAD only")
    ap.add_argument("--squad", type=Path, default=None, help="SQuAD v1.1 train rows (jsonl: question, sentences, ...)")
    ap.add_argument("--squad-questions", type=int, default=9000, help="SQuAD train questions taken")
    ap.add_argument("--squad-per-article", type=int, default=40, help="at most this many a SQuAD train article")
    ap.add_argument(
        "--squad-skip", type=int, default=0, help="leave out the spread's first N (those an earlier run trained on)"
    )
    ap.add_argument("--squad-dev-percent", type=int, default=3, help="share of SQuAD articles held out")
    ap.add_argument("--squad-dev-questions", type=int, default=300, help="cap on SQuAD dev questions")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--semantic",
        action="store_true",
        help="SQuAD negatives from askdoc with its semantic extra and trained models (run in a venv that has them)",
    )
    args = ap.parse_args()
    out_dir = args.out or args.work / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    selqa_dir = args.shared / "train" / "selqa"

    split: dict[str, list[dict]] = {"train": [], "dev": []}
    stats: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for name in () if args.no_selqa else FILES:
        for n, q in enumerate(json.loads((selqa_dir / name).read_text(encoding="utf-8"))):
            key = (q["article"], q["question"].strip().lower())
            if key in seen:  # the same question twice would count twice
                stats["selqa duplicate questions skipped"] += 1
                continue
            seen.add(key)
            side = "dev" if is_dev(q["article"], args.dev_percent) else "train"
            qid = f"{name.split('-')[-1].split('.')[0]}-{n}"
            rng = random.Random(f"{args.seed}-{qid}")
            groups, hard = make_groups(q, qid, rng, POSITIVES if side == "train" else 1, args.negatives)
            if not groups:
                stats[f"selqa {side} questions skipped (no answer or no negative)"] += 1
                continue
            stats[f"selqa {side} questions"] += 1
            stats[f"selqa {side} hard negatives"] += hard * len(groups)
            split[side].extend(groups)
    selqa_train = {(g["article"], g["section"]) for g in split["train"]}
    assert not selqa_train & {(g["article"], g["section"]) for g in split["dev"]}, "a section on both sides"
    stats["selqa train groups"] = len(split["train"])
    selqa_dev = split["dev"]
    dev = selqa_dev
    if args.squad:
        squad = squad_groups(args, stats)
        split["train"] += squad["train"]
        dev = squad["dev"]
        assert not {g["article"] for g in squad["train"]} & {g["article"] for g in dev}, "an article on both sides"
        stats["squad dev askdoc Acc@1 within groups"] = round(askdoc_acc1(dev), 4)
    write_groups(out_dir / "train.jsonl", split["train"], stats, "train")
    write_groups(out_dir / "dev.jsonl", dev, stats, "dev")
    write_groups(out_dir / "dev-selqa.jsonl", selqa_dev, stats, "dev-selqa")
    meta: dict = dict(sorted(stats.items()))
    meta["selqa dev askdoc Acc@1 within groups"] = round(askdoc_acc1(selqa_dev), 4)
    meta["sources"] = [] if args.no_selqa else ["SelQA ass/ (Apache-2.0), github.com/emorynlp/selqa @ fef3d6ac"]
    if args.squad:
        meta["sources"].append(
            "SQuAD v1.1 train (CC BY-SA 4.0, Rajpurkar et al. 2016), rajpurkar/SQuAD-explorer @ 13f82e35"
        )
    meta["split"] = (
        f"SelQA: sha1(article) % 100 < {args.dev_percent} -> dev-selqa.jsonl; "
        f"SQuAD: sha1(title) % 100 < {args.squad_dev_percent} -> dev.jsonl (at most {args.squad_dev_questions})"
    )
    meta["negatives"] = args.negatives
    meta["command"] = " ".join(sys.argv[1:])
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    for k, v in meta.items():
        print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
