"""Proposals that answer a problem and their private threads: propose, withdraw (the proposer),
shortlist, decline with a structured reason, award (the owners); every change of a proposal's
stage is a row of `proposal_event` and an outbox topic.

Verbs take `session` first, check permissions and state, and queue side effects in the
caller's transaction; nothing commits here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives.models import Initiative
from app.outbox import service as outbox
from app.outbox import topics
from app.problems import permissions as perms
from app.problems import visibility, workflow
from app.problems.labels import proposal_status_label
from app.problems.models import (
    DeclineReason,
    Problem,
    Proposal,
    ProposalEvent,
    ProposalKind,
    ProposalMessage,
    ProposalStatus,
)
from app.problems.schemas import (
    AwardIn,
    MessageIn,
    ProblemProposalIn,
    ProposalDeclineIn,
    ProposalWithdrawIn,
)
from app.problems.workflow import Status

ANSWERABLE_STATES = frozenset({Status.open})
SELECTION_STATES = frozenset({Status.open, Status.closed, Status.evaluating})
# A proposer may withdraw until the selection is over (not once awarded or declined).
WITHDRAWABLE = frozenset({ProposalStatus.submitted, ProposalStatus.shortlisted})


def get_visible(session: Session, user: User | None, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    problem = session.get(Problem, proposal.problem_id) if proposal else None
    if (
        proposal is None
        or problem is None
        or not visibility.can_view_proposal(user, problem, proposal)
    ):
        raise NotFound(_("No such proposal."))
    return proposal


def problem_of(session: Session, proposal: Proposal) -> Problem:
    return session.get_one(Problem, proposal.problem_id)


def _record(
    session: Session,
    proposal: Proposal,
    actor: User | None,
    to_status: str,
    reason: str = "",
) -> ProposalEvent:
    """Set the proposal's stage and append its history row (who, from, to, why, when)."""
    event = ProposalEvent(
        proposal_id=proposal.id,
        actor_id=actor.id if actor else None,
        from_status=proposal.status if to_status != ProposalStatus.submitted else None,
        to_status=to_status,
        reason=reason or None,
    )
    proposal.status, proposal.updated_at = to_status, utcnow()
    session.add(proposal)
    session.add(event)
    return event


def history_view(session: Session, proposal: Proposal) -> list[dict[str, Any]]:
    """The proposal's history for its page (seen by whoever sees the proposal)."""
    rows = []
    for event in history(session, proposal):
        actor = session.get(User, event.actor_id) if event.actor_id else None
        rows.append(
            {
                "to_status": event.to_status,
                "actor": actor.full_name if actor else "",
                "reason": event.reason or "",
                "created_at": event.created_at,
            }
        )
    return rows


def history(session: Session, proposal: Proposal) -> list[ProposalEvent]:
    return list(
        session.exec(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id == proposal.id)
            .order_by(col(ProposalEvent.id))
        )
    )


def propose(session: Session, user: User, problem: Problem, data: ProblemProposalIn) -> Proposal:
    if problem.status not in ANSWERABLE_STATES:
        raise InvalidTransition(
            _("This problem no longer accepts proposals."), current=problem.status
        )
    if not perms.can_propose(user, problem):
        raise PermissionDenied(_("You cannot answer your own organisation's problem."))
    initiative: Initiative | None = None
    if data.kind == ProposalKind.initiative:
        initiative = session.get(Initiative, data.initiative_id) if data.initiative_id else None
        if initiative is None or not initiative_perms.is_author(user, initiative):
            raise ValidationFailed(
                _("Choose one of your initiatives."),
                errors={"initiative_id": _("Choose one of your initiatives.")},
            )
    assert problem.id is not None and user.id is not None
    proposal = Proposal(
        problem_id=problem.id,
        proposer_id=user.id,
        organisation_id=user.organisation_id,
        kind=data.kind,
        initiative_id=initiative.id if initiative else None,
        grant_confidential=data.grant_confidential if initiative else False,
        summary=data.summary,
        approach=data.approach.strip(),
        team=data.team.strip(),
        cost=data.cost,
        timeline=data.timeline.strip(),
        current_trl=data.current_trl
        if data.current_trl
        else (initiative.trl if initiative else None),
        confidential=data.confidential.strip(),
    )
    exists = session.exec(
        select(Proposal.id).where(
            Proposal.problem_id == problem.id, Proposal.proposer_id == user.id
        )
    ).first()
    if exists is not None:
        raise Conflict(_("You have already answered this problem."))
    session.add(proposal)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(_("You have already answered this problem.")) from exc
    _record(session, proposal, user, ProposalStatus.submitted)
    outbox.enqueue(
        session,
        topics.PROPOSAL_SUBMITTED,
        {"proposal_id": proposal.id},
        key=f"problem:{problem.id}",
    )
    return proposal


def _require_selecting(user: User, problem: Problem) -> None:
    if not perms.is_owner(user, problem):
        raise PermissionDenied(_("Only the problem's owners can do this."))
    if problem.status not in SELECTION_STATES:
        raise InvalidTransition(
            _("Proposals of this problem can no longer be changed."), current=problem.status
        )


def _require_pending(proposal: Proposal, *allowed: str) -> None:
    if proposal.status not in allowed:
        raise InvalidTransition(
            _(
                "This proposal is already “%(status)s”.",
                status=proposal_status_label(proposal.status),
            ),
            current=proposal.status,
        )


def shortlist(session: Session, user: User, proposal: Proposal) -> Proposal:
    _require_selecting(user, problem_of(session, proposal))
    _require_pending(proposal, ProposalStatus.submitted)
    _record(session, proposal, user, ProposalStatus.shortlisted)
    outbox.enqueue(
        session,
        topics.PROPOSAL_SHORTLISTED,
        {"proposal_id": proposal.id},
        key=f"proposal:{proposal.id}",
    )
    return proposal


def decline(session: Session, user: User, proposal: Proposal, data: ProposalDeclineIn) -> Proposal:
    _require_selecting(user, problem_of(session, proposal))
    _require_pending(proposal, ProposalStatus.submitted, ProposalStatus.shortlisted)
    text = data.text.strip()
    if data.reason == DeclineReason.other and not text:
        raise ValidationFailed(
            _("Please say why."), errors={"text": _("Say why when you choose “Other reason”.")}
        )
    proposal.decline_reason, proposal.decline_text = data.reason, text
    _record(session, proposal, user, ProposalStatus.declined, reason=text)
    outbox.enqueue(
        session,
        topics.PROPOSAL_DECLINED,
        {"proposal_id": proposal.id},
        key=f"proposal:{proposal.id}",
    )
    return proposal


def award(session: Session, user: User, problem: Problem, data: AwardIn) -> list[Proposal]:
    """Award one or more proposals; the problem moves to `awarded` (closing it first if needed
    is the clock's job: an open problem cannot be awarded)."""
    if not perms.is_owner(user, problem):
        raise PermissionDenied(_("Only the problem's owners can do this."))
    ids = sorted(set(data.proposal_ids))
    proposals = list(
        session.exec(
            select(Proposal).where(col(Proposal.id).in_(ids), Proposal.problem_id == problem.id)
        )
    )
    if len(proposals) != len(ids) or any(
        p.status not in (ProposalStatus.submitted, ProposalStatus.shortlisted) for p in proposals
    ):
        raise ValidationFailed(
            _("Choose proposals of this problem that are not declined."),
            errors={"proposal_ids": _("Choose proposals of this problem that are not declined.")},
        )
    workflow.transition(session, problem, Status.awarded, actor=user)
    for proposal in proposals:
        _record(session, proposal, user, ProposalStatus.awarded)
        outbox.enqueue(
            session,
            topics.PROPOSAL_AWARDED,
            {"proposal_id": proposal.id},
            key=f"proposal:{proposal.id}",
        )
    return proposals


def withdraw(
    session: Session, user: User, proposal: Proposal, data: ProposalWithdrawIn
) -> Proposal:
    """The proposer takes their proposal back (before an award or a decline); the owners are told."""
    if not perms.is_proposer(user, proposal):
        raise PermissionDenied(_("Only the proposer can withdraw a proposal."))
    problem = problem_of(session, proposal)
    if problem.status not in SELECTION_STATES:
        raise InvalidTransition(
            _("Proposals of this problem can no longer be changed."), current=problem.status
        )
    _require_pending(proposal, *WITHDRAWABLE)
    _record(session, proposal, user, ProposalStatus.withdrawn, reason=data.reason.strip())
    outbox.enqueue(
        session,
        topics.PROPOSAL_WITHDRAWN,
        {"proposal_id": proposal.id},
        key=f"proposal:{proposal.id}",
    )
    return proposal


def proposals_of(session: Session, user: User | None, problem: Problem) -> list[Proposal]:
    """The proposals `user` may see: all for owners and coordinators, their own for a proposer."""
    query = select(Proposal).where(Proposal.problem_id == problem.id).order_by(col(Proposal.id))
    if not visibility.is_manager(user, problem):
        if user is None:
            return []
        query = query.where(Proposal.proposer_id == user.id)
    return list(session.exec(query))


def my_proposals(session: Session, user: User) -> list[Proposal]:
    return list(
        session.exec(
            select(Proposal)
            .where(Proposal.proposer_id == user.id)
            .order_by(col(Proposal.id).desc())
        )
    )


# -- the private thread --------------------------------------------------------
def post_message(
    session: Session, user: User, proposal: Proposal, data: MessageIn
) -> ProposalMessage:
    problem = problem_of(session, proposal)
    if not (perms.is_owner(user, problem) or perms.is_proposer(user, proposal)):
        raise PermissionDenied(
            _("Only the problem's owners and the proposer write in this thread.")
        )
    assert proposal.id is not None and user.id is not None
    message = ProposalMessage(proposal_id=proposal.id, author_id=user.id, body=data.body)
    session.add(message)
    session.flush()
    outbox.enqueue(
        session, topics.PROPOSAL_MESSAGE, {"message_id": message.id}, key=f"proposal:{proposal.id}"
    )
    return message


def thread(session: Session, user: User | None, proposal: Proposal) -> list[dict[str, Any]]:
    messages = session.exec(
        select(ProposalMessage)
        .where(ProposalMessage.proposal_id == proposal.id)
        .order_by(col(ProposalMessage.id))
    )
    result = []
    for m in messages:
        author = session.get(User, m.author_id)
        result.append(
            {
                "id": m.id,
                "author": author.full_name if author else "",
                "mine": user is not None and m.author_id == user.id,
                "body": m.body,
                "created_at": m.created_at,
            }
        )
    return result
