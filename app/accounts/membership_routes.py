"""Membership pages: my organisations; managers and coordinators decide on requests."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import deps, memberships, permissions
from app.db import SessionDep
from app.i18n import _
from app.web.flash import flash
from app.web.templating import nav_item, render

router = APIRouter(prefix="/account/memberships")


def _decides(user: object) -> bool:
    return permissions.is_coordinator(user) or bool(getattr(user, "manager_of", None))  # type: ignore[arg-type]


nav_item("Members", "/account/memberships", visible=_decides, order=85)


@router.get("")
def page(request: Request, session: SessionDep, user: deps.CurrentUser):
    return render(
        request,
        "accounts/memberships.html",
        {
            "mine": memberships.of_user(session, user),
            "decidable": memberships.decidable(session, user),
        },
    )


@router.post("/{membership_id}/approve")
def approve(request: Request, session: SessionDep, user: deps.CurrentUser, membership_id: int):
    row = memberships.approve(session, user, membership_id)
    flash(request, _("The membership is approved."), "success")
    return RedirectResponse(f"/account/memberships#m-{row.id}", status_code=303)


@router.post("/{membership_id}/remove")
def remove(request: Request, session: SessionDep, user: deps.CurrentUser, membership_id: int):
    memberships.remove(session, user, membership_id)
    flash(request, _("The membership has ended."), "success")
    return RedirectResponse("/account/memberships", status_code=303)
