"""The in-app inbox and the notification preferences page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.notifications import service
from app.notifications.types import TYPES, channel_label, type_label
from app.web.flash import flash
from app.web.forms import Form, Refusal, submit_form
from app.web.templating import render

router = APIRouter()


@router.get("/inbox")
def inbox(request: Request, session: SessionDep, user: CurrentUser, page: int = 1):
    notifications, pages = service.inbox(session, user, max(page, 1))
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": notifications, "page": max(page, 1), "pages": pages},
    )


@router.get("/inbox/{notification_id}")
def open_notification(notification_id: int, session: SessionDep, user: CurrentUser):
    """Follow a notification's link, marking it read on the way."""
    notification = service.mark_read(session, user, notification_id)
    return RedirectResponse(notification.link or "/inbox", status_code=303)


@router.post("/inbox/{notification_id}/read")
def mark_read(request: Request, notification_id: int, session: SessionDep, user: CurrentUser):
    service.mark_read(session, user, notification_id)
    return RedirectResponse("/inbox", status_code=303)


@router.post("/inbox/read-all")
def mark_all_read(request: Request, session: SessionDep, user: CurrentUser):
    service.mark_all_read(session, user)
    flash(request, _("All notifications are marked as read."), "success")
    return RedirectResponse("/inbox", status_code=303)


def _preference_rows(choices: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "label": type_label(name),
            "mandatory": kind.mandatory,
            "channel": choices[name],
            "options": [(c, channel_label(c)) for c in kind.choices],
        }
        for name, kind in TYPES.items()
        if not kind.fixed
    ]


@router.get("/notifications/preferences")
def preferences(request: Request, session: SessionDep, user: CurrentUser):
    return render(
        request,
        "notifications/preferences.html",
        {"rows": _preference_rows(service.preferences(session, user)), "errors": {}},
    )


@router.post("/notifications/preferences")
def save_preferences(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    choices = {
        name: str(form.get(f"pref-{name}"))
        for name in TYPES
        if form.get(f"pref-{name}") is not None
    }

    def again(refusal: Refusal):
        shown = {
            **service.preferences(session, user),
            **{k: v for k, v in choices.items() if not TYPES[k].fixed},
        }
        return render(
            request,
            "notifications/preferences.html",
            {"rows": _preference_rows(shown), "errors": refusal.errors},
            status_code=400,
        )

    return submit_form(
        session,
        form,
        None,
        lambda _form: service.set_preferences(session, user, choices),
        done=lambda _result: _saved(request),
        again=again,
        catch=ValidationFailed,
    )


def _saved(request: Request):
    flash(request, _("Your notification settings are saved."), "success")
    return RedirectResponse("/notifications/preferences", status_code=303)
