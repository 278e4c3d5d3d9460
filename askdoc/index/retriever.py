"""The seam between finding sentences and everything after: the ``Retriever`` protocol.

The pipeline reaches a search backend only through this protocol, so another backend (a
vector index, tantivy) plugs in by giving the same three things: a ranked list of hits, each
hit's per-term share of its score (for highlighting, ``--explain`` and abstention), and the
floor, the score of a sentence that shares no word with the question (for fusion).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

# term -> (related stem, weight < 1) pairs, strongest first: words that may stand in for it
Related = Callable[[str], Sequence[tuple[str, float]]]


@dataclass(frozen=True)
class Hit:
    """A sentence (its number in the index) and its score; ``type_bonus`` is the part of the
    score the answer-type stage added."""

    sid: int
    score: float
    type_bonus: float = 0.0


@dataclass(frozen=True)
class Query:
    """What is searched for: the question's terms (stems, in order, repeats kept) and the
    words that may stand in for each."""

    terms: tuple[str, ...]
    related: Related | None = None


class Retrieved(Protocol):
    """One search's result."""

    @property
    def hits(self) -> Sequence[Hit]:
        """The hits, best first."""
        ...

    def contributions(self, sid: int) -> Mapping[str, tuple[float, str]]:
        """For each query term sentence ``sid`` matches: its share of the score and the word
        that matched (the term itself, or the related word that stood in for it)."""
        ...

    def floor(self, matched: Iterable[str] = ()) -> float:
        """What the query terms not in ``matched`` add to any sentence's score."""
        ...


class Retriever(Protocol):
    """A search backend over an index's sentences."""

    def search(self, query: Query, k: int) -> Retrieved:
        """The top ``k`` hits, best first; ties keep document order."""
        ...

    def has(self, term: str) -> bool:
        """Does any sentence hold ``term``?"""
        ...

    def weight(self, term: str) -> float:
        """How much ``term`` says about a sentence (its IDF); 0 for a term no sentence has."""
        ...
