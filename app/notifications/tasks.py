"""Outbox handlers for workflow and review notifications, and the daily overdue check."""

from __future__ import annotations

from sqlmodel import Session

from app.notifications import review_notices, workflow
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler, periodic


@handler(topics.INITIATIVE_TRANSITIONED)
def on_transition(session: Session, payload: dict, event: OutboxEvent) -> None:
    workflow.on_transition(session, payload, event_key=f"transition:{event.id}")


@handler(topics.REVIEW_INVITED)
def on_review_invited(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.invited(session, payload)


@handler(topics.REVIEW_REMINDED)
def on_review_reminded(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.reminded(session, payload, event.id or 0)


@handler(topics.REVIEW_OVERDUE)
def on_review_overdue(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.overdue(session, payload)


@handler(topics.REVIEW_ROUND_CLOSING)
def on_round_closing(session: Session, payload: dict, event: OutboxEvent) -> None:
    review_notices.round_closing(session, payload)


@periodic("notifications.waiting_too_long", every_seconds=24 * 3600)
def waiting_too_long(session: Session) -> None:
    workflow.check_waiting(session)
