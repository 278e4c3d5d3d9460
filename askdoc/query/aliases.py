"""Names the documents give to what a question describes: "the Russian president" is Putin.

News and reference texts introduce someone with a title ("Russian President Vladimir Putin")
and then use the name alone ("open to meeting Putin"); a reader asks with the title. When
the best sentences for a question hold two or more of its terms directly before a
capitalised name, and the description holds a word for a person's role ("president",
"spokesman", "envoy"), that name's words stand in for those terms in other sentences, like
a related word from the lexicon (:func:`askdoc.query.lexicon.related`), with ``tuning.ALIAS_WEIGHT``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .. import tuning
from ..ingest.analysis import Analyzer, Term
from .wordlists import PERSON_NOUNS, is_calendar_word

# tuning.ALIAS_MIN_TERMS: a description must use at least this many of the question's terms:
# "president" alone names too many people; "Russian president" names one.
_ROLES = PERSON_NOUNS

# What may stand between the words of a description: a space, "of" ("Secretary of State")
# or a possessive ("Moscow's envoy"). Between the description and the name, and inside the
# name, only a space: "the Russian president, Reuters reported" names nobody.
_GAP = re.compile(r"(?:[’']s)?\s+(?:of\s+)?")
_SPACE = re.compile(r"[ \t]+")


def find(texts: Iterable[str], query: Sequence[str], analyzer: Analyzer) -> dict[str, set[str]]:
    """Question term -> the stems of names that the texts give to a description using it."""
    asked = set(query)
    out: dict[str, set[str]] = {}
    if asked.isdisjoint(_role_terms()):
        return out  # a description needs a role word among the question's terms: none here
    for text in texts:
        terms = analyzer.sentence_terms(text)
        i = 0
        while i < len(terms):
            j = i
            while j < len(terms) and terms[j].term in asked and (j == i or _joined(text, terms[j - 1], terms[j])):
                j += 1
            described = terms[i:j]
            name: list[str] = []
            enough = len({t.term for t in described}) >= tuning.ALIAS_MIN_TERMS
            if enough and any(_word(text, t) in _ROLES for t in described):
                k = j
                while (
                    k < len(terms)
                    and len(name) < tuning.ALIAS_MAX_NAME_WORDS
                    and terms[k].term not in asked
                    and _is_name_word(text, terms[k])
                    and _SPACE.fullmatch(text, terms[k - 1].end, terms[k].start)
                ):
                    name.append(terms[k].term)
                    k += 1
            if not name:
                # Every run starting inside [i, j) ends at j too, and fails as this one did: the
                # scan goes on from j (which may start a run of its own), so it stays linear.
                i = max(j, i + 1)
                continue
            for t in described:
                out.setdefault(t.term, set()).update(name)
            i = j + len(name)
    return out


@lru_cache(maxsize=1)
def _role_terms() -> frozenset[str]:
    """The role words' terms: a lone word stems alike in every analyzer, and each role word is
    one term whatever its case ("President", "PRESIDENT")."""
    analyzer = Analyzer()
    return frozenset(t for word in _ROLES for t in analyzer.terms(word))


def _word(text: str, t: Term) -> str:
    return text[t.start : t.end].lower()


def _is_name_word(text: str, t: Term) -> bool:
    word = text[t.start : t.end]
    return word[0].isupper() and word.lower() not in _ROLES and not is_calendar_word(word)


def _joined(text: str, a: Term, b: Term) -> bool:
    return _GAP.fullmatch(text, a.end, b.start) is not None

