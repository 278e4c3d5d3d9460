"""Turn a document's bytes into plain text: the format is chosen by content first, then by name.

Every format ends as one string, the *extracted text*: sentence offsets, line numbers and the
evidence all refer to it, never to the file's bytes. Markup is taken out (HTML tags, Markdown
emphasis, reST roles), so nothing a reader would not see reaches the index or the terminal.

Documents are untrusted: every family caps what it produces (:data:`MAX_OUTPUT`), so a
compressed bomb, a zip bomb inside a DOCX or a PDF claiming a million pages stops with one
:class:`~askdoc.errors.InputError` line instead of eating memory or time.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import InputError

# Decompressed or unzipped bytes, and extracted characters, one document may produce: far
# above any real text (the King James Bible is 4.3 MB), far below a machine's memory.
MAX_OUTPUT = 256 << 20
# Nested compression (a .gz inside a .gz) is followed this deep.
MAX_DEPTH = 2

# (bytes, charset hint) -> text: how the caller decodes text formats (its --encoding and
# --errors, BOM detection); the hint is a charset the document declares (an HTML meta tag, a
# Content-Type header), used when the user named none.
Decoder = Callable[[bytes, "str | None"], str]

# ripgrep-style file types: a name and the globs that select it (askdoc ask --type-list).
TYPES: dict[str, tuple[str, ...]] = {
    "docx": ("*.docx",),
    "epub": ("*.epub",),
    "html": ("*.htm", "*.html", "*.xhtml"),
    "markdown": ("*.markdown", "*.md", "*.mdown", "*.mkd"),
    "odt": ("*.odt",),
    "pdf": ("*.pdf",),
    "rst": ("*.rest", "*.rst"),
    "txt": ("*.text", "*.txt"),
}
TYPE_ALIASES = {"md": "markdown", "htm": "html", "text": "txt"}
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")


@dataclass(frozen=True)
class Extracted:
    """A document's text and what it was read as; ``pages``: where each PDF page starts."""

    text: str
    kind: str
    pages: tuple[int, ...] = ()


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding character ``offset`` (None when the text has no pages)."""
    if not pages:
        return None
    from bisect import bisect_right

    return max(1, bisect_right(pages, offset))


# Every type's globs are "*.suffix": a dictionary finds a name's type without fnmatch, which
# matters on folders of 100,000 files walked before each question.
_SUFFIX_TYPES = {g[1:]: name for name, globs in TYPES.items() for g in globs if g.startswith("*.") and "*" not in g[1:]}


def type_of(name: str) -> str | None:
    """The file type a name has (compression suffixes looked through), or None if unsupported."""
    base = os.path.basename(name).lower()
    inner = strip_compression(base)
    found = _SUFFIX_TYPES.get(os.path.splitext(inner)[1])
    if found is None:
        found = next((t for t, globs in TYPES.items() for g in globs if fnmatch.fnmatchcase(inner, g)), None)
    if found is None and inner != base and "." not in inner:  # "notes.gz": the content decides ("a.tar.gz" is no text)
        return "txt"
    return found


def strip_compression(name: str) -> str:
    lower = name.lower()
    if lower.endswith(COMPRESSED_SUFFIXES):
        return name[: name.rfind(".")]
    return name


def sniff(data: bytes) -> str | None:
    """The family a document's first bytes name (binary formats), or None for text."""
    head = data[:1024]
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if b"%PDF-" in head:  # the header may follow a little junk, as readers allow
        return "pdf"
    return None


def _text_kind(name: str, text_head: str) -> str:
    type_name = type_of(name)
    if type_name in ("markdown", "rst", "html"):
        return type_name
    start = text_head.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html")) or (start.startswith("<?xml") and "<html" in start):
        return "html"
    return "text"


def extract(data: bytes, name: str, source: str, decode: Decoder, kind: str | None = None, depth: int = 0) -> Extracted:
    """The text of a document's bytes; ``name`` (a file name or URL path) helps where bytes do not tell.

    ``kind`` forces a reader (a URL's Content-Type said so); an InputError names ``source``.
    """
    family = sniff(data)
    if family in ("gzip", "bzip2", "xz"):
        from .compressed import decompress

        if depth >= MAX_DEPTH:
            raise InputError(f"{source}: compressed more than {MAX_DEPTH} times over; askdoc stops there")
        inner = decompress(data, family, source)
        return extract(inner, strip_compression(name), source, decode, None, depth + 1)
    if family == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, source)
    if family == "zip":
        from .office import read_zip

        return read_zip(data, source)
    if kind == "html":  # a Content-Type header said so
        from .html import declared_charset, html_to_text

        return Extracted(html_to_text(decode(data, declared_charset(data))), "html")
    text_name = name
    if kind in ("markdown", "rst"):
        text_name = "x.md" if kind == "markdown" else "x.rst"
    head = data[:2048].decode("latin-1")
    found = _text_kind(text_name, head)
    if found == "html":
        from .html import declared_charset, html_to_text

        return Extracted(html_to_text(decode(data, declared_charset(data))), "html")
    text = decode(data, None)
    if found == "markdown":
        from .markup import markdown_to_text

        return Extracted(markdown_to_text(text), "markdown")
    if found == "rst":
        from .markup import rst_to_text

        return Extracted(rst_to_text(text), "rst")
    return Extracted(text, "text")


def is_binary_format(data: bytes) -> bool:
    """Do these first bytes start a format askdoc extracts from binary (PDF, zip, compressed)?"""
    return sniff(data) is not None


__all__ = ["Extracted", "Decoder", "TYPES", "TYPE_ALIASES", "extract", "type_of", "sniff", "page_at", "MAX_OUTPUT"]
