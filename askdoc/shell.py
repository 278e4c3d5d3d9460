"""The interactive shell (placeholder until the shell work lands)."""

from __future__ import annotations

from .errors import ExitCode, InputError
from .render import Format


def run(paths: list[str], top: int, context: int, fmt: Format, warn) -> ExitCode:
    raise InputError("askdoc shell is not built yet")
