"""Profile askdoc building an index of one set (in memory, no saved index): where does the time go?

    python benchmarks/profile_build.py --size 100k [--top 25] [--query-profile]

Prints cProfile's top functions by cumulative and by own time. With ``--query-profile`` it
also profiles the 200 queries (search + ask) on the built index.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import json
import pstats
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "work" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="100k")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--query-profile", action="store_true")
    args = ap.parse_args()

    from askdoc import Index

    folder = str(CORPUS / f"set-{args.size}")
    kwargs = {"cache": False} if "cache" in inspect.signature(Index.from_paths).parameters else {}
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    index = Index.from_paths([folder], **kwargs)
    prof.disable()
    print(f"Index.from_paths(set-{args.size}, {kwargs}): {time.perf_counter() - t:.2f} s under cProfile")
    show(prof, args.top)
    if args.query_profile:
        queries = [json.loads(line)["query"] for line in open(CORPUS / "queries.jsonl")]
        prof = cProfile.Profile()
        prof.enable()
        for q in queries:
            index.ask(q, top=10)
        prof.disable()
        print(f"\n{len(queries)} x Index.ask(q, top=10)")
        show(prof, args.top)


def show(prof: cProfile.Profile, top: int) -> None:
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        print(f"--- by {key}\n" + text[text.index("   ncalls") :])


if __name__ == "__main__":
    main()
