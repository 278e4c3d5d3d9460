"""Turn text into index terms: word tokens, lowercased, stopwords dropped, stemmed.

The same analysis runs on sentences and on questions, so that "led" in a question meets
"led" in the text and "talks" meets "talk". Question words (who, what, ...) are stopwords:
they say what kind of answer is wanted, not what the answer sentence contains. Stopwords and
stems are English; other languages' words are matched as they are spelt.

Every term keeps the span of its word in the text as given, whatever was normalised:

- Unicode: a word is compared after compatibility decomposition without its accents
  (:func:`fold`), so NFC "Zürich", NFD "Zu" + U+0308 + "rich" and "Zurich" are one term,
  and full-width "ＰＤＦ" is "pdf". A combining mark belongs to the word it follows.
- Line-end hyphenation: "com‐" / "mands" is "commands" when the hyphen is U+2010 (as man
  pages print it) or a soft hyphen (U+00AD, which is dropped anywhere in a word); with an
  ASCII "-", only when the joined word is one the document uses elsewhere
  (:func:`hyphen_words`): "non-" / "exclusive" stays two words in a text without
  "nonexclusive".
- Chinese and Japanese are written without spaces: runs of Han, Hiragana and Katakana are
  indexed as overlapping pairs of characters ("パスワード": パス, スワ, ワー, ード), and a
  one-character run as itself, as Lucene's CJK analyser does; they are normalised by NFKC
  (half-width ｶﾀｶﾅ is カタカナ), never stemmed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Sequence
from functools import lru_cache
from typing import NamedTuple

# Bump when analysis or splitting changes what a text is turned into: older indexes rebuild.
ANALYSIS_VERSION = "10"

# Numbers keep their inner separators ("3.5", "1,000"); other tokens are runs of letters or digits.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")
# An ASCII hyphen at a line's end, between two words (the break may carry indentation).
_ASCII_BREAK = re.compile(r"-[ \t]*(?:\r\n|\r|\n)[ \t]*")
_WORD_CHAR = re.compile(r"[^\W_]")
_WORD_BEFORE = re.compile(r"[^\W_]+$")
_WORD_MAX = 64  # a word longer than this before a line-end hyphen is no word
_FIND_EACH_MAX = 32  # more words hyphenated at line ends than this: one pass over every word
_JOINERS = re.compile(r"[\u00ad\u2010\s]+")
# Where a combining mark may be: the soft hyphen, and everything from U+0300 (the first mark) on
# (written as what it is not: a wide range costs Python's re about 3 ms to compile, this 0.1 ms).
_MARK_OR_BEYOND = re.compile("[^\x00-\xac\xae-\u02ff]")
_CHECKED_MAX = 64


@lru_cache(maxsize=1)
def _cjk() -> re.Pattern[str]:
    """Han (with 々〆〇〻), Hiragana, Katakana (with its phonetic extensions and half-width forms):
    compiled on first use (about 1.5 ms; text that is all ASCII never needs it)."""
    return re.compile(
        "[\u3005-\u3007\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
        "\uff66-\uff9f\U00020000-\U0003134f]"
    )


@lru_cache(maxsize=1)
def _word() -> re.Pattern[str]:
    """The token of text that is not all ASCII: a word may hold combining marks (a decomposed
    accent, a Devanagari vowel sign), soft hyphens, and a U+2010 hyphen ending a line.

    Python's ``re`` has no class for marks, so it is made from the Unicode database on first
    use (~15 ms; ASCII text never needs it)."""
    ranges: list[list[int]] = []
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp))[0] == "M" or cp in (0xFF9E, 0xFF9F):  # ﾞﾟ: half-width kana marks
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    marks = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)
    return re.compile(
        rf"\d+(?:[.,]\d+)+|[^\W_](?:[^\W_]+|[{marks}]+|\u00ad+(?=[^\W_])"
        rf"|[\u00ad\u2010][ \t]*(?:\r\n|\r|\n)[ \t]*(?=[^\W_]))*"
    )


def _pattern_for(text: str) -> re.Pattern[str]:
    """:func:`_word` for text that is not all ASCII, unless it is not built yet and ``text`` holds
    no combining mark, soft hyphen or U+2010: then ``_TOKEN`` finds exactly the same tokens (the
    other branches need one of them), and a one-shot question whose sentences have a curly
    quote or an "é" does not pay for building it. A text with many characters from U+0300 on
    (Greek, Cyrillic, CJK) is worth the build: checking them one by one would cost more."""
    if _word.cache_info().currsize:
        return _word()
    for n, m in enumerate(_MARK_OR_BEYOND.finditer(text)):
        ch = m.group()
        if n == _CHECKED_MAX or ch in "\u00ad\u2010" or unicodedata.category(ch)[0] == "M":
            return _word()
    return _TOKEN


def hyphen_words(text: str) -> frozenset[str]:
    """The words of a document (lowercased) that it also writes hyphenated at a line end: an
    ASCII "-" there is a break inside the word ("termi-" / "nal" where "terminal" is used
    elsewhere), not a compound ("well-" / "known")."""
    joined = set()
    for m in _ASCII_BREAK.finditer(text):  # led by a literal "-": a fast scan of a text without one
        before = _WORD_BEFORE.search(text, max(0, m.start() - _WORD_MAX), m.start())
        after = _TOKEN.match(text, m.end())
        if before and after:
            joined.add((before.group() + after.group()).lower())
    if not joined:
        return frozenset()
    lowered = text.lower()
    if len(joined) > _FIND_EACH_MAX:  # one pass over every word beats a search for each
        return frozenset(joined.intersection(_TOKEN.findall(lowered)))
    return frozenset(word for word in joined if _used(lowered, word))


def _used(lowered: str, word: str) -> bool:
    """Does ``word`` stand alone somewhere in ``lowered`` (not inside a longer word)?"""
    at = lowered.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and _WORD_CHAR.match(lowered, at - 1)) and not _WORD_CHAR.match(lowered, end):
            return True
        at = lowered.find(word, end)
    return False


# A short English list kept in code (NLTK's stopwords corpus would need a download): function
# words, auxiliaries, question words, "many"/"much" (they say a number is wanted, not where),
# and what splitting "don't", "didn't" or "Russia's" leaves behind.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom whose why will with would you your yours yourself yourselves
    s t d ll m re ve o y also did does may might must shall us many much
    aren couldn didn doesn don hadn hasn haven isn mightn mustn needn shan shouldn wasn weren won wouldn
    """.split()
)


def fold(word: str) -> str:
    """``word`` without its diacritics, and with compatibility forms spelled plainly (ﬁ -> fi)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)) or word


class Term(NamedTuple):
    """An index term and where its word stands in the analysed text."""

    term: str
    start: int
    end: int


def _make_stemmer() -> Callable[[str], str]:
    # Snowball's English stemmer (Porter2 as revised in Snowball 3: "organic" and "organ", "paste"
    # and "past" stay apart), compiled (PyStemmer): under 1 ms to load, and 16x as fast as the
    # pure-Python snowballstemmer, with the same stems (all 184,411 distinct words of the
    # benchmark corpus). Each distinct word is stemmed once per analyser, so askdoc keeps no
    # second cache in the stemmer.
    import Stemmer

    stem = Stemmer.Stemmer("english", 0).stemWord
    return lambda word: stem(word.lower())


# Sentences whose terms an analyser remembers for :meth:`Analyzer.sentence_terms`.
RECENT_SENTENCES = 2048


def _is_option_letter(text: str, at: int) -> bool:
    """Is the one-character token at ``at`` a command-line option's letter: "-v" after a space,
    a bracket or the start? Such a letter is the term "-v", its case kept and never a stopword,
    so that "What does -v do?" finds "-v, --invert-match" and not "-V, --version" (and "-a"
    is not dropped as the stopword "a"). "e-mail", "x-ray" and "-5" are not options."""
    return (
        at > 0
        and text[at - 1] in _DASHES
        and text[at].isalpha()
        and text[at].isascii()
        and (at == 1 or text[at - 2] in _BEFORE_OPTION)
        and (at + 1 == len(text) or not text[at + 1].isalnum())
    )


_DASHES = "-\u2010\u2212"  # groff prints U+2010 or U+2212 for a man page's dash
_BEFORE_OPTION = " \t\r\n([{,;'\"`"
_OPTION_LETTER = re.compile(r"(?:^|[\s(\[{,;'\"`])-[A-Za-z](?![^\W_])")  # what the check above finds, in ASCII


class Analyzer:
    """Tokenise, drop stopwords and stem, caching each distinct word's stem.

    ``known`` looks a word up in a saved index's word -> stem table: the words it holds decide
    whether a word broken at a line's end ("com-" / "mands") is one. Stems themselves come from
    the stemmer, which gives what the index stored (the index records the analysis version) in
    about a microsecond, where a search of the table took twenty.
    """

    def __init__(self, known: Callable[[str], str | None] | None = None) -> None:
        self.stems: dict[str, str] = {}
        self.added: list[str] = []  # words in the order their stems were first worked out
        self._known = known
        self._stem: Callable[[str], str] | None = None
        self._recent: dict[str, list[Term]] = {}  # text -> terms, for :meth:`sentence_terms`

    def stem(self, word: str) -> str:
        stem = self.stems.get(word)
        if stem is None:
            if self._stem is None:
                self._stem = _make_stemmer()
            stem = self._stem(word)
            self.stems[word] = stem
            self.added.append(word)
        return stem

    def sentence_terms(self, text: str) -> list[Term]:
        """:meth:`terms_with_spans` of a sentence shown for a question, remembered: a question
        reads its best sentences twice (for names, then for highlighting), and the questions
        of a batch or a shell often share them. The list is shared: do not change it."""
        terms = self._recent.get(text)
        if terms is None:
            if len(self._recent) >= RECENT_SENTENCES:
                self._recent.clear()
            terms = self._recent[text] = self.terms_with_spans(text)
        return terms

    def terms_with_spans(self, text: str, words: Container[str] | None = None) -> list[Term]:
        """The terms of ``text`` with their words' spans in it. ``words`` (:func:`hyphen_words`
        of the whole document) decide whether "com-" / "mands" is one word; without them, the
        words whose stems this analyser knows (a saved index's vocabulary) decide."""
        ascii_text = text.isascii()
        if ascii_text and not _ASCII_BREAK.search(text):  # most sentences: words as they stand (inlined: hot)
            out = []
            for m in _TOKEN.finditer(text):
                surface = m.group()
                if len(surface) == 1 and _is_option_letter(text, m.start()):
                    out.append(Term("-" + surface, m.start() - 1, m.end()))
                    continue
                word = surface.lower()
                # An all-capitals acronym is kept even when it spells a stopword: "US", "IT", "WHO".
                if word in STOPWORDS and not (len(surface) > 1 and surface.isupper()):
                    continue
                out.append(Term(self.stem(word), m.start(), m.end()))
            return out
        tokens = [(m.start(), m.end()) for m in (_TOKEN if ascii_text else _pattern_for(text)).finditer(text)]
        if len(tokens) > 1 and _ASCII_BREAK.search(text):
            tokens = self._join_hyphenated(text, tokens, words)
        if not ascii_text and len(tokens) > 1 and ("\n" in text or "\r" in text):
            tokens = _join_cjk_lines(text, tokens)
        han = None if ascii_text else _cjk()
        if han is not None and han.search(text) is None:
            han = None  # no Chinese or Japanese in it
        out = []
        for start, end in tokens:
            if han is not None and han.search(text, start, end):
                out.extend(self._cjk_terms(text, start, end))
            elif end - start == 1 and _is_option_letter(text, start):
                out.append(Term("-" + text[start], start - 1, end))
            elif term := self._word_term(text[start:end], start, end):
                out.append(term)
        return out

    def _word_term(self, surface: str, start: int, end: int) -> Term | None:
        """The term of one word, None for a stopword."""
        if not surface.isalnum():  # a hyphen or a soft hyphen joined its pieces
            surface = _JOINERS.sub("", surface).replace("-", "")
        word = surface.lower()
        if not word.isascii():  # "Beyoncé" meets "Beyonce", "Erdoğan" meets "Erdogan"
            word = fold(word)
        # An all-capitals acronym is kept even when it spells a stopword: "US", "IT", "WHO".
        if word in STOPWORDS and not (len(surface) > 1 and surface.isupper()):
            return None
        return Term(self.stem(word), start, end)

    def _join_hyphenated(
        self, text: str, tokens: list[tuple[int, int]], words: Container[str] | None
    ) -> list[tuple[int, int]]:
        """Tokens with "com-" + line break + "mands" made one where the joined word is known."""
        known = words if words is not None else _KnownWords(self)
        out = [tokens[0]]
        for start, end in tokens[1:]:
            prev_start, prev_end = out[-1]
            if (
                _ASCII_BREAK.fullmatch(text, prev_end, start)
                and (text[prev_start:prev_end] + text[start:end]).lower() in known
            ):
                out[-1] = (prev_start, end)
            else:
                out.append((start, end))
        return out

    def _cjk_terms(self, text: str, start: int, end: int) -> list[Term]:
        """A token holding Chinese or Japanese: pairs of characters for its CJK runs, and the
        letters or digits beside them ("Wi-Fiを", "3月") as words."""
        units: list[tuple[int, int, str]] = []  # (start, end, NFKC form) of each character with its marks
        for i in range(start, end):
            ch = text[i]
            if units and (unicodedata.combining(ch) or ch in "\uff9e\uff9f"):
                s = units[-1][0]
                units[-1] = (s, i + 1, unicodedata.normalize("NFKC", text[s : i + 1]))
            elif ch not in "\u00ad\u2010" and not ch.isspace():
                units.append((i, i + 1, unicodedata.normalize("NFKC", ch)))
        out: list[Term] = []
        i = 0
        han = _cjk()
        while i < len(units):
            cjk = bool(han.match(units[i][2]))
            j = i + 1
            while j < len(units) and bool(han.match(units[j][2])) == cjk:
                j += 1
            run = units[i:j]
            if not cjk:
                if term := self._word_term("".join(u[2] for u in run), run[0][0], run[-1][1]):
                    out.append(term)
            elif len(run) == 1:
                out.append(Term(run[0][2], run[0][0], run[0][1]))
            else:
                out.extend(Term(a[2] + b[2], a[0], b[1]) for a, b in zip(run, run[1:]))
            i = j
        return out

    def terms(self, text: str, words: Container[str] | None = None) -> list[str]:
        """The terms of ``text``, as :meth:`terms_with_spans` gives them, without the spans."""
        if text.isascii() and not _ASCII_BREAK.search(text):  # the common case, inlined: indexing's hot loop
            if "-" in text and _OPTION_LETTER.search(text):  # "-v" is a term of its own
                return [t.term for t in self.terms_with_spans(text, words)]
            stems = self.stems
            out = []
            for surface in _TOKEN.findall(text):
                word = surface.lower()
                if word in STOPWORDS and not (len(surface) > 1 and surface.isupper()):
                    continue
                stem = stems.get(word)
                out.append(self.stem(word) if stem is None else stem)
            return out
        return [t.term for t in self.terms_with_spans(text, words)]


def _join_cjk_lines(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Chinese and Japanese put no space between words: a line break between two of their
    characters is wrapping, and the characters on either side make a pair as usual."""
    han = _cjk()
    out = [tokens[0]]
    for start, end in tokens[1:]:
        prev_start, prev_end = out[-1]
        gap = text[prev_end:start]
        if (
            ("\n" in gap or "\r" in gap)
            and not gap.strip()
            and han.match(text, prev_end - 1)
            and han.match(text, start)
        ):
            out[-1] = (prev_start, end)
        else:
            out.append((start, end))
    return out


class _KnownWords:
    """The words an analyser has stemmed, or can look up in a saved index's table."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer

    def __contains__(self, word: object) -> bool:
        a = self._analyzer
        return word in a.stems or (a._known is not None and isinstance(word, str) and a._known(word) is not None)


terms = Analyzer().terms  # for one-off use (tests, benchmarks); an Index has its own Analyzer


def sentence_length(terms: Sequence[str]) -> int:
    """A sentence's length for BM25: its terms, with Chinese and Japanese character pairs
    counted half. The pairs overlap (a run of n characters gives n - 1 of them, about n / 2
    words), so counting each in full would make such text look twice as long as it reads,
    and a name in Chinese characters would lengthen an English sentence by two words, not one."""
    han = _cjk()
    pairs = sum(1 for t in terms if t >= "\u3005" and han.match(t))  # a pair starts at U+3005 or later
    return len(terms) - pairs + (pairs + 1) // 2
