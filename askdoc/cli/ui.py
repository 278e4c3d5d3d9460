"""What the CLI and the shell share: the terminal streams, warnings, and opening an index with
a progress bar on stderr (only for a person at a terminal)."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PipeClosed
from ..safe_text import escaped_line

if TYPE_CHECKING:
    pass


def warn(message: str) -> None:
    sys.stderr.write(f"askdoc: warning: {escaped_line(message)}\n")


@contextmanager
def stdout_closed_quietly() -> Iterator[None]:
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise PipeClosed from None


def open_index(
    paths: list[str],
    index: Path | None = None,
    no_cache: bool = False,
    quiet: bool = False,
    errors: str = "strict",
    semantic: bool | None = None,
    selection=None,
    encoding: str | None = None,
):
    """Index.from_paths with the CLI's warnings and, on a terminal, a progress bar on stderr.

    ``selection`` (a :class:`~askdoc.ingest.documents.Selection`) chooses folders' files."""
    from ..api import Index

    bars: list[ProgressBar | ByteBar] = []

    def progress(total: int) -> ProgressBar | None:
        if total < 2:
            return None
        bar = ProgressBar(total)
        bars.append(bar)
        return bar

    def byte_progress(size: int) -> ByteBar:
        bar = ByteBar(size)
        bars.append(bar)
        return bar

    watched = not quiet and sys.stderr.isatty()  # a person at a terminal: bars and notes of long waits
    try:
        return Index.from_paths(
            paths,
            errors=errors,
            warn=None if quiet else warn,
            cache=not no_cache,
            index_path=index,
            progress=progress if watched else None,
            semantic=semantic,
            note=warn if watched else None,
            embed_progress=embed_bar if watched else None,
            selection=selection,
            encoding=encoding,
            byte_progress=byte_progress if watched else None,
        )
    finally:
        for bar in bars:  # whatever happened, give the terminal its cursor back
            bar.stop()


class ProgressBar:
    """A Rich progress bar on stderr: ``build`` calls it as each file is done (with the
    sentences so far), the semantic extra as it embeds sentences the first time."""

    FILES = "files, {task.fields[sentences]:,} sentences"

    def __init__(self, total: int, label: str = "indexing", detail: str = FILES):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(detail),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task(label, total=total, sentences=0)
        self._bar.start()

    def __call__(self, done: int, sentences: int = 0) -> None:
        self._bar.update(self._task, completed=done, sentences=sentences)

    def stop(self) -> None:
        self._bar.stop()


class ByteBar:
    """A Rich progress bar on stderr in bytes, for one big file analysed in chunks."""

    def __init__(self, size: int, label: str = "indexing"):
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn(label),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task(label, total=size)
        self._bar.start()

    def __call__(self, done: int) -> None:
        self._bar.update(self._task, completed=done)

    def stop(self) -> None:
        self._bar.stop()


def embed_bar(total: int) -> ProgressBar:
    return ProgressBar(total, "embedding", "sentences")


def preload_models(semantic: bool | None) -> None:
    """Unless the semantic extra is turned off, its models are made while the documents are read
    (``ask`` and ``shell``, which will use them; not ``index``, which would only pay for them)."""
    if semantic is not False:
        from ..rank import semantic as extra

        extra.preload()


def hint_semantic(idx, quiet: bool) -> None:
    """Once, on a terminal, say how to get the semantic extra (a note for people, not scripts)."""
    if quiet or not sys.stderr.isatty() or idx.use_semantic is False:
        return
    from ..index import store
    from ..rank import semantic

    def say(text: str) -> None:
        sys.stderr.write(f"askdoc: note: {text}\n")

    semantic.hint_once(say, store.cache_dir())




def silence_stdout() -> None:
    """Point stdout's descriptor at /dev/null, so that Python's flush at exit fails no more."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # no descriptor (closed from the start): nothing is left to flush


class ClosedOutput(io.TextIOBase):
    """Standard output when the command was started with it closed: writing fails as a closed
    descriptor would, and ``main`` says so in one line."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def isatty(self) -> bool:
        return False
