"""Outbox handlers for workflow notifications and the daily overdue check."""

from __future__ import annotations

from sqlmodel import Session

from app.initiatives.workflow import TOPIC_TRANSITIONED
from app.notifications import workflow
from app.outbox.models import OutboxEvent
from app.outbox.service import handler, periodic


@handler(TOPIC_TRANSITIONED)
def on_transition(session: Session, payload: dict, event: OutboxEvent) -> None:
    workflow.on_transition(session, payload, event_key=f"transition:{event.id}")


@periodic("notifications.waiting_too_long", every_seconds=24 * 3600)
def waiting_too_long(session: Session) -> None:
    workflow.check_waiting(session)
