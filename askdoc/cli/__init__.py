"""The face: the ``askdoc`` command (:mod:`.commands`), the shell (:mod:`.shell`) and what they
share (:mod:`.ui`). Only this package and :mod:`askdoc.render` know Typer and Rich."""

from .commands import app, main

__all__ = ["app", "main"]
