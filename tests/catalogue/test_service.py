"""Relevance and facets through the application: initiatives published by the workflow,
indexed by the outbox worker, searched with the catalogue's service. Exact answers."""

from __future__ import annotations

from app.catalogue import service
from app.catalogue.schemas import SearchParams


def ids(session, corpus, q="", **options) -> list[str]:
    params = SearchParams(q=q, **options)
    return corpus.keys([h.id for h in service.run_search(session, params).hits])


def test_accent_free_query_finds_the_accented_title(session, corpus):
    assert ids(session, corpus, "nang luong mat troi") == ["solar"]


def test_dien_finds_dien_with_stroke_and_tone(session, corpus):
    assert ids(session, corpus, "dien") == ["grid", "solar"]


def test_one_letter_typo_in_a_long_syllable_is_forgiven_and_suggested(session, corpus):
    results = service.run_search(session, SearchParams(q="vi mahc ban dan"))
    assert corpus.keys([h.id for h in results.hits]) == ["chip"]
    assert results.suggestion == "vi mạch ban dan"


def test_last_word_is_a_prefix(session, corpus):
    assert ids(session, corpus, "nha ki") == ["iot"]


def test_synonym_added_by_a_coordinator_applies_to_search(session, corpus, worker):
    assert ids(session, corpus, "AI") == []
    service.add_synonyms(session, "AI, trí tuệ nhân tạo", by=corpus.people.coordinator)
    session.commit()
    worker.drain()
    assert ids(session, corpus, "AI") == ["ai"]


def test_accent_exact_match_ranks_first(session, corpus):
    assert ids(session, corpus, "đường") == ["road", "ocean"]
    assert ids(session, corpus, "dương") == ["ocean", "road"]


def test_facet_counts_are_exact_and_each_facet_ignores_its_own_filter(session, corpus):
    results = service.run_search(session, SearchParams(filters={"field": ["CNXD"]}))
    counts = {f.name: {v.value: v.count for v in f.values} for f in results.facets}
    assert results.total == 3
    assert counts == {
        "field": {"CNXD": 3, "NNMT": 2, "GDYT": 1, "CNS": 1},
        "province": {"Hà Nội": 2, "Đà Nẵng": 1},
        "org_type": {"enterprise": 2, "university": 1},
        "trl": {3: 1, 6: 1, 7: 1},
        "ip": {"none": 1, "filed": 1, "granted": 1},
        "year": {2025: 1, 2024: 1, 2023: 1},
    }
    assert [v.value for v in results.facets[0].values if v.selected] == ["CNXD"]


def test_filters_or_within_a_facet_and_across_facets_with_sort(session, corpus):
    filters = {"province": ["Hà Nội", "Đà Nẵng"], "field": ["CNXD", "CNS"]}
    assert ids(session, corpus, filters=filters, sort="trl") == ["grid", "solar", "chip", "road"]
    assert ids(session, corpus, filters=filters, sort="newest") == ["road", "chip", "grid", "solar"]
    assert ids(session, corpus, filters={**filters, "ip": ["granted"]}, sort="trl") == [
        "solar",
        "chip",
    ]


def test_text_with_filters_and_newest_first(session, corpus):
    assert ids(session, corpus, "thiet ke", filters={"year": [2025]}, sort="newest") == ["chip"]
    assert ids(session, corpus, "he thong", sort="newest") == ["iot", "solar"]


def test_paging_splits_the_same_ordering(session, corpus):
    everything = ids(session, corpus, sort="trl")
    assert everything == ["iot", "grid", "solar", "ai", "chip", "road", "ocean"]
    assert ids(session, corpus, sort="trl", per_page=3, page=2) == ["ai", "chip", "road"]
    assert service.run_search(session, SearchParams(sort="trl", per_page=3)).pages == 3
