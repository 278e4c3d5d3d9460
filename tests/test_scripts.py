"""Every script: Chinese and Japanese sentences and words, and Korean, Cyrillic, Greek and
accented Latin still matched. The Japanese and Chinese manual pages are Debian's (passwd(1)
from manpages-ja and manpages-zh, printed by groff)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askdoc import Index
from askdoc.ingest.analysis import Analyzer
from askdoc.ingest.sentences import split
from askdoc.model import Document

TEXTS = Path(__file__).parent / "fixtures" / "texts"


def index_of(name: str, text: str) -> Index:
    index = Index([Document(name, text)])
    index.use_semantic = False
    return index


def top_sentence(index: Index, question: str) -> str:
    answer = index.ask(question, top=1)
    assert answer.evidence, answer.reason
    return " ".join(answer.evidence[0].sentence.text.split())


def test_chinese_and_japanese_sentences_end_at_their_stops():
    doc = "富士山は日本で一番高い山です。東京から見えますか？はい、見えます！「本当？」と彼は聞いた。"
    assert [s.text for s in split(doc)] == [
        "富士山は日本で一番高い山です。",
        "東京から見えますか？",
        "はい、見えます！",
        "「本当？」と彼は聞いた。",
    ]
    zh = (TEXTS / "passwd.1.zh_CN.txt").read_text(encoding="utf-8")
    texts = [s.text for s in split(zh)]
    assert "用户只有一次机会输入正确密码。" in texts
    assert "允许超级用户略过这个步骤，以便更改忘记了的密码。" in texts


def test_a_japanese_question_finds_its_sentence_in_a_japanese_manual_page():
    index = index_of("passwd.ja", (TEXTS / "passwd.1.ja.txt").read_text(encoding="utf-8"))
    assert top_sentence(index, "古いパスワードを入力するよう促される") == (
        "パスワードが既にある場合は、まず古いパスワードを入力するよう促される。"
    )
    assert "パスワード" in top_sentence(index, "パスワード")


def test_a_chinese_question_finds_its_sentence_in_a_chinese_manual_page():
    index = index_of("passwd.zh", (TEXTS / "passwd.1.zh_CN.txt").read_text(encoding="utf-8"))
    assert top_sentence(index, "用户有几次机会输入正确密码？") == "用户只有一次机会输入正确密码。"
    assert top_sentence(index, "超级用户可以略过这个步骤吗？").startswith("允许超级用户略过这个步骤")


def test_a_japanese_question_without_spaces_finds_its_sentence():
    doc = "東京は日本の首都です。富士山は日本で一番高い山です。琵琶湖は日本で一番大きい湖です。"
    assert top_sentence(index_of("ja.txt", doc), "日本で一番高い山はどこですか？") == "富士山は日本で一番高い山です。"


def test_han_and_kana_are_indexed_as_pairs_of_characters_with_their_spans():
    text = "パスワードを変更"
    terms = Analyzer().terms_with_spans(text)
    assert [t.term for t in terms] == ["パス", "スワ", "ワー", "ード", "ドを", "を変", "変更"]
    assert [text[t.start : t.end] for t in terms] == [t.term for t in terms]
    assert Analyzer().terms("猫") == ["猫"]  # a character alone is a term alone
    assert Analyzer().terms("ﾊﾟｽﾜｰﾄﾞ") == Analyzer().terms("パスワード")  # half-width kana


def test_a_chinese_word_wrapped_over_two_lines_still_matches():
    doc = "一般来讲，密码应该包含六到八位字\n       符，从下边的集合中选择。其他的句子。"
    top = top_sentence(index_of("zh.txt", doc), "密码应该包含几位字符？")
    assert top.startswith("一般来讲")


@pytest.mark.parametrize(
    ("doc", "question", "expected"),
    [
        ("서울은 한국의 수도입니다. 부산은 항구 도시입니다.", "한국의 수도는 어디입니까?", "서울은 한국의 수도입니다."),
        ("Москва — столица России. Волга впадает в Каспийское море.", "Куда впадает Волга?", "Волга впадает"),
        ("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. Ο Όλυμπος είναι βουνό.", "Ποια είναι η πρωτεύουσα;", "Η Αθήνα"),
        ("The café in Orléans serves crêpes. The station is closed.", "Where are crepes served?", "The café"),
        ("Erdoğan met the delegation in Ankara. Talks ended.", "Whom did Erdogan meet?", "Erdoğan met"),
    ],
    ids=["korean", "cyrillic", "greek", "french", "turkish"],
)
def test_other_scripts_keep_working(doc, question, expected):
    assert top_sentence(index_of("doc.txt", doc), question).startswith(expected)


def test_stemming_stays_english():
    analyzer = Analyzer()
    assert analyzer.terms("running talks") == ["run", "talk"]
    assert analyzer.terms("Москва столицы") == ["москва", "столицы"]  # no Russian stemming


def test_chinese_characters_count_half_towards_a_sentences_length():
    from askdoc.ingest.analysis import Analyzer, sentence_length

    terms = Analyzer().terms("Shi Tianze's father was 史秉直.")
    assert len(terms) == 5 and sentence_length(terms) == 4  # two overlapping pairs, about one word
