"""The semantic extra's models are made once a process, and ahead, in a thread, while the
documents are read (askdoc.rank.semantic.runtime): stand-in models, so these run without it."""

from __future__ import annotations

import threading

import pytest

from askdoc.rank.semantic import runtime


def test_a_model_made_ahead_in_a_thread_is_the_one_a_question_gets_and_is_made_once() -> None:
    made: list[object] = []
    started = threading.Event()
    release = threading.Event()

    def make() -> object:
        started.set()
        release.wait(5)  # still being made when the question asks for it
        made.append(object())
        return made[-1]

    model = runtime.shared(make)
    thread = runtime.preload(model)
    assert started.wait(5)
    threading.Timer(0.05, release.set).start()
    assert model() is made[0]  # waited for the thread's, did not make another
    thread.join(5)
    assert len(made) == 1 and model() is made[0]


def test_a_model_that_fails_in_the_thread_fails_again_where_it_is_asked_for(capfd) -> None:
    calls: list[int] = []

    def make() -> object:
        calls.append(1)
        raise RuntimeError("the model file is damaged")

    model = runtime.shared(make)
    runtime.preload(model).join(5)
    assert capfd.readouterr().err == ""  # no traceback from the thread
    with pytest.raises(RuntimeError, match="damaged"):
        model()
    assert len(calls) == 2


def test_pairs_run_shortest_first_in_short_runs_and_come_back_in_their_own_order() -> None:
    import numpy as np

    class Session:  # stands in for onnxruntime: one score a pair (its ids' sum), and its ids
        widths: list[int] = []

        def run(self, _names, inputs):
            ids = inputs["input_ids"]
            self.widths.append(ids.shape[1])
            masked = np.where(inputs["attention_mask"] == 1, ids, 0)
            return [masked.sum(axis=1, keepdims=True), ids]

    lengths = [40, 3, 90, 12, 7, 60, 5, 33, 21, 2, 80, 15, 9, 50, 4, 70, 11, 6, 25, 8]
    pairs = [([i + 1] * n, [0] * n) for i, n in enumerate(lengths)]
    session = Session()
    scores, ids = runtime.run_pairs(session, pairs, pad=0)

    assert [int(s[0]) for s in scores] == [(i + 1) * n for i, n in enumerate(lengths)]
    assert all(list(row[: len(p)]) == p for row, (p, _) in zip(ids, pairs))
    runs = -(-len(pairs) // runtime.PAIRS_A_RUN)
    assert len(session.widths) == runs and max(session.widths) == max(lengths)
    assert sum(session.widths) < runs * max(lengths)  # the short ones were not padded to the longest
