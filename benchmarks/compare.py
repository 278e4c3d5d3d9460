"""Compare askdoc with rank-bm25, bm25s and tantivy on one sentence set and one query set.

    python benchmarks/compare.py --size 10k
    python benchmarks/compare.py --size 100k --engines askdoc rank-bm25 bm25s tantivy
    python benchmarks/compare.py --size 1M --engines askdoc bm25s tantivy --oneshot-runs 1

Run it with a Python that has askdoc, bm25s and tantivy (see benchmarks/README.md). The sets
come from benchmarks/make_corpus.py. Each engine is measured in child processes of its own, so
that one engine's memory or warm caches never count for another:

* a *build* child builds the index (and saves it, for engines that persist) and reports the
  build time, save time, on-disk size and its own peak RSS;
* a *serve* child loads the saved index (load time) and answers every query, top 10
  (per-query latency, p50/p95) and reports its peak RSS; askdoc has no saved index today, so
  its build child also answers the queries;
* *one-shot* children are fresh processes that load the saved index and answer one query
  (wall time and peak RSS, as ``os.wait4`` reports it): for askdoc, the CLI
  ``askdoc ask Q SET -k 10 -f json``, which today reads and indexes the whole set every time.

All engines index the same units, the sentences askdoc's splitter gives for the set, and, except
``tantivy-en`` (tantivy's own en_stem analyzer on the raw sentence), the same terms, askdoc's
(``askdoc.analysis.terms``). askdoc, rank-bm25 and bm25s all score BM25+ with askdoc's
k1/b/delta; tantivy scores Lucene-style BM25 (k1 = 1.2, b = 0.75, fixed), so its scores differ
and only its overlap with askdoc's top 10 is reported.

Numeric libraries and tantivy run on one thread (the figures compare engines, not cores).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "work" / "corpus"
CACHE = HERE / "work" / "cache"
RESULTS = HERE / "results"
K = 10
ENGINES = ["askdoc", "rank-bm25", "bm25s", "tantivy", "tantivy-en"]
# One thread for every numeric library; OPENBLAS_CORETYPE/L2_SIZE (set on some machines for old
# OpenBLAS builds) slow a current numpy, so benchmark children run without them.
CHILD_ENV_SET = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "TQDM_DISABLE": "1",
    "DISABLE_TQDM": "1",
}
CHILD_ENV_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_UNSET}
    env.update(CHILD_ENV_SET)
    return env


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def load_queries(n: int | None) -> list[dict]:
    with open(CORPUS / "queries.jsonl", encoding="utf-8") as f:
        qs = [json.loads(line) for line in f if line.strip()]
    return qs[:n] if n else qs


# ----------------------------------------------------------------------------- shared units


def units_path(size: str) -> Path:
    return CACHE / f"units-{size}.pickle"


def prepare_units(size: str) -> dict:
    """Split the set with askdoc's splitter and analyse every sentence and query with askdoc's analyser.

    Runs in a child; the result (texts, terms, query terms) is cached and shared by the engines
    that take askdoc's terms. Its timings are reported as the cost of askdoc's text pipeline."""
    from askdoc.ingest import analysis
    from askdoc.ingest.documents import read_documents
    from askdoc.ingest.sentences import split

    folder = CORPUS / f"set-{size}"
    t0 = time.perf_counter()
    docs = read_documents([str(folder)])
    t1 = time.perf_counter()
    texts: list[str] = []
    for d in docs:
        texts.extend(s.text for s in split(d.text, d.source))
    t2 = time.perf_counter()
    terms = [analysis.terms(t) for t in texts]
    t3 = time.perf_counter()
    queries = load_queries(None)
    qterms = [analysis.terms(q["query"]) for q in queries]
    # The set was written as one sentence per paragraph: askdoc must give exactly those back.
    written = []
    for p in sorted(folder.glob("*.txt")):
        written.extend(p.read_text(encoding="utf-8").strip("\n").split("\n\n"))
    return {
        "size": size,
        "texts": texts,
        "terms": terms,
        "query_terms": qterms,
        "timings": {"read_s": t1 - t0, "split_s": t2 - t1, "analyse_s": t3 - t2},
        "units_match_written": written == texts,
        "tokens": sum(map(len, terms)),
    }


def summary_path(size: str) -> Path:
    return CACHE / f"units-{size}.summary.json"


def get_units(size: str) -> dict:
    with open(units_path(size), "rb") as f:
        return pickle.load(f)


# ----------------------------------------------------------------------------- engines (children)


def topk_numpy(scores, k: int) -> tuple[list[int], list[float]]:
    """Top k of a score array, ties by lower id (as askdoc breaks them)."""
    import numpy as np

    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    kth = scores[part].min()
    cand = np.nonzero(scores >= kth)[0]  # every id tied with the k-th score, so ties resolve by id
    order = np.lexsort((cand, -scores[cand]))[:k]
    ids = cand[order]
    return [int(i) for i in ids], [float(scores[i]) for i in ids]


def time_queries(run, query_terms: list[list[str]], warmup: int = 5) -> tuple[list[float], list]:
    for q in query_terms[:warmup]:
        run(q)
    lat, results = [], []
    for q in query_terms:
        t = time.perf_counter()
        r = run(q)
        lat.append(time.perf_counter() - t)
        results.append(r)
    return lat, results


def _askdoc_persists() -> bool:
    """Does this askdoc keep a saved index (``Index.from_paths(..., cache=, index_path=)``)?"""
    import inspect

    from askdoc import Index

    params = inspect.signature(Index.from_paths).parameters
    return "index_path" in params and "cache" in params


def _askdoc_query_terms(index, queries: list[dict]) -> list[list[str]]:
    analyzer = getattr(index, "analyzer", None)
    if analyzer is None:
        from askdoc.ingest import analysis

        analyzer = analysis
    return [analyzer.terms(q["query"]) for q in queries]


def _askdoc_queries(index, queries: list[dict], out: dict) -> None:
    qterms = _askdoc_query_terms(index, queries)
    lat, results = time_queries(lambda q: index.retriever.index.search(q, K), qterms)
    out["query_ms"] = [x * 1000 for x in lat]
    out["results"] = [[[sid, score] for sid, score in r] for r in results]
    out["query_terms"] = qterms
    # The whole ask() (analysis, search, evidence, short answer) for the same queries, top 10.
    lat_ask, _ = time_queries(lambda q: index.ask(q, top=K), [q["query"] for q in queries])
    out["ask_ms"] = [x * 1000 for x in lat_ask]


def child_askdoc(args: argparse.Namespace) -> dict:
    """askdoc through its library: build from the set's files (read, split, analyse, index [, save]).

    With a saved index (askdoc >= the persisted-index change) the build writes it to a file of
    its own and a separate serve child loads it; before that, this child also answers the queries."""
    from askdoc import Index

    folder = CORPUS / f"set-{args.size}"
    persists = _askdoc_persists()
    out: dict = {"persists": persists}
    t0 = time.perf_counter()
    if persists:
        path = Path(args.workdir) / "askdoc.idx"
        index = Index.from_paths([str(folder)], index_path=path)
        out["index_path"] = str(path)
        out["index_bytes"] = dir_bytes(path)
    else:
        index = Index.from_paths([str(folder)])
    out["build_s"] = time.perf_counter() - t0
    out["build_rss_mb"] = peak_rss_mb()
    out["same_units"] = [s.text for s in index.sentences] == get_units(args.size)["texts"]
    out["sentences"] = len(index.sentences)
    if not persists:
        _askdoc_queries(index, load_queries(args.queries), out)
        out["serve_rss_mb"] = peak_rss_mb()
    return out


def serve_askdoc(args: argparse.Namespace) -> dict:
    """Load askdoc's saved index (as a later ``Index.from_paths`` does) and answer the queries."""
    from askdoc import Index

    folder = CORPUS / f"set-{args.size}"
    t = time.perf_counter()
    index = Index.from_paths([str(folder)], index_path=Path(args.index_path))
    out: dict = {"load_s": time.perf_counter() - t}
    report = getattr(index, "report", None)
    if report is not None and getattr(report, "analysed", None):
        out["load_note"] = f"the saved index was rebuilt ({len(report.analysed)} files analysed again)"
    _askdoc_queries(index, load_queries(args.queries), out)
    out["serve_rss_mb"] = peak_rss_mb()
    return out


def child_rank_bm25(args: argparse.Namespace) -> dict:
    from rank_bm25 import BM25Plus

    from askdoc.tuning import BM25_B as B
    from askdoc.tuning import BM25_DELTA as DELTA
    from askdoc.tuning import BM25_K1 as K1

    units = get_units(args.size)
    qterms = units["query_terms"][: args.queries] if args.queries else units["query_terms"]
    corpus = units["terms"]
    t0 = time.perf_counter()
    bm25 = BM25Plus(corpus, k1=K1, b=B, delta=DELTA)
    build_s = time.perf_counter() - t0
    del corpus, units
    rss_build = peak_rss_mb()
    path = Path(args.workdir) / "rank_bm25.pickle"
    t = time.perf_counter()
    with open(path, "wb") as f:
        pickle.dump(bm25, f, protocol=pickle.HIGHEST_PROTOCOL)
    save_s = time.perf_counter() - t
    n_q = min(len(qterms), args.limit_queries) if args.limit_queries else len(qterms)
    ask_hits: list = []
    if args.askdoc_results:
        with open(args.askdoc_results) as f:
            ask_hits = json.load(f)["results"]
    check: dict[int, list[float]] = {}

    def run(qi: int):
        scores = bm25.get_scores(qterms[qi])
        top = topk_numpy(scores, K)
        if qi < len(ask_hits):  # exactness: rank-bm25's own score of every sentence askdoc returned
            check[qi] = [float(scores[sid]) for sid, _ in ask_hits[qi]]
        return top

    lat, results = time_queries(run, list(range(n_q)), warmup=1)
    out = {
        "build_s": build_s,
        "build_rss_mb": rss_build,
        "save_s": save_s,
        "index_bytes": path.stat().st_size,
        "index_path": str(path),
        "query_ms": [x * 1000 for x in lat],
        "results": [[[i, s] for i, s in zip(*r)] for r in results],
    }
    if ask_hits:
        out["scores_of_askdoc_ids"] = [check[qi] for qi in range(min(n_q, len(ask_hits)))]
    out["serve_rss_mb"] = peak_rss_mb()
    out["query_count"] = n_q
    return out


def child_bm25s(args: argparse.Namespace) -> dict:
    import bm25s

    from askdoc.tuning import BM25_B as B
    from askdoc.tuning import BM25_DELTA as DELTA
    from askdoc.tuning import BM25_K1 as K1

    units = get_units(args.size)
    corpus = units["terms"]
    del units
    t0 = time.perf_counter()
    retriever = bm25s.BM25(method="bm25+", idf_method="bm25+", k1=K1, b=B, delta=DELTA, backend="numpy")
    retriever.index(corpus, show_progress=False)
    build_s = time.perf_counter() - t0
    del corpus
    rss_build = peak_rss_mb()
    path = Path(args.workdir) / "bm25s"
    t = time.perf_counter()
    retriever.save(str(path))
    save_s = time.perf_counter() - t
    return {
        "build_s": build_s,
        "build_rss_mb": rss_build,
        "save_s": save_s,
        "index_bytes": dir_bytes(path),
        "index_path": str(path),
    }


def bm25s_search(retriever, terms: list[str]) -> tuple[list[int], list[float]]:
    ids = retriever.get_tokens_ids(terms)
    if not ids:
        return [], []
    scores = retriever.get_scores_from_ids(ids)
    return topk_numpy(scores, K)


def serve_bm25s(args: argparse.Namespace) -> dict:
    import bm25s

    units_q = json.loads(Path(args.query_terms).read_text())
    t = time.perf_counter()
    retriever = bm25s.BM25.load(args.index_path, mmap=args.mmap, show_progress=False)
    load_s = time.perf_counter() - t

    # bm25s.retrieve() is the documented call; its own top-k keeps no tie order, so the top 10
    # is taken from get_scores with the same tie rule as the others (both are timed).
    def retrieve(q):
        res = retriever.retrieve([q], k=K, show_progress=False, n_threads=0, backend_selection="numpy")
        return [int(x) for x in res.documents[0]], [float(x) for x in res.scores[0]]

    lat, results = time_queries(lambda q: bm25s_search(retriever, q), units_q)
    lat_r, _ = time_queries(lambda q: retrieve(q) if q and retriever.get_tokens_ids(q) else ([], []), units_q)
    return {
        "load_s": load_s,
        "query_ms": [x * 1000 for x in lat],
        "retrieve_ms": [x * 1000 for x in lat_r],
        "results": [[[i, s] for i, s in zip(*r)] for r in results],
        "serve_rss_mb": peak_rss_mb(),
    }


def serve_rank_bm25(args: argparse.Namespace) -> dict:
    t = time.perf_counter()
    with open(args.index_path, "rb") as f:
        pickle.load(f)
    return {"load_s": time.perf_counter() - t, "serve_rss_mb": peak_rss_mb()}


def _tantivy_schema(native: bool):
    import tantivy

    sb = tantivy.SchemaBuilder()
    if native:
        sb.add_text_field("body", stored=False, tokenizer_name="en_stem", index_option="freq")
    else:
        sb.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    sb.add_integer_field("id", stored=True, fast=True)
    return sb.build()


def child_tantivy(args: argparse.Namespace) -> dict:
    import tantivy

    native = args.engine == "tantivy-en"
    units = get_units(args.size)
    bodies = units["texts"] if native else [" ".join(t) for t in units["terms"]]
    del units
    path = Path(args.workdir) / args.engine
    path.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    index = tantivy.Index(_tantivy_schema(native), path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for i, body in enumerate(bodies):
        writer.add_document(tantivy.Document(id=i, body=body))
    writer.commit()
    writer.wait_merging_threads()
    build_s = time.perf_counter() - t0
    return {
        "build_s": build_s,
        "build_rss_mb": peak_rss_mb(),
        "save_s": 0.0,
        "index_bytes": dir_bytes(path),
        "index_path": str(path),
    }


def tantivy_searcher(index_path: str, native: bool):
    import tantivy

    index = tantivy.Index.open(index_path)
    return index, index.searcher()


def tantivy_search(index, searcher, q, native: bool) -> tuple[list[int], list[float]]:
    import tantivy

    if native:
        query = index.parse_query_lenient(q, ["body"])[0]
    else:
        if not q:
            return [], []
        schema = index.schema
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t)) for t in q]
        )
    hits = searcher.search(query, K).hits
    return [searcher.doc(addr)["id"][0] for _, addr in hits], [float(s) for s, _ in hits]


def serve_tantivy(args: argparse.Namespace) -> dict:
    native = args.engine == "tantivy-en"
    qs = json.loads(Path(args.query_terms).read_text())
    t = time.perf_counter()
    index, searcher = tantivy_searcher(args.index_path, native)
    load_s = time.perf_counter() - t
    lat, results = time_queries(lambda q: tantivy_search(index, searcher, q, native), qs)
    return {
        "load_s": load_s,
        "query_ms": [x * 1000 for x in lat],
        "results": [[[i, s] for i, s in zip(*r)] for r in results],
        "serve_rss_mb": peak_rss_mb(),
    }


def oneshot(args: argparse.Namespace) -> None:
    """A fresh process: load the saved index, answer one query, print the top 10 as JSON."""
    q = json.loads(args.query_terms)
    if args.engine == "rank-bm25":
        with open(args.index_path, "rb") as f:
            bm25 = pickle.load(f)
        ids, scores = topk_numpy(bm25.get_scores(q), K)
    elif args.engine == "bm25s":
        import bm25s

        retriever = bm25s.BM25.load(args.index_path, mmap=args.mmap, show_progress=False)
        ids, scores = bm25s_search(retriever, q)
    else:
        native = args.engine == "tantivy-en"
        index, searcher = tantivy_searcher(args.index_path, native)
        ids, scores = tantivy_search(index, searcher, q, native)
    json.dump({"ids": ids, "scores": scores}, sys.stdout)


# ----------------------------------------------------------------------------- parent


def run_child(argv: list[str], label: str) -> dict:
    """Run ``compare.py --child ...`` and return its JSON; a failure is reported, not raised."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as tmp:
        out = tmp.name
    cmd = [sys.executable, str(Path(__file__).resolve()), *argv, "--result", out]
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=child_env(), capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        print(f"  {label}: FAILED (exit {proc.returncode})\n{proc.stderr[-3000:]}", file=sys.stderr)
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    with open(out) as f:
        data = json.load(f)
    os.unlink(out)
    data["child_wall_s"] = wall
    return data


def timed_process(cmd: list[str], env: dict | None = None) -> tuple[float, float, int, str]:
    """Wall time (s), peak RSS (MB) of a fresh process, its exit code and stdout (+ stderr's tail if it failed)."""
    # /usr/bin/time -f %M reports the child's own peak; os.wait4's figure is never below the
    # parent's size at fork time (Linux carries the pre-exec peak over), so it is the fallback.
    gnu_time = Path("/usr/bin/time")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as tm:
        full = [str(gnu_time), "-f", "%M", "-o", tm.name, *cmd] if gnu_time.exists() else cmd
        t = time.perf_counter()
        p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env or child_env())
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = code = os.waitstatus_to_exitcode(status)
        rss_kb = ru.ru_maxrss
        if gnu_time.exists():
            lines = [x for x in tm.read().split() if x.isdigit()]
            if lines:
                rss_kb = int(lines[-1])
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        if code != 0:
            err.seek(0)
            text += "\n[stderr] " + err.read().decode("utf-8", "replace")[-500:]
        return wall, rss_kb / 1024, code, text


def askdoc_cli() -> list[str]:
    exe = Path(sys.executable).with_name("askdoc")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "askdoc.cli"]


def askdoc_cli_features() -> dict[str, bool]:
    """What this askdoc's CLI offers: ``askdoc index``, ``ask --index FILE``, ``ask --no-cache``."""
    env = {**child_env(), "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    ask = subprocess.run([*askdoc_cli(), "ask", "--help"], capture_output=True, text=True, env=env).stdout
    index = subprocess.run([*askdoc_cli(), "index", "--help"], capture_output=True, text=True, env=env)
    return {
        "index": index.returncode == 0,
        "ask_index": "--index" in ask,
        "no_cache": "--no-cache" in ask,
        "quiet": "--quiet" in index.stdout,
    }


def measure_askdoc(row, results, args, common, folder, workdir, queries, qterms) -> None:
    """askdoc: library build (+ load) and queries in children, then the CLI one-shot rows."""
    r = run_child(["--child", "askdoc", *common], "askdoc")
    if "error" in r:
        row["error"] = r["error"]
    else:
        row.update({k: r[k] for k in ("build_s", "build_rss_mb", "index_bytes", "same_units") if k in r})
        src = r
        if r.get("persists"):
            src = run_child(["--child", "serve-askdoc", *common, "--index-path", r["index_path"]], "askdoc serve")
            if "error" in src:
                row["error"] = src["error"]
                src = {}
            else:
                row["load_s"] = src["load_s"]
                if src.get("load_note"):
                    row["note"] = src["load_note"]
        if "query_ms" in src:
            row["query_p50_ms"] = statistics.median(src["query_ms"])
            row["query_p95_ms"] = percentile(src["query_ms"], 95)
            row["ask_p50_ms"] = statistics.median(src["ask_ms"])
            row["ask_p95_ms"] = percentile(src["ask_ms"], 95)
            row["serve_rss_mb"] = src["serve_rss_mb"]
            row["query_terms_match"] = src["query_terms"] == qterms
            results["askdoc"] = src["results"]
            (workdir / "askdoc-results.json").write_text(json.dumps({"results": src["results"]}))
    # The CLI, as a user runs it.
    cli = askdoc_cli_features()
    row["cli_features"] = cli
    ask_extra: list[str] = []
    if cli["index"]:
        cmd = [*askdoc_cli(), "index", str(folder)] + (["-q"] if cli["quiet"] else [])
        if cli["ask_index"]:
            idx = workdir / "askdoc-cli.idx"
            cmd += ["--index", str(idx)]
            ask_extra = ["--index", str(idx)]
        wall, rss, code, _ = timed_process(cmd)
        row.update({"cli_index_s": wall, "cli_index_rss_mb": rss, "cli_index_exit": code})
    runs = []
    for q in queries[: args.oneshot_runs]:
        cmd = [*askdoc_cli(), "ask", q["query"], str(folder), "-k", str(K), "-f", "json", *ask_extra]
        runs.append(timed_process(cmd))
    row["oneshot_s"] = statistics.median(x[0] for x in runs)
    row["oneshot_rss_mb"] = statistics.median(x[1] for x in runs)
    row["oneshot_exit_codes"] = [x[2] for x in runs]
    row["oneshot_runs"] = len(runs)
    failed = [x[3][-300:] for x in runs if x[2] != 0]
    if failed:
        row["oneshot_failure"] = failed[0]
    # Without the saved index: what every `askdoc ask` cost before it (reads and analyses everything).
    if cli["no_cache"] and args.nocache_runs and args.size not in args.slow_sizes:
        runs = []
        for q in queries[: args.nocache_runs]:
            cmd = [*askdoc_cli(), "ask", q["query"], str(folder), "-k", str(K), "-f", "json", "--no-cache"]
            runs.append(timed_process(cmd))
        row["oneshot_nocache_s"] = statistics.median(x[0] for x in runs)
        row["oneshot_nocache_rss_mb"] = statistics.median(x[1] for x in runs)


def fmt_num(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "B":
        for u, d in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if v >= d:
                return f"{v / d:.1f} {u}"
        return f"{int(v)} B"
    if unit == "s":
        return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"
    if unit == "ms":
        return f"{v:.3f} ms" if v < 1 else (f"{v:.2f} ms" if v < 100 else f"{v:.0f} ms")
    if unit == "MB":
        return f"{v:.0f} MB"
    if unit == "%":
        return f"{100 * v:.0f}%"
    return f"{v}"


METRICS = [
    # key, label, unit, ratio?
    ("build_s", "build", "s", True),
    ("build_total_s", "build incl. split+analysis", "s", True),
    ("index_bytes", "index on disk", "B", True),
    ("load_s", "load", "s", True),
    ("query_p50_ms", "query p50", "ms", True),
    ("query_p95_ms", "query p95", "ms", True),
    ("oneshot_s", "one-shot wall", "s", True),
    ("oneshot_rss_mb", "one-shot peak RSS", "MB", True),
    ("build_rss_mb", "build peak RSS", "MB", True),
    ("serve_rss_mb", "serve peak RSS", "MB", True),
    ("overlap10", "top-10 overlap with askdoc", "%", False),
    ("source_hit10", "source sentence in top 10", "%", False),
]


def table(rows: dict[str, dict], base: str = "askdoc") -> str:
    head = ["engine"] + [label for _, label, _, _ in METRICS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ref = rows.get(base, {})
    for name, r in rows.items():
        cells = [name]
        for key, _, unit, ratio in METRICS:
            v = r.get(key)
            cell = fmt_num(v, unit)
            if ratio and v is not None and ref.get(key) and name != base:
                cell += f" ({v / ref[key]:.2g}×)"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def exactness(ask_results: list, rb_results: list, rb_scores_of_ask: list | None, tol: float = 1e-9) -> dict:
    """askdoc's top 10 vs rank-bm25's: same scores rank by rank; ids equal except among equal scores."""
    n = min(len(ask_results), len(rb_results))
    bad: list[dict] = []
    max_diff = 0.0
    for qi in range(n):
        a, r = ask_results[qi], rb_results[qi]
        a_scores = [s for _, s in a]
        r_scores = [s for _, s in r][: len(a)]
        problems = []
        if len(a_scores) != len(r_scores):
            problems.append(f"askdoc returned {len(a_scores)} hits, rank-bm25 {len(r_scores)}")
        for x, y in zip(a_scores, r_scores):
            d = abs(x - y) / max(1.0, abs(y))
            max_diff = max(max_diff, d)
            if d > tol:
                problems.append(f"score {x!r} vs {y!r}")
                break
        if rb_scores_of_ask is not None:
            for (sid, s), true in zip(a, rb_scores_of_ask[qi]):
                d = abs(s - true) / max(1.0, abs(true))
                max_diff = max(max_diff, d)
                if d > tol:
                    problems.append(f"sentence {sid}: askdoc {s!r}, rank-bm25 {true!r}")
        # ids: positions whose score is unique (no other hit within tol) must hold the same id
        a_ids, r_ids = [i for i, _ in a], [i for i, _ in r]
        for pos, (_sid, s) in enumerate(a):
            tied = [j for j, (_, t) in enumerate(a) if abs(t - s) <= tol * max(1.0, abs(s))]
            at_boundary = abs(s - a_scores[-1]) <= tol * max(1.0, abs(s))
            if not at_boundary and sorted(a_ids[j] for j in tied) != sorted(r_ids[j] for j in tied if j < len(r_ids)):
                problems.append(f"rank {pos + 1}: ids differ beyond ties")
                break
        if problems:
            bad.append({"query": qi, "problems": problems[:3]})
    return {
        "queries_compared": n,
        "queries_differing": len(bad),
        "max_rel_score_diff": max_diff,
        "examples": bad[:5],
        "tolerance": tol,
    }


def machine_info() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    versions = {}
    for mod in ("askdoc", "rank_bm25", "bm25s", "tantivy", "numpy", "nltk"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod.replace("_", "-"))
        except Exception:
            versions[mod] = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "askdoc_git": askdoc_state(),
        "memory": mem[1] if len(mem) > 1 else "",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def askdoc_state() -> dict:
    """askdoc's commit, and a digest of its uncommitted changes: a run whose askdoc changed midway is flagged."""
    import hashlib

    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=HERE.parent, capture_output=True, text=True).stdout

    diff = git("diff", "HEAD", "--", "askdoc")
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "dirty": bool(diff.strip()),
        "diff_sha256": hashlib.sha256(diff.encode()).hexdigest()[:16],
    }


def parent(args: argparse.Namespace) -> None:
    size = args.size
    folder = CORPUS / f"set-{size}"
    if not folder.is_dir():
        sys.exit(f"compare: {folder} is missing; run benchmarks/make_corpus.py first")
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    queries = load_queries(args.queries)
    engines = args.engines
    workdir = Path(tempfile.mkdtemp(prefix=f"idx-{size}-", dir=HERE / "work"))
    # askdoc's default cache folder goes here too: the run never reads or fills the user's cache.
    os.environ["ASKDOC_CACHE_DIR"] = str(workdir / "askdoc-cache")
    print(
        f"set-{size}: {manifest['sets'].get(size, {}).get('sentences')} sentences, {len(queries)} queries, "
        f"engines {', '.join(engines)}; indexes in {workdir}",
        file=sys.stderr,
    )
    report: dict = {
        "size": size,
        "queries": len(queries),
        "machine": machine_info(),
        "engines": {},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }

    # 0. floors: a bare interpreter, and the imports askdoc's CLI cannot avoid.
    floor = {}
    for name, code in (("python", "pass"), ("import typer, rich.console", "import typer, rich.console")):
        runs = [timed_process([sys.executable, "-c", code]) for _ in range(5)]
        floor[name] = {"wall_s": statistics.median(r[0] for r in runs), "rss_mb": statistics.median(r[1] for r in runs)}
    report["floor"] = floor
    print(f"  floor: {json.dumps(floor)}", file=sys.stderr)

    # 1. shared units: askdoc's sentences and terms (cached per set).
    CACHE.mkdir(parents=True, exist_ok=True)
    stamp = CACHE / f"units-{size}.stamp"
    want_stamp = manifest["sets"][size]["sha256"] + manifest["queries"]["sha256"]
    if not (summary_path(size).exists() and stamp.exists() and stamp.read_text() == want_stamp):
        prep = run_child(["--child", "prepare", "--size", size], "prepare")
        if "error" in prep:
            sys.exit("compare: could not prepare the units")
        stamp.write_text(want_stamp)
    else:
        prep = None
    # The parent never loads the units themselves: a child's peak RSS starts at its parent's size.
    units = json.loads(summary_path(size).read_text())
    report["pipeline"] = {
        **units["timings"],
        "sentences": units["sentences"],
        "tokens": units["tokens"],
        "units_match_written": units["units_match_written"],
    }
    qterms = units["query_terms"][: len(queries)]
    n_sent = units["sentences"]
    del units
    qfile = workdir / "query_terms.json"
    qfile.write_text(json.dumps(qterms))
    qtext = workdir / "query_texts.json"
    qtext.write_text(json.dumps([q["query"] for q in queries]))
    print(f"  units: {json.dumps(report['pipeline'])}", file=sys.stderr)

    rows: dict[str, dict] = {}
    results: dict[str, list] = {}
    common = ["--size", size, "--workdir", str(workdir)] + (["--queries", str(args.queries)] if args.queries else [])
    for engine in engines:
        print(f"  {engine} ...", file=sys.stderr)
        row: dict = {}
        if engine == "askdoc":
            measure_askdoc(row, results, args, common, folder, workdir, queries, qterms)
        else:
            if engine == "rank-bm25" and size in args.slow_sizes and args.slow_queries == 0:
                row["note"] = "skipped at this size (see --slow-sizes)"
                rows[engine] = row
                continue
            extra = []
            if engine == "rank-bm25" and (workdir / "askdoc-results.json").exists():
                extra = ["--askdoc-results", str(workdir / "askdoc-results.json")]
            if engine == "rank-bm25" and size in args.slow_sizes:
                extra += ["--limit-queries", str(args.slow_queries)]
            r = run_child(["--child", engine, *common, *extra], engine)
            if "error" in r:
                row["error"] = r["error"]
                rows[engine] = row
                continue
            row.update({k: r[k] for k in ("build_s", "build_rss_mb", "save_s", "index_bytes") if k in r})
            path = r["index_path"]
            serve_args = [
                "--size",
                size,
                "--index-path",
                path,
                "--query-terms",
                str(qtext if engine == "tantivy-en" else qfile),
            ]
            if engine == "rank-bm25":
                row["query_p50_ms"] = statistics.median(r["query_ms"])
                row["query_p95_ms"] = percentile(r["query_ms"], 95)
                row["query_count"] = r["query_count"]
                row["serve_rss_mb"] = r["serve_rss_mb"]
                results[engine] = r["results"]
                if "askdoc" in results:
                    report["exactness"] = exactness(results["askdoc"], r["results"], r.get("scores_of_askdoc_ids"))
                s = run_child(["--child", "serve-rank-bm25", *serve_args], engine + " load")
                if "error" not in s:
                    row["load_s"] = s["load_s"]
            else:
                kind = "serve-bm25s" if engine == "bm25s" else "serve-tantivy"
                s = run_child(["--child", kind, "--engine", engine, *serve_args], engine + " serve")
                if "error" in s:
                    row["error"] = s["error"]
                else:
                    row["load_s"] = s["load_s"]
                    row["query_p50_ms"] = statistics.median(s["query_ms"])
                    row["query_p95_ms"] = percentile(s["query_ms"], 95)
                    row["serve_rss_mb"] = s["serve_rss_mb"]
                    if "retrieve_ms" in s:
                        row["retrieve_p50_ms"] = statistics.median(s["retrieve_ms"])
                        row["retrieve_p95_ms"] = percentile(s["retrieve_ms"], 95)
                    results[engine] = s["results"]
            # one-shot: a fresh process loads the index and answers one query
            runs = []
            n_runs = args.oneshot_runs if engine != "rank-bm25" or size not in args.slow_sizes else 1
            for qi, q in enumerate(queries[:n_runs]):
                terms = q["query"] if engine == "tantivy-en" else qterms[qi]
                cmd = [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--child",
                    "oneshot",
                    "--engine",
                    engine,
                    "--index-path",
                    path,
                    "--query-terms",
                    json.dumps(terms),
                ]
                runs.append(timed_process(cmd))
            row["oneshot_s"] = statistics.median(x[0] for x in runs)
            row["oneshot_rss_mb"] = statistics.median(x[1] for x in runs)
            row["oneshot_runs"] = len(runs)
            if any(x[2] != 0 for x in runs):
                row["error"] = "one-shot run failed"
        rows[engine] = row
        print(f"    {json.dumps(row)}", file=sys.stderr)

    # quality / agreement figures
    sources = [q["source_sentence"] for q in queries]
    for engine, res in results.items():
        hits = [sources[i] in [sid for sid, _ in r] for i, r in enumerate(res)]
        rows[engine]["source_hit10"] = sum(hits) / len(hits) if hits else None
        if "askdoc" in results:
            ov = [
                len({a for a, _ in x} & {b for b, _ in y}) / max(1, len(x)) for x, y in zip(results["askdoc"], res) if x
            ]
            rows[engine]["overlap10"] = sum(ov) / len(ov) if ov else None
    if "bm25s" in results and "askdoc" in results:
        d = [
            abs(a[1] - b[1]) / max(1.0, abs(a[1]))
            for x, y in zip(results["askdoc"], results["bm25s"])
            for a, b in zip(x, y)
        ]
        report["bm25s_max_rel_score_diff_by_rank"] = max(d) if d else None

    pipe = report["pipeline"]
    for engine, row in rows.items():
        if "build_s" in row:
            if engine == "askdoc":
                row["build_total_s"] = row["build_s"]  # askdoc builds from the files
            elif engine == "tantivy-en":
                row["build_total_s"] = row["build_s"] + pipe["read_s"] + pipe["split_s"]  # it analyses by itself
            else:
                row["build_total_s"] = row["build_s"] + pipe["read_s"] + pipe["split_s"] + pipe["analyse_s"]
    report["engines"] = rows
    report["sentences"] = n_sent
    report["manifest"] = {"packages": manifest["packages"], "set": manifest["sets"][size]}
    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    report["askdoc_git_at_end"] = askdoc_state()
    report["askdoc_changed_during_run"] = report["askdoc_git_at_end"] != report["machine"]["askdoc_git"]
    write_report(report, args)
    if not args.keep_indexes:
        subprocess.run(["rm", "-rf", "--", str(workdir)], check=False)


def write_report(report: dict, args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    size = report["size"]
    m = report["machine"]
    lines = [
        f"# askdoc vs BM25 engines: set-{size} ({report['sentences']} sentences, {report['queries']} queries)",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}; memory: `{m['memory']}`; Python {m['python']}; "
        f"versions {json.dumps(m['versions'])}. Run {report['started']} – {report['finished']}.",
        "",
        table(report["engines"]),
        "",
        "Ratios (×) are to askdoc. ",
    ]
    f = report["floor"]
    lines += [
        "",
        f"Floors: `python -c pass` {f['python']['wall_s']:.3f} s / {f['python']['rss_mb']:.0f} MB; "
        f'`python -c "import typer, rich.console"` {f["import typer, rich.console"]["wall_s"]:.3f} s / '
        f"{f['import typer, rich.console']['rss_mb']:.0f} MB.",
    ]
    p = report["pipeline"]
    lines += [
        "",
        f"askdoc's text pipeline on this set (the shared units, measured once): read {p['read_s']:.2f} s, "
        f"split {p['split_s']:.2f} s, analyse {p['analyse_s']:.2f} s; {p['sentences']} sentences, {p['tokens']} terms; "
        f"sentences identical to the ones written: {p['units_match_written']}.",
    ]
    a = report["engines"].get("askdoc", {})
    g = m.get("askdoc_git", {})
    lines += [
        "",
        f"askdoc at commit {g.get('commit')}"
        + (" with uncommitted changes under askdoc/" if g.get("dirty") else "")
        + ".",
    ]
    if "cli_index_s" in a:
        lines += [
            "",
            f"askdoc CLI `askdoc index SET`: {a['cli_index_s']:.2f} s, peak RSS {a['cli_index_rss_mb']:.0f} MB "
            f"(exit {a['cli_index_exit']}); the one-shot row then runs `askdoc ask Q SET -k 10 -f json"
            + (" --index FILE`." if a.get("cli_features", {}).get("ask_index") else "`."),
        ]
    if "oneshot_nocache_s" in a:
        lines += [
            "",
            f"askdoc one-shot without a saved index (`--no-cache`, reads and analyses the whole set): "
            f"{a['oneshot_nocache_s']:.2f} s, peak RSS {a['oneshot_nocache_rss_mb']:.0f} MB.",
        ]
    if a.get("query_terms_match") is False:
        lines += ["", "Warning: askdoc's analyser gave other query terms than askdoc.analysis.terms."]
    if "ask_p50_ms" in a:
        lines += [
            "",
            f"askdoc `Index.ask(q, top=10)` (search + evidence + short answer): "
            f"p50 {a['ask_p50_ms']:.2f} ms, p95 {a['ask_p95_ms']:.2f} ms.",
        ]
    b = report["engines"].get("bm25s", {})
    if "retrieve_p50_ms" in b:
        lines += [
            "",
            f"bm25s `retrieve()` (its own top-k): p50 {b['retrieve_p50_ms']:.2f} ms, "
            f"p95 {b['retrieve_p95_ms']:.2f} ms.",
        ]
    if "exactness" in report:
        e = report["exactness"]
        lines += [
            "",
            f"Exactness, askdoc vs rank-bm25 (same terms, k1/b/delta): {e['queries_compared']} queries compared, "
            f"{e['queries_differing']} differ; max relative score difference {e['max_rel_score_diff']:.2e} "
            f"(tolerance {e['tolerance']:.0e}).",
        ]
        for ex in e["examples"]:
            lines.append(f"- query {ex['query']}: {'; '.join(ex['problems'])}")
    if report.get("bm25s_max_rel_score_diff_by_rank") is not None:
        lines += [
            "",
            f"bm25s vs askdoc, rank-by-rank score difference (bm25s keeps float32): max relative "
            f"{report['bm25s_max_rel_score_diff_by_rank']:.2e}.",
        ]
    notes = [f"- {name}: {r['note']}" for name, r in report["engines"].items() if r.get("note")]
    notes += [f"- {name}: error: {r['error']}" for name, r in report["engines"].items() if r.get("error")]
    rb = report["engines"].get("rank-bm25", {})
    if rb.get("query_count") and rb["query_count"] < report["queries"]:
        notes.append(
            f"- rank-bm25: queries timed on the first {rb['query_count']} queries only (it scores every "
            "sentence in Python for each term)."
        )
    if report.get("askdoc_changed_during_run"):
        notes.insert(
            0,
            f"- WARNING: askdoc's code changed during this run (now {report['askdoc_git_at_end']}): "
            "its figures may mix two versions; run again.",
        )
    if notes:
        lines += ["", "Notes:", *notes]
    md = "\n".join(lines) + "\n"
    stem = RESULTS / f"compare-{size}"
    (stem.with_suffix(".md")).write_text(md)
    (stem.with_suffix(".json")).write_text(json.dumps(report, indent=2) + "\n")
    print(md)
    print(f"wrote {stem}.md and {stem}.json", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description="Compare askdoc with rank-bm25, bm25s and tantivy.")
    ap.add_argument("--size", default="10k", help="10k, 100k or 1M (a set made by make_corpus.py)")
    ap.add_argument("--engines", nargs="+", default=ENGINES, choices=ENGINES)
    ap.add_argument("--queries", type=int, default=0, help="use only the first N queries (0: all)")
    ap.add_argument("--oneshot-runs", type=int, default=3, help="one-shot processes per engine (median reported)")
    ap.add_argument("--slow-sizes", nargs="*", default=["1M"], help="sizes at which rank-bm25 is limited")
    ap.add_argument(
        "--slow-queries",
        type=int,
        default=50,
        help="queries rank-bm25 answers at a slow size (0: skip rank-bm25 there)",
    )
    ap.add_argument("--mmap", action="store_true", help="load bm25s with mmap=True")
    ap.add_argument("--keep-indexes", action="store_true", help="keep the saved indexes under benchmarks/work/")
    ap.add_argument(
        "--nocache-runs", type=int, default=1, help="one-shot `askdoc ask --no-cache` runs (not at --slow-sizes)"
    )
    # children
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--index-path", help=argparse.SUPPRESS)
    ap.add_argument("--query-terms", help=argparse.SUPPRESS)
    ap.add_argument("--askdoc-results", help=argparse.SUPPRESS)
    ap.add_argument("--limit-queries", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child is None:
        parent(args)
        return
    if args.child == "oneshot":
        oneshot(args)
        return
    if args.child == "prepare":
        units = prepare_units(args.size)
        with open(units_path(args.size), "wb") as f:
            pickle.dump(units, f, protocol=pickle.HIGHEST_PROTOCOL)
        summary = {k: units[k] for k in ("timings", "units_match_written", "tokens", "query_terms")}
        summary["sentences"] = len(units["texts"])
        summary_path(args.size).write_text(json.dumps(summary))
        out = {"ok": True}
    else:
        if args.child in ("tantivy", "tantivy-en"):
            args.engine = args.child
        fn = {
            "askdoc": child_askdoc,
            "serve-askdoc": serve_askdoc,
            "rank-bm25": child_rank_bm25,
            "bm25s": child_bm25s,
            "tantivy": child_tantivy,
            "tantivy-en": child_tantivy,
            "serve-bm25s": serve_bm25s,
            "serve-tantivy": serve_tantivy,
            "serve-rank-bm25": serve_rank_bm25,
        }[args.child]
        out = fn(args)
    with open(args.result, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
