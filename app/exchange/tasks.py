"""Outbox handlers: the authors hear of a new contact request, the requester of the answer.

Each handler reads the committed request when it runs: a request withdrawn
before its notice went out is not worth telling anyone about. The dedupe key
names the request, so a retried event reaches nobody twice.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts.models import Organisation, User
from app.exchange import service
from app.exchange.models import ContactRequest, RequestStatus
from app.notifications.service import notify
from app.notifications.workflow import authors
from app.outbox.models import OutboxEvent
from app.outbox.service import handler

INCOMING = "/exchange/incoming"
SENT = "/exchange/requests"


@handler(service.TOPIC_REQUESTED)
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


@handler(service.TOPIC_ANSWERED)
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
