"""Turn text into index terms: word tokens, lowercased, stopwords dropped, stemmed.

The same analysis runs on sentences and on questions, so that "led" in a question meets
"led" in the text and "talks" meets "talk". Question words (who, what, ...) are stopwords:
they say what kind of answer is wanted, not what the answer sentence contains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

# Bump when analysis or splitting changes what a text is turned into: older indexes rebuild.
ANALYSIS_VERSION = "4"

# Numbers keep their inner separators ("3.5", "1,000"); other tokens are runs of letters or digits.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")

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
    # and "past" stay apart), in pure Python: ~2 ms to load on first use, where NLTK's would cost
    # ~0.3 s each time a question holds a word the documents do not.
    stem = _english_stemmer_class()().stemWord
    return lambda word: stem(word.lower())


def _english_stemmer_class() -> type:
    """``snowballstemmer``'s English stemmer alone. Its package imports all of its 30-odd
    languages (~20 ms, a tenth of a one-shot question); the English module needs only two of
    its siblings, so it is loaded under a bare stand-in for the package, which is then
    dropped: a later ``import snowballstemmer`` still gets the real one."""
    import importlib
    import importlib.util
    import sys
    import types

    name = "snowballstemmer"
    if name in sys.modules:
        return importlib.import_module(f"{name}.english_stemmer").EnglishStemmer
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    bare = types.ModuleType(name)
    bare.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = bare
    try:
        return importlib.import_module(f"{name}.english_stemmer").EnglishStemmer
    finally:
        if sys.modules.get(name) is bare:
            del sys.modules[name]


class Analyzer:
    """Tokenise, drop stopwords and stem, caching each distinct word's stem.

    ``known`` looks a word up in a saved index's word -> stem table first, so that answering
    from a saved index imports the stemmer only for words the documents never contained.
    """

    def __init__(self, known: Callable[[str], str | None] | None = None) -> None:
        self.stems: dict[str, str] = {}
        self.added: list[str] = []  # words in the order their stems were first worked out
        self._known = known
        self._stem: Callable[[str], str] | None = None

    def stem(self, word: str) -> str:
        stem = self.stems.get(word)
        if stem is None:
            stem = self._known(word) if self._known else None
            if stem is None:
                if self._stem is None:
                    self._stem = _make_stemmer()
                stem = self._stem(word)
            self.stems[word] = stem
            self.added.append(word)
        return stem

    def terms_with_spans(self, text: str) -> list[Term]:
        out = []
        for m in _TOKEN.finditer(text):
            surface = m.group()
            word = surface.lower()
            if not word.isascii():  # "Beyoncé" meets "Beyonce", "Erdoğan" meets "Erdogan"
                word = fold(word)
            # An all-capitals acronym is kept even when it spells a stopword: "US", "IT", "WHO".
            if word in STOPWORDS and not (len(surface) > 1 and surface.isupper()):
                continue
            out.append(Term(self.stem(word), m.start(), m.end()))
        return out

    def terms(self, text: str) -> list[str]:
        return [t.term for t in self.terms_with_spans(text)]


terms = Analyzer().terms  # for one-off use (tests, benchmarks); an Index has its own Analyzer
