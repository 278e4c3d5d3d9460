"""What askdoc's three ONNX models share: an onnxruntime session, one instance of each model a
process (:func:`shared`), made ahead while the documents are read (:func:`preload`), and
their inputs run shortest first in short runs, each padded to its own longest
(:func:`padded_runs`). onnxruntime and numpy are imported only when a model is used."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np


# Measured on a 2-core Xeon (200 sentences of 220 characters; 20 question-sentence pairs), as
# one thread / two spinning / two not spinning: idle 1.35 / 0.77 / 0.80 s and 115 / 61 / 63 ms;
# with one busy process beside it 1.34 / 1.74 / 1.16 s; with two 1.87 / 2.01 / 1.47 s and
# 162 / 202 / 129 ms. So every core, and threads that sleep while they wait: spinning threads
# fight whatever else runs on the cores.
MAX_THREADS = 4
# Pairs a model run takes at most (:func:`padded_runs`): fewer runs pad more, more runs cost more
# calls; 20 pairs in 1 / 2 / 3 / 4 / 6 runs took 86 / 63 / 58 / 58 / 59 ms (2 cores).
PAIRS_A_RUN = 7

T = TypeVar("T")
_MAKING = threading.RLock()  # held while a model is made: a thread that asks for one waits


def shared(make: Callable[[], T]) -> Callable[[], T]:
    """``make`` made once a process, on first use, whichever thread asks first."""
    once = functools.lru_cache(maxsize=1)(make)

    @functools.wraps(make)
    def model() -> T:
        with _MAKING:
            return once()

    return model


def preload(*models: Callable[[], object]) -> threading.Thread:
    """Make ``models`` (:func:`shared` getters) in a thread of their own, while this one reads and
    splits the documents: onnxruntime builds a session without holding the GIL, so on two cores
    the two overlap (the first question about a new 34 KB article: 1.55 -> 1.26 s). Whatever the
    models import must be imported already (two threads importing can deadlock). An error is left
    for the caller to meet when it asks for the model; a question that needs no model waits for
    the thread at exit (it is not a daemon: onnxruntime must not be cut off mid-load)."""

    def make() -> None:
        with _MAKING:
            for model in models:
                try:
                    model()
                except Exception:  # noqa: BLE001 - asked for again, it raises where it is handled
                    return

    thread = threading.Thread(target=make, name="askdoc-models")
    thread.start()
    return thread


def threads() -> int:
    """Threads a model runs on: the cores this process may use, at most ``MAX_THREADS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


def session(model_path: Path, count: int | None = None) -> Any:
    """An onnxruntime session on the CPU with ``count`` threads (default :func:`threads`) inside an
    operator, one across them, and no spin-waiting."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = count or threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])


def padded_runs(
    pairs: Sequence[tuple[list[int], list[int]]], pad: int, most: int = PAIRS_A_RUN
) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """(ids, segments) pairs, shortest first, in runs of at most ``most`` (and of even size: 20
    at 7 -> 7, 7, 6), each padded only to its own longest: for each run, where its pairs are in
    ``pairs``, and the model's inputs. A question's 20 candidates are 60 pieces long on average
    but were padded to 105 together (re-ranking 86 -> 58 ms a question on 2 cores)."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]))
    if not order:
        return
    size = -(-len(order) // -(-len(order) // most))
    for lo in range(0, len(order), size):
        chosen = order[lo : lo + size]
        yield chosen, pair_inputs([pairs[i] for i in chosen], pad)


def run_pairs(session: Any, pairs: Sequence[tuple[list[int], list[int]]], pad: int) -> list[list[np.ndarray]]:
    """A pair model's outputs for (ids, segments) pairs (at least one), run as :func:`padded_runs`:
    each output as one row a pair, in the pairs' order."""
    outputs: list[list[Any]] = []
    for chosen, inputs in padded_runs(pairs, pad):
        results = session.run(None, inputs)
        outputs = outputs or [[None] * len(pairs) for _ in results]
        for output, result in zip(outputs, results):
            for i, row in zip(chosen, result):
                output[i] = row
    return outputs


def pair_inputs(pairs: Sequence[tuple[list[int], list[int]]], pad: int) -> dict[str, np.ndarray]:
    """A cross-encoder's inputs for (ids, segments) pairs: padded to the longest, masked."""
    import numpy as np

    width = max(len(ids) for ids, _ in pairs)
    ids = np.full((len(pairs), width), pad, np.int64)
    types = np.zeros((len(pairs), width), np.int64)
    mask = np.zeros((len(pairs), width), np.int64)
    for r, (row, segments) in enumerate(pairs):
        ids[r, : len(row)] = row
        types[r, : len(row)] = segments
        mask[r, : len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
