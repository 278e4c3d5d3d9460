"""The whole library in one object: index documents once, then ask questions.

>>> from askdoc import Index
>>> index = Index.from_paths([])          # the bundled article
>>> answer = index.ask("Who led the US delegation?")
>>> answer.evidence[0].sentence.text
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import BinaryIO

from . import analysis
from .answer import attach_answer
from .documents import Warn, read_documents
from .errors import InputError
from .index import BM25Index
from .model import Answer, Document, Evidence, Sentence
from .sentences import split

DEFAULT_TOP = 3


class Index:
    """Sentences of one or more documents, ranked by BM25 against questions."""

    def __init__(self, documents: Sequence[Document]):
        self.documents = list(documents)
        self.sentences: list[Sentence] = []
        for doc in self.documents:
            self.sentences.extend(split(doc.text, doc.source))
        self._terms = [analysis.terms_with_spans(s.text) for s in self.sentences]
        self.bm25 = BM25Index([[t.term for t in terms] for terms in self._terms])

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[str],
        stdin: BinaryIO | None = None,
        errors: str = "strict",
        warn: Warn | None = None,
    ) -> Index:
        """Read files, folders or ``-`` (stdin); no paths means the bundled article."""
        return cls(read_documents(paths, stdin=stdin, errors=errors, warn=warn))

    def ask(self, question: str, top: int = DEFAULT_TOP, context: int = 0, id: str | None = None) -> Answer:
        """Rank the sentences for ``question``; abstain when none shares a word with it."""
        if not question.strip():
            raise InputError("the question is empty")
        query = analysis.terms(question)
        if not query:
            return Answer(question, [], True, id=id, reason="every word of the question is too common to search for")
        hits = self.bm25.search(query, top)
        if not hits:
            return Answer(question, [], True, id=id, reason="no sentence shares a word with the question")
        evidence = [self._evidence(rank, sid, score, query, context) for rank, (sid, score) in enumerate(hits, 1)]
        answer = Answer(question, evidence, False, id=id)
        attach_answer(answer, {term: self.bm25.idf.get(term, 0.0) for term in query})
        return answer

    def _evidence(self, rank: int, sid: int, score: float, query: list[str], context: int) -> Evidence:
        sentence = self.sentences[sid]
        wanted = set(query)
        return Evidence(
            rank,
            score,
            sentence,
            matches=[(t.start, t.end) for t in self._terms[sid] if t.term in wanted],
            before=self._neighbours(sid, range(sid - context, sid)),
            after=self._neighbours(sid, range(sid + 1, sid + 1 + context)),
            terms=self.bm25.contributions(sid, query),
        )

    def _neighbours(self, sid: int, ids: range) -> list[Sentence]:
        """Sentences around ``sid`` from the same document (context never crosses files)."""
        source = self.sentences[sid].source
        return [self.sentences[i] for i in ids if 0 <= i < len(self.sentences) and self.sentences[i].source == source]


def ask(question: str, paths: Iterable[str] = (), top: int = DEFAULT_TOP, context: int = 0) -> Answer:
    """One question about some documents (the bundled article by default)."""
    return Index.from_paths(paths).ask(question, top=top, context=context)
