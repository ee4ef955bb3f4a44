"""The reviewer's side after accepting: read the initiative, score it, submit; reminders when late.

A review is saved as a draft any number of times, submitted once complete,
and may be edited until the round closes. The server computes the weighted
total with scoring.weighted_total on every save (the browser's running total
is only a convenience).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, PermissionDenied, ValidationFailed
from app.i18n import TIMEZONE, _, get_language
from app.initiatives import visibility
from app.initiatives.models import Initiative
from app.outbox import service as outbox
from app.outbox import topics
from app.reviews import permissions as perms
from app.reviews import rubrics
from app.reviews.models import (
    OPEN_ASSIGNMENT_STATES,
    Assignment,
    AssignmentStatus,
    Recommendation,
    Review,
    ReviewRound,
    ReviewScore,
    ReviewStatus,
    RoundStatus,
)
from app.reviews.schemas import ReviewIn
from app.reviews.scoring import weighted_total


def content_for_reviewer(
    session: Session, reviewer: User, assignment: Assignment
) -> dict[str, Any]:
    """The initiative's sections for scoring; logs the confidential view (who, what, when).

    Refused until the reviewer has accepted, declared no conflict and accepted confidentiality.
    """
    if not perms.is_assignee(reviewer, assignment):
        raise PermissionDenied(_("This review is assigned to another reviewer."))
    if not perms.has_cleared(assignment):
        raise PermissionDenied(
            _("Accept the invitation and the confidentiality undertaking first."),
            code="confidentiality-required",
        )
    initiative = session.get_one(Initiative, assignment.initiative_id)
    # visible_view applies the reviewer redaction (permissions.hidden_from_reviewer)
    view = visibility.visible_view(session, reviewer, initiative, what=f"review:{assignment.id}")
    if not view:
        raise PermissionDenied(_("You cannot read this initiative."))
    return view


def get_review(session: Session, assignment: Assignment) -> Review | None:
    return session.exec(select(Review).where(Review.assignment_id == assignment.id)).first()


def save(
    session: Session, reviewer: User, assignment: Assignment, data: ReviewIn, *, submit: bool
) -> Review:
    """Save the scores (draft) or submit them; a submitted review stays editable while the round is open."""
    round = session.get_one(ReviewRound, assignment.round_id)
    if not perms.is_assignee(reviewer, assignment):
        raise PermissionDenied(_("This review is assigned to another reviewer."))
    if not perms.has_cleared(assignment):
        raise PermissionDenied(
            _("Accept the invitation and the confidentiality undertaking first."),
            code="confidentiality-required",
        )
    if round.status != RoundStatus.open:
        raise Conflict(_("The round is closed: reviews can no longer be changed."))
    rubric = rubrics.get(session, round.rubric_id)
    by_code = {s.criterion: s for s in data.scores}
    errors: dict[str, str] = {}
    unknown = set(by_code) - {c.code for c in rubric.criteria}
    if unknown:
        errors["scores"] = _("Unknown criteria: %(codes)s.", codes=", ".join(sorted(unknown)))
    for criterion in rubric.criteria:
        given = by_code.get(criterion.code)
        value = given.score if given else None
        if value is not None and not criterion.scale_min <= value <= criterion.scale_max:
            errors[f"score_{criterion.code}"] = _(
                "Enter a score from %(min)s to %(max)s.",
                min=f"{criterion.scale_min:g}",
                max=f"{criterion.scale_max:g}",
            )
        elif submit and value is None:
            errors[f"score_{criterion.code}"] = _(
                "Give a score for “%(criterion)s”.", criterion=criterion.name(get_language())
            )
        if submit and (given is None or not given.justification.strip()):
            errors[f"justification_{criterion.code}"] = _(
                "Justify the score for “%(criterion)s”.", criterion=criterion.name(get_language())
            )
    if submit and data.recommendation is None:
        errors["recommendation"] = _("Choose a recommendation.")
    if errors:
        raise ValidationFailed(_("Please correct the review."), errors=errors)

    review = get_review(session, assignment) or Review(assignment_id=assignment.id)
    existing = {s.criterion_id: s for s in review.scores}
    rows = []
    for criterion in rubric.criteria:
        given = by_code.get(criterion.code)
        row = existing.get(criterion.id) or ReviewScore(criterion_id=criterion.id)
        row.score = given.score if given else None
        row.justification = given.justification.strip() if given else ""
        rows.append(row)
    review.scores = rows
    review.total = weighted_total(
        rubrics.specs(rubric),
        {c.code: by_code[c.code].score for c in rubric.criteria if c.code in by_code},
    )
    review.recommendation = Recommendation(data.recommendation) if data.recommendation else None
    review.comments_for_submitter = data.comments_for_submitter.strip()
    review.confidential_comments = data.confidential_comments.strip()
    now = utcnow()
    review.updated_at = now
    if submit and review.status != ReviewStatus.submitted:
        review.status, review.submitted_at = ReviewStatus.submitted, now
        assignment.status = AssignmentStatus.submitted
        session.add(assignment)
    session.add(review)
    session.flush()
    return review


def scores_by_code(session: Session, review: Review | None) -> dict[str, ReviewScore]:
    if review is None:
        return {}
    round = session.exec(
        select(ReviewRound)
        .join(Assignment, col(Assignment.round_id) == col(ReviewRound.id))
        .where(Assignment.id == review.assignment_id)
    ).one()
    codes = {c.id: c.code for c in rubrics.get(session, round.rubric_id).criteria}
    return {codes[s.criterion_id]: s for s in review.scores if s.criterion_id in codes}


# -- reminders ---------------------------------------------------------------
def local_day(value):
    """The calendar day in Vietnam: reminders count days as the reviewers do."""
    return value.astimezone(TIMEZONE).date()


def send_reminders(session: Session) -> int:
    """Queue one reminder per overdue open assignment per (Vietnamese) calendar day.

    Idempotent: `reminded_at` records the last reminder, so running this job
    again on the same day queues nothing. The first reminder of an assignment
    also tells the coordinators (`review.overdue`) — once per assignment, not
    daily: the round page lists who is late, a daily copy would only be noise.
    """
    now = utcnow()
    today = local_day(now)
    rows = session.exec(
        select(Assignment)
        .join(ReviewRound, col(ReviewRound.id) == col(Assignment.round_id))
        .where(
            ReviewRound.status == RoundStatus.open,
            ReviewRound.due_at < now,
            col(Assignment.status).in_(list(OPEN_ASSIGNMENT_STATES)),
        )
        .order_by(col(Assignment.id))
    ).all()
    sent = 0
    for assignment in rows:
        if assignment.reminded_at is not None and local_day(assignment.reminded_at) >= today:
            continue
        if assignment.reminded_at is None:
            outbox.enqueue(
                session,
                topics.REVIEW_OVERDUE,
                {"assignment_id": assignment.id},
                key=f"review-overdue:{assignment.id}",
            )
        outbox.enqueue(
            session,
            topics.REVIEW_REMINDED,
            {"assignment_id": assignment.id},
            key=f"review-reminder:{assignment.id}",
        )
        assignment.reminded_at = now
        session.add(assignment)
        sent += 1
    return sent
