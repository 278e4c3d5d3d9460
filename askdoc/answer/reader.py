"""The answer reader: a span model askdoc trains itself (``training/train_reader.py``), as int8 ONNX.

It reads "question [SEP] sentence" and scores every word piece as the answer's start and end;
the answer is the best start..end of the sentence. [CLS] stands for "no answer in this
sentence", so the span's lead over it says how sure the model is. It is the last re-rank stage
(:class:`ReaderStage`): it reads the top ``READER_SEARCHED`` sentences, adds what it makes of
each to its score (:func:`fused`, weights fitted on held-out articles), and answers from the
best of them, which, for a question, comes first. Used with the semantic extra; the model card
is docs/reranker.md.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .. import tuning
from ..index.retriever import Hit
from ..query.question import QuestionInfo
from ..rank.context import Matched, RankContext, sentence_before
from ..rank.semantic import runtime, tokenizer
from .confidence import kinds
from .short_answer import ShortAnswer

MODEL = Path(__file__).parents[1] / "data" / "reader-int8.onnx"
MAX_TOKENS = 128  # what the reader was trained with
# Does the model read a sentence that refers back with the sentence before it, as the re-ranker
# does (rank.context.sentence_before)? The shipped file does not.
READS_BEFORE = False
MAX_ANSWER_TOKENS = 30
_READ_CHARS = 10_000  # of a sentence: far more than MAX_TOKENS pieces, and a bound on a hostile one
_CLOSING = ",;:!?"  # stripped from an answer's end (a full stop too, after a small letter or digit)


def available() -> bool:
    """Is the reader shipped here, and onnxruntime installed to run it?"""
    return MODEL.is_file() and all(importlib.util.find_spec(m) is not None for m in ("numpy", "onnxruntime"))


@dataclass(frozen=True)
class Span:
    """The best answer in one sentence: its characters there, its score, and its lead over
    "no answer here" (start + end logits; a positive lead means the model prefers the span)."""

    start: int
    end: int
    score: float
    lead: float


class Reader:
    def __init__(self, model_path: Path = MODEL, threads: int | None = None) -> None:
        self.tokenizer = tokenizer.load()
        self._continued = [piece.startswith("##") for piece in self.tokenizer.vocab]
        self._session = runtime.session(model_path, threads)

    def read(self, question: str, sentences: Sequence[str], before: Sequence[str] = ()) -> list[Span | None]:
        """Each sentence's best span (None when the sentence has no word piece to point at);
        ``before``: the sentence before each, read after it ("" for none)."""

        if not sentences:
            return []
        before = before or [""] * len(sentences)
        # The model sees at most MAX_TOKENS pieces: a sentence's start is all it can read.
        pairs = [
            self.tokenizer.encode_pair_with_spans(question, s[:_READ_CHARS], MAX_TOKENS, b[:_READ_CHARS])
            for s, b in zip(sentences, before)
        ]
        inputs = [(ids, segments) for ids, segments, _ in pairs]
        starts, ends = runtime.run_pairs(self._session, inputs, self.tokenizer.pad)
        return [self._best(row, segments, spans, s, e) for (row, segments, spans), s, e in zip(pairs, starts, ends)]

    def _best(self, row: list[int], segments: list[int], spans: list[tuple[int, int]], start, end) -> Span | None:
        """The best span that starts and ends on whole words of the sentence."""
        import numpy as np

        n = len(row)
        inside = np.array(segments, bool)
        # the sentence ends at its side's first [SEP]: the final one, or the one before the
        # sentence before (never a span)
        inside[next(i for i in range(n) if segments[i] and row[i] == self.tokenizer.sep) :] = False
        continued = np.array([self._continued[i] for i in row] + [False])
        starts_ok = inside & ~continued[:n]
        ends_ok = inside & ~continued[1 : n + 1]
        if not starts_ok.any() or not ends_ok.any():
            return None
        s = np.where(starts_ok, start[:n], -np.inf)
        e = np.where(ends_ok, end[:n], -np.inf)
        grid = s[:, None] + e[None, :]
        offset = np.arange(n)[None, :] - np.arange(n)[:, None]
        grid[(offset < 0) | (offset >= MAX_ANSWER_TOKENS)] = -np.inf
        i, j = np.unravel_index(int(np.argmax(grid)), grid.shape)
        score = float(grid[i, j])
        if not math.isfinite(score):
            return None
        return Span(spans[i][0], spans[j][1], score, score - float(start[0] + end[0]))


@runtime.shared
def reader() -> Reader:
    """The one reader of this process, loaded on first use."""
    return Reader()


def fused(score: float, span: Span | None) -> float:
    """A read sentence's ``score`` with the reader's judgement of it added, in the score's units:
    ``READER_FUSION`` weighs the score, the reading, the span's lead over "no answer here"
    (clipped: past it, a lead says nothing more) and its own start + end logits. A sentence with
    nothing to point at keeps its score. The weights maximise the likelihood of the answer
    sentence among the top 20 (listwise) on held-out articles (tools/fit_reader_fusion.py)."""
    if span is None:
        return score
    w = tuning.READER_FUSION
    read, lead, logits = reading(span)
    return score + (w["read"] * read + w["lead"] * lead + w["span"] * logits) / w["score"]


def reading(span: Span) -> tuple[float, float, float]:
    """What the reader makes of a sentence, as ``READER_FUSION`` weighs it (and as
    tools/fit_reader_fusion.py fits it): read (1), the span's lead clipped to +-``LEAD_CLIP``,
    and its start + end logits."""
    return 1.0, max(-LEAD_CLIP, min(LEAD_CLIP, span.lead)), span.score


LEAD_CLIP = 15.0  # a lead past this says nothing more


def choose(
    model: Reader, question: str, matched: Sequence[Matched], scores: Sequence[float], before: Sequence[str] = ()
) -> tuple[ShortAnswer | None, list[float]]:
    """The short answer from the top ``READER_SEARCHED`` sentences (best first; ``scores``: their
    scores in the ranking), and those sentences' :func:`fused` scores; ``before``: the sentence
    before each, for a model that reads it (``READS_BEFORE``). The answer comes from the read
    sentence whose fused score is best."""
    searched = list(matched[: tuning.READER_SEARCHED])
    found = model.read(question, [m.sentence.text for m in searched], before[: len(searched)])
    values = [fused(score, span) for score, span in zip(scores, found)]
    scored = sorted(
        ((value, rank, span) for rank, (value, span) in enumerate(zip(values, found)) if span is not None),
        key=lambda x: (-x[0], x[1]),
    )
    if not scored:
        return None, values
    best, rank, span = scored[0]
    text = searched[rank].sentence.text
    start, end = span.start, span.end
    while end > start and (
        text[end - 1] in _CLOSING or (text[end - 1] == "." and end - start > 1 and text[end - 2].islower())
    ):
        end -= 1
    if end <= start:
        return None, values
    # the margin over the next sentence's answer, in the fusion's own units (logits)
    margin = (best - scored[1][0]) * tuning.READER_FUSION["score"] if len(scored) > 1 else _MARGIN_CAP
    short = ShortAnswer(
        " ".join(text[start:end].split()),
        searched[rank].sid,
        (start, end),
        rank=rank,
        score=span.lead,
        margin=min(margin, _MARGIN_CAP),
        candidates=len(scored),
        by="model",
    )
    return short, values


_MARGIN_CAP = 10.0  # a margin over no other sentence counts as this much


class ReaderStage:
    """The last re-rank stage: reads the top sentences, keeps the short answer (``answer``)
    and, for a question (a wh-word: ``promote``), orders them by their :func:`fused` scores, so
    that a sentence the reader finds an answer in moves up. Held out on SQuAD training articles
    no model saw (odd half, 2,760 questions), this took Acc@1 from 0.771 (the sentence it
    answered from first) to 0.784 (docs/reranker.md). Words without a question ("Beta one") ask
    for the sentences that hold them, whatever the reader makes of them: their order stays."""

    name = "reader"

    def __init__(self, model: Reader, promote: bool = True) -> None:
        self.model = model
        self.promote = promote
        self.answer: ShortAnswer | None = None

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> Sequence[Hit]:
        head = hits[: tuning.READER_SEARCHED]
        searched = [ctx.matched(h.sid) for h in head]
        before = [sentence_before(ctx.sentence, m.sid, m.sentence) for m in searched] if READS_BEFORE else []
        self.answer, values = choose(self.model, ctx.question.text, searched, [h.score for h in head], before)
        if not self.promote:
            return hits
        rescored = [replace(h, score=v) for h, v in zip(head, values)]
        return sorted([*rescored, *hits[len(head) :]], key=lambda h: -h.score)  # stable: ties keep their order


def features(short: ShortAnswer, info: QuestionInfo, coverage: float, gap: float) -> dict[str, float]:
    """The reader's confidence inputs: its lead, its margin over the next sentence's answer,
    the sentence's rank and match, and the kind of question."""
    return {
        "lead": short.score,
        "margin": short.margin,
        "rank": float(short.rank),
        "coverage": coverage,
        "gap": gap,
        "words": math.log1p(len(short.text.split())),
        **kinds(info),
    }
