"""The weekly report to the steering committee, for the ISO week (Vietnam time) just ended.

Built from `figures.compute` with cutoffs at the previous week's start, the
week's start and its end, so every number depends only on history recorded
before the week ended: rebuilding a past week later gives identical data.
Titles in "notable decisions" come from the submitted version current at the
decision (versions are append-only too).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import utcnow
from app.i18n import TIMEZONE
from app.initiatives.models import Initiative, InitiativeEvent, InitiativeVersion
from app.reports import figures
from app.reports.calendar import local_date
from app.reports.figures import ALL, Scope
from app.reports.models import WeeklyReport, WeeklyReportMail
from app.reports.service import local_midnight

log = logging.getLogger(__name__)
clock = utcnow  # the job's idea of now (tests freeze it)

FLOWS = ("received", "selected", "rejected", "published", "commercialising")
STOCKS = ("in_screening", "in_review")
DECISIONS = ("selected", "rejected", "published")
DUE_WEEKDAY, DUE_HOUR = 0, 7  # Monday 07:00 Vietnam time
TOP = 5


def last_full_week(now: datetime) -> date:
    """The Monday of the ISO week that ended before `now` (Vietnam time)."""
    today = local_date(now)
    return today - timedelta(days=today.weekday() + 7)


def due_week(now: datetime) -> date | None:
    """The week whose report is due at `now`: from Monday 07:00 on, the week just ended."""
    local = now.astimezone(TIMEZONE)
    if local.weekday() == DUE_WEEKDAY and local.hour < DUE_HOUR:
        return None  # Monday before 07:00: last week's report is not due yet
    return last_full_week(now)


def parse_week(value: str) -> date:
    """A week given as its Monday (2026-02-16) or ISO week (2026-W08)."""
    if "-W" in value:
        year, week = value.split("-W", 1)
        return date.fromisocalendar(int(year), int(week), 1)
    day = date.fromisoformat(value)
    if day.weekday() != 0:
        raise ValueError("not a Monday")
    return day


def build(session: Session, monday: date, scope: Scope = ALL) -> dict[str, Any]:
    start = local_midnight(monday)
    end = local_midnight(monday + timedelta(days=7))
    previous, current = figures.compute(session, [start - timedelta(days=7), start, end], scope)
    kpis = [
        {
            "key": key,
            "kind": "flow",
            "week": current["period"][key],
            "previous_week": previous["period"][key],
            "change": current["period"][key] - previous["period"][key],
            "since_start": current["totals"][key],
        }
        for key in FLOWS
    ]
    for key, stage in (("in_screening", "screening"), ("in_review", "in_review")):
        kpis.append(
            {
                "key": key,
                "kind": "stock",
                "week": current["now"][stage],
                "previous_week": previous["now"][stage],
                "change": current["now"][stage] - previous["now"][stage],
                "since_start": None,
            }
        )
    year, week, _day = monday.isocalendar()
    return {
        "week_start": monday.isoformat(),
        "week_end": (monday + timedelta(days=6)).isoformat(),
        "iso_week": f"{year}-W{week:02d}",
        "scope": {"field_ids": list(scope.field_ids), "provinces": list(scope.provinces)},
        "kpis": kpis,
        "funnel": [
            {"stage": "received", "count": current["totals"]["received"]},
            *(
                {"stage": s, "count": current["reached"][s]}
                for s in ("screening", "in_review", "selected", "published", "commercialising")
            ),
        ],
        "acceptance_rate": current["acceptance_rate"],
        "decided_on_time_share": current["decided_on_time_share"],
        "stages": current["stages"],
        "units": current["units"],
        "overdue": current["overdue_items"],
        "top_fields": current["by_field"][:TOP],
        "top_provinces": current["by_province"][:TOP],
        "decisions": decisions(session, start, end, scope),
        "extra": current["extra"],
    }


def decisions(
    session: Session, start: datetime, end: datetime, scope: Scope
) -> list[dict[str, Any]]:
    query = (
        sa_select(
            col(InitiativeEvent.initiative_id),
            col(InitiativeEvent.to_status),
            col(InitiativeEvent.created_at),
            col(Initiative.receipt_code),
        )
        .join(Initiative, col(Initiative.id) == col(InitiativeEvent.initiative_id))
        .where(
            col(InitiativeEvent.created_at) >= start,
            col(InitiativeEvent.created_at) < end,
            col(InitiativeEvent.to_status).in_(DECISIONS),
        )
        .order_by(col(InitiativeEvent.created_at), col(InitiativeEvent.id))
    )
    if scope.field_ids:
        query = query.where(col(Initiative.field_id).in_(scope.field_ids))
    if scope.provinces:
        query = query.where(col(Initiative.province).in_(scope.provinces))
    rows = list(session.execute(query))
    # The submitted versions of those initiatives, in one query (newest last per initiative).
    versions: dict[int, list[tuple[datetime, str]]] = {}
    ids = sorted({r[0] for r in rows})
    for chunk in (ids[i : i + 1000] for i in range(0, len(ids), 1000)):
        for initiative_id, created_at, content in session.execute(
            sa_select(
                col(InitiativeVersion.initiative_id),
                col(InitiativeVersion.created_at),
                col(InitiativeVersion.content),
            )
            .where(col(InitiativeVersion.initiative_id).in_(chunk))
            .order_by(col(InitiativeVersion.initiative_id), col(InitiativeVersion.number))
        ):
            versions.setdefault(initiative_id, []).append(
                (created_at, (content or {}).get("title", ""))
            )
    found = []
    for initiative_id, status, at, code in rows:
        # The highest-numbered version recorded by the decision.
        titles = [t for created, t in versions.get(initiative_id, []) if created <= at]
        found.append(
            {
                "receipt_code": code,
                "decision": status,
                "at": at.isoformat(),
                "title": titles[-1] if titles else "",
            }
        )
    return found


# -- archive and mail ------------------------------------------------------------
def archived(session: Session, monday: date) -> WeeklyReport | None:
    return session.exec(select(WeeklyReport).where(WeeklyReport.week_start == monday)).first()


def archive_list(session: Session) -> list[WeeklyReport]:
    return list(session.exec(select(WeeklyReport).order_by(col(WeeklyReport.week_start).desc())))


def recipients() -> list[str]:
    return sorted(
        {a.strip() for a in get_settings().weekly_report_recipients.split(",") if a.strip()}
    )


def run_due(session: Session, now: datetime | None = None) -> WeeklyReport | None:
    """Build, archive and mail the due week's report unless done (the periodic job).

    Two workers may run this at once: the unique week on `weekly_report` and the unique
    (week, recipient) on `weekly_report_mail` make the slower transaction fail and roll
    back with its queued mails, so each recipient gets exactly one mail per week.
    """
    from app.reports import documents

    monday = due_week(now or clock())
    if monday is None:
        return None
    report = archived(session, monday)
    if report is None:
        report = WeeklyReport(week_start=monday, data=build(session, monday))
        session.add(report)
        session.flush()
    sent = set(
        session.exec(
            select(WeeklyReportMail.recipient).where(WeeklyReportMail.week_start == monday)
        )
    )
    todo = [r for r in recipients() if r not in sent]
    if not todo:
        return report
    files = documents.attachments(report.data, "vi")
    for address in todo:
        session.add(WeeklyReportMail(week_start=monday, recipient=address))
        session.flush()  # a concurrent worker's row makes this fail: nothing of ours commits
        documents.queue_report_mail(session, address, report.data, files)
    return report


def run_due_once(session: Session) -> None:
    """The periodic job: losing the race to another worker is normal, not an error."""
    try:
        run_due(session)
    except IntegrityError:
        session.rollback()  # the other worker's report and mails stand; ours are discarded
        log.info("weekly report: another worker archived or mailed this week first")
