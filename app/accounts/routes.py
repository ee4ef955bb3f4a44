"""Account pages: sign in and out (registration, reset, profile and admin follow)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import deps, service
from app.accounts.schemas import LoginForm
from app.db import SessionDep
from app.i18n import _
from app.web.flash import flash
from app.web.forms import parse_form
from app.web.templating import render

router = APIRouter(prefix="/account")


def safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_page(request: Request, user: deps.OptionalUser, next: str = "/"):
    return render(request, "accounts/login.html", {"values": {}, "errors": {}, "next": safe_next(next)})


@router.post("/login")
async def login(request: Request, session: SessionDep, next: str = "/"):
    form = await request.form()
    data, errors = parse_form(LoginForm, form)
    user = None
    if data:
        user = service.authenticate(session, data.email, data.password,
                                    client_ip=request.client.host if request.client else "")
        if user is None:
            errors = {"email": _("Wrong email or password.")}
        elif not user.is_verified:
            errors, user = {"email": _("Please confirm your email address first: we sent you a link.")}, None
    if user is None:
        values = {"email": form.get("email", "")}
        return render(request, "accounts/login.html",
                      {"values": values, "errors": errors, "next": safe_next(str(form.get("next") or next))},
                      status_code=400)
    deps.sign_in(request, user)
    flash(request, _("Welcome, %(name)s.", name=user.full_name), "success")
    return RedirectResponse(safe_next(str(form.get("next") or next)), status_code=303)


@router.post("/logout")
def logout(request: Request):
    deps.sign_out(request)
    return RedirectResponse("/", status_code=303)
