"""Exit codes in one place (as httpie's ``status.py``) and the one error type users see."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # evidence found
    NOT_FOUND = 1  # every question abstained
    USAGE = 2  # bad arguments or unreadable input
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class InputError(Exception):
    """Bad input the user can fix: printed as one line on stderr, exit code 2."""


class PipeClosed(Exception):
    """stdout's reader went away (``| head -1``). Not an OSError, so that Typer's own EPIPE
    handling (exit 1, which askdoc uses for "nothing found") does not claim it."""
