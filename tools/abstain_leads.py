"""How a threshold on the reader's lead would abstain: one pass, the whole curve.

    python tools/abstain_leads.py [--half even|odd] [--per-article N] [--off-topic M] [--squad-dir DIR]

With the semantic extra (and its reader) installed: asks each article of the half its own
questions (answerable) and M questions of other articles (off-topic: they should abstain),
records the lead of the answer the reader chose, then prints, for each candidate
``READER_ABSTAIN_LEAD``, the share of own questions it would abstain on (false abstentions,
added to what the rules already abstain on) and the share of off-topic ones. Fit on even,
report odd.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from askdoc import Document, Index, tuning

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def leads(folder: Path, half: str, per_article: int, off_topic: int) -> tuple[list[float | None], list[float | None]]:
    """The chosen answer's lead for each own and each off-topic question (None: the rules abstained)."""
    tuning.READER_ABSTAIN_LEAD = -1e9
    docs = [json.loads(line) for line in (folder / "docs.jsonl").open()]
    questions = [json.loads(line) for line in (folder / "questions.jsonl").open()]
    own_leads: list[float | None] = []
    off_leads: list[float | None] = []
    for n, doc in enumerate(docs):
        if (n % 2 == 0) != (half == "even"):
            continue
        index = Index([Document(doc["title"], doc["text"])])
        own = [q for q in questions if q["title"] == doc["title"]][: per_article or None]
        others = [q for q in questions if q["title"] != doc["title"]][:: max(1, len(questions) // max(off_topic, 1))]
        for found, asked in ((own_leads, own), (off_leads, others[:off_topic])):
            for q in asked:
                a = index.ask(q["question"], top=3)
                if a.answer_reader != "model" and not a.abstained and a.answer:
                    raise SystemExit("the answers do not come from the reader: install the semantic extra")
                found.append(None if a.abstained or not a.answer_features else a.answer_features["lead"])
    return own_leads, off_leads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("even", "odd"), default="even")
    parser.add_argument("--per-article", type=int, default=10)
    parser.add_argument("--off-topic", type=int, default=5)
    parser.add_argument("--squad-dir", type=Path, default=EVAL / "squad-sample")
    args = parser.parse_args()
    own, off = leads(args.squad_dir, args.half, args.per_article, args.off_topic)
    print(f"{args.half}: {len(own)} own questions, {len(off)} off-topic")
    for threshold in (-1e9, -8.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0):
        own_out = sum(x is None or x < threshold for x in own) / len(own)
        off_out = sum(x is None or x < threshold for x in off) / len(off)
        print(f"READER_ABSTAIN_LEAD={threshold:g}: own abstained {own_out:.3f}  off-topic abstained {off_out:.3f}")
    print("leads (own):", json.dumps([None if x is None else round(x, 2) for x in own]))
    print("leads (off-topic):", json.dumps([None if x is None else round(x, 2) for x in off]))


if __name__ == "__main__":
    main()
