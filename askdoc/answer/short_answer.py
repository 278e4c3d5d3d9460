"""The short answer: the best-scoring candidate among the top sentences.

A candidate scores ``ANSWER_FIT_WEIGHT`` x its fit, + ``ANSWER_CLOSENESS_WEIGHT`` x its
closeness to the question words, - ``ANSWER_RANK_PENALTY`` per rank below the first sentence
(so a lower sentence wins only with a clearly better fit); only the top ``ANSWER_SEARCHED``
sentences are searched (see :mod:`askdoc.tuning`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .. import tuning
from ..query.question import AnswerType, QuestionInfo
from ..query.wordlists import TITLES
from ..rank.context import Matched
from .candidates import Candidate, Reading, Token
from .options import options_asked


@dataclass(frozen=True)
class ShortAnswer:
    """The answer's text, the sentence it was taken from, and its span there (relative to the
    sentence's start; for a list, the first name's)."""

    text: str
    sid: int
    span: tuple[int, int]
    # what the choice looked like, for its confidence (see :mod:`.confidence`)
    rank: int = 0  # the rank index of its sentence among the searched ones
    fit: float = 0.0  # how well its form fits the asked kind
    score: float = 0.0  # its candidate score
    margin: float = 0.0  # by how much it beat the best candidate with other words
    candidates: int = 1  # fitting candidates in the searched sentences
    by: str = "rules"  # who chose it: "rules" (these candidates) or "model" (the learned reader)


def choose(matched: Sequence[Matched], reading: Reading) -> ShortAnswer | None:
    """The short answer from the best sentences (best first), or None when none holds one."""
    info = reading.info
    best, kept = _best_candidate(matched, reading)
    if best is None:
        return None
    rank, c = best
    e = matched[rank]
    tokens = reading.tokens(e)
    if info.type is AnswerType.PERSON and c.form in ("name", "place name"):
        c = _strip_titles(c, tokens)
    text, span = e.sentence.text[c.start : c.end], (c.start, c.end)
    if info.is_list:  # "who were the members ...": every name of the best sentence, in text order
        names = sorted((x for x in kept[rank] if x.form in ("name", "place name")), key=lambda x: x.start)
        if len(names) > 1 and any(x.start == best[1].start for x in names):
            text = ", ".join(e.sentence.text[x.start : x.end] for x in (_strip_titles(x, tokens) for x in names))
            first = _strip_titles(names[0], tokens)
            span = (first.start, first.end)
    chosen = _words(e, best[1])
    rivals = [x.score for r, found in enumerate(kept) for x in found if _words(matched[r], x) != chosen]
    return ShortAnswer(
        " ".join(text.split()),  # one line, as a wrapped sentence may not be
        e.sid,
        span,
        rank=rank,
        fit=min((f for x, f in reading.fitting(e) if x is best[1]), default=0.0),
        score=best[1].score,
        margin=min(best[1].score - max(rivals), _MARGIN_CAP) if rivals else _MARGIN_CAP,
        candidates=sum(len(found) for found in kept),
    )


def as_options(short: ShortAnswer, sentence: str, info: QuestionInfo) -> ShortAnswer:
    """The reader's answer, or the options its man-page sentence starts with where the question
    asks how to do something or which option does it: the reader, trained on prose, picks a
    phrase of the description ("to select non-matching lines" for "-v, --invert-match")."""
    tag = options_asked(sentence, info)
    if tag is None:
        return short
    return replace(short, text=" ".join(sentence[tag[0] : tag[1]].split()), span=tag)


# A margin over no rival at all counts as this much (two ranks' penalty).
_MARGIN_CAP = 3.0


def _words(e: Matched, c: Candidate) -> str:
    return " ".join(e.sentence.text[c.start : c.end].lower().split())


def holds_candidate(matched: Sequence[Matched], reading: Reading) -> bool:
    """Does any of the top ``ANSWER_SEARCHED`` sentences hold a candidate of the asked kind?"""
    return any(reading.fitting(e) for e in matched[: tuning.ANSWER_SEARCHED])


def _best_candidate(
    matched: Sequence[Matched], reading: Reading
) -> tuple[tuple[int, Candidate] | None, list[list[Candidate]]]:
    """The best answer candidate in the top ``ANSWER_SEARCHED`` sentences (with its sentence's
    rank index), and each searched sentence's fitting candidates."""
    info = reading.info
    # Question words on the side where the answer should not stand count for less. With no
    # verb to tell, a described thing tends to follow the words that ask for it ("focused on
    # [how to start ...]"); names, numbers and dates stand as often before as after them.
    left, right = 1.0, 1.0
    if info.side == "before":
        left = tuning.ANSWER_OFF_SIDE
    elif info.side == "after" or info.type in (AnswerType.OTHER, AnswerType.REASON):
        right = tuning.ANSWER_OFF_SIDE
    best: tuple[int, Candidate] | None = None
    kept: list[list[Candidate]] = []
    for rank, e in enumerate(matched[: tuning.ANSWER_SEARCHED]):
        tokens = reading.tokens(e)
        asked = [k for k, t in enumerate(tokens) if t.asked]
        fitting = []
        for c, fit in reading.fitting(e):
            c.score = (
                tuning.ANSWER_FIT_WEIGHT * fit
                + tuning.ANSWER_CLOSENESS_WEIGHT * _closeness(c, asked, tokens, left, right)
                - tuning.ANSWER_RANK_PENALTY * rank
            )
            fitting.append(c)
            if best is None or c.score > best[1].score:
                best = (rank, c)
        kept.append(fitting)
    return best, kept


def _strip_titles(c: Candidate, tokens: list[Token]) -> Candidate:
    """A person answer without the titles before the name: "President Donald Trump" -> "Donald Trump"."""
    inside = [t for t in tokens if c.start <= t.start and t.end <= c.end]
    last_title = max((k for k, t in enumerate(inside) if t.text.lower() in TITLES), default=-1)
    k = last_title + 1
    if 0 <= last_title and k + 1 < len(inside) and inside[k].text == "of":  # "Secretary of State"
        k += 2
    if 0 < k < len(inside):
        return Candidate(inside[k].start, c.end, c.form, c.score)
    return c


def _closeness(c: Candidate, asked: list[int], tokens: list[Token], left: float, right: float) -> float:
    """How near the candidate stands to the question words of its sentence (1 / words between, summed)."""
    inside = [k for k, t in enumerate(tokens) if c.start <= t.start < c.end]
    if not asked or not inside:
        return 0.0
    near = 0.0
    for a in asked:
        if a < inside[0]:
            near += left / (inside[0] - a)
        elif a > inside[-1]:
            near += right / (a - inside[-1])
    return near


