"""The coordinator's dashboard: live figures from current rows (the figures module covers history).

Open items are initiatives in a stage someone must act on; each is measured in
working days against the target in force when it entered the stage. Every
figure here has a list behind it (`items`), so the dashboard links each number
to the initiatives it counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.initiatives.models import Initiative
from app.reports import figures
from app.reports.calendar import WorkingCalendar
from app.reports.figures import Scope
from app.reviews.models import (
    OPEN_ASSIGNMENT_STATES,
    Assignment,
    AssignmentStatus,
    ReviewRound,
    RoundStatus,
)

OPEN_STAGES = ("submitted", "screening", "in_review", "returned_for_revision", "selected")
# Working days in the current stage: (key, lowest, highest or None).
BUCKETS = (("0-2", 0, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("21+", 21, None))
WARNING_DAYS = 1  # "about to pass its target": at most this many working days left


@dataclass
class Item:
    id: int
    receipt_code: str | None
    title: str
    stage: str
    entered_at: datetime
    elapsed: int
    target: int | None
    unit_vi: str | None
    unit_en: str | None

    @property
    def overdue(self) -> bool:
        return self.target is not None and self.elapsed > self.target

    @property
    def warning(self) -> bool:
        return self.target is not None and 0 <= self.target - self.elapsed <= WARNING_DAYS

    @property
    def bucket(self) -> str:
        for key, low, high in BUCKETS:
            if self.elapsed >= low and (high is None or self.elapsed <= high):
                return key
        return BUCKETS[-1][0]


def open_items(session: Session, scope: Scope, now: datetime | None = None) -> list[Item]:
    now = now or utcnow()
    calendar = WorkingCalendar.load(session, at=now)
    history = figures.target_history(session)
    query = select(Initiative).where(col(Initiative.status).in_(OPEN_STAGES))
    if scope.field_ids:
        query = query.where(col(Initiative.field_id).in_(scope.field_ids))
    if scope.provinces:
        query = query.where(col(Initiative.province).in_(scope.provinces))
    found = []
    for i in session.exec(query.order_by(col(Initiative.stage_entered_at))):
        assert i.id is not None
        target = figures.target_at(history, i.status, i.stage_entered_at)
        found.append(
            Item(
                id=i.id,
                receipt_code=i.receipt_code,
                title=i.title,
                stage=i.status,
                entered_at=i.stage_entered_at,
                elapsed=calendar.elapsed(i.stage_entered_at, now),
                target=target.working_days if target else None,
                unit_vi=target.unit_vi if target else None,
                unit_en=target.unit_en if target else None,
            )
        )
    return found


def select_items(
    items: list[Item],
    *,
    stage: str | None = None,
    bucket: str | None = None,
    overdue: bool = False,
    warning: bool = False,
) -> list[Item]:
    return [
        i
        for i in items
        if (stage is None or i.stage == stage)
        and (bucket is None or i.bucket == bucket)
        and (not overdue or i.overdue)
        and (not warning or i.warning)
    ]


def summary(session: Session, scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    items = open_items(session, scope, now)
    ageing: dict[str, Counter[str]] = defaultdict(Counter)
    for i in items:
        ageing[i.stage][i.bucket] += 1
    return {
        "open": Counter(i.stage for i in items),
        "ageing": ageing,
        "overdue": [i for i in items if i.overdue],
        "warnings": [i for i in items if i.warning],
        "rounds": rounds_outstanding(session, scope),
        "reviewers": reviewer_load(session, scope),
    }


def _assignments(scope: Scope):
    query = sa_select(Assignment).join(
        Initiative, col(Initiative.id) == col(Assignment.initiative_id)
    )
    if scope.field_ids:
        query = query.where(col(Initiative.field_id).in_(scope.field_ids))
    if scope.provinces:
        query = query.where(col(Initiative.province).in_(scope.provinces))
    return query


def rounds_outstanding(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Open rounds with their reviews outstanding (invited or accepted, not yet submitted)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for (a,) in session.execute(_assignments(scope)):
        counts[a.round_id]["outstanding" if a.status in OPEN_ASSIGNMENT_STATES else a.status] += 1
    rounds = session.exec(
        select(ReviewRound)
        .where(ReviewRound.status == RoundStatus.open)
        .order_by(col(ReviewRound.due_at))
    ).all()
    return [
        {
            "id": r.id,
            "name": r.name,
            "due_at": r.due_at,
            "outstanding": counts[r.id or 0]["outstanding"],
            "submitted": counts[r.id or 0][AssignmentStatus.submitted],
        }
        for r in rounds
    ]


def reviewer_load(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Per reviewer: open assignments, submitted ones, median days to respond to an invitation."""
    load: dict[int, Counter[str]] = defaultdict(Counter)
    responses: dict[int, list[float]] = defaultdict(list)
    for (a,) in session.execute(_assignments(scope)):
        load[a.reviewer_id]["open" if a.status in OPEN_ASSIGNMENT_STATES else a.status] += 1
        if a.responded_at is not None:
            responses[a.reviewer_id].append(
                (a.responded_at - a.invited_at).total_seconds() / figures.SECONDS_PER_DAY
            )
    if not load:
        return []
    names = dict(
        session.execute(
            sa_select(col(User.id), col(User.full_name)).where(col(User.id).in_(list(load)))
        ).all()
    )
    rows = [
        {
            "reviewer_id": rid,
            "name": names.get(rid, "?"),
            "open": c["open"],
            "submitted": c[AssignmentStatus.submitted],
            "declined": c[AssignmentStatus.declined],
            "median_response_days": (
                round(v, 2)
                if (v := figures.percentile(sorted(responses[rid]), 0.5)) is not None
                else None
            ),
        }
        for rid, c in load.items()
    ]
    return sorted(rows, key=lambda r: (-r["open"], r["name"]))
