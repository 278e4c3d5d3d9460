"""Convert SQuAD v1.1 TRAIN per-article explorer pages (rajpurkar/SQuAD-explorer, gh-pages
history, commit 13f82e35, explore/1.1/train/*.html) into answer-sentence-selection JSONL.

The pages carry context + question + answer text but no answer_start, so the answer sentence
is found by locating the answer text in the context: if all occurrences fall in one sentence
it is that one; otherwise the occurrence sentence with the most question-word overlap wins
if it beats the others strictly; otherwise the question is dropped.

    python training/squad_explorer_to_jsonl.py MIRROR_GIT_DIR OUT.jsonl [CAP [REST.jsonl]]

MIRROR_GIT_DIR is a fetched mirror of github.com/rajpurkar/SQuAD-explorer. The shipped model
was trained on OUT with CAP 60000 (squad11_train.jsonl; REST holds the articles beyond it).
"""

import collections
import hashlib
import html
import json
import re
import subprocess
import sys

GIT = ["git", f"--git-dir={sys.argv[1]}"]
COMMIT = "13f82e35b9a1fb9173f863b35f5675030646571e"
FOLDER = "explore/1.1/train/"
LICENSE = (
    "CC BY-SA 4.0 (SQuAD; 'The dataset is distributed under the CC BY-SA 4.0 license.' - SQuAD-explorer index.html)"
)
_ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
_EVAL_DOCS = _ROOT.parent / "shared/eval/squad-sample/docs.jsonl"
EVAL_TITLES = {json.loads(line)["title"] for line in open(_EVAL_DOCS) if line.strip()}
OUT = sys.argv[2]
CAP = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
REST = sys.argv[4] if len(sys.argv) > 4 else None  # articles beyond the cap go here

sys.path.insert(0, str(_ROOT))
try:
    from askdoc.ingest.sentences import split as _split

    def split(t):
        return [(s.start, s.end, s.text) for s in _split(t)]

    SPLITTER = "askdoc.ingest.sentences.split (Punkt)"
except Exception:
    _R = re.compile(r"[^.!?]+(?:[.!?]+[\"'”’)\]]*|$)")

    def split(t):
        return [(m.start(), m.end(), m.group().strip()) for m in _R.finditer(t) if m.group().strip()]

    SPLITTER = "regex"

STOP = set(
    "the a an of in on at to for by with from and or is was were are be been what which who whom whose"
    " when where why how did do does that this these those as it its into than".split()
)


def words(s):
    return {w for w in re.findall(r"[a-z0-9]+", s.lower()) if w not in STOP}


PARA = re.compile(r'<div class="para-wrap">(.*?)(?=<div class="para-wrap">|$)', re.S)
PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
QA = re.compile(r'<strong class="question">(.*?)</strong>(.*?)(?=<div class="qa-wrap">|$)', re.S)
ANS = re.compile(r'<span class="answer">(.*?)</span>', re.S)
TITLE = re.compile(r'<h1 id="title">(.*?)</h1>', re.S)

names = (
    subprocess.run(GIT + ["ls-tree", "-z", "--name-only", COMMIT, FOLDER], capture_output=True, check=True)
    .stdout.decode()
    .split("\0")
)
names = sorted(n for n in names if n.endswith(".html") and not n.endswith("index.html"))
stats = collections.Counter()
articles = []
for path in names:
    page = subprocess.run(GIT + ["show", f"{COMMIT}:{path}"], capture_output=True, check=True).stdout.decode("utf-8")
    m = TITLE.search(page)
    title = html.unescape(m.group(1)).strip() if m else path.rsplit("/", 1)[1][:-5]
    stem = path.rsplit("/", 1)[1][:-5]
    if title in EVAL_TITLES or stem in EVAL_TITLES or title.replace(" ", "_") in EVAL_TITLES:
        stats["articles dropped (eval title)"] += 1
        continue
    rows = []
    for para in PARA.findall(page):
        pm = PRE.search(para)
        if not pm:
            continue
        ctx = html.unescape(pm.group(1))
        sents = split(ctx)
        if len(sents) < 2:
            stats["dropped: context has <2 sentences"] += len(QA.findall(para))
            continue
        for qraw, rest in QA.findall(para):
            q = html.unescape(re.sub(r"<[^>]+>", "", qraw)).strip()
            ans = [html.unescape(a).strip() for a in ANS.findall(rest)]
            ans = [a for a in ans if a]
            stats["questions seen"] += 1
            if not q or not ans:
                stats["dropped: no question/answer"] += 1
                continue
            a = ans[0]
            occ = [i.start() for i in re.finditer(re.escape(a), ctx)]
            if not occ:
                stats["dropped: answer not in context"] += 1
                continue
            idx = set()
            for o in occ:
                for k, (s, e, _) in enumerate(sents):
                    if s <= o < e:
                        idx.add(k)
                        break
            if not idx:
                stats["dropped: answer outside sentences"] += 1
                continue
            how = "unique"
            if len(idx) > 1:
                qw = words(q)
                scored = sorted(((len(qw & words(sents[k][2])), k) for k in idx), reverse=True)
                if scored[0][0] > scored[1][0]:
                    idx = {scored[0][1]}
                    how = "overlap"
                    stats["ambiguous answer resolved by overlap"] += 1
                else:
                    stats["dropped: ambiguous answer sentence"] += 1
                    continue
            (k,) = idx
            sent_start, _, sent_text = sents[k]
            at = next((o - sent_start for o in occ if sent_text[o - sent_start :].startswith(a)), sent_text.find(a))
            rows.append(
                {
                    "question": q,
                    "sentences": [t for _, _, t in sents],
                    "answers": sorted(idx),
                    # the answer text and where it starts in the answer sentence (-1: split across sentences)
                    "answer": a,
                    "answer_start": at,
                    "source": f"rajpurkar/SQuAD-explorer@{COMMIT}:{path}",
                    "license": LICENSE,
                    "title": title,
                    "answer_located": how,
                }
            )
    articles.append((hashlib.sha1(title.encode()).hexdigest(), title, rows))

articles.sort()
kept = 0
rest = open(REST, "w") if REST else None
with open(OUT, "w") as f:
    for _, _title, rows in articles:
        if kept + len(rows) > CAP:
            stats["articles left out by cap"] += 1
            stats["questions left out by cap"] += len(rows)
            if rest:
                for r in rows:
                    rest.write(json.dumps(r, ensure_ascii=False) + "\n")
            continue
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        kept += len(rows)
        stats["articles kept"] += 1
stats["questions kept"] = kept
print(json.dumps({"splitter": SPLITTER, "pages": len(names), **stats}, indent=1))
