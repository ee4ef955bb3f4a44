"""An intermediary joins a deal as facilitator, only with the consent of both parties.

A party invites an intermediary from the directory (its own side's consent is recorded with the
invitation), or the intermediary asks to join a deal it serves through a service request; then
each side that has not consented yet accepts. With both consents the facilitator is `active`
and sees what `deal_queries` lets a facilitator see; either party removes it at any time (a
waiting request is declined the same way). Every step is in the deal's hash-chained history.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_queries import facilitators_of, initiative_of, organisation_name
from app.exchange.models import (
    Deal,
    DealFacilitator,
    DealStage,
    FacilitatorStatus,
    IntermediaryProfile,
    ServiceRequest,
    ServiceRequestStatus,
    Side,
)
from app.i18n import _
from app.outbox import service as outbox
from app.outbox import topics

F = FacilitatorStatus


def _consent(facilitator: DealFacilitator, side: Side, user: User) -> None:
    now = utcnow()
    if side == Side.initiative:
        facilitator.initiative_consent_by_id, facilitator.initiative_consent_at = user.id, now
    else:
        facilitator.counterparty_consent_by_id, facilitator.counterparty_consent_at = user.id, now
    if facilitator.initiative_consent_at and facilitator.counterparty_consent_at:
        facilitator.status = F.active


def _serves_deal(session: Session, user: User, deal: Deal, profile: IntermediaryProfile) -> bool:
    """Acts for the intermediary and has an accepted or delivered service request on the deal."""
    if not accounts.acts_for(user, profile.organisation_id):
        return False
    served = session.exec(
        select(ServiceRequest).where(
            ServiceRequest.deal_id == deal.id,
            ServiceRequest.profile_id == profile.id,
            col(ServiceRequest.status).in_(
                [ServiceRequestStatus.accepted, ServiceRequestStatus.delivered]
            ),
        )
    ).first()
    return served is not None


def _notify(session: Session, deal: Deal, facilitator: DealFacilitator, event: str) -> None:
    outbox.enqueue(
        session,
        topics.DEAL_FACILITATOR_CHANGED,
        {"deal_id": deal.id, "facilitator_id": facilitator.id, "event": event},
        key=f"deal:{deal.id}",
    )


def request(session: Session, user: User, deal: Deal, profile_id: int) -> DealFacilitator:
    """A party invites the intermediary `profile_id`, or the intermediary asks to join."""
    initiative = initiative_of(session, deal)
    profile = session.get(IntermediaryProfile, profile_id)
    if profile is None:
        raise NotFound(_("No intermediary has this profile."))
    side = perms.side_of(user, deal, initiative)
    if side is None and not _serves_deal(session, user, deal, profile):
        raise PermissionDenied(
            _(
                "Only a party of the deal, or an intermediary serving it through an accepted "
                "service request, can ask for a facilitator."
            )
        )
    if deal.stage in (DealStage.abandoned, DealStage.deployed):
        raise InvalidTransition(
            _(
                "This deal is closed (“%(stage)s”): nothing more can be changed.",
                stage=workflow.stage_label(deal.stage),
            ),
            current=deal.stage,
        )
    if profile.organisation_id == deal.organisation_id:
        raise Conflict(_("The counterparty cannot facilitate its own deal."))
    current = [
        f
        for f in facilitators_of(session, deal)
        if f.organisation_id == profile.organisation_id and f.status != F.removed
    ]
    if current:
        raise Conflict(_("This intermediary is already invited to this deal or facilitates it."))
    assert deal.id is not None and profile.id is not None and user.id is not None
    facilitator = DealFacilitator(
        deal_id=deal.id,
        profile_id=profile.id,
        organisation_id=profile.organisation_id,
        requested_by_id=user.id,
    )
    if side is not None:
        _consent(facilitator, side, user)
    session.add(facilitator)
    session.flush()
    workflow.record(
        session,
        deal,
        "facilitator_requested",
        actor=user,
        detail={
            "facilitator_id": facilitator.id,
            "organisation": organisation_name(session, profile.organisation_id),
            "by_side": str(side) if side else "intermediary",
        },
    )
    _notify(session, deal, facilitator, "requested")
    return facilitator


def _get(session: Session, deal: Deal, facilitator_id: int) -> DealFacilitator:
    facilitator = session.get(DealFacilitator, facilitator_id)
    if facilitator is None or facilitator.deal_id != deal.id:
        raise NotFound(_("No such facilitator on this deal."))
    return facilitator


def consent(session: Session, user: User, deal: Deal, facilitator_id: int) -> DealFacilitator:
    """The other side accepts; with both sides' consent the intermediary joins the deal."""
    initiative = initiative_of(session, deal)
    facilitator = _get(session, deal, facilitator_id)
    side = perms.side_of(user, deal, initiative)
    if side is None:
        raise PermissionDenied(_("Only the parties of the deal can do this."))
    if not perms.can_consent_to_facilitator(user, deal, initiative, facilitator):
        raise Conflict(_("Your side has already answered this request."))
    _consent(facilitator, side, user)
    session.add(facilitator)
    joined = facilitator.status == F.active
    workflow.record(
        session,
        deal,
        "facilitator_joined" if joined else "facilitator_consented",
        actor=user,
        detail={"facilitator_id": facilitator.id, "side": str(side)},
    )
    _notify(session, deal, facilitator, "joined" if joined else "consented")
    return facilitator


def remove(session: Session, user: User, deal: Deal, facilitator_id: int) -> DealFacilitator:
    """Either party removes the facilitator (or declines a waiting request)."""
    initiative = initiative_of(session, deal)
    facilitator = _get(session, deal, facilitator_id)
    if perms.side_of(user, deal, initiative) is None:
        raise PermissionDenied(_("Only the parties of the deal can do this."))
    if not perms.can_remove_facilitator(user, deal, initiative, facilitator):
        raise Conflict(_("This facilitator has already left the deal."))
    was = facilitator.status
    facilitator.status = F.removed
    facilitator.removed_by_id, facilitator.removed_at = user.id, utcnow()
    session.add(facilitator)
    workflow.record(
        session,
        deal,
        "facilitator_removed",
        actor=user,
        detail={"facilitator_id": facilitator.id, "was": was},
    )
    _notify(session, deal, facilitator, "removed")
    return facilitator


def directory(session: Session) -> list[tuple[int, str]]:
    """(profile id, organisation name) of every intermediary a party may invite."""
    profiles = session.exec(select(IntermediaryProfile).order_by(col(IntermediaryProfile.id)))
    return [(p.id or 0, organisation_name(session, p.organisation_id)) for p in profiles]
