"""Contact request pages: the form, "my contact requests", the requests received and their answers.

The public initiative page and the authors' initiative page show this domain's
blocks through two template functions (`exchange_panel`, `exchange_received`)
registered in `app/web/page_globals.py`, so those pages need one include line each.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts.deps import CurrentUser, safe_next
from app.db import SessionDep
from app.exchange import permissions as perms
from app.exchange import service
from app.exchange.deps import PublicInitiative, VisibleRequest
from app.exchange.schemas import AcceptIn, ContactRequestIn, RefuseIn
from app.i18n import _
from app.initiatives.models import Initiative
from app.web.flash import flash
from app.web.forms import Form, parse_form
from app.web.templating import nav_item, render

router = APIRouter(prefix="/exchange")
nav_item("My contact requests", "/exchange/requests", visible=perms.can_request_contact, order=65)
nav_item(
    "Contact requests received", "/exchange/incoming", visible=perms.can_receive_requests, order=66
)

INCOMING = "/exchange/incoming"


def _form_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: Initiative,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
):
    return render(
        request,
        "exchange/request.html",
        {
            "initiative": initiative,
            "panel": service.panel(session, user, initiative.id),
            "values": values,
            "errors": errors,
            "purposes": service.purpose_options(),
        },
        status_code=status_code,
    )


@router.get("/initiatives/{initiative_id}/request")
def request_form(
    request: Request, session: SessionDep, user: CurrentUser, initiative: PublicInitiative
):
    return _form_page(request, session, user, initiative, {}, {})


@router.post("/initiatives/{initiative_id}/request")
def send_request(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: PublicInitiative,
    form: Form,
):
    data, errors = parse_form(ContactRequestIn, form)
    if data is None:
        values = {"purpose": form.get("purpose", ""), "message": form.get("message", "")}
        return _form_page(request, session, user, initiative, values, errors, status_code=400)
    service.request_contact(session, user, initiative, data)
    flash(
        request,
        _("Your request was sent. The authors will be notified and can accept or refuse it."),
        "success",
    )
    return RedirectResponse("/exchange/requests", status_code=303)


@router.get("/requests")
def my_requests(request: Request, session: SessionDep, user: CurrentUser):
    return render(
        request,
        "exchange/sent.html",
        {"requests": [service.describe(session, user, r) for r in service.sent(session, user)]},
    )


@router.post("/requests/{request_id}/withdraw")
def withdraw(
    request: Request, session: SessionDep, user: CurrentUser, contact_request: VisibleRequest
):
    service.withdraw(session, user, contact_request)
    flash(request, _("Your request was withdrawn."), "success")
    return RedirectResponse("/exchange/requests", status_code=303)


def _incoming_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
):
    return render(
        request,
        "exchange/incoming.html",
        {
            "requests": [
                service.describe(session, user, r) for r in service.received(session, user)
            ],
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/incoming")
def incoming(request: Request, session: SessionDep, user: CurrentUser):
    return _incoming_page(request, session, user)


def _answer(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_request,
    form,
    schema,
    verb,
    done: str,
):
    """Parse the answer form; on errors show the received requests again with what was typed."""
    data, errors = parse_form(schema, form)
    if data is None:
        rid = contact_request.id
        values = {
            f"message-{rid}": form.get("message", ""),
            f"grant_confidential-{rid}": bool(form.get("grant_confidential")),
        }
        return _incoming_page(
            request,
            session,
            user,
            errors={f"{k}-{rid}": v for k, v in errors.items()},
            values=values,
            status_code=400,
        )
    verb(session, user, contact_request, data)
    flash(request, done, "success")
    return RedirectResponse(safe_next(str(form.get("next") or INCOMING)), status_code=303)


@router.post("/requests/{request_id}/accept")
def accept(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_request: VisibleRequest,
    form: Form,
):
    return _answer(
        request,
        session,
        user,
        contact_request,
        form,
        AcceptIn,
        service.accept,
        _(
            "You accepted the request. The requester is told and now sees the submitter's contact email."
        ),
    )


@router.post("/requests/{request_id}/refuse")
def refuse(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    contact_request: VisibleRequest,
    form: Form,
):
    return _answer(
        request,
        session,
        user,
        contact_request,
        form,
        RefuseIn,
        service.refuse,
        _("You refused the request. The requester will be told."),
    )


# Deals, NDAs, offers, agreements: deal_routes.py
from app.exchange import deal_routes  # noqa: E402

router.include_router(deal_routes.router)

# Intermediaries: intermediary_routes.py
from app.exchange import intermediary_routes  # noqa: E402

router.include_router(intermediary_routes.router)
