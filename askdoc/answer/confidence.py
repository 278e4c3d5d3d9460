"""How sure askdoc is of a short answer: a logistic model over what choosing it looked like.

The features say how well the answer fits the kind asked for, how clearly it beat the other
candidates, how high its sentence ranked and how much of the question that sentence matched.
The weights (``tuning.ANSWER_CONFIDENCE``) are fitted by ``tools/fit_confidence.py`` on SQuAD
training articles that nothing else was trained or tuned on, to predict whether the answer is
right (token F1 >= 0.5 with a gold answer); so the confidence is a probability, calibrated there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .. import tuning
from ..query.question import AnswerType, QuestionInfo
from .short_answer import ShortAnswer

# The kinds of question with a weight of their own; the rest share "other".
_KINDS = (AnswerType.PERSON, AnswerType.PLACE, AnswerType.TIME, AnswerType.NUMBER, AnswerType.ORGANISATION)


def features(short: ShortAnswer, info: QuestionInfo, coverage: float, gap: float) -> dict[str, float]:
    """The confidence model's inputs. ``coverage``: the share of the question the answer's
    sentence matches; ``gap``: how far the first sentence's score stands above the second's
    (relative to the first)."""
    out = {
        "fit": short.fit,
        "score": short.score,
        "margin": short.margin,
        "rank": float(short.rank),
        "coverage": coverage,
        "gap": gap,
        "words": math.log1p(len(short.text.split())),
        "candidates": math.log1p(short.candidates),
    }
    return {**out, **kinds(info)}


def kinds(info: QuestionInfo) -> dict[str, float]:
    """One feature for each kind of question with a weight of its own: 1 for the one asked."""
    return {kind.value: float(info.type is kind) for kind in _KINDS}


def confidence(values: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """The probability that the answer is right, by ``weights`` (default
    ``tuning.ANSWER_CONFIDENCE``, the rules' model)."""
    weights = tuning.ANSWER_CONFIDENCE if weights is None else weights
    z = weights.get("bias", 0.0) + sum(weights.get(name, 0.0) * v for name, v in values.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
