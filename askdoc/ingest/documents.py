"""Read the documents a user points at: files, folders (recursively), URLs or ``-`` for stdin.

Each document's bytes go through :func:`formats.extract`, which picks a reader by content and
name (PDF, DOCX, ODT, EPUB, HTML, Markdown, reST, compressed, plain text). Offsets everywhere
count characters of the *extracted* text: for plain text that is the decoded file exactly as
read (no newline translation), so ``text[start:end]`` holds for
``open(path, encoding="utf-8", newline="").read()``; for other formats it is the text
``askdoc`` extracted (markup out, paragraphs a blank line apart). A UTF-8 byte-order mark
stays in the text as U+FEFF (as Python's "utf-8" codec keeps it); UTF-16 and UTF-32 files
need their BOM and are decoded without it; ``encoding`` reads legacy encodings.

Documents are untrusted: only regular files are ever opened (FIFOs, devices and sockets are
refused before and after opening, so a swapped-in FIFO cannot hang a read), folders are
walked without following symlinked folders, and nothing is written anywhere near them.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..model import Document
from .formats import COMPRESSED_SUFFIXES, MAX_OUTPUT, TYPE_ALIASES, TYPES, Extracted, extract, page_at, sniff, type_of

BUNDLED_NAME = "us-russia-riyadh-talks.txt"
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


def check_encoding(name: str) -> str:
    """The codec a user named with --encoding, or an InputError if Python knows no such codec."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    if info is None or not _is_text_encoding(info):
        raise InputError(f"unknown encoding {name!r} (try latin-1, cp1252, shift_jis, gb18030)")
    return info.name


def _known_codec(name: str | None) -> str | None:
    """A charset a document declares, if Python has that codec (an unknown one is ignored)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    return info.name if _is_text_encoding(info) else None


def _is_text_encoding(info: codecs.CodecInfo) -> bool:
    """rot13, hex, base64 ... are codecs too, but bytes.decode refuses them."""
    return bool(getattr(info, "_is_text_encoding", True))


def decode(
    data: bytes, source: str, errors: str = "strict", warn: Warn | None = None, encoding: str | None = None
) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16/32, or ``encoding``); refuse binary data with a message naming the file.

    A byte-order mark wins over ``encoding``, as in ripgrep. With ``errors="replace"``,
    undecodable bytes become U+FFFD and ``warn`` hears about it.
    """
    bom = _bom_encoding(data)
    if bom is not None:
        encoding = bom
    elif encoding is None or encoding == "utf-8":
        encoding = "utf-8"
        nul = data.find(b"\x00")
        if nul != -1:
            raise InputError(f"{source}: not a text file (NUL byte at byte offset {nul})")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        where = f"byte 0x{data[e.start]:02x} at byte offset {e.start}" if e.start < len(data) else "at the end"
        if errors != "replace":
            hint = "--errors replace to read it anyway" + (", or --encoding NAME" if encoding == "utf-8" else "")
            raise InputError(f"{source}: not valid {encoding.upper()} ({where}); use {hint}") from None
        if warn:
            warn(f"{source}: bytes that are not valid {encoding.upper()} (the first: {where}) were replaced by U+FFFD")
        return data.decode(encoding, errors="replace")


def _bom_encoding(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def read_stream(
    stream: BinaryIO | None = None, source: str = "<stdin>", errors: str = "strict", warn: Warn | None = None
) -> Document:
    """Read stdin (or ``stream``) as a Document: see :func:`stream_input`."""
    entry = stream_input(stream, source, errors, warn)
    assert entry.text is not None
    return Document(source, entry.text)


def stream_input(
    stream: BinaryIO | None = None, source: str = "<stdin>", errors: str = "strict", warn: Warn | None = None
) -> InputFile:
    """Read stdin (or ``stream``) to the end, but stop at the first NUL byte: ``< /dev/zero`` must not eat memory.

    A PDF, a compressed or a zipped document (told by its first bytes) is read up to
    MAX_OUTPUT bytes and extracted; text may be Markdown, reST or HTML, told by its content."""
    stream = stream if stream is not None else sys.stdin.buffer
    chunks: list[bytes] = []
    size = 0
    bom: str | None = None
    binary = False
    while chunk := stream.read(_CHUNK):
        if not chunks:
            bom = _bom_encoding(chunk)
            binary = sniff(chunk) is not None
        if binary:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise InputError(f"{source}: more than {MAX_OUTPUT >> 20} MiB; askdoc stops there")
            continue
        nul = -1 if bom else chunk.find(b"\x00")
        if nul != -1:
            raise InputError(f"{source}: not a text file (NUL byte at byte offset {size + nul})")
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    extracted = extract(data, "", source, _decoder(source, errors, warn, None))
    entry = InputFile(source, None, len(extracted.text), text=extracted.text)
    entry.kind, entry.pages = extracted.kind, extracted.pages
    return entry


def _decoder(source: str, errors: str, warn: Warn | None, encoding: str | None) -> Callable[[bytes, str | None], str]:
    """How the format readers decode text: the user's --encoding, else what the document declares."""
    return lambda data, declared: decode(data, source, errors, warn, encoding or _known_codec(declared))


@dataclass(frozen=True)
class Selection:
    """Which files of a folder to read, as ripgrep chooses: ``-g GLOB`` (``!GLOB`` excludes) and
    ``-t TYPE`` / ``-T TYPE``. Files named on the command line are always read."""

    globs: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    types_not: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (*self.types, *self.types_not):
            if TYPE_ALIASES.get(name, name) not in TYPES:
                raise InputError(f"unknown file type {name!r} (askdoc ask --type-list shows them)")

    @property
    def key(self) -> str:
        """What sets this selection apart, for naming its saved index ('' for the default)."""
        return "\0".join((*self.globs, "|", *self.types, "|", *self.types_not)) if self != Selection() else ""

    def wants(self, relative: str, file_type: str) -> bool:
        """Is a supported file at ``relative`` (to the folder named) chosen?"""
        relative = relative.replace(os.sep, "/")
        if self.types and file_type not in {TYPE_ALIASES.get(t, t) for t in self.types}:
            return False
        if file_type in {TYPE_ALIASES.get(t, t) for t in self.types_not}:
            return False
        includes = [g for g in self.globs if not g.startswith("!")]
        if includes and not any(_glob_match(g, relative) for g in includes):
            return False
        return not any(_glob_match(g[1:], relative) for g in self.globs if g.startswith("!"))


def _glob_match(glob: str, relative: str) -> bool:
    """ripgrep's rule: a glob without a slash matches the file name at any depth; with one,
    the path from the folder named (``**`` crosses folders, as ``*`` does here)."""
    glob = glob.rstrip("/")
    if "/" not in glob:
        return fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], glob)
    return fnmatch.fnmatchcase(relative, glob.lstrip("/")) or fnmatch.fnmatchcase(relative, glob.replace("**/", ""))


def walk_folder(folder: Path, warn: Warn | None = None, selection: Selection | None = None) -> Iterator[Path]:
    """Files of supported types under ``folder`` in a stable order; hidden entries and symlinked
    folders are skipped, and so are files ``selection`` leaves out.

    A subfolder that cannot be listed (permission denied) is skipped with a note to ``warn``;
    files of unsupported types are counted, and ``warn`` hears once how many and which.
    """
    selection = selection or Selection()
    choosing = selection != Selection()
    unsupported: Counter[str] = Counter()

    def unreadable(e: OSError) -> None:
        if warn:
            warn(f"skipped {e.filename}: {e.strerror or e}")

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            file_type = type_of(name)
            if file_type is None:
                last = -2 if name.lower().endswith(COMPRESSED_SUFFIXES) else -1  # ".tar.gz", not ".gz"
                suffix = "".join(Path(name.lower()).suffixes[last:])
                unsupported[suffix if 1 < len(suffix) <= 12 else "(no extension)"] += 1
                continue
            path = Path(root) / name
            if not choosing or selection.wants(os.path.relpath(path, folder), file_type):
                yield path
    if unsupported and warn:
        total = sum(unsupported.values())
        kinds = sorted(unsupported)
        listed = ", ".join(kinds[:10]) + (f" and {len(kinds) - 10} more" if len(kinds) > 10 else "")
        warn(f"{folder}: skipped {total:,} file{'s' if total != 1 else ''} of unsupported types: {listed}")


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
    encoding: str | None = None  # --encoding: the codec of text formats (None: UTF-8 or a BOM)
    kind: str = ""  # what the text was extracted as (text, pdf, html ...), once read
    pages: tuple[int, ...] = ()  # where each page starts in the extracted text (PDF)
    notes: tuple[str, ...] = ()  # what reading it said (bytes replaced ...): said again when its saved index is reused
    identity: tuple[int, int] | None = field(default=None, repr=False, compare=False)  # (device, inode)

    def page_at(self, offset: int) -> int | None:
        """The page holding character ``offset`` of the extracted text (None: no pages)."""
        return page_at(self.pages, offset)

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
    entry = InputFile(source, resolved or str(path.resolve()), st.st_size, st.st_mtime_ns, named=named)
    entry.identity = (st.st_dev, st.st_ino) if st.st_ino else None  # some file systems give no inode
    return entry


def text_input(doc: Document) -> InputFile:
    return InputFile(doc.source, None, len(doc.text), text=doc.text)


def url_input(url: str, errors: str = "strict", warn: Warn | None = None, encoding: str | None = None) -> InputFile:
    """A document fetched from an http(s) URL, read now (it is not saved in an index)."""
    from .fetch import fetch

    got = fetch(url)
    decoder = _decoder(url, errors, warn, encoding or _known_codec(got.charset))
    extracted = extract(got.data, got.name, url, decoder, got.kind)
    entry = InputFile(url, None, len(got.data), text=extracted.text, encoding=encoding)
    entry.sha256 = sha256_hex(got.data)
    entry.kind, entry.pages = extracted.kind, extracted.pages
    return entry


def collect_paths(
    arg: str,
    warn: Warn | None = None,
    selection: Selection | None = None,
    encoding: str | None = None,
    errors: str = "strict",
) -> list[InputFile]:
    """The files one command-line argument stands for: itself, a URL's document, or the
    supported files of a folder (those ``selection`` chooses)."""
    if "://" in arg:  # every URL has it; a path rarely does, and fetch's imports cost ~15 ms
        from .fetch import is_url

        if is_url(arg):
            return [url_input(arg, errors, warn, encoding)]
    path = Path(arg)
    try:
        is_folder = path.is_dir()
    except OSError as e:  # a name too long, say: is_dir reports only some errors as False
        raise InputError(f"{arg}: {e.strerror or e}") from None
    if not is_folder:
        if arg.endswith(("/", os.sep)) and path.exists():  # Path drops the slash; the shell would not
            raise InputError(f"{arg}: not a folder")
        entry = file_input(path, arg)
        entry.encoding = encoding
        return [entry]
    found = []
    root = str(path.resolve())
    for file in walk_folder(path, warn, selection):
        try:
            entry = file_input(file, str(file), named=False, resolved=os.path.join(root, file.relative_to(path)))
        except InputError as e:
            if warn:
                warn(f"skipped {e}")
            continue
        entry.encoding = encoding
        found.append(entry)
    if not found and warn:
        warn(f"{arg}: no file of a type askdoc reads in this folder (askdoc ask --type-list)")
    return found


def unique(inputs: list[InputFile]) -> list[InputFile]:
    """The inputs with each file once (named twice, named and inside a folder named, or found
    again through a symbolic link or a hard link in a folder): the first stays."""
    seen: set[object] = set()
    kept = []
    for entry in inputs:
        if entry.path is not None:
            keys = [entry.path, *([entry.identity] if entry.identity else [])]
            if any(key in seen for key in keys):
                continue
            seen.update(keys)
        kept.append(entry)
    return kept


def read_text(entry: InputFile, errors: str = "strict", warn: Warn | None = None) -> str:
    """The extracted text of an input; records its content hash (of the raw bytes), what it was
    read as and its pages on the entry.

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
    entry.sha256 = sha256_hex(data)
    extracted: Extracted = extract(
        data, entry.path, entry.source, _decoder(entry.source, errors, None if entry.warned else warn, entry.encoding)
    )
    entry.warned = entry.warned or (warn is not None and errors == "replace")
    entry.kind, entry.pages = extracted.kind, extracted.pages
    return extracted.text


def read_documents(
    paths: list[str],
    errors: str = "strict",
    warn: Warn | None = None,
    selection: Selection | None = None,
    encoding: str | None = None,
) -> list[Document]:
    """Read every path as a Document (no paths: the bundled article). Index.from_paths is the cached route."""
    if not paths:
        return [Document(BUNDLED_NAME, read_text(file_input(bundled_article(), BUNDLED_NAME), errors))]
    docs = []
    entries: list[InputFile] = []
    for p in paths:
        if p == STDIN:
            entries.append(text_input(read_stream(errors=errors, warn=warn)))
        else:
            entries.extend(collect_paths(p, warn, selection, encoding, errors))
    for entry in unique(entries):
        try:
            docs.append(Document(entry.source, read_text(entry, errors, warn)))
        except InputError as e:
            if entry.named:
                raise
            if warn:
                warn(f"skipped {e}")
    return docs


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex. hashlib is imported here, on first use (2 ms): a
    question on an unchanged saved index named with --index hashes nothing."""
    import hashlib

    return hashlib.sha256(data).hexdigest()
