"""The ``askdoc`` command: parse arguments, call the library, hand the results to ``render``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer

from .errors import ExitCode, InputError, PipeClosed
from .render import Format
from .safe_text import inert

app = typer.Typer(
    name="askdoc",
    help="Ask a document a question; get back the sentences that answer it, ranked.\n\n"
    "With no PATH, askdoc reads the article it ships with. Run [bold]askdoc ask --help[/bold] for examples.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Errors(str, Enum):
    strict = "strict"
    replace = "replace"


ASK_EXAMPLES = """Ask a document a question; print the sentences that answer it, best first.

[bold]Examples[/bold]

  askdoc ask "Who led the US delegation?"              [dim]# the bundled article[/dim]

  askdoc ask "What is a prime number?" notes/ book.md  [dim]# folders are read recursively[/dim]

  curl -s URL | askdoc ask "Who won?" -                [dim]# - reads stdin[/dim]

  askdoc ask "Where did they meet?" -k 1 -C 1          [dim]# best hit, one sentence around it[/dim]

  askdoc ask "Who led?" -f json | jq -r '.evidence[0].text'

  askdoc ask --batch questions.txt doc.txt -f jsonl    [dim]# one question per line[/dim]

[bold]Exit status[/bold]: 0 evidence found, 1 nothing found, 2 usage or input error.
"""


def warn(message: str) -> None:
    sys.stderr.write(f"askdoc: warning: {inert(message)}\n")


def _resolve_format(fmt: Format) -> Format:
    if fmt is Format.auto:
        return Format.rich if sys.stdout.isatty() else Format.plain
    return fmt


@contextmanager
def _stdout_closed_quietly() -> Iterator[None]:
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise PipeClosed from None


def _console():
    from rich.console import Console

    # Document text reaches Rich only as Text objects; markup and highlighting stay off regardless.
    return Console(file=sys.stdout, markup=False, highlight=False, emoji=False)


def read_batch(source: str) -> list[tuple[object, str]]:
    """Questions, one a line: plain text, or JSON objects with "question" and an optional "id"."""
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as e:
        raise InputError(f"{source}: {e.strerror or e}") from None
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"{source}: not valid UTF-8 (byte offset {e.start})") from None
    questions: list[tuple[object, str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
                question = obj["question"]
                if not isinstance(question, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputError(f'{source}:{number}: expected a JSON object with a "question" string') from None
            questions.append((obj.get("id", number), question))
        else:
            questions.append((number, line.strip()))
    return questions


@app.command(help=ASK_EXAMPLES, no_args_is_help=True)
def ask(
    question: str | None = typer.Argument(None, help="The question (omit it with --batch).", show_default=False),
    paths: list[str] | None = typer.Argument(
        None,
        help="Files or folders to read (.txt, .md), or - for stdin. Default: the bundled article.",
        show_default=False,
    ),
    top: int = typer.Option(3, "--top", "-k", min=1, help="How many sentences to return."),
    context: int = typer.Option(0, "--context", "-C", min=0, help="Sentences shown around each hit, like grep -C."),
    fmt: Format = typer.Option(
        Format.auto, "--format", "-f", help="auto: rich on a terminal, plain in a pipe.", case_sensitive=False
    ),
    batch: str | None = typer.Option(
        None,
        "--batch",
        "-b",
        metavar="FILE|-",
        help="Answer every question in FILE (one a line, or JSONL).",
        show_default=False,
    ),
    errors: Errors = typer.Option(
        Errors.strict, "--errors", help="Undecodable bytes: stop with an error, or replace them with U+FFFD."
    ),
) -> None:
    from .api import Index
    from .render import render

    paths = list(paths or [])
    if batch is not None:
        if question is not None:
            paths.insert(0, question)
        if batch == "-" and "-" in paths:
            raise InputError("stdin cannot hold both the questions (--batch -) and a document (-)")
        questions = read_batch(batch)
    elif question is None:
        raise InputError("no question given (see askdoc ask --help)")
    else:
        questions = [(None, question)]
    for _, q in questions:
        if not q.strip():
            raise InputError("the question is empty")
    index = Index.from_paths(paths, errors=errors.value, warn=warn)
    answers = [index.ask(q, top=top, context=context, id=qid) for qid, q in questions]
    fmt = _resolve_format(fmt)
    with _stdout_closed_quietly():
        render(answers, fmt, sys.stdout, _console() if fmt is Format.rich else None, batch=batch is not None)
    if batch is None and answers[0].abstained and fmt is not Format.rich:
        warn(f"no answer: {answers[0].reason}")
    raise typer.Exit(ExitCode.NOT_FOUND if all(a.abstained for a in answers) else ExitCode.OK)


@app.command()
def shell(
    paths: list[str] | None = typer.Argument(
        None, help="Files or folders to load. Default: the bundled article.", show_default=False
    ),
    top: int = typer.Option(3, "--top", "-k", min=1, help="How many sentences to return."),
    context: int = typer.Option(0, "--context", "-C", min=0, help="Sentences shown around each hit."),
    fmt: Format = typer.Option(Format.auto, "--format", "-f", case_sensitive=False),
) -> None:
    """Load documents once, then answer question after question (history, :commands, completion).

    [bold]Example[/bold]: askdoc shell notes/   then type a question, or :help
    """
    from .shell import run

    raise typer.Exit(run(paths or [], top=top, context=context, fmt=fmt, warn=warn))


@app.command("eval")
def eval_(
    gold: Path = typer.Argument(..., help="Gold questions (JSONL: question, evidence, style).", show_default=False),
    paths: list[str] | None = typer.Argument(None, help="Documents. Default: the bundled article.", show_default=False),
    misses: bool = typer.Option(False, "--misses", help="List the questions not answered at rank 1."),
    fmt: Format = typer.Option(Format.auto, "--format", "-f", case_sensitive=False),
) -> None:
    """Score askdoc on a gold set: Acc@1, Acc@3 and MRR@10, overall and by style.

    [bold]Example[/bold]: askdoc eval ../shared/eval/seed-questions.jsonl --misses
    """
    from .api import Index
    from .evaluate import evaluate, load_gold
    from .render import render_report

    report = evaluate(Index.from_paths(paths or [], warn=warn), load_gold(gold))
    fmt = _resolve_format(fmt)
    with _stdout_closed_quietly():
        render_report(report.as_dict(), fmt, sys.stdout, _console() if fmt is Format.rich else None, misses)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line on stderr and exit 2 for bad input; quiet on Ctrl-C and closed pipes."""
    try:
        code = app(args=argv, prog_name="askdoc", standalone_mode=False)
        sys.stdout.flush()
    except InputError as e:
        sys.stderr.write(f"askdoc: error: {inert(str(e))}\n")
        code = ExitCode.USAGE
    except typer.TyperException as e:  # Typer's usage errors (its vendored click's ClickException)
        code = _usage_error(e)
    except (typer.Abort, KeyboardInterrupt):
        code = ExitCode.INTERRUPTED
    except (BrokenPipeError, PipeClosed):
        # The reader went away (`| head -1`): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = ExitCode.OK
    sys.exit(int(code or 0))


def _usage_error(e: Exception) -> ExitCode:
    ctx = getattr(e, "ctx", None)
    if type(e).__name__ == "NoArgsIsHelpError":  # a bare command: its help was printed already
        return ExitCode.OK
    message = e.format_message() if hasattr(e, "format_message") else str(e)
    hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    sys.stderr.write(f"askdoc: error: {inert(message)}{hint}\n")
    return ExitCode(getattr(e, "exit_code", ExitCode.USAGE) or ExitCode.USAGE)
