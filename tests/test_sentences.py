"""Sentence splitting: abbreviations, headings, line breaks, and exact offsets."""

from __future__ import annotations

import pytest

from askdoc.ingest.sentences import is_heading, split


def texts(text: str) -> list[str]:
    return [s.text for s in split(text)]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. delegation arrived early. Talks began at noon.",
        "Mr. Smith met Dr. Jones in the lobby. They shook hands.",
        "Bring a tool, e.g. a hammer or a wrench. Then start.",
        "The report by J. R. Tolkien was short. Nobody read it.",
        "Use a solvent, i.e. water, for cleaning. Dry it after.",
    ],
)
def test_abbreviations_and_initials_do_not_end_sentences(text):
    assert len(texts(text)) == 2


def test_a_heading_without_a_period_is_its_own_sentence():
    doc = "Uncertain Path Forward\nThe road ahead remains uncertain. Both sides agree."
    assert texts(doc) == ["Uncertain Path Forward", "The road ahead remains uncertain.", "Both sides agree."]


def test_a_long_title_case_heading_is_not_joined_to_the_next_line():
    doc = "High-Stakes Meeting Amid Global Reactions Across Europe\nThe talks began quietly."
    assert texts(doc) == ["High-Stakes Meeting Amid Global Reactions Across Europe", "The talks began quietly."]


def test_wrapped_prose_is_joined_and_keeps_its_line_break_in_the_span():
    doc = "The committee met on a cold morning in the capital and\ndecided to postpone the vote. It adjourned."
    sentences = split(doc)
    assert [s.text for s in sentences][1] == "It adjourned."
    assert sentences[0].text.endswith("postpone the vote.") and "\n" in sentences[0].text


def test_line_numbers_count_from_one_across_all_line_endings():
    doc = "First line.\r\nSecond line.\rThird line.\n\nFifth line."
    assert [(s.line, s.text) for s in split(doc)] == [
        (1, "First line."),
        (2, "Second line."),
        (3, "Third line."),
        (5, "Fifth line."),
    ]


def test_every_sentence_of_the_article_reproduces_its_offsets(article_text):
    sentences = split(article_text, "a.txt")
    assert len(sentences) > 30
    for s in sentences:
        assert article_text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    starts = [s.start for s in sentences]
    assert starts == sorted(starts)


def test_splitting_covers_every_non_space_character_once(article_text):
    covered = "".join(s.text for s in split(article_text))
    assert sorted(covered.replace(" ", "")) == sorted("".join(article_text.split()))


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\ufeff"])
def test_empty_documents_have_no_sentences(text):
    assert split(text) == []


def test_a_byte_order_mark_is_not_part_of_the_first_sentence():
    doc = "\ufeffHello there. Bye."
    first = split(doc)[0]
    assert first.text == "Hello there." and first.start == 1


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Uncertain Path Forward", True),
        ("Saudi Arabia’s Growing Diplomatic Role", True),
        ("## Installing on Debian", True),
        ("The talks began without visible handshakes.", False),  # a statement
        ("Concentrated O", False),  # a formula cut by a line break, not a title
        ("Tensions and Concerns Over the Talks:", False),  # ends like a lead-in
        ("the river rises in spring and floods the lower town", False),
        ("3. Grant of Patent License.", True),  # a licence's numbered section: the stop is its style
        ("8. Litigation", True),
        ("5.1 Scope", True),
        ("DESCRIPTION", True),  # a man page's section
        ("5.1. The rights granted under this License will terminate automatically.", False),
        ("2. Redistributions in binary form must reproduce the above copyright notice.", False),
        ("5 of the Copyright Term Directive.", False),  # a sentence cut after "Article", not a number
        ("#P is an important complexity class of counting problems.", False),  # not Markdown
        ("Paris", False),  # one word: a list item as often as a title
        ("And,", False),
    ],
)
def test_headings_are_told_from_statements(line: str, heading: bool) -> None:
    assert is_heading(line) is heading
