"""A reviewer's invitations: accept (declaring no conflict), decline, the confidentiality
undertaking; and who is late.

Every verb takes the session first, checks that the invitation is the reviewer's own and
its round still open, and never commits.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.initiatives.models import Initiative
from app.reviews import conflicts
from app.reviews import permissions as perms
from app.reviews.models import (
    OPEN_ASSIGNMENT_STATES,
    Assignment,
    AssignmentStatus,
    ReviewRound,
    RoundStatus,
)
from app.reviews.service import get_round


def get_assignment(session: Session, assignment_id: int) -> Assignment:
    found = session.get(Assignment, assignment_id)
    if found is None:
        raise NotFound(_("No such review assignment."))
    return found


def my_assignments(session: Session, reviewer: User) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment)
            .where(Assignment.reviewer_id == reviewer.id)
            .order_by(col(Assignment.invited_at).desc(), col(Assignment.id).desc())
        )
    )


def _own_open(reviewer: User, assignment: Assignment, round: ReviewRound) -> None:
    if not perms.is_assignee(reviewer, assignment):
        raise PermissionDenied(_("This invitation is addressed to another reviewer."))
    if round.status != RoundStatus.open:
        raise Conflict(_("This round is closed."))


def accept(session: Session, reviewer: User, assignment: Assignment) -> Assignment:
    """Accept and declare no conflict; refused if the portal finds a conflict all the same."""
    round = get_round(session, assignment.round_id)
    _own_open(reviewer, assignment, round)
    if assignment.status != AssignmentStatus.invited:
        raise Conflict(_("You already answered this invitation."))
    initiative = session.get_one(Initiative, assignment.initiative_id)
    reasons = conflicts.detect(session, reviewer, initiative)
    if reasons:
        raise Conflict(
            _(
                "You cannot review this initiative: %(reasons)s.",
                reasons="; ".join(conflicts.reason_label(r) for r in reasons),
            ),
            code="conflict-of-interest",
            conflicts=reasons,
        )
    now = utcnow()
    assignment.status, assignment.responded_at, assignment.conflict_declared_none_at = (
        AssignmentStatus.accepted,
        now,
        now,
    )
    session.add(assignment)
    return assignment


def decline(
    session: Session, reviewer: User, assignment: Assignment, reason: str, *, conflict: bool = False
) -> Assignment:
    """Decline with a reason (also after accepting, until submitted); a conflict is recorded for good."""
    round = get_round(session, assignment.round_id)
    _own_open(reviewer, assignment, round)
    if assignment.status not in OPEN_ASSIGNMENT_STATES:
        raise Conflict(_("This invitation can no longer be declined."))
    if not reason.strip():
        raise ValidationFailed(
            _("Please give a reason."), errors={"reason": _("This field is required.")}
        )
    if conflict:
        conflicts.declare(
            session, reviewer, session.get_one(Initiative, assignment.initiative_id), reason.strip()
        )
    assignment.status, assignment.responded_at = AssignmentStatus.declined, utcnow()
    assignment.decline_reason = reason.strip()
    session.add(assignment)
    return assignment


def accept_confidentiality(session: Session, reviewer: User, assignment: Assignment) -> Assignment:
    """The undertaking for this initiative, recorded with its time, before any content is shown."""
    round = get_round(session, assignment.round_id)
    _own_open(reviewer, assignment, round)
    if assignment.status not in (AssignmentStatus.accepted, AssignmentStatus.submitted):
        raise Conflict(_("Accept the invitation first."))
    if assignment.confidentiality_accepted_at is None:
        assignment.confidentiality_accepted_at = utcnow()
        session.add(assignment)
    return assignment


def overdue(session: Session, round: ReviewRound | None = None) -> list[Assignment]:
    """Open assignments of open rounds past their due date (who is late)."""
    query = (
        select(Assignment)
        .join(ReviewRound, col(ReviewRound.id) == col(Assignment.round_id))
        .where(
            ReviewRound.status == RoundStatus.open,
            ReviewRound.due_at < utcnow(),
            col(Assignment.status).in_(list(OPEN_ASSIGNMENT_STATES)),
        )
    )
    if round is not None:
        query = query.where(Assignment.round_id == round.id)
    return list(session.exec(query.order_by(col(Assignment.round_id), col(Assignment.id))))
