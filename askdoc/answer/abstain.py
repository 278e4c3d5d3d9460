"""Abstention: when the best sentences do not answer the question, say so instead of guessing."""

from __future__ import annotations

from collections.abc import Mapping

from .. import tuning
from ..query.question import AnswerType, QuestionInfo
from ..rank.context import Matched


def coverage(e: Matched, query_weights: Mapping[str, float]) -> float:
    """The IDF-weighted share of the question's terms that a sentence matches (0 to 1).

    A term the documents never contain weighs as much as the rarest term they do: a question
    about something never mentioned should not look answered by its common words alone.
    """
    present = [w for w in query_weights.values() if w > 0]
    if not present:
        return 0.0
    rarest = max(present)
    weights = {t: w if w > 0 else rarest for t, w in query_weights.items()}
    return sum(weights.get(t, 0.0) for t in set(e.terms)) / sum(weights.values())


def abstain_reason(
    best: Matched, info: QuestionInfo, query_weights: Mapping[str, float], found: bool, nearest: float | None
) -> str | None:
    """Why the documents do not answer the question, or None when they may.

    ``best`` is the best sentence as retrieval ranked it (before the answer-type bonus: a
    sentence holding some number must not make "how much ...?" look answered); ``found``
    says whether any of the top sentences holds a candidate of the asked kind; ``nearest``,
    with the semantic extra, is the best cosine of any sentence with the question."""
    share = coverage(best, query_weights)
    if share < tuning.MIN_COVERAGE:
        return f"the best sentence matches only {share:.0%} of what the question asks about"
    if nearest is not None and nearest < tuning.MIN_COSINE and share < tuning.MEANING_COVERAGE:
        return (
            f"no sentence is close to the question in meaning (best {nearest:.2f}),"
            f" and the best matches only {share:.0%} of its words"
        )
    if info.type is AnswerType.NUMBER and not found:
        kind = info.unit if info.unit not in (None, "count", "amount", "size") else "number"
        return f"the best sentences hold no {kind} to answer “{info.cue}”"
    return None
