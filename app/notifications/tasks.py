"""Outbox handlers for workflow and review notifications, and the daily overdue check."""

from __future__ import annotations

from sqlmodel import Session

from app.initiatives.workflow import TOPIC_TRANSITIONED
from app.notifications import review_notices, workflow
from app.outbox.models import OutboxEvent
from app.outbox.service import handler, periodic
from app.reviews.service import (
    TOPIC_INVITED,
    TOPIC_OVERDUE,
    TOPIC_REMINDED,
    TOPIC_ROUND_CLOSING,
)


@handler(TOPIC_TRANSITIONED)
def on_transition(session: Session, payload: dict, event: OutboxEvent) -> None:
    workflow.on_transition(session, payload, event_key=f"transition:{event.id}")


@handler(TOPIC_INVITED)
def on_review_invited(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.invited(session, payload)


@handler(TOPIC_REMINDED)
def on_review_reminded(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.reminded(session, payload, event.id or 0)


@handler(TOPIC_OVERDUE)
def on_review_overdue(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.overdue(session, payload)


@handler(TOPIC_ROUND_CLOSING)
def on_round_closing(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.round_closing(session, payload)


@periodic("notifications.waiting_too_long", every_seconds=24 * 3600)
def waiting_too_long(session: Session) -> None:
    workflow.check_waiting(session)
