"""The WordNet-derived lexicon: what a reader's own words are allowed to meet."""

from __future__ import annotations

import subprocess
import sys

import pytest

from askdoc import tuning
from askdoc.ingest.analysis import STOPWORDS, Analyzer
from askdoc.query import lexicon

stem = Analyzer().stem


def stems(word: str) -> dict[str, float]:
    return dict(lexicon.related(stem(word)))


@pytest.mark.parametrize(
    ("asked", "written"),
    [
        ("invade", "invasion"),  # derivation, both ways
        ("invasion", "invade"),
        ("decide", "decision"),
        ("led", "lead"),  # irregular inflection, both ways
        ("lead", "led"),
        ("children", "child"),
        ("went", "go"),
        ("Russian", "Russia"),  # pertainym
        ("headed", "led"),  # a synonym brings its irregular forms: head -> lead -> led
        ("Moscow", "Russia"),  # a national capital stands for its country, both ways
        ("Russia", "Moscow"),
        ("Paris", "French"),  # ... and for the country's adjective
        ("Beijing", "Chinese"),
    ],
)
def test_a_question_word_meets_its_relative(asked: str, written: str) -> None:
    assert stem(written) in stems(asked)


def test_an_acronym_that_spells_a_stopword_is_a_relative_only_in_capitals() -> None:
    analyzer = Analyzer()
    [us] = analyzer.terms("the US")  # "US" in capitals is indexed; "us" is a stopword
    assert us in stems("America")
    assert stems("Washington")[us] == tuning.LEXICON_WEIGHTS["place"]
    assert analyzer.terms("tell us") == ["tell"]


def test_ordinary_words_never_lead_to_a_stopword_written_in_capitals() -> None:
    # "IN" (Indiana) or "DO" in WordNet must not tie "inch" or "make" to an all-capitals heading
    for word in ("inch", "make", "equal", "Indiana", "Oregon", "main"):
        assert not set(stems(word)) & STOPWORDS, word


def test_an_inflection_is_closer_than_a_synonym() -> None:
    assert stems("led")["lead"] > stems("head")["lead"]


def test_unknown_or_empty_words_have_no_relatives() -> None:
    assert lexicon.related("qwxzzy") == ()
    assert lexicon.related("") == ()
    assert lexicon.related(stem("Rubio")) == ()


def test_weights_are_below_one_and_strongest_first() -> None:
    for word in ("lead", "invade", "take", "talk", "children"):
        pairs = lexicon.related(stem(word))
        weights = [w for _, w in pairs]
        assert pairs and all(0 < w < 1 for w in weights)
        assert weights == sorted(weights, reverse=True)
        assert stem(word) not in dict(pairs)


def test_every_value_is_an_askdoc_stem() -> None:
    # keys and values are Snowball stems of lowercased words, so "invasion" is stored as "invas"
    assert "invasion" not in stems("invade")
    for other, _ in lexicon.related(stem("invade")):
        assert other == other.lower() and "\t" not in other and "," not in other


def test_the_wordnet_licence_ships_next_to_the_table() -> None:
    notice = (lexicon.TABLE.parent / "WORDNET-LICENSE").read_text(encoding="utf-8")
    assert lexicon.TABLE.exists()
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in notice


def test_lookups_need_neither_nltk_nor_wordnet() -> None:
    code = "import sys; from askdoc.query import lexicon; lexicon.related('invad'); print('nltk' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
