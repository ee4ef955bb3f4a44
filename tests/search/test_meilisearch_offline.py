"""What the Meilisearch backend does without a server: its settings and
filter translation, and how it reports an unreachable engine."""

from __future__ import annotations

import socket

import pytest

from search import Query, SearchUnavailable, make_engine
from search.documents import INITIATIVE_SETTINGS
from search.meilisearch_engine import settings_body


@pytest.fixture
def unreachable():
    """An engine pointed at a local port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return make_engine(
        "meilisearch", url=f"http://127.0.0.1:{port}", api_key="k", index_name="initiatives"
    )


def test_unreachable_server_is_unhealthy(unreachable):
    assert unreachable.health() is False


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.search(Query(text="điện")),
        lambda e: e.upsert([{"id": "a", "title": "x", "version": 1}]),
        lambda e: e.delete(["a"]),
        lambda e: e.ensure_index(),
    ],
)
def test_unreachable_server_raises_search_unavailable(unreachable, call):
    with pytest.raises(SearchUnavailable):
        call(unreachable)


def test_filters_translate_to_meilisearch_syntax(unreachable):
    assert unreachable._filter(
        {"province": ["Hà Nội", 'Cần "Thơ"'], "trl": ["5", 6]},
        {"published_at": (10, None), "trl": (None, 8)},
    ) == [
        'province IN ["Hà Nội", "Cần \\"Thơ\\""]',
        "trl IN [5, 6]",
        "published_at >= 10",
        "trl <= 8",
    ]


def test_settings_body_sets_vietnamese_locale_and_one_typo_from_three_letters():
    body = settings_body(INITIATIVE_SETTINGS)
    assert body["typoTolerance"]["minWordSizeForTypos"]["oneTypo"] == 3
    # a Vietnamese syllable is never a typo of another; stop words are the query's business
    assert {"gai", "manh", "truong"} <= set(body["typoTolerance"]["disableOnWords"])
    assert "truog" not in body["typoTolerance"]["disableOnWords"]
    assert body["stopWords"] == []
    assert body["localizedAttributes"] == [
        {"attributePatterns": list(INITIATIVE_SETTINGS.searchable), "locales": ["vie"]}
    ]
    assert body["rankingRules"][0] == "sort"
    assert body["sortableAttributes"] == [
        "id",
        "published_at",
        "trl",
    ]  # id: the tie-break after any sort
    assert "synonyms" not in body  # runtime-edited; seeded only on creation


def test_optional_words_as_typed_rank_first_within_the_page(unreachable):
    # Meilisearch folds "của" and "cua" alike; the page puts "cua" as typed first,
    # as the embedded engine's exact-spelling bonus does.
    from search import Hit
    from search.matching import OPTIONAL, SynonymTable, units

    hits = [
        Hit("fish", 1.0, {"title": "Nuôi cá của hợp tác xã"}),
        Hit("crab", 0.9, {"title": "Nuôi cua biển"}),
    ]
    optional = [
        u
        for u in units("nuoi cua", INITIATIVE_SETTINGS.stop_words, SynonymTable(()))
        if u.role == OPTIONAL
    ]
    assert [h.id for h in unreachable._exact_first("nuoi cua", optional, hits)] == ["crab", "fish"]
