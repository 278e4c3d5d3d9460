"""``askdoc shell`` as people and scripts use it: typed at in a real pseudo-terminal, or fed a pipe.

The terminal tests run the installed ``askdoc`` under pexpect and read the screen output with
the escape sequences stripped. Every run keeps its history and saved index in a temporary
folder (``ASKDOC_HISTORY``, ``ASKDOC_CACHE_DIR``), never in the real home.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow

ASKDOC = str(Path(sys.executable).with_name("askdoc"))
RUBIO = "Marco Rubio led the American delegation"
WHERE = re.compile(r"us-russia-riyadh-talks\.txt:\d+")  # one per ranked sentence in the Rich rendering
PROMPT = "askdoc>"
# CSI and other escape sequences, plus the carriage returns and backspaces of line redraws.
ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|[\r\x08\x07]")
UP = "\x1b[A"


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "ASKDOC_HISTORY": str(tmp_path / "state" / "history"),
        "ASKDOC_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),  # in case the variable above were ignored
        "TERM": "xterm-256color",
        "COLUMNS": "200",
        "LINES": "50",
        # pexpect is not a terminal emulator: it never answers prompt_toolkit's cursor-position query.
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }


class Terminal:
    """``askdoc shell`` in a pseudo-terminal 200 columns wide, read as text without escape sequences."""

    def __init__(self, env: dict[str, str], *args: str, cwd: Path | None = None):
        self.child = pexpect.spawn(
            ASKDOC, ["shell", *args], env=env, cwd=cwd, dimensions=(50, 200), encoding="utf-8", timeout=30
        )
        self.raw = ""
        self.mark = 0  # how much of the cleaned text the test has read

    @property
    def text(self) -> str:
        return ESCAPE.sub("", self.raw)

    def wait_for(self, pattern: str | re.Pattern, timeout: float = 30) -> str:
        """Read until ``pattern`` shows up after the mark; return the text up to it and move the mark past it."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.text, self.mark)
            if found:
                seen, self.mark = self.text[self.mark : found.end()], found.end()
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared; the screen so far:\n{self.text[self.mark :]}")
            try:
                self.raw += self.child.read_nonblocking(4096, timeout=0.2)
            except pexpect.TIMEOUT:
                pass

    def run(self, line: str, expect: str | re.Pattern) -> str:
        """Type a line, wait for ``expect`` and then the next prompt; return everything shown in between."""
        self.child.send(line + "\r")
        shown = self.wait_for(expect)
        return shown + self.wait_for(PROMPT)

    def leave(self) -> int:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.raw += self.child.before or ""
        self.child.close()
        return self.child.exitstatus


def test_a_person_at_the_terminal(env):
    term = Terminal(env)
    banner = term.wait_for(PROMPT)
    assert re.search(r"loaded 1 file, \d+ sentences", banner)

    answer = term.run("Who led the US delegation?", RUBIO)
    assert len(WHERE.findall(answer)) == 3  # three ranked sentences by default, as askdoc ask shows
    # The matched words are highlighted (an escape sequence right before the word), not plain text.
    assert re.search(r"\x1b\[[0-9;]*mdelegation\x1b\[", term.raw)

    assert "top is now 1" in term.run(":top 1", "top is now 1")
    answer = term.run("Who led the US delegation?", RUBIO)
    assert len(WHERE.findall(answer)) == 1

    shown = term.run(":help", "Ctrl-D leaves")
    for command in (":help", ":top N", ":context N", ":format", ":open PATH", ":sources", ":quit"):
        assert command in shown

    shown = term.run(":frobnicate", "unknown command :frobnicate")
    assert ":help lists the commands" in shown

    # Ctrl-C drops a half-typed question: the next line typed is a command of its own, not its tail.
    term.child.send("Who led the Rus")
    term.wait_for("Who led the Rus")
    term.child.sendintr()
    shown = term.run(":sources", re.compile(r"\d+ sentences\s+us-russia-riyadh-talks\.txt"))
    assert not WHERE.search(shown)  # no answer was printed for the dropped question

    assert term.leave() == 0
    assert "Traceback" not in term.text


def test_history_survives_a_restart(env):
    first = Terminal(env)
    first.wait_for(PROMPT)
    first.run("Who led the US delegation?", RUBIO)
    assert first.leave() == 0
    assert Path(env["ASKDOC_HISTORY"]).is_file()

    second = Terminal(env)
    second.wait_for(PROMPT)
    # History loads in the background: press Up until the last session's question is back on the line.
    for _ in range(50):
        second.child.send(UP)
        time.sleep(0.1)
        second.raw += _drain(second.child)
        if "Who led the US delegation?" in second.text[second.mark :]:
            break
    second.child.send("\r")
    assert RUBIO in second.wait_for(RUBIO)
    second.wait_for(PROMPT)
    assert second.leave() == 0


def test_enter_during_a_history_search_asks_the_question_found(env):
    term = Terminal(env)
    term.wait_for(PROMPT)
    term.run("Who led the US delegation?", RUBIO)
    term.run("Who joined Lavrov?", "Ushakov")
    term.child.sendcontrol("r")
    term.child.send("deleg")
    term.wait_for("Who led the US delegation?")
    term.child.send("\r")  # one Enter, as in bash: the found question is asked
    assert RUBIO in term.wait_for(RUBIO, timeout=10)
    term.wait_for(PROMPT)
    assert term.leave() == 0


def test_documents_changed_or_gone_while_the_shell_is_open(env, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "cats.txt").write_text("The cat sat on the red mat.\n", encoding="utf-8")
    (docs / "dogs.txt").write_text("The dog chased the cat around the park.\n", encoding="utf-8")
    term = Terminal(env, "docs/cats.txt", "docs/dogs.txt", cwd=tmp_path)
    assert "loaded 2 files" in term.wait_for(PROMPT)
    term.run("Where did the cat sit?", "red mat")

    (docs / "cats.txt").write_text("The cat sat on the blue sofa, then on the windowsill.\n", encoding="utf-8")
    (docs / "dogs.txt").unlink()
    shown = term.run("Where did the cat sit?", "red mat")  # answers still come from the loaded copy
    assert "docs/cats.txt changed on disk" in shown
    assert "docs/dogs.txt is gone from disk" in shown

    shown = term.run(":open", "loaded 1 file")
    assert "docs/dogs.txt is gone from disk; dropped" in shown
    assert "blue sofa" in term.run("Where did the cat sit?", "blue sofa")

    shown = term.run(":open docs/nothing-here.txt", "no such file")
    assert "blue sofa" in term.run("Where did the cat sit?", "blue sofa")  # a failed :open keeps what was loaded
    assert term.leave() == 0
    assert "Traceback" not in term.text


def test_no_history_file_is_said_once_and_the_shell_works(env, tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    env["ASKDOC_HISTORY"] = str(tmp_path / "a-file" / "history")  # its folder cannot be created
    term = Terminal(env)
    assert "history not saved" in term.wait_for(PROMPT)
    term.run("Who led the US delegation?", RUBIO)
    assert term.leave() == 0
    assert term.text.count("history not saved") == 1


def _drain(child) -> str:
    try:
        return child.read_nonblocking(65536, timeout=0.1)
    except pexpect.TIMEOUT:
        return ""


# ---------------------------------------------------------------- piped


def shell(env: dict[str, str], stdin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ASKDOC, "shell", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_questions_piped_in_come_back_as_parseable_lines(env):
    questions = "Who led the US delegation?\nWhat did Zelensky say?\nWho joined Lavrov?\n"
    result = shell(env, questions)

    assert result.returncode == 0
    assert PROMPT not in result.stdout and "loaded" not in result.stdout  # stdout holds answers only
    assert re.search(r"loaded 1 file, \d+ sentences", result.stderr)
    answers: dict[int, list[str]] = {}
    for line in result.stdout.splitlines():
        number, text = line.split("\t", 1)  # like `askdoc ask --batch`: the question's line number, a tab
        answers.setdefault(int(number), []).append(text)
    assert sorted(answers) == [1, 2, 3]
    assert RUBIO in answers[1][0] + answers[1][1]
    assert any("Zelensky" in line for line in answers[2])
    assert any("Sergei Lavrov" in line for line in answers[3])
    assert not Path(env["ASKDOC_HISTORY"]).exists()  # scripts do not fill the person's history


def test_piped_commands_change_the_answers_and_mistakes_do_not_stop_the_shell(env):
    lines = [":top 1", ":format jsonl", ":nonsense", "Who led the US delegation?", ":open /no/such/file.txt"]
    lines += [":q", "Who?"]
    result = shell(env, "\n".join(lines) + "\n")

    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 1  # :q ends the shell before the last line
    assert objects[0]["id"] == 4 and len(objects[0]["evidence"]) == 1
    assert RUBIO in objects[0]["evidence"][0]["text"]
    assert "unknown command :nonsense" in result.stderr
    assert "/no/such/file.txt: no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == 2  # something went wrong along the way, as a script should learn


def test_piped_help_and_sources_go_to_stderr_so_stdout_stays_answers(env):
    result = shell(env, ":help\n:sources\nWho led the US delegation?\n")
    assert result.returncode == 0
    assert "Commands" in result.stderr and "us-russia-riyadh-talks.txt" in result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"3\t", line) for line in lines)  # the answer's lines only


def test_a_closed_pipe_ends_the_piped_shell_quietly_with_status_0(env):
    # `askdoc shell < questions | head -1`: far more output than a pipe holds, then the reader leaves.
    child = subprocess.Popen(
        [ASKDOC, "shell", "-k", "5", "-C", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    child.stdin.write(b"Who led the US delegation?\n" * 2000)
    child.stdin.close()
    assert child.stdout.readline()
    child.stdout.close()
    assert child.wait(timeout=120) == 0
    stderr = child.stderr.read().decode()
    assert "Traceback" not in stderr and "Broken" not in stderr and "error" not in stderr


def test_stdin_cannot_be_both_the_questions_and_a_document(env):
    result = shell(env, "Who?\n", "-")
    assert result.returncode == 2
    assert "cannot read a document from -" in result.stderr
    assert result.stdout == ""


def test_a_long_history_file_is_trimmed_to_its_latest_questions(tmp_path, monkeypatch):
    from askdoc.cli import shell

    history = tmp_path / "history"
    entries = (f"\n# 2026-01-01 00:00:00.{i:06d}\n+question {i}\n" for i in range(300))
    history.write_text("".join(entries), encoding="utf-8")
    monkeypatch.setattr(shell, "HISTORY_MAX", 100)
    monkeypatch.setattr(shell, "HISTORY_KEEP", 10)
    shell._trim_history(history)
    from prompt_toolkit.history import FileHistory

    kept = list(FileHistory(str(history)).load_history_strings())  # newest first
    assert kept == [f"question {i}" for i in range(299, 289, -1)]


def test_explain_can_be_turned_on_and_off_in_the_shell(env):
    lines = [":format jsonl", "Who led the US delegation?", ":explain on", "Who led the US delegation?"]
    lines += [":explain off", "Who led the US delegation?", ":explain perhaps"]
    result = shell(env, "\n".join(lines) + "\n")
    first, explained, plain = (json.loads(line) for line in result.stdout.splitlines())
    assert "explain" not in first["evidence"][0] and "explain" not in plain["evidence"][0]
    assert explained["evidence"][0]["explain"]["terms"]["deleg"]["score"] > 0
    assert ":explain takes on or off" in result.stderr
    with_option = shell(env, "Who led the US delegation?\n", "-e", "-f", "jsonl")
    assert "explain" in json.loads(with_option.stdout)["evidence"][0]


def test_help_exit_quit_and_clear_typed_bare_are_commands_not_questions(env):
    term = Terminal(env)
    term.wait_for(PROMPT)
    assert "Ctrl-D leaves" in term.run("help", "Ctrl-D leaves")  # the :help listing, not an answer
    term.run("clear", PROMPT)
    assert "\x1b[2J" in term.raw  # the screen was cleared
    term.child.send("exit\r")
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 0


def test_the_shell_opens_a_saved_index_without_decoding_its_files(tmp_path, monkeypatch):
    # a 100 MB file would cost its whole text in memory, and seconds, before the prompt
    from functools import partial

    import askdoc.api
    from askdoc.cli import shell
    from askdoc.cli.ui import open_index

    doc = tmp_path / "notes.txt"
    doc.write_text("The otter sleeps in the river bank. The heron fishes at dawn.\n", encoding="utf-8")
    opener = partial(open_index, index=tmp_path / "notes.idx", semantic=False)
    opener([str(doc)])  # indexed and saved once

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was decoded")

    monkeypatch.setattr(askdoc.api, "read_text", no_reading)
    corpus = shell.load([str(doc)], warn=lambda message: None, opener=opener)
    assert corpus.index.ask("Where does the otter sleep?").evidence[0].sentence.text.startswith("The otter")
