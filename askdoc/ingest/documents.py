"""Read the documents a user points at: files, folders (recursively) or ``-`` for stdin.

Offsets everywhere count characters of the decoded text exactly as read: line endings are
kept as they are in the file (no newline translation), so ``text[start:end]`` holds for
``open(path, encoding="utf-8", newline="").read()``. A UTF-8 byte-order mark stays in the
text as U+FEFF (as Python's "utf-8" codec keeps it); UTF-16 and UTF-32 files need their BOM
and are decoded without it.

Documents are untrusted: only regular files are ever opened (FIFOs, devices and sockets are
refused before and after opening, so a swapped-in FIFO cannot hang a read), folders are
walked without following symlinked folders, and nothing is written anywhere near them.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..model import Document

BUNDLED_NAME = "us-russia-riyadh-talks.txt"
TEXT_SUFFIXES = (".txt", ".md")
STDIN = "-"
_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

Warn = Callable[[str], None]


def bundled_article() -> Path:
    """The article askdoc ships with: inside the package once installed, ``corpus/`` in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "corpus" / BUNDLED_NAME, here.parent / "corpus" / BUNDLED_NAME):
        if candidate.is_file():
            return candidate
    raise InputError(f"the bundled article {BUNDLED_NAME} is missing from this installation")


def decode(data: bytes, source: str, errors: str = "strict", warn: Warn | None = None) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16/32); refuse binary data with a message naming the file.

    With ``errors="replace"``, undecodable bytes become U+FFFD and ``warn`` hears about it.
    """
    encoding = _bom_encoding(data)
    if encoding is None:
        encoding = "utf-8"
        nul = data.find(b"\x00")
        if nul != -1:
            raise InputError(f"{source}: not a text file (NUL byte at byte offset {nul})")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        where = f"byte 0x{data[e.start]:02x} at byte offset {e.start}" if e.start < len(data) else "at the end"
        if errors != "replace":
            raise InputError(
                f"{source}: not valid {encoding.upper()} ({where}); use --errors replace to read it anyway"
            ) from None
        if warn:
            warn(f"{source}: bytes that are not valid {encoding.upper()} (the first: {where}) were replaced by U+FFFD")
        return data.decode(encoding, errors="replace")


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def read_stream(
    stream: BinaryIO | None = None, source: str = "<stdin>", errors: str = "strict", warn: Warn | None = None
) -> Document:
    """Read stdin (or ``stream``) to the end, but stop at the first NUL byte: ``< /dev/zero`` must not eat memory."""
    stream = stream if stream is not None else sys.stdin.buffer
    chunks: list[bytes] = []
    size = 0
    bom: str | None = None
    while chunk := stream.read(_CHUNK):
        if not chunks:
            bom = _bom_encoding(chunk)
        nul = -1 if bom else chunk.find(b"\x00")
        if nul != -1:
            raise InputError(f"{source}: not a text file (NUL byte at byte offset {size + nul})")
        chunks.append(chunk)
        size += len(chunk)
    return Document(source, decode(b"".join(chunks), source, errors, warn))


def walk_folder(folder: Path, warn: Warn | None = None) -> Iterator[Path]:
    """Text files under ``folder`` in a stable order; hidden entries and symlinked folders are skipped.

    A subfolder that cannot be listed (permission denied) is skipped with a note to ``warn``.
    """

    def unreadable(e: OSError) -> None:
        if warn:
            warn(f"skipped {e.filename}: {e.strerror or e}")

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
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
    warned: bool = field(default=False, repr=False, compare=False)  # replaced bytes were reported once

    def same_file(self, record: dict) -> bool:
        """Does a saved index's record of a file still describe it (same path, size and mtime)?"""
        return self.path == record["path"] and self.size == record["size"] and self.mtime_ns == record["mtime_ns"]


def file_input(path: Path, source: str, named: bool = True, resolved: str | None = None) -> InputFile:
    """Stat a file to index; anything but a regular file (missing, FIFO, device) is an InputError.

    ``resolved``: the file's absolute path when the caller knows it (resolving costs a system
    call per path component, which adds up over a folder of thousands of files)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file or folder") from None
    except OSError as e:
        raise InputError(f"{source}: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{source}: not a regular file")
    return InputFile(source, resolved or str(path.resolve()), st.st_size, st.st_mtime_ns, named=named)


def text_input(doc: Document) -> InputFile:
    return InputFile(doc.source, None, len(doc.text), text=doc.text)


def collect_paths(arg: str, warn: Warn | None = None) -> list[InputFile]:
    """The files one command-line path stands for: itself, or the text files of a folder."""
    path = Path(arg)
    try:
        is_folder = path.is_dir()
    except OSError as e:  # a name too long, say: is_dir reports only some errors as False
        raise InputError(f"{arg}: {e.strerror or e}") from None
    if not is_folder:
        if arg.endswith(("/", os.sep)) and path.exists():  # Path drops the slash; the shell would not
            raise InputError(f"{arg}: not a folder")
        return [file_input(path, arg)]
    found = []
    root = str(path.resolve())
    for file in walk_folder(path, warn):
        try:
            found.append(file_input(file, str(file), named=False, resolved=os.path.join(root, file.relative_to(path))))
        except InputError as e:
            if warn:
                warn(f"skipped {e}")
    if not found and warn:
        warn(f"{arg}: no .txt or .md files in this folder")
    return found


def read_text(entry: InputFile, errors: str = "strict", warn: Warn | None = None) -> str:
    """The decoded text of an input; records its content hash on the entry.

    The file is opened without blocking and checked again once open: if a FIFO or a device
    was put in its place since it was listed, it is refused, never read.
    """
    if entry.text is not None:
        return entry.text
    assert entry.path is not None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(entry.path, flags)
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError(f"{entry.source}: not a regular file")
            data = f.read()
    except OSError as e:
        raise InputError(f"{entry.source}: {e.strerror or e}") from None
    entry.sha256 = hashlib.sha256(data).hexdigest()
    text = decode(data, entry.source, errors, None if entry.warned else warn)
    entry.warned = entry.warned or (warn is not None and errors == "replace")
    return text


def read_documents(paths: list[str], errors: str = "strict", warn: Warn | None = None) -> list[Document]:
    """Read every path as a Document (no paths: the bundled article). Index.from_paths is the cached route."""
    if not paths:
        return [Document(BUNDLED_NAME, read_text(file_input(bundled_article(), BUNDLED_NAME), errors))]
    docs = []
    for p in paths:
        if p == STDIN:
            docs.append(read_stream(errors=errors, warn=warn))
            continue
        for entry in collect_paths(p, warn):
            try:
                docs.append(Document(entry.source, read_text(entry, errors, warn)))
            except InputError as e:
                if entry.named:
                    raise
                if warn:
                    warn(f"skipped {e}")
    return docs
