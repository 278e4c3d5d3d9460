"""Make document text inert before it reaches a terminal.

Documents are untrusted: an ESC sequence could clear the screen, retitle the window or
plant a hyperlink, and bidi overrides can reorder what the reader sees. Everything shown
on a terminal (Rich or plain output) goes through :func:`inert`; JSON keeps the exact text,
escaped by :func:`json_safe`.
"""

from __future__ import annotations

import re

# ESC-introduced sequences are removed whole, so that no parameter debris is left behind:
# CSI (ESC [ ... final), OSC/DCS/APC/PM/SOS strings (ended by BEL or ST), then any other
# two-character escape. The 8-bit C1 introducers are handled the same way.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# Remaining C0 controls (tab and newline are harmless), DEL, C1, and the bidi
# embedding/override/isolate marks (U+202A-U+202E, U+2066-U+2069).
_C0 = r"\x00-\x08\x0b-\x1f"
_C1_BIDI = r"\x7f-\x9f\u202a-\u202e\u2066-\u2069"
# Lone surrogates come from undecodable bytes in file names and arguments (Python's
# surrogateescape); a UTF-8 stream refuses to write them, so they are shown as U+FFFD.
_SURROGATES = r"\ud800-\udfff"
_CONTROL = re.compile(f"[{_C0}{_C1_BIDI}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
_UNSAFE = re.compile(f"[{_C0}{_C1_BIDI}{_SURROGATES}]")
# json.dumps escapes C0 itself; U+2028/9 are line breaks to some terminals and JavaScript.
_JSON_UNSAFE = re.compile(f"[{_C1_BIDI}\u2028\u2029{_SURROGATES}]")


def inert(text: str) -> str:
    """Return ``text`` with terminal control sequences and bidi overrides removed, lone surrogates as U+FFFD."""
    if not _UNSAFE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", _SEQUENCE.sub("", text)))


def escaped_line(text: str) -> str:
    """:func:`inert`, with newlines and tabs shown escaped (``\\n``, ``\\t``, as ``ls -b`` does):
    for a file name or a message that must stay on one line of its own."""
    return inert(text).translate(_LINE_ESCAPES)


_LINE_ESCAPES = str.maketrans({"\n": "\\n", "\t": "\\t"})


def json_safe(encoded: str) -> str:
    """Escape the characters ``json.dumps(ensure_ascii=False)`` leaves raw but a terminal obeys.

    Lone surrogates are escaped too (``\\udce9``): valid JSON, and writable to any UTF-8 stream.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def blank_controls(text: str) -> str:
    """``text`` with control sequences and characters turned into spaces, same length, so that
    offsets still hold: what reads words out of a sentence never takes them from an escape."""
    if not _CONTROL.search(text):
        return text
    text = _SEQUENCE.sub(lambda m: " " * len(m.group()), text)
    return _CONTROL.sub(" ", text)
