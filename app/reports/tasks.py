"""Periodic jobs of the reports domain: the Monday weekly report and the daily open data."""

from __future__ import annotations

from sqlmodel import Session

from app.outbox.service import periodic
from app.reports import opendata, weekly


@periodic("reports.weekly_report", every_seconds=300)
def weekly_report(session: Session) -> None:
    """From Monday 07:00 (Vietnam time): build, archive and mail the week just ended, once."""
    weekly.run_due_once(session)


@periodic("reports.open_data", every_seconds=900)
def open_data(session: Session) -> None:
    """Regenerate the open-data files once a day (Vietnam date)."""
    opendata.regenerate_if_stale(session)
