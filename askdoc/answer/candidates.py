"""Candidate answers: the spans of a sentence that could be the short answer, and how well
each fits the kind of answer the question asks for.

Every candidate is a span of an evidence sentence: a run of capitalised words, a number with
its unit, a date, a quotation, a phrase next to the words the question matched. No model and
no tagger: regexes over the already ranked sentences keep the batch fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import tuning
from ..ingest.analysis import STOPWORDS
from ..query.question import AnswerType, QuestionInfo
from ..query.wordlists import MONTHS, TITLES, WEEKDAYS, WORD, is_calendar_word
from ..rank.context import Matched
from ..safe_text import blank_controls
from . import options

# The longest "what did X do" answer taken from after the verb, in words.
_OBJECT_WORDS = 15

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|thousand|dozen|several|half|few|single|couple|dozens|hundreds|thousands|millions"
)
_NUM = rf"(?:\d+(?:[.,]\d+)*|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))*)"
_SCALE = r"(?:\s(?:hundred|thousand|million|billion|trillion))?"
_TIME_UNIT = r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century)"

_DATE = re.compile(
    rf"\b(?:(?:\d{{1,2}}\s)?(?:{MONTHS})\.?(?:\s\d{{1,2}})?(?:,?\s\d{{3,4}})?"
    rf"|(?:{WEEKDAYS})"
    r"|(?:the\s)?\d{1,2}(?:st|nd|rd|th)\s(?:century|millennium)(?:\s(?:BC|AD|BCE|CE))?"
    r"|\d{3,4}s"
    r"|(?:1\d|20)\d\d(?:\s(?:BC|AD|BCE|CE))?)\b"
)
_YEAR = re.compile(r"(?:1\d|20)\d\d")
_QUANTITY = re.compile(
    rf"(?:[$£€¥]\s?)?\b{_NUM}{_SCALE}(?:\s?(?:%|percent|per cent))?"
    rf"(?:\s(?:to|and|or|-)\s{_NUM}{_SCALE}(?:\s?(?:%|percent))?)?"
    rf"(?:[\s-]{_TIME_UNIT}\b(?:\sold)?)?",
    re.IGNORECASE,
)
_A_DURATION = re.compile(r"\b(?:a|an|one)\s(?:full\s)?(?:year|month|week|day|hour|decade|century)(?=\b|-long)", re.I)
_DURATION = re.compile(rf"{_TIME_UNIT}(?:\sold)?$", re.IGNORECASE)
# A duration without a number: licences grant rights "perpetual" or "in perpetuity", news
# suspends someone "indefinitely".
_WORD_DURATION = re.compile(
    r"\b(?:perpetual(?:ly)?|in perpetuity|permanent(?:ly)?|indefinite(?:ly)?|forever|for life|lifelong)\b", re.I
)
# A short quotation is often the phrase a "what"/"how did ... describe" question wants.
# (An apostrophe inside a word, as in "don’t", neither ends nor breaks a quotation.)
_QUOTED = re.compile(r"[“\"‘]((?:[^“”\"‘’]|’(?=\w)){3,60}?)[,.]?[”\"’](?!\w)")
# Adjectives of nationality or origin ("Russian", "Chinese", "Turkish"), by their endings.
_DEMONYM = re.compile(r"(?:an|ese|ish|ic|i)$")
# Punctuation between two words that ends a phrase.
_BREAK = re.compile(r"[,;:()\[\]“”\"—–!?]|\.\s")

# Words that join a capitalised name ("Bank of America", "Faisal bin Farhan").
_NAME_JOINERS = frozenset("of the de da di del der van von bin al la le du y".split())
# Prepositions that put a name in a place role ("in Paris", "from Chicago").
_PLACE_PREPOSITIONS = frozenset("in at from near into throughout across within outside inside".split())
# Capitalised at the start of a sentence only because they start it.
_OPENERS = STOPWORDS | frozenset(
    """however despite although though yet meanwhile moreover furthermore thus therefore
    still instead similarly traditionally today later earlier many several most some
    according among""".split()
)
# Function words beyond the stopwords that end a phrase (prepositions, conjunctions, adverbs).
_PHRASE_BREAKERS = (
    STOPWORDS
    | _OPENERS
    | frozenset(
        """within across toward towards upon since including such like per via without around along
    behind beyond near unlike whether either neither rather even well often usually known called
    named became become becomes said says stated according already previously recently currently
    now again ever never always sometimes soon""".split()
    )
)
# Connectives that introduce a reason.
_BECAUSE = re.compile(r"\b(?:because(?: of)?|due to|owing to|as a result of|since|so that|in order to)\s", re.I)


@dataclass
class Token:
    text: str
    start: int
    end: int
    asked: bool  # the question has this word (a matched stem, or the same word)


@dataclass
class Candidate:
    start: int
    end: int
    # "name", "weak name", "year", "date", "number", "duration", "money", "percent", "quote",
    # "phrase", "reason"
    form: str
    score: float = 0.0


def tokens_of(e: Matched, question_words: set[str]) -> list[Token]:
    text = blank_controls(e.sentence.text)  # never read an answer out of an escape sequence
    matched = {start for start, _ in e.matches}
    out = []
    for m in WORD.finditer(text):
        word = m.group()
        if word.endswith(("’s", "'s")):  # "Russia’s" -> "Russia"
            word = word[:-2]
        asked = m.start() in matched or word.lower() in question_words
        out.append(Token(word, m.start(), m.start() + len(word), asked))
    return out


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and len(word) > 1


def _capitalised_runs(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Token index ranges [i, j) of names: capitalised words, joined by "of", "bin" and the like."""
    runs = []
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        # "The", "We", "However": capitalised as openers, not names (acronyms such as "US" stay)
        if not _is_capitalised(t.text) or (t.text.lower() in _OPENERS and not t.text.isupper()):
            i += 1
            continue
        j = i + 1
        while j < n:
            gap = text[tokens[j - 1].end : tokens[j].start]
            if gap not in (" ", "-", "–"):
                break
            if _is_capitalised(tokens[j].text) or tokens[j].text.isdigit():
                j += 1
            elif (
                tokens[j].text.lower() in _NAME_JOINERS
                and j + 1 < n
                and _is_capitalised(tokens[j + 1].text)
                and text[tokens[j].end : tokens[j + 1].start] == " "
            ):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _names(text: str, tokens: list[Token]) -> list[Candidate]:
    out = []
    elsewhere = {t.text for t in tokens[1:] if _is_capitalised(t.text)}
    for i, j in _capitalised_runs(text, tokens):
        run_start = i
        while i < j and tokens[i].asked:  # "[National Security Advisor] Mike Waltz": the name after
            i += 1
        if i >= j or any(t.asked for t in tokens[i:j]):  # "Marco [Rubio]": the asked name itself
            continue
        if j - i == 1 and is_calendar_word(tokens[i].text):  # a month or weekday is a date, not a name
            continue
        form = "name"
        if i > 0 and tokens[i - 1].text.lower() in _PLACE_PREPOSITIONS and i == run_start:
            form = "place name"
        if j - i == 1 and i > run_start:
            form = "weak name"  # "Sports [Programs]": what is left of a longer name the question has
        elif j - i == 1 and i == 0 and tokens[0].text not in elsewhere:
            form = "weak name"  # capitalised maybe only because it starts the sentence
        elif j < len(tokens) and tokens[j].text in TITLES:
            form = "weak name"  # "Middle East [envoy]", "Kremlin [spokesman]": says whose, not who
        elif j - i == 1 and _DEMONYM.search(tokens[i].text) and j < len(tokens) and tokens[j].text.islower():
            form = "weak name"  # "Russian side", "European leaders": an adjective, not a name
        out.append(Candidate(tokens[i].start, tokens[j - 1].end, form))
    return out


def _phrases(text: str, tokens: list[Token]) -> list[Candidate]:
    """Runs of content words between function words, punctuation and question words.

    A poor man's noun-phrase chunker: no tagger, so a run is cut at any stopword except an
    inner "of" ("oxides of silicon"), and a lone verb-looking word is not kept.
    """
    out: list[Candidate] = []
    run: list[Token] = []

    def close() -> None:
        while run and run[-1].text.lower() in _PHRASE_BREAKERS:
            run.pop()
        if run and not (len(run) == 1 and _looks_like_verb(run[0], tokens)):
            out.append(Candidate(run[0].start, run[-1].end, "phrase"))
        run.clear()

    for t in tokens:
        word = t.text.lower()
        if run and _BREAK.search(text[run[-1].end : t.start]):
            close()
        if t.asked or (word in _PHRASE_BREAKERS and not (word == "of" and run)):
            close()
            continue
        run.append(t)
    close()
    return out


def _objects(text: str, tokens: list[Token]) -> list[Candidate]:
    """What follows a question word up to the clause's end: for "What did Lavrov dismiss?",
    "[the idea of European leaders participating in Ukraine talks]" after "dismissed".

    A leading "that" or function word is left out, the run stops at punctuation or at another
    question word, and it must hold 2 to ``_OBJECT_WORDS`` words.
    """
    out = []
    for k, t in enumerate(tokens[:-1]):
        if not t.asked or tokens[k + 1].asked or _BREAK.search(text[t.end : tokens[k + 1].start]):
            continue
        run: list[Token] = []
        for u in tokens[k + 1 :]:
            if u.asked or (run and _BREAK.search(text[run[-1].end : u.start])):
                break
            if not run and u.text.lower() in STOPWORDS:
                continue
            run.append(u)
            if len(run) > _OBJECT_WORDS:  # too long to be an answer: stop reading
                break
        if len(run) > _OBJECT_WORDS:
            continue
        while run and run[-1].text.lower() in _PHRASE_BREAKERS:
            run.pop()
        if len(run) >= 2:
            out.append(Candidate(run[0].start, run[-1].end, "object"))
    return out


# Small words an expansion may hold without a letter of its own: "Secretary of State" (SoS).
_EXPANSION_GAPS = frozenset("of the and for in on to de".split())


def _expansions(text: str, tokens: list[Token], acronym: str) -> list[Candidate]:
    """The words an acronym stands for, where the text gives them beside it in brackets:
    "the Last Glacial Maximum (LGM)" or "NATO (North Atlantic Treaty Organization)"."""
    letters = [ch.lower() for ch in acronym if ch.isalnum()]
    out = []
    for k, t in enumerate(tokens):
        if t.text != acronym:
            continue
        if text[: t.start].rstrip().endswith("("):  # "Long Form (ACR)": the words before it
            span = _initials(tokens[:k], letters, backwards=True)
        elif text[t.end :].lstrip().startswith("("):  # "ACR (Long Form)": the words after it
            span = _initials(tokens[k + 1 :], letters, backwards=False)
        else:
            continue
        if span:
            out.append(Candidate(span[0].start, span[1].end, "expansion"))
    return out


def _initials(tokens: list[Token], letters: list[str], backwards: bool) -> tuple[Token, Token] | None:
    """The first and last of the words, next to the acronym, whose initials spell ``letters``."""
    words = tokens[::-1] if backwards else tokens
    wanted = letters[::-1] if backwards else letters
    used: list[Token] = []
    i = 0
    for t in words:
        if i == len(wanted):
            break
        if t.text[:1].lower() == wanted[i]:
            used.append(t)
            i += 1
        elif t.text.lower() not in _EXPANSION_GAPS or not used:
            return None
    if i < len(wanted):
        return None
    return (used[-1], used[0]) if backwards else (used[0], used[-1])


def _looks_like_verb(t: Token, tokens: list[Token]) -> bool:
    """A lone "derived", "pertaining" or "to [terminate]" is a verb, not the thing asked for."""
    word = t.text.lower()
    if word.endswith(("ed", "ing")):
        return True
    k = tokens.index(t)
    return k > 0 and tokens[k - 1].text.lower() == "to"


def candidates(e: Matched, tokens: list[Token], info: QuestionInfo) -> list[Candidate]:
    text = blank_controls(e.sentence.text)  # never read an answer out of an escape sequence
    out: list[Candidate] = []
    for m in _DATE.finditer(text):
        out.append(Candidate(m.start(), m.end(), "year" if _YEAR.fullmatch(m.group()) else "date"))
    if info.type in (AnswerType.NUMBER, AnswerType.OTHER):
        for m in _QUANTITY.finditer(text):
            s = m.group()
            if not s.strip() or _YEAR.fullmatch(s):
                continue
            form = "duration" if _DURATION.search(s) else "money" if s[0] in "$£€¥" else "number"
            if "%" in s or "percent" in s.lower():
                form = "percent"
            out.append(Candidate(m.start(), m.end(), form))
        for m in _A_DURATION.finditer(text):
            out.append(Candidate(m.start(), m.end(), "duration"))
        if info.unit == "duration":
            out.extend(Candidate(m.start(), m.end(), "duration") for m in _WORD_DURATION.finditer(text))
    tag = options.options_asked(text, info)
    if tag:
        out.append(Candidate(tag[0], tag[1], "option"))
    described = options.definition(text, info.option)
    if described:
        out.append(Candidate(described[0], described[1], "definition"))
    if info.acronym:
        out.extend(_expansions(text, tokens, info.acronym))
    out.extend(_names(text, tokens))
    if info.type in (AnswerType.OTHER, AnswerType.REASON):
        for m in _QUOTED.finditer(text):
            if not all(t.asked for t in tokens if m.start(1) <= t.start < m.end(1)):
                out.append(Candidate(m.start(1), m.end(1), "quote"))
        if info.type is AnswerType.OTHER and info.side == "after":
            out.extend(_objects(text, tokens))  # before the phrases: a tie goes to the whole clause
        out.extend(_phrases(text, tokens))
    if info.type is AnswerType.REASON:
        for m in _BECAUSE.finditer(text):
            end = _BREAK.search(text, m.end())
            out.append(Candidate(m.start(), end.start() if end else len(text.rstrip(". ")), "reason"))
    return out


def fit(c: Candidate, info: QuestionInfo) -> float | None:
    """How well a candidate's form fits the expected answer; None when it cannot be the answer."""
    value = tuning.ANSWER_FIT[info.type].get(c.form)
    if value is None:
        return None
    if info.unit == "duration":  # "how long": a number without a unit of time is no answer
        return 1.0 if c.form == "duration" else None
    if info.unit in ("percent", "money") and c.form != info.unit:
        return 0.5
    if info.unit == "year" and c.form != "year":
        return 0.5
    if info.unit == "thing" and c.form in ("name", "place name"):  # "what sitcom ...": a title or a name
        return 1.0
    return value


class Reading:
    """One question's view of its sentences: each one's tokens and the candidates that fit the
    expected answer, worked out once per sentence however often they are asked for (the answer
    type stage reads the top 10, the short answer the top 3)."""

    def __init__(self, question: str, info: QuestionInfo) -> None:
        self.info = info
        self.question_words = {w.lower() for w in WORD.findall(question)} - STOPWORDS
        self._tokens: dict[int, list[Token]] = {}
        self._fitting: dict[int, list[tuple[Candidate, float]]] = {}

    def tokens(self, e: Matched) -> list[Token]:
        if e.sid not in self._tokens:
            self._tokens[e.sid] = tokens_of(e, self.question_words)
        return self._tokens[e.sid]

    def fitting(self, e: Matched) -> list[tuple[Candidate, float]]:
        """The sentence's candidates that can answer, each with its fit."""
        if e.sid not in self._fitting:
            fits = ((c, fit(c, self.info)) for c in candidates(e, self.tokens(e), self.info))
            self._fitting[e.sid] = [(c, f) for c, f in fits if f is not None]
        return self._fitting[e.sid]
