"""Question typing, the short answer and abstention, on small made-up texts."""

from __future__ import annotations

import io
import json

import pytest

from askdoc import Index
from askdoc.answer.abstain import abstain_reason, coverage
from askdoc.answer.candidates import Reading
from askdoc.answer.short_answer import ShortAnswer, choose, holds_candidate
from askdoc.model import Answer, Document, Evidence, Sentence
from askdoc.query.question import AnswerType, analyse_question
from askdoc.rank.context import Matched

TOWN = (
    "Harbour Town lies on the north coast of the island. "
    "The old bridge opened in 1932 after four years of work. "
    "About 12,000 people live in the town today. "
    "Mayor Anna Berg led the town council until last spring. "
    "The council met in Lisbon on Friday to discuss the new harbour. "
    "Maria Costa met Jorge Sousa in Porto on Monday. "
    "The jury of the regatta was made up of Ana Lima, Tom Berg and Joe Park. "
    "Fishing boats leave the harbour before dawn."
)


@pytest.fixture(scope="module")
def town() -> Index:
    index = Index([Document("town.txt", TOWN)])
    index.use_semantic = False  # the rules' answers, with or without the extra installed
    return index


@pytest.mark.parametrize(
    "question, kind, unit",
    [
        ("Who led the town council?", AnswerType.PERSON, None),
        ("When did the bridge open?", AnswerType.TIME, None),
        ("In what year did the bridge open?", AnswerType.TIME, "year"),
        ("On which weekday did the council meet?", AnswerType.TIME, None),
        ("How many people live in the town?", AnswerType.NUMBER, "count"),
        ("How long did the work on the bridge take?", AnswerType.NUMBER, "duration"),
        ("How much did the bridge cost?", AnswerType.NUMBER, "amount"),
        ("What percentage of the town fishes?", AnswerType.NUMBER, "percent"),
        ("Which city hosted the council?", AnswerType.PLACE, None),
        ("Where did the council meet?", AnswerType.PLACE, None),
        ("What company built the bridge?", AnswerType.ORGANISATION, None),
        ("What ferry company runs the harbour boats?", AnswerType.ORGANISATION, None),  # the head noun
        ("Which small fishing town lies north?", AnswerType.PLACE, None),
        ("Why do the boats leave before dawn?", AnswerType.REASON, None),
        ("Did the council meet in Lisbon?", AnswerType.YES_NO, None),
        ("What did the council discuss?", AnswerType.OTHER, None),
        ("What was the total cost of the bridge?", AnswerType.NUMBER, None),  # the subject names the kind
        ("What is a harbour?", AnswerType.OTHER, None),  # a definition, whatever the noun
        # the first wh-word only opens a clause; the question is the one after the comma
        ("When the mayor left, who replaced her?", AnswerType.PERSON, None),
    ],
)
def test_question_type(question: str, kind: AnswerType, unit: str | None) -> None:
    info = analyse_question(question)
    assert info.type is kind
    assert info.unit == unit


def test_the_verb_after_a_head_noun_is_not_taken_for_the_answer_side() -> None:
    assert analyse_question("What ferry company runs the harbour boats?").side is None
    assert analyse_question("Who runs the harbour boats?").side == "before"


def test_list_questions_are_recognised() -> None:
    assert analyse_question("Who were the members of the jury?").is_list
    assert not analyse_question("Who led the town council?").is_list


def _short(index: Index, question: str) -> tuple[Answer, Evidence]:
    answer = index.ask(question)
    spanned = [e for e in answer.evidence if e.answer_span]
    assert len(spanned) == 1, "exactly one evidence sentence carries the answer span"
    return answer, spanned[0]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Who led the town council?", "Anna Berg"),  # the title "Mayor" is dropped
        ("When did the old bridge open?", "1932"),
        ("How long did the work on the old bridge take?", "four years"),
        ("How many people live in the town?", "12,000"),
        ("Which city did the council meet in?", "Lisbon"),
        ("On which weekday did the council meet in Lisbon?", "Friday"),
        ("Who did Maria Costa meet in Porto?", "Jorge Sousa"),  # not the name the question has
    ],
)
def test_short_answer_and_its_span(town: Index, question: str, expected: str) -> None:
    answer, evidence = _short(town, question)
    assert answer.answer == expected
    start, end = evidence.answer_span
    assert evidence.sentence.text[start:end] == expected
    assert not answer.abstained


def test_list_question_gathers_every_name(town: Index) -> None:
    answer, evidence = _short(town, "Who were the members of the regatta jury?")
    assert answer.answer == "Ana Lima, Tom Berg, Joe Park"
    start, end = evidence.answer_span
    assert evidence.sentence.text[start:end] == "Ana Lima"  # the span marks the first


def test_how_long_without_a_duration_abstains_but_keeps_evidence(town: Index) -> None:
    answer = town.ask("How long did the council meeting in Lisbon last?")
    assert answer.abstained
    assert "duration" in answer.reason
    assert answer.answer is None
    assert answer.evidence and "Lisbon" in answer.evidence[0].sentence.text


def test_how_long_is_answered_by_a_duration_without_a_number() -> None:
    text = "The licence was written in 2004 by the council. The licence is perpetual and worldwide."
    index = bm25_only(Index([Document("LICENCE", text)]))
    answer = index.ask("How long does the licence last?")
    assert not answer.abstained and answer.answer == "perpetual"


def test_how_much_without_an_amount_abstains(town: Index) -> None:
    answer = town.ask("How much money did the harbour council spend?")
    assert answer.abstained
    assert answer.evidence


def test_yes_no_question_gets_evidence_but_no_short_answer(town: Index) -> None:
    answer = town.ask("Did the council meet in Lisbon?")
    assert not answer.abstained
    assert answer.answer is None
    assert "Lisbon" in answer.evidence[0].sentence.text


def _hand_made(text: str, terms: dict[str, float], matches: tuple[tuple[int, int], ...] = ()) -> Matched:
    return Matched(0, Sentence(text, "t.txt", 1, 0, len(text)), matches, terms, {})


def _decide(
    question: str, best: Matched, weights: dict[str, float], nearest: float | None = None
) -> tuple[str | None, ShortAnswer | None]:
    """What the pipeline decides for a question whose only sentence is ``best``."""
    info = analyse_question(question)
    reading = Reading(question, info)
    reason = abstain_reason(best, info, weights, holds_candidate([best], reading), nearest)
    return reason, None if reason else choose([best], reading)


def test_coverage_counts_absent_terms_as_rare() -> None:
    sentence = _hand_made("The chapel is old.", {"chapel": 1.0})
    weights = {"paint": 0.0, "chapel": 1.0, "ceil": 0.0}
    assert coverage(sentence, weights) == pytest.approx(1 / 3)


def test_a_sentence_matching_little_of_the_question_abstains() -> None:
    weights = {term: 2.0 for term in "paint chapel ceil rome pope year artist fresco famous ladder".split()}
    question = "Which famous artist painted the fresco on the chapel ceiling in Rome for the pope, and in what year?"
    reason, short = _decide(question, _hand_made("The ladder was old.", {"ladder": 2.0}), weights)
    assert reason is not None and "10%" in reason
    assert short is None


def test_a_well_covered_sentence_answers() -> None:
    best = _hand_made(
        "Michelangelo painted the chapel ceiling.",
        {"paint": 1.0, "chapel": 1.0, "ceil": 1.0},
        ((13, 20), (25, 31), (32, 39)),
    )
    reason, short = _decide("Who painted the chapel ceiling?", best, {"paint": 1.0, "chapel": 1.0, "ceil": 1.0})
    assert reason is None and short is not None
    assert short.text == "Michelangelo"
    assert short.span == (0, 12)


@pytest.mark.parametrize(
    ("nearest", "abstains"),
    [
        (None, False),  # without the semantic extra: a third of the words is enough
        (0.2, True),  # nothing close in meaning either: a question about something else
        (0.6, False),  # a sentence close in meaning: the question is only worded differently
    ],
)
def test_meaning_decides_when_few_words_match(nearest: float | None, abstains: bool) -> None:
    weights = {"harbour": 2.0, "tax": 2.0, "rise": 2.0}
    best = _hand_made("The harbour was busy in 1990.", {"harbour": 2.0})
    reason, _ = _decide("When will the harbour tax rise?", best, weights, nearest)
    assert (reason is not None) is abstains
    if abstains:
        assert "meaning" in reason  # said why


def test_a_question_sharing_no_word_abstains_with_no_evidence() -> None:
    answer = Index([Document("t.txt", "Boats leave the harbour at dawn.")]).ask("Who painted the chapel?")
    assert answer.abstained and answer.answer is None and not answer.evidence
    assert answer.reason == "no sentence shares a word with the question"


def test_the_short_answer_is_never_read_out_of_an_escape_sequence():
    text = "The \x1b]2;7\x07herons nest by the quiet otter pool."  # the only number hides in a title escape
    answer = Index([Document("t.txt", text)]).ask("How many herons nest by the otter pool?")
    assert answer.answer is None and answer.abstained


HARBOUR = [
    Document(
        "harbour.txt",
        "The harbour board was chaired in turn. "
        "Maria Lopez chaired the harbour board for many years. "
        "Boats leave the harbour at dawn. "
        "Fish were sold on the quay.",
    )
]


def bm25_only(index: Index) -> Index:
    index.use_semantic = False  # these tests are about the lexical ranking, extra or not
    return index


def test_a_sentence_holding_the_expected_kind_of_answer_wins_a_near_tie(monkeypatch) -> None:
    index = bm25_only(Index(HARBOUR))
    question = "Who chaired the harbour board?"
    monkeypatch.setattr("askdoc.tuning.TYPE_BONUS", 0.0)
    assert index.ask(question).evidence[0].sentence.text.startswith("The harbour board")  # BM25 alone
    monkeypatch.undo()
    top = index.ask(question).evidence[0]
    assert top.sentence.text.startswith("Maria Lopez")  # the sentence that names someone
    assert top.type_bonus > 0


def test_the_type_bonus_does_not_overturn_a_clear_lead() -> None:
    index = bm25_only(
        Index([Document("t.txt", "The harbour board chose its chair by lot every year. Maria Lopez sold fish.")])
    )
    assert index.ask("How did the harbour board choose its chair?").evidence[0].sentence.text.startswith("The harbour")
    assert index.ask("Who chose the harbour board chair by lot?").evidence[0].sentence.text.startswith("The harbour")


TREATY = [
    Document(
        "treaty.txt",
        " ".join(f"The treaty was signed in the hall number {n} again." for n in range(11))
        + " The treaty was signed in the hall by Nobody Smith again.",
    )
]


@pytest.mark.parametrize(
    ("documents", "question"),
    [(HARBOUR, "Who chaired the harbour board?"), (TREATY, "Who signed the treaty in the hall?")],
)
def test_the_first_sentences_and_the_answer_are_the_same_whatever_top_is(documents, question) -> None:
    index = Index(documents)
    three = index.ask(question, top=3)
    for top in (1, 10, 12, 50):
        other = index.ask(question, top=top)
        n = min(top, 3)
        assert [e.sentence.text for e in other.evidence][:n] == [e.sentence.text for e in three.evidence][:n]
        assert other.answer == three.answer


def test_a_heading_ranks_below_a_statement_that_matches_as_well() -> None:
    text = "Harbour Bridge Repairs\nThe harbour bridge repairs end in May, the council said.\n"
    index = bm25_only(Index([Document("notes.txt", text)]))
    ranked = [e.sentence.text for e in index.ask("What about the harbour bridge repairs?").evidence]
    assert ranked[0].startswith("The harbour bridge repairs") and ranked[1] == "Harbour Bridge Repairs"


def test_a_numbered_section_heading_ranks_below_the_statement_under_it() -> None:
    text = "6. Trademarks.\n\nThis License does not grant permission to use the trade names or trademarks.\n"
    index = bm25_only(Index([Document("LICENSE", text)]))
    ranked = [e.sentence.text for e in index.ask("What about trademarks?").evidence]
    assert ranked[0].startswith("This License does not grant") and ranked[1] == "6. Trademarks."


COUNCIL = [
    Document(
        "council.txt",
        "The council voted on Monday. The mayor has already dismissed the idea of a new harbour road. "
        "Anna said “we don’t need it” at the meeting.",
    )
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the mayor dismiss?", "idea of a new harbour road"),  # what follows the asked verb
        ("What did Anna say at the meeting?", "we don’t need it"),  # an apostrophe does not end a quote
    ],
)
def test_what_did_someone_do_answers_with_the_clause_or_the_quote(question: str, expected: str) -> None:
    assert bm25_only(Index(COUNCIL)).ask(question).answer == expected


ACRONYMS = (
    "The ferries of the HPA sail at dawn. "
    "The Harbour Port Authority (HPA) runs the ferries and the docks. "
    "WHO (the World Health Organization) inspected the docks. "
    "The HPA raised its fees twice."
)


@pytest.mark.parametrize(
    "question, acronym, expected",
    [
        ("What does HPA stand for?", "HPA", "Harbour Port Authority"),  # the words before "(HPA)"
        ("What does “WHO” stand for?", "WHO", "World Health Organization"),  # after it, in brackets
    ],
)
def test_an_acronym_is_answered_with_the_words_its_letters_begin(question: str, acronym: str, expected: str) -> None:
    index = Index([Document("acronyms.txt", ACRONYMS)])
    index.use_semantic = False
    answer = index.ask(question)
    assert analyse_question(question).acronym == acronym
    assert answer.answer == expected
    assert answer.evidence[0].answer_span is not None  # the defining sentence comes first


def test_an_unsure_answer_is_kept_for_scripts_but_not_shown_to_people(monkeypatch) -> None:
    from askdoc.render import Format, render, shows_answer

    index = Index(HARBOUR)
    index.use_semantic = False  # the rules' answer and threshold (the reader's are tested below)
    answer = index.ask("Who chaired the harbour board?")
    assert answer.answer == "Maria Lopez" and 0.0 < answer.answer_confidence < 1.0
    for threshold, shown in ((0.0, True), (1.0, False)):
        monkeypatch.setattr("askdoc.tuning.ANSWER_SHOW_CONFIDENCE", threshold)
        assert shows_answer(answer) is shown
        out = io.StringIO()
        render([answer], Format.plain, out, None)
        assert out.getvalue().startswith("answer: Maria Lopez") is shown
        assert "Maria Lopez chaired" in out.getvalue()  # the evidence is there either way
        out = io.StringIO()
        render([answer], Format.json, out, None)
        data = json.loads(out.getvalue())
        assert data["answer"] == "Maria Lopez" and data["answer_confidence"] == round(answer.answer_confidence, 3)


def test_confidence_rises_with_what_makes_an_answer_likely_right() -> None:
    from askdoc.answer.confidence import confidence

    base = {"fit": 1.0, "score": 2.0, "margin": 1.0, "rank": 0.0, "coverage": 0.5, "gap": 0.1, "person": 1.0}
    assert confidence({**base, "margin": 3.0}) > confidence(base)  # a clear winner among the candidates
    assert confidence({**base, "coverage": 1.0}) > confidence(base)  # its sentence matches all the question
    assert confidence({**base, "gap": 0.8}) > confidence(base)  # its sentence stands well above the next


# ------------------------------------------------------------------ the learned reader (stand-in)


class FakeReader:
    """Points at the word after "by" in each sentence; sure only where that word is capitalised."""

    def read(self, question, sentences, before=()):
        from askdoc.answer.reader import Span

        out = []
        for text in sentences:
            at = text.find(" by ")
            if at < 0:
                out.append(None)
                continue
            start = at + 4
            end = start + len(text[start:].split()[0])
            out.append(Span(start, end, 5.0, 4.0 if text[start].isupper() else -3.0))
        return out


def test_with_the_reader_the_answer_is_its_span_and_its_own_threshold_shows_it(monkeypatch) -> None:
    from askdoc.render import shows_answer

    index = Index([Document("harbour.txt", "The harbour board was chaired by Maria. The dock was built by hand.")])
    index.use_semantic = False
    index._reader = FakeReader()  # what answer_reader() returns with the extra and its model
    answer = index.ask("Who chaired the harbour board?")
    assert answer.answer == "Maria" and answer.answer_reader == "model"  # the closing full stop is not part of it
    assert answer.answer_sentence is not None and answer.answer_sentence.text.startswith("The harbour board")
    assert answer.answer_features is not None and answer.answer_features["lead"] == 4.0
    for threshold, shown in ((0.0, True), (1.0, False)):
        monkeypatch.setattr("askdoc.tuning.READER_SHOW_CONFIDENCE", threshold)
        monkeypatch.setattr("askdoc.tuning.ANSWER_SHOW_CONFIDENCE", 1.0 - threshold)  # the rules' does not apply
        assert shows_answer(answer) is shown


def test_the_reader_prefers_a_surer_span_in_a_lower_sentence_only_by_more_than_the_score_gap(monkeypatch) -> None:
    from askdoc.answer.reader import choose

    sentences = ["It was made by hand.", "It was made by Ada."]  # leads -3 and 4 (FakeReader)
    matched = [Matched(i, Sentence(t, "doc", 1, 0, len(t)), (), {}, {}) for i, t in enumerate(sentences)]
    monkeypatch.setattr("askdoc.tuning.READER_FUSION", {"score": 1.0, "read": 0.0, "lead": 0.1, "span": 0.0})
    short, values = choose(FakeReader(), "Who made it?", matched, [1.0, 0.5])
    assert short is not None and short.text == "Ada" and short.rank == 1  # 0.5 + 0.4 beats 1.0 - 0.3
    assert values == pytest.approx([0.7, 0.9])
    short, _ = choose(FakeReader(), "Who made it?", matched, [1.0, 0.2])
    assert short is not None and short.text == "hand"  # 0.2 + 0.4 loses to 0.7


def test_the_reader_does_not_answer_a_yes_no_question_with_a_span() -> None:
    index = Index([Document("harbour.txt", "The harbour board was chaired by Maria. The dock was built by hand.")])
    index.use_semantic = False
    index._reader = FakeReader()
    answer = index.ask("Was the harbour board chaired by Maria?")
    assert not answer.abstained and answer.answer is None  # evidence only, as without the reader
    assert "chaired by Maria" in answer.evidence[0].sentence.text


def test_the_sentence_the_reader_answers_from_comes_first_for_a_question_not_for_bare_words(monkeypatch) -> None:
    # "built" and "dock" put the hand-built sentence first by words; the reader finds a name
    # in the second sentence only (FakeReader: a capitalised word after "by" leads by 4)
    text = "The dock was built by hand near the dock gate. The dock crane was built by Ada."
    index = Index([Document("harbour.txt", text)])
    index.use_semantic = False
    index._reader = None
    by_words = [e.sentence.text for e in index.ask("Who built the dock gate?").evidence]
    assert by_words[0].startswith("The dock was built by hand")
    index._reader = FakeReader()
    # without the learned re-ranker the scores are BM25's: a lead of 7 more must outweigh the gap
    monkeypatch.setattr("askdoc.tuning.READER_FUSION", {"score": 1.0, "read": 0.0, "lead": 1.0, "span": 0.0})
    answer = index.ask("Who built the dock gate?")
    assert answer.answer == "Ada" and answer.evidence[0].sentence.text == "The dock crane was built by Ada."
    assert answer.evidence[0].answer_span is not None and answer.evidence[0].score > answer.evidence[1].score
    assert [e.sentence.text for e in index.ask("dock gate built").evidence] == by_words  # no wh-word: no reorder


class BeforeReader(FakeReader):
    """FakeReader that keeps the sentence before each sentence it was given."""

    def read(self, question, sentences, before=()):
        self.before = dict(zip(sentences, before))
        return super().read(question, sentences)


def test_a_reader_that_reads_the_sentence_before_is_given_it(monkeypatch) -> None:
    from askdoc.answer import reader

    monkeypatch.setattr(reader, "READS_BEFORE", True)
    text = "Ada designed the crane. It was built by Bo in May. The dock was built by hand."
    index = Index([Document("harbour.txt", text)])
    index.use_semantic = False
    index._reader = BeforeReader()
    index.ask("Who built the crane?")
    texts = [index.sentence(i).text for i in range(len(index))]
    assert index._reader.before[texts[1]] == texts[0]  # "It" refers back
    assert index._reader.before[texts[2]] == ""  # nothing to refer back to
