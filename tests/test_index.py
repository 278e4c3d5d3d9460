"""Ranking: scores equal rank-bm25's BM25Plus, and small documents rank sensibly."""

from __future__ import annotations

import pytest
from conftest import numbered_sentences
from rank_bm25 import BM25Plus

from askdoc import Document, Index, InputError
from askdoc.index.bm25 import BM25Index as _BM25Index
from askdoc.index.build import from_terms
from askdoc.index.store import decode
from askdoc.ingest.analysis import Analyzer, terms
from askdoc.tuning import BM25_B as B
from askdoc.tuning import BM25_DELTA as DELTA
from askdoc.tuning import BM25_K1 as K1


def BM25Index(corpus: list[list[str]]) -> _BM25Index:  # noqa: N802 - reads like the class it builds
    return _BM25Index(decode(b"".join(from_terms(corpus))))


QUESTIONS = [
    "Who led the US delegation?",
    "Where did European leaders gather for emergency talks?",
    "What did Zelensky say about the talks in Riyadh?",
    "Kremlin spokesman Peskov",
    "Ukraine Ukraine talks",  # a repeated word counts twice, as in rank-bm25
]


@pytest.fixture(scope="module")
def article_index() -> Index:
    return Index.from_paths([])


@pytest.mark.parametrize("question", QUESTIONS)
def test_scores_equal_rank_bm25(article_index, question):
    corpus = [terms(s.text) for s in article_index.sentences]
    reference = BM25Plus(corpus, k1=K1, b=B, delta=DELTA).get_scores(terms(question))
    ours = article_index.retriever.index.scores(terms(question))
    assert ours, "the question should match something"
    for sid, score in ours.items():
        assert score == pytest.approx(reference[sid], rel=1e-12)
    # Sentences that share no term are left out, and they are exactly the lowest-scored ones.
    unmatched = [reference[i] for i in range(len(corpus)) if i not in ours]
    assert all(u < min(ours.values()) for u in unmatched)


def test_top_k_is_ranked_by_score_with_ties_in_document_order():
    index = BM25Index([["apple"], ["pear"], ["apple"], ["apple", "pear"], ["apple"]])
    hits = index.search(["apple"], k=10)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    tied = [sid for sid, s in hits if s == scores[0]]
    assert tied == sorted(tied) and len(tied) == 3


def test_a_sentence_matching_no_query_term_is_never_returned():
    index = BM25Index([["apple"], ["pear"], ["plum"]])
    assert [sid for sid, _ in index.search(["pear", "kiwi"], k=3)] == [1]
    assert index.search(["kiwi"], k=3) == []


def test_a_rarer_word_outweighs_a_word_in_half_the_sentences():
    """BM25Okapi's IDF floor gets this wrong in short documents; BM25Plus must not."""
    corpus = [["common", f"w{i}"] for i in range(20)] + [[f"x{i}"] for i in range(20)]
    corpus[3].append("rare")
    corpus[25].append("rare")
    index = BM25Index(corpus)
    idfs = [BM25Index([["common"] if i < n else ["other"] for i in range(40)]).idf("common") for n in range(1, 41)]
    assert all(idf > 0 for idf in idfs)
    assert idfs == sorted(idfs, reverse=True) and len(set(idfs)) == len(idfs)  # the more common, the lower
    assert index.idf("rare") > index.idf("common")
    best = index.search(["common", "rare"], k=1)[0][0]
    assert best == 3  # the only sentence with both words


@pytest.mark.parametrize("text", ["", "\n\n", "the of and."])
def test_documents_with_nothing_to_match_abstain(text):
    answer = Index([Document("t.txt", text)]).ask("Where is the otter?")
    assert answer.abstained and not answer.evidence


@pytest.mark.parametrize("n", [1, 2, 30])
def test_small_documents_put_the_matching_sentence_first(n):
    index = Index([Document("t.txt", numbered_sentences(n))])
    assert len(index.sentences) == n
    target = n - 1
    answer = index.ask(f"Which animal sleeps near river{target}?")
    assert not answer.abstained
    assert answer.evidence[0].sentence.text.endswith(f"river{target}.")
    assert len(answer.evidence) == min(3, n)


def test_a_one_sentence_document_answers_with_a_positive_score():
    answer = Index([Document("t.txt", "The heron fishes at dawn.")]).ask("When does the heron fish?")
    assert answer.evidence[0].score > 0


def test_context_stays_inside_its_own_document():
    index = Index([Document("a.txt", "Alpha one. Alpha two."), Document("b.txt", "Beta one. Beta two.")])
    e = index.ask("Beta one", top=1, context=2).evidence[0]
    assert e.sentence.source == "b.txt"
    assert [s.text for s in e.before] == [] and [s.text for s in e.after] == ["Beta two."]


def test_a_negative_context_is_refused():
    with pytest.raises(InputError, match="context"):
        Index([Document("a.txt", "Alpha one.")]).ask("Alpha", context=-1)


def test_a_huge_context_is_the_rest_of_the_document_at_once():
    # -C 99999999999999999999 once walked that many sentence numbers, one by one
    index = Index([Document("a.txt", "Alpha one. Alpha two. Alpha three."), Document("b.txt", "Beta one.")])
    e = index.ask("Alpha two", top=1, context=10**20).evidence[0]
    assert [s.text for s in e.before] == ["Alpha one."] and [s.text for s in e.after] == ["Alpha three."]


def test_matched_words_are_marked_in_the_evidence(article_index):
    e = article_index.ask("Who led the US delegation?").evidence[0]
    words = {e.sentence.text[a:b] for a, b in e.matches}
    assert {"led", "delegation", "US"} <= words


def test_accents_do_not_keep_a_question_from_its_sentence():
    index = Index([Document("a.txt", "The band played in Zürich. Beyoncé headlined the café stage.")])
    index.use_semantic = False
    top = index.ask("Who headlined the cafe stage, Beyonce?").evidence[0]
    assert top.sentence.text.startswith("Beyoncé headlined")
    assert [top.sentence.text[a:b] for a, b in top.matches] == ["Beyoncé", "headlined", "café", "stage"]
    assert index.ask("Which band played in Zurich?").evidence[0].sentence.text.startswith("The band")
    assert terms("ﬁnance naïve") == terms("finance naive")


def test_a_command_line_option_letter_is_a_term_of_its_own():
    """ "-v" and "-V" are different options, and "-a" is no stopword; "e-mail" has no option."""
    assert terms("-a, --all  do not ignore entries") == ["-a", "ignor", "entri"]
    assert terms("-V, --version")[0] == "-V" and terms("-v, --verbose")[0] == "-v"
    assert terms("What does -v do?") == ["-v"] and terms("an e-mail (-x)") == ["e", "mail", "-x"]


def test_the_stemmer_is_snowball_3_english():
    """Plurals and derivations meet; the words Snowball 3 set apart from Porter2 stay apart."""
    a = Analyzer()
    assert a.stem("organization") == a.stem("organizations") == "organiz"
    assert a.stem("generously") == a.stem("generous")
    assert a.stem("organic") != a.stem("organ") and a.stem("paste") != a.stem("past")
