"""The learned re-ranker: a cross-encoder askdoc trains itself (``training/``), as int8 ONNX.

A bi-encoder (:mod:`.encoder`) embeds the question and each sentence apart; a cross-encoder
reads them together, "question [SEP] sentence", and scores how well the sentence answers.
It is slower (one model run per pair), so it re-ranks only the top ``LEARNED_DEPTH`` hits,
and its score is fused with the score they came with: ``w`` x min-max(earlier) + (1 - ``w``)
x min-max(model), where ``w`` falls when BM25's best sentence matched little of the question
(the model knows meaning; BM25 knows words). The model card is docs/reranker.md.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from ... import tuning
from ...index.retriever import Hit
from ..context import RankContext, sentence_before
from . import runtime, tokenizer

MODEL = Path(__file__).parents[2] / "data" / "reranker-int8.onnx"
# Does the model read a sentence with the sentence before it ("question [SEP] sentence [SEP]
# sentence before")? The shipped file was trained so (docs/reranker.md): SQuAD's questions were
# written on paragraphs, and a sentence that answers often names its subject only as "it".
READS_BEFORE = True
# The pairs the model was trained on were cut to this many word pieces.
MAX_TOKENS = 128


def available() -> bool:
    """Is the model shipped here, and onnxruntime installed to run it?"""
    return MODEL.is_file() and all(importlib.util.find_spec(m) is not None for m in ("numpy", "onnxruntime"))


class CrossEncoder:
    """Scores (question, sentence) pairs: higher is a better answer. Scores are not probabilities."""

    def __init__(self, model_path: Path = MODEL, threads: int | None = None) -> None:
        self.tokenizer = tokenizer.load()
        self._session = runtime.session(model_path, threads)

    def score(self, question: str, sentences: Sequence[str], before: Sequence[str] = ()) -> list[float]:
        """One score per sentence; ``before``: the sentence before each ("" at a document's start)."""
        import numpy as np

        if not sentences:
            return []
        before = before or [""] * len(sentences)
        pairs = [self.tokenizer.encode_pair(question, s, MAX_TOKENS, b) for s, b in zip(sentences, before)]
        (scores,) = runtime.run_pairs(self._session, pairs, self.tokenizer.pad)
        return [float(np.asarray(x).reshape(-1)[0]) for x in scores]


@runtime.shared
def cross_encoder() -> CrossEncoder:
    """The one cross-encoder of this process, loaded on first use."""
    return CrossEncoder()


class LearnedReranker:
    """A re-rank stage (see :mod:`askdoc.rank.stages`): the cross-encoder over the top hits."""

    name = "learned"

    def __init__(self, model: CrossEncoder | None = None) -> None:
        self._model = model

    @property
    def depth(self) -> int:
        """How many hits it re-ranks (the stages before it must hand on at least this many)."""
        return tuning.LEARNED_DEPTH

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> list[Hit]:
        if len(hits) < 2:
            return list(hits)
        model = self._model or cross_encoder()
        head, rest = hits[: self.depth], hits[self.depth :]
        sentences = [ctx.sentence(h.sid) for h in head]
        before = [sentence_before(ctx.sentence, h.sid, s) for h, s in zip(head, sentences)] if READS_BEFORE else []
        learned = model.score(ctx.question.text, [s.text for s in sentences], before)
        weight = fusion_weight(ctx.coverage(hits[0].sid))
        lo = min(h.score for h in head)
        span = max(h.score for h in head) - lo or 1.0  # min-max over the head; all equal: 0
        mine = _minmax(learned)
        fused = [Hit(h.sid, weight * ((h.score - lo) / span) + (1 - weight) * m) for h, m in zip(head, mine)]
        fused.sort(key=lambda h: (-h.score, h.sid))
        # Below the re-ranked head, the order stays, on the same scale (at or below 0).
        return [*fused, *(Hit(h.sid, weight * (h.score - lo) / span) for h in rest)]


def fusion_weight(coverage: float) -> float:
    """The earlier score's share of the fusion, given how much of the question the best
    sentence matched: the fewer of its words matched, the more the model is trusted."""
    full = tuning.LEARNED_FULL_COVERAGE
    return tuning.LEARNED_WEIGHT * (min(1.0, coverage / full) if full > 0 else 1.0)


def _minmax(values: Sequence[float]) -> list[float]:
    lo, hi = min(values), max(values)
    return [(v - lo) / (hi - lo) if hi > lo else 0.0 for v in values]
