"""Build index arrays from documents, re-analysing only the files that changed.

A build takes the current list of input files. Files whose size and modification time (or,
failing that, content hash) match the previous index keep their analysed postings; new and
changed files are split and analysed; removed files are dropped. The result is encoded in
the on-disk format of :mod:`store` (the in-memory index uses the same bytes).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import InputError
from ..ingest.analysis import ANALYSIS_VERSION, Analyzer, hyphen_words, sentence_length
from ..ingest.documents import InputFile, read_text
from ..ingest.sentences import split
from ..model import BuildReport
from .bm25 import params, saturation
from .store import StoredIndex, encode

Progress = Callable[[int, int], None]  # (files done, sentences so far)
# For one big file: called with its size in bytes, may return a callback that hears the bytes done.
ByteProgress = Callable[[int], "Callable[[int], None] | None"]


@dataclass
class _Segment:
    """Analysed postings of one file, with term ids local to ``vocab``."""

    vocab: dict[str, int] = field(default_factory=dict)
    term: array = field(default_factory=lambda: array("i"))
    doc: array = field(default_factory=lambda: array("i"))
    tf: array = field(default_factory=lambda: array("H"))
    start: array = field(default_factory=lambda: array("I"))
    end: array = field(default_factory=lambda: array("I"))
    line: array = field(default_factory=lambda: array("I"))
    length: array = field(default_factory=lambda: array("H"))
    blob: bytearray = field(default_factory=bytearray)  # the sentences' text, UTF-8, back to back
    text_end: array = field(default_factory=lambda: array("q"))  # where each sentence's text ends in blob


def analyse(text: str, analyzer: Analyzer, words: frozenset[str] | None = None) -> _Segment:
    """Split and analyse a text; ``words``: the hyphen words of the whole file, when ``text`` is a chunk of it."""
    if len(text) >= 2**32:  # offsets are stored in 32 bits
        raise InputError("a file of 4 Gi characters or more is too large to index")
    seg = _Segment()
    if words is None:
        words = hyphen_words(text)  # "com-" / "mands" is one word where the document has "commands"
    for sentence in split(text):
        terms = analyzer.terms(sentence.text, words)
        _add_sentence(seg, terms, sentence.start, sentence.end, sentence.line, sentence.text)
    return _by_term(seg)


def _by_term(seg: _Segment) -> _Segment:
    """``seg`` with its terms numbered in string order and its postings sorted by term, each
    term's sentences still in order. Done where the text is analysed (in the workers, for a
    big job), this leaves :func:`_assemble` runs that are already sorted to merge: 0.07 s
    instead of 0.5 s for the 8M postings of a million sentences."""
    if not seg.vocab:
        return seg
    import numpy as np

    terms = sorted(seg.vocab)
    rank = np.empty(len(terms), np.int32)
    rank[np.fromiter(map(seg.vocab.__getitem__, terms), np.int32, len(terms))] = np.arange(len(terms), dtype=np.int32)
    term = rank[np.frombuffer(seg.term, np.int32)]
    order = np.argsort(term, kind="stable")
    seg.vocab = dict(zip(terms, range(len(terms))))
    seg.term = array("i", term[order].tobytes())
    seg.doc = array("i", np.frombuffer(seg.doc, np.int32)[order].tobytes())
    seg.tf = array("H", np.frombuffer(seg.tf, np.uint16)[order].tobytes())
    return seg


def _add_sentence(seg: _Segment, terms: list[str], start: int, end: int, line: int, text: str = "") -> None:
    sid = len(seg.length)
    counts: dict[str, int] = {}
    for t in terms:
        counts[t] = counts.get(t, 0) + 1
    for t, tf in counts.items():
        seg.term.append(seg.vocab.setdefault(t, len(seg.vocab)))
        seg.doc.append(sid)
        seg.tf.append(min(tf, 0xFFFF))
    seg.start.append(start)
    seg.end.append(end)
    seg.line.append(line)
    seg.length.append(sentence_length(terms))
    seg.blob += text.encode("utf-8", "surrogatepass")
    seg.text_end.append(len(seg.blob))


def from_terms(corpus: Sequence[Sequence[str]]) -> list:
    """Encode an index of sentences given directly as term lists (for tests and benchmarks)."""
    import numpy as np

    seg = _Segment()
    for i, terms in enumerate(corpus):
        _add_sentence(seg, list(terms), i, i, i + 1)
    return _assemble(np, [(InputFile("terms", None, text=""), seg)], None, Analyzer())


class Built(NamedTuple):
    """What a build produced: the index file's pieces (None when ``previous`` is still exact),
    what happened to each file, and the inputs indexed, in the index's order."""

    pieces: list | None
    report: BuildReport
    inputs: list[InputFile]


def build(
    inputs: Sequence[InputFile],
    previous: StoredIndex | None = None,
    errors: str = "strict",
    warn: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    byte_progress: ByteProgress | None = None,
) -> Built:
    """Encode an index of ``inputs`` (pieces for :func:`store.save`), reusing ``previous`` where it can.

    A file named on the command line that cannot be read is an error; one found in a folder is
    skipped (with a note to ``warn``, if given). ``progress(files done, sentences)`` hears of every
    input, skipped or not; ``byte_progress`` of the bytes of each file big enough to be cut in chunks."""
    report = BuildReport()
    old_files = {f["path"]: (i, f) for i, f in enumerate(previous.header["files"])} if previous else {}
    analyzer = Analyzer()
    kept: list[InputFile] = []
    parts: list[tuple[InputFile, object]] = []  # (input, _Segment | old file number)
    touched = False  # a file with a new mtime but the same content: its record needs rewriting
    sentences = 0
    olds = [old_files.get(e.path) if e.path else None for e in inputs]
    olds = [old if old and old[1].get("encoding") == e.encoding else None for e, old in zip(inputs, olds)]  # -E
    to_read = [
        (e, old[1]["sha256"] if old else None) for e, old in zip(inputs, olds) if not (old and e.same_file(old[1]))
    ]
    with _reader(to_read, errors, byte_progress) as results:
        for done, (entry, old) in enumerate(zip(inputs, olds), 1):
            if old and entry.same_file(old[1]):
                entry.sha256 = old[1]["sha256"]
                entry.notes = tuple(old[1].get("notes", ()))
                if warn and not entry.warned:
                    for text in entry.notes:
                        warn(text)  # not read this time: what reading it said still holds
                entry.warned = entry.warned or bool(entry.notes)
                parts.append((entry, old[0]))
            else:
                outcome, sha_or_error, notes, segment, stems, read_as = next(results)
                for text in notes:
                    if warn:
                        warn(text)
                if outcome == "error":
                    if entry.named:
                        raise InputError(sha_or_error)
                    if warn:
                        warn(f"skipped {sha_or_error}")
                    if progress:
                        progress(done, sentences)
                    continue
                entry.sha256, entry.warned = sha_or_error, entry.warned or bool(notes)
                entry.notes = tuple(notes)
                entry.kind, entry.pages = read_as  # read in a worker process, perhaps: its copy learnt them
                if outcome == "same":
                    assert old is not None  # "same" answers a file the previous index had
                    parts.append((entry, old[0]))
                    touched = True
                else:
                    analyzer.stems.update(stems)
                    parts.append((entry, segment))
                    report.analysed.append(entry.source)
            kept.append(entry)
            sentences += _count(parts[-1][1], previous)
            if progress:
                progress(done, sentences)
    if inputs and not kept:  # folders whose every file was skipped: nothing was read
        raise InputError("no documents to read: every file found was skipped (not text, or unreadable)")
    report.reused = [e.source for e, part in parts if not isinstance(part, _Segment)]
    current = {e.path for e in kept}
    report.removed = [f["path"] for f in (previous.header["files"] if previous else []) if f["path"] not in current]
    if previous is not None and not touched and [p for _, p in parts] == list(range(len(previous.header["files"]))):
        return Built(None, report, kept)  # every file reused, in the same order: nothing to write
    import numpy as np

    return Built(_assemble(np, parts, previous, analyzer, errors), report, kept)


_analyzer: Analyzer | None = None  # a worker process's own, made fresh for each pool


def _start_worker() -> None:
    global _analyzer
    _analyzer = Analyzer()


def _read(entry: InputFile, old_sha: str | None, errors: str) -> tuple[str, list[str], tuple | None]:
    """A file's text and the notes reading it gave, and the result to return at once when
    there is nothing to analyse: an error, or content that is still ``old_sha``'s."""
    notes: list[str] = []
    try:
        text = read_text(entry, errors, notes.append)
    except InputError as e:
        return "", notes, ("error", str(e), notes, None, None, None)
    if entry.sha256 == old_sha:
        return text, notes, ("same", entry.sha256, notes, None, None, (entry.kind, entry.pages))
    return text, notes, None


def _read_and_analyse(entry: InputFile, old_sha: str | None, errors: str, analyzer: Analyzer | None = None) -> tuple:
    """Read one file and analyse it, unless its content is ``old_sha``'s. Runs in a worker
    process too, so it returns plain data: (outcome, sha256 or error message, notes, segment,
    the stems this file added to the analyzer's cache, (kind, pages) as read), outcome being
    "new", "same" (content unchanged) or "error". Without ``analyzer``, the worker's own is used."""
    analyzer = analyzer or _analyzer
    assert analyzer is not None
    text, notes, early = _read(entry, old_sha, errors)
    if early is not None:
        return early
    known = len(analyzer.added)
    segment = analyse(text, analyzer)
    stems = {w: analyzer.stems[w] for w in analyzer.added[known:]}
    return "new", entry.sha256, notes, segment, stems, (entry.kind, entry.pages)


# Files are analysed in worker processes when there is this much to read and a core to spare:
# splitting and analysis take ~35 us a sentence in one process, and files are independent.
PARALLEL_FROM_BYTES = 4_000_000
MAX_WORKERS = 4
# A file this big is cut into chunks of about CHUNK_CHARS at paragraph boundaries, and the
# chunks are analysed by every worker (or one by one here): a 100 MB log or book uses every
# core, and what analysis holds at once is a few chunks, not the file.
SPLIT_FROM_BYTES = 8_000_000
CHUNK_CHARS = 2_000_000


def _can_fork() -> bool:
    import multiprocessing  # 4 ms: only when there is enough to read to share out

    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def _reader(
    to_read: list[tuple[InputFile, str | None]], errors: str, byte_progress: ByteProgress | None = None
) -> Iterator[Iterator[tuple]]:
    """The results of :func:`_read_and_analyse` for ``to_read``, in order: from a pool of
    worker processes when it pays, else one by one here. Big files are cut in chunks."""
    import os

    cores = os.cpu_count() or 1
    size = sum(e.size for e, _ in to_read)
    big = [e.path is not None and e.size >= SPLIT_FROM_BYTES for e, _ in to_read]
    if cores < 2 or not (any(big) or (len(to_read) >= 2 and size >= PARALLEL_FROM_BYTES)) or not _can_fork():
        analyzer = Analyzer()

        def here(chunk: str, words: frozenset[str]) -> tuple:
            return _analyse_chunk(chunk, words, analyzer)

        yield (
            _read_in_chunks(e, old, errors, here, 1, byte_progress)
            if is_big
            else _read_and_analyse(e, old, errors, analyzer)
            for (e, old), is_big in zip(to_read, big)
        )
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(cores, MAX_WORKERS, max(len(to_read), cores if any(big) else 1))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker)

    def results() -> Iterator[tuple]:
        small = {
            i: pool.submit(_read_and_analyse, e, old, errors)
            for i, ((e, old), is_big) in enumerate(zip(to_read, big))
            if not is_big
        }

        def submit(chunk: str, words: frozenset[str]) -> object:
            return pool.submit(_analyse_chunk, chunk, words)

        for i, (e, old) in enumerate(to_read):
            if big[i]:
                yield _read_in_chunks(e, old, errors, submit, workers, byte_progress)
            else:
                yield small.pop(i).result()

    try:
        yield results()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C or an error: drop what is queued
        raise
    else:
        pool.shutdown()


def _analyse_chunk(text: str, words: frozenset[str], analyzer: Analyzer | None = None) -> tuple:
    """(segment, the stems it added) of one chunk of a big file; runs in a worker process too."""
    analyzer = analyzer or _analyzer
    assert analyzer is not None
    known = len(analyzer.added)
    segment = analyse(text, analyzer, words)
    return segment, {w: analyzer.stems[w] for w in analyzer.added[known:]}


def _read_in_chunks(
    entry: InputFile,
    old_sha: str | None,
    errors: str,
    submit: Callable,
    workers: int,
    byte_progress: ByteProgress | None,
) -> tuple:
    """:func:`_read_and_analyse` for one big file: its text is cut at paragraph boundaries and
    each chunk analysed apart (``submit(chunk, words)`` returns a future, or the result when run
    here); the chunks' segments are then joined into the file's. At most twice ``workers``
    chunks are out at once, so memory holds the text and a few chunks, not a copy of the file."""
    text, notes, early = _read(entry, old_sha, errors)
    if early is not None:
        return early
    if len(text) >= 2**32:  # offsets are stored in 32 bits
        raise InputError("a file of 4 Gi characters or more is too large to index")
    on_bytes = byte_progress(entry.size) if byte_progress else None
    words = hyphen_words(text)  # of the whole file, as analysing it in one piece would
    cuts = paragraph_cuts(text, CHUNK_CHARS)
    out: list[tuple[int, Any]] = []  # (chunk number, future or result), in order
    joined = _Joined()
    stems: dict[str, str] = {}
    for n in range(len(cuts) - 1):
        out.append((n, submit(text[cuts[n] : cuts[n + 1]], words)))
        while out and (len(out) > 2 * workers or n == len(cuts) - 2):
            done, pending = out.pop(0)
            segment, added = pending.result() if hasattr(pending, "result") else pending
            stems.update(added)
            joined.add(segment, text, cuts[done], cuts[done + 1])
            if on_bytes:
                on_bytes(entry.size * cuts[done + 1] // max(len(text), 1))
    return "new", entry.sha256, notes, joined.segment, stems, (entry.kind, entry.pages)


class _Joined:
    """Chunks' segments joined, in order, into one file's: term ids made common, sentence ids,
    offsets and line numbers moved by what came before."""

    def __init__(self) -> None:
        self.segment = _Segment()
        self._line = 0  # line breaks before the next chunk

    def add(self, part: _Segment, text: str, start: int, end: int) -> None:
        import numpy as np

        seg = self.segment
        ids = np.array([seg.vocab.setdefault(t, len(seg.vocab)) for t in part.vocab], np.int32)
        seg.term.frombytes(ids[np.frombuffer(part.term, np.int32)].tobytes() if len(part.term) else b"")
        seg.doc.frombytes((np.frombuffer(part.doc, np.int32) + np.int32(len(seg.length))).tobytes())
        seg.tf.extend(part.tf)
        seg.start.frombytes((np.frombuffer(part.start, np.uint32) + np.uint32(start)).tobytes())
        seg.end.frombytes((np.frombuffer(part.end, np.uint32) + np.uint32(start)).tobytes())
        seg.line.frombytes((np.frombuffer(part.line, np.uint32) + np.uint32(self._line)).tobytes())
        seg.length.extend(part.length)
        seg.text_end.frombytes((np.frombuffer(part.text_end, np.int64) + np.int64(len(seg.blob))).tobytes())
        seg.blob += part.blob
        # Lines end at \n, \r\n or a lone \r; a cut is at a line's start, never inside a \r\n.
        self._line += text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)


_BREAK = r"(?:\r\n|\n|\r(?!\n))"
_BLANK_LINE = re.compile(_BREAK + r"[^\S\r\n]*" + _BREAK)
_NON_SPACE = re.compile(r"\S")


def paragraph_cuts(text: str, size: int) -> list[int]:
    """Offsets that cut ``text`` into pieces of about ``size`` characters (0 and len(text)
    included) where :func:`split` gives each piece the sentences it gives the whole: the start
    of a line after a blank line, where every block of lines starts afresh. A text without a
    blank line past ``size`` stays one piece."""
    cuts = [0]
    while cuts[-1] + size < len(text):
        blank = _BLANK_LINE.search(text, cuts[-1] + size)
        nonblank = _NON_SPACE.search(text, blank.end()) if blank else None
        if blank is None or nonblank is None:
            break
        first = nonblank.start()
        cuts.append(max(text.rfind("\n", blank.end(), first), text.rfind("\r", blank.end(), first)) + 1 or blank.end())
    cuts.append(len(text))
    return cuts


def _count(part: object, previous: StoredIndex | None) -> int:
    if isinstance(part, _Segment):
        return len(part.length)
    assert previous is not None
    return previous.header["files"][part]["count"]


def _assemble(np, parts, previous: StoredIndex | None, analyzer: Analyzer, errors: str = "strict") -> list:
    """Merge fresh segments and reused ranges of ``previous`` into one sorted CSR index."""
    old_vocab = _strings(previous.vocab_blob, previous.vocab_off) if previous else []
    vocab: set[str] = set()
    for _, part in parts:
        if isinstance(part, _Segment):
            vocab.update(part.vocab)
    # Reused postings of the previous index, selected with one mask over all its postings.
    old = {}
    if previous is not None and any(not isinstance(p, _Segment) for _, p in parts):
        term_ptr = np.frombuffer(previous.term_ptr, np.int64)
        old["doc"] = np.frombuffer(previous.post_doc, np.int32)
        old["tf"] = np.frombuffer(previous.post_tf, np.uint16)
        old["term"] = np.repeat(np.arange(len(term_ptr) - 1, dtype=np.int32), np.diff(term_ptr))
        old["sent"] = {k: np.frombuffer(getattr(previous, f"sent_{k}"), t) for k, t in _SENT_TYPES.items()}
        old["remap"] = np.full(len(old["sent"]["len"]), -1, np.int64)
    files, sent_parts, post_parts = [], [], []
    # Each part's sentence text, and where each of its sentences ends in it:
    blobs: list[bytes | bytearray | memoryview] = []
    ends: list = []
    offset = text_base = 0
    for entry, part in parts:
        pages = list(entry.pages)
        if isinstance(part, _Segment):
            count = len(part.length)
            sent_parts.append(
                {k: np.frombuffer(getattr(part, a), _SENT_TYPES[k]) for k, a in _SEGMENT_SENT.items()} | {"n": count}
            )
            post_parts.append(("fresh", part, offset))
            blob: bytes | bytearray | memoryview = part.blob
            end = np.frombuffer(part.text_end, np.int64)
        else:
            assert previous is not None  # only a previous index's files are numbers
            record = previous.header["files"][part]
            first, count = record["first"], record["count"]
            pages = pages or record.get("pages", [])
            old["remap"][first : first + count] = np.arange(offset, offset + count)
            sent_parts.append({k: v[first : first + count] for k, v in old["sent"].items()} | {"n": count})
            text_off = np.frombuffer(previous.text_off, np.int64)
            blob = previous.text_blob[text_off[first] : text_off[first + count]]
            end = text_off[first + 1 : first + count + 1] - text_off[first]
        blobs.append(blob)
        ends.append(end + text_base)
        text_base += len(blob)
        files.append(
            {
                "path": entry.path,
                "source": entry.source,
                "size": entry.size,
                "mtime_ns": entry.mtime_ns,
                "sha256": entry.sha256,
                "first": offset,
                "count": count,
                **({"pages": pages} if pages else {}),  # where each page starts (PDF): a sentence's page
                **({"notes": list(entry.notes)} if entry.notes else {}),
                **({"encoding": entry.encoding} if entry.encoding else {}),  # --encoding: read again under another
            }
        )
        offset += count
    if old:
        keep = old["remap"][old["doc"]] >= 0
        used = np.unique(old["term"][keep])
        vocab.update(old_vocab[i] for i in used.tolist())
    terms = sorted(vocab)
    ids = {t: i for i, t in enumerate(terms)}
    p_term, p_doc, p_tf = [], [], []
    for _, part, base in post_parts:
        local = np.array([ids[t] for t in part.vocab], np.int32)
        p_term.append(local[np.frombuffer(part.term, np.int32)] if len(part.term) else np.zeros(0, np.int32))
        p_doc.append(np.frombuffer(part.doc, np.int32) + np.int32(base))
        p_tf.append(np.frombuffer(part.tf, np.uint16))
    if old:
        to_new = np.full(len(old_vocab), -1, np.int32)
        to_new[used] = [ids[old_vocab[i]] for i in used.tolist()]
        p_term.append(to_new[old["term"][keep]])
        p_doc.append(old["remap"][old["doc"][keep]].astype(np.int32))
        p_tf.append(old["tf"][keep])
    term = np.concatenate(p_term) if p_term else np.zeros(0, np.int32)
    doc = np.concatenate(p_doc) if p_doc else np.zeros(0, np.int32)
    tf = np.concatenate(p_tf) if p_tf else np.zeros(0, np.uint16)
    order = np.argsort(term, kind="stable")  # fast on the runs :func:`_by_term` sorted
    post_doc = doc[order]
    if len(order) > 1:
        by = term[order]
        if not ((by[1:] > by[:-1]) | (post_doc[1:] > post_doc[:-1])).all():  # reused postings: sort by sentence too
            order = np.lexsort((doc, term))
            post_doc = doc[order]
    term_ptr = np.zeros(len(terms) + 1, np.int64)
    np.cumsum(np.bincount(term, minlength=len(terms)), out=term_ptr[1:])
    sent = {k: _concat(np, [p[k] for p in sent_parts], t) for k, t in _SENT_TYPES.items()}
    # Surface word -> stem table, so that a query needs NLTK only for words the documents lack.
    words = {}
    if previous is not None:
        words = dict(zip(_strings(previous.words_blob, previous.words_off), (old_vocab[i] for i in previous.word_term)))
    words.update(analyzer.stems)
    word_items = sorted((w, ids[s]) for w, s in words.items() if s in ids)
    vocab_blob, vocab_off = _blob(np, terms)
    words_blob, words_off = _blob(np, [w for w, _ in word_items])
    post_tf = tf[order]
    header = {
        "analysis": ANALYSIS_VERSION,
        "params": params(),
        "errors": errors,  # how undecodable bytes were read: a saved index is reused only the same way
        "files": files,
        "sentences": offset,
        "total_length": int(sent["len"].sum()),
    }
    arrays = {
        "vocab_blob": vocab_blob,
        "vocab_off": vocab_off,
        "term_ptr": term_ptr,
        "post_doc": np.ascontiguousarray(post_doc, np.int32),
        "post_tf": np.ascontiguousarray(post_tf, np.uint16),
        "term_bound": _term_bounds(np, term_ptr, post_doc, post_tf, sent["len"]),
        "words_blob": words_blob,
        "words_off": words_off,
        "word_term": np.array([i for _, i in word_items], np.int32),
        **{f"sent_{k}": np.ascontiguousarray(v) for k, v in sent.items()},
        "text_blob": b"".join(blobs),
        "text_off": np.concatenate([np.zeros(1, np.int64), *ends]),
    }
    return encode(header, arrays)


def _term_bounds(np, term_ptr, post_doc, post_tf, lengths):
    """Per term, max over its postings of tf(k1+1) / (k1(1 - b + b len/avgdl) + tf): times the IDF,
    the most the term can add to a sentence's score. Lets a query skip postings that cannot
    change its top k (see BM25Index._top_numpy)."""
    if len(post_doc) == 0:
        return np.zeros(len(term_ptr) - 1)
    avgdl = lengths.sum() / len(lengths)
    tf = post_tf.astype(np.float64)
    k1, b = params()["k1"], params()["b"]
    part = saturation(tf, lengths[post_doc], avgdl, k1, b)
    return np.maximum.reduceat(part, term_ptr[:-1])


_SENT_TYPES = {"start": "uint32", "end": "uint32", "line": "uint32", "len": "uint16"}
_SEGMENT_SENT = {"start": "start", "end": "end", "line": "line", "len": "length"}


def _concat(np, pieces: list, dtype):
    return np.concatenate(pieces).astype(dtype) if pieces else np.zeros(0, dtype)


def _blob(np, strings: list[str]):
    encoded = [s.encode() for s in strings]
    offsets = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return bytearray(b"".join(encoded)), offsets


def _strings(blob, offsets) -> list[str]:
    raw = bytes(blob)
    offs = offsets.tolist()
    return [raw[a:b].decode() for a, b in zip(offs, offs[1:])]
