"""The training loop both models share: fixed shuffles per epoch (so a resumed run takes the same
batches), a log line every few steps, and a checkpoint every few minutes of training, on a
signal, at the end of each epoch, and before the run's wall-time budget (``--max-minutes``)
would be overrun. What differs between the models is the loss of a batch and what a checkpoint
measures: :func:`train_epochs` takes both as functions. Also shared: the optimizer and its
schedule, and checkpoints (:func:`save_checkpoint`, and :func:`resumed` and :func:`restore` for
``--resume``)."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch


@dataclass
class Progress:
    """Where a run stands: what a checkpoint saves and a resumed run starts from."""

    step: int = 0
    epoch: int = 0
    position: int = 0  # examples of this epoch's shuffle already trained on
    train_seconds: float = 0.0


@dataclass
class Run:
    """What one training run works on: the model, its optimizer and schedule, where it stands,
    when this process started (for ``--max-minutes``) and how many steps its schedule spans."""

    model: torch.nn.Module
    optimizer: Any
    scheduler: Any
    progress: Progress
    started: float
    total_steps: int


def log(msg: str) -> None:
    print(time.strftime("%Y-%m-%d %H:%M:%S ") + msg, flush=True)


def optimizer_and_schedule(model: torch.nn.Module, args, total_steps: int, warmup_steps: int):
    """AdamW (no weight decay on biases and LayerNorms) and a linear warm-up, then a linear
    decay to 0 at the last step: the schedule both models train with."""
    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim > 1 and "LayerNorm" not in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr
    )

    def lr_factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)


def checkpoints(ckpt_dir: Path) -> list[Path]:
    return sorted(ckpt_dir.glob("step-*.pt"))


def save(path: Path, state: dict) -> None:
    """Write to a temporary name first: a kill mid-write never leaves a broken latest checkpoint."""
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def save_checkpoint(args, model, optimizer, scheduler, step: int, metrics: dict, is_best: bool, **progress) -> Path:
    """Write ``step-NNNNNN.pt`` (all a resumed run needs: weights, optimizer, schedule, RNG,
    ``progress`` such as epoch and position), ``best.pt`` when ``is_best`` (the model only:
    what export needs, a third of the size), and keep only the last ``args.keep`` steps."""
    path = args.ckpt_dir / f"step-{step:06d}.pt"
    save(
        path,
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "step": step,
            **progress,
            "dev": metrics,
            "torch_rng": torch.get_rng_state(),
            "python_rng": random.getstate(),
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "config": model.config.__dict__,
        },
    )
    if is_best:
        best = {"model": model.state_dict(), "step": step, "dev": metrics, "max_len": args.max_len}
        save(args.ckpt_dir / "best.pt", {**best, "config": model.config.__dict__})
    for old in checkpoints(args.ckpt_dir)[: -args.keep]:
        old.unlink()
    return path


def resumed(args, fixed: Sequence[str]) -> dict | None:
    """With ``--resume``, the latest step checkpoint in ``args.ckpt_dir``, whose values of the
    ``fixed`` arguments replace the command line's (changing them half-way would make the run
    neither the old one nor a new one); else None."""
    if not args.resume:
        return None
    found = checkpoints(args.ckpt_dir)
    if not found:
        raise SystemExit(f"--resume: no step-*.pt in {args.ckpt_dir}")
    state = torch.load(found[-1], map_location="cpu", weights_only=False)
    for k in fixed:
        setattr(args, k, type(getattr(args, k))(state["args"][k]))
    log(f"resuming from {found[-1]} (step {state['step']}, epoch {state['epoch']}, position {state['position']})")
    return state


def restore(state: dict, model: torch.nn.Module, optimizer, scheduler) -> Progress:
    """Put a checkpoint's weights, optimizer, schedule and random state back; where it stood."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    random.setstate(state["python_rng"])
    return Progress(state["step"], state["epoch"], state["position"], state["train_seconds"])


def train_epochs(
    args,
    run: Run,
    train: Sequence[dict],
    batch_size: int,
    loss_of: Callable[[list[dict]], tuple[torch.Tensor, int]],
    checkpoint: Callable[[str], None],
    ckpt_cost: float = 120.0,
) -> bool:
    """Train until ``args.epochs`` are done (True) or the run must stop (False: a signal, the
    time budget or ``--max-steps``; it has checkpointed). ``loss_of(batch)`` gives the batch's
    loss and how many pairs it held; ``checkpoint(reason)`` evaluates and saves. ``ckpt_cost``:
    the seconds a checkpoint is expected to take, until one has been timed."""
    model, optimizer, scheduler, progress = run.model, run.optimizer, run.scheduler, run.progress
    stop: dict[str, int | None] = {"signal": None}

    def on_signal(signum: int, _frame) -> None:
        stop["signal"] = signum  # finish the step, checkpoint, exit

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def timed_checkpoint(reason: str) -> None:
        nonlocal ckpt_cost
        started = time.monotonic()
        checkpoint(reason)
        ckpt_cost = time.monotonic() - started

    model.train()
    window_loss, window_pairs, window_steps, window_t = 0.0, 0, 0, time.monotonic()
    since_ckpt = 0.0
    run_steps = 0
    while progress.epoch < args.epochs:
        order = list(range(len(train)))
        random.Random(args.seed + progress.epoch).shuffle(order)  # the same order on resume
        while progress.position < len(order):
            batch = [train[i] for i in order[progress.position : progress.position + batch_size]]
            t0 = time.monotonic()
            loss, pairs = loss_of(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            dt = time.monotonic() - t0
            progress.step += 1
            progress.position += len(batch)
            progress.train_seconds += dt
            run_steps += 1
            since_ckpt += dt
            window_loss += loss.item()
            window_pairs += pairs
            window_steps += 1
            if progress.step % args.log_steps == 0:
                wall = time.monotonic() - window_t
                log(
                    f"step {progress.step}/{run.total_steps} epoch {progress.epoch} "
                    f"loss {window_loss / window_steps:.4f} lr {scheduler.get_last_lr()[0]:.2e} "
                    f"{window_pairs / wall:.1f} pairs/s"
                )
                window_loss, window_pairs, window_steps, window_t = 0.0, 0, 0, time.monotonic()
            if progress.position >= len(order):
                progress.epoch, progress.position = progress.epoch + 1, 0
                break
            every = getattr(args, "ckpt_steps", 0)
            due = since_ckpt >= args.ckpt_minutes * 60 or bool(every and progress.step % every == 0)
            # Stop while one more step (at the last window's pace) and a checkpoint still fit in the budget.
            needed = time.monotonic() - run.started + ckpt_cost * 1.2 + dt * 1.5 + 5
            over = bool(args.max_minutes) and needed >= args.max_minutes * 60
            finish = stop["signal"] or over or (args.max_steps and run_steps >= args.max_steps)
            if due or finish:
                timed_checkpoint("signal" if stop["signal"] else "time budget" if over else "time/steps")
                model.train()
                since_ckpt = 0.0
                window_loss, window_pairs, window_steps, window_t = 0.0, 0, 0, time.monotonic()
                if finish:
                    log(f"stopped at step {progress.step}; continue with --resume")
                    return False
        timed_checkpoint(f"end of epoch {progress.epoch}")
        model.train()
        since_ckpt = 0.0
        window_loss, window_pairs, window_steps, window_t = 0.0, 0, 0, time.monotonic()
    return True
