"""Administration of partner systems: register (credentials shown once), edit, rotate the
secret, end the overlap, revoke; the call log with its CSV/XLSX export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import permissions as accounts
from app.accounts.deps import AdminUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.partners import calls, service
from app.partners.labels import scope_labels
from app.partners.models import SCOPES, PartnerClient
from app.partners.schemas import PartnerForm
from app.web import confirm, exports
from app.web.flash import flash
from app.web.forms import Form, submit_form
from app.web.templating import nav_item, render

router = APIRouter(prefix="/admin/partners")
nav_item("Partner systems", "/admin/partners", visible=accounts.is_admin, order=91)


def managed_partner(partner_id: int, session: SessionDep, admin: AdminUser) -> PartnerClient:
    return service.get(session, partner_id)


ManagedPartner = Annotated[PartnerClient, Depends(managed_partner)]


def _values(form: Any) -> dict[str, Any]:
    return {
        "name": form.get("name", ""),
        "agency_code": form.get("agency_code", ""),
        "contact_name": form.get("contact_name", ""),
        "contact_email": form.get("contact_email", ""),
        "callback_url": form.get("callback_url", ""),
        "scopes": form.getlist("scopes"),
    }


def _form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    partner: PartnerClient | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "partners/form.html",
        {"values": values, "errors": errors, "partner": partner, "scopes": scope_labels()},
        status_code=status,
    )


def _credentials(
    request: Request, session: SessionDep, partner: PartnerClient, secret: str, status: int = 200
) -> Response:
    return render(
        request,
        "partners/secret.html",
        {
            "partner": partner,
            "secret": secret,
            "callback_secret": service.callback_secret(session, partner),
        },
        status_code=status,
    )


def _back(partner: PartnerClient) -> RedirectResponse:
    return RedirectResponse(f"/admin/partners/{partner.id}", status_code=303)


@router.get("")
def index(request: Request, session: SessionDep, admin: AdminUser):
    return render(request, "partners/index.html", {"partners": service.listing(session)})


@router.get("/new")
def new(request: Request, admin: AdminUser):
    return _form(request, {"scopes": list(SCOPES)}, {})


@router.post("")
def create(request: Request, session: SessionDep, admin: AdminUser, form: Form):
    return submit_form(
        session,
        form,
        PartnerForm,
        lambda data: service.register(session, admin, data),
        done=lambda made: _credentials(request, session, made[0], made[1], status=201),
        again=lambda refusal: _form(request, _values(form), refusal.errors, status=400),
        catch=ValidationFailed,
    )


@router.get("/calls")
def call_log(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    partner: Annotated[int | None, Query()] = None,
    format: Annotated[str, Query(pattern="^(html|csv|xlsx)$")] = "html",
):
    found = calls.recent(session, partner_id=partner, limit=200 if format == "html" else 10_000)
    if format != "html":
        header: list[exports.Cell] = [
            _("Time (UTC)"),
            _("Partner"),
            _("Agency code"),
            _("Method"),
            _("Endpoint"),
            _("Object"),
            _("Status"),
            _("Outcome"),
            _("Duration (ms)"),
        ]
        rows: list[list[exports.Cell]] = [
            [
                c.at.isoformat(),
                p.name if p else "",
                p.agency_code if p else "",
                c.method,
                c.endpoint,
                c.object_ref,
                c.status_code,
                c.outcome,
                c.duration_ms,
            ]
            for c, p in found
        ]
        if format == "csv":
            return exports.csv_response(header, rows, filename="partner-calls.csv")
        return exports.xlsx_response([(_("Calls"), [header, *rows])], filename="partner-calls.xlsx")
    return render(
        request,
        "partners/calls.html",
        {"calls": found, "partners": service.listing(session), "selected": partner},
    )


@router.get("/{partner_id}")
def show(request: Request, session: SessionDep, partner: ManagedPartner):
    return render(
        request,
        "partners/show.html",
        {
            "partner": partner,
            "callback_url": service.callback_url(session, partner),
            "calls": calls.recent(session, partner_id=partner.id, limit=20),
            "scopes": dict(scope_labels()),
            "errors": {},
        },
    )


@router.get("/{partner_id}/edit")
def edit(request: Request, session: SessionDep, partner: ManagedPartner):
    values = {
        "name": partner.name,
        "agency_code": partner.agency_code,
        "contact_name": partner.contact_name,
        "contact_email": partner.contact_email,
        "callback_url": service.callback_url(session, partner),
        "scopes": partner.scopes,
    }
    return _form(request, values, {}, partner)


@router.post("/{partner_id}/edit")
def save(
    request: Request, session: SessionDep, admin: AdminUser, partner: ManagedPartner, form: Form
):
    return submit_form(
        session,
        form,
        PartnerForm,
        lambda data: service.update(session, admin, partner, data),
        done=lambda _done: _back(partner),
        again=lambda refusal: _form(request, _values(form), refusal.errors, partner, status=400),
        catch=ValidationFailed,
    )


@router.post("/{partner_id}/secret")
def rotate(request: Request, session: SessionDep, partner: ManagedPartner):
    secret = service.rotate_secret(session, partner)
    return _credentials(request, session, partner, secret)


@router.post("/{partner_id}/overlap/end")
def end_overlap(request: Request, session: SessionDep, partner: ManagedPartner):
    service.end_overlap(session, partner)
    flash(request, _("The previous secret no longer works."), "success")
    return _back(partner)


@router.post("/{partner_id}/revoke")
def revoke(
    request: Request, session: SessionDep, admin: AdminUser, partner: ManagedPartner, form: Form
):
    if not confirm.confirmed(form):
        return render(
            request,
            "partners/show.html",
            {
                "partner": partner,
                "callback_url": service.callback_url(session, partner),
                "calls": calls.recent(session, partner_id=partner.id, limit=20),
                "scopes": dict(scope_labels()),
                "errors": confirm.missing(),
            },
            status_code=400,
        )
    service.revoke(session, admin, partner)
    flash(request, _("The partner system is revoked: its tokens stopped working."), "success")
    return _back(partner)
