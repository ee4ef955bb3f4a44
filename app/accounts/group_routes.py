"""User groups and role requests: a person asks for a group's role or reviewer status on their
profile; coordinators approve reviewer requests. Included from `routes.py`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import deps, groups, permissions
from app.accounts.models import GROUP_ROLES, Role, UserGroup
from app.db import SessionDep
from app.i18n import _
from app.web.flash import flash
from app.web.templating import nav_item, render

router = APIRouter()

nav_item(
    "Reviewer requests",
    "/coordinator/reviewer-requests",
    visible=permissions.is_coordinator,
    order=42,
)


@router.post("/account/roles")
def request_roles(request: Request, session: SessionDep, user: deps.CurrentUser, form: deps.Form):
    """Join a user group (granted now if the address is verified) or ask to review."""
    group = str(form.get("user_group") or "")
    if group:
        if group not in set(UserGroup):
            flash(request, _("Choose one of the options."), "error")
            return RedirectResponse("/account/profile#h-groups", status_code=303)
        groups.request_group(session, user, group)
        if GROUP_ROLES[UserGroup(group)] in user.roles:
            flash(request, _("Done: you now belong to this group."), "success")
        else:
            flash(request, _("Confirm your email address to complete this."), "info")
    if form.get("wants_review"):
        note = str(form.get("review_note") or "")[:2000]
        if not note.strip():
            flash(request, _("Describe your expertise."), "error")
            return RedirectResponse("/account/profile#h-groups", status_code=303)
        groups.request_role(session, user, Role.reviewer, note)
        flash(request, _("Your request to review is sent to the coordinators."), "success")
    return RedirectResponse("/account/profile#h-groups", status_code=303)


@router.get("/coordinator/reviewer-requests")
def reviewer_requests(request: Request, session: SessionDep, user: deps.CoordinatorUser):
    return render(
        request,
        "accounts/reviewer_requests.html",
        {"requests": groups.pending_reviewer_requests(session)},
    )


@router.post("/coordinator/reviewer-requests/{request_id}")
def decide_request(
    request: Request,
    session: SessionDep,
    user: deps.CoordinatorUser,
    request_id: int,
    form: deps.Form,
):
    grant = str(form.get("decision") or "") == "grant"
    decided = groups.decide(
        session, user, request_id, grant=grant, note=str(form.get("note") or "")[:2000]
    )
    flash(
        request,
        _("Reviewer status granted.") if decided.status == "granted" else _("Request refused."),
        "success",
    )
    return RedirectResponse("/coordinator/reviewer-requests", status_code=303)
