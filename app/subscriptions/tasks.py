"""Outbox handlers for published initiatives and opened problems, and the digest schedule."""

from __future__ import annotations

from sqlmodel import Session

from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler, periodic
from app.subscriptions import digests, matching
from app.subscriptions import problems as problem_subscriptions


@handler(topics.INITIATIVE_PUBLISHED)
def on_published(session: Session, payload: dict, event: OutboxEvent) -> None:
    matching.on_published(session, int(payload["initiative_id"]))


@handler(topics.PROBLEM_OPENED)
def on_problem_opened(session: Session, payload: dict, event: OutboxEvent) -> None:
    problem_subscriptions.on_opened(session, int(payload["problem_id"]))


@periodic("subscriptions.digests", every_seconds=600)
def send_due_digests(session: Session) -> None:
    """Every ten minutes: send the daily (07:00) and weekly (Monday 07:00) digests that are due."""
    for frequency in digests.FREQUENCIES:
        digests.send_digests(session, frequency)
