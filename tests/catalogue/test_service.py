"""Relevance and facets through the application: initiatives published by the workflow,
indexed by the outbox worker, searched with the catalogue's service. Exact answers."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.catalogue import service
from app.catalogue.schemas import SearchParams
from tests import factories
from tests.statements import statements


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


# -- a results page, kept per process and language (service.run_search) ---------------------


def test_a_results_page_is_built_once_until_the_index_changes(session, corpus, worker, monkeypatch):
    from app.initiatives.models import Field, Initiative
    from tests.catalogue.conftest import publish

    built: list[str] = []
    build = service._run_search
    monkeypatch.setattr(service, "_run_search", lambda s, p: built.append(p.q) or build(s, p))
    first = service.run_search(session, SearchParams(q="dien", per_page=7))
    again = service.run_search(session, SearchParams(q="dien", per_page=7))
    assert built == ["dien"]
    assert again == first
    assert again.hits[0].doc is not first.hits[0].doc  # each caller its own copy
    assert corpus.keys([h.id for h in again.hits]) == ["grid", "solar"]

    solar = session.get(Initiative, corpus.id("solar"))
    school = publish(
        session,
        corpus.people,
        title="Điện mặt trời cho trường học vùng cao",
        summary="Tấm pin trên mái lớp học.",
        field=session.get(Field, solar.field_id),
    )
    worker.drain()  # indexed: the index's generation changes
    latest = service.run_search(session, SearchParams(q="dien", per_page=7))
    assert built == ["dien", "dien"]
    assert school.id in [h.id for h in latest.hits] and len(latest.hits) == 3


def test_a_kept_results_page_is_in_the_readers_language(session, corpus):
    from app import i18n

    titles = {}
    try:
        for language in ("vi", "en", "vi"):
            i18n.set_language(language)
            results = service.run_search(session, SearchParams(filters={"trl": [7]}, per_page=9))
            titles.setdefault(language, [f.title for f in results.facets])
            assert [f.title for f in results.facets] == titles[language]
    finally:
        i18n.set_language("vi")
    assert titles["vi"][0] == "Lĩnh vực" and titles["en"][0] == "Field"


# -- the published page's data, kept per process (service.published_page) -----------------


def test_a_published_page_is_kept_and_asked_again_with_one_statement(session, corpus):
    solar = corpus.id("solar")
    with statements() as sent_first:
        first = service.published_page(session, solar)
    with statements() as sent_again:
        again = service.published_page(session, solar)
    assert again == first
    assert again is not first and again.item is not first.item  # each caller its own copy
    assert first.item["summary"] == "Pin quang năng lắp trên mái giúp giảm tiền điện."
    assert "solution" not in first.item  # the anonymous reader's view
    assert len(sent_first) > 4
    # the row's stamp and the vectors' (a constant here: no model) in one statement
    assert len(sent_again) == 1 and sent_again[0].startswith(
        "SELECT initiative.status, initiative.updated_at, "
    )


def test_an_unpublished_initiative_is_not_found_at_once_without_waiting_for_the_index(
    session, corpus, client
):
    from app.errors import NotFound
    from app.initiatives.models import Initiative
    from app.publication import service as publication

    solar = corpus.id("solar")
    assert service.published_page(session, solar).item["id"] == solar  # kept now
    assert client.get(f"/catalogue/{solar}").status_code == 200
    publication.unpublish(
        session, corpus.people.coordinator, session.get(Initiative, solar), "Trùng lặp"
    )
    session.commit()  # the worker has not updated the index yet
    with pytest.raises(NotFound):
        service.published_page(session, solar)
    assert client.get(f"/api/v1/catalogue/{solar}").status_code == 404
    # past the anonymous page cache, which keeps the page until the index changes
    past_the_page_cache = {"Cookie": "portal_session=x"}
    assert client.get(f"/catalogue/{solar}", headers=past_the_page_cache).status_code == 404


def test_a_kept_page_names_its_reasons_in_the_readers_language(session, corpus, worker):
    from app import i18n
    from app.initiatives.models import Field, Initiative
    from tests.catalogue.conftest import publish

    solar = session.get(Initiative, corpus.id("solar"))
    publish(
        session,
        corpus.people,
        title="Điện mặt trời áp mái cho trường học vùng cao",
        summary="Tấm pin quang năng trên mái lớp học giảm tiền điện.",
        field=session.get(Field, solar.field_id),
        keywords=("năng lượng mặt trời",),
    )
    worker.drain()
    reasons = {}
    for language in ("vi", "en", "vi"):
        i18n.set_language(language)
        (hit,) = service.published_page(session, solar.id).similar
        reasons.setdefault(language, hit.reasons)
        assert hit.reasons == reasons[language]
    i18n.set_language("vi")
    assert reasons["en"][0].startswith("Shared key terms: ")
    assert reasons["vi"] != reasons["en"]


def test_a_signed_in_reader_gets_the_kept_page_and_only_their_own_part(client, session, corpus):
    from tests.conftest import web_login

    solar = corpus.id("solar")
    link = f'<a href="/initiatives/{solar}">'
    assert client.get(f"/catalogue/{solar}").status_code == 200  # kept by a visitor's visit
    web_login(client, corpus.people.submitter.email)
    assert link in client.get(f"/catalogue/{solar}").text  # the author: the full record
    client.cookies.clear()
    stranger = factories.user(session, Role.enterprise, email="la@dn.vn")
    session.commit()
    web_login(client, stranger.email)
    page = client.get(f"/catalogue/{solar}").text
    assert "Pin quang năng lắp trên mái giúp giảm tiền điện." in page
    assert link not in page
