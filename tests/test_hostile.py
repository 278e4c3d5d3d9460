"""Hostile documents, broken inputs and faults: askdoc stays in charge of the terminal.

Each section follows one point of issue 5. Inputs that git can hold are in
``tests/fixtures/hostile/`` (see its README); the rest (FIFOs, devices, symlink loops,
unreadable files, odd file names, a 100 MB line, a million blank lines) are made here.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

import pytest

from askdoc.index import store
from askdoc.ingest.documents import read_documents

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"
ESCAPES = FIXTURES / "escapes.txt"

# What must never reach a terminal from a document: C0 controls but tab and newline, DEL, C1,
# and the bidi embeddings, overrides and isolates.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Rich's own styling (SGR: ESC [ ... m) is the one escape sequence allowed in Rich output.
SGR = re.compile(r"\x1b\[[0-9;]*m")


def run(*args: str, stdin: bytes | None = None, timeout: float = 60, env: dict | None = None, **kw):
    """askdoc as a real process, the way a shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "askdoc", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        **kw,
    )


def _shown(stdout: str) -> str:
    """What a terminal would be told to do, minus Rich's own colours."""
    return SGR.sub("", stdout)


# ---------------------------------------------------------------- 1. documents are inert data


@pytest.mark.parametrize("fmt", ["plain", "rich"])
def test_control_sequences_in_a_document_never_reach_the_terminal(cli, fmt):
    r = cli("ask", "What does the otter do?", str(ESCAPES), "-k", "20", "-f", fmt, tty=fmt == "rich")
    assert r.code == 0
    shown = _shown(r.stdout)
    assert shown.count("otter") >= 8  # every hostile sentence was shown...
    assert not UNSAFE.findall(shown)  # ...without a single control character
    assert "PWNED-TITLE" not in shown and "C1-TITLE" not in shown  # title strings are dropped with their sequence
    assert "https://evil.example/" not in shown.replace("[link=https://evil.example]", "")  # no OSC 8 link target
    assert not UNSAFE.findall(r.stderr)


@pytest.mark.parametrize("fmt", ["plain", "rich"])
def test_rich_markup_in_a_document_prints_as_literal_text(cli, fmt):
    r = cli("ask", "Rich markup loud link", str(ESCAPES), "-k", "1", "-f", fmt, tty=fmt == "rich")
    shown = " ".join(_shown(r.stdout).split())  # Rich wraps lines at the terminal's width
    assert "[bold red]loud[/bold red] and [link=https://evil.example]a link[/link]" in shown


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_the_exact_text_escaped_so_offsets_stay_true(cli, fmt):
    r = cli("ask", "What does the otter do?", str(ESCAPES), "-k", "20", "-f", fmt)
    assert r.code == 0
    assert not UNSAFE.findall(r.stdout.replace("\n", ""))  # escaped as \u001b, \u009b, \u202e ...
    text = ESCAPES.read_bytes().decode("utf-8")
    evidence = json.loads(r.stdout)["evidence"]
    assert len(evidence) == 8
    for e in evidence:
        assert text[e["start"] : e["end"]] == e["text"]
    assert any("\x1b[2J" in e["text"] for e in evidence) and any("\u202e" in e["text"] for e in evidence)


def test_file_names_with_escape_sequences_are_shown_inert(cli, tmp_path):
    (tmp_path / "\x1b]0;NAME-TITLE\x07otter.txt").write_text("The otter sleeps by the river.\n")
    (tmp_path / "\x1b[2Jbinary.txt").write_bytes(b"\x00\x01")  # skipped: its name is in a warning
    r = cli("ask", "Where does the otter sleep?", str(tmp_path), "-f", "plain")
    assert r.code == 0 and "otter.txt:1: The otter sleeps" in r.stdout
    assert "skipped" in r.stderr and "binary.txt" in r.stderr
    assert not UNSAFE.findall(r.stdout + r.stderr.replace("\n", ""))


def _results(plain: str) -> str:
    """Plain output without its answer line (shown or not depending on which reader answers)."""
    return "".join(line for line in plain.splitlines(keepends=True) if not line.startswith("answer: "))


def test_a_file_name_with_a_newline_keeps_each_result_on_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("askdoc.tuning.ANSWER_SHOW_CONFIDENCE", 0.0)  # the answer line is one of those tested
    monkeypatch.setattr("askdoc.tuning.READER_SHOW_CONFIDENCE", 0.0)  # (the reader's, with the extra)
    (tmp_path / "two\nlines\tname.txt").write_text("The otter sleeps by the river. The otter swims at noon.\n")
    r = cli("ask", "What does the otter do?", str(tmp_path), "-f", "plain", "-k", "2")
    lines = r.stdout.splitlines()
    assert r.code == 0 and len(lines) == 3  # the answer line and two results
    assert all("two\\nlines\\tname.txt:1: The otter" in line for line in lines)


def test_an_error_about_a_file_name_with_a_newline_is_one_line(cli, tmp_path):
    r = cli("ask", "Where does the otter sleep?", str(tmp_path / "no\nsuch.txt"))
    assert r.code == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and "no\\nsuch.txt" in r.stderr


def test_a_question_with_escape_sequences_is_echoed_inert(cli, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("Where does the \x1b[2J\x1b]0;Q-TITLE\x07otter sleep?\n")
    doc = tmp_path / "d.txt"
    doc.write_text("The otter sleeps by the river.\n")
    r = cli("ask", "--batch", str(batch), str(doc), "-f", "rich", tty=True)
    assert r.code in (0, 1) and "otter sleep?" in _shown(r.stdout)  # answered, or abstained with the extra
    assert not UNSAFE.findall(_shown(r.stdout)) and "Q-TITLE" not in r.stdout


def test_a_file_name_with_undecodable_bytes_is_shown_not_a_crash(cli, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9-otter.txt")).write_text("The otter sleeps by the river.\n")
    plain = cli("ask", "Where does the otter sleep?", str(folder), "-f", "plain")
    assert plain.code == 0 and "caf\ufffd-otter.txt:1: The otter sleeps" in plain.stdout
    data = json.loads(cli("ask", "Where does the otter sleep?", str(folder), "-f", "json").stdout)
    assert os.fsencode(data["evidence"][0]["source"]).endswith(b"caf\xe9-otter.txt")  # exact, as \udce9


# ---------------------------------------------------------------- 2. encodings and line endings

HERON = ["Heron Notes", "The heron stands in the shallow water.", "The heron fishes at dawn.", "It flies away at noon."]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("utf8.txt", "utf-8"),
        ("utf8-bom.txt", "utf-8"),  # the BOM stays in the text as U+FEFF, as Python's "utf-8" keeps it
        ("utf16-le-bom.txt", "utf-16"),  # the BOM is consumed by the decoder
        ("utf16-be-bom.txt", "utf-16"),
        ("crlf.txt", "utf-8"),
        ("cr.txt", "utf-8"),
    ],
)
def test_every_encoding_and_line_ending_reads_alike_with_true_offsets(cli, name, encoding):
    """Offsets count decoded characters of the file as read: ``open(path, encoding=E, newline="").read()``."""
    path = FIXTURES / name
    r = cli("ask", "Where does the heron fish and stand, and when does it fly?", str(path), "-k", "4", "-f", "json")
    assert r.code == 0, r.stderr
    text = open(path, encoding=encoding, newline="").read()
    evidence = json.loads(r.stdout)["evidence"]
    for e in evidence:
        assert text[e["start"] : e["end"]] == e["text"]
    assert sorted((e["line"], e["text"]) for e in evidence) == [
        (1, HERON[0]),
        (3, HERON[1]),
        (4, HERON[2]),
        (5, HERON[3]),
    ]


def test_undecodable_bytes_are_an_error_naming_the_file_and_byte_offset(cli):
    path = FIXTURES / "latin1.txt"
    r = cli("ask", "heron", str(path))
    assert r.code == 2 and r.stdout == ""
    assert r.stderr == f"askdoc: error: {path}: not valid UTF-8 (byte 0xe9 at byte offset 35); " + (
        "use --errors replace to read it anyway, or --encoding NAME\n"
    )


def test_errors_replace_reads_it_with_a_warning_naming_the_file(tmp_path):
    warnings: list[str] = []
    [doc] = read_documents([str(FIXTURES / "latin1.txt")], errors="replace", warn=warnings.append)
    assert doc.text == "The heron fishes at dawn in the caf\ufffd pond.\n"
    assert len(warnings) == 1 and "latin1.txt" in warnings[0] and "byte offset 35" in warnings[0]


def test_errors_replace_on_the_command_line_warns_once_per_run(cli):
    path = str(FIXTURES / "latin1.txt")
    for _ in range(2):  # building the index, then answering from the saved one
        r = cli("ask", "Where does the heron fish?", path, "--errors", "replace", "-f", "plain")
        assert r.code == 0 and "caf\ufffd pond" in r.stdout
        assert r.stderr.count("replaced") == 1 and "latin1.txt" in r.stderr


def test_errors_replace_warns_for_stdin_too(cli):
    r = cli("ask", "heron", "-", "--errors", "replace", "-f", "plain", stdin=b"The heron \xff fishes.\n")
    assert r.code == 0 and "<stdin>" in r.stderr and r.stderr.count("replaced") == 1


def test_utf32_with_a_bom_is_read_too(cli, tmp_path):
    path = tmp_path / "utf32.txt"
    path.write_bytes("The heron fishes at dawn.\n".encode("utf-32"))
    r = cli("ask", "When does the heron fish?", str(path), "-f", "plain")
    assert r.code == 0 and "The heron fishes at dawn." in r.stdout


# ---------------------------------------------------------------- 3. odd files and folders


@pytest.mark.parametrize("name", ["empty.txt", "only-whitespace.txt"])
def test_a_file_with_nothing_in_it_gets_an_abstention(cli, name):
    r = cli("ask", "Where does the heron fish?", str(FIXTURES / name), "-f", "plain")
    assert r.code == 1 and r.stdout == "" and "no answer" in r.stderr


def test_a_nul_byte_makes_a_named_file_an_error_and_a_folder_file_a_note(cli, tmp_path):
    named = cli("ask", "heron", str(FIXTURES / "nul.txt"))
    assert named.code == 2 and "nul.txt: not a text file (NUL byte at byte offset 16)" in named.stderr
    (tmp_path / "nul.txt").write_bytes((FIXTURES / "nul.txt").read_bytes())
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 4)  # binary wearing a .txt name
    (tmp_path / "good.md").write_text("The heron fishes at dawn.\n")
    folder = cli("ask", "When does the heron fish?", str(tmp_path), "-f", "plain")
    assert folder.code == 0 and "good.md:1: The heron fishes at dawn." in folder.stdout
    assert "skipped" in folder.stderr and "nul.txt" in folder.stderr and "image.txt" in folder.stderr


def test_stdin_from_dev_zero_stops_at_once(tmp_path):
    with open("/dev/zero", "rb") as zero:
        started = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "askdoc", "ask", "heron", "-"], stdin=zero, capture_output=True, timeout=30
        )
    assert r.returncode == 2 and b"not a text file" in r.stderr and time.monotonic() - started < 20


def test_a_symlink_loop_in_a_folder_is_a_note_not_a_hang(cli, tmp_path):
    (tmp_path / "good.txt").write_text("The heron fishes at dawn.\n")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")  # ELOOP
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "up").symlink_to(tmp_path)  # a folder loop: symlinked folders are not followed
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path)
    r = cli("ask", "When does the heron fish?", str(tmp_path), "-f", "plain")
    assert r.code == 0 and _results(r.stdout).count("The heron fishes at dawn.") == 1  # read once, not via the loops
    assert all(name in r.stderr for name in ("self.txt", "a.txt", "b.txt"))
    named = cli("ask", "heron", str(tmp_path / "self.txt"))
    assert named.code == 2 and "self.txt" in named.stderr


@pytest.mark.slow
def test_fifos_and_devices_are_never_read(tmp_path):
    """A FIFO would block a reader forever: it is refused by its type, in a folder or by name."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("The heron fishes at dawn.\n")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    r = run("ask", "When does the heron fish?", str(folder), "-f", "plain", timeout=30)
    assert r.returncode == 0 and b"The heron fishes at dawn." in r.stdout
    assert b"pipe.txt: not a regular file" in r.stderr and b"zero.txt: not a regular file" in r.stderr
    for target in (folder / "pipe.txt", Path("/dev/zero"), Path("/dev/null")):
        named = run("ask", "heron", str(target), timeout=30)
        assert named.returncode == 2 and named.stderr.strip().endswith(b"not a regular file"), named.stderr


def test_a_path_that_does_not_exist_is_one_line_naming_it(cli, tmp_path):
    r = cli("ask", "heron", str(tmp_path / "missing.txt"), str(FIXTURES / "utf8.txt"))
    assert r.code == 2 and r.stderr == f"askdoc: error: {tmp_path / 'missing.txt'}: no such file or folder\n"


def _as_nobody(args: list[str]) -> tuple[int, str, str]:
    """Run askdoc in a forked child whose effective user is ``nobody``: root is never denied.

    The child keeps the parent's loaded modules (the caller warms them up first), since the
    interpreter itself may live where ``nobody`` cannot read.
    """
    from askdoc.cli import main

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 70
            try:
                os.setegid(65534)
                os.seteuid(65534)
                sys.stdout = open(out.fileno(), "w", encoding="utf-8", closefd=False)
                sys.stderr = open(err.fileno(), "w", encoding="utf-8", closefd=False)
                main(args)
            except SystemExit as e:
                code = int(e.code or 0)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return os.waitstatus_to_exitcode(status), out.read().decode(), err.read().decode()


def _what_nobody_cannot_list() -> str | None:
    """The first folder of installed packages or of askdoc itself that ``nobody`` cannot list.

    The child in ``_as_nobody`` still imports the modules askdoc loads late (the stemmer, Punkt,
    numpy): in a venv inside a folder ``nobody`` cannot enter (``mktemp -d`` makes them mode 700)
    those imports fail and the child exits 70, which says nothing about askdoc. The standard
    library is not asked for: what askdoc needs of it is loaded before the fork.
    """
    import askdoc

    paths = sysconfig.get_paths()
    folders = [paths["purelib"], paths["platlib"], os.path.dirname(askdoc.__file__)]
    with tempfile.TemporaryFile() as said:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                os.setegid(65534)
                os.seteuid(65534)
                for folder in folders:
                    try:
                        os.listdir(folder)
                    except OSError as e:
                        os.write(said.fileno(), f"{folder} ({e.strerror})".encode(errors="backslashreplace"))
                        break
            except BaseException as e:
                os.write(said.fileno(), f"the probe itself: {e!r}".encode(errors="backslashreplace"))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        said.seek(0)
        return said.read().decode() or None


def test_an_unreadable_file_or_folder_is_a_note_and_the_rest_is_indexed(cli, monkeypatch):
    """Permission denied: a note naming the file or folder, and the rest is indexed."""
    if os.geteuid() == 0 and (blocked := _what_nobody_cannot_list()):
        pytest.skip(f"askdoc cannot run as nobody here: nobody cannot list {blocked}")
    root = Path(tempfile.mkdtemp(prefix="askdoc-perm-"))  # under /tmp, reachable by nobody (tmp_path is not)
    try:
        docs, cache = root / "docs", root / "cache"
        (docs / "locked").mkdir(parents=True)
        cache.mkdir()
        (docs / "good.txt").write_text("The heron fishes at dawn.\n")
        (docs / "secret.txt").write_text("The heron hides a secret.\n")
        (docs / "locked" / "inner.txt").write_text("The heron hides another secret.\n")
        (docs / "secret.txt").chmod(0)
        (docs / "locked").chmod(0)
        for p in (root, docs, cache):
            p.chmod(0o777)
        monkeypatch.setenv("ASKDOC_CACHE_DIR", str(cache))
        args = ["ask", "What does the heron do?", str(docs), "-f", "plain", "-k", "5"]
        if os.geteuid() == 0:
            assert cli("ask", "heron", str(FIXTURES / "utf8.txt"), "--no-cache").code == 0  # warm up the modules
            code, stdout, stderr = _as_nobody(args)
        else:
            r = cli(*args)
            code, stdout, stderr = r.code, r.stdout, r.stderr
        assert code == 0 and "good.txt:1: The heron fishes at dawn." in stdout and "secret" not in stdout
        assert "secret.txt: Permission denied" in stderr and "locked: Permission denied" in stderr
        assert "Traceback" not in stderr
    finally:
        (root / "docs" / "locked").chmod(0o755)
        subprocess.run(["rm", "-rf", str(root)], check=False)


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def test_askdoc_never_writes_inside_the_documents_folders(cli, tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("The heron fishes at dawn.\n")
    (docs / "sub" / "b.md").write_text("# Otters\nThe otter sleeps by the river.\n")
    (docs / "bad.txt").write_bytes(b"\xff\xfe\x00")
    before = _snapshot(docs)
    monkeypatch.chdir(docs)  # not even the current folder
    for args in (["ask", "heron", "."], ["ask", "otter", str(docs), "-f", "json"], ["index", str(docs)]):
        assert cli(*args).code == 0
    assert _snapshot(docs) == before
    assert any(Path(os.environ["ASKDOC_CACHE_DIR"]).glob("*.idx"))  # the index went to the cache instead


def _run_measuring_memory(args: list[str], timeout: float) -> tuple[int, bytes, bytes, int]:
    """askdoc as a real process: its exit code, stdout, stderr and peak resident memory in bytes.

    os.wait4 reaps the child itself to read its own peak: Popen.communicate would reap it first,
    and getrusage(RUSAGE_CHILDREN) keeps only the largest peak of every child reaped so far.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "askdoc", *args], stdout=out, stderr=err)
        late = threading.Event()
        watchdog = threading.Timer(timeout, lambda: (late.set(), proc.kill()))
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait for it again
        if late.is_set():
            raise subprocess.TimeoutExpired(proc.args, timeout)
        out.seek(0)
        err.seek(0)
        kib = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        return proc.returncode, out.read(), err.read(), usage.ru_maxrss * kib


@pytest.mark.slow
def test_a_100_mb_file_on_one_line_is_indexed_in_linear_time_and_memory(tmp_path):
    """Punkt sees at most MAX_BLOCK characters at once and line numbers are counted in one pass."""
    size = int(os.environ.get("ASKDOC_TEST_BIG_MB", "100")) * 1024 * 1024  # ~25 s at 100 MB
    words = "alpha beta gamma delta river stone market winter harbour lantern orchard meadow copper".split()
    chunk = " ".join(words[(i * 7) % len(words)] for i in range(100_000)) + " "
    big = tmp_path / "one-line.txt"
    with big.open("w") as f:
        for i in range(size // len(chunk)):
            f.write("The zebra needle sleeps here. " if i == 100 else chunk)
    small = tmp_path / "small.txt"
    small.write_text("The zebra needle sleeps here.\n")
    args = ["ask", "zebra needle", "-k", "1", "-f", "json", "--no-cache"]
    *_, baseline = _run_measuring_memory([*args, str(small)], timeout=60)  # the interpreter and askdoc's imports
    started = time.monotonic()
    code, out, err, peak = _run_measuring_memory([*args, str(big)], timeout=300)
    seconds = time.monotonic() - started
    assert code == 0, err
    top = json.loads(out)["evidence"][0]
    assert "zebra needle" in top["text"] and top["line"] == 1 and len(top["text"]) <= 10_000
    assert seconds < 240, f"{seconds:.0f} s for 100 MB"  # ~30 s here; a quadratic step would take hours
    # ~300 MB over the baseline here for 100 MB; a copy per sentence or per line would be far more
    assert peak - baseline < 8 * size, f"peak {peak >> 20} MB, {baseline >> 20} MB for a one-line file"


def test_a_million_blank_lines_are_fast_and_counted(cli, tmp_path):
    doc = tmp_path / "blank.txt"
    doc.write_text("The heron stands.\n" + "\n" * 1_000_000 + "The otter sleeps by the river.\n")
    started = time.monotonic()
    r = cli("ask", "Where does the otter sleep?", str(doc), "-k", "1", "-f", "plain")
    assert r.code == 0 and _results(r.stdout) == f"{doc}:1000002: The otter sleeps by the river.\n"
    assert time.monotonic() - started < 20


# ---------------------------------------------------------------- 4. odd questions

LONG_QUESTION = " ".join(["heron", "river", "dawn", "otter", "stone"] * 2000)  # 10,000 words


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("", {2}),
        ("   \t ", {2}),
        ("?!.,;:-", {1}),
        ("the of and to what who", {1}),
        pytest.param(LONG_QUESTION, {0}, marks=pytest.mark.slow),  # ~3 s
        ("Где цапля ловит рыбу?", {0, 1}),
        ("鹭在哪里捕鱼？", {0, 1}),
        ("🦦🌊🐟", {1}),
        ("heron 🐟 fishes", {0}),
        ("\x1b[2J heron", {0}),
        ("-", {0, 1}),
        ("--no-such-thing", {2}),
    ],
    ids=[
        "empty",
        "whitespace",
        "punctuation",
        "stopwords",
        "10k-words",
        "cyrillic",
        "cjk",
        "emoji",
        "mixed",
        "esc",
        "dash",
        "option",
    ],
)
def test_an_odd_question_gets_an_answer_an_abstention_or_one_usage_line(cli, question, codes):
    started = time.monotonic()
    r = cli("ask", "-f", "json", question, str(FIXTURES / "utf8.txt"))
    assert time.monotonic() - started < 20
    assert r.code in codes, r.stderr
    assert "Traceback" not in r.stderr
    if r.code == 2:
        assert r.stdout == "" and len(r.stderr.splitlines()) == 1 and r.stderr.startswith("askdoc: error:")
    else:
        data = json.loads(r.stdout)
        assert data["abstained"] is (r.code == 1)
        if question.strip() and not question.startswith("-"):
            assert data["question"] == question


def test_an_undecodable_question_is_not_a_crash(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "askdoc", "ask", b"heron \xff", str(FIXTURES / "utf8.txt"), "-f", "json"],
        capture_output=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0", "PYTHONIOENCODING": "utf-8:strict"},
    )
    assert r.returncode == 0 and b"Traceback" not in r.stderr
    assert json.loads(r.stdout)["question"] == "heron \udcff"  # JSON-escaped as \udcff: the exact argument


# ---------------------------------------------------------------- 5. processes and pipes


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["plain", "json", "jsonl", "rich"])
def test_every_format_into_a_closed_pipe_ends_quietly(tmp_path, fmt):
    big = tmp_path / "big.txt"
    big.write_text("".join(f"The otter number {i} swims in the long river today.\n" for i in range(5000)))
    cmd = (
        f"{sys.executable} -m askdoc ask 'otter river' {big} -k 5000 -f {fmt} | head -1; echo status=${{PIPESTATUS[0]}}"
    )
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1] == "status=0"


def _index_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.idx"))


@pytest.mark.slow
def test_ctrl_c_while_indexing_exits_130_and_leaves_no_broken_index(tmp_path):
    docs, cache = tmp_path / "docs", tmp_path / "cache"
    docs.mkdir()
    env = {**os.environ, "ASKDOC_CACHE_DIR": str(cache)}
    (docs / "first.txt").write_text("The heron fishes at dawn.\n")
    assert run("ask", "heron", str(docs), env=env).returncode == 0  # a good saved index to keep safe
    [saved] = _index_files(cache)
    before = saved.read_bytes()
    line = " ".join(f"otter{i} swims past stone{i} near the harbour." for i in range(40))
    for n in range(30):  # ~60,000 sentences: several seconds of indexing
        (docs / f"doc{n:03}.txt").write_text("\n".join(f"{line} Entry {n}-{k}." for k in range(50)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "askdoc", "ask", "heron", str(docs)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.5)
    assert proc.poll() is None, "indexing finished before Ctrl-C: make the generated folder bigger"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out == b"" and b"Traceback" not in err
    assert list(cache.glob("*.tmp")) == [] and list(cache.glob(".*")) == []  # no half-written leftovers
    assert [p.read_bytes() for p in _index_files(cache)] == [before]  # the old index, whole and untouched
    store.load(saved)
    again = run("ask", "When does the heron fish?", str(docs), "-f", "plain", env=env, timeout=300)
    assert again.returncode == 0 and b"first.txt:1: The heron fishes at dawn." in again.stdout


def test_an_unwritable_cache_means_working_without_it_and_saying_so_once(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"  # even root cannot make a folder inside a file
    blocker.write_text("")
    monkeypatch.setenv("ASKDOC_CACHE_DIR", str(blocker / "cache"))
    r = cli("ask", "When does the heron fish?", str(FIXTURES / "utf8.txt"), "-f", "plain")
    assert r.code == 0 and "The heron fishes at dawn." in r.stdout
    assert r.stderr.count("\n") == 1 and "cannot save the index" in r.stderr and "without it" in r.stderr


def test_a_full_cache_disk_means_working_without_it_and_saying_so_once(cli, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("ASKDOC_CACHE_DIR", str(cache))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store.os, "fsync", full)
    r = cli("ask", "When does the heron fish?", str(FIXTURES / "utf8.txt"), "-f", "plain")
    assert r.code == 0 and "The heron fishes at dawn." in r.stdout
    assert r.stderr.count("\n") == 1 and "No space left on device" in r.stderr
    assert list(cache.iterdir()) == []  # the partial file is gone


@pytest.mark.slow
def test_concurrent_askdoc_processes_on_one_corpus_agree_and_leave_a_valid_index(tmp_path):
    docs, cache = tmp_path / "docs", tmp_path / "cache"
    docs.mkdir()
    for n in range(40):
        (docs / f"d{n}.txt").write_text("\n".join(f"The otter {n} swims past stone {k}." for k in range(200)))
    (docs / "heron.txt").write_text("The heron fishes at dawn.\n")
    env = {**os.environ, "ASKDOC_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "askdoc", "ask", "When does the heron fish?", str(docs), "-f", "plain", "-k", "1"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert {_results(r[0].decode()) for r in results} == {f"{docs / 'heron.txt'}:1: The heron fishes at dawn.\n"}
    assert len({r[0] for r in results}) == 1  # the answer line too, if there is one
    assert all(r[1:] == (b"", 0) for r in results)
    [index] = _index_files(cache)
    assert store.load(index).header["sentences"] == 40 * 200 + 1
    # nothing but the index (and, with the semantic extra, its embeddings beside it): no leftovers
    assert [p.name for p in cache.iterdir() if p.name not in (index.name, index.name + ".emb")] == []


def test_fixture_files_are_byte_exact():
    """Guards the fixtures themselves: a checkout that rewrote line endings would test nothing."""
    assert (FIXTURES / "crlf.txt").read_bytes().count(b"\r\n") == 5
    assert b"\n" not in (FIXTURES / "cr.txt").read_bytes()
    assert stat.S_ISREG((FIXTURES / "escapes.txt").stat().st_mode) and b"\x1b[2J" in ESCAPES.read_bytes()
