"""Opening a deal: directly on a public initiative, from an accepted contact request, or from a
problem's awarded proposal (the problem's organisation is then the counterparty)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.exchange import deal_history as history
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_schemas import (
    DealIn,
)
from app.exchange.models import (
    ContactRequest,
    Deal,
    DealKind,
    DealStage,
    RequestStatus,
)
from app.i18n import _
from app.initiatives.models import Initiative
from app.initiatives.visibility import is_public
from app.outbox import service as outbox
from app.outbox import topics
from app.problems import permissions as problem_perms
from app.problems.models import Problem, Proposal, ProposalStatus

S = DealStage


# -- opening -----------------------------------------------------------------------
def _open(
    session: Session,
    user: User,
    initiative: Initiative,
    organisation_id: int,
    data: DealIn,
    request: ContactRequest | None = None,
    proposal: Proposal | None = None,
) -> Deal:
    existing = session.exec(
        select(Deal).where(
            Deal.initiative_id == initiative.id,
            Deal.organisation_id == organisation_id,
            col(Deal.stage).in_(list(workflow.OPEN_STAGES)),
        )
    ).first()
    if existing is not None:
        raise Conflict(
            _("An open deal between this organisation and this initiative exists already."),
            deal_id=existing.id,
        )
    assert initiative.id is not None and user.id is not None
    funding = data.kind == DealKind.funding
    deal = Deal(
        initiative_id=initiative.id,
        organisation_id=organisation_id,
        contact_request_id=request.id if request else None,
        proposal_id=proposal.id if proposal else None,
        created_by_id=user.id,
        kind=data.kind,
        amount_band=data.amount_band if funding else None,
        instrument=data.instrument if funding else None,
    )
    session.add(deal)
    session.flush()
    assert deal.id is not None
    history.append(
        session,
        deal_id=deal.id,
        actor_id=user.id,
        action="opened",
        from_stage=None,
        to_stage=S.contact,
        detail={
            "initiative_id": initiative.id,
            "organisation_id": organisation_id,
            "contact_request_id": deal.contact_request_id,
            **({"proposal_id": deal.proposal_id} if proposal else {}),
            "kind": deal.kind,
        },
        at=deal.created_at,
    )
    outbox.enqueue(
        session,
        topics.DEAL_TRANSITIONED,
        {"deal_id": deal.id, "from": None, "to": S.contact, "actor_id": user.id},
        key=f"deal:{deal.id}",
    )
    return deal


def open_directly(session: Session, user: User, initiative: Initiative, data: DealIn) -> Deal:
    """Someone acting for an organisation opens a deal on a public initiative."""
    if not is_public(initiative):
        raise NotFound(_("No published initiative has this number."))
    if not perms.can_open_deal_directly(user, initiative):
        raise PermissionDenied(
            _("Only someone acting for an organisation can open a deal on another's initiative.")
        )
    assert user.organisation_id is not None
    return _open(session, user, initiative, user.organisation_id, data)


def open_from_request(session: Session, user: User, request: ContactRequest) -> Deal:
    """Either side of an accepted contact request turns it into a deal with the requester's organisation."""
    initiative = session.get(Initiative, request.initiative_id)
    assert initiative is not None
    if request.status != RequestStatus.accepted:
        raise InvalidTransition(
            _("Only an accepted contact request can become a deal."), current=request.status
        )
    if request.organisation_id is None:
        raise ValidationFailed(
            _("The requester named no organisation: a deal needs a counterparty organisation.")
        )
    is_requester = request.requester_id == user.id and accounts.acts_for(
        user, request.organisation_id
    )
    from app.initiatives import permissions as initiative_perms

    if not (is_requester or initiative_perms.is_author(user, initiative)):
        raise PermissionDenied(_("Only the parties of the deal can do this."))
    kind = DealKind.funding if request.purpose == "invest" else DealKind.transfer
    return _open(session, user, initiative, request.organisation_id, DealIn(kind=kind), request)


def deal_of_proposal(session: Session, proposal_id: int) -> Deal | None:
    """The newest deal carrying out this proposal (the link back from the problem's side)."""
    return session.exec(
        select(Deal).where(Deal.proposal_id == proposal_id).order_by(col(Deal.id).desc())
    ).first()


def can_open_from_proposal(user: User | None, proposal: Proposal, problem: Problem) -> bool:
    """The proposer or the problem's owner, once the proposal naming an initiative is awarded."""
    return (
        user is not None
        and proposal.status == ProposalStatus.awarded
        and proposal.initiative_id is not None
        and (user.id == proposal.proposer_id or problem_perms.is_owner(user, problem))
    )


def open_from_proposal(session: Session, user: User, proposal: Proposal) -> Deal:
    """The problem's owner or the proposer turns an awarded proposal into a deal.

    The initiative the proposal names is the deal's subject, its authors one side; the problem's
    organisation is the counterparty. A sketch proposal names no initiative: the proposer
    submits the solution as an initiative first (a deal's history and agreement hang on one).
    """
    problem = session.get_one(Problem, proposal.problem_id)
    if proposal.status != ProposalStatus.awarded:
        raise InvalidTransition(
            _("Only an awarded proposal can become a deal."), current=proposal.status
        )
    if not (user.id == proposal.proposer_id or problem_perms.is_owner(user, problem)):
        raise PermissionDenied(
            _("Only the proposer or the problem's owner can open a deal from this proposal.")
        )
    if proposal.initiative_id is None:
        raise ValidationFailed(
            _(
                "This proposal is a sketch: a deal needs an initiative. Submit the solution as an "
                "initiative first, then propose it."
            )
        )
    if problem.organisation_id is None:
        raise ValidationFailed(
            _("This problem names no organisation: a deal needs a counterparty organisation.")
        )
    existing = deal_of_proposal(session, proposal.id)
    if existing is not None and existing.stage in workflow.OPEN_STAGES:
        raise Conflict(_("A deal on this proposal is open already."), deal_id=existing.id)
    initiative = session.get_one(Initiative, proposal.initiative_id)
    return _open(session, user, initiative, problem.organisation_id, DealIn(), proposal=proposal)
