"""Vietnamese folding, tokenizing, edit distance and marking."""

from __future__ import annotations

import unicodedata

import pytest

from search.interface import corrected_query, normalise_synonyms, synonym_map
from search.text import (
    accent_form,
    fold,
    mark,
    nfc,
    one_edit_apart,
    spellings,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("năng lượng mặt trời", "nang luong mat troi"),
        ("điện", "dien"),
        ("ĐIỆN BIÊN", "dien bien"),
        ("Hoà", "hoa"),
        ("Hòa", "hoa"),
        ("ưu tiên ơn", "uu tien on"),
        ("IoT 4.0", "iot 4.0"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_accepts_decomposed_input():
    assert fold(unicodedata.normalize("NFD", "Trường Đại học")) == "truong dai hoc"


def test_nfc_composes_keyboard_variants():
    assert nfc(unicodedata.normalize("NFD", "trường")) == "trường"
    assert len(nfc(unicodedata.normalize("NFD", "trường"))) == 6


def test_tokenize_keeps_accents_lowercases_and_splits_on_punctuation():
    assert tokenize("Trí-tuệ_nhân tạo, IoT 4.0!") == ["trí", "tuệ", "nhân", "tạo", "iot", "4", "0"]
    assert tokenize(unicodedata.normalize("NFD", "Điện")) == ["điện"]
    assert tokenize("  ") == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("truog", "truong", True),  # insertion
        ("truong", "truog", True),  # deletion
        ("truong", "truomg", True),  # substitution
        ("truong", "turong", True),  # swap counts as one
        ("dien", "tien", False),  # never the first letter
        ("dien", "dien", False),
        ("truong", "trg", False),
        ("truong", "tuorng", False),
        ("abcd", "abdc", True),
        ("abcd", "badc", False),
    ],
)
def test_one_edit_apart(a, b, expected):
    assert one_edit_apart(a, b) is expected


def test_mark_escapes_html_and_marks_whole_words():
    marked = mark("Điện <mặt> trời & điện gió", lambda w: fold(w) == "dien")
    assert marked == "<mark>Điện</mark> &lt;mặt&gt; trời &amp; <mark>điện</mark> gió"


def test_mark_crops_around_first_match():
    text = " ".join(f"w{k}" for k in range(100)) + " điện " + " ".join(f"v{k}" for k in range(100))
    marked = mark(text, lambda w: w == "điện", crop_words=8)
    assert marked == "…w98 w99 <mark>điện</mark> v0 v1 v2 v3 v4…"


def test_synonym_groups_are_normalised_and_symmetric():
    groups = normalise_synonyms([["AI", "Trí tuệ  nhân tạo"], ["x"], ["chip", "bán dẫn"]])
    assert groups == (("ai", "trí tuệ nhân tạo"), ("bán dẫn", "chip"))
    assert synonym_map(groups) == {
        "ai": ["trí tuệ nhân tạo"],
        "trí tuệ nhân tạo": ["ai"],
        "bán dẫn": ["chip"],
        "chip": ["bán dẫn"],
    }


def test_corrected_query_replaces_only_unmatched_long_words():
    assert corrected_query("truog hoc", ["Trường", "học"], 4) == "trường hoc"
    assert corrected_query("dien", ["điện"], 4) is None
    assert corrected_query("nang lu", ["năng", "lượng"], 4) is None  # last word is a prefix
    assert corrected_query("chp", ["chip"], 4) is None  # too short to correct


@pytest.mark.parametrize(
    ("new", "old"),
    [
        ("hoà", "hòa"),
        ("Hoá", "hóa"),
        ("hoạ", "họa"),
        ("khoẻ", "khỏe"),
        ("thuỷ", "thủy"),
        ("uỷ ban", "ủy ban"),
        ("oà khóc", "òa khóc"),
        ("tuỳ.", "tùy."),
    ],
)
def test_accent_form_puts_the_tone_in_one_place(new, old):
    assert accent_form(new) == accent_form(old) == old


@pytest.mark.parametrize("word", ["quý", "hoàn", "khuỷu", "hoài", "huyện", "ngoằn"])
def test_accent_form_keeps_tones_that_have_only_one_place(word):
    assert accent_form(word) == word


def test_accent_form_keeps_other_tones_apart():
    assert accent_form("hoá") != accent_form("hoà")
    assert accent_form(unicodedata.normalize("NFD", "Thuỷ")) == "thủy"


def test_spellings_lists_letters_that_fold_to_a_letter():
    assert spellings("d")[0] == "d"
    assert "đ" in spellings("d")
    assert {"a", "ă", "â", "ạ", "ắ", "ẫ"} <= set(spellings("a"))
    assert spellings("7") == "7"
