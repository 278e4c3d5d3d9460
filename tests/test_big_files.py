"""One big file: analysed in chunks cut at paragraph boundaries, with a bar in bytes on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import _Stream

from askdoc.cli import main
from askdoc.index import build as build_module
from askdoc.index.build import build, paragraph_cuts
from askdoc.ingest.documents import file_input

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"


def _book(tmp_path, crlf: bool = False):
    paragraphs = []
    for i in range(60):
        paragraphs.append(
            f"Chapter {i} Of The Book\n"
            f"The otter number {i} sleeps by the river while the heron\n"
            f"fishes in the harbour. It wakes at dawn; the termi-\nnal bell rings {i} times.\n"
            f"  - a list item {i}\n  - another item"
        )
    paragraphs.append("A terminal is where the bell hangs.")
    text = "\n\n".join(paragraphs) + "\n"
    path = tmp_path / "book.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-16") if crlf else text.encode("utf-8"))
    return path


@pytest.mark.parametrize("cores", [1, 2])
@pytest.mark.parametrize("crlf", [False, True])
def test_a_big_file_cut_in_chunks_gives_the_index_of_the_whole(tmp_path, monkeypatch, cores, crlf):
    path = _book(tmp_path, crlf)
    whole = b"".join(build([file_input(path, "book.txt")]).pieces)
    monkeypatch.setattr(build_module, "SPLIT_FROM_BYTES", 1)
    monkeypatch.setattr(build_module, "CHUNK_CHARS", 300)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    chunked = b"".join(build([file_input(path, "book.txt")]).pieces)
    assert chunked == whole  # same sentences, offsets, lines, terms (the hyphen word "terminal" too)


def test_cuts_fall_at_the_start_of_a_line_after_a_blank_line():
    text = "One.\nTwo.\n\nThree.\r\n \r\nFour.\r\rFive."
    cuts = paragraph_cuts(text, 1)
    assert [text[c : c + 5] for c in cuts[1:-1]] == ["Three", "Four.", "Five."]
    assert cuts[0] == 0 and cuts[-1] == len(text)
    assert paragraph_cuts("No blank line.\nAt all.\n", 1) == [0, 23]  # one piece


class _Bar:
    made: list[_Bar] = []

    def __init__(self, size: int):
        self.size, self.seen = size, []
        _Bar.made.append(self)

    def __call__(self, done: int) -> None:
        self.seen.append(done)

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("terminal", [True, False])
def test_a_bar_in_bytes_shows_for_one_big_file_only_on_a_terminal(tmp_path, monkeypatch, terminal):
    path = _book(tmp_path)
    monkeypatch.setattr(build_module, "SPLIT_FROM_BYTES", 1)
    monkeypatch.setattr(build_module, "CHUNK_CHARS", 300)
    monkeypatch.setattr("askdoc.cli.ui.ByteBar", _Bar)
    _Bar.made = []
    out, err = _Stream(), _Stream(tty=terminal)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    with pytest.raises(SystemExit) as e:
        main(["index", str(path)])
    assert e.value.code in (0, None)
    if terminal:
        (bar,) = _Bar.made
        assert bar.size == path.stat().st_size and bar.seen[-1] == bar.size and bar.seen == sorted(bar.seen)
    else:
        assert _Bar.made == []
    assert "indexing" not in out.value()  # data on stdout, never a bar


def test_pdf_pages_survive_files_read_in_worker_processes(tmp_path, monkeypatch):
    from askdoc import Index

    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf"):
        (folder / name).write_bytes((FORMATS / "article.pdf").read_bytes())
    monkeypatch.setattr(build_module, "PARALLEL_FROM_BYTES", 1)  # a pool, even for two small files
    for _ in range(2):  # built, then answered from the saved index
        index = Index.from_paths([str(folder)])
        pages = [index.sentence(i).page for i in range(len(index))]
        assert None not in pages and max(pages) > 1
