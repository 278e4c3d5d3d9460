"""The answer-type stage: a sentence holding the kind of answer asked for moves up a little.

A sentence holding a candidate of the expected kind (a name for "who", a date for "when", a
number for "how many") gains ``TYPE_BONUS`` x the best sentence's score x its fit (<= 1).
Only the top ``TYPE_RERANK_POOL`` are looked at, whatever ``--top`` is, so that the first
three are the same with ``--top 3`` and ``--top 10``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .. import tuning
from ..index.retriever import Hit
from ..query.question import AnswerType
from ..rank.context import RankContext
from .candidates import Reading

_TYPED = (AnswerType.PERSON, AnswerType.PLACE, AnswerType.TIME, AnswerType.NUMBER, AnswerType.ORGANISATION)


class AnswerTypeBonus:
    """A re-rank stage (see :mod:`askdoc.rank.stages`)."""

    name = "answer type"

    def __init__(self, reading: Reading) -> None:
        self.reading = reading

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> list[Hit]:
        info = self.reading.info
        if (info.type not in _TYPED and not info.acronym) or tuning.TYPE_BONUS <= 0 or not hits:
            return list(hits)
        pool = tuning.TYPE_RERANK_POOL
        head = list(hits[:pool])  # below it, the order stays: --top 50 re-ranks as --top 10
        scale = max(h.score for h in head)
        bonused = []
        for h in head:
            # how well the sentence's best candidate fits the expected type: 0 (none) to 1; for
            # an asked acronym, only the words it stands for count
            fits = (f for c, f in self.reading.fitting(ctx.matched(h.sid)) if c.form == "expansion" or not info.acronym)
            bonus = tuning.TYPE_BONUS * scale * min(1.0, max(fits, default=0.0))
            bonused.append(replace(h, score=h.score + bonus, type_bonus=bonus))
        bonused.sort(key=lambda h: -h.score)  # stable: ties keep their order
        return [*bonused, *hits[pool:]]
