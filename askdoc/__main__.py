"""``python -m askdoc`` runs the CLI."""

from .cli import main

main()
