"""The index on disk: one file, a JSON header and flat little-endian arrays, read by memory map.

Layout: ``MAGIC`` (8 bytes), header length (u64), header CRC-32 (u32), 4 bytes of padding,
the header (JSON), then each array at an 8-byte-aligned offset recorded in the header.
Arrays are read as ``memoryview`` casts, so loading costs a header parse and no copy, and
neither numpy nor NLTK is needed to answer from a saved index.

Writes go to a temporary file in the same folder and are renamed into place, so a reader
never sees a half-written index and concurrent writers each leave a whole one. A file that
is truncated, foreign, from another format version or another byte order raises
:class:`CorruptIndex`, and the caller rebuilds.
"""

from __future__ import annotations

import json
import mmap
import os
import stat
import struct
import sys
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"ASKDOCIX"
FORMAT_VERSION = 4  # 4: sentence text in the index (text_blob, text_off); page starts in file records
_PREFIX = struct.Struct("<8sQI4x")
_ALIGN = 8

# name -> array typecode (struct/memoryview format); every index file holds all of them.
ARRAYS: dict[str, str] = {
    "vocab_blob": "B",  # sorted terms (stems), UTF-8, back to back
    "vocab_off": "q",  # V + 1 offsets into vocab_blob
    "term_ptr": "q",  # V + 1 offsets into the postings
    "post_doc": "i",  # sentence id of each posting, ascending within a term
    "post_tf": "H",  # term frequency of each posting
    "term_bound": "d",  # per term, the largest tf part of its BM25 weight: bounds what it can add
    "words_blob": "B",  # sorted surface words (lowercased), UTF-8
    "words_off": "q",  # W + 1 offsets into words_blob
    "word_term": "i",  # the term id of each word's stem
    # Per sentence (its file is found from the header's per-file ranges):
    "sent_start": "I",  # character offsets into the decoded file (a file is at most 4 Gi characters)
    "sent_end": "I",
    "sent_line": "I",
    "sent_len": "H",  # number of terms, for BM25's length normalisation (a sentence is at most 10,000 characters)
    # Each sentence's text, so that showing one reads its bytes and never decodes its file
    # (docs/benchmarks.md compares this with byte offsets into the file):
    "text_blob": "B",  # UTF-8 ("surrogatepass": any str round-trips), back to back
    "text_off": "q",  # N + 1 offsets into text_blob
}


class CorruptIndex(Exception):
    """The file is not a whole askdoc index of this version: rebuild it."""


@dataclass
class StoredIndex:
    header: dict[str, Any]
    arrays: dict[str, memoryview]
    _keepalive: object = None  # the mmap or bytes the memoryviews point into

    def sentence_text(self, sid: int) -> str:
        """Sentence ``sid``'s text, as it was when indexed: a slice of the map, decoded."""
        off = self.arrays["text_off"]
        return self.arrays["text_blob"][off[sid] : off[sid + 1]].tobytes().decode("utf-8", "surrogatepass")

    def __getattr__(self, name: str) -> memoryview:
        try:
            return self.arrays[name]
        except KeyError:
            raise AttributeError(name) from None


def encode(header: dict[str, Any], arrays: Mapping[str, Any]) -> list[bytes | memoryview]:
    """The pieces of an index file, in order: prefix, header, then each padded array."""
    layout: dict[str, list[int]] = {}
    chunks: list[memoryview] = []
    offset = 0
    for name, code in ARRAYS.items():
        view = memoryview(arrays[name]).cast("B")
        layout[name] = [offset, view.nbytes // struct.calcsize(code)]
        chunks.append(view)
        offset += _padded(view.nbytes)
    full = {**header, "format": FORMAT_VERSION, "byteorder": sys.byteorder, "arrays": layout, "data_size": offset}
    # ASCII JSON: a file name with undecodable bytes (lone surrogates) survives as \udcXX escapes.
    head = json.dumps(full, separators=(",", ":")).encode("ascii")
    head += b" " * (_padded(_PREFIX.size + len(head)) - _PREFIX.size - len(head))
    pieces: list[bytes | memoryview] = [_PREFIX.pack(MAGIC, len(head), zlib.crc32(head)), head]
    for view in chunks:
        pieces.append(view)
        pieces.append(b"\0" * (_padded(view.nbytes) - view.nbytes))
    return pieces


def decode(buffer: Any, keepalive: object = None) -> StoredIndex:
    """Parse an index from a buffer (an mmap or bytes); raise CorruptIndex if it is not whole."""
    view = memoryview(buffer)
    if view.nbytes < _PREFIX.size:
        raise CorruptIndex("too short to be an askdoc index")
    magic, head_len, crc = _PREFIX.unpack_from(view)
    if magic != MAGIC:
        raise CorruptIndex("not an askdoc index")
    head = bytes(view[_PREFIX.size : _PREFIX.size + head_len])
    if len(head) != head_len or zlib.crc32(head) != crc:
        raise CorruptIndex("damaged header")
    try:
        header = json.loads(head)
    except ValueError:
        raise CorruptIndex("damaged header") from None
    if header.get("format") != FORMAT_VERSION or header.get("byteorder") != sys.byteorder:
        raise CorruptIndex("written by another version of askdoc")
    base = _PREFIX.size + head_len
    if view.nbytes != base + header["data_size"]:
        raise CorruptIndex("truncated")
    arrays = {}
    for name, code in ARRAYS.items():
        offset, count = header["arrays"][name]
        arrays[name] = view[base + offset : base + offset + count * struct.calcsize(code)].cast(code)  # type: ignore[call-overload]  # a format read from ARRAYS
    return StoredIndex(header, arrays, keepalive or buffer)


def load(path: Path) -> StoredIndex:
    """Memory-map an index file. Missing: FileNotFoundError; damaged: CorruptIndex."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise CorruptIndex("empty file")
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return decode(mapped)


def foreign(path: Path, magic: bytes = MAGIC) -> bool:
    """True when ``path`` holds something askdoc must not overwrite or remove: anything but a
    regular file starting with ``magic`` (a document given as ``--index`` by mistake, a folder,
    a FIFO, a file it cannot read). A missing or empty file is not foreign."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    if not stat.S_ISREG(info.st_mode):
        return True  # never opened: a FIFO would block
    if info.st_size == 0:
        return False
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) != magic
    except OSError:
        return True


def save(path: Path, pieces: list[bytes | memoryview]) -> None:
    """Write atomically: a temporary file beside ``path``, fsync'd, then renamed over it.

    The caller checks first (:func:`foreign`) that a path the user named is askdoc's to replace."""
    import tempfile  # only writers need it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in pieces:
                f.write(piece)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# The cache keeps at most this many saved indexes; the least recently used go first.
CACHE_ENTRIES = 64


def prune_cache(folder: Path, keep: int | None = None) -> None:
    """Remove the least recently used indexes beyond ``keep`` (askdoc's own ``*.idx`` files only)."""
    keep = CACHE_ENTRIES if keep is None else keep
    try:
        entries = sorted(folder.glob("*.idx"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            remove(old)
    except OSError:
        pass  # a cache that cannot be tidied still works


# Files kept beside an index, by suffix, and their magic: ``INDEX.emb``, the semantic extra's
# embeddings (see askdoc.rank.semantic.embeddings.cache_path).
EMBEDDINGS_MAGIC = b"ASKDOCEM"
SIDECARS = {".emb": EMBEDDINGS_MAGIC}


def remove(path: Path) -> None:
    """Remove an index and the sidecar files askdoc keeps beside it; a file that merely has a
    sidecar's name but not its magic is left alone. The caller checks (:func:`foreign`) that
    a path the user named is an askdoc index."""
    path.unlink()
    for suffix, magic in SIDECARS.items():
        sidecar = path.with_name(path.name + suffix)
        if not foreign(sidecar, magic):
            sidecar.unlink(missing_ok=True)


def touch(path: Path) -> None:
    """Mark an index as used, for :func:`prune_cache` (at most once an hour, to spare writes)."""
    try:
        if os.stat(path).st_mtime < time.time() - 3600:
            os.utime(path)
    except OSError:
        pass


def cache_dir() -> Path:
    """``$ASKDOC_CACHE_DIR``, else ``$XDG_CACHE_HOME/askdoc``, else ``~/.cache/askdoc``."""
    explicit = os.environ.get("ASKDOC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache") / "askdoc"


def _padded(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN
