"""Contact request verbs: ask, accept, refuse, withdraw; and who sees which requests.

Each verb checks the predicates in permissions.py, changes the request and
queues the notice (`contact.requested` to the authors, `contact.answered` to
the requester) in the caller's transaction, so nobody hears about a change
that was rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.accounts.models import Organisation, User
from app.accounts.permissions import acts_for
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from app.exchange import permissions as perms
from app.exchange.models import ContactRequest, Purpose, RequestStatus
from app.exchange.schemas import AcceptIn, ContactRequestIn, RefuseIn
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives import service as initiatives_service
from app.initiatives.models import CoAuthor, Initiative
from app.initiatives.visibility import is_public, status_of
from app.initiatives.workflow import PUBLISHED_STATES
from app.outbox import topics
from app.outbox.service import enqueue


def purpose_label(purpose: str) -> str:
    labels: dict[str, str] = {
        Purpose.adopt: _("Adopt or apply it"),
        Purpose.invest: _("Invest in it"),
        Purpose.partner: _("Partner on it"),
        Purpose.license: _("License the technology"),
        Purpose.other: _("Something else"),
    }
    return labels.get(purpose, purpose)


def purpose_options() -> list[tuple[str, str]]:
    return [(p.value, purpose_label(p)) for p in Purpose]


def status_label(status: str) -> str:
    labels: dict[str, str] = {
        RequestStatus.pending: _("Waiting for an answer"),
        RequestStatus.accepted: _("Accepted"),
        RequestStatus.refused: _("Refused"),
        RequestStatus.withdrawn: _("Withdrawn"),
    }
    return labels.get(status, status)


# -- loading -------------------------------------------------------------------
def public_initiative(session: Session, initiative_id: int) -> Initiative:
    """A published (or commercialising) initiative; anything else is unknown here (404)."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or not is_public(initiative):
        raise NotFound(_("No published initiative has this number."))
    return initiative


def initiative_of(session: Session, request: ContactRequest) -> Initiative:
    return session.get_one(Initiative, request.initiative_id)


def get_visible(session: Session, user: User | None, request_id: int) -> ContactRequest:
    """The request, if `user` is its requester or an author of its initiative (404 otherwise)."""
    request = session.get(ContactRequest, request_id)
    if request is None or not perms.can_see_request(user, request, initiative_of(session, request)):
        raise NotFound(_("No such contact request."))
    return request


def pending_of(session: Session, user: User, initiative: Initiative) -> ContactRequest | None:
    return session.exec(
        select(ContactRequest).where(
            ContactRequest.initiative_id == initiative.id,
            ContactRequest.requester_id == user.id,
            ContactRequest.status == RequestStatus.pending,
        )
    ).first()


def sent(session: Session, user: User) -> list[ContactRequest]:
    return list(
        session.exec(
            select(ContactRequest)
            .where(ContactRequest.requester_id == user.id)
            .order_by(col(ContactRequest.id).desc())
        )
    )


def received(
    session: Session, user: User, initiative: Initiative | None = None
) -> list[ContactRequest]:
    """Requests about the initiatives `user` authors (or about one of them), newest first."""
    if initiative is not None:
        if not initiative_perms.is_author(user, initiative):
            return []
        query = select(ContactRequest).where(ContactRequest.initiative_id == initiative.id)
    else:
        coauthored = select(CoAuthor.initiative_id).where(CoAuthor.user_id == user.id)
        authored = select(Initiative.id).where(
            or_(Initiative.submitter_id == user.id, col(Initiative.id).in_(coauthored))
        )
        query = select(ContactRequest).where(col(ContactRequest.initiative_id).in_(authored))
    return list(session.exec(query.order_by(col(ContactRequest.id).desc())))


# -- verbs ---------------------------------------------------------------------
def request_contact(
    session: Session, user: User, initiative: Initiative, data: ContactRequestIn
) -> ContactRequest:
    if not is_public(initiative):
        raise NotFound(_("No published initiative has this number."))
    if initiative_perms.is_author(user, initiative):
        raise PermissionDenied(_("You cannot request contact about your own initiative."))
    if not perms.can_request_contact_on(user, initiative):
        raise PermissionDenied(
            _("Only enterprises, investors and intermediaries can request contact.")
        )
    if pending_of(session, user, initiative) is not None:
        raise Conflict(_("You already have a request waiting for an answer on this initiative."))
    request = ContactRequest(
        initiative_id=initiative.id,
        requester_id=user.id,
        # Sent in the organisation's name only by an approved member of it.
        organisation_id=user.organisation_id if acts_for(user, user.organisation_id) else None,
        purpose=data.purpose,
        message=data.message,
        pending_key=f"{initiative.id}:{user.id}",
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent request got there first
        raise Conflict(
            _("You already have a request waiting for an answer on this initiative.")
        ) from exc
    enqueue(
        session,
        topics.CONTACT_REQUESTED,
        {"request_id": request.id},
        key=f"contact-request:{request.id}",
    )
    return request


def _answer(
    session: Session, user: User, request: ContactRequest, status: RequestStatus, message: str
) -> None:
    request.status, request.pending_key = status, None
    request.responded_at, request.responded_by_id, request.response_message = (
        utcnow(),
        user.id,
        message.strip(),
    )
    session.add(request)
    enqueue(
        session,
        topics.CONTACT_ANSWERED,
        {"request_id": request.id},
        key=f"contact-request:{request.id}",
    )


def _require_answerable(user: User, request: ContactRequest, initiative: Initiative) -> None:
    if not initiative_perms.is_author(user, initiative):
        raise PermissionDenied(_("Only the authors of the initiative can answer this request."))
    if not perms.can_answer(user, request, initiative):
        raise InvalidTransition(
            _("This request has already been answered or withdrawn."), current=request.status
        )


def accept(session: Session, user: User, request: ContactRequest, data: AcceptIn) -> ContactRequest:
    """Accept; with `grant_confidential` the submitter also opens the confidential sections to the requester."""
    initiative = initiative_of(session, request)
    _require_answerable(user, request, initiative)
    if data.grant_confidential:
        if not perms.can_grant_confidential(user, initiative):
            raise PermissionDenied(
                _("Only the submitter can give access to the confidential sections.")
            )
        requester = session.get_one(User, request.requester_id)
        initiatives_service.grant_access(session, user, initiative, requester.email)
    request.grant_confidential = data.grant_confidential
    _answer(session, user, request, RequestStatus.accepted, data.message)
    return request


def refuse(session: Session, user: User, request: ContactRequest, data: RefuseIn) -> ContactRequest:
    _require_answerable(user, request, initiative_of(session, request))
    _answer(session, user, request, RequestStatus.refused, data.message)
    return request


def withdraw(session: Session, user: User, request: ContactRequest) -> ContactRequest:
    if not perms.is_requester(user, request):
        raise PermissionDenied(_("Only the person who asked can withdraw a request."))
    if not perms.can_withdraw(user, request):
        raise InvalidTransition(
            _("This request has already been answered or withdrawn."), current=request.status
        )
    request.status, request.pending_key, request.withdrawn_at = (
        RequestStatus.withdrawn,
        None,
        utcnow(),
    )
    session.add(request)
    return request


# -- what a person sees of a request -------------------------------------------
def contact_for(
    session: Session, user: User | None, request: ContactRequest, initiative: Initiative
) -> dict[str, str] | None:
    """The other side's name and email, once accepted: the submitter for the requester, the requester for
    the authors."""
    if not perms.can_see_contact(user, request, initiative):
        return None
    other_id = (
        initiative.submitter_id if perms.is_requester(user, request) else request.requester_id
    )
    other = session.get_one(User, other_id)
    return {"full_name": other.full_name, "email": other.email}


def describe(session: Session, user: User | None, request: ContactRequest) -> dict[str, Any]:
    """A request as `user` may see it (the shape of the API's ContactRequestOut; pages use it too)."""
    initiative = initiative_of(session, request)
    requester = session.get_one(User, request.requester_id)
    organisation = (
        session.get(Organisation, request.organisation_id) if request.organisation_id else None
    )
    return {
        "id": request.id,
        "initiative": {"id": initiative.id, "title": initiative.title},
        "requester": {
            "full_name": requester.full_name,
            "organisation": organisation.name if organisation else None,
        },
        "purpose": request.purpose,
        "message": request.message,
        "status": request.status,
        "created_at": request.created_at,
        "responded_at": request.responded_at,
        "response_message": request.response_message,
        "grant_confidential": request.grant_confidential,
        "withdrawn_at": request.withdrawn_at,
        "contact": contact_for(session, user, request, initiative),
        "can_answer": perms.can_answer(user, request, initiative),
        "can_grant": perms.can_grant_confidential(user, initiative),
        "can_withdraw": perms.can_withdraw(user, request),
    }


def panel(session: Session, user: User | None, initiative_id: int) -> dict[str, Any]:
    """What the public initiative page offers this reader: sign in, the form, or their request's state."""
    if user is None:
        # A visitor: whether it is public is all (not the row with its people and files;
        # the public page has read its status already).
        status = status_of(session, initiative_id)
        return {"state": "sign_in" if status in PUBLISHED_STATES else "hidden"}
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or not is_public(initiative):
        return {"state": "hidden"}
    if initiative_perms.is_author(user, initiative):
        return {"state": "own"}
    if not perms.can_request_contact_on(user, initiative):
        return {"state": "not_allowed"}
    latest = session.exec(
        select(ContactRequest)
        .where(
            ContactRequest.initiative_id == initiative.id, ContactRequest.requester_id == user.id
        )
        .order_by(col(ContactRequest.id).desc())
    ).first()
    can_open_deal = perms.can_open_deal_directly(user, initiative)
    if latest is not None and latest.status in (RequestStatus.pending, RequestStatus.accepted):
        return {
            "state": str(latest.status),
            "request": describe(session, user, latest),
            "can_open_deal": can_open_deal,
        }
    return {"state": "form", "can_open_deal": can_open_deal}
