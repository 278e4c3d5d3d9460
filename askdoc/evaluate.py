"""Score askdoc on a gold question set (the format of ``shared/eval/seed-questions.jsonl``).

A returned sentence is a hit when it contains one of the question's ``evidence``
substrings, as in ``score.py``; questions without evidence are unanswerable and should
abstain. Metrics are reported overall and per ``style``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .api import Index
from .errors import InputError

CUTOFF = 10


@dataclass
class Group:
    questions: int = 0
    at1: int = 0
    at3: int = 0
    reciprocal_ranks: float = 0.0

    def add(self, first_hit: int | None) -> None:
        self.questions += 1
        self.at1 += first_hit == 1
        self.at3 += first_hit is not None and first_hit <= 3
        self.reciprocal_ranks += 1 / first_hit if first_hit else 0.0

    def as_dict(self) -> dict:
        n = max(self.questions, 1)
        return {
            "questions": self.questions,
            "acc@1": round(self.at1 / n, 4),
            "acc@3": round(self.at3 / n, 4),
            "mrr@10": round(self.reciprocal_ranks / n, 4),
        }


@dataclass
class Report:
    overall: Group = field(default_factory=Group)
    by_style: dict[str, Group] = field(default_factory=lambda: defaultdict(Group))
    unanswerable: int = 0
    unanswerable_abstained: int = 0
    answerable_abstained: int = 0
    misses: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            **self.overall.as_dict(),
            "by_style": {k: g.as_dict() for k, g in sorted(self.by_style.items())},
            "unanswerable_abstained": f"{self.unanswerable_abstained}/{self.unanswerable}",
            "answerable_abstained": f"{self.answerable_abstained}/{self.overall.questions}",
            "misses": self.misses,
        }


def load_gold(path: Path) -> list[dict]:
    """Gold questions, one JSON object per line; a malformed line is an InputError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read the gold set ({e})") from None
    gold = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
            q["question"], q.setdefault("evidence", [])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(f'{path}:{number}: expected a JSON object with a "question"') from None
        gold.append(q)
    return gold


def evaluate(index: Index, gold: list[dict]) -> Report:
    report = Report()
    answers = index.ask_many([(q.get("id"), q["question"]) for q in gold], top=CUTOFF)
    for q, answer in zip(gold, answers):
        if not q["evidence"]:
            report.unanswerable += 1
            report.unanswerable_abstained += answer.abstained
            continue
        report.answerable_abstained += answer.abstained
        texts = [e.sentence.text for e in answer.evidence]
        first = next((i for i, t in enumerate(texts, 1) if any(s in t for s in q["evidence"])), None)
        report.overall.add(first)
        report.by_style[q.get("style", "all")].add(first)
        if first != 1:
            report.misses.append(
                {"id": q.get("id"), "question": q["question"], "rank": first, "got": texts[0] if texts else None}
            )
    return report
