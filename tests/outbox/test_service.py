"""The outbox's registry: one row per consumer of a topic, written in the caller's transaction."""

from __future__ import annotations

from sqlmodel import select

from app.db import unit_of_work
from app.outbox import service
from app.outbox.models import OutboxEvent


@service.handler("test.two_consumers")
def first_consumer(session, payload, event) -> None:
    """Registered for the test only."""


@service.handler("test.two_consumers")
def second_consumer(session, payload, event) -> None:
    """Registered for the test only."""


@service.handler("test.conditional", when=lambda payload: payload["to"] == "published")
def only_publications(session, payload, event) -> None:
    """Registered for the test only: has nothing to do with other moves."""


@service.handler("test.conditional")
def every_move(session, payload, event) -> None:
    """Registered for the test only."""


def test_a_handler_gets_a_row_only_for_the_payloads_its_condition_accepts(app):
    with unit_of_work(app.state.engine) as session:
        submitted = service.enqueue(session, "test.conditional", {"to": "submitted"})
        published = service.enqueue(session, "test.conditional", {"to": "published"})
    assert submitted == [f"{__name__}.every_move"]
    assert published == [f"{__name__}.only_publications", f"{__name__}.every_move"]
    with unit_of_work(app.state.engine) as session:
        stored = session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert [(e.handler.rsplit(".", 1)[1], e.payload["to"]) for e in stored] == [
        ("every_move", "submitted"),
        ("only_publications", "published"),
        ("every_move", "published"),
    ]


def test_enqueue_writes_one_event_per_consumer_with_its_own_ordering_key(app):
    with unit_of_work(app.state.engine) as session:
        names = service.enqueue(session, "test.two_consumers", {"n": 1}, key="thing:1")
    assert sorted(names) == [
        f"{__name__}.first_consumer",
        f"{__name__}.second_consumer",
    ]
    with unit_of_work(app.state.engine) as session:
        stored = session.exec(select(OutboxEvent).order_by(OutboxEvent.handler)).all()
    assert [(e.topic, e.payload, e.key, e.status, e.attempts) for e in stored] == [
        ("test.two_consumers", {"n": 1}, f"{__name__}.first_consumer:thing:1", "pending", 0),
        ("test.two_consumers", {"n": 1}, f"{__name__}.second_consumer:thing:1", "pending", 0),
    ]
    assert all(e.created_at == e.available_at for e in stored)


def test_a_topic_nobody_consumes_writes_nothing(app):
    with unit_of_work(app.state.engine) as session:
        assert service.enqueue(session, "test.nobody", {}) == []


def test_an_event_of_a_rolled_back_transaction_never_exists(app):
    try:
        with unit_of_work(app.state.engine) as session:
            service.enqueue(session, "test.two_consumers", {"n": 2})
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    with unit_of_work(app.state.engine) as session:
        assert session.exec(select(OutboxEvent)).all() == []


def test_periodic_registers_a_named_job():
    @service.periodic("test.every_minute", every_seconds=60)
    def job(session) -> None:
        return None

    registered = service.periodic_jobs.pop("test.every_minute")
    assert (registered.name, registered.every_seconds, registered.run) == (
        "test.every_minute",
        60,
        job,
    )


def test_a_transaction_notifies_the_worker_once_however_many_events_it_writes(app):
    """PostgreSQL: one NOTIFY per transaction (and again after a rolled-back savepoint,
    which takes its NOTIFY along); SQLite has no NOTIFY (its worker polls)."""
    from sqlalchemy import event

    engine = app.state.engine
    notifies: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        if statement.startswith("NOTIFY"):
            notifies.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        postgres = engine.dialect.name == "postgresql"
        with unit_of_work(engine) as session:
            service.enqueue(session, "test.two_consumers", {"n": 1})
            service.enqueue(session, "test.two_consumers", {"n": 2})
            assert len(notifies) == (1 if postgres else 0)
            savepoint = session.begin_nested()
            service.enqueue(session, "test.two_consumers", {"n": 3})
            savepoint.rollback()
            service.enqueue(session, "test.two_consumers", {"n": 4})
        assert len(notifies) == (3 if postgres else 0)
        with unit_of_work(engine) as session:
            service.enqueue(session, "test.two_consumers", {"n": 5})
        assert len(notifies) == (4 if postgres else 0)
        with unit_of_work(engine) as session:
            stored = session.exec(select(OutboxEvent.payload)).all()
        assert sorted(p["n"] for p in stored) == [1, 1, 2, 2, 4, 4, 5, 5]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
