"""Arranging publications for the subscription, notification and webhook tests.

Initiatives are published through the real state machine
(`tests.process.walk`: round, decision, publication service), so the outbox events are the real ones.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from app.accounts.models import User
from app.db import utcnow
from app.initiatives.models import Field, Initiative
from app.initiatives.workflow import Status, transition
from app.outbox.models import OutboxEvent
from tests import process
from tests.initiatives import helpers as initiatives

__all__ = ["OutboxEvent", "deliver_all", "field", "make_due", "publish", "submitted", "unpublish"]


def field(session: Session, code: str) -> Field:
    initiatives.seed_taxonomy(session)
    return session.exec(select(Field).where(Field.code == code)).one()


def submitted(session: Session, submitter: User, **fields) -> Initiative:
    """A draft walked to "submitted" by its submitter."""
    item = initiatives.initiative(session, submitter, **fields)
    transition(session, item, Status.submitted, actor=submitter)
    session.commit()
    return item


def publish(session: Session, submitter: User, coordinator: User, **fields) -> Initiative:
    """A new initiative walked from draft to published."""
    item = submitted(session, submitter, **fields)
    process.walk(session, item, Status.published, submitter=submitter, coordinator=coordinator)
    session.commit()
    return item


def unpublish(
    session: Session, item: Initiative, coordinator: User, reason: str = "Trùng lặp nội dung"
) -> None:
    transition(session, item, Status.unpublished, actor=coordinator, reason=reason)
    session.commit()


def make_due(session: Session) -> None:
    """Let every pending outbox event run now (skips the backoff wait)."""
    session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.status == "pending")
        .values(available_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


def deliver_all(session: Session, worker, rounds: int = 5) -> None:
    """Drain the outbox, letting retried events run at once.

    Subscription matching waits (by retrying) until the search index has the
    new initiative; the indexer's events of that initiative run in order, so
    matching may need a second round.
    """
    for _ in range(rounds):
        worker.drain()
        pending = session.exec(select(OutboxEvent).where(OutboxEvent.status == "pending")).first()
        if pending is None:
            return
        make_due(session)
    pending = session.exec(select(OutboxEvent).where(OutboxEvent.status == "pending")).all()
    raise AssertionError(
        "outbox events still pending after retries: "
        + "; ".join(f"{e.topic}: {e.last_error}" for e in pending)
    )
