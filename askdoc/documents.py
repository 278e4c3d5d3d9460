"""Read the documents a user points at: files, folders (recursively) or ``-`` for stdin.

Offsets everywhere count characters of the decoded text exactly as read: line endings are
kept as they are in the file (no newline translation), so ``text[start:end]`` holds for
``open(path, encoding="utf-8", newline="").read()``. A UTF-8 byte-order mark stays in the
text as U+FEFF (as Python's "utf-8" codec keeps it); UTF-16 files need their BOM and are
decoded without it.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .model import Document

BUNDLED_NAME = "us-russia-riyadh-talks.txt"
TEXT_SUFFIXES = (".txt", ".md")
STDIN = "-"

Warn = Callable[[str], None]


def bundled_article() -> Path:
    """The article askdoc ships with: inside the package once installed, ``corpus/`` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "corpus" / BUNDLED_NAME, here.parent / "corpus" / BUNDLED_NAME):
        if candidate.is_file():
            return candidate
    raise InputError(f"the bundled article {BUNDLED_NAME} is missing from this installation")


def decode(data: bytes, source: str, errors: str = "strict") -> str:
    """Decode UTF-8 (or BOM-marked UTF-16); refuse binary data with a message naming the file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", source, errors)
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputError(f"{source}: not a text file (NUL byte at byte offset {nul})")
    return _decode(data, "utf-8", source, errors)


def _decode(data: bytes, encoding: str, source: str, errors: str) -> str:
    try:
        return data.decode(encoding, errors=errors)
    except UnicodeDecodeError as e:
        raise InputError(
            f"{source}: not valid {encoding.upper()} (byte 0x{data[e.start]:02x} at byte offset {e.start});"
            " use --errors replace to read it anyway"
        ) from None


def read_stream(stream: BinaryIO, source: str = "<stdin>", errors: str = "strict") -> Document:
    return Document(source, decode(stream.read(), source, errors))


def read_file(path: Path, source: str | None = None, errors: str = "strict") -> Document:
    """Read one regular file; anything else (missing, a FIFO, a device, unreadable) is an InputError."""
    name = source or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file or folder") from None
    except OSError as e:
        raise InputError(f"{name}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{name}: not a regular file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{name}: {e.strerror or e}") from None
    return Document(name, decode(data, name, errors))


def walk_folder(folder: Path) -> Iterator[Path]:
    """Text files under ``folder`` in a stable order; hidden entries and symlinked folders are skipped."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(TEXT_SUFFIXES):
                yield Path(root) / name


def read_documents(
    paths: Iterable[str],
    stdin: BinaryIO | None = None,
    errors: str = "strict",
    warn: Warn | None = None,
) -> list[Document]:
    """Read every path; a named file that cannot be read is an error, a file inside a folder a warning."""
    paths = list(paths)
    if not paths:
        return [read_file(bundled_article(), BUNDLED_NAME)]
    docs: list[Document] = []
    for p in paths:
        if p == STDIN:
            docs.append(read_stream(stdin if stdin is not None else sys.stdin.buffer, errors=errors))
            continue
        path = Path(p)
        if path.is_dir():
            docs.extend(_read_folder(path, errors, warn))
        else:
            docs.append(read_file(path, errors=errors))
    return docs


def _read_folder(folder: Path, errors: str, warn: Warn | None) -> Iterator[Document]:
    found = False
    for path in walk_folder(folder):
        found = True
        try:
            yield read_file(path, errors=errors)
        except InputError as e:
            if warn:
                warn(f"skipped {e}")
    if not found and warn:
        warn(f"{folder}: no .txt or .md files in this folder")
