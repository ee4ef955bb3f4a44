"""Account API: the OAuth2 password flow and the signed-in user."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import deps, service
from app.accounts.schemas import TokenOut, UserPublic
from app.config import get_settings
from app.db import SessionDep
from app.errors import problem
from app.i18n import _

router = APIRouter(tags=["accounts"])


@router.post("/auth/token", response_model=TokenOut,
             responses={401: {"description": "Wrong credentials (problem+json)"}})
def token(request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    """OAuth2 password flow: exchange email and password for a bearer access token."""
    user = service.authenticate(session, form.username, form.password,
                                client_ip=request.client.host if request.client else "")
    if user is None or not user.is_verified:
        # Returned rather than raised, so the failure count is committed.
        detail = _("Wrong email or password.") if user is None else _("Please confirm your email address first.")
        return problem(request, 401, "invalid-credentials", _("Please sign in"), detail)
    minutes = get_settings().access_token_minutes
    _token, plain = service.issue_token(session, user, kind="access", lifetime=timedelta(minutes=minutes))
    return TokenOut(access_token=plain, expires_in=minutes * 60)


@router.get("/me", response_model=UserPublic)
def me(user: deps.CurrentUser):
    """The user the request is authenticated as."""
    return UserPublic(id=user.id, email=user.email, full_name=user.full_name, language=user.language,
                      roles=sorted(user.roles), organisation_id=user.organisation_id,
                      email_verified_at=user.email_verified_at)
