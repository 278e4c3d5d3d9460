"""DOCX, ODT and EPUB: zip archives of XML, read with ``zipfile`` and ElementTree.

Paragraphs become blocks (a blank line apart) and headings stay, each a block of its own.
Zip bombs stop early: an archive may hold at most :data:`MAX_MEMBERS` entries, and every
member is read as a stream, cut at MAX_OUTPUT bytes in all whatever its header claims.
XML is parsed by expat (2.4.1 and later refuse billion-laughs expansion; ElementTree never
fetches external entities); a document that declares entities at all is refused, since no
DOCX, ODT or EPUB needs one.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from ...errors import InputError
from . import MAX_OUTPUT, Extracted

MAX_MEMBERS = 10_000
_CHUNK = 1 << 20
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OPF = "{http://www.idpf.org/2007/opf}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_HEADING_STYLE = re.compile(r"^(?:Heading|Title|Subtitle)", re.IGNORECASE)


class _Archive:
    """A zip archive whose members are read within one shared byte budget."""

    def __init__(self, data: bytes, source: str):
        self.source = source
        self.budget = MAX_OUTPUT
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            names = self.zip.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise InputError(f"{source}: a damaged zip archive ({e})") from None
        if len(names) > MAX_MEMBERS:
            raise InputError(f"{source}: a zip archive of {len(names):,} entries; askdoc reads at most {MAX_MEMBERS:,}")
        self.names = set(names)

    def read(self, name: str) -> bytes:
        out = bytearray()
        try:
            with self.zip.open(name) as f:
                while chunk := f.read(_CHUNK):
                    out += chunk
                    if len(out) > self.budget:
                        too_big = f"unpacks to more than {MAX_OUTPUT >> 20} MiB; askdoc stops there (a zip bomb?)"
                        raise InputError(f"{self.source}: {too_big}")
        except KeyError:
            raise InputError(f"{self.source}: {name} is missing from the archive") from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
            raise InputError(f"{self.source}: a damaged zip archive ({e})") from None
        self.budget -= len(out)
        return bytes(out)

    def xml(self, name: str) -> ET.Element:
        data = self.read(name)
        if b"<!ENTITY" in data:
            raise InputError(f"{self.source}: {name} declares XML entities; askdoc does not expand them")
        try:
            return ET.fromstring(data)
        except ET.ParseError as e:
            raise InputError(f"{self.source}: {name} is not well-formed XML ({e})") from None


def read_zip(data: bytes, source: str) -> Extracted:
    """DOCX, ODT or EPUB, told apart by what the archive holds."""
    archive = _Archive(data, source)
    mimetype = archive.read("mimetype").strip() if "mimetype" in archive.names else b""
    if "word/document.xml" in archive.names:
        return Extracted(_docx(archive), "docx")
    if mimetype.startswith(b"application/vnd.oasis.opendocument") and "content.xml" in archive.names:
        return Extracted(_odt(archive), "odt")
    if mimetype == b"application/epub+zip" or "META-INF/container.xml" in archive.names:
        return Extracted(_epub(archive), "epub")
    raise InputError(f"{source}: a zip archive that is not a DOCX, ODT or EPUB document")


def _blocks(blocks: list[str]) -> str:
    kept = [b.strip() for b in blocks if b.strip()]
    return "\n\n".join(kept) + ("\n" if kept else "")


# ---------------------------------------------------------------- DOCX


def _docx(archive: _Archive) -> str:
    body = archive.xml("word/document.xml")
    blocks = []
    for paragraph in body.iter(f"{_W}p"):
        parts = []
        stack = [paragraph]  # a stack, not recursion; a paragraph in a text box is a block of its own
        while stack:
            node = stack.pop()
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif node is paragraph or node.tag != f"{_W}p":
                stack.extend(reversed(node))
        blocks.append("".join(parts))
    return _blocks(blocks)


# ---------------------------------------------------------------- ODT


def _odt(archive: _Archive) -> str:
    root = archive.xml("content.xml")
    blocks: list[str] = []
    for node in root.iter():
        if node.tag in (f"{_TEXT}p", f"{_TEXT}h"):
            blocks.append(_odt_text(node))
    return _blocks(blocks)


def _odt_text(paragraph: ET.Element) -> str:
    """A paragraph's text, walked with a stack: spans nested 200,000 deep must not recurse."""
    parts: list[str] = []
    stack: list[ET.Element | str] = [paragraph]  # an element to enter, or text (a tail) to add
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        tag = item.tag
        if tag == f"{_TEXT}s":
            parts.append(" " * min(_count(item.get(f"{_TEXT}c")), 1000))
        elif tag == f"{_TEXT}tab":
            parts.append("\t")
        elif tag == f"{_TEXT}line-break":
            parts.append("\n")
        elif item is paragraph or tag not in (f"{_TEXT}note", f"{_TEXT}p", f"{_TEXT}h"):
            parts.append(item.text or "")  # a note's own paragraphs are read as blocks of their own
            for child in reversed(item):
                stack.append(child.tail or "")
                stack.append(child)
    return "".join(parts)


def _count(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


# ---------------------------------------------------------------- EPUB


def _epub(archive: _Archive) -> str:
    from .html import html_to_text

    container = archive.xml("META-INF/container.xml")
    rootfile = next(container.iter(f"{_CONTAINER}rootfile"), None)
    if rootfile is None or not rootfile.get("full-path"):
        raise InputError(f"{archive.source}: an EPUB without a package document")
    opf_path = rootfile.get("full-path", "")
    opf = archive.xml(opf_path)
    folder = posixpath.dirname(opf_path)
    manifest = {item.get("id"): item for item in opf.iter(f"{_OPF}item")}
    chapters = []
    for ref in opf.iter(f"{_OPF}itemref"):
        item = manifest.get(ref.get("idref"))
        if item is None or "html" not in (item.get("media-type") or ""):
            continue
        name = posixpath.normpath(posixpath.join(folder, unquote(item.get("href", ""))))
        if name in archive.names:
            chapters.append(html_to_text(archive.read(name).decode("utf-8", errors="replace")))
    return _blocks(chapters)
