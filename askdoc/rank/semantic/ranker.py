"""The semantic re-rank stage: BM25 blended with the cosine of sentence embeddings.

Neither score is good alone, and they are on different scales, so :func:`blend` min-max
normalises each over all the sentences and adds them, ``SEMANTIC_BM25_WEIGHT`` for BM25 and
the rest for the cosine. Candidates: BM25's top ``SEMANTIC_POOL`` and the cosine's top
``SEMANTIC_POOL`` over every sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from ... import tuning
from ...index.retriever import Hit
from ..context import RankContext

if TYPE_CHECKING:
    import numpy as np

def bm25_weight(coverage: float) -> float:
    """BM25's share of the blend, given how much of the question BM25's best sentence covers."""
    return tuning.SEMANTIC_BM25_WEIGHT * min(1.0, coverage / tuning.SEMANTIC_FULL_COVERAGE)


def blend(
    bm25: Mapping[int, float],
    cosine: Mapping[int, float],
    bm25_floor: float,
    cosine_floor: float,
    weight: float | None = None,
) -> dict[int, float]:
    """``weight`` x BM25 + (1 - weight) x cosine, each min-max normalised over every sentence.

    The floors are the lowest score any sentence gets: for BM25, that of a sentence sharing
    no word with the question (BM25Plus gives it delta x IDF per term); for the cosine, the
    least similar sentence's. The tops are the best candidates', which are the best of all.
    Normalising over the candidates alone would stretch a few nearly equal BM25 scores (five
    sentences sharing one common word) to the whole range from 0 to 1, and let them outvote
    the cosine; over every sentence, a sentence's blended score does not depend on the pool.
    Candidates missing from ``bm25`` score its floor; ``cosine`` must hold every candidate.
    """
    if not cosine:
        return {}
    if weight is None:
        weight = tuning.SEMANTIC_BM25_WEIGHT
    b = _scaler(bm25_floor, max(bm25.values(), default=bm25_floor))
    c = _scaler(cosine_floor, max(cosine.values()))
    return {i: weight * b(bm25.get(i, bm25_floor)) + (1 - weight) * c(v) for i, v in cosine.items()}


def _scaler(low: float, high: float) -> Callable[[float], float]:
    """Min-max to [0, 1]; when every sentence ties, the score says nothing and adds 0."""
    span = high - low
    return (lambda v: (v - low) / span) if span > 0 else (lambda v: 0.0)


class SemanticRanker:
    """Re-ranks BM25's hits with the cosine of sentence embeddings to the question: a re-rank
    stage (see :mod:`askdoc.rank.stages`), and the first one, since it reads BM25's own scores."""

    name = "semantic"

    def __init__(self, embeddings: np.ndarray, encode: Callable[[Sequence[str]], np.ndarray] | None = None):
        self.embeddings = embeddings
        if encode is None:
            from .encoder import encoder

            encode = encoder().embed
        self._encode = encode

    def embed_questions(self, questions: Sequence[str]) -> np.ndarray:
        """The questions' embeddings, made together (about 1.5 times as fast as one by one)."""
        return self._encode(list(questions))

    def rank(
        self,
        question: str,
        bm25: Sequence[tuple[int, float]],
        k: int,
        floor: float,
        weight: float | None = None,
        pool: int | None = None,
        vector: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, float]], float]:
        """The top ``k`` (sentence id, blended score), best first (ties keep document order),
        and the best cosine of any sentence with the question (for abstaining).

        ``bm25`` is BM25's ranking, best first (at least its top ``pool``), and ``floor``
        what a sentence sharing no word with the question scores (:func:`bm25_floor`).
        Candidates: BM25's top ``pool`` and the ``pool`` sentences nearest the question.
        ``vector`` is the question's embedding if already made: a batch of questions embeds
        about 1.5 times as fast together as one by one."""
        import numpy as np

        if not len(self.embeddings):
            return [], 0.0
        pool = max(tuning.SEMANTIC_POOL if pool is None else pool, k)
        cos = self.embeddings @ (self._encode([question])[0] if vector is None else vector)
        nearest = np.argpartition(-cos, pool)[:pool] if len(cos) > pool else np.arange(len(cos))
        lexical = dict(bm25[:pool])
        candidates = {sid: float(cos[sid]) for sid in [*nearest.tolist(), *lexical]}
        scores = blend(lexical, candidates, floor, float(cos.min()), weight)
        return sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k], float(cos.max())



    @property
    def depth(self) -> int:
        """How many of BM25's hits to hand this stage."""
        return tuning.SEMANTIC_POOL

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> list[Hit]:
        """BM25's hits blended with meaning; BM25 weighs less when its best sentence matches
        little of the question. Tells ``ctx`` the best cosine, for abstaining."""
        weight = bm25_weight(ctx.coverage(hits[0].sid))
        scored, ctx.nearest = self.rank(
            ctx.question.text,
            [(h.sid, h.score) for h in hits],
            ctx.pool,
            ctx.retrieved.floor(),
            weight=weight,
            vector=ctx.vector,
        )
        return [Hit(sid, score) for sid, score in scored]
