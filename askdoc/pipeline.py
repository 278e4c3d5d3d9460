"""One question through the pipeline: analyse, expand and retrieve, re-rank, answer.

    question ──analyse──> Question ──expand + retrieve──> hits ──stages──> Ranking ──> Answer

Each step hands the next an immutable result. Retrieval goes through the ``Retriever``
protocol (:mod:`askdoc.index.retriever`); the re-rank stages are listed in :func:`stages`;
the short answer and abstention read the ranking and never change a score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from . import tuning
from .answer import short_answer
from .answer.abstain import abstain_reason, coverage
from .answer.candidates import Reading
from .answer.confidence import confidence, features
from .answer.options import OptionDefinition, definition
from .answer.short_answer import ShortAnswer
from .answer.type_bonus import AnswerTypeBonus
from .index.retriever import Hit, Retriever
from .ingest.analysis import Analyzer
from .ingest.sentences import is_heading
from .model import Answer, Evidence, Explanation, Sentence, TermScore
from .query import expand
from .query.question import AnswerType, Question, analyse_question
from .rank.context import RankContext
from .rank.stages import HeadingWeight, Ranking, Stage, rerank

if TYPE_CHECKING:  # the reader's module loads only with the extra (it brings the tokenizer)
    from .answer.reader import Reader, ReaderStage


@dataclass(frozen=True)
class Corpus:
    """What the pipeline runs on: an index's retriever, analyser and sentences."""

    retriever: Retriever
    analyzer: Analyzer
    stem_of: Callable[[str], str | None]  # a document word's stem, as the index stored it
    sentence: Callable[[int], Sentence]
    neighbours: Callable[[int, int], list[Sentence]]  # (sid, count): context, like grep -C
    semantic: Stage | None = None  # the semantic blend, when the extra is on
    learned: Stage | None = None  # the learned re-ranker, when the extra and its model are there
    reader: Reader | None = None  # the learned answer reader, likewise; else the rules choose


def stages(corpus: Corpus, reading: Reading) -> list[Stage]:
    """The re-rank stages, in order. Adding a stage is one line here."""
    return [
        *([corpus.semantic] if corpus.semantic else []),
        HeadingWeight(),
        *([corpus.learned, HeadingWeight("headings after the model")] if corpus.learned else []),
        AnswerTypeBonus(reading),
        *([_reader_stage(corpus.reader, reading)] if corpus.reader and reading.info.type != AnswerType.YES_NO else []),
        OptionDefinition(reading.info),
    ]


def _reader_stage(model: Reader, reading: Reading) -> Stage:
    """The reader as the last stage (a span cannot say yes or no: those stay with the rules);
    it reorders only for a question with a wh-word (a cue), not for bare words."""
    from .answer.reader import ReaderStage  # loads the tokenizer: only with the extra

    return ReaderStage(model, promote=bool(reading.info.cue))


def ask(
    corpus: Corpus,
    text: str,
    top: int,
    context: int = 0,
    id: object = None,
    explain: bool = False,
    vector: object = None,
) -> Answer:
    """Rank the sentences for a question, find the short answer, or abstain."""
    spans = corpus.analyzer.terms_with_spans(text)
    if not spans:
        reason = (
            "every word of the question is too common to search for"
            if any(ch.isalnum() for ch in text)
            else "the question has no words to search for"
        )
        return Answer(text, (), True, id=id, reason=reason)
    question = Question(text, tuple(spans), analyse_question(text))
    # the type re-rank looks past --top, and the learned re-ranker further
    pool = max(top, tuning.TYPE_RERANK_POOL, getattr(corpus.learned, "depth", 0))
    depth = max(pool, getattr(corpus.semantic, "depth", 0))
    found = expand.search(
        question, corpus.retriever, corpus.analyzer, corpus.stem_of, lambda sid: corpus.sentence(sid).text, depth
    )
    if not found.retrieved.hits:
        return Answer(text, (), True, id=id, reason="no sentence shares a word with the question")
    ctx = RankContext(
        question, found.query, found.retrieved, found.weights, corpus.sentence, corpus.analyzer, pool, vector
    )
    reading = Reading(text, question.info)
    chain = stages(corpus, reading)
    ranking = rerank(chain, ctx, found.retrieved.hits)
    read = cast("ReaderStage | None", next((stage for stage in chain if stage.name == "reader"), None))
    why, short = _verdict(ctx, ranking, reading, read)
    shown = ranking.hits[:top]
    evidence = tuple(
        _evidence(ctx, rank, hit, context, short, explain, bool(corpus.semantic), corpus.neighbours)
        for rank, hit in enumerate(shown, 1)
    )
    if why:  # the evidence stays, to be shown dimmed, best first; no short answer is claimed
        return Answer(text, evidence, True, id=id, reason=why)
    if short is None:
        return Answer(text, evidence, False, id=id)
    hits = ranking.before("reader")  # the reader's tie at the top is no gap
    gap = (hits[0].score - hits[1].score) / hits[0].score if len(hits) > 1 and hits[0].score > 0 else 1.0
    covered = coverage(ctx.matched(short.sid), ctx.weights)
    if short.by == "model":
        from .answer import reader

        values = reader.features(short, question.info, covered, gap)
        sure = confidence(values, tuning.READER_CONFIDENCE)
    else:
        values = features(short, question.info, covered, gap)
        sure = confidence(values)
    return Answer(
        text,
        evidence,
        False,
        answer=short.text,
        id=id,
        answer_sentence=ctx.sentence(short.sid),
        answer_confidence=sure,
        answer_features=values,
        answer_reader=short.by,
    )


def _verdict(
    ctx: RankContext, ranking: Ranking, reading: Reading, read: ReaderStage | None
) -> tuple[str | None, ShortAnswer | None]:
    """Why to abstain, or the short answer: the reader's (``read``, its stage) or else the
    rules', which also answer "what does -v do?" from the sentence that defines "-v".
    Abstaining is judged on the ranking by words and meaning, before the learned re-ranker,
    the answer-type bonus and the reader: what the documents hold does not change when a model
    prefers a sentence, and a sentence holding some number must not make "how much ...?" look
    answered."""
    retrieved = ranking.before("learned", AnswerTypeBonus.name, "reader")
    before = [ctx.matched(h.sid) for h in retrieved[: tuning.ANSWER_SEARCHED]]
    found = short_answer.holds_candidate(before, reading)
    reason = abstain_reason(before[0], reading.info, ctx.weights, found, ctx.nearest)
    if reason:
        return reason, None
    top = ranking.hits[0].sid
    if read is not None and not definition(ctx.sentence(top).text, reading.info.option):
        short = read.answer
        if short is not None and short.score < tuning.READER_ABSTAIN_LEAD:
            return "askdoc's reader finds no answer in the best sentences", None
        return None, short and short_answer.as_options(short, ctx.sentence(short.sid).text, reading.info)
    final = [ctx.matched(h.sid) for h in ranking.hits[: tuning.ANSWER_SEARCHED]]
    return None, short_answer.choose(final, reading)


def _evidence(
    ctx: RankContext,
    rank: int,
    hit: Hit,
    context: int,
    short: ShortAnswer | None,
    explain: bool,
    semantic: bool,
    neighbours: Callable[[int, int], Sequence[Sentence]],
) -> Evidence:
    m = ctx.matched(hit.sid)
    span = short.span if short and short.sid == hit.sid else None
    explanation = None
    if explain:
        floor = ctx.retrieved.floor(m.terms)
        explanation = Explanation(
            terms={t: TermScore(round(v, 4), m.via.get(t)) for t, v in m.terms.items()},
            floor=round(floor, 4),
            bm25=round(floor + sum(m.terms.values()), 4),
            semantic=semantic,
            answer_type=ctx.question.info.type.value,
            type_match=span is not None or hit.type_bonus > 0,
            answer_here=span is not None,
            type_bonus=round(hit.type_bonus, 4),
            heading=is_heading(m.sentence.text),
        )
    return Evidence(
        rank,
        hit.score,
        m.sentence,
        matches=m.matches,
        before=tuple(neighbours(hit.sid, -context)),
        after=tuple(neighbours(hit.sid, context)),
        terms=m.terms,
        via=m.via,
        answer_span=span,
        type_bonus=hit.type_bonus,
        explanation=explanation,
    )
