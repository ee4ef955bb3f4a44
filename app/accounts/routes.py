"""Account pages: sign in and out, registration, verification, password reset, profile, tokens.

Administration pages live in admin_routes.py and OpenID Connect in
oidc_routes.py; both are included here, since only routes.py is mounted.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from app.accounts import (
    admin_routes,
    credentials,
    deps,
    group_routes,
    groups,
    labels,
    membership_routes,
    memberships,
    oidc_routes,
    permissions,
    service,
)
from app.accounts.models import GROUP_ROLES, Organisation, Role, User, UserGroup
from app.accounts.schemas import (
    ChangePasswordForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    TokenForm,
)
from app.config import get_settings
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.forms import parse_form, submit_form
from app.web.templating import nav_item, render

router = APIRouter()
router.include_router(admin_routes.router)
router.include_router(oidc_routes.router)
router.include_router(group_routes.router)
router.include_router(membership_routes.router)

nav_item("Administration", "/admin/users", visible=permissions.is_admin, order=90)

ORGANISATIONS_IN_SELECT = 300
PROVINCE_OPTIONS = [(p, p) for p in PROVINCES]


# -- sign in and out -----------------------------------------------------------
def _login(request: Request, values: dict, errors: dict, next: str, status: int = 200):
    settings = get_settings()
    return render(
        request,
        "accounts/login.html",
        {
            "values": values,
            "errors": errors,
            "next": deps.safe_next(next),
            "oidc_enabled": settings.oidc_enabled,
            "oidc_name": settings.oidc_name,
        },
        status_code=status,
    )


@router.get("/account/login")
def login_page(request: Request, next: str = "/"):
    return _login(request, {}, {}, next)


@router.post("/account/login")
def login(request: Request, session: SessionDep, form: deps.Form, next: str = "/"):
    data, errors = parse_form(LoginForm, form)
    next = str(form.get("next") or next)
    user = None
    if data:
        # A refused sign-in returns (not raises), so the failure count is committed.
        user = service.authenticate(
            session, data.email, data.password, client_ip=deps.client_ip(request)
        )
        if user is None:
            errors = {"email": _("Wrong email or password.")}
        elif not user.is_verified:
            errors, user = (
                {"email": _("Please confirm your email address first: we sent you a link.")},
                None,
            )
    if user is None:
        return _login(request, {"email": form.get("email", "")}, errors, next, status=400)
    deps.sign_in(request, user)
    flash(request, _("Welcome, %(name)s.", name=user.full_name), "success")
    return RedirectResponse(deps.safe_next(next), status_code=303)


@router.post("/account/logout")
def logout(request: Request, session: SessionDep):
    deps.sign_out(request, session)
    return RedirectResponse("/", status_code=303)


# -- registration and verification ---------------------------------------------
def _organisations(session: SessionDep, chosen: object) -> list:
    """The first organisations by name for the select, plus the chosen one (found by searching)."""
    organisations = service.search_organisations(session, limit=ORGANISATIONS_IN_SELECT)
    chosen_id = str(chosen or "")
    if chosen_id.isdigit() and all(o.id != int(chosen_id) for o in organisations):
        organisations += [o for o in [session.get(Organisation, int(chosen_id))] if o is not None]
    return organisations


def _register(request: Request, session: SessionDep, values: dict, errors: dict, status: int = 200):
    return render(
        request,
        "accounts/register.html",
        {
            "values": values,
            "errors": errors,
            "provinces": PROVINCE_OPTIONS,
            "organisations": _organisations(session, values.get("organisation_id")),
            "organisation_types": labels.organisation_type_labels(),
            "user_groups": groups.group_choices(),
        },
        status_code=status,
    )


@router.get("/account/register")
def register_page(request: Request, session: SessionDep, user: deps.OptionalUser):
    if user is not None:
        return RedirectResponse("/account/profile", status_code=303)
    return _register(
        request,
        session,
        {
            "organisation_mode": "none",
            "language": request.session.get("lang", "vi"),
            "user_group": request.query_params.get("group", "scientist"),
        },
        {},
    )


@router.post("/account/register")
def register(request: Request, session: SessionDep, form: deps.Form):
    def registered(user: User):
        request.session["lang"] = user.language
        flash(
            request,
            _(
                "Your account is created. We sent a confirmation link to %(email)s.",
                email=user.email,
            ),
            "success",
        )
        return RedirectResponse(
            f"/account/verify/resend?{urlencode({'email': user.email})}", status_code=303
        )

    def create(data: RegisterForm) -> User:
        user = service.register(
            session,
            full_name=data.full_name,
            email=data.email,
            password=data.password,
            phone=data.phone,
            province=data.province,
            language=data.language,
            **data.organisation_args(data.province),
            roles=(Role.submitter,) if data.user_group == UserGroup.scientist else (),
        )
        groups.request_group(session, user, data.user_group)
        if data.wants_review:
            groups.request_role(session, user, Role.reviewer, data.review_note)
        return user

    values = {k: v for k, v in form.items() if k not in ("password", "csrf_token")}
    return submit_form(
        session,
        form,
        RegisterForm,
        create,
        done=registered,
        again=lambda refusal: _register(request, session, values, refusal.errors, status=400),
    )


@router.get("/account/verify")
def verify(request: Request, session: SessionDep, token: str = ""):
    user = service.verify_email(session, token)
    flash(
        request,
        _("Thank you: %(email)s is confirmed. You can sign in now.", email=user.email),
        "success",
    )
    return RedirectResponse("/account/login", status_code=303)


@router.get("/account/verify/resend")
def resend_page(request: Request, email: str = ""):
    return render(request, "accounts/resend.html", {"values": {"email": email}, "errors": {}})


@router.post("/account/verify/resend")
def resend(request: Request, session: SessionDep, form: deps.Form):
    data, errors = parse_form(EmailForm, form)
    if not data:
        return render(
            request,
            "accounts/resend.html",
            {"values": dict(form), "errors": errors},
            status_code=400,
        )
    service.resend_verification(session, data.email)
    flash(
        request,
        _(
            "If %(email)s has an account waiting for confirmation, we sent a new link.",
            email=data.email,
        ),
    )
    return RedirectResponse("/account/login", status_code=303)


# -- password reset ------------------------------------------------------------
@router.get("/account/password/forgot")
def forgot_page(request: Request):
    return render(request, "accounts/forgot.html", {"values": {}, "errors": {}})


@router.post("/account/password/forgot")
def forgot(request: Request, session: SessionDep, form: deps.Form):
    data, errors = parse_form(EmailForm, form)
    if not data:
        return render(
            request,
            "accounts/forgot.html",
            {"values": dict(form), "errors": errors},
            status_code=400,
        )
    service.request_password_reset(session, data.email)
    flash(
        request,
        _(
            "If %(email)s has an account, we sent a link to choose a new password.",
            email=data.email,
        ),
    )
    return RedirectResponse("/account/login", status_code=303)


@router.get("/account/password/reset")
def reset_page(request: Request, session: SessionDep, token: str = ""):
    service.check_reset_token(session, token)
    return render(request, "accounts/reset.html", {"token": token, "errors": {}})


@router.post("/account/password/reset")
def reset(request: Request, session: SessionDep, form: deps.Form):
    def changed(_user: object):
        flash(request, _("Your password is changed. Please sign in with the new one."), "success")
        return RedirectResponse("/account/login", status_code=303)

    return submit_form(
        session,
        form,
        ResetForm,
        lambda data: service.reset_password(session, data.token, data.password),
        done=changed,
        again=lambda refusal: render(
            request,
            "accounts/reset.html",
            {"token": form.get("token", ""), "errors": refusal.errors},
            status_code=400,
        ),
        catch=ValidationFailed,  # a bad or expired link is an error page, not a form error
    )


# -- profile, password change and personal tokens -----------------------------
def _profile(request: Request, session: SessionDep, user: User, status: int = 200, **context):
    values = {
        "full_name": user.full_name,
        "phone": user.phone or "",
        "province": user.province or "",
        "organisation_id": user.organisation_id or "",
        "language": user.language,
        "organisation_mode": "existing" if user.organisation_id else "none",
        "expertise_keywords": ", ".join(user.expertise_keywords),
        "expertise_fields": ", ".join(user.expertise_fields),
    }
    chosen = context.get("values", values).get("organisation_id")
    from app.initiatives import taxonomy  # the expertise picker offers the initiative fields

    form_values = context.get("values")
    checked = (
        set(form_values.getlist("expertise_fields"))
        if isinstance(form_values, FormData)
        else set(user.expertise_fields)
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "values": values,
            "errors": {},
            "password_errors": {},
            "token_errors": {},
            "provinces": PROVINCE_OPTIONS,
            "organisations": _organisations(session, chosen),
            "organisation_types": labels.organisation_type_labels(),
            "tokens": credentials.personal_tokens(session, user),
            "user_groups": [
                (g.value, groups.group_label(g))
                for g, role in GROUP_ROLES.items()
                if role not in user.roles
            ],
            "role_requests": groups.pending_of(session, user),
            "field_tree": taxonomy.tree(session),
            "expertise_checked": checked,
            "wants_review": Role.reviewer not in user.roles,
            "membership": memberships.get(session, user.organisation_id, user.id)
            if user.organisation_id and user.id
            else None,
            **context,
        },
        status_code=status,
    )


@router.get("/account/profile")
def profile_page(request: Request, session: SessionDep, user: deps.CurrentUser):
    return _profile(request, session, user)


@router.post("/account/profile")
def profile(request: Request, session: SessionDep, user: deps.CurrentUser, form: deps.Form):
    def update(data: ProfileForm) -> None:
        organisation = data.organisation_args(data.province)
        changes = data.model_dump(include=set(service.PROFILE_FIELDS) - {"organisation_id"})
        service.update_profile(
            session,
            user,
            {**changes, "organisation_id": organisation["organisation_id"]},
            new_organisation=organisation["new_organisation"],
        )

    def saved(_result: None):
        request.session["lang"] = user.language
        flash(request, _("Your profile is saved."), "success")
        return RedirectResponse("/account/profile", status_code=303)

    return submit_form(
        session,
        form,
        ProfileForm,
        update,
        done=saved,
        again=lambda refusal: _profile(
            request, session, user, status=400, values=form, errors=refusal.errors
        ),
    )


@router.post("/account/password")
def change_password(request: Request, session: SessionDep, user: deps.CurrentUser, form: deps.Form):
    def changed(_result: None):
        deps.sign_in(request, user)  # this session goes on; every other one has ended
        flash(
            request, _("Your password is changed. You were signed out everywhere else."), "success"
        )
        return RedirectResponse("/account/profile", status_code=303)

    return submit_form(
        session,
        form,
        ChangePasswordForm,
        lambda data: service.change_password(
            session, user, data.current_password, data.new_password
        ),
        done=changed,
        again=lambda refusal: _profile(
            request, session, user, status=400, password_errors=refusal.errors
        ),
    )


@router.post("/account/tokens")
def create_token(request: Request, session: SessionDep, user: deps.CurrentUser, form: deps.Form):
    data, errors = parse_form(TokenForm, form)
    if not data:
        return _profile(
            request, session, user, status=400, token_errors=errors, token_values=dict(form)
        )
    token, plain = credentials.create_personal_token(session, user, data.name)
    # Shown on this response only: the plain value is stored nowhere.
    return render(
        request,
        "accounts/token_created.html",
        {"token": token, "plain": plain},
        headers={"Cache-Control": "no-store"},
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, session: SessionDep, user: deps.CurrentUser, token_id: int):
    credentials.revoke_token(session, user, token_id)
    flash(request, _("The token is revoked."), "success")
    return RedirectResponse("/account/profile#tokens", status_code=303)
