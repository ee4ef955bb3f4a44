"""Anonymous search answers from memory until the index changes; never what a signed-in user sees."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.initiatives.models import Field
from tests.catalogue.conftest import Corpus, publish
from tests.conftest import web_login


def test_an_anonymous_search_has_an_etag_and_a_304_and_sets_no_cookie(client, corpus: Corpus):
    first = client.get("/search", params={"q": "nang luong"})
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, no-cache"
    assert first.headers["vary"] == "Cookie, Accept-Encoding"
    assert "set-cookie" not in first.headers
    etag = first.headers["etag"]
    again = client.get("/search", params={"q": "nang luong"})
    assert (again.status_code, again.text, again.headers["etag"]) == (200, first.text, etag)
    revalidated = client.get("/search", params={"q": "nang luong"}, headers={"If-None-Match": etag})
    assert (revalidated.status_code, revalidated.content) == (304, b"")
    api = client.get("/api/v1/search", params={"q": "nang luong"})
    assert api.headers["cache-control"] == "public, no-cache"
    assert api.headers["vary"] == "Cookie, Accept-Language, Accept-Encoding"
    assert [h["id"] for h in api.json()["hits"]] == [corpus.id("solar")]


def test_a_cached_page_is_stored_compressed_and_sent_as_asked(client, corpus: Corpus):
    plain = client.get(
        "/search", params={"q": "nang luong"}, headers={"Accept-Encoding": "identity"}
    )
    stored = client.get(
        "/search", params={"q": "nang luong"}, headers={"Accept-Encoding": "identity"}
    )
    compressed = client.get(
        "/search", params={"q": "nang luong"}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in plain.headers and "content-encoding" not in stored.headers
    assert compressed.headers["content-encoding"] == "gzip"
    assert int(compressed.headers["content-length"]) < len(plain.content) / 2
    assert compressed.text == stored.text == plain.text  # httpx decodes the gzip body
    assert compressed.headers["etag"] == plain.headers["etag"]


def test_a_publication_is_on_the_cached_page_as_soon_as_it_is_indexed(
    client, corpus: Corpus, session, worker
):
    before = client.get("/search", params={"q": "nang luong"})
    api_before = client.get("/api/v1/search", params={"q": "nang luong"}).json()
    field = session.exec(select(Field).where(Field.code == "CNXD")).one()
    new = publish(
        session,
        corpus.people,
        title="Năng lượng gió ven biển",
        summary="Tua bin nhỏ cho làng chài.",
        field=field,
    )
    worker.drain()
    after = client.get("/search", params={"q": "nang luong"})
    assert f'href="/catalogue/{new.id}"' not in before.text
    assert f'href="/catalogue/{new.id}"' in after.text
    assert after.headers["etag"] != before.headers["etag"]
    api_after = client.get("/api/v1/search", params={"q": "nang luong"}).json()
    assert new.id not in [h["id"] for h in api_before["hits"]]
    assert new.id in [h["id"] for h in api_after["hits"]]


def test_what_a_signed_in_user_sees_is_never_shared(app, client, corpus: Corpus):
    anonymous = client.get("/search")
    assert anonymous.headers["cache-control"] == "public, no-cache"
    web_login(client, corpus.people.submitter.email)
    signed_in = client.get("/search")
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "private, no-store"
    assert "etag" not in signed_in.headers
    assert corpus.people.submitter.full_name in signed_in.text
    with TestClient(app) as stranger:
        page = stranger.get("/search")
    assert corpus.people.submitter.full_name not in page.text
    assert page.headers["cache-control"] == "public, no-cache"


def test_an_anonymous_public_page_without_a_form_sets_no_session_cookie(client, corpus: Corpus):
    page = client.get(f"/catalogue/{corpus.id('solar')}")
    assert page.status_code == 200
    assert "set-cookie" not in page.headers
    login = client.get("/account/login")  # a page with a form still gets its CSRF token
    assert "portal_session=" in login.headers["set-cookie"]


def test_an_unpublished_initiative_leaves_the_cache_with_its_index_entry(
    client, corpus: Corpus, session, worker
):
    from app.initiatives.models import Initiative
    from app.publication import service as publication_service

    url = f"/catalogue/{corpus.id('solar')}"
    first = client.get(url)
    assert (first.status_code, first.headers["cache-control"]) == (200, "public, no-cache")
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    initiative = session.get(Initiative, corpus.id("solar"))
    publication_service.unpublish(session, corpus.people.coordinator, initiative, "Sai sót")
    session.commit()
    worker.drain()
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1{url}").status_code == 404
