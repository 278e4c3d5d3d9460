"""Sentence embeddings saved beside a saved index, in ``<index>.emb``, per file: a file whose
content (sha256), sentence count and analysis are unchanged keeps its rows, so only changed
files are embedded again, as the index itself re-analyses only them."""

from __future__ import annotations

import json
import mmap
import struct
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ...index.store import EMBEDDINGS_MAGIC
from .encoder import DIM

if TYPE_CHECKING:
    import numpy as np

# Embedding runs at about this many sentences a second on two cores (2.3 GHz Xeon: 388
# sentences of 220 characters in 1.4 s, shorter ones faster; one core: about half as many);
# from NOTE_FROM sentences to embed (about 15 s) askdoc says so first.
SENTENCES_PER_SECOND = 200
NOTE_FROM = 3_000
# Sentences embedded at a time: the progress bar moves every few seconds.
CHUNK = 512


class EmbedProgress(Protocol):
    """What ``embeddings_for`` tells of its progress: sentences done so far, then the end."""

    def __call__(self, done: int) -> None: ...

    def stop(self) -> None: ...


_MAGIC = EMBEDDINGS_MAGIC
_VERSION = 1
_PREFIX = struct.Struct("<8sQ")


def embeddings_for(
    files: Sequence[Mapping[str, Any]],
    analysis: str,
    texts: Callable[[int], Sequence[str]],
    cache: Path | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    note: Callable[[str], None] | None = None,
    limit: int | None = None,
    progress: Callable[[int], EmbedProgress] | None = None,
) -> np.ndarray | None:
    """Every sentence's embedding, in index order, reusing ``cache`` where it still holds;
    None if more than ``limit`` sentences would have to be embedded first.
    ``progress(total)`` may return a callback told the sentences embedded so far (from
    ``NOTE_FROM`` sentences to embed); it is stopped when embedding ends, however it ends.

    ``files`` are a saved index's file records (``sha256``, ``count``, in order) and
    ``texts(n)`` the sentences of file ``n``. A file's rows are reused when its sha256,
    sentence count, the index's ``analysis`` version and the model are those the cache was
    written with; other files are embedded, and the cache is rewritten if anything changed.
    """
    import numpy as np

    if embed is None:
        from .encoder import encoder

        embed = encoder().embed
    model = getattr(getattr(embed, "__self__", None), "model_id", "")
    old_rows, old_keys = _read(cache, analysis, model) if cache else ({}, [])
    todo = sum(r["count"] for r in files if f"{r['sha256']}:{r['count']}" not in old_rows)
    if limit is not None and todo > limit:
        if note:
            note(
                f"the semantic extra is not used here: {todo:,} sentences would need embedding first"
                f" (about {todo / SENTENCES_PER_SECOND / 60:.0f} min); ask with --semantic to embed them once"
            )
        return None
    if note and todo >= NOTE_FROM:
        minutes = todo / SENTENCES_PER_SECOND / 60
        note(
            f"embedding {todo:,} sentences for the semantic extra, once (about {minutes:.0f} min); --no-semantic skips"
        )
    bar = progress(todo) if progress and todo >= NOTE_FROM else None
    parts, keys, fresh, done = [], [], 0, 0
    try:
        for n, record in enumerate(files):
            key = f"{record['sha256']}:{record['count']}"
            rows = old_rows.get(key)
            if rows is None:
                rows = np.zeros((0, DIM), np.float32)
                if record["count"]:
                    sentences = texts(n)
                    chunks = []
                    for lo in range(0, len(sentences), CHUNK):
                        chunks.append(embed(sentences[lo : lo + CHUNK]))
                        done += len(chunks[-1])
                        if bar:
                            bar(done)
                    rows = np.concatenate(chunks)
                fresh += 1
            parts.append(rows)
            keys.append(key)
    finally:
        if bar:
            bar.stop()
    matrix = np.concatenate(parts) if parts else np.zeros((0, DIM), np.float32)
    if cache and (fresh or keys != old_keys):
        try:
            _write(cache, analysis, model, keys, [int(r["count"]) for r in files], matrix)
        except OSError:
            pass  # answering does not need the cache; the next run embeds again
    return matrix


def index_embeddings(
    index: Any,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    note: Callable[[str], None] | None = None,
    limit: int | None = None,
    progress: Callable[[int], EmbedProgress] | None = None,
) -> np.ndarray | None:
    """The embeddings of an :class:`askdoc.Index`'s sentences, cached beside its saved file."""
    header = index.stored.header
    files = header["files"]

    def texts(n: int) -> list[str]:
        first = files[n]["first"]
        return [index.sentence(i).text for i in range(first, first + files[n]["count"])]

    cache = cache_path(index.path) if index.path else None
    return embeddings_for(files, header["analysis"], texts, cache, embed, note, limit, progress)


def cache_path(index_path: Path) -> Path:
    """Where a saved index's embeddings live: beside it, with ``.emb`` added."""
    return index_path.with_name(index_path.name + ".emb")


def _read(path: Path, analysis: str, model: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """key -> rows of a cache file made for this analysis and model; nothing if it is not one."""
    import numpy as np

    try:
        with open(path, "rb") as f:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # missing, unreadable or empty
        return {}, []
    try:
        magic, head_len = _PREFIX.unpack_from(data)
        header = json.loads(data[_PREFIX.size : _PREFIX.size + head_len])
        if magic != _MAGIC or header["version"] != _VERSION:
            return {}, []
        if header["analysis"] != analysis or header["model"] != model or header["dim"] != DIM:
            return {}, []
        base = _PREFIX.size + head_len
        total = sum(header["counts"])
        if len(data) != base + total * DIM * 4:
            return {}, []
        matrix = np.frombuffer(data, "<f4", total * DIM, base).reshape(total, DIM)
    except (struct.error, ValueError, KeyError, TypeError):
        return {}, []
    rows, first = {}, 0
    for key, count in zip(header["keys"], header["counts"]):
        rows[key] = matrix[first : first + count]
        first += count
    return rows, list(header["keys"])


def _write(path: Path, analysis: str, model: str, keys: list[str], counts: list[int], matrix: np.ndarray) -> None:
    """Write atomically, with :func:`askdoc.index.store.save`: a temporary file, then a rename."""
    import numpy as np

    from ...index.store import foreign, save

    if foreign(path, _MAGIC):  # beside an index the user named: a file of theirs, not ours
        raise FileExistsError(f"{path} is not askdoc's")
    header = {"version": _VERSION, "analysis": analysis, "model": model, "dim": DIM, "keys": keys, "counts": counts}
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-(_PREFIX.size + len(head)) % 16)  # rows start 16-byte aligned
    save(path, [_PREFIX.pack(_MAGIC, len(head)), head, np.ascontiguousarray(matrix, "<f4").tobytes()])


