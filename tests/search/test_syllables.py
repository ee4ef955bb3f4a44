"""The Vietnamese syllable set and the query-unit rules (search/syllables.py,
search/matching.py)."""

from __future__ import annotations

import pytest

from bench.relevance_data import TARGETS
from bench.vn_text import FIELDS, PROVINCES
from search.documents import DEFAULT_SYNONYMS, STOP_WORDS
from search.interface import corrected_query
from search.matching import DROP, OPTIONAL, REQUIRED, SynonymTable, keep_casing, units
from search.syllables import SYLLABLES, is_syllable
from search.text import fold, tokenize
from tests.search.test_engine_contract import DOCS

ENGLISH = {
    "blockchain",
    "camera",
    "sentinel",
    "telemedicine",
    "ocr",
    "ekyc",
    "bim",
    "robot",
    "container",
    "nano",
    "logistics",
    "biogas",
    "composite",
    "proton",
    "vetiver",
    "qr",
    "x",
    "ai",
    "lithium",
    "virus",
    "3d",
    "2",
    "internet",
    "the",
    "hydro",
}


def project_words() -> set[str]:
    texts = [*PROVINCES]
    for name, subfields in FIELDS.values():
        texts.append(name)
        for subname, topics in subfields.values():
            texts += [subname, *topics]
    for _, _, title, summary, keywords in TARGETS:
        texts += [title, summary, *keywords]
    for doc in DOCS:
        texts += [doc["title"], doc["summary"], *doc["keywords"]]
    return {w for t in texts for w in tokenize(t)} - ENGLISH


def test_every_vietnamese_word_of_the_project_texts_is_a_syllable():
    words = project_words()
    assert len(words) > 500
    assert sorted(w for w in words if not is_syllable(w)) == []


@pytest.mark.parametrize("word", ["truog", "platfrom", "blokchain", "chp", "hydrogne", "nguon1"])
def test_typos_and_foreign_words_are_not_syllables(word):
    assert is_syllable(word) is False


def test_the_set_is_folded_and_of_the_expected_size():
    assert all(fold(s) == s for s in SYLLABLES)
    assert 2500 < len(SYLLABLES) < 4000
    assert {"gai", "quoc", "nghieng", "khuyu", "gin", "xoong", "dak"} <= SYLLABLES


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        ("truog hoc", ["trường"], "trường hoc"),
        ("Truog", ["trường"], "Trường"),
        ("TRUOG", ["trường"], "TRƯỜNG"),
        ("quoc gai", ["gia"], None),  # gai is a real syllable: never rewritten
        ("mahc", ["mạch"], "mạch"),  # three letters are enough when not a syllable
    ],
)
def test_corrected_query_leaves_syllables_alone_and_keeps_casing(text, found, expected):
    assert corrected_query(text, found, 3) == expected


def test_keep_casing():
    assert [keep_casing(t, "trường") for t in ("x", "Xy", "XY")] == ["trường", "Trường", "TRƯỜNG"]


def roles(text: str) -> list[tuple[str, str]]:
    return [(u.text, u.role) for u in units(text, STOP_WORDS, SynonymTable(DEFAULT_SYNONYMS))]


def test_stop_words_are_judged_with_their_marks():
    assert roles("về nông nghiệp") == [("nông", REQUIRED), ("nghiệp", REQUIRED)]
    assert roles("vệ sinh") == [("vệ", REQUIRED), ("sinh", REQUIRED)]
    # typed without marks, "ve" may be vệ: optional, not dropped
    assert roles("ve sinh") == [("ve", OPTIONAL), ("sinh", REQUIRED)]
    assert roles("nuoi cua") == [("nuoi", REQUIRED), ("cua", OPTIONAL)]
    # in a query typed with marks an unaccented word is taken as written
    assert roles("nuôi cua") == [("nuôi", REQUIRED), ("cua", REQUIRED)]
    assert roles("giải pháp cho nông dân") == [
        ("giải", REQUIRED),
        ("pháp", REQUIRED),
        ("nông", REQUIRED),
        ("dân", REQUIRED),
    ]
    assert roles("của") == [("của", REQUIRED)]  # a query of stop words alone still searches
    assert DROP not in {r for _, r in roles("chống hàng giả bằng blockchain")}


def test_synonym_phrases_are_one_unit_and_marks_must_agree():
    table = SynonymTable(DEFAULT_SYNONYMS)
    assert roles("khám chữa bệnh từ xa") == [("khám chữa bệnh từ xa", REQUIRED)]
    assert table.lookup(["lon"]) == ("lợn",)  # unaccented: may be lợn
    assert table.lookup(["lớn"]) is None  # "big" is not "pig"
    assert table.near("hydrogne") == ("hydrogen",)


def test_the_dictionary_has_at_least_150_groups_with_the_issues_examples():
    groups = [set(g) for g in DEFAULT_SYNONYMS]
    assert len(groups) >= 150
    for wanted in [
        {"llm", "large language model", "mô hình ngôn ngữ lớn"},
        {"iot", "internet of things", "internet vạn vật"},
        {"uav", "drone", "máy bay không người lái"},
        {"heo", "lợn"},
        {"xe hơi", "ô tô"},
        {"hydrogen", "hydro", "h2"},
        {"shcn", "sở hữu công nghiệp"},
        {"telemedicine", "y tế từ xa", "khám chữa bệnh từ xa"},
    ]:
        assert any(wanted <= g for g in groups), wanted
