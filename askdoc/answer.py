"""Question analysis and the short answer (placeholder until the short-answer work lands)."""

from __future__ import annotations

from .model import Answer


def attach_answer(answer: Answer, query_weights: dict[str, float]) -> None:
    """Fill in ``answer.answer`` and each evidence's ``answer_span``; may decide to abstain.

    ``query_weights`` maps each query term (a stem) to its IDF in the index (0.0 when absent).
    """
