"""Webhook pages: list, register (secret shown once), deliveries and their attempts, test, replay."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.web.flash import flash
from app.web.forms import Form, submit_form
from app.web.templating import nav_item, render
from app.webhooks import service
from app.webhooks.deps import ManagedEndpoint
from app.webhooks.models import (
    EVENT_DEAL_STAGE_CHANGED,
    EVENT_MATCHED,
    EVENT_PROBLEM_AWARDED,
    EVENT_PROBLEM_OPENED,
    EVENT_PROPOSAL_STAGE_CHANGED,
    EVENT_PUBLISHED,
    EVENT_TYPES,
    EVENT_UNPUBLISHED,
)
from app.webhooks.permissions import can_use_webhooks
from app.webhooks.schemas import EndpointForm

router = APIRouter(prefix="/webhooks")
nav_item("Webhooks", "/webhooks", visible=can_use_webhooks, order=80)


def event_labels() -> list[tuple[str, str]]:
    labels = {
        EVENT_PUBLISHED: _("An initiative is published"),
        EVENT_UNPUBLISHED: _("An initiative is unpublished"),
        EVENT_MATCHED: _("A new initiative matches a subscription of a member"),
        EVENT_PROBLEM_OPENED: _("A problem statement is opened for proposals"),
        EVENT_PROBLEM_AWARDED: _("A problem statement is awarded"),
        EVENT_DEAL_STAGE_CHANGED: _("A deal of the organisation changes stage"),
        EVENT_PROPOSAL_STAGE_CHANGED: _(
            "A proposal to or from the organisation on a problem statement changes stage"
        ),
    }
    return [(e, labels[e]) for e in EVENT_TYPES]


def _back(endpoint_id: int) -> RedirectResponse:
    return RedirectResponse(f"/webhooks/{endpoint_id}", status_code=303)


@router.get("")
def index(request: Request, session: SessionDep, user: CurrentUser):
    endpoints = service.list_endpoints(session, user)
    return render(
        request, "webhooks/index.html", {"organisation": user.organisation, "endpoints": endpoints}
    )


@router.get("/new")
def new(request: Request, user: CurrentUser):
    service.require_manager(user, user.organisation)
    return render(
        request,
        "webhooks/form.html",
        {"values": {"event_types": list(EVENT_TYPES)}, "errors": {}, "events": event_labels()},
    )


@router.post("")
def create(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    values = {
        "url": form.get("url", ""),
        "description": form.get("description", ""),
        "event_types": form.getlist("event_types"),
    }
    return submit_form(
        session,
        form,
        EndpointForm,
        lambda data: service.register_endpoint(session, user, user.organisation, data),
        done=lambda registered: render(
            request,
            "webhooks/secret.html",
            {"endpoint": registered[0], "secret": registered[1]},
            status_code=201,
        ),
        again=lambda refusal: render(
            request,
            "webhooks/form.html",
            {"values": values, "errors": refusal.errors, "events": event_labels()},
            status_code=400,
        ),
        catch=ValidationFailed,
    )


@router.get("/{endpoint_id}")
def show(request: Request, session: SessionDep, endpoint: ManagedEndpoint):
    deliveries = service.recent_deliveries(session, endpoint)
    return render(
        request,
        "webhooks/show.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries,
            "attempts": service.attempts_of(session, deliveries),
            "events": dict(event_labels()),
        },
    )


@router.post("/{endpoint_id}/test")
def send_test(request: Request, session: SessionDep, endpoint: ManagedEndpoint, user: CurrentUser):
    service.send_test_event(session, endpoint, user)
    flash(request, _("A test event was queued. Reload this page to see the result."), "success")
    return _back(endpoint.id)


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay")
def replay(request: Request, delivery_id: int, session: SessionDep, endpoint: ManagedEndpoint):
    service.replay(session, endpoint, delivery_id)
    flash(request, _("The delivery was queued again."), "success")
    return _back(endpoint.id)


@router.post("/{endpoint_id}/enable")
def enable(request: Request, session: SessionDep, endpoint: ManagedEndpoint):
    service.enable_endpoint(session, endpoint)
    flash(request, _("The endpoint is enabled."), "success")
    return _back(endpoint.id)


@router.post("/{endpoint_id}/disable")
def disable(request: Request, session: SessionDep, endpoint: ManagedEndpoint):
    service.disable_endpoint(session, endpoint, _("Disabled by a member of the organisation."))
    flash(request, _("The endpoint is disabled."), "success")
    return _back(endpoint.id)


@router.post("/{endpoint_id}/secret")
def rotate(request: Request, session: SessionDep, endpoint: ManagedEndpoint):
    secret = service.rotate_secret(session, endpoint)
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret})


@router.post("/{endpoint_id}/delete")
def delete(request: Request, session: SessionDep, endpoint: ManagedEndpoint):
    service.delete_endpoint(session, endpoint)
    flash(request, _("The endpoint was removed."), "success")
    return RedirectResponse("/webhooks", status_code=303)
