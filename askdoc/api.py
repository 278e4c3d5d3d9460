"""The whole library in one object: index documents once, then ask questions.

    >>> from askdoc import Index
    >>> index = Index.from_paths([])          # the bundled article
    >>> answer = index.ask("Who led the US delegation?")
    >>> answer.evidence[0].sentence.text
    'US Secretary of State Marco Rubio led the American delegation, ...'

``Index.from_paths`` keeps a saved index per set of paths in the user's cache folder (see
:mod:`store`) and re-analyses only files that changed; ``Index(documents)`` works in memory.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import aliases, spelling, store
from .analysis import ANALYSIS_VERSION, Analyzer
from .answer import RERANK_POOL, AnswerType, analyse_question, attach_answer
from .documents import (
    BUNDLED_NAME,
    STDIN,
    InputFile,
    Warn,
    bundled_article,
    collect_paths,
    file_input,
    read_stream,
    read_text,
    text_input,
)
from .errors import InputError
from .index import DELTA, K1, B, BM25Index, Related, SortedStrings
from .lexicon import related
from .model import Answer, Document, Evidence, Sentence
from .sentences import is_heading

if TYPE_CHECKING:
    from .build import Built, Progress
    from .semantic import EmbedProgress

DEFAULT_TOP = 3
# What a heading's score counts for (see Index._demote_headings). Set by design, not fitted:
# the SQuAD sample has no headings to fit it on.
HEADING_WEIGHT = 0.5
# File texts kept in memory for quoting sentences (characters); a long shell session over a
# big corpus would otherwise end up holding every file it ever quoted.
TEXT_CACHE_CHARS = 32_000_000


class Index:
    """Sentences of one or more documents, ranked by BM25 against questions."""

    _warn: Warn | None = None  # hears, once per file, that undecodable bytes were replaced
    _note: Warn | None = None  # hears of long waits, like a progress bar (people, not scripts)
    _embed_progress: Callable[[int], EmbedProgress] | None = None  # a bar for the first embedding
    # Blend in sentence embeddings (the ``semantic`` extra): None = when it is installed.
    use_semantic: bool | None = None

    def __init__(self, documents: Sequence[Document], errors: str = "strict"):
        """An index of documents already read, in memory (nothing is saved)."""
        from .build import build

        built = build([text_input(d) for d in documents], errors=errors)
        self._open(store.decode(b"".join(built.pieces)), built, errors, None)

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[str],
        stdin: BinaryIO | None = None,
        errors: str = "strict",
        warn: Warn | None = None,
        cache: bool = True,
        index_path: Path | None = None,
        progress: Callable[[int], Progress] | None = None,
        semantic: bool | None = None,
        note: Warn | None = None,
        embed_progress: Callable[[int], EmbedProgress] | None = None,
    ) -> Index:
        """Index files, folders or ``-`` (stdin); no paths means the bundled article.

        With ``cache``, the index is saved (to ``index_path``, or the cache folder) and reused
        by later calls on the same paths. ``progress(total_files)`` may return a callback that
        building calls as files are done; ``note`` hears of other long waits (a first embedding),
        and ``embed_progress(total_sentences)`` may return a callback for the first embedding.
        """
        from .build import build

        paths = list(paths)
        if paths:
            inputs: list[InputFile] = []
            for p in paths:
                if p == STDIN:
                    inputs.append(text_input(read_stream(stdin, errors=errors, warn=warn)))
                else:
                    inputs.extend(collect_paths(p, warn))
            if not inputs:  # only folders, and none held a document askdoc could read
                raise InputError("no documents to read: no readable .txt or .md file in " + ", ".join(paths))
        else:
            paths = [str(bundled_article())]
            inputs = [file_input(Path(paths[0]), BUNDLED_NAME)]
        self = cls.__new__(cls)
        self._warn = warn
        self._note = note
        self._embed_progress = embed_progress
        self.use_semantic = semantic
        on_file = progress(len(inputs)) if progress else None
        if not cache or any(i.path is None for i in inputs):
            built = build(inputs, errors=errors, warn=warn, progress=on_file)
            self._open(store.decode(b"".join(built.pieces)), built, errors, None)
            return self
        if index_path is not None and store.foreign(index_path):
            raise InputError(f"{index_path} is not an askdoc index: askdoc will not overwrite it (give another path)")
        path = index_path or index_file(paths)
        previous = _load_previous(path, errors, warn)
        built = build(inputs, previous, errors=errors, warn=warn, progress=on_file)
        if built.pieces is None:  # the saved index is still exact
            store.touch(path)
            self._open(previous, built, errors, path)
            return self
        try:
            store.save(path, built.pieces)
            if index_path is None:
                store.prune_cache(path.parent)
        except OSError as e:
            if warn:
                warn(f"cannot save the index to {path} ({e.strerror or e}); answering without it")
            path = None
        self._open(store.decode(b"".join(built.pieces)), built, errors, path)
        return self

    def _open(self, stored, built: Built, errors: str, path: Path | None) -> None:
        self.stored = stored
        self.report = built.report
        self.path = path
        self._errors = errors
        self.files = built.inputs  # in the index's order
        self._firsts = [f["first"] for f in stored.header["files"]]
        self._texts: dict[int, str] = {}  # file number -> text, least recently used first
        self._text_chars = 0
        self.keep_texts = False  # True: never forget a text once read (the shell answers from its copy)
        self.bm25 = BM25Index(stored)
        words = SortedStrings(stored.words_blob, stored.words_off)
        self._words, self._word_term = words, stored.word_term
        self.analyzer = Analyzer(known=self._known_stem)
        self._sentences: list[Sentence] | None = None
        self._ranker: object = None  # the semantic ranker once made; False: not used

    # ------------------------------------------------------------ contents

    def __len__(self) -> int:
        return self.bm25.size

    @property
    def sources(self) -> list[str]:
        return [f.source for f in self.files]

    def _known_stem(self, word: str) -> str | None:
        i = self._words.find(word)
        return None if i < 0 else self.bm25.vocab[self._word_term[i]].decode()

    def file_of(self, sid: int) -> int:
        """The number of the file sentence ``sid`` comes from (files hold consecutive ranges)."""
        return bisect_right(self._firsts, sid) - 1

    def text_of(self, file_no: int) -> str:
        """A file's text, read on first use; an error if it changed since it was indexed (the
        saved offsets would cut the wrong sentences out of it)."""
        text = self._texts.get(file_no)
        if text is None:
            entry = self.files[file_no]
            text = read_text(entry, self._errors, self._warn)
            if entry.path is not None and entry.sha256 != self.stored.header["files"][file_no]["sha256"]:
                raise InputError(f"{entry.source} changed while askdoc was reading it; ask again")
            self._texts[file_no] = text
            self._text_chars += len(text)
            while not self.keep_texts and self._text_chars > TEXT_CACHE_CHARS and len(self._texts) > 1:
                oldest = next(iter(self._texts))  # dicts keep insertion order: the least recent first
                self._text_chars -= len(self._texts.pop(oldest))
        else:
            self._texts[file_no] = self._texts.pop(file_no)  # now the most recent
        return text

    def sentence(self, sid: int) -> Sentence:
        s = self.stored
        file_no, start, end = self.file_of(sid), s.sent_start[sid], s.sent_end[sid]
        return Sentence(self.text_of(file_no)[start:end], self.files[file_no].source, s.sent_line[sid], start, end)

    @property
    def sentences(self) -> list[Sentence]:
        """Every sentence, in document order (this reads every file: meant for small corpora)."""
        if self._sentences is None:
            self._sentences = [self.sentence(i) for i in range(len(self))]
        return self._sentences

    # ------------------------------------------------------------ asking

    def semantic_ranker(self):
        """The embedding ranker (``askdoc[semantic]``), made on first use; None when not used."""
        if self._ranker is None:
            from . import semantic

            self._ranker = False
            auto = self.use_semantic is None
            if semantic.available() if auto else self.use_semantic:
                # Unasked for, the extra embeds only a few sentences first (see AUTO_EMBED_LIMIT).
                limit = semantic.AUTO_EMBED_LIMIT if auto else None
                vectors = semantic.index_embeddings(self, note=self._note, limit=limit, progress=self._embed_progress)
                if vectors is not None:
                    self._ranker = semantic.SemanticRanker(vectors)
        return self._ranker or None

    def ask(
        self,
        question: str,
        top: int = DEFAULT_TOP,
        context: int = 0,
        id: str | None = None,
        explain: bool = False,
        vector=None,
    ) -> Answer:
        """Rank the sentences for ``question``, find the short answer, or abstain.

        With ``explain``, each evidence gets ``explanation``: every matched term's share of the
        BM25 score (and the related word that stood in for it), the BM25+ floor, and the answer
        type. ``vector``: the question's embedding, when the semantic extra is on and the
        caller embedded it already (see :meth:`ask_many`)."""
        if not question.strip():
            raise InputError("the question is empty")
        if top < 1:
            raise InputError(f"top must be at least 1, not {top}")
        if context < 0:
            raise InputError(f"context must be 0 or more, not {context}")
        spans = self.analyzer.terms_with_spans(question)
        query = [t.term for t in spans]
        if not query:
            reason = (
                "every word of the question is too common to search for"
                if any(ch.isalnum() for ch in question)
                else "the question has no words to search for"
            )
            return Answer(question, [], True, id=id, reason=reason)
        ranker = self.semantic_ranker()
        pool = max(top, RERANK_POOL)  # the short answer's type re-rank looks past --top
        depth = max(pool, ranker.pool) if ranker else pool
        fixes = spelling.corrections(question, spans, lambda stem: self.bm25.df(stem) > 0, self._known_stem)
        lexical = spelling.extend(related, fixes) if fixes else related
        hits = self.bm25.search(query, depth, lexical)
        if not hits:
            return Answer(question, [], True, id=id, reason="no sentence shares a word with the question")
        # Names the best sentences give to what the question describes count as related words,
        # unless the question asks for a name: then the name is the answer, not a clue.
        names: dict[str, set[str]] = {}
        wanted = analyse_question(question)
        if wanted.type not in (AnswerType.PERSON, AnswerType.ORGANISATION):
            names = aliases.find((self.sentence(sid).text for sid, _ in hits[:RERANK_POOL]), query, self.analyzer)
        rel = aliases.extend(lexical, names) if names else lexical
        if names:
            hits = self.bm25.search(query, depth, rel)
        weights = {term: self.bm25.idf(term) for term in query}
        for term, stems in fixes.items():  # a slip weighs as much as the word it stands for
            weights[term] = max(self.bm25.idf(stem) for stem in stems)
        nearest = None  # with the semantic extra: the best cosine of any sentence with the question
        if ranker:
            from .semantic import bm25_weight

            weight = bm25_weight(self._coverage(hits[0][0], query, weights, rel))
            hits, nearest = ranker.rank(question, hits, pool, self.bm25.floor(query, rel), weight=weight, vector=vector)
        hits = self._demote_headings(hits)
        evidence = [self._evidence(rank, sid, score, query, context, rel) for rank, (sid, score) in enumerate(hits, 1)]
        answer = Answer(question, evidence, False, id=id)
        attach_answer(answer, weights, nearest, wanted)
        del evidence[top:]
        if explain:
            for e in evidence:
                floor = self.bm25.floor(query, rel, e.terms)
                e.explanation = {
                    "terms": {t: {"score": round(v, 4), "via": e.via.get(t)} for t, v in e.terms.items()},
                    "floor": round(floor, 4),
                    "bm25": round(floor + sum(e.terms.values()), 4),
                    "semantic": bool(ranker),
                    "answer_type": wanted.type.value,
                    "type_match": e.answer_span is not None or e.type_bonus > 0,  # holds that kind
                    "answer_here": e.answer_span is not None,  # the short answer is taken from it
                    "type_bonus": round(e.type_bonus, 4),
                    "heading": is_heading(e.sentence.text),  # its score counts HEADING_WEIGHT
                }
        return answer

    def _demote_headings(self, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Headings ("Uncertain Path Forward") count ``HEADING_WEIGHT`` of their score: they
        name a topic, they state nothing, so a sentence that matches as much comes first."""
        headings = {sid for sid, _ in hits if is_heading(self.sentence(sid).text)}
        if not headings:
            return hits
        scored = [(sid, score * HEADING_WEIGHT if sid in headings else score) for sid, score in hits]
        return sorted(scored, key=lambda x: (-x[1], x[0]))

    def _coverage(self, sid: int, query: list[str], weights: dict[str, float], rel: Related) -> float:
        """The share of the query's IDF ``weights`` that sentence ``sid`` matches."""
        total = sum(weights.values())
        matched = self.bm25.contributions(sid, query, rel)
        return sum(w for t, w in weights.items() if t in matched) / total if total else 0.0

    def ask_many(self, questions: Sequence[tuple[object, str]], **options) -> list[Answer]:
        """Answer (id, question) pairs; with the semantic extra, the questions are embedded together."""
        ranker = self.semantic_ranker()
        vectors = ranker.embed_questions([q for _, q in questions]) if ranker else [None] * len(questions)
        return [self.ask(q, id=qid, vector=v, **options) for (qid, q), v in zip(questions, vectors)]

    def _evidence(self, rank: int, sid: int, score: float, query: list[str], context: int, rel: Related) -> Evidence:
        sentence = self.sentence(sid)
        shares = self.bm25.contributions(sid, query, rel)
        wanted = {word for _, word in shares.values()}
        return Evidence(
            rank,
            score,
            sentence,
            matches=[(t.start, t.end) for t in self.analyzer.terms_with_spans(sentence.text) if t.term in wanted],
            before=self._neighbours(sid, -context),
            after=self._neighbours(sid, context),
            terms={term: value for term, (value, _) in shares.items()},
            via={term: word for term, (_, word) in shares.items() if word != term},
        )

    def _neighbours(self, sid: int, count: int) -> list[Sentence]:
        """Up to ``|count|`` sentences after ``sid`` (before it, for a negative count), from the
        same document: context never crosses files, and a huge count costs no more than the file."""
        file_no = self.file_of(sid)
        first = self._firsts[file_no]
        end = self._firsts[file_no + 1] if file_no + 1 < len(self._firsts) else len(self)
        ids = range(max(first, sid + count), sid) if count < 0 else range(sid + 1, min(end, sid + 1 + count))
        return [self.sentence(i) for i in ids]


def ask(question: str, paths: Iterable[str] = (), top: int = DEFAULT_TOP, context: int = 0) -> Answer:
    """One question about some documents (the bundled article by default)."""
    return Index.from_paths(paths).ask(question, top=top, context=context)


def index_file(paths: Sequence[str]) -> Path:
    """Where the saved index of these paths lives: one per set of paths (as resolved) and version."""
    resolved = sorted(str(Path(p).resolve()) for p in paths or [str(bundled_article())])
    key = "\0".join([ANALYSIS_VERSION, str(store.FORMAT_VERSION), f"{K1},{B},{DELTA}", *resolved])
    return store.cache_dir() / f"{hashlib.sha256(key.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.idx"


def _load_previous(path: Path, errors: str, warn: Warn | None):
    try:
        previous = store.load(path)
    except OSError:
        return None  # missing or unreadable: the save that follows says so if it matters
    except (store.CorruptIndex, ValueError, KeyError) as e:
        if warn:
            warn(f"the saved index {path} is unusable ({e}); rebuilding it")
        return None
    header = previous.header
    if header.get("analysis") != ANALYSIS_VERSION or header.get("params") != {"k1": K1, "b": B, "delta": DELTA}:
        if warn:
            warn(f"the saved index {path} comes from another version of askdoc; rebuilding it")
        return None
    if header.get("errors") != errors:
        return None  # read with another --errors: files it skipped or replaced would differ
    return previous
