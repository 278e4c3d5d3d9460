"""Formats a user keeps: the bundled article as PDF, DOCX, ODT, EPUB, an HTML page with chrome,
Markdown, reStructuredText and gzip (tests/fixtures/formats, made by make.py there), in a
folder, chosen with -g/-t, in legacy encodings, and fetched from a URL on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from askdoc.ingest.documents import read_documents

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
QUESTION = "Who led the US delegation?"
RUBIO = "US Secretary of State Marco Rubio led the American delegation"
FIXTURES = ["article.pdf", "article.docx", "article.odt", "article.epub", "article.html", "article.md",
            "article.rst", "article.txt.gz"]  # fmt: skip
# What the files add around the article: markup, scripts, styles and page chrome.
CHROME = ["<", ">", "**", "](", "`", ":doc:", ".. ", "::", "&rsquo", "&amp", "cookie", "©", "script",
          "console.log", "dataLayer", "font-family", "Subscribe", "Example News", "Related", "archive", "title:",
          "---", "==="]  # fmt: skip


def flat(text: str) -> str:
    """Text with its line breaks as spaces: a PDF line ends where the page's line did."""
    return " ".join(text.split())


def evidence(result) -> list[dict]:
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)["evidence"]


@pytest.mark.parametrize("name", FIXTURES)
def test_each_format_answers_with_the_rubio_sentence_first(cli, name):
    found = evidence(cli("ask", QUESTION, str(FORMATS / name), "-f", "json", "-k", "20", "--no-cache"))
    assert RUBIO in flat(found[0]["text"])
    for e in found:
        assert not [c for c in CHROME if c in e["text"]], e["text"]


@pytest.mark.parametrize("name", FIXTURES)
def test_the_extracted_text_holds_the_article_and_no_markup(name, article_text):
    (doc,) = read_documents([str(FORMATS / name)])
    assert not [c for c in CHROME if c in doc.text]
    words = " ".join(doc.text.split())
    for paragraph in article_text.splitlines()[::4]:  # every fourth line of the article, words in order
        assert " ".join(paragraph.split()[:8]) in words


@pytest.mark.parametrize("name", FIXTURES)
def test_offsets_index_the_extracted_text(cli, name):
    (doc,) = read_documents([str(FORMATS / name)])
    for e in evidence(cli("ask", "Where did they meet?", str(FORMATS / name), "-f", "json", "-k", "5", "--no-cache")):
        assert doc.text[e["start"] : e["end"]] == e["text"]


def test_pdf_evidence_gives_its_page(cli):
    found = evidence(cli("ask", "Who cautioned against swift progress?", str(FORMATS / "article.pdf"), "-f", "json"))
    assert "Tammy Bruce" in flat(found[0]["text"]) and found[0]["page"] > 1
    assert all(isinstance(e["page"], int) for e in found)
    plain = cli("ask", QUESTION, str(FORMATS / "article.pdf"), "-f", "plain", "-k", "1")
    assert "article.pdf:" in plain.stdout and "(page 1): US Secretary of State Marco Rubio" in plain.stdout
    rich = cli("ask", QUESTION, str(FORMATS / "article.pdf"), "-f", "rich", "-k", "1")
    assert "article.pdf:" in flat(rich.stdout) and "(page 1)" in flat(rich.stdout)  # Rich wraps a long path


@pytest.mark.parametrize("charset", ["rot13", "utf-16", "no-such-charset", "windows-1252"])
def test_a_page_that_declares_a_strange_charset_is_still_read(cli, tmp_path, charset):
    page = f'<html><head><meta charset="{charset}"></head><body><p>The US delegation was led by Zoë.</p></body></html>'
    (tmp_path / "page.html").write_bytes(page.encode("cp1252" if charset == "windows-1252" else "utf-8"))
    found = evidence(cli("ask", QUESTION, str(tmp_path / "page.html"), "-f", "json"))
    assert found[0]["text"] == "The US delegation was led by Zoë."


def test_text_evidence_has_no_page(cli):
    found = evidence(cli("ask", QUESTION, str(FORMATS / "article.md"), "-f", "json"))
    assert "page" not in found[0]


def test_html_keeps_headings_and_decodes_entities():
    (doc,) = read_documents([str(FORMATS / "article.html")])
    lines = doc.text.splitlines()
    assert "US and Russia meet in Riyadh" in lines and "Saudi Arabia’s Growing Diplomatic Role" in lines
    assert "“We do not know anything about these talks" in doc.text


@pytest.mark.parametrize(
    "page, text",
    [
        # a dropped element left open ends with its parent, not with the page
        ("<div><aside>Related stories <p>More</div><p>The text.</p>", "The text.\n"),
        ('<p class="share">Share this<p>First.<p>Second.', "First.\n\nSecond.\n"),
        # <main> marks the content: what is outside it goes, its own header stays
        (
            "<p>Site blurb.</p><main><header><h1>Title</h1></header><nav>Menu</nav><p>Body.</p></main>",
            "Title\n\nBody.\n",
        ),
        (
            "<pre>a\n  b\n</pre><p>x<br>y &amp; z</p><table><tr><td>1<td>2<tr><td>3</table>",
            "a\n  b\n\nx y & z\n\n1 2\n\n3\n",
        ),
        (
            '<div hidden>Secret</div><div role="navigation">Nav</div><p aria-hidden="true">Icon</p><p>Seen.</p>',
            "Seen.\n",
        ),
    ],
)
def test_html_rules(page, text):
    from askdoc.ingest.formats.html import html_to_text

    assert html_to_text(page) == text


@pytest.mark.parametrize(
    "markdown, text",
    [
        ("Some **bold**, *it*, `code_x` and [a link](http://x.org).", "Some bold, it, code_x and a link."),
        ("snake_case_name and 2*3*4 stay", "snake_case_name and 2*3*4 stay"),
        ("![a chart](c.png) of <b>sales</b> \\*not emphasis\\*", "a chart of sales *not emphasis*"),
    ],
)
def test_markdown_inline_markup(markdown, text):
    from askdoc.ingest.formats.markup import markdown_to_text

    assert markdown_to_text(markdown) == text


def test_rst_roles_and_directives():
    from askdoc.ingest.formats.markup import rst_to_text

    source = "See :ref:`the guide <guide>` and `Python <https://python.org>`_, ``x_y``.\n\n"
    source += ".. image:: a.png\n   :alt: A\n\nEnd::\n"
    assert rst_to_text(source) == "See the guide and Python, x_y.\n\n\n\n\nEnd:\n"


def test_markup_across_lines_goes_and_line_numbers_hold():
    from askdoc.ingest.formats.markup import markdown_to_text, rst_to_text

    rst = (
        "The property is a :ref:`semicolon-separated list <CMake\nLanguage Lists>` of groups.\n\n"
        ".. versionadded:: 3.20\n\nExample::\n\n  keep_ *this* `as is`\n\nBack to **text**.\n"
    )
    assert rst_to_text(rst).split("\n") == [
        "The property is a semicolon-separated list",
        " of groups.",
        "",
        "New in version 3.20.",
        "",
        "Example:",
        "",
        "  keep_ *this* `as is`",
        "",
        "Back to text.",
        "",
    ]
    markdown = "A [link that\nwraps](http://x.org) and **bold\ntext**.\n\n```\n**code** stays\n```\n"
    expected = ["A link that", "wraps and bold", "text.", "", "", "**code** stays", "", ""]
    assert markdown_to_text(markdown).split("\n") == expected


# ---------------------------------------------------------------- folders


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in FIXTURES:
        shutil.copy(FORMATS / name, tmp_path / name)
    (tmp_path / "data.bin").write_bytes(b"\x00\x01" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "picture.png").write_bytes(b"\x89PNG\r\n")
    return tmp_path


def test_a_folder_of_every_format(cli, folder):
    result = cli("ask", QUESTION, str(folder), "-f", "json", "-k", "30")
    found = evidence(result)
    assert RUBIO in flat(found[0]["text"])
    assert {Path(e["source"]).name for e in found if RUBIO in flat(e["text"])} == set(FIXTURES)
    for e in found:
        assert not [c for c in CHROME if c in e["text"]], e["text"]
    assert result.stderr.count("skipped 2 files of unsupported types: .bin, .png") == 1


def test_glob_keeps_to_html(cli, folder):
    found = evidence(cli("ask", QUESTION, str(folder), "-g", "*.html", "-f", "json", "-k", "10"))
    assert {Path(e["source"]).suffix for e in found} == {".html"}
    found = evidence(cli("ask", QUESTION, str(folder), "-g", "!*.html", "-g", "!*.pdf", "-f", "json", "-k", "30"))
    assert {Path(e["source"]).suffix for e in found} == {".docx", ".odt", ".epub", ".md", ".rst", ".gz"}


def test_type_chooses_and_type_not_leaves_out(cli, folder):
    found = evidence(cli("ask", QUESTION, str(folder), "-t", "pdf", "-t", "md", "-f", "json", "-k", "10"))
    assert {Path(e["source"]).suffix for e in found} == {".pdf", ".md"}
    found = evidence(cli("ask", QUESTION, str(folder), "-T", "pdf", "-f", "json", "-k", "30"))
    assert ".pdf" not in {Path(e["source"]).suffix for e in found}


def test_type_list_and_unknown_types(cli):
    listed = cli("ask", "--type-list")
    assert listed.code == 0 and "pdf: *.pdf" in listed.stdout and "html: *.htm, *.html, *.xhtml" in listed.stdout
    bad = cli("ask", QUESTION, "-t", "nosuch")
    assert bad.code == 2 and bad.stderr.count("\n") == 1 and "unknown file type 'nosuch'" in bad.stderr


def test_a_file_named_twice_is_read_once(cli, tmp_path):
    shutil.copy(FORMATS / "article.md", tmp_path / "a.md")
    found = evidence(cli("ask", QUESTION, str(tmp_path / "a.md"), str(tmp_path), str(tmp_path / "a.md"), "-f", "json"))
    texts = [e["text"] for e in found]
    assert len(texts) == len(set(texts))


def test_a_file_linked_twice_in_a_folder_is_read_once(cli, tmp_path):
    shutil.copy(FORMATS / "article.md", tmp_path / "a.md")
    try:
        (tmp_path / "b.md").symlink_to("a.md")
        os.link(tmp_path / "a.md", tmp_path / "c.md")
    except (OSError, NotImplementedError) as e:
        pytest.skip(f"this file system has no links: {e}")
    found = evidence(cli("ask", QUESTION, str(tmp_path), "-f", "json"))
    texts = [e["text"] for e in found]
    assert len(texts) == len(set(texts)) and {e["source"] for e in found} == {str(tmp_path / "a.md")}


def test_a_saved_index_named_with_index_is_read_again_under_another_encoding(cli, tmp_path):
    (tmp_path / "city.txt").write_bytes("Москва стоит на реке Москве.\n".encode("koi8-r"))
    saved = str(tmp_path / "city.idx")
    wrong = cli("ask", "Москва", str(tmp_path / "city.txt"), "--index", saved, "-E", "cp1251", "-f", "json")
    assert wrong.code == 1 and json.loads(wrong.stdout)["evidence"] == []  # the wrong code page: other letters
    right = cli("ask", "Москва", str(tmp_path / "city.txt"), "--index", saved, "-E", "koi8-r", "-f", "json")
    assert evidence(right)[0]["text"] == "Москва стоит на реке Москве."


def test_legacy_encodings(cli, tmp_path):
    (tmp_path / "menu.txt").write_bytes("The café serves crème brûlée on Sundays.\n".encode("cp1252"))
    refused = cli("ask", "What does the café serve?", str(tmp_path / "menu.txt"))
    assert refused.code == 2 and "--encoding" in refused.stderr and refused.stderr.count("\n") == 1
    found = evidence(cli("ask", "What does the café serve?", str(tmp_path / "menu.txt"), "-E", "cp1252", "-f", "json"))
    assert found[0]["text"] == "The café serves crème brûlée on Sundays."
    (tmp_path / "jp.txt").write_bytes("東京タワーの高さは三百三十三メートルです。\n".encode("shift_jis"))
    (doc,) = read_documents([str(tmp_path / "jp.txt")], encoding="shift_jis")
    assert doc.text.startswith("東京タワー")
    for name in ("klingon", "rot13", "base64"):
        bad = cli("ask", "x", str(tmp_path / "menu.txt"), "-E", name)
        assert bad.code == 2 and f"unknown encoding '{name}'" in bad.stderr


def _docx_saying(text: str) -> bytes:
    import io
    import zipfile

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return packed.getvalue()


def test_a_saved_index_notices_a_changed_document(cli, tmp_path):
    """The saved index is used (no --no-cache): a changed file is read and analysed again."""
    import os

    target = tmp_path / "doc.docx"
    shutil.copy(FORMATS / "article.docx", target)
    assert RUBIO in flat(evidence(cli("ask", QUESTION, str(target), "-f", "json"))[0]["text"])
    target.write_bytes(_docx_saying("The US delegation was led by Grace Hopper."))
    assert (
        evidence(cli("ask", QUESTION, str(target), "-f", "json"))[0]["text"]
        == "The US delegation was led by Grace Hopper."
    )
    packed = tmp_path / "doc.md.gz"
    packed.write_bytes(gzip.compress(b"The US delegation was led by **Ada** Lovelace.\n", mtime=0))
    assert (
        evidence(cli("ask", QUESTION, str(packed), "-f", "json"))[0]["text"]
        == "The US delegation was led by Ada Lovelace."
    )
    stamp = packed.stat()
    packed.write_bytes(gzip.compress(b"The US delegation was led by **Bob** Lovelace.\n", mtime=0))  # same size
    os.utime(packed, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    assert (
        evidence(cli("ask", QUESTION, str(packed), "-f", "json"))[0]["text"]
        == "The US delegation was led by Bob Lovelace."
    )


def test_stdin_takes_binary_formats(cli):
    found = evidence(cli("ask", QUESTION, "-", "-f", "json", stdin=(FORMATS / "article.txt.gz").read_bytes()))
    assert RUBIO in flat(found[0]["text"])
    found = evidence(cli("ask", QUESTION, "-", "-f", "json", stdin=(FORMATS / "article.docx").read_bytes()))
    assert RUBIO in flat(found[0]["text"])
    found = evidence(cli("ask", QUESTION, "-", "-f", "json", stdin=(FORMATS / "article.pdf").read_bytes()))
    assert RUBIO in flat(found[0]["text"]) and found[0]["page"] == 1


def test_a_chosen_set_of_files_has_a_saved_index_of_its_own(cli, folder):
    (folder / "backup.tar.gz").write_bytes(gzip.compress(b"not text"))
    built = cli("index", str(folder), "-g", "*.md")
    assert built.code == 0 and "indexed 1 files" in built.stderr
    assert "skipped 3 files of unsupported types: .bin, .png, .tar.gz" in built.stderr
    info = cli("index", str(folder), "-g", "*.md", "--info")
    assert info.code == 0 and "files: 1" in info.stdout and "article.md" in info.stdout
    everything = cli("index", str(folder), "--info")  # the default selection was never indexed
    assert everything.code == 2


# ---------------------------------------------------------------- hostile documents


def one_line_error(result, *words: str) -> None:
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith("askdoc: error: ") and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr


def _deflated_zeros(mib: int, wbits: int) -> bytes:
    """``mib`` MiB of zero bytes, compressed (a bomb: about 1 KB per MiB)."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(mib)) + packer.flush()


@pytest.mark.slow
def test_a_gzip_bomb_stops_at_the_cap(cli, tmp_path):
    (tmp_path / "bomb.txt.gz").write_bytes(_deflated_zeros(300, 31))  # 300 MiB inside 300 KB
    one_line_error(cli("ask", QUESTION, str(tmp_path / "bomb.txt.gz")), "decompresses to more than 256 MiB")


def test_the_decompression_cap_holds_for_every_family():
    import bz2
    import lzma

    from askdoc.errors import InputError
    from askdoc.ingest.formats.compressed import decompress

    text = b"words " * 100_000
    for family, packed in (("gzip", gzip.compress(text)), ("bzip2", bz2.compress(text)), ("xz", lzma.compress(text))):
        assert decompress(packed, family, "x") == text
        with pytest.raises(InputError, match="decompresses to more than"):
            decompress(packed, family, "x", limit=100_000)


@pytest.mark.slow
def test_a_zip_bomb_inside_a_docx_stops_at_the_cap(cli, tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with zipfile.ZipFile(bomb, "a") as z:
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            for _ in range(300):
                f.write(bytes(1 << 20))
    assert bomb.stat().st_size < 2_000_000
    one_line_error(cli("ask", QUESTION, str(bomb)), "unpacks to more than 256 MiB")


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("cut.pdf", (FORMATS / "article.pdf").read_bytes()[:4000], ["not a readable PDF"]),
        ("cut.docx", (FORMATS / "article.docx").read_bytes()[:1000], ["damaged zip"]),
        ("cut.gz", (FORMATS / "article.txt.gz").read_bytes()[:500], ["damaged gzip"]),
        ("empty.pdf", b"%PDF-1.4\n%%EOF\n", ["not a readable PDF"]),
        ("other.zip.docx", b"PK\x03\x04", ["damaged zip"]),
    ],
)
def test_broken_documents_are_one_line_errors(cli, tmp_path, name, data, words):
    (tmp_path / name).write_bytes(data)
    one_line_error(cli("ask", QUESTION, str(tmp_path / name)), *words)


def _pdf_claiming(pages: int) -> bytes:
    """A one-page PDF whose page tree claims ``pages`` pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % pages,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]  # fmt: skip
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_pdf_of_too_many_pages_is_refused(cli, tmp_path):
    (tmp_path / "huge.pdf").write_bytes(_pdf_claiming(50_000))
    one_line_error(cli("ask", QUESTION, str(tmp_path / "huge.pdf")), "a PDF of 50,000 pages")
    (tmp_path / "blank.pdf").write_bytes(_pdf_claiming(1))
    one_line_error(cli("ask", QUESTION, str(tmp_path / "blank.pdf")), "no text layer")


def test_xml_entities_are_refused(cli, tmp_path):
    import zipfile

    laughs = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>'
    with zipfile.ZipFile(tmp_path / "laughs.docx", "w") as z:
        z.writestr("word/document.xml", laughs)
    one_line_error(cli("ask", QUESTION, str(tmp_path / "laughs.docx")), "declares XML entities")


@pytest.mark.parametrize(
    "name, text",
    [
        ("stars.md", "**a " * 20_000),  # openers that never close: 21 s when each scanned to the end
        ("links.md", "[a " * 20_000),
        ("comments.md", "<!-- " * 20_000),
        ("heading.md", "#" + " " * 100_000 + "x"),
        ("stars.rst", "**a `b :ref:`c |d e- " * 5_000),
        ("nested.html", "<div><article><pre>" * 10_000 + "x" + "</span>" * 10_000 + "</pre></article></div>" * 10_000),
    ],
)
def test_hostile_markup_costs_linear_time(name, text):
    import time

    from askdoc.ingest.formats import extract

    started = time.monotonic()
    extract(text.encode(), name, name, lambda data, _: data.decode())
    assert time.monotonic() - started < 3


def test_deeply_nested_office_xml_is_read_without_recursion(cli, tmp_path):
    import zipfile

    ns = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    ns += 'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    spans = "<text:span>" * 200_000 + "The US delegation was led by Ada." + "</text:span>" * 200_000
    with zipfile.ZipFile(tmp_path / "deep.odt", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", f"<office:document-content {ns}><text:p>{spans}</text:p></office:document-content>")
    found = evidence(cli("ask", QUESTION, str(tmp_path / "deep.odt"), "-f", "json"))
    assert found[0]["text"] == "The US delegation was led by Ada."


def test_a_docx_text_box_is_a_block_of_its_own_read_once():
    import io
    import zipfile

    from askdoc.ingest.formats.office import read_zip

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    box = "<w:r><w:txbxContent><w:p><w:r><w:t>In a box.</w:t></w:r></w:p></w:txbxContent></w:r>"
    after = "<w:r><w:t>text.</w:t><w:tab/><w:t>x</w:t><w:br/><w:t>y</w:t></w:r>"
    body = f"<w:p><w:r><w:t>Outer </w:t></w:r>{box}{after}</w:p>"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
    assert read_zip(packed.getvalue(), "x.docx").text == "Outer text.\tx\ny\n\nIn a box.\n"


def test_a_broken_file_in_a_folder_is_skipped_with_a_warning(cli, tmp_path):
    shutil.copy(FORMATS / "article.md", tmp_path / "good.md")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 nothing else")
    result = cli("ask", QUESTION, str(tmp_path), "-f", "json")
    assert RUBIO in flat(evidence(result)[0]["text"])
    assert "skipped" in result.stderr and "bad.pdf: not a readable PDF" in result.stderr
