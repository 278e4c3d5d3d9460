"""BM25 ranking of sentences: rank-bm25's BM25Plus, scored from a compact inverted index.

Why not ``BM25Okapi``: its IDF, log((N - n + 0.5) / (n + 0.5)), goes negative for a word in
more than half of the sentences, and rank-bm25 then replaces it with a floor of
0.25 x the mean IDF. In a 40-sentence article that floor is *higher* than the IDF of a word
found in 19 sentences, so a very common word outranks a rarer one. ``BM25Plus`` (Lv & Zhai,
"Lower-bounding term frequency normalization", CIKM 2011) uses log((N + 1) / n), which is
positive and falls as n rises for every N, including one- and two-sentence documents.

k1 = 0.5 rather than the usual 1.2 (Robertson & Zaragoza 2009; Lucene): k1 sets how much a
second or third occurrence of a word adds, and a sentence that says a word twice is seldom
twice as much about it. Fitted on the even SQuAD sample articles (k1 0.3 to 1.6): MRR@10
0.801 at 1.2, 0.806 at 0.5 to 0.7; checked on the odd ones: 0.738 -> 0.743, Acc@1 +0.8 point.
b = 0.5 rather than the usual 0.75: b exists to discount verbose *documents*, but a
sentence's length is not verbosity. A longer sentence holds more facts, so it is penalised
only half as much. On the even articles, b from 0.5 to 0.9 differ by under 0.5 point of MRR.

Scores are exactly ``rank_bm25.BM25Plus(corpus, k1, b, delta).get_scores(query)``: the same
IDF, the same expression evaluated in the same order, and the per-term contributions summed
in query order (a repeated query word counts twice, as there). rank-bm25 adds delta x IDF to
every sentence for each query term, matched or not; that shifts all scores alike, and only
sentences sharing a term with the query are returned. The index stores, per term, the
sentence ids and term frequencies; a query touches only its terms' postings: in pure Python
when they are few (no numpy import for a one-shot question), with numpy when they are many.
"""

from __future__ import annotations

import heapq
import math
import sys
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import tuning
from .retriever import Hit, Query, Related
from .vocabulary import SortedStrings

# Above this many postings for one query, numpy's vectorised path beats a Python loop (about
# 1 us a posting), once numpy is loaded (in the shell, in batch mode).
NUMPY_FROM = 1_000
# Importing numpy costs ~0.1 s, about what MaxScore in Python spends on a query of this many
# postings (it scans fewer): a one-shot question stays in Python below it.
NUMPY_COLD = 150_000
# Read postings lists whole while the best case of a sentence in none of them is at least this
# share of the k-th best score; look the rest up for the candidates. Speed only (the result is
# exact either way): on the 1M-sentence benchmark's 200 questions, 1.0 reads 30k postings a
# question and leaves many candidates to look up (2x slower), 0.5 reads 56k, 0.3 reads 68k
# (0.3 and 0.5 equally fast).
READ_WHILE = 0.5
# The numpy path sums its bounds in float32 (half the memory to walk as float64): a bound may be
# this much too low, so a candidate is kept while it is within this share of the k-th best.
SLACK = 1e-5


def saturation(tf, length, avgdl: float, k1: float, b: float):
    """tf(k1 + 1) / (k1(1 - b + b len/avgdl) + tf): BM25's term-frequency part, for scalars or
    numpy arrays. The one place the formula is written: scoring and the index's per-term
    bounds (which MaxScore trusts) both use it, in rank-bm25's order of operations."""
    return (tf * (k1 + 1)) / (k1 * (1 - b + b * length / avgdl) + tf)


def params() -> dict[str, float]:
    """The BM25 parameters an index is scored with: a saved index made with others is rebuilt."""
    return {"k1": tuning.BM25_K1, "b": tuning.BM25_B, "delta": tuning.BM25_DELTA}


class BM25Index:
    """Score sentences for a query from term -> (sentence ids, term frequencies) postings."""

    def __init__(self, stored, k1: float | None = None, b: float | None = None, delta: float | None = None):
        header = stored.header
        k1 = tuning.BM25_K1 if k1 is None else k1
        b = tuning.BM25_B if b is None else b
        delta = tuning.BM25_DELTA if delta is None else delta
        self.size: int = header["sentences"]
        self.k1, self.b, self.delta = k1, b, delta
        self.avgdl = header["total_length"] / self.size if self.size else 0.0
        self.vocab = SortedStrings(stored.vocab_blob, stored.vocab_off)
        self.term_ptr = stored.term_ptr
        self.post_doc = stored.post_doc
        self.post_tf = stored.post_tf
        self.term_bound = stored.term_bound
        self.sent_len = stored.sent_len
        self._np_arrays: tuple[Any, Any, Any, Any] | None = None
        self._scratch: Any = None  # dense per-sentence partial scores, reused by every query
        self._norm: Any = None  # per sentence, k1(1 - b + b len/avgdl)
        self._norms: dict[int, float] = {}  # the same per length, for the Python path
        self._ids: dict[str, int] = {}
        self._last_columns: tuple[object, tuple[list[_Column], int]] = (None, ([], 0))

    # ------------------------------------------------------------ terms

    def term_id(self, term: str) -> int:
        """The term's number in the vocabulary, or -1; looked up once per term and remembered."""
        t = self._ids.get(term)
        if t is None:
            t = self._ids[term] = self.vocab.find(term)
        return t

    def postings(self, term: str) -> tuple[int, int] | None:
        """The [lo, hi) range of ``term``'s postings, or None if no sentence has it."""
        t = self.term_id(term)
        return None if t < 0 else (self.term_ptr[t], self.term_ptr[t + 1])

    def _bound(self, term: str) -> float:
        return self.term_bound[self.term_id(term)]

    def df(self, term: str) -> int:
        r = self.postings(term)
        return r[1] - r[0] if r else 0

    def idf(self, term: str) -> float:
        """BM25Plus's IDF, as rank-bm25 computes it: log((N + 1) / n); 0 for an absent term."""
        n = self.df(term)
        return math.log((self.size + 1) / n) if n else 0.0

    def _weight(self, idf, tf, length):
        """One term's contribution (scalars or numpy arrays), in rank-bm25's order of operations."""
        return idf * (self.delta + saturation(tf, length, self.avgdl, self.k1, self.b))

    # ------------------------------------------------------------ scoring

    def _extra(self, idf, tf, length):
        """A term's contribution above its delta floor: what a related word may stand in for."""
        return idf * saturation(tf, length, self.avgdl, self.k1, self.b)

    def _columns(self, query: Sequence[str], related: Related | None) -> tuple[list[_Column], int]:
        """One column per query term, in query order, and the number of postings they touch.

        A term absent from the index adds 0.0 (as in rank-bm25) unless a related word is present.
        The last query's columns are kept: ``contributions`` asks again for every evidence."""
        key = (tuple(query), related)
        if self._last_columns[0] == key:
            return self._last_columns[1]
        self._last_columns = (key, self._plan(query, related))
        return self._last_columns[1]

    def _plan(self, query: Sequence[str], related: Related | None) -> tuple[list[_Column], int]:
        columns = []
        total = 0
        for term in query:
            r = self.postings(term)
            idf = math.log((self.size + 1) / (r[1] - r[0])) if r else 0.0
            column = _Column(term, self._weight(idf, 0, 1) if r else 0.0, r[0] if r else 0, r[1] if r else 0, idf)
            column.bound = idf * self._bound(term) if r else 0.0
            for other, weight in related(term) if related else ():
                ro = self.postings(other) if other != term else None
                if ro is not None:
                    other_idf = math.log((self.size + 1) / (ro[1] - ro[0]))
                    column.related.append((other, weight, ro[0], ro[1], other_idf))
                    column.bound = max(column.bound, weight * other_idf * self._bound(other))
            if column.hi > column.lo or column.related:
                columns.append(column)
                total += column.hi - column.lo + sum(hi - lo for _, _, lo, hi, _ in column.related)
        return columns, total

    def scores(self, query: Sequence[str], related: Related | None = None) -> dict[int, float]:
        """Scores of every sentence that shares a term (or a related word) with the query."""
        return dict(self.search(query, self.size, related))

    def _column_python(self, c: _Column) -> dict[int, float]:
        """sentence id -> this term's contribution, for the sentences that have it or a relative.

        :meth:`_weight` and :meth:`_extra` written out (the same operations in the same order,
        so the same floats), with k1(1 - b + b len/avgdl) remembered per length: a one-shot
        question spends its time here."""
        k1, b, avgdl, delta, lens, norms = self.k1, self.b, self.avgdl, self.delta, self.sent_len, self._norms
        k1p = k1 + 1
        values: dict[int, float] = {}
        idf = c.idf
        for d, tf in zip(self.post_doc[c.lo : c.hi].tolist(), self.post_tf[c.lo : c.hi].tolist()):
            length = lens[d]
            norm = norms.get(length)
            if norm is None:
                norm = norms[length] = k1 * (1 - b + b * length / avgdl)
            values[d] = idf * (delta + (tf * k1p) / (norm + tf))
        for _, weight, lo, hi, idf in c.related:
            for d, tf in zip(self.post_doc[lo:hi].tolist(), self.post_tf[lo:hi].tolist()):
                length = lens[d]
                norm = norms.get(length)
                if norm is None:
                    norm = norms[length] = k1 * (1 - b + b * length / avgdl)
                v = c.absent + weight * (idf * ((tf * k1p) / (norm + tf)))
                if v > values.get(d, c.absent):
                    values[d] = v
        return values

    def _top_python(self, columns: list[_Column], k: int) -> dict[int, float]:
        """Candidates that can be in the top k and their exact scores: MaxScore (see
        :meth:`_top_numpy`) in plain Python, for a question asked without numpy loaded."""
        order = sorted(range(len(columns)), key=lambda i: -columns[i].bound)
        taken: dict[int, dict[int, float]] = {}
        partial: dict[int, float] = {}
        for step, i in enumerate(order):
            c = columns[i]
            taken[i] = values = self._column_python(c)
            for d, v in values.items():
                partial[d] = partial.get(d, 0.0) + (v - c.absent)
            last = step == len(order) - 1
            if len(partial) <= k and not last:
                continue
            left = sum(columns[j].bound for j in order[step + 1 :])
            kth = heapq.nlargest(k, partial.values())[-1]
            if kth > left * (1 + 1e-9) or last:
                # Only sentences whose best case reaches the k-th partial score can be in the top k.
                keep = {d: p for d, p in partial.items() if p + left >= kth * (1 - 1e-9)}
                keep = self._finish_python(columns, order[step + 1 :], keep, taken, left, k)
                out = {}
                for d in keep:
                    s = 0.0
                    for n, col in enumerate(columns):  # in query order, as rank-bm25 sums
                        known = taken.get(n)
                        if known is not None:
                            s += known.get(d, col.absent)
                        else:
                            found = self._value_at(col, d)
                            s += found[0] if found else col.absent
                    out[d] = s
                return out
        return {}

    def _finish_python(
        self, columns: list[_Column], rest: list[int], keep: dict[int, float], taken: dict, left: float, k: int
    ) -> dict[int, float]:
        """:meth:`_finish` in plain Python: the remaining (common) terms are added one at a
        time for the candidates only, dropping those that can no longer reach the k-th best.
        A column is read whole when that is cheaper than a binary search per candidate."""
        for i in rest:
            if len(keep) <= k:
                break
            c = columns[i]
            size = c.hi - c.lo + sum(hi - lo for _, _, lo, hi, _ in c.related)
            if len(keep) * 20 > size:
                whole = taken[i] = self._column_python(c)
                values = {d: whole.get(d, c.absent) for d in keep}
            else:
                values = {}
                for d in keep:
                    found = self._value_at(c, d)
                    values[d] = found[0] if found else c.absent
                taken[i] = values  # every candidate left from here on has its value
            left -= c.bound
            partial = {d: p + (values[d] - c.absent) for d, p in keep.items()}
            kth = heapq.nlargest(k, partial.values())[-1]
            keep = {d: p for d, p in partial.items() if p + left >= kth * (1 - 1e-9)}
        return keep

    def _value_at(self, c: _Column, sid: int) -> tuple[float, str] | None:
        """Column ``c``'s value for sentence ``sid`` and the word that gave it; None if neither
        the term nor a relative is in the sentence. The same values as :meth:`_column_python`."""
        best: tuple[float, str] | None = None
        own = self._posting(c.lo, c.hi, sid)
        if own is not None:
            best = (self._weight(c.idf, own, self.sent_len[sid]), c.term)
        for other, weight, lo, hi, idf in c.related:
            tf = self._posting(lo, hi, sid)
            if tf is not None:
                v = c.absent + weight * self._extra(idf, tf, self.sent_len[sid])
                if best is None or v > best[0]:
                    best = (v, other)
        return best

    def _arrays(self):
        if self._np_arrays is None:
            import numpy as np

            self._np_arrays = (
                np,
                np.frombuffer(self.post_doc, np.int32),
                np.frombuffer(self.post_tf, np.uint16),
                np.frombuffer(self.sent_len, np.uint16),
            )
        return self._np_arrays

    def _column_values(self, c: _Column, candidates, lengths):
        """Column ``c``'s exact values for ``candidates`` (``absent`` where neither the term nor
        a relative occurs), found by binary search in its postings."""
        np = self._arrays()[0]
        column = np.full(len(candidates), c.absent)
        if c.hi > c.lo:
            found, tf = self._lookup(c.lo, c.hi, candidates)
            column[found] = self._weight(c.idf, tf, lengths[found])
        for _, weight, lo, hi, idf in c.related:
            found, tf = self._lookup(lo, hi, candidates)
            column[found] = np.maximum(column[found], c.absent + weight * self._extra(idf, tf, lengths[found]))
        return column

    def _lookup(self, lo: int, hi: int, candidates):
        """Which ``candidates`` the postings [lo, hi) hold (a mask), and their term frequencies,
        by binary search."""
        np, post_doc, post_tf, _ = self._arrays()
        docs = post_doc[lo:hi]
        at = docs.searchsorted(candidates)
        np.minimum(at, hi - lo - 1, out=at)  # past the end: compared with the last, and unequal
        found = docs[at] == candidates
        return found, post_tf[lo + at[found]]  # uint16: exact in the float64 arithmetic

    def _exact(self, columns: list[_Column], candidates):
        """Scores of ``candidates``: the terms' contributions summed in query order, as rank-bm25
        sums them, so that they are equal."""
        np, _, _, sent_len = self._arrays()
        acc = np.zeros(len(candidates))
        lengths = sent_len[candidates].astype(np.int64)
        for c in columns:
            acc += self._column_values(c, candidates, lengths)
        return acc

    def _extra_at(self, idf, tf, docs):
        """:meth:`_extra` for postings (numpy), in float32: for the bounds that prune (see
        ``SLACK``), never for a score shown; each sentence's length term k1(1 - b + b len/avgdl)
        is worked out once per index instead of once per posting."""
        np = self._arrays()[0]
        if self._norm is None:  # k1(1 - b) + (k1 b / avgdl) len: two passes over float32
            self._norm = np.frombuffer(self.sent_len, np.uint16).astype(np.float32)
            self._norm *= np.float32(self.k1 * self.b / self.avgdl)
            self._norm += np.float32(self.k1 * (1 - self.b))
        return np.float32(idf) * ((tf * np.float32(self.k1 + 1)) / (self._norm[docs] + tf))

    def _sources(self, columns: list[_Column]) -> list[_Source]:
        """Every postings list the columns read (a term's own, each related word's), the one
        that can add the most first."""
        out = []
        for n, c in enumerate(columns):
            if c.hi > c.lo:
                out.append(_Source(c.idf * self._bound(c.term), n, c.lo, c.hi, c.idf, 1.0))
            for other, weight, lo, hi, idf in c.related:
                out.append(_Source(weight * idf * self._bound(other), n, lo, hi, idf, weight))
        out.sort(key=lambda s: -s.bound)
        return out

    def _top_numpy(self, columns: list[_Column], k: int):
        """Top-k candidates and exact scores, touching as few postings as it can (MaxScore
        over postings lists rather than columns).

        A column is worth the best of its term and its related words, so a sentence found in
        none of the lists read so far can add at most, per column, the bound of its best list
        not read yet (``left``). Lists are read from the largest bound down, each one's values
        summed into a scratch array (at least each column's best: an upper bound). The k-th
        best exact score among the leading candidates bounds the k-th best from below. Once
        ``left`` is well under it, the remaining lists (common words, weak relatives of
        common words) are never read whole: they are looked up for the candidates still able
        to reach the top k, and the survivors are scored exactly (Turtle & Flood, "Query
        evaluation: strategies and optimizations", 1995). The result is exact whatever is read."""
        np, post_doc, post_tf, _ = self._arrays()
        if self._scratch is None:
            self._scratch = np.zeros(self.size, np.float32)
        upper = self._scratch
        sources = self._sources(columns)
        left = _left_bounds(sources, len(columns))
        found: list[Any] = []  # the candidates, in the order first met
        met = 0
        kth = 0.0  # a lower bound on the k-th best score above the floor
        i = 0
        try:
            while i < len(sources) and (i == 0 or left[i] >= READ_WHILE * kth):
                s = sources[i]
                docs = post_doc[s.lo : s.hi]
                before = upper[docs]
                new = docs[before == 0.0]  # every value is above 0: a 0 is a sentence not met yet
                upper[docs] = before + s.weight * self._extra_at(s.idf, post_tf[s.lo : s.hi], docs)
                found.append(new)
                met += len(new)
                i += 1
                if met >= k and i < len(sources) and left[i] >= kth:
                    found = [np.concatenate(found)] if len(found) > 1 else found
                    values = upper[found[0]]
                    if kth and left[i] >= np.partition(values, len(values) - k)[len(values) - k]:
                        continue  # not even the leaders' best case could stop the reading yet
                    kth = max(kth, self._kth(columns, found[0], values, k))
            candidates = np.concatenate(found) if len(found) > 1 else found[0]
            partial = upper[candidates]
            keep = partial + left[i] >= kth * (1 - SLACK)
            candidates, partial = candidates[keep], partial[keep]
        finally:
            for ids in found:
                upper[ids] = 0.0
        return self._finish(columns, sources[i:], left[i:], candidates, partial, kth, k)

    def _kth(self, columns: list[_Column], candidates, values, k: int) -> float:
        """The k-th best exact score (above the floor) of the 2k candidates with the best
        ``values``: at most the k-th best of all."""
        np = self._arrays()[0]
        m = min(len(candidates), 2 * k)
        leading = candidates[np.argpartition(values, len(values) - m)[len(values) - m :]]
        exact = self._exact(columns, leading) - sum(c.absent for c in columns)
        return float(np.partition(exact, len(exact) - k)[len(exact) - k])

    def _finish(self, columns: list[_Column], rest: list[_Source], left: list[float], candidates, partial, kth, k: int):
        """Look the lists not read up for the candidates only, one at a time, dropping those
        that can no longer reach the k-th best; then score the survivors exactly."""
        np, _, _, sent_len = self._arrays()
        if kth > 0:
            lengths = sent_len[candidates].astype(np.int64)
            for n, s in enumerate(rest):
                if len(candidates) <= 2 * k:
                    break
                found, tf = self._lookup(s.lo, s.hi, candidates)
                partial[found] += s.weight * self._extra(s.idf, tf, lengths[found])
                keep = partial + left[n + 1] >= kth * (1 - SLACK)
                candidates, partial, lengths = candidates[keep], partial[keep], lengths[keep]
        return candidates, self._exact(columns, candidates)

    def search(self, query: Sequence[str], k: int, related: Related | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (sentence id, score) pairs, best first; ties keep document order.

        With ``related`` (e.g. :func:`askdoc.query.lexicon.related`), a sentence lacking a query term
        but holding a related word gets that word's contribution times its weight (< 1), and
        a term's column takes the best of the term and its relatives. Without it, the scores
        are exactly BM25Plus's."""
        columns, total = self._columns(query, related)
        if not columns:
            return []
        if not _numpy_pays(total):
            scores = self._top_python(columns, k)
            return sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k]
        np = self._arrays()[0]
        candidates, acc = self._top_numpy(columns, k)
        if len(candidates) > k:
            kth = np.partition(acc, len(acc) - k)[len(acc) - k]
            keep = np.flatnonzero(acc >= kth)
            candidates, acc = candidates[keep], acc[keep]
        order = np.lexsort((candidates, -acc))[:k]
        return list(zip(candidates[order].tolist(), acc[order].tolist()))

    def floor(self, query: Sequence[str], related: Related | None = None, matched: Iterable[str] = ()) -> float:
        """What the query terms not in ``matched`` add to any sentence: BM25Plus gives every
        sentence delta x IDF for each query term it lacks (and a term no sentence has adds 0)."""
        skip = set(matched)
        return sum(c.absent for c in self._columns(query, related)[0] if c.term not in skip)

    def contributions(
        self, sid: int, query: Sequence[str], related: Related | None = None
    ) -> dict[str, tuple[float, str]]:
        """For each query term sentence ``sid`` matches: its share of the score (delta floor
        included) and the word that matched (the term itself, or the related stem used)."""
        out: dict[str, tuple[float, str]] = {}
        for c in self._columns(query, related)[0]:
            best = self._value_at(c, sid)
            if best is not None:
                previous = out.get(c.term)
                out[c.term] = (previous[0] + best[0], best[1]) if previous else best
        return out

    def _posting(self, lo: int, hi: int, sid: int) -> int | None:
        """The term frequency of sentence ``sid`` in postings [lo, hi), or None."""
        i = lo + bisect_left(self.post_doc[lo:hi], sid)  # type: ignore[arg-type]
        return self.post_tf[i] if i < hi and self.post_doc[i] == sid else None


_asked = 0  # questions scored in this process: from the second on, it is a long-lived one


def _numpy_pays(postings: int) -> bool:
    """Score with numpy? Yes for many postings; for fewer, only in a process that keeps asking
    (the shell, batch mode, a library user) or has numpy loaded already."""
    global _asked
    _asked += 1
    return postings >= NUMPY_COLD or (postings >= NUMPY_FROM and (_asked > 1 or "numpy" in sys.modules))


def _left_bounds(sources: list[_Source], columns: int) -> list[float]:
    """For each i, the most a sentence found in none of ``sources[:i]`` can add: per column,
    the bound of its best list from i on (a column is worth the best of its lists)."""
    best = [0.0] * columns
    out = [0.0] * (len(sources) + 1)
    for i in range(len(sources) - 1, -1, -1):  # from the end: each column's best from i on
        s = sources[i]
        best[s.column] = max(best[s.column], s.bound)
        out[i] = sum(best)
    return out


@dataclass(frozen=True)
class _Source:
    """One postings list a column reads: the term's own (weight 1) or a related word's."""

    bound: float  # the most it can add to a sentence above the column's ``absent``
    column: int
    lo: int
    hi: int
    idf: float
    weight: float


@dataclass
class _Column:
    """One query term: its value where absent, its own postings [lo, hi), and related words'."""

    term: str
    absent: float
    lo: int
    hi: int
    idf: float
    related: list[tuple[str, float, int, int, float]] = field(default_factory=list)  # stem, weight, lo, hi, idf
    bound: float = 0.0  # the most this column can add above ``absent``


class Bm25Retriever:
    """:class:`BM25Index` behind the :class:`~askdoc.index.retriever.Retriever` protocol."""

    def __init__(self, stored) -> None:
        self.index = BM25Index(stored)

    def search(self, query: Query, k: int) -> Bm25Result:
        hits = self.index.search(query.terms, k, query.related)
        return Bm25Result(tuple([Hit(sid, score) for sid, score in hits]), self.index, query)

    def has(self, term: str) -> bool:
        return self.index.df(term) > 0

    def weight(self, term: str) -> float:
        return self.index.idf(term)


@dataclass(frozen=True)
class Bm25Result:
    """One BM25 search: its hits, and each hit's per-term shares worked out when asked for."""

    hits: tuple[Hit, ...]
    _index: BM25Index
    _query: Query

    def contributions(self, sid: int) -> Mapping[str, tuple[float, str]]:
        return self._index.contributions(sid, self._query.terms, self._query.related)

    def floor(self, matched: Iterable[str] = ()) -> float:
        return self._index.floor(self._query.terms, self._query.related, matched)
