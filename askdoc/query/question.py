"""What a question asks for: the kind of answer (a name, a date, a number ...), read from its
wh-word and the noun after it, with no tagger (NLTK's needs a data download)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from ..ingest.analysis import STOPWORDS, Term
from .wordlists import PERSON_NOUN_TEXT, WORD


class AnswerType(str, Enum):
    """The kind of phrase a question asks for."""

    PERSON = "person"
    PLACE = "place"
    TIME = "time"
    NUMBER = "number"
    ORGANISATION = "organisation"
    REASON = "reason"
    YES_NO = "yes/no"
    OTHER = "other"


@dataclass(frozen=True)
class QuestionInfo:
    """What ``analyse_question`` read from a question; ``--explain`` shows it."""

    type: AnswerType
    # the words that decided the type: "who", "how many", "which city", "is" ...
    cue: str
    # a finer kind: "duration", "money", "percent", "age", "year", "count"; "thing" for "what X"
    unit: str | None = None
    # the question asks for several things ("who were the members of ...")
    is_list: bool = False
    # where the answer should stand relative to the question's words in the text: "before" for
    # "Who led the delegation?" (the subject is asked), "after" for "Who did Zelensky meet?"
    side: str | None = None
    # "What does NATO stand for?": the acronym whose words are asked for
    acronym: str | None = None
    # "What does -v do?": the command-line option asked about
    option: str | None = None


@dataclass(frozen=True)
class Question:
    """A question analysed once, for every stage after: its text, its terms (stems, with their
    spans in the text) and the kind of answer it asks for."""

    text: str
    terms: tuple[Term, ...]
    info: QuestionInfo


# --- question analysis --------------------------------------------------------------------

_AUXILIARIES = frozenset(
    "is are was were am do does did can could will would shall should has have had may might must".split()
)
_WH = ("how", "who", "whom", "whose", "when", "where", "why", "which", "what")

# "how X": the word after "how" says which kind of number is wanted.
_HOW_UNITS = {
    "many": "count",
    "much": "amount",
    "long": "duration",
    "old": "age",
    "far": "distance",
    "often": "frequency",
    "large": "size",
    "big": "size",
    "tall": "size",
    "high": "size",
    "wide": "size",
    "deep": "size",
    "heavy": "size",
    "fast": "speed",
    "hot": "size",
    "cold": "size",
}

# "what/which X": a head noun that names the kind of answer (a general lexicon of answer
# types, as in Li & Roth's question classes, not words picked from any gold set).
_FOCUS: dict[str, tuple[AnswerType, str | None]] = {}
for _words, _kind in (
    ("year years", (AnswerType.TIME, "year")),
    ("date day weekday month century decade time period era season age dynasty", (AnswerType.TIME, None)),
    (
        "city country state place region continent river location area island town county nation "
        "venue stadium province village capital ocean sea mountain district territory border site "
        "street port lake",
        (AnswerType.PLACE, None),
    ),
    ("percentage percent proportion", (AnswerType.NUMBER, "percent")),
    (
        "number amount size population cost price temperature total rate speed distance length weight height depth",
        (AnswerType.NUMBER, None),
    ),
    (
        "company organisation organization team network group party agency university school "
        "college band newspaper club station channel church institution business firm corporation "
        "league army government",
        (AnswerType.ORGANISATION, None),
    ),
    (PERSON_NOUN_TEXT, (AnswerType.PERSON, None)),
    ("reason cause purpose", (AnswerType.REASON, None)),
):
    for _w in _words.split():
        _FOCUS[_w] = _kind
        _FOCUS[_w + "s"] = _kind

# Words that may stand between "what"/"which" and the noun that names the kind.
_FOCUS_MODIFIERS = frozenset(
    "other two three four five several main first last major largest specific particular exact".split()
)
_COPULAS = frozenset("is was are were".split())
# How far past "what"/"which" the head noun of the question's phrase is looked for.
_HEAD_REACH = 4
_LIST_CUES = frozenset("members names list include included includes".split())


def analyse_question(question: str) -> QuestionInfo:
    """Classify the answer a question expects, from its wh-word and the noun after it."""
    words = [w.lower() for w in WORD.findall(question)]
    if not words:
        return QuestionInfo(AnswerType.OTHER, "")
    wh_at = _wh_position(question, words)
    if wh_at is None:
        if words[0] in _AUXILIARIES:
            return QuestionInfo(AnswerType.YES_NO, words[0])
        return QuestionInfo(AnswerType.OTHER, "")
    asked = _STANDS_FOR.search(question)
    if asked:
        return QuestionInfo(AnswerType.OTHER, "stand for", "expansion", acronym=asked.group(1))
    info = _classify(words, wh_at)
    option = _OPTION.search(question)
    return replace(info, side=_answer_side(words, wh_at), option=option.group() if option else None)


# "What does -v do?", "what is --invert-match for?": an option named in the question, after a
# space: one letter or digit, or a lower-case name ("-Chamorro" and "--the" are not options)
_OPTION = re.compile(r"(?:^|(?<=\s))(?:-[A-Za-z0-9?]|-{1,2}[a-z][a-z0-9-]*[a-z0-9])(?![\w-])")


# "What does NATO stand for?", "What does “TGIF” stand for?"
_STANDS_FOR = re.compile(
    r"\b(?i:what\s+(?:does|do|did))\s+[\"“'‘]?([A-Z][A-Za-z0-9&]{1,9})[\"”'’]?\s+(?i:stands?\s+for)\b"
)


def _answer_side(words: list[str], wh_at: int) -> str | None:
    nxt = words[wh_at + 1] if wh_at + 1 < len(words) else ""
    if nxt in ("did", "does", "do", "will", "would", "can", "could", "should"):
        return "after"
    if nxt in ("has", "have", "had") and words[wh_at] == "who":  # "who has made it clear ..."
        return "before"
    if nxt and nxt not in _AUXILIARIES and nxt not in STOPWORDS and words[wh_at] in ("who", "what", "which"):
        # "who led", "what caused"; but "what (cable) company ..." names a kind, the verb comes later
        if (
            nxt in _FOCUS
            or nxt in _FOCUS_MODIFIERS
            or (words[wh_at] != "who" and words[_head_noun(words, wh_at)] in _FOCUS)
        ):
            return None
        return "before"
    return None


def _classify(words: list[str], wh_at: int) -> QuestionInfo:
    wh = words[wh_at]
    nxt = words[wh_at + 1] if wh_at + 1 < len(words) else ""
    plural = nxt in ("were", "are") or any(w in _LIST_CUES for w in words)
    if wh == "how":
        if nxt in _HOW_UNITS:
            return QuestionInfo(AnswerType.NUMBER, f"how {nxt}", _HOW_UNITS[nxt])
        return QuestionInfo(AnswerType.OTHER, "how")
    if wh in ("who", "whom", "whose"):
        return QuestionInfo(AnswerType.PERSON, wh, is_list=plural)
    if wh == "when":
        return QuestionInfo(AnswerType.TIME, wh)
    if wh == "where":
        return QuestionInfo(AnswerType.PLACE, wh)
    if wh == "why":
        return QuestionInfo(AnswerType.REASON, wh)
    # what / which: the noun after it may name the kind ("which city", "what other two teams"),
    # or a noun a few words on, the head of the phrase ("what cable company", "which British
    # TV network"): the last kind-naming word before a verb or a function word.
    k = _head_noun(words, wh_at)
    if k < len(words) and words[k] in _FOCUS:
        kind, unit = _FOCUS[words[k]]
        return QuestionInfo(kind, f"{wh} {words[k]}", unit, is_list=plural and kind is AnswerType.PERSON)
    if k < len(words) and words[k] not in STOPWORDS and words[k] not in _AUXILIARIES:
        # "what sitcom", "which film": a noun we have no class for; the answer is often a name
        return QuestionInfo(AnswerType.OTHER, f"{wh} {words[k]}", "thing", is_list=plural)
    return QuestionInfo(AnswerType.OTHER, wh, is_list=plural)


def _head_noun(words: list[str], wh_at: int) -> int:
    """Where the noun that may name the kind stands after "what"/"which" (or "what is the"): the
    next word past modifiers ("what other two [teams]"), or a kind-naming word a few words on,
    the head of the phrase ("what cable [company]", "which British TV [network]"), before a verb
    or function word."""
    k = wh_at + 1
    if k + 1 < len(words) and words[k] in _COPULAS and words[k + 1] == "the":
        k += 2  # "what was the [average cost] ...": the subject names the kind ("what is a X?" asks what X is)
    while k < len(words) - 1 and words[k] in _FOCUS_MODIFIERS:
        k += 1
    for j in range(k, min(k + _HEAD_REACH, len(words))):
        if words[j] in _AUXILIARIES or (words[j] in STOPWORDS and j > k):
            break
        if words[j] in _FOCUS:
            k = j
    return k


def _wh_position(question: str, words: list[str]) -> int | None:
    """Where the question word stands; in "When Fox left, who replaced him?" it is the second one."""
    found = [i for i, w in enumerate(words) if w in _WH]
    if not found:
        return None
    comma = question.find(",")
    if len(found) > 1 and comma > 0:
        before = len(WORD.findall(question[:comma]))
        later = [i for i in found if i >= before]
        if later and found[0] < before:
            return later[0]
    return found[0]

