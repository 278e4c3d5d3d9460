"""Markdown and reStructuredText read as text, with the markup taken out of the evidence.

Line for line: each line of the file is one line of the extracted text (lines that are only
markup, such as code fences, rules and section underlines, become blank), so a sentence's
line number is its line in the file. Inline markup is unwrapped (``**bold**`` -> bold,
``[text](url)`` -> text, ``:ref:`text <target>``` -> text) a paragraph at a time, since it
may span lines; where markup that held a line break goes, the break stays. Code is kept as
text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (line without its newline, whether inline markup is read in it): what the block pass yields
_Line = tuple[str, bool]


def _sub(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str) -> str:
    """``pattern.sub``, keeping every line break the replaced markup held (line numbers hold)."""

    def keep_lines(m: re.Match[str]) -> str:
        out = m.expand(repl) if isinstance(repl, str) else repl(m)
        lost = m.group(0).count("\n") - out.count("\n")
        return out + "\n" * lost if lost > 0 else out

    return pattern.sub(keep_lines, text)


def _paragraphs(lines: list[_Line], inline: Callable[[str], str]) -> str:
    """Join the block pass's lines, reading inline markup over each run of text lines at once."""
    out: list[str] = []
    run: list[str] = []
    for line, is_text in lines:
        if is_text and line.strip():
            run.append(line)
            continue
        if run:
            out.append(inline("\n".join(run)))
            run = []
        out.append(line)
    if run:
        out.append(inline("\n".join(run)))
    return "\n".join(out)


# ---------------------------------------------------------------- Markdown

# Every span is bounded ({1,500} and the like): an opener that never closes then costs a few
# hundred steps, not a scan to the paragraph's end (quadratic on a hostile 80 KB paragraph: 21 s).
_MD_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_MD_RULE = re.compile(r"^\s{0,3}(?:(?:[-*_]\s*){3,}|=+\s*)$")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_BULLET = re.compile(r"^(\s*)[*+](\s+)")
_MD_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]{0,500})\]\([^)]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]]{1,500})\](?:\([^)]{0,2000}\)|\[[^\]]{0,500}\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]{1,2000})>")
_MD_CODE = re.compile(r"(`{1,10})([\s\S]{1,2000}?)\1")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)([\s\S]{1,500}?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)([^*]{1,500}?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]{1,500}?)(?<=\S)_(?![\w_])"
)
_MD_STRIKE = re.compile(r"~~(?=\S)([\s\S]{1,500}?)(?<=\S)~~")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,50}(?:\s[^<>]{0,2000})?/?>")


def _md_inline(text: str) -> str:
    kept: list[str] = []  # code spans and escaped characters: literal, nothing inside is markup

    def keep(value: str) -> str:
        kept.append(value)
        return f"\x00{len(kept) - 1}\x00"

    text = _MD_CODE.sub(lambda m: keep(m.group(2).strip(" ")), text)  # its line breaks go back in below
    text = _MD_ESCAPE.sub(lambda m: keep(m.group(1)), text)
    text = _sub(_MD_IMAGE, r"\1", text)
    text = _sub(_MD_LINK, r"\1", text)
    text = _sub(_MD_AUTOLINK, r"\1", text)
    text = _sub(_HTML_TAG, "", text)
    for _ in range(2):  # ***both*** and nested emphasis
        text = _sub(_MD_STRONG, r"\2", text)
        text = _sub(_MD_EMPHASIS, lambda m: m.group(1) or m.group(2), text)
    text = _sub(_MD_STRIKE, r"\1", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _without_comments(text: str) -> str:
    """HTML comments out, their line breaks kept; found with str.find, so linear in the text."""
    pieces, pos = [], 0
    while (start := text.find("<!--", pos)) != -1 and (end := text.find("-->", start + 4)) != -1:
        pieces += [text[pos:start], "\n" * text.count("\n", start, end)]
        pos = end + 3
    return "".join(pieces) + text[pos:]


def markdown_to_text(text: str) -> str:
    """Markdown as the reader sees it rendered, one output line per input line."""
    text = _without_comments(text)
    lines = text.split("\n")
    out: list[_Line] = []
    fence: str | None = None
    front_matter = bool(lines) and lines[0].strip() == "---"
    for number, line in enumerate(lines):
        end = "\r" if line.endswith("\r") else ""
        body = line[:-1] if end else line
        if front_matter:  # YAML front matter: metadata, not text
            out.append((end, False))
            if number > 0 and body.strip() in ("---", "..."):
                front_matter = False
            continue
        fenced = _MD_FENCE.match(body)
        if fence is not None:
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence):
                fence = None
                out.append((end, False))
            else:
                out.append((line, False))  # code is kept as it is
            continue
        if fenced:
            fence = fenced.group(1)
            out.append((end, False))
            continue
        if _MD_RULE.match(body) or _MD_REFERENCE.match(body) or _MD_TABLE_RULE.match(body):
            out.append((end, False))
            continue
        heading = _MD_HEADING.match(body)
        if heading:  # "## Title ##": the marks on both sides go
            body = body[heading.end() :].rstrip()
            closing = body.rstrip("#")
            if closing != body and (not closing or closing[-1] in " \t"):
                body = closing.rstrip()
        body = _MD_QUOTE.sub("", body)
        body = _MD_BULLET.sub(r"\1-\2", body)
        if body.lstrip().startswith("|") or body.count(" | ") >= 1 and body.rstrip().endswith("|"):
            body = " ".join(cell.strip() for cell in body.strip().strip("|").split("|"))
        out.append((body + end, True))
    return _paragraphs(out, _md_inline)


# ---------------------------------------------------------------- reStructuredText

_RST_ADORNMENT = re.compile(r"""^([=\-`:'"~^_*+#<>.])\1{2,}\s*$""")
_RST_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+(?:\|[^|]+\|\s+)?([\w:+-]+)::\s*(.*)$")
_RST_COMMENT_OR_TARGET = re.compile(r"^(\s*)\.\.(?:\s|$)")
_RST_OPTION = re.compile(r"^\s+:[\w -]+:(?:\s.*)?$")
_RST_ROLE = re.compile(r":[\w:+.-]{1,100}:`([^`]{0,2000})`")
_RST_ROLE_AFTER = re.compile(r"`([^`]{0,2000})`:[\w:+.-]{1,100}:")
_RST_LINK = re.compile(r"`([^`<]{0,500}?)\s*<[^>`]{0,2000}>`__?")
_RST_REFERENCE = re.compile(r"`([^`]{1,500})`__?")
_RST_LITERAL = re.compile(r"``([\s\S]{1,2000}?)``")
_RST_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)([\s\S]{1,500}?)(?<=\S)\*\*(?![\w*])")
_RST_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]{1,500}?)(?<=\S)\*(?![\w*])")
_RST_INTERPRETED = re.compile(r"(?<![\w`])`(?=\S)([^`]{1,500}?)(?<=\S)`(?![\w`])")
_RST_FOOTNOTE = re.compile(r"\s?\[(?:#\w*|\*|\d+|[\w-]+)\]_")
_RST_WORD_REFERENCE = re.compile(r"\b([A-Za-z][\w-]{0,100})__?(?=[\s.,;:!?)]|$)")
_RST_SUBSTITUTION = re.compile(r"\|([^|\s][^|]{0,200})\|(?:__?)?")
# Directives whose body is text a reader sees; any other directive's body (code, images,
# tables of contents, raw HTML) is dropped with it... except code, which is kept as text.
_TEXT_DIRECTIVES = frozenset(
    "note warning tip hint important caution danger attention error admonition seealso topic sidebar "
    "versionadded versionchanged deprecated rubric epigraph highlights pull-quote container compound "
    "code code-block sourcecode literalinclude parsed-literal glossary centered hlist only line-block "
    "describe function class method attribute data option envvar program cmdoption".split()
)
_CODE_DIRECTIVES = frozenset("code code-block sourcecode".split())  # parsed-literal reads inline markup
_VERSIONED = {
    "versionadded": "New in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
}
# Directives whose argument (after ::) is itself text: a title.
_TITLED = frozenset("topic sidebar admonition rubric versionadded versionchanged deprecated".split())


def _rst_inline(text: str) -> str:
    literals: list[str] = []

    def keep(m: re.Match[str]) -> str:
        literals.append(m.group(1))
        return f"\x00{len(literals) - 1}\x00"

    text = _RST_LITERAL.sub(keep, text)  # its line breaks go back in below
    text = _sub(_RST_ROLE, lambda m: re.sub(r"\s*<[^>]*>$", "", m.group(1)).lstrip("~!"), text)
    text = _sub(_RST_ROLE_AFTER, r"\1", text)
    text = _sub(_RST_LINK, r"\1", text)
    text = _sub(_RST_REFERENCE, r"\1", text)
    text = _sub(_RST_STRONG, r"\1", text)
    text = _sub(_RST_EMPHASIS, r"\1", text)
    text = _sub(_RST_INTERPRETED, r"\1", text)
    text = _sub(_RST_FOOTNOTE, "", text)
    text = _sub(_RST_SUBSTITUTION, r"\1", text)
    text = _sub(_RST_WORD_REFERENCE, r"\1", text)
    lines = text.split("\n")
    for i, line in enumerate(lines):  # "Paragraph::" introduces a literal block and reads "Paragraph:"
        stripped = line.rstrip()
        if stripped.endswith("::"):
            lines[i] = stripped[:-2].rstrip() + (":" if stripped[:-2].strip() else "") + line[len(stripped) :]
    return re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], "\n".join(lines))


def rst_to_text(text: str) -> str:
    """reStructuredText as a reader sees it rendered, one output line per input line."""
    lines = text.split("\n")
    out: list[_Line] = []
    dropping: int | None = None  # the indentation of a dropped directive or comment
    options: int | None = None  # inside a directive's option list (":maxdepth: 2")
    literal: int | None = None  # the indentation a literal block ("::", code-block) is deeper than
    for line in lines:
        end = "\r" if line.endswith("\r") else ""
        body = line[:-1] if end else line
        indent = len(body) - len(body.lstrip())
        if dropping is not None:
            if not body.strip() or indent > dropping:
                out.append((end, False))
                continue
            dropping = None
        if options is not None:
            if _RST_OPTION.match(body) and indent > options:
                out.append((end, False))
                continue
            options = None
        if literal is not None:
            if not body.strip() or indent > literal:
                out.append((line, False))  # code is kept as it is
                continue
            literal = None
        if _RST_ADORNMENT.match(body.strip()) and body.strip():
            out.append((end, False))
            continue
        directive = _RST_DIRECTIVE.match(body)
        if directive:
            name = directive.group(2).split(":")[-1].lower()
            if name in _TEXT_DIRECTIVES:
                options = indent
                if name in _CODE_DIRECTIVES:
                    literal = indent
                argument = directive.group(3) if name in _TITLED else ""
                if name in _VERSIONED and argument:  # as Sphinx renders it: "New in version 3.20."
                    argument = f"{_VERSIONED[name]} {argument.strip()}."
                out.append((body[:indent] + argument + end, True))
            else:
                dropping = indent
                out.append((end, False))
            continue
        if _RST_COMMENT_OR_TARGET.match(body):  # comments, targets (.. _label:), footnote bodies
            dropping = indent
            out.append((end, False))
            continue
        if body.rstrip().endswith("::"):
            literal = indent
        out.append((body + end, True))
    return _paragraphs(out, _rst_inline)
