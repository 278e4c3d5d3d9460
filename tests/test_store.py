"""The saved index: exact scores from disk, incremental updates, damage and concurrency."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from rank_bm25 import BM25Plus

from askdoc import Document, Index, InputError
from askdoc.api import index_file
from askdoc.index import bm25 as index_module
from askdoc.index.store import foreign, load
from askdoc.ingest.analysis import terms
from askdoc.tuning import BM25_B as B
from askdoc.tuning import BM25_DELTA as DELTA
from askdoc.tuning import BM25_K1 as K1

WORDS = "river otter heron stone bridge market winter harbour lantern orchard meadow falcon copper".split()


def _reference_top(corpus: list[list[str]], query: list[str], k: int) -> list[tuple[int, float]]:
    scores = BM25Plus(corpus, k1=K1, b=B, delta=DELTA).get_scores(query)
    matched = [i for i, doc in enumerate(corpus) if set(doc) & set(query)]
    return sorted(((i, float(scores[i])) for i in matched), key=lambda x: (-x[1], x[0]))[:k]


def _generated_corpus(tmp_path, n: int = 3000):
    rng = random.Random(7)
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))).capitalize() + "." for _ in range(n)]
    doc = tmp_path / "generated.txt"
    doc.write_text("\n".join(lines), encoding="utf-8")
    return doc


@pytest.mark.parametrize("numpy_path", [False, True])
def test_top_k_from_a_saved_index_equals_rank_bm25_exactly(tmp_path, monkeypatch, numpy_path):
    if numpy_path:
        monkeypatch.setattr(index_module, "NUMPY_FROM", 0)
        monkeypatch.setattr(index_module, "NUMPY_COLD", 0)
    doc = _generated_corpus(tmp_path)
    Index.from_paths([str(doc)], index_path=tmp_path / "i.idx")  # build and save
    index = Index.from_paths([str(doc)], index_path=tmp_path / "i.idx")  # answer from the saved file
    assert index.report.analysed == []
    corpus = [terms(s.text) for s in index.sentences]
    for query in (["otter"], ["river", "heron"], ["stone", "stone", "copper"], ["falcon", "absent"]):
        ours = index.retriever.index.search(query, 10)
        assert ours == _reference_top(corpus, query, 10)  # ids, order (ties by id) and scores, exactly


def test_the_article_from_its_saved_index_equals_rank_bm25(tmp_path):
    Index.from_paths([], index_path=tmp_path / "a.idx")
    index = Index.from_paths([], index_path=tmp_path / "a.idx")
    corpus = [terms(s.text) for s in index.sentences]
    for question in ("Who led the US delegation?", "Russia Ukraine talks in Riyadh", "Saudi Arabia"):
        query = terms(question)
        assert index.retriever.index.search(query, 10) == _reference_top(corpus, query, 10)


def _folder(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The otter sleeps by the river. It wakes at dawn.", encoding="utf-8")
    (folder / "b.md").write_text("# Heron\nThe heron fishes in the harbour.", encoding="utf-8")
    (folder / "c.txt").write_text("Copper lanterns light the market.", encoding="utf-8")
    return folder


def test_an_edited_file_is_the_only_one_analysed_again(tmp_path):
    folder = _folder(tmp_path)
    first = Index.from_paths([str(folder)])
    assert sorted(first.report.analysed) == sorted(str(p) for p in folder.iterdir())
    again = Index.from_paths([str(folder)])
    assert again.report.analysed == [] and len(again.report.reused) == 3
    (folder / "b.md").write_text("# Heron\nThe heron fishes in the orchard pond now.", encoding="utf-8")
    (folder / "d.txt").write_text("A falcon nests on the bridge.", encoding="utf-8")
    (folder / "c.txt").unlink()
    updated = Index.from_paths([str(folder)])
    assert sorted(updated.report.analysed) == [str(folder / "b.md"), str(folder / "d.txt")]
    assert updated.report.reused == [str(folder / "a.txt")]
    assert updated.ask("Where does the heron fish?").evidence[0].sentence.text.endswith("orchard pond now.")
    assert updated.ask("falcon bridge").evidence[0].sentence.source == str(folder / "d.txt")
    assert updated.ask("copper lanterns").abstained
    # The updated index ranks exactly like one built from scratch.
    fresh = Index.from_paths([str(folder)], cache=False)
    for q in ("otter river", "heron", "falcon bridge dawn"):
        assert updated.retriever.index.search(terms(q), 5) == fresh.retriever.index.search(terms(q), 5)


def test_an_updated_index_holds_the_postings_a_fresh_build_holds(tmp_path):
    # Reused postings come after the fresh ones and share their words: they must be merged into
    # each word's list in sentence order, as a build from scratch orders them.
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The otter swims in the river. The heron waits.", encoding="utf-8")
    (folder / "b.txt").write_text("A river otter. The heron fishes.", encoding="utf-8")
    Index.from_paths([str(folder)], index_path=tmp_path / "up.idx")
    (folder / "b.txt").write_text("The heron and the otter share the river now.", encoding="utf-8")
    updated = Index.from_paths([str(folder)], index_path=tmp_path / "up.idx")
    assert updated.report.reused == [str(folder / "a.txt")]
    Index.from_paths([str(folder)], index_path=tmp_path / "fresh.idx")
    up, fresh = load(tmp_path / "up.idx"), load(tmp_path / "fresh.idx")
    for name in ("vocab_blob", "term_ptr", "post_doc", "post_tf", "term_bound"):
        assert bytes(getattr(up, name)) == bytes(getattr(fresh, name)), name


def test_a_touched_but_unchanged_file_is_not_analysed_again(tmp_path):
    folder = _folder(tmp_path)
    Index.from_paths([str(folder)])
    (folder / "a.txt").write_text((folder / "a.txt").read_text(encoding="utf-8"), encoding="utf-8")  # new mtime
    assert Index.from_paths([str(folder)]).report.analysed == []


def test_a_truncated_index_is_rebuilt_with_a_warning(tmp_path):
    folder = _folder(tmp_path)
    Index.from_paths([str(folder)])
    path = index_file([str(folder)])
    path.write_bytes(path.read_bytes()[:-10])
    warnings: list[str] = []
    index = Index.from_paths([str(folder)], warn=warnings.append)
    assert any("rebuilding" in w for w in warnings)
    assert len(index.report.analysed) == 3
    assert index.ask("Where does the otter sleep?").evidence[0].sentence.text == "The otter sleeps by the river."
    load(path)  # whole again


@pytest.mark.parametrize("content", [b"", b"ASKDOCIX" + b"\xff" * 40])
def test_an_empty_or_damaged_index_file_is_never_trusted(tmp_path, content):
    folder = _folder(tmp_path)
    target = tmp_path / "given.idx"
    target.write_bytes(content)
    index = Index.from_paths([str(folder)], index_path=target, warn=lambda _: None)
    assert len(index.report.analysed) == 3
    assert load(target).header["sentences"] == len(index)


def test_a_cache_index_damaged_from_its_first_byte_is_rebuilt(tmp_path):
    folder = _folder(tmp_path)
    Index.from_paths([str(folder)])
    path = index_file([str(folder)])
    path.write_bytes(b"\0" * 100)  # in askdoc's own cache folder: askdoc's to replace
    warnings: list[str] = []
    index = Index.from_paths([str(folder)], warn=warnings.append)
    assert any("rebuilding" in w for w in warnings) and not any("cannot save" in w for w in warnings)
    assert load(path).header["sentences"] == len(index)


def test_a_fifo_or_a_folder_is_foreign_at_once(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert foreign(fifo) and foreign(tmp_path)  # the FIFO is never opened: that would block
    assert not foreign(tmp_path / "missing.idx")


def test_a_file_askdoc_did_not_write_is_refused_as_the_index_and_left_as_it_was(tmp_path):
    folder = _folder(tmp_path)
    target = tmp_path / "notes.txt"
    target.write_bytes(b"not an index at all")
    with pytest.raises(InputError, match="not an askdoc index"):
        Index.from_paths([str(folder)], index_path=target)
    assert target.read_bytes() == b"not an index at all"


def test_an_unwritable_cache_folder_means_answering_without_saving(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ASKDOC_CACHE_DIR", str(blocker / "cache"))
    warnings: list[str] = []
    index = Index.from_paths([str(_folder(tmp_path))], warn=warnings.append)
    assert index.path is None and len(warnings) == 1 and "without it" in warnings[0]
    assert not index.ask("otter").abstained


@pytest.mark.slow
def test_two_index_processes_at_once_both_succeed_and_leave_one_valid_index(tmp_path):
    doc = _generated_corpus(tmp_path, n=20000)
    target = tmp_path / "shared.idx"
    cmd = [sys.executable, "-m", "askdoc", "index", str(doc), "--index", str(target), "--quiet"]
    procs = [subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert results == [(0, ""), (0, "")]
    assert load(target).header["sentences"] == 20000
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no leftovers
    index = Index.from_paths([str(doc)], index_path=target)
    assert index.report.analysed == [] and not index.ask("otter heron").abstained


@pytest.mark.slow
@pytest.mark.parametrize("numpy_path", [False, True])
def test_pruned_top_k_on_a_zipfian_corpus_equals_rank_bm25(tmp_path, monkeypatch, numpy_path):
    """Rare and common words mixed, as in real text: pruning skips most common postings."""
    threshold = 0 if numpy_path else 10**9
    monkeypatch.setattr(index_module, "NUMPY_FROM", threshold)
    monkeypatch.setattr(index_module, "NUMPY_COLD", threshold)
    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(400)]
    weights = [1 / (i + 1) for i in range(400)]  # Zipf: w0 is in most sentences, w399 in few
    lines = [" ".join(rng.choices(vocab, weights, k=rng.randint(3, 15))) + "." for _ in range(4000)]
    doc = tmp_path / "zipf.txt"
    doc.write_text("\n".join(lines), encoding="utf-8")
    index = Index.from_paths([str(doc)], cache=False)
    corpus = [terms(s.text) for s in index.sentences]
    for _ in range(40):
        query = rng.sample(vocab[:5], 2) + rng.sample(vocab[50:], 2)  # two common words, two rarer ones
        for k in (1, 3, 10):
            assert index.retriever.index.search(query, k) == _reference_top(corpus, query, k)


@pytest.mark.slow
@pytest.mark.parametrize("numpy_path", [False, True])
def test_pruned_top_k_with_related_words_equals_scoring_every_sentence(tmp_path, monkeypatch, numpy_path):
    """A column is the best of its word and its related words: pruning over their postings
    lists must still give what scoring every sentence gives, order and ties included."""
    threshold = 0 if numpy_path else 10**9
    monkeypatch.setattr(index_module, "NUMPY_FROM", threshold)
    monkeypatch.setattr(index_module, "NUMPY_COLD", threshold)
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]
    lines = [" ".join(rng.choices(vocab, weights, k=rng.randint(3, 15))) + "." for _ in range(4000)]
    doc = tmp_path / "zipf.txt"
    doc.write_text("\n".join(lines), encoding="utf-8")
    bm25 = Index.from_paths([str(doc)], cache=False).retriever.index
    kin = {w: [(o, rng.choice((0.3, 0.5))) for o in rng.sample(vocab, rng.randint(0, 8)) if o != w] for w in vocab}

    def related(term):
        return tuple(kin.get(term, ()))

    for _ in range(30):
        query = rng.sample(vocab[:6], 2) + rng.sample(vocab[40:], 2) + ["absent"]
        columns = bm25._columns(query, related)[0]
        every = {}
        for sid in range(bm25.size):
            values = [bm25._value_at(c, sid) for c in columns]
            if any(values):
                every[sid] = sum(v[0] if v else c.absent for v, c in zip(values, columns))
        for k in (1, 3, 10):
            expected = sorted(every.items(), key=lambda x: (-x[1], x[0]))[:k]
            assert bm25.search(query, k, related) == expected


def test_the_cache_keeps_only_the_most_recently_used_indexes(tmp_path, monkeypatch):
    monkeypatch.setenv("ASKDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("askdoc.index.store.CACHE_ENTRIES", 3)
    docs = []
    for i in range(5):
        doc = tmp_path / f"d{i}.txt"
        doc.write_text(f"Document number {i} talks about otters.", encoding="utf-8")
        docs.append(doc)
        Index.from_paths([str(doc)])
    kept = sorted((tmp_path / "cache").glob("*.idx"))
    assert len(kept) == 3
    assert index_file([str(docs[-1])]) in kept and index_file([str(docs[0])]) not in kept


def test_a_file_changed_after_indexing_is_quoted_as_indexed_then_reindexed(tmp_path):
    folder = _folder(tmp_path)
    index = Index.from_paths([str(folder)])
    before = index.ask("Where does the otter sleep?").evidence[0].sentence
    (folder / "a.txt").write_text("Something else entirely now stands in this file.", encoding="utf-8")
    # The open index quotes the sentence it indexed, exactly: its text is in the index, not re-cut from the file.
    assert index.ask("Where does the otter sleep?").evidence[0].sentence == before
    again = Index.from_paths([str(folder)])  # the next open notices the edit and reads the file again
    assert again.report.analysed == [str(folder / "a.txt")]
    assert again.ask("What stands in this file?").evidence[0].sentence.text.startswith("Something else")


def test_text_of_refuses_a_file_changed_since_indexing(tmp_path):
    folder = _folder(tmp_path)
    index = Index.from_paths([str(folder)])
    (folder / "a.txt").write_text("Something else entirely now stands in this file.", encoding="utf-8")
    with pytest.raises(InputError, match="changed"):
        index.text_of(0)


def test_quoted_file_texts_are_kept_within_a_budget(tmp_path, monkeypatch):
    monkeypatch.setattr("askdoc.api.TEXT_CACHE_CHARS", 100)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        (folder / f"f{i}.txt").write_text(f"The otter number {i} sleeps by the long river bank.", encoding="utf-8")
    index = Index.from_paths([str(folder)])
    for i in range(6):
        assert index.text_of(i).startswith("The otter")
    assert 1 <= len(index._texts) <= 2 and index._text_chars <= 100 + 60


def test_progress_hears_of_every_file_even_a_skipped_last_one(tmp_path):
    from askdoc.index.build import build
    from askdoc.ingest.documents import collect_paths

    (tmp_path / "a.txt").write_text("The otter sleeps.", encoding="utf-8")
    (tmp_path / "z.txt").write_bytes(b"caf\xe9")  # not UTF-8: skipped
    calls: list[tuple[int, int]] = []
    inputs = collect_paths(str(tmp_path))
    build(inputs, progress=lambda done, sentences: calls.append((done, sentences)))
    assert calls[-1] == (2, 1)  # a progress bar reaches its end and stops


def test_two_documents_with_the_same_name_keep_their_own_text():
    index = Index([Document("x", "Alpha beta gamma is here. Another sentence about beta."), Document("x", "Delta.")])
    assert [s.text for s in index.sentences] == ["Alpha beta gamma is here.", "Another sentence about beta.", "Delta."]


def test_a_folder_with_a_skipped_file_is_not_rebuilt_on_every_question(tmp_path):
    folder = _folder(tmp_path)
    (folder / "zbad.txt").write_bytes(b"caf\xe9 au lait")
    Index.from_paths([str(folder)], warn=lambda _: None)
    saved = index_file([str(folder)])
    before = saved.stat().st_mtime_ns
    again = Index.from_paths([str(folder)], warn=lambda _: None)
    assert again.report.analysed == [] and saved.stat().st_mtime_ns == before
    assert not again.ask("Where does the otter sleep?").abstained


def test_an_index_read_with_replaced_bytes_is_not_reused_when_reading_strictly(tmp_path):
    folder = _folder(tmp_path)
    (folder / "bad.txt").write_bytes(b"The caf\xe9 serves otters.")
    replaced = Index.from_paths([str(folder)], errors="replace", warn=lambda _: None)
    assert str(folder / "bad.txt") in replaced.report.analysed
    notes: list[str] = []
    strict = Index.from_paths([str(folder)], warn=notes.append)
    assert any("bad.txt" in n and "skipped" in n for n in notes)
    assert strict.ask("Who serves otters?").evidence[0].sentence.source != str(folder / "bad.txt")


def test_a_utf16_crlf_file_quotes_exact_sentences_from_its_saved_index(tmp_path):
    lines = ["The otter sleeps by the river.", "It wakes at dawn, café open.", "", "Zoë’s heron fishes."]
    text = "\r\n".join(lines)
    path = tmp_path / "wide.txt"
    path.write_bytes(text.encode("utf-16"))  # with its BOM, CRLF line ends
    Index.from_paths([str(path)])
    again = Index.from_paths([str(path)])  # answered from the saved index: the file is not read
    assert again.report.reused == [str(path)]
    decoded = path.read_bytes().decode("utf-16")  # offsets index the text as decoded, CRLF kept
    quoted = [again.sentence(i) for i in range(len(again))]
    assert [s.text for s in quoted] == [line for line in lines if line]
    assert all(decoded[s.start : s.end] == s.text for s in quoted)
    assert [s.line for s in quoted] == [1, 2, 4]


def test_context_from_a_saved_index_never_reads_past_its_file(tmp_path):
    folder = _folder(tmp_path)
    Index.from_paths([str(folder)])
    index = Index.from_paths([str(folder)])
    e = index.ask("Where does the otter sleep?", top=1, context=10**6).evidence[0]
    assert e.sentence.source.endswith("a.txt")
    assert [s.text for s in e.after] == ["It wakes at dawn."] and e.before == ()
