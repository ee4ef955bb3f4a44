"""The monitoring feed: the weekly indicators as versioned JSON for the national monitoring system.

The figures are the weekly report's (app/reports/weekly.py): the archived report of
the week when it exists, otherwise built now. Only aggregates leave: the named list
of the week's decisions and the overdue items are left out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.db import utcnow
from app.errors import ValidationFailed
from app.i18n import _
from app.reports import weekly

SCHEMA = "portal.weekly-indicators"
VERSION = 1
AGGREGATES = (
    "kpis",
    "funnel",
    "acceptance_rate",
    "decided_on_time_share",
    "stages",
    "top_fields",
    "top_provinces",
)


def week_of(value: str | None) -> date:
    if not value:
        return weekly.last_full_week(utcnow())
    try:
        return weekly.parse_week(value)
    except ValueError:
        message = _("Give the week as its Monday (2026-02-16) or ISO week (2026-W08).")
        raise ValidationFailed(message, errors={"week": message}) from None


def indicators(session: Session, monday: date) -> dict[str, Any]:
    archived = weekly.archived(session, monday)
    report = archived.data if archived is not None else weekly.build(session, monday)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "iso_week": report["iso_week"],
        "week_start": report["week_start"],
        "week_end": report["week_end"],
        "final": archived is not None,
        "generated_at": (archived.built_at if archived is not None else utcnow()).isoformat(),
        "indicators": {key: report.get(key) for key in AGGREGATES},
    }
