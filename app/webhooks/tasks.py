"""Outbox handlers: turn portal events into deliveries, and attempt each delivery."""

from __future__ import annotations

from sqlmodel import Session

from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler
from app.webhooks import service
from app.webhooks.models import EVENT_PUBLISHED, EVENT_UNPUBLISHED
from app.webhooks.payloads import initiative_data


@handler(topics.WEBHOOK_DELIVER)
def deliver(session: Session, payload: dict, event: OutboxEvent) -> None:
    service.attempt_delivery(session, int(payload["delivery_id"]))


@handler(topics.INITIATIVE_PUBLISHED)
def on_published(session: Session, payload: dict, event: OutboxEvent) -> None:
    data = initiative_data(session, int(payload["initiative_id"]))
    if data is not None:
        service.dispatch(session, EVENT_PUBLISHED, data)


@handler(topics.INITIATIVE_UNPUBLISHED)
def on_unpublished(session: Session, payload: dict, event: OutboxEvent) -> None:
    # Only the id and the reason: the initiative is no longer public.
    service.dispatch(
        session,
        EVENT_UNPUBLISHED,
        {"initiative_id": int(payload["initiative_id"]), "reason": payload.get("reason") or ""},
    )
