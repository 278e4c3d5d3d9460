"""Fine-tune the MiniLM cross-encoder on the prepared groups, on CPU, resumable.

Listwise softmax cross-entropy over each group (the positive against its askdoc-chosen
negatives) teaches exactly what re-ranking needs: order within one question's candidates, not
calibrated probabilities. Checkpoints hold model, optimizer, scheduler, RNG and data position,
so a run killed at the end of a session continues with ``--resume`` on the same batch order.
``--max-minutes`` bounds a run's wall time: it checkpoints and stops before the budget runs out.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from loop import Progress, Run, log, optimizer_and_schedule, restore, resumed, save_checkpoint, train_epochs
from reranker_model import (
    MAX_LEN,
    CrossEncoder,
    add_path_args,
    encode_pairs,
    load_base,
    load_tokenizer,
    pair_texts,
)

# What a resumed run takes from its checkpoint, whatever the command line says: changing any of
# these half-way would make the run neither the old one nor a new one.
FIXED = ("data", "epochs", "groups_per_step", "lr", "warmup", "weight_decay", "max_len", "seed")


def read_groups(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def group_scores(model: CrossEncoder, tok, groups: list[dict]) -> torch.Tensor:
    """Scores as a (groups, longest group) matrix; missing members are -inf so softmax ignores them."""
    questions = [g["question"] for g in groups for _ in g["texts"]]
    # groups made with contexts (prepare_data.py) train a model that reads the sentence before too
    texts = [t for g in groups for t in pair_texts(g)]
    flat = model(**encode_pairs(tok, questions, texts))
    width = max(len(g["texts"]) for g in groups)
    out = torch.full((len(groups), width), float("-inf"))
    pos = 0
    for i, g in enumerate(groups):
        n = len(g["texts"])
        out[i, :n] = flat[pos : pos + n]
        pos += n
    return out


@torch.no_grad()
def evaluate(model: CrossEncoder, tok, groups: list[dict], batch_pairs: int = 64) -> dict[str, float]:
    """Acc@1 and MRR of the positive when the model re-ranks each dev group (also for paraphrased questions)."""
    model.eval()
    ranks: list[int] = []
    batch: list[dict] = []

    def flush() -> None:
        scores = group_scores(model, tok, batch)
        ranks.extend(int((row[1:] >= row[0]).sum()) + 1 for row in scores)  # ties count against the model
        batch.clear()

    for g in groups:
        batch.append(g)
        if sum(len(b["texts"]) for b in batch) >= batch_pairs:
            flush()
    if batch:
        flush()
    para = [r for r, g in zip(ranks, groups) if g.get("paraphrase")]
    return {
        "acc1": sum(r == 1 for r in ranks) / len(ranks),
        "mrr": sum(1 / r for r in ranks) / len(ranks),
        "acc1_paraphrase": sum(r == 1 for r in para) / max(1, len(para)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_path_args(ap)
    ap.add_argument("--data", type=Path, default=None, help="default: WORK/data")
    ap.add_argument("--ckpt-dir", type=Path, default=None, help="default: WORK/ckpt")
    ap.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --ckpt-dir")
    ap.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from this checkpoint's weights (e.g. an earlier run's best.pt), with a new optimizer and schedule",
    )
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--groups-per-step", type=int, default=4, help="groups (1 positive + up to 7 negatives) a step")
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--warmup", type=float, default=0.1, help="share of steps with a rising learning rate")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--max-len", type=int, default=MAX_LEN)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    ap.add_argument("--ckpt-minutes", type=float, default=10.0, help="checkpoint after this much training time")
    ap.add_argument("--ckpt-steps", type=int, default=0, help="also checkpoint every N steps (0: off)")
    ap.add_argument("--log-steps", type=int, default=10, help="a log line every N steps")
    ap.add_argument("--keep", type=int, default=2, help="step checkpoints kept (best.pt is kept apart)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps in this run (smoke tests)")
    ap.add_argument("--dev-limit", type=int, default=300, help="evaluate on the first N dev groups only (0: all)")
    ap.add_argument(
        "--extra-dev",
        default="dev-selqa.jsonl",
        help="a second dev file in --data, reported at each checkpoint but not used to pick best.pt ('' : none)",
    )
    ap.add_argument("--extra-dev-limit", type=int, default=100, help="its first N groups only (0: all)")
    ap.add_argument(
        "--max-minutes", type=float, default=0.0, help="wall-time budget of this run: checkpoint and stop within it"
    )
    args = ap.parse_args()
    run_start = time.monotonic()
    args.data = args.data or args.work / "data"
    args.ckpt_dir = args.ckpt_dir or args.work / "ckpt"
    torch.set_num_threads(args.threads)
    args.ckpt_dir.mkdir(parents=True, exist_ok=True)

    state = resumed(args, FIXED)

    train = read_groups(args.data / "train.jsonl")
    dev = read_groups(args.data / "dev.jsonl")
    if args.dev_limit:
        dev = dev[: args.dev_limit]
    extra_dev: list[dict] = []
    if args.extra_dev and (args.data / args.extra_dev).exists():
        extra_dev = read_groups(args.data / args.extra_dev)
        if args.extra_dev_limit:
            extra_dev = extra_dev[: args.extra_dev_limit]
    steps_per_epoch = math.ceil(len(train) / args.groups_per_step)
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = max(1, int(total_steps * args.warmup))

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    tok = load_tokenizer(max_len=args.max_len)
    model = load_base()
    optimizer, scheduler = optimizer_and_schedule(model, args, total_steps, warmup_steps)
    progress, best_mrr = Progress(), -1.0
    if state is not None:
        progress = restore(state, model, optimizer, scheduler)
        best_mrr = state.get("best_mrr", -1.0)
    else:
        if args.init:
            model.load_state_dict(torch.load(args.init, map_location="cpu", weights_only=False)["model"])
        log(f"config {json.dumps({k: str(v) for k, v in vars(args).items()})}")
        log(
            f"train {len(train)} groups, {sum(len(g['texts']) for g in train)} pairs; dev {len(dev)} groups"
            f" (+ {len(extra_dev)} {args.extra_dev} groups, reported only)"
        )
        log(f"{total_steps} steps ({steps_per_epoch} a epoch), warm-up {warmup_steps}")

    def checkpoint(reason: str) -> None:
        nonlocal best_mrr
        t = time.monotonic()
        metrics = evaluate(model, tok, dev)
        if extra_dev:
            metrics.update({f"extra_{k}": v for k, v in evaluate(model, tok, extra_dev).items()})
        best_mrr_before = best_mrr
        best_mrr = max(best_mrr, metrics["mrr"])
        path = save_checkpoint(
            args,
            model,
            optimizer,
            scheduler,
            progress.step,
            metrics,
            metrics["mrr"] > best_mrr_before,
            epoch=progress.epoch,
            position=progress.position,
            train_seconds=progress.train_seconds,
            best_mrr=best_mrr,
        )
        extra = (
            f"; {args.extra_dev} acc@1 {metrics['extra_acc1']:.4f} mrr {metrics['extra_mrr']:.4f}" if extra_dev else ""
        )
        log(
            f"checkpoint {path.name} ({reason}): dev acc@1 {metrics['acc1']:.4f} mrr {metrics['mrr']:.4f} "
            f"paraphrase acc@1 {metrics['acc1_paraphrase']:.4f}{extra} (train {progress.train_seconds / 60:.1f} min, "
            f"eval+save {time.monotonic() - t:.0f}s){' best' if metrics['mrr'] > best_mrr_before else ''}"
        )

    if args.init and state is None:
        # best.pt must beat where the run started, or the run made nothing better to export
        start = evaluate(model, tok, dev)
        best_mrr = start["mrr"]
        log(f"--init {args.init}: dev acc@1 {start['acc1']:.4f} mrr {start['mrr']:.4f} before training")

    def loss_of(groups: list[dict]) -> tuple[torch.Tensor, int]:
        scores = group_scores(model, tok, groups)
        return F.cross_entropy(scores, torch.zeros(len(groups), dtype=torch.long)), sum(len(g["texts"]) for g in groups)

    run = Run(model, optimizer, scheduler, progress, run_start, total_steps)
    if train_epochs(args, run, train, args.groups_per_step, loss_of, checkpoint):
        log(
            f"done: {progress.step} steps, {progress.train_seconds / 60:.1f} min of training; "
            f"best dev mrr {best_mrr:.4f} (ckpt/best.pt)"
        )


if __name__ == "__main__":
    main()
