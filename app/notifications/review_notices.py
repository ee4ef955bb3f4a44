"""Reviewers and coordinators hear about the review process: invitations, reminders, overdue reviews,
closing rounds.

Called from the outbox handlers in tasks.py with the reviews domain's
payloads. Each function looks at the committed state when it runs (an
invitation already answered, a review already submitted or a round already
closed is not worth a message any more) and notifies each recipient once:
the dedupe key names the fact, not the event, so a retried or doubled event
reaches nobody twice.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.initiatives import visibility
from app.initiatives.models import Initiative
from app.notifications.service import notify
from app.notifications.workflow import coordinators
from app.reviews import reviewing
from app.reviews.models import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_ASSIGNMENT_STATES,
    Assignment,
    AssignmentStatus,
    ReviewRound,
    RoundStatus,
)

REVIEWER_HOME = "/reviews"


def assignment_link(assignment: Assignment) -> str:
    return f"/reviews/assignments/{assignment.id}"


def round_link(round: ReviewRound) -> str:
    return f"/reviews/rounds/{round.id}"


def _load(session: Session, assignment_id: Any) -> tuple[Assignment, ReviewRound, User] | None:
    assignment = session.get(Assignment, int(assignment_id))
    if assignment is None:
        return None
    return (
        assignment,
        session.get_one(ReviewRound, assignment.round_id),
        session.get_one(User, assignment.reviewer_id),
    )


def invited(session: Session, payload: dict[str, Any]) -> None:
    """The reviewer is asked to accept or decline, unless they already answered or the round closed."""
    found = _load(session, payload["assignment_id"])
    if found is None:
        return
    assignment, round, reviewer = found
    if assignment.status != AssignmentStatus.invited or round.status != RoundStatus.open:
        return
    notify(
        session,
        reviewer,
        "review_invitation",
        dedupe_key=f"review-invitation:{assignment.id}",
        template="notifications/mail/review_invitation",
        context={
            "reviewer": reviewer,
            "round": round,
            "assignment": assignment,
            "brief": visibility.review_brief(
                session, session.get_one(Initiative, assignment.initiative_id), blind=round.blind
            ),
        },
        link=assignment_link(assignment),
    )


def reminded(session: Session, payload: dict[str, Any], event_id: int) -> None:
    """One reminder per assignment per day (the day the reviews domain recorded in `reminded_at`)."""
    found = _load(session, payload["assignment_id"])
    if found is None:
        return
    assignment, round, reviewer = found
    if assignment.status not in OPEN_ASSIGNMENT_STATES or round.status != RoundStatus.open:
        return  # submitted or declined meanwhile: nothing to remind of
    day = (
        reviewing.local_day(assignment.reminded_at).isoformat()
        if assignment.reminded_at
        else f"event-{event_id}"
    )
    notify(
        session,
        reviewer,
        "review_reminder",
        dedupe_key=f"review-reminder:{assignment.id}:{day}",
        template="notifications/mail/review_reminder",
        context={"reviewer": reviewer, "round": round, "assignment": assignment},
        link=assignment_link(assignment),
    )


def overdue(session: Session, payload: dict[str, Any]) -> None:
    """Every coordinator hears once that this assignment's review is late."""
    found = _load(session, payload["assignment_id"])
    if found is None:
        return
    assignment, round, reviewer = found
    if assignment.status not in OPEN_ASSIGNMENT_STATES or round.status != RoundStatus.open:
        return
    initiative = session.get(Initiative, assignment.initiative_id)
    for user in coordinators(session):
        notify(
            session,
            user,
            "overdue_review",
            dedupe_key=f"review-overdue:{assignment.id}",
            template="notifications/mail/overdue_review",
            context={
                "reviewer": reviewer,
                "round": round,
                "assignment": assignment,
                "initiative": initiative,
            },
            link=round_link(round),
        )


def _reviewers_of(session: Session, round: ReviewRound, states: frozenset[str]) -> list[User]:
    ids = session.exec(
        select(Assignment.reviewer_id)
        .where(Assignment.round_id == round.id, col(Assignment.status).in_(list(states)))
        .distinct()
    ).all()
    return [u for u in (session.get(User, i) for i in sorted(ids)) if u is not None]


def round_closing(session: Session, payload: dict[str, Any]) -> None:
    """ "Closes soon" to reviewers still at work; "closed" to every reviewer who did not decline."""
    round = session.get(ReviewRound, int(payload["round_id"]))
    if round is None:
        return
    notice = payload.get("notice", "closed")
    if notice == "closes_soon":
        if round.status != RoundStatus.open:
            return  # already closed: the "closed" notice says it all
        people = _reviewers_of(session, round, OPEN_ASSIGNMENT_STATES)
        key = f"round-closing-soon:{round.id}:{round.due_at.isoformat()}"
    else:
        people = _reviewers_of(session, round, ACTIVE_ASSIGNMENT_STATES)
        key = f"round-closed:{round.id}"
    for reviewer in people:
        notify(
            session,
            reviewer,
            "round_closing",
            dedupe_key=key,
            template="notifications/mail/round_closing",
            context={"reviewer": reviewer, "round": round, "notice": notice},
            link=REVIEWER_HOME,
        )
