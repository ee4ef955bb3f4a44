"""What reaches the index: only published initiatives, only public fields."""

from __future__ import annotations

import json

from app.catalogue import indexing
from app.initiatives.models import Initiative
from app.publication import service as publication_service
from search import Query
from tests.catalogue.conftest import CONFIDENTIAL


def indexed(corpus) -> dict[str, dict]:
    return {
        h.id: h.document for h in indexing.engine().search(Query(limit=100, highlight=False)).hits
    }


def test_document_is_built_from_public_fields_only(session, corpus):
    initiative = session.get(Initiative, corpus.id("solar"))
    doc = indexing.document_for(session, initiative)
    assert doc == {
        "id": str(corpus.id("solar")),
        "title": "Hệ thống năng lượng mặt trời cho trường học",
        "summary": "Pin quang năng lắp trên mái giúp giảm tiền điện.",
        "keywords": ["năng lượng mặt trời"],
        "field_code": "CNXD",
        "field_name": "Công nghiệp và xây dựng",
        "province": "Hà Nội",
        "organisation": doc["organisation"],
        "organisation_type": "university",
        "trl": 6,
        "ip_status": "granted",
        "published_at": 1685577600,
        "publication_year": 2023,
        "stage": "published",
        "version": indexing.document_version(initiative),
        "certificate_number": publication_service.current_certificate(session, initiative).number,
    }


def test_only_published_initiatives_are_indexed(session, corpus):
    assert set(indexed(corpus)) == {
        str(corpus.id(k)) for k in ("solar", "grid", "road", "ocean", "ai", "iot", "chip")
    }
    assert indexing.document_for(session, session.get(Initiative, corpus.id("unpublished"))) is None


def test_confidential_phrase_is_in_no_document_and_never_found(client, corpus):
    for doc in indexed(corpus).values():
        assert "zyxbimat" not in json.dumps(doc, ensure_ascii=False)
    for q in (CONFIDENTIAL, "zyxbimat", "zyxbima", "quytrinh zyxbimat"):
        assert client.get("/api/v1/search", params={"q": q}).json()["total"] == 0
        assert client.get("/api/v1/search/suggest", params={"q": q}).json()["suggestions"] == []
    assert "zyxbimat" not in client.get(f"/api/v1/catalogue/{corpus.id('solar')}").text


def test_unpublished_initiative_disappears_from_results(session, client, corpus, worker):
    assert client.get("/api/v1/search", params={"q": "dien"}).json()["total"] == 2
    solar = session.get(Initiative, corpus.id("solar"))
    publication_service.unpublish(session, corpus.people.coordinator, solar, "Trùng lặp")
    session.commit()
    worker.drain()
    found = client.get("/api/v1/search", params={"q": "dien"}).json()
    assert [h["id"] for h in found["hits"]] == [corpus.id("grid")]
    assert str(corpus.id("solar")) not in indexed(corpus)
    assert indexing.check(session).clean


def test_edit_of_a_published_initiative_reaches_the_index(session, client, corpus, worker):
    from app.db import utcnow
    from app.initiatives.workflow import queue_public_update

    road = session.get(Initiative, corpus.id("road"))
    road.summary, road.updated_at = "Nhựa đường từ rác thải nhựa.", utcnow()
    queue_public_update(session, road)
    session.commit()
    worker.drain()
    assert [
        h["id"] for h in client.get("/api/v1/search", params={"q": "rac thai"}).json()["hits"]
    ] == [road.id]
    assert indexing.check(session).clean
