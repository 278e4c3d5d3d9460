"""Markdown and reStructuredText read as text, with the markup taken out of the evidence.

Line for line: each line of the file is one line of the extracted text (lines that are only
markup, such as code fences, rules and section underlines, become blank), so a sentence's
line number is its line in the file. Inline markup is unwrapped (``**bold**`` -> bold,
``[text](url)`` -> text, ``:ref:`text <target>``` -> text); code is kept as text.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- Markdown

_MD_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+\s*)?$")
_MD_RULE = re.compile(r"^\s{0,3}(?:(?:[-*_]\s*){3,}|=+\s*)$")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_BULLET = re.compile(r"^(\s*)[*+](\s+)")
_MD_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
_MD_CODE = re.compile(r"(`+)(.+?)\1")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_MD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _md_inline(line: str) -> str:
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:  # code spans are literal: nothing inside is markup
        codes.append(m.group(2).strip())
        return f"\x00{len(codes) - 1}\x00"

    line = _MD_CODE.sub(keep_code, line)

    def keep_escaped(m: re.Match[str]) -> str:  # \* is a literal star, never emphasis
        codes.append(m.group(1))
        return f"\x00{len(codes) - 1}\x00"

    line = _MD_ESCAPE.sub(keep_escaped, line)
    line = _MD_IMAGE.sub(r"\1", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _HTML_TAG.sub("", line)
    for _ in range(2):  # ***both*** and nested emphasis
        line = _MD_STRONG.sub(r"\2", line)
        line = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
    line = _MD_STRIKE.sub(r"\1", line)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], line)


def markdown_to_text(text: str) -> str:
    """Markdown as the reader sees it rendered, one output line per input line."""
    text = _HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None
    front_matter = bool(lines) and lines[0].strip() == "---"
    for number, line in enumerate(lines):
        end = "\r" if line.endswith("\r") else ""
        body = line[:-1] if end else line
        if front_matter:  # YAML front matter: metadata, not text
            out.append(end)
            if number > 0 and body.strip() in ("---", "..."):
                front_matter = False
            continue
        fenced = _MD_FENCE.match(body)
        if fence is not None:
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence):
                fence = None
                out.append(end)
            else:
                out.append(line)  # code is kept as it is
            continue
        if fenced:
            fence = fenced.group(1)
            out.append(end)
            continue
        if _MD_RULE.match(body) or _MD_REFERENCE.match(body) or _MD_TABLE_RULE.match(body):
            out.append(end)
            continue
        heading = _MD_HEADING.match(body)
        if heading:
            body = heading.group(1)
        body = _MD_QUOTE.sub("", body)
        body = _MD_BULLET.sub(r"\1-\2", body)
        if body.lstrip().startswith("|") or body.count(" | ") >= 1 and body.rstrip().endswith("|"):
            body = " ".join(cell.strip() for cell in body.strip().strip("|").split("|"))
        out.append(_md_inline(body) + end)
    return "\n".join(out)


# ---------------------------------------------------------------- reStructuredText

_RST_ADORNMENT = re.compile(r"""^([=\-`:'"~^_*+#<>.])\1{2,}\s*$""")
_RST_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+(?:\|[^|]+\|\s+)?([\w:+-]+)::\s*(.*)$")
_RST_COMMENT_OR_TARGET = re.compile(r"^(\s*)\.\.(?:\s|$)")
_RST_OPTION = re.compile(r"^\s+:[\w -]+:(?:\s.*)?$")
_RST_ROLE = re.compile(r":[\w:+.-]+:`([^`]*)`")
_RST_ROLE_AFTER = re.compile(r"`([^`]*)`:[\w:+.-]+:")
_RST_LINK = re.compile(r"`([^`<]*?)\s*<[^>`]*>`__?")
_RST_REFERENCE = re.compile(r"`([^`]+)`__?")
_RST_LITERAL = re.compile(r"``(.+?)``")
_RST_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_RST_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_RST_INTERPRETED = re.compile(r"(?<![\w`])`(?=\S)([^`]+?)(?<=\S)`(?![\w`])")
_RST_FOOTNOTE = re.compile(r"\s?\[(?:#\w*|\*|\d+|[\w-]+)\]_")
_RST_WORD_REFERENCE = re.compile(r"\b([A-Za-z][\w-]*)__?(?=[\s.,;:!?)]|$)")
_RST_SUBSTITUTION = re.compile(r"\|([^|\s][^|]*)\|(?:__?)?")
# Directives whose body is text a reader sees; any other directive's body (code, images,
# tables of contents, raw HTML) is dropped with it... except code, which is kept as text.
_TEXT_DIRECTIVES = frozenset(
    "note warning tip hint important caution danger attention error admonition seealso topic sidebar "
    "versionadded versionchanged deprecated rubric epigraph highlights pull-quote container compound "
    "code code-block sourcecode literalinclude parsed-literal glossary centered hlist only line-block "
    "describe function class method attribute data option envvar program cmdoption".split()
)
# Directives whose argument (after ::) is itself text: a title.
_TITLED = frozenset("topic sidebar admonition rubric versionadded versionchanged deprecated".split())


def _rst_inline(line: str) -> str:
    literals: list[str] = []

    def keep(m: re.Match[str]) -> str:
        literals.append(m.group(1))
        return f"\x00{len(literals) - 1}\x00"

    line = _RST_LITERAL.sub(keep, line)
    line = _RST_ROLE.sub(lambda m: re.sub(r"\s*<[^>]*>$", "", m.group(1)).lstrip("~!"), line)
    line = _RST_ROLE_AFTER.sub(r"\1", line)
    line = _RST_LINK.sub(r"\1", line)
    line = _RST_REFERENCE.sub(r"\1", line)
    line = _RST_STRONG.sub(r"\1", line)
    line = _RST_EMPHASIS.sub(r"\1", line)
    line = _RST_INTERPRETED.sub(r"\1", line)
    line = _RST_FOOTNOTE.sub("", line)
    line = _RST_SUBSTITUTION.sub(r"\1", line)
    line = _RST_WORD_REFERENCE.sub(r"\1", line)
    if line.rstrip().endswith("::"):  # "Paragraph::" introduces a literal block and reads "Paragraph:"
        stripped = line.rstrip()
        line = stripped[:-2].rstrip() + (":" if stripped[:-2].strip() else "") + line[len(stripped) :]
    return re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], line)


def rst_to_text(text: str) -> str:
    """reStructuredText as a reader sees it rendered, one output line per input line."""
    lines = text.split("\n")
    out: list[str] = []
    dropping: int | None = None  # the indentation of a dropped directive or comment
    options: int | None = None  # inside a directive's option list (":maxdepth: 2")
    for line in lines:
        end = "\r" if line.endswith("\r") else ""
        body = line[:-1] if end else line
        indent = len(body) - len(body.lstrip())
        if dropping is not None:
            if not body.strip() or indent > dropping:
                out.append(end)
                continue
            dropping = None
        if options is not None:
            if _RST_OPTION.match(body) and indent > options:
                out.append(end)
                continue
            options = None
        if _RST_ADORNMENT.match(body.strip()) and body.strip():
            out.append(end)
            continue
        directive = _RST_DIRECTIVE.match(body)
        if directive:
            name = directive.group(2).split(":")[-1].lower()
            if name in _TEXT_DIRECTIVES:
                options = indent
                argument = directive.group(3) if name in _TITLED else ""
                out.append(body[:indent] + _rst_inline(argument) + end)
            else:
                dropping = indent
                out.append(end)
            continue
        if _RST_COMMENT_OR_TARGET.match(body):  # comments, targets (.. _label:), footnote bodies
            dropping = indent
            out.append(end)
            continue
        out.append(_rst_inline(body) + end)
    return "\n".join(out)
