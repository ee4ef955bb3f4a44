"""Intermediary JSON API under /api/v1: the public directory, my profile, service requests.

The directory and a profile are public (no token); everything else needs one.
Refusals are problem+json: 403 for a step that is not the caller's, 404 for a
request the caller is neither the requester nor the intermediary of, 409
`invalid-transition` for rating before delivery or answering twice, 409
`conflict` for a second rating, 422 for a bad body (a rating of 6).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.exchange import intermediaries
from app.exchange.deal_schemas import ProfileIn, RatingIn, ServiceRequestIn
from app.i18n import _

router = APIRouter(tags=["intermediaries"])


@router.get("/intermediaries", summary="The public directory of intermediaries")
def directory(
    session: SessionDep, q: str = "", service: str = "", province: str = ""
) -> list[dict[str, Any]]:
    """Each with its services, fields, provinces, price band, median response time (hours),
    completion rate and ratings. `q` searches name and description; `service` and `province`
    filter."""
    return intermediaries.directory(
        session, q=q[:200], service=service[:40], province=province[:100]
    )


@router.get("/intermediaries/{profile_id}", summary="An intermediary's public profile")
def profile(session: SessionDep, profile_id: int) -> dict[str, Any]:
    return intermediaries.public_view(session, intermediaries.get_profile(session, profile_id))


@router.put("/intermediary-profile", summary="Publish or update my organisation's profile")
def save_profile(session: SessionDep, user: CurrentUser, body: ProfileIn) -> dict[str, Any]:
    return intermediaries.public_view(session, intermediaries.save_profile(session, user, body))


@router.post("/intermediaries/{profile_id}/requests", status_code=201, summary="Request a service")
def request_service(
    session: SessionDep, user: CurrentUser, profile_id: int, body: ServiceRequestIn
) -> dict[str, Any]:
    """On an initiative the caller authors (`initiative_id`) or a deal the caller is a party to
    (`deal_id`)."""
    profile = intermediaries.get_profile(session, profile_id)
    request = intermediaries.request_service(session, user, profile, body)
    return intermediaries.describe_request(session, user, request)


@router.get("/service-requests", summary="My service requests, sent and received")
def my_requests(session: SessionDep, user: CurrentUser) -> dict[str, list[dict[str, Any]]]:
    return {
        "sent": [
            intermediaries.describe_request(session, user, r)
            for r in intermediaries.requests_sent(session, user)
        ],
        "received": [
            intermediaries.describe_request(session, user, r)
            for r in intermediaries.requests_received(session, user)
        ],
    }


def _act(session: SessionDep, user: CurrentUser, request_id: int, action: str, body: Any = None):
    request = intermediaries.get_visible_request(session, user, request_id)
    if action == "accept":
        intermediaries.answer(session, user, request, True)
    elif action == "decline":
        intermediaries.answer(session, user, request, False)
    elif action == "deliver":
        intermediaries.deliver(session, user, request)
    elif action == "rate":
        intermediaries.rate(session, user, request, body)
    else:  # pragma: no cover - the routes below name the actions
        raise NotFound(_("No such service request."))
    return intermediaries.describe_request(session, user, request)


@router.post("/service-requests/{request_id}/accept", summary="Accept a service request")
def accept(session: SessionDep, user: CurrentUser, request_id: int) -> dict[str, Any]:
    return _act(session, user, request_id, "accept")


@router.post("/service-requests/{request_id}/decline", summary="Decline a service request")
def decline(session: SessionDep, user: CurrentUser, request_id: int) -> dict[str, Any]:
    return _act(session, user, request_id, "decline")


@router.post("/service-requests/{request_id}/deliver", summary="Mark the service delivered")
def deliver(session: SessionDep, user: CurrentUser, request_id: int) -> dict[str, Any]:
    return _act(session, user, request_id, "deliver")


@router.post("/service-requests/{request_id}/rate", summary="Rate a delivered service")
def rate(session: SessionDep, user: CurrentUser, request_id: int, body: RatingIn) -> dict[str, Any]:
    """1–5 with a comment; only the requester, only once, only after delivery."""
    return _act(session, user, request_id, "rate", body)
