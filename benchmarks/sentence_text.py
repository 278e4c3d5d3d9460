"""Two ways to show one sentence without decoding its file, measured on a saved index.

    python benchmarks/sentence_text.py FILE INDEX      # INDEX: askdoc index FILE --index INDEX

A. the sentence's text stored in the index (what askdoc does: ``text_blob`` + ``text_off``),
   read through the memory map;
B. the sentence's byte range in the file (start as u64, length as u32: 12 bytes a sentence),
   read with ``os.pread`` after a stat that the file has its indexed size and mtime.

For each: the bytes it adds to the index, and the time to fetch 10,000 random sentences, in a
fresh process (cold map) and again (warm). B is measured only for a UTF-8 text file: the byte
offsets of a PDF, DOCX, HTML or compressed file do not exist (offsets index extracted text),
and a file edited after indexing cannot be quoted at all (A still quotes what was indexed).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path


def byte_ranges(text: str, starts, ends) -> list[tuple[int, int]]:
    """Each sentence's (byte start, byte length) in the UTF-8 file, from its character offsets."""
    out, byte, char = [], 0, 0
    for s, e in zip(starts, ends):
        byte += len(text[char:s].encode("utf-8"))
        length = len(text[s:e].encode("utf-8"))
        out.append((byte, length))
        byte, char = byte + length, e
    return out


def _digest(texts: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\0".join(texts).encode("utf-8", "surrogatepass")).hexdigest()


def measure(file: Path, index: Path, mode: str) -> dict:
    from askdoc.index.store import load

    stored = load(index)
    n = stored.header["sentences"]
    sids = random.Random(13).sample(range(n), min(10_000, n))
    record = stored.header["files"][0]
    if mode == "stored":
        t0 = time.perf_counter()
        texts = [stored.sentence_text(i) for i in sids]
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        texts = [stored.sentence_text(i) for i in sids]
        warm = time.perf_counter() - t0
        return {"cold_us": cold / len(sids) * 1e6, "warm_us": warm / len(sids) * 1e6, "check": _digest(texts)}
    ranges = json.loads(Path(str(index) + ".ranges.json").read_text())

    def fetch() -> list[str]:
        st = os.stat(file)  # once a question in real use; here once per batch of 10,000
        if (st.st_size, st.st_mtime_ns) != (record["size"], record["mtime_ns"]):
            raise RuntimeError("changed since indexing")
        fd = os.open(file, os.O_RDONLY)
        try:
            return [os.pread(fd, ranges[i][1], ranges[i][0]).decode("utf-8") for i in sids]
        finally:
            os.close(fd)

    t0 = time.perf_counter()
    texts = fetch()
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    texts = fetch()
    warm = time.perf_counter() - t0
    return {"cold_us": cold / len(sids) * 1e6, "warm_us": warm / len(sids) * 1e6, "check": _digest(texts)}


def main() -> None:
    if sys.argv[1] == "--child":
        print(json.dumps(measure(Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[2])))
        return
    file, index = Path(sys.argv[1]), Path(sys.argv[2])
    import numpy as np

    from askdoc.index.store import load

    stored = load(index)
    starts = np.frombuffer(stored.sent_start, np.uint32).tolist()
    ends = np.frombuffer(stored.sent_end, np.uint32).tolist()
    t0 = time.perf_counter()
    ranges = byte_ranges(file.read_text(encoding="utf-8"), starts, ends)
    ranges_s = time.perf_counter() - t0
    Path(str(index) + ".ranges.json").write_text(json.dumps(ranges))
    n = len(starts)
    blob = len(stored.text_blob) + len(stored.text_off) * 8
    runs = {
        mode: json.loads(
            subprocess.run(
                [sys.executable, __file__, "--child", mode, str(file), str(index)], capture_output=True, text=True
            ).stdout
        )
        for mode in ("stored", "ranges")
    }
    Path(str(index) + ".ranges.json").unlink()
    same = runs["stored"].pop("check") == runs["ranges"].pop("check")
    print(f"{n:,} sentences; index {index.stat().st_size / 1e6:.1f} MB; file {file.stat().st_size / 1e6:.1f} MB")
    print(f"A stored text: +{blob / 1e6:.1f} MB in the index; fetch {runs['stored']}")
    print(f"B byte ranges: +{n * 12 / 1e6:.1f} MB in the index ({ranges_s:.1f} s to work out); fetch {runs['ranges']}")
    print(f"same 10,000 texts: {same}")


if __name__ == "__main__":
    main()
