"""Read the documents a user points at: files, folders (recursively) or ``-`` for stdin.

Offsets everywhere count characters of the decoded text exactly as read: line endings are
kept as they are in the file (no newline translation), so ``text[start:end]`` holds for
``open(path, encoding="utf-8", newline="").read()``. A UTF-8 byte-order mark stays in the
text as U+FEFF (as Python's "utf-8" codec keeps it); UTF-16 files need their BOM and are
decoded without it.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


def read_stream(stream: BinaryIO | None = None, source: str = "<stdin>", errors: str = "strict") -> Document:
    """Read stdin (or ``stream``) to the end."""
    data = (stream if stream is not None else sys.stdin.buffer).read()
    return Document(source, decode(data, source, errors))


def walk_folder(folder: Path) -> Iterator[Path]:
    """Text files under ``folder`` in a stable order; hidden entries and symlinked folders are skipped."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(TEXT_SUFFIXES):
                yield Path(root) / name


@dataclass
class InputFile:
    """One document to index: a file (``path`` resolved) or text already read (``path`` None).

    ``named``: the user named this file on the command line, so a failure to read it is an
    error; a file found inside a folder is skipped with a warning instead.
    """

    source: str
    path: str | None
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""
    text: str | None = None
    named: bool = True

    def same_file(self, record: dict) -> bool:
        """Does a saved index's record of a file still describe it (same path, size and mtime)?"""
        return self.path == record["path"] and self.size == record["size"] and self.mtime_ns == record["mtime_ns"]


def file_input(path: Path, source: str, named: bool = True) -> InputFile:
    """Stat a file to index; anything but a regular file (missing, FIFO, device) is an InputError."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file or folder") from None
    except OSError as e:
        raise InputError(f"{source}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{source}: not a regular file")
    return InputFile(source, str(path.resolve()), st.st_size, st.st_mtime_ns, named=named)


def text_input(doc: Document) -> InputFile:
    return InputFile(doc.source, None, len(doc.text), text=doc.text)


def collect_paths(arg: str, warn: Warn | None = None) -> list[InputFile]:
    """The files one command-line path stands for: itself, or the text files of a folder."""
    path = Path(arg)
    if not path.is_dir():
        return [file_input(path, arg)]
    found = []
    for file in walk_folder(path):
        try:
            found.append(file_input(file, str(file), named=False))
        except InputError as e:
            if warn:
                warn(f"skipped {e}")
    if not found and warn:
        warn(f"{arg}: no .txt or .md files in this folder")
    return found


def read_text(entry: InputFile, errors: str = "strict") -> str:
    """The decoded text of an input; records its content hash on the entry."""
    if entry.text is not None:
        return entry.text
    assert entry.path is not None
    try:
        data = Path(entry.path).read_bytes()
    except OSError as e:
        raise InputError(f"{entry.source}: {e.strerror or e}") from None
    entry.sha256 = hashlib.sha256(data).hexdigest()
    return decode(data, entry.source, errors)


def read_documents(paths: list[str], errors: str = "strict", warn: Warn | None = None) -> list[Document]:
    """Read every path as a Document (no paths: the bundled article). Index.from_paths is the cached route."""
    if not paths:
        return [Document(BUNDLED_NAME, read_text(file_input(bundled_article(), BUNDLED_NAME), errors))]
    docs = []
    for p in paths:
        if p == STDIN:
            docs.append(read_stream(errors=errors))
            continue
        for entry in collect_paths(p, warn):
            try:
                docs.append(Document(entry.source, read_text(entry, errors)))
            except InputError as e:
                if entry.named or warn is None:
                    raise
                warn(f"skipped {e}")
    return docs
