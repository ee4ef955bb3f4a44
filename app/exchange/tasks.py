"""Outbox handlers: the authors hear of a new contact request, the requester of the answer.

Each handler reads the committed request when it runs: a request withdrawn
before its notice went out is not worth telling anyone about. The dedupe key
names the request, so a retried event reaches nobody twice.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts.models import Organisation, User
from app.exchange import deal_workflow, deals, service
from app.exchange import permissions as perms
from app.exchange.models import ContactRequest, Deal, RequestStatus
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
    initiative = deals.initiative_of(session, deal)
    members = session.exec(select(User).where(User.organisation_id == deal.organisation_id))
    counterparty = [u for u in members if perms.on_counterparty_side(u, deal, initiative)]
    return list({u.id: u for u in [*authors(session, initiative), *counterparty]}.values())


@handler(deal_workflow.TOPIC_TRANSITIONED)
def on_deal_transitioned(session: Session, payload: dict, event: OutboxEvent) -> None:
    """Tell the parties (not the one who acted) and the two organisations' webhooks."""
    deal = session.get(Deal, int(payload["deal_id"]))
    if deal is None:
        return
    initiative = deals.initiative_of(session, deal)
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
