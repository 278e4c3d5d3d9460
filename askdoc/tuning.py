"""Every tuned weight and threshold askdoc has, in one place.

Each value says in one line where it was fitted; docs/tuning.md tells the whole story and gives
the command that reproduces the fit (``python tools/sweep.py NAME VALUE ...``). "Even" and "odd"
are the SQuAD sample articles 0, 2, ..., 10 and 1, 3, ..., 11 of shared/eval/squad-sample:
values are fitted on the even ones and checked on the odd ones. Code reads these as
``tuning.NAME`` at call time, so that the sweep can set them.
"""

from __future__ import annotations

# --- retrieval: BM25Plus (index.bm25) -------------------------------------------------------
BM25_K1 = 0.5  # fitted on even (MRR@10 0.801 -> 0.806 from 1.2); odd 0.738 -> 0.743
BM25_B = 0.5  # even: 0.5-0.9 within 0.5 point of MRR; odd prefers 0.5
BM25_DELTA = 1.0  # BM25+'s lower bound (Lv & Zhai 2011), by design

# --- query expansion (query.*) --------------------------------------------------------------
# related words from the lexicon, by relation; even: moving one by 0.2 changes Acc@1 < 0.3 point
LEXICON_WEIGHTS = {"form": 0.5, "deriv": 0.5, "place": 0.5, "syn": 0.3}
SLIP_WEIGHT = 0.8  # a one-edit slip of a document word; even flat 0.5-1.0, odd +0.3 Acc@1
SLIP_MIN_LENGTH = 5  # shorter words are left alone: by design
SLIP_MAX_LENGTH = 30  # longer words are no slips (their edit sets grow as the square): by design
ALIAS_WEIGHT = 0.5  # a name the top sentences give a description; fitted on even, checked on odd
ALIAS_MIN_TERMS = 2  # question terms that must stand before the name: by design
ALIAS_MAX_NAME_WORDS = 3  # the longest name taken: by design
ALIAS_POOL = 10  # sentences read for names: the type re-rank's pool, by design

# --- re-rank stages (rank.*) ----------------------------------------------------------------
HEADING_WEIGHT = 0.5  # a heading's share of its score: by design (SQuAD has no headings)
TYPE_RERANK_POOL = 10  # sentences the answer-type bonus looks at, whatever --top is: by design
TYPE_BONUS = 0.075  # of the best score, times the fit; even flat 0.075-0.15, odd Acc@3 +0.6
SEMANTIC_BM25_WEIGHT = 0.5  # BM25's share of the blend; even/odd flat from 0.4 to 0.6
SEMANTIC_POOL = 30  # candidates from each ranker; pools of 20-100 give the same figures
SEMANTIC_FULL_COVERAGE = 0.7  # below it BM25's weight falls; even 0.738 -> 0.742, odd 0.679 -> 0.689
SEMANTIC_AUTO_EMBED_LIMIT = 3_000  # sentences embedded unasked (about half a minute): by design

# --- the short answer and abstention (answer.*) ---------------------------------------------
ANSWER_SEARCHED = 3  # top sentences searched for it; 1-2 abstain more, 5 gains nothing (even)
ANSWER_FIT_WEIGHT = 2.0  # small grid on even (F1 0.385), odd F1 0.293; flat to +-0.002
ANSWER_CLOSENESS_WEIGHT = 0.3  # same grid
ANSWER_RANK_PENALTY = 1.5  # same grid
ANSWER_OFF_SIDE = 0.3  # a question word on the wrong side of a candidate: no fit recorded
# How well each form of candidate fits each kind of question: 1 the right kind; absent: no answer.
# Set by design, with "object" fitted (below).
ANSWER_FIT: dict[str, dict[str, float]] = {
    "person": {"name": 1.0, "place name": 0.6, "weak name": 0.4},
    "place": {"name": 0.8, "place name": 1.2, "weak name": 0.4},
    "organisation": {"name": 1.0, "place name": 0.8, "weak name": 0.4},
    "time": {"date": 1.0, "year": 1.0},
    "number": {"number": 1.0, "duration": 1.0, "money": 1.0, "percent": 1.0},
    "reason": {"reason": 1.0, "quote": 0.5, "phrase": 0.3},
    "other": {
        "expansion": 1.5,  # the words an asked acronym stands for: nothing else answers as well
        "option": 1.5,  # a man page's option, for "how do I ...?" or "which option ...?": likewise
        "definition": 1.5,  # what an option's sentence says it does, for "what does -v do?"
        "quote": 0.8,
        "phrase": 0.5,
        "object": 0.5,  # "what did X do": the clause after the verb; even 0.5-0.9 tried, 0.5 kept
        "name": 0.5,
        "place name": 0.5,
        "date": 0.2,
        "year": 0.2,
        "number": 0.2,
    },
    "yes/no": {},
}
# The confidence model's weights (answer.confidence; fitted by tools/fit_confidence.py on SQuAD
# training articles), and the confidence below which a person is shown no answer line.
ANSWER_CONFIDENCE: dict[str, float] = {
    "bias": -3.0747,
    "candidates": -0.2227,
    "coverage": 1.0854,
    "fit": -2.2133,
    "gap": 2.4628,
    "margin": 0.5763,
    "number": 0.5655,
    "organisation": -0.0796,
    "person": 0.2133,
    "place": 0.1124,
    "rank": 0.2389,
    "score": 1.4193,
    "time": 0.7489,
    "words": 0.6036,
}
ANSWER_SHOW_CONFIDENCE = 0.706
MIN_COVERAGE = 0.12  # abstain below it; largest that abstains on <= 1/1000 of even questions
MEANING_COVERAGE = 0.5  # with the semantic extra: grid on even (83% off-topic abstained), odd 87%
MIN_COSINE = 0.3  # same grid

# --- the learned re-ranker (rank.semantic.cross_encoder; with the semantic extra) ----------
LEARNED_DEPTH = 20  # hits it re-ranks: by design (about 50 ms a question on 2 cores); 30 no better (even)
LEARNED_WEIGHT = 0.45  # the earlier score's share; fitted on even (0.729 -> 0.772), odd 0.668 -> 0.714
LEARNED_FULL_COVERAGE = 0.0  # > 0: the earlier score weighs less below this coverage; 0 (off): 0.5-1.0 lose on even

# --- the learned answer reader (answer.reader; with the semantic extra) --------------------
READER_SEARCHED = 5  # top sentences it reads (about 5 ms each): by design; 3 measured 0.2 points lower at rank 1 (odd)
# How a read sentence's score and the reader's span are weighed together (answer.reader.fused):
# fitted on the even held-out articles by tools/fit_reader_fusion.py (docs/tuning.md).
READER_FUSION: dict[str, float] = {"score": 4.0608, "read": 0.1329, "lead": 0.1795, "span": 0.1489}
# Abstain when the chosen span's lead over "no answer" is below this. Off: at -4 (even: own
# +0.3% abstained, off-topic 73% -> 78%) it also abstained on a seed question whose answer was
# below the top 3, and a wrong "no answer" costs more than an answer line the confidence hides.
READER_ABSTAIN_LEAD = float("-inf")
# Its confidence model (answer.confidence, fitted like ANSWER_CONFIDENCE on the held-out SQuAD
# training articles, even half, aiming at 84% right when shown) and the threshold to show it.
READER_CONFIDENCE: dict[str, float] = {
    "bias": -0.1376,
    "coverage": 0.031,
    "gap": -1.2749,
    "lead": 0.1659,
    "margin": 0.3904,
    "number": -0.425,
    "organisation": -0.1413,
    "person": -0.0794,
    "place": -0.1181,
    "rank": -0.1767,
    "time": -0.0761,
    "words": -0.5604,
}
READER_SHOW_CONFIDENCE = 0.682  # odd half: answers shown for 60.0% of questions, right 84.4%
