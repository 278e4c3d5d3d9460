"""The plain dataclasses every layer passes around: sentences, evidence and answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A decoded text and where it came from (a path as the user gave it, or ``<stdin>``)."""

    source: str
    text: str


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``document.text[start:end] == text`` (the extracted text); ``line`` counts
    from 1; ``page``: the PDF page it starts on (None for other formats)."""

    text: str
    source: str
    line: int
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class TermScore:
    """One matched query term's share of a sentence's BM25 score, and the related word that
    matched in its place (None when the term itself did)."""

    score: float
    via: str | None


@dataclass(frozen=True)
class Explanation:
    """Why a sentence ranked where it did (``--explain``)."""

    terms: Mapping[str, TermScore]
    floor: float  # what BM25+ gives any sentence for the query terms it lacks
    bm25: float  # floor + the matched terms' shares
    semantic: bool  # meaning was blended in
    answer_type: str  # the kind of answer the question asks for
    type_match: bool  # the sentence holds that kind
    answer_here: bool  # the short answer is taken from it
    type_bonus: float  # what holding that kind added to its score
    heading: bool  # its score counts tuning.HEADING_WEIGHT


@dataclass(frozen=True)
class Evidence:
    """A ranked sentence, with the spans (relative to ``sentence.start``) that matched the query."""

    rank: int
    score: float
    sentence: Sentence
    matches: tuple[tuple[int, int], ...] = ()
    before: tuple[Sentence, ...] = ()
    after: tuple[Sentence, ...] = ()
    # query term -> its share of ``score`` (terms this sentence matches)
    terms: Mapping[str, float] = field(default_factory=dict)
    # query term -> the related word that matched in its place ("invad" -> "invas")
    via: Mapping[str, str] = field(default_factory=dict)
    answer_span: tuple[int, int] | None = None
    type_bonus: float = 0.0  # what holding the expected kind of answer added to ``score``
    explanation: Explanation | None = None


# A question's id as the caller gave it: a batch's line number, or any JSON value of a
# JSONL batch line's "id"; None for a single question.
QuestionId = object


@dataclass(frozen=True)
class Answer:
    """What a question got: the short answer (if any) and the ranked evidence."""

    question: str
    evidence: tuple[Evidence, ...]
    abstained: bool
    answer: str | None = None
    id: QuestionId = None
    reason: str | None = None
    # the sentence the short answer was taken from (among the top three, shown or not)
    answer_sentence: Sentence | None = None
    # how likely the short answer is right (0 to 1), and what that was judged from
    answer_confidence: float | None = None
    answer_features: Mapping[str, float] | None = None
    # who chose it: "rules" (askdoc's candidate phrases) or "model" (the learned reader)
    answer_reader: str = "rules"


@dataclass
class BuildReport:
    analysed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.analysed or self.removed)
