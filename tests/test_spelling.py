"""A question word mistyped by one letter still finds the sentence that spells it right."""

from __future__ import annotations

from askdoc import Index
from askdoc.ingest.analysis import Analyzer
from askdoc.model import Document
from askdoc.query.spelling import corrections

STUDIO = (
    "The studio bought twenty acres of land in Hollywood in 1949. "
    "Its rival stayed in Burbank, where land was cheaper. "
    "Though sales fell, the studio kept its land."
)


def fixes(question: str, document_words: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """``corrections`` against a document whose words (word -> stem) are given."""
    stems = set(document_words.values())
    spans = Analyzer().terms_with_spans(question)
    return corrections(question, spans, stems.__contains__, document_words.get)


def test_a_word_one_letter_off_is_read_as_the_documents_word() -> None:
    words = {"hollywood": "hollywood", "parliament": "parliament", "antitrust": "antitrust"}
    assert fixes("Who bought land in Hollwood?", words) == {"hollwood": ("hollywood",)}  # a letter left out
    assert fixes("What did the parliment hear?", words) == {"parliment": ("parliament",)}  # a letter changed
    assert fixes("Which anitrust regulator?", words) == {"anitrust": ("antitrust",)}  # a letter left out


def test_english_words_the_documents_lack_are_not_slips() -> None:
    words = {"though": "though", "became": "becam", "stats": "stat"}
    assert fixes("What was thought about it?", words) == {}  # not "though"
    assert fixes("When did it become a city?", words) == {}  # not "became"


def test_short_words_and_words_the_documents_have_are_left_alone() -> None:
    assert fixes("What are the stat lines?", {"start": "start", "state": "state"}) == {}  # too short to guess
    long = "a" * 40
    assert fixes(f"What is {long}b?", {long: long}) == {}  # no English word is this long: not a slip
    assert fixes("Who bought Hollywood land?", {"hollywood": "hollywood", "hollywoods": "hollywood"}) == {}


def test_the_misspelt_question_finds_the_sentence_and_explains_the_match() -> None:
    index = Index([Document("studio.txt", STUDIO)])
    index.use_semantic = False  # the lexical path is what is tested, extra or not
    answer = index.ask("When did the studio buy land in Hollwood?", explain=True)
    top = answer.evidence[0]
    assert top.sentence.text.startswith("The studio bought twenty acres")
    assert top.via["hollwood"] == "hollywood"
    assert answer.answer == "1949"
    assert top.explanation is not None and top.explanation.terms["hollwood"].via == "hollywood"


def test_a_question_whose_only_word_is_misspelt_is_answered_not_abstained() -> None:
    index = Index([Document("h.txt", "Hollywood is a district of Los Angeles.")])
    index.use_semantic = False
    answer = index.ask("Where is Hollwood?")
    assert not answer.abstained and answer.answer == "Los Angeles"
