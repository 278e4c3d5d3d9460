"""Build the benchmark corpus: real English prose from Debian documentation packages.

    python benchmarks/make_corpus.py                 # fetch, unpack, extract, write the sets
    python benchmarks/make_corpus.py --sizes 10k 100k
    python benchmarks/make_corpus.py --packages git-doc=1:2.39.5-0+deb12u3 ...   # pin versions

Steps, all under ``benchmarks/work/`` (git-ignored; nothing is installed system-wide):

1. ``apt-get download`` each package into ``work/debs/`` (a .deb already there is reused, so a
   rerun reads the very same bytes; delete it, or pass ``--refresh``, to fetch the archive's
   current version). Run ``apt-get update`` once before the first run.
2. ``dpkg-deb -x`` each into ``work/pkgs/NAME/``.
3. Extract prose from each package's documentation files in sorted path order: HTML
   (tags stripped; ``<pre>``, scripts, navigation and tables of code dropped), reStructuredText
   and AsciiDoc (markup removed; literal and code blocks dropped), POD (verbatim paragraphs
   dropped). The KJV Bible is printed with the ``bible`` program of the bible-kjv package, run
   from its unpacked folder.
4. Split the prose with askdoc's own splitter (``askdoc.ingest.sentences.split``), normalise each
   sentence's whitespace, keep sentences that look like English prose (4-80 words, mostly
   words, not code), drop exact duplicates, and keep only a sentence that askdoc's splitter
   gives back unchanged when it stands alone, so that ``askdoc index SET`` sees exactly the
   sentences written here.
5. Cut each source file's sentences into runs of up to ``RUN`` consecutive sentences, order
   the runs by a keyed hash (SHA-256 of seed + package + path + run number: stable across
   Python versions and machines), and write each set as the first N sentences of that order,
   so 10k is a prefix of 100k, which is a prefix of 1M. A set is a folder of .txt files of
   ``PER_FILE`` sentences each, separated by blank lines.
6. Write ``queries.jsonl``: 200 keyword queries, each 3-6 content words (in their order)
   taken from one sentence of the 10k set, the sentences chosen by the same keyed hash.
   Every query's source sentence is in every set.
7. Write ``manifest.json``: packages and versions (from the .deb files themselves), the
   extraction counts, each set's sentence count and a SHA-256 of its text.

Same packages (same .deb files) and same seed -> byte-identical sets and queries.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from askdoc.ingest.analysis import STOPWORDS
from askdoc.ingest.sentences import split

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
SEED = "askdoc-bench-1"
RUN = 40  # consecutive sentences kept together (a passage of one file)
PER_FILE = 1000  # sentences per .txt file of a set
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
QUERIES = 200

# Debian bookworm names. bible-kjv is the program that decodes bible-kjv-text's data file.
DEFAULT_PACKAGES = [
    "linux-doc-6.1",
    "python3.11-doc",
    "perl-doc",
    "postgresql-doc-15",
    "openjdk-17-doc",
    "python-django-doc",
    "git-doc",
    "erlang-doc",
    "rust-doc",
    "debian-reference-en",
    "bible-kjv-text",
    "bible-kjv",
    # more prose, so that the 1M set fills up
    "libreoffice-help-en-us",
    "gimp-help-en",
    "debian-handbook",
    "gnucash-docs",
    "python-sqlalchemy-doc",
    "python-scipy-doc",
    "gnome-user-docs",
    "manpages",
    "manpages-dev",
    "nodejs-doc",
    "libglib2.0-doc",
    "libgtk-3-doc",
    "octave-doc",
    "r-doc-html",
    "sqlite3-doc",
    "qtbase5-doc-html",
    "qtdeclarative5-doc-html",
    "qttools5-doc-html",
    "qtmultimedia5-doc-html",
    "qtconnectivity5-doc-html",
    "qtlocation5-doc-html",
    "linux-doc-6.12",
    "kicad-doc-en",
    "vim-runtime",
    "perl-modules-5.36",
    "golang-1.19-src",
    "dict-gcide",
]


# ----------------------------------------------------------------------------- fetch / unpack


def deb_field(deb: Path, field: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), field], check=True, capture_output=True, text=True
    ).stdout.strip()


def fetch(spec: str, refresh: bool) -> Path:
    """The .deb of ``NAME`` or ``NAME=VERSION`` in work/debs, downloaded unless already there."""
    name, _, version = spec.partition("=")
    debs = WORK / "debs"
    debs.mkdir(parents=True, exist_ok=True)

    def present() -> list[Path]:
        found = []
        for deb in sorted(debs.glob(f"{name}_*.deb")):
            if deb_field(deb, "Package") == name and (not version or deb_field(deb, "Version") == version):
                found.append(deb)
        return found

    found = present()
    if found and not refresh:
        return found[-1]
    for deb in found:
        deb.unlink()
    subprocess.run(["apt-get", "download", spec], cwd=debs, check=True, stdout=subprocess.DEVNULL)
    found = present()
    if not found:
        sys.exit(f"make_corpus: apt-get download {spec} left no .deb in {debs}")
    return found[-1]


def unpack(deb: Path, name: str) -> Path:
    dest = WORK / "pkgs" / name
    stamp = dest / ".unpacked-from"
    if stamp.is_file() and stamp.read_text() == deb.name:
        return dest
    if dest.exists():
        subprocess.run(["rm", "-rf", "--", str(dest)], check=True)
    dest.mkdir(parents=True)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True)
    stamp.write_text(deb.name)
    return dest


# ----------------------------------------------------------------------------- markup -> text


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith((".gz", ".dz")):
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


class _HTMLText(html.parser.HTMLParser):
    """Visible prose of an HTML page, one paragraph per block element, code and chrome dropped."""

    SKIP = {"script", "style", "pre", "head", "title", "nav", "header", "footer", "svg", "math", "noscript", "button"}
    BLOCK = {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "tr",
        "td",
        "th",
        "table",
        "section",
        "blockquote",
        "article",
        "aside",
        "main",
        "hr",
        "caption",
        "figcaption",
        "summary",
        "details",
        "body",
        "html",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(text: str) -> str:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


_RST_ROLE = re.compile(r":[\w:+.-]+:`([^`<]*?)\s*(?:<[^`>]*>)?`")
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^`>]*>`_{1,2}")
_RST_REF = re.compile(r"`([^`]+)`_{1,2}")
_RST_LIT = re.compile(r"``([^`]+)``")
_RST_EMPH = re.compile(r"\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")
_UNDERLINE = re.compile(r"^\s*([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_ADMONITIONS = {
    "note",
    "warning",
    "tip",
    "important",
    "hint",
    "caution",
    "attention",
    "seealso",
    "danger",
    "versionadded",
    "versionchanged",
    "deprecated",
    "admonition",
    "topic",
}
# Directives whose body is code, data or layout: skipped with their body. Any other directive
# (function, class, note, method, ...) keeps its indented body, where most reference prose lives.
_CODE_DIRECTIVES = {
    "code-block",
    "code",
    "sourcecode",
    "literalinclude",
    "highlight",
    "doctest",
    "testcode",
    "testoutput",
    "testsetup",
    "testcleanup",
    "productionlist",
    "toctree",
    "image",
    "figure",
    "math",
    "raw",
    "csv-table",
    "list-table",
    "table",
    "kernel-doc",
    "kernel-include",
    "graphviz",
    "only",
    "ifconfig",
    "include",
    "parsed-literal",
    "c:macro",
    "c:type",
    "c:var",
    "index",
    "tabularcolumns",
    "highlightlang",
    "moduleauthor",
    "sectionauthor",
    "contents",
    "autosummary",
    "automodule",
    "autoclass",
    "autofunction",
    "literal",
    "cssclass",
    "rst-class",
    "flat-table",
    "ssr",
    "glossary-ignore",
    "program-output",
    "command-output",
    "kfigure",
}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def light_markup_text(text: str) -> str:
    """reStructuredText or AsciiDoc source without markup, literal/code blocks, tables and directives."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    skip_indent = -1  # skip lines indented deeper than this (a literal block or a directive body)
    fence: str | None = None  # AsciiDoc ----, ...., ```` delimited blocks
    prev_blank = True
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        stripped = line.strip()
        if fence is not None:
            if stripped == fence:
                fence = None
            continue
        if re.fullmatch(r"(-{4,}|\.{4,}|`{3,}.*|={4,}|\+{4,}|/{4,}|_{4,}|\*{4,})", stripped) and prev_blank:
            fence = stripped if not stripped.startswith("```") else "```"
            continue
        if skip_indent >= 0:
            if not stripped or _indent(line) > skip_indent:
                continue
            skip_indent = -1
        if not stripped:
            out.append("")
            prev_blank = True
            continue
        prev_blank = False
        if _UNDERLINE.match(line):
            continue
        if stripped.startswith(".. "):
            directive = re.match(r"\.\.\s+([\w:-]+)::", stripped)
            if not directive or directive.group(1) in _CODE_DIRECTIVES:
                skip_indent = _indent(line)  # a comment, a target, or a code directive: drop its body
                continue
            stripped = stripped.split("::", 1)[1].strip()
            if not stripped or directive.group(1) not in _ADMONITIONS:
                continue  # the signature of a function, class, ... : not prose; its body is
        if stripped.startswith(("+-", "|", "+=")) or re.match(r"^(include|ifdef|ifndef|endif|image)::", stripped):
            continue
        if re.match(r"^\[[^\]]*\]$", stripped) or re.match(r"^:[\w-]+:", stripped):  # attributes, field lists
            continue
        if stripped.endswith("::"):
            # A literal block follows: keep the sentence, drop the block.
            stripped = stripped[:-2].rstrip() + (":" if not stripped[:-2].endswith(" ") else "")
            skip_indent = _indent(line)
        stripped = _RST_LIT.sub(r"\1", stripped)
        stripped = _RST_ROLE.sub(r"\1", stripped)
        stripped = _RST_LINK.sub(r"\1", stripped)
        stripped = _RST_REF.sub(r"\1", stripped)
        stripped = _RST_EMPH.sub(lambda m: m.group(1) or m.group(2), stripped)
        stripped = re.sub(r"linkgit:([\w.-]+)\[\d\]", r"\1", stripped)
        stripped = re.sub(r"`([^`]+)`", r"\1", stripped)
        stripped = re.sub(r"(?<!\w)'([^'\s][^']*)'(?!\w)", r"\1", stripped)
        out.append(stripped)
    return "\n".join(out)


_POD_CODE = re.compile(r"[A-Z]<([^<>]*)>")
_POD_DOUBLE = re.compile(r"[A-Z]<{2,}\s+(.*?)\s+>{2,}")


def _pod_inline(text: str) -> str:
    text = _POD_DOUBLE.sub(r"\1", text)
    text = re.sub(r"X<[^<>]*>", "", text)
    text = re.sub(r"E<lt>", "<", text)
    text = re.sub(r"E<gt>", ">", text)
    text = re.sub(r"E<[^<>]*>", "", text)
    for _ in range(5):
        new = re.sub(r"L<([^<>|]*)\|[^<>]*>", r"\1", text)
        new = _POD_CODE.sub(r"\1", new)
        if new == text:
            break
        text = new
    return text


def pod_text(text: str) -> str:
    """POD prose paragraphs: commands and verbatim (indented) paragraphs dropped.

    In a Perl module, only the POD is read: from a ``=command`` paragraph up to ``=cut``."""
    out = []
    skipping = False
    in_pod = not re.search(r"^=cut\b", text, re.M) or text.startswith("=")
    for para in re.split(r"\n\s*\n", text):
        if not para.strip():
            continue
        if para.startswith("=cut"):
            in_pod = False
            continue
        if para.startswith("="):
            in_pod = True
        if not in_pod:
            continue
        if para.startswith("="):
            command = para.split(None, 1)
            if command[0] in ("=begin", "=for"):
                skipping = command[0] == "=begin"
                continue
            if command[0] == "=end":
                skipping = False
                continue
            if command[0] in ("=item", "=head1", "=head2", "=head3", "=head4") and len(command) > 1:
                out.append(_pod_inline(command[1].strip()))
            continue
        if skipping or para[0] in " \t":
            continue
        out.append(_pod_inline(para))
    return "\n\n".join(out)


_ROFF_ESCAPES = [
    (re.compile(r"\\f(\[[^\]]*\]|\(..|.)"), ""),  # font changes
    (re.compile(r"\\s[+-]?\d"), ""),
    (re.compile(r"\\\((aq|cq)"), "'"),
    (re.compile(r"\\\((lq|rq|dq)"), '"'),
    (re.compile(r"\\\((em|en|hy|mi)"), "-"),
    (re.compile(r"\\\*(\(..|\[[^\]]*\]|.)"), ""),
    (re.compile(r"\\\(.."), ""),
    (re.compile(r"\\[-e]"), lambda m: "-" if m.group() == "\\-" else "\\"),
    (re.compile(r"\\[&c|^%]"), ""),
    (re.compile(r"\\[ ~0]"), " "),
]


def _roff_inline(text: str) -> str:
    for pattern, repl in _ROFF_ESCAPES:
        text = pattern.sub(repl, text)
    return text


def man_text(text: str) -> str:
    """Prose of a man page (roff source): macros dropped, no-fill (example) blocks skipped."""
    out: list[str] = []
    nofill = False
    for line in text.splitlines():
        if line.startswith((".", "'")):
            parts = line[1:].split(None, 1)
            macro = parts[0] if parts else ""
            if macro in ("nf", "EX"):
                nofill = True
            elif macro in ("fi", "EE"):
                nofill = False
            elif macro in ("B", "I", "BR", "IR", "RB", "BI", "IB", "RI", "SM") and len(parts) > 1 and not nofill:
                args = re.findall(r'"([^"]*)"|(\S+)', parts[1])
                joiner = " " if macro in ("B", "I", "SM") else ""
                out.append(_roff_inline(joiner.join(a or b for a, b in args)))
            else:  # headings, paragraphs, tagged paragraphs, comments: a paragraph break
                out.append("")
            continue
        if not nofill:
            out.append(_roff_inline(line))
    # roff joins the lines of a paragraph: so do we, so that the splitter sees prose
    return "\n\n".join(" ".join(p.split()) for p in "\n".join(out).split("\n\n"))


def gcide_text(text: str) -> str:
    """The GNU Collaborative International Dictionary (Webster 1913): definitions and quotations as paragraphs."""
    paras: list[str] = []
    cur: list[str] = []
    for line in text.splitlines():
        if not line.strip() or not line[0].isspace():  # blank line, or a headword line: a new paragraph
            if cur:
                paras.append(" ".join(cur))
            cur = []
            continue
        s = line.strip()
        if re.fullmatch(r"\[[^\]]*\]", s):
            if cur:
                paras.append(" ".join(cur))
            cur = []
            continue
        s = re.sub(r"\s*--\s*[A-Z][\w.'& ]*\.?$", "", s)  # "--Milton." attributions
        s = re.sub(r"^\d+\.\s+|^\([a-z]\)\s+", "", s)
        s = re.sub(r"\[[^\]]*\]", "", s)
        s = re.sub(r"\\[^\\]*\\", "", s)
        s = s.replace("{", "").replace("}", "")
        cur.append(s)
    if cur:
        paras.append(" ".join(cur))
    return "\n\n".join(" ".join(p.split()) for p in paras)


def go_comment_text(text: str) -> str:
    """The // comments of Go source as paragraphs (doc comments are prose); indented code examples dropped."""
    paras: list[str] = []
    cur: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("//") and not s.startswith(("//go:", "// +build", "//line")):
            body = s[2:]
            if body.startswith(("\t", "   ")) or not body.strip():  # a code example, or a blank comment line
                if cur:
                    paras.append(" ".join(cur))
                cur = []
                continue
            cur.append(body.strip())
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return "\n\n".join(paras)


def vim_help_text(text: str) -> str:
    """Vim help files: tags and links unwrapped, example blocks (after a line ending in ' >') dropped."""
    out: list[str] = []
    example = False
    for line in text.splitlines():
        if example:
            if line and not line[0].isspace() or line.startswith("<"):
                example = False
                line = line[1:] if line.startswith("<") else line
            else:
                continue
        if line.rstrip().endswith(" >") or line.rstrip() == ">":
            example = True
            line = line.rstrip()[:-1]
        if re.match(r"^[=\-~]{5,}\s*$", line) or line.startswith("vim:"):
            out.append("")
            continue
        line = re.sub(r"\*[^*\s]+\*", "", line)
        line = re.sub(r"\|([^|\s]+)\|", r"\1", line)
        line = re.sub(r"`([^`]+)`", r"\1", line)
        out.append(line.rstrip())
    return "\n".join(out)


# ----------------------------------------------------------------------------- per-package sources

Extractor = Callable[[str], str]

# (package, path regex over the path relative to the unpacked root, exclusions, extractor)
RULES: dict[str, tuple[str, str | None, Extractor]] = {
    "linux-doc-6.1": (
        r"usr/share/doc/linux-doc-6\.1/Documentation/.*\.(rst|txt)(\.gz)?$",
        r"/Documentation/(translations|ABI|devicetree/bindings|output)/",
        light_markup_text,
    ),
    "python3.11-doc": (
        r"usr/share/doc/python3\.11/html/_sources/.*\.rst\.txt$",
        r"/whatsnew/changelog|/_sources/(license|copyright)",
        light_markup_text,
    ),
    "perl-doc": (r"usr/share/perl/[^/]+/pod/.*\.pod$", r"perl\d+delta\.pod$|perltoc\.pod$", pod_text),
    "postgresql-doc-15": (r"usr/share/doc/postgresql-doc-15/html/.*\.html$", r"/(bookindex|release-)", html_text),
    "openjdk-17-doc": (
        r"usr/share/doc/openjdk-17-jre-headless/(api|specs)/.*\.html$",
        r"/class-use/|/index-files/|-tree\.html$|/(allclasses|allpackages|deprecated-list|overview-tree|"
        r"serialized-form|constant-values|search|index-all|help-doc|new-list|preview-list)[^/]*\.html$",
        html_text,
    ),
    "python-django-doc": (
        r"usr/share/doc/python-django-doc/html/.*\.html$",
        r"/(_modules|_static|_sources)/|/(genindex|search|py-modindex)\.html$",
        html_text,
    ),
    "git-doc": (r"usr/share/doc/git-doc/.*\.txt$", r"/RelNotes/|/howto-index", light_markup_text),
    "erlang-doc": (
        r"usr/share/doc/erlang-doc/.*\.html$",
        r"/java/|/(index|search|release_notes|notes)\.html$",
        html_text,
    ),
    "rust-doc": (
        r"usr/share/doc/rust-doc/html/(book|reference|nomicon|rust-by-example|edition-guide|embedded-book|rustc|"
        r"rustdoc|unstable-book)/.*\.html$",
        r"/(print|toc|404|searchindex)\.html$",
        html_text,
    ),
    "debian-reference-en": (r"usr/share/debian-reference/.*\.en\.html$", None, html_text),
    "libreoffice-help-en-us": (r"usr/share/libreoffice/help/en-US/.*\.html$", None, html_text),
    "gimp-help-en": (r"usr/share/gimp/2\.0/help/en/.*\.html$", None, html_text),
    "debian-handbook": (r"usr/share/doc/debian-handbook/html/en-US/.*\.html$", None, html_text),
    "gnucash-docs": (r"usr/share/doc/gnucash-docs/gnucash-(guide|help)-en/.*\.html$", None, html_text),
    "python-sqlalchemy-doc": (r"usr/share/doc/python-sqlalchemy-doc/rst/.*\.rst$", r"/changelog/", light_markup_text),
    "python-scipy-doc": (
        r"usr/share/doc/python-scipy-doc/html/.*\.html$",
        r"/release\.|/(_modules|_static|_sources)/|/(genindex|search|py-modindex)\.html$",
        html_text,
    ),
    "gnome-user-docs": (r"usr/share/help/C/.*\.page$", None, html_text),
    "manpages": (r"usr/share/man/man\d/.*\.gz$", None, man_text),
    "manpages-dev": (r"usr/share/man/man\d/.*\.gz$", None, man_text),
    "nodejs-doc": (r"usr/share/doc/nodejs/api/.*\.html$", r"/all\.html$", html_text),
    "libglib2.0-doc": (r"usr/share/.*\.html$", None, html_text),
    "libgtk-3-doc": (r"usr/share/.*\.html$", None, html_text),
    "octave-doc": (r"usr/share/.*\.html$", None, html_text),
    "r-doc-html": (r"usr/share/.*\.html$", None, html_text),
    "sqlite3-doc": (r"usr/share/.*\.html$", r"/(changes|releaselog/.*)\.html$", html_text),
    "qtbase5-doc-html": (r"usr/share/qt5/doc/.*\.html$", r"-(members|obsolete)\.html$", html_text),
    "qtlocation5-doc-html": (r"usr/share/qt5/doc/.*\.html$", r"-(members|obsolete)\.html$", html_text),
    "qtconnectivity5-doc-html": (r"usr/share/qt5/doc/.*\.html$", r"-(members|obsolete)\.html$", html_text),
    "qtmultimedia5-doc-html": (r"usr/share/qt5/doc/.*\.html$", r"-(members|obsolete)\.html$", html_text),
    "qttools5-doc-html": (r"usr/share/qt5/doc/.*\.html$", r"-(members|obsolete)\.html$", html_text),
    "qtdeclarative5-doc-html": (r"usr/share/qt5/doc/.*\.html$", r"-(members|obsolete)\.html$", html_text),
    "kicad-doc-en": (r"usr/share/.*\.html$", None, html_text),
    "linux-doc-6.12": (
        r"usr/share/doc/linux-doc-6\.12/Documentation/.*\.(rst|txt)(\.gz)?$",
        r"/Documentation/(translations|ABI|devicetree/bindings|output)/",
        light_markup_text,
    ),
    "dict-gcide": (r"usr/share/dictd/gcide\.dict\.dz$", None, gcide_text),
    "perl-modules-5.36": (r"usr/share/perl/[^/]+/.*\.(pm|pod)$", None, pod_text),
    "golang-1.19-src": (r"usr/share/go-1\.19/src/.*\.go$", r"_test\.go$|/testdata/|/vendor/", go_comment_text),
    "vim-runtime": (r"usr/share/vim/vim\d+/doc/.*\.txt$", None, vim_help_text),
}


def package_items(name: str, root: Path, bible_program: Path | None) -> Iterator[tuple[str, str | None]]:
    """(relative path, text or None) for each documentation file of a package, sorted by path.

    None means "read and extract the file" (done in the worker, it is the costly part)."""
    if name == "bible-kjv-text":
        if bible_program is None:
            return
        out = subprocess.run(
            [str(bible_program), "-f", "-l", "100000", "-p", str(root / "usr/lib"), "gen1:1-rev22:21"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        # "Ge1:1 In the beginning ..." one verse a line; a chapter becomes one paragraph of prose.
        chapters: dict[str, list[str]] = {}
        for line in out.splitlines():
            m = re.match(r"(\w+?)(\d+):(\d+) (.*)", line)
            if m:
                chapters.setdefault(f"{m.group(1)}{int(m.group(2)):03d}", []).append(m.group(4).strip())
        for key, verses in chapters.items():
            yield f"kjv/{key}", " ".join(verses)
        return
    rule = RULES.get(name)
    if rule is None:
        return
    include, exclude, extract = rule
    inc, exc = re.compile(include), re.compile(exclude) if exclude else None
    paths = []
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            if inc.search(rel) and not (exc and exc.search("/" + rel)):
                paths.append(rel)
    for rel in sorted(paths):
        p = root / rel
        if p.is_symlink() or not p.is_file():
            continue
        yield rel, None


# ----------------------------------------------------------------------------- sentence filter

_WORD = re.compile(r"^[(\"'“‘]?[A-Za-z][a-z]*(?:['’-][A-Za-z]+)*[)\"'”’]?[.,;:!?]?[)\"'”’]?$")
_CODEISH = re.compile(r"[{}<>=\\|@#$%^~]|\(\)|::|->|=>|\w\.\w+\(|_\w|\w_|\[\]")


def prose(sentence: str) -> bool:
    """Does this (whitespace-normalised) sentence look like English prose rather than code or chrome?"""
    words = sentence.split(" ")
    if not 4 <= len(words) <= 80 or len(sentence) > 500:
        return False
    if not sentence[0].isupper() or sentence[-1] not in ".!?":
        return False
    if not sentence.isascii() and sum(not c.isascii() for c in sentence) > 2:
        return False
    if len(_CODEISH.findall(sentence)) > 1:
        return False
    plain = sum(bool(_WORD.match(w)) for w in words)
    return plain >= 0.75 * len(words)


def sentences_of(text: str) -> list[str]:
    kept = []
    for s in split(text):
        norm = " ".join(s.text.split())
        if prose(norm):
            again = split(norm)
            if len(again) == 1 and again[0].text == norm:
                kept.append(norm)
    return kept


def _work(item: tuple[str, str, str, str | None]) -> tuple[str, str, list[str]]:
    pkg, root, rel, text = item
    if text is None:
        text = RULES[pkg][2](read_text(Path(root) / rel))
    return pkg, rel, sentences_of(text)


# ----------------------------------------------------------------------------- sets


def keyed(*parts: object) -> str:
    return hashlib.sha256("\x1f".join([SEED, *map(str, parts)]).encode()).hexdigest()


def content_words(sentence: str) -> list[str]:
    out, seen = [], set()
    for w in re.findall(r"[A-Za-z]{3,}", sentence):
        lw = w.lower()
        if lw not in STOPWORDS and lw not in seen:
            seen.add(lw)
            out.append(w)
    return out


def make_queries(sentences: list[str], n: int) -> list[dict]:
    order = sorted(range(len(sentences)), key=lambda i: keyed("query", i))
    queries: list[dict] = []
    for i in order:
        words = content_words(sentences[i])
        if len(words) < 4:
            continue
        want = 3 + int(keyed("qlen", i), 16) % 4  # 3..6
        pick = sorted(sorted(range(len(words)), key=lambda j: keyed("qword", i, j))[: min(want, len(words))])
        queries.append(
            {
                "id": f"q{len(queries) + 1:03d}",
                "query": " ".join(words[j] for j in pick),
                "source_sentence": i,
                "source_text": sentences[i],
            }
        )
        if len(queries) == n:
            break
    return queries


def write_set(folder: Path, sentences: list[str]) -> str:
    if folder.exists():
        subprocess.run(["rm", "-rf", "--", str(folder)], check=True)
    folder.mkdir(parents=True)
    digest = hashlib.sha256()
    for f, start in enumerate(range(0, len(sentences), PER_FILE)):
        text = "\n\n".join(sentences[start : start + PER_FILE]) + "\n"
        (folder / f"part-{f:05d}.txt").write_text(text, encoding="utf-8")
        digest.update(text.encode())
    return digest.hexdigest()


def parse_size(s: str) -> int:
    if s in SIZES:
        return SIZES[s]
    m = re.fullmatch(r"(\d+)([kKmM]?)", s)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {s!r}")
    return int(m.group(1)) * {"": 1, "k": 1000, "m": 1_000_000}[m.group(2).lower()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packages", nargs="+", default=DEFAULT_PACKAGES, help="NAME or NAME=VERSION")
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), help="10k 100k 1M (or any N, Nk, NM)")
    ap.add_argument("--out", type=Path, default=WORK / "corpus", help="where the sets go")
    ap.add_argument("--jobs", type=int, default=1, help="extraction processes (the machine has 2 cores: be kind)")
    ap.add_argument("--refresh", action="store_true", help="download the archive's current .deb even if one is here")
    args = ap.parse_args()

    t0 = time.perf_counter()
    packages = []
    for spec in args.packages:
        deb = fetch(spec, args.refresh)
        name = deb_field(deb, "Package")
        packages.append(
            {
                "name": name,
                "version": deb_field(deb, "Version"),
                "deb": deb.name,
                "sha256": hashlib.sha256(deb.read_bytes()).hexdigest(),
                "root": unpack(deb, name),
            }
        )
    print(f"fetched and unpacked {len(packages)} packages in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    bible = next((p["root"] / "usr/bin/bible" for p in packages if p["name"] == "bible-kjv"), None)

    def items() -> Iterator[tuple[str, str, str, str | None]]:
        for p in packages:
            for rel, text in package_items(p["name"], p["root"], bible):
                yield p["name"], str(p["root"]), rel, text

    t1 = time.perf_counter()
    seen: set[str] = set()
    runs: list[tuple[str, list[str]]] = []  # (sort key, sentences)
    stats: dict[str, dict[str, int]] = {}
    results: Iterator[tuple[str, str, list[str]]]
    if args.jobs > 1:
        import multiprocessing

        pool = multiprocessing.Pool(args.jobs)
        results = pool.imap(_work, items(), chunksize=4)
    else:
        results = map(_work, items())
    for pkg, rel, sents in results:
        if pkg not in stats:
            print(f"  {time.perf_counter() - t1:6.0f}s  {pkg} ...", file=sys.stderr, flush=True)
        st = stats.setdefault(pkg, {"files": 0, "sentences": 0, "duplicates": 0})
        st["files"] += 1
        fresh = []
        for s in sents:
            if s in seen:
                st["duplicates"] += 1
            else:
                seen.add(s)
                fresh.append(s)
        st["sentences"] += len(fresh)
        for r, start in enumerate(range(0, len(fresh), RUN)):
            runs.append((keyed(pkg, rel, r), fresh[start : start + RUN]))
    total = sum(len(r) for _, r in runs)
    print(f"extracted {total} distinct prose sentences in {time.perf_counter() - t1:.1f}s", file=sys.stderr)
    for pkg, st in stats.items():
        print(f"  {pkg:22} {st['files']:6} files {st['sentences']:8} sentences", file=sys.stderr)

    runs.sort(key=lambda r: r[0])
    ordered = [s for _, r in runs for s in r]
    args.out.mkdir(parents=True, exist_ok=True)
    sets = {}
    for label in args.sizes:
        n = parse_size(label)
        if n > len(ordered):
            print(f"  set {label}: only {len(ordered)} sentences available; skipped", file=sys.stderr)
            continue
        digest = write_set(args.out / f"set-{label}", ordered[:n])
        sets[label] = {"folder": f"set-{label}", "sentences": n, "files": -(-n // PER_FILE), "sha256": digest}
        print(f"  wrote set-{label}: {n} sentences", file=sys.stderr)

    smallest = min(SIZES["10k"], len(ordered))  # the same queries whichever sets are written
    queries = make_queries(ordered[:smallest], QUERIES)
    with open(args.out / "queries.jsonl", "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    manifest = {
        "seed": SEED,
        "run": RUN,
        "per_file": PER_FILE,
        "packages": [{k: v for k, v in p.items() if k != "root"} for p in packages],
        "extraction": stats,
        "distinct_sentences": total,
        "sets": sets,
        "queries": {
            "file": "queries.jsonl",
            "count": len(queries),
            "from_set_size": smallest,
            "sha256": hashlib.sha256((args.out / "queries.jsonl").read_bytes()).hexdigest(),
        },
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"done in {time.perf_counter() - t0:.1f}s -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
