"""What askdoc's three ONNX models share: an onnxruntime session, and (question, sentence)
pairs padded into one batch. onnxruntime and numpy are imported only when a model is used."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def session(model_path: Path, threads: int) -> Any:
    """An onnxruntime session on the CPU with ``threads`` threads inside an operator and one
    across them."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])


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
