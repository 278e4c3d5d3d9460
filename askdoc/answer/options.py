"""Command-line options: what man pages and ``--help`` output answer.

A man page or a ``--help`` text defines each option in a sentence that starts with it:
"-v, --invert-match  Invert the sense of matching, to select non-matching lines." Two kinds of
question meet those sentences:

- "How do I select non-matching lines?" / "Which option ...?": the answer is the options the
  sentence starts with (:func:`options_asked`);
- "What does -v do?": the sentence that defines "-v" comes first (:class:`OptionDefinition`),
  and the answer is its description (:func:`definition`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..index.retriever import Hit
from ..ingest.sentences import option_tag
from ..query.question import AnswerType, QuestionInfo
from ..rank.context import RankContext

# "Which option/flag/switch ...?" asks for a command line's option, as "how do I ...?" may.
_OPTION_WORDS = [[w] for w in ("option", "options", "flag", "flags", "switch", "switches")]
_NAME = re.compile(r"(?<![\w-])-{1,2}[A-Za-z0-9?][\w?-]*")


def options_asked(sentence: str, info: QuestionInfo) -> tuple[int, int] | None:
    """Where the options stand that answer "How do I list an archive?" or "Which option ...?"
    in an option's sentence ("-t, --list" of "-t, --list  List the contents ..."); None for
    another question or sentence."""
    if info.type is AnswerType.OTHER and (info.cue == "how" or info.cue.split()[-1:] in _OPTION_WORDS):
        return option_tag(sentence)
    return None


def definition(sentence: str, option: str | None) -> tuple[int, int] | None:
    """Where the description stands in the sentence that defines ``option`` ("Invert the sense
    of matching ..." after "-v, --invert-match"); None when the sentence does not start with it."""
    tag = option_tag(sentence) if option else None
    if tag is None or option not in _NAME.findall(sentence, tag[0], tag[1]):
        return None
    start = len(sentence) - len(sentence[tag[1] :].lstrip())
    end = len(sentence.rstrip())
    return (start, end) if end > start else None


class OptionDefinition:
    """A re-rank stage (see :mod:`askdoc.rank.stages`): for "What does -v do?", the sentences
    among the hits that define "-v" come first, in their order. BM25 alone puts a short
    mention ("When the -v or") above the definition, whose description is long."""

    name = "option definition"

    def __init__(self, info: QuestionInfo) -> None:
        self.option = info.option

    def __call__(self, ctx: RankContext, hits: Sequence[Hit]) -> Sequence[Hit]:
        if not self.option or not hits:
            return hits
        defining = [h for h in hits if definition(ctx.sentence(h.sid).text, self.option)]
        if not defining:
            return hits
        top = hits[0].score
        first = [replace(h, score=top + (len(defining) - n) * abs(top) * 1e-6) for n, h in enumerate(defining)]
        ids = {h.sid for h in defining}
        return [*first, *(h for h in hits if h.sid not in ids)]
