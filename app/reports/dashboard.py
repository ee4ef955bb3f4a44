"""The coordinator's dashboard: live figures from current rows (the figures module covers history).

Open items are initiatives in a stage someone must act on; each is measured in
working days against the target in force when it entered the stage. Every
figure here has a list behind it (`open_items` with the same filter), so the
dashboard links each number to the initiatives it counts.

The counts are grouped in SQL by (stage, target in force at entry, Vietnam day
of entry), with the saved view's fields and provinces in the WHERE clause: the
working-day arithmetic runs once per group, not per initiative. A list reads the
rows of the matching groups only: elapsed working days never grow with a later
day of entry, so the days matching a bucket, "overdue" or "about to pass" form
one range per (stage, target).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.initiatives.models import Initiative
from app.reports import figures
from app.reports.calendar import WorkingCalendar, local_date, local_midnight
from app.reports.figures import Scope
from app.reports.models import StageTarget
from app.reports.passages import as_date, local_day
from app.reports.targets import target_spans
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


def bucket_of(elapsed: int) -> str:
    for key, low, high in BUCKETS:
        if elapsed >= low and (high is None or elapsed <= high):
            return key
    return BUCKETS[-1][0]


@dataclass
class Clock:
    """Working days in the current stage against the target in force at entry."""

    elapsed: int
    target: int | None

    @property
    def overdue(self) -> bool:
        return self.target is not None and self.elapsed > self.target

    @property
    def warning(self) -> bool:
        return self.target is not None and 0 <= self.target - self.elapsed <= WARNING_DAYS

    @property
    def bucket(self) -> str:
        return bucket_of(self.elapsed)


@dataclass
class Item(Clock):
    id: int = 0
    receipt_code: str | None = None
    title: str = ""
    stage: str = ""
    entered_at: datetime | None = None
    unit_vi: str | None = None
    unit_en: str | None = None


@dataclass
class Group(Clock):
    """Open initiatives of one stage, target and Vietnam day of entry."""

    stage: str = ""
    target_id: int | None = None
    day: date | None = None
    n: int = 0


@dataclass(frozen=True)
class Filter:
    """Which open items a figure counts (all of them by default)."""

    stage: str | None = None
    bucket: str | None = None
    overdue: bool = False
    warning: bool = False

    def matches(self, stage: str, clock: Clock) -> bool:
        return (
            (self.stage is None or stage == self.stage)
            and (self.bucket is None or clock.bucket == self.bucket)
            and (not self.overdue or clock.overdue)
            and (not self.warning or clock.warning)
        )


def _scoped(query: Any, scope: Scope) -> Any:
    if scope.field_ids:
        query = query.where(col(Initiative.field_id).in_(scope.field_ids))
    if scope.provinces:
        query = query.where(col(Initiative.province).in_(scope.provinces))
    return query


def groups(
    session: Session, scope: Scope, now: datetime | None = None, stage: str | None = None
) -> list[Group]:
    """The open initiatives grouped in SQL by stage, target in force at entry and day entered."""
    now = now or utcnow()
    calendar = WorkingCalendar.load(session, at=now)
    targets = {t.id: t for t in session.exec(select(StageTarget))}
    spans = target_spans()
    entered = col(Initiative.stage_entered_at)
    day = local_day(session.get_bind().dialect.name, entered).label("day")
    stages = [s for s in OPEN_STAGES if stage is None or s == stage]
    query = _scoped(
        sa_select(col(Initiative.status), spans.c.id, day, func.count())
        .select_from(Initiative)
        .outerjoin(
            spans,
            and_(
                spans.c.stage == col(Initiative.status),
                spans.c.valid_from <= entered,
                or_(spans.c.valid_to.is_(None), entered < spans.c.valid_to),
            ),
        )
        .where(col(Initiative.status).in_(stages))
        .group_by(col(Initiative.status), spans.c.id, day),
        scope,
    )
    today = local_date(now)
    found = []
    for status, target_id, entered_day, n in session.execute(query):
        first = as_date(entered_day)
        assert first is not None
        target = targets.get(target_id)
        found.append(
            Group(
                elapsed=calendar.working_days_between(first, today),
                target=target.working_days if target else None,
                stage=status,
                target_id=target_id,
                day=first,
                n=n,
            )
        )
    return found


def open_items(
    session: Session, scope: Scope, now: datetime | None = None, which: Filter = Filter()
) -> list[Item]:
    """The open initiatives a figure counts, oldest in their stage first."""
    now = now or utcnow()
    ranges: dict[str, tuple[date, date]] = {}  # per stage: the first and last day matching
    for g in groups(session, scope, now, which.stage):
        if which.matches(g.stage, g) and g.day is not None:
            low, high = ranges.get(g.stage, (g.day, g.day))
            ranges[g.stage] = (min(low, g.day), max(high, g.day))
    if not ranges:
        return []
    entered = col(Initiative.stage_entered_at)
    query = _scoped(
        sa_select(
            col(Initiative.id),
            col(Initiative.receipt_code),
            col(Initiative.title),
            col(Initiative.status),
            entered,
        ).where(
            or_(
                *(
                    and_(
                        col(Initiative.status) == stage,
                        entered >= local_midnight(low),
                        entered < local_midnight(high + timedelta(days=1)),
                    )
                    for stage, (low, high) in sorted(ranges.items())
                )
            )
        ),
        scope,
    ).order_by(entered, col(Initiative.id))
    calendar = WorkingCalendar.load(session, at=now)
    history = figures.target_history(session)
    found = []
    for id_, code, title, status, at in session.execute(query):
        target = figures.target_at(history, status, at)
        item = Item(
            elapsed=calendar.elapsed(at, now),
            target=target.working_days if target else None,
            id=id_,
            receipt_code=code,
            title=title,
            stage=status,
            entered_at=at,
            unit_vi=target.unit_vi if target else None,
            unit_en=target.unit_en if target else None,
        )
        if which.matches(status, item):  # the days' ranges are a superset across targets
            found.append(item)
    return found


def summary(session: Session, scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """Open items per stage and ageing bucket, overdue and warning counts, rounds, reviewers."""
    open_: Counter[str] = Counter()
    ageing: dict[str, Counter[str]] = defaultdict(Counter)
    overdue = warnings = 0
    for g in groups(session, scope, now):
        open_[g.stage] += g.n
        ageing[g.stage][g.bucket] += g.n
        overdue += g.n if g.overdue else 0
        warnings += g.n if g.warning else 0
    return {
        "open": open_,
        "ageing": ageing,
        "overdue": overdue,
        "warnings": warnings,
        "rounds": rounds_outstanding(session, scope),
        "reviewers": reviewer_load(session, scope),
    }


def _assignments(scope: Scope, *columns: Any) -> Any:
    query = sa_select(*columns).join(
        Initiative, col(Initiative.id) == col(Assignment.initiative_id)
    )
    return _scoped(query, scope)


def rounds_outstanding(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Open rounds with their reviews outstanding (invited or accepted, not yet submitted)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    rounds = (
        session.execute(
            sa_select(ReviewRound)
            .where(col(ReviewRound.status) == RoundStatus.open)
            .order_by(col(ReviewRound.due_at))
        )
        .scalars()
        .all()
    )
    if rounds:
        query = _assignments(
            scope, col(Assignment.round_id), col(Assignment.status), func.count()
        ).where(col(Assignment.round_id).in_([r.id for r in rounds]))
        for round_id, status, n in session.execute(
            query.group_by(col(Assignment.round_id), col(Assignment.status))
        ):
            counts[round_id]["outstanding" if status in OPEN_ASSIGNMENT_STATES else status] += n
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
    query = _assignments(
        scope,
        col(Assignment.reviewer_id),
        col(Assignment.status),
        col(Assignment.invited_at),
        col(Assignment.responded_at),
    )
    for reviewer_id, status, invited_at, responded_at in session.execute(query):
        load[reviewer_id]["open" if status in OPEN_ASSIGNMENT_STATES else status] += 1
        if responded_at is not None:
            responses[reviewer_id].append(
                (responded_at - invited_at).total_seconds() / figures.SECONDS_PER_DAY
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
