"""BM25 ranking of sentences: rank-bm25's BM25Plus, scored from a compact inverted index.

Why not ``BM25Okapi``: its IDF, log((N - n + 0.5) / (n + 0.5)), goes negative for a word in
more than half of the sentences, and rank-bm25 then replaces it with a floor of
0.25 x the mean IDF. In a 40-sentence article that floor is *higher* than the IDF of a word
found in 19 sentences, so a very common word outranks a rarer one. ``BM25Plus`` (Lv & Zhai,
"Lower-bounding term frequency normalization", CIKM 2011) uses log((N + 1) / n), which is
positive and falls as n rises for every N, including one- and two-sentence documents.

k1 = 1.2 is the usual default (Robertson & Zaragoza 2009; Lucene). b = 0.5 rather than the
usual 0.75: b exists to discount verbose *documents*, but a sentence's length is not
verbosity. A longer sentence holds more facts, so it is penalised only half as much.
Measured over the 12 SQuAD sample articles, b = 0.5 and 0.75 differ by one point of Acc@1.

Scores are exactly ``rank_bm25.BM25Plus(corpus, k1, b, delta).get_scores(query)``: the same
IDF, the same expression evaluated in the same order, and the per-term contributions summed
in query order (a repeated query word counts twice, as there). rank-bm25 adds delta x IDF to
every sentence for each query term, matched or not; that shifts all scores alike, and only
sentences sharing a term with the query are returned. The index stores, per term, the
sentence ids and term frequencies; a query touches only its terms' postings: in pure Python
when they are few (no numpy import for a one-shot question), with numpy when they are many.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence

K1 = 1.2
B = 0.5
DELTA = 1.0
# Above this many postings for one query, numpy's vectorised path beats a Python loop,
# even counting its ~0.1 s import (measured on the 2-core machine this was written on).
NUMPY_FROM = 20_000


class SortedStrings:
    """Binary search over the sorted UTF-8 strings of a blob and offsets, without decoding them all."""

    def __init__(self, blob: memoryview, offsets: Sequence[int]):
        self.blob, self.offsets = blob, offsets
        self.size = len(offsets) - 1

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> bytes:
        return bytes(self.blob[self.offsets[i] : self.offsets[i + 1]])

    def find(self, s: str) -> int:
        """The position of ``s``, or -1."""
        key = s.encode()
        i = bisect_left(self, key)  # type: ignore[arg-type]
        return i if i < self.size and self[i] == key else -1


class BM25Index:
    """Score sentences for a query from term -> (sentence ids, term frequencies) postings."""

    def __init__(self, stored, k1: float = K1, b: float = B, delta: float = DELTA):
        header = stored.header
        self.size: int = header["sentences"]
        self.k1, self.b, self.delta = k1, b, delta
        self.avgdl = header["total_length"] / self.size if self.size else 0.0
        self.vocab = SortedStrings(stored.vocab_blob, stored.vocab_off)
        self.term_ptr = stored.term_ptr
        self.post_doc = stored.post_doc
        self.post_tf = stored.post_tf
        self.sent_len = stored.sent_len
        self._np_arrays = None

    # ------------------------------------------------------------ terms

    def postings(self, term: str) -> tuple[int, int] | None:
        """The [lo, hi) range of ``term``'s postings, or None if no sentence has it."""
        t = self.vocab.find(term)
        return None if t < 0 else (self.term_ptr[t], self.term_ptr[t + 1])

    def df(self, term: str) -> int:
        r = self.postings(term)
        return r[1] - r[0] if r else 0

    def idf(self, term: str) -> float:
        """BM25Plus's IDF, as rank-bm25 computes it: log((N + 1) / n); 0 for an absent term."""
        n = self.df(term)
        return math.log((self.size + 1) / n) if n else 0.0

    def _weight(self, idf, tf, length):
        """One term's contribution (scalars or numpy arrays), in rank-bm25's order of operations."""
        return idf * (self.delta + (tf * (self.k1 + 1)) / (self.k1 * (1 - self.b + self.b * length / self.avgdl) + tf))

    # ------------------------------------------------------------ scoring

    def _parts(self, query: Sequence[str]) -> tuple[list[tuple[float, int, int]], int]:
        """(IDF, lo, hi) of each query term found, in query order, and their postings in all.

        Terms absent from the index are skipped: rank-bm25 adds 0.0 for them."""
        parts = []
        total = 0
        for term in query:
            r = self.postings(term)
            if r is not None:
                parts.append((math.log((self.size + 1) / (r[1] - r[0])), r[0], r[1]))
                total += r[1] - r[0]
        return parts, total

    def scores(self, query: Sequence[str]) -> dict[int, float]:
        """Scores of the sentences that share at least one term with the query."""
        parts, total = self._parts(query)
        if not parts:
            return {}
        if total < NUMPY_FROM:
            return self._scores_python(parts)
        candidates, acc = self._accumulate(parts)
        return dict(zip(candidates.tolist(), acc.tolist()))

    def _scores_python(self, parts) -> dict[int, float]:
        matched = []
        for idf, lo, hi in parts:
            docs = self.post_doc[lo:hi].tolist()
            tfs = self.post_tf[lo:hi].tolist()
            matched.append(
                (self._weight(idf, 0, 1), {d: self._weight(idf, tf, self.sent_len[d]) for d, tf in zip(docs, tfs)})
            )
        candidates = set().union(*(m for _, m in matched))
        out = {}
        for d in candidates:
            s = 0.0
            for absent, m in matched:
                s += m.get(d, absent)
            out[d] = s
        return out

    def _arrays(self):
        if self._np_arrays is None:
            import numpy as np

            self._np_arrays = (
                np,
                np.frombuffer(self.post_doc, np.int32),
                np.frombuffer(self.post_tf, np.uint16),
                np.frombuffer(self.sent_len, np.int32),
            )
        return self._np_arrays

    def _candidates(self, parts):
        """Sorted candidate ids, and per query term (value if absent, positions, values if present)."""
        np, post_doc, post_tf, sent_len = self._arrays()
        ids = [post_doc[lo:hi] for _, lo, hi in parts]
        candidates = np.unique(np.concatenate(ids))
        terms = []
        for (idf, lo, hi), docs in zip(parts, ids):
            weights = self._weight(idf, post_tf[lo:hi].astype(np.int64), sent_len[docs].astype(np.int64))
            terms.append((self._weight(idf, 0, 1), np.searchsorted(candidates, docs), weights))
        return candidates, terms

    def _accumulate(self, parts):
        np = self._arrays()[0]
        candidates, terms = self._candidates(parts)
        acc = np.zeros(len(candidates))
        for absent, positions, weights in terms:
            column = np.full(len(candidates), absent)
            column[positions] = weights
            acc += column
        return candidates, acc

    def search(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Top ``k`` (sentence id, score) pairs, best first; ties keep document order."""
        parts, total = self._parts(query)
        if not parts:
            return []
        if total < NUMPY_FROM:
            scores = self._scores_python(parts)
            return sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]
        np = self._arrays()[0]
        candidates, acc = self._accumulate(parts)
        if len(candidates) > k:
            kth = np.partition(acc, len(acc) - k)[len(acc) - k]
            keep = np.flatnonzero(acc >= kth)
            candidates, acc = candidates[keep], acc[keep]
        order = np.lexsort((candidates, -acc))[:k]
        return list(zip(candidates[order].tolist(), acc[order].tolist()))

    def contributions(self, sid: int, query: Sequence[str]) -> dict[str, float]:
        """Each matched query term's share of sentence ``sid``'s score (its delta floor included)."""
        out: dict[str, float] = {}
        for term in query:
            r = self.postings(term)
            if r is None:
                continue
            lo, hi = r
            i = lo + bisect_left(self.post_doc[lo:hi], sid)  # type: ignore[arg-type]
            if i < hi and self.post_doc[i] == sid:
                idf = math.log((self.size + 1) / (hi - lo))
                out[term] = out.get(term, 0.0) + self._weight(idf, self.post_tf[i], self.sent_len[sid])
        return out
