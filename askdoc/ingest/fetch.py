"""Documents at http and https URLs, fetched with ``urllib`` within limits.

A URL is untrusted like a file, and slower: one request may take at most ``TIMEOUT`` seconds
between bytes and ``DEADLINE`` in all, and bring at most ``MAX_BYTES`` (an endless stream is
cut there and is an error); redirects are followed at most ``MAX_REDIRECTS`` times and only to
http or https. The Content-Type header picks the reader where the bytes do not (HTML, PDF,
Markdown...), and its charset decodes the text unless ``--encoding`` names one.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import urlsplit

from ..errors import InputError

TIMEOUT = 20.0
DEADLINE = 120.0
MAX_BYTES = 64 << 20
MAX_REDIRECTS = 5
_CHUNK = 1 << 16
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Content types askdoc reads, and the reader each goes to (None: the bytes and name decide).
_KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/x-rst": "rst",
    "text/prs.fallenstein.rst": "rst",
}


def is_url(arg: str) -> bool:
    """Does a command-line argument name a URL (any scheme) rather than a path?"""
    return bool(_URL.match(arg))


class Fetched:
    """A URL's bytes, the reader its Content-Type names (None: sniff) and its charset."""

    def __init__(self, url: str, data: bytes, kind: str | None, charset: str | None, name: str):
        self.url, self.data, self.kind, self.charset, self.name = url, data, kind, charset, name


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise InputError(f"{req.full_url}: redirected to {newurl}, which is not an http or https URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str) -> Fetched:
    """GET ``url``; every failure (404, timeout, refused, too big) is one InputError line."""
    from .. import __version__

    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as e:  # "http://[::1": an unclosed IPv6 address
        raise InputError(f"{url}: not a valid URL ({e})") from None
    if scheme not in ("http", "https"):
        raise InputError(f"{url}: askdoc reads only http and https URLs")
    opener = urllib.request.build_opener(_Redirects())
    asked = {"User-Agent": f"askdoc/{__version__}", "Accept-Encoding": "identity"}
    request = urllib.request.Request(url, headers=asked)
    started = time.monotonic()
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            headers: Message = response.headers
            chunks, size = [], 0
            while chunk := response.read1(_CHUNK):  # read1: one receive at a time, so the deadline holds
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InputError(f"{url}: more than {MAX_BYTES >> 20} MiB; askdoc stopped reading there")
                if time.monotonic() - started > DEADLINE:
                    raise InputError(f"{url}: still sending after {DEADLINE:g} s; askdoc stopped reading there")
            missing = getattr(response, "length", None)  # what Content-Length promised and never came
            if missing:
                raise InputError(f"{url}: the answer was cut short ({missing:,} of {size + missing:,} bytes missing)")
            final = response.geturl()
    except urllib.error.HTTPError as e:
        if e.code in (301, 302, 303, 307, 308):
            raise InputError(f"{url}: too many redirects (more than {MAX_REDIRECTS}, or a loop)") from None
        raise InputError(f"{url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            raise InputError(f"{url}: no answer within {TIMEOUT:g} s") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise InputError(f"{url}: {text}") from None
    except TimeoutError:
        raise InputError(f"{url}: no answer within {TIMEOUT:g} s") from None
    except (OSError, ValueError) as e:  # a connection reset, a malformed URL or header
        raise InputError(f"{url}: {getattr(e, 'strerror', None) or e}") from None
    except http.client.InvalidURL as e:  # a space or a control character in the host
        raise InputError(f"{url}: not a valid URL ({e})") from None
    except http.client.HTTPException as e:  # not HTTP, a cut-short body, too many headers
        raise InputError(f"{url}: a broken HTTP answer ({type(e).__name__}: {e})") from None
    content_type = headers.get_content_type()
    path = urlsplit(final).path
    name = path.rsplit("/", 1)[-1] or "index.html"
    return Fetched(url, b"".join(chunks), _KINDS.get(content_type), headers.get_content_charset(), name)
