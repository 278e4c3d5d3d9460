"""Property-based tests over arbitrary Unicode text: splitting, offsets, and ``ask`` end to end."""

from __future__ import annotations

import io
import json
import re
import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from askdoc.cli import main
from askdoc.ingest.sentences import _punkt_spans, _spans, split

# Characters a sentence may leave out at its edges: whitespace and the zero-width marks.
EDGE_SPACE = "\ufeff\u200b\u200c\u200d\u2060"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Arbitrary text, plus text made of the pieces splitting cares about: words, sentence ends,
# abbreviations, headings, list marks, every kind of line break, escapes and bidi marks.
PIECES = st.sampled_from(
    [
        "The otter swims.",
        "Dr. Smith",
        "e.g. this",
        "U.S.",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "# Heading",
        "- item",
        "1. first",
        "?",
        "!",
        "...",
        '"',
        ")",
        "\x1b[2J",
        "\x1b]0;title\x07",
        "\u202e",
        "\ufeff",
        "\u200b",
        "\x00",
        "\u2028",
        "\x85",
        "café",
        "鹭",
        "🦦",
        "otter",
        "river",
        "Heron",
    ]
)
TEXT = st.one_of(st.text(), st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _is_gap(c: str) -> bool:
    return c.isspace() or c in EDGE_SPACE


# Frames, rules under headings and e-mail quote marks hold no words: splitting may leave them out.
LAYOUT = re.compile(r"[*|>\-=_~#\u2500-\u259f\u2502\u2503\u2551]")


def _is_layout(c: str) -> bool:
    return _is_gap(c) or bool(LAYOUT.match(c))


@SETTINGS
@given(TEXT)
@example("\ufeffHello there. Bye.")
@example("a\r\nb\rc\n\nd. E")
def test_splitting_covers_every_non_space_character_exactly_once(text):
    sentences = split(text)
    covered = [0] * len(text)
    for s in sentences:
        for i in range(s.start, s.end):
            covered[i] += 1
    assert all(n <= 1 for n in covered)  # no character is in two sentences
    assert all(_is_layout(c) for c, n in zip(text, covered) if n == 0)  # only spaces and frames are left out
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)


@SETTINGS
@given(TEXT)
def test_every_offset_reproduces_its_sentence_and_line(text):
    for s in split(text, "doc"):
        assert text[s.start : s.end] == s.text
        assert s.text and not _is_gap(s.text[0]) and not _is_gap(s.text[-1])
        assert s.line == 1 + len(LINE_BREAK.findall(text, 0, s.start))


@SETTINGS
@given(TEXT)
@example("Hello there.")
@example("Wait!\u00a0 ")
@example('He said "hi."')
def test_a_block_punkt_could_not_break_gets_the_spans_punkt_gives(text):
    # Blocks with no . ? ! before their last character skip Punkt: their sentences must not change.
    assert _spans(text) == _punkt_spans(text)


def _ask(args: list[str], stdin: bytes) -> tuple[int, str, str]:
    """The CLI in process, with its own streams (a fixture would not be reset between examples)."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        out, err = sys.stdout.getvalue(), sys.stderr.getvalue()
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out, err


QUESTION = st.one_of(st.text(), st.lists(PIECES, min_size=1, max_size=6).map(" ".join))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, QUESTION)
@example("The otter swims in the river.", "Where does the otter swim?")
@example("\x1b[2JThe otter \u202eswims.", "otter")
def test_ask_answers_or_abstains_with_json_that_parses(text, question):
    code, out, err = _ask(["ask", "-f", "json", "--", question, "-"], text.encode("utf-8"))
    assert "Traceback" not in err
    if "\x00" in text or not question.strip():
        assert code == 2 and out == "" and err.count("\n") == 1  # binary input or no question: one line
        return
    assert code in (0, 1), err
    data = json.loads(out)
    assert data["question"] == question and data["abstained"] is (code == 1)
    for e in data["evidence"]:
        assert text[e["start"] : e["end"]] == e["text"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["plain", "rich"]))
@example("The otter \x1b]0;PWNED\x07 swims \x9b2J in [bold]the[/bold] river.", "rich")
def test_terminal_output_never_carries_a_control_character_from_the_document(text, fmt):
    code, out, err = _ask(["ask", "-f", fmt, "-k", "50", "otter river swims the", "-"], text.encode("utf-8"))
    assert code in (0, 1, 2)
    assert not UNSAFE.findall(out) and not UNSAFE.findall(err.replace("\n", ""))
