"""The askdoc command as users and scripts meet it: formats, inputs, exit codes, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTICLE, SHARED

from askdoc.index import store

RUBIO = "Marco Rubio led the American delegation"
QUESTION = "Who led the US delegation?"


def test_the_example_question_finds_rubio_in_the_bundled_article(cli):
    r = cli("ask", QUESTION)
    assert r.code == 0
    first, second = r.stdout.splitlines()[:2]
    assert RUBIO in first  # `| head -1` shows the sentence (after the short answer, when there is one)
    assert RUBIO in second or not first.startswith("answer: ")


def test_plain_output_is_one_grep_style_line_per_result(cli, article_text):
    r = cli("ask", QUESTION, "-f", "plain", "-k", "3")
    lines = [line for line in r.stdout.splitlines() if not line.startswith("answer: ")]
    assert len(lines) == 3
    for line in lines:
        m = re.fullmatch(r"(.+):(\d+): (.+)", line)
        assert m, line
        source, number, text = m.groups()
        assert source == "us-russia-riyadh-talks.txt"
        assert text in article_text.splitlines()[int(number) - 1]


def test_plain_context_lines_are_marked_like_grep(cli):
    r = cli("ask", QUESTION, "-f", "plain", "-k", "2", "-C", "1")
    lines = [line for line in r.stdout.splitlines() if not line.startswith("answer: ")]
    assert "--" in lines
    assert any(re.match(r".+:\d+-", line) for line in lines)
    assert sum(bool(re.match(r".+:\d+: ", line)) for line in lines) == 2


def test_json_output_parses_and_offsets_reproduce_the_text(cli, article_text):
    r = cli("ask", QUESTION, "-f", "json", "-k", "5")
    data = json.loads(r.stdout)
    assert data["question"] == QUESTION and data["abstained"] is False
    ranks = [e["rank"] for e in data["evidence"]]
    assert ranks == [1, 2, 3, 4, 5]
    for e in data["evidence"]:
        assert article_text[e["start"] : e["end"]] == e["text"]
        assert set(e) >= {"rank", "score", "text", "source", "line", "start", "end"}
    assert RUBIO in data["evidence"][0]["text"]
    scores = [e["score"] for e in data["evidence"]]
    assert scores == sorted(scores, reverse=True)


def test_jsonl_batch_answers_every_question_in_order_and_echoes_ids(cli, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": QUESTION})
        + "\n\n"
        + json.dumps({"id": 7, "question": "Where did European leaders gather?"})
        + "\nWho is the Kremlin spokesman?\n",
        encoding="utf-8",
    )
    r = cli("ask", "--batch", str(questions), "-f", "jsonl")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["a", 7, 4]  # a plain line's id is its line number
    assert RUBIO in rows[0]["evidence"][0]["text"]
    assert "Paris" in rows[1]["evidence"][0]["text"]
    assert "Peskov" in rows[2]["evidence"][0]["text"]
    assert r.code == 0


def test_batch_questions_from_stdin_about_a_file(cli):
    r = cli("ask", "--batch", "-", str(ARTICLE), "-f", "jsonl", stdin=f"{QUESTION}\n".encode())
    assert RUBIO in json.loads(r.stdout)["evidence"][0]["text"]


def _evidence(result) -> list[tuple]:
    return [(e["text"], e["start"], e["end"], e["score"]) for e in json.loads(result.stdout)["evidence"]]


def test_stdin_file_and_folder_give_the_same_results(cli, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    copy = folder / "sub" / "talks.md"
    copy.write_bytes(ARTICLE.read_bytes())
    (folder / "image.png").write_bytes(b"\x89PNG\x00\x00")  # not .txt/.md: never read
    via_file = cli("ask", QUESTION, str(ARTICLE), "-f", "json")
    via_stdin = cli("ask", QUESTION, "-", "-f", "json", stdin=ARTICLE.read_bytes())
    via_folder = cli("ask", QUESTION, str(folder), "-f", "json")
    assert _evidence(via_file) == _evidence(via_stdin) == _evidence(via_folder)
    assert json.loads(via_stdin.stdout)["evidence"][0]["source"] == "<stdin>"
    assert json.loads(via_folder.stdout)["evidence"][0]["source"] == str(copy)


def test_a_question_nothing_matches_exits_1_and_says_so_on_stderr(cli):
    r = cli("ask", "zeppelins", "-f", "plain")
    assert r.code == 1 and r.stdout == ""
    assert "no answer" in r.stderr


def test_an_abstention_in_json_says_abstained(cli):
    data = json.loads(cli("ask", "zeppelins", "-f", "json").stdout)
    assert data["abstained"] is True and data["evidence"] == []


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (["ask", QUESTION, "/no/such/file.txt"], b"", "no such file"),
        (["ask", ""], b"", "question is empty"),
        (["ask", "   "], b"", "question is empty"),
        (["ask", QUESTION, "-"], b"\x7fELF\x02\x01\x00\x00binary", "not a text file"),
        (["ask", QUESTION, "-"], b"caf\xe9 latte", "not valid UTF-8"),
        (["ask", QUESTION, "-k", "0"], b"", "--top"),
        (["ask", QUESTION, "--no-such-option"], b"", "No such option"),
        (["ask", "--batch", "-", "-"], b"q\n", "stdin"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(cli, args, stdin, expected):
    r = cli(*args, stdin=stdin)
    assert r.code == 2
    assert r.stdout == ""
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith("askdoc: error:") and expected in r.stderr
    assert "Traceback" not in r.stderr


def test_a_binary_file_is_refused_by_name(cli, tmp_path):
    binary = tmp_path / "data.txt"
    binary.write_bytes(b"\x00\x01\x02 not text")
    r = cli("ask", QUESTION, str(binary))
    assert r.code == 2 and str(binary) in r.stderr


def test_binary_files_in_a_folder_are_skipped_with_a_note(cli, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x00")
    (tmp_path / "good.txt").write_text("The otter sleeps by the river.", encoding="utf-8")
    r = cli("ask", "Where does the otter sleep?", str(tmp_path), "-f", "plain")
    assert r.code == 0 and "otter" in r.stdout
    assert "bad.txt" in r.stderr and "skipped" in r.stderr


def test_rich_output_shows_rank_location_and_sentence(cli):
    r = cli("ask", QUESTION, "-f", "rich", "-k", "2")
    assert r.code == 0
    assert "us-russia-riyadh-talks.txt:9" in r.stdout
    assert " 1 " in r.stdout and " 2 " in r.stdout
    assert "Marco Rubio" in r.stdout


def test_auto_format_is_plain_in_a_pipe_and_rich_on_a_terminal(cli):
    piped = cli("ask", QUESTION)
    assert re.search(r"^us-russia-riyadh-talks\.txt:9: ", piped.stdout, re.MULTILINE)
    assert "█" not in piped.stdout and "\x1b[" not in piped.stdout
    terminal = cli("ask", QUESTION, tty=True)
    assert "█" in terminal.stdout  # the score bar


def test_help_shows_examples(cli):
    r = cli("ask", "--help")
    assert r.code == 0 and "Examples" in r.stdout and "--batch" in r.stdout
    assert "askdoc[semantic]" in re.sub(r"[\s│]+", "", r.stdout)  # not eaten as Rich markup


def _seed_questions(style: str) -> list[dict]:
    path = SHARED / "eval" / "seed-questions.jsonl"
    if not path.exists():
        pytest.skip("the shared gold set is not beside this checkout")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in rows if q["style"] == style and q["evidence"]]


def test_every_lexical_question_about_the_article_is_right_at_rank_1(cli, tmp_path):
    questions = _seed_questions("lexical")
    batch = tmp_path / "q.jsonl"
    batch.write_text("".join(json.dumps({"id": q["id"], "question": q["question"]}) + "\n" for q in questions))
    rows = [json.loads(line) for line in cli("ask", "--batch", str(batch), "-f", "jsonl").stdout.splitlines()]
    for q, row in zip(questions, rows, strict=True):
        assert any(s in row["evidence"][0]["text"] for s in q["evidence"]), q["question"]


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly(tmp_path):
    big = tmp_path / "big.txt"  # far more output than a pipe buffer holds, so the writer meets the closed pipe
    big.write_text("".join(f"The otter number {i} swims in the long river today.\n" for i in range(20000)))
    cmd = f"{sys.executable} -m askdoc ask 'otter river' {big} -k 20000 | head -1; echo status=${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.stderr == ""
    first, status = done.stdout.splitlines()
    assert "otter number" in first and status == "status=0"


def test_the_module_runs_as_a_real_process_with_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "askdoc", "ask", QUESTION], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and RUBIO in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "askdoc", "ask", ""], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_the_installed_command_answers_from_any_directory(tmp_path):
    """The article ships inside the package: no checkout or corpus/ folder is needed."""
    script = Path(sys.executable).with_name("askdoc")
    if not script.exists():
        pytest.skip("askdoc is not installed as a console script next to this Python")
    done = subprocess.run([str(script), "ask", QUESTION], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and RUBIO in done.stdout.splitlines()[0]


def test_explain_shows_each_matched_term_and_the_related_word_used(cli, tmp_path):
    doc = tmp_path / "war.txt"
    doc.write_text("The harvest was poor that year. The army's invasion of the valley began in 1939.", encoding="utf-8")
    data = json.loads(cli("ask", "When did the army invade the valley?", str(doc), "-f", "json", "-e").stdout)
    top = data["evidence"][0]
    assert top["text"].startswith("The army's invasion")
    why = top["explain"]
    assert why["terms"]["invad"]["via"] == "invas"  # "invade" found as "invasion"
    assert why["terms"]["armi"]["via"] is None
    assert sum(t["score"] for t in why["terms"].values()) + why["floor"] == pytest.approx(why["bm25"], abs=1e-3)
    if not why["semantic"]:  # with the semantic extra, the score is the blend of BM25 and meaning
        assert why["bm25"] + why["type_bonus"] == pytest.approx(top["score"], abs=1e-3)
    assert why["answer_type"] == "time"
    rich = cli("ask", "When did the army invade the valley?", str(doc), "-f", "rich", "-e").stdout
    assert "why:" in rich and "invas" in rich
    plain = cli("ask", "When did the army invade the valley?", str(doc), "-f", "plain", "-e", "-k", "2").stdout
    lines = [line for line in plain.splitlines() if not line.startswith("answer: ")]
    assert lines and [line.startswith("    why: ") for line in lines] == [False, True] * (len(lines) // 2)
    assert "invad (as invas)" in lines[1]


def test_the_readme_examples_show_the_scores_askdoc_gives(cli):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = float(re.search(r'"score": ([\d.]+)', readme).group(1))  # the JSON example
    data = json.loads(cli("ask", QUESTION, "-f", "json", "-k", "1", "--no-semantic").stdout)
    assert data["evidence"][0]["score"] == pytest.approx(shown, abs=1e-6)
    explained = cli("ask", "When did Russia invade Ukraine?", "-k", "1", "-f", "plain", "-e", "--no-semantic").stdout
    why = explained.splitlines()[-1].strip()
    assert why in readme  # the --explain example, word for word


def test_every_command_has_help_with_an_example_and_a_readme_section(cli):
    from askdoc.cli import app

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert set(names) >= {"ask", "shell", "index", "eval"}
    for name in names:
        r = cli(name, "--help")
        assert r.code == 0 and "Example" in r.stdout, name
        assert f"askdoc {name}" in readme, f"the README never shows askdoc {name}"


def test_version(cli):
    from askdoc import __version__

    assert cli("--version").stdout.strip() == f"askdoc {__version__}"


def test_index_builds_shows_and_clears_the_saved_index(cli, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The otter sleeps by the river. The heron fishes.", encoding="utf-8")
    built = cli("index", str(folder))
    assert built.code == 0 and "1 analysed" in built.stderr and built.stdout == ""
    again = cli("index", str(folder))
    assert "0 analysed, 1 unchanged" in again.stderr
    info = cli("index", str(folder), "--info")
    assert info.code == 0 and "sentences: 2" in info.stdout and str(folder / "a.txt") in info.stdout
    path = re.search(r"^index: (.+)$", info.stdout, re.MULTILINE).group(1)
    assert Path(path).is_file()
    cleared = cli("index", str(folder), "--clear")
    assert cleared.code == 0 and not Path(path).exists()
    gone = cli("index", str(folder), "--info")
    assert gone.code == 2 and gone.stderr.startswith("askdoc: error: no usable saved index")


def test_index_never_overwrites_or_removes_a_file_askdoc_did_not_write(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Alice owns the cat.\n", encoding="utf-8")
    for args in (["ask", "Who owns the cat?", str(notes)], ["index", str(notes)], ["index", "--clear"]):
        r = cli(*args, "--index", str(notes))  # the document given as the index by mistake
        assert r.code == 2 and "is not an askdoc index" in r.stderr and len(r.stderr.splitlines()) == 1
        assert notes.read_text(encoding="utf-8") == "Alice owns the cat.\n"


def test_clearing_an_index_removes_its_own_files_only(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Alice owns the cat.\n", encoding="utf-8")
    index = tmp_path / "my.idx"
    backup = tmp_path / "my.idx.bak"
    backup.write_text("the user's own file", encoding="utf-8")
    assert cli("index", str(notes), "--index", str(index)).code == 0 and index.exists()
    embeddings = tmp_path / "my.idx.emb"  # what the semantic extra keeps beside an index
    embeddings.write_bytes(store.EMBEDDINGS_MAGIC + b"\0" * 32)
    assert cli("index", str(notes), "--index", str(index), "--clear").code == 0
    assert not index.exists() and not embeddings.exists()
    assert backup.read_text(encoding="utf-8") == "the user's own file"


def _run_with_stdout_closed(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command as `... >&-` runs it: with file descriptor 1 closed."""
    return subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_a_one_line_error(tmp_path):
    env = {**os.environ, "ASKDOC_CACHE_DIR": str(tmp_path)}
    ask = [sys.executable, "-m", "askdoc", "ask", QUESTION]
    with open("/dev/full", "w") as full:
        r = subprocess.run(ask, stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stderr == "askdoc: error: cannot write the output: No space left on device\n"
    closed = _run_with_stdout_closed(ask, env)  # `askdoc ... >&-`
    assert (
        closed.returncode == 2
        and closed.stderr == "askdoc: error: cannot write the output: standard output is closed\n"
    )
    # `askdoc index -q >&-` prints nothing: a closed stdout is no matter
    quiet = _run_with_stdout_closed([sys.executable, "-m", "askdoc", "index", "-q"], env)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_folder_with_nothing_to_read_is_an_input_error_not_a_missing_answer(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    r = cli("ask", "Who owns the cat?", str(tmp_path / "empty"))
    assert r.code == 2 and "no documents to read" in r.stderr and r.stdout == ""


def test_a_folder_of_files_that_are_all_skipped_is_an_input_error_too(cli, tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"caf\xe9\x00\x01")
    r = cli("ask", "Who owns the cat?", str(tmp_path))
    assert r.code == 2 and "skipped" in r.stderr and "no documents to read" in r.stderr and r.stdout == ""


def test_a_file_named_with_a_trailing_slash_is_refused_as_the_shell_would(cli, tmp_path):
    (tmp_path / "a.txt").write_text("Alice owns the cat.", encoding="utf-8")
    r = cli("ask", "Who owns the cat?", str(tmp_path / "a.txt") + "/")
    assert r.code == 2 and r.stderr.endswith("a.txt/: not a folder\n") and r.stdout == ""


def test_a_file_name_the_system_refuses_is_a_one_line_input_error(cli, tmp_path):
    r = cli("ask", "Who owns the cat?", str(tmp_path / ("a" * 300 + ".txt")))  # over NAME_MAX
    assert r.code == 2 and len(r.stderr.splitlines()) == 1 and "cannot write the output" not in r.stderr
    assert r.stderr.startswith("askdoc: error: ") and "aaaa" in r.stderr


def test_standard_input_cannot_be_saved_as_an_index(cli):
    r = cli("index", "-", stdin=b"Alice owns the cat.")
    assert r.code == 2 and "standard input cannot be indexed" in r.stderr


def test_quiet_still_skips_an_unreadable_file_inside_a_folder(cli, tmp_path):
    (tmp_path / "good.txt").write_text("The otter sleeps by the river.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9")
    r = cli("ask", "Where does the otter sleep?", str(tmp_path), "-q", "-f", "plain")
    assert r.code == 0 and "otter" in r.stdout and r.stderr == ""


@pytest.mark.parametrize("flag", ["--info", "--clear"])
def test_index_info_and_clear_on_a_folder_path_are_one_line_errors(cli, tmp_path, flag):
    r = cli("index", "--index", str(tmp_path), flag)
    assert r.code == 2 and len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr


@pytest.mark.slow
def test_a_one_shot_question_from_a_saved_index_imports_neither_nltk_nor_numpy(tmp_path):
    """NLTK (~0.3 s) and numpy (~0.15 s) would double a one-shot command's time: the saved
    index's stems and the pure-Python stemmer answer even words the documents never hold."""
    env = {**os.environ, "ASKDOC_CACHE_DIR": str(tmp_path)}
    build = [sys.executable, "-m", "askdoc", "index"]
    assert subprocess.run(build, capture_output=True, env=env, timeout=120).returncode == 0
    code = (
        "import sys; from askdoc.cli import main\n"
        "try: main(['ask', 'Which zebras galloped to the lighthouse in Riyadh?', '-f', 'json', '--no-semantic'])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('nltk', 'numpy') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "Riyadh" in json.loads(done.stdout)["evidence"][0]["text"]
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_the_answer_line_names_the_sentence_the_answer_came_from(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("askdoc.tuning.ANSWER_SHOW_CONFIDENCE", 0.0)  # shown however unsure: the line is tested
    doc = tmp_path / "town.txt"
    doc.write_text("People live in the town and people love town life. The town has 12,000 people.", encoding="utf-8")
    first = cli("ask", "How many people live in the town?", str(doc), "-k", "1", "-f", "plain", "--no-semantic")
    answer_line, shown = first.stdout.splitlines()
    assert answer_line.startswith("answer: 12,000 | ") and answer_line.endswith("The town has 12,000 people.")
    assert "12,000" not in shown  # the one sentence shown is another: the answer line still cites its own


def test_in_a_pipe_an_abstained_question_says_so_before_its_closest_sentences(cli, tmp_path):
    doc = tmp_path / "harbour.txt"
    doc.write_text("The harbour was busy in 1990. Boats leave at dawn.", encoding="utf-8")
    r = cli("ask", "How many ships did the navy sink in the harbour war?", str(doc), "-f", "plain", "--no-semantic")
    assert r.code == 1
    first, *rest = r.stdout.splitlines()
    assert first.startswith("abstained: ") and rest and all(":" in line for line in rest)
    batch = tmp_path / "q.txt"
    questions = "# a comment, not a question\nWho led the US delegation?\n\nHow many zeppelins flew?\n"
    batch.write_text(questions, encoding="utf-8")
    r = cli("ask", "--batch", str(batch), "-f", "plain", "--no-semantic")
    ids = {line.split("\t")[0] for line in r.stdout.splitlines()}
    assert ids == {"2", "4"}  # the comment is no question; line numbers still count it
    assert any(line.startswith("4\tabstained: ") for line in r.stdout.splitlines())


def test_the_json_answer_is_one_line_even_from_a_wrapped_sentence(cli, tmp_path):
    doc = tmp_path / "wrapped.txt"
    doc.write_text("The council discussed the new\n   harbour tax plan on Friday.\n", encoding="utf-8")
    data = json.loads(cli("ask", "What did the council discuss?", str(doc), "-f", "json", "--no-semantic").stdout)
    assert "harbour tax plan" in data["answer"] and "\n" not in data["answer"] and "  " not in data["answer"]
