"""The changes feed: what changed among public objects, in commit order, resumable by cursor.

`record` numbers a change from the one counter row, updating it first: on
PostgreSQL that row's lock is held until the recording transaction ends, so the
next number is handed out only after this one is committed (or rolled back and
handed out again). The committed numbers are therefore always 1..N with no hole,
and a reader that asks for "after n" never skips one that commits later, nor sees
one twice. SQLite runs one writing transaction at a time, which gives the same.

Only the kind, id and action are stored. The data a consumer gets is read when the
feed is served, through the objects' own visibility modules as an anonymous reader
sees them, so a confidential section never leaves, and an object that is no longer
public comes with `data: null`.

A cursor is opaque to consumers: a versioned, URL-safe encoding of the number.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import _
from app.initiatives import visibility as initiative_visibility
from app.initiatives.models import Initiative
from app.partners.models import PartnerChange, PartnerChangeCounter
from app.partners.schemas import ChangeOut, ChangesPage
from app.problems import visibility as problem_visibility
from app.problems.models import Problem
from app.publication.models import Certificate
from app.reports.models import WeeklyReport

COUNTER_ID = 1
MAX_PAGE = 500
KIND_INITIATIVE, KIND_PROBLEM, KIND_CERTIFICATE = "initiative", "problem", "certificate"
KIND_STATISTICS = "statistics"  # an archived weekly report: its indicators


def record(session: Session, kind: str, object_id: int, action: str) -> PartnerChange:
    """Append one change; its number is the next in commit order (see the module doc)."""
    session.exec(
        update(PartnerChangeCounter)
        .where(col(PartnerChangeCounter.id) == COUNTER_ID)
        .values(last_seq=col(PartnerChangeCounter.last_seq) + 1)
    )
    seq = session.exec(
        select(PartnerChangeCounter.last_seq).where(PartnerChangeCounter.id == COUNTER_ID)
    ).one()
    change = PartnerChange(seq=seq, kind=kind, object_id=object_id, action=action)
    session.add(change)
    session.flush()
    return change


def record_once(session: Session, kind: str, object_id: int, action: str) -> bool:
    """Record a change unless one of this kind, object and action exists (periodic jobs that
    two workers may run at once: the counter row is locked before looking)."""
    session.exec(
        select(PartnerChangeCounter).where(PartnerChangeCounter.id == COUNTER_ID).with_for_update()
    ).one()
    exists = session.exec(
        select(PartnerChange.id).where(
            PartnerChange.kind == kind,
            PartnerChange.object_id == object_id,
            PartnerChange.action == action,
        )
    ).first()
    if exists is not None:
        return False
    record(session, kind, object_id, action)
    return True


def encode(seq: int) -> str:
    return base64.urlsafe_b64encode(f"c1:{seq}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    """The number a cursor stands for (0 for none), or 422 for one this portal never gave."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, number = raw.split(":", 1)
        if version != "c1" or not number.isdigit():
            raise ValueError(raw)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        message = _("This cursor is not valid; use one the feed returned.")
        raise ValidationFailed(message, errors={"after": message}) from None


def _data(session: Session, change: PartnerChange) -> dict[str, Any] | None:
    if change.kind == KIND_INITIATIVE:
        initiative = session.get(Initiative, change.object_id)
        if initiative is None or not initiative_visibility.is_public(initiative):
            return None
        return initiative_visibility.visible_view(session, None, initiative, log=False) or None
    if change.kind == KIND_PROBLEM:
        problem = session.get(Problem, change.object_id)
        if problem is None:
            return None
        return problem_visibility.visible_view(session, None, problem, log=False) or None
    if change.kind == KIND_CERTIFICATE:
        certificate = session.get(Certificate, change.object_id)
        if certificate is None:
            return None
        initiative = session.get(Initiative, certificate.initiative_id)
        if initiative is None or not initiative_visibility.is_public(initiative):
            return None
        return {
            "number": certificate.number,
            "initiative_id": certificate.initiative_id,
            "title": certificate.title,
            "issued_at": certificate.issued_at,
        }
    if change.kind == KIND_STATISTICS:
        from app.partners import monitoring  # reads the reports domain

        report = session.get(WeeklyReport, change.object_id)
        return monitoring.indicators(session, report.week_start) if report else None
    return None


def page(session: Session, after: str | None, limit: int = 100) -> ChangesPage:
    """The changes after `after`, oldest first, at most `limit` (≤ MAX_PAGE)."""
    start = decode(after)
    limit = max(1, min(limit, MAX_PAGE))
    rows = list(
        session.exec(
            select(PartnerChange)
            .where(col(PartnerChange.seq) > start)
            .order_by(col(PartnerChange.seq))
            .limit(limit + 1)
        )
    )
    more, rows = len(rows) > limit, rows[:limit]
    changes = [
        ChangeOut(
            cursor=encode(c.seq),
            kind=c.kind,
            id=c.object_id,
            action=c.action,
            at=c.at,
            data=_data(session, c),
        )
        for c in rows
    ]
    return ChangesPage(
        changes=changes,
        next_cursor=encode(rows[-1].seq) if rows else (after or encode(0)),
        has_more=more,
    )
