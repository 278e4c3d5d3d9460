"""Word lists that several stages share: role nouns, titles, months and weekdays."""

from __future__ import annotations

import re

# A word, with inner apostrophes, hyphens and dots ("Russia’s", "U.S.", "co-operate").
WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")

# Nouns for a person's role: "which president", and the title in "Russian President Vladimir Putin".
PERSON_NOUN_TEXT = (
    "person man woman player president king queen emperor leader minister scientist author "
    "writer artist singer actor official general ruler son daughter father mother wife husband "
    "brother sister explorer inventor philosopher mathematician physicist chemist coach "
    "quarterback founder owner chairman director governor senator mayor pope secretary "
    "spokesman spokesperson envoy ambassador advisor adviser aide chancellor prince princess "
    "diplomat negotiator judge bishop professor deputy commander"
)
PERSON_NOUNS = frozenset(PERSON_NOUN_TEXT.split())

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_CALENDAR = re.compile(rf"(?:{MONTHS}|{WEEKDAYS})$")


def is_calendar_word(word: str) -> bool:
    """A month or a weekday ("Tuesday", "Sept"): capitalised, but not a name."""
    return _CALENDAR.match(word) is not None


# Titles a person's name may carry: kept out of a person answer ("President Donald Trump").
TITLES = frozenset(
    """president secretary minister prime foreign chancellor king queen prince princess emperor
    empress pope saint st dr mr mrs ms sir lord lady general colonel captain senator governor
    mayor spokesman spokesperson envoy ambassador chairman director judge bishop archbishop
    professor coach quarterback advisor adviser aide deputy vice chief head senior state""".split()
)
