"""Index sync through the outbox against REAL engine failures (no mocks): publication
never waits for the engine, and the index catches up exactly once it is back."""

from __future__ import annotations

import socket

from sqlalchemy import update
from sqlmodel import col, select

from app.catalogue import indexing
from app.db import utcnow
from app.initiatives.models import Initiative
from app.initiatives.workflow import Status, transition
from app.outbox.models import OutboxEvent
from app.publication import service as publication_service
from tests.catalogue.conftest import field, publish


def index_events(session, status: str | None = None) -> list[OutboxEvent]:
    session.expire_all()
    query = (
        select(OutboxEvent)
        .where(col(OutboxEvent.handler).startswith("app.catalogue."))
        .order_by(OutboxEvent.id)
    )
    if status:
        query = query.where(OutboxEvent.status == status)
    return list(session.exec(query).all())


def retry_until_delivered(session, worker, passes: int = 10) -> None:
    """Run the worker as its loop would once each backoff has passed, until no index event
    is pending: the test moves the events' due time instead of sleeping through it, so a
    slow machine cannot add attempts (or miss them)."""
    for _ in range(passes):
        if not index_events(session, "pending"):
            return
        session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.status) == "pending")
            .values(available_at=utcnow())
        )
        session.commit()
        worker.drain()


def test_publication_succeeds_while_the_index_cannot_be_opened_and_catches_up(
    settings, session, people, worker, client
):
    settings.outbox_backoff_base = 3600.0  # retried only when the test says time has passed
    settings.search_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.search_dir.write_text("a file where the index directory should be")
    cnxd = field(session, "CNXD", "Công nghiệp và xây dựng")
    solar = publish(session, people, title="Điện mặt trời áp mái", summary="Tấm pin.", field=cnxd)
    grid = publish(session, people, title="Lưới điện thông minh", summary="Phụ tải.", field=cnxd)
    assert (solar.status, grid.status) == (Status.published, Status.published)

    worker.drain()
    pending = index_events(session, "pending")
    assert [(e.topic, e.payload) for e in pending] == [
        ("initiative.published", {"initiative_id": solar.id}),
        ("initiative.published", {"initiative_id": grid.id}),
    ]
    assert all(
        e.attempts == 1 and e.available_at > utcnow() and "Not a directory" in e.last_error
        for e in pending
    )
    assert client.get("/readyz").json()["checks"]["search"] is False
    assert client.get("/api/v1/search", params={"q": "dien"}).status_code == 503

    # Meanwhile one of them is unpublished: its event queues behind the failed one. The
    # move out of publication is the index's business only through `initiative.unpublished`
    # (no row for the plain transition: `when=` in catalogue/tasks.py).
    publication_service.unpublish(session, people.coordinator, grid, "Sai thông tin")
    session.commit()
    worker.drain()
    assert [(e.topic, e.payload["initiative_id"]) for e in index_events(session, "pending")] == [
        ("initiative.published", solar.id),
        ("initiative.published", grid.id),
        ("initiative.unpublished", grid.id),
    ]

    settings.search_dir.unlink()  # the engine is back
    retry_until_delivered(session, worker)
    assert index_events(session, "pending") == []
    assert indexing.check(session).clean
    assert [h["id"] for h in client.get("/api/v1/search", params={"q": "dien"}).json()["hits"]] == [
        solar.id
    ]
    assert client.get("/readyz").json()["checks"]["search"] is True


def test_publication_succeeds_with_meilisearch_unreachable(settings, session, people, worker):
    with socket.socket() as sock:  # a local port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.search_backend, settings.meilisearch_url = "meilisearch", f"http://127.0.0.1:{port}"
    cnxd = field(session, "CNXD", "Công nghiệp và xây dựng")
    solar = publish(session, people, title="Điện mặt trời áp mái", summary="Tấm pin.", field=cnxd)
    worker.drain()
    assert session.get(Initiative, solar.id).status == Status.published
    [pending] = index_events(session, "pending")
    assert pending.topic == "initiative.published" and pending.attempts == 1
    assert "SearchUnavailable" in pending.last_error


def test_duplicate_delivery_changes_nothing(session, corpus, worker):
    before = indexing.engine().document_versions()
    session.exec(
        update(OutboxEvent)
        .where(col(OutboxEvent.handler).startswith("app.catalogue."))
        .values(status="pending", delivered_at=None)
    )
    session.commit()
    assert worker.drain() == len(index_events(session))
    assert indexing.engine().document_versions() == before
    assert indexing.check(session).clean


def test_commercialising_keeps_the_initiative_indexed_with_its_new_version(session, corpus, worker):
    iot = session.get(Initiative, corpus.id("iot"))
    transition(session, iot, Status.commercialising, actor=corpus.people.coordinator)
    session.commit()
    worker.drain()
    assert indexing.engine().document_versions()[str(iot.id)] == indexing.document_version(iot)
    assert indexing.check(session).clean
