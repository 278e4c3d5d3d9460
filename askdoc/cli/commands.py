"""The ``askdoc`` command: parse arguments, call the library, hand the results to ``render``."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path

import typer

from ..errors import ExitCode, InputError, PipeClosed
from ..render import Format, make_console, resolve_format
from ..safe_text import escaped_line
from .ui import ClosedOutput, hint_semantic, open_index, preload_models, silence_stdout, stdout_closed_quietly, warn

app = typer.Typer(
    name="askdoc",
    help="Ask a document a question; get back the sentences that answer it, ranked, and the answer.\n\n"
    "With no PATH, askdoc reads the article it ships with.\n\n"
    "[bold]Examples[/bold]\n\n"
    '  askdoc ask "Who led the US delegation?"\n\n'
    '  askdoc ask "How is memory freed?" docs/ -k 5 -f json\n\n'
    "  askdoc shell notes/\n\n"
    "Run [bold]askdoc COMMAND --help[/bold] for more.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"askdoc {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", help="Print askdoc's version.", callback=_version, is_eager=True),
) -> None:
    """Ask a document a question."""


class Errors(str, Enum):
    STRICT = "strict"
    REPLACE = "replace"


ASK_EXAMPLES = """Ask a document a question; print the sentences that answer it, best first.

[bold]Examples[/bold]

  askdoc ask "Who led the US delegation?"       [dim]# the bundled article[/dim]

  askdoc ask "What is a prime?" notes/ a.md     [dim]# folders: read recursively[/dim]

  curl -s URL | askdoc ask "Who won?" -         [dim]# - reads stdin[/dim]

  askdoc ask "Where did they meet?" -k 1 -C 1   [dim]# best hit, and around it[/dim]

  askdoc ask "Who led?" -f json | jq -r '.evidence[0].text'

  askdoc ask --batch questions.txt doc.txt -f jsonl

[bold]Exit status[/bold]: 0 evidence found, 1 nothing found, 2 usage or input error.
"""


def read_batch(source: str) -> list[tuple[object, str]]:
    """Questions, one a line: plain text, or JSON objects with "question" and an optional "id";
    blank lines and lines starting with # are skipped (line numbers still count them)."""
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
        if not line.strip() or line.lstrip().startswith("#"):  # blank lines and # comments
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


INDEX_OPTION = typer.Option(
    None,
    "--index",
    metavar="FILE",
    help="Keep the saved index in FILE instead of the cache folder.",
    show_default=False,
)
NO_CACHE_OPTION = typer.Option(False, "--no-cache", help="Neither read nor save an index: analyse in memory.")
EXPLAIN_OPTION = typer.Option(
    False, "--explain", "-e", help="Say why each sentence ranked: matched words, their scores, answer type."
)
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bar or notes on stderr (errors still show).")
# Options that ask and shell share, so that they read the same in both.
TOP_OPTION = typer.Option(3, "--top", "-k", min=1, help="How many sentences to return.")
CONTEXT_OPTION = typer.Option(0, "--context", "-C", min=0, help="Sentences shown around each hit, like grep -C.")
FORMAT_OPTION = typer.Option(
    Format.auto, "--format", "-f", help="auto: rich on a terminal, plain in a pipe.", case_sensitive=False
)
ERRORS_OPTION = typer.Option(
    Errors.STRICT, "--errors", help="Undecodable bytes: stop with an error, or replace them with U+FFFD."
)
GLOB_OPTION = typer.Option(
    None,
    "--glob",
    "-g",
    metavar="GLOB",
    help="Read only folder files matching GLOB (repeatable; !GLOB leaves files out), as ripgrep does.",
    show_default=False,
)
TYPE_OPTION = typer.Option(
    None,
    "--type",
    "-t",
    metavar="TYPE",
    help="Read only folder files of TYPE (repeatable; see --type-list).",
    show_default=False,
)
TYPE_NOT_OPTION = typer.Option(
    None, "--type-not", "-T", metavar="TYPE", help="Leave out folder files of TYPE (repeatable).", show_default=False
)
ENCODING_OPTION = typer.Option(
    None,
    "--encoding",
    "-E",
    metavar="NAME",
    help="Read text in this encoding (latin-1, cp1252, shift_jis ...) instead of UTF-8; a BOM still wins.",
    show_default=False,
)


def _type_list(value: bool) -> None:
    if value:
        from ..ingest.formats import TYPES

        for name, globs in TYPES.items():
            sys.stdout.write(f"{name}: {', '.join(globs)}\n")
        sys.stdout.write("(each also compressed: .gz, .bz2, .xz)\n")
        raise typer.Exit()


TYPE_LIST_OPTION = typer.Option(
    False, "--type-list", help="List the file types askdoc reads, with their globs.", callback=_type_list, is_eager=True
)


def reading_options(
    globs: list[str] | None, types: list[str] | None, types_not: list[str] | None, encoding: str | None
):
    """The options that choose and decode files, checked: (Selection, codec name or None)."""
    from ..ingest.documents import Selection, check_encoding

    selection = Selection(tuple(globs or ()), tuple(types or ()), tuple(types_not or ()))
    return selection, check_encoding(encoding) if encoding else None


SEMANTIC_OPTION = typer.Option(
    None,
    "--semantic/--no-semantic",
    help="Blend in sentence meaning (needs askdoc\\[semantic]). Default: when it is installed.",
    show_default=False,
)


@app.command(help=ASK_EXAMPLES, no_args_is_help=True)
def ask(
    question: str | None = typer.Argument(None, help="The question (omit it with --batch).", show_default=False),
    paths: list[str] | None = typer.Argument(
        None,
        help="Files, folders or http(s) URLs to read (text, Markdown, reST, HTML, PDF, DOCX, ODT, EPUB, "
        "compressed), or - for stdin. Default: the bundled article.",
        show_default=False,
    ),
    top: int = TOP_OPTION,
    context: int = CONTEXT_OPTION,
    fmt: Format = FORMAT_OPTION,
    batch: str | None = typer.Option(
        None,
        "--batch",
        "-b",
        metavar="FILE|-",
        help="Answer every question in FILE (one a line, or JSONL; # starts a comment line).",
        show_default=False,
    ),
    errors: Errors = ERRORS_OPTION,
    explain: bool = EXPLAIN_OPTION,
    semantic: bool | None = SEMANTIC_OPTION,
    index: Path | None = INDEX_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    quiet: bool = QUIET_OPTION,
    glob: list[str] | None = GLOB_OPTION,
    type_: list[str] | None = TYPE_OPTION,
    type_not: list[str] | None = TYPE_NOT_OPTION,
    encoding: str | None = ENCODING_OPTION,
    type_list: bool = TYPE_LIST_OPTION,
) -> None:
    from ..render import render

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
    selection, codec = reading_options(glob, type_, type_not, encoding)
    preload_models(semantic)
    idx = open_index(paths, index, no_cache, quiet, errors.value, semantic, selection, codec)
    hint_semantic(idx, quiet)
    answers = idx.ask_many(questions, top=top, context=context, explain=explain)
    fmt = resolve_format(fmt)
    with stdout_closed_quietly():
        render(answers, fmt, sys.stdout, make_console() if fmt is Format.rich else None, batch=batch is not None)
    if batch is None and answers[0].abstained and fmt is not Format.rich:
        warn(f"no answer: {answers[0].reason}")
    raise typer.Exit(ExitCode.NOT_FOUND if all(a.abstained for a in answers) else ExitCode.OK)


@app.command()
def shell(
    paths: list[str] | None = typer.Argument(
        None, help="Files or folders to load. Default: the bundled article.", show_default=False
    ),
    top: int = TOP_OPTION,
    context: int = CONTEXT_OPTION,
    fmt: Format = FORMAT_OPTION,
    explain: bool = EXPLAIN_OPTION,
    errors: Errors = ERRORS_OPTION,
    semantic: bool | None = SEMANTIC_OPTION,
    index: Path | None = INDEX_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    glob: list[str] | None = GLOB_OPTION,
    type_: list[str] | None = TYPE_OPTION,
    type_not: list[str] | None = TYPE_NOT_OPTION,
    encoding: str | None = ENCODING_OPTION,
) -> None:
    """Load documents once, then answer question after question (history, :commands, completion).

    [bold]Example[/bold]: askdoc shell notes/   then type a question, or :help
    """
    from functools import partial

    from .shell import run

    selection, codec = reading_options(glob, type_, type_not, encoding)
    preload_models(semantic)
    opener = partial(
        open_index,
        index=index,
        no_cache=no_cache,
        errors=errors.value,
        semantic=semantic,
        selection=selection,
        encoding=codec,
    )
    with stdout_closed_quietly():
        code = run(paths or [], top=top, context=context, fmt=fmt, warn=warn, opener=opener, explain=explain)
    raise typer.Exit(code)


@app.command("index")
def index_(
    paths: list[str] | None = typer.Argument(
        None, help="Files or folders to index. Default: the bundled article.", show_default=False
    ),
    info: bool = typer.Option(False, "--info", help="Show what the saved index holds, and where it is."),
    clear: bool = typer.Option(False, "--clear", help="Remove the saved index of these paths."),
    index: Path | None = INDEX_OPTION,
    quiet: bool = QUIET_OPTION,
    glob: list[str] | None = GLOB_OPTION,
    type_: list[str] | None = TYPE_OPTION,
    type_not: list[str] | None = TYPE_NOT_OPTION,
    encoding: str | None = ENCODING_OPTION,
    type_list: bool = TYPE_LIST_OPTION,
) -> None:
    """Build (or bring up to date) the saved index of some documents, so later questions answer at once.

    askdoc ask does this by itself on first use; only files that changed are analysed again.

    [bold]Examples[/bold]

      askdoc index ~/notes/                 [dim]# build it, with a progress bar[/dim]

      askdoc index ~/notes/ --info          [dim]# where it is, its size, its files[/dim]

      askdoc index ~/notes/ --clear         [dim]# remove it[/dim]
    """
    from ..api import Index, index_variant

    paths = list(paths or [])
    if "-" in paths:
        raise InputError("standard input cannot be indexed for later: it is read once (ask with - instead)")
    selection, codec = reading_options(glob, type_, type_not, encoding)
    variant = index_variant(selection, codec)
    if clear:
        removed = Index.clear(paths, index, variant)
        if not quiet:
            sys.stderr.write(f"askdoc: removed {escaped_line(str(removed))}\n")
        return
    if info:
        facts = Index.info(paths, index, variant)
        sys.stdout.write(
            f"index: {facts.path}\nsize: {facts.size:,} bytes\n"
            f"files: {len(facts.files)}\nsentences: {facts.sentences:,}\nterms: {facts.terms:,}\n"
        )
        for path, count in facts.files:
            sys.stdout.write(f"  {escaped_line(path)}\t{count} sentences\n")
        return
    idx = open_index(paths, index, quiet=quiet, selection=selection, encoding=codec)
    r = idx.report
    if not quiet:
        sys.stderr.write(
            f"askdoc: indexed {len(idx.files)} files, {len(idx):,} sentences: {len(r.analysed)} analysed, "
            f"{len(r.reused)} unchanged, {len(r.removed)} removed -> {idx.path or 'memory only'}\n"
        )


@app.command("eval")
def eval_(
    gold: Path = typer.Argument(
        ..., metavar="GOLD", help="Gold questions (JSONL: question, evidence, style).", show_default=False
    ),
    paths: list[str] | None = typer.Argument(None, help="Documents. Default: the bundled article.", show_default=False),
    misses: bool = typer.Option(False, "--misses", help="List the questions not answered at rank 1."),
    fmt: Format = typer.Option(Format.auto, "--format", "-f", case_sensitive=False),
) -> None:
    """Score askdoc on a gold set: Acc@1, Acc@3 and MRR@10, overall and by style.

    Each line of GOLD: {"question": ..., "evidence": \\[text the right sentence holds], "style": ...}.

    [bold]Example[/bold]: askdoc eval my-questions.jsonl notes/ --misses
    """
    from ..evaluate import evaluate, load_gold
    from ..render import render_report

    report = evaluate(open_index(paths or []), load_gold(gold))
    fmt = resolve_format(fmt)
    with stdout_closed_quietly():
        render_report(report.as_dict(), fmt, sys.stdout, make_console() if fmt is Format.rich else None, misses)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line on stderr and exit 2 for bad input; quiet on Ctrl-C and closed pipes."""
    if sys.stderr is None:  # started with 2>&-: errors go nowhere, but must not crash
        sys.stderr = open(os.devnull, "w")
    if sys.stdin is None:  # started with <&-: read as empty
        sys.stdin = open(os.devnull)
    if sys.stdout is None:  # started with >&-: fine for `index`, an error once something is printed
        sys.stdout = ClosedOutput()
    try:
        code = app(args=argv, prog_name="askdoc", standalone_mode=False)
        sys.stdout.flush()
    except InputError as e:
        sys.stderr.write(f"askdoc: error: {escaped_line(str(e))}\n")
        code = ExitCode.USAGE
    except typer.TyperException as e:  # Typer's usage errors (its vendored click's ClickException)
        code = _usage_error(e)
    except (typer.Abort, KeyboardInterrupt):
        code = ExitCode.INTERRUPTED
    except (BrokenPipeError, PipeClosed):  # the reader went away (`| head -1`): stop quietly
        silence_stdout()
        code = ExitCode.OK
    except OSError as e:
        if e.filename is None:  # writing the output failed (> /dev/full, a full disk)
            what = "cannot write the output"
            silence_stdout()
        else:  # a file system error no input check turned into a message of its own
            what = escaped_line(str(e.filename))
        sys.stderr.write(f"askdoc: error: {what}: {escaped_line(e.strerror or str(e))}\n")
        code = ExitCode.USAGE
    sys.exit(int(code or 0))


def _usage_error(e: Exception) -> ExitCode:
    ctx = getattr(e, "ctx", None)
    if type(e).__name__ == "NoArgsIsHelpError":  # a bare command: its help was printed already
        return ExitCode.OK
    message = e.format_message() if hasattr(e, "format_message") else str(e)
    hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    sys.stderr.write(f"askdoc: error: {escaped_line(message)}{hint}\n")
    return ExitCode(getattr(e, "exit_code", ExitCode.USAGE) or ExitCode.USAGE)
