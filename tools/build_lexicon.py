"""Derive askdoc's lexicon table (askdoc/data/lexicon.tsv.gz) from WordNet 3.0.

askdoc ships the few WordNet relations that help a question meet a sentence worded
differently ("invade" / "invasion", "headed" / "led", "children" / "child"), precomputed and
keyed by askdoc's own stems, so that a user needs neither WordNet nor its ~3 s load.

How to run it (once, when the table or askdoc's stemmer changes; the output is deterministic):

    apt-get update && apt-get install -y wordnet-base wordnet-sense-index   # /usr/share/wordnet
    python tools/build_lexicon.py                  # writes askdoc/data/lexicon.tsv.gz
    python tools/build_lexicon.py --out FILE --wordnet /usr/share/wordnet

NLTK reads the Debian files only from inside an ``nltk_data`` folder (see
shared/wordnet-offline.md): the script copies them into ``TMP/corpora/wordnet/``, writes the
``lexnames`` file Debian leaves out, and puts TMP first on ``nltk.data.path``. TMP is a
temporary directory removed at the end; nothing else is written but the output file.
The licence notice to ship beside the table is Debian's /usr/share/doc/wordnet-base/copyright
(the "WordNet3.0" paragraph), kept as askdoc/data/WORDNET-LICENSE.

The table has one line per key stem, sorted:

    key<TAB>kind:stem,stem<TAB>kind:stem ...

Kinds, strongest first (a stem related by several kinds is listed under the strongest only);
their weights live in askdoc/lexicon.py, not here, so they can be retuned without a rebuild:

- ``form``:  irregular inflections from WordNet's exception lists, both ways (led <-> lead,
  children <-> child). Regular inflections need nothing: Snowball already joins them.
- ``deriv``: derivationally related forms of the word's first few senses (invade <-> invasion),
  and pertainyms, adjective <-> the noun it pertains to (Russian <-> Russia).
- ``place``: a national capital and its country's names and adjective, both ways (Moscow <->
  Russia, Russian; Washington <-> America, US): news writes the capital for the government.
- ``syn``:   the other words of the word's most frequent senses (head -> lead).

Hypernyms (invasion -> attack) and short hyponym lists (weekday -> Monday ... Friday) were
measured too and left out: on held-out SQuAD articles they changed Acc@1/Acc@3 by under 0.1
point while doubling the table.

Every related word also brings its irregular forms (head -> lead -> led), because the index
holds the stems of the words as written. Only one-word, all-letter lemmas take part;
stopwords are left out, as askdoc never indexes them, except acronyms that spell one ("US"):
askdoc indexes those when they are written in capitals.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _load_analysis():
    """askdoc's analysis module alone: the keys must be its stems, and nothing else is needed."""
    spec = importlib.util.spec_from_file_location("askdoc_analysis", REPO / "askdoc" / "analysis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_analysis = _load_analysis()
STOPWORDS, Analyzer = _analysis.STOPWORDS, _analysis.Analyzer

KINDS = ("form", "deriv", "place", "syn")

# How many of a word's senses (per part of speech, most frequent first) lend their relations.
# Synonyms of rare senses are where the noise is ("lead" -> "conduct", "head" -> "fountainhead").
SYN_SENSES = 2
DERIV_SENSES = 3
# A synonym must be a word people use in that sense: a SemCor tag count > 0, or the word's
# first sense.

# The 45 lexicographer files (WordNet's lexnames(5WN)); NLTK wants them, Debian omits them.
LEXNAMES = """adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute
noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group
noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession
noun.process noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body
verb.change verb.cognition verb.communication verb.competition verb.consumption verb.contact
verb.creation verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative
verb.weather adj.ppl""".split()
POS_NUMBER = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}

_WORD = re.compile(r"[a-z]+")


def open_wordnet(source: Path, tmp: Path):
    """NLTK's WordNet reader over a copy of the Debian files laid out as an nltk_data folder."""
    root = tmp / "corpora" / "wordnet"
    root.mkdir(parents=True)
    for f in source.iterdir():
        if f.is_file():
            shutil.copy(f, root)  # copies: NLTK rejects symlinks that leave its data root
    with open(root / "lexnames", "w") as fh:
        for i, name in enumerate(LEXNAMES):
            fh.write(f"{i:02d}\t{name}\t{POS_NUMBER[name.split('.')[0]]}\n")
    import nltk

    nltk.data.path.insert(0, str(tmp))
    from nltk.corpus import wordnet as wn

    wn.ensure_loaded()
    return wn


def build(wn) -> dict[str, dict[str, str]]:
    """key stem -> related stem -> strongest kind."""
    stem = Analyzer().stem

    # A country's acronym that spells a stopword ("US"): askdoc indexes it when written in
    # capitals, so it may take part ("America" -> "US"); written in lower case it stays a
    # stopword. Only countries' acronyms: "IN" (Indiana) or "DO" would tie "in" and "do" to
    # words, and all-capitals headings would then match them.
    places = capitals(wn)
    acronyms = {
        lem.name().lower()
        for _, _, country in places
        for lem in country.lemmas()
        if len(lem.name()) > 1 and lem.name().isalpha() and lem.name().isupper() and lem.name().lower() in STOPWORDS
    }

    def plain(w: str) -> bool:
        return bool(_WORD.fullmatch(w)) and (w not in STOPWORDS or w in acronyms)

    # Irregular forms, both ways: form -> lemmas and lemma -> forms (over all parts of speech).
    lemmas_of: dict[str, set[str]] = defaultdict(set)
    forms_of: dict[str, set[str]] = defaultdict(set)
    for pos in "nvar":
        for form, bases in wn._exception_map[pos].items():
            for base in bases:
                if plain(form) and plain(base) and form != base:
                    lemmas_of[form].add(base)
                    forms_of[base].add(form)

    def usable(w: str) -> bool:
        # Other two-letter lemmas are mostly abbreviations and symbols ("th", "mo", "pb"): noise.
        return plain(w) and (len(w) > 2 or w in forms_of or w in lemmas_of or w in acronyms)

    def stems_of(word: str) -> set[str]:
        """The stems a word can be written as in a sentence: itself and its irregular forms."""
        return {stem(w) for w in {word} | forms_of.get(word, set())}

    # word -> kind -> related words (lemmas), before stemming
    rel: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for form, bases in lemmas_of.items():
        for base in bases:
            rel[form]["form"].add(base)
            rel[base]["form"].add(form)

    def name(lemma) -> str:
        return lemma.name().lower()

    for word in sorted(set(wn.all_lemma_names())):
        if not usable(word):
            continue
        for pos in "nvar":
            synsets = wn.synsets(word, pos)
            if pos == "a":
                synsets = [s for s in synsets if s.pos() in "as"]
            for rank, synset in enumerate(synsets):
                own = [lem for lem in synset.lemmas() if name(lem) == word]
                if rank < DERIV_SENSES:
                    for lem in own:
                        rel[word]["deriv"].update(name(d) for d in lem.derivationally_related_forms())
                        for p in lem.pertainyms():
                            rel[word]["deriv"].add(name(p))
                            rel[name(p)]["deriv"].add(word)
                if rank < SYN_SENSES and (rank == 0 or any(lem.count() > 0 for lem in own)):
                    rel[word]["syn"].update(name(lem) for lem in synset.lemmas() if rank == 0 or lem.count() > 0)

    for capital, words, _ in places:
        rel[capital]["place"] |= words
        for word in words:
            rel[word]["place"].add(capital)

    # An inflected form shares its lemma's relations (led -> lead's synonyms).
    for form, bases in lemmas_of.items():
        for base in bases:
            for kind, words in list(rel.get(base, {}).items()):
                if kind != "form":
                    rel[form][kind] |= words

    table: dict[str, dict[str, str]] = defaultdict(dict)
    for word, kinds in rel.items():
        if not usable(word):
            continue
        key = stem(word)
        for kind in KINDS:
            for other in kinds.get(kind, ()):
                if not usable(other):
                    continue
                for value in stems_of(other):
                    if value == key or (value in STOPWORDS and other not in acronyms):
                        continue
                    old = table[key].get(value)
                    if old is None or KINDS.index(kind) < KINDS.index(old):
                        table[key][value] = kind
    return table


def capitals(wn) -> list[tuple[str, set[str], object]]:
    """(capital, its country's words, the country's synset) for WordNet's national capitals:
    news writes "Moscow" for Russia and "Washington" for the United States.

    The country is the one the capital's own lemmas name ("capital_of_the_United_States",
    "American_capital"), else its part holonym (Moscow is part of Russia). Its words are the
    country's one-word names (America, US, USA) and the adjectives that pertain to them
    (American). Only one-word capitals take part.
    """
    national = wn.synset("national_capital.n.01")
    adjectives: dict[str, set[str]] = defaultdict(set)  # country name -> pertaining adjectives
    for synset in wn.all_synsets("a"):
        for lem in synset.lemmas():
            for p in lem.pertainyms():
                adjectives[p.name().lower()].add(lem.name().lower())
    out = []
    for city in national.instance_hyponyms():
        countries, words = [], set()
        for lem in city.lemmas():
            named = re.fullmatch(r"capital_of_(?:the_)?(\w+)", lem.name(), re.IGNORECASE)
            if named:
                countries += wn.synsets(named.group(1), "n")[:1]
            demonym = re.fullmatch(r"([A-Za-z]+)_capital", lem.name())
            if demonym:
                words.add(demonym.group(1).lower())
        for country in countries or city.part_holonyms():
            for lem in country.lemmas():
                name = lem.name().lower()
                words.add(name)
                words |= adjectives.get(name, set())
        words = {w for w in words if _WORD.fullmatch(w)}
        for lem in city.lemmas():
            name = lem.name().lower()
            if _WORD.fullmatch(name) and words:
                out.extend((name, words, country) for country in (countries or city.part_holonyms())[:1])
    return out


def write(table: dict[str, dict[str, str]], out: Path) -> None:
    lines = []
    for key in sorted(table):
        by_kind: dict[str, list[str]] = defaultdict(list)
        for value, kind in table[key].items():
            by_kind[kind].append(value)
        fields = [f"{kind}:{','.join(sorted(by_kind[kind]))}" for kind in KINDS if kind in by_kind]
        lines.append(key + "\t" + "\t".join(fields) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    # No name and mtime=0 in the gzip header keep the file identical from one build to the next.
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write("".join(lines).encode("ascii"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--out", type=Path, default=REPO / "askdoc" / "data" / "lexicon.tsv.gz")
    args = parser.parse_args()
    if not (args.wordnet / "data.noun").exists():
        sys.exit(f"{args.wordnet}: no WordNet 3.0 here (apt-get install wordnet-base wordnet-sense-index)")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("NLTK_DATA", None)
        wn = open_wordnet(args.wordnet, Path(tmp))
        table = build(wn)
    write(table, args.out)
    pairs = sum(len(v) for v in table.values())
    print(f"{args.out}: {len(table)} keys, {pairs} pairs, {args.out.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
