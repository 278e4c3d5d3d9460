"""URLs, served by a local http.server on 127.0.0.1 (an ephemeral port) in a thread: nothing
leaves the machine. Bad answers (404, a redirect loop, an endless stream, silence, another
scheme) are each one line on stderr and exit 2."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from askdoc.ingest import fetch

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
QUESTION = "Who led the US delegation?"
RUBIO = "US Secretary of State Marco Rubio led the American delegation"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet test output
        pass

    def _send(self, body: bytes, content_type: str, code: int = 200) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path
        if path.startswith("/files/"):
            name = path.removeprefix("/files/")
            types = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".md": "text/plain"}
            self._send((FORMATS / name).read_bytes(), types.get(Path(name).suffix, "application/octet-stream"))
        elif path == "/page":  # no extension: the Content-Type says HTML
            self._send((FORMATS / "article.html").read_bytes(), "text/html")
        elif path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/files/article.md")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif path == "/ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/secret.txt")
            self.end_headers()
        elif path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            line = b"All work and no play makes Jack a dull boy.\n" * 1000
            try:
                while True:
                    self.wfile.write(line)
            except OSError:
                pass
        elif path == "/drip":  # a byte at a time, never a pause long enough to time out
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        elif path == "/garbage":  # not HTTP at all
            self.wfile.write(b"HELLO THERE\r\n\r\n")
        elif path == "/short":  # promises more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"Only this much.")
            self.close_connection = True
        elif path == "/headers":  # a flood of headers
            self.send_response(200)
            for n in range(200):
                self.send_header(f"X-Flood-{n}", "x")
            self.end_headers()
        elif path == "/silent":
            time.sleep(3)
        else:
            self._send(b"not here", "text/plain", 404)


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", ["/files/article.html", "/page", "/files/article.pdf", "/files/article.docx",
                                  "/files/article.txt.gz", "/files/article.md", "/moved"])  # fmt: skip
def test_a_url_answers_like_the_file(cli, server, path):
    result = cli("ask", QUESTION, server + path, "-f", "json", "-k", "10")
    assert result.code == 0, result.stderr
    found = json.loads(result.stdout)["evidence"]
    assert RUBIO in flat(found[0]["text"]) and found[0]["source"] == server + path
    for e in found:
        assert not any(c in e["text"] for c in ("<", "**", "](", "cookie", "script", "Example News"))


def test_a_url_beside_a_file(cli, server):
    result = cli("ask", QUESTION, server + "/page", str(FORMATS / "article.rst"), "-f", "json", "-k", "4")
    sources = {e["source"] for e in json.loads(result.stdout)["evidence"]}
    assert sources == {server + "/page", str(FORMATS / "article.rst")}


def one_line_error(result, *words: str) -> None:
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith("askdoc: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_not_found(cli, server):
    one_line_error(cli("ask", QUESTION, server + "/nothing"), "HTTP 404")


def test_a_redirect_loop_is_cut(cli, server):
    one_line_error(cli("ask", QUESTION, server + "/loop"), "redirect")


def test_a_redirect_to_another_scheme_is_refused(cli, server):
    one_line_error(cli("ask", QUESTION, server + "/ftp"), "not an http or https URL")


@pytest.mark.parametrize("url", ["http://[::1", "https://exa mple.org/", "http://", "http:///x"])
def test_malformed_urls_are_one_line(cli, url):
    one_line_error(cli("ask", QUESTION, url), url)


def test_only_http_and_https(cli):
    one_line_error(cli("ask", QUESTION, "file:///etc/passwd"), "only http and https")
    one_line_error(cli("ask", QUESTION, "ftp://127.0.0.1/x.txt"), "only http and https")


def test_an_endless_stream_is_cut_at_the_cap(cli, server, monkeypatch):
    monkeypatch.setattr(fetch, "MAX_BYTES", 2 << 20)
    started = time.monotonic()
    one_line_error(cli("ask", QUESTION, server + "/endless"), "more than 2 MiB")
    assert time.monotonic() - started < 10


def test_a_slow_drip_is_cut_at_the_deadline(cli, server, monkeypatch):
    monkeypatch.setattr(fetch, "DEADLINE", 0.5)
    started = time.monotonic()
    one_line_error(cli("ask", QUESTION, server + "/drip"), "still sending after 0.5 s")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/garbage", "/short", "/headers"])
def test_broken_http_answers_are_one_line(cli, server, path):
    one_line_error(cli("ask", QUESTION, server + path), server + path)


def test_silence_times_out(cli, server, monkeypatch):
    monkeypatch.setattr(fetch, "TIMEOUT", 0.5)
    one_line_error(cli("ask", QUESTION, server + "/silent"), "no answer within")


def test_refused(cli):
    import socket

    with socket.socket() as s:  # a port nobody listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        one_line_error(cli("ask", QUESTION, f"http://127.0.0.1:{port}/x"), f"127.0.0.1:{port}")


@pytest.mark.slow
def test_the_shell_opens_a_url(server, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "ASKDOC_HISTORY": "", "ASKDOC_CACHE_DIR": str(tmp_path / "cache")}
    script = f":open {server}/page\n:sources\n{QUESTION}\n:open\n{QUESTION}\n"
    result = subprocess.run([sys.executable, "-m", "askdoc", "shell", "-k", "1", "-f", "plain"], input=script,
                            capture_output=True, text=True, env=env, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{server}/page" in result.stderr  # :sources lists the URL
    lines = [line.split("\t", 1)[1] for line in result.stdout.splitlines()]  # after the question's number
    hits = [line for line in lines if not line.startswith("answer")]  # an answer line shows only when sure
    assert hits == [f"{server}/page:19: {RUBIO}, accompanied by National Security Advisor "
                    "Mike Waltz and Middle East envoy Steve Witkoff."] * 2  # fmt: skip
