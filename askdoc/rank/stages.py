"""Re-ranking: retrieval's hits pass through a list of small stages, each returning new hits.

A stage is any callable ``stage(ctx, hits) -> hits`` with a ``name``: the semantic blend
(:mod:`askdoc.rank.semantic`), :class:`HeadingWeight`, a learned re-ranker, the answer-type
bonus (:mod:`askdoc.answer.type_bonus`), the answer reader
(:class:`askdoc.answer.reader.ReaderStage`), which also keeps the short answer it found, and
last the sentence that defines an option asked about (:mod:`askdoc.answer.options`). The
list is assembled in one place, :func:`askdoc.pipeline.stages`. Hits are immutable; the ranking
each stage was handed is kept, so that a later step can read the order as it stood before a
stage (abstention is judged before the answer-type bonus).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .. import tuning
from ..index.retriever import Hit
from ..ingest.sentences import is_heading
from .context import RankContext


class Stage(Protocol):
    name: str

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> Sequence[Hit]: ...


@dataclass(frozen=True)
class Ranking:
    """The hits after every stage, and the hits each stage was handed, by its name."""

    hits: tuple[Hit, ...]
    handed: tuple[tuple[str, tuple[Hit, ...]], ...] = ()

    def before(self, *names: str) -> tuple[Hit, ...]:
        """The ranking as it stood before the first of the stages ``names`` that ran (the final
        one if none did)."""
        return next((hits for stage, hits in self.handed if stage in names), self.hits)


def rerank(stages: Sequence[Stage], ctx: RankContext, hits: Sequence[Hit]) -> Ranking:
    handed = []
    current = tuple(hits)
    for stage in stages:
        handed.append((stage.name, current))
        current = tuple(stage(ctx, current))
    return Ranking(current, tuple(handed))


class HeadingWeight:
    """Headings ("Uncertain Path Forward") count ``HEADING_WEIGHT`` of their score: they name a
    topic, they state nothing, so a sentence that matches as much comes first. It runs before
    the learned re-ranker and again after it (``name`` tells them apart): the model, shown "3.
    Grant of Patent License." for "How long does the patent license last?", likes the heading
    that names the topic. A score at or below 0 (below the re-ranked head) stays as it is."""

    def __init__(self, name: str = "headings") -> None:
        self.name = name

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> Sequence[Hit]:
        headings = {h.sid for h in hits if h.score > 0 and is_heading(ctx.sentence(h.sid).text)}
        if not headings:
            return hits
        scored = [replace(h, score=h.score * tuning.HEADING_WEIGHT) if h.sid in headings else h for h in hits]
        return sorted(scored, key=lambda h: (-h.score, h.sid))
