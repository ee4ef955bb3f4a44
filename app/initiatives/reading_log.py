"""The submitter's "who read my confidential content" log, in words people read.

One line per reader per day (Vietnam time) with how many times and what they opened;
reviewers of a blind round are named only "Reviewer (anonymous)", as their comments are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.i18n import TIMEZONE, _
from app.initiatives.models import Attachment, ConfidentialView, Initiative
from app.reviews.models import Assignment, ReviewRound


@dataclass
class Line:
    reader: str
    day: date
    last_at: datetime  # the latest view that day (shown with its time)
    count: int
    what: list[str] = field(default_factory=list)


def _blind_reviewers(session: Session, initiative: Initiative) -> set[int]:
    rows = session.exec(
        select(Assignment.reviewer_id)
        .join(ReviewRound, col(ReviewRound.id) == col(Assignment.round_id))
        .where(Assignment.initiative_id == initiative.id, col(ReviewRound.blind).is_(True))
    ).all()
    return set(rows)


def what_label(session: Session, code: str) -> str:
    """`sections` → "the confidential sections", `version:2` → "version 2", …"""
    kind, _sep, ref = code.partition(":")
    if kind == "sections":
        return _("the confidential sections")
    if kind == "version":
        return _("version %(n)s", n=ref)
    if kind == "review":
        return _("the initiative, for the review")
    if kind == "attachment":
        attachment = session.get(Attachment, int(ref)) if ref.isdigit() else None
        return _("the file %(name)s", name=attachment.filename) if attachment else _("a file")
    return _("the confidential content")


def lines(session: Session, initiative: Initiative) -> list[Line]:
    """Newest day first; within a day, the reader with most views first."""
    rows = session.exec(
        select(ConfidentialView, User)
        .join(User, col(User.id) == col(ConfidentialView.user_id))
        .where(ConfidentialView.initiative_id == initiative.id)
        .order_by(col(ConfidentialView.id))
    ).all()
    blind = _blind_reviewers(session, initiative)
    grouped: dict[tuple[date, int], Line] = {}
    for view, user in rows:
        assert user.id is not None
        day = view.created_at.astimezone(TIMEZONE).date()
        line = grouped.get((day, user.id))
        if line is None:
            name = _("Reviewer (anonymous)") if user.id in blind else user.full_name
            line = grouped[(day, user.id)] = Line(name, day, view.created_at, 0)
        line.count += 1
        line.last_at = view.created_at
        label = what_label(session, view.what)
        if label not in line.what:
            line.what.append(label)
    return sorted(grouped.values(), key=lambda x: (-x.day.toordinal(), -x.count, x.reader))
