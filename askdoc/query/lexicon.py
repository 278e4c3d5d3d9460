"""Words related to a stem, from a table derived from WordNet 3.0 that ships with askdoc.

A reader asks "When did Russia invade Ukraine?" of a text that says "Russia's invasion of
Ukraine"; Snowball leaves "invad" and "invas" apart. ``related("invad")`` says that "invas"
is a near form of the same word, with a weight below 1 for how far it may stand in for it.

The table (``data/lexicon.tsv.gz``, built by ``tools/build_lexicon.py``; licence in
``data/WORDNET-LICENSE``) is keyed by askdoc's own stems, so a query term is looked up as it
is. It is read once, on the first lookup (about 8 ms and 1.5 MB), and searched in place; a
key's line is parsed only when it is asked for. No NLTK, no WordNet at run time.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from pathlib import Path

from .. import tuning

TABLE = Path(__file__).parent.parent / "data" / "lexicon.tsv.gz"

# The relation kinds of the table, each weighed by tuning.LEXICON_WEIGHTS (< 1, so a sentence
# with the asked word beats one with a relative):
# form: irregular inflections, both ways: led <-> lead, children <-> child
# deriv: derivations and pertainyms: invade <-> invasion, Russian <-> Russia
# place: a national capital and its country: Moscow <-> Russia, Russian; Washington <-> US
# syn: synonyms in the word's two most frequent senses: head -> lead

_text: str | None = None


def _line(stem: str) -> str | None:
    """The rest of ``stem``'s line, by binary search over the sorted lines of the table.

    The table stays one string: building a dict of its 38,000 lines would take three times as
    long as decompressing it (about 8 ms), and four times the memory.
    """
    global _text
    if _text is None:
        _text = zlib.decompress(TABLE.read_bytes(), wbits=31).decode("ascii")  # 31: a gzip member
    text = _text
    lo, hi = 0, len(text)  # lo is always the start of a line
    while lo < hi:
        mid = (lo + hi) // 2
        start = text.rfind("\n", lo, mid) + 1 or lo
        tab = text.find("\t", start)
        end = text.find("\n", tab)
        if end < 0:
            end = len(text)
        key = text[start:tab]
        if key == stem:
            return text[tab + 1 : end]
        if key < stem:
            lo = end + 1
        else:
            hi = start
    return None


@lru_cache(maxsize=4096)
def related(stem: str) -> tuple[tuple[str, float], ...]:
    """Stems related to ``stem`` and their weights in (0, 1), strongest first; () if none."""
    line = _line(stem)
    if not line:
        return ()
    out: list[tuple[str, float]] = []
    for field in line.split("\t"):
        kind, _, stems = field.partition(":")
        weight = tuning.LEXICON_WEIGHTS.get(kind)
        if weight:
            out.extend((other, weight) for other in stems.split(","))
    out.sort(key=lambda pair: (-pair[1], pair[0]))
    return tuple(out)
