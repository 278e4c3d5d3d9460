"""Fine-tune the answer reader (a start/end head on the re-ranker's encoder) on SQuAD spans, on CPU, resumable.

Examples come from SQuAD v1.1 train rows that carry the answer text and where it starts in the
answer sentence (``squad_explorer_to_jsonl.py`` writes them): the question with its answer
sentence, target = the answer's first and last word piece; and, for a share of the questions,
the question with another sentence of its paragraph, the one sharing the most words with the
question that does not hold the answer, target = [CLS] ("no answer here"). The loss is the mean
of the start and end cross-entropies. Dev: articles with ``sha1(title) % 100 < 3`` (the
re-ranker's dev split), never trained on; each checkpoint reports span F1 on their answer
sentences and how often [CLS] wins on both kinds of pair.

    python training/train_reader.py --rows squad11_train.jsonl --init ckpt/best.pt --threads 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F
from loop import Progress, Run, log, optimizer_and_schedule, restore, resumed, save_checkpoint, train_epochs
from reader_model import SpanReader, from_checkpoint
from reranker_model import BertConfig, add_path_args, load_tokenizer, with_context

FIXED = (
    "rows",
    "epochs",
    "batch",
    "lr",
    "warmup",
    "weight_decay",
    "max_len",
    "seed",
    "negatives",
    "questions",
    "skip",
    "context",
)
MAX_ANSWER_TOKENS = 30
SEP_ID = 102  # bert-base-uncased's [SEP]
STOP = set(
    "the a an of in on at to for by with from and or is was were are be what which who when where how did do".split()
)


def words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", s.lower()) if w not in STOP}


def is_dev(title: str) -> bool:
    return int(hashlib.sha1(title.encode("utf-8")).hexdigest(), 16) % 100 < 3


def sentences_before(rows: list[dict]) -> dict[str, str]:
    """For each sentence of the rows' articles, the sentence before it in its article ("" for
    the first): paragraphs in first-seen order, as ``prepare_data.py`` lays an article out."""
    out: dict[str, str] = {}
    articles: dict[str, dict[tuple[str, ...], None]] = {}
    for r in rows:
        articles.setdefault(r["title"], {}).setdefault(tuple(r["sentences"]), None)
    for paragraphs in articles.values():
        previous = ""
        for sentence in (s for p in paragraphs for s in p):
            out.setdefault(sentence, previous)
            previous = sentence
    return out


def examples(
    rows: list[dict], negatives: float, rng: random.Random, stats: Counter, before: dict[str, str] | None = None
) -> list[dict]:
    """(question, sentence, answer's char span or None) for each usable row, plus the negatives.
    With ``before`` (:func:`sentences_before`), each example also carries the sentence before."""
    out = []
    for r in rows:
        k, at = r["answers"][0], r.get("answer_start", -1)
        if at < 0:
            stats["rows without a located answer"] += 1
            continue
        sentence = r["sentences"][k]
        out.append({"question": r["question"], "text": sentence, "span": [at, at + len(r["answer"])]})
        if before is not None:
            out[-1]["before"] = before.get(sentence, "")
        stats["positives"] += 1
        if rng.random() < negatives:
            qw = words(r["question"])
            others = [
                (len(qw & words(s)), rng.random(), s)
                for i, s in enumerate(r["sentences"])
                if i not in r["answers"] and r["answer"].lower() not in s.lower()
            ]
            if others:
                other = max(others)[2]
                out.append({"question": r["question"], "text": other, "span": None})
                if before is not None:
                    out[-1]["before"] = before.get(other, "")
                stats["negatives"] += 1
    return out


def encode(tok, batch: list[dict]) -> tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor, list]:
    """Padded ids, the target start and end token of each pair ([CLS] = 0 for none), and the encodings."""
    # "sentence [SEP] sentence before" when the examples carry it: the sentence comes first, so
    # the answer's character offsets are unchanged
    encs = tok.encode_batch([(e["question"], with_context(e["text"], e.get("before", ""))) for e in batch])
    width = max(len(e.ids) for e in encs)
    ids = torch.zeros((len(encs), width), dtype=torch.long)
    mask, types = torch.zeros_like(ids), torch.zeros_like(ids)
    starts, ends = torch.zeros(len(encs), dtype=torch.long), torch.zeros(len(encs), dtype=torch.long)
    for i, (enc, e) in enumerate(zip(encs, batch)):
        n = len(enc.ids)
        ids[i, :n], mask[i, :n], types[i, :n] = torch.tensor(enc.ids), 1, torch.tensor(enc.type_ids)
        if e["span"] is not None:
            s = enc.char_to_token(e["span"][0], 1)
            t = enc.char_to_token(e["span"][1] - 1, 1)
            if s is not None and t is not None and s <= t:
                starts[i], ends[i] = s, t
            else:
                starts[i], ends[i] = -100, -100  # cut off by truncation: no target
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}, starts, ends, encs


def best_span(start: list[float], end: list[float], segments: list[int], ids: list[int]) -> tuple[float, int, int]:
    """The best start..end within the sentence (segment 1, up to its first [SEP]: the sentence
    before, when given, follows it) and its score, start + end logit."""
    best = (-1e9, 0, 0)
    second = [i for i, s in enumerate(segments) if s == 1]
    sentence = second[: next((n for n, i in enumerate(second) if ids[i] == SEP_ID), len(second))]
    for i in sentence:
        for j in sentence:
            if i <= j < i + MAX_ANSWER_TOKENS and start[i] + end[j] > best[0]:
                best = (start[i] + end[j], i, j)
    return best


def f1(prediction: str, gold: str) -> float:
    p, g = prediction.lower().split(), gold.lower().split()
    common = sum((Counter(p) & Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


@torch.no_grad()
def evaluate(model: SpanReader, tok, dev: list[dict], batch: int = 32) -> dict[str, float]:
    """Span F1 and exact match on the answering pairs; how often [CLS] wins on each kind."""
    model.eval()
    scores = {"f1": 0.0, "em": 0.0, "null_on_answer": 0.0, "null_on_other": 0.0}
    n_pos = n_neg = 0
    for i in range(0, len(dev), batch):
        chunk = dev[i : i + batch]
        inputs, _, _, encs = encode(tok, chunk)
        starts, ends = model(**inputs)
        for e, enc, st, en in zip(chunk, encs, starts.tolist(), ends.tolist()):
            score, a, b = best_span(st, en, enc.type_ids, enc.ids)
            null = st[0] + en[0] > score
            if e["span"] is None:
                n_neg += 1
                scores["null_on_other"] += null
                continue
            n_pos += 1
            scores["null_on_answer"] += null
            text = e["text"][enc.offsets[a][0] : enc.offsets[b][1]]
            gold = e["text"][e["span"][0] : e["span"][1]]
            scores["f1"] += f1(text, gold)
            scores["em"] += text.lower().strip() == gold.lower().strip()
    model.train()
    return {
        "f1": scores["f1"] / max(1, n_pos),
        "em": scores["em"] / max(1, n_pos),
        "null_on_answer": scores["null_on_answer"] / max(1, n_pos),
        "null_on_other": scores["null_on_other"] / max(1, n_neg),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_path_args(ap)
    ap.add_argument("--rows", type=Path, required=True, help="SQuAD train rows with answer and answer_start")
    ap.add_argument(
        "--init",
        type=Path,
        default=None,
        help="re-ranker or reader checkpoint to start from (default WORK/ckpt/best.pt)",
    )
    ap.add_argument("--ckpt-dir", type=Path, default=None, help="default: WORK/reader-ckpt")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--questions", type=int, default=0, help="train on the first N usable questions (0: all)")
    ap.add_argument("--skip", type=int, default=0, help="leave out the first N train rows (an earlier run's)")
    ap.add_argument("--context", action="store_true", help="read each sentence with the sentence before it")
    ap.add_argument("--negatives", type=float, default=0.35, help="share of questions that add a no-answer pair")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ckpt-minutes", type=float, default=10.0)
    ap.add_argument("--dev-questions", type=int, default=300)
    ap.add_argument("--log-steps", type=int, default=20)
    ap.add_argument("--keep", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=0.0, help="wall-time budget: checkpoint and stop within it")
    args = ap.parse_args()
    run_start = time.monotonic()
    args.init = args.init or args.work / "ckpt" / "best.pt"
    args.ckpt_dir = args.ckpt_dir or args.work / "reader-ckpt"
    args.ckpt_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)

    state = resumed(args, FIXED)

    rows = [json.loads(line) for line in args.rows.open(encoding="utf-8") if line.strip()]
    stats: Counter = Counter()
    rng = random.Random(args.seed)
    dev_rows = [r for r in rows if is_dev(r["title"])]
    train_rows = [r for r in rows if not is_dev(r["title"])]
    train_rows = train_rows[args.skip :]
    if args.questions:
        train_rows = train_rows[: args.questions]
    before = sentences_before(rows) if args.context else None
    dev = examples(
        random.Random(args.seed).sample(dev_rows, min(args.dev_questions, len(dev_rows))), 1.0, rng, Counter(), before
    )
    train = examples(train_rows, args.negatives, rng, stats, before)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = max(1, int(total_steps * args.warmup))

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    tok = load_tokenizer(max_len=args.max_len)
    # a resumed run takes its weights from the checkpoint: the re-ranker it started from is not needed
    model = SpanReader(BertConfig(**state["config"])) if state is not None else from_checkpoint(args.init)
    optimizer, scheduler = optimizer_and_schedule(model, args, total_steps, warmup_steps)
    progress, best_f1 = Progress(), -1.0
    if state is not None:
        progress = restore(state, model, optimizer, scheduler)
        best_f1 = state.get("best_f1", -1.0)
    else:
        log(f"config {json.dumps({k: str(v) for k, v in vars(args).items()})}")
        log(f"train {len(train)} pairs ({dict(stats)}); dev {len(dev)} pairs from {len(dev_rows)} dev rows")
        log(f"{total_steps} steps ({steps_per_epoch} a epoch), warm-up {warmup_steps}")

    def checkpoint(reason: str) -> None:
        nonlocal best_f1
        t = time.monotonic()
        metrics = evaluate(model, tok, dev)
        better = metrics["f1"] > best_f1
        best_f1 = max(best_f1, metrics["f1"])
        path = save_checkpoint(
            args,
            model,
            optimizer,
            scheduler,
            progress.step,
            metrics,
            better,
            epoch=progress.epoch,
            position=progress.position,
            train_seconds=progress.train_seconds,
            best_f1=best_f1,
        )
        log(
            f"checkpoint {path.name} ({reason}): dev span f1 {metrics['f1']:.4f} em {metrics['em']:.4f} "
            f"null on answer {metrics['null_on_answer']:.3f} on other {metrics['null_on_other']:.3f} "
            f"(train {progress.train_seconds / 60:.1f} min, eval+save {time.monotonic() - t:.0f}s)"
            f"{' best' if better else ''}"
        )

    def loss_of(batch: list[dict]) -> tuple[torch.Tensor, int]:
        inputs, starts, ends, _ = encode(tok, batch)
        s_logits, e_logits = model(**inputs)
        loss = (
            F.cross_entropy(s_logits, starts, ignore_index=-100) + F.cross_entropy(e_logits, ends, ignore_index=-100)
        ) / 2
        return loss, len(batch)

    run = Run(model, optimizer, scheduler, progress, run_start, total_steps)
    if train_epochs(args, run, train, args.batch, loss_of, checkpoint, ckpt_cost=60.0):
        log(
            f"done: {progress.step} steps, {progress.train_seconds / 60:.1f} min of training; "
            f"best dev span f1 {best_f1:.4f}"
        )


if __name__ == "__main__":
    main()
