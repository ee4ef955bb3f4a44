"""Who may do what in expert review, and the reader rule given to the initiatives' visibility module."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.initiatives import visibility
from app.initiatives.models import Initiative
from app.reviews import conflicts
from app.reviews.models import Assignment, AssignmentStatus, ReviewRound, RoundStatus


def can_manage_reviews(user: User | None) -> bool:
    """Open rounds, assign reviewers, see scores and rankings, decide: coordinators (and admins)."""
    return accounts.is_coordinator(user)


def is_reviewer(user: User | None) -> bool:
    return accounts.is_reviewer(user)


def is_assignee(user: User | None, assignment: Assignment) -> bool:
    return accounts.is_signed_in(user) and assignment.reviewer_id == user.id


def has_cleared(assignment: Assignment) -> bool:
    """Accepted, declared no conflict and accepted confidentiality: may read and score."""
    return (
        assignment.status in (AssignmentStatus.accepted, AssignmentStatus.submitted)
        and assignment.conflict_declared_none_at is not None
        and assignment.confidentiality_accepted_at is not None
    )


def can_edit_review(user: User | None, assignment: Assignment, round: ReviewRound) -> bool:
    return (
        is_assignee(user, assignment)
        and has_cleared(assignment)
        and round.status == RoundStatus.open
    )


def reviewer_may_read(session: Session, user: User, initiative: Initiative) -> bool:
    """Visibility rule: an assigned reviewer who accepted, declared no conflict, accepted
    confidentiality, and in whom the portal detects no conflict either."""
    rows = session.exec(
        select(Assignment).where(
            Assignment.reviewer_id == user.id,
            Assignment.initiative_id == initiative.id,
            col(Assignment.status).in_([AssignmentStatus.accepted, AssignmentStatus.submitted]),
        )
    ).all()
    return any(has_cleared(a) for a in rows) and not conflicts.detect(session, user, initiative)


visibility.register_reader(reviewer_may_read)


# What a reviewer never sees of the initiative: contact details, internal records; in a blind
# round also who submitted it and where they work.
HIDDEN_FROM_REVIEWERS = frozenset(
    {
        "coauthors",
        "submitter_id",
        "receipt_code",
        "fingerprint",
        "created_at",
        "updated_at",
        "stage_entered_at",
    }
)
HIDDEN_IN_BLIND_ROUNDS = frozenset({"authors", "organisation", "organisation_id"})


@visibility.register_redaction
def hidden_from_reviewer(session: Session, user: User, initiative: Initiative) -> frozenset[str]:
    """Every page and API answer a reviewer gets hides what the scoring form hides."""
    rounds = session.exec(
        select(ReviewRound.blind)
        .join(Assignment, col(Assignment.round_id) == col(ReviewRound.id))
        .where(Assignment.reviewer_id == user.id, Assignment.initiative_id == initiative.id)
    ).all()
    if not rounds:
        return frozenset()
    return HIDDEN_FROM_REVIEWERS | (HIDDEN_IN_BLIND_ROUNDS if any(rounds) else frozenset())
