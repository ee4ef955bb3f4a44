"""Intermediary pages: the public directory and profiles, my profile, the service-request dashboard."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, or_, select

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser, OptionalUser
from app.db import SessionDep
from app.errors import NotFound, ValidationFailed
from app.exchange import deal_queries, facilitators, intermediaries
from app.exchange import permissions as perms
from app.exchange.deal_schemas import ProfileIn, RatingIn, ServiceRequestIn
from app.exchange.models import Deal
from app.i18n import _
from app.initiatives.models import CoAuthor, Initiative
from app.web.flash import flash
from app.web.forms import Form, parse_form, submit_form
from app.web.templating import nav_item, render

router = APIRouter()  # included by routes.py under /exchange
nav_item("Intermediaries", "/exchange/intermediaries", order=68)
nav_item("Service requests", "/exchange/services", visible=accounts.is_signed_in, order=69)
nav_item(
    "My intermediary profile",
    "/exchange/intermediary/profile",
    visible=intermediaries.can_have_profile,
    order=70,
)

PRICE_BANDS = ["free", "low", "medium", "high"]


def _labels() -> dict[str, Any]:
    return {
        "service_label": intermediaries.service_label,
        "request_status_label": intermediaries.request_status_label,
        "services": intermediaries.service_options(),
        "price_label": price_label,
    }


def price_label(band: str) -> str:
    labels = {
        "free": _("Free of charge"),
        "low": _("Low price"),
        "medium": _("Medium price"),
        "high": _("High price"),
    }
    return labels.get(band, band)


@router.get("/intermediaries")
def directory(
    request: Request, session: SessionDep, q: str = "", service: str = "", province: str = ""
):
    found = intermediaries.directory(
        session, q=q[:200], service=service[:40], province=province[:100]
    )
    return render(
        request,
        "exchange/intermediaries.html",
        {"found": found, "q": q, "service": service, "province": province, **_labels()},
    )


def _my_targets(session: SessionDep, user: Any) -> dict[str, list[tuple[str, str]]]:
    if user is None:
        return {"initiatives": [], "deals": []}
    coauthored = select(CoAuthor.initiative_id).where(CoAuthor.user_id == user.id)
    mine = session.exec(
        select(Initiative).where(
            or_(Initiative.submitter_id == user.id, col(Initiative.id).in_(coauthored))
        )
    )
    return {
        "initiatives": [(str(i.id), i.title) for i in mine],
        "deals": [
            (str(d.id), f"#{d.id} {deal_queries.initiative_of(session, d).title}")
            for d in deal_queries.deals_of(session, user)
            if not accounts.is_coordinator(user)
            or perms.is_party(user, d, deal_queries.initiative_of(session, d))
        ],
    }


def _profile_page(
    request: Request,
    session: SessionDep,
    user: Any,
    profile_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
):
    profile = intermediaries.get_profile(session, profile_id)
    return render(
        request,
        "exchange/intermediary.html",
        {
            "p": intermediaries.public_view(session, profile),
            "targets": _my_targets(session, user),
            "values": values or {},
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/intermediaries/{profile_id}")
def profile_page(request: Request, session: SessionDep, user: OptionalUser, profile_id: int):
    return _profile_page(request, session, user, profile_id)


@router.post("/intermediaries/{profile_id}/request")
def request_service(
    request: Request, session: SessionDep, user: CurrentUser, profile_id: int, form: Form
):
    def sent(_result: object) -> Response:
        flash(request, _("Your request was sent to the intermediary."), "success")
        return RedirectResponse("/exchange/services", status_code=303)

    return submit_form(
        session,
        form,
        ServiceRequestIn,
        lambda data: intermediaries.request_service(
            session, user, intermediaries.get_profile(session, profile_id), data
        ),
        done=sent,
        again=lambda refusal: _profile_page(
            request,
            session,
            user,
            profile_id,
            {k: v for k, v in form.items() if isinstance(v, str)},
            refusal.errors,
            refusal.status,
        ),
        catch=ValidationFailed,
    )


def _own_page(
    request: Request,
    session: SessionDep,
    user: Any,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
):
    profile = intermediaries.own_profile(session, user)
    if values is None and profile is not None:
        values = {
            "description": profile.description,
            "services": profile.services,
            "fields": ", ".join(profile.fields),
            "provinces": ", ".join(profile.provinces),
            "price_band": profile.price_band,
        }
    return render(
        request,
        "exchange/my_profile.html",
        {
            "profile": profile,
            "allowed": intermediaries.can_have_profile(user),
            "values": values or {"services": []},
            "errors": errors or {},
            "price_bands": [(b, price_label(b)) for b in PRICE_BANDS],
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/intermediary/profile")
def my_profile(request: Request, session: SessionDep, user: CurrentUser):
    return _own_page(request, session, user)


@router.post("/intermediary/profile")
def save_profile(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    def saved(_result: object) -> Response:
        flash(request, _("Your profile was saved and is listed in the directory."), "success")
        return RedirectResponse("/exchange/intermediary/profile", status_code=303)

    values = {
        "description": form.get("description", ""),
        "services": form.getlist("services"),
        "fields": form.get("fields", ""),
        "provinces": form.get("provinces", ""),
        "price_band": form.get("price_band", ""),
    }
    return submit_form(
        session,
        form,
        ProfileIn,
        lambda data: intermediaries.save_profile(session, user, data),
        done=saved,
        again=lambda refusal: _own_page(
            request, session, user, values, refusal.errors, refusal.status
        ),
        catch=ValidationFailed,
    )


def _dashboard(
    request: Request,
    session: SessionDep,
    user: Any,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
):
    return render(
        request,
        "exchange/services.html",
        {
            "sent": [
                intermediaries.describe_request(session, user, r)
                for r in intermediaries.requests_sent(session, user)
            ],
            "received": [
                intermediaries.describe_request(session, user, r)
                for r in intermediaries.requests_received(session, user)
            ],
            "profile": intermediaries.own_profile(session, user),
            "figures": (
                intermediaries.figures(session, p)
                if (p := intermediaries.own_profile(session, user))
                else None
            ),
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/services")
def services(request: Request, session: SessionDep, user: CurrentUser):
    return _dashboard(request, session, user)


@router.post("/services/{request_id}/{action}")
def act(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    request_id: int,
    action: str,
    form: Form,
):
    def parse(form: Any) -> tuple[object | None, dict[str, str]]:
        if action == "rate":
            return parse_form(RatingIn, form)
        return action, {}

    def run(rating: object) -> None:
        service_request = intermediaries.get_visible_request(session, user, request_id)
        if action in ("accept", "decline"):
            intermediaries.answer(session, user, service_request, action == "accept")
        elif action == "deliver":
            intermediaries.deliver(session, user, service_request)
        elif action == "facilitate" and service_request.deal_id is not None:
            deal = session.get_one(Deal, service_request.deal_id)
            facilitators.request(session, user, deal, service_request.profile_id)
        elif action == "rate" and isinstance(rating, RatingIn):
            intermediaries.rate(session, user, service_request, rating)
        else:
            raise NotFound(_("No such service request."))

    def done(_result: object) -> Response:
        flash(request, _("Done."), "success")
        return RedirectResponse("/exchange/services", status_code=303)

    return submit_form(
        session,
        form,
        parse,
        run,
        done=done,
        again=lambda refusal: _dashboard(
            request,
            session,
            user,
            {f"{k}-{request_id}": v for k, v in refusal.errors.items()},
            refusal.status,
        ),
        catch=ValidationFailed,
    )
