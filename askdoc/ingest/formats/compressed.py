"""gzip, bzip2 and xz, decompressed as a stream with a hard cap on the output (bombs stop early)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma

from ...errors import InputError
from . import MAX_OUTPUT

_CHUNK = 1 << 20


def decompress(data: bytes, family: str, source: str, limit: int = MAX_OUTPUT) -> bytes:
    """The decompressed bytes; more than ``limit`` of them is an error (found within ``limit + 1 MiB``)."""
    out = bytearray()
    try:
        with _reader(family, io.BytesIO(data)) as f:
            while chunk := f.read(_CHUNK):
                out += chunk
                if len(out) > limit:
                    too_big = f"decompresses to more than {limit >> 20} MiB; askdoc stops there (a compression bomb?)"
                    raise InputError(f"{source}: {too_big}")
    except (OSError, EOFError, lzma.LZMAError, ValueError) as e:
        raise InputError(f"{source}: damaged {family} data ({e})") from None
    return bytes(out)


def _reader(family: str, stream: io.BytesIO) -> io.BufferedIOBase:
    if family == "gzip":
        return gzip.GzipFile(fileobj=stream)
    return bz2.BZ2File(stream) if family == "bzip2" else lzma.LZMAFile(stream)
