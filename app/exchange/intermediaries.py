"""Intermediaries: profiles, service requests, the response-time clock, public figures, ratings.

An intermediary organisation (Circular 16/2014/TT-BKHCN types) publishes a
profile; authors of an initiative or parties of a deal request a service; the
intermediary accepts or declines (that answer stops the response clock), then
marks the service delivered; the requester rates it once, 1–5, only after
delivery. Public figures per intermediary: the median response time over
answered requests and the completion rate (delivered / accepted).
"""

from __future__ import annotations

import statistics as stats
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, Role, User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.exchange import deal_queries
from app.exchange import permissions as perms
from app.exchange.deal_schemas import ProfileIn, RatingIn, ServiceRequestIn
from app.exchange.models import (
    Deal,
    IntermediaryProfile,
    ServiceRequest,
    ServiceRequestStatus,
    ServiceType,
)
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives.models import Initiative
from app.outbox import service as outbox
from app.outbox import topics

R = ServiceRequestStatus


def service_label(service: str) -> str:
    labels: dict[str, str] = {
        ServiceType.technology_exchange: _("Technology exchange"),
        ServiceType.transfer_centre: _("Technology transfer and application centre"),
        ServiceType.promotion_centre: _("Technology promotion centre"),
        ServiceType.ip_valuation: _("Technology and IP valuation"),
        ServiceType.ip_agent: _("IP agent and legal advice"),
        ServiceType.innovation_support: _("Innovation support centre"),
        ServiceType.incubator: _("Technology incubator"),
    }
    return labels.get(service, service)


def service_options() -> list[tuple[str, str]]:
    return [(s.value, service_label(s)) for s in ServiceType]


def request_status_label(status: str) -> str:
    labels: dict[str, str] = {
        R.requested: _("Waiting for an answer"),
        R.accepted: _("Accepted"),
        R.declined: _("Declined"),
        R.delivered: _("Delivered"),
    }
    return labels.get(status, status)


# -- who ---------------------------------------------------------------------------------
def manages(user: User | None, profile: IntermediaryProfile) -> bool:
    """Acts for the intermediary organisation and holds the intermediary role."""
    return accounts.has_role(user, Role.intermediary) and accounts.acts_for(
        user, profile.organisation_id
    )


def can_have_profile(user: User | None) -> bool:
    return (
        user is not None
        and accounts.has_role(user, Role.intermediary)
        and accounts.acts_for(user, user.organisation_id)
    )


# -- profiles ----------------------------------------------------------------------------
def own_profile(session: Session, user: User) -> IntermediaryProfile | None:
    if not can_have_profile(user):
        return None
    return session.exec(
        select(IntermediaryProfile).where(
            IntermediaryProfile.organisation_id == user.organisation_id
        )
    ).first()


def save_profile(session: Session, user: User, data: ProfileIn) -> IntermediaryProfile:
    if not can_have_profile(user):
        raise PermissionDenied(
            _("Only intermediaries acting for their organisation publish a profile.")
        )
    assert user.organisation_id is not None
    profile = own_profile(session, user) or IntermediaryProfile(
        organisation_id=user.organisation_id
    )
    profile.description = data.description
    profile.services, profile.fields, profile.provinces = (
        list(data.services),
        list(data.fields),
        list(data.provinces),
    )
    profile.price_band, profile.updated_by_id, profile.updated_at = (
        data.price_band,
        user.id,
        utcnow(),
    )
    session.add(profile)
    session.flush()
    return profile


def get_profile(session: Session, profile_id: int) -> IntermediaryProfile:
    profile = session.get(IntermediaryProfile, profile_id)
    if profile is None:
        raise NotFound(_("No such intermediary."))
    return profile


def figures(session: Session, profile: IntermediaryProfile) -> dict[str, Any]:
    """The public figures: median response time (hours), completion rate, ratings."""
    requests = list(
        session.exec(select(ServiceRequest).where(ServiceRequest.profile_id == profile.id))
    )
    answered = [
        (r.responded_at - r.created_at).total_seconds() / 3600
        for r in requests
        if r.responded_at is not None
    ]
    accepted = [r for r in requests if r.status in (R.accepted, R.delivered)]
    delivered = [r for r in accepted if r.status == R.delivered]
    ratings = [r.rating for r in requests if r.rating is not None]
    return {
        "requests": len(requests),
        "median_response_hours": round(stats.median(answered), 1) if answered else None,
        "completion_rate": round(len(delivered) / len(accepted), 2) if accepted else None,
        "rating_average": round(sum(ratings) / len(ratings), 1) if ratings else None,
        "ratings": len(ratings),
    }


def public_view(session: Session, profile: IntermediaryProfile) -> dict[str, Any]:
    organisation = session.get(Organisation, profile.organisation_id)
    rated = session.exec(
        select(ServiceRequest)
        .where(ServiceRequest.profile_id == profile.id, col(ServiceRequest.rating).is_not(None))
        .order_by(col(ServiceRequest.rated_at).desc())
    )
    return {
        "id": profile.id,
        "organisation": organisation.name if organisation else "",
        "province": organisation.province if organisation else None,
        "description": profile.description,
        "services": profile.services,
        "fields": profile.fields,
        "provinces": profile.provinces,
        "price_band": profile.price_band,
        "figures": figures(session, profile),
        # Ratings are shown without the requester's name.
        "reviews": [
            {"rating": r.rating, "comment": r.rating_comment, "rated_at": r.rated_at} for r in rated
        ],
    }


def directory(
    session: Session, *, q: str = "", service: str = "", province: str = ""
) -> list[dict[str, Any]]:
    """The public, searchable directory (name, description, service type, province)."""
    needle = q.strip().casefold()
    found = []
    for profile in session.exec(select(IntermediaryProfile).order_by(col(IntermediaryProfile.id))):
        view = public_view(session, profile)
        if service and service not in profile.services:
            continue
        if province and province not in profile.provinces:
            continue
        text = " ".join([view["organisation"], profile.description, *profile.provinces])
        if needle and needle not in text.casefold():
            continue
        found.append(view)
    return found


# -- service requests --------------------------------------------------------------------
def request_service(
    session: Session, user: User, profile: IntermediaryProfile, data: ServiceRequestIn
) -> ServiceRequest:
    """An author of the initiative, or a party of the deal, asks for one of the profile's services."""
    if data.service not in profile.services:
        raise ValidationFailed(
            _("This intermediary does not offer this service."),
            errors={"service": _("This intermediary does not offer this service.")},
        )
    initiative_id = data.initiative_id
    if data.deal_id is not None:
        deal = session.get(Deal, data.deal_id)
        if deal is None or not perms.is_party(
            user, deal, deal_queries.initiative_of(session, deal)
        ):
            raise NotFound(_("No such deal."))
        initiative_id = deal.initiative_id
    elif initiative_id is not None:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None or not initiative_perms.is_author(user, initiative):
            raise PermissionDenied(_("Only the authors of an initiative request services on it."))
    else:
        raise ValidationFailed(
            _("Choose the initiative or the deal the service is for."),
            errors={"initiative_id": _("Choose the initiative or the deal the service is for.")},
        )
    if manages(user, profile):
        raise PermissionDenied(_("You cannot request your own organisation's service."))
    assert profile.id is not None and user.id is not None
    request = ServiceRequest(
        profile_id=profile.id,
        requester_id=user.id,
        initiative_id=initiative_id,
        deal_id=data.deal_id,
        service=data.service,
        message=data.message,
        created_at=utcnow(),
    )
    session.add(request)
    session.flush()
    outbox.enqueue(
        session, topics.SERVICE_REQUESTED, {"request_id": request.id}, key=f"service:{request.id}"
    )
    return request


def get_visible_request(session: Session, user: User, request_id: int) -> ServiceRequest:
    request = session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound(_("No such service request."))
    profile = session.get(IntermediaryProfile, request.profile_id)
    assert profile is not None
    if not (
        request.requester_id == user.id or manages(user, profile) or accounts.is_coordinator(user)
    ):
        raise NotFound(_("No such service request."))
    return request


def _require_manager(session: Session, user: User, request: ServiceRequest) -> None:
    profile = session.get(IntermediaryProfile, request.profile_id)
    assert profile is not None
    if not manages(user, profile):
        raise PermissionDenied(_("Only the intermediary answers this request."))


def answer(session: Session, user: User, request: ServiceRequest, accept: bool) -> ServiceRequest:
    """Accept or decline; either answer stops the response clock."""
    _require_manager(session, user, request)
    if request.status != R.requested:
        raise InvalidTransition(_("This request was answered already."), current=request.status)
    request.status = R.accepted if accept else R.declined
    request.responded_at, request.responded_by_id = utcnow(), user.id
    session.add(request)
    _answered(session, request)
    return request


def _answered(session: Session, request: ServiceRequest) -> None:
    outbox.enqueue(
        session,
        topics.SERVICE_ANSWERED,
        {"request_id": request.id, "status": request.status},
        key=f"service:{request.id}",
    )


def deliver(session: Session, user: User, request: ServiceRequest) -> ServiceRequest:
    _require_manager(session, user, request)
    if request.status != R.accepted:
        raise InvalidTransition(
            _("Only an accepted request can be marked delivered."), current=request.status
        )
    request.status, request.delivered_at = R.delivered, utcnow()
    session.add(request)
    _answered(session, request)
    return request


def rate(session: Session, user: User, request: ServiceRequest, data: RatingIn) -> ServiceRequest:
    """Only the requester, only once, only after delivery."""
    if request.requester_id != user.id:
        raise PermissionDenied(_("Only the requester rates a service."))
    if request.status != R.delivered:
        raise InvalidTransition(
            _("A service can be rated only after it is delivered."), current=request.status
        )
    if request.rating is not None:
        raise Conflict(_("You have already rated this service."))
    request.rating, request.rating_comment, request.rated_at = data.rating, data.comment, utcnow()
    session.add(request)
    return request


def requests_sent(session: Session, user: User) -> list[ServiceRequest]:
    return list(
        session.exec(
            select(ServiceRequest)
            .where(ServiceRequest.requester_id == user.id)
            .order_by(col(ServiceRequest.id).desc())
        )
    )


def requests_received(session: Session, user: User) -> list[ServiceRequest]:
    profile = own_profile(session, user)
    if profile is None:
        return []
    return list(
        session.exec(
            select(ServiceRequest)
            .where(ServiceRequest.profile_id == profile.id)
            .order_by(col(ServiceRequest.id).desc())
        )
    )


def describe_request(session: Session, user: User, request: ServiceRequest) -> dict[str, Any]:
    profile = session.get(IntermediaryProfile, request.profile_id)
    assert profile is not None
    organisation = session.get(Organisation, profile.organisation_id)
    requester = session.get(User, request.requester_id)
    initiative = session.get(Initiative, request.initiative_id) if request.initiative_id else None
    waited: timedelta | None = (
        (request.responded_at or utcnow()) - request.created_at if request.created_at else None
    )
    is_manager = manages(user, profile)
    return {
        "id": request.id,
        "intermediary": {"id": profile.id, "name": organisation.name if organisation else ""},
        "requester": requester.full_name if requester else "",
        "initiative": {"id": initiative.id, "title": initiative.title} if initiative else None,
        "deal_id": request.deal_id,
        "service": request.service,
        "message": request.message,
        "status": request.status,
        "created_at": request.created_at,
        "responded_at": request.responded_at,
        "delivered_at": request.delivered_at,
        "response_hours": round(waited.total_seconds() / 3600, 1) if waited else None,
        "rating": request.rating,
        "rating_comment": request.rating_comment,
        "can_answer": is_manager and request.status == R.requested,
        "can_deliver": is_manager and request.status == R.accepted,
        # The intermediary serving a deal may ask both parties to accept it as facilitator.
        "can_facilitate": is_manager
        and request.deal_id is not None
        and request.status in (R.accepted, R.delivered),
        "can_rate": request.requester_id == user.id
        and request.status == R.delivered
        and request.rating is None,
    }
