"""What the re-rank stages and the answer share about one question: its analysis, its search
result, and each sentence as matched, worked out once however many stages read it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..index.retriever import Query, Retrieved
from ..ingest.analysis import Analyzer
from ..model import Sentence
from ..query.question import Question

# A word that stands for something said before (a pronoun, a demonstrative).
_REFERS_BACK = re.compile(r"\b(?:it|its|they|their|them|he|his|him|she|her|this|these|those|such|there)\b", re.I)


def sentence_before(sentence: Callable[[int], Sentence], sid: int, this: Sentence) -> str:
    """The text of the sentence before ``sid`` in its document, for a sentence that refers back
    ("it", "they", "these events": what they stand for is often said there); "" for one that
    does not, or at the document's start. What the learned models read beside a sentence
    (docs/reranker.md). Given to every sentence, the sentence after a plain match ("Beta one."
    then "Beta two.") took the match's words for its own: the bare words "Beta one" ranked
    "Beta two." first. Only to those that refer back, the re-ranker kept its whole gain on the
    held-out SQuAD articles (even half): Acc@1 0.740 either way, Acc@3 0.857 / 0.853.
    ``this`` is sentence ``sid``, which the caller has already."""
    if sid == 0 or not _REFERS_BACK.search(this.text):
        return ""
    previous = sentence(sid - 1)
    return previous.text if previous.source == this.source else ""


@dataclass(frozen=True)
class Matched:
    """A sentence as the question matched it: the spans of its matched words (relative to
    ``sentence.start``), each matched query term's share of the BM25 score, and the related
    word that stood in for a term ("invad" -> "invas")."""

    sid: int
    sentence: Sentence
    matches: tuple[tuple[int, int], ...]
    terms: Mapping[str, float]
    via: Mapping[str, str]


class RankContext:
    """One question's shared state. Results stay immutable; this holds what they are made from.

    ``weights``: each query term's IDF (0.0 when absent; a slip weighs as its correction).
    ``pool``: how many hits the stages hand on (the type re-rank looks past ``--top``).
    ``nearest``: set by the semantic stage, the best cosine of any sentence with the question.
    """

    def __init__(
        self,
        question: Question,
        query: Query,
        retrieved: Retrieved,
        weights: Mapping[str, float],
        sentence: Callable[[int], Sentence],
        analyzer: Analyzer,
        pool: int,
        vector: Any = None,
    ) -> None:
        self.question = question
        self.query = query
        self.retrieved = retrieved
        self.weights = weights
        self.pool = pool
        self.vector = vector  # the question's embedding, when a batch made it already
        self.nearest: float | None = None
        self._sentence = sentence
        self._analyzer = analyzer
        self._matched: dict[int, Matched] = {}

    def sentence(self, sid: int) -> Sentence:
        return self._sentence(sid)

    def matched(self, sid: int) -> Matched:
        m = self._matched.get(sid)
        if m is None:
            sentence = self._sentence(sid)
            shares = self.retrieved.contributions(sid)
            wanted = {word for _, word in shares.values()}
            spans = self._analyzer.sentence_terms(sentence.text)
            m = self._matched[sid] = Matched(
                sid,
                sentence,
                matches=tuple([(t.start, t.end) for t in spans if t.term in wanted]),
                terms={term: value for term, (value, _) in shares.items()},
                via={term: word for term, (_, word) in shares.items() if word != term},
            )
        return m

    def coverage(self, sid: int) -> float:
        """The share of the query's ``weights`` that sentence ``sid`` matches."""
        total = sum(self.weights.values())
        matched = self.retrieved.contributions(sid)
        return sum(w for t, w in self.weights.items() if t in matched) / total if total else 0.0
