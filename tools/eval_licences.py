"""Questions about licence texts in a reader's own words, asked through askdoc's CLI.

    python tools/eval_licences.py [--cmd askdoc] [--misses]

tools/sets/licences-own-words.jsonl holds 80 questions about five licences that Debian ships
(tests/fixtures/texts/: Apache-2.0, GPL-3, MPL-2.0, LGPL-2.1, Artistic), 16 each: 14 that one
sentence answers and 2 that the text does not. They were written from the texts alone, by a
session that never saw askdoc's answers, with the words a user would use ("sell" where the text
says "charge a fee"); about half are tagged "paraphrase". Each document's questions go to the
scorer of shared/eval (score.py seed, one batch a document); this prints each document's
figures and the total: Acc@1 and Acc@3 over the answerable questions, the paraphrased ones
apart, the unanswerable ones abstained and the answerable ones wrongly abstained. A set to
measure with, like the public ones: fit nothing on it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET = HERE / "sets" / "licences-own-words.jsonl"
TEXTS = HERE.parent / "tests" / "fixtures" / "texts"
SCORER = HERE.parents[1] / "shared" / "eval" / "score.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cmd", default="askdoc", help="how to run askdoc (default: askdoc)")
    parser.add_argument("--misses", action="store_true", help="print the questions missed at rank 1")
    args = parser.parse_args()
    if not SCORER.is_file():
        sys.exit(f"eval_licences: the scorer is not at {SCORER}")
    questions = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    documents = sorted({q["document"] for q in questions})
    answerable, at1, at3 = 0, 0.0, 0.0
    counts = {
        name: [0, 0] for name in ("paraphrased @1", "paraphrased @3", "unanswerable abstained", "wrongly abstained")
    }
    with tempfile.TemporaryDirectory() as work:
        for document in documents:
            own = Path(work) / f"{document}.jsonl"
            own.write_text("".join(json.dumps(q) + "\n" for q in questions if q["document"] == document))
            out = Path(work) / f"{document}.json"
            argv = [sys.executable, str(SCORER), "seed", str(own), str(TEXTS / document), "--cmd", args.cmd]
            run = subprocess.run(
                [*argv, "--json", str(out), *(["--misses"] if args.misses else [])], text=True, capture_output=True
            )
            if run.returncode != 0:
                sys.exit(f"eval_licences: {' '.join(argv)} failed:\n{run.stderr[-2000:]}")
            if args.misses:  # the scorer lists them on stderr
                print(run.stderr.rstrip())
            r = json.loads(out.read_text())
            answerable += r["answerable"]
            at1 += r["acc@1"] * r["answerable"]
            at3 += r["acc@3"] * r["answerable"]
            para = r.get("by_group", {}).get("paraphrase", "@1 0/0, @3 0/0")  # "@1 5/6, @3 6/6"
            fractions = [part.split()[1] for part in para.split(", ")]
            fractions += [r["unanswerable_abstained"], r["answerable_abstained"]]
            for name, fraction in zip(counts, fractions):
                got, of = fraction.split("/")
                counts[name][0] += int(got)
                counts[name][1] += int(of)
            print(
                f"{document:12s} Acc@1 {r['acc@1']:.3f}  Acc@3 {r['acc@3']:.3f}  paraphrased {para}"
                f"  unanswerable abstained {r['unanswerable_abstained']}  wrongly abstained {r['answerable_abstained']}"
            )
    print(
        f"{'all':12s} Acc@1 {at1 / answerable:.3f}  Acc@3 {at3 / answerable:.3f}  "
        + "  ".join(f"{name} {got}/{of}" for name, (got, of) in counts.items())
    )


if __name__ == "__main__":
    main()
