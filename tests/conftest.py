"""Shared fixtures: the bundled article, tiny hand-made documents, and a CLI runner.

The runner calls ``askdoc.cli.main`` in process with its own stdin/stdout/stderr, the way a
shell would run it, so exit codes and the two output streams are checked apart.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from askdoc.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "corpus" / "us-russia-riyadh-talks.txt"
SHARED = ROOT.parent / "shared"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


class _Stream(io.TextIOWrapper):
    def __init__(self, data: bytes = b"", tty: bool = False):
        super().__init__(io.BytesIO(data), encoding="utf-8", newline="")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    def value(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8")


@pytest.fixture
def cli(monkeypatch):
    """Run askdoc with arguments (and optional stdin bytes); return code, stdout, stderr."""

    def run(*args: str, stdin: bytes = b"", tty: bool = False) -> Result:
        out, err = _Stream(tty=tty), _Stream()
        monkeypatch.setattr(sys, "stdin", _Stream(stdin))
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        return Result(code, out.value(), err.value())

    return run


@pytest.fixture
def article_text() -> str:
    return ARTICLE.read_text(encoding="utf-8")


def numbered_sentences(n: int) -> str:
    """A document of ``n`` distinct sentences, one per line, each with a unique word."""
    animals = ["otter", "heron", "badger", "falcon", "walrus", "lynx", "ibis", "marten", "gecko", "yak"]
    colours = ["amber", "cobalt", "crimson"]
    return "\n".join(f"The {colours[i % 3]} {animals[i % 10]} number {i} sleeps near river{i}." for i in range(n))


_CACHE_DIR: str | None = None


def pytest_configure(config):
    """Saved indexes go to a temporary cache folder, never the user's ~/.cache."""
    global _CACHE_DIR
    _CACHE_DIR = tempfile.mkdtemp(prefix="askdoc-test-cache-")
    os.environ["ASKDOC_CACHE_DIR"] = _CACHE_DIR


def pytest_unconfigure(config):
    """The cache folder goes with the session: runs must not pile them up in /tmp."""
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Every Hypothesis test is `slow`: each runs its body 60 to 150 times."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With ASKDOC_REQUIRE_SEMANTIC=1 (CI's README venv, which has the extra), a `semantic` test that skips fails.

    Those tests skip when the extra is missing; in the venv made to run them, a skip means the
    extra is broken, and a run of nothing but skips must not pass.
    """
    report = yield
    if report.skipped and os.environ.get("ASKDOC_REQUIRE_SEMANTIC") == "1" and item.get_closest_marker("semantic"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"ASKDOC_REQUIRE_SEMANTIC=1, but this semantic test skipped: {reason}"
    return report
