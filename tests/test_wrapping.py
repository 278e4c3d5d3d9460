"""Text as people wrap it: hard-wrapped licences, man pages, frames, e-mail quotes, hyphens
at line ends, and Unicode normalisation. The real texts are copies of files Debian ships
(tests/fixtures/texts/README.md says which)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from askdoc import Index
from askdoc.ingest.analysis import Analyzer, hyphen_words
from askdoc.ingest.sentences import option_tag, split
from askdoc.model import Document

TEXTS = Path(__file__).parent / "fixtures" / "texts"


def read(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def flat(text: str) -> str:
    """A sentence as a reader sees it: one line, without the frame it was printed in."""
    return " ".join(re.sub(r"(?m)^\s*\*|\*\s*$", " ", text).split())


def index_of(*docs: tuple[str, str]) -> Index:
    index = Index([Document(name, text) for name, text in docs])
    index.use_semantic = False  # BM25 and the stages alone: the same ranking with or without the extra
    return index


def sentence_with(text: str, words: str) -> str:
    """The one sentence of ``text`` that holds ``words``, as a reader sees it."""
    found = [flat(s.text) for s in split(text) if words in flat(s.text)]
    assert len(found) == 1, found
    return found[0]


def raw_sentence_with(text: str, words: str) -> str:
    found = [s.text for s in split(text) if words in s.text]
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- sentences put back together


@pytest.mark.parametrize(
    ("document", "starts", "ends"),
    [
        # an indented numbered clause whose first line holds its title
        ("Apache-2.0", "This License does not grant permission to use the trade names,", "content of the NOTICE file."),
        (
            "Apache-2.0",
            "Unless You explicitly state otherwise, any Contribution",
            "any additional terms or conditions.",
        ),
        # a lettered clause with a hanging indent
        ("Apache-2.0", "(b) You must cause any modified files", "stating that You changed the files; and"),
        # a paragraph in a frame of asterisks
        ("MPL-2.0", "Some jurisdictions do not allow the exclusion", "limitation may not apply to You."),
        # a paragraph whose first line is indented, in capitals
        ("GPL-3", "EXCEPT WHEN OTHERWISE STATED IN WRITING THE COPYRIGHT HOLDERS", "FOR A PARTICULAR PURPOSE."),
        ("GPL-3", "The licenses for most software and other practical works", "share and change the works."),
        # a numbered paragraph whose first line alone is indented
        ("LGPL-2.1", "9. You are not required to accept this License", "since you have not signed it."),
        ("LGPL-2.1", "0. This License Agreement applies to any software library", 'called "this License").'),
    ],
)
def test_wrapped_clauses_of_real_licences_are_whole_sentences(document, starts, ends):
    text = read(document)
    sentence = sentence_with(text, starts)
    assert sentence.startswith(starts) and sentence.endswith(ends)


def test_the_pieces_the_issue_quoted_are_no_longer_sentences_alone():
    texts = [flat(s.text) for name in ("Apache-2.0", "MPL-2.0") for s in split(read(name))]
    for piece in (
        "This License does not grant permission to use the trade",
        "Unless You explicitly state otherwise,",
        "*  limitation may not apply to You.",
        "limitation may not apply to You.",
    ):
        assert piece not in texts


def test_frames_rules_and_headings_stay_out_of_sentences():
    texts = [s.text for s in split(read("MPL-2.0"))]
    assert not any(set(t) <= set("*- \n") for t in texts)  # "*****", "*      *", "-----" are no sentences
    assert "7. Limitation of Liability" in texts  # a clause title, number included, alone
    assert "8. Litigation" in texts


def test_every_sentence_of_the_real_texts_keeps_its_offsets():
    for path in sorted(TEXTS.glob("*")):
        if path.suffix == ".jsonl" or path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        sentences = split(text, path.name)
        assert sentences, path.name
        for s in sentences:
            assert text[s.start : s.end] == s.text and s.text == s.text.strip()
        assert [s.start for s in sentences] == sorted(s.start for s in sentences)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # e-mail: the quoted paragraph is one sentence; the reply another
        (
            "On Monday, Ann wrote:\n> The harbour committee will meet on the first Tuesday of every\n"
            "> month, in the old customs house by the pier.\n\nThanks, I will be there.\n",
            [
                "On Monday, Ann wrote:",
                "The harbour committee will meet on the first Tuesday of every\n"
                "> month, in the old customs house by the pier.",
                "Thanks, I will be there.",
            ],
        ),
        # a list item ends a sentence; its hanging indent does not
        (
            "Bring these to the meeting:\n  - a copy of the lease, signed by both\n    tenants and the landlord\n"
            "  - the keys\n",
            [
                "Bring these to the meeting:",
                "- a copy of the lease, signed by both\n    tenants and the landlord",
                "- the keys",
            ],
        ),
        # a heading above a paragraph; a man page's option line and the deeper-indented description
        # under it are one sentence, so that the option is found with what it does
        (
            "OPTIONS\n       -C file, --config-file=file\n              Use this user configuration file rather than\n"
            "              the default.\n",
            [
                "OPTIONS",
                "-C file, --config-file=file\n              Use this user configuration file rather than\n"
                "              the default.",
            ],
        ),
        # --help output: each row of options and description is a sentence; a line indented to
        # the description goes on, and a justified man page's line that starts with an option is prose
        (
            "Output control:\n  -c, --count               print only a count of selected lines\n"
            "  -d, --directories=ACTION  how to handle directories;\n"
            "                            ACTION is 'read' or 'skip'\n"
            "      --no-messages         suppress error messages\n",
            [
                "Output control:",
                "-c, --count               print only a count of selected lines",
                "-d, --directories=ACTION  how to handle directories;",
                "ACTION is 'read' or 'skip'",
                "--no-messages         suppress error messages",
            ],
        ),
        (
            "              This option is passed to the formatter when it is used.  If  groff\n"
            "              -mandoc  is  groff, this option is passed to groff.\n",
            [
                "This option is passed to the formatter when it is used.",
                "If  groff\n              -mandoc  is  groff, this option is passed to groff.",
            ],
        ),
        # a deeper indent under a line that is not options alone still starts a block
        (
            "EXAMPLES\n       The following command lists files\n              Use it with care.\n",
            ["EXAMPLES", "The following command lists files", "Use it with care."],
        ),
        # a box drawn with line characters
        (
            "┌──────────────────────────────────────────────┐\n"
            "│ The backup runs every night at two o'clock   │\n"
            "│ and keeps the last seven copies on the disk. │\n"
            "└──────────────────────────────────────────────┘\n",
            [
                "The backup runs every night at two o'clock   │\n│ and keeps the last seven copies on the disk.",
            ],
        ),
        # a year that ends a sentence may start a line: it is no list item
        (
            "The company was founded in a small garage in\n1998. It moved to the city later.",
            ["The company was founded in a small garage in\n1998.", "It moved to the city later."],
        ),
        # a numbered paragraph whose first line alone is indented (the GPL 2, the LGPL) is one
        # paragraph: its number does not cut it from the lines below
        (
            "  9. You are not required to accept this License, since you have not\n"
            "signed it.  However, nothing else grants you permission to modify it.\n",
            [
                "9. You are not required to accept this License, since you have not\nsigned it.",
                "However, nothing else grants you permission to modify it.",
            ],
        ),
    ],
    ids=["e-mail", "list", "man-option", "help-rows", "justified", "man-indent", "box", "year", "numbered-first-line"],
)
def test_layout_decides_where_sentences_end(doc, expected):
    assert [s.text for s in split(doc)] == expected


# ---------------------------------------------------------------- questions worded like the text


def test_wrapped_licences_answer_questions_worded_like_the_text_at_rank_1():
    """16 questions about GPL-3.0, Apache-2.0 and MPL-2.0, each asked of its licence alone: 11 were
    answered by a whole sentence at rank 1 before wrapped lines were joined, 15 after."""
    questions = [json.loads(line) for line in (TEXTS / "licence-questions.jsonl").read_text().splitlines()]
    indexes = {name: index_of((name, read(name))) for name in {q["document"] for q in questions}}
    missed = []
    for q in questions:
        answer = indexes[q["document"]].ask(q["question"], top=1)
        top = flat(answer.evidence[0].sentence.text) if answer.evidence else ""
        if not all(flat(piece) in top for piece in q["evidence"]):
            missed.append((q["id"], top[:80]))
    assert len(missed) <= 2, missed


# ---------------------------------------------------------------- hyphens at line ends


def test_a_man_page_option_is_found_with_what_it_does():
    index = index_of(("man.1", read("man.1.txt")))
    answer = index.ask("Which option searches for manual pages case-sensitively?", top=1)
    top = flat(answer.evidence[0].sentence.text)
    assert top.startswith("-I, --match-case Search for manual pages case-sensitively")
    assert answer.answer == "-I, --match-case"  # the option is the answer
    answer = index.ask("How do I print the location of the source file instead of the page?", top=1)
    assert flat(answer.evidence[0].sentence.text).startswith("-w, --where, --path, --location Don't actually display")
    assert answer.answer == "-w, --where, --path, --location"


def test_a_help_text_answers_with_the_option_on_its_row():
    help_text = (
        "Usage: grep [OPTION]... PATTERNS [FILE]...\n\nOutput control:\n"
        "  -m, --max-count=NUM       stop after NUM selected lines\n"
        "  -c, --count               print only a count of selected lines per FILE\n"
        "  -o, --only-matching       show only nonempty parts of lines that match\n"
    )
    answer = index_of(("grep --help", help_text)).ask("How do I count the selected lines?", top=1)
    assert answer.evidence[0].sentence.text.startswith("-c, --count") and answer.answer == "-c, --count"


GREP_MAN = (
    "OPTIONS\n"
    "       -V, --version\n              Output the version number of grep and exit.\n\n"
    "       -v, --invert-match\n              Invert the sense of matching, to select non-matching lines.\n\n"
    "       -c, --count\n              Suppress normal output; instead print a count of matching lines.\n"
    "              With the -v, --invert-match option (see above), count non-matching lines.\n\n"
    "EXIT STATUS\n       When the -v or\n       --invert-match option is given, the status is 1.\n"
)
INVERT = "Invert the sense of matching, to select non-matching lines."


@pytest.mark.parametrize(
    ("question", "defined", "answer"),
    [
        ("What does -v do?", "-v, --invert-match", INVERT),
        ("What does -V do?", "-V, --version", "Output the version number of grep and exit."),  # the case counts
        ("What is --invert-match for?", "-v, --invert-match", INVERT),
    ],
)
def test_what_an_option_does_is_answered_from_the_sentence_that_defines_it(question, defined, answer):
    result = index_of(("grep.1", GREP_MAN)).ask(question, top=3)
    assert result.evidence[0].sentence.text.startswith(defined)
    assert result.answer == answer


@pytest.mark.parametrize(
    ("sentence", "tag"),
    [
        ("-x, --extract, --get\n    Extract files from an archive.", "-x, --extract, --get"),
        ("-C NUM, -NUM, --context=NUM\n\tPrint NUM lines of context.", "-C NUM, -NUM, --context=NUM"),
        ("-c     with -lt: sort by, and show, ctime", "-c"),
        ("--color[=WHEN]\tSurround the matches.", "--color[=WHEN]"),
        ("-maxdepth levels\n    Descend at most levels.", "-maxdepth levels"),
        ("- a copy of the lease", None),  # a list item
        ("-based on the old one, it works.", None),  # prose
        ("The -v option inverts the match.", None),
    ],
)
def test_a_man_page_option_sentence_starts_with_its_options(sentence: str, tag: str | None) -> None:
    at = option_tag(sentence)
    assert (sentence[at[0] : at[1]] if at else None) == tag


def test_a_word_hyphenated_at_a_line_end_in_a_man_page_is_found():
    text = read("man.1.txt")
    assert "multiple com‐\n              mands;" in text  # groff prints U+2010 where it hyphenates
    top = index_of(("man.1", text)).ask("Can it use pipes to connect multiple commands?", top=1).evidence[0]
    assert "multiple com‐\n" in top.sentence.text
    assert "com‐\n              mands" in [top.sentence.text[s:e] for s, e in top.matches]  # highlighted whole


def test_a_man_page_printed_in_ascii_joins_its_hyphens_with_words_it_uses():
    text = read("man.1.ascii.txt")
    assert "termi-\n" in text and "terminal" in text
    words = hyphen_words(text)
    analyzer = Analyzer()
    sentence = raw_sentence_with(text, "when running in a termi-")
    assert "termin" in analyzer.terms(sentence, words)  # "termi-" + "nal" is "terminal"
    # A hyphen between two words the text never writes as one stays a hyphen.
    assert analyzer.terms("a well-\nknown fact", hyphen_words("a well-\nknown fact")) == ["well", "known", "fact"]


@pytest.mark.parametrize("hyphen", ["\u2010", "\u00ad"])
def test_a_hyphen_or_soft_hyphen_at_a_line_end_always_joins(hyphen):
    doc = f"The inspector checked the emer{hyphen}\n    gency exits of the theatre on Friday."
    index = index_of(("a.txt", doc), ("b.txt", "The band played on."))
    top = index.ask("Who checked the emergency exits?", top=1).evidence[0]
    assert top.sentence.source == "a.txt"
    assert doc[slice(*top.matches[1])] == f"emer{hyphen}\n    gency"


def test_a_soft_hyphen_inside_a_word_is_invisible_to_matching():
    assert Analyzer().terms("The hy\u00adphen\u00adation rules") == Analyzer().terms("The hyphenation rules")


# ---------------------------------------------------------------- Unicode normalisation


def test_decomposed_and_composed_accents_match_each_other():
    nfd, nfc = "Zu\u0308rich", "Z\u00fcrich"
    index = index_of(("nfd.txt", f"The lake at {nfd} freezes rarely. Trams run all night."))
    for question in (f"What freezes rarely at {nfc}?", f"What freezes rarely at {nfd}?"):
        top = index.ask(question, top=1).evidence[0]
        assert top.sentence.text.startswith("The lake") and nfd in top.sentence.text
    index = index_of(("nfc.txt", f"The lake at {nfc} freezes rarely. Trams run all night."))
    top = index.ask(f"Where is the lake, {nfd}?", top=1).evidence[0]
    span = top.matches[-1]
    assert top.sentence.text[span[0] : span[1]] == nfc  # offsets into the text as written


@pytest.mark.parametrize(
    "text",
    [
        "The \u201cZu\u0308rich\u201d lake \u2014 cold",  # a decomposed accent between curly quotes
        "The na\u00efve emer\u2010\n  gency exit",  # a U+2010 hyphen at a line end
        "hy\u00adphen\u00adation in r\u00e9sum\u00e9s",  # soft hyphens
        "Devanagari \u0915\u093f\u0924\u093e\u092c and Greek \u03bb\u03cc\u03b3\u03bf\u03c2",
    ],
)
def test_words_are_the_same_whether_or_not_the_unicode_word_pattern_is_built(text):
    from askdoc.ingest import analysis

    analysis._word.cache_clear()  # a fresh process: the pattern is built only when a text needs it
    fresh = Analyzer().terms_with_spans(text)
    analysis._word()
    assert fresh == Analyzer().terms_with_spans(text)
    analysis._word.cache_clear()
    Analyzer().terms_with_spans("Caf\u00e9 \u201cquotes\u201d \u2014 and a dash")  # no mark: not needed
    assert analysis._word.cache_info().currsize == 0


def test_full_width_letters_and_digits_match_plain_ones():
    index = index_of(("w.txt", "Export the report as ＰＤＦ from the menu. Print it twice."))
    top = index.ask("How do I export a PDF?", top=1).evidence[0]
    assert "ＰＤＦ" in top.sentence.text


def test_a_long_quoted_message_splits_as_fast_as_plain_text():
    """Quote marks are blanked piece by piece. Scanning every margin for each piece took 6.8 s
    for these 40,000 lines (and grew with the square); now it is about as fast as plain text."""
    import time

    line = "the harbour committee will meet on the first tuesday of every month, in the old house\n"
    timings = []
    for text in (line * 40_000, "> " + "> ".join([line] * 40_000)):
        started = time.perf_counter()
        sentences = split(text)
        timings.append(time.perf_counter() - started)
        assert all(text[s.start : s.end] == s.text for s in sentences)
    plain, quoted = timings
    assert quoted < 4 * plain + 1, timings


def test_a_number_wrapped_onto_its_own_line_ends_the_sentence_above_it():
    # SQuAD's "formula O₂" lost its subscript to a line break: "2." is no list item here
    text = (
        "Two atoms of the element bind to form dioxygen, a colorless and odorless diatomic gas with the formula O\n"
        "2. Diatomic oxygen gas constitutes 20.8% of the Earth's atmosphere."
    )
    assert [s.text for s in split(text)][-1] == "Diatomic oxygen gas constitutes 20.8% of the Earth's atmosphere."
    listed = "The steps are these:\n1. Open the valve.\n2. Close the door."
    assert [s.text for s in split(listed)][-2:] == ["1. Open the valve.", "2. Close the door."]
