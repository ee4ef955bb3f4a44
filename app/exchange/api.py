"""Contact request JSON API under /api/v1: ask the authors of a published initiative, answer, withdraw.

Refusals are problem+json: 401 without a token; 404 for an initiative that is
not published (or does not exist) and for a request the caller is neither the
requester of nor an author of its initiative; 403 for asking about one's own
initiative or without an enterprise, investor or intermediary role, and for
answering or withdrawing someone else's request; 409 `conflict` for a second
pending request on the same initiative and `invalid-transition` for
answering or withdrawing a request that is no longer pending; 422
`validation-failed` for a bad body.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.exchange import service
from app.exchange.deps import PublicInitiative, VisibleRequest
from app.exchange.schemas import (
    AcceptIn,
    ContactRequestIn,
    ContactRequestOut,
    ContactRequestsOut,
    RefuseIn,
)
from app.web.api import PROBLEMS

router = APIRouter(tags=["contact requests"])


@router.post(
    "/initiatives/{initiative_id}/contact-requests",
    response_model=ContactRequestOut,
    status_code=201,
    responses=PROBLEMS,
    summary="Request contact with the authors",
)
def create(
    session: SessionDep, user: CurrentUser, initiative: PublicInitiative, body: ContactRequestIn
):
    """Ask the authors of a published (or commercialising) initiative to get in touch.

    Open to enterprises, investors and intermediaries, never about one's own
    initiative, at most one pending request per initiative. The authors are
    notified; the submitter's email is returned in `contact` only after they accept.
    """
    request = service.request_contact(session, user, initiative, body)
    return service.describe(session, user, request)


@router.get(
    "/contact-requests",
    response_model=ContactRequestsOut,
    responses={401: PROBLEMS[401]},
    summary="My contact requests, sent and received",
)
def list_mine(session: SessionDep, user: CurrentUser):
    """`sent`: the caller's own requests; `received`: requests about initiatives the caller authors.
    Newest first."""
    return {
        "sent": [service.describe(session, user, r) for r in service.sent(session, user)],
        "received": [service.describe(session, user, r) for r in service.received(session, user)],
    }


@router.get(
    "/contact-requests/{request_id}",
    response_model=ContactRequestOut,
    responses=PROBLEMS,
    summary="Read one contact request",
)
def read(session: SessionDep, user: CurrentUser, request: VisibleRequest):
    """For its requester and the authors of its initiative only."""
    return service.describe(session, user, request)


@router.post(
    "/contact-requests/{request_id}/accept",
    response_model=ContactRequestOut,
    responses=PROBLEMS,
    summary="Accept a contact request",
)
def accept(
    session: SessionDep, user: CurrentUser, request: VisibleRequest, body: AcceptIn | None = None
):
    """An author accepts a pending request: the requester is told and now sees the submitter's name and
    email. With `grant_confidential: true` (the submitter only) the requester may also read the
    confidential sections and files."""
    service.accept(session, user, request, body or AcceptIn())
    return service.describe(session, user, request)


@router.post(
    "/contact-requests/{request_id}/refuse",
    response_model=ContactRequestOut,
    responses=PROBLEMS,
    summary="Refuse a contact request",
)
def refuse(
    session: SessionDep, user: CurrentUser, request: VisibleRequest, body: RefuseIn | None = None
):
    """An author refuses a pending request, optionally saying why; the requester is told."""
    service.refuse(session, user, request, body or RefuseIn())
    return service.describe(session, user, request)


@router.post(
    "/contact-requests/{request_id}/withdraw",
    response_model=ContactRequestOut,
    responses=PROBLEMS,
    summary="Withdraw my contact request",
)
def withdraw(session: SessionDep, user: CurrentUser, request: VisibleRequest):
    """The requester takes back a request that is still pending."""
    service.withdraw(session, user, request)
    return service.describe(session, user, request)


# Deals, NDAs, offers, agreements: deal_api.py
from app.exchange import deal_api  # noqa: E402

router.include_router(deal_api.router)

# Intermediaries and their service requests: intermediary_api.py
from app.exchange import intermediary_api  # noqa: E402

router.include_router(intermediary_api.router)
