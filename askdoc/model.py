"""The plain dataclasses every layer passes around: sentences, evidence and answers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A decoded text and where it came from (a path as the user gave it, or ``<stdin>``)."""

    source: str
    text: str


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``document.text[start:end] == text``; ``line`` counts from 1."""

    text: str
    source: str
    line: int
    start: int
    end: int


@dataclass
class Evidence:
    """A ranked sentence, with the spans (relative to ``sentence.start``) that matched the query."""

    rank: int
    score: float
    sentence: Sentence
    matches: list[tuple[int, int]] = field(default_factory=list)
    before: list[Sentence] = field(default_factory=list)
    after: list[Sentence] = field(default_factory=list)
    # query term -> its share of ``score`` (terms this sentence matches)
    terms: dict[str, float] = field(default_factory=dict)
    # query term -> the related word that matched in its place ("invad" -> "invas")
    via: dict[str, str] = field(default_factory=dict)
    answer_span: tuple[int, int] | None = None
    type_bonus: float = 0.0  # what holding the expected kind of answer added to ``score``
    explanation: dict | None = None


@dataclass
class Answer:
    """What a question got: the short answer (if any) and the ranked evidence."""

    question: str
    evidence: list[Evidence]
    abstained: bool
    answer: str | None = None
    id: str | None = None
    reason: str | None = None


@dataclass
class BuildReport:
    analysed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.analysed or self.removed)
