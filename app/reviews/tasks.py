"""Periodic job: remind overdue reviewers (once a day each) and announce rounds that close soon."""

from __future__ import annotations

from sqlmodel import Session

from app.outbox.service import periodic
from app.reviews import reviewing, service


@periodic("reviews.reminders", every_seconds=3600)
def remind_overdue_reviewers(session: Session) -> None:
    """Hourly pass; both verbs record what they queued, so a rerun queues nothing twice."""
    reviewing.send_reminders(session)
    service.announce_closing_rounds(session)
