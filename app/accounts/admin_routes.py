"""Administration pages: find users, grant and remove roles, read the grant history."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import credentials, deps, labels, service
from app.accounts.models import Role
from app.accounts.schemas import RoleForm
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.web.flash import flash
from app.web.forms import parse_form
from app.web.templating import render

router = APIRouter(prefix="/admin/users")
PAGE_SIZE = 50


@router.get("")
def users(request: Request, session: SessionDep, admin: deps.AdminUser, q: str = "", page: int = 1):
    page = max(page, 1)
    found, total = service.search_users(session, q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "accounts/admin/users.html",
        {
            "users": found,
            "total": total,
            "q": q,
            "page": page,
            "pages": pages,
            "page_url": lambda n: "/admin/users?" + urlencode({"q": q, "page": n}),
        },
    )


@router.get("/{user_id}")
def user_page(request: Request, session: SessionDep, person: deps.ManagedUser):
    held = person.roles
    return render(
        request,
        "accounts/admin/user.html",
        {
            "person": person,
            "history": service.role_history(session, person),
            "grantable": [(r.value, labels.role_label(r)) for r in Role if r not in held],
        },
    )


@router.post("/{user_id}/roles")
def grant(
    request: Request,
    session: SessionDep,
    admin: deps.AdminUser,
    person: deps.ManagedUser,
    form: deps.Form,
):
    data, errors = parse_form(RoleForm, form)
    if not data:
        raise ValidationFailed(_("Choose a role to grant."), errors=errors)
    service.grant_role(session, person, data.role, by=admin)
    flash(
        request,
        _(
            "%(name)s now holds the role %(role)s.",
            name=person.full_name,
            role=labels.role_label(data.role),
        ),
        "success",
    )
    return RedirectResponse(f"/admin/users/{person.id}", status_code=303)


@router.post("/{user_id}/roles/{role}/revoke")
def revoke(
    request: Request,
    session: SessionDep,
    admin: deps.AdminUser,
    person: deps.ManagedUser,
    role: Role,
):
    service.revoke_role(session, person, role, by=admin)
    flash(
        request,
        _(
            "The role %(role)s of %(name)s is removed.",
            name=person.full_name,
            role=labels.role_label(role),
        ),
        "success",
    )
    return RedirectResponse(f"/admin/users/{person.id}", status_code=303)


@router.post("/{user_id}/sign-out")
def sign_out_everywhere(
    request: Request, session: SessionDep, admin: deps.AdminUser, person: deps.ManagedUser
):
    """End every session and token of the user (a lost laptop, a leaked password)."""
    credentials.end_sessions(session, person)
    flash(request, _("%(name)s is signed out everywhere.", name=person.full_name), "success")
    return RedirectResponse(f"/admin/users/{person.id}", status_code=303)
