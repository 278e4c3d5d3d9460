"""SQuAD v1.1 TRAIN articles, from the SQuAD explorer's pages, in the squad-sample format.

    python tools/squad_explorer.py --git-dir MIRROR --out DIR [--titles ROWS.jsonl] [--limit N]

The SQuAD train JSON is over the 4 MiB a fetched repository keeps, but the explorer site of
rajpurkar/SQuAD-explorer held one page per training article in its history (commit 13f82e35,
explore/1.1/train/*.html): context paragraphs, questions and answer texts (CC BY-SA 4.0, as
the site says). This writes them as ``DIR/docs.jsonl`` ({"title", "text"}) and
``DIR/questions.jsonl`` ({"id", "title", "question", "answers", "answer_spans"}): the format
of shared/eval/squad-sample, so tools/sweep.py and the confidence fit read either. An answer's
span is its first occurrence in its paragraph (the pages give no offsets). Articles whose
title is one of the evaluation's are skipped; ``--titles`` keeps only the titles of those
rows (e.g. the articles a re-ranker was not trained on).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
from pathlib import Path

COMMIT = "13f82e35b9a1fb9173f863b35f5675030646571e"
FOLDER = "explore/1.1/train/"
EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "squad-sample" / "docs.jsonl"

_PARA = re.compile(r'<div class="para-wrap">(.*?)(?=<div class="para-wrap">|$)', re.S)
_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
_QA = re.compile(r'<strong class="question">(.*?)</strong>(.*?)(?=<div class="qa-wrap">|$)', re.S)
_ANSWER = re.compile(r'<span class="answer">(.*?)</span>', re.S)
_TITLE = re.compile(r'<h1 id="title">(.*?)</h1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def pages(git_dir: str) -> list[str]:
    git = ["git", f"--git-dir={git_dir}"]
    listing = subprocess.run([*git, "ls-tree", "-z", "--name-only", COMMIT, FOLDER], capture_output=True, check=True)
    names = [n for n in listing.stdout.decode().split("\0") if n.endswith(".html") and not n.endswith("index.html")]
    shown = (subprocess.run([*git, "show", f"{COMMIT}:{n}"], capture_output=True, check=True) for n in sorted(names))
    return [page.stdout.decode() for page in shown]


def article(page: str) -> tuple[str, str, list[dict]]:
    """(title, text, questions) of one page; the text is its paragraphs, a blank line apart."""
    found = _TITLE.search(page)
    title = html.unescape(found.group(1)).strip() if found else ""
    text, questions = "", []
    for para in _PARA.findall(page):
        pre = _PRE.search(para)
        if not pre:
            continue
        context = html.unescape(pre.group(1)).strip()
        offset = len(text) + (2 if text else 0)
        text = f"{text}\n\n{context}" if text else context
        for raw, rest in _QA.findall(para):
            question = html.unescape(_TAG.sub("", raw)).strip()
            answers = [a for a in (html.unescape(x).strip() for x in _ANSWER.findall(rest)) if a]
            spans = [[offset + i, offset + i + len(a)] for a in answers if (i := context.find(a)) >= 0]
            if question and spans:
                questions.append({"question": question, "answers": answers, "answer_spans": spans})
    return title, text, questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--git-dir", required=True, help="a fetched mirror of rajpurkar/SQuAD-explorer")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--titles", type=Path, help="JSONL rows whose 'title' fields select the articles")
    parser.add_argument("--limit", type=int, default=0, help="at most this many articles (0: all)")
    args = parser.parse_args()
    excluded = {json.loads(line)["title"] for line in EVAL.open()} if EVAL.is_file() else set()
    wanted = {json.loads(line)["title"] for line in args.titles.open()} if args.titles else None
    args.out.mkdir(parents=True, exist_ok=True)
    articles = questions = 0
    with (args.out / "docs.jsonl").open("w") as docs, (args.out / "questions.jsonl").open("w") as qs:
        for page in pages(args.git_dir):
            title, text, found = article(page)
            if not title or title in excluded or (wanted is not None and title not in wanted):
                continue
            docs.write(json.dumps({"title": title, "text": text}, ensure_ascii=False) + "\n")
            for n, q in enumerate(found):
                qs.write(json.dumps({"id": f"{title}-{n}", "title": title, **q}, ensure_ascii=False) + "\n")
            articles += 1
            questions += len(found)
            if args.limit and articles >= args.limit:
                break
    print(f"{articles} articles, {questions} questions -> {args.out}")


if __name__ == "__main__":
    main()
