"""Regenerate docs/askdoc-ask.svg, the picture of Rich output in the README.

    python scripts/screenshot.py

It renders through askdoc's own Rich path (``render.render``), so the picture shows what
users see today.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from askdoc import Index
from askdoc.render import Format, render

QUESTION = "Who led the US delegation?"
OUT = Path(__file__).resolve().parent.parent / "docs" / "askdoc-ask.svg"


def main() -> None:
    console = Console(
        record=True, width=100, force_terminal=True, color_system="truecolor", file=open("/dev/null", "w")
    )
    console.print(f"$ askdoc ask {QUESTION!r} -C 1", style="bold", markup=False, highlight=False)
    answer = Index.from_paths([]).ask(QUESTION, top=3, context=1)
    render([answer], Format.rich, console.file, console)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(console.export_svg(title="askdoc ask"), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
