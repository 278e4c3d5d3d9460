"""Query expansion and search: the words that may stand in for each question term, then the
retriever's hits.

Three sources of related words, weakest last: the lexicon (:mod:`.lexicon`: "invasion" for
"invade"), slips (:mod:`.spelling`: "Hollywood" for "Hollwood") and names the best sentences
give to what the question describes (:mod:`.aliases`: "Putin" for "Russian president"). The
last needs a first search, so a question with aliases is searched twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .. import tuning
from ..index.retriever import Query, Related, Retrieved, Retriever
from ..ingest.analysis import Analyzer
from . import aliases, spelling
from .lexicon import related as lexicon_related
from .question import AnswerType, Question


@dataclass(frozen=True)
class Expanded:
    """A question's search: the query as searched, its result, and each term's weight (its IDF;
    a slip weighs as much as the word it stands for)."""

    query: Query
    retrieved: Retrieved
    weights: Mapping[str, float]


def search(
    question: Question,
    retriever: Retriever,
    analyzer: Analyzer,
    stem_of: Callable[[str], str | None],
    sentence_text: Callable[[int], str],
    depth: int,
) -> Expanded:
    """Expand the question's terms and search for the top ``depth`` hits."""
    terms = tuple(t.term for t in question.terms)
    fixes = spelling.corrections(question.text, question.terms, retriever.has, stem_of)
    lexical = with_related(lexicon_related, _weighted(fixes, tuning.SLIP_WEIGHT)) if fixes else lexicon_related
    query = Query(terms, lexical)
    retrieved = retriever.search(query, depth)
    # Names the best sentences give to what the question describes count as related words,
    # unless the question asks for a name: then the name is the answer, not a clue.
    names: dict[str, set[str]] = {}
    if retrieved.hits and question.info.type not in (AnswerType.PERSON, AnswerType.ORGANISATION):
        texts = (sentence_text(h.sid) for h in retrieved.hits[: tuning.ALIAS_POOL])
        names = aliases.find(texts, terms, analyzer)
    if names:
        query = Query(terms, with_related(lexical, _weighted(names, tuning.ALIAS_WEIGHT, sort=True)))
        retrieved = retriever.search(query, depth)
    weights = {term: retriever.weight(term) for term in terms}
    for term, stems in fixes.items():  # a slip weighs as much as the word it stands for
        weights[term] = max(retriever.weight(stem) for stem in stems)
    return Expanded(query, retrieved, weights)


def _weighted(
    extra: Mapping[str, Iterable[str]], weight: float, sort: bool = False
) -> dict[str, list[tuple[str, float]]]:
    return {term: [(s, weight) for s in (sorted(stems) if sort else stems)] for term, stems in extra.items()}


def with_related(related: Related, extra: Mapping[str, Iterable[tuple[str, float]]]) -> Related:
    """``related`` with more (stem, weight) pairs for some terms, strongest first; a stem that
    ``related`` already gives keeps its own weight."""

    def merged(term: str) -> Sequence[tuple[str, float]]:
        base = related(term)
        more = extra.get(term)
        if not more:
            return base
        known = {other for other, _ in base} | {term}
        return tuple(sorted([*base, *((s, w) for s, w in more if s not in known)], key=lambda pair: -pair[1]))

    return merged
