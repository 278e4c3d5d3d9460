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

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, TypeVar

from . import pipeline, tuning
from .errors import InputError
from .index import bm25, store
from .index.bm25 import Bm25Retriever
from .index.vocabulary import Vocabulary
from .ingest.analysis import ANALYSIS_VERSION, Analyzer
from .ingest.documents import (
    BUNDLED_NAME,
    STDIN,
    InputFile,
    Selection,
    Warn,
    bundled_article,
    collect_paths,
    file_input,
    read_text,
    sha256_hex,
    stream_input,
    text_input,
    unique,
)
from .model import Answer, Document, Sentence

if TYPE_CHECKING:
    from .answer.reader import Reader
    from .index.build import Built, Progress
    from .index.store import StoredIndex
    from .rank.semantic.cross_encoder import LearnedReranker
    from .rank.semantic.embeddings import EmbedProgress
    from .rank.semantic.ranker import SemanticRanker

DEFAULT_TOP = 3
# File texts kept in memory for quoting sentences (characters); a long shell session over a
# big corpus would otherwise end up holding every file it ever quoted.
TEXT_CACHE_CHARS = 32_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class IndexInfo:
    """What a saved index holds: where it is, its size in bytes, and its files' sentences."""

    path: Path
    size: int
    sentences: int
    terms: int
    files: tuple[tuple[str, int], ...]  # (path, sentences)


class Index:
    """Sentences of one or more documents, ranked by BM25 against questions."""

    _warn: Warn | None = None  # hears, once per file, that undecodable bytes were replaced
    _note: Warn | None = None  # hears of long waits, like a progress bar (people, not scripts)
    _embed_progress: Callable[[int], EmbedProgress] | None = None  # a bar for the first embedding
    # Blend in sentence embeddings (the ``semantic`` extra): None = when it is installed.
    use_semantic: bool | None = None

    def __init__(self, documents: Sequence[Document], errors: str = "strict"):
        """An index of documents already read, in memory (nothing is saved)."""
        from .index.build import build

        built = build([text_input(d) for d in documents], errors=errors)
        self._open(_decoded(built), built, errors, None)

    @classmethod
    def from_paths(
        cls,
        paths: Iterable[str],
        stdin: BinaryIO | None = None,
        errors: str = "strict",
        warn: Warn | None = None,
        cache: bool = True,
        index_path: Path | None = None,
        progress: Callable[[int], Progress | None] | None = None,
        semantic: bool | None = None,
        note: Warn | None = None,
        embed_progress: Callable[[int], EmbedProgress] | None = None,
        selection: Selection | None = None,
        encoding: str | None = None,
        byte_progress: Callable[[int], Callable[[int], None] | None] | None = None,
    ) -> Index:
        """Index files, folders, http(s) URLs or ``-`` (stdin); no paths means the bundled article.

        ``selection`` chooses the files of folders (globs and types, as ripgrep does);
        ``encoding`` decodes text formats (default UTF-8, or what a BOM says).

        With ``cache``, the index is saved (to ``index_path``, or the cache folder) and reused
        by later calls on the same paths. ``progress(total_files)`` may return a callback that
        building calls as files are done; ``note`` hears of other long waits (a first embedding),
        and ``embed_progress(total_sentences)`` may return a callback for the first embedding.
        ``byte_progress(size)`` may return a callback that hears the bytes done of one big file
        (the only path given), which is analysed in chunks.
        """
        from .index.build import build

        paths = list(paths)
        if paths:
            inputs: list[InputFile] = []
            for p in paths:
                if p == STDIN:
                    inputs.append(stream_input(stdin, errors=errors, warn=warn))
                else:
                    inputs.extend(collect_paths(p, warn, selection, encoding, errors))
            inputs = unique(inputs)
            if not inputs:  # only folders, and none held a document askdoc could read
                raise InputError("no documents to read: no file of a type askdoc reads in " + ", ".join(paths))
        else:
            paths = [str(bundled_article())]
            inputs = [file_input(Path(paths[0]), BUNDLED_NAME)]
        self = cls.__new__(cls)
        self._warn = warn
        self._note = note
        self._embed_progress = embed_progress
        self.use_semantic = semantic
        on_file = progress(len(inputs)) if progress else None
        on_bytes = byte_progress if len(inputs) == 1 else None  # one bar at a time: files, or one file's bytes
        if not cache or any(i.path is None for i in inputs):
            built = build(inputs, errors=errors, warn=warn, progress=on_file, byte_progress=on_bytes)
            self._open(_decoded(built), built, errors, None)
            return self
        if index_path is not None and store.foreign(index_path):
            raise InputError(f"{index_path} is not an askdoc index: askdoc will not overwrite it (give another path)")
        path = index_path or index_file(paths, index_variant(selection, encoding))
        previous = _load_previous(path, errors, warn)
        built = build(inputs, previous, errors=errors, warn=warn, progress=on_file, byte_progress=on_bytes)
        saved: Path | None = path
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
            saved = None
        self._open(_decoded(built), built, errors, saved)
        return self

    def _open(self, stored, built: Built, errors: str, path: Path | None) -> None:
        self.stored = stored
        self.report = built.report
        self.path = path
        self._errors = errors
        self.files = built.inputs  # in the index's order
        self._firsts = [f["first"] for f in stored.header["files"]]
        for entry, record in zip(self.files, stored.header["files"]):
            entry.pages = entry.pages or tuple(record.get("pages", ()))  # a reused file is not read again
        self._texts: dict[int, str] = {}  # file number -> text, least recently used first
        self._text_chars = 0
        self.retriever = Bm25Retriever(stored)
        self.vocabulary = Vocabulary(stored)
        self.analyzer = Analyzer(known=self.vocabulary.stem_of)
        self._sentences: list[Sentence] | None = None
        self._ranker: SemanticRanker | Literal[False] | None = None  # made on first use; False: not used
        self._learned: LearnedReranker | Literal[False] | None = None
        self._reader: Reader | Literal[False] | None = None

    # ------------------------------------------------------------ contents

    def __len__(self) -> int:
        return int(self.stored.header["sentences"])

    @property
    def sources(self) -> list[str]:
        return [f.source for f in self.files]

    def file_of(self, sid: int) -> int:
        """The number of the file sentence ``sid`` comes from (files hold consecutive ranges)."""
        return bisect_right(self._firsts, sid) - 1

    def text_of(self, file_no: int) -> str:
        """A file's whole text, read on first use; an error if it changed since it was indexed
        (the saved offsets would not fit it). Sentences need not read it: see :meth:`sentence`."""
        text = self._texts.get(file_no)
        if text is None:
            entry = self.files[file_no]
            text = read_text(entry, self._errors, self._warn)
            if entry.path is not None and entry.sha256 != self.stored.header["files"][file_no]["sha256"]:
                raise InputError(f"{entry.source} changed while askdoc was reading it; ask again")
            self._texts[file_no] = text
            self._text_chars += len(text)
            while self._text_chars > TEXT_CACHE_CHARS and len(self._texts) > 1:
                oldest = next(iter(self._texts))  # dicts keep insertion order: the least recent first
                self._text_chars -= len(self._texts.pop(oldest))
        else:
            self._texts[file_no] = self._texts.pop(file_no)  # now the most recent
        return text

    def sentence(self, sid: int) -> Sentence:
        """Sentence ``sid`` as it was indexed: its text comes from the index, so showing a
        sentence of a 100 MB file reads its few bytes, and a file edited since cannot shift it."""
        s = self.stored
        entry, start, end = self.files[self.file_of(sid)], s.sent_start[sid], s.sent_end[sid]
        return Sentence(s.sentence_text(sid), entry.source, s.sent_line[sid], start, end, entry.page_at(start))

    @property
    def sentences(self) -> list[Sentence]:
        """Every sentence, in document order (all in memory: meant for small corpora)."""
        if self._sentences is None:
            self._sentences = [self.sentence(i) for i in range(len(self))]
        return self._sentences

    # ------------------------------------------------------------ asking

    def semantic_ranker(self) -> SemanticRanker | None:
        """The embedding ranker (``askdoc[semantic]``), made on first use; None when not used."""
        if self._ranker is None:
            from .rank import semantic

            self._ranker = False
            auto = self.use_semantic is None
            if semantic.available() if auto else self.use_semantic:
                from .rank.semantic.embeddings import index_embeddings
                from .rank.semantic.ranker import SemanticRanker
                # Unasked for, the extra embeds only a few sentences first (see tuning).
                limit = tuning.SEMANTIC_AUTO_EMBED_LIMIT if auto else None
                vectors = index_embeddings(self, note=self._note, limit=limit, progress=self._embed_progress)
                if vectors is not None:
                    self._ranker = SemanticRanker(vectors)
        return self._ranker or None

    def learned_ranker(self) -> LearnedReranker | None:
        """The learned re-ranker (with ``askdoc[semantic]`` and its model shipped), unless
        the semantic extra is turned off; made on first use."""
        if self._learned is None:
            from .rank.semantic import cross_encoder

            self._learned = self._model_of_extra(cross_encoder.available, cross_encoder.LearnedReranker)
        return self._learned or None

    def answer_reader(self) -> Reader | None:
        """The learned answer reader (with ``askdoc[semantic]`` and its model shipped), unless
        the semantic extra is turned off; made on first use."""
        if self._reader is None:
            from .answer import reader

            self._reader = self._model_of_extra(reader.available, reader.reader)
        return self._reader or None

    def _model_of_extra(self, available: Callable[[], bool], make: Callable[[], T]) -> T | Literal[False]:
        """``make()``: a model of the semantic extra, if it is there and not turned off; else False."""
        return make() if self.use_semantic is not False and available() else False

    def corpus(self) -> pipeline.Corpus:
        """What the question pipeline runs on."""
        return pipeline.Corpus(
            self.retriever,
            self.analyzer,
            self.vocabulary.stem_of,
            self.sentence,
            self._neighbours,
            self.semantic_ranker(),
            self.learned_ranker(),
            self.answer_reader(),
        )

    def ask(
        self,
        question: str,
        top: int = DEFAULT_TOP,
        context: int = 0,
        id: object = None,
        explain: bool = False,
        vector: object = None,
    ) -> Answer:
        """Rank the sentences for ``question``, find the short answer, or abstain.

        With ``explain``, each evidence gets an :class:`~askdoc.model.Explanation`: every matched
        term's share of the BM25 score (and the related word that stood in for it), the BM25+
        floor, and the answer type. ``vector``: the question's embedding, when the semantic
        extra is on and the caller embedded it already (see :meth:`ask_many`)."""
        if not question.strip():
            raise InputError("the question is empty")
        if top < 1:
            raise InputError(f"top must be at least 1, not {top}")
        if context < 0:
            raise InputError(f"context must be 0 or more, not {context}")
        return pipeline.ask(self.corpus(), question, top, context, id=id, explain=explain, vector=vector)

    def ask_many(self, questions: Sequence[tuple[object, str]], **options) -> list[Answer]:
        """Answer (id, question) pairs; with the semantic extra, the questions are embedded together."""
        ranker = self.semantic_ranker()
        vectors = ranker.embed_questions([q for _, q in questions]) if ranker else [None] * len(questions)
        return [self.ask(q, id=qid, vector=v, **options) for (qid, q), v in zip(questions, vectors)]

    def file_records(self) -> list[tuple[str, int]]:
        """Each file's source and sentence count, in the index's order."""
        return [(f.source, record["count"]) for f, record in zip(self.files, self.stored.header["files"])]

    @staticmethod
    def info(paths: Sequence[str] = (), index_path: Path | None = None, variant: str = "") -> IndexInfo:
        """What the saved index of ``paths`` (or the one at ``index_path``) holds, without building it."""
        target = index_path or index_file(paths, variant)
        try:
            stored = store.load(target)
        except (FileNotFoundError, store.CorruptIndex) as e:
            raise InputError(f"no usable saved index for these paths ({target}: {e})") from None
        except OSError as e:
            raise InputError(f"{target}: {e.strerror or e}") from None
        header = stored.header
        return IndexInfo(
            target,
            target.stat().st_size,
            int(header["sentences"]),
            len(stored.vocab_off) - 1,
            tuple((f["path"], int(f["count"])) for f in header["files"]),
        )

    @staticmethod
    def clear(paths: Sequence[str] = (), index_path: Path | None = None, variant: str = "") -> Path:
        """Remove the saved index of ``paths`` (or the one at ``index_path``, if it is askdoc's)."""
        target = index_path or index_file(paths, variant)
        if index_path is not None and store.foreign(target):  # a path the user named: make sure it is ours
            raise InputError(f"{target} is not an askdoc index: askdoc will not remove it")
        try:
            store.remove(target)
        except FileNotFoundError:
            raise InputError(f"no saved index for these paths ({target})") from None
        except OSError as e:
            raise InputError(f"{target}: {e.strerror or e}") from None
        return target

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


def index_variant(selection: Selection | None, encoding: str | None) -> str:
    """What sets apart the saved index of paths read with these options ('' for the defaults)."""
    return "\0".join(filter(None, [encoding or "", selection.key if selection else ""]))


def index_file(paths: Sequence[str], variant: str = "") -> Path:
    """Where the saved index of these paths lives: one per set of paths (as resolved), version
    and ``variant`` (another --encoding, --glob or --type reads other text or other files)."""
    resolved = sorted(str(Path(p).resolve()) for p in paths or [str(bundled_article())])
    p = bm25.params()
    key = "\0".join([ANALYSIS_VERSION, str(store.FORMAT_VERSION), f"{p['k1']},{p['b']},{p['delta']}", *resolved])
    key += f"\0{variant}" if variant else ""
    return store.cache_dir() / f"{sha256_hex(key.encode('utf-8', 'surrogateescape'))[:32]}.idx"


def _decoded(built: Built) -> StoredIndex:
    """The index a build made, read back from its pieces (the same bytes a saved one holds)."""
    assert built.pieces is not None
    return store.decode(b"".join(built.pieces))


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
    if header.get("analysis") != ANALYSIS_VERSION or header.get("params") != bm25.params():
        if warn:
            warn(f"the saved index {path} comes from another version of askdoc; rebuilding it")
        return None
    if header.get("errors") != errors:
        return None  # read with another --errors: files it skipped or replaced would differ
    return previous
