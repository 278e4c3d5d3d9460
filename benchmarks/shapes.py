"""Time what a user runs, on the two shapes a corpus comes in: one big file, and many small files.

    python benchmarks/shapes.py --size 1M            # ~4 min on 2 cores; needs make_corpus.py's sets

askdoc runs as the CLI, in fresh processes, each timed with its peak RSS (``/usr/bin/time``),
with bytecode caching on (as an installed package has it):

- ``askdoc index PATH --index FILE`` (from nothing);
- one-shot ``askdoc ask Q PATH -k 10 -f json --index FILE`` on the saved index (median of
  ``--oneshot`` questions, each its own process);
- batch ``askdoc ask --batch QUESTIONS PATH -k 10 -f jsonl --index FILE``: the whole pipeline,
  JSON out. Per question = (wall of all the questions - wall of the first alone) / (n - 1), so
  start-up and loading are not spread over the questions.

PATH is ``work/one-file-SIZE.txt`` (the set's files joined, a blank line apart, made here if
missing) or the set's folder of 1,000-sentence files. In the same run, in child processes:
tantivy (its own English stemmer, one thread) with its prep (reading the text and cutting it
into the same sentences askdoc indexes) and build, and its p50 query; rank-bm25's BM25Plus
p50 over ``--slow-queries`` questions; and the floors ``python -c pass`` and
``python -c "import typer, rich.console"``. Results go to ``results/shapes-SIZE.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
CORPUS = WORK / "corpus"
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent


def one_file(size: str) -> Path:
    """The set as one file: its parts joined, a blank line apart (askdoc reads the same sentences)."""
    target = WORK / f"one-file-{size}.txt"
    parts = sorted((CORPUS / f"set-{size}").glob("part-*.txt"))
    if not target.exists() or target.stat().st_mtime < max(p.stat().st_mtime for p in parts):
        with open(target, "w", encoding="utf-8", newline="") as f:
            for i, p in enumerate(parts):
                text = p.read_text(encoding="utf-8")
                f.write(text if text.endswith("\n") else text + "\n")
                if i < len(parts) - 1:
                    f.write("\n")
    return target


def timed(cmd: list[str], env: dict[str, str], stdout=subprocess.DEVNULL) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one fresh process."""
    with tempfile.NamedTemporaryFile("r") as out:
        t0 = time.perf_counter()
        rc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd], env=env, stdout=stdout, stderr=subprocess.DEVNULL
        ).returncode
        wall = time.perf_counter() - t0
        return wall, int(out.read().split()[-1]) / 1024, rc


def floors(env: dict[str, str], runs: int) -> dict:
    out = {}
    for name, code in (("python -c pass", "pass"), ("import typer, rich.console", "import typer, rich.console")):
        got = [timed([sys.executable, "-c", code], env) for _ in range(runs)]
        out[name] = {"wall_s": statistics.median(w for w, _, _ in got), "rss_mb": max(r for _, r, _ in got)}
    return out


def askdoc_shape(path: Path, queries: list[str], env: dict[str, str], workdir: Path, oneshots: int) -> dict:
    askdoc = str(BIN / "askdoc")
    index = workdir / f"{path.name}.idx"
    index.unlink(missing_ok=True)
    wall, rss, rc = timed([askdoc, "index", str(path), "--index", str(index), "-q"], env)
    assert rc == 0, f"askdoc index {path} failed"
    row: dict = {"index_s": wall, "index_rss_mb": rss, "index_bytes": index.stat().st_size}
    shots = [
        timed([askdoc, "ask", q, str(path), "-k", "10", "-f", "json", "--index", str(index)], env)
        for q in queries[:oneshots]
    ]
    row["oneshot_s"] = statistics.median(w for w, _, _ in shots)
    row["oneshot_rss_mb"] = statistics.median(r for _, r, _ in shots)
    row["oneshot_rss_max_mb"] = max(r for _, r, _ in shots)
    walls = {}
    for n in (1, len(queries)):
        qfile = workdir / f"questions-{n}.jsonl"
        qfile.write_text("".join(json.dumps({"id": i, "question": q}) + "\n" for i, q in enumerate(queries[:n])))
        cmd = [askdoc, "ask", "--batch", str(qfile), str(path), "-k", "10", "-f", "jsonl", "--index", str(index)]
        walls[n], rss, _ = timed(cmd, env)
        row[f"batch{n}_s"], row[f"batch{n}_rss_mb"] = walls[n], rss
    row["batch_per_question_ms"] = (walls[len(queries)] - walls[1]) / (len(queries) - 1) * 1000
    return row


def child_tantivy(path: Path, queries: list[str]) -> dict:
    import tantivy

    from askdoc.ingest.sentences import split

    t0 = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    t1 = time.perf_counter()
    paragraphs = text.strip("\n").split("\n\n")
    t2 = time.perf_counter()
    sentences = [s.text for s in split(text)]
    t3 = time.perf_counter()
    del text
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=False, tokenizer_name="en_stem", index_option="freq")
    sb.add_integer_field("id", stored=True, fast=True)
    folder = Path(tempfile.mkdtemp(prefix="tantivy-", dir=WORK))
    try:
        t4 = time.perf_counter()
        index = tantivy.Index(sb.build(), path=str(folder))
        writer = index.writer(heap_size=256_000_000, num_threads=1)
        for i, body in enumerate(sentences):
            writer.add_document(tantivy.Document(id=i, body=body))
        writer.commit()
        writer.wait_merging_threads()
        build_s = time.perf_counter() - t4
        index.reload()
        searcher = index.searcher()
        times = []
        for n, q in enumerate(queries[:5] + queries):
            a = time.perf_counter()
            query = index.parse_query_lenient(q, ["body"])[0]
            hits = [searcher.doc(address)["id"][0] for _, address in searcher.search(query, 10).hits]
            if n >= 5:
                times.append(time.perf_counter() - a)
        assert hits is not None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "read_s": t1 - t0,
        "prep_paragraphs_s": t1 - t0 + t2 - t1,
        "prep_split_s": t1 - t0 + t3 - t2,
        "same_sentences": paragraphs == sentences,
        "build_s": build_s,
        "query_p50_ms": statistics.median(times) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_rank_bm25(path: Path, queries: list[str], count: int) -> dict:
    import re

    import numpy as np
    from rank_bm25 import BM25Plus

    from askdoc.ingest.analysis import STOPWORDS

    word = re.compile(r"\w+")

    def tokens(s: str) -> list[str]:
        return [w for w in word.findall(s.lower()) if w not in STOPWORDS]

    corpus = [tokens(s) for s in path.read_text(encoding="utf-8").strip("\n").split("\n\n")]
    t0 = time.perf_counter()
    bm25 = BM25Plus(corpus, k1=1.2, b=0.5, delta=1.0)
    build_s = time.perf_counter() - t0
    del corpus
    times = []
    for q in queries[:count]:
        a = time.perf_counter()
        scores = bm25.get_scores(tokens(q))
        top = np.argpartition(-scores, 10)[:10]
        top[np.argsort(-scores[top])].tolist()
        times.append(time.perf_counter() - a)
    return {"build_s": build_s, "queries": len(times), "query_p50_ms": statistics.median(times) * 1000}


def child(kind: str, path: Path, queries: list[str], count: int, env: dict[str, str]) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--path", str(path), "--slow-queries", str(count)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout)


def report(size: str, out: dict) -> str:
    one, many, tan, rb, fl = out["one-file"], out["many-files"], out["tantivy"], out["rank-bm25"], out["floors"]
    floor = fl["import typer, rich.console"]["wall_s"]
    n = len(out["queries"])
    lines = [
        f"# askdoc on one big file and on many small files: set-{size}",
        "",
        f"{out['machine']}; askdoc at {out['commit']}; {out['date']}; {len(out['queries'])} questions.",
        "",
        "| | one file | many files |",
        "|---|---|---|",
        f"| path | `{one['path']}` ({one['bytes'] / 1e6:.1f} MB) | `{many['path']}` ({many['files']:,} files) |",
        f"| `askdoc index` | {one['index_s']:.1f} s, {one['index_rss_mb']:.0f} MB peak "
        f"| {many['index_s']:.1f} s, {many['index_rss_mb']:.0f} MB peak |",
        f"| index on disk | {one['index_bytes'] / 1e6:.1f} MB | {many['index_bytes'] / 1e6:.1f} MB |",
        f"| one-shot `askdoc ask` (median of {out['oneshots']}) "
        f"| {one['oneshot_s']:.3f} s, {one['oneshot_rss_mb']:.0f} MB "
        f"(max {one['oneshot_rss_max_mb']:.0f}) | {many['oneshot_s']:.3f} s, {many['oneshot_rss_mb']:.0f} MB "
        f"(max {many['oneshot_rss_max_mb']:.0f}) |",
        f"| batch, per question | {one['batch_per_question_ms']:.2f} ms | {many['batch_per_question_ms']:.2f} ms |",
        f"| batch of {n}, whole run | {one[f'batch{n}_s']:.2f} s | {many[f'batch{n}_s']:.2f} s |",
        "",
        "| others, same run | figure |",
        "|---|---|",
        f"| floor `python -c pass` | {fl['python -c pass']['wall_s'] * 1000:.0f} ms |",
        f"| floor `import typer, rich.console` | {floor * 1000:.0f} ms, "
        f"{fl['import typer, rich.console']['rss_mb']:.0f} MB |",
    ]
    if "error" not in tan:
        lines += [
            f"| tantivy prep: read + cut at blank lines / read + askdoc's split | {tan['prep_paragraphs_s']:.1f} s / "
            f"{tan['prep_split_s']:.1f} s (same sentences: {tan['same_sentences']}) |",
            f"| tantivy build (en_stem, 1 thread) | {tan['build_s']:.1f} s, "
            f"{tan['peak_rss_mb']:.0f} MB peak (with its input) |",
            f"| tantivy query p50 | {tan['query_p50_ms']:.2f} ms |",
        ]
    if "error" not in rb:
        lines.append(f"| rank-bm25 BM25Plus query p50 ({rb['queries']} questions) | {rb['query_p50_ms']:.0f} ms |")
    lines += ["", "Targets (issue 13), on the one file:", ""]
    for name, measured, limit, unit in out["targets"]:
        lines.append(
            f"- {name}: {measured:.3g} {unit} against at most {limit:.3g} {unit}: "
            f"{'met' if measured <= limit else 'NOT met'}"
        )
    return "\n".join(lines) + "\n"


def targets(out: dict) -> list[tuple[str, float, float, str]]:
    one, tan, rb = out["one-file"], out["tantivy"], out["rank-bm25"]
    floor = out["floors"]["import typer, rich.console"]["wall_s"]
    got = []
    if "error" not in tan:
        got.append(
            ("batch per question vs 5x tantivy p50", one["batch_per_question_ms"], 5 * tan["query_p50_ms"], "ms")
        )
    if "error" not in rb:
        got.append(
            ("batch per question vs rank-bm25 p50 / 250", one["batch_per_question_ms"], rb["query_p50_ms"] / 250, "ms")
        )
    got.append(("one-shot vs 2.5x the typer + rich floor", one["oneshot_s"], 2.5 * floor, "s"))
    got.append(("one-shot peak RSS", one["oneshot_rss_max_mb"], 150, "MB"))
    if "error" not in tan:
        got.append(
            (
                "askdoc index vs 3x tantivy prep (cut at blank lines) + build",
                one["index_s"],
                3 * (tan["prep_paragraphs_s"] + tan["build_s"]),
                "s",
            )
        )
        got.append(
            (
                "askdoc index vs 3x tantivy prep (askdoc's split) + build",
                one["index_s"],
                3 * (tan["prep_split_s"] + tan["build_s"]),
                "s",
            )
        )
    got.append(("askdoc index peak RSS", one["index_rss_mb"], 1536, "MB"))
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1M")
    ap.add_argument("--oneshot", type=int, default=7, help="one-shot questions, each a fresh process")
    ap.add_argument("--slow-queries", type=int, default=20, help="questions rank-bm25 answers (0: skip it)")
    ap.add_argument("--floor-runs", type=int, default=7)
    ap.add_argument("--child", choices=["tantivy", "rank-bm25"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    queries = [json.loads(line)["query"] for line in (CORPUS / "queries.jsonl").open()]
    if args.child:
        path = Path(args.path)
        result = (
            child_tantivy(path, queries)
            if args.child == "tantivy"
            else child_rank_bm25(path, queries, args.slow_queries)
        )
        print(json.dumps(result))
        return
    workdir = Path(tempfile.mkdtemp(prefix="shapes-", dir=WORK))
    # Bytecode caching on, as an installed package has it: without .pyc files every askdoc
    # process compiles its own modules again (~40 ms), while typer and rich come compiled.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["ASKDOC_CACHE_DIR"] = str(workdir / "cache")
    subprocess.run([str(BIN / "askdoc"), "--version"], env=env, stdout=subprocess.DEVNULL)  # writes them
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "askdoc"], cwd=HERE.parent, capture_output=True, text=True)
    out: dict = {
        "size": args.size,
        "commit": commit.strip()
        + (f" (uncommitted: {' '.join(dirty.stdout.split()[1::2])})" if dirty.stdout.strip() else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        "queries": queries,
        "oneshots": args.oneshot,
    }
    try:
        big = one_file(args.size)
        folder = CORPUS / f"set-{args.size}"
        out["floors"] = floors(env, args.floor_runs)
        out["one-file"] = {"path": str(big.relative_to(HERE)), "bytes": big.stat().st_size}
        out["one-file"] |= askdoc_shape(big, queries, env, workdir, args.oneshot)
        out["many-files"] = {"path": str(folder.relative_to(HERE)), "files": len(list(folder.glob("*.txt")))}
        out["many-files"] |= askdoc_shape(folder, queries, env, workdir, args.oneshot)
        out["tantivy"] = child("tantivy", big, queries, 0, env)
        out["rank-bm25"] = (
            child("rank-bm25", big, queries, args.slow_queries, env) if args.slow_queries else {"error": "skipped"}
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out["targets"] = targets(out)
    text = report(args.size, out)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"shapes-{args.size}.md").write_text(text)
    (RESULTS / f"shapes-{args.size}.json").write_text(
        json.dumps({k: v for k, v in out.items() if k != "queries"}, indent=1)
    )
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
