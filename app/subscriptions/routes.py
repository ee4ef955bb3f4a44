"""Subscription pages, one-click unsubscribe and the Atom feeds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import CurrentUser
from app.accounts.permissions import is_signed_in
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.subscriptions import feeds, service
from app.subscriptions.deps import OwnSubscription
from app.subscriptions.models import Subscription
from app.subscriptions.schemas import SubscriptionEdit, SubscriptionForm
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.forms import Form, parse_form, submit_form
from app.web.templating import nav_item, render

router = APIRouter()
nav_item("Subscriptions", "/subscriptions", visible=is_signed_in, order=70)
ATOM = "application/atom+xml; charset=utf-8"


def channel_choices() -> list[tuple[str, str]]:
    return [
        ("instant", _("Email at once")),
        ("daily", _("Daily digest by email")),
        ("weekly", _("Weekly digest by email")),
        ("in_app", _("Inbox only")),
    ]


def _form(
    request: Request, session: SessionDep, values: dict, errors: dict, status: int = 200
) -> Response:
    if values.get("kind") == "search" and "label" not in values:  # shown again after a refusal
        values = {
            **values,
            "label": service.search_label(
                session, values.get("subject") or "initiatives", values.get("query") or ""
            ),
        }
    return render(
        request,
        "subscriptions/form.html",
        {
            "values": values,
            "errors": errors,
            "channels": channel_choices(),
            "fields": service.field_choices(session),
            "provinces": [(p, p) for p in PROVINCES],
        },
        status_code=status,
    )


@router.get("/subscriptions")
def index(request: Request, session: SessionDep, user: CurrentUser):
    subscriptions = service.list_for(session, user)
    return render(
        request,
        "subscriptions/index.html",
        {
            "subscriptions": subscriptions,
            "labels": {s.id: service.label(session, s) for s in subscriptions},
            "channels": dict(channel_choices()),
            "field_names": {
                code: name.lstrip("— ") for code, name in service.field_choices(session)
            },
        },
    )


@router.get("/subscriptions/new")
def new(request: Request, session: SessionDep, user: CurrentUser):
    """A new subscription; `?<catalogue query string>` makes it a saved search of that query;
    `?subject=problems[&query=<problems listing query string>]` one to problem statements."""
    if request.query_params.get("subject") == "problems":
        values = service.new_problem_form_values(
            session, (request.query_params.get("query") or "")[:1000]
        )
    else:
        values = service.new_form_values(session, request.url.query)
    return _form(request, session, values, {})


@router.post("/subscriptions")
def create(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    def subscribed(sub):
        flash(request, _("Subscribed: %(name)s", name=service.label(session, sub)), "success")
        return RedirectResponse("/subscriptions", status_code=303)

    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    return submit_form(
        session,
        form,
        SubscriptionForm,
        lambda data: service.subscribe(session, user, data),
        done=subscribed,
        again=lambda refusal: _form(request, session, values, refusal.errors, status=400),
        catch=ValidationFailed,
    )


def _edit_page(
    request: Request,
    session: SessionDep,
    sub: Subscription,
    values: dict,
    errors: dict,
    status: int = 200,
) -> Response:
    return render(
        request,
        "subscriptions/edit.html",
        {
            "sub": sub,
            "automatic": service.automatic_name(session, sub),
            "values": values,
            "errors": errors,
            "channels": channel_choices(),
        },
        status_code=status,
    )


@router.get("/subscriptions/{subscription_id}/edit")
def edit(request: Request, session: SessionDep, sub: OwnSubscription):
    return _edit_page(request, session, sub, {"name": sub.name, "channel": sub.channel}, {})


@router.post("/subscriptions/{subscription_id}")
def update(request: Request, session: SessionDep, sub: OwnSubscription, form: Form):
    data, errors = parse_form(SubscriptionEdit, form)
    if data is None:
        values = {"name": form.get("name", ""), "channel": form.get("channel", "")}
        return _edit_page(request, session, sub, values, errors, status=400)
    service.update(session, sub, data)
    flash(request, _("The subscription is saved."), "success")
    return RedirectResponse("/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/pause")
def pause(request: Request, session: SessionDep, sub: OwnSubscription):
    service.set_paused(session, sub, True)
    flash(request, _("Paused: %(name)s", name=service.label(session, sub)), "success")
    return RedirectResponse("/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/resume")
def resume(request: Request, session: SessionDep, sub: OwnSubscription):
    service.set_paused(session, sub, False)
    flash(request, _("Resumed: %(name)s", name=service.label(session, sub)), "success")
    return RedirectResponse("/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/delete")
def remove(request: Request, session: SessionDep, sub: OwnSubscription):
    name = service.label(session, sub)
    service.remove(session, sub)
    flash(request, _("Removed: %(name)s", name=name), "success")
    return RedirectResponse("/subscriptions", status_code=303)


@router.post("/subscriptions/{subscription_id}/feed-token")
def reset_feed(request: Request, session: SessionDep, sub: OwnSubscription):
    service.reset_feed_token(session, sub)
    flash(request, _("The feed has a new address; the old one no longer works."), "success")
    return RedirectResponse("/subscriptions", status_code=303)


# -- unsubscribe from a mail, without signing in -------------------------------------
@router.get("/subscriptions/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str, session: SessionDep):
    subs = service.subscriptions_of_token(session, token)
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {"token": token, "names": [service.label(session, s) for s in subs], "done": False},
    )


@router.post("/subscriptions/unsubscribe/{token}")
def unsubscribe(request: Request, token: str, session: SessionDep):
    service.unsubscribe(session, token)
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {"token": token, "names": [], "done": True},
    )


# -- Atom feeds --------------------------------------------------------------------------
def _feed_response(request: Request, feed: feeds.Feed) -> Response:
    headers = feeds.headers(feed)
    if feeds.not_modified(
        feed, request.headers.get("if-none-match"), request.headers.get("if-modified-since")
    ):
        return Response(status_code=304, headers=headers)
    return Response(feed.body, media_type=ATOM, headers=headers)


@router.get("/feeds/initiatives.atom")
def feed_all(request: Request, session: SessionDep):
    return _feed_response(request, feeds.all_initiatives(session))


@router.get("/feeds/problems.atom")
def feed_problems(request: Request, session: SessionDep):
    return _feed_response(request, feeds.problems_feed(session))


@router.get("/feeds/fields/{code}.atom")
def feed_field(request: Request, code: str, session: SessionDep):
    return _feed_response(request, feeds.field_feed(session, code))


@router.get("/feeds/s/{token}.atom")
def feed_saved_search(request: Request, token: str, session: SessionDep):
    return _feed_response(request, feeds.saved_search_feed(session, token))
