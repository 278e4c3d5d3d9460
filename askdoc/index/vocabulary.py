"""The words an index has seen and the stem each was stored under, searched in place."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence


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


class Vocabulary:
    """Lowercased document word -> the stem the index stored it under, so that a question's
    words are stemmed as the documents' were (see :class:`askdoc.ingest.analysis.Analyzer`)."""

    def __init__(self, stored) -> None:
        self._words = SortedStrings(stored.words_blob, stored.words_off)
        self._word_term = stored.word_term
        self._stems = SortedStrings(stored.vocab_blob, stored.vocab_off)

    def __len__(self) -> int:
        """How many distinct terms the index holds."""
        return len(self._stems)

    def stem_of(self, word: str) -> str | None:
        i = self._words.find(word)
        return None if i < 0 else self._stems[self._word_term[i]].decode()
