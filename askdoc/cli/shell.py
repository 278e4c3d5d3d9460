"""``askdoc shell``: load documents once, then answer question after question.

On a terminal the shell is a prompt_toolkit line editor: arrow keys, Ctrl-R, history kept
between sessions, completion of ``:commands``, formats and paths. With stdin piped it reads
one question or ``:command`` a line and prints no prompt, and its answers are those of
``askdoc ask --batch`` (plain lines prefixed with the input line number), so
``askdoc shell < questions.txt`` parses like ``askdoc ask --batch questions.txt``.
Answers go to stdout; the banner, confirmations, warnings and errors go to stderr.
"""

from __future__ import annotations

import difflib
import importlib
import os
import shlex
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import ExitCode, InputError
from ..ingest.documents import STDIN, InputFile, Warn
from ..render import Format
from ..safe_text import escaped_line

if TYPE_CHECKING:
    from rich.console import Console

    from ..api import Index

HISTORY_ENV = "ASKDOC_HISTORY"
PROMPT = "askdoc> "
FORMATS = [f.value for f in Format if f is not Format.auto]

# name -> (arguments, what it does); the order is the order of :help.
COMMANDS = {
    "help": ("", "this list"),
    "top": ("N", "show the N best sentences"),
    "context": ("N", "show N sentences around each hit"),
    "format": ("|".join(FORMATS), "how answers are printed"),
    "explain": ("on|off", "say why each sentence ranked (matched words, scores, answer type)"),
    "open": ("PATH|URL ...", "load these documents instead; alone: reload the current ones"),
    "sources": ("", "what is loaded"),
    "clear": ("", "clear the screen"),
    "quit": ("", "leave (Ctrl-D does too)"),
}
# Typed alone at the prompt, these words are taken for their :command, not asked as questions.
BARE_COMMANDS = frozenset(("help", "exit", "quit", "clear"))
ALIASES = {"exit": "quit", "?": "help"}

HELP_KEYS = (
    "Type a question and press Enter. Up/Down walk the history, Ctrl-R searches it, Tab completes,\n"
    "Ctrl-C clears the line, Ctrl-D leaves."
)


def history_path(env: Mapping[str, str] = os.environ) -> Path | None:
    """$ASKDOC_HISTORY (empty: no history), else $XDG_STATE_HOME/askdoc/history, ~/.local/state by default."""
    value = env.get(HISTORY_ENV)
    if value is not None:
        return Path(value).expanduser() if value else None
    state = env.get("XDG_STATE_HOME", "")
    try:
        # The XDG spec says a relative path in the variable is invalid and must be ignored.
        base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    except RuntimeError:  # no home directory to fall back on
        return None
    return base / "askdoc" / "history"


def resolve_command(word: str) -> str | None:
    """A command name from what was typed: the name, an alias, or an unambiguous prefix (``:q``)."""
    word = word.lower()
    if word in COMMANDS:
        return word
    if word in ALIASES:
        return ALIASES[word]
    found = {name for name in COMMANDS if name.startswith(word)}
    found |= {target for alias, target in ALIASES.items() if alias.startswith(word)}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------- what is loaded


Stamp = tuple[int, int] | None  # (mtime in ns, size); None once the file is gone
Opener = Callable[[list[str]], "Index"]


def _stamp(path: str) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@dataclass
class Corpus:
    """The loaded index, the paths it came from, and what was reported about its files since."""

    paths: list[str]
    index: Index
    seconds: float
    opener: Opener | None = None  # how to open an index of paths (the CLI's options); reused by :open
    reported: dict[str, Stamp] = field(default_factory=dict)

    def files(self) -> list[tuple[str, int, str]]:
        """Each file's source, sentence count and state: '' while the file on disk is the one loaded."""
        counts = [count for _, count in self.index.file_records()]
        return [(f.source, count, _state(f)) for f, count in zip(self.index.files, counts)]

    def new_changes(self) -> Iterator[tuple[str, str]]:
        """Files that changed or vanished since loading, each reported once per change."""
        for f in self.index.files:
            if f.path is None:
                continue
            loaded, now = (f.mtime_ns, f.size), _stamp(f.path)
            if now != loaded and self.reported.get(f.source, loaded) != now:
                self.reported[f.source] = now
                yield f.source, "gone" if now is None else "changed"


def _state(f: InputFile) -> str:
    """'' while the file on disk is the one that was indexed; else 'changed' or 'gone'."""
    if f.path is None:
        return ""
    now = _stamp(f.path)
    if now == (f.mtime_ns, f.size):
        return ""
    return "gone" if now is None else "changed"


def load(paths: list[str], warn: Warn, opener: Opener | None = None) -> Corpus:
    """Open the (saved) index of ``paths``. Sentences come from the index, so the shell answers
    from what it loaded even if a file is edited while it is open (``:open`` reads it again)."""
    if opener is None:
        from .ui import open_index

        opener = open_index
    if STDIN in paths:
        raise InputError("the shell reads questions from stdin, so it cannot read a document from -")
    started = time.perf_counter()
    index = opener(paths)
    return Corpus(list(paths), index, time.perf_counter() - started, opener)


def reload(corpus: Corpus, warn: Warn) -> Corpus:
    """Open the same paths again (only changed files are analysed); a path now gone is dropped."""
    from ..ingest.fetch import is_url

    kept = []
    for p in corpus.paths:
        if is_url(p) or os.path.lexists(p):  # a URL is fetched again
            kept.append(p)
        else:
            warn(f"{p} is gone from disk; dropped")
    if corpus.paths and not kept:
        raise InputError("none of the documents is on disk any more; the loaded copy stays")
    return load(kept, warn, corpus.opener)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def describe(corpus: Corpus) -> str:
    return (
        f"loaded {_plural(len(corpus.index.files), 'file')}, {_plural(len(corpus.index), 'sentence')}"
        f" in {corpus.seconds:.2f} s"
    )


# ---------------------------------------------------------------- the session


class Quit(Exception):
    """Raised by :quit."""


@dataclass
class Session:
    """Settings and loaded documents; :meth:`handle` takes one line, question or command."""

    corpus: Corpus
    top: int
    context: int
    fmt: Format
    warn: Warn
    make_console: Callable[[], Console]
    interactive: bool
    explain: bool = False
    asked: int = 0
    abstained: int = 0
    failed: int = 0
    _console: Console | None = None

    @property
    def out(self) -> TextIO:
        return sys.stdout

    @property
    def listing(self) -> TextIO:
        """Where :help and :sources write: the screen, or stderr when piped (stdout is answers)."""
        return sys.stdout if self.interactive else sys.stderr

    def say(self, message: str) -> None:
        """Status for the person (stderr, so stdout holds nothing but answers)."""
        sys.stderr.write(f"askdoc: {message}\n")

    def error(self, message: str) -> None:
        self.failed += 1
        sys.stderr.write(f"askdoc: error: {escaped_line(message)}\n")

    def handle(self, line: str, number: int | None = None) -> None:
        """Answer a question or run a :command; user errors are reported and the shell goes on."""
        text = line.strip()
        if not text:
            return
        try:
            if text.startswith(":"):
                self.command(text[1:])
            elif self.interactive and text.lower() in BARE_COMMANDS:
                self.command(text.lower())
            else:
                self.answer(text, number)
        except InputError as e:
            self.error(str(e))
        self.out.flush()

    def answer(self, question: str, number: int | None) -> None:
        from ..render import render

        for source, change in self.corpus.new_changes():
            what = "is gone from disk" if change == "gone" else "changed on disk"
            self.warn(f"{source} {what}; answers come from the copy loaded earlier (:open reloads)")
        answer = self.corpus.index.ask(question, top=self.top, context=self.context, id=number, explain=self.explain)
        self.asked += 1
        self.abstained += answer.abstained
        # Piped, answers are a batch like `ask --batch`: plain lines carry the line number, so they parse.
        # A JSON answer stays one object (batch would wrap each in a list of one).
        batch = not self.interactive and self.fmt is not Format.json
        if self.fmt is Format.rich and self._console is None:
            self._console = self.make_console()
        render([answer], self.fmt, self.out, self._console if self.fmt is Format.rich else None, batch=batch)
        if answer.abstained and self.fmt is not Format.rich:
            where = f"line {number}: " if number is not None else ""
            self.warn(f"{where}no answer: {answer.reason}")

    def command(self, text: str) -> None:
        word, _, rest = text.partition(" ")
        name = resolve_command(word)
        if name is None:
            close = difflib.get_close_matches(word.lower(), [*COMMANDS, *ALIASES], n=1)
            hint = f"did you mean :{resolve_command(close[0])}? " if close else ""
            raise InputError(f"unknown command :{word} ({hint}:help lists the commands)")
        try:
            args = shlex.split(rest)
        except ValueError as e:
            raise InputError(f":{name}: {e}") from None
        getattr(self, f"do_{name}")(args)

    def do_help(self, args: list[str]) -> None:
        width = max(len(f":{n} {a}") for n, (a, _) in COMMANDS.items())
        lines = [f"  {f':{n} {a}'.strip():<{width}}  {h}" for n, (a, h) in COMMANDS.items()]
        self.listing.write(
            "Commands (a unique prefix will do, e.g. :q):\n" + "\n".join(lines) + "\n" + HELP_KEYS + "\n"
        )

    def do_clear(self, args: list[str]) -> None:
        if self.interactive:
            self.out.write("\033[H\033[2J")  # the cursor home, then the screen blank

    def do_top(self, args: list[str]) -> None:
        self.top = self._number(args, "top", 1, self.top)

    def do_context(self, args: list[str]) -> None:
        self.context = self._number(args, "context", 0, self.context)

    def _number(self, args: list[str], name: str, least: int, current: int) -> int:
        if not args:
            self.say(f"{name} is {current}")
            return current
        if len(args) > 1 or not args[0].isdigit() or int(args[0]) < least:
            raise InputError(f":{name} takes one whole number, {least} or more (e.g. :{name} {least + 2})")
        self.say(f"{name} is now {int(args[0])}")
        return int(args[0])

    def do_format(self, args: list[str]) -> None:
        if not args:
            self.say(f"format is {self.fmt.value}")
            return
        if len(args) > 1 or args[0].lower() not in FORMATS:
            raise InputError(f":format takes one of {', '.join(FORMATS)}")
        self.fmt = Format(args[0].lower())
        self.say(f"format is now {self.fmt.value}")

    def do_explain(self, args: list[str]) -> None:
        if not args:
            self.say(f"explain is {'on' if self.explain else 'off'}")
            return
        if len(args) > 1 or args[0].lower() not in ("on", "off"):
            raise InputError(":explain takes on or off")
        self.explain = args[0].lower() == "on"
        self.say(f"explain is now {args[0].lower()}")

    def do_open(self, args: list[str]) -> None:
        paths = [a if a.startswith(("http://", "https://")) else os.path.expanduser(a) for a in args]
        with self._busy():
            self.corpus = load(paths, self.warn, self.corpus.opener) if paths else reload(self.corpus, self.warn)
        self.say(describe(self.corpus))

    def do_sources(self, args: list[str]) -> None:
        files = self.corpus.files()
        width = max(len(f"{n:,}") for _, n, _ in files)
        notes = {"changed": "  (changed on disk; :open reloads it)", "gone": "  (gone from disk)"}
        for source, n, state in files:
            sentences = "sentence " if n == 1 else "sentences"
            self.listing.write(f"{n:>{width},} {sentences}  {escaped_line(source)}{notes.get(state, '')}\n")

    def do_quit(self, args: list[str]) -> None:
        raise Quit

    def _busy(self):
        """A spinner on stderr while (re)loading, when a person is watching."""
        import contextlib

        if not (self.interactive and sys.stderr.isatty()):
            return contextlib.nullcontext()
        from rich.console import Console

        return Console(stderr=True).status("Loading documents...")

    def exit_code(self) -> ExitCode:
        if self.failed:
            return ExitCode.USAGE
        if self.asked and self.abstained == self.asked:
            return ExitCode.NOT_FOUND
        return ExitCode.OK


# ---------------------------------------------------------------- the loops


def run(
    paths: list[str],
    top: int,
    context: int,
    fmt: Format,
    warn: Warn,
    opener: Opener | None = None,
    explain: bool = False,
) -> ExitCode:
    """Load ``paths`` (the bundled article when empty), then read lines until :quit or end of input.

    ``opener`` opens an index of paths (default: the CLI's ``open_index`` with its defaults)."""
    from ..render import make_console, resolve_format

    interactive = sys.stdin.isatty() and (sys.stdout.isatty() or sys.stderr.isatty())
    session = Session(
        load(paths, warn, opener), top, context, resolve_format(fmt), warn, make_console, interactive, explain
    )
    session.say(describe(session.corpus))
    if not interactive:
        return _read_pipe(session, sys.stdin.buffer)
    session.say("type a question, :help for commands, Ctrl-D to leave")
    warming = threading.Thread(target=_warm_up, name="askdoc-warm-up", daemon=True)
    warming.start()
    try:
        return _read_terminal(session, warn)
    finally:
        warming.join(timeout=5)  # never leave the interpreter while a module is half imported


# Imported by the first answer otherwise: numpy scores questions with many postings, the stemmer
# stems words the documents never contained, Rich draws the answer. A person takes longer to type a
# question than these take to import, so the first answer comes as fast as the next ones.
WARM_UP_MODULES = ("numpy", "Stemmer", "rich.text", "rich.padding")


def _warm_up() -> None:
    for module in WARM_UP_MODULES:
        try:
            importlib.import_module(module)
        except Exception:  # an optional speed-up: the answer path imports (and reports) for real
            pass


def _read_pipe(session: Session, stream: Iterable[bytes]) -> ExitCode:
    for number, raw in enumerate(stream, 1):
        line = raw.decode("utf-8", errors="replace")
        if number == 1:
            line = line.removeprefix("\ufeff")
        try:
            session.handle(line, number)
        except Quit:
            break
    return session.exit_code()


def _read_terminal(session: Session, warn: Warn) -> ExitCode:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.output import create_output

    # The prompt belongs on the terminal: stdout, or stderr when stdout is redirected to a file.
    output = None if sys.stdout.isatty() else create_output(stdout=sys.stderr)
    prompt: PromptSession[str] = PromptSession(
        history=_history(warn),
        completer=_completer(),
        auto_suggest=AutoSuggestFromHistory(),
        complete_while_typing=True,
        reserve_space_for_menu=4,
        output=output,
        key_bindings=_key_bindings(),
    )
    while True:
        try:
            line = prompt.prompt([("bold", PROMPT)])
        except KeyboardInterrupt:  # Ctrl-C: the line is dropped, a fresh prompt follows
            continue
        except EOFError:  # Ctrl-D
            return ExitCode.OK
        try:
            session.handle(line)
        except Quit:
            return ExitCode.OK
        except KeyboardInterrupt:
            sys.stdout.flush()
            session.say("interrupted")


def _history(warn: Warn):
    """History in a file when one can be written; otherwise in memory, said once on stderr."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class SafeFileHistory(FileHistory):
        """A history file that stops being written (with one warning) instead of crashing the shell."""

        broken = False

        def store_string(self, string: str) -> None:
            if self.broken:
                return
            try:
                super().store_string(string)
            except OSError as e:
                self.broken = True
                warn(f"history no longer saved: {os.fsdecode(self.filename)}: {e.strerror or e}")

    path = history_path()
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))  # questions can be private
    except OSError as e:
        warn(f"history not saved: {path}: {e.strerror or e}")
        return InMemoryHistory()
    _trim_history(path)
    return SafeFileHistory(str(path))


# The history file is trimmed to its last HISTORY_KEEP questions once it passes HISTORY_MAX bytes.
HISTORY_MAX = 1_000_000
HISTORY_KEEP = 5_000


def _trim_history(path: Path) -> None:
    """Keep a long-used history file from growing without end (prompt_toolkit only appends)."""
    try:
        if path.stat().st_size <= HISTORY_MAX:
            return
        entries = path.read_text(encoding="utf-8", errors="replace").split("\n# ")  # FileHistory's entry mark
        kept = "\n# ".join(entries[-HISTORY_KEEP:])
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(kept if kept.startswith("\n") else "\n# " + kept, encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        pass  # an untrimmed history still works


def _key_bindings():
    """Enter during a Ctrl-R search asks the question found, as in bash (prompt_toolkit would
    only end the search and wait for a second Enter)."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.key_binding.bindings.search import accept_search_and_accept_input

    bindings = KeyBindings()
    bindings.add("enter")(accept_search_and_accept_input)  # the binding keeps its "while searching" filter
    return bindings


def _completer():
    from prompt_toolkit.completion import Completer, Completion, PathCompleter
    from prompt_toolkit.document import Document

    paths = PathCompleter(expanduser=True)

    class CommandCompleter(Completer):
        """:commands, then the formats after :format and file names after :open."""

        def get_completions(self, document, complete_event):
            text = document.text_before_cursor
            if not text.startswith(":"):
                return
            if " " not in text:
                for name, (_args, about) in COMMANDS.items():
                    if name.startswith(text[1:].lower()):
                        yield Completion(f":{name}", -len(text), display_meta=about)
                return
            name = resolve_command(text[1:].split(" ", 1)[0])
            word = document.get_word_before_cursor(WORD=True)
            if name == "format":
                yield from (Completion(f, -len(word)) for f in FORMATS if f.startswith(word.lower()))
            elif name == "open":
                yield from paths.get_completions(Document(word, len(word)), complete_event)

    return CommandCompleter()
