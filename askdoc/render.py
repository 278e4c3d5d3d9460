"""Every output format askdoc has: Rich for people, plain lines for grep/cut/awk, JSON for scripts.

Only this module knows the formats. Document text reaches a terminal only through
:func:`safe_text.inert` and Rich ``Text`` objects (never markup), and JSON through
:func:`safe_text.json_safe`, so a document can neither drive the terminal nor Rich.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from dataclasses import asdict
from enum import Enum
from typing import TYPE_CHECKING, TextIO

from . import tuning
from .model import Answer, Evidence, Explanation, Sentence
from .safe_text import escaped_line, inert, json_safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class Format(str, Enum):
    auto = "auto"
    rich = "rich"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"


_SPACE_RUN = re.compile(r"\s+")


def resolve_format(fmt: Format, out: TextIO | None = None) -> Format:
    """``auto`` is Rich when ``out`` (stdout by default) is a terminal, plain otherwise."""
    if fmt is Format.auto:
        return Format.rich if (out or sys.stdout).isatty() else Format.plain
    return fmt


def make_console(out: TextIO | None = None) -> Console:
    """The Rich console for results. Document text reaches it only as ``Text`` objects, and
    markup, highlighting and emoji codes stay off regardless."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich's own exits 1, askdoc's "nothing found": raise, so a closed pipe ends as in plain output.
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return _Console(file=out or sys.stdout, markup=False, highlight=False, emoji=False)


def one_line(text: str) -> str:
    """Sentence text for a terminal: inert, and on one line (wrapped sentences keep breaks in JSON only)."""
    return _SPACE_RUN.sub(" ", inert(text)).strip()


# ---------------------------------------------------------------- JSON


def sentence_dict(s: Sentence) -> dict:
    d = {"text": s.text, "source": s.source, "line": s.line, "start": s.start, "end": s.end}
    if s.page is not None:  # PDF sentences only
        d["page"] = s.page
    return d


def evidence_dict(e: Evidence) -> dict:
    d = {"rank": e.rank, "score": round(e.score, 6), **sentence_dict(e.sentence)}
    if e.before or e.after:
        d["context"] = {"before": [sentence_dict(s) for s in e.before], "after": [sentence_dict(s) for s in e.after]}
    if e.explanation is not None:
        d["explain"] = asdict(e.explanation)
    return d


def answer_dict(a: Answer) -> dict:
    d = {
        "id": a.id,
        "question": a.question,
        "abstained": a.abstained,
        "answer": a.answer,
        "answer_confidence": None if a.answer_confidence is None else round(a.answer_confidence, 3),
        "evidence": [evidence_dict(e) for e in a.evidence],
    }
    if a.reason:
        d["reason"] = a.reason
    return d


def dumps(obj: object, indent: int | None = None) -> str:
    return json_safe(json.dumps(obj, ensure_ascii=False, indent=indent))


def write_json(answers: list[Answer], out: TextIO, batch: bool) -> None:
    data = [answer_dict(a) for a in answers] if batch else answer_dict(answers[0])
    out.write(dumps(data, indent=2) + "\n")


def write_jsonl(answers: list[Answer], out: TextIO) -> None:
    for a in answers:
        out.write(dumps(answer_dict(a)) + "\n")


# ---------------------------------------------------------------- plain


def shows_answer(a: Answer) -> bool:
    """Is the short answer shown to a person? Not when askdoc is unsure of it (JSON keeps it,
    with its ``answer_confidence``, for scripts to decide)."""
    if not a.answer:
        return False
    if a.answer_confidence is None:
        return True
    if a.answer_reader == "model":
        return a.answer_confidence >= tuning.READER_SHOW_CONFIDENCE
    return a.answer_confidence >= tuning.ANSWER_SHOW_CONFIDENCE


def write_plain(answers: list[Answer], out: TextIO, batch: bool) -> None:
    """grep-style lines: ``source:line: sentence``; context lines use ``-`` like ``grep -C``.

    With a short answer found, a first line gives it with the sentence it came from, so that
    ``| head -1`` shows both: ``answer: PHRASE | source:line: sentence``; when the documents do
    not say, the first line is ``abstained: REASON``. With ``--explain``,
    an indented ``why:`` line follows each sentence.
    In batch mode every line starts with the question's id and a tab.
    """
    for a in answers:
        prefix = f"{inert(str(a.id))}\t" if batch else ""
        if a.abstained and (batch or a.evidence):  # first, so no pipe takes what follows for answers
            out.write(f"{prefix}abstained: {one_line(a.reason or 'nothing matches')}\n")
        elif shows_answer(a) and a.evidence:
            assert a.answer is not None
            cited = a.answer_sentence or a.evidence[0].sentence
            out.write(f"{prefix}answer: {one_line(a.answer)} | {_where(cited)}: {one_line(cited.text)}\n")
        grouped = any(e.before or e.after for e in a.evidence)
        for i, e in enumerate(a.evidence):
            if grouped and i:
                out.write(f"{prefix}--\n")
            for s in e.before:
                out.write(f"{prefix}{_where(s)}-{one_line(s.text)}\n")
            out.write(f"{prefix}{_where(e.sentence)}: {one_line(e.sentence.text)}\n")
            if e.explanation is not None:  # --explain: indented, so no grep-style parser takes it for a match
                out.write(f"{prefix}    {explain_line(e.explanation)}\n")
            for s in e.after:
                out.write(f"{prefix}{_where(s)}-{one_line(s.text)}\n")


def _where(s: Sentence) -> str:
    page = f" (page {s.page})" if s.page is not None else ""
    return f"{escaped_line(s.source)}:{s.line}{page}"  # a newline in a file name shows escaped


# ---------------------------------------------------------------- Rich

MATCH_STYLE = "bold yellow"
ANSWER_STYLE = "bold black on green"
CONTEXT_STYLE = "dim"
BAR_WIDTH = 10


def _sentence_text(e: Evidence, answer: bool = True) -> Text:
    """The sentence with matched words and the short answer styled, built from spans, never markup."""
    from rich.text import Text

    raw = e.sentence.text
    # Style spans are cut out of the raw text, so each piece is made inert and one-line on its own.
    marks: list[tuple[int, int, str]] = [(s, t, MATCH_STYLE) for s, t in e.matches]
    if e.answer_span and answer:
        marks.append((*e.answer_span, ANSWER_STYLE))
    cuts = sorted({0, len(raw), *(p for s, t, _ in marks for p in (s, t))})
    text = Text()
    for a, b in zip(cuts, cuts[1:]):
        styles = [st for s, t, st in marks if s <= a and b <= t]
        piece = _SPACE_RUN.sub(" ", inert(raw[a:b]))
        text.append(piece, style=styles[-1] if styles else "")
    text.rstrip()
    return text


def render_rich(answers: list[Answer], console: Console, batch: bool) -> None:
    from rich.text import Text

    for n, a in enumerate(answers):
        if batch:
            if n:
                console.print()
            console.print(Text(f"Q: {one_line(a.question)}", style="bold"))
        if a.abstained:
            console.print(Text(f"No answer in the documents: {a.reason or 'nothing matches'}.", style="bold yellow"))
            if a.evidence:
                console.print(Text("The closest sentences, for you to judge:", style="yellow"))
        elif shows_answer(a):
            assert a.answer is not None
            console.print(Text.assemble(("Answer: ", "bold"), (one_line(a.answer), "bold green")))
        top = max((e.score for e in a.evidence), default=0.0) or 1.0
        for e in a.evidence:
            _rich_evidence(console, e, top, dim=a.abstained, answer=shows_answer(a))


def _rich_evidence(console: Console, e: Evidence, top: float, dim: bool, answer: bool = True) -> None:
    from rich.padding import Padding
    from rich.text import Text

    filled = max(1, round(BAR_WIDTH * e.score / top))
    console.print(
        Text.assemble(
            (f"{e.rank:>2} ", "bold cyan"),
            ("█" * filled + "░" * (BAR_WIDTH - filled), "cyan"),
            (f" {e.score:6.2f}  ", "cyan"),
            (_where(e.sentence), "magenta"),
            style="dim" if dim else "",
        )
    )
    for s in e.before:
        console.print(Padding(Text(one_line(s.text), style=CONTEXT_STYLE), (0, 0, 0, 4)))
    sentence = _sentence_text(e, answer)
    if dim:
        sentence.stylize("dim")
    console.print(Padding(sentence, (0, 0, 0, 4)))
    for s in e.after:
        console.print(Padding(Text(one_line(s.text), style=CONTEXT_STYLE), (0, 0, 0, 4)))
    if e.explanation is not None:
        console.print(Padding(Text(explain_line(e.explanation), style="italic dim"), (0, 0, 0, 4)))


# How --explain names the kind of answer a question wants, where "a <type>" reads badly.
_WANTED = {"organisation": "an organisation", "yes/no": "a yes or a no", "other": "a phrase"}


def explain_line(explanation: Explanation) -> str:
    """``--explain`` in one line: each matched term's share of the score, and the answer type."""
    parts = []
    for term, share in explanation.terms.items():
        via = f" (as {share.via})" if share.via else ""
        parts.append(f"{term}{via} {share.score:.2f}")
    line = "why: " + (", ".join(parts) or "no term matched")
    if explanation.floor:
        line += f"; + {explanation.floor:.2f} BM25+ floor for the unmatched terms"
    if explanation.answer_type:
        found = "the answer is here" if explanation.answer_here else "one is here"
        if not explanation.type_match:
            found = "none here"
        bonus = f" (+ {explanation.type_bonus:.2f})" if explanation.type_bonus else ""
        wanted = _WANTED.get(explanation.answer_type, f"a {explanation.answer_type}")
        line += f"; wants {wanted}: {found}{bonus}"
    if explanation.heading:
        line += "; a heading, not a statement: its score is halved"
    return inert(line)


def render(answers: list[Answer], fmt: Format, out: TextIO, console: Console | None, batch: bool = False) -> None:
    """Write ``answers`` to ``out`` in ``fmt`` (``auto`` must be resolved by the caller)."""
    if fmt is Format.json:
        write_json(answers, out, batch)
    elif fmt is Format.jsonl:
        write_jsonl(answers, out)
    elif fmt is Format.plain:
        write_plain(answers, out, batch)
    else:
        assert console is not None
        render_rich(answers, console, batch)


def render_report(report: dict, fmt: Format, out: TextIO, console: Console | None, misses: bool) -> None:
    """The gold-set scores of ``askdoc eval``: a table for people, one JSON object for scripts."""
    if fmt in (Format.json, Format.jsonl):
        if not misses:
            report = {k: v for k, v in report.items() if k != "misses"}
        out.write(dumps(report, indent=2 if fmt is Format.json else None) + "\n")
        return
    rows = [("all", report)] + list(report["by_style"].items())
    if fmt is Format.plain:
        out.write("group\tquestions\tacc@1\tacc@3\tmrr@10\n")
        for name, g in rows:
            out.write(f"{inert(name)}\t{g['questions']}\t{g['acc@1']}\t{g['acc@3']}\t{g['mrr@10']}\n")
        out.write(f"unanswerable abstained\t{report['unanswerable_abstained']}\n")
        out.write(f"answerable abstained\t{report['answerable_abstained']}\n")
        if misses:
            for m in report["misses"]:
                out.write(f"miss\t{m['rank'] or '-'}\t{one_line(m['question'])}\t{one_line(m['got'] or '')}\n")
        return
    from rich.table import Table
    from rich.text import Text

    assert console is not None
    table = Table("group", "questions", "Acc@1", "Acc@3", "MRR@10", title="askdoc eval")
    for name, g in rows:
        table.add_row(Text(name), str(g["questions"]), f"{g['acc@1']:.2f}", f"{g['acc@3']:.2f}", f"{g['mrr@10']:.2f}")
    console.print(table)
    console.print(
        Text(
            f"unanswerable abstained {report['unanswerable_abstained']}, "
            f"answerable abstained {report['answerable_abstained']}"
        )
    )
    if misses:
        for m in report["misses"]:
            console.print(Text.assemble((f"rank {m['rank'] or '-'}: ", "yellow"), one_line(m["question"])))
            console.print(Text(f"    got: {one_line(m['got'] or '(nothing)')}", style="dim"))
