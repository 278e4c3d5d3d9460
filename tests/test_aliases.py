"""Names the documents give to what a question describes ("the finance minister" is Lima)."""

from __future__ import annotations

from askdoc import Index
from askdoc.ingest.analysis import Analyzer
from askdoc.model import Document
from askdoc.query import aliases

BUDGET = (
    "Finance Minister Ana Lima presented the budget on Monday. "
    "The harbour tax rose in spring, the port authority said. "
    "Lima said the harbour tax would rise again. "
    "The president said nothing. "
    "Schools reopen in September. "
    "The new bridge opens next year."
)


def found(question: str, text: str = BUDGET) -> dict[str, set[str]]:
    analyzer = Analyzer()
    return aliases.find([text], analyzer.terms(question), analyzer)


def test_a_title_before_a_name_makes_the_name_stand_for_the_title() -> None:
    assert found("What did the finance minister say?") == {"financ": {"ana", "lima"}, "minist": {"ana", "lima"}}


def test_a_lone_title_or_a_description_without_a_role_names_nobody() -> None:
    assert found("What did the minister say?") == {}  # one term: too many people hold a title
    assert found("What did the harbour port say?", "Harbour Port Authority Lisbon said no.") == {}


def test_only_capitalised_words_right_after_the_title_make_the_name() -> None:
    text = "Russian President Vladimir Putin Tuesday spoke. Later the Russian president, Reuters reported, left."
    assert found("What did the Russian president say?", text)["presid"] == {
        "vladimir",
        "putin",
    }  # no weekday, no agency
    rubio = "US Secretary of State Marco Rubio led the delegation."
    assert found("What did the US secretary of state say?", rubio)["secretari"] == {"marco", "rubio"}


def test_a_description_is_found_after_question_words_that_describe_nobody() -> None:
    text = "Officials said US and Russian President Vladimir Putin met."
    assert found("What does the US want from the Russian president?", text)["russian"] == {"vladimir", "putin"}


def test_the_name_is_found_in_other_sentences_of_the_answer() -> None:
    index = Index([Document("budget.txt", BUDGET)])
    index.use_semantic = False  # the lexical path is what is tested, extra or not
    top = index.ask("What did the finance minister say about the harbour tax?").evidence[0]
    assert top.sentence.text.startswith("Lima said")  # "the finance minister" is Lima there
    assert top.via["financ"] == "lima"
    assert (0, 4) in top.matches  # "Lima" is shown as matched


def test_a_question_asking_for_the_name_gets_it_from_the_titled_sentence() -> None:
    answer = Index([Document("budget.txt", BUDGET)]).ask("Who is the finance minister?")
    assert answer.answer == "Ana Lima"
    assert not answer.evidence[0].via


def test_a_title_in_capitals_or_in_a_question_of_other_words_still_names() -> None:
    # A question whose terms hold no role word is not searched for names at all: that shortcut
    # must not lose a title written in capitals, nor one among many other words.
    text = "FINANCE MINISTER Ana Lima presented the budget on Monday."
    assert found("What did the FINANCE MINISTER say about the budget on Monday?", text)["minist"] == {"ana", "lima"}
    assert found("What did the port say?") == {}
