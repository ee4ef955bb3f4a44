"""Decisions after review: select, reject or return, with a written rationale.

The decision goes through `workflow.transition` (so it enters the
initiative's hash-chained history with the decider and the rationale) and is
kept in `review_decision` with the round it concluded. The submitter is
mailed the reviewers' comments for the submitter, anonymised as "Reviewer 1",
"Reviewer 2"… in the order the reviews were created.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.initiatives import workflow
from app.initiatives.models import Initiative
from app.mail.service import queue_mail
from app.reviews import permissions as perms
from app.reviews.models import (
    Assignment,
    Decision,
    Outcome,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundItem,
)

TARGETS = {
    Outcome.select: workflow.Status.selected,
    Outcome.reject: workflow.Status.rejected,
    Outcome.return_: workflow.Status.returned_for_revision,
}


def outcome_label(outcome: str) -> str:
    labels: dict[str, str] = {
        Outcome.select: _("Select"),
        Outcome.reject: _("Reject"),
        Outcome.return_: _("Return for revision"),
    }
    return labels.get(outcome, outcome)


def comments_for_submitter(
    session: Session, round: ReviewRound, initiative: Initiative
) -> list[tuple[str, str]]:
    """[("Reviewer 1", comment), …] from the submitted reviews; reviewers are never named."""
    reviews = session.exec(
        select(Review)
        .join(Assignment, col(Assignment.id) == col(Review.assignment_id))
        .where(
            Assignment.round_id == round.id,
            Assignment.initiative_id == initiative.id,
            Review.status == ReviewStatus.submitted,
        )
        .order_by(col(Review.id))
    ).all()
    return [
        (_("Reviewer %(n)s", n=k), r.comments_for_submitter)
        for k, r in enumerate(reviews, 1)
        if r.comments_for_submitter
    ]


def submitted_reviews(session: Session, round: ReviewRound, initiative: Initiative) -> int:
    """How many reviews of `initiative` were submitted in `round`."""
    return len(
        session.exec(
            select(Review.id)
            .join(Assignment, col(Assignment.id) == col(Review.assignment_id))
            .where(
                Assignment.round_id == round.id,
                Assignment.initiative_id == initiative.id,
                Review.status == ReviewStatus.submitted,
            )
        ).all()
    )


def decisions_for(session: Session, round: ReviewRound) -> dict[int, Decision]:
    rows = session.exec(
        select(Decision).where(col(Decision.round_id) == round.id).order_by(col(Decision.id))
    ).all()
    return {d.initiative_id: d for d in rows}


def decide(
    session: Session,
    actor: User,
    round: ReviewRound,
    initiative: Initiative,
    outcome: str,
    rationale: str,
    override_reason: str | None = None,
) -> Decision:
    """Select, reject or return `initiative` after `round`.

    Selecting or rejecting needs at least the round's wanted number of submitted reviews, or an
    `override_reason` (kept on the decision, in the history and shown on the ranking).
    """
    if not perms.can_manage_reviews(actor):
        raise PermissionDenied(_("Only coordinators decide on initiatives."))
    if (
        session.exec(
            select(RoundItem.id).where(
                RoundItem.round_id == round.id, RoundItem.initiative_id == initiative.id
            )
        ).first()
        is None
    ):
        raise NotFound(_("This initiative is not in the round."))
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise ValidationFailed(
            _("Choose select, reject or return."),
            errors={"outcome": _("Choose one of the options.")},
        ) from None
    rationale = rationale.strip()
    if not rationale:
        raise ValidationFailed(
            _("A decision needs a written rationale."),
            errors={"rationale": _("This field is required.")},
        )
    if initiative.status != workflow.Status.in_review:
        raise Conflict(
            _("This initiative is no longer in review: it was already decided."),
            code="already-decided",
        )
    submitted = submitted_reviews(session, round, initiative)
    override = (override_reason or "").strip() or None
    if submitted >= round.reviews_wanted:
        override = None  # nothing to override
    workflow.transition(
        session,
        initiative,
        TARGETS[chosen],
        actor=actor,
        reason=rationale,
        evidence=workflow.Evidence(
            workflow.Via.decision,
            round_id=round.id,
            submitted_reviews=submitted,
            minimum_reviews=round.reviews_wanted,
            override_reason=override,
        ),
    )
    decision = Decision(
        initiative_id=initiative.id,
        round_id=round.id,
        outcome=chosen,
        rationale=rationale,
        override_reason=override if chosen != Outcome.return_ else None,
        decided_by_id=actor.id,
    )
    session.add(decision)
    session.flush()
    submitter = session.get_one(User, initiative.submitter_id)
    queue_mail(
        session,
        to=submitter.email,
        template="reviews/mail/decision",
        language=submitter.language,
        context={
            "initiative": initiative,
            "decision": decision,
            "outcome": outcome_label(chosen),
            "comments": _comments_in(session, round, initiative, submitter.language),
        },
        key=f"review-decision:{initiative.id}",
    )
    return decision


def _comments_in(session: Session, round: ReviewRound, initiative: Initiative, language: str):
    from app.i18n import use_language

    with use_language(language):
        return comments_for_submitter(session, round, initiative)
