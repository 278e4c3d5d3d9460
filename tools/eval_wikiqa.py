"""Measure askdoc's sentence ranking on the WikiQA test set (Yang et al., 2015): MAP and MRR.

    python tools/eval_wikiqa.py --tsv PATH/TO/WikiQA-test.tsv              # BM25 pipeline only
    python tools/eval_wikiqa.py --tsv PATH/TO/WikiQA-test.tsv --semantic   # with askdoc[semantic]

WikiQA is research-only (Microsoft Research Data License): askdoc MEASURES on its test split,
and never trains on it, tunes on it or chooses a weight from its numbers. None of its data is
kept in this repository: pass the path of a WikiQA-test.tsv obtained separately (columns
QuestionID, Question, DocumentID, DocumentTitle, SentenceID, Sentence, Label).

For each test question, an in-memory askdoc index is built over that question's candidate
sentences only (joined with blank lines, so that askdoc splits them back into the same
sentences; the script counts the questions where it does not). askdoc ranks them
(``top`` = all candidates); candidates it does not return are appended at the end in their
original order (they tie at the bottom). MAP and MRR are averaged over the standard "filtered"
questions of Yang et al.: those with at least one correct and at least one incorrect candidate
(237 of the 633 test questions); questions with no correct candidate have no defined AP, and
those whose candidates are all correct score 1 whatever the ranking.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

from askdoc import Document, Index

SEPARATOR = "\n\n"


def read_questions(tsv: Path) -> dict[str, tuple[str, list[tuple[str, int]]]]:
    """QuestionID -> (question, [(candidate sentence, label)]) in file order."""
    questions: dict[str, tuple[str, list[tuple[str, int]]]] = {}
    candidates: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with tsv.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            qid = row["QuestionID"]
            if qid not in questions:
                questions[qid] = (row["Question"].strip(), candidates[qid])
            candidates[qid].append((row["Sentence"].strip(), int(row["Label"])))
    return questions


def rank_candidates(question: str, sentences: list[str], semantic: bool) -> tuple[list[int], bool]:
    """Candidate positions in askdoc's order (unreturned ones last, in file order), and whether
    askdoc split the joined text into exactly the candidates."""
    starts: list[int] = []
    offset = 0
    for s in sentences:
        starts.append(offset)
        offset += len(s) + len(SEPARATOR)
    text = SEPARATOR.join(sentences)
    index = Index([Document("wikiqa", text)])
    index.use_semantic = semantic
    split_ok = [(s.start, s.text.strip()) for s in index.sentences] == list(zip(starts, sentences))

    def candidate_of(start: int) -> int:
        """The candidate whose span holds this character offset."""
        pos = 0
        for i, s in enumerate(starts):
            if s <= start:
                pos = i
            else:
                break
        return pos

    answer = index.ask(question, top=max(len(sentences), 1))
    order: list[int] = []
    for ev in answer.evidence:
        c = candidate_of(ev.sentence.start)
        if c not in order:
            order.append(c)
    order.extend(i for i in range(len(sentences)) if i not in order)
    return order, split_ok


def average_precision(labels: list[int]) -> float:
    """AP of a ranked list of 0/1 labels (at least one 1)."""
    hits = 0
    total = 0.0
    for rank, label in enumerate(labels, 1):
        if label:
            hits += 1
            total += hits / rank
    return total / hits


def reciprocal_rank(labels: list[int]) -> float:
    """1 / rank of the first correct candidate."""
    return next(1.0 / rank for rank, label in enumerate(labels, 1) if label)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tsv", type=Path, required=True, help="WikiQA-test.tsv (not kept in this repository)")
    parser.add_argument("--semantic", action="store_true", help="use the semantic extra (askdoc[semantic])")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    questions = read_questions(args.tsv)
    with_answer = {q: v for q, v in questions.items() if any(label for _, label in v[1])}
    filtered = {q: v for q, v in with_answer.items() if not all(label for _, label in v[1])}
    aps: list[float] = []
    rrs: list[float] = []
    split_mismatches = 0
    for question, candidates in filtered.values():
        sentences = [s for s, _ in candidates]
        order, split_ok = rank_candidates(question, sentences, args.semantic)
        split_mismatches += not split_ok
        labels = [candidates[i][1] for i in order]
        aps.append(average_precision(labels))
        rrs.append(reciprocal_rank(labels))

    print(f"WikiQA test: {len(questions)} questions, {len(with_answer)} with a correct candidate")
    print(f"questions scored (filtered: some correct, some not): {len(filtered)}")
    print(f"semantic: {'on' if args.semantic else 'off'}")
    print(f"questions whose candidates askdoc split differently: {split_mismatches}")
    print(f"MAP {sum(aps) / len(aps):.4f}")
    print(f"MRR {sum(rrs) / len(rrs):.4f}")
    print(f"time {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
