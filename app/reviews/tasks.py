"""Periodic job: remind reviewers whose reviews are overdue (once per day per assignment)."""

from __future__ import annotations

from sqlmodel import Session

from app.outbox.service import periodic
from app.reviews import reviewing


@periodic("reviews.reminders", every_seconds=3600)
def remind_overdue_reviewers(session: Session) -> None:
    """Hourly pass; `send_reminders` itself keeps to one mail per assignment per day."""
    reviewing.send_reminders(session)
