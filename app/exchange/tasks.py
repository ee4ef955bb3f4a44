"""Outbox handlers: the authors hear of a new contact request, the requester of the answer.

Each handler reads the committed request when it runs: a request withdrawn
before its notice went out is not worth telling anyone about. The dedupe key
names the request, so a retried event reaches nobody twice.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, User
from app.exchange import deal_queries, deal_workflow, intermediaries, service
from app.exchange import permissions as perms
from app.exchange.models import (
    ContactRequest,
    Deal,
    DealFacilitator,
    DealOffer,
    IntermediaryProfile,
    RequestStatus,
    ServiceRequest,
    ServiceRequestStatus,
)
from app.notifications.service import notify
from app.notifications.workflow import authors
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler
from app.webhooks import service as webhooks
from app.webhooks.models import EVENT_DEAL_STAGE_CHANGED

INCOMING = "/exchange/incoming"
SENT = "/exchange/requests"


@handler(topics.CONTACT_REQUESTED)
def on_requested(session: Session, payload: dict, event: OutboxEvent) -> None:
    request = session.get(ContactRequest, int(payload["request_id"]))
    if request is None or request.status != RequestStatus.pending:
        return
    initiative = service.initiative_of(session, request)
    requester = session.get_one(User, request.requester_id)
    organisation = (
        session.get(Organisation, request.organisation_id) if request.organisation_id else None
    )
    context = {
        "request": request,
        "initiative": initiative,
        "requester": requester,
        "organisation": organisation,
        "purpose_label": service.purpose_label,
    }
    for author in authors(session, initiative):
        notify(
            session,
            author,
            "contact_request",
            dedupe_key=f"contact-requested:{request.id}",
            template="exchange/mail/requested",
            context=context,
            link=INCOMING,
        )


@handler(topics.CONTACT_ANSWERED)
def on_answered(session: Session, payload: dict, event: OutboxEvent) -> None:
    request = session.get(ContactRequest, int(payload["request_id"]))
    if request is None or request.status not in (RequestStatus.accepted, RequestStatus.refused):
        return
    initiative = service.initiative_of(session, request)
    requester = session.get_one(User, request.requester_id)
    context = {
        "request": request,
        "initiative": initiative,
        "contact": service.contact_for(session, requester, request, initiative),
    }
    notify(
        session,
        requester,
        "contact_answer",
        dedupe_key=f"contact-answered:{request.id}",
        template="exchange/mail/answered",
        context=context,
        link=SENT,
    )


# -- deals -------------------------------------------------------------------------
def deal_parties(session: Session, deal: Deal) -> list[User]:
    """Everyone on either side of the deal: the authors and those acting for the counterparty."""
    initiative = deal_queries.initiative_of(session, deal)
    members = session.exec(select(User).where(User.organisation_id == deal.organisation_id))
    counterparty = [u for u in members if perms.on_counterparty_side(u, deal, initiative)]
    return list({u.id: u for u in [*authors(session, initiative), *counterparty]}.values())


@handler(topics.DEAL_TRANSITIONED)
def on_deal_transitioned(session: Session, payload: dict, event: OutboxEvent) -> None:
    """Tell the parties (not the one who acted) and the two organisations' webhooks."""
    deal = session.get(Deal, int(payload["deal_id"]))
    if deal is None:
        return
    initiative = deal_queries.initiative_of(session, deal)
    context = {
        "deal": deal,
        "initiative": initiative,
        "stage": payload["to"],
        "stage_label": deal_workflow.stage_label,
    }
    for user in deal_parties(session, deal):
        if user.id == payload.get("actor_id"):
            continue
        notify(
            session,
            user,
            "deal_stage",
            dedupe_key=f"deal-stage:{deal.id}:{payload['to']}",
            template="exchange/mail/deal_stage",
            context=context,
            link=f"/exchange/deals/{deal.id}",
        )
    # Ids and stages only: never a value, a name or a document.
    data = {
        "deal_id": deal.id,
        "initiative_id": deal.initiative_id,
        "from": payload.get("from"),
        "to": payload["to"],
    }
    for organisation_id in dict.fromkeys([deal.organisation_id, initiative.organisation_id]):
        if organisation_id is not None:
            webhooks.dispatch(
                session, EVENT_DEAL_STAGE_CHANGED, data, organisation_id=organisation_id
            )


def _organisation_members(session: Session, organisation_id: int) -> list[User]:
    members = session.exec(select(User).where(User.organisation_id == organisation_id))
    return [u for u in members if accounts.acts_for(u, organisation_id)]


@handler(topics.DEAL_OFFER)
def on_deal_offer(session: Session, payload: dict, event: OutboxEvent) -> None:
    """An offer or counter-offer reaches the other side; its answer reaches the author's side."""
    offer = session.get(DealOffer, int(payload["offer_id"]))
    if offer is None:
        return
    deal = session.get_one(Deal, offer.deal_id)
    initiative = deal_queries.initiative_of(session, deal)
    kind = payload["event"]
    # "made" goes to the side that did not write the offer; an answer to the side that did.
    audience = offer.side if kind != "made" else None
    context = {"deal": deal, "initiative": initiative, "offer": offer, "event": kind}
    for user in deal_parties(session, deal):
        side = perms.side_of(user, deal, initiative)
        if (audience is None and side == offer.side) or (audience and side != audience):
            continue
        notify(
            session,
            user,
            "deal_activity",
            dedupe_key=f"deal-offer:{offer.id}:{kind}",
            template="exchange/mail/deal_offer",
            context=context,
            link=f"/exchange/deals/{deal.id}",
        )


@handler(topics.DEAL_FACILITATOR_CHANGED)
def on_facilitator_changed(session: Session, payload: dict, event: OutboxEvent) -> None:
    """The parties and the intermediary hear of an invitation, a consent, a join or a removal."""
    facilitator = session.get(DealFacilitator, int(payload["facilitator_id"]))
    if facilitator is None:
        return
    deal = session.get_one(Deal, facilitator.deal_id)
    initiative = deal_queries.initiative_of(session, deal)
    organisation = session.get_one(Organisation, facilitator.organisation_id)
    context = {
        "deal": deal,
        "initiative": initiative,
        "organisation": organisation,
        "event": payload["event"],
    }
    people = [*deal_parties(session, deal), *_organisation_members(session, organisation.id)]
    for user in {u.id: u for u in people}.values():
        notify(
            session,
            user,
            "deal_activity",
            dedupe_key=f"deal-facilitator:{facilitator.id}:{payload['event']}",
            template="exchange/mail/facilitator",
            context=context,
            # The intermediary reaches the deal only once both parties consented.
            link=f"/exchange/deals/{deal.id}",
        )


@handler(topics.SERVICE_REQUESTED)
def on_service_requested(session: Session, payload: dict, event: OutboxEvent) -> None:
    request = session.get(ServiceRequest, int(payload["request_id"]))
    if request is None or request.status != ServiceRequestStatus.requested:
        return
    profile = session.get_one(IntermediaryProfile, request.profile_id)
    context = {
        "request": request,
        "requester": session.get_one(User, request.requester_id),
        "service_label": intermediaries.service_label,
    }
    for user in _organisation_members(session, profile.organisation_id):
        if not intermediaries.manages(user, profile):
            continue
        notify(
            session,
            user,
            "service_request",
            dedupe_key=f"service-requested:{request.id}",
            template="exchange/mail/service_requested",
            context=context,
            link="/exchange/services",
        )


@handler(topics.SERVICE_ANSWERED)
def on_service_answered(session: Session, payload: dict, event: OutboxEvent) -> None:
    request = session.get(ServiceRequest, int(payload["request_id"]))
    if request is None:
        return
    profile = session.get_one(IntermediaryProfile, request.profile_id)
    status = str(payload["status"])
    context = {
        "request": request,
        "status": status,
        "intermediary": session.get_one(Organisation, profile.organisation_id),
        "service_label": intermediaries.service_label,
    }
    notify(
        session,
        session.get_one(User, request.requester_id),
        "service_answer",
        dedupe_key=f"service-answered:{request.id}:{status}",
        template="exchange/mail/service_answered",
        context=context,
        link="/exchange/services",
    )
