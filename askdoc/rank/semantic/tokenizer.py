"""bert-base-uncased's WordPiece tokenizer, as all-MiniLM-L6-v2 uses it, in plain Python."""

from __future__ import annotations

import gzip
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

VOCAB = Path(__file__).parents[2] / "data" / "minilm-vocab.txt.gz"
# all-MiniLM-L6-v2 embeds at most 256 word pieces (its sentence_bert_config.json); longer
# sentences are cut there, as sentence-transformers does.
MAX_TOKENS = 256
# How far a side of a pair is read to tell which side is longer (see WordPiece.encode_pair).
_PAIR_COUNT = 4096
# Texts up to this long have their pieces kept, this many pieces in all (then all are dropped;
# about 4 MB, whatever the text): a batch meets the same sentences again and again (tokenising
# 20 pairs: 12 -> 2 ms a question).
_KEEP_CHARS = 1000
_KEEP_PIECES = 500_000


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
        self.vocab = list(vocab)
        self.ids = {piece: i for i, piece in enumerate(vocab)}
        self.unk, self.cls, self.sep, self.pad = (self.ids[t] for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"))
        self._pieces: dict[str, list[int]] = {}
        self._texts: dict[tuple[str, int], list[int]] = {}
        self._kept = 0  # pieces in _texts

    def encode(self, text: str, limit: int = MAX_TOKENS) -> list[int]:
        """``[CLS]``, the pieces of ``text`` (cut to fit), ``[SEP]``: at most ``limit`` ids."""
        ids = [self.cls]
        for word in self.words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= limit - 1:
                break
        return [*ids[: limit - 1], self.sep]

    def encode_pair(self, first: str, second: str, limit: int, context: str = "") -> tuple[list[int], list[int]]:
        """``[CLS] first [SEP] second [SEP]`` and its segment ids (0, then 1), at most ``limit``
        ids. When the pair is too long, the shorter side keeps up to half the room and the longer
        side the rest: Hugging Face's "longest first" truncation, which the cross-encoder was
        trained with. With ``context`` (the sentence before ``second``), the second side is
        ``second [SEP] context``, segment 1 throughout, and the cut takes the context's end first."""
        # Which side is longer decides the cut: count far enough to know (within reason).
        b = self._then(self._pieces_upto(second, _PAIR_COUNT), context)
        return self._pair(self._pieces_upto(first, _PAIR_COUNT), b, limit)

    def encode_pair_with_spans(
        self, first: str, second: str, limit: int, context: str = ""
    ) -> tuple[list[int], list[int], list[tuple[int, int]]]:
        """:meth:`encode_pair`, and for each id the characters of ``second`` it stands for
        (``(0, 0)`` for the question's ids, the markers and the ``context``): how a span the
        reader picks becomes text again."""
        b: list[int] = []
        spans: list[tuple[int, int]] = []
        for word, starts, ends in self.words_with_spans(second):
            at = 0
            for piece in self.pieces(word):
                n = len(word) if piece == self.unk else len(self.vocab[piece]) - 2 * (at > 0)
                spans.append((starts[at], ends[min(at + n, len(word)) - 1]))
                b.append(piece)
                at += n
            if len(b) >= _PAIR_COUNT:
                break
        b = self._then(b[:_PAIR_COUNT], context)
        spans.extend([(0, 0)] * (len(b) - len(spans)))  # the marker and the context stand for no character
        ids, segments = self._pair(self._pieces_upto(first, _PAIR_COUNT), b, limit)
        kept = segments.count(1) - 1
        return ids, segments, [(0, 0)] * (len(ids) - kept - 1) + spans[:kept] + [(0, 0)]

    def _then(self, pieces: list[int], context: str) -> list[int]:
        """``pieces``, then ``[SEP]`` and the pieces of ``context`` (the sentence before), within
        the count read of a side; ``pieces`` alone without a context."""
        if not context or len(pieces) >= _PAIR_COUNT:
            return pieces
        return [*pieces, self.sep, *self._pieces_upto(context, _PAIR_COUNT - len(pieces) - 1)]

    def _pair(self, a: list[int], b: list[int], limit: int) -> tuple[list[int], list[int]]:
        room = limit - 3
        if len(a) + len(b) > room:
            short, long = sorted((len(a), len(b)))
            long = short if short > room else max(short, room - short)
            if short + long > room:  # both are cut: the longer side gets the odd piece
                short, long = room // 2, room // 2 + room % 2
            keep_a, keep_b = (long, short) if len(a) > len(b) else (short, long)
            a, b = a[:keep_a], b[:keep_b]
        ids = [self.cls, *a, self.sep, *b, self.sep]
        return ids, [0] * (len(a) + 2) + [1] * (len(b) + 1)

    def words_with_spans(self, text: str) -> Iterator[tuple[str, list[int], list[int]]]:
        """:meth:`words`, each with, for every character of the normalised word, where it
        starts and ends in ``text``."""
        # normalised characters with their original spans, made as the words are read (a
        # caller that stops early never normalises the rest of a huge text)
        chars = ((n, i, i + 1) for i, ch in enumerate(text) for n in _normalise(ch))
        word: list[tuple[str, int, int]] = []

        def flush() -> Iterator[tuple[str, list[int], list[int]]]:
            if word:
                yield "".join(c for c, _, _ in word), [s for _, s, _ in word], [e for _, _, e in word]
                word.clear()

        for c, s, e in chars:
            if c.isspace():
                yield from flush()
            elif _is_punctuation(c):
                yield from flush()
                yield c, [s], [e]
            elif len(word) > 100:  # already [UNK] (see pieces): its length bounded, its end kept
                word[-1] = (c, s, e)
            else:
                word.append((c, s, e))
        yield from flush()

    def _pieces_upto(self, text: str, limit: int) -> list[int]:
        """The first ``limit`` pieces of ``text`` (not to be changed: a short text's are kept,
        since a question and its candidate sentences come again and again in a batch)."""
        known = self._texts.get((text, limit))
        if known is not None:
            return known
        out: list[int] = []
        for word in self.words(text):
            out.extend(self.pieces(word))
            if len(out) >= limit:
                break
        out = out[:limit]
        if len(text) <= _KEEP_CHARS:
            if self._kept + len(out) > _KEEP_PIECES:
                self._texts.clear()
                self._kept = 0
            self._texts[text, limit] = out
            self._kept += len(out)
        return out

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


@lru_cache(maxsize=2)
def load(vocab_path: Path = VOCAB) -> WordPiece:
    """The tokenizer of a gzipped vocabulary file, read once a process: the embedder, the
    re-ranker and the reader share it."""
    return WordPiece(gzip.decompress(vocab_path.read_bytes()).decode("utf-8").splitlines())


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


