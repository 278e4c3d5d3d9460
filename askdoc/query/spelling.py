"""Question words mistyped by a letter: "Hollwood" finds "Hollywood", "parliment" "parliament".

A question typed in a hurry may misspell the one word that matters, and BM25 then finds
nothing for it. A question word is read as a slip when no document has it and askdoc's
lexicon does not know it as an English word (so "thought" is never taken for "though", nor
"become" for "became"). The words the documents do have one edit away (a letter left out,
added or changed, or two neighbours swapped: Damerau, "A technique for computer detection
and correction of spelling errors", CACM 1964, found 80% of misspellings to be one of these)
then stand in for it, like related words from the lexicon, with ``tuning.SLIP_WEIGHT``.

Fitted on the even SQuAD sample articles (whose crowd-written questions hold slips such as
"Primier League", "anitrust", "philogiston"), checked on the odd ones: Acc@1 +0.2 point on
both; the weight is flat from 0.5 to 1. On 1,800 questions asked of articles that do not
answer them, no more abstentions were lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from string import ascii_lowercase

from .. import tuning
from ..ingest.analysis import Term
from .lexicon import related as lexicon_related

# tuning.SLIP_MIN_LENGTH: shorter words are one edit from too many others ("stat": start,
# state, stay, seat ...). tuning.SLIP_MAX_LENGTH: longer ones are not English words mistyped,
# and their edits (about 54 x length) only cost.


def corrections(
    question: str,
    terms: Iterable[Term],
    indexed: Callable[[str], bool],
    stem_of: Callable[[str], str | None],
) -> dict[str, tuple[str, ...]]:
    """Query term -> the indexed stems of the words one edit from how the question spells it.

    ``terms`` are the question's terms with their spans; ``indexed(stem)`` says whether any
    sentence has a stem; ``stem_of(word)`` is an indexed (lowercased) word's stem, or None
    when no document has that word.
    """
    out: dict[str, tuple[str, ...]] = {}
    for t in terms:
        word = question[t.start : t.end].lower()
        if (
            t.term in out
            or not tuning.SLIP_MIN_LENGTH <= len(word) <= tuning.SLIP_MAX_LENGTH
            or not (word.isascii() and word.isalpha())
            or indexed(t.term)
            or lexicon_related(t.term)  # an English word the documents lack, not a slip
        ):
            continue
        stems = {stem_of(w) for w in _edits(word)} - {None, t.term}
        found = tuple(sorted(s for s in stems if s is not None and indexed(s)))
        if found:
            out[t.term] = found
    return out


def _edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in ascii_lowercase if c != b[0]}
        | {a + c + b for a, b in splits for c in ascii_lowercase}
    )

