"""The answer reader: a span model askdoc trains itself (``training/train_reader.py``), as int8 ONNX.

It reads "question [SEP] sentence" and scores every word piece as the answer's start and end;
the answer is the best start..end of the sentence. [CLS] stands for "no answer in this
sentence", so the span's lead over it says how sure the model is. It reads the top
``READER_SEARCHED`` sentences of the ranking and keeps the best lead, less
``READER_RANK_PENALTY`` per rank. It is the last re-rank stage (:class:`ReaderStage`): the
sentence it takes the answer from comes first, since a sentence that holds an answer to the
question is the one to read first. Used with the semantic extra; the model card is
docs/reranker.md.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
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
        inputs = runtime.pair_inputs([(ids, segments) for ids, segments, _ in pairs], self.tokenizer.pad)
        starts, ends = self._session.run(None, inputs)
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


@lru_cache(maxsize=1)
def reader() -> Reader:
    """The one reader of this process, loaded on first use."""
    return Reader()


def choose(
    model: Reader, question: str, matched: Sequence[Matched], before: Sequence[str] = ()
) -> ShortAnswer | None:
    """The short answer from the top ``READER_SEARCHED`` sentences (best first); ``before``:
    the sentence before each, for a model that reads it (``READS_BEFORE``)."""
    searched = list(matched[: tuning.READER_SEARCHED])
    found = model.read(question, [m.sentence.text for m in searched], before[: len(searched)])
    scored = [
        (span.lead - tuning.READER_RANK_PENALTY * rank, rank, span)
        for rank, span in enumerate(found)
        if span is not None
    ]
    if not scored:
        return None
    scored.sort(key=lambda x: (-x[0], x[1]))
    best, rank, span = scored[0]
    text = searched[rank].sentence.text
    start, end = span.start, span.end
    while end > start and (
        text[end - 1] in _CLOSING or (text[end - 1] == "." and end - start > 1 and text[end - 2].islower())
    ):
        end -= 1
    if end <= start:
        return None
    return ShortAnswer(
        " ".join(text[start:end].split()),
        searched[rank].sid,
        (start, end),
        rank=rank,
        score=span.lead,
        margin=min(best - scored[1][0], _MARGIN_CAP) if len(scored) > 1 else _MARGIN_CAP,
        candidates=len(scored),
        by="model",
    )


_MARGIN_CAP = 10.0  # a margin over no other sentence counts as this much


class ReaderStage:
    """The last re-rank stage: reads the top sentences, keeps the short answer (``answer``)
    and, for a question (a wh-word: ``promote``), moves the sentence it comes from to the top,
    at the top's score (a tie the reader breaks). Held out on 139 SQuAD training articles no
    model saw, Acc@1 rose 0.696 -> 0.724 (even) and 0.717 -> 0.732 (odd); the order below the
    top 3 is left alone. Words without a question ("Beta one") ask for the sentences that hold
    them, whatever the reader makes of them: their order stays."""

    name = "reader"

    def __init__(self, model: Reader, promote: bool = True) -> None:
        self.model = model
        self.promote = promote
        self.answer: ShortAnswer | None = None

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> Sequence[Hit]:
        searched = [ctx.matched(h.sid) for h in hits[: tuning.READER_SEARCHED]]
        before = [sentence_before(ctx.sentence, m.sid, m.sentence) for m in searched] if READS_BEFORE else []
        self.answer = choose(self.model, ctx.question.text, searched, before)
        if self.answer is None or self.answer.rank == 0 or not self.promote:
            return hits
        r = self.answer.rank
        return [replace(hits[r], score=hits[0].score), *hits[:r], *hits[r + 1 :]]


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
